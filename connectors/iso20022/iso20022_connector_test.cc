// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Integration test of the ISO 20022 bank connector against the real bank-sim binary, over HTTPS
// with mutual TLS both ways. The test process plays payd: an IoRuntime, a notification endpoint
// (HttpServer requiring client certificates) routing /connectors/bank/* to the connector's
// HandleNotification, and a recording OutcomeSink that can be told to fail.
//
// One bank-sim and one connector serve the whole suite; every test uses fresh payment ids and
// fresh accounts. Conditions are polled with deadlines, never slept for.

#include "iso20022_connector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "iban.h"
#include "messages.h"
#include "pay/bill_number.h"
#include "pay/connector/http_runtime.h"
#include "schemas.h"
#include "sim/bank_harness.h"
#include "sim/bank_sim_process.h"

namespace pay::iso20022 {
namespace {

using connector::CollectionOutcome;
using connector::CollectionRequest;
using connector::Connector;
using connector::ConnectorContext;
using connector::CreditNotice;
using connector::HttpClient;
using connector::HttpClientOptions;
using connector::HttpRequest;
using connector::HttpResponse;
using connector::HttpServer;
using connector::HttpServerOptions;
using connector::HttpServerRequest;
using connector::IoRuntime;
using connector::Notification;
using connector::NotificationReply;
using connector::OutcomeStatus;
using connector::RefundOutcome;
using connector::RefundRequest;
using connector::Statement;
using connector::StatementLine;
using sim::BankSimProcess;
using sim::kBankCertName;
using sim::kGatewayCertName;
using sim::kStrangerCertName;
using sim::SimAccount;
using sim::SimTransaction;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

constexpr char kConnectorName[] = "bank";
constexpr int64_t kHttpTimeoutMs = 1000;  // the connector's; bank-sim hangs 3 s on "timeout"
constexpr int64_t kHangMs = 3000;
constexpr int64_t kPollAfterMs = 300;
constexpr auto kDeadline = 8s;  // for conditions that normally hold within milliseconds

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Money Sar(int64_t minor_units) { return Money::Create("SAR", minor_units).value(); }

// "pay_" + 20 hex digits, unique in this process and unlikely to repeat across processes.
std::string NewId(std::string_view prefix = "pay_") {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%08llx%012llx",
                static_cast<unsigned long long>(salt & 0xFFFFFFFFULL),
                static_cast<unsigned long long>(++counter));
  return std::string(prefix) + buffer;
}

// Polls `condition` every 10 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = kDeadline) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return condition();
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// The host's sink, recording what is reported; told to fail, it answers kUnavailable.
class RecordingSink final : public connector::OutcomeSink {
 public:
  Status ReportCollection(std::string_view payment_id, const CollectionOutcome& outcome) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string id(payment_id);
    if (fail_next_[id] > 0) {
      --fail_next_[id];
      ++failures_[id];
      return absl::UnavailableError("recording sink told to fail");
    }
    collections_[id].push_back(outcome);
    return absl::OkStatus();
  }

  Status ReportCredit(const CreditNotice& notice) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& key : {notice.reference, notice.bill_number}) {
      if (fail_next_[key] > 0) {
        --fail_next_[key];
        ++failures_[key];
        return absl::UnavailableError("recording sink told to fail");
      }
    }
    credits_[notice.reference].push_back(notice);
    return absl::OkStatus();
  }

  // The next `times` reports about `id` (payment id, credit reference or bill number) fail.
  void FailNext(const std::string& id, int times) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_next_[id] = times;
  }
  std::vector<CollectionOutcome> Collections(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return collections_[id];
  }
  std::vector<CreditNotice> Credits(const std::string& reference) {
    std::lock_guard<std::mutex> lock(mu_);
    return credits_[reference];
  }
  int Failures(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_[id];
  }
  // The first outcome reported for `id`, once there is one.
  std::optional<CollectionOutcome> WaitForCollection(const std::string& id) {
    std::optional<CollectionOutcome> outcome;
    WaitFor([&] {
      std::vector<CollectionOutcome> seen = Collections(id);
      if (!seen.empty()) outcome = seen.front();
      return outcome.has_value();
    });
    return outcome;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<CollectionOutcome>> collections_;
  std::map<std::string, std::vector<CreditNotice>> credits_;
  std::map<std::string, int> fail_next_;
  std::map<std::string, int> failures_;
};

class RecordingLogger final : public connector::Logger {
 public:
  void Log(Level level, std::string_view message) override {
    static const char* const kNames[] = {"DEBUG", "INFO", "WARNING", "ERROR"};
    std::string line = std::string(kNames[static_cast<int>(level)]) + " " + std::string(message);
    if (std::getenv("BANK_TEST_VERBOSE") != nullptr) std::fprintf(stderr, "%s\n", line.c_str());
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(std::move(line));
  }
  bool Contains(std::string_view text) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& line : lines_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::string Tail(size_t count = 40) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    for (size_t i = lines_.size() > count ? lines_.size() - count : 0; i < lines_.size(); ++i) {
      out += lines_[i] + "\n";
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

class SystemClock final : public connector::Clock {
 public:
  int64_t NowMs() const override { return pay::iso20022::NowMs(); }
};

// Waits for an asynchronous connector call.
template <typename T>
class Waiter {
 public:
  std::function<void(T)> Callback() {
    auto promise = promise_;
    return [promise](T value) { promise->set_value(std::move(value)); };
  }
  std::optional<T> Wait(std::chrono::milliseconds timeout = 10s) {
    std::future<T> future = promise_->get_future();
    if (future.wait_for(timeout) != std::future_status::ready) return std::nullopt;
    return future.get();
  }

 private:
  std::shared_ptr<std::promise<T>> promise_ = std::make_shared<std::promise<T>>();
};

// Everything the suite shares: bank-sim, the I/O threads, the notification endpoint, the
// connector and what it reported.
struct Env {
  BankSimProcess bank;
  std::unique_ptr<IoRuntime> runtime;
  std::unique_ptr<HttpServer> notify_server;
  RecordingSink sink;
  RecordingLogger logger;
  SystemClock clock;
  std::unique_ptr<Connector> connector;
  std::atomic<Connector*> routed{nullptr};  // what /connectors/bank/* reaches
  int deliberately_invalid = 0;             // invalid messages the tests sent bank-sim
  std::unique_ptr<SchemaSet> schemas;
};

class Iso20022ConnectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env;
    Status ready = StartEnvironment(env_);
    if (!ready.ok()) *setup_error_ = std::string(ready.message());
  }

