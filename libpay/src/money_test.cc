// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "pay/money.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace pay {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

Money Make(const char* currency, int64_t minor_units) {
  Result<Money> money = Money::Create(currency, minor_units);
  EXPECT_TRUE(money.ok()) << money.status();
  return money.ok() ? *money : Money();
}

TEST(CurrencyTest, FindsKnownCodes) {
  struct Expected {
    const char* code;
    int numeric;
    int minor_digits;
  };
  for (const Expected& expected :
       {Expected{"SAR", 682, 2}, Expected{"SYP", 760, 2}, Expected{"JOD", 400, 3},
        Expected{"KWD", 414, 3}, Expected{"BHD", 48, 3}, Expected{"JPY", 392, 0},
        Expected{"DJF", 262, 0}, Expected{"USD", 840, 2}}) {
    const CurrencyInfo* info = FindCurrency(expected.code);
    ASSERT_NE(info, nullptr) << expected.code;
    EXPECT_EQ(info->code, expected.code);
    EXPECT_EQ(info->numeric, expected.numeric) << expected.code;
    EXPECT_EQ(info->minor_digits, expected.minor_digits) << expected.code;
  }
}

TEST(CurrencyTest, RejectsUnknownAndNonCanonicalCodes) {
  for (const char* code : {"", "XXY", "sar", "Sar", "SA", "SARR", " SAR", "XAU", "HRK"}) {
    EXPECT_EQ(FindCurrency(code), nullptr) << code;
  }
}

