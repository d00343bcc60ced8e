// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The fixture of the settlement tests (docs/settlement.md): a fresh payd with the real ISO 20022
// connector against a real bank-sim over mutual TLS, agencies "passports" and "courts", an
// AUDITOR granted every agency, and helpers to collect, close, await and read the ledger.

#ifndef PAY_TESTS_SETTLEMENT_FIXTURE_H_
#define PAY_TESTS_SETTLEMENT_FIXTURE_H_

#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pay/v1/ledger_service.grpc.pb.h"
#include "pay/v1/settlement_service.grpc.pb.h"
#include "payd_test_base.h"
#include "sim/bank_sim_process.h"

namespace pay::integration {

inline int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

using Window = v1::SettlementWindow;
using Transfer = v1::SettlementTransfer;

class SettlementTest : public PaydTest {
 protected:
  static constexpr int64_t kClientTimeoutMs = 1000;
  static constexpr int64_t kCollectionFloat = 1'000'000'000;

  void SetUp() override {
    PaydTest::SetUp();
    if (HasFatalFailure()) return;
    notify_ = "127.0.0.1:" + std::to_string(FreePort());
    iso20022::sim::BankSimProcessOptions bank_options;
    bank_options.notify_url = "https://" + notify_ + "/connectors/bank/pacs.002";
    bank_options.camt054_url = "https://" + notify_ + "/connectors/bank/camt.054";
    bank_options.hang_ms = kClientTimeoutMs + 1000;
    ASSERT_TRUE(bank_.Start(bank_options).ok());
    const std::string pki = bank_.dir();
    // The collection account holds what the channels collected: SAR, and a JOD pocket.
    for (const char* currency : {"SAR", "JOD"}) {
      iso20022::sim::SimAccount collection;
      collection.iban = bank_.collection_iban();
      collection.name = "Government fee collection";
      collection.currency = currency;
      collection.balance_minor_units = kCollectionFloat;
      ASSERT_TRUE(bank_.CreateAccount(collection).ok());
    }
    const std::string file = payd_.data_dir() + "/connectors.toml";
    std::ofstream(file) << "[connectors.bank]\n"
                        << "type = \"iso20022\"\n"
                        << "url = \"" << bank_.url() << "\"\n"
                        << "tls_ca_file = \"" << pki << "/ca.pem\"\n"
                        << "tls_cert_file = \"" << pki << "/gateway.pem\"\n"
                        << "tls_key_file = \"" << pki << "/gateway.key\"\n"
                        << "timeout_ms = " << kClientTimeoutMs << "\n"
                        << "collection_iban = \"" << bank_.collection_iban() << "\"\n"
                        << "collection_bic = \"SIMBSARI\"\n"
                        << "collection_name = \"Government fee collection\"\n"
                        << "creditor_scheme_id = \"SA00ZZZ0000000001\"\n"
                        << "bank_common_name = \"bank\"\n"
                        << "poll_after_ms = 1000\n"
                        << "breaker_failures = 1000\n";
    ASSERT_EQ(payd_.Stop(), 0);
    serve_args_ = {"--connectors-file",
                   file,
                   "--notify-listen",
                   notify_,
                   "--notify-tls-cert",
                   pki + "/gateway.pem",
                   "--notify-tls-key",
                   pki + "/gateway.key",
                   "--notify-tls-ca",
                   pki + "/ca.pem",
                   "--inquiry-interval-seconds",
                   "1",
                   "--settlement-connector",
                   "bank"};
    payd_.set_serve_args(serve_args_);
    ASSERT_TRUE(payd_.Start());
    ConnectAll();
    ASSERT_TRUE(CreateAgencyWithKeys(*admin_, payd_.admin_key(), "courts", &courts_));
    v1::CreateCredentialResponse auditor;
    ASSERT_TRUE(
        CreateCredential(*admin_, payd_.admin_key(), v1::Credential::AUDITOR, {"*"}, &auditor));
    auditor_key_ = auditor.api_key();
    ASSERT_EQ(sodium_init() >= 0, true);
  }

  void ConnectAll() {
    Connect();
    settlement_ = v1::SettlementService::NewStub(payd_.channel());
    ledger_ = v1::LedgerService::NewStub(payd_.channel());
  }

  // A treasury account at the bank in `currency`, set for `account` in payd.
  std::string Treasury(const std::string& account, const std::string& currency) {
    iso20022::sim::SimAccount treasury;
    treasury.iban = bank_.NewIban();
    treasury.name = "Treasury " + account;
    treasury.currency = currency;
    EXPECT_TRUE(bank_.CreateAccount(treasury).ok());
    v1::SetTreasuryAccountRequest request;
    request.mutable_treasury_account()->set_account(account);
    request.mutable_treasury_account()->set_iban(treasury.iban);
    request.mutable_treasury_account()->set_name(treasury.name);
    v1::TreasuryAccount stored;
    auto context = MakeContext(payd_.admin_key(), kCallTimeout);
    EXPECT_TRUE(IsOk(settlement_->SetTreasuryAccount(context.get(), request, &stored)));
    return treasury.iban;
  }