  static Status StartEnvironment(Env* env) {
    env->runtime = std::make_unique<IoRuntime>(2);
    PAY_ASSIGN_OR_RETURN(env->schemas, SchemaSet::Load(DefaultSchemaDir()));
    // bank-sim first (it creates the PKI), told where to push once the endpoint is up.
    sim::BankSimProcessOptions bank_options;
    bank_options.hang_ms = kHangMs;
    PAY_RETURN_IF_ERROR(env->bank.Start(bank_options));

    HttpServerOptions server;
    server.listen = "127.0.0.1:0";
    server.tls.ca_file = env->bank.ca_file();
    server.tls.cert_file = env->bank.cert_file(kGatewayCertName);
    server.tls.key_file = env->bank.key_file(kGatewayCertName);
    server.tls.require_client_cert = true;
    PAY_ASSIGN_OR_RETURN(
        env->notify_server,
        HttpServer::Start(
            *env->runtime, server,
            [env](HttpServerRequest request, connector::HttpResponder respond) {
              const std::string prefix = "/connectors/" + std::string(kConnectorName);
              Connector* connector = env->routed.load();
              if (connector == nullptr || request.target.rfind(prefix + "/", 0) != 0) {
                return respond({404, {}, "no such connector endpoint\n"});
              }
              Notification notification;
              notification.path = request.target.substr(prefix.size());
              notification.headers = std::move(request.headers);
              notification.body = std::move(request.body);
              notification.peer_common_name = std::move(request.peer_common_name);
              connector->HandleNotification(notification, [respond](NotificationReply reply) {
                respond({reply.http_status,
                         {{"Content-Type", reply.content_type}},
                         std::move(reply.body)});
              });
            }));
    const std::string base =
        "https://" + env->notify_server->address() + "/connectors/" + std::string(kConnectorName);
    PAY_RETURN_IF_ERROR(env->bank.Configure(base + "/pacs.002", base + "/camt.054"));

    ConnectorContext context;
    context.name = kConnectorName;
    context.config = connector::ConnectorConfig({
        {"url", env->bank.url()},
        {"collection_iban", env->bank.collection_iban()},
        {"collection_bic", "SIMBSARI"},
        {"collection_name", "Government fee collection"},
        {"creditor_scheme_id", "SA00ZZZ0000000001"},
        {"bank_common_name", std::string(kBankCertName)},
        {"poll_after_ms", std::to_string(kPollAfterMs)},
    });
    PAY_ASSIGN_OR_RETURN(context.http, MakeClient(*env, kGatewayCertName, env->bank.url()));
    context.scheduler = env->runtime.get();
    context.clock = &env->clock;
    context.logger = &env->logger;
    context.sink = &env->sink;
    PAY_ASSIGN_OR_RETURN(env->connector, NewIso20022Connector(context));
    env->routed = env->connector.get();
    return absl::OkStatus();
  }

  static void TearDownTestSuite() {
    const int exit_code = env_->bank.Stop();  // no more pushes
    if (setup_error_->empty() && exit_code != 0) {
      ADD_FAILURE() << "bank-sim exited with " << exit_code << " on SIGTERM; its log:\n"
                    << Tail(env_->bank.ReadLog());
    }
    if (std::getenv("BANK_TEST_VERBOSE") != nullptr) {
      std::fprintf(stderr, "---- bank-sim log ----\n%s\n", env_->bank.ReadLog().c_str());
    }
    if (env_->notify_server) env_->notify_server->Stop();
    if (env_->runtime) env_->runtime->Stop();
    delete env_;
    env_ = nullptr;
    setup_error_->clear();
  }

  void SetUp() override {
    ASSERT_TRUE(setup_error_->empty()) << "environment did not start: " << *setup_error_;
  }

  void TearDown() override {
    if (HasFailure()) {
      std::fprintf(stderr, "---- connector log ----\n%s---- bank-sim log (tail) ----\n%s\n",
                   env_->logger.Tail().c_str(), Tail(env_->bank.ReadLog()).c_str());
    }
  }

  static std::string Tail(const std::string& text) {
    return text.size() <= 6000 ? text : text.substr(text.size() - 6000);
  }

