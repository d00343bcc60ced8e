// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The frame of every RPC handler: authenticate the caller from its `authorization: Bearer <key>`
// metadata, run the body, map the status, and log one line per call (method, credential id,
// code, latency; never the key, never request bodies).

#ifndef PAY_PAYD_AUTH_H_
#define PAY_PAYD_AUTH_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string_view>

#include "pay/gateway.h"

namespace payd {

// The API key of the call, or kUnauthenticated when the metadata is missing or malformed.
pay::Result<std::string_view> BearerKey(const grpc::ServerContext& context);

// Authenticates and runs `body` as the caller. Errors of either are returned as gRPC statuses.
grpc::Status HandleCall(const pay::Gateway& gateway, grpc::ServerContext* context,
                        std::string_view method,
                        const std::function<pay::Status(const pay::Principal&)>& body);

// How many calls are inside HandleCall right now (for a graceful shutdown).
int InFlightCalls();

}  // namespace payd

#endif  // PAY_PAYD_AUTH_H_
