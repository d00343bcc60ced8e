// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Paying fees through the SANDBOX connector, end to end over gRPC against the real payd: the
// happy path, declines, double payment and unified inquiry.

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "payd_test_base.h"

namespace pay::integration {
namespace {

using ::google::protobuf::util::MessageDifferencer;

class PaymentsTest : public PaydTest {};

TEST_F(PaymentsTest, SandboxPaymentPaysTheFee) {
  const v1::CreateFeeRequest request = FeeRequest(1250);
  v1::Fee fee;
  ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, request, &fee)));
  EXPECT_TRUE(HasIdShape(fee.fee_id(), "fee_", 20)) << fee.fee_id();
  EXPECT_EQ(fee.agency_id(), "passports");
  EXPECT_TRUE(IsValidBillNumber(fee.bill_number())) << fee.bill_number();
  EXPECT_EQ(fee.display_bill_number(), GroupsOfFour(fee.bill_number(), ' '));
  EXPECT_TRUE(MessageDifferencer::Equals(fee.amount(), request.amount())) << fee.DebugString();
  EXPECT_TRUE(MessageDifferencer::Equals(fee.description(), request.description()));
  EXPECT_EQ(fee.payer_reference(), request.payer_reference());
  EXPECT_EQ(fee.state(), v1::Fee::UNPAID);
  EXPECT_TRUE(fee.paid_by_payment_id().empty());
  EXPECT_TRUE(fee.has_create_time());

  v1::Payment payment;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fee.bill_number(), "pay-1", &payment));
  EXPECT_TRUE(HasIdShape(payment.payment_id(), "pay_", 20)) << payment.payment_id();
  EXPECT_EQ(payment.fee_id(), fee.fee_id());
  EXPECT_EQ(payment.agency_id(), "passports");
  EXPECT_EQ(payment.bill_number(), fee.bill_number());
  EXPECT_TRUE(MessageDifferencer::Equals(payment.amount(), fee.amount()));
  EXPECT_EQ(payment.method(), v1::SANDBOX);
  EXPECT_EQ(payment.connector(), "sandbox");
  EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED) << payment.DebugString();
  EXPECT_TRUE(payment.failure_code().empty());
  EXPECT_EQ(payment.idempotency_key(), "pay-1");
  EXPECT_EQ(payment.initiated_by(), passports_.agency_credential_id);
  EXPECT_TRUE(payment.has_create_time());

  v1::Fee paid;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &paid)));
  EXPECT_EQ(paid.state(), v1::Fee::PAID);
  EXPECT_EQ(paid.paid_by_payment_id(), payment.payment_id());
  EXPECT_EQ(paid.bill_number(), fee.bill_number());
  EXPECT_TRUE(MessageDifferencer::Equals(paid.amount(), fee.amount()));
  // The payment is a later ledger entry than the fee's issue.
  EXPECT_GT(paid.ledger_sequence(), fee.ledger_sequence());

  v1::Payment read;
  ASSERT_TRUE(IsOk(GetPayment(passports_.agency_key, payment.payment_id(), &read)));
  EXPECT_TRUE(MessageDifferencer::Equals(read, payment)) << "created:\n"
                                                         << payment.DebugString() << "read back:\n"
                                                         << read.DebugString();
}

TEST_F(PaymentsTest, ChannelInquiresBillInAnyTypedForm) {
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));

  v1::InquireBillResponse unpaid;
  ASSERT_TRUE(IsOk(InquireBill(passports_.channel_key, fee.bill_number(), &unpaid)));
  EXPECT_EQ(unpaid.bill_number(), fee.bill_number());
  EXPECT_EQ(unpaid.display_bill_number(), fee.display_bill_number());
  EXPECT_EQ(unpaid.agency_id(), "passports");
  EXPECT_TRUE(MessageDifferencer::Equals(unpaid.agency_name(), passports_.name))
      << unpaid.DebugString();
  EXPECT_TRUE(MessageDifferencer::Equals(unpaid.amount_due(), fee.amount()));
  EXPECT_EQ(unpaid.state(), v1::Fee::UNPAID);
  EXPECT_TRUE(MessageDifferencer::Equals(unpaid.description(), fee.description()));

  // A citizen reads the number off a printed bill, with spaces or hyphens.
  for (const std::string& typed : {fee.display_bill_number(), GroupsOfFour(fee.bill_number(), '-'),
                                   " " + GroupsOfFour(fee.bill_number(), ' ') + " "}) {
    SCOPED_TRACE("typed as \"" + typed + "\"");
    v1::InquireBillResponse response;
    ASSERT_TRUE(IsOk(InquireBill(passports_.channel_key, typed, &response)));
    EXPECT_TRUE(MessageDifferencer::Equals(response, unpaid)) << response.DebugString();
  }

  v1::Payment payment;
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.channel_key, fee.display_bill_number(), "kiosk-1", &payment));
  EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED) << payment.DebugString();
  EXPECT_EQ(payment.bill_number(), fee.bill_number()) << "stored in canonical form";
  EXPECT_EQ(payment.initiated_by(), passports_.channel_credential_id);

  v1::InquireBillResponse paid;
  ASSERT_TRUE(IsOk(InquireBill(passports_.channel_key, fee.display_bill_number(), &paid)));
  EXPECT_EQ(paid.state(), v1::Fee::PAID);
  EXPECT_EQ(paid.agency_id(), "passports");
  EXPECT_EQ(paid.amount_due().minor_units(), 0) << "nothing is due on a paid bill";

  // The agency may inquire its own bill too.
  v1::InquireBillResponse by_agency;
  ASSERT_TRUE(IsOk(InquireBill(passports_.agency_key, fee.bill_number(), &by_agency)));
  EXPECT_EQ(by_agency.state(), v1::Fee::PAID);
}

