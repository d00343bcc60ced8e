// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Authentication, roles and agency isolation against the real payd.

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "payd_test_base.h"

namespace pay::integration {
namespace {

using ::google::protobuf::util::MessageDifferencer;

// `text` with every occurrence of `id` replaced by "<id>"; for a bill number, of its display form
// ("4821 0937 5561 2208") too.
std::string Placeholder(std::string text, const std::string& id) {
  std::vector<std::string> forms = {id};
  if (IsValidBillNumber(id)) forms.push_back(GroupsOfFour(id, ' '));
  for (const std::string& form : forms) {
    for (size_t at = text.find(form); at != std::string::npos; at = text.find(form, at)) {
      text.replace(at, form.size(), "<id>");
    }
  }
  return text;
}

// An id of the same shape as `id` that payd never issued: its last hex digit changed.
std::string SiblingId(const std::string& id) {
  std::string sibling = id;
  sibling.back() = sibling.back() == '0' ? '1' : '0';
  return sibling;
}

class AuthTest : public PaydTest {
 protected:
  // Expects `call(key)` to fail UNAUTHENTICATED on each of several services.
  void ExpectUnauthenticated(const std::string& key, const std::string& what) {
    SCOPED_TRACE(what);
    v1::Fee fee;
    EXPECT_TRUE(
        HasCode(TryCreateFee(key, FeeRequest(1250), &fee), grpc::StatusCode::UNAUTHENTICATED));
    EXPECT_TRUE(
        HasCode(GetFee(key, "fee_00000000000000000000", &fee), grpc::StatusCode::UNAUTHENTICATED));
    v1::Payment payment;
    EXPECT_TRUE(
        HasCode(TryPay(key, PaymentRequest(WithDammCheckDigit("482109375561220"), "k"), &payment),
                grpc::StatusCode::UNAUTHENTICATED));
    v1::ListAgenciesResponse agencies;
    auto context = MakeContext(key);
    EXPECT_TRUE(HasCode(admin_->ListAgencies(context.get(), v1::ListAgenciesRequest(), &agencies),
                        grpc::StatusCode::UNAUTHENTICATED));
  }

  grpc::Status Revoke(const std::string& key, const std::string& credential_id,
                      v1::Credential* credential) {
    v1::RevokeCredentialRequest request;
    request.set_credential_id(credential_id);
    auto context = MakeContext(key);
    return admin_->RevokeCredential(context.get(), request, credential);
  }
};

TEST_F(AuthTest, MissingOrUnknownKeysAreUnauthenticated) {
  ExpectUnauthenticated("", "no authorization metadata");
  ExpectUnauthenticated("garbage", "garbage key");
  ExpectUnauthenticated("payk_" + std::string(64, '0'), "well-formed unknown key");
  std::string altered = payd_.admin_key();
  altered.back() = altered.back() == 'a' ? 'b' : 'a';
  ExpectUnauthenticated(altered, "admin key with its last digit changed");

  // The right key under another scheme is not a bearer token.
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Basic " + payd_.admin_key());
  context.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
  v1::ListAgenciesResponse agencies;
  EXPECT_TRUE(HasCode(admin_->ListAgencies(&context, v1::ListAgenciesRequest(), &agencies),
                      grpc::StatusCode::UNAUTHENTICATED));
}

TEST_F(AuthTest, RevokedKeyIsUnauthenticatedAtOnce) {
  v1::CreateCredentialResponse extra;
  ASSERT_TRUE(
      CreateCredential(*admin_, payd_.admin_key(), v1::Credential::AGENCY, {"passports"}, &extra));
  EXPECT_TRUE(HasIdShape(extra.credential().credential_id(), "cred_", 16))
      << extra.credential().credential_id();
  EXPECT_TRUE(HasIdShape(extra.api_key(), "payk_", 64)) << "api_key shape";
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(extra.api_key(), 1250, &fee));

  v1::Credential revoked;
  ASSERT_TRUE(IsOk(Revoke(payd_.admin_key(), extra.credential().credential_id(), &revoked)));
  EXPECT_EQ(revoked.credential_id(), extra.credential().credential_id());
  EXPECT_TRUE(revoked.revoked());
  EXPECT_TRUE(revoked.has_revoke_time());
  ExpectUnauthenticated(extra.api_key(), "revoked key");

  // Revoking twice is not an error; the other key of the agency is unaffected.
  v1::Credential again;
  EXPECT_TRUE(IsOk(Revoke(payd_.admin_key(), extra.credential().credential_id(), &again)));
  EXPECT_TRUE(again.revoked());
  v1::Fee read;
  EXPECT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &read)));
}

