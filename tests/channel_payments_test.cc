// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// PaymentService.RecordChannelPayment over real gRPC: a channel reports payments it collected
// itself. Money is never lost: a payment for a bill that cannot take it is recorded and flagged
// refund_due, with the money in suspense.

#include <thread>

#include "pay/v1/ledger_service.grpc.pb.h"
#include "payd_test_base.h"

namespace pay::integration {
namespace {

class ChannelPaymentTest : public PaydTest {
 protected:
  v1::RecordChannelPaymentRequest Request(const std::string& bill, int64_t minor_units,
                                          const std::string& key) {
    v1::RecordChannelPaymentRequest request;
    request.set_bill_number(bill);
    request.mutable_amount()->set_currency("SAR");
    request.mutable_amount()->set_minor_units(minor_units);
    request.set_method(v1::BANK_TRANSFER);
    request.set_channel_reference("BRANCH-" + key);
    request.set_idempotency_key(key);
    return request;
  }

  grpc::Status Record(const std::string& api_key, const v1::RecordChannelPaymentRequest& request,
                      v1::Payment* payment) {
    auto context = MakeContext(api_key, kCallTimeout);
    return payments_->RecordChannelPayment(context.get(), request, payment);
  }

  v1::Fee::State FeeState(const std::string& fee_id) {
    v1::Fee fee;
    EXPECT_TRUE(GetFee(passports_.agency_key, fee_id, &fee).ok());
    return fee.state();
  }
};

TEST_F(ChannelPaymentTest, PaysAnUnpaidBillOnceForEveryRetry) {
  v1::Fee fee;
  IssueFee(passports_.agency_key, 30000, &fee);
  v1::Payment payment;
  ASSERT_TRUE(
      Record(passports_.channel_key, Request(fee.bill_number(), 30000, "c1"), &payment).ok());
  EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED);
  EXPECT_FALSE(payment.refund_due());
  EXPECT_EQ(payment.connector(), "channel:" + passports_.channel_credential_id);
  EXPECT_EQ(payment.connector_reference(), "BRANCH-c1");
  EXPECT_EQ(FeeState(fee.fee_id()), v1::Fee::PAID);

