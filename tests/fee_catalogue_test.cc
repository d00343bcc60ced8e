// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The fee catalogue over real gRPC against a real payd: fee type versions effective by date,
// revenue splits whose postings add up exactly, partial payments, overpayments, late penalties
// and waivers by an approver.

#include <chrono>
#include <map>
#include <thread>

#include "pay/v1/ledger_service.grpc.pb.h"
#include "payd_test_base.h"

namespace pay::integration {
namespace {

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

v1::Money Sar(int64_t minor_units) {
  v1::Money money;
  money.set_currency("SAR");
  money.set_minor_units(minor_units);
  return money;
}

class FeeCatalogueTest : public PaydTest {
 protected:
  void SetUp() override {
    PaydTest::SetUp();
    ledger_ = v1::LedgerService::NewStub(payd_.channel());
    v1::CreateCredentialResponse auditor;
    ASSERT_TRUE(CreateCredential(*admin_, payd_.admin_key(), v1::Credential::AUDITOR,
                                 {passports_.agency_id}, &auditor));
    auditor_key_ = auditor.api_key();
  }

  static v1::DefineFeeTypeRequest TypeRequest(const std::string& code, int64_t minor_units) {
    v1::DefineFeeTypeRequest request;
    request.set_code(code);
    request.mutable_name()->set_en("Passport renewal");
    request.mutable_name()->set_ar("تجديد جواز السفر");
    *request.mutable_amount() = Sar(minor_units);
    return request;
  }

  grpc::Status Define(const std::string& key, const v1::DefineFeeTypeRequest& request,
                      v1::FeeType* fee_type) {
    auto context = MakeContext(key, kCallTimeout);
    return fees_->DefineFeeType(context.get(), request, fee_type);
  }

  void DefineOk(const v1::DefineFeeTypeRequest& request, v1::FeeType* fee_type = nullptr) {
    v1::FeeType ignored;
    ASSERT_TRUE(IsOk(Define(passports_.agency_key, request, fee_type ? fee_type : &ignored)));
  }

  // Issues a fee of type `code` (amount from the type).
  void IssueTyped(const std::string& code, v1::Fee* fee, int64_t due_time_seconds = 0) {
    v1::CreateFeeRequest request = FeeRequest(1);
    request.clear_amount();
    request.set_fee_type_code(code);
    if (due_time_seconds != 0) request.mutable_due_time()->set_seconds(due_time_seconds);
    ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, request, fee)));
  }

  grpc::Status PayPart(const std::string& bill, int64_t minor_units, const std::string& key,
                       v1::Payment* payment) {
    v1::CreatePaymentRequest request = PaymentRequest(bill, key);
    if (minor_units > 0) *request.mutable_amount() = Sar(minor_units);
    return TryPay(passports_.agency_key, request, payment);
  }

  grpc::Status Channel(const std::string& bill, int64_t minor_units, const std::string& key,
                       v1::Payment* payment) {
    v1::RecordChannelPaymentRequest request;
    request.set_bill_number(bill);
    *request.mutable_amount() = Sar(minor_units);
    request.set_method(v1::BANK_TRANSFER);
    request.set_channel_reference("BR-" + key);
    request.set_idempotency_key(key);
    auto context = MakeContext(passports_.channel_key, kCallTimeout);
    return payments_->RecordChannelPayment(context.get(), request, payment);
  }

  grpc::Status Waive(const std::string& key, const std::string& fee_id, int64_t minor_units,
                     const std::string& reason, v1::Fee* fee) {
    v1::WaiveFeeRequest request;
    request.set_fee_id(fee_id);
    *request.mutable_amount() = Sar(minor_units);
    request.set_reason(reason);
    auto context = MakeContext(key, kCallTimeout);
    return fees_->WaiveFee(context.get(), request, fee);
  }

  v1::Fee Fee(const std::string& fee_id) {
    v1::Fee fee;
    EXPECT_TRUE(IsOk(GetFee(passports_.agency_key, fee_id, &fee)));
    return fee;
  }

  // Every ledger entry of the agency, through the AUDITOR's ExportLedger.
  std::vector<v1::LedgerEntry> Ledger() {
    v1::ExportLedgerRequest request;
    request.set_agency_id(passports_.agency_id);
    auto context = MakeContext(auditor_key_, kCallTimeout);
    auto reader = ledger_->ExportLedger(context.get(), request);
    std::vector<v1::LedgerEntry> entries;
    v1::LedgerEntry entry;
    while (reader->Read(&entry)) entries.push_back(entry);
    EXPECT_TRUE(IsOk(reader->Finish()));
    return entries;
  }

  // The sum of the postings per account of the entries whose subject is in `subjects`.
  std::map<std::string, int64_t> Postings(const std::vector<std::string>& subjects) {
    std::map<std::string, int64_t> sums;
    for (const v1::LedgerEntry& entry : Ledger()) {
      if (std::find(subjects.begin(), subjects.end(), entry.subject_id()) == subjects.end()) {
        continue;
      }
      for (const v1::Posting& posting : entry.postings()) {
        sums[posting.account()] += posting.amount().minor_units();
      }
    }
    return sums;
  }

  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::string auditor_key_;
};