TEST_F(AuthTest, CredentialCannotRevokeItself) {
  v1::CreateCredentialResponse second_admin;
  ASSERT_TRUE(
      CreateCredential(*admin_, payd_.admin_key(), v1::Credential::ADMIN, {}, &second_admin));
  v1::Credential credential;
  EXPECT_TRUE(HasCode(
      Revoke(second_admin.api_key(), second_admin.credential().credential_id(), &credential),
      grpc::StatusCode::FAILED_PRECONDITION));
  v1::ListAgenciesResponse agencies;
  auto context = MakeContext(second_admin.api_key());
  EXPECT_TRUE(IsOk(admin_->ListAgencies(context.get(), v1::ListAgenciesRequest(), &agencies)))
      << "the key must still work";
}

TEST_F(AuthTest, OnlyAdminKeysReachAdminService) {
  for (const std::string* key : {&passports_.agency_key, &passports_.channel_key}) {
    SCOPED_TRACE(*key == passports_.agency_key ? "AGENCY key" : "CHANNEL key");
    v1::ListAgenciesResponse agencies;
    auto list_context = MakeContext(*key);
    EXPECT_TRUE(HasCode(admin_->ListAgencies(list_context.get(), {}, &agencies),
                        grpc::StatusCode::PERMISSION_DENIED));
    v1::CreateAgencyRequest agency_request;
    agency_request.set_agency_id("rogue");
    agency_request.mutable_name()->set_en("Rogue");
    v1::Agency agency;
    auto agency_context = MakeContext(*key);
    EXPECT_TRUE(HasCode(admin_->CreateAgency(agency_context.get(), agency_request, &agency),
                        grpc::StatusCode::PERMISSION_DENIED));
    v1::CreateCredentialRequest credential_request;
    credential_request.set_role(v1::Credential::ADMIN);
    v1::CreateCredentialResponse credential;
    auto credential_context = MakeContext(*key);
    EXPECT_TRUE(
        HasCode(admin_->CreateCredential(credential_context.get(), credential_request, &credential),
                grpc::StatusCode::PERMISSION_DENIED));
    EXPECT_TRUE(credential.api_key().empty());
  }
  v1::ListAgenciesResponse agencies;
  auto context = MakeContext(payd_.admin_key());
  ASSERT_TRUE(IsOk(admin_->ListAgencies(context.get(), {}, &agencies)));
  ASSERT_EQ(agencies.agencies_size(), 1) << "a refused CreateAgency created an agency";
  EXPECT_EQ(agencies.agencies(0).agency_id(), "passports");
}

TEST_F(AuthTest, RolesThatMayNotIssueFees) {
  v1::CreateCredentialResponse auditor;
  ASSERT_TRUE(CreateCredential(*admin_, payd_.admin_key(), v1::Credential::AUDITOR, {"passports"},
                               &auditor));
  for (const std::string& key :
       {passports_.channel_key, auditor.api_key(), std::string(payd_.admin_key())}) {
    v1::Fee fee;
    EXPECT_TRUE(
        HasCode(TryCreateFee(key, FeeRequest(1250), &fee), grpc::StatusCode::PERMISSION_DENIED));
  }
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));

  // A CHANNEL cannot cancel or list fees.
  v1::CancelFeeRequest cancel;
  cancel.set_fee_id(fee.fee_id());
  v1::Fee cancelled;
  auto cancel_context = MakeContext(passports_.channel_key);
  EXPECT_TRUE(HasCode(fees_->CancelFee(cancel_context.get(), cancel, &cancelled),
                      grpc::StatusCode::PERMISSION_DENIED));
  v1::ListFeesResponse listed;
  auto list_context = MakeContext(passports_.channel_key);
  EXPECT_TRUE(HasCode(fees_->ListFees(list_context.get(), {}, &listed),
                      grpc::StatusCode::PERMISSION_DENIED));

  // An AUDITOR reads its granted agency's fees but does not pay.
  v1::Fee read;
  ASSERT_TRUE(IsOk(GetFee(auditor.api_key(), fee.fee_id(), &read)));
  EXPECT_TRUE(MessageDifferencer::Equals(read, fee)) << read.DebugString();
  v1::Payment payment;
  EXPECT_TRUE(
      HasCode(TryPay(auditor.api_key(), PaymentRequest(fee.bill_number(), "audit"), &payment),
              grpc::StatusCode::PERMISSION_DENIED));
  v1::Fee after;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &after)));
  EXPECT_EQ(after.state(), v1::Fee::UNPAID);
  std::vector<v1::Fee> all;
  ASSERT_NO_FATAL_FAILURE(ListAllFees(passports_.agency_key, {}, &all));
  EXPECT_EQ(all.size(), 1u) << "a refused CreateFee issued a fee";
}

