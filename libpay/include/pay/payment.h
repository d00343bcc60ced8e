// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Payments: one attempt to pay one fee through a connector.

#ifndef PAY_PAYMENT_H_
#define PAY_PAYMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pay/ledger_entry.h"
#include "pay/money.h"
#include "pay/payment_state.h"

namespace pay {

// Numeric values are stored: never renumber.
enum class PaymentMethod : uint8_t {
  kBankTransfer = 1,
  kMobileWallet = 2,
  kCard = 3,
  kSandbox = 4,
};

std::string_view PaymentMethodName(PaymentMethod method);  // "BANK_TRANSFER", ...
std::optional<PaymentMethod> PaymentMethodFromByte(uint8_t value);

// Times are Unix milliseconds (UTC).
struct Payment {
  std::string payment_id;  // "pay_" + 20 hex digits
  std::string fee_id;
  std::string agency_id;
  std::string bill_number;
  Money amount;
  PaymentMethod method = PaymentMethod::kSandbox;
  std::string connector;
  PaymentState state = PaymentState::kPending;
  std::string failure_code;
  std::string failure_message;
  std::string connector_reference;
  std::string idempotency_key;
  std::string initiated_by;  // credential id
  std::string payer_account;
  int64_t create_time_ms = 0;
  int64_t update_time_ms = 0;
  uint64_t ledger_sequence = 0;
  // Collected, but no fee could take the money (the bill was already paid, cancelled or expired,
  // or another amount): it is held in suspense and owed back to the payer.
  bool refund_due = false;
  // Where the collected money went when the payment SUCCEEDED: accounts with positive amounts
  // summing to `amount` (the fee type's revenue split, and suspense/<connector> for what is owed
  // back). Empty for payments recorded before fee types: then all of it went to revenue/<agency>,
  // or to suspense/<connector> when refund_due (see CollectedPostings in gateway_internal.h).
  std::vector<Posting> revenue_postings;
  // The sum of this payment's SUCCEEDED refunds, in the payment's currency's minor units.
  int64_t refunded_minor_units = 0;

  friend bool operator==(const Payment&, const Payment&) = default;
};

struct CreatePaymentRequest {
  std::string bill_number;  // as typed: spaces and hyphens allowed
  std::optional<PaymentMethod> method;
  std::string connector;                // empty: route by method
  std::optional<Money> expected_amount;  // must equal the amount due when set
  std::string idempotency_key;           // required
  std::string payer_account;
  // Optional: pay only this much (a partial payment, when the fee's terms allow it). It must not
  // exceed the amount due. Unset: the whole amount due.
  std::optional<Money> amount;
};

// A payment a CHANNEL (a bank branch, a wallet operator, a kiosk network) collected itself and
// reports against a bill number (push flow).
struct RecordChannelPaymentRequest {
  std::string bill_number;           // as typed
  std::optional<Money> amount;       // what the channel collected; required
  std::optional<PaymentMethod> method;  // how the payer paid the channel; required
  std::string channel_reference;     // the channel's own id for the collection; required
  std::string idempotency_key;       // required
  std::string payer_account;
};

struct ListPaymentsRequest {
  int32_t page_size = 0;  // 0 -> 100; at most 1000
  std::string page_token;
  std::optional<PaymentState> state;
  std::string fee_id;
  int64_t create_time_from_ms = 0;
  int64_t create_time_to_ms = 0;
  std::string agency_id;
};

struct ListPaymentsResult {
  std::vector<Payment> payments;
  std::string next_page_token;
};

}  // namespace pay

#endif  // PAY_PAYMENT_H_