TEST_F(FeeCatalogueTest, AFeeUsesTheVersionInForceWhenIssuedForever) {
  v1::FeeType v1_type;
  DefineOk(TypeRequest("PASSPORT", 30000), &v1_type);
  ASSERT_EQ(v1_type.versions_size(), 1);
  EXPECT_EQ(v1_type.versions(0).version(), 1);

  // Version 2 takes effect 1.5 s from now.
  const int64_t effective_ms = NowMillis() + 1500;
  v1::DefineFeeTypeRequest second = TypeRequest("PASSPORT", 35000);
  second.clear_name();
  second.mutable_terms()->set_amount_rule(v1::FeeTerms::PARTIAL_ALLOWED);
  second.mutable_effective_from()->set_seconds(effective_ms / 1000);
  second.mutable_effective_from()->set_nanos(static_cast<int32_t>(effective_ms % 1000) * 1000000);
  v1::FeeType v2_type;
  DefineOk(second, &v2_type);
  ASSERT_EQ(v2_type.versions_size(), 2);
  EXPECT_EQ(v2_type.name().en(), "Passport renewal");  // kept

  v1::Fee before;
  IssueTyped("PASSPORT", &before);
  EXPECT_EQ(before.fee_type_code(), "PASSPORT");
  EXPECT_EQ(before.fee_type_version(), 1);
  EXPECT_EQ(before.amount().minor_units(), 30000);
  EXPECT_EQ(before.terms().amount_rule(), v1::FeeTerms::EXACT);

  std::this_thread::sleep_until(
      std::chrono::system_clock::time_point(std::chrono::milliseconds(effective_ms + 200)));
  v1::Fee after;
  IssueTyped("PASSPORT", &after);
  EXPECT_EQ(after.fee_type_version(), 2);
  EXPECT_EQ(after.amount().minor_units(), 35000);
  EXPECT_EQ(after.terms().amount_rule(), v1::FeeTerms::PARTIAL_ALLOWED);

  // The first fee keeps version 1's amount and terms.
  v1::Fee again = Fee(before.fee_id());
  EXPECT_EQ(again.fee_type_version(), 1);
  EXPECT_EQ(again.amount().minor_units(), 30000);
  EXPECT_EQ(again.terms().amount_rule(), v1::FeeTerms::EXACT);
  EXPECT_EQ(again.amount_due().minor_units(), 30000);

  // A given amount must match the version in force.
  v1::CreateFeeRequest wrong = FeeRequest(30000);
  wrong.set_fee_type_code("PASSPORT");
  v1::Fee fee;
  EXPECT_TRUE(IsInvalidArgumentAt(TryCreateFee(passports_.agency_key, wrong, &fee), "amount"));
  v1::CreateFeeRequest unknown = FeeRequest(30000);
  unknown.set_fee_type_code("NOPE");
  EXPECT_TRUE(
      HasCode(TryCreateFee(passports_.agency_key, unknown, &fee), grpc::StatusCode::NOT_FOUND));

  // Reads: the agency and its auditor; the ledger has one FEE_TYPE_DEFINED entry per version.
  v1::GetFeeTypeRequest get;
  get.set_code("PASSPORT");
  v1::FeeType read;
  auto context = MakeContext(auditor_key_, kCallTimeout);
  ASSERT_TRUE(IsOk(fees_->GetFeeType(context.get(), get, &read)));
  EXPECT_EQ(read.versions_size(), 2);
  v1::ListFeeTypesResponse list;
  context = MakeContext(passports_.agency_key, kCallTimeout);
  ASSERT_TRUE(IsOk(fees_->ListFeeTypes(context.get(), v1::ListFeeTypesRequest(), &list)));
  ASSERT_EQ(list.fee_types_size(), 1);
  int defined = 0;
  for (const v1::LedgerEntry& entry : Ledger()) {
    if (entry.type() == "FEE_TYPE_DEFINED") {
      ++defined;
      EXPECT_EQ(entry.subject_id(), "PASSPORT@" + std::to_string(defined));
    }
  }
  EXPECT_EQ(defined, 2);
}

