// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The outcome half of a payment. A connector answers asynchronously (at once, later through a
// notification, or to an inquiry); whatever it learns is applied under the bill's lock and
// recorded with the fee's change and the double-entry postings in one atomic ledger write. An
// answer that contradicts what the ledger already holds is recorded as a DISCREPANCY entry and
// never applied. Credits the provider collected without being asked (push payments) and the
// day-end statement reconciliation come in through the same path.

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <optional>
#include <set>

#include "awaited.h"
#include "coding.h"
#include "fee_catalogue.h"
#include "gateway_internal.h"
#include "pay/bill_number.h"
#include "revenue_split.h"
#include "str_util.h"

namespace pay::internal {

using connector::CollectionOutcome;
using connector::OutcomeStatus;

namespace {

// Counts outstanding asynchronous calls so that a sweep can wait for its round to finish.
class Outstanding {
 public:
  void Add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
  }
  void Done() {
    std::lock_guard<std::mutex> lock(mu_);
    --count_;
    cv_.notify_all();
  }
  // Waits until at most `limit` calls are outstanding; false on timeout.
  bool WaitBelow(size_t limit, int64_t timeout_ms) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                        [&] { return count_ <= limit; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t count_ = 0;
};

bool IsTransportFailure(const Status& status) {
  return status.code() == StatusCode::kUnavailable ||
         status.code() == StatusCode::kDeadlineExceeded;
}

bool IsSucceededState(PaymentState state) {
  return state == PaymentState::kSucceeded || state == PaymentState::kPartiallyRefunded ||
         state == PaymentState::kRefunded;
}

}  // namespace

std::string SuspenseAccount(std::string_view connector) { return StrCat("suspense/", connector); }

// The OutcomeSink of one connector: everything it reports is attributed to it.
class GatewayImpl::Sink final : public connector::OutcomeSink {
 public:
  Sink(GatewayImpl* gateway, std::string name) : gateway_(gateway), name_(std::move(name)) {}

  Status ReportCollection(std::string_view payment_id, const CollectionOutcome& outcome) override {
    return gateway_->ReportCollection(name_, payment_id, outcome);
  }
  Status ReportCredit(const connector::CreditNotice& notice) override {
    return gateway_->ReportCredit(name_, notice);
  }
  Status ReportCreditTransfer(const connector::CreditTransferStatus& status) override {
    return gateway_->ReportCreditTransfer(name_, status);
  }

