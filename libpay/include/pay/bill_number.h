// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Bill numbers: what a citizen reads out at a bank counter or types at a kiosk.
//
// A bill number is 16 decimal digits: 15 random digits followed by one check digit computed with
// the Damm algorithm (a quasigroup of order 10). Damm detects every single-digit error and every
// transposition of adjacent digits, which the Luhn check digit does not (it misses 09 <-> 90).
// Numbers are shown in four groups of four ("4821 0937 5561 2208"); parsing ignores spaces and
// hyphens so that any of the usual ways of typing it is accepted.

#ifndef PAY_BILL_NUMBER_H_
#define PAY_BILL_NUMBER_H_

#include <string>
#include <string_view>
#include <vector>

#include "pay/status.h"

namespace pay {

inline constexpr int kBillNumberDigits = 16;

// The Damm check digit ('0'..'9') of `digits` (decimal digits only; PAY_CHECKed).
char DammCheckDigit(std::string_view digits);

// A new random bill number (16 digits, canonical form without separators), from libsodium's CSPRNG.
std::string GenerateBillNumber();

// `count` new random bill numbers, each as GenerateBillNumber makes it (its digits come from a
// per-thread buffer of CSPRNG bytes, so no system call per number). They may repeat (as two
// calls of GenerateBillNumber may): the caller checks uniqueness.
std::vector<std::string> GenerateBillNumbers(size_t count);

// Normalises user input to the canonical 16-digit form. Strips spaces and hyphens; anything else
// that is not a digit, a wrong length, or a wrong check digit -> kInvalidArgument whose message
// names `field` and says which problem it is (so a citizen can be told "check the number").
Result<std::string> ParseBillNumber(std::string_view text, std::string_view field = "bill_number");

// "4821 0937 5561 2208" for display. `canonical` must be 16 digits.
std::string FormatBillNumber(std::string_view canonical);

}  // namespace pay

#endif  // PAY_BILL_NUMBER_H_
