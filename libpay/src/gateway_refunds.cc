// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Refunds, the request half: limits, idempotency, maker-checker and the policy. Every decision is
// taken under the bill's lock (the lock CreatePayment and the outcome path take), so concurrent
// refunds of one payment are serialised and their sum never exceeds what was paid. Paying out is
// in gateway_refund_outcomes.cc.

#include <algorithm>
#include <set>

#include "coding.h"
#include "gateway_internal.h"
#include "refund_records.h"
#include "str_util.h"

namespace pay::internal {
namespace {

constexpr size_t kMaxReasonBytes = 500;

std::string RefundFingerprint(const RefundPaymentRequest& request) {
  std::string canonical;
  PutString(&canonical, request.payment_id);
  PutByte(&canonical, request.amount ? 1 : 0);
  if (request.amount) PutMoney(&canonical, *request.amount);
  PutByte(&canonical, static_cast<uint8_t>(*request.reason_code));
  PutString(&canonical, request.reason);
  return Blake2b256(canonical);
}

bool CountsAgainstLimit(RefundState state) {
  return state != RefundState::kRejected && state != RefundState::kFailed;
}

// True when `amount` may move without a second principal: the policy has a threshold for its
// currency and the amount is not above it.
bool WithinThreshold(const std::optional<RefundPolicy>& policy, const Money& amount) {
  if (!policy) return false;
  for (const Money& threshold : policy->approval_thresholds) {
    if (threshold.currency() == amount.currency()) {
      return amount.minor_units() <= threshold.minor_units();
    }
  }
  return false;
}

Status AgencyOnly(const Principal& caller, std::string_view what) {
  if (caller.role == Role::kAgency) return absl::OkStatus();
  if (caller.role == Role::kAuditor) {
    return absl::PermissionDeniedError("AUDITOR credentials are read-only");
  }
  return absl::PermissionDeniedError(
      StrCat("only AGENCY credentials ", what, "; this one is ", RoleName(caller.role)));
}

}  // namespace

LedgerEntry RefundEntry(const Refund& refund, std::string_view principal,
                        std::optional<RefundState> from, RefundState to, std::string detail) {
  LedgerEntry entry;
  entry.type = from ? EntryType::kRefundStateChanged : EntryType::kRefundCreated;
  entry.agency_id = refund.agency_id;
  entry.subject_id = refund.refund_id;
  entry.related_id = refund.payment_id;
  entry.principal_id = std::string(principal);
  entry.from_state = from ? static_cast<uint8_t>(*from) : 0;
  entry.to_state = static_cast<uint8_t>(to);
  entry.amount = refund.amount;
  entry.detail = std::move(detail);
  return entry;
}

void PutRefund(WriteSet* write_set, const Refund& refund, size_t entry_index) {
  write_set->PutStamped(Table::kRefunds, refund.refund_id, entry_index,
                        [record = refund](uint64_t sequence) mutable {
                          record.ledger_sequence = sequence;
                          return EncodeRefund(record);
                        });
}

Result<std::optional<Refund>> GatewayImpl::LoadRefund(std::string_view refund_id) const {
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> bytes, ledger_->Get(Table::kRefunds, refund_id));
  if (!bytes) return std::optional<Refund>();
  Refund refund;
  PAY_RETURN_IF_ERROR(DecodeRefund(*bytes, &refund));
  return std::optional<Refund>(std::move(refund));
}

Result<Refund> GatewayImpl::ReadableRefund(const Principal& caller,
                                           std::string_view refund_id) const {
  if (caller.role != Role::kAgency && caller.role != Role::kAuditor) {
    return absl::PermissionDeniedError(
        StrCat(RoleName(caller.role), " credentials do not read refunds"));
  }
  PAY_RETURN_IF_ERROR(ValidateId("refund_id", refund_id));
  PAY_ASSIGN_OR_RETURN(std::optional<Refund> refund, LoadRefund(refund_id));
  if (!refund || !caller.CanRead(refund->agency_id)) {
    return absl::NotFoundError(StrCat("refund \"", refund_id, "\" not found"));
  }
  return *std::move(refund);
}

