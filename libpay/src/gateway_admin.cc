// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// AdminService: agencies and credentials.

#include "str_util.h"
#include "coding.h"
#include "gateway_internal.h"

namespace pay::internal {
namespace {

Status RequireAdmin(const Principal& caller) {
  if (caller.role != Role::kAdmin) {
    return absl::PermissionDeniedError(
        StrCat("only ADMIN credentials manage agencies and credentials; this one is ",
                     RoleName(caller.role)));
  }
  return absl::OkStatus();
}

Status ValidateAgencyId(std::string_view field, std::string_view id) {
  bool ok = id.size() >= 2 && id.size() <= 32 && id[0] >= 'a' && id[0] <= 'z';
  for (char c : id) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!ok) {
    return absl::InvalidArgumentError(StrCat(
        field, ": 2 to 32 characters of a-z, 0-9 and '-', starting with a letter (e.g. "
               "\"passports\")"));
  }
  return absl::OkStatus();
}

// The agency whose chain a credential's entries belong to ("" for gateway-wide ones).
std::string CredentialAgency(const Credential& credential) {
  if (credential.agency_ids.size() != 1 || credential.agency_ids[0] == kAllAgencies) return "";
  return credential.agency_ids[0];
}

}  // namespace

Result<Agency> GatewayImpl::CreateAgency(const Principal& caller,
                                         const CreateAgencyRequest& request) {
  PAY_RETURN_IF_ERROR(RequireAdmin(caller));
  PAY_RETURN_IF_ERROR(ValidateAgencyId("agency_id", request.agency_id));
  PAY_RETURN_IF_ERROR(ValidateLocalizedText("name", request.name, 200, /*required=*/true));

  LockTable::Guard guard = locks_.Lock({"agency:" + request.agency_id});
  PAY_ASSIGN_OR_RETURN(std::optional<Agency> existing, LoadAgency(request.agency_id));
  if (existing) {
    return absl::AlreadyExistsError(
        StrCat("agency_id: agency \"", request.agency_id, "\" already exists"));
  }
  Agency agency{request.agency_id, request.name, NowMs()};
  WriteSet write_set;
  write_set.Put(Table::kAgencies, agency.agency_id, EncodeAgency(agency));
  LedgerEntry entry;
  entry.type = EntryType::kAgencyCreated;
  entry.agency_id = agency.agency_id;
  entry.subject_id = agency.agency_id;
  entry.principal_id = caller.credential_id;
  write_set.Append(std::move(entry));
  PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  return agency;
}

Result<ListAgenciesResult> GatewayImpl::ListAgencies(const Principal& caller, int32_t page_size,
                                                     std::string_view page_token) const {
  PAY_RETURN_IF_ERROR(RequireAdmin(caller));
  PAY_ASSIGN_OR_RETURN(int32_t limit, PageSize(page_size));
  std::string start_after;
  if (!page_token.empty()) {
    PAY_ASSIGN_OR_RETURN(start_after, DecodePageToken(page_token, ""));
  }
  ListAgenciesResult result;
  Status decode_status;
  bool more = false;
  PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kAgencies, "", start_after, /*reverse=*/false,
                                    [&](std::string_view, std::string_view value) {
                                      if (static_cast<int32_t>(result.agencies.size()) == limit) {
                                        more = true;
                                        return false;
                                      }
                                      Agency agency;
                                      decode_status = DecodeAgency(value, &agency);
                                      if (!decode_status.ok()) return false;
                                      result.agencies.push_back(std::move(agency));
                                      return true;
                                    }));
  PAY_RETURN_IF_ERROR(decode_status);
  if (more) result.next_page_token = EncodePageToken(result.agencies.back().agency_id);
  return result;
}

