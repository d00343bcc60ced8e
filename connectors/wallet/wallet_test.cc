// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Integration tests of the wallet connector against the real wallet-sim binary, over real
// sockets with mutual TLS both ways (certificates from CreateDevelopmentPki in a temporary
// directory). The test process plays payd: an IoRuntime, a notification endpoint routing
// /connectors/<name>/* to the connector's HandleNotification, and a recording OutcomeSink.
// Every test checks, on the way out, that the money the wallets lost is exactly what the
// merchant account gained, and that no log line holds the shared secret.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "pay/connector/connector.h"
#include "pay/connector/http_runtime.h"
#include "pay/connector/pki.h"
#include "wallet_conformance_harness.h"
#include "wallet_connector.h"
#include "wallet_protocol.h"
#include "wallet_sim_process.h"

namespace pay::wallet {
namespace {

using connector::CollectionOutcome;
using connector::CollectionRequest;
using connector::OutcomeStatus;
using std::chrono::milliseconds;

constexpr char kSecret[] = "wallet-test-secret-5b7e0c1d";
constexpr int64_t kClientTimeoutMs = 800;
constexpr milliseconds kWait{5000};

Money Sar(int64_t minor_units) { return *Money::Create("SAR", minor_units); }

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Polls `condition` every 5 ms until it holds or `limit` passes.
bool WaitUntil(const std::function<bool()>& condition, milliseconds limit = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return condition();
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

class SystemClock final : public connector::Clock {
 public:
  int64_t NowMs() const override { return pay::wallet::NowMs(); }
};

// Keeps every line; the tests check that none holds the secret.
class RecordingLogger final : public connector::Logger {
 public:
  void Log(Level level, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.emplace_back(message);
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

// payd's part: records what the connector reports; can be told to fail.
class RecordingSink final : public connector::OutcomeSink {
 public:
  struct Collection {
    std::string payment_id;
    CollectionOutcome outcome;
  };

  Status ReportCollection(std::string_view payment_id, const CollectionOutcome& outcome) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_) {
      ++refused_;
      return absl::UnavailableError("test sink told to fail");
    }
    collections_.push_back({std::string(payment_id), outcome});
    return absl::OkStatus();
  }

  Status ReportCredit(const connector::CreditNotice& notice) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_) {
      ++refused_;
      return absl::UnavailableError("test sink told to fail");
    }
    credits_.push_back(notice);
    return absl::OkStatus();
  }

  void set_fail(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = fail;
  }

  int refused() {
    std::lock_guard<std::mutex> lock(mu_);
    return refused_;
  }

  std::vector<CollectionOutcome> For(const std::string& payment_id) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<CollectionOutcome> found;
    for (const Collection& collection : collections_) {
      if (collection.payment_id == payment_id) found.push_back(collection.outcome);
    }
    return found;
  }

  // Waits until `count` outcomes were reported for `payment_id`.
  std::vector<CollectionOutcome> WaitFor(const std::string& payment_id, size_t count = 1) {
    WaitUntil([&] { return For(payment_id).size() >= count; });
    return For(payment_id);
  }

  std::optional<connector::CreditNotice> Credit(const std::string& reference) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const connector::CreditNotice& notice : credits_) {
      if (notice.reference == reference) return notice;
    }
    return std::nullopt;
  }

 private:
  std::mutex mu_;
  bool fail_ = false;
  int refused_ = 0;
  std::vector<Collection> collections_;
  std::vector<connector::CreditNotice> credits_;
};

template <typename T>
Result<T> Await(std::future<Result<T>>& future) {
  if (future.wait_for(milliseconds(10000)) != std::future_status::ready) {
    return absl::DeadlineExceededError("test: the connector did not answer within 10 s");
  }
  return future.get();
}

// What the whole suite shares: the PKI, the simulator, payd's notification endpoint and the
// connectors ("wallet": callbacks; "wallet-poll": quick polling fallback).
struct Suite {
  std::string root;
  std::string pki;
  std::unique_ptr<connector::IoRuntime> runtime;
  std::unique_ptr<connector::HttpServer> notify;
  std::unique_ptr<WalletSimProcess> sim;
  std::unique_ptr<connector::HttpClient> notify_client;  // "the wallet" posting callbacks
  SystemClock clock;
  RecordingLogger logger;
  RecordingSink sink;
  std::mutex mu;
  std::map<std::string, std::unique_ptr<connector::Connector>> connectors;  // by name

  connector::Connector* Find(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = connectors.find(name);
    return it == connectors.end() ? nullptr : it->second.get();
  }

  std::string NotifyBase() const { return "https://127.0.0.1:" + std::to_string(notify->port()); }

  connector::TlsOptions Tls(const std::string& name) const {
    connector::TlsOptions tls;
    tls.ca_file = pki + "/ca.pem";
    tls.cert_file = pki + "/" + name + ".pem";
    tls.key_file = pki + "/" + name + ".key";
    return tls;
  }

  Result<std::unique_ptr<connector::Connector>> MakeConnector(
      const std::string& name, std::map<std::string, std::string> extra) {
    connector::HttpClientOptions http;
    http.base_url = sim->base_url();
    http.tls = Tls("payd");
    http.timeout = milliseconds(kClientTimeoutMs);
    PAY_ASSIGN_OR_RETURN(std::unique_ptr<connector::HttpClient> client,
                         connector::MakeHttpClient(*runtime, http));
    std::map<std::string, std::string> values = {
        {"url", sim->base_url()},
        {"merchant_id", "gateway"},
        {"hmac_secret_file", sim->secret_file()},
        {"callback_url", NotifyBase() + "/connectors/" + name + "/callback"},
    };
    for (auto& [key, value] : extra) values[key] = value;
    connector::ConnectorContext context;
    context.name = name;
    context.config = connector::ConnectorConfig(values);
    context.http = std::move(client);
    context.scheduler = runtime.get();
    context.clock = &clock;
    context.logger = &logger;
    context.sink = &sink;
    return NewWalletConnector(context);
  }
};

