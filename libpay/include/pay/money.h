// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Money: an amount in a currency's minor units (int64), never floating point.

#ifndef PAY_MONEY_H_
#define PAY_MONEY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pay/status.h"

namespace pay {

// One row of the ISO 4217 table: alphabetic code, numeric code, number of minor-unit digits
// (SAR 2, JOD 3, JPY 0).
struct CurrencyInfo {
  std::string_view code;
  int numeric;
  int minor_digits;
};

// Returns the ISO 4217 entry for `code` (exact, upper-case), or nullptr if unknown. Thread-safe.
const CurrencyInfo* FindCurrency(std::string_view code);

// The largest amount libpay accepts for a single fee or payment, in minor units of any currency:
// 10^15 (ten trillion major units of a two-digit currency). Far above any real fee, far below
// int64 overflow even when thousands are summed.
inline constexpr int64_t kMaxAmountMinor = 1'000'000'000'000'000;

// An amount of one currency. A value type; immutable; cheap to copy.
// A default-constructed Money is invalid (empty currency) and only useful as a placeholder.
class Money {
 public:
  Money() = default;

  // A known currency and any int64 amount (negative amounts are representable: refunds and
  // balances need them). Unknown currency -> kInvalidArgument.
  static Result<Money> Create(std::string_view currency, int64_t minor_units);

  // Parses "12.50 SAR" (also "12 SAR", "-3.125 KWD"): an optional '-', digits, an optional '.'
  // with at most the currency's minor digits, one space, the currency code. Too many decimals,
  // an unknown currency, stray characters or int64 overflow -> kInvalidArgument naming the issue.
  static Result<Money> Parse(std::string_view text);

  // "12.50 SAR": always exactly the currency's minor digits, '-' for negative amounts.
  std::string ToString() const;

  const std::string& currency() const { return currency_; }
  int64_t minor_units() const { return minor_units_; }

  // Overflow-checked arithmetic. Different currencies -> kInvalidArgument; a result that does
  // not fit int64 -> kOutOfRange.
  Result<Money> Add(const Money& other) const;
  Result<Money> Subtract(const Money& other) const;

  friend bool operator==(const Money&, const Money&) = default;

 private:
  Money(std::string currency, int64_t minor_units)
      : currency_(std::move(currency)), minor_units_(minor_units) {}

  std::string currency_;
  int64_t minor_units_ = 0;
};

// Checks that `money` can be charged to a payer: a known currency, 0 < amount <= kMaxAmountMinor.
// `field` is the request field path used in the message ("fee.amount"). -> kInvalidArgument.
Status ValidatePayableAmount(const Money& money, std::string_view field);

}  // namespace pay

#endif  // PAY_MONEY_H_
