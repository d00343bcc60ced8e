// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "revenue_split.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <random>

namespace pay::internal {
namespace {

RevenueShare Fixed(std::string label, int64_t minor_units) {
  RevenueShare share;
  share.label = std::move(label);
  share.fixed = Money::Create("SAR", minor_units).value();
  return share;
}

RevenueShare Bp(std::string label, int32_t basis_points) {
  RevenueShare share;
  share.label = std::move(label);
  share.basis_points = basis_points;
  return share;
}

int64_t Sum(const std::vector<int64_t>& parts) {
  return std::accumulate(parts.begin(), parts.end(), int64_t{0});
}

TEST(SplitAmountTest, NoSharesGoesToTheMainAccount) {
  EXPECT_EQ(SplitAmount(12345, {}), (std::vector<int64_t>{12345}));
  EXPECT_EQ(SplitAmount(0, {}), (std::vector<int64_t>{0}));
}

TEST(SplitAmountTest, FixedSharesTakeWhatIsLeftInOrder) {
  const std::vector<RevenueShare> shares = {Fixed("stamp", 500), Fixed("post", 300)};
  EXPECT_EQ(SplitAmount(10000, shares), (std::vector<int64_t>{500, 300, 9200}));
  EXPECT_EQ(SplitAmount(600, shares), (std::vector<int64_t>{500, 100, 0}));
  EXPECT_EQ(SplitAmount(200, shares), (std::vector<int64_t>{200, 0, 0}));
}

TEST(SplitAmountTest, BasisPointsRoundDownAndTheRemainderGoesToTheMainAccount) {
  // 1/3 each of 100: 33 + 33, remainder 34.
  const std::vector<RevenueShare> shares = {Bp("a", 3333), Bp("b", 3333)};
  EXPECT_EQ(SplitAmount(100, shares), (std::vector<int64_t>{33, 33, 34}));
  EXPECT_EQ(SplitAmount(1, shares), (std::vector<int64_t>{0, 0, 1}));
  // All of it to shares: rounding leftovers still go to the main account.
  const std::vector<RevenueShare> halves = {Bp("a", 5000), Bp("b", 5000)};
  EXPECT_EQ(SplitAmount(101, halves), (std::vector<int64_t>{50, 50, 1}));
}

TEST(SplitAmountTest, BasisPointsApplyToWhatFixedSharesLeave) {
  const std::vector<RevenueShare> shares = {Bp("treasury", 2500), Fixed("stamp", 1000)};
  // 10000 - 1000 fixed = 9000; 25% of it = 2250; remainder 6750.
  EXPECT_EQ(SplitAmount(10000, shares), (std::vector<int64_t>{2250, 1000, 6750}));
}

TEST(SplitAmountTest, LargeAmountsDoNotOverflow) {
  const int64_t big = kMaxAmountMinor * 4;
  const std::vector<RevenueShare> shares = {Bp("a", 9999), Bp("b", 1)};
  std::vector<int64_t> parts = SplitAmount(big, shares);
  EXPECT_EQ(Sum(parts), big);
  EXPECT_EQ(parts[0], big / 10000 * 9999);
  EXPECT_EQ(parts[1], big / 10000);
}

TEST(SplitIncrementTest, PartialPaymentsAddUpExactlyToTheSplitOfTheTotal) {
  const std::vector<RevenueShare> shares = {Fixed("stamp", 700), Bp("province", 3333),
                                            Bp("city", 1667)};
  const int64_t amount = 10001;
  std::map<std::string, int64_t> credited;
  int64_t collected = 0;
  for (int64_t step : {1, 2, 699, 1, 3000, 7, 1234, 5057}) {
    auto postings = SplitIncrement("moi", "SAR", shares, amount, collected, collected + step);
    ASSERT_TRUE(postings.ok());
    int64_t sum = 0;
    for (const Posting& posting : *postings) {
      credited[posting.account] += posting.amount.minor_units();
      sum += posting.amount.minor_units();
    }
    EXPECT_EQ(sum, step);
    collected += step;
  }
  ASSERT_EQ(collected, amount);
  const std::vector<int64_t> total = SplitAmount(amount, shares);
  EXPECT_EQ(credited["revenue/moi/stamp"], total[0]);
  EXPECT_EQ(credited["revenue/moi/province"], total[1]);
  EXPECT_EQ(credited["revenue/moi/city"], total[2]);
  EXPECT_EQ(credited["revenue/moi"], total[3]);
}

TEST(SplitIncrementTest, MoneyBeyondTheFeeAmountIsPenaltyMoney) {
  auto postings = SplitIncrement("moi", "SAR", {Bp("stamp", 1000)}, 1000, 900, 1250);
  ASSERT_TRUE(postings.ok());
  // Fee part 900 -> 1000: stamp 90 -> 100 (+10), main 810 -> 900 (+90); 250 penalties.
  EXPECT_EQ(*postings,
            (std::vector<Posting>{{"revenue/moi/stamp", Money::Create("SAR", 10).value()},
                                  {"revenue/moi", Money::Create("SAR", 90).value()},
                                  {"revenue/moi/penalties", Money::Create("SAR", 250).value()}}));
}

// Property: for random shares, amounts and payment sequences, every payment's postings sum to the
// payment, and the sum over a fee's payments is exactly Split(total) per account.
TEST(SplitIncrementTest, RandomSharesAndPaymentSequences) {
  std::mt19937_64 random(20261124);
  for (int round = 0; round < 2000; ++round) {
    std::vector<RevenueShare> shares;
    int32_t bp_left = 10000;
    const int count = static_cast<int>(random() % 5);
    for (int i = 0; i < count; ++i) {
      const std::string label = "s" + std::to_string(i);
      if (random() % 2 == 0) {
        shares.push_back(Fixed(label, 1 + static_cast<int64_t>(random() % 5000)));
      } else if (bp_left > 0) {
        const int32_t bp = 1 + static_cast<int32_t>(random() % bp_left);
        bp_left -= bp;
        shares.push_back(Bp(label, bp));
      }
    }
    const int64_t amount = 1 + static_cast<int64_t>(random() % 100000);
    const int64_t penalties = static_cast<int64_t>(random() % 3) * 500;
    const int64_t total = amount + penalties;
    std::map<std::string, int64_t> credited;
    int64_t collected = 0;
    while (collected < total) {
      const int64_t step = std::min<int64_t>(total - collected, 1 + random() % (amount / 3 + 1));
      auto postings = SplitIncrement("a", "SAR", shares, amount, collected, collected + step);
      ASSERT_TRUE(postings.ok());
      int64_t sum = 0;
      for (const Posting& posting : *postings) {
        credited[posting.account] += posting.amount.minor_units();
        sum += posting.amount.minor_units();
      }
      ASSERT_EQ(sum, step);
      collected += step;
    }
    const std::vector<int64_t> split = SplitAmount(amount, shares);
    ASSERT_EQ(Sum(split), amount);
    for (size_t i = 0; i < shares.size(); ++i) {
      ASSERT_EQ(credited["revenue/a/" + shares[i].label], split[i]) << "round " << round;
      ASSERT_GE(split[i], 0);
    }
    ASSERT_EQ(credited["revenue/a"], split.back());
    ASSERT_EQ(credited["revenue/a/penalties"], penalties);
  }
}

}  // namespace
}  // namespace pay::internal
