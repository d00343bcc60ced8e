// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// PaymentService refunds over real gRPC against a real payd and its SANDBOX connector: full and
// partial refunds, the limit under concurrency, idempotency, maker-checker, and the ledger's
// postings (a full refund leaves the revenue accounts as they were before the payment).

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "pay/v1/ledger_service.grpc.pb.h"
#include "payd_test_base.h"

namespace pay::integration {
namespace {

class RefundTest : public PaydTest {
 protected:
  void SetUp() override {
    PaydTest::SetUp();
    if (HasFatalFailure()) return;
    ledger_ = v1::LedgerService::NewStub(payd_.channel());
    ASSERT_TRUE(CreateKey(v1::Credential::AGENCY, {"passports"}, true, &approver_a_));
    ASSERT_TRUE(CreateKey(v1::Credential::AGENCY, {"passports"}, true, &approver_b_));
    ASSERT_TRUE(CreateKey(v1::Credential::AUDITOR, {"*"}, false, &auditor_));
    // Refunds up to 10,000.00 SAR need no approval unless a test lowers it.
    ASSERT_TRUE(IsOk(SetThreshold(1'000'000)));
  }

  ::testing::AssertionResult CreateKey(v1::Credential::Role role,
                                       const std::vector<std::string>& agencies, bool approver,
                                       std::string* key) {
    v1::CreateCredentialRequest request;
    request.set_role(role);
    for (const std::string& agency : agencies) request.add_agency_ids(agency);
    request.set_approver(approver);
    v1::CreateCredentialResponse response;
    auto context = MakeContext(payd_.admin_key(), kCallTimeout);
    grpc::Status status = admin_->CreateCredential(context.get(), request, &response);
    if (!status.ok()) return IsOk(status);
    *key = response.api_key();
    return ::testing::AssertionSuccess();
  }

  grpc::Status SetThreshold(int64_t sar_minor_units) {
    v1::SetRefundPolicyRequest request;
    request.mutable_policy()->set_agency_id("passports");
    v1::Money* threshold = request.mutable_policy()->add_approval_thresholds();
    threshold->set_currency("SAR");
    threshold->set_minor_units(sar_minor_units);
    v1::RefundPolicy policy;
    auto context = MakeContext(payd_.admin_key(), kCallTimeout);
    return admin_->SetRefundPolicy(context.get(), request, &policy);
  }

  // A SUCCEEDED SANDBOX payment of a new fee of `minor_units` SAR.
  void PaidPayment(int64_t minor_units, v1::Payment* payment) {
    v1::Fee fee;
    IssueFee(passports_.agency_key, minor_units, &fee);
    Pay(passports_.agency_key, fee.bill_number(), "pay-" + fee.fee_id(), payment);
    ASSERT_EQ(payment->state(), v1::Payment::SUCCEEDED) << payment->DebugString();
  }

  static v1::RefundPaymentRequest RefundRequest(const std::string& payment_id, int64_t minor_units,
                                                const std::string& key) {
    v1::RefundPaymentRequest request;
    request.set_payment_id(payment_id);
    if (minor_units > 0) {
      request.mutable_amount()->set_currency("SAR");
      request.mutable_amount()->set_minor_units(minor_units);
    }
    request.set_reason_code(v1::Refund::OVERPAYMENT);
    request.set_reason("test refund");
    request.set_idempotency_key(key);
    return request;
  }

  // minor_units 0: the whole rest.
  grpc::Status Refund(const std::string& api_key, const std::string& payment_id,
                      int64_t minor_units, const std::string& key, v1::Refund* refund) {
    auto context = MakeContext(api_key, std::chrono::seconds(30));
    return payments_->RefundPayment(context.get(), RefundRequest(payment_id, minor_units, key),
                                    refund);
  }

  grpc::Status Approve(const std::string& api_key, const std::string& refund_id, v1::Refund* refund,
                       const v1::RefundDestination* destination = nullptr) {
    v1::ApproveRefundRequest request;
    request.set_refund_id(refund_id);
    if (destination != nullptr) *request.mutable_destination() = *destination;
    auto context = MakeContext(api_key, std::chrono::seconds(30));
    return payments_->ApproveRefund(context.get(), request, refund);
  }

  grpc::Status Reject(const std::string& api_key, const std::string& refund_id,
                      v1::Refund* refund) {
    v1::RejectRefundRequest request;
    request.set_refund_id(refund_id);
    request.set_reason("not owed");
    auto context = MakeContext(api_key, kCallTimeout);
    return payments_->RejectRefund(context.get(), request, refund);
  }

