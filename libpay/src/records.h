// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Stored records and ledger entries, and their byte encodings (coding.h). Every record starts
// with a format version byte so that later versions can read older data.

#ifndef PAY_SRC_RECORDS_H_
#define PAY_SRC_RECORDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pay/fee.h"
#include "pay/money.h"
#include "pay/payment.h"
#include "pay/principal.h"
#include "pay/status.h"

namespace pay::internal {

// What a ledger entry records. Numeric values are stored: never renumber, only append.
enum class EntryType : uint8_t {
  kAgencyCreated = 1,
  kCredentialCreated = 2,
  kCredentialRevoked = 3,
  kFeeCreated = 4,
  kFeeStateChanged = 5,
  kPaymentCreated = 6,
  kPaymentStateChanged = 7,
};

std::string_view EntryTypeName(EntryType type);

// One state change. The ledger assigns `sequence` and `time_ms` when it commits the entry.
// States are the numeric values of PaymentState / FeeState (0: not applicable).
struct LedgerEntry {
  uint64_t sequence = 0;
  int64_t time_ms = 0;
  EntryType type = EntryType::kFeeCreated;
  std::string agency_id;     // the agency whose data changed ("" for admin entries)
  std::string subject_id;    // fee, payment, agency or credential id
  std::string related_id;    // payment of a fee change, fee of a payment change
  std::string principal_id;  // credential that caused it ("system" for payd itself)
  uint8_t from_state = 0;
  uint8_t to_state = 0;
  Money amount;        // empty when no money is involved
  std::string detail;  // reason, failure code, connector reference

  friend bool operator==(const LedgerEntry&, const LedgerEntry&) = default;
};

// Remembers what an idempotency key was first used for.
struct IdempotencyRecord {
  std::string fingerprint;  // BLAKE2b-256 of the canonical request
  std::string resource_id;  // the fee or payment created
  int64_t create_time_ms = 0;
};

std::string EncodeEntry(const LedgerEntry& entry);
Status DecodeEntry(std::string_view bytes, LedgerEntry* entry);

std::string EncodeFee(const Fee& fee);
Status DecodeFee(std::string_view bytes, Fee* fee);

std::string EncodePayment(const Payment& payment);
Status DecodePayment(std::string_view bytes, Payment* payment);

std::string EncodeAgency(const Agency& agency);
Status DecodeAgency(std::string_view bytes, Agency* agency);

std::string EncodeCredential(const Credential& credential);
Status DecodeCredential(std::string_view bytes, Credential* credential);

std::string EncodeIdempotency(const IdempotencyRecord& record);
Status DecodeIdempotency(std::string_view bytes, IdempotencyRecord* record);

}  // namespace pay::internal

#endif  // PAY_SRC_RECORDS_H_
