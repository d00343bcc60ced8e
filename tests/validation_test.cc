// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Request validation against the real payd: every malformed field is INVALID_ARGUMENT whose
// message starts with the field path, and a rejected request changes nothing.

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "payd_test_base.h"

namespace pay::integration {
namespace {

using ::google::protobuf::util::TimeUtil;

constexpr int64_t kMaxMinorUnits = 1'000'000'000'000'000;  // 10^15

class ValidationTest : public PaydTest {
 protected:
  template <typename Request>
  struct Case {
    std::string what;
    std::function<void(Request*)> mutate;
    // The field path the message must start with.
    std::string path;
  };

  void ExpectFeesRejected(const std::vector<Case<v1::CreateFeeRequest>>& cases) {
    for (const auto& c : cases) {
      SCOPED_TRACE(c.what);
      v1::CreateFeeRequest request = FeeRequest(1250);
      c.mutate(&request);
      v1::Fee fee;
      EXPECT_TRUE(IsInvalidArgumentAt(TryCreateFee(passports_.agency_key, request, &fee), c.path));
    }
    std::vector<v1::Fee> listed;
    ASSERT_NO_FATAL_FAILURE(ListAllFees(passports_.agency_key, v1::ListFeesRequest(), &listed));
    EXPECT_TRUE(listed.empty()) << "a rejected CreateFee issued a fee";
  }
};

std::string Bytes(size_t count) { return std::string(count, 'x'); }

TEST_F(ValidationTest, CreateFeeAmount) {
  ExpectFeesRejected({
      {"unknown currency", [](auto* r) { r->mutable_amount()->set_currency("XXX"); },
       "amount.currency"},
      {"lower-case currency", [](auto* r) { r->mutable_amount()->set_currency("sar"); },
       "amount.currency"},
      {"empty currency", [](auto* r) { r->mutable_amount()->set_currency(""); }, "amount.currency"},
      {"two-letter currency", [](auto* r) { r->mutable_amount()->set_currency("SA"); },
       "amount.currency"},
      {"negative amount", [](auto* r) { r->mutable_amount()->set_minor_units(-1250); },
       "amount.minor_units"},
      {"zero amount", [](auto* r) { r->mutable_amount()->set_minor_units(0); },
       "amount.minor_units"},
      {"10^15 + 1", [](auto* r) { r->mutable_amount()->set_minor_units(kMaxMinorUnits + 1); },
       "amount.minor_units"},
      {"INT64_MAX",
       [](auto* r) { r->mutable_amount()->set_minor_units(std::numeric_limits<int64_t>::max()); },
       "amount.minor_units"},
  });
  // No amount at all: the message may name `amount` or one of its fields.
  v1::CreateFeeRequest request = FeeRequest(1250);
  request.clear_amount();
  v1::Fee fee;
  const grpc::Status status = TryCreateFee(passports_.agency_key, request, &fee);
  ASSERT_TRUE(HasCode(status, grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(status.error_message().rfind("amount", 0), 0u) << status.error_message();
}

TEST_F(ValidationTest, CreateFeeAcceptsTheLimits) {
  v1::Fee fee;
  EXPECT_TRUE(IsOk(TryCreateFee(passports_.agency_key, FeeRequest(kMaxMinorUnits), &fee)));
  EXPECT_EQ(fee.amount().minor_units(), kMaxMinorUnits);
  EXPECT_TRUE(IsOk(TryCreateFee(passports_.agency_key, FeeRequest(1, "JOD"), &fee)));
  EXPECT_EQ(fee.amount().currency(), "JOD");

  v1::CreateFeeRequest arabic_only = FeeRequest(1250);
  arabic_only.mutable_description()->clear_en();
  EXPECT_TRUE(IsOk(TryCreateFee(passports_.agency_key, arabic_only, &fee)));
  v1::CreateFeeRequest longest = FeeRequest(1250);
  longest.mutable_description()->set_en(Bytes(500));
  longest.set_payer_reference(Bytes(128));
  longest.set_idempotency_key(std::string(128, '~'));
  EXPECT_TRUE(IsOk(TryCreateFee(passports_.agency_key, longest, &fee)));
  EXPECT_EQ(fee.description().en(), Bytes(500));
}

TEST_F(ValidationTest, IdempotencyKeysMayBeAnyPrintableAscii) {
  // "printable ASCII": 0x20 (space) to 0x7e, 95 characters, within the 128-byte limit.
  std::string key;
  for (char c = 0x20; c <= 0x7e; ++c) key += c;
  v1::CreateFeeRequest request = FeeRequest(1250);
  request.set_idempotency_key(key);
  v1::Fee fee;
  ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, request, &fee)));
  v1::Payment payment;
  ASSERT_TRUE(
      IsOk(TryPay(passports_.agency_key, PaymentRequest(fee.bill_number(), key), &payment)));
  EXPECT_EQ(payment.idempotency_key(), key);
  v1::Payment retry;
  ASSERT_TRUE(IsOk(TryPay(passports_.agency_key, PaymentRequest(fee.bill_number(), key), &retry)));
  EXPECT_EQ(retry.payment_id(), payment.payment_id());
}

TEST_F(ValidationTest, CreateFeeTextAndTimes) {
  const auto now = TimeUtil::GetCurrentTime();
  const auto hour = TimeUtil::SecondsToDuration(3600);
  ExpectFeesRejected({
      {"no description", [](auto* r) { r->clear_description(); }, "description"},
      {"empty description",
       [](auto* r) {
         r->mutable_description()->set_en("");
         r->mutable_description()->set_ar("");
       },
       "description"},
      {"English description too long",
       [](auto* r) { r->mutable_description()->set_en(Bytes(501)); }, "description.en"},
      {"Arabic description too long", [](auto* r) { r->mutable_description()->set_ar(Bytes(501)); },
       "description.ar"},
      {"payer_reference too long", [](auto* r) { r->set_payer_reference(Bytes(129)); },
       "payer_reference"},
      {"idempotency_key too long", [](auto* r) { r->set_idempotency_key(Bytes(129)); },
       "idempotency_key"},
      {"idempotency_key not printable", [](auto* r) { r->set_idempotency_key("key\x01"); },
       "idempotency_key"},
      {"due_time in the past", [&](auto* r) { *r->mutable_due_time() = now - hour; }, "due_time"},
      {"expire_time in the past", [&](auto* r) { *r->mutable_expire_time() = now - hour; },
       "expire_time"},
      {"expire_time before due_time",
       [&](auto* r) {
         *r->mutable_due_time() = now + 2 * hour;
         *r->mutable_expire_time() = now + hour;
       },
       "expire_time"},
  });
}

TEST_F(ValidationTest, CreatePaymentFields) {
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
  const std::string bill = fee.bill_number();
  std::string with_letter = bill;
  with_letter[5] = 'A';
  const std::vector<Case<v1::CreatePaymentRequest>> cases = {
      {"wrong check digit", [&](auto* r) { r->set_bill_number(WithWrongCheckDigit(bill)); },
       "bill_number"},
      {"a letter", [&](auto* r) { r->set_bill_number(with_letter); }, "bill_number"},
      {"15 digits", [&](auto* r) { r->set_bill_number(bill.substr(0, 15)); }, "bill_number"},
      {"17 digits", [&](auto* r) { r->set_bill_number(bill + "0"); }, "bill_number"},
      {"empty bill_number", [](auto* r) { r->set_bill_number(""); }, "bill_number"},
      {"empty idempotency_key", [](auto* r) { r->set_idempotency_key(""); }, "idempotency_key"},
      {"idempotency_key too long", [](auto* r) { r->set_idempotency_key(Bytes(129)); },
       "idempotency_key"},
      {"idempotency_key not printable", [](auto* r) { r->set_idempotency_key("tab\tkey"); },
       "idempotency_key"},
      {"method unspecified", [](auto* r) { r->set_method(v1::PAYMENT_METHOD_UNSPECIFIED); },
       "method"},
      {"payer_account too long", [](auto* r) { r->set_payer_account(Bytes(65)); }, "payer_account"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    v1::CreatePaymentRequest request = PaymentRequest(bill, "valid-key");
    c.mutate(&request);
    v1::Payment payment;
    EXPECT_TRUE(IsInvalidArgumentAt(TryPay(passports_.channel_key, request, &payment), c.path));
  }
  v1::Fee after;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &after)));
  EXPECT_EQ(after.state(), v1::Fee::UNPAID);
  std::vector<v1::Payment> payments;
  ASSERT_NO_FATAL_FAILURE(PaymentsOfFee(passports_.agency_key, fee.fee_id(), &payments));
  EXPECT_TRUE(payments.empty()) << "a rejected CreatePayment recorded a payment";
  // None of the rejected requests consumed the key.
  v1::Payment payment;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.channel_key, bill, "valid-key", &payment));
  EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED);
}

