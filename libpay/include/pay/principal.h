// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Who calls: agencies (directorates), channels, credentials and the principal a call acts as.

#ifndef PAY_PRINCIPAL_H_
#define PAY_PRINCIPAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pay/fee.h"

namespace pay {

// Numeric values are stored: never renumber.
enum class Role : uint8_t {
  kAgency = 1,   // a directorate: issues fees, collects, sees only its own data
  kChannel = 2,  // a bank, wallet or kiosk network: inquires any bill, pays bills
  kAuditor = 3,  // read-only across the agencies it is granted
  kAdmin = 4,    // manages agencies and credentials
};

std::string_view RoleName(Role role);  // "AGENCY", "CHANNEL", "AUDITOR", "ADMIN"
std::optional<Role> RoleFromByte(uint8_t value);

// The authenticated caller of one request, resolved from a credential.
struct Principal {
  std::string credential_id;  // scopes idempotency keys
  Role role = Role::kAgency;
  std::vector<std::string> agency_ids;  // AGENCY: one; AUDITOR: those granted
  // AGENCY only: may approve another principal's refunds (maker-checker) and waive fees.
  bool approver = false;

  // True when the principal may read `agency_id`'s data (AGENCY: its own; AUDITOR: granted).
  bool CanRead(std::string_view agency_id) const;
};

struct Agency {
  std::string agency_id;  // 2..32 of [a-z0-9-], starting with a letter
  LocalizedText name;
  int64_t create_time_ms = 0;
};

struct Credential {
  std::string credential_id;  // "cred_" + 16 hex digits
  Role role = Role::kAgency;
  std::vector<std::string> agency_ids;
  std::string display_name;
  bool approver = false;  // see Principal::approver
  int64_t create_time_ms = 0;
  bool revoked = false;
  int64_t revoke_time_ms = 0;
};

struct CreateAgencyRequest {
  std::string agency_id;
  LocalizedText name;
};

struct CreateCredentialRequest {
  Role role = Role::kAgency;
  std::vector<std::string> agency_ids;
  std::string display_name;
  bool approver = false;  // AGENCY only
};

// A new credential and its plain API key. The key exists only in this value: the store keeps
// its BLAKE2b-256 hash.
struct IssuedCredential {
  Credential credential;
  std::string api_key;  // "payk_" + 64 hex digits
};

struct ListAgenciesResult {
  std::vector<Agency> agencies;
  std::string next_page_token;
};

}  // namespace pay

#endif  // PAY_PRINCIPAL_H_
