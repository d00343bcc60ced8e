// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "pay/bill_number.h"

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "coding.h"

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

}  // namespace

char DammCheckDigit(std::string_view digits) {
  for (const char c : digits) PAY_CHECK(IsDigit(c));
  return static_cast<char>('0' + DammInterim(digits));
}

std::string GenerateBillNumber() {
  std::string number;
  number.reserve(kDigits);
  // The first digit is 1..9: a spreadsheet that takes the number for an integer would drop a
  // leading zero, and the number would no longer match.
  number += static_cast<char>('1' + internal::RandomBelow(9));
  while (number.size() < kDigits - 1) {
    number += static_cast<char>('0' + internal::RandomBelow(10));
  }
  number += DammCheckDigit(number);
  return number;
}

std::vector<std::string> GenerateBillNumbers(size_t count) {
  std::vector<std::string> numbers;
  numbers.reserve(count);
  for (size_t i = 0; i < count; ++i) numbers.push_back(GenerateBillNumber());
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
