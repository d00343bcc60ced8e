// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// payd with its real connectors against the simulators, every hop over real sockets with mutual
// TLS: payd -> wallet-sim (HTTPS, client certificate, HMAC-signed JSON), payd -> bank-sim (ISO
// 20022 XML), and both simulators -> payd's notification endpoint (HTTPS, their client
// certificates; signed wallet callbacks, schema-validated pacs.002 and camt.054).
//
// The fault soak sends payments while the simulator faults 20% of its calls (timeouts that still
// collect, 5xx, dropped requests, lost, duplicated and early callbacks) and then checks that
// every payment became final, that no request was collected twice, and that the simulator's
// merchant account, the ledger's clearing account and the sum of succeeded payments agree to the
// minor unit. PAY_SOAK_PAYMENTS sets the number of payments (default 2000).

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "pay/connector/pki.h"
#include "pay/v1/ledger_service.grpc.pb.h"
#include "payd_test_base.h"
#include "sim/bank_sim_process.h"
#include "wallet_sim_process.h"

namespace pay::integration {
namespace {

// A port that was free a moment ago (payd's notification endpoint must be known to the
// simulator before payd starts).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

bool IsFinal(v1::Payment::State state) {
  return state == v1::Payment::SUCCEEDED || state == v1::Payment::FAILED;
}

class ProvidersTest : public PaydTest {
 protected:
  static constexpr int64_t kClientTimeoutMs = 1000;

  void SetUp() override {
    PaydTest::SetUp();
    if (HasFatalFailure()) return;
    notify_ = "127.0.0.1:" + std::to_string(FreePort());
    // The bank simulator makes the PKI (CA, "gateway", "bank"); the wallet's certificate joins
    // it, so that payd's endpoint trusts one CA. payd presents "gateway".
    iso20022::sim::BankSimProcessOptions bank_options;
    bank_options.notify_url = "https://" + notify_ + "/connectors/bank/pacs.002";
    bank_options.camt054_url = "https://" + notify_ + "/connectors/bank/camt.054";
    bank_options.hang_ms = kClientTimeoutMs + 1000;
    ASSERT_TRUE(bank_.Start(bank_options).ok());
    pki_ = bank_.dir();
    ASSERT_TRUE(connector::CreateDevelopmentPki(pki_, {"wallet-sim"}).ok());
    ASSERT_TRUE(std::filesystem::exists(pki_ + "/gateway.pem"));

    wallet::WalletSimOptions options;
    options.work_dir = payd_.data_dir() + "/wallet-sim";
    options.hmac_secret = "e2e-wallet-secret";
    connector::TlsOptions own;
    own.ca_file = pki_ + "/ca.pem";
    own.cert_file = pki_ + "/wallet-sim.pem";
    own.key_file = pki_ + "/wallet-sim.key";
    options.server_tls = own;
    options.server_tls.require_client_cert = true;
    options.callback_tls = own;
    options.client_tls.ca_file = pki_ + "/ca.pem";
    options.client_tls.cert_file = pki_ + "/gateway.pem";
    options.client_tls.key_file = pki_ + "/gateway.key";
    options.merchant_callback_url = "https://" + notify_ + "/connectors/wallet/callback";
    options.hold_ms = kClientTimeoutMs + 1000;
    Result<std::unique_ptr<wallet::WalletSimProcess>> sim =
        wallet::WalletSimProcess::Start(options);
    ASSERT_TRUE(sim.ok()) << sim.status();
    wallet_ = *std::move(sim);

    connectors_file_ = payd_.data_dir() + "/connectors.toml";
    const std::string file = connectors_file_;
    std::ofstream(file) << WalletTable("wallet", wallet_->base_url(), 100)
                        << "\n[connectors.bank]\n"
                        << "type = \"iso20022\"\n"
                        << "url = \"" << bank_.url() << "\"\n"
                        << "tls_ca_file = \"" << pki_ << "/ca.pem\"\n"
                        << "tls_cert_file = \"" << pki_ << "/gateway.pem\"\n"
                        << "tls_key_file = \"" << pki_ << "/gateway.key\"\n"
                        << "timeout_ms = " << kClientTimeoutMs << "\n"
                        << "collection_iban = \"" << bank_.collection_iban() << "\"\n"
                        << "collection_bic = \"SIMBSARI\"\n"
                        << "collection_name = \"Government fee collection\"\n"
                        << "creditor_scheme_id = \"SA00ZZZ0000000001\"\n"
                        << "bank_common_name = \"bank\"\n"
                        << "poll_after_ms = 1000\n"
                        << "breaker_failures = 1000\n";
    ASSERT_EQ(payd_.Stop(), 0);
    payd_.set_serve_args({"--connectors-file", file, "--notify-listen", notify_,
                          "--notify-tls-cert", pki_ + "/gateway.pem", "--notify-tls-key",
                          pki_ + "/gateway.key", "--notify-tls-ca", pki_ + "/ca.pem",
                          "--inquiry-interval-seconds", "1"});
    ASSERT_TRUE(payd_.Start());
    Connect();
  }