Result<std::vector<Refund>> GatewayImpl::RefundsOfPayment(std::string_view payment_id) const {
  std::vector<std::string> ids;
  PAY_RETURN_IF_ERROR(ledger_->Scan(
      Table::kIndex, IndexPrefix(kRefundsByPayment, payment_id), "",
      /*reverse=*/false, [&](std::string_view key, std::string_view) {
        // prefix, 8-byte time, refund id
        ids.emplace_back(key.substr(IndexPrefix(kRefundsByPayment, payment_id).size() + 8));
        return true;
      }));
  std::vector<Refund> refunds;
  for (const std::string& id : ids) {
    PAY_ASSIGN_OR_RETURN(std::optional<Refund> refund, LoadRefund(id));
    if (!refund) return absl::DataLossError("refund index names a refund that is not stored");
    refunds.push_back(*std::move(refund));
  }
  return refunds;
}

Result<Refund> GatewayImpl::RefundPayment(const Principal& caller,
                                          const RefundPaymentRequest& request) {
  bool send = false;
  PAY_ASSIGN_OR_RETURN(Refund refund, DecideRefund(caller, request, &send));
  // A retry of a refund whose payout is unconfirmed asks the connector again (by the same id).
  if (send || refund.state == RefundState::kProcessing) return PayOut(std::move(refund));
  return refund;
}

