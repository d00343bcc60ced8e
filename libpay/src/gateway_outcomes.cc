// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The outcome half of a payment: what a connector answers (at once, or later to an inquiry) is
// recorded with the fee's change and the double-entry postings in one atomic ledger write.

#include "gateway_internal.h"
#include "str_util.h"

namespace pay::internal {

Connector* GatewayImpl::FindConnector(std::string_view name) const {
  for (const std::unique_ptr<Connector>& connector : connectors_) {
    if (connector->name() == name) return connector.get();
  }
  return nullptr;
}

Result<Payment> GatewayImpl::Collect(Connector* connector, Payment payment, Fee fee) {
  Result<CollectionOutcome> outcome = connector->Collect(RequestFor(payment));
  // An error or a pending answer leaves the outcome unknown: the payment stays PROCESSING and is
  // resolved by inquiry, never guessed.
  if (!outcome.ok() || outcome->status == CollectionStatus::kPending) {
    if (outcome.ok() && !outcome->connector_reference.empty()) {
      payment.connector_reference = outcome->connector_reference;
    }
    return payment;
  }
  return RecordOutcome(std::move(payment), std::move(fee), *outcome);
}

Result<Payment> GatewayImpl::Resolve(Payment payment) {
  Connector* connector = FindConnector(payment.connector);
  if (connector == nullptr) return payment;  // not configured now: stays PROCESSING
  Result<CollectionOutcome> outcome = connector->Inquire(RequestFor(payment));
  if (!outcome.ok() && outcome.status().code() == StatusCode::kNotFound) {
    // The provider never received it: no money moved.
    CollectionOutcome not_received;
    not_received.status = CollectionStatus::kFailed;
    not_received.failure_code = "NOT_RECEIVED";
    not_received.failure_message = "the connector has no record of this payment";
    outcome = not_received;
  }
  if (!outcome.ok() || outcome->status == CollectionStatus::kPending) return payment;
  PAY_ASSIGN_OR_RETURN(std::optional<Fee> fee, LoadFee(payment.fee_id));
  if (!fee) return absl::DataLossError("payment names a fee that is not stored");
  return RecordOutcome(std::move(payment), *std::move(fee), *outcome);
}

Result<Payment> GatewayImpl::RecordOutcome(Payment payment, Fee fee,
                                           const CollectionOutcome& outcome) {
  const PaymentState target = outcome.status == CollectionStatus::kSucceeded
                                  ? PaymentState::kSucceeded
                                  : PaymentState::kFailed;
  PAY_CHECK(CheckTransition(payment.state, target).ok());
  if (target == PaymentState::kSucceeded) {
    PAY_RETURN_IF_ERROR(CheckTransition(fee.state, FeeState::kPaid));
  }
  const int64_t now_ms = NowMs();
  WriteSet write_set;
  LedgerEntry outcome_entry =
      PaymentEntry(payment, kSystemPrincipal, payment.state, target,
                   target == PaymentState::kSucceeded ? outcome.connector_reference
                                                      : outcome.failure_code);
  if (target == PaymentState::kSucceeded) {
    // The connector holds the collected money for the agency until settlement.
    PAY_ASSIGN_OR_RETURN(Money credit, Money::Create(payment.amount.currency(),
                                                     -payment.amount.minor_units()));
    outcome_entry.postings = {{ClearingAccount(payment.connector), payment.amount},
                              {RevenueAccount(payment.agency_id), credit}};
  }
  write_set.Append(std::move(outcome_entry));
  payment.state = target;
  payment.connector_reference = outcome.connector_reference;
  payment.update_time_ms = now_ms;
  if (target == PaymentState::kFailed) {
    payment.failure_code = outcome.failure_code.empty() ? "DECLINED" : outcome.failure_code;
    payment.failure_message = outcome.failure_message;
  }
  if (fee.active_payment_id == payment.payment_id) fee.active_payment_id.clear();
  if (target == PaymentState::kSucceeded) {
    LedgerEntry paid;
    paid.type = EntryType::kFeeStateChanged;
    paid.agency_id = fee.agency_id;
    paid.subject_id = fee.fee_id;
    paid.related_id = payment.payment_id;
    paid.principal_id = kSystemPrincipal;
    paid.from_state = static_cast<uint8_t>(fee.state);
    paid.to_state = static_cast<uint8_t>(FeeState::kPaid);
    paid.amount = fee.amount;
    write_set.Append(std::move(paid));
    fee.state = FeeState::kPaid;
    fee.paid_by_payment_id = payment.payment_id;
    fee.update_time_ms = now_ms;
  }
  PutPayment(&write_set, payment, 0);
  if (target == PaymentState::kSucceeded) {
    PutFee(&write_set, fee, 1);
  } else {
    write_set.Put(Table::kFees, fee.fee_id, EncodeFee(fee));
  }
  write_set.Delete(Table::kIndex, InFlightKey(payment.payment_id));
  Result<uint64_t> sequence = ledger_->Commit(std::move(write_set));
  if (!sequence.ok()) {
    // The outcome could not be recorded; the durable state is PROCESSING and inquiry resolves it.
    payment.state = PaymentState::kProcessing;
    payment.failure_code.clear();
    payment.failure_message.clear();
    return payment;
  }
  // The outcome entry is the first of this write set; the fee's, when it changed, the second.
  payment.ledger_sequence = *sequence - (target == PaymentState::kSucceeded ? 1 : 0);
  return payment;
}

Result<size_t> GatewayImpl::ResolvePendingPayments() {
  // Bounded per call; the next call continues with what is left.
  constexpr size_t kMaxPerCall = 10'000;
  std::vector<std::string> payment_ids;
  const std::string prefix = StrCat(kPaymentsInFlight, '\0');
  PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kIndex, prefix, "", /*reverse=*/false,
                                    [&](std::string_view key, std::string_view) {
                                      payment_ids.emplace_back(key.substr(prefix.size()));
                                      return payment_ids.size() < kMaxPerCall;
                                    }));
  size_t still_processing = 0;
  for (const std::string& payment_id : payment_ids) {
    PAY_ASSIGN_OR_RETURN(std::optional<Payment> unlocked, LoadPayment(payment_id));
    if (!unlocked) continue;
    LockTable::Guard guard = locks_.Lock({"bill:" + unlocked->bill_number});
    PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(payment_id));
    if (!payment || payment->state != PaymentState::kProcessing) continue;
    PAY_ASSIGN_OR_RETURN(Payment resolved, Resolve(*std::move(payment)));
    if (resolved.state == PaymentState::kProcessing) ++still_processing;
  }
  return still_processing;
}

}  // namespace pay::internal