  // The payment once final (polling GetPayment), or as it stands at the deadline.
  v1::Payment AwaitFinal(const std::string& payment_id, std::chrono::seconds timeout) {
    v1::Payment payment;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      EXPECT_TRUE(GetPayment(passports_.agency_key, payment_id, &payment).ok());
      if (IsFinal(payment.state())) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return payment;
  }

  v1::CreatePaymentRequest WalletPayment(const std::string& bill, const std::string& key,
                                         const std::string& msisdn) {
    v1::CreatePaymentRequest request;
    request.set_bill_number(bill);
    request.set_method(v1::MOBILE_WALLET);
    request.set_payer_account(msisdn);
    request.set_idempotency_key(key);
    return request;
  }

  // Sum of the postings to `account` over the whole ledger, by currency (an AUDITOR's export).
  std::map<std::string, int64_t> LedgerBalance(const std::string& account) {
    v1::CreateCredentialRequest request;
    request.set_role(v1::Credential::AUDITOR);
    request.add_agency_ids("*");
    v1::CreateCredentialResponse auditor;
    auto context = MakeContext(payd_.admin_key(), kCallTimeout);
    EXPECT_TRUE(admin_->CreateCredential(context.get(), request, &auditor).ok());
    auto ledger = v1::LedgerService::NewStub(payd_.channel());
    auto export_context = MakeContext(auditor.api_key(), std::chrono::seconds(60));
    auto reader = ledger->ExportLedger(export_context.get(), v1::ExportLedgerRequest());
    std::map<std::string, int64_t> balance;
    v1::LedgerEntry entry;
    while (reader->Read(&entry)) {
      for (const v1::Posting& posting : entry.postings()) {
        if (posting.account() == account) {
          balance[posting.amount().currency()] += posting.amount().minor_units();
        }
      }
    }
    EXPECT_TRUE(reader->Finish().ok());
    return balance;
  }

  v1::CreatePaymentRequest BankPayment(const std::string& bill, const std::string& key,
                                       const std::string& iban) {
    v1::CreatePaymentRequest request = WalletPayment(bill, key, iban);
    request.set_method(v1::BANK_TRANSFER);
    return request;
  }

  // A funded account at the bank.
  std::string BankAccount(int64_t minor_units) {
    iso20022::sim::SimAccount account;
    account.iban = bank_.NewIban();
    account.name = "Citizen";
    account.balance_minor_units = minor_units;
    EXPECT_TRUE(bank_.CreateAccount(account).ok());
    return account.iban;
  }

