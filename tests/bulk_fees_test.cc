// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// FeeService.CreateFees against the real payd: batches over a client stream, per-fee
// idempotency, all-or-nothing batches with the failing item named, agency scope, and durability
// of an acknowledged stream across kill -9. (Every test's ledger is verified at exit by
// PaydProcess.)

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "payd_test_base.h"

namespace pay::integration {
namespace {

class BulkFeesTest : public PaydTest {
 protected:
  // A batch of `count` fees with keys "<prefix>-<n>" and amounts 1000 + n (n from `first`).
  static v1::CreateFeesRequest Batch(const std::string& prefix, int first, int count) {
    v1::CreateFeesRequest batch;
    for (int n = first; n < first + count; ++n) {
      v1::CreateFeeRequest* fee = batch.add_fees();
      *fee = FeeRequest(1000 + n);
      fee->set_payer_reference("property-" + std::to_string(n));
      fee->set_idempotency_key(prefix + "-" + std::to_string(n));
    }
    return batch;
  }

  // Sends `batches` over one CreateFees stream (return_fees set on the first) with `key`.
  grpc::Status Stream(const std::string& key, std::vector<v1::CreateFeesRequest> batches,
                      v1::CreateFeesResponse* response) {
    auto context = MakeContext(key, std::chrono::seconds(60));
    std::unique_ptr<grpc::ClientWriter<v1::CreateFeesRequest>> writer =
        fees_->CreateFees(context.get(), response);
    for (size_t b = 0; b < batches.size(); ++b) {
      if (b == 0) batches[b].set_return_fees(true);
      if (!writer->Write(batches[b])) break;  // payd ended the stream: Finish has the status
    }
    writer->WritesDone();
    return writer->Finish();
  }

  size_t CountFees(const std::string& key) {
    std::vector<v1::Fee> fees;
    v1::ListFeesRequest request;
    request.set_page_size(1000);
    ListAllFees(key, request, &fees);
    return fees.size();
  }
};

TEST_F(BulkFeesTest, StreamOfBatchesIssuesEveryFee) {
  v1::CreateFeesResponse response;
  ASSERT_TRUE(IsOk(Stream(passports_.agency_key,
                          {Batch("a", 0, 40), Batch("a", 40, 40), Batch("a", 80, 40)}, &response)));
  EXPECT_EQ(response.batch_count(), 3);
  EXPECT_EQ(response.fees_created(), 120);
  EXPECT_EQ(response.fees_replayed(), 0);
  ASSERT_EQ(response.fees_size(), 120);
  std::set<std::string> bill_numbers;
  uint64_t highest_sequence = 0;
  for (int n = 0; n < 120; ++n) {
    const v1::IssuedFee& issued = response.fees(n);
    EXPECT_TRUE(issued.created());
    EXPECT_EQ(issued.idempotency_key(), "a-" + std::to_string(n));
    EXPECT_TRUE(IsValidBillNumber(issued.bill_number())) << issued.bill_number();
    bill_numbers.insert(issued.bill_number());
    v1::Fee fee;
    ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, issued.fee_id(), &fee)));
    EXPECT_EQ(fee.bill_number(), issued.bill_number());
    EXPECT_EQ(fee.amount().currency(), "SAR");
    EXPECT_EQ(fee.amount().minor_units(), 1000 + n) << "fee " << n;
    EXPECT_EQ(fee.payer_reference(), "property-" + std::to_string(n));
    EXPECT_EQ(fee.state(), v1::Fee::UNPAID);
    EXPECT_EQ(fee.agency_id(), passports_.agency_id);
    EXPECT_GT(fee.ledger_sequence(), highest_sequence) << "entries are in stream order";
    highest_sequence = fee.ledger_sequence();
  }
  EXPECT_EQ(bill_numbers.size(), 120u) << "bill numbers are unique";
  EXPECT_EQ(response.last_ledger_sequence(), highest_sequence);
  EXPECT_EQ(CountFees(passports_.agency_key), 120u);
  // A bulk-issued bill is payable like any other.
  v1::InquireBillResponse inquiry;
  ASSERT_TRUE(IsOk(InquireBill(passports_.channel_key, response.fees(7).bill_number(), &inquiry)));
  EXPECT_EQ(inquiry.amount_due().minor_units(), 1007);
  v1::Payment payment;
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.agency_key, response.fees(7).bill_number(), "pay-bulk-7", &payment));
  EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED);
}

