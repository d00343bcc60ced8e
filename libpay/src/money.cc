// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "pay/money.h"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace pay {
namespace {

// Longest text Parse looks at. A 19-digit amount, a sign, a point and a code fit easily; anything
// longer is not an amount, and refusing it early keeps untrusted input out of error messages.
constexpr size_t kMaxAmountTextLength = 64;

// 10^digits for the minor-digit counts the table holds (0..3), with room to spare.
constexpr uint64_t kPowersOfTen[] = {1, 10, 100, 1000, 10000};

// Debian's Abseil is built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW is 0),
// which does not convert from std::string_view; this adapts the public API's views for Abseil.
absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }

// The error prefix for Parse: the (escaped) text being parsed.
std::string AmountPrefix(std::string_view text) {
  return absl::StrCat("amount \"", absl::CHexEscape(ToAbsl(text)), "\": ");
}

// Why `code` is not a known currency, for messages: "unknown currency \"sar\" (codes are upper
// case)".
std::string UnknownCurrencyReason(std::string_view code) {
  // Codes are three letters; a longer one is shown in part so untrusted input stays bounded.
  constexpr size_t kMaxShown = 8;
  if (code.size() > kMaxShown) {
    return absl::StrCat("unknown currency \"", absl::CHexEscape(ToAbsl(code.substr(0, kMaxShown))),
                        "...\"");
  }
  std::string reason = absl::StrCat("unknown currency \"", absl::CHexEscape(ToAbsl(code)), "\"");
  const std::string upper = absl::AsciiStrToUpper(ToAbsl(code));
  if (upper != ToAbsl(code) && FindCurrency(upper) != nullptr) {
    absl::StrAppend(&reason, " (codes are upper case)");
  }
  return reason;
}

// Appends one digit to `value`, moving it away from zero in the direction of `negative`, so that
// INT64_MIN (whose magnitude does not fit int64) parses too. False on overflow.
bool AppendDigit(int64_t* value, int digit, bool negative) {
  if (__builtin_mul_overflow(*value, 10, value)) return false;
  return !__builtin_add_overflow(*value, negative ? -digit : digit, value);
}

}  // namespace

Result<Money> Money::Create(std::string_view currency, int64_t minor_units) {
  if (FindCurrency(currency) == nullptr) {
    return absl::InvalidArgumentError(UnknownCurrencyReason(currency));
  }
  return Money(std::string(currency), minor_units);
}

Result<Money> Money::Parse(std::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("amount is empty");
  if (text.size() > kMaxAmountTextLength) {
    return absl::InvalidArgumentError(absl::StrCat("amount is ", text.size(),
                                                   " characters long; at most ",
                                                   kMaxAmountTextLength, " are accepted"));
  }
  // Split at the last space so that a stray space inside the number is reported as such.
  const size_t space = text.rfind(' ');
  if (space == std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(AmountPrefix(text), "expected a number, a space and a currency code"));
  }
  const std::string_view number = text.substr(0, space);
  const std::string_view code = text.substr(space + 1);
  if (code.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(AmountPrefix(text), "missing currency code"));
  }
  const CurrencyInfo* currency = FindCurrency(code);
  if (currency == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(AmountPrefix(text), UnknownCurrencyReason(code)));
  }

  // First the shape: an optional '-', digits, an optional '.' and digits. Checked before any
  // arithmetic so that a mistyped number gets the message about its shape, not about overflow.
  const bool negative = !number.empty() && number[0] == '-';
  int integer_digits = 0;
  int fraction_digits = 0;
  bool seen_point = false;
  for (size_t i = negative ? 1 : 0; i < number.size(); ++i) {
    const char c = number[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
    } else if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      (seen_point ? fraction_digits : integer_digits) += 1;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(AmountPrefix(text), "unexpected character '",
                                                     absl::CHexEscape(absl::string_view(&c, 1)),
                                                     "' at position ", i));
    }
  }
  if (integer_digits == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(AmountPrefix(text), "no digits before the currency code"));
  }
  if (seen_point && fraction_digits == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(AmountPrefix(text), "no digits after the decimal point"));
  }
  if (fraction_digits > currency->minor_digits) {
    return absl::InvalidArgumentError(absl::StrCat(AmountPrefix(text), ToAbsl(currency->code),
                                                   " has ", currency->minor_digits,
                                                   " minor digits, got ", fraction_digits));
  }

  // Then the value: every digit, then the zeros that scale "12.5" to 1250 minor units.
  int64_t value = 0;
  bool fits = true;
  for (const char c : number) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      fits = fits && AppendDigit(&value, c - '0', negative);
    }
  }
  for (int i = fraction_digits; i < currency->minor_digits; ++i) {
    fits = fits && AppendDigit(&value, 0, negative);
  }
  if (!fits) {
    return absl::InvalidArgumentError(
        absl::StrCat(AmountPrefix(text), "too large for 64-bit minor units"));
  }
  return Money(std::string(code), value);
}