 private:
  GatewayImpl* const gateway_;
  const std::string name_;
};

connector::OutcomeSink* GatewayImpl::OutcomeSinkFor(std::string_view connector_name) {
  std::lock_guard<std::mutex> lock(sinks_mu_);
  auto it = sinks_.find(connector_name);
  if (it == sinks_.end()) {
    it = sinks_
             .emplace(std::string(connector_name),
                      std::make_unique<Sink>(this, std::string(connector_name)))
             .first;
  }
  return it->second.get();
}

void GatewayImpl::RegisterConnector(std::unique_ptr<connector::Connector> connector,
                                    ConnectorPolicy policy) {
  PAY_CHECK(connector != nullptr);
  auto slot = std::make_unique<ConnectorSlot>();
  slot->connector = std::move(connector);
  slot->breaker =
      std::make_unique<CircuitBreaker>(policy.breaker_failures, policy.breaker_cooldown_ms);
  connectors_.push_back(std::move(slot));
}

std::vector<ConnectorStatus> GatewayImpl::ConnectorStatuses() const {
  std::vector<ConnectorStatus> statuses;
  const int64_t now_ms = NowMs();
  for (const std::unique_ptr<ConnectorSlot>& slot : connectors_) {
    statuses.push_back({std::string(slot->connector->name()),
                        std::string(CircuitBreaker::StateName(slot->breaker->state(now_ms))),
                        slot->breaker->consecutive_failures()});
  }
  return statuses;
}

GatewayImpl::ConnectorSlot* GatewayImpl::FindConnector(std::string_view name) {
  for (const std::unique_ptr<ConnectorSlot>& slot : connectors_) {
    if (slot->connector->name() == name) return slot.get();
  }
  return nullptr;
}

Result<Payment> GatewayImpl::Collect(ConnectorSlot* slot, Payment payment, bool may_fail_over) {
  auto answer = std::make_shared<Awaited<Result<Payment>>>();
  StartCollect(slot, payment, may_fail_over, answer);
  std::optional<Result<Payment>> applied = answer->WaitFor(options_.collect_wait_ms);
  // No answer in time, or it could not be recorded: the payment is durably PROCESSING and the
  // answer (or an inquiry) settles it later.
  if (!applied || !applied->ok()) return payment;
  return **applied;
}

void GatewayImpl::StartCollect(ConnectorSlot* slot, const Payment& payment, bool may_fail_over,
                               std::shared_ptr<void> waiter) {
  const std::string payment_id = payment.payment_id;
  slot->connector->Collect(RequestFor(payment), [this, slot, waiter, payment_id, may_fail_over](
                                                    Result<CollectionOutcome> outcome) {
    auto* answer = static_cast<Awaited<Result<Payment>>*>(waiter.get());
    RecordHealth(slot, outcome.status());
    if (may_fail_over && !outcome.ok() && outcome.status().code() == StatusCode::kUnavailable) {
      Result<std::optional<std::pair<ConnectorSlot*, Payment>>> next = FailOver(slot, payment_id);
      if (next.ok() && next->has_value()) {
        StartCollect((*next)->first, (*next)->second, may_fail_over, waiter);
        return;
      }
    }
    answer->Set(ApplyAnswer(slot, payment_id, outcome, /*inquiry=*/false));
  });
}

void GatewayImpl::RecordHealth(ConnectorSlot* slot, const Status& status) {
  if (IsTransportFailure(status)) {
    slot->breaker->RecordFailure(NowMs());
  } else {
    slot->breaker->RecordSuccess();
  }
}

Result<std::optional<std::pair<GatewayImpl::ConnectorSlot*, Payment>>> GatewayImpl::FailOver(
    ConnectorSlot* from, std::string_view payment_id) {
  PAY_ASSIGN_OR_RETURN(std::optional<Payment> unlocked, LoadPayment(payment_id));
  if (!unlocked) return std::nullopt;
  LockTable::Guard guard = locks_.Lock({"bill:" + unlocked->bill_number});
  PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(payment_id));
  if (!payment || payment->state != PaymentState::kProcessing ||
      payment->connector != from->connector->name()) {
    return std::nullopt;
  }
  // Only connectors after `from` in routing order: each is tried at most once per payment.
  ConnectorSlot* next = nullptr;
  bool after = false;
  const int64_t now_ms = NowMs();
  for (const std::unique_ptr<ConnectorSlot>& slot : connectors_) {
    if (slot.get() == from) {
      after = true;
    } else if (after && slot->connector->Supports(payment->method) &&
               slot->breaker->Allow(now_ms)) {
      next = slot.get();
      break;
    }
  }
  if (next == nullptr) return std::nullopt;
  payment->connector = std::string(next->connector->name());
  payment->update_time_ms = now_ms;
  WriteSet write_set;
  // The detail names the connector now holding the payment, as on PENDING -> PROCESSING.
  write_set.Append(PaymentEntry(*payment, kSystemPrincipal, PaymentState::kProcessing,
                                PaymentState::kProcessing, payment->connector));
  PutPayment(&write_set, *payment, 0);
  write_set.Put(Table::kIndex, IndexKey(kPaymentsByConnector, payment->connector, now_ms,
                                        payment->payment_id),
                "");
  PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  return std::make_pair(next, *std::move(payment));
}

Result<Payment> GatewayImpl::Inquire(Payment payment) {
  ConnectorSlot* slot = FindConnector(payment.connector);
  if (slot == nullptr) return payment;  // not configured now: stays PROCESSING
  auto answer = std::make_shared<Awaited<Result<Payment>>>();
  const std::string payment_id = payment.payment_id;
  slot->connector->Inquire(RequestFor(payment), [this, slot, answer, payment_id](
                                                    Result<CollectionOutcome> outcome) {
    RecordHealth(slot, outcome.status());
    answer->Set(ApplyAnswer(slot, payment_id, outcome, /*inquiry=*/true));
  });
  std::optional<Result<Payment>> applied = answer->WaitFor(options_.collect_wait_ms);
  if (!applied || !applied->ok()) return payment;
  return **applied;
}

