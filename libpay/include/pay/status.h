// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Error handling for libpay. No exception crosses the library boundary: every fallible call
// returns a pay::Status or a pay::Result<T>. They are Abseil's types, whose codes are the gRPC
// codes, so payd maps them one-to-one onto the wire.
//
// Which code to choose:
//   kInvalidArgument     the request itself is wrong (field path and what is wrong in the message);
//                        retrying the same request can never succeed.
//   kNotFound            the resource does not exist, or exists but the caller may not know that.
//   kAlreadyExists       an idempotency key was reused for a different request.
//   kFailedPrecondition  the system is not in a state that allows the operation (illegal state
//                        transition: the message names the current state). Do not retry until the
//                        state changes.
//   kPermissionDenied    the caller is authenticated but its role may not do this.
//   kUnauthenticated     no or unknown credentials.
//   kUnavailable         transient: the same call may be retried as is (nothing was recorded).
//   kAborted             a conflict: retry the whole read-modify-write sequence.
//   kDataLoss            the store holds bytes that do not decode: corruption, never retried.
//   kInternal            a bug or an operating error of the store; retried at the caller's risk.

#ifndef PAY_STATUS_H_
#define PAY_STATUS_H_

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace pay {

using Status = absl::Status;
using StatusCode = absl::StatusCode;

template <typename T>
using Result = absl::StatusOr<T>;

// Crashes the process with a message. For programmer errors and broken invariants only; never for
// data that came from the network, a file or a connector.
[[noreturn]] inline void CheckFailed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "%s:%d: PAY_CHECK failed: %s\n", file, line, condition);
  std::abort();
}

}  // namespace pay

#define PAY_STATUS_CONCAT_INNER_(a, b) a##b
#define PAY_STATUS_CONCAT_(a, b) PAY_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a pay::Status) is not OK.
#define PAY_RETURN_IF_ERROR(expr)                   \
  do {                                              \
    ::pay::Status pay_status_ = (expr);             \
    if (!pay_status_.ok()) return pay_status_;      \
  } while (false)

// `PAY_ASSIGN_OR_RETURN(auto value, ComputeResult());` declares/assigns `value` from an OK
// Result<T>, or returns its status from the enclosing function.
#define PAY_ASSIGN_OR_RETURN(lhs, expr) \
  PAY_ASSIGN_OR_RETURN_IMPL_(PAY_STATUS_CONCAT_(pay_result_, __LINE__), lhs, expr)
#define PAY_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                               \
  if (!result.ok()) return std::move(result).status(); \
  lhs = std::move(result).value()

// Invariant check, always on (also in release builds).
#define PAY_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::pay::CheckFailed(__FILE__, __LINE__, #condition))

#endif  // PAY_STATUS_H_
