// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "pay/bill_number.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "coding.h"

namespace pay {
namespace {

// Valid bill numbers whose check digits were computed outside libpay from the published Damm
// table, plus generated ones, to run the error-detection tests on.
constexpr char kKnownValid[] = "4821093755612201";

std::vector<std::string> SampleNumbers() {
  std::vector<std::string> numbers = {kKnownValid, "1000000000000002", "9999999999999990"};
  for (int i = 0; i < 20; ++i) numbers.push_back(GenerateBillNumber());
  return numbers;
}

TEST(DammTest, KnownVectors) {
  // The worked example of Damm's algorithm: 572 -> 4, and 5724 checks to 0.
  EXPECT_EQ(DammCheckDigit("572"), '4');
  EXPECT_EQ(DammCheckDigit("5724"), '0');
  EXPECT_EQ(DammCheckDigit(""), '0');
  EXPECT_EQ(DammCheckDigit("0"), '0');
  EXPECT_EQ(DammCheckDigit("1"), '3');
  EXPECT_EQ(DammCheckDigit("482109375561220"), '1');
}

TEST(BillNumberTest, GeneratedNumbersAreWellFormedAndParseBack) {
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    const std::string number = GenerateBillNumber();
    ASSERT_EQ(number.size(), 16u) << number;
    for (const char c : number) ASSERT_TRUE(c >= '0' && c <= '9') << number;
    ASSERT_NE(number[0], '0') << number;
    Result<std::string> parsed = ParseBillNumber(number);
    ASSERT_TRUE(parsed.ok()) << number << ": " << parsed.status();
    EXPECT_EQ(*parsed, number);
    seen.insert(number);
  }
  // 15 random digits: a repeat among 10,000 would mean the generator is broken.
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(BillNumberTest, GeneratedDigitsCoverEveryValueInEveryPosition) {
  // Catches a generator that is stuck, off by one (never 9) or lets 0 lead.
  bool seen[16][10] = {};
  for (int i = 0; i < 2'000; ++i) {
    const std::string number = GenerateBillNumber();
    for (int position = 0; position < 15; ++position) seen[position][number[position] - '0'] = true;
  }
  for (int position = 0; position < 15; ++position) {
    for (int digit = position == 0 ? 1 : 0; digit < 10; ++digit) {
      EXPECT_TRUE(seen[position][digit]) << "digit " << digit << " at " << position;
    }
  }
  EXPECT_FALSE(seen[0][0]);
}

TEST(BillNumberTest, GeneratedDigitsAreUniform) {
  // 700,000 digits: 70,000 expected per value, standard deviation about 250. Drawing a digit as
  // a random byte modulo 10 (a classic bias) would put 0..5 about 1,700 above the others.
  int64_t counts[10] = {};
  for (int i = 0; i < 50'000; ++i) {
    const std::string number = GenerateBillNumber();
    for (int position = 1; position < 15; ++position) ++counts[number[position] - '0'];
  }
  for (int digit = 0; digit < 10; ++digit) {
    EXPECT_NEAR(counts[digit], 70'000, 1'200) << "digit " << digit;
  }
}

TEST(RandomTest, ThreadsDrawIndependentIds) {
  // Each thread has its own buffer of random bytes: no two threads may hand out the same bytes.
  std::vector<std::vector<std::string>> drawn(4);
  std::vector<std::thread> threads;
  for (auto& ids : drawn) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 20'000; ++i) ids.push_back(internal::RandomHex(10));
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> unique;
  for (const auto& ids : drawn) unique.insert(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), 80'000u);
}

TEST(RandomTest, BelowStaysInRangeAndReachesItsEnds) {
  bool seen[3] = {};
  for (int i = 0; i < 1'000; ++i) {
    const uint32_t value = internal::RandomBelow(3);
    ASSERT_LT(value, 3u);
    seen[value] = true;
  }
  EXPECT_TRUE(seen[0] && seen[1] && seen[2]);
  EXPECT_EQ(internal::RandomBelow(1), 0u);
}

TEST(BillNumberTest, EverySingleDigitSubstitutionIsRejected) {
  for (const std::string& number : SampleNumbers()) {
    ASSERT_TRUE(ParseBillNumber(number).ok()) << number;
    for (size_t position = 0; position < number.size(); ++position) {
      for (char digit = '0'; digit <= '9'; ++digit) {
        if (digit == number[position]) continue;
        std::string mistyped = number;
        mistyped[position] = digit;
        Result<std::string> parsed = ParseBillNumber(mistyped);
        ASSERT_FALSE(parsed.ok()) << mistyped;
        EXPECT_EQ(parsed.status().message(),
                  "bill_number: check digit does not match; the number was probably mistyped");
      }
    }
  }
}

TEST(BillNumberTest, EveryAdjacentTranspositionIsRejected) {
  for (const std::string& number : SampleNumbers()) {
    for (size_t position = 0; position + 1 < number.size(); ++position) {
      if (number[position] == number[position + 1]) continue;
      std::string mistyped = number;
      std::swap(mistyped[position], mistyped[position + 1]);
      EXPECT_FALSE(ParseBillNumber(mistyped).ok()) << number << " -> " << mistyped;
    }
  }
  // Every pair of different digits, in front of a fixed tail, so no pair is left to chance.
  for (char a = '0'; a <= '9'; ++a) {
    for (char b = '0'; b <= '9'; ++b) {
      if (a == b) continue;
      std::string body = std::string("1234567890123") + a + b;
      const std::string number = body + DammCheckDigit(body);
      std::swap(body[13], body[14]);
      EXPECT_FALSE(ParseBillNumber(body + number.back()).ok()) << number;
    }
  }
}

TEST(BillNumberTest, AcceptsSpacesAndHyphens) {
  for (const char* text : {"4821 0937 5561 2201", "4821-0937-5561-2201", " 4821093755612201 ",
                           "4821 - 0937 - 5561 - 2201", "48210937 55612201"}) {
    Result<std::string> parsed = ParseBillNumber(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    EXPECT_EQ(*parsed, kKnownValid);
  }
}

TEST(BillNumberTest, RejectsWithPreciseMessages) {
  EXPECT_EQ(ParseBillNumber("4821 0937 5561 220a", "payment.bill_number").status().message(),
            "payment.bill_number: must contain only digits, spaces and hyphens");
  EXPECT_EQ(ParseBillNumber("4821.0937.5561.2201").status().message(),
            "bill_number: must contain only digits, spaces and hyphens");
  EXPECT_EQ(ParseBillNumber("4821 0937 5561 220").status().message(),
            "bill_number: must have 16 digits, got 15");
  EXPECT_EQ(ParseBillNumber("4821 0937 5561 2201 0").status().message(),
            "bill_number: must have 16 digits, got 17");
  EXPECT_EQ(ParseBillNumber("").status().message(), "bill_number: must have 16 digits, got 0");
  EXPECT_EQ(ParseBillNumber(std::string(1000, '1')).status().message(),
            "bill_number: must have 16 digits, got 1000");
  EXPECT_EQ(ParseBillNumber("4821 0937 5561 2202").status().code(), StatusCode::kInvalidArgument);
}

TEST(BillNumberTest, FormatsInGroupsOfFour) {
  EXPECT_EQ(FormatBillNumber(kKnownValid), "4821 0937 5561 2201");
  const std::string number = GenerateBillNumber();
  Result<std::string> parsed = ParseBillNumber(FormatBillNumber(number));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, number);
}

}  // namespace
}  // namespace pay