TEST_F(BulkFeesTest, RetriedBatchReplaysAndWritesNothing) {
  // No timer checkpoint may move the ledger between the two streams.
  payd_.set_serve_args({"--checkpoint-interval-seconds", "3600"});
  ASSERT_NO_FATAL_FAILURE(Restart());
  v1::CreateFeesResponse first;
  ASSERT_TRUE(IsOk(Stream(passports_.agency_key, {Batch("r", 0, 25)}, &first)));
  ASSERT_EQ(first.fees_size(), 25);

  v1::CreateFeesResponse retried;
  ASSERT_TRUE(IsOk(Stream(passports_.agency_key, {Batch("r", 0, 25)}, &retried)));
  EXPECT_EQ(retried.fees_created(), 0);
  EXPECT_EQ(retried.fees_replayed(), 25);
  EXPECT_EQ(retried.last_ledger_sequence(), first.last_ledger_sequence())
      << "a replayed batch appends nothing to the ledger";
  ASSERT_EQ(retried.fees_size(), 25);
  for (int n = 0; n < 25; ++n) {
    EXPECT_FALSE(retried.fees(n).created());
    EXPECT_EQ(retried.fees(n).fee_id(), first.fees(n).fee_id());
    EXPECT_EQ(retried.fees(n).bill_number(), first.fees(n).bill_number());
  }
  // A batch mixing replays and new fees issues only the new ones; the same key twice in one batch
  // is one fee.
  v1::CreateFeesRequest mixed = Batch("r", 20, 10);  // r-20..r-24 exist, r-25..r-29 are new
  *mixed.add_fees() = mixed.fees(9);                 // r-29 again
  v1::CreateFeesResponse third;
  ASSERT_TRUE(IsOk(Stream(passports_.agency_key, {mixed}, &third)));
  EXPECT_EQ(third.fees_created(), 5);
  EXPECT_EQ(third.fees_replayed(), 6);
  EXPECT_EQ(third.last_ledger_sequence(), first.last_ledger_sequence() + 5);
  EXPECT_EQ(third.fees(0).fee_id(), first.fees(20).fee_id());
  EXPECT_EQ(third.fees(10).fee_id(), third.fees(9).fee_id());
  EXPECT_TRUE(third.fees(9).created());
  EXPECT_FALSE(third.fees(10).created());
  EXPECT_EQ(CountFees(passports_.agency_key), 30u);
  // The keys are CreateFee's too: the same key and fields replay there as well.
  v1::Fee single;
  v1::CreateFeeRequest request = Batch("r", 3, 1).fees(0);
  ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, request, &single)));
  EXPECT_EQ(single.fee_id(), first.fees(3).fee_id());
}

