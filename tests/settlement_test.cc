// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Settlement windows end to end (docs/settlement.md): the real payd with the real ISO 20022
// connector against the real bank-sim over mutual TLS. Payments are recorded by channels
// (RecordChannelPayment credits revenue/<agency>); closing a window sends one pain.001 from the
// collection account to the treasury accounts, and the treasury balances at the bank, the
// signed report and the ledger must agree to the minor unit. The bank rejects a transfer to a
// closed account (then retried), payments race a close, and payd is killed with SIGKILL while
// settling: no transfer is ever credited twice and every window completes.

#include <sodium.h>

#include <atomic>
#include <map>
#include <thread>

#include "settlement_fixture.h"

namespace pay::integration {
namespace {

TEST_F(SettlementTest, SettlesTwoCurrenciesToTheTreasuryAccountsToTheMinorUnit) {
  const std::string passports_iban = Treasury("revenue/passports", "SAR");
  const std::string courts_iban = Treasury("revenue/courts", "JOD");
  int64_t sar = 0;
  int64_t jod = 0;
  sar += Collect(passports_, 30000, "SAR", "p1");
  sar += Collect(passports_, 12550, "SAR", "p2");
  sar += Collect(passports_, 7, "SAR", "p3");
  jod += Collect(courts_, 1250, "JOD", "c1");
  jod += Collect(courts_, 5005, "JOD", "c2");

  Window open = Get(0);
  EXPECT_EQ(open.window_number(), 1u);
  EXPECT_EQ(open.state(), Window::OPEN);

  Window closed;
  ASSERT_TRUE(IsOk(Close(1, &closed)));
  EXPECT_EQ(closed.window_number(), 1u);
  EXPECT_GT(closed.close_sequence(), 0u);
  Window window = AwaitFinal(1);
  ASSERT_EQ(window.state(), Window::SETTLED) << window.DebugString();
  ASSERT_EQ(window.transfers_size(), 2);
  ASSERT_EQ(window.nets_size(), 2);
  EXPECT_EQ(window.attempts(), 1);
  const Transfer* passports = TransferFor(window, "revenue/passports");
  const Transfer* courts = TransferFor(window, "revenue/courts");
  ASSERT_NE(passports, nullptr);
  ASSERT_NE(courts, nullptr);
  EXPECT_EQ(passports->amount().minor_units(), sar);
  EXPECT_EQ(passports->amount().currency(), "SAR");
  EXPECT_EQ(courts->amount().minor_units(), jod);
  EXPECT_EQ(courts->amount().currency(), "JOD");
  EXPECT_EQ(passports->message_id(), "STL-1-1");
  EXPECT_EQ(passports->state(), Transfer::ACCEPTED);
  // The pain.001 passed the connector's schema check and bank-sim's (ISO 20022 XSDs): the bank
  // counted no invalid message.
  Result<iso20022::sim::SimStats> stats = bank_.GetStats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_GE(stats->messages_received, 1);
  EXPECT_EQ(stats->invalid_messages_received, 0);
  // The treasury accounts at the bank received exactly the nets.
  EXPECT_EQ(BankBalance(passports_iban), sar);
  EXPECT_EQ(BankBalance(courts_iban), jod);

  // The next window opened right after the close entry.
  Window next = Get(0);
  EXPECT_EQ(next.window_number(), 2u);
  EXPECT_EQ(next.state(), Window::OPEN);
  EXPECT_EQ(next.first_sequence(), window.close_sequence() + 1);

  // The ledger: the window's revenue postings are the nets, settled/* holds what was sent.
  std::vector<v1::LedgerEntry> entries = Entries();
  EXPECT_EQ(
      -Sum(entries, "revenue/passports", "SAR", window.first_sequence(), window.close_sequence()),
      sar);
  EXPECT_EQ(
      -Sum(entries, "revenue/courts", "JOD", window.first_sequence(), window.close_sequence()),
      jod);
  EXPECT_EQ(Sum(entries, "settled/passports", "SAR"), sar);
  EXPECT_EQ(Sum(entries, "settled/courts", "JOD"), jod);
  EXPECT_EQ(Sum(entries, "clearing/bank", "SAR"), -sar);
  bool close_entry = false;
  for (const v1::LedgerEntry& entry : entries) {
    if (entry.sequence() == window.close_sequence()) {
      close_entry = entry.type() == "SETTLEMENT_WINDOW_CLOSED" && entry.subject_id() == "window-1";
    }
  }
  EXPECT_TRUE(close_entry);

  // The signed report equals the ledger.
  v1::GetSettlementReportRequest report_request;
  report_request.set_window_number(1);
  v1::SettlementReport report;
  auto context = MakeContext(auditor_key_, kCallTimeout);
  ASSERT_TRUE(IsOk(settlement_->GetSettlementReport(context.get(), report_request, &report)));
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
  EXPECT_NE(report.csv().find(",revenue/passports,SAR," + std::to_string(sar) + ",0," +
                              std::to_string(sar) + ",STL1-"),
            std::string::npos)
      << report.csv();
  EXPECT_NE(report.csv().find(",ACCEPTED," + std::to_string(jod) + ","), std::string::npos)
      << report.csv();
  EXPECT_NE(report.json().find("\"settled_minor\":" + std::to_string(sar)), std::string::npos);
  std::string tampered = report.csv();
  tampered[tampered.size() - 3] ^= 1;
  EXPECT_NE(crypto_sign_verify_detached(
                reinterpret_cast<const unsigned char*>(report.csv_signature().data()),
                reinterpret_cast<const unsigned char*>(tampered.data()), tampered.size(),
                reinterpret_cast<const unsigned char*>(report.public_key().data())),
            0);

  // Closing window 1 again changes nothing and sends nothing.
  Window again;
  ASSERT_TRUE(IsOk(Close(1, &again)));
  EXPECT_EQ(again.close_sequence(), window.close_sequence());
  EXPECT_EQ(again.state(), Window::SETTLED);
  EXPECT_EQ(Get(0).window_number(), 2u);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(BankBalance(passports_iban), sar);
  EXPECT_EQ(BankBalance(courts_iban), jod);

  // Only ADMIN closes; AGENCY reads nothing; a window that does not exist yet.
  Window denied;
  v1::CloseSettlementWindowRequest close_request;
  auto agency_context = MakeContext(passports_.agency_key, kCallTimeout);
  EXPECT_TRUE(
      HasCode(settlement_->CloseSettlementWindow(agency_context.get(), close_request, &denied),
              grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(HasCode(Close(7, &denied), grpc::StatusCode::FAILED_PRECONDITION));
}

TEST_F(SettlementTest, RejectedTransferStaysOwedAndARetrySettlesIt) {
  const std::string passports_iban = Treasury("revenue/passports", "SAR");
  const std::string courts_iban = Treasury("revenue/courts", "JOD");
  // The bank rejects transfers to the courts' treasury: its account is closed (AC04).
  iso20022::sim::SimAccount closed_account;
  closed_account.iban = courts_iban;
  closed_account.name = "Treasury revenue/courts";
  closed_account.currency = "JOD";
  closed_account.closed = true;
  ASSERT_TRUE(bank_.CreateAccount(closed_account).ok());
  const int64_t sar = Collect(passports_, 20000, "SAR", "p1");
  const int64_t jod = Collect(courts_, 7500, "JOD", "c1");

  Window window;
  ASSERT_TRUE(IsOk(Close(0, &window)));
  window = AwaitFinal(1);
  ASSERT_EQ(window.state(), Window::PARTIALLY_SETTLED) << window.DebugString();
  const Transfer* rejected = TransferFor(window, "revenue/courts");
  ASSERT_NE(rejected, nullptr);
  EXPECT_EQ(rejected->state(), Transfer::REJECTED);
  EXPECT_EQ(rejected->reason().rfind("AC04", 0), 0u) << rejected->reason();
  EXPECT_EQ(BankBalance(passports_iban), sar);
  EXPECT_EQ(BankBalance(courts_iban), 0);
  // Still owed: the ledger moved nothing for it.
  std::vector<v1::LedgerEntry> entries = Entries();
  EXPECT_EQ(Sum(entries, "settled/courts", "JOD"), 0);

  // The account is reopened; the retry sends only the owed transfer, with new ids.
  closed_account.closed = false;
  ASSERT_TRUE(bank_.CreateAccount(closed_account).ok());
  v1::RetrySettlementRequest retry;
  retry.set_window_number(1);
  auto context = MakeContext(payd_.admin_key(), std::chrono::seconds(30));
  ASSERT_TRUE(IsOk(settlement_->RetrySettlement(context.get(), retry, &window)));
  window = AwaitFinal(1);
  ASSERT_EQ(window.state(), Window::SETTLED) << window.DebugString();
  EXPECT_EQ(window.attempts(), 2);
  const Transfer* retried = TransferFor(window, "revenue/courts");
  ASSERT_NE(retried, nullptr);
  EXPECT_EQ(retried->message_id(), "STL-1-2");
  EXPECT_EQ(retried->end_to_end_id(), "STL1-1-2");  // nets in account order: courts first
  EXPECT_EQ(BankBalance(passports_iban), sar);
  EXPECT_EQ(BankBalance(courts_iban), jod);
  entries = Entries();
  EXPECT_EQ(Sum(entries, "settled/courts", "JOD"), jod);
  EXPECT_EQ(Sum(entries, "settled/passports", "SAR"), sar);
}

TEST_F(SettlementTest, WithoutATreasuryAccountTheTransferIsOwedNotDropped) {
  const int64_t sar = Collect(passports_, 4200, "SAR", "p1");
  Window window;
  ASSERT_TRUE(IsOk(Close(0, &window)));
  window = AwaitFinal(1);
  ASSERT_EQ(window.state(), Window::FAILED) << window.DebugString();
  ASSERT_EQ(window.transfers_size(), 1);
  EXPECT_EQ(window.transfers(0).state(), Transfer::FAILED);
  EXPECT_EQ(window.transfers(0).reason().rfind("NO_TREASURY_ACCOUNT", 0), 0u);
  const std::string iban = Treasury("revenue/passports", "SAR");
  v1::RetrySettlementRequest retry;
  retry.set_window_number(1);
  auto context = MakeContext(payd_.admin_key(), std::chrono::seconds(30));
  ASSERT_TRUE(IsOk(settlement_->RetrySettlement(context.get(), retry, &window)));
  window = AwaitFinal(1);
  EXPECT_EQ(window.state(), Window::SETTLED) << window.DebugString();
  EXPECT_EQ(BankBalance(iban), sar);
  // Bad treasury input names the field.
  v1::SetTreasuryAccountRequest bad;
  bad.mutable_treasury_account()->set_account("revenue/passports");
  bad.mutable_treasury_account()->set_iban("SA0000000000000000000000");
  bad.mutable_treasury_account()->set_name("x");
  v1::TreasuryAccount stored;
  auto admin_context = MakeContext(payd_.admin_key(), kCallTimeout);
  EXPECT_TRUE(IsInvalidArgumentAt(
      settlement_->SetTreasuryAccount(admin_context.get(), bad, &stored), "iban"));
  bad.mutable_treasury_account()->set_account("revenue/nobody");
  auto admin_context2 = MakeContext(payd_.admin_key(), kCallTimeout);
  EXPECT_TRUE(IsInvalidArgumentAt(
      settlement_->SetTreasuryAccount(admin_context2.get(), bad, &stored), "account"));
}

TEST_F(SettlementTest, PaymentsDuringClosesLandInExactlyOneWindow) {
  const std::string iban = Treasury("revenue/passports", "SAR");
  constexpr int kClients = 4;
  constexpr int kPerClient = 15;
  std::vector<v1::Fee> fees(kClients * kPerClient);
  for (int i = 0; i < kClients * kPerClient; ++i) {
    ASSERT_TRUE(IsOk(TryCreateFee(passports_.agency_key, FeeRequest(100 + i), &fees[i])));
  }
  std::atomic<int64_t> collected{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto stub = v1::PaymentService::NewStub(payd_.channel());
      for (int i = c * kPerClient; i < (c + 1) * kPerClient; ++i) {
        v1::RecordChannelPaymentRequest request;
        request.set_bill_number(fees[i].bill_number());
        *request.mutable_amount() = fees[i].amount();
        request.set_method(v1::BANK_TRANSFER);
        request.set_channel_reference("RACE-" + std::to_string(i));
        request.set_idempotency_key("race-" + std::to_string(i));
        v1::Payment payment;
        auto context = MakeContext(passports_.channel_key, kCallTimeout);
        if (payments_->RecordChannelPayment(context.get(), request, &payment).ok() &&
            payment.state() == v1::Payment::SUCCEEDED) {
          collected += fees[i].amount().minor_units();
        }
      }
    });
  }
  for (int close = 0; close < 3; ++close) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    Window window;
    EXPECT_TRUE(IsOk(Close(0, &window)));
  }
  for (std::thread& client : clients) client.join();
  Window last;
  ASSERT_TRUE(IsOk(Close(0, &last)));
  const uint64_t windows = last.window_number();
  EXPECT_EQ(windows, 4u);
  int64_t netted = 0;
  uint64_t expected_first = 1;
  for (uint64_t number = 1; number <= windows; ++number) {
    Window window = AwaitFinal(number);
    EXPECT_EQ(window.state(), Window::SETTLED) << window.DebugString();
    EXPECT_EQ(window.first_sequence(), expected_first);  // contiguous: no gap, no overlap
    expected_first = window.close_sequence() + 1;
    for (const v1::SettlementNet& net : window.nets()) netted += net.net_minor();
  }
  EXPECT_EQ(collected.load(), int64_t{kClients * kPerClient} * 100 +
                                  int64_t{kClients * kPerClient} * (kClients * kPerClient - 1) / 2);
  EXPECT_EQ(netted, collected.load());
  EXPECT_EQ(BankBalance(iban), collected.load());
  EXPECT_EQ(Sum(Entries(), "settled/passports", "SAR"), collected.load());
}

// payd killed with SIGKILL while a settlement is in flight, at three points: the bank never got
// the pain.001 (dropped), the bank processed it but payd never heard (timeout), and the bank
// settled it but its status report was lost. After a restart the window completes and the
// treasury is credited exactly once.
TEST_F(SettlementTest, KilledWhileSettlingNeverCreditsTwice) {
  const std::string iban = Treasury("revenue/passports", "SAR");
  int64_t expected = 0;
  uint64_t number = 1;
  for (const char* fault : {"drop_request", "timeout", "lost_notification"}) {
    SCOPED_TRACE(fault);
    expected += Collect(passports_, 1000 + static_cast<int64_t>(number), "SAR",
                        "k" + std::to_string(number));
    const std::string end_to_end_id = "STL" + std::to_string(number) + "-1";
    ASSERT_TRUE(bank_.InjectFault(end_to_end_id, fault).ok());
    std::thread closer([&] {
      Window window;
      (void)Close(number, &window, std::chrono::milliseconds(3000));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    payd_.Kill();
    closer.join();
    ASSERT_TRUE(payd_.Start());
    ConnectAll();
    Window window = AwaitFinal(number);
    if (window.state() == Window::OPEN) {
      // The kill came before the close was committed: close it now.
      ASSERT_TRUE(IsOk(Close(number, &window)));
      window = AwaitFinal(number);
    }
    ASSERT_EQ(window.state(), Window::SETTLED) << window.DebugString();
    EXPECT_EQ(BankBalance(iban), expected);
    Result<iso20022::sim::SimTransaction> tx = bank_.GetTransaction(end_to_end_id);
    ASSERT_TRUE(tx.ok()) << tx.status();
    EXPECT_EQ(tx->times_debited, 1);
    ++number;
  }
  EXPECT_EQ(Sum(Entries(), "settled/passports", "SAR"), expected);
}

// payd ends itself abruptly (fault injection, as on SIGKILL) at each step of settling a window:
// after the close commit, after the nets and transfers are recorded, after the transfers are
// recorded SENT but before the pain.001 leaves, and after the bank answered it but before the
// answer is recorded. After each restart the window completes and the bank credited the
// treasury exactly once.
TEST_F(SettlementTest, CrashAtEachStepOfSettlingThenRestartCompletesTheWindowOnce) {
  const std::string iban = Treasury("revenue/passports", "SAR");
  int64_t expected = 0;
  uint64_t number = 1;
  for (const char* step : {"closed", "summarized", "recorded", "answered"}) {
    SCOPED_TRACE(step);
    expected += Collect(passports_, 2000 + static_cast<int64_t>(number), "SAR",
                        "s" + std::to_string(number));
    std::vector<std::string> crashing = serve_args_;
    crashing.push_back("--test-settlement-crash-at");
    crashing.push_back(step);
    ASSERT_EQ(payd_.Stop(), 0);
    payd_.set_serve_args(crashing);
    ASSERT_TRUE(payd_.Start());
    ConnectAll();
    Window window;
    EXPECT_FALSE(Close(number, &window, std::chrono::seconds(20)).ok());  // payd died
    payd_.Kill();  // reaps the process that ended itself
    payd_.set_serve_args(serve_args_);
    ASSERT_TRUE(payd_.Start());
    ConnectAll();
    window = AwaitFinal(number);
    ASSERT_EQ(window.state(), Window::SETTLED) << window.DebugString();
    EXPECT_EQ(window.attempts(), 1);
    EXPECT_EQ(BankBalance(iban), expected);
    Result<iso20022::sim::SimTransaction> tx =
        bank_.GetTransaction("STL" + std::to_string(number) + "-1");
    ASSERT_TRUE(tx.ok()) << tx.status();
    EXPECT_EQ(tx->times_debited, 1);
    EXPECT_EQ(Get(0).window_number(), number + 1);
    ++number;
  }
  EXPECT_EQ(Sum(Entries(), "settled/passports", "SAR"), expected);
}

// The daily close in a time zone: Asia/Riyadh is UTC+3 all year. With the close set to the
// Riyadh minute that just began, payd closes the open window once (by "system") and not the one
// it opens, whose scheduled close is a day away.
TEST_F(SettlementTest, ClosesOnScheduleInTheConfiguredTimeZoneOnce) {
  const std::string iban = Treasury("revenue/passports", "SAR");
  const int64_t sar = Collect(passports_, 3100, "SAR", "sched");
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const int64_t riyadh_minute = ((now_s + 3 * 3600) / 60) % (24 * 60);
  const int hour = static_cast<int>(riyadh_minute / 60);
  const int minute = static_cast<int>(riyadh_minute % 60);
  const std::string close =
      std::string(1, static_cast<char>('0' + hour / 10)) + static_cast<char>('0' + hour % 10) +
      ":" + static_cast<char>('0' + minute / 10) + static_cast<char>('0' + minute % 10);
  std::vector<std::string> scheduled = serve_args_;
  for (std::string arg : {std::string("--settlement-close"), close,
                          std::string("--settlement-time-zone"), std::string("Asia/Riyadh")}) {
    scheduled.push_back(arg);
  }
  ASSERT_EQ(payd_.Stop(), 0);
  payd_.set_serve_args(scheduled);
  ASSERT_TRUE(payd_.Start());
  ConnectAll();
  Window window = AwaitFinal(1);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (window.state() == Window::OPEN && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    window = AwaitFinal(1);
  }
  ASSERT_EQ(window.state(), Window::SETTLED) << window.DebugString();
  EXPECT_EQ(window.closed_by(), "system");
  EXPECT_EQ(BankBalance(iban), sar);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two maintenance ticks
  EXPECT_EQ(Get(0).window_number(), 2u);
  EXPECT_EQ(Get(0).state(), Window::OPEN);
}

}  // namespace
}  // namespace pay::integration
