// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Helpers of the fee catalogue shared by gateway_fee_types.cc, gateway_penalties.cc,
// gateway_fees.cc and the payment paths: validation of fee type terms, their canonical text, and
// the late-penalty arithmetic.

#ifndef PAY_SRC_FEE_CATALOGUE_H_
#define PAY_SRC_FEE_CATALOGUE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger.h"
#include "pay/fee.h"
#include "pay/fee_type.h"
#include "pay/status.h"

namespace pay::internal {

// Limits: at most this many revenue shares per version and versions per fee type.
inline constexpr size_t kMaxRevenueShares = 16;
inline constexpr size_t kMaxFeeTypeVersions = 1000;
// Penalty periods charged per fee per call (the next call continues).
inline constexpr int32_t kMaxPenaltyPeriodsPerCall = 1000;

// 1..32 of [A-Z0-9_-]. kInvalidArgument starting with `field`.
Status ValidateFeeTypeCode(std::string_view field, std::string_view code);
// The amount and terms of a new version (fields "amount", "terms.revenue_shares[i].label", ...).
Status ValidateFeeTerms(const Money& amount, const FeeTerms& terms);

// The canonical text of a version's terms: the detail of its FEE_TYPE_DEFINED entry, e.g.
// "amount=150.00 SAR; effective_from=1764000000000; rule=PARTIAL_ALLOWED; overpayment=REFUSE;
//  shares=stamp:fixed 5.00 SAR,province:bp 2500; penalty=percent 100 bp per 2592000 s cap
//  30.00 SAR". Fields in this order, always all of them ("shares=" and "penalty=none" when empty).
std::string FeeTermsText(const FeeTypeVersion& version);

// True for the states in which a fee takes payments, waivers and penalties.
bool IsPayable(FeeState state);

// The penalty of one period of `fee` (0 without a penalty).
int64_t PenaltyPerPeriod(const Fee& fee);
// The penalties of the periods elapsed by `now_ms` and not yet charged, in period order, at most
// `max_periods`, each capped so that the total stays within the cap (a period that would add
// nothing ends the list). Empty for fees that are not payable or have no penalty or due time.
std::vector<int64_t> DuePenalties(const Fee& fee, int64_t now_ms, int32_t max_periods);
// What a reader is shown: `fee` with the penalties due at `now_ms` added as if charged (like
// EffectiveFeeState, the sweep records them later).
void ProjectPenalties(Fee* fee, int64_t now_ms);

// The version of `fee_type` in force at `time_ms` (the greatest effective_from <= time_ms), or
// nullptr when none is yet.
const FeeTypeVersion* VersionInForce(const FeeType& fee_type, int64_t time_ms);

// Puts the penalty index key of `fee` when a penalty is still to come (see kFeesByPenaltyTime).
void PutPenaltyIndex(WriteSet* write_set, const Fee& fee);

}  // namespace pay::internal

#endif  // PAY_SRC_FEE_CATALOGUE_H_