Result<Payment> GatewayImpl::ApplyAnswer(ConnectorSlot* slot, std::string_view payment_id,
                                         const Result<CollectionOutcome>& answer, bool inquiry) {
  CollectionOutcome outcome;
  if (answer.ok()) {
    outcome = *answer;
  } else if (!inquiry && answer.status().code() == StatusCode::kUnavailable) {
    // The connector promises nothing reached the provider: no money moved.
    outcome.status = OutcomeStatus::kFailed;
    outcome.failure_code = "CONNECTOR_UNAVAILABLE";
    outcome.failure_message =
        StrCat(slot->connector->name(), " could not be reached (", answer.status().message(),
               "); nothing was collected and the fee can be paid again");
  } else if (inquiry && answer.status().code() == StatusCode::kNotFound) {
    outcome.status = OutcomeStatus::kFailed;
    outcome.failure_code = "NOT_RECEIVED";
    outcome.failure_message = "the connector has no record of this payment";
  } else {
    outcome.status = OutcomeStatus::kPending;  // unknown: stays PROCESSING
  }
  if (outcome.status == OutcomeStatus::kPending) {
    PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(payment_id));
    if (!payment) return absl::NotFoundError(StrCat("payment \"", payment_id, "\" not found"));
    return *std::move(payment);
  }
  return ApplyOutcome(payment_id, outcome);
}

Result<Payment> GatewayImpl::ApplyOutcome(std::string_view payment_id,
                                          const CollectionOutcome& outcome) {
  const Status not_found = absl::NotFoundError(StrCat("payment \"", payment_id, "\" not found"));
  PAY_ASSIGN_OR_RETURN(std::optional<Payment> unlocked, LoadPayment(payment_id));
  if (!unlocked) return not_found;
  LockTable::Guard guard = locks_.Lock({"bill:" + unlocked->bill_number});
  PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(payment_id));
  if (!payment) return not_found;
  if (payment->state == PaymentState::kProcessing) {
    PAY_ASSIGN_OR_RETURN(std::optional<Fee> fee, LoadFee(payment->fee_id));
    if (!fee) return absl::DataLossError("payment names a fee that is not stored");
    return RecordOutcome(*std::move(payment), *std::move(fee), outcome);
  }
  const bool agrees = outcome.status == OutcomeStatus::kSucceeded
                          ? IsSucceededState(payment->state)
                          : !IsSucceededState(payment->state);
  if (!agrees) {
    PAY_RETURN_IF_ERROR(
        RecordDiscrepancy(payment->agency_id, "CONTRADICTING_OUTCOME", payment->payment_id,
                          payment->fee_id, payment->amount,
                          StrCat("payment is ", PaymentStateName(payment->state), " but ",
                                 payment->connector, " now reports ",
                                 connector::OutcomeStatusName(outcome.status), " ",
                                 outcome.status == OutcomeStatus::kSucceeded
                                     ? outcome.connector_reference
                                     : outcome.failure_code))
            .status());
  }
  return *std::move(payment);
}