TEST_F(AuthTest, OtherAgencysIdsAreNotFoundLikeUnknownIds) {
  AgencyKeys courts;
  ASSERT_TRUE(CreateAgencyWithKeys(*admin_, payd_.admin_key(), "courts", &courts));
  v1::Fee paid_fee;
  v1::Fee unpaid_fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &paid_fee));
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &unpaid_fee));
  v1::Payment payment;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, paid_fee.bill_number(), "a-1", &payment));

  // Each probe with courts' key: for passports' id and for an id nobody was issued.
  auto expect_same_not_found = [&](const std::string& what, const std::string& real_id,
                                   const std::string& fake_id, auto call) {
    SCOPED_TRACE(what);
    const grpc::Status real = call(real_id);
    const grpc::Status fake = call(fake_id);
    EXPECT_TRUE(HasCode(real, grpc::StatusCode::NOT_FOUND));
    EXPECT_TRUE(HasCode(fake, grpc::StatusCode::NOT_FOUND));
    EXPECT_EQ(Placeholder(real.error_message(), real_id),
              Placeholder(fake.error_message(), fake_id))
        << "the message must not tell another agency's id from an unknown one";
  };
  expect_same_not_found("GetFee", paid_fee.fee_id(), SiblingId(paid_fee.fee_id()),
                        [&](const std::string& id) {
                          v1::Fee fee;
                          return GetFee(courts.agency_key, id, &fee);
                        });
  expect_same_not_found("CancelFee", unpaid_fee.fee_id(), SiblingId(unpaid_fee.fee_id()),
                        [&](const std::string& id) {
                          v1::CancelFeeRequest request;
                          request.set_fee_id(id);
                          v1::Fee fee;
                          auto context = MakeContext(courts.agency_key);
                          return fees_->CancelFee(context.get(), request, &fee);
                        });
  expect_same_not_found("GetPayment", payment.payment_id(), SiblingId(payment.payment_id()),
                        [&](const std::string& id) {
                          v1::Payment read;
                          return GetPayment(courts.agency_key, id, &read);
                        });
  expect_same_not_found("CancelPayment", payment.payment_id(), SiblingId(payment.payment_id()),
                        [&](const std::string& id) {
                          v1::CancelPaymentRequest request;
                          request.set_payment_id(id);
                          v1::Payment cancelled;
                          auto context = MakeContext(courts.agency_key);
                          return payments_->CancelPayment(context.get(), request, &cancelled);
                        });
  // An AGENCY pays and inquires its own bills only.
  const std::string& bill = unpaid_fee.bill_number();
  expect_same_not_found(
      "CreatePayment", bill, OtherValidBillNumber(bill), [&](const std::string& number) {
        v1::Payment created;
        return TryPay(courts.agency_key, PaymentRequest(number, "pay-" + number), &created);
      });
  expect_same_not_found("InquireBill", bill, OtherValidBillNumber(bill),
                        [&](const std::string& number) {
                          v1::InquireBillResponse response;
                          return InquireBill(courts.agency_key, number, &response);
                        });

  v1::Fee after;
  ASSERT_TRUE(IsOk(GetFee(passports_.agency_key, unpaid_fee.fee_id(), &after)));
  EXPECT_EQ(after.state(), v1::Fee::UNPAID) << "courts must not cancel or pay passports' fee";
}