Result<Refund> GatewayImpl::DecideRefund(const Principal& caller,
                                         const RefundPaymentRequest& request, bool* send) {
  PAY_RETURN_IF_ERROR(AgencyOnly(caller, "request refunds"));
  PAY_RETURN_IF_ERROR(ValidateId("payment_id", request.payment_id));
  PAY_RETURN_IF_ERROR(ValidateIdempotencyKey("idempotency_key", request.idempotency_key, true));
  if (!request.reason_code) {
    return absl::InvalidArgumentError(
        "reason_code: required (DUPLICATE_PAYMENT, OVERPAYMENT, SERVICE_NOT_RENDERED, "
        "FEE_CANCELLED, PAYMENT_ERROR or OTHER)");
  }
  PAY_RETURN_IF_ERROR(ValidateText("reason", request.reason, kMaxReasonBytes));
  if (request.amount) PAY_RETURN_IF_ERROR(ValidatePayableAmount(*request.amount, "amount"));
  PAY_ASSIGN_OR_RETURN(Payment unlocked, ReadablePayment(caller, request.payment_id));
  const std::string fingerprint = RefundFingerprint(request);
  const std::string idempotency_key =
      IdempotencyKeyFor(caller.credential_id, "refund", request.idempotency_key);

  LockTable::Guard guard = locks_.Lock({idempotency_key, "bill:" + unlocked.bill_number});
  PAY_ASSIGN_OR_RETURN(std::optional<IdempotencyRecord> record, LoadIdempotency(idempotency_key));
  if (record) {
    if (record->fingerprint != fingerprint) {
      return absl::AlreadyExistsError(StrCat("idempotency_key: \"", request.idempotency_key,
                                             "\" was already used for a different refund request (",
                                             record->resource_id,
                                             "); use a new key for a new refund"));
    }
    PAY_ASSIGN_OR_RETURN(std::optional<Refund> first, LoadRefund(record->resource_id));
    if (!first) return absl::DataLossError("idempotency record names a refund that is not stored");
    return *std::move(first);
  }
  PAY_ASSIGN_OR_RETURN(Payment payment, ReadablePayment(caller, request.payment_id));
  if (payment.state != PaymentState::kSucceeded &&
      payment.state != PaymentState::kPartiallyRefunded) {
    return absl::FailedPreconditionError(
        StrCat("payment is ", PaymentStateName(payment.state),
               "; only SUCCEEDED or PARTIALLY_REFUNDED payments can be refunded"));
  }
  if (request.amount && request.amount->currency() != payment.amount.currency()) {
    return absl::InvalidArgumentError(StrCat("amount: currency ", request.amount->currency(),
                                             " differs from the payment's ",
                                             payment.amount.currency()));
  }
  PAY_ASSIGN_OR_RETURN(std::vector<Refund> refunds, RefundsOfPayment(payment.payment_id));
  int64_t committed = 0;  // each at most what was left, so the sum is at most the amount
  for (const Refund& refund : refunds) {
    if (CountsAgainstLimit(refund.state)) committed += refund.amount.minor_units();
  }
  const int64_t left = payment.amount.minor_units() - committed;
  PAY_CHECK(left >= 0);
  PAY_ASSIGN_OR_RETURN(Money left_money, Money::Create(payment.amount.currency(), left));
  if (left == 0) {
    return absl::FailedPreconditionError(
        StrCat("nothing is left to refund: payment ", payment.payment_id, " of ",
               payment.amount.ToString(), " is refunded or has refunds in progress for all of it"));
  }
  const Money amount = request.amount ? *request.amount : left_money;
  if (amount.minor_units() > left) {
    return absl::FailedPreconditionError(StrCat(
        "amount: ", amount.ToString(), " is more than is left to refund, ", left_money.ToString(),
        " (paid ", payment.amount.ToString(), "; refunded or in progress ",
        Money::Create(payment.amount.currency(), committed)->ToString(), ")"));
  }

  PAY_ASSIGN_OR_RETURN(std::optional<std::string> policy_bytes,
                       ledger_->Get(Table::kRefunds, RefundPolicyKey(payment.agency_id)));
  std::optional<RefundPolicy> policy;
  if (policy_bytes) {
    policy.emplace();
    PAY_RETURN_IF_ERROR(DecodeRefundPolicy(*policy_bytes, &*policy));
  }
  ConnectorSlot* slot = FindConnector(payment.connector);
  const bool connector_refunds = slot != nullptr && slot->connector->CanRefund();
  const bool needs_approval = !connector_refunds || !WithinThreshold(policy, amount);

  const int64_t now_ms = NowMs();
  Refund refund;
  refund.refund_id = "rfd_" + RandomHex(10);
  refund.payment_id = payment.payment_id;
  refund.fee_id = payment.fee_id;
  refund.agency_id = payment.agency_id;
  refund.amount = amount;
  refund.reason_code = *request.reason_code;
  refund.reason = request.reason;
  refund.state = needs_approval ? RefundState::kPendingApproval : RefundState::kProcessing;
  refund.requested_by = caller.credential_id;
  if (!needs_approval) refund.connector = payment.connector;
  refund.idempotency_key = request.idempotency_key;
  refund.create_time_ms = now_ms;
  refund.update_time_ms = now_ms;

  WriteSet write_set;
  write_set.Append(RefundEntry(refund, caller.credential_id, std::nullopt, refund.state,
                               StrCat(RefundReasonName(refund.reason_code),
                                      refund.reason.empty() ? "" : ": ", refund.reason)));
  PutRefund(&write_set, refund, 0);
  write_set.Put(Table::kIdempotency, idempotency_key,
                EncodeIdempotency({fingerprint, refund.refund_id, now_ms}));
  write_set.Put(Table::kIndex,
                IndexKey(kRefundsByPayment, payment.payment_id, now_ms, refund.refund_id), "");
  write_set.Put(Table::kIndex,
                IndexKey(kRefundsByAgency, payment.agency_id, now_ms, refund.refund_id), "");
  if (!needs_approval) write_set.Put(Table::kIndex, RefundInFlightKey(refund.refund_id), "");
  PAY_ASSIGN_OR_RETURN(refund.ledger_sequence, ledger_->Commit(std::move(write_set)));
  *send = !needs_approval;
  return refund;
}

Result<Refund> GatewayImpl::ApproveRefund(const Principal& caller,
                                          const ApproveRefundRequest& request) {
  PAY_ASSIGN_OR_RETURN(Refund refund, DecideApproval(caller, request));
  return PayOut(std::move(refund));
}