TEST_F(ValidationTest, CreateAgencyFields) {
  struct AgencyCase {
    std::string what;
    std::string agency_id;
    bool with_name;
    std::string name_en;
    std::string path;
  };
  const AgencyCase cases[] = {
      {"space and punctuation", "Bad Id!", true, "Bad", "agency_id"},
      {"upper case", "Passports2", true, "Upper", "agency_id"},
      {"one character", "a", true, "Short", "agency_id"},
      {"33 characters", "a" + std::string(32, 'b'), true, "Long", "agency_id"},
      {"leading digit", "1courts", true, "Digit", "agency_id"},
      {"empty id", "", true, "Empty", "agency_id"},
      {"no name", "courts", false, "", "name"},
      {"English name too long", "courts", true, Bytes(201), "name.en"},
  };
  for (const AgencyCase& c : cases) {
    SCOPED_TRACE(c.what);
    v1::CreateAgencyRequest request;
    request.set_agency_id(c.agency_id);
    if (c.with_name) request.mutable_name()->set_en(c.name_en);
    v1::Agency agency;
    auto context = MakeContext(payd_.admin_key());
    EXPECT_TRUE(IsInvalidArgumentAt(admin_->CreateAgency(context.get(), request, &agency), c.path));
  }
  v1::CreateAgencyRequest duplicate;
  duplicate.set_agency_id("passports");
  duplicate.mutable_name()->set_en("Passports again");
  v1::Agency agency;
  auto context = MakeContext(payd_.admin_key());
  EXPECT_TRUE(HasCode(admin_->CreateAgency(context.get(), duplicate, &agency),
                      grpc::StatusCode::ALREADY_EXISTS));

  v1::ListAgenciesResponse listed;
  auto list_context = MakeContext(payd_.admin_key());
  ASSERT_TRUE(IsOk(admin_->ListAgencies(list_context.get(), v1::ListAgenciesRequest(), &listed)));
  ASSERT_EQ(listed.agencies_size(), 1) << listed.DebugString();
  EXPECT_EQ(listed.agencies(0).agency_id(), "passports");
  EXPECT_EQ(listed.agencies(0).name().en(), passports_.name.en()) << "not overwritten";
}

