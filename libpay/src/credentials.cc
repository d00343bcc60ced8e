// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Roles, principals and API keys. An API key is "payk_" followed by 32 random bytes in hex; the
// store keeps only its BLAKE2b-256 hash. The keys carry 256 bits of entropy, so a fast hash is
// enough: no password-stretching is needed to make guessing hopeless.

#include <algorithm>

#include "coding.h"
#include "gateway_internal.h"
#include "pay/gateway.h"
#include "pay/principal.h"

namespace pay {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAgency: return "AGENCY";
    case Role::kChannel: return "CHANNEL";
    case Role::kAuditor: return "AUDITOR";
    case Role::kAdmin: return "ADMIN";
  }
  return "UNKNOWN";
}

std::optional<Role> RoleFromByte(uint8_t value) {
  if (value < 1 || value > 4) return std::nullopt;
  return static_cast<Role>(value);
}

bool Principal::CanRead(std::string_view agency_id) const {
  if (role != Role::kAgency && role != Role::kAuditor) return false;
  if (role == Role::kAuditor && std::find(agency_ids.begin(), agency_ids.end(), kAllAgencies) !=
                                    agency_ids.end()) {
    return true;
  }
  return std::find(agency_ids.begin(), agency_ids.end(), agency_id) != agency_ids.end();
}

namespace internal {

std::string HashApiKey(std::string_view api_key) { return Blake2b256(api_key); }

std::string NewApiKey() { return "payk_" + RandomHex(32); }

}  // namespace internal
}  // namespace pay