std::string Money::ToString() const {
  const CurrencyInfo* currency = FindCurrency(currency_);
  // Only a default-constructed Money has no known currency; print it recognisably, not crash.
  if (currency == nullptr) return absl::StrCat(minor_units_, " (no currency)");
  // The magnitude in uint64: 0 - x is defined for unsigned, and covers INT64_MIN.
  const uint64_t magnitude = minor_units_ < 0 ? uint64_t{0} - static_cast<uint64_t>(minor_units_)
                                              : static_cast<uint64_t>(minor_units_);
  PAY_CHECK(currency->minor_digits >= 0 &&
            static_cast<size_t>(currency->minor_digits) < std::size(kPowersOfTen));
  const uint64_t scale = kPowersOfTen[currency->minor_digits];
  std::string out = absl::StrCat(minor_units_ < 0 ? "-" : "", magnitude / scale);
  if (currency->minor_digits > 0) {
    const std::string fraction = absl::StrCat(magnitude % scale);
    out += '.';
    out.append(currency->minor_digits - fraction.size(), '0');
    out += fraction;
  }
  absl::StrAppend(&out, " ", currency_);
  return out;
}

Result<Money> Money::Add(const Money& other) const {
  if (currency_.empty() || currency_ != other.currency_) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot add ", other.ToString(), " to ", ToString(), ": currencies differ"));
  }
  int64_t sum;
  if (__builtin_add_overflow(minor_units_, other.minor_units_, &sum)) {
    return absl::OutOfRangeError(
        absl::StrCat(ToString(), " + ", other.ToString(), " does not fit in 64-bit minor units"));
  }
  return Money(currency_, sum);
}

Result<Money> Money::Subtract(const Money& other) const {
  if (currency_.empty() || currency_ != other.currency_) {
    return absl::InvalidArgumentError(absl::StrCat("cannot subtract ", other.ToString(), " from ",
                                                   ToString(), ": currencies differ"));
  }
  int64_t difference;
  if (__builtin_sub_overflow(minor_units_, other.minor_units_, &difference)) {
    return absl::OutOfRangeError(
        absl::StrCat(ToString(), " - ", other.ToString(), " does not fit in 64-bit minor units"));
  }
  return Money(currency_, difference);
}

Status ValidatePayableAmount(const Money& money, std::string_view field) {
  if (money.currency().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(field), ".currency: is required"));
  }
  if (FindCurrency(money.currency()) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(ToAbsl(field), ".currency: ", UnknownCurrencyReason(money.currency())));
  }
  if (money.minor_units() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(ToAbsl(field), ".minor_units: must be positive, got ", money.minor_units()));
  }
  if (money.minor_units() > kMaxAmountMinor) {
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(field),
                                                   ".minor_units: exceeds the maximum of ",
                                                   kMaxAmountMinor, ", got ", money.minor_units()));
  }
  return absl::OkStatus();
}

}  // namespace pay
