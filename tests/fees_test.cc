// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Fee lifecycle and listing against the real payd: cancellation, expiry, pagination and filters.

#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "payd_test_base.h"

namespace pay::integration {
namespace {

using ::google::protobuf::Timestamp;
using ::google::protobuf::util::MessageDifferencer;
using ::google::protobuf::util::TimeUtil;

class FeesTest : public PaydTest {
 protected:
  grpc::Status CancelFee(const std::string& key, const std::string& fee_id, v1::Fee* fee) {
    v1::CancelFeeRequest request;
    request.set_fee_id(fee_id);
    request.set_reason("issued in error");
    auto context = MakeContext(key, kCallTimeout);
    return fees_->CancelFee(context.get(), request, fee);
  }

  // Issues `count` fees of distinct amounts, oldest first.
  void IssueFees(int count, std::vector<v1::Fee>* fees) {
    for (int i = 0; i < count; ++i) {
      v1::Fee fee;
      ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1000 + i, &fee));
      fees->push_back(fee);
    }
  }
};

TEST_F(FeesTest, CancelledFeeCannotBePaid) {
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
  v1::Fee cancelled;
  ASSERT_TRUE(IsOk(CancelFee(passports_.agency_key, fee.fee_id(), &cancelled)));
  EXPECT_EQ(cancelled.state(), v1::Fee::CANCELLED);
  EXPECT_EQ(cancelled.fee_id(), fee.fee_id());
  EXPECT_GT(cancelled.ledger_sequence(), fee.ledger_sequence());
  v1::Fee read;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &read)));
  EXPECT_TRUE(MessageDifferencer::Equals(read, cancelled)) << read.DebugString();

  v1::Payment payment;
  EXPECT_TRUE(HasCodeAndMention(
      TryPay(passports_.channel_key, PaymentRequest(fee.bill_number(), "too-late"), &payment),
      grpc::StatusCode::FAILED_PRECONDITION, "CANCELLED"));
  v1::InquireBillResponse inquiry;
  ASSERT_TRUE(IsOk(InquireBill(passports_.channel_key, fee.bill_number(), &inquiry)));
  EXPECT_EQ(inquiry.state(), v1::Fee::CANCELLED);
  EXPECT_EQ(inquiry.amount_due().minor_units(), 0);

  // Final: cancelling again is an illegal transition too.
  v1::Fee again;
  EXPECT_TRUE(HasCodeAndMention(CancelFee(passports_.agency_key, fee.fee_id(), &again),
                                grpc::StatusCode::FAILED_PRECONDITION, "CANCELLED"));
}

TEST_F(FeesTest, PaidFeeCannotBeCancelled) {
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
  v1::Payment payment;
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.agency_key, fee.bill_number(), "pay-then-cancel", &payment));
  ASSERT_EQ(payment.state(), v1::Payment::SUCCEEDED);
  v1::Fee cancelled;
  EXPECT_TRUE(HasCodeAndMention(CancelFee(passports_.agency_key, fee.fee_id(), &cancelled),
                                grpc::StatusCode::FAILED_PRECONDITION, "PAID"));
  v1::Fee read;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &read)));
  EXPECT_EQ(read.state(), v1::Fee::PAID);
  EXPECT_EQ(read.paid_by_payment_id(), payment.payment_id());
}

TEST_F(FeesTest, OptionalTimesAndReferenceRoundTrip) {
  v1::CreateFeeRequest request = FeeRequest(1250);
  const Timestamp now = TimeUtil::GetCurrentTime();
  *request.mutable_due_time() = now + TimeUtil::SecondsToDuration(86400);
  *request.mutable_expire_time() = now + TimeUtil::SecondsToDuration(2 * 86400);
  v1::Fee fee;
  ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, request, &fee)));
  EXPECT_TRUE(MessageDifferencer::Equals(fee.due_time(), request.due_time())) << fee.DebugString();
  EXPECT_TRUE(MessageDifferencer::Equals(fee.expire_time(), request.expire_time()));
  EXPECT_EQ(fee.payer_reference(), "file-4711");

  v1::InquireBillResponse inquiry;
  ASSERT_TRUE(IsOk(InquireBill(passports_.channel_key, fee.bill_number(), &inquiry)));
  EXPECT_TRUE(MessageDifferencer::Equals(inquiry.due_time(), request.due_time()));
  EXPECT_TRUE(MessageDifferencer::Equals(inquiry.expire_time(), request.expire_time()));
}