TEST_F(PaymentsTest, InquireBillTellsMistypedFromUnknownNumbers) {
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
  v1::InquireBillResponse response;
  EXPECT_TRUE(IsInvalidArgumentAt(
      InquireBill(passports_.channel_key, WithWrongCheckDigit(fee.bill_number()), &response),
      "bill_number"));
  EXPECT_TRUE(HasCode(
      InquireBill(passports_.channel_key, OtherValidBillNumber(fee.bill_number()), &response),
      grpc::StatusCode::NOT_FOUND));
}

TEST_F(PaymentsTest, DeclinedPaymentLeavesTheFeeUnpaid) {
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 402, &fee));  // 4.02 SAR

  v1::Payment declined;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fee.bill_number(), "decline-1", &declined));
  EXPECT_EQ(declined.state(), v1::Payment::FAILED) << declined.DebugString();
  EXPECT_EQ(declined.failure_code(), "INSUFFICIENT_FUNDS");
  EXPECT_FALSE(declined.failure_message().empty());

  v1::Fee after;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &after)));
  EXPECT_EQ(after.state(), v1::Fee::UNPAID);
  EXPECT_TRUE(after.paid_by_payment_id().empty());
  v1::InquireBillResponse inquiry;
  ASSERT_TRUE(IsOk(InquireBill(passports_.channel_key, fee.bill_number(), &inquiry)));
  EXPECT_EQ(inquiry.state(), v1::Fee::UNPAID);
  EXPECT_EQ(inquiry.amount_due().minor_units(), 402) << "still payable";

  // A failed attempt does not block the fee: a new attempt is made (and declined again), it is
  // not refused with FAILED_PRECONDITION.
  v1::Payment second;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fee.bill_number(), "decline-2", &second));
  EXPECT_NE(second.payment_id(), declined.payment_id());
  EXPECT_EQ(second.state(), v1::Payment::FAILED);
  EXPECT_EQ(second.failure_code(), "INSUFFICIENT_FUNDS");

  // Retrying the first key replays the first attempt rather than trying again.
  v1::Payment replay;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fee.bill_number(), "decline-1", &replay));
  EXPECT_TRUE(MessageDifferencer::Equals(replay, declined)) << replay.DebugString();

  std::vector<v1::Payment> payments;
  ASSERT_NO_FATAL_FAILURE(PaymentsOfFee(passports_.agency_key, fee.fee_id(), &payments));
  ASSERT_EQ(payments.size(), 2u);
  for (const v1::Payment& payment : payments) EXPECT_EQ(payment.state(), v1::Payment::FAILED);
}

TEST_F(PaymentsTest, SandboxDeclinesExactlyAmountsEndingIn402) {
  struct Case {
    int64_t minor_units;
    v1::Payment::State state;
  };
  const Case cases[] = {
      {100402, v1::Payment::FAILED},   {1402, v1::Payment::FAILED},
      {4020, v1::Payment::SUCCEEDED},  {403, v1::Payment::SUCCEEDED},
      {40200, v1::Payment::SUCCEEDED}, {1, v1::Payment::SUCCEEDED},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("amount " + std::to_string(c.minor_units));
    v1::Fee fee;
    ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, c.minor_units, &fee));
    v1::Payment payment;
    ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fee.bill_number(),
                                "amount-" + std::to_string(c.minor_units), &payment));
    EXPECT_EQ(payment.state(), c.state) << payment.DebugString();
    EXPECT_EQ(payment.amount().minor_units(), c.minor_units);
    v1::Fee after;
    ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &after)));
    EXPECT_EQ(after.state(), c.state == v1::Payment::SUCCEEDED ? v1::Fee::PAID : v1::Fee::UNPAID);
  }
}

