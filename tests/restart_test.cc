// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Durability against the real payd and RocksDB: what payd acknowledged is there after a clean
// restart (SIGTERM) and after a crash (SIGKILL), and idempotency keys still hold.

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "payd_test_base.h"

namespace pay::integration {
namespace {

using ::google::protobuf::util::MessageDifferencer;

class RestartTest : public PaydTest {
 protected:
  // Everything passports can read, by id and by listing.
  struct Snapshot {
    std::vector<v1::Fee> fees;
    std::vector<v1::Payment> payments;
    std::vector<v1::Fee> listed_fees;
    std::vector<v1::Payment> listed_payments;
  };

  void TakeSnapshot(const std::vector<std::string>& fee_ids,
                    const std::vector<std::string>& payment_ids, Snapshot* snapshot) {
    for (const std::string& id : fee_ids) {
      v1::Fee fee;
      ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, id, &fee))) << id;
      snapshot->fees.push_back(fee);
    }
    for (const std::string& id : payment_ids) {
      v1::Payment payment;
      ASSERT_TRUE(IsOk(GetPayment(passports_.agency_key, id, &payment))) << id;
      snapshot->payments.push_back(payment);
    }
    ASSERT_NO_FATAL_FAILURE(ListAllFees(passports_.agency_key, {}, &snapshot->listed_fees));
    ASSERT_NO_FATAL_FAILURE(ListAllPayments(passports_.agency_key, {}, &snapshot->listed_payments));
  }

  template <typename Message>
  static void ExpectSameMessages(const std::vector<Message>& before,
                                 const std::vector<Message>& after, const std::string& what) {
    ASSERT_EQ(after.size(), before.size()) << what;
    for (size_t i = 0; i < before.size(); ++i) {
      EXPECT_TRUE(MessageDifferencer::Equals(after[i], before[i]))
          << what << " #" << i << " before:\n"
          << before[i].DebugString() << "after:\n"
          << after[i].DebugString();
    }
  }

  static uint64_t MaxLedgerSequence(const Snapshot& snapshot) {
    uint64_t max = 0;
    for (const v1::Fee& fee : snapshot.fees) max = std::max(max, fee.ledger_sequence());
    for (const v1::Payment& payment : snapshot.payments) {
      max = std::max(max, payment.ledger_sequence());
    }
    return max;
  }
};

TEST_F(RestartTest, CleanRestartKeepsEverything) {
  std::vector<std::string> fee_ids;
  std::vector<std::string> payment_ids;
  std::vector<v1::Fee> fees(5);
  v1::CreateFeeRequest keyed = FeeRequest(3000);
  keyed.set_idempotency_key("fee-before-restart");
  ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, keyed, &fees[0])));
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 402, &fees[1]));
  for (int i = 2; i < 5; ++i)
    ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fees[i]));
  for (const v1::Fee& fee : fees) fee_ids.push_back(fee.fee_id());

  v1::Payment paid;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fees[0].bill_number(), "p-paid", &paid));
  ASSERT_EQ(paid.state(), v1::Payment::SUCCEEDED);
  v1::Payment declined;
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.agency_key, fees[1].bill_number(), "p-declined", &declined));
  ASSERT_EQ(declined.state(), v1::Payment::FAILED);
  v1::Payment by_channel;
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.channel_key, fees[2].bill_number(), "p-channel", &by_channel));
  for (const v1::Payment* payment : {&paid, &declined, &by_channel}) {
    payment_ids.push_back(payment->payment_id());
  }
  v1::CancelFeeRequest cancel;
  cancel.set_fee_id(fees[3].fee_id());
  v1::Fee cancelled;
  auto context = MakeContext(passports_.agency_key);
  ASSERT_TRUE(IsOk(fees_->CancelFee(context.get(), cancel, &cancelled)));

  Snapshot before;
  ASSERT_NO_FATAL_FAILURE(TakeSnapshot(fee_ids, payment_ids, &before));
  ASSERT_NO_FATAL_FAILURE(Restart());
  Snapshot after;
  ASSERT_NO_FATAL_FAILURE(TakeSnapshot(fee_ids, payment_ids, &after));
  ExpectSameMessages(before.fees, after.fees, "GetFee");
  ExpectSameMessages(before.payments, after.payments, "GetPayment");
  ExpectSameMessages(before.listed_fees, after.listed_fees, "ListFees");
  ExpectSameMessages(before.listed_payments, after.listed_payments, "ListPayments");

  // Idempotency keys survive: retries return the first results.
  v1::Payment retry;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fees[0].bill_number(), "p-paid", &retry));
  EXPECT_TRUE(MessageDifferencer::Equals(retry, before.payments[0])) << retry.DebugString();
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.channel_key, fees[2].bill_number(), "p-channel", &retry));
  EXPECT_EQ(retry.payment_id(), by_channel.payment_id());
  v1::Fee fee_retry;
  ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, keyed, &fee_retry)));
  EXPECT_EQ(fee_retry.fee_id(), fees[0].fee_id());
  // A paid fee is still refused.
  EXPECT_TRUE(
      HasCode(TryPay(passports_.agency_key, PaymentRequest(fees[0].bill_number(), "p-new"), &retry),
              grpc::StatusCode::FAILED_PRECONDITION));

  // payd carries on: new entries continue the ledger rather than restarting it, and the unpaid
  // fee can still be paid.
  v1::Fee fresh;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fresh));
  EXPECT_GT(fresh.ledger_sequence(), MaxLedgerSequence(before));
  for (const v1::Fee& fee : fees) EXPECT_NE(fresh.bill_number(), fee.bill_number());
  v1::Payment late;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fees[4].bill_number(), "p-late", &late));
  EXPECT_EQ(late.state(), v1::Payment::SUCCEEDED);
  for (const std::string& id : payment_ids) EXPECT_NE(late.payment_id(), id);
}

