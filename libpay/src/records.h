// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Stored records (fees, payments, agencies, credentials, idempotency keys) and their byte
// encodings (coding.h). Every record starts
// with a format version byte so that later versions can read older data.

#ifndef PAY_SRC_RECORDS_H_
#define PAY_SRC_RECORDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pay/fee.h"
#include "pay/fee_type.h"
#include "pay/ledger_entry.h"
#include "pay/money.h"
#include "pay/payment.h"
#include "pay/principal.h"
#include "pay/status.h"

namespace pay::internal {

// Remembers what an idempotency key was first used for.
struct IdempotencyRecord {
  std::string fingerprint;  // BLAKE2b-256 of the canonical request
  std::string resource_id;  // the fee or payment created
  int64_t create_time_ms = 0;
};

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

// A fee type with all its versions (Table::kFeeTypes, key agency_id NUL code).
std::string EncodeFeeType(const FeeType& fee_type);
Status DecodeFeeType(std::string_view bytes, FeeType* fee_type);

}  // namespace pay::internal

#endif  // PAY_SRC_RECORDS_H_
