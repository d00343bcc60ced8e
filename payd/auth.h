// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The frame of every RPC handler: authenticate the caller from its `authorization: Bearer <key>`
// metadata, run the body, map the status, and log one line per call (method, credential id,
// code, latency; never the key, never request bodies).

#ifndef PAY_PAYD_AUTH_H_
#define PAY_PAYD_AUTH_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "pay/gateway.h"

namespace payd {

// The API key of the call, or kUnauthenticated when the metadata is missing or malformed.
pay::Result<std::string_view> BearerKey(const grpc::ServerContextBase& context);

// Authenticates and runs `body` as the caller. Errors of either are returned as gRPC statuses.
grpc::Status HandleCall(const pay::Gateway& gateway, grpc::ServerContext* context,
                        std::string_view method,
                        const std::function<pay::Status(const pay::Principal&)>& body);

// How many calls are inside HandleCall (or between BeginCall and FinishCall) right now (for a
// graceful shutdown).
int InFlightCalls();

// HandleCall in three pieces, for handlers that finish a call on another thread than the one
// that received it (the callback API, payment_service.cc): BeginCall counts the call in flight
// and starts its clock; AuthenticateCall applies HandleCall's rules (reads only, never waits for
// a write); FinishCall logs the call line and maps the status exactly as HandleCall does, and
// must be called exactly once per BeginCall.
struct CallFrame {
  std::string_view method;  // a string literal
  std::chrono::steady_clock::time_point start;
  std::string caller = "-";  // the credential id once authenticated
};
CallFrame BeginCall(std::string_view method);
pay::Result<pay::Principal> AuthenticateCall(const pay::Gateway& gateway,
                                             const grpc::ServerContextBase& context,
                                             CallFrame& frame);
grpc::Status FinishCall(const CallFrame& frame, const pay::Status& status);

}  // namespace payd

#endif  // PAY_PAYD_AUTH_H_
