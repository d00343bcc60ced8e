// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Automatic retry and escalation of owed settlement transfers (docs/settlement.md): payd's
// maintenance resends a transfer the bank refused for a reason a resend may fix, with a backoff,
// and escalates it after --settlement-retry-max automatic retries; a reason a resend cannot fix
// (closed account, no treasury account) is escalated at once and retried by itself only once the
// treasury account was set again. Escalation is visible on the window, in the report and the
// ledger, and logged once.

#include <algorithm>

#include "settlement_fixture.h"

namespace pay::integration {
namespace {

class SettlementRetryTest : public SettlementTest {
 protected:
  // payd again with automatic retries every second, at most `max` of them.
  void RestartWithRetries(int max) {
    RestartWith(
        {"--settlement-retry-backoff-seconds", "1", "--settlement-retry-max", std::to_string(max)});
  }

  static int Occurrences(const std::string& text, const std::string& word) {
    int count = 0;
    for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
      ++count;
    }
    return count;
  }
};

TEST_F(SettlementRetryTest, ARefusalAResendMayFixIsRetriedByItselfThenEscalated) {
  RestartWithRetries(2);
  const std::string passports_iban = Treasury("revenue/passports", "SAR");
  const std::string courts_iban = Treasury("revenue/courts", "JOD");
  // Window 1: the bank declines the passports transfer once (AM04; nets in account order:
  // courts is STL1-1, passports STL1-2). payd resends it by itself, with new ids.
  const int64_t sar = Collect(passports_, 4100, "SAR", "p1");
  const int64_t jod = Collect(courts_, 900, "JOD", "c1");
  ASSERT_TRUE(bank_.InjectFault("STL1-2", "decline").ok());
  Window window;
  ASSERT_TRUE(IsOk(Close(0, &window)));
  window = AwaitWindow(1, [](const Window& w) { return w.state() == Window::SETTLED; });
  ASSERT_EQ(window.state(), Window::SETTLED) << window.DebugString();
  const Transfer* passports = TransferFor(window, "revenue/passports");
  ASSERT_NE(passports, nullptr);
  EXPECT_EQ(passports->automatic_retries(), 1);
  EXPECT_EQ(passports->end_to_end_id(), "STL1-2-2");
  EXPECT_EQ(passports->message_id(), "STL-1-2");
  EXPECT_FALSE(passports->escalated());
  EXPECT_EQ(BankBalance(passports_iban), sar);
  EXPECT_EQ(BankBalance(courts_iban), jod);
  Result<iso20022::sim::SimTransaction> declined = bank_.GetTransaction("STL1-2");
  ASSERT_TRUE(declined.ok()) << declined.status();
  EXPECT_EQ(declined->status, "RJCT");
  EXPECT_EQ(declined->times_debited, 0);
  EXPECT_EQ(CountEntries("STL1-2", "automatic retry 1 after AM04"), 1);

  // Window 2: declined every time. After two automatic retries it is escalated, once, and payd
  // stops resending it; an ADMIN's retry settles it.
  const int64_t more = Collect(passports_, 2300, "SAR", "p2");
  for (const char* id : {"STL2-1", "STL2-1-2", "STL2-1-3"}) {
    ASSERT_TRUE(bank_.InjectFault(id, "decline").ok());
  }
  ASSERT_TRUE(IsOk(Close(0, &window)));
  window = AwaitWindow(
      2, [](const Window& w) { return w.transfers_size() == 1 && w.transfers(0).escalated(); });
  ASSERT_EQ(window.transfers_size(), 1) << window.DebugString();
  const Transfer escalated = window.transfers(0);
  ASSERT_TRUE(escalated.escalated()) << window.DebugString();
  EXPECT_EQ(escalated.state(), Transfer::REJECTED);
  EXPECT_EQ(escalated.automatic_retries(), 2);
  EXPECT_EQ(escalated.reason().rfind("AM04", 0), 0u) << escalated.reason();
  EXPECT_NE(escalated.escalation_reason().find("after 2 automatic retries"), std::string::npos)
      << escalated.escalation_reason();
  EXPECT_TRUE(escalated.has_escalate_time());
  EXPECT_EQ(window.state(), Window::FAILED);
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));  // ticks: nothing more is sent
  window = Get(2);
  EXPECT_EQ(window.transfers(0).automatic_retries(), 2);
  EXPECT_EQ(window.transfers(0).state(), Transfer::REJECTED);
  EXPECT_FALSE(bank_.GetTransaction("STL2-1-4").ok());
  EXPECT_EQ(CountEntries("STL2-1", "ESCALATED: "), 1);
  EXPECT_EQ(Occurrences(payd_.ReadLog(), "STL2-1-3 of revenue/passports (2300 SAR) ESCALATED"), 1)
      << payd_.ReadLog();
  // The report shows it.
  v1::GetSettlementReportRequest report_request;
  report_request.set_window_number(2);
  v1::SettlementReport report;
  {
    auto context = MakeContext(auditor_key_, kCallTimeout);
    ASSERT_TRUE(IsOk(settlement_->GetSettlementReport(context.get(), report_request, &report)));
  }
  EXPECT_NE(report.csv().find(",REJECTED,0,AM04"), std::string::npos) << report.csv();
  EXPECT_NE(report.csv().find(",true,still refused (AM04"), std::string::npos) << report.csv();
  EXPECT_NE(report.json().find("\"escalated\":true"), std::string::npos);

  v1::RetrySettlementRequest retry;
  retry.set_window_number(2);
  auto context = MakeContext(payd_.admin_key(), std::chrono::seconds(30));
  ASSERT_TRUE(IsOk(settlement_->RetrySettlement(context.get(), retry, &window)));
  window = AwaitFinal(2);
  EXPECT_EQ(window.state(), Window::SETTLED) << window.DebugString();
  EXPECT_EQ(BankBalance(passports_iban), sar + more);
  EXPECT_EQ(Sum(Entries(), "settled/passports", "SAR"), sar + more);
}

