// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include <set>

#include "fee_catalogue.h"
#include "gateway_internal.h"
#include "str_util.h"

namespace pay {

std::string_view AmountRuleName(AmountRule rule) {
  return rule == AmountRule::kPartialAllowed ? "PARTIAL_ALLOWED" : "EXACT";
}

std::string_view OverpaymentRuleName(OverpaymentRule rule) {
  return rule == OverpaymentRule::kRefundExcess ? "REFUND_EXCESS" : "REFUSE";
}

namespace internal {
namespace {

constexpr int64_t kMaxPenaltyPeriodSeconds = int64_t{10} * 366 * 24 * 3600;

bool IsLabelChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool IsCodeChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

Status ValidateSameCurrency(const Money& money, const Money& amount, std::string_view field) {
  PAY_RETURN_IF_ERROR(ValidatePayableAmount(money, field));
  if (money.currency() != amount.currency()) {
    return absl::InvalidArgumentError(StrCat(field, ": currency ", money.currency(),
                                             " differs from the fee type's ", amount.currency()));
  }
  return absl::OkStatus();
}

Status ValidateShares(const Money& amount, const std::vector<RevenueShare>& shares) {
  if (shares.size() > kMaxRevenueShares) {
    return absl::InvalidArgumentError(
        StrCat("terms.revenue_shares: at most ", kMaxRevenueShares, " shares"));
  }
  std::set<std::string> labels;
  int64_t fixed_total = 0;
  int64_t bp_total = 0;
  for (size_t i = 0; i < shares.size(); ++i) {
    const RevenueShare& share = shares[i];
    const std::string field = StrCat("terms.revenue_shares[", i, "]");
    if (share.label.empty() || share.label.size() > 32 ||
        !std::all_of(share.label.begin(), share.label.end(), IsLabelChar)) {
      return absl::InvalidArgumentError(StrCat(field, ".label: must be 1..32 of a-z, 0-9 and '-'"));
    }
    if (share.label == "penalties") {
      return absl::InvalidArgumentError(
          StrCat(field, ".label: \"penalties\" is reserved for penalty money"));
    }
    if (!labels.insert(share.label).second) {
      return absl::InvalidArgumentError(
          StrCat(field, ".label: \"", share.label, "\" appears twice"));
    }
    if (share.fixed.has_value() == (share.basis_points != 0)) {
      return absl::InvalidArgumentError(
          StrCat(field, ": set exactly one of fixed and basis_points"));
    }
    if (share.fixed) {
      PAY_RETURN_IF_ERROR(ValidateSameCurrency(*share.fixed, amount, StrCat(field, ".fixed")));
      fixed_total += share.fixed->minor_units();
    } else {
      if (share.basis_points < 1 || share.basis_points > 10000) {
        return absl::InvalidArgumentError(StrCat(field, ".basis_points: must be 1..10000"));
      }
      bp_total += share.basis_points;
    }
  }
  if (fixed_total > amount.minor_units()) {
    return absl::InvalidArgumentError(
        "terms.revenue_shares: the fixed shares add up to more than the amount");
  }
  if (bp_total > 10000) {
    return absl::InvalidArgumentError(
        "terms.revenue_shares: the basis points add up to more than 10000 (100%)");
  }
  return absl::OkStatus();
}

Status ValidatePenalty(const Money& amount, const Penalty& penalty) {
  if (penalty.kind == PenaltyKind::kFixed) {
    PAY_RETURN_IF_ERROR(
        ValidateSameCurrency(penalty.fixed_amount, amount, "terms.penalty.fixed_amount"));
    if (penalty.basis_points != 0) {
      return absl::InvalidArgumentError("terms.penalty.basis_points: only for PERCENT penalties");
    }
  } else {
    if (penalty.basis_points < 1 || penalty.basis_points > 10000) {
      return absl::InvalidArgumentError("terms.penalty.basis_points: must be 1..10000");
    }
    if (!penalty.fixed_amount.currency().empty()) {
      return absl::InvalidArgumentError("terms.penalty.fixed_amount: only for FIXED penalties");
    }
  }
  if (penalty.period_seconds < 1 || penalty.period_seconds > kMaxPenaltyPeriodSeconds) {
    return absl::InvalidArgumentError("terms.penalty.period_seconds: must be 1 second .. 10 years");
  }
  return ValidateSameCurrency(penalty.cap, amount, "terms.penalty.cap");
}

}  // namespace

Status ValidateFeeTypeCode(std::string_view field, std::string_view code) {
  if (code.empty() || code.size() > 32 || !std::all_of(code.begin(), code.end(), IsCodeChar)) {
    return absl::InvalidArgumentError(StrCat(field, ": must be 1..32 of A-Z, 0-9, '_' and '-'"));
  }
  return absl::OkStatus();
}

Status ValidateFeeTerms(const Money& amount, const FeeTerms& terms) {
  PAY_RETURN_IF_ERROR(ValidatePayableAmount(amount, "amount"));
  if (terms.amount_rule != AmountRule::kExact && terms.amount_rule != AmountRule::kPartialAllowed) {
    return absl::InvalidArgumentError("terms.amount_rule: EXACT or PARTIAL_ALLOWED");
  }
  if (terms.overpayment != OverpaymentRule::kRefuse &&
      terms.overpayment != OverpaymentRule::kRefundExcess) {
    return absl::InvalidArgumentError("terms.overpayment: REFUSE or REFUND_EXCESS");
  }
  PAY_RETURN_IF_ERROR(ValidateShares(amount, terms.revenue_shares));
  if (terms.penalty) PAY_RETURN_IF_ERROR(ValidatePenalty(amount, *terms.penalty));
  return absl::OkStatus();
}

std::string FeeTermsText(const FeeTypeVersion& version) {
  const FeeTerms& terms = version.terms;
  std::string shares;
  for (const RevenueShare& share : terms.revenue_shares) {
    if (!shares.empty()) shares += ",";
    shares += share.fixed ? StrCat(share.label, ":fixed ", share.fixed->ToString())
                          : StrCat(share.label, ":bp ", share.basis_points);
  }
  std::string penalty = "none";
  if (terms.penalty) {
    const Penalty& p = *terms.penalty;
    penalty = StrCat(p.kind == PenaltyKind::kFixed ? StrCat("fixed ", p.fixed_amount.ToString())
                                                   : StrCat("percent ", p.basis_points, " bp"),
                     " per ", p.period_seconds, " s cap ", p.cap.ToString());
  }
  return StrCat("amount=", version.amount.ToString(),
                "; effective_from=", version.effective_from_ms,
                "; rule=", AmountRuleName(terms.amount_rule),
                "; overpayment=", OverpaymentRuleName(terms.overpayment), "; shares=", shares,
                "; penalty=", penalty);
}

bool IsPayable(FeeState state) {
  return state == FeeState::kUnpaid || state == FeeState::kPartiallyPaid;
}

int64_t PenaltyPerPeriod(const Fee& fee) {
  if (!fee.terms.penalty) return 0;
  const Penalty& penalty = *fee.terms.penalty;
  if (penalty.kind == PenaltyKind::kFixed) return penalty.fixed_amount.minor_units();
  const int64_t amount = fee.amount.minor_units();
  return (amount / 10000) * penalty.basis_points + (amount % 10000) * penalty.basis_points / 10000;
}

std::vector<int64_t> DuePenalties(const Fee& fee, int64_t now_ms, int32_t max_periods) {
  std::vector<int64_t> due;
  if (!fee.terms.penalty || fee.due_time_ms == 0 || now_ms <= fee.due_time_ms) return due;
  if (!IsPayable(EffectiveFeeState(fee, now_ms))) return due;
  const Penalty& penalty = *fee.terms.penalty;
  const int64_t period_ms = penalty.period_seconds * 1000;
  const int64_t elapsed = (now_ms - fee.due_time_ms) / period_ms;
  const int64_t per_period = PenaltyPerPeriod(fee);
  int64_t total = fee.penalty_total_minor_units;
  for (int64_t period = fee.penalty_periods + 1;
       period <= elapsed && static_cast<int32_t>(due.size()) < max_periods; ++period) {
    const int64_t charge = std::min(per_period, penalty.cap.minor_units() - total);
    if (charge <= 0) break;
    due.push_back(charge);
    total += charge;
  }
  return due;
}

void ProjectPenalties(Fee* fee, int64_t now_ms) {
  for (int64_t charge : DuePenalties(*fee, now_ms, kMaxPenaltyPeriodsPerCall)) {
    fee->penalty_total_minor_units += charge;
    ++fee->penalty_periods;
  }
}

}  // namespace internal
}  // namespace pay
