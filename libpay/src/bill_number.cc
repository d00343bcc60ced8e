// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "pay/bill_number.h"

#include <sodium.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace pay {
namespace {

// H. Michael Damm's totally anti-symmetric quasigroup of order 10 (his 2004 thesis; the table on
// Wikipedia). kDammTable[interim][digit] is the next interim digit; a number is valid when the
// interim digit after its last digit is 0.
constexpr unsigned char kDammTable[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3}, {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6}, {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7}, {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

// kBillNumberDigits as a size, for comparisons with string sizes.
constexpr size_t kDigits = kBillNumberDigits;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The interim digit after `digits` (decimal digits only; checked by the callers).
int DammInterim(std::string_view digits) {
  int interim = 0;
  for (const char c : digits) interim = kDammTable[interim][c - '0'];
  return interim;
}

// sodium_init() must run before randombytes_*; it is idempotent but not documented as safe to race,
// so it runs once, under the function-local static's initialisation guard.
void EnsureSodiumInitialised() {
  static const int result = sodium_init();
  // -1: libsodium could not initialise (no entropy source). Nothing random can be made then.
  PAY_CHECK(result >= 0);
}

}  // namespace

char DammCheckDigit(std::string_view digits) {
  for (const char c : digits) PAY_CHECK(IsDigit(c));
  return static_cast<char>('0' + DammInterim(digits));
}

std::string GenerateBillNumber() {
  EnsureSodiumInitialised();
  std::string number;
  number.reserve(kDigits);
  // The first digit is 1..9: a spreadsheet that takes the number for an integer would drop a
  // leading zero, and the number would no longer match.
  number += static_cast<char>('1' + randombytes_uniform(9));
  while (number.size() < kDigits - 1) {
    number += static_cast<char>('0' + randombytes_uniform(10));
  }
  number += DammCheckDigit(number);
  return number;
}

std::vector<std::string> GenerateBillNumbers(size_t count) {
  EnsureSodiumInitialised();
  std::vector<std::string> numbers;
  numbers.reserve(count);
  // Digits by rejection sampling of random bytes (a byte below 250 gives byte % 10, uniform; the
  // first digit from a byte below 252: 1 + byte % 9), refilled from the CSPRNG when used up.
  std::string random(count * 20 + 64, '\0');
  size_t next = random.size();
  auto next_byte = [&]() -> unsigned char {
    if (next == random.size()) {
      randombytes_buf(random.data(), random.size());
      next = 0;
    }
    return static_cast<unsigned char>(random[next++]);
  };
  for (size_t i = 0; i < count; ++i) {
    std::string number;
    number.reserve(kDigits);
    unsigned char byte = next_byte();
    while (byte >= 252) byte = next_byte();
    number += static_cast<char>('1' + byte % 9);
    while (number.size() < kDigits - 1) {
      byte = next_byte();
      if (byte < 250) number += static_cast<char>('0' + byte % 10);
    }
    number += static_cast<char>('0' + DammInterim(number));
    numbers.push_back(std::move(number));
  }
  return numbers;
}

Result<std::string> ParseBillNumber(std::string_view text, std::string_view field) {
  const std::string field_name(field);
  std::string digits;
  // Counted separately so that a long input is reported with its real length without being
  // copied: only the first kDigits digits are kept.
  size_t digit_count = 0;
  for (const char c : text) {
    if (c == ' ' || c == '-') continue;
    if (!IsDigit(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field_name, ": must contain only digits, spaces and hyphens"));
    }
    ++digit_count;
    if (digits.size() < kDigits) digits += c;
  }
  if (digit_count != kDigits) {
    return absl::InvalidArgumentError(
        absl::StrCat(field_name, ": must have ", kBillNumberDigits, " digits, got ", digit_count));
  }
  if (DammInterim(digits) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(field_name, ": check digit does not match; the number was probably mistyped"));
  }
  return digits;
}

std::string FormatBillNumber(std::string_view canonical) {
  PAY_CHECK(canonical.size() == kDigits);
  std::string out;
  out.reserve(kDigits + kDigits / 4 - 1);
  for (size_t i = 0; i < canonical.size(); ++i) {
    PAY_CHECK(IsDigit(canonical[i]));
    if (i > 0 && i % 4 == 0) out += ' ';
    out += canonical[i];
  }
  return out;
}

}  // namespace pay
