// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Refunds, the money half. A PROCESSING refund is sent to its connector with no lock held; the
// answer is applied under the bill's lock and committed in one write: the refund's
// PROCESSING -> SUCCEEDED entry with the postings that move the money back, and the payment's
// SUCCEEDED/PARTIALLY_REFUNDED -> PARTIALLY_REFUNDED/REFUNDED entry. An answer the connector could
// not confirm leaves the refund PROCESSING; ResolvePendingRefunds asks again with the same refund
// id (connectors' refunds are idempotent by id).

#include <chrono>
#include <future>
#include <memory>

#include "gateway_internal.h"
#include "refund_records.h"
#include "str_util.h"

namespace pay::internal {

using connector::OutcomeStatus;
using connector::RefundOutcome;

Result<Refund> GatewayImpl::PayOut(Refund refund) {
  ConnectorSlot* slot = FindConnector(refund.connector);
  if (slot == nullptr) return refund;  // not configured now: stays PROCESSING
  PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(refund.payment_id));
  if (!payment) return absl::DataLossError("refund names a payment that is not stored");
  connector::RefundRequest request;
  request.refund_id = refund.refund_id;
  request.payment_id = refund.payment_id;
  if (refund.connector == payment->connector) {
    request.connector_reference = payment->connector_reference;
  }
  request.amount = refund.amount;
  request.reason = std::string(RefundReasonName(refund.reason_code));
  if (refund.destination) request.destination_account = refund.destination->account;
  auto answer = std::make_shared<std::promise<Result<Refund>>>();
  std::future<Result<Refund>> applied = answer->get_future();
  const std::string refund_id = refund.refund_id;
  slot->connector->Refund(request, [this, slot, answer, refund_id](Result<RefundOutcome> outcome) {
    RecordHealth(slot, outcome.status());
    answer->set_value(ApplyRefundAnswer(refund_id, outcome));
  });
  if (applied.wait_for(std::chrono::milliseconds(options_.collect_wait_ms)) !=
      std::future_status::ready) {
    return refund;
  }
  Result<Refund> result = applied.get();
  if (!result.ok()) return refund;
  return *std::move(result);
}