TEST_F(AuthTest, ListsShowOnlyTheCallersAgency) {
  AgencyKeys courts;
  ASSERT_TRUE(CreateAgencyWithKeys(*admin_, payd_.admin_key(), "courts", &courts));
  std::set<std::string> passports_fees;
  std::set<std::string> passports_payments;
  for (int i = 0; i < 3; ++i) {
    v1::Fee fee;
    ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
    passports_fees.insert(fee.fee_id());
    if (i < 2) {
      v1::Payment payment;
      ASSERT_NO_FATAL_FAILURE(
          Pay(passports_.agency_key, fee.bill_number(), "p-" + std::to_string(i), &payment));
      passports_payments.insert(payment.payment_id());
    }
  }
  v1::Fee courts_fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(courts.agency_key, 900, &courts_fee));
  EXPECT_EQ(courts_fee.agency_id(), "courts");
  v1::Payment courts_payment;
  ASSERT_NO_FATAL_FAILURE(Pay(courts.agency_key, courts_fee.bill_number(), "p-0", &courts_payment));
  EXPECT_NE(courts_payment.payment_id(), *passports_payments.begin());

  std::vector<v1::Fee> fees;
  ASSERT_NO_FATAL_FAILURE(ListAllFees(courts.agency_key, {}, &fees));
  ASSERT_EQ(fees.size(), 1u);
  EXPECT_EQ(fees[0].fee_id(), courts_fee.fee_id());
  std::vector<v1::Payment> payments;
  ASSERT_NO_FATAL_FAILURE(ListAllPayments(courts.agency_key, {}, &payments));
  ASSERT_EQ(payments.size(), 1u);
  EXPECT_EQ(payments[0].payment_id(), courts_payment.payment_id());

  std::vector<v1::Fee> own_fees;
  ASSERT_NO_FATAL_FAILURE(ListAllFees(passports_.agency_key, {}, &own_fees));
  std::set<std::string> own_fee_ids;
  for (const v1::Fee& fee : own_fees) own_fee_ids.insert(fee.fee_id());
  EXPECT_EQ(own_fee_ids, passports_fees);
  std::vector<v1::Payment> own_payments;
  ASSERT_NO_FATAL_FAILURE(ListAllPayments(passports_.agency_key, {}, &own_payments));
  std::set<std::string> own_payment_ids;
  for (const v1::Payment& payment : own_payments) own_payment_ids.insert(payment.payment_id());
  EXPECT_EQ(own_payment_ids, passports_payments);

  // Asking for the other agency, or for its fee's payments, reveals nothing.
  v1::ListFeesRequest other_agency;
  other_agency.set_agency_id("passports");
  v1::ListFeesResponse other_fees;
  auto fees_context = MakeContext(courts.agency_key);
  const grpc::Status fees_status = fees_->ListFees(fees_context.get(), other_agency, &other_fees);
  for (const v1::Fee& fee : other_fees.fees()) EXPECT_NE(fee.agency_id(), "passports");
  if (fees_status.ok()) {
    EXPECT_EQ(other_fees.fees_size(), 0);
  }
  v1::ListPaymentsRequest other_fee;
  other_fee.set_fee_id(*passports_fees.begin());
  v1::ListPaymentsResponse other_payments;
  auto payments_context = MakeContext(courts.agency_key);
  (void)payments_->ListPayments(payments_context.get(), other_fee, &other_payments);
  EXPECT_EQ(other_payments.payments_size(), 0);
}

TEST_F(AuthTest, ChannelSeesOnlyPaymentsItInitiated) {
  v1::CreateCredentialResponse other_channel;
  ASSERT_TRUE(
      CreateCredential(*admin_, payd_.admin_key(), v1::Credential::CHANNEL, {}, &other_channel));
  v1::Fee agency_paid;
  v1::Fee channel_paid;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &agency_paid));
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &channel_paid));
  v1::Payment by_agency;
  v1::Payment by_channel;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, agency_paid.bill_number(), "a", &by_agency));
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.channel_key, channel_paid.bill_number(), "c", &by_channel));

  v1::Payment read;
  EXPECT_TRUE(IsOk(GetPayment(passports_.channel_key, by_channel.payment_id(), &read)));
  EXPECT_TRUE(HasCode(GetPayment(passports_.channel_key, by_agency.payment_id(), &read),
                      grpc::StatusCode::NOT_FOUND));
  EXPECT_TRUE(HasCode(GetPayment(other_channel.api_key(), by_channel.payment_id(), &read),
                      grpc::StatusCode::NOT_FOUND));
  // The agency sees both payments of its fees.
  EXPECT_TRUE(IsOk(GetPayment(passports_.agency_key, by_channel.payment_id(), &read)));
  EXPECT_EQ(read.initiated_by(), passports_.channel_credential_id);
}

TEST_F(AuthTest, AuditorReadsOnlyGrantedAgencies) {
  AgencyKeys courts;
  ASSERT_TRUE(CreateAgencyWithKeys(*admin_, payd_.admin_key(), "courts", &courts));
  v1::CreateCredentialResponse auditor;
  ASSERT_TRUE(CreateCredential(*admin_, payd_.admin_key(), v1::Credential::AUDITOR, {"passports"},
                               &auditor));
  v1::Fee passports_fee;
  v1::Fee courts_fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &passports_fee));
  ASSERT_NO_FATAL_FAILURE(IssueFee(courts.agency_key, 1250, &courts_fee));
  v1::Payment passports_payment;
  v1::Payment courts_payment;
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.agency_key, passports_fee.bill_number(), "x", &passports_payment));
  ASSERT_NO_FATAL_FAILURE(Pay(courts.agency_key, courts_fee.bill_number(), "x", &courts_payment));

  v1::Fee fee;
  EXPECT_TRUE(IsOk(GetFee(auditor.api_key(), passports_fee.fee_id(), &fee)));
  EXPECT_TRUE(
      HasCode(GetFee(auditor.api_key(), courts_fee.fee_id(), &fee), grpc::StatusCode::NOT_FOUND));
  v1::Payment payment;
  EXPECT_TRUE(IsOk(GetPayment(auditor.api_key(), passports_payment.payment_id(), &payment)));
  EXPECT_TRUE(HasCode(GetPayment(auditor.api_key(), courts_payment.payment_id(), &payment),
                      grpc::StatusCode::NOT_FOUND));
}

}  // namespace
}  // namespace pay::integration
