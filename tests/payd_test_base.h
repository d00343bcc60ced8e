// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Shared pieces of the payd integration tests: status assertions, credential set-up over
// AdminService, and PaydTest, a fixture that starts a fresh payd with one agency per test.

#ifndef PAY_TESTS_PAYD_TEST_BASE_H_
#define PAY_TESTS_PAYD_TEST_BASE_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pay/v1/admin_service.grpc.pb.h"
#include "pay/v1/fee_service.grpc.pb.h"
#include "pay/v1/payment_service.grpc.pb.h"
#include "payd_process.h"

namespace pay::integration {

namespace v1 = ::pay::v1;

// "INVALID_ARGUMENT" etc., for failure messages.
std::string StatusCodeName(grpc::StatusCode code);

// Succeeds when `status` is OK; otherwise the failure shows its code and message.
::testing::AssertionResult IsOk(const grpc::Status& status);
// Succeeds when `status` has `code`.
::testing::AssertionResult HasCode(const grpc::Status& status, grpc::StatusCode code);
// True when `word` occurs in `text` not as part of a longer word: "PAID" is mentioned by "fee is
// PAID" but not by "fee is UNPAID"; letters, digits and '_' make up words.
bool MentionsWord(const std::string& text, const std::string& word);
// Succeeds when `status` has `code` and its message mentions `text` (see MentionsWord).
::testing::AssertionResult HasCodeAndMention(const grpc::Status& status, grpc::StatusCode code,
                                             const std::string& text);
// Succeeds when `status` is INVALID_ARGUMENT and its message starts with the field path `path`,
// followed by the end of the message or a character that cannot continue a path (so "amount"
// does not match "amount.currency: ...").
::testing::AssertionResult IsInvalidArgumentAt(const grpc::Status& status, const std::string& path);

// True when `number` is 16 decimal digits whose Damm check (computed here, independently of
// libpay) holds.
bool IsValidBillNumber(const std::string& number);
// `digits` (decimal) followed by its Damm check digit.
std::string WithDammCheckDigit(const std::string& digits);
// A syntactically valid bill number that is not `existing`: its first digit changed, check digit
// recomputed.
std::string OtherValidBillNumber(const std::string& existing);
// `number` with its last digit changed: Damm catches every single-digit error.
std::string WithWrongCheckDigit(const std::string& number);
// "4821 0937 5561 2208" from "4821093755612208".
std::string GroupsOfFour(const std::string& number, char separator);
// True when `id` is `prefix` followed by exactly `hex_digits` lower- or upper-case hex digits.
bool HasIdShape(const std::string& id, const std::string& prefix, size_t hex_digits);

// Keys of one agency, as tests need them.
struct AgencyKeys {
  std::string agency_id;
  v1::LocalizedText name;
  std::string agency_key;
  std::string agency_credential_id;
  std::string channel_key;
  std::string channel_credential_id;
};

// Creates a credential through AdminService with the ADMIN key.
::testing::AssertionResult CreateCredential(v1::AdminService::Stub& admin,
                                            const std::string& admin_key, v1::Credential::Role role,
                                            const std::vector<std::string>& agency_ids,
                                            v1::CreateCredentialResponse* response);

// Creates agency `agency_id`, an AGENCY key for it and a CHANNEL key, in one call.
::testing::AssertionResult CreateAgencyWithKeys(v1::AdminService::Stub& admin,
                                                const std::string& admin_key,
                                                const std::string& agency_id, AgencyKeys* keys);

// A fresh payd (Init + Start) per test, stubs on its channel and agency "passports" with an AGENCY
// and a CHANNEL key.
class PaydTest : public ::testing::Test {
 protected:
  // Deadline of ordinary calls; concurrent tests use longer ones.
  static constexpr std::chrono::seconds kCallTimeout{10};

  void SetUp() override;

  // (Re)creates the stubs on payd_.channel(); call after payd_.Start().
  void Connect();
  // Stops payd with SIGTERM (expecting exit code 0) and starts it again over the same data.
  void Restart();

  // A CreateFeeRequest for `minor_units` of `currency` with both descriptions set.
  static v1::CreateFeeRequest FeeRequest(int64_t minor_units, const std::string& currency = "SAR");
  // A SANDBOX CreatePaymentRequest.
  static v1::CreatePaymentRequest PaymentRequest(const std::string& bill_number,
                                                 const std::string& idempotency_key);

  // Issues a fee with `key`, asserting success.
  void IssueFee(const std::string& key, int64_t minor_units, v1::Fee* fee);
  grpc::Status TryCreateFee(const std::string& key, const v1::CreateFeeRequest& request,
                            v1::Fee* fee);
  grpc::Status TryPay(const std::string& key, const v1::CreatePaymentRequest& request,
                      v1::Payment* payment);
  // Pays `bill_number` through SANDBOX with `key`, asserting an OK status (any payment state).
  void Pay(const std::string& key, const std::string& bill_number,
           const std::string& idempotency_key, v1::Payment* payment);
  grpc::Status GetFee(const std::string& key, const std::string& fee_id, v1::Fee* fee);
  grpc::Status GetPayment(const std::string& key, const std::string& payment_id,
                          v1::Payment* payment);
  grpc::Status InquireBill(const std::string& key, const std::string& bill_number,
                           v1::InquireBillResponse* response);

  // Every page of ListFees / ListPayments for `request` (its page_token is ignored), at most
  // kMaxPages pages, asserting that each call succeeds.
  static constexpr int kMaxPages = 100;
  void ListAllFees(const std::string& key, v1::ListFeesRequest request, std::vector<v1::Fee>* out);
  void ListAllPayments(const std::string& key, v1::ListPaymentsRequest request,
                       std::vector<v1::Payment>* out);
  // Payments of `fee_id` visible to `key`.
  void PaymentsOfFee(const std::string& key, const std::string& fee_id,
                     std::vector<v1::Payment>* out);

  PaydProcess payd_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::FeeService::Stub> fees_;
  std::unique_ptr<v1::PaymentService::Stub> payments_;
  AgencyKeys passports_;
};

}  // namespace pay::integration

#endif  // PAY_TESTS_PAYD_TEST_BASE_H_