Result<Refund> GatewayImpl::ApplyRefundAnswer(std::string_view refund_id,
                                              const Result<RefundOutcome>& answer) {
  RefundOutcome outcome;
  if (answer.ok()) {
    outcome = *answer;
  } else if (answer.status().code() == StatusCode::kUnimplemented) {
    outcome.status = OutcomeStatus::kFailed;
    outcome.failure_code = "CONNECTOR_CANNOT_REFUND";
    outcome.failure_message = std::string(answer.status().message());
  } else {
    outcome.status = OutcomeStatus::kPending;  // unknown: stays PROCESSING, retried by id
  }
  const Status not_found = absl::NotFoundError(StrCat("refund \"", refund_id, "\" not found"));
  PAY_ASSIGN_OR_RETURN(std::optional<Refund> unlocked, LoadRefund(refund_id));
  if (!unlocked) return not_found;
  if (outcome.status == OutcomeStatus::kPending) return *std::move(unlocked);
  PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(unlocked->payment_id));
  if (!payment) return absl::DataLossError("refund names a payment that is not stored");
  LockTable::Guard guard = locks_.Lock({"bill:" + payment->bill_number});
  PAY_ASSIGN_OR_RETURN(std::optional<Refund> loaded, LoadRefund(refund_id));
  if (!loaded) return not_found;
  Refund refund = *std::move(loaded);
  if (refund.state != RefundState::kProcessing) return refund;  // recorded before
  PAY_ASSIGN_OR_RETURN(payment, LoadPayment(refund.payment_id));
  if (!payment) return absl::DataLossError("refund names a payment that is not stored");

  const int64_t now_ms = NowMs();
  const Refund before = refund;
  WriteSet write_set;
  refund.connector_reference = outcome.connector_reference;
  refund.update_time_ms = now_ms;
  write_set.Delete(Table::kIndex, RefundInFlightKey(refund.refund_id));
  if (outcome.status == OutcomeStatus::kFailed) {
    refund.failure_code = outcome.failure_code.empty() ? "DECLINED" : outcome.failure_code;
    refund.failure_message = outcome.failure_message;
    write_set.Append(RefundEntry(refund, kSystemPrincipal, RefundState::kProcessing,
                                 RefundState::kFailed, refund.failure_code));
    refund.state = RefundState::kFailed;
    PutRefund(&write_set, refund, 0);
    Result<uint64_t> sequence = ledger_->Commit(std::move(write_set));
    if (!sequence.ok()) return before;  // durable state PROCESSING: retried later
    refund.ledger_sequence = *sequence;
    return refund;
  }

  // SUCCEEDED: the connector paid the amount out of its clearing account; the accounts the
  // collection credited give it back (cumulative rule, see RefundShares).
  const std::vector<Posting> collected = CollectedPostings(*payment);
  const int64_t before_total = payment->refunded_minor_units;
  const int64_t after_total = before_total + refund.amount.minor_units();
  PAY_CHECK(after_total <= payment->amount.minor_units());
  const std::vector<int64_t> shares_before = RefundShares(collected, before_total);
  const std::vector<int64_t> shares_after = RefundShares(collected, after_total);
  LedgerEntry succeeded = RefundEntry(refund, kSystemPrincipal, RefundState::kProcessing,
                                      RefundState::kSucceeded, outcome.connector_reference);
  const std::string& currency = refund.amount.currency();
  int64_t suspense_total = 0;
  for (size_t i = 0; i < collected.size(); ++i) {
    if (IsSuspenseAccount(collected[i].account))
      suspense_total += collected[i].amount.minor_units();
    const int64_t debit = shares_after[i] - shares_before[i];
    if (debit == 0) continue;
    PAY_ASSIGN_OR_RETURN(Money money, Money::Create(currency, debit));
    succeeded.postings.push_back({collected[i].account, money});
  }
  PAY_ASSIGN_OR_RETURN(Money credit, Money::Create(currency, -refund.amount.minor_units()));
  succeeded.postings.push_back({ClearingAccount(refund.connector), credit});
  write_set.Append(std::move(succeeded));
  refund.state = RefundState::kSucceeded;
  PutRefund(&write_set, refund, 0);

  const PaymentState to = after_total == payment->amount.minor_units()
                              ? PaymentState::kRefunded
                              : PaymentState::kPartiallyRefunded;
  PAY_RETURN_IF_ERROR(CheckTransition(payment->state, to));
  write_set.Append(PaymentEntry(*payment, kSystemPrincipal, payment->state, to, refund.refund_id));
  payment->state = to;
  payment->refunded_minor_units = after_total;
  payment->update_time_ms = now_ms;
  if (suspense_total > 0 && after_total >= suspense_total) payment->refund_due = false;
  PutPayment(&write_set, *payment, 1);
  Result<uint64_t> last = ledger_->Commit(std::move(write_set));
  if (!last.ok()) return before;
  refund.ledger_sequence = *last - 1;
  return refund;
}

Result<size_t> GatewayImpl::ResolvePendingRefunds() {
  // Bounded per call (each payout waits up to collect_wait_ms); the next call continues.
  constexpr size_t kMaxPerCall = 256;
  std::vector<std::string> refund_ids;
  const std::string prefix = StrCat(kRefundsInFlight, '\0');
  PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kIndex, prefix, "", /*reverse=*/false,
                                    [&](std::string_view key, std::string_view) {
                                      refund_ids.emplace_back(key.substr(prefix.size()));
                                      return refund_ids.size() < kMaxPerCall;
                                    }));
  size_t still_processing = 0;
  for (const std::string& refund_id : refund_ids) {
    PAY_ASSIGN_OR_RETURN(std::optional<Refund> refund, LoadRefund(refund_id));
    if (!refund || refund->state != RefundState::kProcessing) continue;
    PAY_ASSIGN_OR_RETURN(Refund applied, PayOut(*std::move(refund)));
    if (applied.state == RefundState::kProcessing) ++still_processing;
  }
  return still_processing;
}

}  // namespace pay::internal