  // An HTTPS client presenting certificate `name` ("" = none).
  static Result<std::shared_ptr<HttpClient>> MakeClient(Env& env, std::string_view name,
                                                        const std::string& url) {
    HttpClientOptions options;
    options.base_url = url;
    options.tls.ca_file = env.bank.ca_file();
    if (!name.empty()) {
      options.tls.cert_file = env.bank.cert_file(name);
      options.tls.key_file = env.bank.key_file(name);
    }
    options.connect_timeout = milliseconds(kHttpTimeoutMs);
    options.timeout = milliseconds(kHttpTimeoutMs);
    PAY_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> client,
                         connector::MakeHttpClient(*env.runtime, options));
    return std::shared_ptr<HttpClient>(std::move(client));
  }

  static BankSimProcess& bank() { return env_->bank; }
  static RecordingSink& sink() { return env_->sink; }
  static Connector& connector() { return *env_->connector; }

  // A new account at the bank holding `balance` SAR minor units.
  static std::string NewAccount(int64_t balance, bool closed = false) {
    SimAccount account;
    account.iban = bank().NewIban();
    account.name = "Citizen " + account.iban.substr(account.iban.size() - 4);
    account.balance_minor_units = balance;
    account.closed = closed;
    Status created = bank().CreateAccount(account);
    EXPECT_TRUE(created.ok()) << created;
    return account.iban;
  }

  static int64_t BalanceOf(const std::string& iban) {
    Result<int64_t> balance = bank().Balance(iban);
    EXPECT_TRUE(balance.ok()) << balance.status();
    return balance.value_or(-1);
  }

  static CollectionRequest Request(const std::string& payer_iban, int64_t minor_units) {
    CollectionRequest request;
    request.payment_id = NewId();
    request.agency_id = "agency-1";
    request.bill_number = GenerateBillNumber();
    request.amount = Sar(minor_units);
    request.method = PaymentMethod::kBankTransfer;
    request.payer_account = payer_iban;
    request.create_time_ms = NowMs();
    return request;
  }

  static Result<CollectionOutcome> Collect(const CollectionRequest& request) {
    Waiter<Result<CollectionOutcome>> waiter;
    connector().Collect(request, waiter.Callback());
    std::optional<Result<CollectionOutcome>> result = waiter.Wait();
    if (!result) return absl::DeadlineExceededError("Collect never called back");
    return *result;
  }

  static Result<CollectionOutcome> Inquire(const CollectionRequest& request) {
    Waiter<Result<CollectionOutcome>> waiter;
    connector().Inquire(request, waiter.Callback());
    std::optional<Result<CollectionOutcome>> result = waiter.Wait();
    if (!result) return absl::DeadlineExceededError("Inquire never called back");
    return *result;
  }

  static Result<RefundOutcome> Refund(const RefundRequest& request) {
    Waiter<Result<RefundOutcome>> waiter;
    connector().Refund(request, waiter.Callback());
    std::optional<Result<RefundOutcome>> result = waiter.Wait();
    if (!result) return absl::DeadlineExceededError("Refund never called back");
    return *result;
  }

  static Result<Statement> FetchStatement(int64_t from_ms, int64_t to_ms) {
    Waiter<Result<Statement>> waiter;
    connector().FetchStatement(from_ms, to_ms, waiter.Callback());
    std::optional<Result<Statement>> result = waiter.Wait();
    if (!result) return absl::DeadlineExceededError("FetchStatement never called back");
    return *result;
  }

  static Result<SimTransaction> Transaction(const std::string& id) {
    return bank().GetTransaction(id);
  }

  // Waits until bank-sim has settled `id` (ACSC or RJCT).
  static std::optional<SimTransaction> WaitForSettlement(const std::string& id) {
    std::optional<SimTransaction> settled;
    WaitFor([&] {
      Result<SimTransaction> tx = Transaction(id);
      if (tx.ok() && tx->status != "PDNG") settled = *tx;
      return settled.has_value();
    });
    return settled;
  }

  // A schema-valid pacs.002 reporting ACSC for `payment_id`.
  static std::string SettledPacs002(const std::string& payment_id) {
    StatusReport report;
    report.message_id = NewId("MSG");
    report.creation_time_ms = NowMs();
    report.original_message_id = CollectionMessageId(payment_id);
    report.original_message_type = "pain.008.001.08";
    TxStatusReport tx;
    tx.original_end_to_end_id = payment_id;
    tx.status_code = "ACSC";
    tx.status = TxStatus::kSettled;
    tx.account_servicer_reference = "REF-" + payment_id.substr(4);
    report.transactions.push_back(tx);
    std::string xml = BuildPacs002(report);
    EXPECT_TRUE(env_->schemas->Validate(MessageType::kPacs002, xml).ok());
    return xml;
  }

  // POSTs `body` to the notification endpoint presenting certificate `name`.
  static Result<HttpResponse> Notify(std::string_view name, const std::string& path,
                                     std::string body) {
    PAY_ASSIGN_OR_RETURN(std::shared_ptr<HttpClient> client,
                         MakeClient(*env_, name, "https://" + env_->notify_server->address()));
    HttpRequest request;
    request.target = "/connectors/" + std::string(kConnectorName) + path;
    request.headers = {{"Content-Type", "application/xml"}};
    request.body = std::move(body);
    return client->SendAndWait(std::move(request));
  }

  static Env* env_;
  static std::string* setup_error_;
};

Env* Iso20022ConnectorTest::env_ = nullptr;
std::string* Iso20022ConnectorTest::setup_error_ = new std::string;

TEST_F(Iso20022ConnectorTest, CollectionSucceedsThroughPacs002) {
  const std::string payer = NewAccount(10000);
  const int64_t collection_before = BalanceOf(bank().collection_iban());
  const CollectionRequest request = Request(payer, 1250);

  Result<CollectionOutcome> collected = Collect(request);
  ASSERT_TRUE(collected.ok()) << collected.status();
  EXPECT_EQ(collected->status, OutcomeStatus::kPending);

  std::optional<CollectionOutcome> reported = sink().WaitForCollection(request.payment_id);
  ASSERT_TRUE(reported.has_value()) << "no pacs.002 outcome reported";
  EXPECT_EQ(reported->status, OutcomeStatus::kSucceeded);
  Result<SimTransaction> tx = Transaction(request.payment_id);
  ASSERT_TRUE(tx.ok()) << tx.status();
  EXPECT_EQ(tx->status, "ACSC");
  EXPECT_EQ(tx->times_debited, 1);
  EXPECT_EQ(reported->connector_reference, tx->account_servicer_reference);
  EXPECT_EQ(BalanceOf(payer), 10000 - 1250);
  EXPECT_EQ(BalanceOf(bank().collection_iban()), collection_before + 1250);

  // The gateway's own inquiry agrees.
  Result<CollectionOutcome> inquired = Inquire(request);
  ASSERT_TRUE(inquired.ok()) << inquired.status();
  EXPECT_EQ(inquired->status, OutcomeStatus::kSucceeded);
  EXPECT_EQ(inquired->connector_reference, tx->account_servicer_reference);
}

TEST_F(Iso20022ConnectorTest, InsufficientFundsIsDeclinedAndMovesNothing) {
  const std::string payer = NewAccount(500);
  const int64_t collection_before = BalanceOf(bank().collection_iban());
  const CollectionRequest request = Request(payer, 1250);

  Result<CollectionOutcome> collected = Collect(request);
  ASSERT_TRUE(collected.ok()) << collected.status();
  EXPECT_EQ(collected->status, OutcomeStatus::kPending);
  std::optional<CollectionOutcome> reported = sink().WaitForCollection(request.payment_id);
  ASSERT_TRUE(reported.has_value());
  EXPECT_EQ(reported->status, OutcomeStatus::kFailed);
  EXPECT_EQ(reported->failure_code, "INSUFFICIENT_FUNDS");
  EXPECT_NE(reported->failure_message.find("AM04"), std::string::npos) << reported->failure_message;
  EXPECT_EQ(BalanceOf(payer), 500);
  EXPECT_EQ(BalanceOf(bank().collection_iban()), collection_before);
  EXPECT_EQ(Transaction(request.payment_id)->times_debited, 0);
}