TEST_F(ValidationTest, CreateCredentialFields) {
  AgencyKeys courts;
  ASSERT_TRUE(CreateAgencyWithKeys(*admin_, payd_.admin_key(), "courts", &courts));
  struct CredentialCase {
    std::string what;
    v1::Credential::Role role;
    std::vector<std::string> agency_ids;
    std::string display_name;
    std::string path;
  };
  const CredentialCase cases[] = {
      {"no role", v1::Credential::ROLE_UNSPECIFIED, {"passports"}, "", "role"},
      {"AGENCY without agency", v1::Credential::AGENCY, {}, "", "agency_ids"},
      {"AGENCY with two agencies",
       v1::Credential::AGENCY,
       {"passports", "courts"},
       "",
       "agency_ids"},
      {"AUDITOR without agency", v1::Credential::AUDITOR, {}, "", "agency_ids"},
      {"CHANNEL with an agency", v1::Credential::CHANNEL, {"passports"}, "", "agency_ids"},
      {"display_name too long", v1::Credential::CHANNEL, {}, Bytes(101), "display_name"},
  };
  for (const CredentialCase& c : cases) {
    SCOPED_TRACE(c.what);
    v1::CreateCredentialRequest request;
    request.set_role(c.role);
    for (const std::string& id : c.agency_ids) request.add_agency_ids(id);
    request.set_display_name(c.display_name);
    v1::CreateCredentialResponse response;
    auto context = MakeContext(payd_.admin_key());
    const grpc::Status status = admin_->CreateCredential(context.get(), request, &response);
    EXPECT_TRUE(IsInvalidArgumentAt(status, c.path));
    EXPECT_TRUE(response.api_key().empty());
  }

  // "every agency must exist": the unknown id is a problem of the request's field, reported at
  // agency_ids[0] and naming the agency (NOT_FOUND naming it would be defensible too).
  v1::CreateCredentialRequest unknown;
  unknown.set_role(v1::Credential::AGENCY);
  unknown.add_agency_ids("no-such-agency");
  v1::CreateCredentialResponse response;
  auto context = MakeContext(payd_.admin_key());
  const grpc::Status status = admin_->CreateCredential(context.get(), unknown, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    EXPECT_TRUE(MentionsWord(status.error_message(), "no-such-agency")) << status.error_message();
  } else {
    EXPECT_TRUE(IsInvalidArgumentAt(status, "agency_ids[0]"));
    EXPECT_TRUE(MentionsWord(status.error_message(), "no-such-agency")) << status.error_message();
  }
  EXPECT_TRUE(response.api_key().empty());
}