  iso20022::sim::BankSimProcess bank_;
  // Sends `total` payments from 32 clients (even fees through the wallet, odd through the bank)
  // while both simulators fault 20% of their calls; with `crash`, payd is killed with SIGKILL
  // twice meanwhile and restarted, and the clients retry with their keys. Then checks that every
  // payment is final, none was collected twice, and both providers' books equal the ledger.
  void Soak(int total, bool crash) {
    constexpr int kClients = 32;
    wallet::SimFaults faults;  // 20% of the calls faulted
    faults.timeout_rate = 0.04;
    faults.error_rate = 0.04;
    faults.drop_rate = 0.03;
    faults.lost_callback_rate = 0.04;
    faults.duplicate_callback_rate = 0.03;
    faults.early_callback_rate = 0.02;
    faults.seed = 20261124;
    ASSERT_TRUE(wallet_->SetFaults(faults).ok());
    iso20022::sim::SimFaults bank_faults;  // 20% of the calls faulted
    bank_faults.timeout_rate = 0.05;
    bank_faults.error_rate = 0.05;
    bank_faults.lost_notification_rate = 0.04;
    bank_faults.duplicate_notification_rate = 0.03;
    bank_faults.early_notification_rate = 0.03;
    bank_faults.seed = 20261124;
    ASSERT_TRUE(bank_.SetFaults(bank_faults).ok());
    const int64_t collection_before = bank_.Balance(bank_.collection_iban()).value();

    // Every citizen can afford every fee; fees of 1.00 .. 9.99 SAR.
    std::vector<std::string> msisdns;
    std::vector<std::string> ibans;
    for (int i = 0; i < kClients; ++i) {
      ibans.push_back(BankAccount(100'000'000));
      msisdns.push_back("+9665010000" + std::to_string(10 + i));
      ASSERT_TRUE(
          wallet_->PutWallet(msisdns.back(), "Citizen", Money::Create("SAR", 100'000'000).value())
              .ok());
    }
    std::vector<v1::Fee> fees(total);
    for (int i = 0; i < total; ++i) IssueFee(passports_.agency_key, 100 + (i * 37) % 900, &fees[i]);

    std::vector<std::string> payment_ids(total);
    std::atomic<int> next{0};
    std::atomic<int> errors{0};
    std::atomic<int> kills{0};
    const auto start = std::chrono::steady_clock::now();
    std::mutex stub_mu;
    std::shared_ptr<v1::PaymentService::Stub> stub = v1::PaymentService::NewStub(payd_.channel());
    auto current_stub = [&] {
      std::lock_guard<std::mutex> lock(stub_mu);
      return stub;
    };
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        for (int i = next++; i < total; i = next++) {
          // Even fees through the wallet, odd ones through the bank.
          v1::CreatePaymentRequest request =
              i % 2 == 0
                  ? WalletPayment(fees[i].bill_number(), "soak-" + std::to_string(i), msisdns[c])
                  : BankPayment(fees[i].bill_number(), "soak-" + std::to_string(i), ibans[c]);
          v1::Payment payment;
          grpc::Status status;
          // A client retries with the same key until payd answers; the key makes that safe.
          const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
          while (true) {
            auto context = MakeContext(passports_.agency_key, std::chrono::seconds(30));
            status = current_stub()->CreatePayment(context.get(), request, &payment);
            if (status.ok() || std::chrono::steady_clock::now() > give_up) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
          if (!status.ok()) {
            if (errors++ < 5) {
              std::fprintf(stderr, "payment %d: %d %s\n", i, static_cast<int>(status.error_code()),
                           status.error_message().c_str());
            }
            continue;
          }
          payment_ids[i] = payment.payment_id();
        }
      });
    }
    // Killed and restarted from this thread: payd dies with the thread that started it
    // (PR_SET_PDEATHSIG), so that a crashed test leaves no daemon behind.
    for (int round = 0; crash && round < 2 && next < total; ++round) {
      std::this_thread::sleep_for(std::chrono::milliseconds(700));
      std::lock_guard<std::mutex> lock(stub_mu);
      payd_.Kill();  // SIGKILL: nothing flushed, calls in flight cut off
      ++kills;
      ASSERT_TRUE(payd_.Start());
      stub = v1::PaymentService::NewStub(payd_.channel());
    }
    for (std::thread& client : clients) client.join();
    if (crash) {
      Connect();
      EXPECT_EQ(kills.load(), 2);
    }
    ASSERT_EQ(errors.load(), 0);
    const double send_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // Every payment final: by callback, polling, or payd's inquiry.
    int64_t succeeded_sum = 0;
    int64_t bank_sum = 0;
    int succeeded = 0;
    int failed = 0;
    std::map<std::string, int> failure_codes;
    for (int i = 0; i < total; ++i) {
      v1::Payment payment = AwaitFinal(payment_ids[i], std::chrono::seconds(60));
      ASSERT_TRUE(IsFinal(payment.state()))
          << "still " << v1::Payment::State_Name(payment.state()) << ": " << payment.payment_id();
      const bool by_bank = payment.connector() == "bank";
      int collected = 0;
      if (by_bank) {
        Result<iso20022::sim::SimTransaction> at_bank = bank_.GetTransaction(payment.payment_id());
        collected = at_bank.ok() ? at_bank->times_debited : 0;
      } else {
        Result<wallet::SimRequest> at_wallet = wallet_->GetRequest(payment.payment_id());
        collected = at_wallet.ok() ? at_wallet->collected_count : 0;
      }
      ASSERT_LE(collected, 1) << payment.payment_id() << " collected twice";
      if (payment.state() == v1::Payment::SUCCEEDED) {
        ++succeeded;
        (by_bank ? bank_sum : succeeded_sum) += payment.amount().minor_units();
        EXPECT_EQ(collected, 1) << payment.payment_id() << " succeeded but was not collected";
      } else {
        ++failed;
        ++failure_codes[payment.failure_code()];
        EXPECT_EQ(collected, 0) << payment.payment_id() << " failed but the wallet collected it";
      }
    }
    const double total_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(wallet_->GetMerchant()->Balance("SAR"), succeeded_sum);
    EXPECT_EQ(LedgerBalance("clearing/wallet")["SAR"], succeeded_sum);
    EXPECT_EQ(bank_.Balance(bank_.collection_iban()).value() - collection_before, bank_sum);
    EXPECT_EQ(LedgerBalance("clearing/bank")["SAR"], bank_sum);
    EXPECT_EQ(bank_.GetStats()->invalid_messages_received, 0);
    std::printf(
        "soak%s: %d payments sent in %.1f s, all final after %.1f s: %d succeeded "
        "(wallet %.2f SAR, bank %.2f SAR), %d failed\n",
        crash ? " with 2 kill -9" : "", total, send_seconds, total_seconds, succeeded,
        succeeded_sum / 100.0, bank_sum / 100.0, failed);
    for (const auto& [code, count] : failure_codes)
      std::printf("  failed %s: %d\n", code.c_str(), count);
  }

