// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Events: ledger entries of an agency's fees, payments and refunds, streamed in sequence order.

#include <algorithm>

#include "gateway_internal.h"
#include "pay/refund.h"
#include "str_util.h"

namespace pay {

bool IsEventEntry(const LedgerEntry& entry) {
  switch (entry.type) {
    case EntryType::kFeeCreated:
    case EntryType::kFeeStateChanged:
    case EntryType::kFeeAdjusted:
    case EntryType::kPaymentCreated:
    case EntryType::kPaymentStateChanged:
    case EntryType::kRefundCreated:
    case EntryType::kRefundStateChanged:
      return true;
    case EntryType::kDiscrepancy:
      return !entry.agency_id.empty();
    default:
      return false;
  }
}

namespace internal {
namespace {

// How long WatchEvents waits for new entries before it checks `cancelled` again.
constexpr int64_t kWatchPollMs = 250;

// The name of a refund state byte of an entry ("" for none, "UNKNOWN" for a value that is not a
// state).
std::string RefundStateText(uint8_t state) {
  if (state == 0) return std::string();
  const std::optional<RefundState> decoded = RefundStateFromByte(state);
  return decoded ? std::string(RefundStateName(*decoded)) : std::string("UNKNOWN");
}

}  // namespace

Result<std::optional<PaymentEvent>> GatewayImpl::EventOf(const LedgerEntry& entry) const {
  if (!IsEventEntry(entry)) return std::optional<PaymentEvent>();
  PaymentEvent event;
  event.sequence = entry.sequence;
  event.time_ms = entry.time_ms;
  event.type = entry.type;
  event.agency_id = entry.agency_id;
  event.amount = entry.amount;
  event.detail = entry.detail;
  auto state_name = [](uint8_t state, auto name_of) {
    return state == 0 ? std::string() : std::string(name_of(state));
  };
  auto fee_state = [](uint8_t s) { return FeeStateName(static_cast<FeeState>(s)); };
  auto payment_state = [](uint8_t s) { return PaymentStateName(static_cast<PaymentState>(s)); };
  // The fee of a payment: its entries carry it as related_id; older or other entries are resolved
  // through the payment record.
  auto fee_of_payment = [&](std::string_view payment_id) -> Result<std::string> {
    PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(payment_id));
    return payment ? payment->fee_id : std::string();
  };
  switch (entry.type) {  // NOLINT: IsEventEntry admits only the types handled here
    case EntryType::kFeeCreated:
    case EntryType::kFeeStateChanged:
    case EntryType::kFeeAdjusted:
      event.fee_id = entry.subject_id;
      event.from_state = state_name(entry.from_state, fee_state);
      event.to_state = state_name(entry.to_state, fee_state);
      break;
    case EntryType::kPaymentCreated:
    case EntryType::kPaymentStateChanged: {
      event.payment_id = entry.subject_id;
      event.fee_id = entry.related_id;
      if (event.fee_id.empty()) {
        PAY_ASSIGN_OR_RETURN(event.fee_id, fee_of_payment(entry.subject_id));
      }
      event.from_state = state_name(entry.from_state, payment_state);
      event.to_state = state_name(entry.to_state, payment_state);
      break;
    }
    case EntryType::kRefundCreated:
    case EntryType::kRefundStateChanged: {
      event.refund_id = entry.subject_id;
      event.payment_id = entry.related_id;
      PAY_ASSIGN_OR_RETURN(event.fee_id, fee_of_payment(entry.related_id));
      event.from_state = RefundStateText(entry.from_state);
      event.to_state = RefundStateText(entry.to_state);
      break;
    }
    default: {
      // A discrepancy names a payment or a fee as subject or related (or a connector's reference
      // that is neither): take what resolves.
      for (const std::string* id : {&entry.related_id, &entry.subject_id}) {
        if (id->empty() || !event.fee_id.empty()) continue;
        PAY_ASSIGN_OR_RETURN(std::optional<Payment> payment, LoadPayment(*id));
        if (payment) {
          event.payment_id = payment->payment_id;
          event.fee_id = payment->fee_id;
          continue;
        }
        PAY_ASSIGN_OR_RETURN(std::optional<Fee> fee, LoadFee(*id));
        if (fee) event.fee_id = fee->fee_id;
      }
      break;
    }
  }
  return std::optional<PaymentEvent>(std::move(event));
}

Status GatewayImpl::WatchEvents(const Principal& caller, const EventFilter& filter,
                                const std::function<bool(const PaymentEvent&)>& visit,
                                const std::function<bool()>& cancelled) const {
  if (caller.role != Role::kAgency && caller.role != Role::kAuditor) {
    return absl::PermissionDeniedError(
        StrCat("only AGENCY and AUDITOR credentials watch payment events; this one is ",
               RoleName(caller.role),
               " (a channel sees bills one at a time by number, never an agency's stream)"));
  }
  if (!filter.agency_id.empty() && !caller.CanRead(filter.agency_id)) {
    return absl::PermissionDeniedError(
        StrCat("agency_id: this credential may not read agency \"", filter.agency_id, "\""));
  }
  auto wanted = [&](const LedgerEntry& entry) {
    if (entry.agency_id.empty()) return false;
    if (!filter.agency_id.empty()) return entry.agency_id == filter.agency_id;
    return caller.CanRead(entry.agency_id);
  };
  uint64_t next = filter.from_sequence == 0 ? ledger_->LastSequence() + 1 : filter.from_sequence;
  bool stopped = false;
  while (true) {
    // Only entries up to the durable last sequence are read (never one a crash could take back).
    const uint64_t last = ledger_->LastSequence();
    if (next <= last) {
      Status error;
      PAY_RETURN_IF_ERROR(ledger_->ReadEntries(next, [&](const LedgerEntry& entry) {
        if (entry.sequence > last) return false;
        next = entry.sequence + 1;
        if (!wanted(entry)) return true;
        Result<std::optional<PaymentEvent>> event = EventOf(entry);
        if (!event.ok()) {
          error = event.status();
          return false;
        }
        if (*event && !visit(**event)) {
          stopped = true;
          return false;
        }
        return true;
      }));
      PAY_RETURN_IF_ERROR(error);
      if (stopped) return Status();
    }
    if (cancelled && cancelled()) {
      return absl::CancelledError(StrCat("the watch was cancelled before sequence ", next));
    }
    ledger_->WaitForEntriesAfter(next - 1, kWatchPollMs);
  }
}

bool GatewayImpl::WaitForEntriesAfter(uint64_t sequence, int64_t timeout_ms) const {
  return ledger_->WaitForEntriesAfter(sequence, timeout_ms);
}

}  // namespace internal
}  // namespace pay