TEST(MoneyTest, CreateRejectsUnknownCurrency) {
  EXPECT_EQ(Money::Create("XXY", 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Money::Create("", 1).status().code(), StatusCode::kInvalidArgument);
  const Money money = Make("SAR", -5);
  EXPECT_EQ(money.currency(), "SAR");
  EXPECT_EQ(money.minor_units(), -5);
}

TEST(MoneyTest, ParsesAmounts) {
  struct Case {
    const char* text;
    const char* currency;
    int64_t minor_units;
  };
  for (const Case& c :
       {Case{"12 SAR", "SAR", 1200}, Case{"12.5 SAR", "SAR", 1250}, Case{"12.50 SAR", "SAR", 1250},
        Case{"0.001 KWD", "KWD", 1}, Case{"-3.125 KWD", "KWD", -3125}, Case{"100 JPY", "JPY", 100},
        Case{"0 SAR", "SAR", 0}, Case{"-0.05 SAR", "SAR", -5},
        Case{"92233720368547758.07 SAR", "SAR", kInt64Max},
        Case{"-92233720368547758.08 SAR", "SAR", kInt64Min}}) {
    Result<Money> money = Money::Parse(c.text);
    ASSERT_TRUE(money.ok()) << c.text << ": " << money.status();
    EXPECT_EQ(money->currency(), c.currency) << c.text;
    EXPECT_EQ(money->minor_units(), c.minor_units) << c.text;
  }
}

TEST(MoneyTest, FormatsWithTheCurrencysMinorDigits) {
  EXPECT_EQ(Make("SAR", 1250).ToString(), "12.50 SAR");
  EXPECT_EQ(Make("SAR", -5).ToString(), "-0.05 SAR");
  EXPECT_EQ(Make("SAR", 0).ToString(), "0.00 SAR");
  EXPECT_EQ(Make("JPY", 100).ToString(), "100 JPY");
  EXPECT_EQ(Make("JPY", -7).ToString(), "-7 JPY");
  EXPECT_EQ(Make("KWD", 1000).ToString(), "1.000 KWD");
  EXPECT_EQ(Make("KWD", 1).ToString(), "0.001 KWD");
  EXPECT_EQ(Make("SAR", kInt64Max).ToString(), "92233720368547758.07 SAR");
  EXPECT_EQ(Make("SAR", kInt64Min).ToString(), "-92233720368547758.08 SAR");
  EXPECT_EQ(Make("JPY", kInt64Min).ToString(), "-9223372036854775808 JPY");
}

TEST(MoneyTest, RoundTripsThroughText) {
  for (const char* currency : {"JPY", "SAR", "KWD"}) {
    for (int64_t minor_units :
         {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{9}, int64_t{10}, int64_t{999}, int64_t{1000},
          int64_t{-123456}, int64_t{1001}, kInt64Max, kInt64Min}) {
      const Money money = Make(currency, minor_units);
      Result<Money> parsed = Money::Parse(money.ToString());
      ASSERT_TRUE(parsed.ok()) << money.ToString() << ": " << parsed.status();
      EXPECT_EQ(*parsed, money) << money.ToString();
    }
  }
}

TEST(MoneyTest, ParseRejectsMalformedText) {
  for (const char* text : {"",
                           "12.50",
                           "12.50SAR",
                           "12.50 ",
                           "12.50 sar",
                           "12.50 XXY",
                           "1.234 SAR",
                           "1.5 JPY",
                           "0.0001 KWD",
                           "SAR",
                           ". SAR",
                           "- SAR",
                           "-. SAR",
                           ".5 SAR",
                           "12. SAR",
                           "+12 SAR",
                           "1 2 SAR",
                           "12.50  SAR",
                           " 12.50 SAR",
                           "12.50 SAR ",
                           "1e3 SAR",
                           "1E3 SAR",
                           "12,50 SAR",
                           "1.2.3 SAR",
                           "--1 SAR",
                           "1-2 SAR",
                           "0x10 SAR",
                           "12.50\tSAR",
                           "99999999999999999999 SAR",
                           "92233720368547758.08 SAR",
                           "-92233720368547758.09 SAR",
                           "9223372036854775808 JPY"}) {
    Result<Money> money = Money::Parse(text);
    EXPECT_EQ(money.status().code(), StatusCode::kInvalidArgument) << '"' << text << '"';
  }
  // Far too long to be an amount, whatever it holds.
  EXPECT_EQ(Money::Parse(std::string(1000, '1') + " SAR").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MoneyTest, ParseErrorsNameTheProblem) {
  EXPECT_EQ(Money::Parse("1.234 SAR").status().message(),
            "amount \"1.234 SAR\": SAR has 2 minor digits, got 3");
  EXPECT_EQ(Money::Parse("1.5 JPY").status().message(),
            "amount \"1.5 JPY\": JPY has 0 minor digits, got 1");
  EXPECT_EQ(Money::Parse("12.50 XXY").status().message(),
            "amount \"12.50 XXY\": unknown currency \"XXY\"");
  EXPECT_EQ(Money::Parse("12.50 sar").status().message(),
            "amount \"12.50 sar\": unknown currency \"sar\" (codes are upper case)");
  EXPECT_EQ(Money::Parse("+12 SAR").status().message(),
            "amount \"+12 SAR\": unexpected character '+' at position 0");
  EXPECT_EQ(Money::Parse("12. SAR").status().message(),
            "amount \"12. SAR\": no digits after the decimal point");
  EXPECT_EQ(Money::Parse(". SAR").status().message(),
            "amount \". SAR\": no digits before the currency code");
  EXPECT_EQ(Money::Parse("99999999999999999999 SAR").status().message(),
            "amount \"99999999999999999999 SAR\": too large for 64-bit minor units");
  EXPECT_EQ(Money::Parse("").status().message(), "amount is empty");
}

TEST(MoneyTest, AddAndSubtract) {
  Result<Money> sum = Make("SAR", 1250).Add(Make("SAR", -50));
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ(*sum, Make("SAR", 1200));
  Result<Money> difference = Make("KWD", 1).Subtract(Make("KWD", 1001));
  ASSERT_TRUE(difference.ok()) << difference.status();
  EXPECT_EQ(*difference, Make("KWD", -1000));
}

TEST(MoneyTest, ArithmeticOverflowIsOutOfRange) {
  EXPECT_EQ(Make("SAR", kInt64Max).Add(Make("SAR", 1)).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(Make("SAR", kInt64Min).Add(Make("SAR", -1)).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(Make("SAR", kInt64Min).Subtract(Make("SAR", 1)).status().code(),
            StatusCode::kOutOfRange);
  EXPECT_EQ(Make("SAR", kInt64Max).Subtract(Make("SAR", -1)).status().code(),
            StatusCode::kOutOfRange);
  EXPECT_EQ(Make("SAR", 0).Subtract(Make("SAR", kInt64Min)).status().code(),
            StatusCode::kOutOfRange);
  // The edges themselves are fine.
  EXPECT_TRUE(Make("SAR", kInt64Max - 1).Add(Make("SAR", 1)).ok());
  EXPECT_TRUE(Make("SAR", kInt64Min + 1).Subtract(Make("SAR", 1)).ok());
}

TEST(MoneyTest, ArithmeticRefusesMixedCurrencies) {
  EXPECT_EQ(Make("SAR", 1).Add(Make("USD", 1)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Make("SAR", 1).Subtract(Make("USD", 1)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Money().Add(Money()).status().code(), StatusCode::kInvalidArgument);
}

TEST(ValidatePayableAmountTest, AcceptsPositiveAmountsUpToTheMaximum) {
  EXPECT_TRUE(ValidatePayableAmount(Make("SAR", 1), "fee.amount").ok());
  EXPECT_TRUE(ValidatePayableAmount(Make("JPY", kMaxAmountMinor), "fee.amount").ok());
}

TEST(ValidatePayableAmountTest, RejectsWithFieldPath) {
  Status status = ValidatePayableAmount(Make("SAR", 0), "fee.amount");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "fee.amount.minor_units: must be positive, got 0");

  status = ValidatePayableAmount(Make("SAR", -100), "fee.amount");
  EXPECT_EQ(status.message(), "fee.amount.minor_units: must be positive, got -100");

  status = ValidatePayableAmount(Make("SAR", kMaxAmountMinor + 1), "payment.amount");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("payment.amount.minor_units: exceeds the maximum of ", 0), 0u)
      << status.message();

  status = ValidatePayableAmount(Money(), "fee.amount");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("fee.amount.currency: ", 0), 0u) << status.message();
}

}  // namespace
}  // namespace pay