  // A [connectors.NAME] table for a wallet connector at `url`.
  std::string WalletTable(const std::string& name, const std::string& url, int priority) {
    std::ostringstream table;
    table << "[connectors." << name << "]\n"
          << "type = \"wallet\"\n"
          << "priority = " << priority << "\n"
          << "url = \"" << url << "\"\n"
          << "tls_ca_file = \"" << pki_ << "/ca.pem\"\n"
          << "tls_cert_file = \"" << pki_ << "/gateway.pem\"\n"
          << "tls_key_file = \"" << pki_ << "/gateway.key\"\n"
          << "timeout_ms = " << kClientTimeoutMs << "\n"
          << "merchant_id = \"" << wallet_->options().merchant_id << "\"\n"
          << "hmac_secret_file = \"" << wallet_->secret_file() << "\"\n"
          << "callback_url = \"https://" << notify_ << "/connectors/" << name << "/callback\"\n"
          << "poll_after_ms = 1000\n"
          << "breaker_failures = " << (name == "wallet" ? 1000 : 2) << "\n";
    return table.str();
  }

  std::string pki_;
  std::string notify_;
  std::string connectors_file_;
  std::unique_ptr<wallet::WalletSimProcess> wallet_;
};

TEST_F(ProvidersTest, WalletPaymentIsCollectedAndConfirmedByASignedCallback) {
  const Money funds = Money::Create("SAR", 100000).value();
  ASSERT_TRUE(wallet_->PutWallet("+966501234567", "Citizen", funds).ok());
  v1::Fee fee;
  IssueFee(passports_.agency_key, 30000, &fee);
  v1::Payment payment;
  ASSERT_TRUE(TryPay(passports_.agency_key,
                     WalletPayment(fee.bill_number(), "wallet-1", "+966501234567"), &payment)
                  .ok());
  EXPECT_EQ(payment.connector(), "wallet");
  payment = AwaitFinal(payment.payment_id(), std::chrono::seconds(20));
  ASSERT_EQ(payment.state(), v1::Payment::SUCCEEDED) << payment.DebugString();
  EXPECT_FALSE(payment.connector_reference().empty());
  v1::Fee paid;
  ASSERT_TRUE(GetFee(passports_.agency_key, fee.fee_id(), &paid).ok());
  EXPECT_EQ(paid.state(), v1::Fee::PAID);
  EXPECT_EQ(wallet_->GetWallet("+966501234567")->balance.minor_units(), 70000);
  EXPECT_EQ(wallet_->GetMerchant()->Balance("SAR"), 30000);
  EXPECT_EQ(LedgerBalance("clearing/wallet")["SAR"], 30000);

  // Declined for lack of funds: no money moves, the fee stays payable.
  v1::Fee second;
  IssueFee(passports_.agency_key, 80000, &second);
  ASSERT_TRUE(TryPay(passports_.agency_key,
                     WalletPayment(second.bill_number(), "wallet-2", "+966501234567"), &payment)
                  .ok());
  payment = AwaitFinal(payment.payment_id(), std::chrono::seconds(20));
  EXPECT_EQ(payment.state(), v1::Payment::FAILED);
  EXPECT_EQ(payment.failure_code(), "INSUFFICIENT_FUNDS");
  EXPECT_EQ(wallet_->GetMerchant()->Balance("SAR"), 30000);
}

