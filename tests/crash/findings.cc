// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "findings.h"

#include <sstream>
#include <utility>

namespace pay::integration::crash {

const char* FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kWorkerError:
      return "worker error";
    case FindingKind::kConflictingAcknowledgement:
      return "key acknowledged with two results";
    case FindingKind::kFeeLost:
      return "acknowledged fee lost";
    case FindingKind::kPaymentLost:
      return "acknowledged payment lost";
    case FindingKind::kOutcomeLost:
      return "acknowledged SUCCEEDED outcome lost";
    case FindingKind::kPaidTwice:
      return "fee paid twice";
    case FindingKind::kFeeNotPaid:
      return "fee of a SUCCEEDED payment not PAID";
    case FindingKind::kCountMismatch:
      return "totals differ from keys used";
    case FindingKind::kStuckProcessing:
      return "payment stuck PROCESSING (liveness)";
    case FindingKind::kVerificationError:
      return "verification call failed";
  }
  return "unknown";
}

void Findings::Add(FindingKind kind, std::string detail) {
  std::lock_guard<std::mutex> lock(mu_);
  PerKind& per_kind = kinds_[static_cast<size_t>(kind)];
  ++per_kind.count;
  if (per_kind.examples.size() < kExamplesPerKind) per_kind.examples.push_back(std::move(detail));
}

int64_t Findings::Count(FindingKind kind) const {
  std::lock_guard<std::mutex> lock(mu_);
  return kinds_[static_cast<size_t>(kind)].count;
}

int64_t Findings::Total() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t total = 0;
  for (const PerKind& per_kind : kinds_) total += per_kind.count;
  return total;
}

std::string Findings::Describe() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream out;
  for (size_t i = 0; i < kinds_.size(); ++i) {
    const PerKind& per_kind = kinds_[i];
    if (per_kind.count == 0) continue;
    out << FindingKindName(static_cast<FindingKind>(i)) << ": " << per_kind.count << "\n";
    for (const std::string& example : per_kind.examples) out << "  - " << example << "\n";
    if (per_kind.count > static_cast<int64_t>(per_kind.examples.size())) {
      out << "  - ... and " << per_kind.count - static_cast<int64_t>(per_kind.examples.size())
          << " more\n";
    }
  }
  return out.str();
}

}  // namespace pay::integration::crash
