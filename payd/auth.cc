// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "auth.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>

#include "convert.h"

namespace payd {
namespace {
std::atomic<int> in_flight_calls{0};
}  // namespace

int InFlightCalls() { return in_flight_calls.load(); }

pay::Result<std::string_view> BearerKey(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(
        "missing credentials: send metadata `authorization: Bearer <api-key>`");
  }
  std::string_view value(it->second.data(), it->second.size());
  constexpr std::string_view kScheme = "Bearer ";
  if (value.substr(0, kScheme.size()) != kScheme) {
    return absl::UnauthenticatedError(
        "malformed credentials: the authorization metadata must be `Bearer <api-key>`");
  }
  return value.substr(kScheme.size());
}

CallFrame BeginCall(std::string_view method) {
  ++in_flight_calls;
  return CallFrame{method, std::chrono::steady_clock::now()};
}

pay::Result<pay::Principal> AuthenticateCall(const pay::Gateway& gateway,
                                             const grpc::ServerContextBase& context,
                                             CallFrame& frame) {
  PAY_ASSIGN_OR_RETURN(std::string_view key, BearerKey(context));
  PAY_ASSIGN_OR_RETURN(pay::Principal principal, gateway.Authenticate(key));
  frame.caller = principal.credential_id;
  return principal;
}

grpc::Status FinishCall(const CallFrame& frame, const pay::Status& status) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - frame.start)
                          .count();
  const std::string code = absl::StatusCodeToString(status.code());
  if (status.ok()) {
    spdlog::debug("rpc {} caller={} code=OK {}us", frame.method, frame.caller, micros);
  } else if (status.code() == absl::StatusCode::kInternal ||
             status.code() == absl::StatusCode::kDataLoss) {
    spdlog::error("rpc {} caller={} code={} {}us: {}", frame.method, frame.caller, code, micros,
                  std::string(status.message()));
  } else {
    spdlog::info("rpc {} caller={} code={} {}us: {}", frame.method, frame.caller, code, micros,
                 std::string(status.message()));
  }
  --in_flight_calls;
  return ToGrpc(status);
}

grpc::Status HandleCall(const pay::Gateway& gateway, grpc::ServerContext* context,
                        std::string_view method,
                        const std::function<pay::Status(const pay::Principal&)>& body) {
  CallFrame frame = BeginCall(method);
  pay::Result<pay::Principal> principal = AuthenticateCall(gateway, *context, frame);
  return FinishCall(frame, principal.ok() ? body(*principal) : principal.status());
}

}  // namespace payd