TEST_F(FeesTest, ExpiredFeeCannotBePaid) {
  v1::CreateFeeRequest request = FeeRequest(1250);
  *request.mutable_expire_time() = TimeUtil::GetCurrentTime() + TimeUtil::SecondsToDuration(2);
  v1::Fee fee;
  ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, request, &fee)));
  while (TimeUtil::GetCurrentTime() <=
         request.expire_time() + TimeUtil::MillisecondsToDuration(500)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  v1::Payment payment;
  EXPECT_TRUE(HasCodeAndMention(
      TryPay(passports_.channel_key, PaymentRequest(fee.bill_number(), "after-expiry"), &payment),
      grpc::StatusCode::FAILED_PRECONDITION, "EXPIRED"));
  v1::Fee read;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &read)));
  EXPECT_EQ(read.state(), v1::Fee::EXPIRED) << "past expire_time without payment";
  v1::InquireBillResponse inquiry;
  ASSERT_TRUE(IsOk(InquireBill(passports_.channel_key, fee.bill_number(), &inquiry)));
  EXPECT_EQ(inquiry.state(), v1::Fee::EXPIRED);
  EXPECT_EQ(inquiry.amount_due().minor_units(), 0) << "no longer payable";
  // Listing agrees with reading: the fee is listed as EXPIRED, not UNPAID.
  v1::ListFeesRequest expired_only;
  expired_only.set_state(v1::Fee::EXPIRED);
  std::vector<v1::Fee> expired;
  ASSERT_NO_FATAL_FAILURE(ListAllFees(passports_.agency_key, expired_only, &expired));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].fee_id(), fee.fee_id());
  EXPECT_EQ(expired[0].state(), v1::Fee::EXPIRED);
}

TEST_F(FeesTest, ListFeesPagesNewestFirst) {
  std::vector<v1::Fee> issued;
  ASSERT_NO_FATAL_FAILURE(IssueFees(25, &issued));

  v1::ListFeesRequest request;
  request.set_page_size(10);
  std::vector<v1::Fee> listed;
  std::vector<int> page_sizes;
  for (int page = 0; page < 5; ++page) {
    v1::ListFeesResponse response;
    auto context = MakeContext(passports_.agency_key);
    ASSERT_TRUE(IsOk(fees_->ListFees(context.get(), request, &response)));
    page_sizes.push_back(response.fees_size());
    listed.insert(listed.end(), response.fees().begin(), response.fees().end());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(page_sizes, (std::vector<int>{10, 10, 5}));
  ASSERT_EQ(listed.size(), issued.size());

  std::set<std::string> listed_ids;
  std::set<std::string> bill_numbers;
  for (size_t i = 0; i < listed.size(); ++i) {
    listed_ids.insert(listed[i].fee_id());
    bill_numbers.insert(listed[i].bill_number());
    EXPECT_TRUE(IsValidBillNumber(listed[i].bill_number())) << listed[i].bill_number();
    if (i > 0) {
      EXPECT_GE(listed[i - 1].create_time(), listed[i].create_time())
          << "not newest first at " << i;
    }
  }
  EXPECT_EQ(listed_ids.size(), issued.size()) << "duplicates across pages";
  EXPECT_EQ(bill_numbers.size(), issued.size()) << "bill numbers must be unique";
  for (const v1::Fee& fee : issued) EXPECT_EQ(listed_ids.count(fee.fee_id()), 1u) << fee.fee_id();
  // The newest fee leads, the oldest closes, and the listed copies equal what was issued.
  EXPECT_TRUE(MessageDifferencer::Equals(listed.front(), issued.back()))
      << listed.front().DebugString();
  EXPECT_TRUE(MessageDifferencer::Equals(listed.back(), issued.front()))
      << listed.back().DebugString();

  // page_size 0 means 100: everything in one page.
  v1::ListFeesRequest all;
  v1::ListFeesResponse response;
  auto context = MakeContext(passports_.agency_key);
  ASSERT_TRUE(IsOk(fees_->ListFees(context.get(), all, &response)));
  EXPECT_EQ(response.fees_size(), 25);
  EXPECT_TRUE(response.next_page_token().empty());
}

TEST_F(FeesTest, ListFeesFiltersByState) {
  std::vector<v1::Fee> issued;
  ASSERT_NO_FATAL_FAILURE(IssueFees(12, &issued));
  std::set<std::string> cancelled_ids;
  std::set<std::string> paid_ids;
  for (int i = 0; i < 3; ++i) {
    v1::Fee cancelled;
    ASSERT_TRUE(IsOk(CancelFee(passports_.agency_key, issued[i].fee_id(), &cancelled)));
    cancelled_ids.insert(issued[i].fee_id());
  }
  for (int i = 3; i < 5; ++i) {
    v1::Payment payment;
    ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, issued[i].bill_number(),
                                "filter-" + std::to_string(i), &payment));
    ASSERT_EQ(payment.state(), v1::Payment::SUCCEEDED);
    paid_ids.insert(issued[i].fee_id());
  }

  auto ids_in_state = [&](v1::Fee::State state, std::set<std::string>* ids) {
    v1::ListFeesRequest request;
    request.set_state(state);
    request.set_page_size(4);  // the filter must hold across pages
    std::vector<v1::Fee> fees;
    ASSERT_NO_FATAL_FAILURE(ListAllFees(passports_.agency_key, request, &fees));
    for (const v1::Fee& fee : fees) {
      EXPECT_EQ(fee.state(), state) << fee.fee_id();
      ids->insert(fee.fee_id());
    }
  };
  std::set<std::string> listed_cancelled;
  std::set<std::string> listed_paid;
  std::set<std::string> listed_unpaid;
  ASSERT_NO_FATAL_FAILURE(ids_in_state(v1::Fee::CANCELLED, &listed_cancelled));
  ASSERT_NO_FATAL_FAILURE(ids_in_state(v1::Fee::PAID, &listed_paid));
  ASSERT_NO_FATAL_FAILURE(ids_in_state(v1::Fee::UNPAID, &listed_unpaid));
  EXPECT_EQ(listed_cancelled, cancelled_ids);
  EXPECT_EQ(listed_paid, paid_ids);
  EXPECT_EQ(listed_unpaid.size(), 7u);
}