Status GatewayImpl::AppendOutcome(WriteSet* write_set, Payment* payment, Fee* fee,
                                  const CollectionOutcome& outcome, int64_t now_ms) {
  const bool succeeded = outcome.status == OutcomeStatus::kSucceeded;
  const PaymentState target = succeeded ? PaymentState::kSucceeded : PaymentState::kFailed;
  PAY_RETURN_IF_ERROR(CheckTransition(payment->state, target));
  // The fee takes the money when it is still payable by this payment; otherwise (paid meanwhile
  // by another payment, cancelled, another amount) the money is held in suspense, owed back.
  // What it takes follows its terms: the amount due exactly; less when partial payments are
  // allowed; the amount due out of more when the excess is to be refunded (REFUND_EXCESS).
  int64_t taken = 0;
  const int64_t due = AmountDueMinorUnits(*fee);
  if (succeeded && IsPayable(fee->state) &&
      (fee->active_payment_id.empty() || fee->active_payment_id == payment->payment_id) &&
      payment->amount.currency() == fee->amount.currency() && due > 0) {
    const int64_t amount = payment->amount.minor_units();
    if (amount == due) {
      taken = amount;
    } else if (amount < due) {
      taken = fee->terms.amount_rule == AmountRule::kPartialAllowed ? amount : 0;
    } else {
      taken = fee->terms.overpayment == OverpaymentRule::kRefundExcess ? due : 0;
    }
  }
  const bool fee_takes_it = taken > 0;
  const int64_t excess = fee_takes_it ? payment->amount.minor_units() - taken : 0;
  const size_t outcome_index = write_set->entry_count();
  LedgerEntry outcome_entry = PaymentEntry(
      *payment, kSystemPrincipal, payment->state, target,
      succeeded ? outcome.connector_reference
                : (outcome.failure_code.empty() ? "DECLINED" : outcome.failure_code));
  if (succeeded) {
    // The connector holds the collected money for the agency until settlement. Where it goes:
    // the fee type's revenue split of what the fee takes (revenue_split.h), suspense for the
    // rest.
    payment->revenue_postings.clear();
    if (fee_takes_it) {
      PAY_ASSIGN_OR_RETURN(
          payment->revenue_postings,
          SplitIncrement(payment->agency_id, fee->amount.currency(), fee->terms.revenue_shares,
                         fee->amount.minor_units(), fee->amount_paid_minor_units,
                         fee->amount_paid_minor_units + taken));
    }
    const int64_t to_suspense = fee_takes_it ? excess : payment->amount.minor_units();
    if (to_suspense > 0) {
      PAY_ASSIGN_OR_RETURN(Money held, Money::Create(payment->amount.currency(), to_suspense));
      payment->revenue_postings.push_back({SuspenseAccount(payment->connector), held});
    }
    outcome_entry.postings = {{ClearingAccount(payment->connector), payment->amount}};
    for (const Posting& posting : payment->revenue_postings) {
      PAY_ASSIGN_OR_RETURN(Money credit,
                           Money::Create(posting.amount.currency(), -posting.amount.minor_units()));
      outcome_entry.postings.push_back({posting.account, credit});
    }
  }
  write_set->Append(std::move(outcome_entry));
  payment->state = target;
  payment->connector_reference = outcome.connector_reference;
  payment->update_time_ms = now_ms;
  if (!succeeded) {
    payment->failure_code = outcome.failure_code.empty() ? "DECLINED" : outcome.failure_code;
    payment->failure_message = outcome.failure_message;
  }
  if (fee->active_payment_id == payment->payment_id) fee->active_payment_id.clear();
  if (fee_takes_it) {
    // PAID when nothing is left to pay, else PARTIALLY_PAID. amount: what this payment paid.
    const FeeState to = taken == due ? FeeState::kPaid : FeeState::kPartiallyPaid;
    LedgerEntry paid;
    paid.type = EntryType::kFeeStateChanged;
    paid.agency_id = fee->agency_id;
    paid.subject_id = fee->fee_id;
    paid.related_id = payment->payment_id;
    paid.principal_id = kSystemPrincipal;
    paid.from_state = static_cast<uint8_t>(fee->state);
    paid.to_state = static_cast<uint8_t>(to);
    PAY_ASSIGN_OR_RETURN(paid.amount, Money::Create(fee->amount.currency(), taken));
    write_set->Append(std::move(paid));
    fee->state = to;
    fee->amount_paid_minor_units += taken;
    if (to == FeeState::kPaid) fee->paid_by_payment_id = payment->payment_id;
    fee->update_time_ms = now_ms;
    PutFee(write_set, *fee, outcome_index + 1);
    if (excess > 0) {
      // REFUND_EXCESS: the fee took the amount due; the rest is owed back.
      payment->refund_due = true;
      PAY_ASSIGN_OR_RETURN(Money excess_money, Money::Create(fee->amount.currency(), excess));
      PAY_RETURN_IF_ERROR(
          AppendDiscrepancy(
              write_set, payment->agency_id, "REFUND_DUE", payment->payment_id, fee->fee_id,
              excess_money,
              StrCat("collected ", payment->amount.ToString(), " for fee ", fee->fee_id,
                     " which was due ", Money::Create(fee->amount.currency(), due)->ToString(),
                     "; the excess ", excess_money.ToString(), " is held in ",
                     SuspenseAccount(payment->connector), " and is owed back to the payer"))
              .status());
    }
  } else {
    write_set->Put(Table::kFees, fee->fee_id, EncodeFee(*fee));
    if (succeeded) {
      payment->refund_due = true;
      PAY_RETURN_IF_ERROR(
          AppendDiscrepancy(
              write_set, payment->agency_id, "REFUND_DUE", payment->payment_id, fee->fee_id,
              payment->amount,
              StrCat("collected ", payment->amount.ToString(), " for fee ", fee->fee_id,
                     " which is ", FeeStateName(fee->state), " for ", fee->amount.ToString(),
                     fee->paid_by_payment_id.empty()
                         ? std::string()
                         : StrCat(" (paid by ", fee->paid_by_payment_id, ")"),
                     "; the money is held in ", SuspenseAccount(payment->connector),
                     " and is owed back to the payer"))
              .status());
    }
  }
  PutPayment(write_set, *payment, outcome_index);
  write_set->Delete(Table::kIndex, InFlightKey(payment->payment_id));
  return absl::OkStatus();
}