TEST_F(FeeCatalogueTest, SplitPostingsOfPartialPaymentsSumExactly) {
  v1::DefineFeeTypeRequest request = TypeRequest("SPLIT", 10001);
  v1::FeeTerms* terms = request.mutable_terms();
  terms->set_amount_rule(v1::FeeTerms::PARTIAL_ALLOWED);
  v1::RevenueShare* stamp = terms->add_revenue_shares();
  stamp->set_label("stamp");
  *stamp->mutable_fixed() = Sar(500);
  v1::RevenueShare* province = terms->add_revenue_shares();
  province->set_label("province");
  province->set_basis_points(3333);
  v1::RevenueShare* city = terms->add_revenue_shares();
  city->set_label("city");
  city->set_basis_points(1667);
  DefineOk(request);

  v1::Fee fee;
  IssueTyped("SPLIT", &fee);
  std::vector<std::string> payment_ids;
  v1::Payment payment;
  ASSERT_TRUE(IsOk(PayPart(fee.bill_number(), 1, "s1", &payment)));
  EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED);
  EXPECT_EQ(payment.amount().minor_units(), 1);
  payment_ids.push_back(payment.payment_id());
  EXPECT_EQ(Fee(fee.fee_id()).state(), v1::Fee::PARTIALLY_PAID);
  ASSERT_TRUE(IsOk(PayPart(fee.bill_number(), 3001, "s2", &payment)));
  payment_ids.push_back(payment.payment_id());
  v1::Fee middle = Fee(fee.fee_id());
  EXPECT_EQ(middle.state(), v1::Fee::PARTIALLY_PAID);
  EXPECT_EQ(middle.amount_paid().minor_units(), 3002);
  EXPECT_EQ(middle.amount_due().minor_units(), 10001 - 3002);
  // More than due is refused before money moves.
  EXPECT_TRUE(HasCode(PayPart(fee.bill_number(), 7000, "s3", &payment),
                      grpc::StatusCode::FAILED_PRECONDITION));
  // The rest: no amount means the whole amount due.
  ASSERT_TRUE(IsOk(PayPart(fee.bill_number(), 0, "s4", &payment)));
  EXPECT_EQ(payment.amount().minor_units(), 6999);
  payment_ids.push_back(payment.payment_id());
  v1::Fee paid = Fee(fee.fee_id());
  EXPECT_EQ(paid.state(), v1::Fee::PAID);
  EXPECT_EQ(paid.amount_due().minor_units(), 0);
  EXPECT_EQ(paid.paid_by_payment_id(), payment.payment_id());

  // Split(10001): stamp 500; of the rest 9501, province floor(9501 * 0.3333) = 3166, city
  // floor(9501 * 0.1667) = 1583; the remainder 4752 to revenue/passports.
  std::map<std::string, int64_t> sums = Postings(payment_ids);
  const std::string agency = passports_.agency_id;
  EXPECT_EQ(sums["clearing/sandbox"], 10001);
  EXPECT_EQ(sums["revenue/" + agency + "/stamp"], -500);
  EXPECT_EQ(sums["revenue/" + agency + "/province"], -3166);
  EXPECT_EQ(sums["revenue/" + agency + "/city"], -1583);
  EXPECT_EQ(sums["revenue/" + agency], -4752);
  int64_t total = 0;
  for (const auto& [account, sum] : sums) total += sum;
  EXPECT_EQ(total, 0);
}