TEST_F(Iso20022ConnectorTest, UnknownAndClosedAccountsAreDeclined) {
  const CollectionRequest unknown = Request(bank().NewIban(), 700);  // never created
  const CollectionRequest closed = Request(NewAccount(10000, /*closed=*/true), 700);
  ASSERT_TRUE(Collect(unknown).ok());
  ASSERT_TRUE(Collect(closed).ok());

  std::optional<CollectionOutcome> first = sink().WaitForCollection(unknown.payment_id);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, OutcomeStatus::kFailed);
  EXPECT_EQ(first->failure_code, "UNKNOWN_ACCOUNT");
  std::optional<CollectionOutcome> second = sink().WaitForCollection(closed.payment_id);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, OutcomeStatus::kFailed);
  EXPECT_EQ(second->failure_code, "DECLINED:AC04");
  EXPECT_EQ(BalanceOf(closed.payer_account), 10000);
}

TEST_F(Iso20022ConnectorTest, PayerAccountThatIsNotAnIbanFailsWithoutCallingTheBank) {
  CollectionRequest request = Request("", 700);
  for (const std::string account : {"0551234567", "SA00 8000 0000 0000 0000 0001", ""}) {
    request.payment_id = NewId();
    request.payer_account = account;
    Result<CollectionOutcome> collected = Collect(request);
    ASSERT_TRUE(collected.ok()) << collected.status();
    EXPECT_EQ(collected->status, OutcomeStatus::kFailed) << account;
    EXPECT_EQ(collected->failure_code, "INVALID_PAYER_ACCOUNT") << account;
    EXPECT_EQ(Transaction(request.payment_id).status().code(), StatusCode::kNotFound);
  }
}

TEST_F(Iso20022ConnectorTest, TimeoutIsUnknownThenInquirySettlesItAndNothingIsDebitedTwice) {
  const std::string payer = NewAccount(10000);
  const CollectionRequest request = Request(payer, 2000);
  ASSERT_TRUE(bank().InjectFault(request.payment_id, "timeout").ok());

  Result<CollectionOutcome> collected = Collect(request);
  ASSERT_FALSE(collected.ok()) << "the bank never answered, yet Collect gave an outcome";
  EXPECT_NE(collected.status().code(), StatusCode::kUnavailable)
      << "the request reached the bank: kUnavailable would let the gateway think it did not";

  ASSERT_TRUE(WaitForSettlement(request.payment_id).has_value());
  Result<CollectionOutcome> inquired = Inquire(request);
  ASSERT_TRUE(inquired.ok()) << inquired.status();
  EXPECT_EQ(inquired->status, OutcomeStatus::kSucceeded);

  // The gateway retries the same payment: the bank recognises it and does not debit again.
  Result<CollectionOutcome> again = Collect(request);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_NE(again->status, OutcomeStatus::kFailed);
  EXPECT_TRUE(WaitFor([&] { return !sink().Collections(request.payment_id).empty(); }));
  Result<SimTransaction> tx = Transaction(request.payment_id);
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(tx->times_debited, 1);
  EXPECT_EQ(BalanceOf(payer), 8000);
}

TEST_F(Iso20022ConnectorTest, DroppedRequestIsUnknownAndInquiryFindsNothing) {
  const std::string payer = NewAccount(10000);
  const CollectionRequest request = Request(payer, 2000);
  ASSERT_TRUE(bank().InjectFault(request.payment_id, "drop_request").ok());

  Result<CollectionOutcome> collected = Collect(request);
  ASSERT_FALSE(collected.ok());
  Result<CollectionOutcome> inquired = Inquire(request);
  EXPECT_EQ(inquired.status().code(), StatusCode::kNotFound) << inquired.status();
  EXPECT_EQ(Transaction(request.payment_id).status().code(), StatusCode::kNotFound);

  // The gateway now records the payment failed: a late copy of the request must not collect.
  Result<CollectionOutcome> late = Collect(request);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(late->status, OutcomeStatus::kFailed);
  EXPECT_EQ(late->failure_code, "DECLINED:TM01");
  inquired = Inquire(request);
  ASSERT_TRUE(inquired.ok()) << inquired.status();
  EXPECT_EQ(inquired->status, OutcomeStatus::kFailed);
  EXPECT_EQ(Transaction(request.payment_id)->times_debited, 0);
  EXPECT_EQ(BalanceOf(payer), 10000);
}

TEST_F(Iso20022ConnectorTest, ServerErrorIsUnknownNotUnavailable) {
  const CollectionRequest request = Request(NewAccount(10000), 2000);
  ASSERT_TRUE(bank().InjectFault(request.payment_id, "error").ok());
  Result<CollectionOutcome> collected = Collect(request);
  ASSERT_FALSE(collected.ok());
  EXPECT_NE(collected.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Inquire(request).status().code(), StatusCode::kNotFound);
}

TEST_F(Iso20022ConnectorTest, LostNotificationIsRecoveredByPolling) {
  const CollectionRequest request = Request(NewAccount(10000), 3000);
  ASSERT_TRUE(bank().InjectFault(request.payment_id, "lost_notification").ok());
  Result<CollectionOutcome> collected = Collect(request);
  ASSERT_TRUE(collected.ok()) << collected.status();
  EXPECT_EQ(collected->status, OutcomeStatus::kPending);

  std::optional<CollectionOutcome> reported = sink().WaitForCollection(request.payment_id);
  ASSERT_TRUE(reported.has_value()) << "polling did not report the outcome";
  EXPECT_EQ(reported->status, OutcomeStatus::kSucceeded);
  Result<SimTransaction> tx = Transaction(request.payment_id);
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(tx->notification_attempts, 0) << "the pacs.002 was supposed to be lost";
  EXPECT_TRUE(env_->logger.Contains(request.payment_id + "; polling found SUCCEEDED"));
}

TEST_F(Iso20022ConnectorTest, InquiryWhileTheBankHasNotSettledIsPending) {
  ASSERT_TRUE(bank().Call("POST", "/sim/config", R"({"settle_delay_ms": 700})").ok());
  const CollectionRequest request = Request(NewAccount(10000), 3000);
  Result<CollectionOutcome> collected = Collect(request);
  Result<CollectionOutcome> inquired = Inquire(request);
  ASSERT_TRUE(bank().Call("POST", "/sim/config", R"({"settle_delay_ms": 20})").ok());
  ASSERT_TRUE(collected.ok()) << collected.status();
  ASSERT_TRUE(inquired.ok()) << inquired.status();
  EXPECT_EQ(inquired->status, OutcomeStatus::kPending);
  std::optional<CollectionOutcome> reported = sink().WaitForCollection(request.payment_id);
  ASSERT_TRUE(reported.has_value());
  EXPECT_EQ(reported->status, OutcomeStatus::kSucceeded);
}