Result<Payment> GatewayImpl::RecordOutcome(Payment payment, Fee fee,
                                           const CollectionOutcome& outcome) {
  WriteSet write_set;
  const Payment before = payment;
  PAY_RETURN_IF_ERROR(AppendOutcome(&write_set, &payment, &fee, outcome, NowMs()));
  const size_t entries = write_set.entry_count();
  Result<uint64_t> last = ledger_->Commit(std::move(write_set));
  // Not recorded: the durable state is PROCESSING and an inquiry resolves it.
  if (!last.ok()) return before;
  // The outcome entry is this write set's first.
  payment.ledger_sequence = *last - (entries - 1);
  return payment;
}

Result<bool> GatewayImpl::AppendDiscrepancy(WriteSet* write_set, std::string_view agency_id,
                                            std::string_view kind, std::string_view subject,
                                            std::string_view related, const Money& amount,
                                            std::string explanation,
                                            std::vector<Posting> postings) {
  std::string key = StrCat(kDiscrepancies, '\0', kind, '\0', subject);
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> recorded, ledger_->Get(Table::kIndex, key));
  if (recorded) return false;
  LedgerEntry entry;
  entry.type = EntryType::kDiscrepancy;
  entry.agency_id = std::string(agency_id);
  entry.subject_id = std::string(subject);
  entry.related_id = std::string(related);
  entry.principal_id = kSystemPrincipal;
  entry.amount = amount;
  entry.detail = StrCat(kind, ": ", explanation);
  entry.postings = std::move(postings);
  write_set->Append(std::move(entry));
  write_set->Put(Table::kIndex, std::move(key), "");
  return true;
}

Result<bool> GatewayImpl::RecordDiscrepancy(std::string_view agency_id, std::string_view kind,
                                            std::string_view subject, std::string_view related,
                                            const Money& amount, std::string explanation) {
  // Serialised per subject so that two reporters cannot record the same discrepancy twice.
  LockTable::Guard guard = locks_.Lock({StrCat("discrepancy:", subject)});
  WriteSet write_set;
  PAY_ASSIGN_OR_RETURN(bool appended,
                       AppendDiscrepancy(&write_set, agency_id, kind, subject, related, amount,
                                         std::move(explanation)));
  if (!appended) return false;
  PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  return true;
}

Status GatewayImpl::ReportCollection(std::string_view connector_name,
                                     std::string_view payment_id,
                                     const CollectionOutcome& outcome) {
  if (outcome.status == OutcomeStatus::kPending) return absl::OkStatus();
  PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(payment_id));
  // Another connector's payment is as unknown to this one as a missing one.
  if (!payment || payment->connector != connector_name) {
    return absl::NotFoundError(
        StrCat("payment \"", payment_id, "\" is not a payment of connector ", connector_name));
  }
  PAY_ASSIGN_OR_RETURN(Payment applied, ApplyOutcome(payment_id, outcome));
  if (applied.state == PaymentState::kProcessing) {
    return absl::UnavailableError("the outcome could not be recorded now; report it again");
  }
  return absl::OkStatus();
}