  v1::Payment again;
  ASSERT_TRUE(Record(passports_.channel_key, Request(fee.bill_number(), 30000, "c1"), &again).ok());
  EXPECT_EQ(again.payment_id(), payment.payment_id());
  grpc::Status other =
      Record(passports_.channel_key, Request(fee.bill_number(), 29000, "c1"), &again);
  EXPECT_EQ(other.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(other.error_message().find("c1"), std::string::npos);
  // The agency sees it among its fee's payments; the channel can read what it reported.
  std::vector<v1::Payment> payments;
  PaymentsOfFee(passports_.agency_key, fee.fee_id(), &payments);
  ASSERT_EQ(payments.size(), 1u);
  v1::Payment read;
  EXPECT_TRUE(GetPayment(passports_.channel_key, payment.payment_id(), &read).ok());
}

// A second payment of a paid bill, a cancelled fee, an expired fee and another amount: each is
// recorded SUCCEEDED with refund_due, and the fee is left as it was.
TEST_F(ChannelPaymentTest, MoneyForABillThatCannotTakeItIsRecordedForRefund) {
  v1::Fee paid;
  IssueFee(passports_.agency_key, 10000, &paid);
  v1::Payment first;
  ASSERT_TRUE(
      Record(passports_.channel_key, Request(paid.bill_number(), 10000, "p1"), &first).ok());
  v1::Payment second;
  ASSERT_TRUE(
      Record(passports_.channel_key, Request(paid.bill_number(), 10000, "p2"), &second).ok());
  EXPECT_EQ(second.state(), v1::Payment::SUCCEEDED);
  EXPECT_TRUE(second.refund_due());
  EXPECT_NE(second.payment_id(), first.payment_id());
  v1::Fee fee;
  ASSERT_TRUE(GetFee(passports_.agency_key, paid.fee_id(), &fee).ok());
  EXPECT_EQ(fee.paid_by_payment_id(), first.payment_id());

  v1::Fee cancelled;
  IssueFee(passports_.agency_key, 10000, &cancelled);
  v1::CancelFeeRequest cancel;
  cancel.set_fee_id(cancelled.fee_id());
  v1::Fee after_cancel;
  auto context = MakeContext(passports_.agency_key, kCallTimeout);
  ASSERT_TRUE(fees_->CancelFee(context.get(), cancel, &after_cancel).ok());
  v1::Payment for_cancelled;
  ASSERT_TRUE(
      Record(passports_.channel_key, Request(cancelled.bill_number(), 10000, "x1"), &for_cancelled)
          .ok());
  EXPECT_TRUE(for_cancelled.refund_due());
  EXPECT_EQ(FeeState(cancelled.fee_id()), v1::Fee::CANCELLED);

  v1::CreateFeeRequest expiring = FeeRequest(10000);
  expiring.mutable_expire_time()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count() +
      1);
  v1::Fee expired;
  ASSERT_TRUE(TryCreateFee(passports_.agency_key, expiring, &expired).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  v1::Payment for_expired;
  ASSERT_TRUE(
      Record(passports_.channel_key, Request(expired.bill_number(), 10000, "e1"), &for_expired)
          .ok());
  EXPECT_TRUE(for_expired.refund_due());
  EXPECT_EQ(FeeState(expired.fee_id()), v1::Fee::EXPIRED);

  v1::Fee short_paid;
  IssueFee(passports_.agency_key, 10000, &short_paid);
  v1::Payment partial;
  ASSERT_TRUE(
      Record(passports_.channel_key, Request(short_paid.bill_number(), 9000, "s1"), &partial).ok());
  EXPECT_TRUE(partial.refund_due());
  EXPECT_EQ(FeeState(short_paid.fee_id()), v1::Fee::UNPAID);
}

TEST_F(ChannelPaymentTest, UnknownBillsAndOtherRolesAreRefused) {
  v1::Payment payment;
  // A well-formed bill number (valid Damm check digit) that was never issued.
  grpc::Status unknown =
      Record(passports_.channel_key, Request("1234 5678 9012 3450", 10000, "u1"), &payment);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(unknown.error_message().find("nothing was recorded"), std::string::npos);
  v1::Fee fee;
  IssueFee(passports_.agency_key, 10000, &fee);
  EXPECT_EQ(
      Record(passports_.agency_key, Request(fee.bill_number(), 10000, "a1"), &payment).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::RecordChannelPaymentRequest no_reference = Request(fee.bill_number(), 10000, "r1");
  no_reference.clear_channel_reference();
  grpc::Status missing = Record(passports_.channel_key, no_reference, &payment);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(missing.error_message().find("channel_reference"), std::string::npos);
  v1::RecordChannelPaymentRequest no_amount = Request(fee.bill_number(), 10000, "r2");
  no_amount.clear_amount();
  EXPECT_EQ(Record(passports_.channel_key, no_amount, &payment).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::RecordChannelPaymentRequest odd_method = Request(fee.bill_number(), 10000, "r3");
  odd_method.set_method(static_cast<v1::PaymentMethod>(99));
  grpc::Status unknown_method = Record(passports_.channel_key, odd_method, &payment);
  EXPECT_EQ(unknown_method.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(unknown_method.error_message().find("method: unknown payment method 99"),
            std::string::npos);
  v1::RecordChannelPaymentRequest no_method = Request(fee.bill_number(), 10000, "r4");
  no_method.clear_method();
  EXPECT_EQ(Record(passports_.channel_key, no_method, &payment).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FeeState(fee.fee_id()), v1::Fee::UNPAID);
}

}  // namespace
}  // namespace pay::integration