TEST_F(SettlementRetryTest, ARefusalAResendCannotFixIsEscalatedAtOnceAndWaitsForTheTreasury) {
  RestartWithRetries(5);
  // The passports treasury account is closed at the bank (AC04); courts has none yet.
  const std::string passports_iban = Treasury("revenue/passports", "SAR");
  iso20022::sim::SimAccount closed_account;
  closed_account.iban = passports_iban;
  closed_account.name = "Treasury revenue/passports";
  closed_account.currency = "SAR";
  closed_account.closed = true;
  ASSERT_TRUE(bank_.CreateAccount(closed_account).ok());
  const int64_t sar = Collect(passports_, 6600, "SAR", "p1");
  const int64_t jod = Collect(courts_, 3210, "JOD", "c1");
  Window window;
  ASSERT_TRUE(IsOk(Close(0, &window)));
  window = AwaitWindow(1, [](const Window& w) {
    return w.transfers_size() == 2 && w.transfers(0).escalated() && w.transfers(1).escalated();
  });
  ASSERT_EQ(window.state(), Window::FAILED) << window.DebugString();
  const Transfer* courts = TransferFor(window, "revenue/courts");
  const Transfer* passports = TransferFor(window, "revenue/passports");
  ASSERT_NE(courts, nullptr);
  ASSERT_NE(passports, nullptr);
  EXPECT_TRUE(courts->escalated());
  EXPECT_EQ(courts->reason().rfind("NO_TREASURY_ACCOUNT", 0), 0u);
  EXPECT_EQ(courts->escalation_reason().rfind("NO_TREASURY_ACCOUNT cannot be fixed", 0), 0u)
      << courts->escalation_reason();
  EXPECT_TRUE(passports->escalated());
  EXPECT_EQ(passports->reason().rfind("AC04", 0), 0u);
  EXPECT_EQ(passports->escalation_reason().rfind("AC04 cannot be fixed by resending", 0), 0u)
      << passports->escalation_reason();
  // Not resent while nothing changed, even after the bank reopened the account.
  closed_account.closed = false;
  ASSERT_TRUE(bank_.CreateAccount(closed_account).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  window = Get(1);
  EXPECT_EQ(TransferFor(window, "revenue/passports")->automatic_retries(), 0);
  EXPECT_EQ(TransferFor(window, "revenue/passports")->state(), Transfer::REJECTED);
  EXPECT_EQ(window.attempts(), 1);
  EXPECT_EQ(CountEntries("STL1-1", "ESCALATED: "), 1);
  EXPECT_EQ(CountEntries("STL1-2", "ESCALATED: "), 1);
  const std::string log = payd_.ReadLog();
  EXPECT_EQ(Occurrences(log, "of revenue/passports (6600 SAR) ESCALATED: AC04"), 1) << log;
  EXPECT_EQ(Occurrences(log, "of revenue/courts (3210 JOD) ESCALATED: NO_TREASURY_ACCOUNT"), 1)
      << log;

  // The ADMIN sets the courts' treasury, and sets the passports' one again (the bank reopened
  // it): payd retries both by itself on its next tick.
  const std::string courts_iban = Treasury("revenue/courts", "JOD");
  v1::SetTreasuryAccountRequest again;
  again.mutable_treasury_account()->set_account("revenue/passports");
  again.mutable_treasury_account()->set_iban(passports_iban);
  again.mutable_treasury_account()->set_name("Treasury revenue/passports");
  v1::TreasuryAccount stored;
  auto context = MakeContext(payd_.admin_key(), kCallTimeout);
  ASSERT_TRUE(IsOk(settlement_->SetTreasuryAccount(context.get(), again, &stored)));
  window = AwaitWindow(1, [](const Window& w) { return w.state() == Window::SETTLED; });
  ASSERT_EQ(window.state(), Window::SETTLED) << window.DebugString();
  for (const Transfer& transfer : window.transfers()) {
    EXPECT_EQ(transfer.automatic_retries(), 1) << transfer.DebugString();
    EXPECT_TRUE(transfer.escalated());  // history: it needed a person
  }
  EXPECT_EQ(BankBalance(passports_iban), sar);
  EXPECT_EQ(BankBalance(courts_iban), jod);
  std::vector<v1::LedgerEntry> entries = Entries();
  EXPECT_EQ(Sum(entries, "settled/passports", "SAR"), sar);
  EXPECT_EQ(Sum(entries, "settled/courts", "JOD"), jod);
}

}  // namespace
}  // namespace pay::integration