Status GatewayImpl::ReportCredit(std::string_view connector_name,
                                 const connector::CreditNotice& notice) {
  PAY_RETURN_IF_ERROR(ValidateText("reference", notice.reference, 128));
  if (notice.reference.empty()) return absl::InvalidArgumentError("reference: required");
  if (notice.amount.minor_units() <= 0) {
    return absl::InvalidArgumentError("amount: a credit must be positive");
  }
  Result<std::string> bill_number = ParseBillNumber(notice.bill_number);
  const std::string credit_key = StrCat(kCredits, '\0', connector_name, '\0', notice.reference);
  LockTable::Guard guard = locks_.Lock(
      {credit_key, "bill:" + (bill_number.ok() ? *bill_number : notice.bill_number)});
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> recorded, ledger_->Get(Table::kIndex, credit_key));
  if (recorded) return absl::OkStatus();  // reported before

  std::optional<Fee> fee;
  if (bill_number.ok()) {
    PAY_ASSIGN_OR_RETURN(std::optional<std::string> fee_id,
                         ledger_->Get(Table::kBills, *bill_number));
    if (fee_id) {
      PAY_ASSIGN_OR_RETURN(fee, LoadFee(*fee_id));
      if (!fee) return absl::DataLossError("bill index names a fee that is not stored");
    }
  }
  WriteSet write_set;
  if (!fee) {
    // Money for no bill: held in suspense, owed back, reported.
    PAY_ASSIGN_OR_RETURN(Money credit,
                         Money::Create(notice.amount.currency(), -notice.amount.minor_units()));
    PAY_RETURN_IF_ERROR(
        AppendDiscrepancy(&write_set, "", "UNMATCHED_CREDIT",
                          StrCat(connector_name, "/", notice.reference), "", notice.amount,
                          StrCat(connector_name, " collected ", notice.amount.ToString(),
                                 " for bill \"", notice.bill_number,
                                 "\" which does not exist; held in ",
                                 SuspenseAccount(connector_name), ", owed back to ",
                                 notice.payer_name.empty() ? "the payer" : notice.payer_name),
                          {{ClearingAccount(connector_name), notice.amount},
                           {SuspenseAccount(connector_name), credit}})
            .status());
    write_set.Put(Table::kIndex, credit_key, "");
    return ledger_->Commit(std::move(write_set)).status();
  }

  Payment payment;
  payment.payment_id = "pay_" + RandomHex(10);
  write_set.Put(Table::kIndex, credit_key, payment.payment_id);
  payment.amount = notice.amount;
  payment.method = notice.method;
  payment.connector = std::string(connector_name);
  payment.idempotency_key = notice.reference;
  payment.initiated_by = StrCat("connector:", connector_name);
  payment.payer_account = notice.payer_account;
  PAY_ASSIGN_OR_RETURN(payment, RecordCollected(*std::move(fee), std::move(payment),
                                                notice.reference, payment.initiated_by,
                                                std::move(write_set)));
  return absl::OkStatus();
}

Result<Payment> GatewayImpl::RecordCollected(Fee fee, Payment payment,
                                             std::string_view reference,
                                             std::string_view principal, WriteSet write_set) {
  const int64_t now_ms = NowMs();
  payment.fee_id = fee.fee_id;
  payment.agency_id = fee.agency_id;
  payment.bill_number = fee.bill_number;
  payment.state = PaymentState::kPending;
  payment.create_time_ms = now_ms;
  payment.update_time_ms = now_ms;
  // The penalties due are charged first (same write), unless a payment is in flight (then the fee
  // takes nothing from this one anyway).
  size_t penalties = 0;
  if (fee.active_payment_id.empty()) {
    PAY_ASSIGN_OR_RETURN(penalties, AppendDuePenalties(&write_set, &fee, now_ms));
  }
  // An expired or cancelled fee takes no money even before the sweep records it.
  const Fee stored_fee = fee;
  fee.state = EffectiveFeeState(fee, now_ms);
  write_set.Append(PaymentEntry(payment, principal, PaymentState::kPending, PaymentState::kPending,
                                std::string(reference)));
  write_set.Append(PaymentEntry(payment, kSystemPrincipal, PaymentState::kPending,
                                PaymentState::kProcessing, payment.connector));
  payment.state = PaymentState::kProcessing;
  CollectionOutcome outcome;
  outcome.status = OutcomeStatus::kSucceeded;
  outcome.connector_reference = std::string(reference);
  PAY_RETURN_IF_ERROR(AppendOutcome(&write_set, &payment, &fee, outcome, now_ms));
  if (fee.amount_paid_minor_units == stored_fee.amount_paid_minor_units) {
    // The fee took nothing: keep its stored record (not an effective state).
    if (penalties > 0) {
      PutFee(&write_set, stored_fee, penalties - 1);
    } else {
      write_set.Put(Table::kFees, stored_fee.fee_id, EncodeFee(stored_fee));
    }
  }
  write_set.Put(Table::kIndex,
                IndexKey(kPaymentsByAgency, payment.agency_id, now_ms, payment.payment_id), "");
  write_set.Put(Table::kIndex, IndexKey(kPaymentsByFee, fee.fee_id, now_ms, payment.payment_id),
                "");
  write_set.Put(Table::kIndex,
                IndexKey(kPaymentsByConnector, payment.connector, now_ms, payment.payment_id), "");
  const size_t entries = write_set.entry_count();
  PAY_ASSIGN_OR_RETURN(uint64_t last, ledger_->Commit(std::move(write_set)));
  // The outcome entry is the third of this write set's payment entries, after the penalties.
  payment.ledger_sequence = last - (entries - 1) + penalties + 2;
  return payment;
}

