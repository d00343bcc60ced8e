// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// IBAN normalisation, mod-97 check digits and masking (see iban.h).

#include "iban.h"

#include <algorithm>
#include <string>
#include <string_view>

namespace pay::iso20022 {
namespace {

constexpr size_t kMaxIbanChars = 34;

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The remainder mod 97 of the number formed by `text` with letters as 10..35 (ISO 7064 MOD 97-10).
int Mod97(std::string_view text) {
  int remainder = 0;
  for (char c : text) {
    if (IsDigit(c)) {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else {
      const int value = c - 'A' + 10;
      remainder = (remainder * 100 + value) % 97;
    }
  }
  return remainder;
}

// The country code and check digits moved to the end, as the check computes it.
std::string Rearranged(std::string_view iban) {
  return std::string(iban.substr(4)) + std::string(iban.substr(0, 4));
}

}  // namespace

Result<std::string> NormalizeIban(std::string_view text, std::string_view field) {
  std::string iban;
  iban.reserve(text.size());
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!IsUpper(c) && !IsDigit(c)) {
      return absl::InvalidArgumentError(std::string(field) +
                                        ": an IBAN holds only letters and digits; check the "
                                        "account number");
    }
    iban.push_back(c);
  }
  if (iban.size() < 5 || iban.size() > kMaxIbanChars) {
    return absl::InvalidArgumentError(std::string(field) +
                                      ": an IBAN has 5 to 34 characters, got " +
                                      std::to_string(iban.size()) + "; check the account number");
  }
  if (!IsUpper(iban[0]) || !IsUpper(iban[1]) || !IsDigit(iban[2]) || !IsDigit(iban[3])) {
    return absl::InvalidArgumentError(std::string(field) +
                                      ": an IBAN starts with a two-letter country code and two "
                                      "check digits; check the account number");
  }
  if (Mod97(Rearranged(iban)) != 1) {
    return absl::InvalidArgumentError(std::string(field) +
                                      ": the IBAN's check digits do not match (a typing error?); "
                                      "check the account number");
  }
  return iban;
}

std::string MakeIban(std::string_view country, std::string_view bban) {
  PAY_CHECK(country.size() == 2 && IsUpper(country[0]) && IsUpper(country[1]));
  PAY_CHECK(!bban.empty() && bban.size() <= kMaxIbanChars - 4);
  for (char c : bban) PAY_CHECK(IsUpper(c) || IsDigit(c));
  const std::string zeroed = std::string(country) + "00" + std::string(bban);
  const int check = 98 - Mod97(Rearranged(zeroed));
  std::string iban(country);
  iban.push_back(static_cast<char>('0' + check / 10));
  iban.push_back(static_cast<char>('0' + check % 10));
  iban.append(bban);
  return iban;
}

std::string MaskIban(std::string_view iban) {
  if (iban.size() <= 8) return std::string(iban.substr(0, std::min<size_t>(iban.size(), 2))) + "…";
  return std::string(iban.substr(0, 4)) + "…" + std::string(iban.substr(iban.size() - 4));
}

}  // namespace pay::iso20022
