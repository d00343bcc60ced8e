// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "pay/payment_state.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <utility>

namespace pay {
namespace {

constexpr PaymentState kAllPaymentStates[] = {
    PaymentState::kPending,           PaymentState::kProcessing,
    PaymentState::kSucceeded,         PaymentState::kFailed,
    PaymentState::kCancelled,         PaymentState::kExpired,
    PaymentState::kPartiallyRefunded, PaymentState::kRefunded,
};
constexpr FeeState kAllFeeStates[] = {FeeState::kUnpaid, FeeState::kPaid, FeeState::kCancelled,
                                      FeeState::kExpired, FeeState::kPartiallyPaid};

// The allowed transitions written out again from the header comment, by name, so that a slip in
// the implementation's table does not hide in a test that reads the same table.
const std::set<std::pair<std::string, std::string>>& ExpectedPaymentTransitions() {
  static const auto* expected = new std::set<std::pair<std::string, std::string>>{
      {"PENDING", "PROCESSING"},
      {"PENDING", "CANCELLED"},
      {"PENDING", "EXPIRED"},
      {"PENDING", "FAILED"},
      {"PROCESSING", "PROCESSING"},
      {"PROCESSING", "SUCCEEDED"},
      {"PROCESSING", "FAILED"},
      {"PROCESSING", "CANCELLED"},
      {"PROCESSING", "EXPIRED"},
      {"SUCCEEDED", "PARTIALLY_REFUNDED"},
      {"SUCCEEDED", "REFUNDED"},
      {"PARTIALLY_REFUNDED", "PARTIALLY_REFUNDED"},
      {"PARTIALLY_REFUNDED", "REFUNDED"},
  };
  return *expected;
}

TEST(PaymentStateTest, EveryPairFollowsTheTable) {
  int allowed = 0;
  for (const PaymentState from : kAllPaymentStates) {
    for (const PaymentState to : kAllPaymentStates) {
      const std::string from_name(PaymentStateName(from));
      const std::string to_name(PaymentStateName(to));
      const bool expected = ExpectedPaymentTransitions().count({from_name, to_name}) > 0;
      const Status status = CheckTransition(from, to);
      if (expected) {
        ++allowed;
        EXPECT_TRUE(status.ok()) << from_name << " -> " << to_name << ": " << status;
      } else {
        EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << from_name << " -> " << to_name;
        EXPECT_EQ(status.message(), "payment is " + from_name + "; cannot become " + to_name);
      }
    }
  }
  EXPECT_EQ(allowed, 13);
}

TEST(PaymentStateTest, TerminalStatesHaveNoWayOut) {
  const std::set<PaymentState> terminal = {PaymentState::kFailed, PaymentState::kCancelled,
                                           PaymentState::kExpired, PaymentState::kRefunded};
  for (const PaymentState from : kAllPaymentStates) {
    EXPECT_EQ(IsTerminal(from), terminal.count(from) > 0) << PaymentStateName(from);
    if (!IsTerminal(from)) continue;
    for (const PaymentState to : kAllPaymentStates) {
      EXPECT_FALSE(CheckTransition(from, to).ok())
          << PaymentStateName(from) << " -> " << PaymentStateName(to);
    }
  }
}

TEST(PaymentStateTest, RefusalMessageNamesBothStates) {
  EXPECT_EQ(CheckTransition(PaymentState::kSucceeded, PaymentState::kCancelled).message(),
            "payment is SUCCEEDED; cannot become CANCELLED");
}

TEST(PaymentStateTest, NamesRoundTrip) {
  EXPECT_EQ(PaymentStateName(PaymentState::kPartiallyRefunded), "PARTIALLY_REFUNDED");
  EXPECT_EQ(PaymentStateName(PaymentState::kPending), "PENDING");
  std::set<std::string> names;
  for (const PaymentState state : kAllPaymentStates) {
    names.insert(std::string(PaymentStateName(state)));
    EXPECT_EQ(PaymentStateFromName(PaymentStateName(state)), state);
    EXPECT_EQ(PaymentStateFromByte(static_cast<uint8_t>(state)), state);
  }
  EXPECT_EQ(names.size(), 8u);
  for (const char* name : {"", "pending", "Pending", "PENDING ", "UNKNOWN", "PAID"}) {
    EXPECT_EQ(PaymentStateFromName(name), std::nullopt) << '"' << name << '"';
  }
}

TEST(PaymentStateTest, FromByteRejectsNonStates) {
  for (const int value : {0, 9, 10, 127, 255}) {
    EXPECT_EQ(PaymentStateFromByte(static_cast<uint8_t>(value)), std::nullopt) << value;
  }
  for (const int value : {0, 6, 255}) {
    EXPECT_EQ(FeeStateFromByte(static_cast<uint8_t>(value)), std::nullopt) << value;
  }
}

TEST(FeeStateTest, EveryPairFollowsTheTable) {
  const std::set<std::pair<std::string, std::string>> expected_transitions = {
      {"UNPAID", "PAID"},
      {"UNPAID", "CANCELLED"},
      {"UNPAID", "EXPIRED"},
      {"UNPAID", "PARTIALLY_PAID"},
      {"PARTIALLY_PAID", "PARTIALLY_PAID"},
      {"PARTIALLY_PAID", "PAID"}};
  for (const FeeState from : kAllFeeStates) {
    for (const FeeState to : kAllFeeStates) {
      const std::string from_name(FeeStateName(from));
      const std::string to_name(FeeStateName(to));
      const Status status = CheckTransition(from, to);
      if (expected_transitions.count({from_name, to_name}) > 0) {
        EXPECT_TRUE(status.ok()) << from_name << " -> " << to_name << ": " << status;
      } else {
        EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << from_name << " -> " << to_name;
        EXPECT_EQ(status.message(), "fee is " + from_name + "; cannot become " + to_name);
      }
    }
  }
  EXPECT_EQ(CheckTransition(FeeState::kPaid, FeeState::kCancelled).message(),
            "fee is PAID; cannot become CANCELLED");
}

TEST(FeeStateTest, NamesRoundTrip) {
  std::set<std::string> names;
  for (const FeeState state : kAllFeeStates) {
    names.insert(std::string(FeeStateName(state)));
    EXPECT_EQ(FeeStateFromName(FeeStateName(state)), state);
    EXPECT_EQ(FeeStateFromByte(static_cast<uint8_t>(state)), state);
  }
  EXPECT_EQ(names,
            (std::set<std::string>{"UNPAID", "PAID", "CANCELLED", "EXPIRED", "PARTIALLY_PAID"}));
  EXPECT_EQ(FeeStateFromName("unpaid"), std::nullopt);
  EXPECT_EQ(FeeStateFromName("PENDING"), std::nullopt);
}

}  // namespace
}  // namespace pay
