// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "refund_records.h"

#include <algorithm>
#include <iterator>

#include "coding.h"
#include "str_util.h"

namespace pay {
namespace {

constexpr std::string_view kRefundStateNames[] = {
    "", "PENDING_APPROVAL", "APPROVED", "PROCESSING", "SUCCEEDED", "FAILED", "REJECTED"};
constexpr std::string_view kRefundReasonNames[] = {"",
                                                   "DUPLICATE_PAYMENT",
                                                   "OVERPAYMENT",
                                                   "SERVICE_NOT_RENDERED",
                                                   "FEE_CANCELLED",
                                                   "PAYMENT_ERROR",
                                                   "OTHER"};
static_assert(std::size(kRefundStateNames) == static_cast<size_t>(RefundState::kRejected) + 1);
static_assert(std::size(kRefundReasonNames) == static_cast<size_t>(RefundReason::kOther) + 1);

}  // namespace

std::string_view RefundStateName(RefundState state) {
  const auto index = static_cast<size_t>(state);
  return index > 0 && index < std::size(kRefundStateNames) ? kRefundStateNames[index] : "UNKNOWN";
}

std::string_view RefundReasonName(RefundReason reason) {
  const auto index = static_cast<size_t>(reason);
  return index > 0 && index < std::size(kRefundReasonNames) ? kRefundReasonNames[index] : "UNKNOWN";
}

std::optional<RefundState> RefundStateFromByte(uint8_t value) {
  if (value < 1 || value >= std::size(kRefundStateNames)) return std::nullopt;
  return static_cast<RefundState>(value);
}

std::optional<RefundReason> RefundReasonFromByte(uint8_t value) {
  if (value < 1 || value >= std::size(kRefundReasonNames)) return std::nullopt;
  return static_cast<RefundReason>(value);
}

namespace internal {
namespace {

constexpr uint8_t kFormatVersion = 1;

Status CheckVersion(Decoder& decoder, std::string_view what) {
  uint8_t version = 0;
  if (!decoder.GetByte(&version)) return decoder.Finish(what);
  if (version != kFormatVersion) {
    return absl::DataLossError(
        StrCat(what, " has unknown format version ", static_cast<int>(version)));
  }
  return absl::OkStatus();
}

}  // namespace

std::string RefundPolicyKey(std::string_view agency_id) { return StrCat("policy/", agency_id); }

namespace {
// Amounts are at most kMaxAmountMinor (10^15), so a product of two needs more than 64 bits.
__extension__ typedef __int128 Int128;

}  // namespace

bool IsSuspenseAccount(std::string_view account) { return account.substr(0, 9) == "suspense/"; }

std::vector<int64_t> RefundShares(const std::vector<Posting>& collected, int64_t total) {
  std::vector<int64_t> shares(collected.size(), 0);
  int64_t rest = total;
  int64_t others = 0;
  for (size_t i = 0; i < collected.size(); ++i) {
    const int64_t amount = collected[i].amount.minor_units();
    if (IsSuspenseAccount(collected[i].account)) {
      shares[i] = std::min(rest, amount);
      rest -= shares[i];
    } else {
      others += amount;
    }
  }
  if (rest == 0) return shares;
  if (others == 0) {
    // Only suspense accounts, and more refunded than they hold: the refund limit prevents it; a
    // stored split that does not sum to the amount must still give balanced postings.
    if (!shares.empty()) shares[0] += rest;
    return shares;
  }
  int64_t given = 0;
  size_t first = collected.size();
  for (size_t i = 0; i < collected.size(); ++i) {
    if (IsSuspenseAccount(collected[i].account)) continue;
    if (first == collected.size()) first = i;
    const Int128 share = static_cast<Int128>(rest) * collected[i].amount.minor_units() / others;
    shares[i] = static_cast<int64_t>(share);
    given += shares[i];
  }
  shares[first] += rest - given;
  return shares;
}

std::string RefundInFlightKey(std::string_view refund_id) {
  return StrCat(kRefundsInFlight, '\0', refund_id);
}

std::string EncodeRefund(const Refund& refund) {
  std::string out;
  PutByte(&out, kFormatVersion);
  PutString(&out, refund.refund_id);
  PutString(&out, refund.payment_id);
  PutString(&out, refund.fee_id);
  PutString(&out, refund.agency_id);
  PutMoney(&out, refund.amount);
  PutByte(&out, static_cast<uint8_t>(refund.reason_code));
  PutString(&out, refund.reason);
  PutByte(&out, static_cast<uint8_t>(refund.state));
  PutString(&out, refund.requested_by);
  PutString(&out, refund.approved_by);
  PutString(&out, refund.rejected_by);
  PutString(&out, refund.decision_reason);
  PutByte(&out, refund.destination ? static_cast<uint8_t>(refund.destination->method) : 0);
  PutString(&out, refund.destination ? refund.destination->account : "");
  PutString(&out, refund.connector);
  PutString(&out, refund.connector_reference);
  PutString(&out, refund.failure_code);
  PutString(&out, refund.failure_message);
  PutString(&out, refund.idempotency_key);
  PutSigned(&out, refund.create_time_ms);
  PutSigned(&out, refund.update_time_ms);
  PutVarint(&out, refund.ledger_sequence);
  return out;
}

Status DecodeRefund(std::string_view bytes, Refund* refund) {
  Decoder decoder(bytes);
  PAY_RETURN_IF_ERROR(CheckVersion(decoder, "refund"));
  uint8_t reason = 0;
  uint8_t state = 0;
  uint8_t method = 0;
  std::string account;
  decoder.GetString(&refund->refund_id) && decoder.GetString(&refund->payment_id) &&
      decoder.GetString(&refund->fee_id) && decoder.GetString(&refund->agency_id) &&
      decoder.GetMoney(&refund->amount) && decoder.GetByte(&reason) &&
      decoder.GetString(&refund->reason) && decoder.GetByte(&state) &&
      decoder.GetString(&refund->requested_by) && decoder.GetString(&refund->approved_by) &&
      decoder.GetString(&refund->rejected_by) && decoder.GetString(&refund->decision_reason) &&
      decoder.GetByte(&method) && decoder.GetString(&account) &&
      decoder.GetString(&refund->connector) && decoder.GetString(&refund->connector_reference) &&
      decoder.GetString(&refund->failure_code) && decoder.GetString(&refund->failure_message) &&
      decoder.GetString(&refund->idempotency_key) && decoder.GetSigned(&refund->create_time_ms) &&
      decoder.GetSigned(&refund->update_time_ms) && decoder.GetVarint(&refund->ledger_sequence);
  PAY_RETURN_IF_ERROR(decoder.Finish("refund"));
  std::optional<RefundReason> reason_code = RefundReasonFromByte(reason);
  std::optional<RefundState> refund_state = RefundStateFromByte(state);
  if (!reason_code || !refund_state) {
    return absl::DataLossError("stored refund has unknown reason or state");
  }
  refund->reason_code = *reason_code;
  refund->state = *refund_state;
  refund->destination.reset();
  if (method != 0) {
    std::optional<PaymentMethod> payment_method = PaymentMethodFromByte(method);
    if (!payment_method) return absl::DataLossError("stored refund has unknown destination method");
    refund->destination = RefundDestination{*payment_method, std::move(account)};
  }
  return absl::OkStatus();
}

std::string EncodeRefundPolicy(const RefundPolicy& policy) {
  std::string out;
  PutByte(&out, kFormatVersion);
  PutString(&out, policy.agency_id);
  PutVarint(&out, policy.approval_thresholds.size());
  for (const Money& threshold : policy.approval_thresholds) PutMoney(&out, threshold);
  PutSigned(&out, policy.update_time_ms);
  PutString(&out, policy.updated_by);
  return out;
}

Status DecodeRefundPolicy(std::string_view bytes, RefundPolicy* policy) {
  Decoder decoder(bytes);
  PAY_RETURN_IF_ERROR(CheckVersion(decoder, "refund policy"));
  uint64_t count = 0;
  if (decoder.GetString(&policy->agency_id) && decoder.GetVarint(&count) && count <= 512) {
    policy->approval_thresholds.clear();
    for (uint64_t i = 0; i < count; ++i) {
      Money threshold;
      if (!decoder.GetMoney(&threshold)) break;
      policy->approval_thresholds.push_back(std::move(threshold));
    }
  }
  decoder.GetSigned(&policy->update_time_ms) && decoder.GetString(&policy->updated_by);
  PAY_RETURN_IF_ERROR(decoder.Finish("refund policy"));
  if (policy->approval_thresholds.size() != count) {
    return absl::DataLossError("stored refund policy has malformed thresholds");
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace pay