bool GatewayImpl::InquiryDue(std::string_view payment_id, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(inquiry_mu_);
  auto it = inquiry_schedule_.find(payment_id);
  return it == inquiry_schedule_.end() || it->second.next_ms <= now_ms;
}

void GatewayImpl::InquiryDone(std::string_view payment_id, bool still_processing, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(inquiry_mu_);
  auto it = inquiry_schedule_.find(payment_id);
  if (!still_processing) {
    if (it != inquiry_schedule_.end()) inquiry_schedule_.erase(it);
    return;
  }
  if (it == inquiry_schedule_.end()) it = inquiry_schedule_.emplace(payment_id, InquirySchedule{}).first;
  InquirySchedule& schedule = it->second;
  const int shift = schedule.attempts < 20 ? schedule.attempts : 20;
  ++schedule.attempts;
  schedule.next_ms =
      now_ms + std::min(options_.inquiry_backoff_base_ms << shift, options_.inquiry_backoff_max_ms);
}

Result<size_t> GatewayImpl::ResolvePendingPayments() {
  // Bounded per call; the next call continues with what is left.
  constexpr size_t kMaxPerCall = 10'000;
  constexpr size_t kMaxOutstanding = 64;
  std::vector<std::string> payment_ids;
  const std::string prefix = StrCat(kPaymentsInFlight, '\0');
  PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kIndex, prefix, "", /*reverse=*/false,
                                    [&](std::string_view key, std::string_view) {
                                      payment_ids.emplace_back(key.substr(prefix.size()));
                                      return payment_ids.size() < kMaxPerCall;
                                    }));
  auto outstanding = std::make_shared<Outstanding>();
  auto still_processing = std::make_shared<std::atomic<size_t>>(0);
  for (const std::string& payment_id : payment_ids) {
    const int64_t now_ms = NowMs();
    if (!InquiryDue(payment_id, now_ms)) {
      ++*still_processing;
      continue;
    }
    PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(payment_id));
    if (!payment || payment->state != PaymentState::kProcessing) continue;
    ConnectorSlot* slot = FindConnector(payment->connector);
    if (slot == nullptr) {  // not configured now: stays PROCESSING
      ++*still_processing;
      continue;
    }
    if (!outstanding->WaitBelow(kMaxOutstanding - 1, options_.collect_wait_ms)) {
      return absl::DeadlineExceededError("connectors did not answer inquiries in time");
    }
    outstanding->Add();
    slot->connector->Inquire(
        RequestFor(*payment), [this, slot, outstanding, still_processing,
                               payment_id](Result<CollectionOutcome> outcome) {
          RecordHealth(slot, outcome.status());
          Result<Payment> applied = ApplyAnswer(slot, payment_id, outcome, /*inquiry=*/true);
          const bool processing = !applied.ok() || applied->state == PaymentState::kProcessing;
          InquiryDone(payment_id, processing, NowMs());
          if (processing) ++*still_processing;
          outstanding->Done();
        });
  }
  if (!outstanding->WaitBelow(0, options_.collect_wait_ms)) {
    return absl::DeadlineExceededError("connectors did not answer inquiries in time");
  }
  return still_processing->load();
}