Suite* suite = nullptr;

class WalletConnectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite = new Suite;
    suite->root = ::testing::TempDir() + "wallet_test_" + std::to_string(::getpid());
    std::filesystem::remove_all(suite->root);
    suite->pki = suite->root + "/pki";
    ASSERT_TRUE(connector::CreateDevelopmentPki(suite->pki, {"wallet-sim", "payd"}).ok());
    suite->runtime = std::make_unique<connector::IoRuntime>(2);

    // payd's notification endpoint: mutual TLS, the wallet presents its certificate.
    connector::HttpServerOptions server_options;
    server_options.tls = suite->Tls("payd");
    server_options.tls.require_client_cert = true;
    auto notify = connector::HttpServer::Start(
        *suite->runtime, server_options,
        [](connector::HttpServerRequest request, connector::HttpResponder respond) {
          const std::string prefix = "/connectors/";
          std::string target = request.target;
          if (target.rfind(prefix, 0) != 0) return respond({404, {}, "no such endpoint\n"});
          target.erase(0, prefix.size());
          const size_t slash = target.find('/');
          connector::Connector* found = suite->Find(target.substr(0, slash));
          if (found == nullptr) return respond({404, {}, "no such connector\n"});
          connector::Notification notification;
          notification.path = slash == std::string::npos ? "/" : target.substr(slash);
          notification.headers = std::move(request.headers);
          notification.body = std::move(request.body);
          notification.peer_common_name = std::move(request.peer_common_name);
          found->HandleNotification(notification, [respond](connector::NotificationReply reply) {
            respond(
                {reply.http_status, {{"Content-Type", reply.content_type}}, std::move(reply.body)});
          });
        });
    ASSERT_TRUE(notify.ok()) << notify.status();
    suite->notify = std::move(*notify);

    WalletSimOptions options;
    options.work_dir = suite->root + "/sim";
    options.hmac_secret = kSecret;
    options.server_tls = suite->Tls("wallet-sim");
    options.server_tls.require_client_cert = true;
    options.callback_tls = suite->Tls("wallet-sim");
    options.client_tls = suite->Tls("payd");
    options.merchant_callback_url = suite->NotifyBase() + "/connectors/wallet/callback";
    options.hold_ms = kClientTimeoutMs + 2000;
    auto sim = WalletSimProcess::Start(options);
    ASSERT_TRUE(sim.ok()) << sim.status();
    suite->sim = std::move(*sim);

    connector::HttpClientOptions client_options;
    client_options.base_url = suite->NotifyBase();
    client_options.tls = suite->Tls("wallet-sim");
    auto client = connector::MakeHttpClient(*suite->runtime, client_options);
    ASSERT_TRUE(client.ok()) << client.status();
    suite->notify_client = std::move(*client);

    auto wallet = suite->MakeConnector("wallet", {{"poll_after_ms", "60000"}});
    ASSERT_TRUE(wallet.ok()) << wallet.status();
    auto polling = suite->MakeConnector(
        "wallet-poll", {{"poll_after_ms", "100"}, {"poll_max_ms", "400"}, {"poll_attempts", "5"}});
    ASSERT_TRUE(polling.ok()) << polling.status();
    std::lock_guard<std::mutex> lock(suite->mu);
    suite->connectors["wallet"] = std::move(*wallet);
    suite->connectors["wallet-poll"] = std::move(*polling);
  }

  static void TearDownTestSuite() {
    if (suite == nullptr) return;
    if (suite->sim) {
      EXPECT_TRUE(suite->sim->Stop().ok());
    }
    if (suite->notify) suite->notify->Stop();
    {
      std::lock_guard<std::mutex> lock(suite->mu);
      suite->connectors.clear();
    }
    if (suite->runtime) suite->runtime->Stop();
    std::filesystem::remove_all(suite->root);
    delete suite;
    suite = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(suite->sim, nullptr);
    ASSERT_TRUE(suite->sim->SetFaults({}).ok());
    auto merchant = sim().GetMerchant();
    ASSERT_TRUE(merchant.ok()) << merchant.status();
    merchant_before_ = merchant->Balance("SAR");
  }

  void TearDown() override {
    // Money is conserved: what the wallets lost, the merchant gained.
    int64_t debited = 0;
    for (const auto& [msisdn, initial] : wallets_) {
      auto wallet = sim().GetWallet(msisdn);
      ASSERT_TRUE(wallet.ok()) << wallet.status();
      EXPECT_GE(wallet->balance.minor_units(), 0);
      debited += initial - wallet->balance.minor_units();
    }
    auto merchant = sim().GetMerchant();
    ASSERT_TRUE(merchant.ok()) << merchant.status();
    EXPECT_EQ(merchant->Balance("SAR") - merchant_before_, debited)
        << "the merchant's gain differs from the wallets' debits";
    for (const std::string& line : suite->logger.lines()) {
      EXPECT_EQ(line.find(kSecret), std::string::npos) << "secret logged: " << line;
    }
    suite->sink.set_fail(false);
  }

  static WalletSimProcess& sim() { return *suite->sim; }
  static connector::Connector& wallet() { return *suite->Find("wallet"); }
  static connector::Connector& polling_wallet() { return *suite->Find("wallet-poll"); }
  static RecordingSink& sink() { return suite->sink; }

  // A wallet with `balance` SAR minor units, remembered for the conservation check.
  std::string NewWallet(int64_t balance, const std::string& name = "Citizen") {
    static std::atomic<int> counter{0};
    char digits[16];
    std::snprintf(digits, sizeof(digits), "%08d", (getpid() % 100) * 1000000 + ++counter);
    const std::string msisdn = std::string("+9665") + digits;
    EXPECT_TRUE(sim().PutWallet(msisdn, name, Sar(balance)).ok());
    wallets_[msisdn] = balance;
    return msisdn;
  }

  int64_t Balance(const std::string& msisdn) {
    auto wallet = sim().GetWallet(msisdn);
    EXPECT_TRUE(wallet.ok()) << wallet.status();
    return wallet.ok() ? wallet->balance.minor_units() : -1;
  }

  static CollectionRequest Request(const std::string& msisdn, int64_t amount) {
    static std::atomic<int> counter{0};
    char id[40];
    std::snprintf(id, sizeof(id), "pay_%08x%012d", static_cast<unsigned>(getpid()), ++counter);
    CollectionRequest request;
    request.payment_id = id;
    request.agency_id = "agency-1";
    request.bill_number = "BILL-" + std::to_string(counter.load());
    request.amount = Sar(amount);
    request.method = PaymentMethod::kMobileWallet;
    request.payer_account = msisdn;
    request.create_time_ms = NowMs();
    return request;
  }

  static Result<CollectionOutcome> Collect(const CollectionRequest& request,
                                           connector::Connector& to = wallet()) {
    auto promise = std::make_shared<std::promise<Result<CollectionOutcome>>>();
    auto future = promise->get_future();
    to.Collect(request, [promise](Result<CollectionOutcome> r) { promise->set_value(r); });
    return Await(future);
  }

  static Result<CollectionOutcome> Inquire(const CollectionRequest& request) {
    auto promise = std::make_shared<std::promise<Result<CollectionOutcome>>>();
    auto future = promise->get_future();
    wallet().Inquire(request, [promise](Result<CollectionOutcome> r) { promise->set_value(r); });
    return Await(future);
  }

  static Result<connector::RefundOutcome> Refund(const CollectionRequest& collected,
                                                 const std::string& refund_id, int64_t amount) {
    connector::RefundRequest request;
    request.refund_id = refund_id;
    request.payment_id = collected.payment_id;
    request.amount = Sar(amount);
    request.reason = "duplicate payment";
    auto promise = std::make_shared<std::promise<Result<connector::RefundOutcome>>>();
    auto future = promise->get_future();
    wallet().Refund(request,
                    [promise](Result<connector::RefundOutcome> r) { promise->set_value(r); });
    return Await(future);
  }

  static Result<connector::Statement> Statement(int64_t from_ms, int64_t to_ms) {
    auto promise = std::make_shared<std::promise<Result<connector::Statement>>>();
    auto future = promise->get_future();
    wallet().FetchStatement(from_ms, to_ms,
                            [promise](Result<connector::Statement> r) { promise->set_value(r); });
    return Await(future);
  }

  // Collects and waits for the SUCCEEDED callback.
  void CollectSucceeded(const CollectionRequest& request) {
    auto outcome = Collect(request);
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    ASSERT_EQ(outcome->status, OutcomeStatus::kPending);
    auto reported = sink().WaitFor(request.payment_id);
    ASSERT_EQ(reported.size(), 1u);
    ASSERT_EQ(reported[0].status, OutcomeStatus::kSucceeded);
  }

  // A callback as the wallet would post it to the "wallet" connector.
  static std::string StatusCallback(const CollectionRequest& request, PaymentStatus status) {
    PaymentStatusEvent event;
    event.event_id = "EV-test-" + request.payment_id;
    event.report.request_id = request.payment_id;
    event.report.wallet_reference = "WR-test-" + request.payment_id;
    event.report.status = status;
    if (status == PaymentStatus::kFailed) event.report.reason = "DECLINED";
    event.report.amount = request.amount;
    return ToJson(event);
  }

  // Posts `body` to the notification endpoint, signed with `secret` at `timestamp`.
  static Result<connector::HttpResponse> PostCallback(const std::string& body,
                                                      const std::string& secret, int64_t timestamp,
                                                      const std::string& sent_body = "") {
    connector::HttpRequest request;
    request.method = "POST";
    request.target = "/connectors/wallet/callback";
    request.headers = {{"Content-Type", "application/json"}};
    SignHeaders(secret, timestamp, "POST", request.target, body, &request.headers);
    request.body = sent_body.empty() ? body : sent_body;
    return suite->notify_client->SendAndWait(std::move(request));
  }

  std::map<std::string, int64_t> wallets_;  // msisdn -> initial balance
  int64_t merchant_before_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The protocol library alone.

