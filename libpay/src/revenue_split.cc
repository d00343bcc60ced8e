// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "revenue_split.h"

#include <algorithm>

#include "gateway_internal.h"
#include "str_util.h"

namespace pay::internal {

std::string RevenueShareAccount(std::string_view agency_id, std::string_view label) {
  return StrCat(RevenueAccount(agency_id), "/", label);
}

std::string PenaltyAccount(std::string_view agency_id) {
  return RevenueShareAccount(agency_id, "penalties");
}

std::vector<int64_t> SplitAmount(int64_t collected, const std::vector<RevenueShare>& shares) {
  PAY_CHECK(collected >= 0);
  std::vector<int64_t> parts(shares.size() + 1, 0);
  int64_t left = collected;
  for (size_t i = 0; i < shares.size(); ++i) {
    if (!shares[i].fixed) continue;
    parts[i] = std::min(shares[i].fixed->minor_units(), left);
    left -= parts[i];
  }
  const int64_t rest = left;
  for (size_t i = 0; i < shares.size(); ++i) {
    if (shares[i].fixed) continue;
    const int64_t bp = shares[i].basis_points;
    // floor(rest * bp / 10000) without overflowing int64: rest = q * 10000 + r.
    parts[i] = (rest / 10000) * bp + (rest % 10000) * bp / 10000;
    left -= parts[i];
  }
  PAY_CHECK(left >= 0);  // validated: basis points sum to at most 10000
  parts.back() = left;
  return parts;
}

Result<std::vector<Posting>> SplitIncrement(std::string_view agency_id, std::string_view currency,
                                            const std::vector<RevenueShare>& shares,
                                            int64_t fee_amount, int64_t collected_before,
                                            int64_t collected_after) {
  PAY_CHECK(0 <= collected_before && collected_before <= collected_after);
  const std::vector<int64_t> before = SplitAmount(std::min(collected_before, fee_amount), shares);
  const std::vector<int64_t> after = SplitAmount(std::min(collected_after, fee_amount), shares);
  std::vector<Posting> postings;
  auto add = [&](std::string account, int64_t minor_units) -> Status {
    if (minor_units == 0) return absl::OkStatus();
    PAY_ASSIGN_OR_RETURN(Money money, Money::Create(currency, minor_units));
    postings.push_back({std::move(account), std::move(money)});
    return absl::OkStatus();
  };
  for (size_t i = 0; i < shares.size(); ++i) {
    PAY_RETURN_IF_ERROR(add(RevenueShareAccount(agency_id, shares[i].label), after[i] - before[i]));
  }
  PAY_RETURN_IF_ERROR(add(RevenueAccount(agency_id), after.back() - before.back()));
  const int64_t penalty_before = std::max<int64_t>(collected_before - fee_amount, 0);
  const int64_t penalty_after = std::max<int64_t>(collected_after - fee_amount, 0);
  PAY_RETURN_IF_ERROR(add(PenaltyAccount(agency_id), penalty_after - penalty_before));
  return postings;
}

}  // namespace pay::internal
