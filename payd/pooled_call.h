// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The frame of a unary RPC served with gRPC's callback API whose body waits for the disk: the
// caller is authenticated on gRPC's thread (HandleCall's rules and messages), the body runs on a
// CallPool worker, and the call is finished from there.

#ifndef PAY_PAYD_POOLED_CALL_H_
#define PAY_PAYD_POOLED_CALL_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string_view>

#include "call_pool.h"
#include "pay/gateway.h"

namespace payd {

// Authenticates the caller of `context`, then queues `body` on `pool`; the returned reactor is
// finished with body's status (mapped and logged as HandleCall does) by the worker. Without
// running `body` (so without touching the ledger) the call is answered:
// - UNAUTHENTICATED as HandleCall would;
// - RESOURCE_EXHAUSTED when the pool's queue is full, with `retry_hint` (which says how to retry
//   safely, e.g. with the same idempotency_key);
// - DEADLINE_EXCEEDED when the call's deadline passed before a worker took it, CANCELLED when the
//   client (or payd's shutdown) cancelled it by then.
// `body` may write the response; it runs at most once.
grpc::ServerUnaryReactor* HandleCallOnPool(const pay::Gateway& gateway, CallPool& pool,
                                           grpc::CallbackServerContext* context,
                                           std::string_view method, std::string_view retry_hint,
                                           std::function<pay::Status(const pay::Principal&)> body);

}  // namespace payd

#endif  // PAY_PAYD_POOLED_CALL_H_
