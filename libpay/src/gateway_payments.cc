// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// PaymentService: collecting a fee through a connector, exactly once per idempotency key.
//
// CreatePayment holds the locks of its idempotency key and of its bill across the whole
// read-decide-commit sequence, so that concurrent retries of one key and concurrent attempts on
// one bill are serialised: the first records the payment, the others find it. The payment is
// committed PENDING -> PROCESSING (durable) before the connector is asked, and its outcome is
// committed with the fee's change in one more atomic write.

#include "coding.h"
#include "fee_catalogue.h"
#include "gateway_internal.h"
#include "pay/bill_number.h"
#include "str_util.h"

namespace pay {

namespace internal {
namespace {

std::string PaymentFingerprint(const CreatePaymentRequest& request,
                               std::string_view canonical_bill) {
  std::string canonical;
  PutString(&canonical, canonical_bill);
  PutByte(&canonical, static_cast<uint8_t>(*request.method));
  PutString(&canonical, request.connector);
  PutByte(&canonical, request.expected_amount ? 1 : 0);
  if (request.expected_amount) PutMoney(&canonical, *request.expected_amount);
  PutString(&canonical, request.payer_account);
  if (request.amount) PutMoney(&canonical, *request.amount);  // added later: only when set
  return Blake2b256(canonical);
}

std::string ChannelPaymentFingerprint(const RecordChannelPaymentRequest& request,
                                      std::string_view canonical_bill) {
  std::string canonical;
  PutString(&canonical, canonical_bill);
  PutMoney(&canonical, *request.amount);
  PutByte(&canonical, static_cast<uint8_t>(*request.method));
  PutString(&canonical, request.channel_reference);
  PutString(&canonical, request.payer_account);
  return Blake2b256(canonical);
}

Status ValidateCreatePayment(const CreatePaymentRequest& request) {
  PAY_RETURN_IF_ERROR(ValidateIdempotencyKey("idempotency_key", request.idempotency_key, true));
  if (!request.method) {
    return absl::InvalidArgumentError(
        "method: required (BANK_TRANSFER, MOBILE_WALLET, CARD or SANDBOX)");
  }
  if (request.expected_amount) {
    PAY_RETURN_IF_ERROR(ValidatePayableAmount(*request.expected_amount, "expected_amount"));
  }
  if (request.amount) PAY_RETURN_IF_ERROR(ValidatePayableAmount(*request.amount, "amount"));
  PAY_RETURN_IF_ERROR(ValidateText("payer_account", request.payer_account, 64));
  return ValidateText("connector", request.connector, 64);
}

}  // namespace

LedgerEntry PaymentEntry(const Payment& payment, std::string_view principal, PaymentState from,
                         PaymentState to, std::string detail) {
  LedgerEntry entry;
  // PENDING -> PENDING stands for the creation; PROCESSING -> PROCESSING (failover) and
  // PARTIALLY_REFUNDED -> PARTIALLY_REFUNDED are changes.
  const bool created = from == PaymentState::kPending && to == PaymentState::kPending;
  entry.type = created ? EntryType::kPaymentCreated : EntryType::kPaymentStateChanged;
  entry.agency_id = payment.agency_id;
  entry.subject_id = payment.payment_id;
  entry.related_id = payment.fee_id;
  entry.principal_id = std::string(principal);
  entry.from_state = created ? 0 : static_cast<uint8_t>(from);
  entry.to_state = static_cast<uint8_t>(to);
  entry.amount = payment.amount;
  entry.detail = std::move(detail);
  return entry;
}

// Puts the record, stamped with the sequence of the write set's entry `entry_index`.
void PutPayment(WriteSet* write_set, const Payment& payment, size_t entry_index) {
  write_set->PutStamped(Table::kPayments, payment.payment_id, entry_index,
                        [record = payment](uint64_t sequence) mutable {
                          Payment& payment = record;
                          payment.ledger_sequence = sequence;
                          return EncodePayment(payment);
                        });
}

void PutFee(WriteSet* write_set, const Fee& fee, size_t entry_index) {
  write_set->PutStamped(Table::kFees, fee.fee_id, entry_index,
                        [record = fee](uint64_t sequence) mutable {
                          Fee& fee = record;
                          fee.ledger_sequence = sequence;
                          return EncodeFee(fee);
                        });
}

connector::CollectionRequest RequestFor(const Payment& payment) {
  connector::CollectionRequest request;
  request.payment_id = payment.payment_id;
  request.agency_id = payment.agency_id;
  request.bill_number = payment.bill_number;
  request.amount = payment.amount;
  request.method = payment.method;
  request.payer_account = payment.payer_account;
  request.create_time_ms = payment.create_time_ms;
  return request;
}

std::string InFlightKey(std::string_view payment_id) {
  return StrCat(kPaymentsInFlight, '\0', payment_id);
}

Result<GatewayImpl::ConnectorSlot*> GatewayImpl::Route(PaymentMethod method,
                                                       std::string_view named) {
  bool any_supports = false;
  const int64_t now_ms = NowMs();
  for (const std::unique_ptr<ConnectorSlot>& slot : connectors_) {
    const connector::Connector& connector = *slot->connector;
    if (!named.empty() && connector.name() != named) continue;
    if (!named.empty() && !connector.Supports(method)) {
      return absl::InvalidArgumentError(StrCat("connector: \"", named, "\" does not take ",
                                               PaymentMethodName(method), " payments"));
    }
    if (!connector.Supports(method)) continue;
    any_supports = true;
    if (slot->breaker->Allow(now_ms)) return slot.get();
  }
  if (!named.empty() && !any_supports) {
    return absl::InvalidArgumentError(StrCat("connector: no connector named \"", named, "\""));
  }
  if (!any_supports) {
    return absl::FailedPreconditionError(
        StrCat("method: no connector is configured for ", PaymentMethodName(method), " payments"));
  }
  return absl::UnavailableError(StrCat("every connector for ", PaymentMethodName(method),
                                       " is unavailable; nothing was recorded, retry later"));
}

Result<Payment> GatewayImpl::CreatePayment(const Principal& caller,
                                           const CreatePaymentRequest& request) {
  // Decided and recorded under the locks; the connector is asked after they are released, so
  // that a slow provider holds up nobody else.
  PAY_ASSIGN_OR_RETURN(PaymentDecision decision, DecidePayment(caller, request));
  if (decision.slot != nullptr) {
    return Collect(decision.slot, std::move(decision.payment), request.connector.empty());
  }
  // A retry of a payment whose outcome is unknown asks the connector again, so that the caller
  // learns the outcome as soon as the provider knows it.
  if (decision.payment.state == PaymentState::kProcessing) {
    return Inquire(std::move(decision.payment));
  }
  return std::move(decision.payment);
}

Result<std::optional<Payment>> GatewayImpl::FirstPaymentForKey(std::string_view storage_key,
                                                               std::string_view fingerprint,
                                                               std::string_view key,
                                                               std::string_view what) const {
  PAY_ASSIGN_OR_RETURN(std::optional<IdempotencyRecord> record,
                       LoadIdempotency(std::string(storage_key)));
  if (!record) return std::optional<Payment>();
  if (record->fingerprint != fingerprint) {
    return absl::AlreadyExistsError(
        StrCat("idempotency_key: \"", key, "\" was already used for a different ", what, " (",
               record->resource_id, "); use a new key for a new payment"));
  }
  PAY_ASSIGN_OR_RETURN(std::optional<Payment> first, LoadPayment(record->resource_id));
  if (!first) return absl::DataLossError("idempotency record names a payment that is not stored");
  return first;
}

Result<GatewayImpl::PaymentDecision> GatewayImpl::DecidePayment(
    const Principal& caller, const CreatePaymentRequest& request) {
  if (caller.role != Role::kAgency && caller.role != Role::kChannel) {
    return absl::PermissionDeniedError(
        StrCat("only AGENCY and CHANNEL credentials create payments; this one is ",
               RoleName(caller.role)));
  }
  PAY_RETURN_IF_ERROR(ValidateCreatePayment(request));
  PAY_ASSIGN_OR_RETURN(std::string bill_number, ParseBillNumber(request.bill_number));
  const std::string fingerprint = PaymentFingerprint(request, bill_number);
  const std::string idempotency_key =
      IdempotencyKeyFor(caller.credential_id, "payment", request.idempotency_key);

  LockTable::Guard guard = locks_.Lock({idempotency_key, "bill:" + bill_number});
  PAY_ASSIGN_OR_RETURN(
      std::optional<Payment> first,
      FirstPaymentForKey(idempotency_key, fingerprint, request.idempotency_key, "payment request"));
  if (first) return PaymentDecision{*std::move(first), nullptr};

  const Status not_found =
      absl::NotFoundError(StrCat("bill_number: no bill ", FormatBillNumber(bill_number)));
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> fee_id, ledger_->Get(Table::kBills, bill_number));
  if (!fee_id) return not_found;
  PAY_ASSIGN_OR_RETURN(std::optional<Fee> loaded, LoadFee(*fee_id));
  if (!loaded) return absl::DataLossError("bill index names a fee that is not stored");
  Fee fee = *std::move(loaded);
  if (caller.role == Role::kAgency && !caller.CanRead(fee.agency_id)) return not_found;

