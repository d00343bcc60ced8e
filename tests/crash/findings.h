// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Findings: what the crash test saw go wrong, by kind, collected from many threads and reported
// once by the test thread. Counting every finding but keeping only the first few examples of each
// kind bounds the report when something goes wrong for thousands of keys at once.

#ifndef PAY_TESTS_CRASH_FINDINGS_H_
#define PAY_TESTS_CRASH_FINDINGS_H_

#include <absl/base/thread_annotations.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace pay::integration::crash {

// The kinds of findings. The first ones break the money-safety bar; kStuckProcessing is a
// liveness failure (nothing lost, nothing paid twice, but a payment never reaches its outcome).
enum class FindingKind {
  // A worker got an answer that is neither OK nor a crash code, or gave up waiting for payd.
  kWorkerError,
  // One idempotency key was acknowledged with two different fees or payments.
  kConflictingAcknowledgement,
  // A retry of an acknowledged fee key no longer returns that fee.
  kFeeLost,
  // A retry of an acknowledged payment key, or GetPayment, no longer returns that payment.
  kPaymentLost,
  // A payment acknowledged SUCCEEDED is now in another state.
  kOutcomeLost,
  // A fee has more than one payment, or is PAID by a payment other than its own.
  kPaidTwice,
  // A payment is SUCCEEDED but its fee is not PAID by it.
  kFeeNotPaid,
  // The totals payd lists differ from the keys the workers used.
  kCountMismatch,
  // A payment acknowledged PROCESSING never reached an outcome, even after the final restart.
  kStuckProcessing,
  // A verification call itself failed.
  kVerificationError,
};
inline constexpr size_t kFindingKinds = static_cast<size_t>(FindingKind::kVerificationError) + 1;

// "kPaidTwice" -> "paid twice", for the report.
const char* FindingKindName(FindingKind kind);

// Thread-safe.
class Findings {
 public:
  // Examples kept per kind; the rest are only counted.
  static constexpr size_t kExamplesPerKind = 8;

  void Add(FindingKind kind, std::string detail);
  int64_t Count(FindingKind kind) const;
  // The sum of Count() over every kind.
  int64_t Total() const;
  // One paragraph per kind that has findings: its name, count and examples. Empty when none.
  std::string Describe() const;

 private:
  struct PerKind {
    int64_t count = 0;
    std::vector<std::string> examples;
  };
  mutable std::mutex mu_;
  std::array<PerKind, kFindingKinds> kinds_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pay::integration::crash

#endif  // PAY_TESTS_CRASH_FINDINGS_H_
