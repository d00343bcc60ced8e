// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Fees (bills): what an agency issues and a citizen pays by quoting the bill number.

#ifndef PAY_FEE_H_
#define PAY_FEE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pay/fee_terms.h"
#include "pay/money.h"
#include "pay/payment_state.h"

namespace pay {

// A text in English and Arabic (UTF-8). Citizens are shown both.
struct LocalizedText {
  std::string en;
  std::string ar;
  friend bool operator==(const LocalizedText&, const LocalizedText&) = default;
};

// Times are Unix milliseconds (UTC); 0 means "not set".
struct Fee {
  std::string fee_id;       // "fee_" + 20 hex digits
  std::string agency_id;    // the issuing agency
  std::string bill_number;  // canonical 16 digits (see bill_number.h)
  Money amount;
  LocalizedText description;
  std::string payer_reference;  // private to the agency
  int64_t due_time_ms = 0;
  int64_t expire_time_ms = 0;
  FeeState state = FeeState::kUnpaid;
  std::string paid_by_payment_id;  // set once PAID
  // The payment in flight (PENDING/PROCESSING) for this fee, if any. At most one at a time, so
  // that a fee is never collected twice.
  std::string active_payment_id;
  int64_t create_time_ms = 0;
  int64_t update_time_ms = 0;
  uint64_t ledger_sequence = 0;  // the entry that produced the current state
  // The fee type it was issued under ("" for none: EXACT, REFUSE, all to revenue/<agency>), the
  // version in force at create_time and a snapshot of that version's terms.
  std::string fee_type_code;
  int32_t fee_type_version = 0;
  FeeTerms terms;
  // In the currency of `amount`: what payments have paid, the penalties charged and the amounts
  // waived so far. The amount due is amount + penalty_total - waived_total - amount_paid.
  int64_t amount_paid_minor_units = 0;
  int64_t penalty_total_minor_units = 0;
  int64_t waived_total_minor_units = 0;
  int32_t penalty_periods = 0;  // periods after due_time whose penalty has been charged

  friend bool operator==(const Fee&, const Fee&) = default;
};

// What is still owed on `fee` in the minor units of its currency (never negative for a stored fee:
// payments, waivers and penalties keep it at or above zero).
inline int64_t AmountDueMinorUnits(const Fee& fee) {
  return fee.amount.minor_units() + fee.penalty_total_minor_units - fee.waived_total_minor_units -
         fee.amount_paid_minor_units;
}

struct CreateFeeRequest {
  Money amount;
  LocalizedText description;
  std::string payer_reference;
  int64_t due_time_ms = 0;
  int64_t expire_time_ms = 0;
  std::string idempotency_key;  // optional
  // Optional: issue the fee under this fee type of the caller's agency. `amount` then comes from
  // the version in force; when it is also given it must equal it.
  std::string fee_type_code;
};

// Filters and paging of ListFees. Page tokens are opaque and tied to the filters.
struct ListFeesRequest {
  int32_t page_size = 0;  // 0 -> 100; at most 1000
  std::string page_token;
  std::optional<FeeState> state;
  int64_t create_time_from_ms = 0;  // inclusive; 0 = unbounded
  int64_t create_time_to_ms = 0;    // exclusive; 0 = unbounded
  std::string agency_id;            // required only for AUDITORs granted several agencies
};

struct ListFeesResult {
  std::vector<Fee> fees;
  std::string next_page_token;
};

// What a counter or kiosk may show about a bill: nothing private of the payer.
struct BillInquiry {
  std::string bill_number;
  std::string agency_id;
  LocalizedText agency_name;
  Money amount_due;  // zero (same currency) when the fee is no longer payable
  FeeState state = FeeState::kUnpaid;
  LocalizedText description;
  int64_t due_time_ms = 0;
  int64_t expire_time_ms = 0;
};

// Bulk issuance (Gateway::CreateFees): one batch of fees committed as one ledger write.
// The most fees one batch may carry: a batch is validated, locked and committed whole, so it
// bounds the memory and the lock-holding time of one call.
inline constexpr size_t kMaxFeesPerBatch = 10'000;

struct CreateFeesResult {
  // One per request, in request order: the fee issued now, or the fee its idempotency key issued
  // before (a replay).
  std::vector<Fee> fees;
  // Per request: whether this call issued its fee (false for a replay, and for a repeat of an
  // earlier request of the batch with the same key).
  std::vector<bool> issued_now;
  // How many fees this call issued (the true values of issued_now).
  size_t created = 0;
  // The sequence number of the batch's last FEE_CREATED entry; when nothing was issued, the
  // ledger's last sequence at the time.
  uint64_t ledger_sequence = 0;
};

}  // namespace pay

#endif  // PAY_FEE_H_
