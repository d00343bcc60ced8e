// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// FeeService: issuing, reading, listing and cancelling fees, and the unified bill inquiry.

#include "coding.h"
#include "fee_catalogue.h"
#include "gateway_internal.h"
#include "pay/bill_number.h"
#include "str_util.h"

namespace pay::internal {
namespace {

constexpr int kBillNumberAttempts = 8;

}  // namespace

std::string FeeFingerprint(const CreateFeeRequest& request) {
  std::string canonical;
  PutMoney(&canonical, request.amount);
  PutString(&canonical, request.description.en);
  PutString(&canonical, request.description.ar);
  PutString(&canonical, request.payer_reference);
  PutSigned(&canonical, request.due_time_ms);
  PutSigned(&canonical, request.expire_time_ms);
  if (!request.fee_type_code.empty()) PutString(&canonical, request.fee_type_code);
  return Blake2b256(canonical);
}


// What can be checked without the clock: a retry of an accepted request passes it.
Status ValidateCreateFee(const CreateFeeRequest& request) {
  if (request.fee_type_code.empty() || !request.amount.currency().empty()) {
    PAY_RETURN_IF_ERROR(ValidatePayableAmount(request.amount, "amount"));
  }
  if (!request.fee_type_code.empty()) {
    PAY_RETURN_IF_ERROR(ValidateFeeTypeCode("fee_type_code", request.fee_type_code));
  }
  PAY_RETURN_IF_ERROR(
      ValidateLocalizedText("description", request.description, 500, /*required=*/true));
  PAY_RETURN_IF_ERROR(ValidateText("payer_reference", request.payer_reference, 128));
  PAY_RETURN_IF_ERROR(ValidateIdempotencyKey("idempotency_key", request.idempotency_key, false));
  if (request.due_time_ms < 0 || request.expire_time_ms < 0) {
    return absl::InvalidArgumentError("due_time/expire_time: must not be before 1970");
  }
  if (request.expire_time_ms != 0 && request.due_time_ms > request.expire_time_ms) {
    return absl::InvalidArgumentError("expire_time: must not be before due_time");
  }
  return absl::OkStatus();
}

// The checks against the clock, made only for a new fee: a retry after the due time of a fee that
// was accepted returns that fee, as idempotency promises.
Status ValidateFeeTimes(const CreateFeeRequest& request, int64_t now_ms) {
  if (request.due_time_ms != 0 && request.due_time_ms < now_ms) {
    return absl::InvalidArgumentError("due_time: must not be in the past");
  }
  if (request.expire_time_ms != 0 && request.expire_time_ms <= now_ms) {
    return absl::InvalidArgumentError("expire_time: must be in the future");
  }
  return absl::OkStatus();
}

namespace {

Status RequireAgency(const Principal& caller, std::string_view what) {
  if (caller.role != Role::kAgency) {
    return absl::PermissionDeniedError(StrCat("only AGENCY credentials may ", what,
                                                    "; this one is ", RoleName(caller.role)));
  }
  return absl::OkStatus();
}

}  // namespace

FeeState EffectiveFeeState(const Fee& fee, int64_t now_ms) {
  if (fee.state == FeeState::kUnpaid && fee.expire_time_ms != 0 && now_ms >= fee.expire_time_ms) {
    return FeeState::kExpired;
  }
  return fee.state;
}

// Used by gateway_payments.cc too.
std::string IdempotencyKeyFor(std::string_view principal, std::string_view operation,
                              std::string_view key) {
  return StrCat(principal, '\0', operation, '\0', key);
}

Result<Fee> NewFee(const CreateFeeRequest& request, std::string_view agency_id,
                   const std::optional<FeeType>& fee_type, int64_t now_ms) {
  Fee fee;
  if (!request.fee_type_code.empty()) {
    // The version in force now; the fee keeps a snapshot of its terms forever.
    if (!fee_type) {
      return absl::NotFoundError(
          StrCat("fee_type_code: no fee type \"", request.fee_type_code, "\""));
    }
    const FeeTypeVersion* version = VersionInForce(*fee_type, now_ms);
    if (version == nullptr) {
      return absl::FailedPreconditionError(StrCat(
          "fee_type_code: ", request.fee_type_code, " has no version in force yet (",
          "version 1 takes effect at ", fee_type->versions.front().effective_from_ms, " ms)"));
    }
    if (!request.amount.currency().empty() && !(request.amount == version->amount)) {
      return absl::InvalidArgumentError(
          StrCat("amount: ", request.amount.ToString(), " differs from ", request.fee_type_code,
                 " version ", version->version, "'s amount ", version->amount.ToString(),
                 " (leave it out to use the fee type's)"));
    }
    fee.fee_type_code = request.fee_type_code;
    fee.fee_type_version = version->version;
    fee.terms = version->terms;
    fee.amount = version->amount;
  } else {
    fee.amount = request.amount;
  }
  fee.agency_id = std::string(agency_id);
  fee.description = request.description;
  fee.payer_reference = request.payer_reference;
  fee.due_time_ms = request.due_time_ms;
  fee.expire_time_ms = request.expire_time_ms;
  fee.state = FeeState::kUnpaid;
  fee.create_time_ms = now_ms;
  fee.update_time_ms = now_ms;
  return fee;
}

void AppendFeeCreated(WriteSet* write_set, const Fee& fee, std::string_view principal_id,
                      const std::string& idempotency_storage_key, const std::string& fingerprint) {
  LedgerEntry entry;
  entry.type = EntryType::kFeeCreated;
  entry.agency_id = fee.agency_id;
  entry.subject_id = fee.fee_id;
  entry.principal_id = std::string(principal_id);
  entry.to_state = static_cast<uint8_t>(FeeState::kUnpaid);
  entry.amount = fee.amount;
  entry.detail = fee.bill_number;
  // A fee issued under a fee type cites the version: "<code>@<version>".
  if (!fee.fee_type_code.empty()) {
    entry.related_id = StrCat(fee.fee_type_code, "@", fee.fee_type_version);
  }
  const size_t entry_index = write_set->entry_count();
  write_set->Append(std::move(entry));
  PutFee(write_set, fee, entry_index);
  PutPenaltyIndex(write_set, fee);
  write_set->Put(Table::kBills, fee.bill_number, fee.fee_id);
  write_set->Put(Table::kIndex,
                 IndexKey(kFeesByAgency, fee.agency_id, fee.create_time_ms, fee.fee_id), "");
  if (fee.expire_time_ms != 0) {
    write_set->Put(Table::kIndex, ExpiryKey(fee.expire_time_ms, fee.fee_id), "");
  }
  if (!idempotency_storage_key.empty()) {
    write_set->Put(Table::kIdempotency, idempotency_storage_key,
                   EncodeIdempotency({fingerprint, fee.fee_id, fee.create_time_ms}));
  }
}

Result<Fee> GatewayImpl::CreateFee(const Principal& caller, const CreateFeeRequest& request) {
  PAY_RETURN_IF_ERROR(RequireAgency(caller, "issue fees"));
  const int64_t now_ms = NowMs();
  PAY_RETURN_IF_ERROR(ValidateCreateFee(request));
  const std::string fingerprint = FeeFingerprint(request);
  const std::string idempotency_key =
      request.idempotency_key.empty()
          ? std::string()
          : IdempotencyKeyFor(caller.credential_id, "fee", request.idempotency_key);

  for (int attempt = 0; attempt < kBillNumberAttempts; ++attempt) {
    const std::string bill_number = GenerateBillNumber();
    LockTable::Guard guard = locks_.Lock({idempotency_key, "bill:" + bill_number});
    if (!idempotency_key.empty()) {
      PAY_ASSIGN_OR_RETURN(std::optional<IdempotencyRecord> record,
                           LoadIdempotency(idempotency_key));
      if (record) {
        if (record->fingerprint != fingerprint) {
          return absl::AlreadyExistsError(StrCat(
              "idempotency_key: \"", request.idempotency_key,
              "\" was already used for a different fee request (", record->resource_id, ")"));
        }
        PAY_ASSIGN_OR_RETURN(std::optional<Fee> fee, LoadFee(record->resource_id));
        if (!fee) return absl::DataLossError("idempotency record names a fee that is not stored");
        return *fee;
      }
    }
    PAY_ASSIGN_OR_RETURN(std::optional<std::string> taken, ledger_->Get(Table::kBills, bill_number));
    if (taken) continue;  // astronomically rare: draw another number
    PAY_RETURN_IF_ERROR(ValidateFeeTimes(request, now_ms));

    std::optional<FeeType> fee_type;
    if (!request.fee_type_code.empty()) {
      PAY_ASSIGN_OR_RETURN(fee_type, LoadFeeType(caller.agency_ids.at(0), request.fee_type_code));
    }
    PAY_ASSIGN_OR_RETURN(Fee fee, NewFee(request, caller.agency_ids.at(0), fee_type, now_ms));
    fee.fee_id = "fee_" + RandomHex(10);
    fee.bill_number = bill_number;
    WriteSet write_set;
    AppendFeeCreated(&write_set, fee, caller.credential_id, idempotency_key, fingerprint);
    PAY_ASSIGN_OR_RETURN(fee.ledger_sequence, ledger_->Commit(std::move(write_set)));
    return fee;
  }
  return absl::UnavailableError("could not draw an unused bill number; retry");
}

Result<Fee> GatewayImpl::ReadableFee(const Principal& caller, std::string_view fee_id) const {
  if (caller.role != Role::kAgency && caller.role != Role::kAuditor) {
    return absl::PermissionDeniedError(StrCat(
        "only AGENCY and AUDITOR credentials read fees; this one is ", RoleName(caller.role),
        caller.role == Role::kChannel ? " (channels use InquireBill)" : ""));
  }
  PAY_RETURN_IF_ERROR(ValidateId("fee_id", fee_id));
  PAY_ASSIGN_OR_RETURN(std::optional<Fee> fee, LoadFee(fee_id));
  // Another agency's fee is reported exactly like a missing one: its existence is not leaked.
  if (!fee || !caller.CanRead(fee->agency_id)) {
    return absl::NotFoundError(StrCat("fee \"", fee_id, "\" not found"));
  }
  fee->state = EffectiveFeeState(*fee, NowMs());
  return *std::move(fee);
}

Result<Fee> GatewayImpl::GetFee(const Principal& caller, std::string_view fee_id) const {
  PAY_ASSIGN_OR_RETURN(Fee fee, ReadableFee(caller, fee_id));
  // Penalties due are shown even before the sweep charges them (as EXPIRED is).
  ProjectPenalties(&fee, NowMs());
  return fee;
}

// Resolves which agency a listing covers for `caller`.
Result<std::string> ListingAgency(const Principal& caller, std::string_view requested) {
  if (caller.role != Role::kAgency && caller.role != Role::kAuditor) {
    return absl::PermissionDeniedError(StrCat(
        "only AGENCY and AUDITOR credentials list by agency; this one is ", RoleName(caller.role)));
  }
  if (requested.empty()) {
    if (caller.agency_ids.size() == 1) return caller.agency_ids[0];
    return absl::InvalidArgumentError(
        "agency_id: required, this credential is granted several agencies");
  }
  if (!caller.CanRead(requested)) {
    return absl::PermissionDeniedError(
        StrCat("agency_id: this credential may not read agency \"", requested, "\""));
  }
  return std::string(requested);
}

Result<ListFeesResult> GatewayImpl::ListFees(const Principal& caller,
                                             const ListFeesRequest& request) const {
  PAY_ASSIGN_OR_RETURN(std::string agency_id, ListingAgency(caller, request.agency_id));
  PAY_ASSIGN_OR_RETURN(int32_t page_size, PageSize(request.page_size));
  const int64_t now_ms = NowMs();
  ListFeesResult result;
  PAY_ASSIGN_OR_RETURN(
      result.next_page_token,
      ScanIndex(IndexPrefix(kFeesByAgency, agency_id), request.page_token,
                request.create_time_from_ms, request.create_time_to_ms, page_size,
                [&](std::string_view fee_id) -> Result<bool> {
                  PAY_ASSIGN_OR_RETURN(std::optional<Fee> fee, LoadFee(fee_id));
                  if (!fee) return absl::DataLossError("fee index names a fee that is not stored");
                  fee->state = EffectiveFeeState(*fee, now_ms);
                  ProjectPenalties(&*fee, now_ms);
                  if (request.state && fee->state != *request.state) return false;
                  result.fees.push_back(*std::move(fee));
                  return true;
                }));
  return result;
}

Result<Fee> GatewayImpl::CancelFee(const Principal& caller, std::string_view fee_id,
                                   std::string_view reason) {
  PAY_RETURN_IF_ERROR(RequireAgency(caller, "cancel fees"));
  PAY_RETURN_IF_ERROR(ValidateText("reason", reason, 500));
  PAY_ASSIGN_OR_RETURN(Fee unlocked, ReadableFee(caller, fee_id));
  LockTable::Guard guard = locks_.Lock({"bill:" + unlocked.bill_number});
  PAY_ASSIGN_OR_RETURN(Fee fee, ReadableFee(caller, fee_id));  // again, under the lock
  if (!fee.active_payment_id.empty()) {
    return absl::FailedPreconditionError(StrCat(
        "fee is UNPAID with payment ", fee.active_payment_id,
        " in progress; it cannot be cancelled until that payment's outcome is known"));
  }
  PAY_RETURN_IF_ERROR(CheckTransition(fee.state, FeeState::kCancelled));
  const int64_t now_ms = NowMs();
  LedgerEntry entry;
  entry.type = EntryType::kFeeStateChanged;
  entry.agency_id = fee.agency_id;
  entry.subject_id = fee.fee_id;
  entry.principal_id = caller.credential_id;
  entry.from_state = static_cast<uint8_t>(fee.state);
  entry.to_state = static_cast<uint8_t>(FeeState::kCancelled);
  entry.detail = std::string(reason);
  fee.state = FeeState::kCancelled;
  fee.update_time_ms = now_ms;
  WriteSet write_set;
  write_set.Append(std::move(entry));
  PutFee(&write_set, fee, 0);
  PAY_ASSIGN_OR_RETURN(fee.ledger_sequence, ledger_->Commit(std::move(write_set)));
  return fee;
}

Result<BillInquiry> GatewayImpl::InquireBill(const Principal& caller,
                                             std::string_view bill_number) const {
  if (caller.role == Role::kAdmin) {
    return absl::PermissionDeniedError("ADMIN credentials do not inquire bills");
  }
  PAY_ASSIGN_OR_RETURN(std::string canonical, ParseBillNumber(bill_number, "bill_number"));
  const Status not_found =
      absl::NotFoundError(StrCat("bill_number: no bill ", FormatBillNumber(canonical)));
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> fee_id, ledger_->Get(Table::kBills, canonical));
  if (!fee_id) return not_found;
  PAY_ASSIGN_OR_RETURN(std::optional<Fee> fee, LoadFee(*fee_id));
  if (!fee) return absl::DataLossError("bill index names a fee that is not stored");
  if (caller.role != Role::kChannel && !caller.CanRead(fee->agency_id)) return not_found;
  PAY_ASSIGN_OR_RETURN(std::optional<Agency> agency, LoadAgency(fee->agency_id));