TEST_F(Iso20022ConnectorTest, DuplicateNotificationIsReportedTwiceAndDebitedOnce) {
  const std::string payer = NewAccount(10000);
  const CollectionRequest request = Request(payer, 1000);
  ASSERT_TRUE(bank().InjectFault(request.payment_id, "duplicate_notification").ok());
  ASSERT_TRUE(Collect(request).ok());

  ASSERT_TRUE(WaitFor([&] { return sink().Collections(request.payment_id).size() == 2; }))
      << "reported " << sink().Collections(request.payment_id).size() << " time(s)";
  for (const CollectionOutcome& outcome : sink().Collections(request.payment_id)) {
    EXPECT_EQ(outcome.status, OutcomeStatus::kSucceeded);
  }
  ASSERT_TRUE(
      WaitFor([&] { return Transaction(request.payment_id)->notifications_delivered == 2; }));
  EXPECT_EQ(Transaction(request.payment_id)->times_debited, 1);
  EXPECT_EQ(BalanceOf(payer), 9000);
}

TEST_F(Iso20022ConnectorTest, EarlyNotificationBeforeTheAnswer) {
  const CollectionRequest request = Request(NewAccount(10000), 1000);
  ASSERT_TRUE(bank().InjectFault(request.payment_id, "early_notification").ok());
  // What the sink held when Collect answered, and the answer.
  using Seen = std::pair<size_t, Result<CollectionOutcome>>;
  Waiter<Seen> waiter;
  std::function<void(Seen)> callback = waiter.Callback();
  const std::string payment_id = request.payment_id;
  connector().Collect(request, [callback, payment_id](Result<CollectionOutcome> outcome) {
    callback(Seen(sink().Collections(payment_id).size(), std::move(outcome)));
  });
  std::optional<Seen> seen = waiter.Wait();
  ASSERT_TRUE(seen.has_value()) << "Collect never called back";
  EXPECT_EQ(seen->first, 1u) << "the pacs.002 was to be recorded before the 202 came";
  const Result<CollectionOutcome>& collected = seen->second;
  ASSERT_TRUE(collected.ok()) << collected.status();
  // The connector already knows the outcome, so Collect gives it.
  EXPECT_EQ(collected->status, OutcomeStatus::kSucceeded);
  EXPECT_EQ(Transaction(request.payment_id)->times_debited, 1);
}

TEST_F(Iso20022ConnectorTest, SinkFailureAnswers503AndTheBankRetriesUntilRecorded) {
  const CollectionRequest request = Request(NewAccount(10000), 1000);
  sink().FailNext(request.payment_id, 2);
  ASSERT_TRUE(Collect(request).ok());
  std::optional<CollectionOutcome> reported = sink().WaitForCollection(request.payment_id);
  ASSERT_TRUE(reported.has_value()) << "the bank gave up or the connector acknowledged too soon";
  EXPECT_EQ(reported->status, OutcomeStatus::kSucceeded);
  EXPECT_EQ(sink().Failures(request.payment_id), 2);
  ASSERT_TRUE(
      WaitFor([&] { return Transaction(request.payment_id)->notifications_delivered == 1; }));
  // Two 503s, then 200 (a poll may have taken one of the failures: then only one 503).
  EXPECT_GE(Transaction(request.payment_id)->notification_attempts, 2);
}

TEST_F(Iso20022ConnectorTest, NotificationWithAnotherCertificateIs403AndReportsNothing) {
  const std::string payment_id = NewId();
  Result<HttpResponse> answer = Notify(kStrangerCertName, "/pacs.002", SettledPacs002(payment_id));
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 403) << answer->body;
  EXPECT_TRUE(sink().Collections(payment_id).empty());

  // The same message with the bank's certificate is taken.
  answer = Notify(kBankCertName, "/pacs.002", SettledPacs002(payment_id));
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(sink().Collections(payment_id).size(), 1u);
}

TEST_F(Iso20022ConnectorTest, ClientsWithoutCertificateCannotConnect) {
  // To the bank.
  Result<std::shared_ptr<HttpClient>> to_bank = MakeClient(*env_, "", bank().url());
  ASSERT_TRUE(to_bank.ok()) << to_bank.status();
  HttpRequest stats;
  stats.method = "GET";
  stats.target = "/sim/stats";
  Result<HttpResponse> answer = (*to_bank)->SendAndWait(stats);
  EXPECT_EQ(answer.status().code(), StatusCode::kUnavailable) << answer.status();
  // To the gateway's notification endpoint.
  const std::string payment_id = NewId();
  answer = Notify("", "/pacs.002", SettledPacs002(payment_id));
  EXPECT_EQ(answer.status().code(), StatusCode::kUnavailable) << answer.status();
  EXPECT_TRUE(sink().Collections(payment_id).empty());
}

TEST_F(Iso20022ConnectorTest, SchemaInvalidMessagesAre400) {
  // A pacs.002 missing its mandatory CreDtTm, to the gateway.
  const std::string invalid =
      "<?xml version=\"1.0\"?><Document "
      "xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10\"><FIToFIPmtStsRpt><GrpHdr>"
      "<MsgId>X</MsgId></GrpHdr></FIToFIPmtStsRpt></Document>";
  Result<HttpResponse> answer = Notify(kBankCertName, "/pacs.002", invalid);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 400);
  EXPECT_NE(answer->body.find("CreDtTm"), std::string::npos) << answer->body;
  answer = Notify(kBankCertName, "/camt.054", "<not-even-iso/>");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 400) << answer->body;
  answer = Notify(kBankCertName, "/pacs.008", SettledPacs002(NewId()));
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status, 404) << answer->body;

  // A pain.008 that is not one, to the bank.
  Result<HttpResponse> refused =
      bank().Call("POST", std::string(kPain008Path), invalid, "application/xml");
  ++env_->deliberately_invalid;
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->status, 400) << refused->body;
}