TEST(WalletProtocolTest, SignatureCoversTimestampMethodTargetAndBody) {
  connector::HttpHeaders headers;
  SignHeaders("s3cret", 1767225600, "POST", "/v1/refunds", "{}", &headers);
  EXPECT_EQ(HeaderValue(headers, "x-pay-timestamp"), "1767225600");
  EXPECT_EQ(SigningInput("1767225600", "POST", "/v1/refunds", "{}"),
            "1767225600.POST /v1/refunds.{}");
  EXPECT_TRUE(
      VerifySignature("s3cret", headers, "POST", "/v1/refunds", "{}", 1767225600, 300).ok());
  EXPECT_TRUE(
      VerifySignature("s3cret", headers, "POST", "/v1/refunds", "{}", 1767225900, 300).ok());
  for (auto [secret, method, target, body, now] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string, int64_t>>{
           {"other", "POST", "/v1/refunds", "{}", 1767225600},
           {"s3cret", "GET", "/v1/refunds", "{}", 1767225600},
           {"s3cret", "POST", "/v1/statement", "{}", 1767225600},
           {"s3cret", "POST", "/v1/refunds", "{ }", 1767225600},
           {"s3cret", "POST", "/v1/refunds", "{}", 1767225901},
           {"s3cret", "POST", "/v1/refunds", "{}", 1767225299}}) {
    Status status = VerifySignature(secret, headers, method, target, body, now, 300).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << method << " " << target;
    EXPECT_EQ(std::string(status.message()).find("s3cret"), std::string::npos);
  }
  EXPECT_EQ(VerifySignature("s3cret", {}, "POST", "/", "", 0, 300).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(WalletProtocolTest, MessagesRoundTripAndRejectFractionalAmounts) {
  RequestToPay order{"gateway",       "pay_1",  Sar(15000),
                     "+966501234567", "Bill 1", "https://payd:9444/connectors/wallet/callback"};
  auto parsed = ParseRequestToPay(ToJson(order));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, order);
  std::string fractional = ToJson(order);
  fractional.replace(fractional.find("15000"), 5, "150.5");
  EXPECT_EQ(ParseRequestToPay(fractional).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(IsE164("0501234567"));
  EXPECT_FALSE(IsE164("+0501234567"));
  EXPECT_TRUE(IsE164("+966501234567"));
  auto event = ParseCallbackEvent(ToJson(
      CreditEvent{"EV-1", "WP-1", "BILL-9", Sar(2500), "+966501234567", "Amal", 1767225600000}));
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(std::get<CreditEvent>(*event).bill_number, "BILL-9");
  EXPECT_FALSE(ParseCallbackEvent(R"({"event_id":"x","event_type":"PAYMENT_STATUS")").ok());
  EXPECT_EQ(QueryParameter("/v1/statement?from_ms=1&to_ms=2", "to_ms"), "2");
  EXPECT_EQ(*PercentDecode(PercentEncode("+9665 x/y")), "+9665 x/y");
}

// ---------------------------------------------------------------------------------------------
// Collections

TEST_F(WalletConnectorTest, CollectSucceedsViaCallback) {
  const std::string msisdn = NewWallet(50000);
  const CollectionRequest request = Request(msisdn, 15000);
  auto outcome = Collect(request);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->status, OutcomeStatus::kPending);
  EXPECT_FALSE(outcome->connector_reference.empty());
  auto reported = sink().WaitFor(request.payment_id);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].status, OutcomeStatus::kSucceeded);
  EXPECT_EQ(reported[0].connector_reference, outcome->connector_reference);
  EXPECT_EQ(Balance(msisdn), 35000);
  auto seen = sim().GetRequest(request.payment_id);
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(seen->status, "SUCCEEDED");
  EXPECT_EQ(seen->collected_count, 1);
  EXPECT_EQ(seen->callback_answers, std::vector<int>({200}));
}