TEST_F(FeeCatalogueTest, ChannelPaymentsPartialAndOverpaid) {
  v1::DefineFeeTypeRequest partial = TypeRequest("PART", 10000);
  partial.mutable_terms()->set_amount_rule(v1::FeeTerms::PARTIAL_ALLOWED);
  DefineOk(partial);
  v1::DefineFeeTypeRequest excess = TypeRequest("EXCESS", 10000);
  excess.mutable_terms()->set_overpayment(v1::FeeTerms::REFUND_EXCESS);
  DefineOk(excess);
  DefineOk(TypeRequest("EXACT", 10000));

  v1::Fee fee;
  IssueTyped("PART", &fee);
  v1::Payment payment;
  ASSERT_TRUE(IsOk(Channel(fee.bill_number(), 4000, "p1", &payment)));
  EXPECT_FALSE(payment.refund_due());
  EXPECT_EQ(Fee(fee.fee_id()).state(), v1::Fee::PARTIALLY_PAID);
  v1::InquireBillResponse inquiry;
  ASSERT_TRUE(IsOk(InquireBill(passports_.channel_key, fee.bill_number(), &inquiry)));
  EXPECT_EQ(inquiry.amount_due().minor_units(), 6000);
  EXPECT_EQ(inquiry.state(), v1::Fee::PARTIALLY_PAID);
  // REFUSE: more than due is refused whole.
  ASSERT_TRUE(IsOk(Channel(fee.bill_number(), 7000, "p2", &payment)));
  EXPECT_TRUE(payment.refund_due());
  EXPECT_EQ(Fee(fee.fee_id()).amount_due().minor_units(), 6000);
  ASSERT_TRUE(IsOk(Channel(fee.bill_number(), 6000, "p3", &payment)));
  EXPECT_FALSE(payment.refund_due());
  EXPECT_EQ(Fee(fee.fee_id()).state(), v1::Fee::PAID);

  // REFUND_EXCESS: the fee takes what is due, the excess is owed back.
  v1::Fee over;
  IssueTyped("EXCESS", &over);
  ASSERT_TRUE(IsOk(Channel(over.bill_number(), 12000, "x1", &payment)));
  EXPECT_TRUE(payment.refund_due());
  EXPECT_EQ(Fee(over.fee_id()).state(), v1::Fee::PAID);
  std::map<std::string, int64_t> sums = Postings({payment.payment_id()});
  EXPECT_EQ(sums["revenue/" + passports_.agency_id], -10000);
  EXPECT_EQ(sums["suspense/channel:" + passports_.channel_credential_id], -2000);
  bool refund_due_entry = false;
  for (const v1::LedgerEntry& entry : Ledger()) {
    if (entry.type() == "DISCREPANCY" && entry.subject_id() == payment.payment_id()) {
      refund_due_entry =
          entry.detail().rfind("REFUND_DUE", 0) == 0 && entry.amount().minor_units() == 2000;
    }
  }
  EXPECT_TRUE(refund_due_entry);

  // EXACT: a partial pull payment is refused before money moves; a short channel payment is
  // refund_due and the fee stays UNPAID.
  v1::Fee exact;
  IssueTyped("EXACT", &exact);
  EXPECT_TRUE(HasCode(PayPart(exact.bill_number(), 5000, "e1", &payment),
                      grpc::StatusCode::FAILED_PRECONDITION));
  ASSERT_TRUE(IsOk(Channel(exact.bill_number(), 5000, "e2", &payment)));
  EXPECT_TRUE(payment.refund_due());
  EXPECT_EQ(Fee(exact.fee_id()).state(), v1::Fee::UNPAID);
}