TEST_F(Iso20022ConnectorTest, SameEndToEndIdForAnotherPaymentIsRejectedAsDuplicate) {
  const std::string payer = NewAccount(10000);
  CollectionRequest request = Request(payer, 1000);
  ASSERT_TRUE(Collect(request).ok());
  ASSERT_TRUE(sink().WaitForCollection(request.payment_id).has_value());
  request.amount = Sar(1100);
  Result<CollectionOutcome> reused = Collect(request);
  ASSERT_TRUE(reused.ok()) << reused.status();
  EXPECT_EQ(reused->status, OutcomeStatus::kFailed);
  EXPECT_EQ(reused->failure_code, "DECLINED:DUPL");
  EXPECT_EQ(Transaction(request.payment_id)->times_debited, 1);
  EXPECT_EQ(BalanceOf(payer), 9000);
}

TEST_F(Iso20022ConnectorTest, CounterPaymentArrivesAsCamt054Credit) {
  const std::string payer = NewAccount(5000);
  const int64_t collection_before = BalanceOf(bank().collection_iban());
  const std::string bill = GenerateBillNumber();
  Result<std::string> reference = bank().CounterPayment(payer, bill, Sar(2000));
  ASSERT_TRUE(reference.ok()) << reference.status();
  ASSERT_FALSE(reference->empty());

  ASSERT_TRUE(WaitFor([&] { return !sink().Credits(*reference).empty(); }));
  const CreditNotice notice = sink().Credits(*reference).front();
  EXPECT_EQ(notice.reference, *reference);
  EXPECT_EQ(notice.method, PaymentMethod::kBankTransfer);
  EXPECT_EQ(notice.bill_number, bill);
  EXPECT_EQ(notice.amount, Sar(2000));
  EXPECT_EQ(notice.payer_account, payer);
  EXPECT_FALSE(notice.payer_name.empty());
  EXPECT_GT(notice.booking_time_ms, NowMs() - 60000);
  EXPECT_EQ(BalanceOf(payer), 3000);
  EXPECT_EQ(BalanceOf(bank().collection_iban()), collection_before + 2000);

  // A failing sink makes the connector answer 503 and the bank send the camt.054 again.
  const std::string second_bill = GenerateBillNumber();
  sink().FailNext(second_bill, 1);
  Result<std::string> second = bank().CounterPayment(payer, second_bill, Sar(100));
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE(WaitFor([&] { return !sink().Credits(*second).empty(); }));
  EXPECT_EQ(sink().Credits(*second).front().bill_number, second_bill);
  EXPECT_EQ(sink().Failures(second_bill), 1);
}

TEST_F(Iso20022ConnectorTest, RefundReturnsTheMoney) {
  const std::string payer = NewAccount(10000);
  const CollectionRequest request = Request(payer, 3000);
  ASSERT_TRUE(Collect(request).ok());
  std::optional<CollectionOutcome> collected = sink().WaitForCollection(request.payment_id);
  ASSERT_TRUE(collected.has_value());
  ASSERT_EQ(collected->status, OutcomeStatus::kSucceeded);
  const int64_t collection_before = BalanceOf(bank().collection_iban());

  RefundRequest refund;
  refund.refund_id = NewId("ref_");
  refund.payment_id = request.payment_id;
  refund.connector_reference = collected->connector_reference;
  refund.amount = Sar(3000);
  refund.reason = "fee waived";
  Result<RefundOutcome> refunded = Refund(refund);
  ASSERT_TRUE(refunded.ok()) << refunded.status();
  EXPECT_EQ(refunded->status, OutcomeStatus::kPending);

  std::optional<SimTransaction> settled = WaitForSettlement(refund.refund_id);
  ASSERT_TRUE(settled.has_value());
  EXPECT_EQ(settled->kind, "refund");
  EXPECT_EQ(settled->status, "ACSC");
  EXPECT_EQ(BalanceOf(payer), 10000);
  EXPECT_EQ(BalanceOf(bank().collection_iban()), collection_before - 3000);
  EXPECT_TRUE(
      WaitFor([&] { return env_->logger.Contains("refund " + refund.refund_id + ": SUCCEEDED"); }));

  // To an explicit account, more than the collection account holds: AM04.
  RefundRequest too_much = refund;
  too_much.refund_id = NewId("ref_");
  too_much.destination_account = NewAccount(0);
  too_much.amount = Sar(BalanceOf(bank().collection_iban()) + 1);
  ASSERT_TRUE(Refund(too_much).ok());
  settled = WaitForSettlement(too_much.refund_id);
  ASSERT_TRUE(settled.has_value());
  EXPECT_EQ(settled->status, "RJCT");
  EXPECT_EQ(settled->reason_code, "AM04");
  EXPECT_EQ(BalanceOf(too_much.destination_account), 0);
}

TEST_F(Iso20022ConnectorTest, StatementMatchesCollectionsCounterPaymentsAndRefunds) {
  const int64_t from_ms = NowMs();
  const int64_t balance_before = BalanceOf(bank().collection_iban());
  const std::string payer = NewAccount(100000);
  const CollectionRequest first = Request(payer, 1234);
  const CollectionRequest second = Request(payer, 5678);
  ASSERT_TRUE(Collect(first).ok());
  ASSERT_TRUE(Collect(second).ok());
  const std::string bill = GenerateBillNumber();
  Result<std::string> counter = bank().CounterPayment(payer, bill, Sar(999));
  ASSERT_TRUE(counter.ok()) << counter.status();
  ASSERT_TRUE(sink().WaitForCollection(first.payment_id).has_value());
  ASSERT_TRUE(sink().WaitForCollection(second.payment_id).has_value());
  RefundRequest refund;
  refund.refund_id = NewId("ref_");
  refund.payment_id = first.payment_id;
  refund.amount = Sar(500);
  ASSERT_TRUE(Refund(refund).ok());
  std::optional<SimTransaction> refunded = WaitForSettlement(refund.refund_id);
  ASSERT_TRUE(refunded.has_value());
  ASSERT_EQ(refunded->status, "ACSC");
  const int64_t to_ms = NowMs() + 1;
  const int64_t balance_after = BalanceOf(bank().collection_iban());

  Result<Statement> statement = FetchStatement(from_ms, to_ms);
  ASSERT_TRUE(statement.ok()) << statement.status();
  EXPECT_EQ(statement->from_ms, from_ms);
  EXPECT_EQ(statement->to_ms, to_ms);
  std::map<std::string, Money> by_payment;
  std::map<std::string, StatementLine> by_reference;
  int64_t total = 0;
  for (const StatementLine& line : statement->lines) {
    if (!line.payment_id.empty()) by_payment[line.payment_id] = line.amount;
    by_reference[line.connector_reference] = line;
    total += line.amount.minor_units();
    EXPECT_GE(line.booking_time_ms, from_ms);
    EXPECT_LT(line.booking_time_ms, to_ms);
  }
  EXPECT_EQ(by_payment[first.payment_id], Sar(1234));
  EXPECT_EQ(by_payment[second.payment_id], Sar(5678));
  ASSERT_EQ(by_reference.count(*counter), 1u);
  EXPECT_EQ(by_reference[*counter].amount, Sar(999));
  EXPECT_TRUE(by_reference[*counter].payment_id.empty());
  ASSERT_EQ(by_reference.count(refunded->account_servicer_reference), 1u);
  EXPECT_EQ(by_reference[refunded->account_servicer_reference].amount, Sar(-500));
  EXPECT_TRUE(by_reference[refunded->account_servicer_reference].payment_id.empty());
  EXPECT_EQ(total, balance_after - balance_before) << "the lines must add up to the movement";
  EXPECT_EQ(BalanceOf(payer), 100000 - 1234 - 5678 - 999 + 500);
}