TEST_F(WalletConnectorTest, InsufficientFundsDeclinesAndMovesNoMoney) {
  const std::string msisdn = NewWallet(1000);
  const CollectionRequest request = Request(msisdn, 15000);
  auto outcome = Collect(request);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->status, OutcomeStatus::kPending);
  auto reported = sink().WaitFor(request.payment_id);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].status, OutcomeStatus::kFailed);
  EXPECT_EQ(reported[0].failure_code, "INSUFFICIENT_FUNDS");
  EXPECT_EQ(Balance(msisdn), 1000);
  auto merchant = sim().GetMerchant();
  ASSERT_TRUE(merchant.ok());
  EXPECT_EQ(merchant->Balance("SAR"), merchant_before_);
}

TEST_F(WalletConnectorTest, UnknownWalletFailsAtOnce) {
  const CollectionRequest request = Request("+966599999999", 15000);
  auto outcome = Collect(request);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->status, OutcomeStatus::kFailed);
  EXPECT_EQ(outcome->failure_code, "UNKNOWN_WALLET");
  auto inquiry = Inquire(request);
  ASSERT_TRUE(inquiry.ok()) << inquiry.status();
  EXPECT_EQ(inquiry->failure_code, "UNKNOWN_WALLET");
}

TEST_F(WalletConnectorTest, InvalidPayerAccountFailsWithoutCallingTheWallet) {
  for (const std::string account : {"0501234567", "+9665-0123", "", "+0501234567"}) {
    const CollectionRequest request = Request(account, 15000);
    auto outcome = Collect(request);
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    EXPECT_EQ(outcome->status, OutcomeStatus::kFailed);
    EXPECT_EQ(outcome->failure_code, "INVALID_PAYER_ACCOUNT");
    EXPECT_EQ(sim().GetRequest(request.payment_id).status().code(), absl::StatusCode::kNotFound);
  }
}

TEST_F(WalletConnectorTest, RepeatedCollectIsIdempotentAndConflictIsUnknown) {
  const std::string msisdn = NewWallet(50000);
  const CollectionRequest request = Request(msisdn, 15000);
  auto first = Collect(request);
  auto second = Collect(request);  // the same second: the connector defers its signature
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->connector_reference, second->connector_reference);
  sink().WaitFor(request.payment_id);
  CollectionRequest changed = request;
  changed.amount = Sar(15001);
  auto conflict = Collect(changed);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), absl::StatusCode::kInternal) << conflict.status();
  auto seen = sim().GetRequest(request.payment_id);
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->collected_count, 1);
  EXPECT_EQ(Balance(msisdn), 35000);
}