Result<ReconciliationReport> GatewayImpl::Reconcile(std::string_view connector_name,
                                                    int64_t from_ms, int64_t to_ms) {
  ConnectorSlot* slot = FindConnector(connector_name);
  if (slot == nullptr) {
    return absl::NotFoundError(StrCat("connector: no connector named \"", connector_name, "\""));
  }
  if (from_ms >= to_ms) {
    return absl::InvalidArgumentError("to: the statement period must end after it starts");
  }
  auto answer = std::make_shared<Awaited<Result<connector::Statement>>>();
  slot->connector->FetchStatement(from_ms, to_ms, [answer](Result<connector::Statement> statement) {
    answer->Set(std::move(statement));
  });
  std::optional<Result<connector::Statement>> fetched = answer->WaitFor(options_.collect_wait_ms);
  if (!fetched) {
    return absl::DeadlineExceededError(
        StrCat(connector_name, " did not deliver its statement in time; try again"));
  }
  PAY_ASSIGN_OR_RETURN(connector::Statement statement, *std::move(fetched));

  ReconciliationReport report;
  report.connector = std::string(connector_name);
  report.from_ms = from_ms;
  report.to_ms = to_ms;
  report.statement_lines = statement.lines.size();
  std::set<std::string> on_statement;
  auto discrepancy = [&](std::string_view agency, std::string_view kind, std::string_view subject,
                         std::string_view related, const Money& amount,
                         std::string explanation) -> Status {
    report.discrepancies.push_back(StrCat(kind, " ", subject, ": ", explanation));
    return RecordDiscrepancy(agency, kind, subject, related, amount, std::move(explanation))
        .status();
  };
  for (const connector::StatementLine& line : statement.lines) {
    if (line.amount.minor_units() <= 0) continue;  // payouts (refunds, settlement): not yet
    std::string payment_id = line.payment_id;
    if (payment_id.empty()) {
      // A credit the gateway did not ask for: it must have been reported as one.
      PAY_ASSIGN_OR_RETURN(
          std::optional<std::string> credited,
          ledger_->Get(Table::kIndex,
                       StrCat(kCredits, '\0', connector_name, '\0', line.connector_reference)));
      if (!credited) {
        PAY_RETURN_IF_ERROR(discrepancy(
            "", "UNREPORTED_CREDIT", StrCat(connector_name, "/", line.connector_reference), "",
            line.amount,
            StrCat("the statement shows a credit of ", line.amount.ToString(),
                   " that the connector never notified")));
        continue;
      }
      if (credited->empty()) {  // an unmatched credit, already a discrepancy
        ++report.matched;
        continue;
      }
      payment_id = *credited;
    }
    on_statement.insert(payment_id);
    PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(payment_id));
    if (!payment || payment->connector != connector_name) {
      PAY_RETURN_IF_ERROR(discrepancy(
          "", "UNKNOWN_STATEMENT_LINE", StrCat(connector_name, "/", payment_id), "", line.amount,
          StrCat("the statement shows ", line.amount.ToString(), " for \"", payment_id,
                 "\", which is no payment of ", connector_name)));
      continue;
    }
    if (payment->state == PaymentState::kProcessing) {
      CollectionOutcome collected;
      collected.status = OutcomeStatus::kSucceeded;
      collected.connector_reference = line.connector_reference;
      PAY_ASSIGN_OR_RETURN(Payment applied, ApplyOutcome(payment_id, collected));
      if (applied.state != PaymentState::kProcessing) ++report.resolved;
      payment = applied;
    }
    if (!IsSucceededState(payment->state)) {
      PAY_RETURN_IF_ERROR(discrepancy(
          payment->agency_id, "COLLECTED_BUT_NOT_SUCCEEDED", payment_id, payment->fee_id,
          line.amount,
          StrCat("the statement shows ", line.amount.ToString(), " collected but the payment is ",
                 PaymentStateName(payment->state))));
    } else if (!(payment->amount == line.amount)) {
      PAY_RETURN_IF_ERROR(discrepancy(
          payment->agency_id, "AMOUNT_MISMATCH", payment_id, payment->fee_id, line.amount,
          StrCat("the statement shows ", line.amount.ToString(), ", the ledger ",
                 payment->amount.ToString())));
    } else {
      ++report.matched;
    }
  }
  // Succeeded payments of this connector in the period that the statement does not show.
  const std::string prefix = IndexPrefix(kPaymentsByConnector, connector_name);
  std::string period_end;
  PutFixed64(&period_end, static_cast<uint64_t>(to_ms));
  std::vector<std::string> in_period;
  PAY_RETURN_IF_ERROR(ledger_->Scan(
      Table::kIndex, prefix, IndexKey(kPaymentsByConnector, connector_name, from_ms, ""),
      /*reverse=*/false, [&](std::string_view key, std::string_view) {
        if (key.substr(prefix.size(), 8) >= period_end) return false;
        in_period.emplace_back(key.substr(prefix.size() + 8));
        return true;
      }));
  for (const std::string& payment_id : in_period) {
    if (on_statement.count(payment_id) > 0) continue;
    PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(payment_id));
    if (!payment || !IsSucceededState(payment->state)) continue;
    PAY_RETURN_IF_ERROR(discrepancy(
        payment->agency_id, "MISSING_FROM_STATEMENT", payment_id, payment->fee_id,
        payment->amount,
        StrCat("the ledger shows ", payment->amount.ToString(), " collected by ", connector_name,
               " but its statement does not")));
  }
  return report;
}

}  // namespace pay::internal