TEST_F(Iso20022ConnectorTest, RandomFaultsNeverCollectTwiceAndEveryOutcomeAgreesWithTheBank) {
  sim::SimFaults faults;
  faults.timeout_rate = 0.1;
  faults.error_rate = 0.15;
  faults.decline_rate = 0.1;
  faults.lost_notification_rate = 0.2;
  faults.duplicate_notification_rate = 0.2;
  faults.early_notification_rate = 0.2;
  faults.seed = 7;
  ASSERT_TRUE(bank().SetFaults(faults).ok());
  constexpr int kPayments = 16;
  std::vector<CollectionRequest> requests;
  std::vector<Waiter<Result<CollectionOutcome>>> waiters(kPayments);
  for (int i = 0; i < kPayments; ++i) {
    requests.push_back(Request(NewAccount(10000), 1000));
    connector().Collect(requests.back(), waiters[static_cast<size_t>(i)].Callback());
  }
  std::vector<std::optional<Result<CollectionOutcome>>> first(kPayments);
  for (int i = 0; i < kPayments; ++i)
    first[static_cast<size_t>(i)] = waiters[static_cast<size_t>(i)].Wait();
  ASSERT_TRUE(bank().SetFaults(sim::SimFaults{}).ok());

  int unknown = 0;
  for (int i = 0; i < kPayments; ++i) {
    const CollectionRequest& request = requests[static_cast<size_t>(i)];
    const std::optional<Result<CollectionOutcome>>& collected = first[static_cast<size_t>(i)];
    ASSERT_TRUE(collected.has_value()) << "Collect never called back";
    if (collected->ok()) continue;
    ++unknown;
    EXPECT_NE(collected->status().code(), StatusCode::kUnavailable) << collected->status();
    // What the gateway does with an unknown outcome: inquire. Not found, it records the payment
    // failed; a late copy of the request must then not collect.
    Result<CollectionOutcome> inquired = Inquire(request);
    if (inquired.status().code() == StatusCode::kNotFound) {
      Result<CollectionOutcome> late = Collect(request);
      ASSERT_TRUE(late.ok()) << late.status();
      EXPECT_EQ(late->status, OutcomeStatus::kFailed);
    } else {
      ASSERT_TRUE(inquired.ok()) << inquired.status();
    }
  }
  EXPECT_GT(unknown, 0) << "the dice produced no timeout or error: change the seed";

  for (const CollectionRequest& request : requests) {
    std::optional<SimTransaction> settled = WaitForSettlement(request.payment_id);
    ASSERT_TRUE(settled.has_value()) << request.payment_id;
    EXPECT_EQ(settled->times_debited, settled->status == "ACSC" ? 1 : 0);
    EXPECT_EQ(BalanceOf(request.payer_account), 10000 - 1000 * settled->times_debited);
    Result<CollectionOutcome> inquired = Inquire(request);
    ASSERT_TRUE(inquired.ok()) << inquired.status();
    const OutcomeStatus expected =
        settled->status == "ACSC" ? OutcomeStatus::kSucceeded : OutcomeStatus::kFailed;
    EXPECT_EQ(inquired->status, expected);
    // Whatever reached the sink (pushes, polls) says the same.
    for (const CollectionOutcome& reported : sink().Collections(request.payment_id)) {
      EXPECT_EQ(reported.status, expected) << request.payment_id;
    }
  }
}