// A citizen pays a bill from the wallet app: the wallet's signed CREDIT callback records a
// payment that pays the fee.
TEST_F(ProvidersTest, WalletPushCreditPaysTheBill) {
  ASSERT_TRUE(
      wallet_->PutWallet("+966507654321", "Citizen", Money::Create("SAR", 50000).value()).ok());
  v1::Fee fee;
  IssueFee(passports_.agency_key, 12500, &fee);
  ASSERT_TRUE(
      wallet_->Push("+966507654321", fee.bill_number(), Money::Create("SAR", 12500).value()).ok());
  v1::Fee paid;
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(GetFee(passports_.agency_key, fee.fee_id(), &paid).ok());
    if (paid.state() == v1::Fee::PAID) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(paid.state(), v1::Fee::PAID);
  std::vector<v1::Payment> payments;
  PaymentsOfFee(passports_.agency_key, fee.fee_id(), &payments);
  ASSERT_EQ(payments.size(), 1u);
  EXPECT_EQ(payments[0].state(), v1::Payment::SUCCEEDED);
  EXPECT_EQ(payments[0].method(), v1::MOBILE_WALLET);
  EXPECT_EQ(payments[0].connector(), "wallet");
}

TEST_F(ProvidersTest, BankDirectDebitAndCounterPayment) {
  const std::string iban = BankAccount(100000);
  const int64_t collection_before = bank_.Balance(bank_.collection_iban()).value();
  v1::Fee fee;
  IssueFee(passports_.agency_key, 45000, &fee);
  v1::Payment payment;
  ASSERT_TRUE(
      TryPay(passports_.agency_key, BankPayment(fee.bill_number(), "bank-1", iban), &payment).ok());
  EXPECT_EQ(payment.connector(), "bank");
  payment = AwaitFinal(payment.payment_id(), std::chrono::seconds(20));
  ASSERT_EQ(payment.state(), v1::Payment::SUCCEEDED) << payment.DebugString();
  EXPECT_EQ(bank_.Balance(iban).value(), 55000);
  EXPECT_EQ(bank_.Balance(bank_.collection_iban()).value(), collection_before + 45000);
  EXPECT_EQ(bank_.GetTransaction(payment.payment_id())->times_debited, 1);

  // A citizen pays another bill at a branch: camt.054 pays the fee.
  v1::Fee counter;
  IssueFee(passports_.agency_key, 20000, &counter);
  ASSERT_TRUE(
      bank_.CounterPayment(iban, counter.bill_number(), Money::Create("SAR", 20000).value()).ok());
  v1::Fee paid;
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(GetFee(passports_.agency_key, counter.fee_id(), &paid).ok());
    if (paid.state() == v1::Fee::PAID) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(paid.state(), v1::Fee::PAID);
  EXPECT_EQ(LedgerBalance("clearing/bank")["SAR"], 65000);
  EXPECT_EQ(bank_.GetStats()->invalid_messages_received, 0);
}

// A wallet connector that cannot be reached (first in routing order) hands each payment to the
// next one, which collects it exactly once; after two failures its breaker opens.
TEST_F(ProvidersTest, UnreachableConnectorFailsOverWithoutSendingTwice) {
  std::ofstream(connectors_file_, std::ios::app)
      << "\n"
      << WalletTable("wallet-down", "https://127.0.0.1:" + std::to_string(FreePort()), 1);
  ASSERT_EQ(payd_.Stop(), 0);
  ASSERT_TRUE(payd_.Start());
  Connect();
  ASSERT_TRUE(
      wallet_->PutWallet("+966501239999", "Citizen", Money::Create("SAR", 100000).value()).ok());
  for (int i = 0; i < 3; ++i) {
    v1::Fee fee;
    IssueFee(passports_.agency_key, 1000, &fee);
    v1::Payment payment;
    ASSERT_TRUE(TryPay(passports_.agency_key,
                       WalletPayment(fee.bill_number(), "fo-" + std::to_string(i), "+966501239999"),
                       &payment)
                    .ok());
    payment = AwaitFinal(payment.payment_id(), std::chrono::seconds(20));
    EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED) << payment.DebugString();
    EXPECT_EQ(payment.connector(), "wallet");
    EXPECT_EQ(wallet_->GetRequest(payment.payment_id())->collected_count, 1);
  }
  v1::ListConnectorsResponse connectors;
  auto context = MakeContext(payd_.admin_key(), kCallTimeout);
  ASSERT_TRUE(admin_->ListConnectors(context.get(), v1::ListConnectorsRequest(), &connectors).ok());
  bool seen = false;
  for (const v1::ConnectorInfo& connector : connectors.connectors()) {
    if (connector.name() != "wallet-down") continue;
    seen = true;
    EXPECT_EQ(connector.breaker_state(), "OPEN");
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(wallet_->GetMerchant()->Balance("SAR"), 3000);
}

