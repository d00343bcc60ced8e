// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// A directorate's day in one settlement window, as issue 7 asks: payments recorded by a bank
// channel and paid through the SANDBOX connector, partial refunds, two currencies, and a fee type
// whose revenue is split (a fixed stamp duty and a basis-point share). Closing the window must
// credit every treasury account at bank-sim with its exact net (collections minus refunds), the
// signed report must equal a recomputation from the exported ledger, and bank-sim must have
// found every pain.001 valid against the ISO 20022 schemas.

#include <sodium.h>

#include <map>
#include <sstream>

#include "settlement_fixture.h"

namespace pay::integration {
namespace {

class SettlementDayTest : public SettlementTest {
 protected:
  void SetUp() override {
    SettlementTest::SetUp();
    if (HasFatalFailure()) return;
    // Refunds up to these amounts need no second approver.
    for (const auto& [agency, currency] :
         {std::pair{std::string("passports"), "SAR"}, {std::string("courts"), "JOD"}}) {
      v1::SetRefundPolicyRequest request;
      request.mutable_policy()->set_agency_id(agency);
      v1::Money* threshold = request.mutable_policy()->add_approval_thresholds();
      threshold->set_currency(currency);
      threshold->set_minor_units(1'000'000);
      v1::RefundPolicy policy;
      auto context = MakeContext(payd_.admin_key(), kCallTimeout);
      ASSERT_TRUE(IsOk(admin_->SetRefundPolicy(context.get(), request, &policy)));
    }
  }

  // A SUCCEEDED SANDBOX payment of `fee`.
  v1::Payment PayBySandbox(const AgencyKeys& agency, const v1::Fee& fee, const std::string& key) {
    v1::Payment payment;
    Pay(agency.agency_key, fee.bill_number(), key, &payment);
    EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED) << payment.DebugString();
    return payment;
  }

  // A channel's payment of the whole of `fee`.
  void PayByChannel(const AgencyKeys& agency, const v1::Fee& fee, const std::string& key) {
    v1::RecordChannelPaymentRequest request;
    request.set_bill_number(fee.bill_number());
    *request.mutable_amount() = fee.amount();
    request.set_method(v1::BANK_TRANSFER);
    request.set_channel_reference("BRANCH-" + key);
    request.set_idempotency_key(key);
    v1::Payment payment;
    auto context = MakeContext(agency.channel_key, kCallTimeout);
    ASSERT_TRUE(IsOk(payments_->RecordChannelPayment(context.get(), request, &payment)));
    EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED);
  }

  void RefundPart(const AgencyKeys& agency, const v1::Payment& payment, int64_t minor_units,
                  const std::string& key) {
    v1::RefundPaymentRequest request;
    request.set_payment_id(payment.payment_id());
    request.mutable_amount()->set_currency(payment.amount().currency());
    request.mutable_amount()->set_minor_units(minor_units);
    request.set_reason_code(v1::Refund::OVERPAYMENT);
    request.set_reason("paid too much");
    request.set_idempotency_key(key);
    v1::Refund refund;
    auto context = MakeContext(agency.agency_key, std::chrono::seconds(30));
    ASSERT_TRUE(IsOk(payments_->RefundPayment(context.get(), request, &refund)));
    EXPECT_EQ(refund.state(), v1::Refund::SUCCEEDED) << refund.DebugString();
  }

  static std::vector<std::string> Split(const std::string& text, const std::string& separator) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t at = text.find(separator); at != std::string::npos;
         at = text.find(separator, start)) {
      parts.push_back(text.substr(start, at - start));
      start = at + separator.size();
    }
    parts.push_back(text.substr(start));
    return parts;
  }
};