  // Refused before any money moves.
  const int64_t now_ms = NowMs();
  const FeeState fee_state = EffectiveFeeState(fee, now_ms);
  if (!IsPayable(fee_state)) {
    return absl::FailedPreconditionError(StrCat(
        "fee is ", FeeStateName(fee_state), "; it cannot be paid",
        fee.state == FeeState::kPaid ? StrCat(" again (paid by ", fee.paid_by_payment_id, ")")
                                     : ""));
  }
  if (!fee.active_payment_id.empty()) {
    return absl::FailedPreconditionError(
        StrCat("fee is ", FeeStateName(fee_state), " with payment ", fee.active_payment_id,
               " in progress; wait for its outcome before paying again"));
  }
  // The penalties due are charged first (same write), so that the amount due is never stale.
  WriteSet write_set;
  PAY_ASSIGN_OR_RETURN(const size_t penalties, AppendDuePenalties(&write_set, &fee, now_ms));
  PAY_ASSIGN_OR_RETURN(const Money amount_due,
                       Money::Create(fee.amount.currency(), AmountDueMinorUnits(fee)));
  if (request.expected_amount && !(*request.expected_amount == amount_due)) {
    return absl::FailedPreconditionError(
        StrCat("expected_amount: ", request.expected_amount->ToString(),
               " differs from the amount due ", amount_due.ToString()));
  }
  Money payment_amount = amount_due;
  if (request.amount) {
    if (request.amount->currency() != amount_due.currency()) {
      return absl::InvalidArgumentError(StrCat("amount: currency ", request.amount->currency(),
                                               " differs from the fee's ", amount_due.currency()));
    }
    if (request.amount->minor_units() > amount_due.minor_units()) {
      return absl::FailedPreconditionError(
          StrCat("amount: ", request.amount->ToString(), " is more than the amount due ",
                 amount_due.ToString(), " (fee is ", FeeStateName(fee_state), ")"));
    }
    if (request.amount->minor_units() < amount_due.minor_units() &&
        fee.terms.amount_rule != AmountRule::kPartialAllowed) {
      return absl::FailedPreconditionError(StrCat("amount: fee is ", FeeStateName(fee_state),
                                                  " and takes only the whole amount due ",
                                                  amount_due.ToString(), " (its terms are EXACT)"));
    }
    payment_amount = *request.amount;
  }
  PAY_ASSIGN_OR_RETURN(ConnectorSlot * slot, Route(*request.method, request.connector));

