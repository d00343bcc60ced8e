// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Idempotency keys of CreatePayment and CreateFee against the real payd: retries, concurrent
// retries, races between different keys, reuse for another request and per-credential scope.

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "payd_test_base.h"

namespace pay::integration {
namespace {

using ::google::protobuf::util::MessageDifferencer;

constexpr std::chrono::seconds kConcurrentCallTimeout{60};

class IdempotencyTest : public PaydTest {
 protected:
  // Sends `requests[i]` from thread i, all released at once, with `key`.
  void PayConcurrently(const std::string& key,
                       const std::vector<v1::CreatePaymentRequest>& requests,
                       std::vector<grpc::Status>* statuses, std::vector<v1::Payment>* payments) {
    const size_t count = requests.size();
    statuses->assign(count, grpc::Status());
    payments->assign(count, v1::Payment());
    std::latch start(static_cast<std::ptrdiff_t>(count));
    std::vector<std::thread> threads;
    for (size_t i = 0; i < count; ++i) {
      threads.emplace_back([&, i] {
        auto context = MakeContext(key, kConcurrentCallTimeout);
        start.arrive_and_wait();
        (*statuses)[i] = payments_->CreatePayment(context.get(), requests[i], &(*payments)[i]);
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
};

TEST_F(IdempotencyTest, RetryReturnsTheFirstPayment) {
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
  v1::Payment first;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fee.bill_number(), "retry-me", &first));
  ASSERT_EQ(first.state(), v1::Payment::SUCCEEDED);
  for (int attempt = 0; attempt < 3; ++attempt) {
    v1::Payment retry;
    ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fee.bill_number(), "retry-me", &retry));
    EXPECT_TRUE(MessageDifferencer::Equals(retry, first)) << retry.DebugString();
  }
  // A retry typed in the display form is the same request.
  v1::Payment display_retry;
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.agency_key, fee.display_bill_number(), "retry-me", &display_retry));
  EXPECT_EQ(display_retry.payment_id(), first.payment_id());

  std::vector<v1::Payment> payments;
  ASSERT_NO_FATAL_FAILURE(PaymentsOfFee(passports_.agency_key, fee.fee_id(), &payments));
  EXPECT_EQ(payments.size(), 1u);
}

TEST_F(IdempotencyTest, ConcurrentRetriesOfOneKeyMakeOnePayment) {
  constexpr int kThreads = 32;
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
  const std::vector<v1::CreatePaymentRequest> requests(
      kThreads, PaymentRequest(fee.bill_number(), "one-key"));
  std::vector<grpc::Status> statuses;
  std::vector<v1::Payment> payments;
  PayConcurrently(passports_.agency_key, requests, &statuses, &payments);

  for (int i = 0; i < kThreads; ++i) {
    SCOPED_TRACE("thread " + std::to_string(i));
    ASSERT_TRUE(IsOk(statuses[i]));
    EXPECT_EQ(payments[i].payment_id(), payments[0].payment_id());
    EXPECT_EQ(payments[i].idempotency_key(), "one-key");
  }
  v1::Payment final_state;
  ASSERT_TRUE(IsOk(GetPayment(passports_.agency_key, payments[0].payment_id(), &final_state)));
  EXPECT_EQ(final_state.state(), v1::Payment::SUCCEEDED);

  std::vector<v1::Payment> listed;
  ASSERT_NO_FATAL_FAILURE(PaymentsOfFee(passports_.agency_key, fee.fee_id(), &listed));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].payment_id(), payments[0].payment_id());
  v1::Fee after;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &after)));
  EXPECT_EQ(after.state(), v1::Fee::PAID);
  EXPECT_EQ(after.paid_by_payment_id(), payments[0].payment_id());
}

TEST_F(IdempotencyTest, ConcurrentPaymentsWithDifferentKeysPayOnce) {
  constexpr int kThreads = 16;
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
  std::vector<v1::CreatePaymentRequest> requests;
  for (int i = 0; i < kThreads; ++i) {
    requests.push_back(PaymentRequest(fee.bill_number(), "racer-" + std::to_string(i)));
  }
  std::vector<grpc::Status> statuses;
  std::vector<v1::Payment> payments;
  PayConcurrently(passports_.agency_key, requests, &statuses, &payments);

  int succeeded = 0;
  std::string winner;
  for (int i = 0; i < kThreads; ++i) {
    SCOPED_TRACE("thread " + std::to_string(i));
    if (statuses[i].ok()) {
      EXPECT_EQ(payments[i].state(), v1::Payment::SUCCEEDED) << payments[i].DebugString();
      ++succeeded;
      winner = payments[i].payment_id();
    } else {
      EXPECT_TRUE(HasCode(statuses[i], grpc::StatusCode::FAILED_PRECONDITION));
    }
  }
  ASSERT_EQ(succeeded, 1);

  v1::Fee after;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &after)));
  EXPECT_EQ(after.state(), v1::Fee::PAID);
  EXPECT_EQ(after.paid_by_payment_id(), winner);
  std::vector<v1::Payment> listed;
  ASSERT_NO_FATAL_FAILURE(PaymentsOfFee(passports_.agency_key, fee.fee_id(), &listed));
  int listed_succeeded = 0;
  for (const v1::Payment& payment : listed) {
    if (payment.state() == v1::Payment::SUCCEEDED) {
      ++listed_succeeded;
      EXPECT_EQ(payment.payment_id(), winner);
    }
  }
  EXPECT_EQ(listed_succeeded, 1);
}