TEST_F(FeeCatalogueTest, PenaltiesAfterTheDueDateAreShownAndCharged) {
  v1::DefineFeeTypeRequest request = TypeRequest("LATE", 10000);
  v1::Penalty* penalty = request.mutable_terms()->mutable_penalty();
  penalty->set_kind(v1::Penalty::PERCENT);
  penalty->set_basis_points(1000);  // 10.00 SAR per period
  penalty->set_period_seconds(1);
  *penalty->mutable_cap() = Sar(2500);
  DefineOk(request);

  v1::Fee fee;
  IssueTyped("LATE", &fee, NowSeconds() + 1);
  EXPECT_EQ(fee.penalty_total().minor_units(), 0);
  EXPECT_EQ(fee.amount_due().minor_units(), 10000);
  // Due within 1 s; three periods later the cap is reached: 10.00 + 10.00 + 5.00.
  std::this_thread::sleep_for(std::chrono::milliseconds(5000));
  v1::Fee late = Fee(fee.fee_id());
  EXPECT_EQ(late.penalty_total().minor_units(), 2500);
  EXPECT_EQ(late.amount_due().minor_units(), 12500);
  v1::InquireBillResponse inquiry;
  ASSERT_TRUE(IsOk(InquireBill(passports_.channel_key, fee.bill_number(), &inquiry)));
  EXPECT_EQ(inquiry.amount_due().minor_units(), 12500);

  v1::Payment payment;
  ASSERT_TRUE(IsOk(PayPart(fee.bill_number(), 0, "l1", &payment)));
  EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED);
  EXPECT_EQ(payment.amount().minor_units(), 12500);
  EXPECT_EQ(Fee(fee.fee_id()).state(), v1::Fee::PAID);

  int64_t penalties = 0;
  int entries = 0;
  for (const v1::LedgerEntry& entry : Ledger()) {
    if (entry.type() == "FEE_ADJUSTED" && entry.subject_id() == fee.fee_id()) {
      EXPECT_EQ(entry.detail().rfind("PENALTY: period ", 0), 0u) << entry.detail();
      EXPECT_EQ(entry.postings_size(), 0);
      penalties += entry.amount().minor_units();
      ++entries;
    }
  }
  EXPECT_EQ(penalties, 2500);
  EXPECT_EQ(entries, 3);
  std::map<std::string, int64_t> sums = Postings({payment.payment_id()});
  EXPECT_EQ(sums["revenue/" + passports_.agency_id + "/penalties"], -2500);
  EXPECT_EQ(sums["revenue/" + passports_.agency_id], -10000);
}

