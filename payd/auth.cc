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

pay::Result<std::string_view> BearerKey(const grpc::ServerContext& context) {
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

grpc::Status HandleCall(const pay::Gateway& gateway, grpc::ServerContext* context,
                        std::string_view method,
                        const std::function<pay::Status(const pay::Principal&)>& body) {
  const auto start = std::chrono::steady_clock::now();
  ++in_flight_calls;
  pay::Status status;
  std::string caller = "-";
  pay::Result<std::string_view> key = BearerKey(*context);
  if (!key.ok()) {
    status = key.status();
  } else {
    pay::Result<pay::Principal> principal = gateway.Authenticate(*key);
    if (!principal.ok()) {
      status = principal.status();
    } else {
      caller = principal->credential_id;
      status = body(*principal);
    }
  }
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  const std::string code = absl::StatusCodeToString(status.code());
  if (status.ok()) {
    spdlog::debug("rpc {} caller={} code=OK {}us", method, caller, micros);
  } else if (status.code() == absl::StatusCode::kInternal ||
             status.code() == absl::StatusCode::kDataLoss) {
    spdlog::error("rpc {} caller={} code={} {}us: {}", method, caller, code, micros,
                  std::string(status.message()));
  } else {
    spdlog::info("rpc {} caller={} code={} {}us: {}", method, caller, code, micros,
                 std::string(status.message()));
  }
  --in_flight_calls;
  return ToGrpc(status);
}

}  // namespace payd