TEST_F(SettlementDayTest, PaymentsRefundsAndASplitFeeTypeInTwoCurrenciesSettleExactly) {
  // Passport renewal: 200.00 SAR of which 10.00 stamp duty, then 25% of the rest to the
  // province. Split(20000): stamp 1000, province floor(19000 * 0.25) = 4750, passports 14250.
  v1::DefineFeeTypeRequest type;
  type.set_code("RENEWAL");
  type.mutable_name()->set_en("Passport renewal");
  type.mutable_name()->set_ar("تجديد جواز السفر");
  type.mutable_amount()->set_currency("SAR");
  type.mutable_amount()->set_minor_units(20000);
  v1::RevenueShare* stamp = type.mutable_terms()->add_revenue_shares();
  stamp->set_label("stamp");
  stamp->mutable_fixed()->set_currency("SAR");
  stamp->mutable_fixed()->set_minor_units(1000);
  v1::RevenueShare* province = type.mutable_terms()->add_revenue_shares();
  province->set_label("province");
  province->set_basis_points(2500);
  {
    v1::FeeType defined;
    auto context = MakeContext(passports_.agency_key, kCallTimeout);
    ASSERT_TRUE(IsOk(fees_->DefineFeeType(context.get(), type, &defined)));
  }
  const std::map<std::pair<std::string, std::string>, std::string> treasuries = {
      {{"revenue/passports", "SAR"}, Treasury("revenue/passports", "SAR")},
      {{"revenue/passports/stamp", "SAR"}, Treasury("revenue/passports/stamp", "SAR")},
      {{"revenue/passports/province", "SAR"}, Treasury("revenue/passports/province", "SAR")},
      {{"revenue/courts", "JOD"}, Treasury("revenue/courts", "JOD")}};

  auto typed_fee = [&](const std::string& reference) {
    v1::CreateFeeRequest request = FeeRequest(1);
    request.clear_amount();
    request.set_fee_type_code("RENEWAL");
    request.set_payer_reference(reference);
    v1::Fee fee;
    EXPECT_TRUE(IsOk(TryCreateFee(passports_.agency_key, request, &fee)));
    return fee;
  };
  auto plain_fee = [&](const AgencyKeys& agency, int64_t minor_units, const std::string& currency) {
    v1::Fee fee;
    EXPECT_TRUE(IsOk(TryCreateFee(agency.agency_key, FeeRequest(minor_units, currency), &fee)));
    return fee;
  };
  // SAR: a renewal at a bank branch, a renewal online refunded 80.00 (shares in proportion:
  // passports 5700, stamp 400, province 1900), and a plain 123.45 fee at a branch.
  PayByChannel(passports_, typed_fee("citizen-1"), "branch-renewal");
  const v1::Payment online = PayBySandbox(passports_, typed_fee("citizen-2"), "online-renewal");
  RefundPart(passports_, online, 8000, "refund-renewal");
  PayByChannel(passports_, plain_fee(passports_, 12345, "SAR"), "branch-plain");
  // JOD: a court fee online refunded 1.005 JOD, another at a branch.
  const v1::Payment court = PayBySandbox(courts_, plain_fee(courts_, 5005, "JOD"), "online-court");
  RefundPart(courts_, court, 1005, "refund-court");
  PayByChannel(courts_, plain_fee(courts_, 1250, "JOD"), "branch-court");
  if (HasFailure()) return;

  // What each treasury is owed, computed by hand: collections, refunds.
  const std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> expected = {
      {{"revenue/passports", "SAR"}, {14250 + 14250 + 12345, 5700}},
      {{"revenue/passports/stamp", "SAR"}, {2000, 400}},
      {{"revenue/passports/province", "SAR"}, {9500, 1900}},
      {{"revenue/courts", "JOD"}, {5005 + 1250, 1005}}};

  Window closed;
  ASSERT_TRUE(IsOk(Close(0, &closed)));
  const Window window = AwaitFinal(1);
  ASSERT_EQ(window.state(), Window::SETTLED) << window.DebugString();
  ASSERT_EQ(window.nets_size(), 4) << window.DebugString();
  ASSERT_EQ(window.transfers_size(), 4) << window.DebugString();
  for (const v1::SettlementNet& net : window.nets()) {
    SCOPED_TRACE(net.account() + " " + net.currency());
    const auto owed = expected.find({net.account(), net.currency()});
    ASSERT_NE(owed, expected.end());
    EXPECT_EQ(net.collected_minor(), owed->second.first);
    EXPECT_EQ(net.refunded_minor(), owed->second.second);
    EXPECT_EQ(net.net_minor(), owed->second.first - owed->second.second);
  }
  for (const Transfer& transfer : window.transfers()) {
    SCOPED_TRACE(transfer.account());
    EXPECT_EQ(transfer.state(), Transfer::ACCEPTED);
    const auto owed = expected.find({transfer.account(), transfer.amount().currency()});
    ASSERT_NE(owed, expected.end());
    EXPECT_EQ(transfer.amount().minor_units(), owed->second.first - owed->second.second);
    EXPECT_EQ(transfer.iban(), treasuries.at({transfer.account(), transfer.amount().currency()}));
  }
  // The bank: every treasury account credited its exact net, once; the collection account
  // debited the total per currency; every pain.001 valid against the ISO 20022 schemas.
  for (const auto& [key, iban] : treasuries) {
    SCOPED_TRACE(key.first);
    const auto& [collected, refunded] = expected.at(key);
    EXPECT_EQ(BankBalance(iban), collected - refunded);
  }
  Result<iso20022::sim::SimStats> stats = bank_.GetStats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_GE(stats->messages_received, 1);
  EXPECT_EQ(stats->invalid_messages_received, 0);
  EXPECT_EQ(stats->invalid_messages_sent, 0);

  // The signed report, checked against the ledger as an auditor would: each line's collected
  // and refunded amounts recomputed from the window's range of the exported ledger, and each
  // settled amount from the settled/<...> postings of its transfer.
  v1::GetSettlementReportRequest report_request;
  report_request.set_window_number(1);
  v1::SettlementReport report;
  {
    auto context = MakeContext(auditor_key_, kCallTimeout);
    ASSERT_TRUE(IsOk(settlement_->GetSettlementReport(context.get(), report_request, &report)));
  }
  ASSERT_EQ(report.public_key().size(), crypto_sign_PUBLICKEYBYTES);
  for (const auto& [body, signature] : {std::pair{report.csv(), report.csv_signature()},
                                        {report.json(), report.json_signature()}}) {
    ASSERT_EQ(signature.size(), crypto_sign_BYTES);
    EXPECT_EQ(crypto_sign_verify_detached(
                  reinterpret_cast<const unsigned char*>(signature.data()),
                  reinterpret_cast<const unsigned char*>(body.data()), body.size(),
                  reinterpret_cast<const unsigned char*>(report.public_key().data())),
              0);
  }
  const std::vector<v1::LedgerEntry> entries = Entries();
  std::map<std::pair<std::string, std::string>, std::pair<int64_t, int64_t>> recomputed;
  std::map<std::pair<std::string, std::string>, int64_t> settled;
  for (const v1::LedgerEntry& entry : entries) {
    int64_t balance = 0;
    for (const v1::Posting& posting : entry.postings()) {
      balance += posting.amount().minor_units();
      const std::string& account = posting.account();
      const int64_t amount = posting.amount().minor_units();
      const std::string currency = posting.amount().currency();
      if (account.rfind("revenue/", 0) == 0 && entry.sequence() >= window.first_sequence() &&
          entry.sequence() < window.close_sequence()) {
        auto& [collected, refunded] = recomputed[{account, currency}];
        (amount < 0 ? collected : refunded) += amount < 0 ? -amount : amount;
      }
      if (account.rfind("settled/", 0) == 0) {
        settled[{"revenue/" + account.substr(8), currency}] += amount;
      }
    }
    EXPECT_EQ(balance, 0) << entry.DebugString();
  }
  EXPECT_EQ(recomputed, expected);
  std::vector<std::string> lines = Split(report.csv(), "\r\n");
  ASSERT_EQ(lines.back(), "");  // the body ends with CRLF
  lines.pop_back();
  ASSERT_EQ(lines.size(), 5u) << report.csv();
  EXPECT_EQ(lines[0],
            "window,window_state,first_sequence,close_sequence,agency_id,account,currency,"
            "collected_minor,refunded_minor,net_minor,end_to_end_id,treasury_iban,"
            "transfer_state,settled_minor,reason,escalated,escalation_reason,confirmation,"
            "statement_reference");
  int64_t settled_total = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    const std::vector<std::string> field = Split(lines[i], ",");
    ASSERT_EQ(field.size(), 19u);
    EXPECT_EQ(field[0], "1");
    EXPECT_EQ(field[1], "SETTLED");
    EXPECT_EQ(field[2], std::to_string(window.first_sequence()));
    EXPECT_EQ(field[3], std::to_string(window.close_sequence()));
    const std::pair<std::string, std::string> key{field[5], field[6]};
    ASSERT_EQ(recomputed.count(key), 1u);
    const auto& [collected, refunded] = recomputed.at(key);
    EXPECT_EQ(field[4], field[5].substr(8, field[5].find('/', 8) - 8));
    EXPECT_EQ(field[7], std::to_string(collected));
    EXPECT_EQ(field[8], std::to_string(refunded));
    EXPECT_EQ(field[9], std::to_string(collected - refunded));
    EXPECT_EQ(field[11], treasuries.at(key));
    EXPECT_EQ(field[12], "ACCEPTED");
    EXPECT_EQ(field[13], std::to_string(settled[key]));
    EXPECT_EQ(field[13], field[9]);
    EXPECT_EQ(field[15], "false");
    EXPECT_EQ(BankBalance(field[11]), settled[key]);
    settled_total += settled[key];
  }
  // The JSON body carries the same amounts.
  for (const auto& [key, amounts] : expected) {
    EXPECT_NE(
        report.json().find("\"account\":\"" + key.first + "\",\"currency\":\"" + key.second +
                           "\",\"collected_minor\":" + std::to_string(amounts.first) +
                           ",\"refunded_minor\":" + std::to_string(amounts.second) +
                           ",\"net_minor\":" + std::to_string(amounts.first - amounts.second)),
        std::string::npos)
        << report.json();
  }
  EXPECT_EQ(settled_total, 35145 + 1600 + 7600 + 5250);
}

}  // namespace
}  // namespace pay::integration