Result<Refund> GatewayImpl::DecideApproval(const Principal& caller,
                                           const ApproveRefundRequest& request) {
  PAY_RETURN_IF_ERROR(AgencyOnly(caller, "approve refunds"));
  PAY_ASSIGN_OR_RETURN(Refund unlocked, ReadableRefund(caller, request.refund_id));
  if (!caller.approver) {
    return absl::PermissionDeniedError(
        "this credential is not an approver; refunds above the approval threshold are approved "
        "by an AGENCY credential created with approver=true");
  }
  if (unlocked.requested_by == caller.credential_id) {
    return absl::PermissionDeniedError(
        StrCat("maker-checker: refund ", unlocked.refund_id,
               " was requested with this credential, which therefore cannot approve it; another "
               "approver of the agency must"));
  }
  if (request.destination) {
    if (request.destination->account.empty()) {
      return absl::InvalidArgumentError(
          "destination.account: required (the wallet id, phone number or IBAN to pay to)");
    }
    PAY_RETURN_IF_ERROR(ValidateText("destination.account", request.destination->account, 64));
  }
  PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(unlocked.payment_id));
  if (!payment) return absl::DataLossError("refund names a payment that is not stored");
  LockTable::Guard guard = locks_.Lock({"bill:" + payment->bill_number});
  PAY_ASSIGN_OR_RETURN(Refund refund, ReadableRefund(caller, request.refund_id));
  if (refund.state != RefundState::kPendingApproval) {
    return absl::FailedPreconditionError(StrCat("refund is ", RefundStateName(refund.state),
                                                "; only PENDING_APPROVAL refunds are approved"));
  }
  if (request.destination) {
    PAY_ASSIGN_OR_RETURN(ConnectorSlot * slot, Route(request.destination->method, ""));
    if (!slot->connector->CanRefund()) {
      return absl::FailedPreconditionError(
          StrCat("destination.method: connector ", slot->connector->name(), " serving ",
                 PaymentMethodName(request.destination->method), " cannot pay refunds"));
    }
    refund.destination = request.destination;
    refund.connector = std::string(slot->connector->name());
  } else {
    ConnectorSlot* slot = FindConnector(payment->connector);
    if (slot == nullptr || !slot->connector->CanRefund()) {
      return absl::InvalidArgumentError(
          StrCat("destination: required: the payment's connector ", payment->connector,
                 " cannot refund to the original instrument; name a method and an account to "
                 "pay the refund to"));
    }
    refund.connector = payment->connector;
  }
  const int64_t now_ms = NowMs();
  WriteSet write_set;
  write_set.Append(RefundEntry(
      refund, caller.credential_id, RefundState::kPendingApproval, RefundState::kApproved,
      refund.destination ? StrCat("to ", PaymentMethodName(refund.destination->method), " ",
                                  refund.destination->account)
                         : std::string("to the original instrument")));
  write_set.Append(RefundEntry(refund, kSystemPrincipal, RefundState::kApproved,
                               RefundState::kProcessing, refund.connector));
  refund.state = RefundState::kProcessing;
  refund.approved_by = caller.credential_id;
  refund.update_time_ms = now_ms;
  PutRefund(&write_set, refund, 1);
  write_set.Put(Table::kIndex, RefundInFlightKey(refund.refund_id), "");
  PAY_ASSIGN_OR_RETURN(refund.ledger_sequence, ledger_->Commit(std::move(write_set)));
  return refund;
}

Result<Refund> GatewayImpl::RejectRefund(const Principal& caller, std::string_view refund_id,
                                         std::string_view reason) {
  PAY_RETURN_IF_ERROR(AgencyOnly(caller, "reject refunds"));
  PAY_RETURN_IF_ERROR(ValidateText("reason", reason, kMaxReasonBytes));
  PAY_ASSIGN_OR_RETURN(Refund unlocked, ReadableRefund(caller, refund_id));
  // The requester may withdraw their own request; anyone else must be an approver.
  if (!caller.approver && unlocked.requested_by != caller.credential_id) {
    return absl::PermissionDeniedError(
        "this credential is not an approver and did not request the refund; it cannot reject it");
  }
  PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(unlocked.payment_id));
  if (!payment) return absl::DataLossError("refund names a payment that is not stored");
  LockTable::Guard guard = locks_.Lock({"bill:" + payment->bill_number});
  PAY_ASSIGN_OR_RETURN(Refund refund, ReadableRefund(caller, refund_id));
  if (refund.state != RefundState::kPendingApproval) {
    return absl::FailedPreconditionError(StrCat("refund is ", RefundStateName(refund.state),
                                                "; only PENDING_APPROVAL refunds are rejected"));
  }
  WriteSet write_set;
  write_set.Append(RefundEntry(refund, caller.credential_id, RefundState::kPendingApproval,
                               RefundState::kRejected, std::string(reason)));
  refund.state = RefundState::kRejected;
  refund.rejected_by = caller.credential_id;
  refund.decision_reason = std::string(reason);
  refund.update_time_ms = NowMs();
  PutRefund(&write_set, refund, 0);
  PAY_ASSIGN_OR_RETURN(refund.ledger_sequence, ledger_->Commit(std::move(write_set)));
  return refund;
}