TEST_F(FeesTest, ListFeesFiltersByCreateTime) {
  std::vector<v1::Fee> issued;
  ASSERT_NO_FATAL_FAILURE(IssueFees(3, &issued));
  // A clear gap, so that the boundary does not depend on the clock's resolution.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_NO_FATAL_FAILURE(IssueFees(4, &issued));
  const Timestamp boundary = issued[3].create_time();

  v1::ListFeesRequest from;
  *from.mutable_create_time_from() = boundary;
  std::vector<v1::Fee> newer;
  ASSERT_NO_FATAL_FAILURE(ListAllFees(passports_.agency_key, from, &newer));
  std::set<std::string> newer_ids;
  for (const v1::Fee& fee : newer) newer_ids.insert(fee.fee_id());
  EXPECT_EQ(newer_ids, (std::set<std::string>{issued[3].fee_id(), issued[4].fee_id(),
                                              issued[5].fee_id(), issued[6].fee_id()}));

  v1::ListFeesRequest to;
  *to.mutable_create_time_to() = boundary;
  std::vector<v1::Fee> older;
  ASSERT_NO_FATAL_FAILURE(ListAllFees(passports_.agency_key, to, &older));
  std::set<std::string> older_ids;
  for (const v1::Fee& fee : older) older_ids.insert(fee.fee_id());
  EXPECT_EQ(older_ids,
            (std::set<std::string>{issued[0].fee_id(), issued[1].fee_id(), issued[2].fee_id()}));
}

TEST_F(FeesTest, ListPaymentsPagesAndFiltersByState) {
  std::vector<std::string> succeeded_ids;
  std::vector<std::string> failed_ids;
  for (int i = 0; i < 12; ++i) {
    const bool decline = i % 3 == 0;  // 4 declined, 8 succeeded
    v1::Fee fee;
    ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, decline ? 10402 : 10400, &fee));
    v1::Payment payment;
    ASSERT_NO_FATAL_FAILURE(
        Pay(passports_.agency_key, fee.bill_number(), "list-" + std::to_string(i), &payment));
    (decline ? failed_ids : succeeded_ids).push_back(payment.payment_id());
  }

  v1::ListPaymentsRequest request;
  request.set_page_size(5);
  std::vector<int> page_sizes;
  std::vector<v1::Payment> listed;
  for (int page = 0; page < 5; ++page) {
    v1::ListPaymentsResponse response;
    auto context = MakeContext(passports_.agency_key);
    ASSERT_TRUE(IsOk(payments_->ListPayments(context.get(), request, &response)));
    page_sizes.push_back(response.payments_size());
    listed.insert(listed.end(), response.payments().begin(), response.payments().end());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(page_sizes, (std::vector<int>{5, 5, 2}));
  std::set<std::string> ids;
  for (size_t i = 0; i < listed.size(); ++i) {
    ids.insert(listed[i].payment_id());
    if (i > 0) {
      EXPECT_GE(listed[i - 1].create_time(), listed[i].create_time()) << i;
    }
  }
  EXPECT_EQ(ids.size(), 12u);
  ASSERT_FALSE(listed.empty());
  EXPECT_EQ(listed.front().payment_id(), succeeded_ids.back()) << "newest first";

  v1::ListPaymentsRequest failed_only;
  failed_only.set_state(v1::Payment::FAILED);
  std::vector<v1::Payment> failed;
  ASSERT_NO_FATAL_FAILURE(ListAllPayments(passports_.agency_key, failed_only, &failed));
  std::set<std::string> failed_listed;
  for (const v1::Payment& payment : failed) failed_listed.insert(payment.payment_id());
  EXPECT_EQ(failed_listed, std::set<std::string>(failed_ids.begin(), failed_ids.end()));
}

}  // namespace
}  // namespace pay::integration