TEST_F(PaymentsTest, SecondPaymentOfPaidFeeIsRefused) {
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
  v1::Payment first;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fee.bill_number(), "first", &first));
  ASSERT_EQ(first.state(), v1::Payment::SUCCEEDED);

  v1::Payment second;
  EXPECT_TRUE(HasCodeAndMention(
      TryPay(passports_.agency_key, PaymentRequest(fee.bill_number(), "second"), &second),
      grpc::StatusCode::FAILED_PRECONDITION, "PAID"));
  EXPECT_TRUE(HasCodeAndMention(
      TryPay(passports_.channel_key, PaymentRequest(fee.bill_number(), "third"), &second),
      grpc::StatusCode::FAILED_PRECONDITION, "PAID"));

  std::vector<v1::Payment> payments;
  ASSERT_NO_FATAL_FAILURE(PaymentsOfFee(passports_.agency_key, fee.fee_id(), &payments));
  ASSERT_EQ(payments.size(), 1u);
  EXPECT_EQ(payments[0].payment_id(), first.payment_id());
  EXPECT_EQ(payments[0].state(), v1::Payment::SUCCEEDED);
  v1::Fee after;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &after)));
  EXPECT_EQ(after.paid_by_payment_id(), first.payment_id());
}

TEST_F(PaymentsTest, ExpectedAmountMustEqualTheAmountDue) {
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
  v1::Payment payment;

  v1::CreatePaymentRequest stale = PaymentRequest(fee.bill_number(), "stale-amount");
  stale.mutable_expected_amount()->set_currency("SAR");
  stale.mutable_expected_amount()->set_minor_units(1200);
  EXPECT_TRUE(HasCode(TryPay(passports_.channel_key, stale, &payment),
                      grpc::StatusCode::FAILED_PRECONDITION));
  v1::CreatePaymentRequest other_currency = PaymentRequest(fee.bill_number(), "other-currency");
  other_currency.mutable_expected_amount()->set_currency("JOD");
  other_currency.mutable_expected_amount()->set_minor_units(1250);
  EXPECT_TRUE(HasCode(TryPay(passports_.channel_key, other_currency, &payment),
                      grpc::StatusCode::FAILED_PRECONDITION));
  v1::Fee after;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &after)));
  EXPECT_EQ(after.state(), v1::Fee::UNPAID);

  v1::CreatePaymentRequest confirmed = PaymentRequest(fee.bill_number(), "confirmed");
  *confirmed.mutable_expected_amount() = fee.amount();
  ASSERT_TRUE(IsOk(TryPay(passports_.channel_key, confirmed, &payment)));
  EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED);
}

TEST_F(PaymentsTest, FinalPaymentsCannotBeCancelled) {
  v1::Fee paid_fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &paid_fee));
  v1::Payment succeeded;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, paid_fee.bill_number(), "ok", &succeeded));
  ASSERT_EQ(succeeded.state(), v1::Payment::SUCCEEDED);
  v1::Fee declined_fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 402, &declined_fee));
  v1::Payment failed;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, declined_fee.bill_number(), "ko", &failed));
  ASSERT_EQ(failed.state(), v1::Payment::FAILED);

  for (const v1::Payment* payment : {&succeeded, &failed}) {
    const std::string state = v1::Payment::State_Name(payment->state());
    SCOPED_TRACE("cancelling a " + state + " payment");
    v1::CancelPaymentRequest request;
    request.set_payment_id(payment->payment_id());
    request.set_reason("integration test");
    v1::Payment response;
    auto context = MakeContext(passports_.agency_key);
    EXPECT_TRUE(HasCodeAndMention(payments_->CancelPayment(context.get(), request, &response),
                                  grpc::StatusCode::FAILED_PRECONDITION, state));
    v1::Payment after;
    ASSERT_TRUE(IsOk(GetPayment(passports_.agency_key, payment->payment_id(), &after)));
    EXPECT_TRUE(MessageDifferencer::Equals(after, *payment)) << after.DebugString();
  }
  v1::Fee after;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, paid_fee.fee_id(), &after)));
  EXPECT_EQ(after.state(), v1::Fee::PAID);
}

}  // namespace
}  // namespace pay::integration