// ---------------------------------------------------------------------------------------------
// Faults

TEST_F(WalletConnectorTest, TimeoutIsAnUnknownOutcomeThatInquirySettles) {
  const std::string msisdn = NewWallet(50000);
  const CollectionRequest request = Request(msisdn, 15000);
  ASSERT_TRUE(sim().InjectFault(request.payment_id, "timeout").ok());
  auto outcome = Collect(request);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kDeadlineExceeded) << outcome.status();
  auto inquiry = Inquire(request);
  ASSERT_TRUE(inquiry.ok()) << inquiry.status();
  EXPECT_EQ(inquiry->status, OutcomeStatus::kSucceeded);
  // Collecting again (the gateway's retry) does not collect twice.
  auto again = Collect(request);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->status, OutcomeStatus::kSucceeded);
  auto seen = sim().GetRequest(request.payment_id);
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->collected_count, 1);
  EXPECT_EQ(Balance(msisdn), 35000);
  sink().WaitFor(request.payment_id);  // the callback still came
}

TEST_F(WalletConnectorTest, DroppedRequestIsNeverReceived) {
  const std::string msisdn = NewWallet(50000);
  const CollectionRequest request = Request(msisdn, 15000);
  ASSERT_TRUE(sim().InjectFault(request.payment_id, "drop_request").ok());
  auto outcome = Collect(request);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().code(), absl::StatusCode::kUnavailable) << outcome.status();
  auto inquiry = Inquire(request);
  EXPECT_EQ(inquiry.status().code(), absl::StatusCode::kNotFound) << inquiry.status();
  EXPECT_EQ(sim().GetRequest(request.payment_id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Balance(msisdn), 50000);
}

TEST_F(WalletConnectorTest, ServerErrorIsUnknownAndNotProcessed) {
  const std::string msisdn = NewWallet(50000);
  const CollectionRequest request = Request(msisdn, 15000);
  ASSERT_TRUE(sim().InjectFault(request.payment_id, "error").ok());
  auto outcome = Collect(request);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kInternal) << outcome.status();
  EXPECT_EQ(Inquire(request).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Balance(msisdn), 50000);
}

TEST_F(WalletConnectorTest, NothingSentIsUnavailable) {
  // A port nobody listens on: nothing can be sent.
  connector::HttpClientOptions http;
  http.base_url = "https://127.0.0.1:1";
  http.tls = suite->Tls("payd");
  auto client = connector::MakeHttpClient(*suite->runtime, http);
  ASSERT_TRUE(client.ok());
  connector::ConnectorContext context;
  context.name = "wallet-closed";
  context.config = connector::ConnectorConfig({{"merchant_id", "gateway"},
                                               {"hmac_secret_file", sim().secret_file()},
                                               {"callback_url", "https://127.0.0.1:9/cb"}});
  context.http = std::move(*client);
  context.sink = &sink();
  auto connector = NewWalletConnector(context);
  ASSERT_TRUE(connector.ok()) << connector.status();
  const CollectionRequest request = Request(NewWallet(100), 100);
  auto promise = std::make_shared<std::promise<Result<CollectionOutcome>>>();
  auto future = promise->get_future();
  (*connector)->Collect(request, [promise](Result<CollectionOutcome> r) { promise->set_value(r); });
  auto outcome = Await(future);
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kUnavailable) << outcome.status();
}

TEST_F(WalletConnectorTest, LostCallbackIsResolvedByPolling) {
  const std::string msisdn = NewWallet(50000);
  const CollectionRequest request = Request(msisdn, 15000);
  ASSERT_TRUE(sim().InjectFault(request.payment_id, "lost_callback").ok());
  auto outcome = Collect(request, polling_wallet());
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->status, OutcomeStatus::kPending);
  auto reported = sink().WaitFor(request.payment_id);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].status, OutcomeStatus::kSucceeded);
  auto seen = sim().GetRequest(request.payment_id);
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->callbacks_sent, 0);
  EXPECT_EQ(seen->collected_count, 1);
}

TEST_F(WalletConnectorTest, DuplicateCallbackIsReportedTwiceAndAcknowledgedTwice) {
  const std::string msisdn = NewWallet(50000);
  const CollectionRequest request = Request(msisdn, 15000);
  ASSERT_TRUE(sim().InjectFault(request.payment_id, "duplicate_callback").ok());
  ASSERT_TRUE(Collect(request).ok());
  auto reported = sink().WaitFor(request.payment_id, 2);
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_EQ(reported[0].status, OutcomeStatus::kSucceeded);
  EXPECT_EQ(reported[0].connector_reference, reported[1].connector_reference);
  EXPECT_EQ(reported[0].status, reported[1].status);
  ASSERT_TRUE(WaitUntil([&] {
    auto seen = sim().GetRequest(request.payment_id);
    return seen.ok() && seen->callback_answers == std::vector<int>({200, 200});
  }));
  EXPECT_EQ(sim().GetRequest(request.payment_id)->collected_count, 1);
}

TEST_F(WalletConnectorTest, EarlyCallbackMakesTheOutcomeKnown) {
  const std::string msisdn = NewWallet(50000);
  const CollectionRequest request = Request(msisdn, 15000);
  ASSERT_TRUE(sim().InjectFault(request.payment_id, "early_callback").ok());
  auto outcome = Collect(request);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->status, OutcomeStatus::kSucceeded);
  EXPECT_EQ(sink().For(request.payment_id).size(), 1u);  // reported before Collect answered
}

