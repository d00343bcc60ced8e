// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The fee catalogue: defining fee types and their versions, reading and listing them.
//
// A fee type is one record in Table::kFeeTypes (key agency_id NUL code) holding every version.
// Versions are appended under the fee type's lock, each with a FEE_TYPE_DEFINED entry in the same
// write; they are never changed, and their effective_from is never in the past, so that no
// version can change the terms of a fee already issued.

#include "fee_catalogue.h"
#include "gateway_internal.h"
#include "str_util.h"

namespace pay::internal {
namespace {

std::string FeeTypeKey(std::string_view agency_id, std::string_view code) {
  return StrCat(agency_id, '\0', code);
}

std::string FeeTypeLock(std::string_view agency_id, std::string_view code) {
  return StrCat("fee-type:", agency_id, '\0', code);
}

}  // namespace

Result<std::optional<FeeType>> GatewayImpl::LoadFeeType(std::string_view agency_id,
                                                        std::string_view code) const {
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                       ledger_->Get(Table::kFeeTypes, FeeTypeKey(agency_id, code)));
  if (!bytes) return std::nullopt;
  FeeType fee_type;
  PAY_RETURN_IF_ERROR(DecodeFeeType(*bytes, &fee_type));
  return fee_type;
}

Result<FeeType> GatewayImpl::DefineFeeType(const Principal& caller,
                                           const DefineFeeTypeRequest& request) {
  if (caller.role != Role::kAgency) {
    return absl::PermissionDeniedError(
        StrCat("only AGENCY credentials define fee types; this one is ", RoleName(caller.role)));
  }
  PAY_RETURN_IF_ERROR(ValidateFeeTypeCode("code", request.code));
  PAY_RETURN_IF_ERROR(ValidateLocalizedText("name", request.name, 200, /*required=*/false));
  PAY_RETURN_IF_ERROR(ValidateFeeTerms(request.amount, request.terms));
  if (request.effective_from_ms < 0) {
    return absl::InvalidArgumentError("effective_from: must not be before 1970");
  }
  const std::string agency_id = caller.agency_ids.at(0);
  LockTable::Guard guard = locks_.Lock({FeeTypeLock(agency_id, request.code)});
  const int64_t now_ms = NowMs();
  PAY_ASSIGN_OR_RETURN(std::optional<FeeType> existing, LoadFeeType(agency_id, request.code));
  FeeType fee_type;
  if (existing) {
    fee_type = *std::move(existing);
  } else {
    PAY_RETURN_IF_ERROR(ValidateLocalizedText("name", request.name, 200, /*required=*/true));
    fee_type.agency_id = agency_id;
    fee_type.code = request.code;
  }
  if (!request.name.en.empty() || !request.name.ar.empty()) fee_type.name = request.name;
  if (fee_type.versions.size() >= kMaxFeeTypeVersions) {
    return absl::FailedPreconditionError(StrCat(
        "fee type ", request.code, " has ", kMaxFeeTypeVersions, " versions, the most allowed"));
  }
  const int64_t effective_from_ms =
      request.effective_from_ms == 0 ? now_ms : request.effective_from_ms;
  if (effective_from_ms < now_ms) {
    return absl::InvalidArgumentError(
        "effective_from: must not be in the past (a version never changes fees already issued)");
  }
  if (!fee_type.versions.empty()) {
    const FeeTypeVersion& last = fee_type.versions.back();
    if (effective_from_ms <= last.effective_from_ms) {
      return absl::InvalidArgumentError(StrCat("effective_from: must be after version ",
                                               last.version, "'s effective_from (",
                                               last.effective_from_ms, " ms)"));
    }
    if (request.amount.currency() != last.amount.currency()) {
      return absl::InvalidArgumentError(StrCat("amount: currency ", request.amount.currency(),
                                               " differs from the fee type's ",
                                               last.amount.currency()));
    }
  }

  FeeTypeVersion version;
  version.version = static_cast<int32_t>(fee_type.versions.size()) + 1;
  version.effective_from_ms = effective_from_ms;
  version.amount = request.amount;
  version.terms = request.terms;
  version.defined_by = caller.credential_id;
  version.define_time_ms = now_ms;
  fee_type.versions.push_back(version);

  LedgerEntry entry;
  entry.type = EntryType::kFeeTypeDefined;
  entry.agency_id = agency_id;
  entry.subject_id = StrCat(fee_type.code, "@", version.version);
  entry.principal_id = caller.credential_id;
  entry.amount = version.amount;
  entry.detail = FeeTermsText(version);
  WriteSet write_set;
  write_set.Append(std::move(entry));
  write_set.PutStamped(Table::kFeeTypes, FeeTypeKey(agency_id, fee_type.code), 0,
                       [record = fee_type](uint64_t sequence) mutable {
                         record.versions.back().ledger_sequence = sequence;
                         return EncodeFeeType(record);
                       });
  PAY_ASSIGN_OR_RETURN(uint64_t sequence, ledger_->Commit(std::move(write_set)));
  fee_type.versions.back().ledger_sequence = sequence;
  return fee_type;
}

Result<FeeType> GatewayImpl::GetFeeType(const Principal& caller, std::string_view code,
                                        std::string_view agency_id) const {
  PAY_ASSIGN_OR_RETURN(std::string agency, ListingAgency(caller, agency_id));
  PAY_RETURN_IF_ERROR(ValidateFeeTypeCode("code", code));
  PAY_ASSIGN_OR_RETURN(std::optional<FeeType> fee_type, LoadFeeType(agency, code));
  if (!fee_type) {
    return absl::NotFoundError(StrCat("code: agency ", agency, " has no fee type ", code));
  }
  return *std::move(fee_type);
}

Result<ListFeeTypesResult> GatewayImpl::ListFeeTypes(const Principal& caller,
                                                     const ListFeeTypesRequest& request) const {
  PAY_ASSIGN_OR_RETURN(std::string agency_id, ListingAgency(caller, request.agency_id));
  PAY_ASSIGN_OR_RETURN(int32_t page_size, PageSize(request.page_size));
  const std::string prefix = StrCat(agency_id, '\0');
  std::string start_after;
  if (!request.page_token.empty()) {
    PAY_ASSIGN_OR_RETURN(start_after, DecodePageToken(request.page_token, prefix));
  }
  ListFeeTypesResult result;
  std::string last_key;
  bool more = false;
  Status decoded;
  PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kFeeTypes, prefix, start_after, /*reverse=*/false,
                                    [&](std::string_view key, std::string_view value) {
                                      if (static_cast<int32_t>(result.fee_types.size()) ==
                                          page_size) {
                                        more = true;
                                        return false;
                                      }
                                      FeeType fee_type;
                                      decoded = DecodeFeeType(value, &fee_type);
                                      if (!decoded.ok()) return false;
                                      result.fee_types.push_back(std::move(fee_type));
                                      last_key = std::string(key);
                                      return true;
                                    }));
  PAY_RETURN_IF_ERROR(decoded);
  if (more) result.next_page_token = EncodePageToken(last_key);
  return result;
}

// The version of `fee_type` in force at `time_ms`: the greatest effective_from <= time_ms.
const FeeTypeVersion* VersionInForce(const FeeType& fee_type, int64_t time_ms) {
  const FeeTypeVersion* found = nullptr;
  for (const FeeTypeVersion& version : fee_type.versions) {
    if (version.effective_from_ms <= time_ms) found = &version;
  }
  return found;
}

}  // namespace pay::internal