  std::vector<v1::Refund> RefundsOf(const std::string& payment_id) {
    v1::ListRefundsRequest request;
    request.set_payment_id(payment_id);
    v1::ListRefundsResponse response;
    auto context = MakeContext(passports_.agency_key, kCallTimeout);
    EXPECT_TRUE(IsOk(payments_->ListRefunds(context.get(), request, &response)));
    return {response.refunds().begin(), response.refunds().end()};
  }

  v1::Payment::State PaymentState(const std::string& payment_id) {
    v1::Payment payment;
    EXPECT_TRUE(IsOk(GetPayment(passports_.agency_key, payment_id, &payment)));
    return payment.state();
  }

  // The whole ledger as the "*" auditor exports it.
  std::vector<v1::LedgerEntry> Ledger() {
    std::vector<v1::LedgerEntry> entries;
    auto context = MakeContext(auditor_, kCallTimeout);
    std::unique_ptr<grpc::ClientReader<v1::LedgerEntry>> reader =
        ledger_->ExportLedger(context.get(), v1::ExportLedgerRequest());
    v1::LedgerEntry entry;
    while (reader->Read(&entry)) entries.push_back(entry);
    EXPECT_TRUE(IsOk(reader->Finish()));
    return entries;
  }

  // Account -> balance (SAR minor units) summed over every posting; checks that each entry's
  // postings balance.
  std::map<std::string, int64_t> Balances() {
    std::map<std::string, int64_t> balances;
    for (const v1::LedgerEntry& entry : Ledger()) {
      int64_t sum = 0;
      for (const v1::Posting& posting : entry.postings()) {
        balances[posting.account()] += posting.amount().minor_units();
        sum += posting.amount().minor_units();
      }
      EXPECT_EQ(sum, 0) << entry.DebugString();
    }
    return balances;
  }

  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::string approver_a_;
  std::string approver_b_;
  std::string auditor_;
};

TEST_F(RefundTest, FullRefundReversesTheCollectionInTheLedger) {
  const std::map<std::string, int64_t> before = Balances();
  v1::Payment payment;
  PaidPayment(30000, &payment);
  EXPECT_EQ(Balances()["revenue/passports"], before.count("revenue/passports") > 0
                                                 ? before.at("revenue/passports") - 30000
                                                 : -30000);
  v1::Refund refund;
  ASSERT_TRUE(IsOk(Refund(passports_.agency_key, payment.payment_id(), 0, "full", &refund)));
  EXPECT_TRUE(HasIdShape(refund.refund_id(), "rfd_", 20)) << refund.refund_id();
  EXPECT_EQ(refund.state(), v1::Refund::SUCCEEDED) << refund.DebugString();
  EXPECT_EQ(refund.amount().minor_units(), 30000);
  EXPECT_EQ(refund.connector(), "sandbox");
  EXPECT_EQ(refund.reason_code(), v1::Refund::OVERPAYMENT);
  EXPECT_EQ(PaymentState(payment.payment_id()), v1::Payment::REFUNDED);

  // Every account is back where it was: revenue and the sandbox's clearing account.
  std::map<std::string, int64_t> after = Balances();
  for (const auto& [account, balance] : after) {
    const int64_t was = before.count(account) > 0 ? before.at(account) : 0;
    EXPECT_EQ(balance, was) << account;
  }
  // The refund's entries: created PROCESSING, then SUCCEEDED with the postings, and the payment's
  // change to REFUNDED.
  int created = 0;
  int succeeded = 0;
  bool refunded = false;
  for (const v1::LedgerEntry& entry : Ledger()) {
    if (entry.subject_id() == refund.refund_id()) {
      EXPECT_EQ(entry.related_id(), payment.payment_id());
      EXPECT_EQ(entry.agency_id(), "passports");
      if (entry.type() == "REFUND_CREATED") ++created;
      if (entry.type() == "REFUND_STATE_CHANGED" &&
          entry.to_state() == static_cast<uint32_t>(v1::Refund::SUCCEEDED)) {
        ++succeeded;
        EXPECT_EQ(entry.postings_size(), 2);
      }
    }
    if (entry.subject_id() == payment.payment_id() && entry.type() == "PAYMENT_STATE_CHANGED" &&
        entry.to_state() == static_cast<uint32_t>(v1::Payment::REFUNDED)) {
      refunded = true;
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(succeeded, 1);
  EXPECT_TRUE(refunded);
}

TEST_F(RefundTest, PartialRefundsUpToThePaidAmount) {
  v1::Payment payment;
  PaidPayment(10000, &payment);
  v1::Refund first;
  ASSERT_TRUE(IsOk(Refund(passports_.agency_key, payment.payment_id(), 3000, "p1", &first)));
  EXPECT_EQ(first.state(), v1::Refund::SUCCEEDED);
  EXPECT_EQ(PaymentState(payment.payment_id()), v1::Payment::PARTIALLY_REFUNDED);

  v1::Refund over;
  grpc::Status too_much = Refund(passports_.agency_key, payment.payment_id(), 8000, "p2", &over);
  EXPECT_TRUE(HasCode(too_much, grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_NE(too_much.error_message().find("70.00 SAR"), std::string::npos)
      << too_much.error_message();

  v1::Refund rest;
  ASSERT_TRUE(IsOk(Refund(passports_.agency_key, payment.payment_id(), 0, "p3", &rest)));
  EXPECT_EQ(rest.state(), v1::Refund::SUCCEEDED);
  EXPECT_EQ(rest.amount().minor_units(), 7000);
  EXPECT_EQ(PaymentState(payment.payment_id()), v1::Payment::REFUNDED);
  v1::Refund more;
  EXPECT_TRUE(HasCodeAndMention(Refund(passports_.agency_key, payment.payment_id(), 1, "p4", &more),
                                grpc::StatusCode::FAILED_PRECONDITION, "REFUNDED"));
  EXPECT_EQ(RefundsOf(payment.payment_id()).size(), 2u);

  // Validation and scope.
  v1::Refund refused;
  v1::RefundPaymentRequest no_reason = RefundRequest(payment.payment_id(), 1, "v1");
  no_reason.clear_reason_code();
  auto context = MakeContext(passports_.agency_key, kCallTimeout);
  EXPECT_TRUE(IsInvalidArgumentAt(payments_->RefundPayment(context.get(), no_reason, &refused),
                                  "reason_code"));
  EXPECT_TRUE(IsInvalidArgumentAt(
      Refund(passports_.agency_key, payment.payment_id(), 100, "", &refused), "idempotency_key"));
  EXPECT_TRUE(HasCode(Refund(auditor_, payment.payment_id(), 100, "v2", &refused),
                      grpc::StatusCode::PERMISSION_DENIED));
  AgencyKeys courts;
  ASSERT_TRUE(CreateAgencyWithKeys(*admin_, payd_.admin_key(), "courts", &courts));
  EXPECT_TRUE(HasCode(Refund(courts.agency_key, payment.payment_id(), 100, "v3", &refused),
                      grpc::StatusCode::NOT_FOUND));
}

TEST_F(RefundTest, SixteenConcurrentPartialRefundsNeverExceedThePaidAmount) {
  v1::Payment payment;
  PaidPayment(10000, &payment);
  constexpr int kThreads = 16;
  std::vector<grpc::Status> statuses(kThreads);
  std::vector<v1::Refund> refunds(kThreads);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      statuses[i] = Refund(passports_.agency_key, payment.payment_id(), 1500,
                           "concurrent-" + std::to_string(i), &refunds[i]);
    });
  }
  go = true;
  for (std::thread& thread : threads) thread.join();
  int64_t succeeded_sum = 0;
  int ok = 0;
  for (int i = 0; i < kThreads; ++i) {
    if (statuses[i].ok()) {
      ++ok;
      EXPECT_EQ(refunds[i].state(), v1::Refund::SUCCEEDED);
      succeeded_sum += refunds[i].amount().minor_units();
    } else {
      EXPECT_TRUE(HasCode(statuses[i], grpc::StatusCode::FAILED_PRECONDITION));
    }
  }
  // 6 x 15.00 fit into 100.00; the other ten are refused with what is left (10.00 SAR).
  EXPECT_EQ(ok, 6);
  EXPECT_EQ(succeeded_sum, 9000);
  int64_t listed = 0;
  for (const v1::Refund& refund : RefundsOf(payment.payment_id())) {
    listed += refund.amount().minor_units();
  }
  EXPECT_EQ(listed, 9000);
  EXPECT_EQ(PaymentState(payment.payment_id()), v1::Payment::PARTIALLY_REFUNDED);
  v1::Refund last;
  ASSERT_TRUE(IsOk(Refund(passports_.agency_key, payment.payment_id(), 0, "last", &last)));
  EXPECT_EQ(last.amount().minor_units(), 1000);
  EXPECT_EQ(PaymentState(payment.payment_id()), v1::Payment::REFUNDED);
  EXPECT_EQ(Balances()["revenue/passports"], 0);
}

TEST_F(RefundTest, RetriesReturnTheFirstRefundAndKeysCannotBeReused) {
  v1::Payment payment;
  PaidPayment(10000, &payment);
  v1::Refund first;
  ASSERT_TRUE(IsOk(Refund(passports_.agency_key, payment.payment_id(), 2000, "k1", &first)));
  v1::Refund again;
  ASSERT_TRUE(IsOk(Refund(passports_.agency_key, payment.payment_id(), 2000, "k1", &again)));
  EXPECT_EQ(again.refund_id(), first.refund_id());
  EXPECT_EQ(again.state(), v1::Refund::SUCCEEDED);
  grpc::Status reused = Refund(passports_.agency_key, payment.payment_id(), 2500, "k1", &again);
  EXPECT_TRUE(HasCode(reused, grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_NE(reused.error_message().find("\"k1\""), std::string::npos) << reused.error_message();
  EXPECT_EQ(RefundsOf(payment.payment_id()).size(), 1u);
  // Keys are scoped to the credential: another one may use "k1" for its own refund.
  v1::Refund other;
  ASSERT_TRUE(IsOk(Refund(approver_a_, payment.payment_id(), 2500, "k1", &other)));
  EXPECT_NE(other.refund_id(), first.refund_id());
  EXPECT_EQ(RefundsOf(payment.payment_id()).size(), 2u);
}

TEST_F(RefundTest, AboveTheThresholdTheMakerCannotApproveTheirOwnRefund) {
  ASSERT_TRUE(IsOk(SetThreshold(5000)));
  v1::Payment payment;
  PaidPayment(20000, &payment);
  v1::Refund small;
  ASSERT_TRUE(IsOk(Refund(passports_.agency_key, payment.payment_id(), 5000, "small", &small)));
  EXPECT_EQ(small.state(), v1::Refund::SUCCEEDED);

  v1::Refund large;
  ASSERT_TRUE(IsOk(Refund(approver_a_, payment.payment_id(), 8000, "large", &large)));
  EXPECT_EQ(large.state(), v1::Refund::PENDING_APPROVAL);
  // No money moved yet: the payment shows only the small refund.
  EXPECT_EQ(PaymentState(payment.payment_id()), v1::Payment::PARTIALLY_REFUNDED);
  EXPECT_EQ(Balances()["revenue/passports"], -15000);

  v1::Refund approved;
  grpc::Status own = Approve(approver_a_, large.refund_id(), &approved);
  EXPECT_TRUE(HasCode(own, grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_NE(own.error_message().find("maker-checker"), std::string::npos) << own.error_message();
  EXPECT_TRUE(HasCode(Approve(passports_.agency_key, large.refund_id(), &approved),
                      grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(HasCode(Approve(auditor_, large.refund_id(), &approved),
                      grpc::StatusCode::PERMISSION_DENIED));
  v1::Refund read;
  {
    v1::GetRefundRequest get;
    get.set_refund_id(large.refund_id());
    auto context = MakeContext(auditor_, kCallTimeout);
    ASSERT_TRUE(IsOk(payments_->GetRefund(context.get(), get, &read)));
    EXPECT_EQ(read.state(), v1::Refund::PENDING_APPROVAL);
  }

  ASSERT_TRUE(IsOk(Approve(approver_b_, large.refund_id(), &approved)));
  EXPECT_EQ(approved.state(), v1::Refund::SUCCEEDED) << approved.DebugString();
  EXPECT_FALSE(approved.approved_by().empty());
  EXPECT_NE(approved.approved_by(), approved.requested_by());
  EXPECT_TRUE(HasCodeAndMention(Approve(approver_b_, large.refund_id(), &approved),
                                grpc::StatusCode::FAILED_PRECONDITION, "SUCCEEDED"));
  EXPECT_EQ(Balances()["revenue/passports"], -7000);
}

TEST_F(RefundTest, ARejectedOrDeclinedRefundFreesItsAmount) {
  ASSERT_TRUE(IsOk(SetThreshold(0)));
  v1::Payment payment;
  PaidPayment(10000, &payment);
  v1::Refund pending;
  ASSERT_TRUE(IsOk(Refund(passports_.agency_key, payment.payment_id(), 0, "all", &pending)));
  EXPECT_EQ(pending.state(), v1::Refund::PENDING_APPROVAL);
  v1::Refund refused;
  EXPECT_TRUE(HasCode(Refund(passports_.agency_key, payment.payment_id(), 1, "one", &refused),
                      grpc::StatusCode::FAILED_PRECONDITION));
  v1::Refund rejected;
  ASSERT_TRUE(IsOk(Reject(approver_a_, pending.refund_id(), &rejected)));
  EXPECT_EQ(rejected.state(), v1::Refund::REJECTED);
  v1::Refund approved;
  EXPECT_TRUE(HasCodeAndMention(Approve(approver_b_, pending.refund_id(), &approved),
                                grpc::StatusCode::FAILED_PRECONDITION, "REJECTED"));
  EXPECT_EQ(PaymentState(payment.payment_id()), v1::Payment::SUCCEEDED);

  // The sandbox declines amounts ending in 402: FAILED frees the amount too.
  ASSERT_TRUE(IsOk(SetThreshold(1'000'000)));
  v1::Refund declined;
  ASSERT_TRUE(IsOk(Refund(passports_.agency_key, payment.payment_id(), 1402, "dec", &declined)));
  EXPECT_EQ(declined.state(), v1::Refund::FAILED);
  EXPECT_EQ(declined.failure_code(), "REFUND_DECLINED");

  v1::Refund again;
  ASSERT_TRUE(IsOk(Refund(passports_.agency_key, payment.payment_id(), 0, "again", &again)));
  EXPECT_EQ(again.amount().minor_units(), 10000);
  EXPECT_EQ(again.state(), v1::Refund::SUCCEEDED);
  EXPECT_EQ(PaymentState(payment.payment_id()), v1::Payment::REFUNDED);

  v1::ListRefundsRequest by_state;
  by_state.set_state(v1::Refund::REJECTED);
  v1::ListRefundsResponse listed;
  auto context = MakeContext(passports_.agency_key, kCallTimeout);
  ASSERT_TRUE(IsOk(payments_->ListRefunds(context.get(), by_state, &listed)));
  ASSERT_EQ(listed.refunds_size(), 1);
  EXPECT_EQ(listed.refunds(0).refund_id(), pending.refund_id());
}

// A channel's payment cannot be refunded through the channel: it always needs an approver, who
// names where the money goes; it is paid out by the connector serving that method.
TEST_F(RefundTest, AChannelPaymentIsRefundedToADestinationTheApproverNames) {
  v1::Fee fee;
  IssueFee(passports_.agency_key, 12000, &fee);
  v1::RecordChannelPaymentRequest record;
  record.set_bill_number(fee.bill_number());
  record.mutable_amount()->set_currency("SAR");
  record.mutable_amount()->set_minor_units(12000);
  record.set_method(v1::BANK_TRANSFER);
  record.set_channel_reference("BRANCH-1");
  record.set_idempotency_key("ch-1");
  v1::Payment payment;
  {
    auto context = MakeContext(passports_.channel_key, kCallTimeout);
    ASSERT_TRUE(IsOk(payments_->RecordChannelPayment(context.get(), record, &payment)));
  }
  v1::Refund pending;
  ASSERT_TRUE(IsOk(Refund(passports_.agency_key, payment.payment_id(), 2000, "ch", &pending)));
  EXPECT_EQ(pending.state(), v1::Refund::PENDING_APPROVAL);
  v1::Refund approved;
  EXPECT_TRUE(
      IsInvalidArgumentAt(Approve(approver_a_, pending.refund_id(), &approved), "destination"));
  v1::RefundDestination destination;
  destination.set_method(v1::SANDBOX);
  destination.set_account("citizen-account-7");
  ASSERT_TRUE(IsOk(Approve(approver_a_, pending.refund_id(), &approved, &destination)));
  EXPECT_EQ(approved.state(), v1::Refund::SUCCEEDED) << approved.DebugString();
  EXPECT_EQ(approved.connector(), "sandbox");
  EXPECT_EQ(approved.destination().account(), "citizen-account-7");
  EXPECT_EQ(PaymentState(payment.payment_id()), v1::Payment::PARTIALLY_REFUNDED);
  std::map<std::string, int64_t> balances = Balances();
  EXPECT_EQ(balances["clearing/sandbox"], -2000);
  EXPECT_EQ(balances["revenue/passports"], -10000);
}

}  // namespace
}  // namespace pay::integration