  Payment payment;
  payment.payment_id = "pay_" + RandomHex(10);
  payment.fee_id = fee.fee_id;
  payment.agency_id = fee.agency_id;
  payment.bill_number = fee.bill_number;
  payment.amount = payment_amount;
  payment.method = *request.method;
  payment.connector = std::string(slot->connector->name());
  payment.state = PaymentState::kProcessing;
  payment.idempotency_key = request.idempotency_key;
  payment.initiated_by = caller.credential_id;
  payment.payer_account = request.payer_account;
  payment.create_time_ms = now_ms;
  payment.update_time_ms = now_ms;
  fee.active_payment_id = payment.payment_id;

  // Recorded PENDING and handed to the connector (PROCESSING) in one durable write, before the
  // connector is asked: after a crash the payment is known to be possibly in flight.
  write_set.Append(PaymentEntry(payment, caller.credential_id, PaymentState::kPending,
                                PaymentState::kPending, request.idempotency_key));
  write_set.Append(PaymentEntry(payment, kSystemPrincipal, PaymentState::kPending,
                                PaymentState::kProcessing, payment.connector));
  PutPayment(&write_set, payment, penalties + 1);
  // The fee's state does not change (only its in-flight marker): it keeps its sequence, or takes
  // that of the last penalty charged.
  if (penalties > 0) {
    PutFee(&write_set, fee, penalties - 1);
  } else {
    write_set.Put(Table::kFees, fee.fee_id, EncodeFee(fee));
  }
  write_set.Put(Table::kIdempotency, idempotency_key,
                EncodeIdempotency({fingerprint, payment.payment_id, now_ms}));
  write_set.Put(Table::kIndex,
                IndexKey(kPaymentsByAgency, payment.agency_id, now_ms, payment.payment_id), "");
  write_set.Put(Table::kIndex,
                IndexKey(kPaymentsByInitiator, caller.credential_id, now_ms, payment.payment_id),
                "");
  write_set.Put(Table::kIndex, IndexKey(kPaymentsByFee, fee.fee_id, now_ms, payment.payment_id),
                "");
  write_set.Put(Table::kIndex,
                IndexKey(kPaymentsByConnector, payment.connector, now_ms, payment.payment_id), "");
  write_set.Put(Table::kIndex, InFlightKey(payment.payment_id), "");
  PAY_ASSIGN_OR_RETURN(payment.ledger_sequence, ledger_->Commit(std::move(write_set)));
  // (the PROCESSING entry is this write set's last)
  return PaymentDecision{std::move(payment), slot};
}

Result<Payment> GatewayImpl::RecordChannelPayment(const Principal& caller,
                                                  const RecordChannelPaymentRequest& request) {
  if (caller.role != Role::kChannel) {
    return absl::PermissionDeniedError(
        StrCat("only CHANNEL credentials record payments they collected; this one is ",
               RoleName(caller.role)));
  }
  PAY_RETURN_IF_ERROR(ValidateIdempotencyKey("idempotency_key", request.idempotency_key, true));
  if (!request.amount) return absl::InvalidArgumentError("amount: required (what you collected)");
  PAY_RETURN_IF_ERROR(ValidatePayableAmount(*request.amount, "amount"));
  if (!request.method) {
    return absl::InvalidArgumentError(
        "method: required (how the payer paid you: BANK_TRANSFER, MOBILE_WALLET or CARD)");
  }
  if (request.channel_reference.empty()) {
    return absl::InvalidArgumentError("channel_reference: required (your id for the collection)");
  }
  PAY_RETURN_IF_ERROR(ValidateText("channel_reference", request.channel_reference, 128));
  PAY_RETURN_IF_ERROR(ValidateText("payer_account", request.payer_account, 64));
  PAY_ASSIGN_OR_RETURN(std::string bill_number, ParseBillNumber(request.bill_number));
  const std::string fingerprint = ChannelPaymentFingerprint(request, bill_number);
  const std::string idempotency_key =
      IdempotencyKeyFor(caller.credential_id, "channel_payment", request.idempotency_key);

  LockTable::Guard guard = locks_.Lock({idempotency_key, "bill:" + bill_number});
  PAY_ASSIGN_OR_RETURN(
      std::optional<Payment> first,
      FirstPaymentForKey(idempotency_key, fingerprint, request.idempotency_key, "channel payment"));
  if (first) return *std::move(first);
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> fee_id, ledger_->Get(Table::kBills, bill_number));
  if (!fee_id) {
    return absl::NotFoundError(StrCat("bill_number: no bill ", FormatBillNumber(bill_number),
                                      "; nothing was recorded: the money you collected is to be "
                                      "returned to the payer"));
  }
  PAY_ASSIGN_OR_RETURN(std::optional<Fee> fee, LoadFee(*fee_id));
  if (!fee) return absl::DataLossError("bill index names a fee that is not stored");

