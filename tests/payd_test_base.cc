// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "payd_test_base.h"

#include <cctype>

namespace pay::integration {
namespace {

// H. Michael Damm's quasigroup of order 10, as published. Kept here rather than taken from libpay
// so that a wrong table in libpay cannot make these tests agree with it.
constexpr int kDammTable[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3}, {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6}, {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7}, {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

int DammInterim(const std::string& digits) {
  int interim = 0;
  for (const char c : digits) interim = kDammTable[interim][c - '0'];
  return interim;
}

bool AllDigits(const std::string& text) {
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsWordCharacter(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

bool MentionsWord(const std::string& text, const std::string& word) {
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const size_t end = at + word.size();
    const bool starts_word = at == 0 || !IsWordCharacter(text[at - 1]);
    const bool ends_word = end == text.size() || !IsWordCharacter(text[end]);
    if (starts_word && ends_word) return true;
  }
  return false;
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "code " + std::to_string(static_cast<int>(code));
  }
}

::testing::AssertionResult IsOk(const grpc::Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected OK, got " << StatusCodeName(status.error_code())
                                       << ": \"" << status.error_message() << "\"";
}

::testing::AssertionResult HasCode(const grpc::Status& status, grpc::StatusCode code) {
  if (status.error_code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << StatusCodeName(code) << ", got " << StatusCodeName(status.error_code())
         << ": \"" << status.error_message() << "\"";
}

::testing::AssertionResult HasCodeAndMention(const grpc::Status& status, grpc::StatusCode code,
                                             const std::string& text) {
  ::testing::AssertionResult result = HasCode(status, code);
  if (!result) return result;
  if (MentionsWord(status.error_message(), text)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << StatusCodeName(code) << " as expected, but the message \"" << status.error_message()
         << "\" does not mention \"" << text << "\"";
}

::testing::AssertionResult IsInvalidArgumentAt(const grpc::Status& status,
                                               const std::string& path) {
  ::testing::AssertionResult result = HasCode(status, grpc::StatusCode::INVALID_ARGUMENT);
  if (!result) return result << " (field " << path << ")";
  const std::string& message = status.error_message();
  bool at_path = message.compare(0, path.size(), path) == 0;
  if (at_path && message.size() > path.size()) {
    const char next = message[path.size()];
    at_path = !(std::isalnum(static_cast<unsigned char>(next)) || next == '_' || next == '.' ||
                next == '[');
  }
  if (at_path) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "INVALID_ARGUMENT as expected, but the message \"" << message
         << "\" does not start with the field path \"" << path << "\"";
}

bool IsValidBillNumber(const std::string& number) {
  return number.size() == 16 && AllDigits(number) && DammInterim(number) == 0;
}

std::string WithDammCheckDigit(const std::string& digits) {
  return digits + static_cast<char>('0' + DammInterim(digits));
}

std::string OtherValidBillNumber(const std::string& existing) {
  std::string digits = existing.substr(0, 15);
  digits[0] = digits[0] == '9' ? '1' : static_cast<char>(digits[0] + 1);
  return WithDammCheckDigit(digits);
}

std::string WithWrongCheckDigit(const std::string& number) {
  std::string wrong = number;
  wrong.back() = static_cast<char>('0' + (wrong.back() - '0' + 1) % 10);
  return wrong;
}

std::string GroupsOfFour(const std::string& number, char separator) {
  std::string out;
  for (size_t i = 0; i < number.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += separator;
    out += number[i];
  }
  return out;
}

bool HasIdShape(const std::string& id, const std::string& prefix, size_t hex_digits) {
  if (id.size() != prefix.size() + hex_digits || id.compare(0, prefix.size(), prefix) != 0) {
    return false;
  }
  for (size_t i = prefix.size(); i < id.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  return true;
}

::testing::AssertionResult CreateCredential(v1::AdminService::Stub& admin,
                                            const std::string& admin_key, v1::Credential::Role role,
                                            const std::vector<std::string>& agency_ids,
                                            v1::CreateCredentialResponse* response) {
  v1::CreateCredentialRequest request;
  request.set_role(role);
  for (const std::string& id : agency_ids) request.add_agency_ids(id);
  request.set_display_name("integration test " + v1::Credential::Role_Name(role));
  auto context = MakeContext(admin_key);
  const grpc::Status status = admin.CreateCredential(context.get(), request, response);
  if (!status.ok()) {
    return IsOk(status) << " from CreateCredential(" << v1::Credential::Role_Name(role) << ")";
  }
  if (response->api_key().empty() || response->credential().credential_id().empty()) {
    return ::testing::AssertionFailure()
           << "CreateCredential returned no key or id: " << response->DebugString();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult CreateAgencyWithKeys(v1::AdminService::Stub& admin,
                                                const std::string& admin_key,
                                                const std::string& agency_id, AgencyKeys* keys) {
  v1::CreateAgencyRequest request;
  request.set_agency_id(agency_id);
  request.mutable_name()->set_en("Agency " + agency_id);
  request.mutable_name()->set_ar("\xD9\x88\xD9\x83\xD8\xA7\xD9\x84\xD8\xA9 " +
                                 agency_id);  // "وكالة"
  v1::Agency agency;
  auto context = MakeContext(admin_key);
  const grpc::Status status = admin.CreateAgency(context.get(), request, &agency);
  if (!status.ok()) return IsOk(status) << " from CreateAgency(" << agency_id << ")";
  keys->agency_id = agency_id;
  keys->name = request.name();

  v1::CreateCredentialResponse agency_credential;
  ::testing::AssertionResult result =
      CreateCredential(admin, admin_key, v1::Credential::AGENCY, {agency_id}, &agency_credential);
  if (!result) return result;
  keys->agency_key = agency_credential.api_key();
  keys->agency_credential_id = agency_credential.credential().credential_id();

  v1::CreateCredentialResponse channel_credential;
  result = CreateCredential(admin, admin_key, v1::Credential::CHANNEL, {}, &channel_credential);
  if (!result) return result;
  keys->channel_key = channel_credential.api_key();
  keys->channel_credential_id = channel_credential.credential().credential_id();
  return ::testing::AssertionSuccess();
}

void PaydTest::SetUp() {
  ASSERT_TRUE(payd_.Init());
  ASSERT_TRUE(payd_.Start());
  Connect();
  ASSERT_TRUE(CreateAgencyWithKeys(*admin_, payd_.admin_key(), "passports", &passports_));
}

void PaydTest::Connect() {
  admin_ = v1::AdminService::NewStub(payd_.channel());
  fees_ = v1::FeeService::NewStub(payd_.channel());
  payments_ = v1::PaymentService::NewStub(payd_.channel());
}

void PaydTest::Restart() {
  ASSERT_EQ(payd_.Stop(), 0) << "payd did not exit cleanly after SIGTERM";
  ASSERT_TRUE(payd_.Start());
  Connect();
}

v1::CreateFeeRequest PaydTest::FeeRequest(int64_t minor_units, const std::string& currency) {
  v1::CreateFeeRequest request;
  request.mutable_amount()->set_currency(currency);
  request.mutable_amount()->set_minor_units(minor_units);
  request.mutable_description()->set_en("Passport renewal");
  request.mutable_description()->set_ar(
      "\xD8\xAA\xD8\xAC\xD8\xAF\xD9\x8A\xD8\xAF "
      "\xD8\xAC\xD9\x88\xD8\xA7\xD8\xB2");  // "تجديد جواز"
  request.set_payer_reference("file-4711");
  return request;
}

v1::CreatePaymentRequest PaydTest::PaymentRequest(const std::string& bill_number,
                                                  const std::string& idempotency_key) {
  v1::CreatePaymentRequest request;
  request.set_bill_number(bill_number);
  request.set_method(v1::SANDBOX);
  request.set_idempotency_key(idempotency_key);
  return request;
}

grpc::Status PaydTest::TryCreateFee(const std::string& key, const v1::CreateFeeRequest& request,
                                    v1::Fee* fee) {
  auto context = MakeContext(key, kCallTimeout);
  return fees_->CreateFee(context.get(), request, fee);
}

void PaydTest::IssueFee(const std::string& key, int64_t minor_units, v1::Fee* fee) {
  ASSERT_TRUE(IsOk(TryCreateFee(key, FeeRequest(minor_units), fee)));
  ASSERT_TRUE(IsValidBillNumber(fee->bill_number())) << fee->DebugString();
}

grpc::Status PaydTest::TryPay(const std::string& key, const v1::CreatePaymentRequest& request,
                              v1::Payment* payment) {
  auto context = MakeContext(key, kCallTimeout);
  return payments_->CreatePayment(context.get(), request, payment);
}

void PaydTest::Pay(const std::string& key, const std::string& bill_number,
                   const std::string& idempotency_key, v1::Payment* payment) {
  ASSERT_TRUE(IsOk(TryPay(key, PaymentRequest(bill_number, idempotency_key), payment)));
  ASSERT_FALSE(payment->payment_id().empty()) << payment->DebugString();
}

grpc::Status PaydTest::GetFee(const std::string& key, const std::string& fee_id, v1::Fee* fee) {
  v1::GetFeeRequest request;
  request.set_fee_id(fee_id);
  auto context = MakeContext(key, kCallTimeout);
  return fees_->GetFee(context.get(), request, fee);
}

grpc::Status PaydTest::GetPayment(const std::string& key, const std::string& payment_id,
                                  v1::Payment* payment) {
  v1::GetPaymentRequest request;
  request.set_payment_id(payment_id);
  auto context = MakeContext(key, kCallTimeout);
  return payments_->GetPayment(context.get(), request, payment);
}

grpc::Status PaydTest::InquireBill(const std::string& key, const std::string& bill_number,
                                   v1::InquireBillResponse* response) {
  v1::InquireBillRequest request;
  request.set_bill_number(bill_number);
  auto context = MakeContext(key, kCallTimeout);
  return fees_->InquireBill(context.get(), request, response);
}

void PaydTest::ListAllFees(const std::string& key, v1::ListFeesRequest request,
                           std::vector<v1::Fee>* out) {
  request.clear_page_token();
  for (int page = 0; page < kMaxPages; ++page) {
    v1::ListFeesResponse response;
    auto context = MakeContext(key, kCallTimeout);
    ASSERT_TRUE(IsOk(fees_->ListFees(context.get(), request, &response)));
    out->insert(out->end(), response.fees().begin(), response.fees().end());
    if (response.next_page_token().empty()) return;
    request.set_page_token(response.next_page_token());
  }
  FAIL() << "ListFees returned more than " << kMaxPages << " pages";
}

void PaydTest::ListAllPayments(const std::string& key, v1::ListPaymentsRequest request,
                               std::vector<v1::Payment>* out) {
  request.clear_page_token();
  for (int page = 0; page < kMaxPages; ++page) {
    v1::ListPaymentsResponse response;
    auto context = MakeContext(key, kCallTimeout);
    ASSERT_TRUE(IsOk(payments_->ListPayments(context.get(), request, &response)));
    out->insert(out->end(), response.payments().begin(), response.payments().end());
    if (response.next_page_token().empty()) return;
    request.set_page_token(response.next_page_token());
  }
  FAIL() << "ListPayments returned more than " << kMaxPages << " pages";
}

void PaydTest::PaymentsOfFee(const std::string& key, const std::string& fee_id,
                             std::vector<v1::Payment>* out) {
  v1::ListPaymentsRequest request;
  request.set_fee_id(fee_id);
  ListAllPayments(key, request, out);
}

}  // namespace pay::integration