TEST_F(WalletConnectorTest, DeclineFault) {
  const std::string msisdn = NewWallet(50000);
  const CollectionRequest request = Request(msisdn, 15000);
  ASSERT_TRUE(sim().InjectFault(request.payment_id, "decline").ok());
  ASSERT_TRUE(Collect(request).ok());
  auto reported = sink().WaitFor(request.payment_id);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].failure_code, "DECLINED");
  EXPECT_EQ(Balance(msisdn), 50000);
}

TEST_F(WalletConnectorTest, RandomFaultsNeverLoseOrDoubleCollect) {
  SimFaults faults;
  faults.timeout_rate = 0.2;
  faults.error_rate = 0.15;
  faults.drop_rate = 0.15;
  faults.decline_rate = 0.1;
  faults.lost_callback_rate = 0.2;
  faults.duplicate_callback_rate = 0.2;
  faults.early_callback_rate = 0.2;
  faults.seed = 42;
  ASSERT_TRUE(sim().SetFaults(faults).ok());
  std::vector<CollectionRequest> requests;
  std::vector<std::future<Result<CollectionOutcome>>> answers;
  for (int i = 0; i < 12; ++i) requests.push_back(Request(NewWallet(20000), 5000));
  for (const CollectionRequest& request : requests) {
    answers.push_back(std::async(std::launch::async, [&request] { return Collect(request); }));
  }
  int unknown = 0;
  int never_received = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    Result<CollectionOutcome> outcome = answers[i].get();
    // What the gateway does: an unknown outcome is inquired; never received -> collect again.
    if (!outcome.ok()) {
      ++unknown;
      auto inquiry = Inquire(requests[i]);
      if (inquiry.status().code() == absl::StatusCode::kNotFound) {
        ++never_received;
        ASSERT_TRUE(sim().SetFaults({}).ok());
        outcome = Collect(requests[i]);
      } else {
        outcome = inquiry;
      }
    }
    ASSERT_TRUE(outcome.ok()) << outcome.status();
  }
  ASSERT_TRUE(sim().SetFaults({}).ok());
  // The seeded draws are the same every run: some answers are lost, some requests never arrive.
  EXPECT_GT(unknown, never_received);
  EXPECT_GT(never_received, 0);
  for (const CollectionRequest& request : requests) {
    Result<CollectionOutcome> final_outcome = absl::UnknownError("not asked");
    ASSERT_TRUE(WaitUntil([&] {
      final_outcome = Inquire(request);
      return final_outcome.ok() && final_outcome->status != OutcomeStatus::kPending;
    }));
    auto seen = sim().GetRequest(request.payment_id);
    ASSERT_TRUE(seen.ok()) << seen.status();
    EXPECT_LE(seen->collected_count, 1);
    EXPECT_EQ(seen->collected_count == 1, seen->status == "SUCCEEDED");
    // Whatever the callbacks reported agrees with the wallet's books.
    for (const CollectionOutcome& reported : sink().For(request.payment_id)) {
      EXPECT_EQ(reported.status, final_outcome->status) << request.payment_id;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Notifications

TEST_F(WalletConnectorTest, TamperedSignatureIsRejected) {
  const CollectionRequest request = Request("+966500000001", 15000);
  const std::string body = StatusCallback(request, PaymentStatus::kSucceeded);
  const int64_t now = NowMs() / 1000;
  auto wrong_secret = PostCallback(body, "not-the-secret", now);
  ASSERT_TRUE(wrong_secret.ok()) << wrong_secret.status();
  EXPECT_EQ(wrong_secret->status, 401);
  std::string tampered = body;
  tampered.replace(tampered.find("SUCCEEDED"), 9, "FAILED\",\"x");
  auto changed_body = PostCallback(body, kSecret, now, tampered);
  ASSERT_TRUE(changed_body.ok());
  EXPECT_EQ(changed_body->status, 401);
  EXPECT_TRUE(sink().For(request.payment_id).empty());
  // The same message, rightly signed, is taken.
  auto valid = PostCallback(body, kSecret, now);
  ASSERT_TRUE(valid.ok());
  EXPECT_EQ(valid->status, 200) << valid->body;
  EXPECT_EQ(sink().For(request.payment_id).size(), 1u);
}

TEST_F(WalletConnectorTest, StaleOrFutureTimestampIsRejected) {
  const CollectionRequest request = Request("+966500000002", 15000);
  const std::string body = StatusCallback(request, PaymentStatus::kSucceeded);
  for (int64_t skew : {-301, 301, -3600}) {
    auto answer = PostCallback(body, kSecret, NowMs() / 1000 + skew);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->status, 401) << "skew " << skew;
  }
  EXPECT_TRUE(sink().For(request.payment_id).empty());
}

TEST_F(WalletConnectorTest, MalformedJsonWithValidSignatureIs400) {
  for (const std::string& body :
       {std::string("{\"event_id\":\"EV-1\",\"event_type\":\"PAYMENT_STATUS\""),
        std::string("not json"), std::string(R"({"event_id":"EV-2","event_type":"REFUND_DONE"})"),
        std::string(R"({"event_id":"EV-3","event_type":"PAYMENT_STATUS","request_id":"p",)"
                    R"("wallet_reference":"w","status":"SUCCEEDED","reason":"",)"
                    R"("amount":{"currency":"SAR","minor_units":1.5}})")}) {
    auto answer = PostCallback(body, kSecret, NowMs() / 1000);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->status, 400) << body;
  }
}