  BillInquiry inquiry;
  inquiry.bill_number = fee->bill_number;
  inquiry.agency_id = fee->agency_id;
  if (agency) inquiry.agency_name = agency->name;
  const int64_t now_ms = NowMs();
  inquiry.state = EffectiveFeeState(*fee, now_ms);
  // What is owed now: the amount with the penalties due (charged or not yet), less what was paid
  // and waived.
  ProjectPenalties(&*fee, now_ms);
  inquiry.amount_due = Money::Create(fee->amount.currency(),
                                     IsPayable(inquiry.state) ? AmountDueMinorUnits(*fee) : 0)
                           .value();
  inquiry.description = fee->description;
  inquiry.due_time_ms = fee->due_time_ms;
  inquiry.expire_time_ms = fee->expire_time_ms;
  return inquiry;
}

std::string ExpiryKey(int64_t expire_time_ms, std::string_view fee_id) {
  std::string key = StrCat(kFeesByExpiry, '\0');
  PutFixed64(&key, static_cast<uint64_t>(expire_time_ms));
  key.append(fee_id);
  return key;
}

Result<size_t> GatewayImpl::ExpireDueFees() {
  constexpr size_t kMaxPerCall = 1000;  // the next call continues
  const int64_t now_ms = NowMs();
  const std::string prefix = StrCat(kFeesByExpiry, '\0');
  std::vector<std::pair<std::string, std::string>> due;  // index key, fee id
  PAY_RETURN_IF_ERROR(ledger_->Scan(
      Table::kIndex, prefix, "", /*reverse=*/false, [&](std::string_view key, std::string_view) {
        if (key.size() < prefix.size() + 8) return true;
        const int64_t expire_ms = static_cast<int64_t>(DecodeFixed64(key.data() + prefix.size()));
        if (expire_ms > now_ms) return false;  // in time order: nothing later is due
        due.emplace_back(std::string(key), std::string(key.substr(prefix.size() + 8)));
        return due.size() < kMaxPerCall;
      }));
  size_t expired = 0;
  for (const auto& [index_key, fee_id] : due) {
    PAY_ASSIGN_OR_RETURN(std::optional<Fee> unlocked, LoadFee(fee_id));
    if (!unlocked) return absl::DataLossError("expiry index names a fee that is not stored");
    LockTable::Guard guard = locks_.Lock({"bill:" + unlocked->bill_number});
    PAY_ASSIGN_OR_RETURN(std::optional<Fee> fee, LoadFee(fee_id));
    if (!fee) return absl::DataLossError("expiry index names a fee that is not stored");
    if (fee->state == FeeState::kUnpaid && !fee->active_payment_id.empty()) continue;
    WriteSet write_set;
    if (fee->state == FeeState::kUnpaid) {
      LedgerEntry entry;
      entry.type = EntryType::kFeeStateChanged;
      entry.agency_id = fee->agency_id;
      entry.subject_id = fee->fee_id;
      entry.principal_id = kSystemPrincipal;
      entry.from_state = static_cast<uint8_t>(FeeState::kUnpaid);
      entry.to_state = static_cast<uint8_t>(FeeState::kExpired);
      entry.detail = "expire_time passed";
      write_set.Append(std::move(entry));
      fee->state = FeeState::kExpired;
      fee->update_time_ms = now_ms;
      PutFee(&write_set, *fee, 0);
      ++expired;
    }
    write_set.Delete(Table::kIndex, index_key);  // final now (expired, paid or cancelled)
    PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  }
  return expired;
}

}  // namespace pay::internal