TEST_F(IdempotencyTest, KeyReusedForAnotherBillIsAlreadyExists) {
  v1::Fee first_fee;
  v1::Fee other_fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &first_fee));
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &other_fee));
  v1::Payment first;
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.agency_key, first_fee.bill_number(), "reused-key", &first));

  v1::Payment payment;
  EXPECT_TRUE(
      HasCodeAndMention(TryPay(passports_.agency_key,
                               PaymentRequest(other_fee.bill_number(), "reused-key"), &payment),
                        grpc::StatusCode::ALREADY_EXISTS, "reused-key"));
  v1::Fee other_after;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, other_fee.fee_id(), &other_after)));
  EXPECT_EQ(other_after.state(), v1::Fee::UNPAID) << "the conflicting request must not pay";
  std::vector<v1::Payment> listed;
  ASSERT_NO_FATAL_FAILURE(PaymentsOfFee(passports_.agency_key, other_fee.fee_id(), &listed));
  EXPECT_TRUE(listed.empty());

  // The key still names the first payment.
  v1::Payment retry;
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.agency_key, first_fee.bill_number(), "reused-key", &retry));
  EXPECT_EQ(retry.payment_id(), first.payment_id());
}

TEST_F(IdempotencyTest, KeyReusedWithOtherFieldsIsAlreadyExists) {
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
  v1::CreatePaymentRequest original = PaymentRequest(fee.bill_number(), "fields-key");
  *original.mutable_expected_amount() = fee.amount();
  original.set_payer_account("966500000001");
  v1::Payment first;
  ASSERT_TRUE(IsOk(TryPay(passports_.agency_key, original, &first)));

  v1::CreatePaymentRequest without_expected_amount = original;
  without_expected_amount.clear_expected_amount();
  v1::CreatePaymentRequest other_account = original;
  other_account.set_payer_account("966500000002");
  v1::CreatePaymentRequest other_method = original;
  other_method.set_method(v1::CARD);
  const std::pair<const char*, const v1::CreatePaymentRequest*> variants[] = {
      {"without expected_amount", &without_expected_amount},
      {"another payer_account", &other_account},
      {"another method", &other_method},
  };
  for (const auto& [what, request] : variants) {
    SCOPED_TRACE(what);
    v1::Payment payment;
    EXPECT_TRUE(HasCodeAndMention(TryPay(passports_.agency_key, *request, &payment),
                                  grpc::StatusCode::ALREADY_EXISTS, "fields-key"));
  }
  v1::Payment retry;
  ASSERT_TRUE(IsOk(TryPay(passports_.agency_key, original, &retry)));
  EXPECT_TRUE(MessageDifferencer::Equals(retry, first)) << retry.DebugString();
}

TEST_F(IdempotencyTest, PaymentKeysAreScopedToTheCredential) {
  v1::CreateCredentialResponse second_agency_key;
  ASSERT_TRUE(CreateCredential(*admin_, payd_.admin_key(), v1::Credential::AGENCY, {"passports"},
                               &second_agency_key));
  const std::string& other_key = second_agency_key.api_key();
  v1::Fee fee_one;
  v1::Fee fee_two;
  v1::Fee fee_three;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee_one));
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee_two));
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee_three));

  v1::Payment first;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fee_one.bill_number(), "shared-key", &first));
  // The same key from another credential of the same agency is another payment, not a conflict.
  v1::Payment second;
  ASSERT_NO_FATAL_FAILURE(Pay(other_key, fee_two.bill_number(), "shared-key", &second));
  EXPECT_NE(second.payment_id(), first.payment_id());
  EXPECT_EQ(second.fee_id(), fee_two.fee_id());
  EXPECT_EQ(second.state(), v1::Payment::SUCCEEDED);
  EXPECT_EQ(second.initiated_by(), second_agency_key.credential().credential_id());
  // And so from a CHANNEL.
  v1::Payment third;
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.channel_key, fee_three.bill_number(), "shared-key", &third));
  EXPECT_NE(third.payment_id(), first.payment_id());
  EXPECT_NE(third.payment_id(), second.payment_id());
  EXPECT_EQ(third.initiated_by(), passports_.channel_credential_id);

  // Each credential's key names its own payment only: for the second credential "shared-key" is
  // the payment of fee_two, so reusing it for fee_one conflicts with that one...
  v1::Payment conflict;
  EXPECT_TRUE(HasCodeAndMention(
      TryPay(other_key, PaymentRequest(fee_one.bill_number(), "shared-key"), &conflict),
      grpc::StatusCode::ALREADY_EXISTS, "shared-key"));
  // ...and a credential that never used the key gets no replay of the first credential's payment:
  // its request is a new attempt on a fee already paid.
  v1::CreateCredentialResponse third_agency_key;
  ASSERT_TRUE(CreateCredential(*admin_, payd_.admin_key(), v1::Credential::AGENCY, {"passports"},
                               &third_agency_key));
  v1::Payment not_a_replay;
  EXPECT_TRUE(HasCode(TryPay(third_agency_key.api_key(),
                             PaymentRequest(fee_one.bill_number(), "shared-key"), &not_a_replay),
                      grpc::StatusCode::FAILED_PRECONDITION));
}