  // A fee of `agency` paid in full by its channel; returns the amount.
  int64_t Collect(const AgencyKeys& agency, int64_t minor_units, const std::string& currency,
                  const std::string& key) {
    v1::Fee fee;
    EXPECT_TRUE(IsOk(TryCreateFee(agency.agency_key, FeeRequest(minor_units, currency), &fee)));
    v1::RecordChannelPaymentRequest request;
    request.set_bill_number(fee.bill_number());
    request.mutable_amount()->set_currency(currency);
    request.mutable_amount()->set_minor_units(minor_units);
    request.set_method(v1::BANK_TRANSFER);
    request.set_channel_reference("BRANCH-" + key);
    request.set_idempotency_key(key);
    v1::Payment payment;
    auto context = MakeContext(agency.channel_key, kCallTimeout);
    EXPECT_TRUE(IsOk(payments_->RecordChannelPayment(context.get(), request, &payment)));
    EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED);
    return minor_units;
  }

  grpc::Status Close(uint64_t number, Window* window,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    v1::CloseSettlementWindowRequest request;
    request.set_window_number(number);
    auto context = MakeContext(payd_.admin_key(), timeout);
    return settlement_->CloseSettlementWindow(context.get(), request, window);
  }

  Window Get(uint64_t number) {
    v1::GetSettlementWindowRequest request;
    request.set_window_number(number);
    Window window;
    auto context = MakeContext(auditor_key_, kCallTimeout);
    EXPECT_TRUE(IsOk(settlement_->GetSettlementWindow(context.get(), request, &window)));
    return window;
  }

  // The window once it is no longer CLOSED or SETTLING (payd follows up in the background).
  Window AwaitFinal(uint64_t number, std::chrono::seconds timeout = std::chrono::seconds(40)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Window window = Get(number);
    while ((window.state() == Window::CLOSED || window.state() == Window::SETTLING) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      window = Get(number);
    }
    return window;
  }

  // payd again, with `extra` after the usual serve arguments.
  void RestartWith(const std::vector<std::string>& extra) {
    std::vector<std::string> args = serve_args_;
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_EQ(payd_.Stop(), 0);
    payd_.set_serve_args(args);
    ASSERT_TRUE(payd_.Start());
    ConnectAll();
  }

  // Polls window `number` until `done` holds for it or `timeout` passes; returns the last read.
  template <typename Predicate>
  Window AwaitWindow(uint64_t number, Predicate done,
                     std::chrono::seconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Window window = Get(number);
    while (!done(window) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      window = Get(number);
    }
    return window;
  }

  // The SETTLEMENT_TRANSFER entries about the transfer whose first end-to-end id is `id`
  // (later attempts append "-<attempt>") whose detail starts with `prefix`.
  int CountEntries(const std::string& id, const std::string& prefix) {
    int count = 0;
    for (const v1::LedgerEntry& entry : Entries()) {
      const bool subject = entry.subject_id() == id || entry.subject_id().rfind(id + "-", 0) == 0;
      if (entry.type() == "SETTLEMENT_TRANSFER" && subject &&
          entry.detail().rfind(prefix, 0) == 0) {
        ++count;
      }
    }
    return count;
  }

  const Transfer* TransferFor(const Window& window, const std::string& account) {
    for (const Transfer& transfer : window.transfers()) {
      if (transfer.account() == account) return &transfer;
    }
    return nullptr;
  }

  int64_t BankBalance(const std::string& iban) {
    Result<int64_t> balance = bank_.Balance(iban);
    EXPECT_TRUE(balance.ok()) << balance.status();
    return balance.ok() ? *balance : -1;
  }

  // Every ledger entry (an AUDITOR granted "*").
  std::vector<v1::LedgerEntry> Entries() {
    auto context = MakeContext(auditor_key_, std::chrono::seconds(60));
    auto reader = ledger_->ExportLedger(context.get(), v1::ExportLedgerRequest());
    std::vector<v1::LedgerEntry> entries;
    v1::LedgerEntry entry;
    while (reader->Read(&entry)) entries.push_back(entry);
    EXPECT_TRUE(IsOk(reader->Finish()));
    return entries;
  }

  // Sum of the postings to `account` in `currency` over entries with sequence in [from, to).
  static int64_t Sum(const std::vector<v1::LedgerEntry>& entries, const std::string& account,
                     const std::string& currency, uint64_t from = 0, uint64_t to = UINT64_MAX) {
    int64_t sum = 0;
    for (const v1::LedgerEntry& entry : entries) {
      if (entry.sequence() < from || entry.sequence() >= to) continue;
      for (const v1::Posting& posting : entry.postings()) {
        if (posting.account() == account && posting.amount().currency() == currency) {
          sum += posting.amount().minor_units();
        }
      }
    }
    return sum;
  }

  iso20022::sim::BankSimProcess bank_;
  std::vector<std::string> serve_args_;
  std::string notify_;
  AgencyKeys courts_;
  std::string auditor_key_;
  std::unique_ptr<v1::SettlementService::Stub> settlement_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
};

}  // namespace pay::integration

#endif  // PAY_TESTS_SETTLEMENT_FIXTURE_H_