TEST_F(Iso20022ConnectorTest, ConformanceHarnessDrivesEveryScenario) {
  using connector::conformance::Scenario;
  sim::BankHarness harness;
  RecordingSink harness_sink;
  ConnectorContext context;
  context.name = "bank";
  context.scheduler = env_->runtime.get();
  context.clock = &env_->clock;
  context.logger = &env_->logger;
  context.sink = &harness_sink;
  // Nothing listens there: outcomes come by polling, as with a plain-HTTP kit endpoint.
  Result<std::unique_ptr<Connector>> made =
      harness.Create(context, "https://127.0.0.1:1/connectors/bank");
  ASSERT_TRUE(made.ok()) << made.status();
  Connector& bank_connector = **made;
  auto run = [&](Scenario scenario, Result<CollectionOutcome>* collected) {
    CollectionRequest request = Request("", 1500);
    request.method = PaymentMethod::kSandbox;
    Status prepared = harness.Prepare(scenario, &request);
    EXPECT_TRUE(prepared.ok()) << prepared;
    EXPECT_EQ(request.method, PaymentMethod::kBankTransfer);
    Waiter<Result<CollectionOutcome>> waiter;
    bank_connector.Collect(request, waiter.Callback());
    *collected = waiter.Wait().value_or(absl::DeadlineExceededError("no callback"));
    return request;
  };
  Result<CollectionOutcome> collected = absl::UnknownError("");
  const CollectionRequest ok = run(Scenario::kSucceed, &collected);
  EXPECT_TRUE(collected.ok() && collected->status == OutcomeStatus::kPending) << collected.status();
  const CollectionRequest declined = run(Scenario::kDecline, &collected);
  EXPECT_TRUE(collected.ok()) << collected.status();
  const CollectionRequest lost = run(Scenario::kLostAnswer, &collected);
  EXPECT_FALSE(collected.ok());
  EXPECT_NE(collected.status().code(), StatusCode::kUnavailable);
  const CollectionRequest never = run(Scenario::kNeverReceived, &collected);
  EXPECT_FALSE(collected.ok());

  std::optional<CollectionOutcome> outcome = harness_sink.WaitForCollection(ok.payment_id);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->status, OutcomeStatus::kSucceeded);
  outcome = harness_sink.WaitForCollection(declined.payment_id);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->failure_code, "INSUFFICIENT_FUNDS");
  auto inquire = [&](const CollectionRequest& request) {
    Waiter<Result<CollectionOutcome>> waiter;
    bank_connector.Inquire(request, waiter.Callback());
    return waiter.Wait().value_or(absl::DeadlineExceededError("no callback"));
  };
  Result<CollectionOutcome> inquired = inquire(lost);
  ASSERT_TRUE(inquired.ok()) << inquired.status();
  EXPECT_EQ(inquired->status, OutcomeStatus::kSucceeded);
  EXPECT_TRUE(harness_sink.Collections(lost.payment_id).empty()) << "lost means lost";
  EXPECT_EQ(inquire(never).status().code(), StatusCode::kNotFound);

  // Notifications the harness makes.
  auto deliver = [&](Result<Notification> notification) {
    EXPECT_TRUE(notification.ok()) << notification.status();
    Waiter<NotificationReply> waiter;
    bank_connector.HandleNotification(*notification, waiter.Callback());
    return waiter.Wait().value_or(NotificationReply{0, "", "no reply"}).http_status;
  };
  CollectionRequest notified = Request(bank().NewIban(), 100);
  CollectionOutcome settled;
  settled.status = OutcomeStatus::kSucceeded;
  EXPECT_EQ(deliver(harness.MakeNotification(notified, settled, /*valid_signature=*/false)), 403);
  EXPECT_TRUE(harness_sink.Collections(notified.payment_id).empty());
  EXPECT_EQ(deliver(harness.MakeNotification(notified, settled, /*valid_signature=*/true)), 200);
  EXPECT_EQ(harness_sink.Collections(notified.payment_id).size(), 1u);
  EXPECT_EQ(deliver(harness.MakeMalformedNotification()), 400);
  made->reset();
}

TEST_F(Iso20022ConnectorTest, ConfigurationErrorsNameTheKey) {
  ConnectorContext context;
  context.name = "bank";
  context.scheduler = env_->runtime.get();
  context.clock = &env_->clock;
  context.logger = &env_->logger;
  context.sink = &env_->sink;
  EXPECT_EQ(NewIso20022Connector(context).status().code(), StatusCode::kInvalidArgument);
  context.http = MakeClient(*env_, kGatewayCertName, bank().url()).value();
  std::map<std::string, std::string> values = {{"collection_iban", bank().collection_iban()},
                                               {"creditor_scheme_id", "SA00ZZZ0000000001"}};
  context.config = connector::ConnectorConfig(values);
  Result<std::unique_ptr<Connector>> made = NewIso20022Connector(context);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("bank_common_name"), std::string::npos) << made.status();
  values["bank_common_name"] = "bank";
  values["collection_iban"] = "SA00 1234";
  context.config = connector::ConnectorConfig(values);
  made = NewIso20022Connector(context);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("collection_iban"), std::string::npos) << made.status();
  values["collection_iban"] = bank().collection_iban();
  values["iso20022_schema_dir"] = "/nonexistent";
  context.config = connector::ConnectorConfig(values);
  made = NewIso20022Connector(context);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("iso20022_schema_dir"), std::string::npos)
      << made.status();
  values.erase("iso20022_schema_dir");
  values["collection_bic"] = "NOT A BIC";
  context.config = connector::ConnectorConfig(values);
  made = NewIso20022Connector(context);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("collection_bic"), std::string::npos) << made.status();
  values.erase("collection_bic");
  values["methods"] = "BANK_TRANSFER,PIGEON";
  context.config = connector::ConnectorConfig(values);
  EXPECT_NE(NewIso20022Connector(context).status().message().find("PIGEON"), std::string::npos);
}

TEST(IbanTest, NormalizesChecksAndMasks) {
  const std::string iban = MakeIban("SA", "80000000608010167519");
  EXPECT_EQ(iban, "SA0380000000608010167519");  // the published example
  EXPECT_EQ(NormalizeIban("sa03 8000 0000 6080 1016 7519").value(), iban);
  EXPECT_EQ(NormalizeIban("SA04 8000 0000 6080 1016 7519").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(NormalizeIban("+966501234567").ok());
  EXPECT_FALSE(NormalizeIban("").ok());
  EXPECT_EQ(MaskIban(iban), "SA03…7519");
  EXPECT_EQ(FailureCodeForReason("AM04"), "INSUFFICIENT_FUNDS");
  EXPECT_EQ(FailureCodeForReason("AC01"), "UNKNOWN_ACCOUNT");
  EXPECT_EQ(FailureCodeForReason("AC04"), "DECLINED:AC04");
  EXPECT_EQ(CollectionMessageId("pay_0123456789abcdef0123"), "PD-pay_0123456789abcdef0123");
  EXPECT_LE(CollectionMessageId(std::string(40, 'x')).size(), 35u);
}

// Declared last: runs after the others (gtest keeps declaration order unless shuffled).
// Also correct alone (ctest runs each test in its own process): it sends a pain.008 and a
// pain.001 of its own.
TEST_F(Iso20022ConnectorTest, EveryMessageTheBankReceivedOrSentWasSchemaValid) {
  const CollectionRequest request = Request(NewAccount(10000), 4321);
  ASSERT_TRUE(Collect(request).ok());
  ASSERT_TRUE(sink().WaitForCollection(request.payment_id).has_value());
  RefundRequest refund;
  refund.refund_id = NewId("ref_");
  refund.payment_id = request.payment_id;
  refund.amount = Sar(4321);
  ASSERT_TRUE(Refund(refund).ok());
  ASSERT_TRUE(WaitForSettlement(refund.refund_id).has_value());

  Result<sim::SimStats> stats = bank().GetStats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_GE(stats->messages_received, 2);
  EXPECT_GE(stats->messages_sent, 4);  // two pain.002, two pacs.002
  EXPECT_EQ(stats->invalid_messages_received, env_->deliberately_invalid)
      << "the connector sent the bank a schema-invalid message";
  EXPECT_EQ(stats->invalid_messages_sent, 0);
}

}  // namespace
}  // namespace pay::iso20022