// The day's statement agrees with the ledger; money for a bill that does not exist is recorded
// as a DISCREPANCY (held in suspense), never lost and never applied to a fee.
TEST_F(ProvidersTest, StatementReconcilesAndUnmatchedCreditsAreReported) {
  ASSERT_TRUE(
      wallet_->PutWallet("+966501230000", "Citizen", Money::Create("SAR", 100000).value()).ok());
  const int64_t day_start = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count() /
                            86400 * 86400;
  for (int i = 0; i < 3; ++i) {
    v1::Fee fee;
    IssueFee(passports_.agency_key, 1000 * (i + 1), &fee);
    v1::Payment payment;
    ASSERT_TRUE(
        TryPay(passports_.agency_key,
               WalletPayment(fee.bill_number(), "rec-" + std::to_string(i), "+966501230000"),
               &payment)
            .ok());
    ASSERT_EQ(AwaitFinal(payment.payment_id(), std::chrono::seconds(20)).state(),
              v1::Payment::SUCCEEDED);
  }
  ASSERT_TRUE(
      wallet_->Push("+966501230000", "1234567890123452", Money::Create("SAR", 777).value()).ok());
  // The unmatched credit reaches payd asynchronously; its DISCREPANCY entry shows it arrived.
  bool reported = false;
  for (int i = 0; i < 200 && !reported; ++i) {
    reported = LedgerBalance("suspense/wallet")["SAR"] == -777;
    if (!reported) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(reported) << "the unmatched credit was not recorded in suspense/wallet";

  v1::ReconcileConnectorRequest request;
  request.set_connector("wallet");
  request.mutable_start_time()->set_seconds(day_start);
  request.mutable_end_time()->set_seconds(day_start + 86400);
  v1::ReconcileConnectorResponse report;
  auto context = MakeContext(payd_.admin_key(), std::chrono::seconds(30));
  ASSERT_TRUE(admin_->ReconcileConnector(context.get(), request, &report).ok());
  EXPECT_EQ(report.statement_lines(), 4);  // three collections and the push
  EXPECT_EQ(report.matched(), 4);
  EXPECT_EQ(report.discrepancies_size(), 0) << report.DebugString();
  EXPECT_EQ(LedgerBalance("clearing/wallet")["SAR"], 1000 + 2000 + 3000 + 777);
}

TEST_F(ProvidersTest, FaultSoakLosesAndDuplicatesNothing) {
  const char* configured = std::getenv("PAY_SOAK_PAYMENTS");
  Soak(configured != nullptr ? std::atoi(configured) : 2000, /*crash=*/false);
}

// The same with payd killed (SIGKILL) twice mid-run: nothing acknowledged is lost, nothing is
// collected twice, and the books still agree after the restarts.
TEST_F(ProvidersTest, KillNineDuringFaultedPaymentsLosesNothing) {
  const char* configured = std::getenv("PAY_CRASH_SOAK_PAYMENTS");
  Soak(configured != nullptr ? std::atoi(configured) : 600, /*crash=*/true);
}

// Refunds through the real wallet connector and simulator: a wallet payment back to the wallet
// that paid; a channel's payment (its connector cannot refund) to a wallet the approver names.
TEST_F(ProvidersTest, RefundsGoBackToTheWalletOrToOneTheApproverNames) {
  ASSERT_TRUE(
      wallet_->PutWallet("+966501234567", "Citizen", Money::Create("SAR", 100000).value()).ok());
  ASSERT_TRUE(wallet_->PutWallet("+966501112222", "Other", Money::Create("SAR", 0).value()).ok());
  v1::Fee fee;
  IssueFee(passports_.agency_key, 30000, &fee);
  v1::Payment payment;
  ASSERT_TRUE(TryPay(passports_.agency_key,
                     WalletPayment(fee.bill_number(), "wallet-r", "+966501234567"), &payment)
                  .ok());
  payment = AwaitFinal(payment.payment_id(), std::chrono::seconds(20));
  ASSERT_EQ(payment.state(), v1::Payment::SUCCEEDED) << payment.DebugString();

  v1::SetRefundPolicyRequest policy;
  policy.mutable_policy()->set_agency_id("passports");
  policy.mutable_policy()->add_approval_thresholds()->set_currency("SAR");
  policy.mutable_policy()->mutable_approval_thresholds(0)->set_minor_units(10000);
  v1::RefundPolicy set;
  {
    auto context = MakeContext(payd_.admin_key(), kCallTimeout);
    ASSERT_TRUE(admin_->SetRefundPolicy(context.get(), policy, &set).ok());
  }
  v1::RefundPaymentRequest request;
  request.set_payment_id(payment.payment_id());
  request.mutable_amount()->set_currency("SAR");
  request.mutable_amount()->set_minor_units(5000);
  request.set_reason_code(v1::Refund::OVERPAYMENT);
  request.set_idempotency_key("wallet-refund");
  v1::Refund refund;
  {
    auto context = MakeContext(passports_.agency_key, std::chrono::seconds(30));
    grpc::Status status = payments_->RefundPayment(context.get(), request, &refund);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(refund.state(), v1::Refund::SUCCEEDED) << refund.DebugString();
  EXPECT_EQ(refund.connector(), "wallet");
  EXPECT_EQ(wallet_->GetWallet("+966501234567")->balance.minor_units(), 75000);
  EXPECT_EQ(wallet_->GetMerchant()->Balance("SAR"), 25000);

  // A channel's payment: the approver names the wallet to pay.
  v1::Fee counter_fee;
  IssueFee(passports_.agency_key, 12000, &counter_fee);
  v1::RecordChannelPaymentRequest record;
  record.set_bill_number(counter_fee.bill_number());
  record.mutable_amount()->set_currency("SAR");
  record.mutable_amount()->set_minor_units(12000);
  record.set_method(v1::BANK_TRANSFER);
  record.set_channel_reference("BRANCH-9");
  record.set_idempotency_key("branch-9");
  v1::Payment counter;
  {
    auto context = MakeContext(passports_.channel_key, kCallTimeout);
    ASSERT_TRUE(payments_->RecordChannelPayment(context.get(), record, &counter).ok());
  }
  request.set_payment_id(counter.payment_id());
  request.mutable_amount()->set_minor_units(2000);
  request.set_idempotency_key("channel-refund");
  v1::Refund pending;
  {
    auto context = MakeContext(passports_.agency_key, std::chrono::seconds(30));
    ASSERT_TRUE(payments_->RefundPayment(context.get(), request, &pending).ok());
  }
  ASSERT_EQ(pending.state(), v1::Refund::PENDING_APPROVAL);
  v1::CreateCredentialRequest approver_request;
  approver_request.set_role(v1::Credential::AGENCY);
  approver_request.add_agency_ids("passports");
  approver_request.set_approver(true);
  v1::CreateCredentialResponse approver;
  {
    auto context = MakeContext(payd_.admin_key(), kCallTimeout);
    ASSERT_TRUE(admin_->CreateCredential(context.get(), approver_request, &approver).ok());
  }
  v1::ApproveRefundRequest approve;
  approve.set_refund_id(pending.refund_id());
  approve.mutable_destination()->set_method(v1::MOBILE_WALLET);
  approve.mutable_destination()->set_account("+966501112222");
  v1::Refund approved;
  {
    auto context = MakeContext(approver.api_key(), std::chrono::seconds(30));
    grpc::Status status = payments_->ApproveRefund(context.get(), approve, &approved);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(approved.state(), v1::Refund::SUCCEEDED) << approved.DebugString();
  EXPECT_EQ(approved.connector(), "wallet");
  EXPECT_EQ(wallet_->GetWallet("+966501112222")->balance.minor_units(), 2000);
  EXPECT_EQ(wallet_->GetMerchant()->Balance("SAR"), 23000);
  EXPECT_EQ(LedgerBalance("clearing/wallet")["SAR"], 23000);
}

}  // namespace
}  // namespace pay::integration