  const int64_t now_ms = NowMs();
  Payment payment;
  payment.payment_id = "pay_" + RandomHex(10);
  payment.amount = *request.amount;
  payment.method = *request.method;
  payment.connector = StrCat("channel:", caller.credential_id);
  payment.idempotency_key = request.idempotency_key;
  payment.initiated_by = caller.credential_id;
  payment.payer_account = request.payer_account;
  WriteSet write_set;
  write_set.Put(Table::kIdempotency, idempotency_key,
                EncodeIdempotency({fingerprint, payment.payment_id, now_ms}));
  write_set.Put(Table::kIndex,
                IndexKey(kPaymentsByInitiator, caller.credential_id, now_ms, payment.payment_id),
                "");
  return RecordCollected(*std::move(fee), std::move(payment), request.channel_reference,
                         caller.credential_id, std::move(write_set));
}

bool GatewayImpl::CanReadPayment(const Principal& caller, const Payment& payment) const {
  if (caller.role == Role::kChannel) return payment.initiated_by == caller.credential_id;
  return caller.CanRead(payment.agency_id);
}

Result<Payment> GatewayImpl::ReadablePayment(const Principal& caller,
                                             std::string_view payment_id) const {
  if (caller.role == Role::kAdmin) {
    return absl::PermissionDeniedError("ADMIN credentials do not read payments");
  }
  PAY_RETURN_IF_ERROR(ValidateId("payment_id", payment_id));
  PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(payment_id));
  if (!payment || !CanReadPayment(caller, *payment)) {
    return absl::NotFoundError(StrCat("payment \"", payment_id, "\" not found"));
  }
  return *std::move(payment);
}

