// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Refunds: money of a SUCCEEDED payment paid back, in full or in parts, never more than was paid.
//
// A refund whose amount is above its agency's approval threshold (RefundPolicy) waits in
// PENDING_APPROVAL until an approver of the same agency other than the requester (maker-checker)
// approves or rejects it. Money moves through the payment's connector, or, where that connector
// cannot refund (a channel's payment), through the connector that serves the destination the
// approver names.

#ifndef PAY_REFUND_H_
#define PAY_REFUND_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pay/money.h"
#include "pay/payment.h"

namespace pay {

// Numeric values are stored in the ledger (from_state/to_state of REFUND_* entries): never
// renumber, only append.
//   PENDING_APPROVAL -> APPROVED -> PROCESSING -> SUCCEEDED | FAILED
//   PENDING_APPROVAL -> REJECTED
//   (created) -> PROCESSING when no approval is needed.
enum class RefundState : uint8_t {
  kPendingApproval = 1,
  kApproved = 2,
  kProcessing = 3,
  kSucceeded = 4,
  kFailed = 5,
  kRejected = 6,
};

// Numeric values are stored: never renumber.
enum class RefundReason : uint8_t {
  kDuplicatePayment = 1,
  kOverpayment = 2,
  kServiceNotRendered = 3,
  kFeeCancelled = 4,
  kPaymentError = 5,
  kOther = 6,
};

std::string_view RefundStateName(RefundState state);     // "PENDING_APPROVAL", ...
std::string_view RefundReasonName(RefundReason reason);  // "DUPLICATE_PAYMENT", ...
std::optional<RefundState> RefundStateFromByte(uint8_t value);
std::optional<RefundReason> RefundReasonFromByte(uint8_t value);

// Where a refund goes when not back to the original instrument: an account at the connector
// serving `method` (a wallet id or phone number, an IBAN).
struct RefundDestination {
  PaymentMethod method = PaymentMethod::kMobileWallet;
  std::string account;
  friend bool operator==(const RefundDestination&, const RefundDestination&) = default;
};

// Times are Unix milliseconds (UTC).
struct Refund {
  std::string refund_id;  // "rfd_" + 20 hex digits
  std::string payment_id;
  std::string fee_id;
  std::string agency_id;
  Money amount;
  RefundReason reason_code = RefundReason::kOther;
  std::string reason;  // free text of the requester
  RefundState state = RefundState::kPendingApproval;
  std::string requested_by;     // credential id (the maker)
  std::string approved_by;      // credential id of the checker, when APPROVED or later
  std::string rejected_by;      // credential id, when REJECTED
  std::string decision_reason;  // the approver's rejection reason
  std::optional<RefundDestination> destination;  // named by the approver; none: original instrument
  std::string connector;            // the connector that pays it out (set from PROCESSING on)
  std::string connector_reference;  // the connector's id for the payout
  std::string failure_code;
  std::string failure_message;
  std::string idempotency_key;
  int64_t create_time_ms = 0;
  int64_t update_time_ms = 0;
  uint64_t ledger_sequence = 0;  // the entry that produced the current state

  friend bool operator==(const Refund&, const Refund&) = default;
};

struct RefundPaymentRequest {
  std::string payment_id;
  std::optional<Money> amount;              // none: all that is left to refund
  std::optional<RefundReason> reason_code;  // required
  std::string reason;                       // optional text, at most 500 bytes
  std::string idempotency_key;              // required
};

struct ApproveRefundRequest {
  std::string refund_id;
  std::optional<RefundDestination>
      destination;  // required when the payment's connector cannot refund
};

struct ListRefundsRequest {
  int32_t page_size = 0;  // 0 -> 100; at most 1000
  std::string page_token;
  std::string payment_id;  // only this payment's refunds
  std::optional<RefundState> state;
  std::string agency_id;  // AUDITOR granted several agencies: which one
};

struct ListRefundsResult {
  std::vector<Refund> refunds;
  std::string next_page_token;
};

// Per agency: refunds up to and including the threshold of their currency move money at once;
// larger ones, and refunds in a currency without a threshold, need approval.
struct RefundPolicy {
  std::string agency_id;
  std::vector<Money> approval_thresholds;  // at most one per currency; amount >= 0
  int64_t update_time_ms = 0;
  std::string updated_by;
};

}  // namespace pay

#endif  // PAY_REFUND_H_