TEST_F(ValidationTest, ReadAndListFields) {
  auto expect_invalid = [](const grpc::Status& status, const std::string& path) {
    EXPECT_TRUE(IsInvalidArgumentAt(status, path));
  };
  const std::string& key = passports_.agency_key;
  {
    v1::Fee fee;
    expect_invalid(GetFee(key, "", &fee), "fee_id");
    v1::CancelFeeRequest cancel;
    auto context = MakeContext(key);
    expect_invalid(fees_->CancelFee(context.get(), cancel, &fee), "fee_id");
  }
  {
    v1::Fee fee;
    ASSERT_NO_FATAL_FAILURE(IssueFee(key, 1250, &fee));
    v1::CancelFeeRequest cancel;
    cancel.set_fee_id(fee.fee_id());
    cancel.set_reason(Bytes(501));
    v1::Fee cancelled;
    auto context = MakeContext(key);
    expect_invalid(fees_->CancelFee(context.get(), cancel, &cancelled), "reason");
    v1::Fee after;
    ASSERT_TRUE(IsOk(GetFee(key, fee.fee_id(), &after)));
    EXPECT_EQ(after.state(), v1::Fee::UNPAID);
  }
  {
    v1::Payment payment;
    expect_invalid(GetPayment(key, "", &payment), "payment_id");
    v1::CancelPaymentRequest cancel;
    auto context = MakeContext(key);
    expect_invalid(payments_->CancelPayment(context.get(), cancel, &payment), "payment_id");
  }
  {
    v1::InquireBillResponse response;
    expect_invalid(InquireBill(passports_.channel_key, "", &response), "bill_number");
    expect_invalid(InquireBill(passports_.channel_key, "4821-0937-5561-22O8", &response),
                   "bill_number");
  }
  for (const int page_size : {-1, 1001}) {
    SCOPED_TRACE("page_size " + std::to_string(page_size));
    v1::ListFeesRequest fees_request;
    fees_request.set_page_size(page_size);
    v1::ListFeesResponse fees_response;
    auto fees_context = MakeContext(key);
    expect_invalid(fees_->ListFees(fees_context.get(), fees_request, &fees_response), "page_size");
    v1::ListPaymentsRequest payments_request;
    payments_request.set_page_size(page_size);
    v1::ListPaymentsResponse payments_response;
    auto payments_context = MakeContext(key);
    expect_invalid(
        payments_->ListPayments(payments_context.get(), payments_request, &payments_response),
        "page_size");
    v1::ListAgenciesRequest agencies_request;
    agencies_request.set_page_size(page_size);
    v1::ListAgenciesResponse agencies_response;
    auto agencies_context = MakeContext(payd_.admin_key());
    expect_invalid(
        admin_->ListAgencies(agencies_context.get(), agencies_request, &agencies_response),
        "page_size");
  }
  {
    v1::ListFeesRequest request;
    request.set_page_token("not-a-token");
    v1::ListFeesResponse response;
    auto context = MakeContext(key);
    expect_invalid(fees_->ListFees(context.get(), request, &response), "page_token");
  }
  {
    v1::RevokeCredentialRequest request;
    v1::Credential credential;
    auto context = MakeContext(payd_.admin_key());
    expect_invalid(admin_->RevokeCredential(context.get(), request, &credential), "credential_id");
  }
}

}  // namespace
}  // namespace pay::integration