TEST_F(WalletConnectorTest, SinkFailureIsAnswered503AndTheWalletRetries) {
  const std::string msisdn = NewWallet(50000);
  const CollectionRequest request = Request(msisdn, 15000);
  sink().set_fail(true);
  ASSERT_TRUE(Collect(request).ok());
  ASSERT_TRUE(WaitUntil([&] {
    auto seen = sim().GetRequest(request.payment_id);
    return seen.ok() && seen->callback_answers.size() >= 2;
  }));
  EXPECT_TRUE(sink().For(request.payment_id).empty());
  sink().set_fail(false);
  auto reported = sink().WaitFor(request.payment_id);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].status, OutcomeStatus::kSucceeded);
  ASSERT_TRUE(WaitUntil([&] {
    auto seen = sim().GetRequest(request.payment_id);
    return seen.ok() && !seen->callback_answers.empty() && seen->callback_answers.back() == 200;
  }));
  auto seen = sim().GetRequest(request.payment_id);
  ASSERT_TRUE(seen.ok());
  for (size_t i = 0; i + 1 < seen->callback_answers.size(); ++i) {
    EXPECT_EQ(seen->callback_answers[i], 503);
  }
}

TEST_F(WalletConnectorTest, PushIsReportedAsCredit) {
  const std::string msisdn = NewWallet(10000, "Amal Citizen");
  auto reference = sim().Push(msisdn, "BILL-2026-000123", Sar(2500));
  ASSERT_TRUE(reference.ok()) << reference.status();
  ASSERT_TRUE(WaitUntil([&] { return sink().Credit(*reference).has_value(); }));
  const connector::CreditNotice notice = *sink().Credit(*reference);
  EXPECT_EQ(notice.method, PaymentMethod::kMobileWallet);
  EXPECT_EQ(notice.bill_number, "BILL-2026-000123");
  EXPECT_EQ(notice.amount, Sar(2500));
  EXPECT_EQ(notice.payer_account, msisdn);
  EXPECT_EQ(notice.payer_name, "Amal Citizen");
  EXPECT_GT(notice.booking_time_ms, 0);
  EXPECT_EQ(Balance(msisdn), 7500);
}

// ---------------------------------------------------------------------------------------------
// Refunds and statements

TEST_F(WalletConnectorTest, RefundWithTheSameIdRefundsOnce) {
  const std::string msisdn = NewWallet(50000);
  const CollectionRequest request = Request(msisdn, 15000);
  CollectSucceeded(request);
  const std::string refund_id = "rf_" + request.payment_id;
  auto first = Refund(request, refund_id, 5000);
  auto second = Refund(request, refund_id, 5000);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->status, OutcomeStatus::kSucceeded);
  EXPECT_EQ(second->status, OutcomeStatus::kSucceeded);
  EXPECT_EQ(first->connector_reference, second->connector_reference);
  EXPECT_EQ(Balance(msisdn), 40000);
  EXPECT_EQ(sim().GetRequest(request.payment_id)->refunded_minor_units, 5000);
  auto conflict = Refund(request, refund_id, 6000);
  EXPECT_EQ(conflict.status().code(), absl::StatusCode::kInternal) << conflict.status();
}

TEST_F(WalletConnectorTest, RefundAboveCollectedFails) {
  const std::string msisdn = NewWallet(50000);
  const CollectionRequest request = Request(msisdn, 10000);
  CollectSucceeded(request);
  auto part = Refund(request, "rf_a_" + request.payment_id, 6000);
  ASSERT_TRUE(part.ok()) << part.status();
  EXPECT_EQ(part->status, OutcomeStatus::kSucceeded);
  auto over = Refund(request, "rf_b_" + request.payment_id, 5000);
  ASSERT_TRUE(over.ok()) << over.status();
  EXPECT_EQ(over->status, OutcomeStatus::kFailed);
  EXPECT_EQ(over->failure_code, "EXCEEDS_COLLECTED");
  auto rest = Refund(request, "rf_c_" + request.payment_id, 4000);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->status, OutcomeStatus::kSucceeded);
  EXPECT_EQ(Balance(msisdn), 50000);
  // A declined collection cannot be refunded.
  const CollectionRequest declined = Request(NewWallet(10), 10000);
  ASSERT_TRUE(Collect(declined).ok());
  sink().WaitFor(declined.payment_id);
  auto refused = Refund(declined, "rf_d_" + declined.payment_id, 100);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, OutcomeStatus::kFailed);
  EXPECT_EQ(refused->failure_code, "NOT_COLLECTED");
}

TEST_F(WalletConnectorTest, StatementListsCollectionsAndRefunds) {
  const int64_t from = NowMs();
  const CollectionRequest a = Request(NewWallet(50000), 15000);
  const CollectionRequest b = Request(NewWallet(50000), 7000);
  const CollectionRequest declined = Request(NewWallet(10), 7000);
  CollectSucceeded(a);
  CollectSucceeded(b);
  ASSERT_TRUE(Collect(declined).ok());
  sink().WaitFor(declined.payment_id);
  auto refund = Refund(a, "rf_" + a.payment_id, 2000);
  ASSERT_TRUE(refund.ok());
  auto statement = Statement(from, NowMs() + 1);
  ASSERT_TRUE(statement.ok()) << statement.status();
  std::multiset<std::pair<std::string, int64_t>> lines;
  for (const connector::StatementLine& line : statement->lines) {
    EXPECT_GE(line.booking_time_ms, from);
    EXPECT_FALSE(line.connector_reference.empty());
    lines.emplace(line.payment_id, line.amount.minor_units());
  }
  const std::multiset<std::pair<std::string, int64_t>> expected = {
      {a.payment_id, 15000}, {b.payment_id, 7000}, {a.payment_id, -2000}};
  EXPECT_EQ(lines, expected);
  auto empty = Statement(from - 10000, from - 5000);
  ASSERT_TRUE(empty.ok());
  for (const connector::StatementLine& line : empty->lines) {
    EXPECT_NE(line.payment_id, a.payment_id);
  }
}