TEST_F(BulkFeesTest, ReusedKeyWithOtherFieldsFailsTheBatchNamingTheItem) {
  v1::CreateFeesResponse first;
  ASSERT_TRUE(IsOk(Stream(passports_.agency_key, {Batch("k", 0, 5)}, &first)));
  v1::CreateFeesRequest batch = Batch("k", 3, 4);  // k-3, k-4 exist; k-5, k-6 are new
  batch.mutable_fees(1)->mutable_amount()->set_minor_units(999);  // k-4 with another amount
  v1::CreateFeesResponse response;
  grpc::Status status = Stream(passports_.agency_key, {batch}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_EQ(status.error_message().rfind("fees[1].idempotency_key", 0), 0u)
      << status.error_message();
  EXPECT_TRUE(MentionsWord(status.error_message(), "k-4")) << status.error_message();
  EXPECT_EQ(CountFees(passports_.agency_key), 5u) << "the batch is all or nothing";

  // The same key twice in one batch with other fields.
  v1::CreateFeesRequest twice = Batch("t", 0, 3);
  *twice.add_fees() = twice.fees(1);
  twice.mutable_fees(3)->set_payer_reference("someone else");
  status = Stream(passports_.agency_key, {twice}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
  EXPECT_EQ(status.error_message().rfind("fees[3].idempotency_key", 0), 0u)
      << status.error_message();
  EXPECT_EQ(CountFees(passports_.agency_key), 5u);
}

TEST_F(BulkFeesTest, BadItemIsInvalidArgumentNamingItsField) {
  v1::CreateFeesRequest batch = Batch("bad", 0, 6);
  batch.mutable_fees(4)->mutable_amount()->set_minor_units(-5);
  v1::CreateFeesResponse response;
  EXPECT_TRUE(IsInvalidArgumentAt(Stream(passports_.agency_key, {batch}, &response),
                                  "fees[4].amount.minor_units"));

  batch = Batch("bad", 0, 6);
  batch.mutable_fees(2)->clear_idempotency_key();
  EXPECT_TRUE(IsInvalidArgumentAt(Stream(passports_.agency_key, {batch}, &response),
                                  "fees[2].idempotency_key"));

  batch = Batch("bad", 0, 6);
  batch.mutable_fees(5)->mutable_description()->clear_en();
  batch.mutable_fees(5)->mutable_description()->clear_ar();
  EXPECT_TRUE(IsInvalidArgumentAt(Stream(passports_.agency_key, {batch}, &response),
                                  "fees[5].description"));

  batch = Batch("bad", 0, 6);
  batch.mutable_fees(1)->mutable_amount()->set_currency("XXX");
  EXPECT_TRUE(IsInvalidArgumentAt(Stream(passports_.agency_key, {batch}, &response),
                                  "fees[1].amount.currency"));

  batch = Batch("bad", 0, 6);
  batch.mutable_fees(3)->mutable_due_time()->set_seconds(1000);  // 1970
  EXPECT_TRUE(
      IsInvalidArgumentAt(Stream(passports_.agency_key, {batch}, &response), "fees[3].due_time"));

  EXPECT_TRUE(IsInvalidArgumentAt(
      Stream(passports_.agency_key, {v1::CreateFeesRequest()}, &response), "fees"));
  EXPECT_TRUE(IsInvalidArgumentAt(
      Stream(passports_.agency_key, {Batch("big", 0, 10001)}, &response), "fees"));

  // A bad second batch: the first stays committed, the second wrote nothing.
  v1::CreateFeesRequest second = Batch("bad", 10, 3);
  second.mutable_fees(2)->mutable_amount()->set_minor_units(0);
  grpc::Status status = Stream(passports_.agency_key, {Batch("bad", 0, 4), second}, &response);
  EXPECT_TRUE(IsInvalidArgumentAt(status, "fees[2].amount.minor_units"));
  EXPECT_TRUE(MentionsWord(status.error_message(), "batch 2")) << status.error_message();
  EXPECT_EQ(CountFees(passports_.agency_key), 4u);
}

TEST_F(BulkFeesTest, OnlyTheCallersAgencyIssuesItsFees) {
  v1::CreateFeesResponse response;
  EXPECT_TRUE(HasCode(Stream(passports_.channel_key, {Batch("c", 0, 2)}, &response),
                      grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(HasCode(Stream("payk_not-a-key", {Batch("c", 0, 2)}, &response),
                      grpc::StatusCode::UNAUTHENTICATED));

  AgencyKeys courts;
  ASSERT_TRUE(CreateAgencyWithKeys(*admin_, payd_.admin_key(), "courts", &courts));
  ASSERT_TRUE(IsOk(Stream(courts.agency_key, {Batch("c", 0, 3)}, &response)));
  ASSERT_EQ(response.fees_size(), 3);
  v1::Fee fee;
  ASSERT_TRUE(IsOk(GetFee(courts.agency_key, response.fees(0).fee_id(), &fee)));
  EXPECT_EQ(fee.agency_id(), "courts");
  EXPECT_TRUE(HasCode(GetFee(passports_.agency_key, response.fees(0).fee_id(), &fee),
                      grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(CountFees(passports_.agency_key), 0u);
  // Keys are scoped to the credential: the same keys from passports issue passports' own fees.
  v1::CreateFeesResponse own;
  ASSERT_TRUE(IsOk(Stream(passports_.agency_key, {Batch("c", 0, 3)}, &own)));
  EXPECT_EQ(own.fees_created(), 3);
  EXPECT_NE(own.fees(0).fee_id(), response.fees(0).fee_id());
}

TEST_F(BulkFeesTest, AcknowledgedStreamSurvivesKill9) {
  v1::CreateFeesResponse response;
  ASSERT_TRUE(
      IsOk(Stream(passports_.agency_key, {Batch("d", 0, 500), Batch("d", 500, 500)}, &response)));
  ASSERT_EQ(response.fees_size(), 1000);
  payd_.Kill();
  ASSERT_TRUE(payd_.Start());
  Connect();
  for (int n = 0; n < 1000; n += 1) {
    v1::Fee fee;
    ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, response.fees(n).fee_id(), &fee))) << n;
    ASSERT_EQ(fee.amount().minor_units(), 1000 + n);
    ASSERT_EQ(fee.bill_number(), response.fees(n).bill_number());
  }
  EXPECT_EQ(CountFees(passports_.agency_key), 1000u);
  // And the stream replays after the restart.
  v1::CreateFeesResponse retried;
  ASSERT_TRUE(IsOk(Stream(passports_.agency_key, {Batch("d", 0, 500)}, &retried)));
  EXPECT_EQ(retried.fees_replayed(), 500);
}

}  // namespace
}  // namespace pay::integration
