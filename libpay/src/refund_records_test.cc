// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "refund_records.h"

#include <gtest/gtest.h>

#include <numeric>

namespace pay::internal {
namespace {

Posting Credit(const std::string& account, int64_t minor_units) {
  return {account, Money::Create("SAR", minor_units).value()};
}

int64_t Sum(const std::vector<int64_t>& values) {
  return std::accumulate(values.begin(), values.end(), int64_t{0});
}

TEST(RefundSharesTest, OneAccountTakesEverything) {
  const std::vector<Posting> collected = {Credit("revenue/passports", 10000)};
  EXPECT_EQ(RefundShares(collected, 0), std::vector<int64_t>({0}));
  EXPECT_EQ(RefundShares(collected, 2999), std::vector<int64_t>({2999}));
  EXPECT_EQ(RefundShares(collected, 10000), std::vector<int64_t>({10000}));
}

TEST(RefundSharesTest, SuspenseFirstThenProportionally) {
  const std::vector<Posting> collected = {Credit("revenue/passports", 6000),
                                          Credit("suspense/sandbox", 4000)};
  EXPECT_EQ(RefundShares(collected, 3000), std::vector<int64_t>({0, 3000}));
  EXPECT_EQ(RefundShares(collected, 5000), std::vector<int64_t>({1000, 4000}));
  EXPECT_EQ(RefundShares(collected, 10000), std::vector<int64_t>({6000, 4000}));
}

// Any sequence of partial refunds sums, per account, to exactly what was collected.
TEST(RefundSharesTest, CumulativeSharesReverseTheCollectionExactly) {
  const std::vector<Posting> collected = {Credit("revenue/passports", 3333),
                                          Credit("revenue/treasury", 3333),
                                          Credit("revenue/municipality", 3334)};
  std::vector<int64_t> debited(collected.size(), 0);
  int64_t total = 0;
  for (int64_t step : {1, 7, 100, 2, 3333, 1, 5000, 1556}) {
    const std::vector<int64_t> before = RefundShares(collected, total);
    total += step;
    const std::vector<int64_t> after = RefundShares(collected, total);
    EXPECT_EQ(Sum(after), total);
    for (size_t i = 0; i < collected.size(); ++i) debited[i] += after[i] - before[i];
  }
  ASSERT_EQ(total, 10000);
  for (size_t i = 0; i < collected.size(); ++i) {
    EXPECT_EQ(debited[i], collected[i].amount.minor_units()) << collected[i].account;
  }
  // Proportional at the half: 5000 of 10000.
  EXPECT_EQ(RefundShares(collected, 5000), std::vector<int64_t>({1666 + 1, 1666, 1667}));
}

TEST(RefundSharesTest, LargeAmountsDoNotOverflow) {
  const std::vector<Posting> collected = {Credit("revenue/a", kMaxAmountMinor / 2),
                                          Credit("revenue/b", kMaxAmountMinor / 2)};
  const std::vector<int64_t> shares = RefundShares(collected, kMaxAmountMinor - 1);
  EXPECT_EQ(Sum(shares), kMaxAmountMinor - 1);
  EXPECT_EQ(shares[1], kMaxAmountMinor / 2 - 1);
}

TEST(RefundRecordsTest, RefundAndPolicyRoundTrip) {
  Refund refund;
  refund.refund_id = "rfd_0123456789abcdef0123";
  refund.payment_id = "pay_0123456789abcdef0123";
  refund.fee_id = "fee_1";
  refund.agency_id = "passports";
  refund.amount = Money::Create("SAR", 1500).value();
  refund.reason_code = RefundReason::kDuplicatePayment;
  refund.reason = "paid twice";
  refund.state = RefundState::kSucceeded;
  refund.requested_by = "cred_a";
  refund.approved_by = "cred_b";
  refund.destination = RefundDestination{PaymentMethod::kMobileWallet, "+966501234567"};
  refund.connector = "wallet";
  refund.connector_reference = "WRF-1";
  refund.idempotency_key = "k1";
  refund.create_time_ms = 1;
  refund.update_time_ms = 2;
  refund.ledger_sequence = 42;
  Refund decoded;
  ASSERT_TRUE(DecodeRefund(EncodeRefund(refund), &decoded).ok());
  EXPECT_EQ(decoded, refund);
  refund.destination.reset();
  ASSERT_TRUE(DecodeRefund(EncodeRefund(refund), &decoded).ok());
  EXPECT_EQ(decoded, refund);
  EXPECT_FALSE(DecodeRefund(EncodeRefund(refund).substr(0, 20), &decoded).ok());

  RefundPolicy policy;
  policy.agency_id = "passports";
  policy.approval_thresholds = {Money::Create("SAR", 50000).value(),
                                Money::Create("JOD", 0).value()};
  policy.update_time_ms = 7;
  policy.updated_by = "cred_admin";
  RefundPolicy read;
  ASSERT_TRUE(DecodeRefundPolicy(EncodeRefundPolicy(policy), &read).ok());
  EXPECT_EQ(read.agency_id, policy.agency_id);
  EXPECT_EQ(read.approval_thresholds, policy.approval_thresholds);
  EXPECT_EQ(read.updated_by, policy.updated_by);
}

}  // namespace
}  // namespace pay::internal
