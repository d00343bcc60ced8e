// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Parsing of command-line values into request fields. Every function checks its input locally,
// before anything is sent, and on error returns kInvalidArgument whose message starts with the
// flag ("--amount: ...") and says what was expected; main prints it and exits with code 2.

#ifndef PAY_TOOLS_PAYCLI_INPUT_H_
#define PAY_TOOLS_PAYCLI_INPUT_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "pay/v1/common.pb.h"

namespace paycli {

// Limit for --expire-in: ten years is beyond any real fee and far from overflowing a timestamp.
inline constexpr int64_t kMaxDurationSeconds = int64_t{3650} * 24 * 3600;

// "150.00 SAR" -> Money, through pay::Money::Parse; the amount must also be payable (positive,
// at most pay::kMaxAmountMinor).
absl::StatusOr<pay::v1::Money> ParseAmount(const std::string& text, const std::string& flag);

// An RFC 3339 time, "2026-03-31T23:59:59Z" or with an offset ("...+03:00").
absl::StatusOr<google::protobuf::Timestamp> ParseTime(const std::string& text,
                                                      const std::string& flag);

// A duration as one or more <number><unit> groups, units s, m, h, d: "72h", "30m", "7d",
// "1h30m". Positive and at most kMaxDurationSeconds. Returns seconds.
absl::StatusOr<int64_t> ParseDurationSeconds(const std::string& text, const std::string& flag);

// The current time plus `seconds`.
google::protobuf::Timestamp TimeFromNow(int64_t seconds);

// A value of `type` typed the friendly way: lower case, '-' for '_' ("bank-transfer" ->
// BANK_TRANSFER); the exact enum name is accepted too. The *_UNSPECIFIED value is never accepted.
// The error lists the accepted values.
absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor& type, const std::string& text,
                              const std::string& flag);

// The accepted spellings of `type`, joined: "unpaid|paid|cancelled|expired" for help texts.
std::string EnumChoices(const google::protobuf::EnumDescriptor& type,
                        const std::string& separator = "|");

// A bill number as a person types it (spaces and hyphens allowed) -> 16 canonical digits; a wrong
// length or check digit is caught here, before the call.
absl::StatusOr<std::string> ParseBill(const std::string& text, const std::string& flag);

// "4821 0937 5561 2208" when `digits` is a canonical bill number, otherwise `digits` unchanged
// (it came from the server, so it is not trusted to be well formed).
std::string DisplayBill(const std::string& digits);

// A fresh idempotency key: 16 bytes from std::random_device as 32 lower-case hex digits.
std::string NewIdempotencyKey();

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_INPUT_H_