// ---------------------------------------------------------------------------------------------
// The wallet's side of the signature rules.

TEST_F(WalletConnectorTest, WalletRefusesReplaysAndMisdirectedSignatures) {
  const std::string msisdn = NewWallet(50000);
  RequestToPay order{"gateway", Request(msisdn, 100).payment_id,
                     Sar(100),  msisdn,
                     "replay",  suite->NotifyBase() + "/connectors/wallet/callback"};
  connector::HttpRequest post;
  post.method = "POST";
  post.target = "/v1/request-to-pay";
  post.body = ToJson(order);
  SignHeaders(kSecret, NowMs() / 1000, post.method, post.target, post.body, &post.headers);
  auto first = sim().client()->SendAndWait(post);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->status, 202) << first->body;
  auto replay = sim().client()->SendAndWait(post);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->status, 401);
  EXPECT_EQ(ErrorCode(replay->body), "REPLAYED");
  // A signature made for one path does not open another.
  connector::HttpRequest get;
  get.method = "GET";
  get.target = "/v1/request-to-pay/" + order.request_id;
  SignHeaders(kSecret, NowMs() / 1000, "GET", "/v1/request-to-pay/other", "", &get.headers);
  auto misdirected = sim().client()->SendAndWait(get);
  ASSERT_TRUE(misdirected.ok());
  EXPECT_EQ(misdirected->status, 401);
  // Unsigned: refused.
  connector::HttpRequest unsigned_get;
  unsigned_get.method = "GET";
  unsigned_get.target = get.target;
  auto refused = sim().client()->SendAndWait(unsigned_get);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 401);
  sink().WaitFor(order.request_id);
}

TEST_F(WalletConnectorTest, ConfigurationErrorsNameTheKey) {
  connector::ConnectorContext context;
  context.name = "wallet-bad";
  auto missing_url = NewWalletConnector(context);
  EXPECT_EQ(missing_url.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(missing_url.status().message()).find("url"), std::string::npos);
  auto made = suite->MakeConnector("wallet-bad", {{"merchant_id", ""}});
  EXPECT_NE(std::string(made.status().message()).find("merchant_id"), std::string::npos);
  made = suite->MakeConnector("wallet-bad", {{"hmac_secret_file", "/nonexistent/secret"}});
  EXPECT_NE(std::string(made.status().message()).find("hmac_secret_file"), std::string::npos);
  EXPECT_EQ(std::string(made.status().message()).find(kSecret), std::string::npos);
  made = suite->MakeConnector("wallet-bad", {{"poll_after_ms", "soon"}});
  EXPECT_NE(std::string(made.status().message()).find("poll_after_ms"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The conformance harness, exercised the way the kit will.

TEST(WalletConformanceHarnessTest, PreparesScenariosAndForgesCallbacks) {
  connector::IoRuntime runtime(1);
  RecordingSink sink;
  SystemClock clock;
  WalletConformanceHarness harness;
  connector::ConnectorContext context;
  context.name = "wallet";
  context.scheduler = &runtime;
  context.clock = &clock;
  context.sink = &sink;
  auto made = harness.Create(context, "http://127.0.0.1:9/connectors/wallet");
  ASSERT_TRUE(made.ok()) << made.status();
  connector::Connector& connector = **made;
  auto run = [&](connector::conformance::Scenario scenario) {
    CollectionRequest request;
    request.amount = Sar(15000);
    EXPECT_TRUE(harness.Prepare(scenario, &request).ok());
    auto promise = std::make_shared<std::promise<Result<CollectionOutcome>>>();
    auto future = promise->get_future();
    connector.Collect(request, [promise](Result<CollectionOutcome> r) { promise->set_value(r); });
    auto outcome = Await(future);
    return std::make_pair(request, outcome);
  };
  auto [lost, lost_outcome] = run(connector::conformance::Scenario::kLostAnswer);
  EXPECT_EQ(lost_outcome.status().code(), absl::StatusCode::kDeadlineExceeded);
  auto lost_seen = harness.sim()->GetRequest(lost.payment_id);
  ASSERT_TRUE(lost_seen.ok());
  EXPECT_EQ(lost_seen->collected_count, 1);
  EXPECT_EQ(lost_seen->callbacks_sent, 0);
  auto [never, never_outcome] = run(connector::conformance::Scenario::kNeverReceived);
  EXPECT_FALSE(never_outcome.ok());
  EXPECT_EQ(harness.sim()->GetRequest(never.payment_id).status().code(),
            absl::StatusCode::kNotFound);

  CollectionOutcome succeeded;
  succeeded.status = OutcomeStatus::kSucceeded;
  succeeded.connector_reference = "WR-1";
  for (bool valid : {true, false}) {
    auto notification = harness.MakeNotification(lost, succeeded, valid);
    ASSERT_TRUE(notification.ok());
    auto promise = std::make_shared<std::promise<connector::NotificationReply>>();
    connector.HandleNotification(*notification, [promise](connector::NotificationReply reply) {
      promise->set_value(reply);
    });
    EXPECT_EQ(promise->get_future().get().http_status, valid ? 200 : 401);
  }
  EXPECT_EQ(sink.For(lost.payment_id).size(), 1u);
  auto malformed = harness.MakeMalformedNotification();
  ASSERT_TRUE(malformed.ok());
  auto promise = std::make_shared<std::promise<connector::NotificationReply>>();
  connector.HandleNotification(
      *malformed, [promise](connector::NotificationReply reply) { promise->set_value(reply); });
  EXPECT_EQ(promise->get_future().get().http_status, 400);
}

}  // namespace
}  // namespace pay::wallet