TEST_F(RestartTest, AcknowledgedPaymentSurvivesSigkill) {
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
  v1::Payment payment;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fee.bill_number(), "before-crash", &payment));
  ASSERT_EQ(payment.state(), v1::Payment::SUCCEEDED);
  // No pause, no clean shutdown: the acknowledgement alone must mean the payment is durable.
  payd_.Kill();
  ASSERT_TRUE(payd_.Start());
  Connect();

  v1::Payment read;
  ASSERT_TRUE(IsOk(GetPayment(passports_.agency_key, payment.payment_id(), &read)));
  EXPECT_TRUE(MessageDifferencer::Equals(read, payment)) << read.DebugString();
  v1::Fee paid;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &paid)));
  EXPECT_EQ(paid.state(), v1::Fee::PAID);
  EXPECT_EQ(paid.paid_by_payment_id(), payment.payment_id());
  v1::Payment retry;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fee.bill_number(), "before-crash", &retry));
  EXPECT_EQ(retry.payment_id(), payment.payment_id());
  EXPECT_EQ(retry.state(), v1::Payment::SUCCEEDED);
  std::vector<v1::Payment> payments;
  ASSERT_NO_FATAL_FAILURE(PaymentsOfFee(passports_.agency_key, fee.fee_id(), &payments));
  EXPECT_EQ(payments.size(), 1u);
}

TEST_F(RestartTest, AgenciesCredentialsAndRevocationsSurviveSigkill) {
  AgencyKeys courts;
  ASSERT_TRUE(CreateAgencyWithKeys(*admin_, payd_.admin_key(), "courts", &courts));
  v1::CreateCredentialResponse doomed;
  ASSERT_TRUE(
      CreateCredential(*admin_, payd_.admin_key(), v1::Credential::AGENCY, {"courts"}, &doomed));
  v1::RevokeCredentialRequest revoke;
  revoke.set_credential_id(doomed.credential().credential_id());
  v1::Credential revoked;
  auto context = MakeContext(payd_.admin_key());
  ASSERT_TRUE(IsOk(admin_->RevokeCredential(context.get(), revoke, &revoked)));
  v1::CreateFeeRequest request = FeeRequest(777);
  request.set_idempotency_key("courts-fee");
  v1::Fee fee;
  ASSERT_TRUE(IsOk(TryCreateFee(courts.agency_key, request, &fee)));

  payd_.Kill();
  ASSERT_TRUE(payd_.Start());
  Connect();

  v1::ListAgenciesResponse agencies;
  auto list_context = MakeContext(payd_.admin_key());
  ASSERT_TRUE(IsOk(admin_->ListAgencies(list_context.get(), {}, &agencies)));
  ASSERT_EQ(agencies.agencies_size(), 2);
  EXPECT_EQ(agencies.agencies(0).agency_id(), "courts") << "agency_id order";
  EXPECT_EQ(agencies.agencies(1).agency_id(), "passports");
  v1::Fee read;
  ASSERT_TRUE(IsOk(GetFee(courts.agency_key, fee.fee_id(), &read)));
  EXPECT_TRUE(MessageDifferencer::Equals(read, fee)) << read.DebugString();
  v1::Fee retry;
  ASSERT_TRUE(IsOk(TryCreateFee(courts.agency_key, request, &retry)));
  EXPECT_EQ(retry.fee_id(), fee.fee_id());
  EXPECT_TRUE(
      HasCode(GetFee(doomed.api_key(), fee.fee_id(), &read), grpc::StatusCode::UNAUTHENTICATED))
      << "a revoked key must stay revoked";
  v1::Payment payment;
  ASSERT_NO_FATAL_FAILURE(Pay(courts.channel_key, fee.bill_number(), "after-crash", &payment));
  EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED);
}

}  // namespace
}  // namespace pay::integration
