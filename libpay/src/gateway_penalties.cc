// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Changes of what is owed on a fee without money moving: late penalties and waivers. Each is a
// FEE_ADJUSTED ledger entry (amount: the change; no postings) committed with the fee record under
// the bill's lock.

#include <ctime>

#include "coding.h"
#include "fee_catalogue.h"
#include "gateway_internal.h"
#include "str_util.h"

namespace pay::internal {
namespace {

// "2026-11-24T09:00:00Z"
std::string FormatUtc(int64_t time_ms) {
  const std::time_t seconds = static_cast<std::time_t>(time_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// The penalty index key of `fee` while a penalty is still to come, else "".
std::string PenaltyIndexKey(const Fee& fee) {
  if (!fee.terms.penalty || fee.due_time_ms == 0) return "";
  if (fee.penalty_total_minor_units >= fee.terms.penalty->cap.minor_units()) return "";
  const int64_t period_ms = fee.terms.penalty->period_seconds * 1000;
  return PenaltyKey(fee.due_time_ms + (int64_t{fee.penalty_periods} + 1) * period_ms, fee.fee_id);
}

}  // namespace

std::string PenaltyKey(int64_t next_penalty_ms, std::string_view fee_id) {
  std::string key = StrCat(kFeesByPenaltyTime, '\0');
  PutFixed64(&key, static_cast<uint64_t>(next_penalty_ms));
  key.append(fee_id);
  return key;
}

void PutPenaltyIndex(WriteSet* write_set, const Fee& fee) {
  const std::string key = PenaltyIndexKey(fee);
  if (!key.empty()) write_set->Put(Table::kIndex, key, "");
}

Result<size_t> GatewayImpl::AppendDuePenalties(WriteSet* write_set, Fee* fee, int64_t now_ms) {
  const std::vector<int64_t> charges = DuePenalties(*fee, now_ms, kMaxPenaltyPeriodsPerCall);
  if (charges.empty()) return size_t{0};
  const std::string old_key = PenaltyIndexKey(*fee);
  const int64_t cap = fee->terms.penalty->cap.minor_units();
  for (int64_t charge : charges) {
    ++fee->penalty_periods;
    fee->penalty_total_minor_units += charge;
    PAY_ASSIGN_OR_RETURN(Money amount, Money::Create(fee->amount.currency(), charge));
    LedgerEntry entry;
    entry.type = EntryType::kFeeAdjusted;
    entry.agency_id = fee->agency_id;
    entry.subject_id = fee->fee_id;
    entry.principal_id = kSystemPrincipal;
    entry.from_state = static_cast<uint8_t>(fee->state);
    entry.to_state = static_cast<uint8_t>(fee->state);
    entry.amount = amount;
    entry.detail =
        StrCat("PENALTY: period ", fee->penalty_periods, " after due ", FormatUtc(fee->due_time_ms),
               fee->penalty_total_minor_units >= cap ? " (cap reached)" : "");
    write_set->Append(std::move(entry));
  }
  fee->update_time_ms = now_ms;
  const std::string new_key = PenaltyIndexKey(*fee);
  if (!old_key.empty() && old_key != new_key) write_set->Delete(Table::kIndex, old_key);
  if (!new_key.empty()) write_set->Put(Table::kIndex, new_key, "");
  PutFee(write_set, *fee, write_set->entry_count() - 1);
  return charges.size();
}

Result<size_t> GatewayImpl::ApplyDuePenalties() {
  constexpr size_t kMaxFeesPerCall = 1000;  // the next call continues
  const int64_t now_ms = NowMs();
  const std::string prefix = StrCat(kFeesByPenaltyTime, '\0');
  std::vector<std::pair<std::string, std::string>> due;  // index key, fee id
  PAY_RETURN_IF_ERROR(ledger_->Scan(
      Table::kIndex, prefix, "", /*reverse=*/false, [&](std::string_view key, std::string_view) {
        if (key.size() < prefix.size() + 8) return true;
        const int64_t at_ms = static_cast<int64_t>(DecodeFixed64(key.data() + prefix.size()));
        if (at_ms > now_ms) return false;  // in time order: nothing later is due
        due.emplace_back(std::string(key), std::string(key.substr(prefix.size() + 8)));
        return due.size() < kMaxFeesPerCall;
      }));
  size_t charged = 0;
  for (const auto& [index_key, fee_id] : due) {
    PAY_ASSIGN_OR_RETURN(std::optional<Fee> unlocked, LoadFee(fee_id));
    if (!unlocked) return absl::DataLossError("penalty index names a fee that is not stored");
    LockTable::Guard guard = locks_.Lock({"bill:" + unlocked->bill_number});
    PAY_ASSIGN_OR_RETURN(std::optional<Fee> fee, LoadFee(fee_id));
    if (!fee) return absl::DataLossError("penalty index names a fee that is not stored");
    // A payment in flight was asked for the amount due when it started: it is not raised under
    // it. The penalties are charged once its outcome is known.
    if (!fee->active_payment_id.empty()) continue;
    WriteSet write_set;
    if (!IsPayable(EffectiveFeeState(*fee, now_ms))) {
      write_set.Delete(Table::kIndex, index_key);  // final: no more penalties
    } else {
      PAY_ASSIGN_OR_RETURN(size_t appended, AppendDuePenalties(&write_set, &*fee, now_ms));
      charged += appended;
      if (appended == 0 && PenaltyIndexKey(*fee) != index_key) {
        write_set.Delete(Table::kIndex, index_key);
        PutPenaltyIndex(&write_set, *fee);
      }
    }
    if (!write_set.empty()) PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  }
  return charged;
}

Result<Fee> GatewayImpl::WaiveFee(const Principal& caller, const WaiveFeeRequest& request) {
  if (caller.role != Role::kAgency || !caller.approver) {
    return absl::PermissionDeniedError(
        "only AGENCY credentials with approver set may waive fees; this one is not");
  }
  if (request.reason.empty()) {
    return absl::InvalidArgumentError("reason: required (why the amount is waived)");
  }
  PAY_RETURN_IF_ERROR(ValidateText("reason", request.reason, 500));
  PAY_RETURN_IF_ERROR(ValidatePayableAmount(request.amount, "amount"));
  PAY_ASSIGN_OR_RETURN(Fee unlocked, ReadableFee(caller, request.fee_id));
  LockTable::Guard guard = locks_.Lock({"bill:" + unlocked.bill_number});
  PAY_ASSIGN_OR_RETURN(std::optional<Fee> loaded, LoadFee(request.fee_id));
  if (!loaded) return absl::DataLossError("fee vanished");
  Fee fee = *std::move(loaded);
  const int64_t now_ms = NowMs();
  const FeeState state = EffectiveFeeState(fee, now_ms);
  if (!IsPayable(state)) {
    return absl::FailedPreconditionError(
        StrCat("fee is ", FeeStateName(state), "; only UNPAID and PARTIALLY_PAID fees are waived"));
  }
  if (!fee.active_payment_id.empty()) {
    return absl::FailedPreconditionError(StrCat("fee is ", FeeStateName(state), " with payment ",
                                                fee.active_payment_id,
                                                " in progress; waive once its outcome is known"));
  }
  if (request.amount.currency() != fee.amount.currency()) {
    return absl::InvalidArgumentError(StrCat("amount: currency ", request.amount.currency(),
                                             " differs from the fee's ", fee.amount.currency()));
  }
  WriteSet write_set;
  PAY_RETURN_IF_ERROR(AppendDuePenalties(&write_set, &fee, now_ms).status());
  const int64_t due = AmountDueMinorUnits(fee);
  if (request.amount.minor_units() > due) {
    return absl::FailedPreconditionError(
        StrCat("amount: ", request.amount.ToString(), " is more than the amount due ",
               Money::Create(fee.amount.currency(), due)->ToString()));
  }
  const FeeState to = request.amount.minor_units() == due ? FeeState::kPaid : fee.state;
  LedgerEntry entry;
  entry.type = EntryType::kFeeAdjusted;
  entry.agency_id = fee.agency_id;
  entry.subject_id = fee.fee_id;
  entry.principal_id = caller.credential_id;
  entry.from_state = static_cast<uint8_t>(fee.state);
  entry.to_state = static_cast<uint8_t>(to);
  entry.amount = request.amount;
  entry.detail = StrCat("WAIVER: ", request.reason);
  write_set.Append(std::move(entry));
  fee.waived_total_minor_units += request.amount.minor_units();
  fee.state = to;
  fee.update_time_ms = now_ms;
  PutFee(&write_set, fee, write_set.entry_count() - 1);
  PAY_ASSIGN_OR_RETURN(fee.ledger_sequence, ledger_->Commit(std::move(write_set)));
  return fee;
}

}  // namespace pay::internal