TEST_F(FeeCatalogueTest, OnlyAnApproverWaivesAndAFullWaiverPays) {
  v1::CreateCredentialRequest create;
  create.set_role(v1::Credential::AGENCY);
  create.add_agency_ids(passports_.agency_id);
  create.set_approver(true);
  v1::CreateCredentialResponse approver;
  auto context = MakeContext(payd_.admin_key(), kCallTimeout);
  ASSERT_TRUE(IsOk(admin_->CreateCredential(context.get(), create, &approver)));

  v1::Fee fee;
  IssueFee(passports_.agency_key, 10000, &fee);
  v1::Fee waived;
  EXPECT_TRUE(HasCode(Waive(passports_.agency_key, fee.fee_id(), 3000, "hardship", &waived),
                      grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(HasCode(Waive(passports_.channel_key, fee.fee_id(), 3000, "hardship", &waived),
                      grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(
      IsInvalidArgumentAt(Waive(approver.api_key(), fee.fee_id(), 3000, "", &waived), "reason"));
  ASSERT_TRUE(IsOk(Waive(approver.api_key(), fee.fee_id(), 3000, "hardship", &waived)));
  EXPECT_EQ(waived.state(), v1::Fee::UNPAID);
  EXPECT_EQ(waived.waived_total().minor_units(), 3000);
  EXPECT_EQ(waived.amount_due().minor_units(), 7000);
  EXPECT_TRUE(HasCode(Waive(approver.api_key(), fee.fee_id(), 7001, "too much", &waived),
                      grpc::StatusCode::FAILED_PRECONDITION));
  ASSERT_TRUE(IsOk(Waive(approver.api_key(), fee.fee_id(), 7000, "court order", &waived)));
  EXPECT_EQ(waived.state(), v1::Fee::PAID);
  EXPECT_EQ(waived.amount_due().minor_units(), 0);
  EXPECT_TRUE(HasCode(Waive(approver.api_key(), fee.fee_id(), 1, "again", &waived),
                      grpc::StatusCode::FAILED_PRECONDITION));

  std::vector<std::string> details;
  for (const v1::LedgerEntry& entry : Ledger()) {
    if (entry.type() == "FEE_ADJUSTED" && entry.subject_id() == fee.fee_id()) {
      details.push_back(entry.detail());
      EXPECT_EQ(entry.principal_id(), approver.credential().credential_id());
    }
  }
  EXPECT_EQ(details, (std::vector<std::string>{"WAIVER: hardship", "WAIVER: court order"}));
}

TEST_F(FeeCatalogueTest, InvalidDefinitionsAreRefusedWithTheirField) {
  v1::FeeType fee_type;
  EXPECT_TRUE(HasCode(Define(passports_.channel_key, TypeRequest("A", 100), &fee_type),
                      grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(IsInvalidArgumentAt(
      Define(passports_.agency_key, TypeRequest("lower", 100), &fee_type), "code"));
  v1::DefineFeeTypeRequest no_name = TypeRequest("NONAME", 100);
  no_name.clear_name();
  EXPECT_TRUE(IsInvalidArgumentAt(Define(passports_.agency_key, no_name, &fee_type), "name"));

  v1::DefineFeeTypeRequest too_much = TypeRequest("BP", 100);
  too_much.mutable_terms()->add_revenue_shares()->set_label("a");
  too_much.mutable_terms()->mutable_revenue_shares(0)->set_basis_points(6000);
  too_much.mutable_terms()->add_revenue_shares()->set_label("b");
  too_much.mutable_terms()->mutable_revenue_shares(1)->set_basis_points(5000);
  EXPECT_TRUE(IsInvalidArgumentAt(Define(passports_.agency_key, too_much, &fee_type),
                                  "terms.revenue_shares"));
  v1::DefineFeeTypeRequest both = TypeRequest("BOTH", 100);
  v1::RevenueShare* share = both.mutable_terms()->add_revenue_shares();
  share->set_label("x");
  share->set_basis_points(10);
  *share->mutable_fixed() = Sar(10);
  EXPECT_TRUE(IsInvalidArgumentAt(Define(passports_.agency_key, both, &fee_type),
                                  "terms.revenue_shares[0]"));
  v1::DefineFeeTypeRequest no_cap = TypeRequest("NOCAP", 100);
  no_cap.mutable_terms()->mutable_penalty()->set_kind(v1::Penalty::PERCENT);
  no_cap.mutable_terms()->mutable_penalty()->set_basis_points(100);
  no_cap.mutable_terms()->mutable_penalty()->set_period_seconds(60);
  EXPECT_TRUE(
      IsInvalidArgumentAt(Define(passports_.agency_key, no_cap, &fee_type), "terms.penalty.cap"));
  v1::DefineFeeTypeRequest past = TypeRequest("PAST", 100);
  past.mutable_effective_from()->set_seconds(NowSeconds() - 3600);
  EXPECT_TRUE(
      IsInvalidArgumentAt(Define(passports_.agency_key, past, &fee_type), "effective_from"));

  // A later version must take effect after the previous one.
  v1::DefineFeeTypeRequest future = TypeRequest("FUTURE", 100);
  future.mutable_effective_from()->set_seconds(NowSeconds() + 3600);
  ASSERT_TRUE(IsOk(Define(passports_.agency_key, future, &fee_type)));
  v1::DefineFeeTypeRequest earlier = TypeRequest("FUTURE", 200);
  earlier.mutable_effective_from()->set_seconds(NowSeconds() + 60);
  EXPECT_TRUE(
      IsInvalidArgumentAt(Define(passports_.agency_key, earlier, &fee_type), "effective_from"));
  // No version in force yet.
  v1::CreateFeeRequest request = FeeRequest(1);
  request.clear_amount();
  request.set_fee_type_code("FUTURE");
  v1::Fee fee;
  EXPECT_TRUE(HasCode(TryCreateFee(passports_.agency_key, request, &fee),
                      grpc::StatusCode::FAILED_PRECONDITION));
}

}  // namespace
}  // namespace pay::integration
