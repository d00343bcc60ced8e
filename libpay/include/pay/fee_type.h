// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The fee catalogue: the fee types an agency defines, each with immutable, append-only versions
// that take effect on a date. A fee issued at time T under a type uses the version with the
// greatest effective_from <= T and keeps a snapshot of its terms (Fee::terms) forever.

#ifndef PAY_FEE_TYPE_H_
#define PAY_FEE_TYPE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "pay/fee.h"
#include "pay/fee_terms.h"
#include "pay/money.h"

namespace pay {

// Times are Unix milliseconds (UTC).
struct FeeTypeVersion {
  int32_t version = 0;  // 1, 2, ... in order of definition
  int64_t effective_from_ms = 0;
  Money amount;  // the amount of a fee issued under this version
  FeeTerms terms;
  std::string defined_by;  // credential id
  int64_t define_time_ms = 0;
  uint64_t ledger_sequence = 0;  // its FEE_TYPE_DEFINED entry
  friend bool operator==(const FeeTypeVersion&, const FeeTypeVersion&) = default;
};

struct FeeType {
  std::string agency_id;
  std::string code;  // 1..32 of [A-Z0-9_-], unique within the agency
  LocalizedText name;
  std::vector<FeeTypeVersion> versions;  // oldest first; never empty once stored
  friend bool operator==(const FeeType&, const FeeType&) = default;
};

// Defines a fee type (version 1) or appends its next version. `name` is required for version 1;
// for later versions an empty name keeps the current one.
struct DefineFeeTypeRequest {
  std::string code;
  LocalizedText name;
  Money amount;
  FeeTerms terms;
  // When the version takes effect; 0 means now. Never in the past, and after the previous
  // version's effective_from.
  int64_t effective_from_ms = 0;
};

struct ListFeeTypesRequest {
  int32_t page_size = 0;  // 0 -> 100; at most 1000
  std::string page_token;
  std::string agency_id;  // required only for AUDITORs granted several agencies
};

struct ListFeeTypesResult {
  std::vector<FeeType> fee_types;  // by code
  std::string next_page_token;
};

// Reduces what a payer owes (an approver's decision, recorded with its reason).
struct WaiveFeeRequest {
  std::string fee_id;
  Money amount;        // 0 < amount <= the amount due, in the fee's currency
  std::string reason;  // required
};

}  // namespace pay

#endif  // PAY_FEE_TYPE_H_