Result<Payment> GatewayImpl::GetPayment(const Principal& caller,
                                        std::string_view payment_id) const {
  return ReadablePayment(caller, payment_id);
}

Result<ListPaymentsResult> GatewayImpl::ListPayments(const Principal& caller,
                                                     const ListPaymentsRequest& request) const {
  PAY_ASSIGN_OR_RETURN(int32_t page_size, PageSize(request.page_size));
  std::string prefix;
  if (!request.fee_id.empty()) {
    PAY_RETURN_IF_ERROR(ValidateId("fee_id", request.fee_id));
    prefix = IndexPrefix(kPaymentsByFee, request.fee_id);
  } else if (caller.role == Role::kChannel) {
    prefix = IndexPrefix(kPaymentsByInitiator, caller.credential_id);
  } else {
    PAY_ASSIGN_OR_RETURN(std::string agency_id, ListingAgency(caller, request.agency_id));
    prefix = IndexPrefix(kPaymentsByAgency, agency_id);
  }
  if (caller.role == Role::kAdmin) {
    return absl::PermissionDeniedError("ADMIN credentials do not read payments");
  }
  ListPaymentsResult result;
  PAY_ASSIGN_OR_RETURN(
      result.next_page_token,
      ScanIndex(prefix, request.page_token, request.create_time_from_ms, request.create_time_to_ms,
                page_size, [&](std::string_view payment_id) -> Result<bool> {
                  PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(payment_id));
                  if (!payment) {
                    return absl::DataLossError("payment index names a payment that is not stored");
                  }
                  // The fee index is shared by every reader: filter by scope here.
                  if (!CanReadPayment(caller, *payment)) return false;
                  if (request.state && payment->state != *request.state) return false;
                  result.payments.push_back(*std::move(payment));
                  return true;
                }));
  return result;
}

Result<Payment> GatewayImpl::CancelPayment(const Principal& caller, std::string_view payment_id,
                                           std::string_view reason) {
  PAY_RETURN_IF_ERROR(ValidateText("reason", reason, 500));
  PAY_ASSIGN_OR_RETURN(Payment unlocked, ReadablePayment(caller, payment_id));
  if (caller.role == Role::kAuditor) {
    return absl::PermissionDeniedError("AUDITOR credentials are read-only");
  }
  LockTable::Guard guard = locks_.Lock({"bill:" + unlocked.bill_number});
  PAY_ASSIGN_OR_RETURN(Payment payment, ReadablePayment(caller, payment_id));
  if (payment.state == PaymentState::kProcessing) {
    return absl::FailedPreconditionError(
        "payment is PROCESSING: it was sent to the connector and money may be moving; it cannot "
        "be cancelled until its outcome is known");
  }
  PAY_RETURN_IF_ERROR(CheckTransition(payment.state, PaymentState::kCancelled));
  PAY_ASSIGN_OR_RETURN(std::optional<Fee> fee, LoadFee(payment.fee_id));
  if (!fee) return absl::DataLossError("payment names a fee that is not stored");
  WriteSet write_set;
  write_set.Append(PaymentEntry(payment, caller.credential_id, payment.state,
                                PaymentState::kCancelled, std::string(reason)));
  payment.state = PaymentState::kCancelled;
  payment.update_time_ms = NowMs();
  if (fee->active_payment_id == payment.payment_id) {
    fee->active_payment_id.clear();
    write_set.Put(Table::kFees, fee->fee_id, EncodeFee(*fee));
  }
  PutPayment(&write_set, payment, 0);
  PAY_ASSIGN_OR_RETURN(uint64_t sequence, ledger_->Commit(std::move(write_set)));
  payment.ledger_sequence = sequence;
  return payment;
}

}  // namespace internal
}  // namespace pay