TEST_F(IdempotencyTest, CreateFeeRetryReturnsTheSameFee) {
  v1::CreateFeeRequest request = FeeRequest(5000);
  request.set_idempotency_key("fee-key-1");
  v1::Fee first;
  ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, request, &first)));
  for (int attempt = 0; attempt < 3; ++attempt) {
    v1::Fee retry;
    ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, request, &retry)));
    EXPECT_TRUE(MessageDifferencer::Equals(retry, first)) << retry.DebugString();
  }
  std::vector<v1::Fee> listed;
  ASSERT_NO_FATAL_FAILURE(ListAllFees(passports_.agency_key, v1::ListFeesRequest(), &listed));
  EXPECT_EQ(listed.size(), 1u);

  // Another credential's key of the same text is its own.
  v1::CreateCredentialResponse second_agency_key;
  ASSERT_TRUE(CreateCredential(*admin_, payd_.admin_key(), v1::Credential::AGENCY, {"passports"},
                               &second_agency_key));
  v1::Fee other;
  ASSERT_TRUE(IsOk(TryCreateFee(second_agency_key.api_key(), request, &other)));
  EXPECT_NE(other.fee_id(), first.fee_id());
  EXPECT_NE(other.bill_number(), first.bill_number());
}

TEST_F(IdempotencyTest, CreateFeeKeyReusedWithAnotherRequestIsAlreadyExists) {
  v1::CreateFeeRequest request = FeeRequest(5000);
  request.set_idempotency_key("fee-key-2");
  v1::Fee first;
  ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, request, &first)));

  v1::CreateFeeRequest other_amount = request;
  other_amount.mutable_amount()->set_minor_units(5001);
  v1::CreateFeeRequest other_reference = request;
  other_reference.set_payer_reference("file-4712");
  for (const v1::CreateFeeRequest* changed : {&other_amount, &other_reference}) {
    v1::Fee fee;
    EXPECT_TRUE(HasCodeAndMention(TryCreateFee(passports_.agency_key, *changed, &fee),
                                  grpc::StatusCode::ALREADY_EXISTS, "fee-key-2"));
  }
  std::vector<v1::Fee> listed;
  ASSERT_NO_FATAL_FAILURE(ListAllFees(passports_.agency_key, v1::ListFeesRequest(), &listed));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].fee_id(), first.fee_id());
  EXPECT_EQ(listed[0].amount().minor_units(), 5000);
}

TEST_F(IdempotencyTest, CreateFeeWithoutKeyIssuesANewFeeEachTime) {
  const v1::CreateFeeRequest request = FeeRequest(5000);
  v1::Fee first;
  v1::Fee second;
  ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, request, &first)));
  ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, request, &second)));
  EXPECT_NE(first.fee_id(), second.fee_id());
  EXPECT_NE(first.bill_number(), second.bill_number());
}

TEST_F(IdempotencyTest, ConcurrentCreateFeeWithOneKeyIssuesOneFee) {
  constexpr int kThreads = 16;
  v1::CreateFeeRequest request = FeeRequest(7500);
  request.set_idempotency_key("fee-race");
  std::vector<grpc::Status> statuses(kThreads);
  std::vector<v1::Fee> fees(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto context = MakeContext(passports_.agency_key, kConcurrentCallTimeout);
      start.arrive_and_wait();
      statuses[i] = fees_->CreateFee(context.get(), request, &fees[i]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> fee_ids;
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(IsOk(statuses[i])) << "thread " << i;
    fee_ids.insert(fees[i].fee_id());
  }
  EXPECT_EQ(fee_ids.size(), 1u);
  std::vector<v1::Fee> listed;
  ASSERT_NO_FATAL_FAILURE(ListAllFees(passports_.agency_key, v1::ListFeesRequest(), &listed));
  EXPECT_EQ(listed.size(), 1u);
}

}  // namespace
}  // namespace pay::integration
