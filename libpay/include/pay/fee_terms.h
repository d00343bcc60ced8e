// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The terms of a fee type version that a fee keeps for its whole life: how it may be paid, where
// its money goes and what a late payer owes. A fee issued under a fee type holds a snapshot of
// them (Fee::terms), so that a later version never changes a fee already issued.

#ifndef PAY_FEE_TERMS_H_
#define PAY_FEE_TERMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pay/money.h"

namespace pay {

// Numeric values are stored: never renumber.
enum class AmountRule : uint8_t {
  kExact = 1,           // one payment of the whole amount due
  kPartialAllowed = 2,  // several payments, each at most the amount due; PARTIALLY_PAID between
};

// What happens to money a channel collected beyond the amount due. Numeric values are stored.
enum class OverpaymentRule : uint8_t {
  kRefuse = 1,        // the fee takes none of it: the whole payment is refund_due
  kRefundExcess = 2,  // the fee takes the amount due; the excess is refund_due in suspense
};

std::string_view AmountRuleName(AmountRule rule);            // "EXACT", "PARTIAL_ALLOWED"
std::string_view OverpaymentRuleName(OverpaymentRule rule);  // "REFUSE", "REFUND_EXCESS"

// One part of a payment that goes to its own revenue account, "revenue/<agency>/<label>".
// Exactly one of `fixed` (a fixed amount, in the fee's currency) and `basis_points` (1..10000,
// a share of what the fixed shares leave) is set. See revenue_split.h for the rounding rule.
struct RevenueShare {
  std::string label;  // 1..32 of [a-z0-9-]; not "penalties"
  std::optional<Money> fixed;
  int32_t basis_points = 0;
  friend bool operator==(const RevenueShare&, const RevenueShare&) = default;
};

// Numeric values are stored.
enum class PenaltyKind : uint8_t {
  kFixed = 1,    // `fixed_amount` per period
  kPercent = 2,  // floor(fee amount * basis_points / 10000) per period
};

// A late penalty: after due_time, for each full period that elapses while the fee is not paid,
// the amount due grows by one period's penalty, until the penalties reach `cap`. Penalty money
// goes to "revenue/<agency>/penalties".
struct Penalty {
  PenaltyKind kind = PenaltyKind::kFixed;
  Money fixed_amount;          // kFixed
  int32_t basis_points = 0;    // kPercent, 1..10000
  int64_t period_seconds = 0;  // 1..10 years; e.g. 2592000 = 30 days
  Money cap;                   // the most all penalties of one fee add up to
  friend bool operator==(const Penalty&, const Penalty&) = default;
};

struct FeeTerms {
  AmountRule amount_rule = AmountRule::kExact;
  OverpaymentRule overpayment = OverpaymentRule::kRefuse;
  std::vector<RevenueShare> revenue_shares;  // empty: everything to revenue/<agency>
  std::optional<Penalty> penalty;
  friend bool operator==(const FeeTerms&, const FeeTerms&) = default;
};

}  // namespace pay

#endif  // PAY_FEE_TERMS_H_