Result<IssuedCredential> GatewayImpl::CreateCredential(const Principal& caller,
                                                       const CreateCredentialRequest& request) {
  PAY_RETURN_IF_ERROR(RequireAdmin(caller));
  PAY_RETURN_IF_ERROR(ValidateText("display_name", request.display_name, 100));
  const size_t agency_count = request.agency_ids.size();
  switch (request.role) {
    case Role::kAgency:
      if (agency_count != 1) {
        return absl::InvalidArgumentError(StrCat(
            "agency_ids: an AGENCY credential acts for exactly one agency, got ", agency_count));
      }
      break;
    case Role::kAuditor:
      if (agency_count == 0) {
        return absl::InvalidArgumentError(
            "agency_ids: an AUDITOR credential needs at least one agency to audit");
      }
      break;
    case Role::kChannel:
    case Role::kAdmin:
      if (agency_count != 0) {
        return absl::InvalidArgumentError(StrCat(
            "agency_ids: a ", RoleName(request.role), " credential is not tied to agencies"));
      }
      break;
  }
  if (request.approver && request.role != Role::kAgency) {
    return absl::InvalidArgumentError(
        StrCat("approver: only AGENCY credentials approve refunds and waive fees, not ",
               RoleName(request.role)));
  }
  for (size_t i = 0; i < agency_count; ++i) {
    if (request.role == Role::kAuditor && request.agency_ids[i] == kAllAgencies) continue;
    PAY_ASSIGN_OR_RETURN(std::optional<Agency> agency, LoadAgency(request.agency_ids[i]));
    if (!agency) {
      return absl::InvalidArgumentError(StrCat("agency_ids[", i, "]: agency \"",
                                                     request.agency_ids[i], "\" does not exist"));
    }
  }

  IssuedCredential issued;
  issued.api_key = NewApiKey();
  Credential& credential = issued.credential;
  credential.credential_id = "cred_" + RandomHex(8);
  credential.role = request.role;
  credential.agency_ids = request.agency_ids;
  credential.display_name = request.display_name;
  credential.approver = request.approver;
  credential.create_time_ms = NowMs();

  WriteSet write_set;
  write_set.Put(Table::kCredentials, credential.credential_id, EncodeCredential(credential));
  write_set.Put(Table::kCredentialKeys, HashApiKey(issued.api_key), credential.credential_id);
  LedgerEntry entry;
  entry.type = EntryType::kCredentialCreated;
  // The entry belongs to the one agency the credential acts for or audits; a credential of several
  // agencies, or of every one ("*"), is gateway-wide.
  entry.agency_id = CredentialAgency(credential);
  entry.subject_id = credential.credential_id;
  entry.principal_id = caller.credential_id;
  entry.detail = std::string(RoleName(request.role));
  write_set.Append(std::move(entry));
  PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  return issued;
}

Result<Credential> GatewayImpl::RevokeCredential(const Principal& caller,
                                                 std::string_view credential_id) {
  PAY_RETURN_IF_ERROR(RequireAdmin(caller));
  PAY_RETURN_IF_ERROR(ValidateId("credential_id", credential_id));
  if (credential_id == caller.credential_id) {
    return absl::FailedPreconditionError(
        "credential_id: a credential cannot revoke itself; use another ADMIN key");
  }
  LockTable::Guard guard = locks_.Lock({StrCat("credential:", credential_id)});
  PAY_ASSIGN_OR_RETURN(std::optional<Credential> credential, LoadCredential(credential_id));
  if (!credential) {
    return absl::NotFoundError(StrCat("credential \"", credential_id, "\" does not exist"));
  }
  if (credential->revoked) return *credential;  // revoking twice is not an error
  credential->revoked = true;
  credential->revoke_time_ms = NowMs();
  WriteSet write_set;
  write_set.Put(Table::kCredentials, credential->credential_id, EncodeCredential(*credential));
  LedgerEntry entry;
  entry.type = EntryType::kCredentialRevoked;
  entry.agency_id = CredentialAgency(*credential);
  entry.subject_id = credential->credential_id;
  entry.principal_id = caller.credential_id;
  write_set.Append(std::move(entry));
  PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  return *credential;
}

}  // namespace pay::internal