Result<Refund> GatewayImpl::GetRefund(const Principal& caller, std::string_view refund_id) const {
  return ReadableRefund(caller, refund_id);
}

Result<ListRefundsResult> GatewayImpl::ListRefunds(const Principal& caller,
                                                   const ListRefundsRequest& request) const {
  if (caller.role != Role::kAgency && caller.role != Role::kAuditor) {
    return absl::PermissionDeniedError(
        StrCat(RoleName(caller.role), " credentials do not read refunds"));
  }
  PAY_ASSIGN_OR_RETURN(int32_t page_size, PageSize(request.page_size));
  std::string prefix;
  if (!request.payment_id.empty()) {
    PAY_ASSIGN_OR_RETURN(Payment payment, ReadablePayment(caller, request.payment_id));
    prefix = IndexPrefix(kRefundsByPayment, payment.payment_id);
  } else {
    PAY_ASSIGN_OR_RETURN(std::string agency_id, ListingAgency(caller, request.agency_id));
    prefix = IndexPrefix(kRefundsByAgency, agency_id);
  }
  ListRefundsResult result;
  PAY_ASSIGN_OR_RETURN(
      result.next_page_token,
      ScanIndex(prefix, request.page_token, 0, 0, page_size,
                [&](std::string_view refund_id) -> Result<bool> {
                  PAY_ASSIGN_OR_RETURN(std::optional<Refund> refund, LoadRefund(refund_id));
                  if (!refund) {
                    return absl::DataLossError("refund index names a refund that is not stored");
                  }
                  if (!caller.CanRead(refund->agency_id)) return false;
                  if (request.state && refund->state != *request.state) return false;
                  result.refunds.push_back(*std::move(refund));
                  return true;
                }));
  return result;
}

Result<RefundPolicy> GatewayImpl::SetRefundPolicy(const Principal& caller, RefundPolicy policy) {
  if (caller.role != Role::kAdmin) {
    return absl::PermissionDeniedError(
        StrCat("only ADMIN credentials set refund policies; this one is ", RoleName(caller.role)));
  }
  PAY_RETURN_IF_ERROR(ValidateId("agency_id", policy.agency_id));
  PAY_ASSIGN_OR_RETURN(std::optional<Agency> agency, LoadAgency(policy.agency_id));
  if (!agency) {
    return absl::NotFoundError(StrCat("agency_id: no agency \"", policy.agency_id, "\""));
  }
  if (policy.approval_thresholds.size() > 64) {
    return absl::InvalidArgumentError("approval_thresholds: at most 64 (one per currency)");
  }
  std::set<std::string> currencies;
  for (size_t i = 0; i < policy.approval_thresholds.size(); ++i) {
    const Money& threshold = policy.approval_thresholds[i];
    const std::string field = StrCat("approval_thresholds[", i, "]");
    if (threshold.minor_units() < 0 || threshold.minor_units() > kMaxAmountMinor) {
      return absl::InvalidArgumentError(
          StrCat(field, ": must be between 0 and ", kMaxAmountMinor, " minor units"));
    }
    if (!currencies.insert(threshold.currency()).second) {
      return absl::InvalidArgumentError(
          StrCat(field, ": a second threshold for ", threshold.currency()));
    }
  }
  policy.update_time_ms = NowMs();
  policy.updated_by = caller.credential_id;
  WriteSet write_set;
  write_set.Put(Table::kRefunds, RefundPolicyKey(policy.agency_id), EncodeRefundPolicy(policy));
  PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  return policy;
}

}  // namespace pay::internal
