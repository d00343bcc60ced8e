// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Confirmation of settlement transfers against the collection account's camt.053
// (docs/settlement.md "Confirmation against the statement"): payd's settlement thread fetches
// bank-sim's statement over the network, confirms each ACCEPTED transfer booked with its amount,
// and records a DISCREPANCY, once, for one booked with another amount (bank-sim's "misbook"
// fault) or missing from the statement after the grace period ("unbooked"). And the bank's
// pushed pacs.002 settles a transfer without waiting for the answer to its pain.001.

#include <algorithm>

#include "settlement_fixture.h"

namespace pay::integration {
namespace {

constexpr int kGraceSeconds = 4;

class SettlementConfirmTest : public SettlementTest {
 protected:
  int CountDiscrepancies(const std::string& subject, const std::string& kind) {
    const std::vector<v1::LedgerEntry> entries = Entries();
    return static_cast<int>(std::count_if(entries.begin(), entries.end(), [&](const auto& entry) {
      return entry.type() == "DISCREPANCY" && entry.subject_id() == subject &&
             entry.detail().rfind(kind + ": ", 0) == 0;
    }));
  }
};

TEST_F(SettlementConfirmTest, TransfersAreConfirmedOnTheStatementAndDifferencesRecordedOnce) {
  RestartWith({"--settlement-confirm-grace-seconds", std::to_string(kGraceSeconds)});
  const std::string passports_iban = Treasury("revenue/passports", "SAR");
  const std::string courts_iban = Treasury("revenue/courts", "JOD");
  // Window 1 (nets in account order: courts is STL1-1, passports STL1-2). The bank settles both
  // (ACSC) but books the courts transfer one minor unit short.
  const int64_t sar = Collect(passports_, 4100, "SAR", "p1");
  const int64_t jod = Collect(courts_, 900, "JOD", "c1");
  ASSERT_TRUE(bank_.InjectFault("STL1-1", "misbook").ok());
  Window window;
  ASSERT_TRUE(IsOk(Close(0, &window)));
  window = AwaitWindow(1, [](const Window& w) {
    return w.transfers_size() == 2 && w.transfers(0).confirmation() != Transfer::UNCONFIRMED &&
           w.transfers(1).confirmation() != Transfer::UNCONFIRMED;
  });
  ASSERT_EQ(window.transfers_size(), 2) << window.DebugString();
  // The statement is evidence, not an outcome: both stay ACCEPTED and the window SETTLED.
  EXPECT_EQ(window.state(), Window::SETTLED) << window.DebugString();
  const Transfer* passports = TransferFor(window, "revenue/passports");
  const Transfer* courts = TransferFor(window, "revenue/courts");
  ASSERT_NE(passports, nullptr);
  ASSERT_NE(courts, nullptr);
  EXPECT_EQ(passports->state(), Transfer::ACCEPTED);
  EXPECT_EQ(passports->confirmation(), Transfer::CONFIRMED) << window.DebugString();
  EXPECT_EQ(passports->booked_amount().minor_units(), sar);
  EXPECT_EQ(passports->booked_amount().currency(), "SAR");
  EXPECT_TRUE(passports->has_confirm_time());
  EXPECT_TRUE(passports->discrepancy().empty());
  Result<iso20022::sim::SimTransaction> settled = bank_.GetTransaction("STL1-2");
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(passports->statement_reference(), settled->account_servicer_reference);
  EXPECT_EQ(BankBalance(passports_iban), sar);

  EXPECT_EQ(courts->state(), Transfer::ACCEPTED);
  EXPECT_EQ(courts->confirmation(), Transfer::DISCREPANCY) << window.DebugString();
  EXPECT_EQ(courts->amount().minor_units(), jod);
  EXPECT_EQ(courts->booked_amount().minor_units(), jod - 1);
  EXPECT_NE(courts->discrepancy().find("the statement booked 0.899 JOD"), std::string::npos)
      << courts->discrepancy();
  EXPECT_EQ(BankBalance(courts_iban), jod - 1);  // the bank really moved less
  EXPECT_EQ(CountEntries("STL1-2", "CONFIRMED on the collection account's statement"), 1);
  EXPECT_EQ(CountEntries("STL1-1", "CONFIRMED"), 0);
  EXPECT_EQ(CountDiscrepancies("STL1-1", "SETTLEMENT_AMOUNT_MISMATCH"), 1);
  EXPECT_EQ(CountDiscrepancies("STL1-2", "SETTLEMENT_AMOUNT_MISMATCH"), 0);

  // The signed report carries the confirmation of each line.
  v1::GetSettlementReportRequest report_request;
  report_request.set_window_number(1);
  v1::SettlementReport report;
  {
    auto context = MakeContext(auditor_key_, kCallTimeout);
    ASSERT_TRUE(IsOk(settlement_->GetSettlementReport(context.get(), report_request, &report)));
  }
  EXPECT_NE(report.csv().find(",CONFIRMED," + settled->account_servicer_reference + "\r\n"),
            std::string::npos)
      << report.csv();
  EXPECT_NE(report.csv().find(",DISCREPANCY,"), std::string::npos) << report.csv();
  EXPECT_NE(report.json().find("\"confirmation\":\"CONFIRMED\""), std::string::npos);

  // Window 2: settled, but the debit never shows on the statement. Unconfirmed within the
  // grace period, then a discrepancy.
  const int64_t more = Collect(passports_, 2300, "SAR", "p2");
  ASSERT_TRUE(bank_.InjectFault("STL2-1", "unbooked").ok());
  ASSERT_TRUE(IsOk(Close(0, &window)));
  window = AwaitFinal(2);
  ASSERT_EQ(window.state(), Window::SETTLED) << window.DebugString();
  EXPECT_EQ(window.transfers(0).confirmation(), Transfer::UNCONFIRMED) << window.DebugString();
  EXPECT_EQ(BankBalance(passports_iban), sar + more);
  window = AwaitWindow(
      2, [](const Window& w) { return w.transfers(0).confirmation() == Transfer::DISCREPANCY; });
  const Transfer& missing = window.transfers(0);
  ASSERT_EQ(missing.confirmation(), Transfer::DISCREPANCY) << window.DebugString();
  EXPECT_GE(missing.confirm_time().seconds() - missing.update_time().seconds(), kGraceSeconds - 1);
  EXPECT_TRUE(missing.statement_reference().empty());
  EXPECT_NE(missing.discrepancy().find("has no debit under this EndToEndId"), std::string::npos)
      << missing.discrepancy();

  // Recorded once: later ticks and a restart add nothing.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  RestartWith({"--settlement-confirm-grace-seconds", std::to_string(kGraceSeconds)});
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(Get(1).transfers(1).confirmation(), Transfer::CONFIRMED);
  EXPECT_EQ(Get(2).transfers(0).confirmation(), Transfer::DISCREPANCY);
  EXPECT_EQ(CountDiscrepancies("STL2-1", "SETTLEMENT_NOT_ON_STATEMENT"), 1);
  EXPECT_EQ(CountDiscrepancies("STL1-1", "SETTLEMENT_AMOUNT_MISMATCH"), 1);
  EXPECT_EQ(CountEntries("STL1-2", "CONFIRMED"), 1);
  const std::string log = payd_.ReadLog();
  EXPECT_NE(log.find("settlement DISCREPANCY SETTLEMENT_AMOUNT_MISMATCH STL1-1"), std::string::npos)
      << log;
  EXPECT_NE(log.find("settlement DISCREPANCY SETTLEMENT_NOT_ON_STATEMENT STL2-1"),
            std::string::npos)
      << log;
}

TEST_F(SettlementConfirmTest, APushedPacs002SettlesATransferBeforeThePain001IsAnswered) {
  const std::string iban = Treasury("revenue/passports", "SAR");
  const int64_t sar = Collect(passports_, 5150, "SAR", "p1");
  // bank-sim settles the transfer and pushes its pacs.002 to payd before it answers the
  // pain.001, and answers only after the connector stopped waiting: the push alone tells payd.
  ASSERT_TRUE(bank_.InjectFault("STL1-1", "early_notification").ok());
  ASSERT_TRUE(bank_.InjectFault("STL1-1", "timeout").ok());
  Window window;
  ASSERT_TRUE(IsOk(Close(0, &window)));
  window = AwaitFinal(1);
  ASSERT_EQ(window.state(), Window::SETTLED) << window.DebugString();
  EXPECT_EQ(window.transfers(0).state(), Transfer::ACCEPTED);
  EXPECT_EQ(BankBalance(iban), sar);
  EXPECT_EQ(CountEntries("STL1-1", "settled by the bank"), 1);
  int pushed = 0;
  for (const v1::LedgerEntry& entry : Entries()) {
    if (entry.type() == "SETTLEMENT_TRANSFER" && entry.subject_id() == "STL1-1" &&
        entry.detail().find("; pushed pacs.002") != std::string::npos) {
      ++pushed;
    }
  }
  EXPECT_EQ(pushed, 1);
  Result<iso20022::sim::SimTransaction> settled = bank_.GetTransaction("STL1-1");
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(settled->times_debited, 1);
  EXPECT_GE(settled->notifications_delivered, 1);
  EXPECT_EQ(Sum(Entries(), "settled/passports", "SAR"), sar);
}

}  // namespace
}  // namespace pay::integration
