// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "pooled_call.h"

#include <chrono>
#include <string>
#include <utility>

#include "auth.h"

namespace payd {

grpc::ServerUnaryReactor* HandleCallOnPool(const pay::Gateway& gateway, CallPool& pool,
                                           grpc::CallbackServerContext* context,
                                           std::string_view method, std::string_view retry_hint,
                                           std::function<pay::Status(const pay::Principal&)> body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  CallFrame frame = BeginCall(method);
  pay::Result<pay::Principal> principal = AuthenticateCall(gateway, *context, frame);
  if (!principal.ok()) {
    reactor->Finish(FinishCall(frame, principal.status()));
    return reactor;
  }
  std::function<void()> task = [frame, principal = *std::move(principal), context, reactor,
                                body = std::move(body)] {
    pay::Status status;
    if (context->deadline() <= std::chrono::system_clock::now()) {
      status = absl::DeadlineExceededError(
          "the call's deadline passed while it waited for a payd worker; nothing was written");
    } else if (context->IsCancelled()) {
      status = absl::CancelledError(
          "the call was cancelled while it waited for a payd worker; nothing was written");
    } else {
      status = body(principal);
    }
    reactor->Finish(FinishCall(frame, status));
  };
  if (!pool.TrySubmit(task)) {
    reactor->Finish(FinishCall(
        frame,
        absl::ResourceExhaustedError(
            std::string("payd is at capacity (") + std::to_string(pool.queue_limit()) +
            " calls already wait for a worker) and wrote nothing: " + std::string(retry_hint))));
  }
  return reactor;
}

}  // namespace payd
