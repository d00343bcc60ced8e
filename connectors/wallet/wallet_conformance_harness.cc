// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The wallet connector's conformance-kit harness (see wallet_conformance_harness.h).

#include "wallet_conformance_harness.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <utility>

#include "pay/connector/pki.h"
#include "wallet_connector.h"
#include "wallet_protocol.h"

namespace pay::wallet {
namespace {

using connector::conformance::Scenario;

// Client timeout of the connector: "timeout" and "drop_request" cost this much per payment.
constexpr int64_t kClientTimeoutMs = 1500;

std::atomic<int64_t> harness_count{0};

std::string RandomHex(size_t digits) {
  static thread_local std::mt19937_64 random(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < digits; ++i) out.push_back(kHex[random() % 16]);
  return out;
}

}  // namespace

WalletConformanceHarness::WalletConformanceHarness() {
  work_dir_ = ::testing::TempDir() + "wallet_conformance_" + std::to_string(::getpid()) + "_" +
              std::to_string(harness_count.fetch_add(1));
}

WalletConformanceHarness::~WalletConformanceHarness() {
  if (sim_) sim_->Stop().IgnoreError();
  sim_.reset();
  if (runtime_) runtime_->Stop();
  std::error_code ec;
  std::filesystem::remove_all(work_dir_, ec);
}

int64_t WalletConformanceHarness::NowSeconds() const {
  if (clock_ != nullptr) return clock_->NowMs() / 1000;
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<connector::Connector>> WalletConformanceHarness::Create(
    connector::ConnectorContext context, const std::string& notify_url) {
  if (sim_) return absl::FailedPreconditionError("WalletConformanceHarness::Create called twice");
  if (context.name.empty()) context.name = "wallet";
  const std::string callback_url = notify_url + "/callback";
  PAY_ASSIGN_OR_RETURN(SplitUrl callback, SplitHttpUrl("notify_url", callback_url));
  callback_target_ = callback.target;
  clock_ = context.clock;

  const std::string pki = work_dir_ + "/pki";
  PAY_RETURN_IF_ERROR(connector::CreateDevelopmentPki(pki, {"wallet-sim", "payd"}));
  WalletSimOptions options;
  options.work_dir = work_dir_ + "/sim";
  options.hmac_secret = "conformance-" + RandomHex(32);
  connector::TlsOptions own;  // the simulator's certificate, as server and for its callbacks
  own.ca_file = pki + "/ca.pem";
  own.cert_file = pki + "/wallet-sim.pem";
  own.key_file = pki + "/wallet-sim.key";
  options.callback_tls = own;
  options.server_tls = own;
  options.server_tls.require_client_cert = true;
  options.client_tls.ca_file = pki + "/ca.pem";  // the gateway's certificate
  options.client_tls.cert_file = pki + "/payd.pem";
  options.client_tls.key_file = pki + "/payd.key";
  options.merchant_callback_url = callback_url;
  options.hold_ms = kClientTimeoutMs + 3000;
  PAY_ASSIGN_OR_RETURN(sim_, WalletSimProcess::Start(options));

  runtime_ = std::make_unique<connector::IoRuntime>(2);
  connector::HttpClientOptions http;
  http.base_url = sim_->base_url();
  http.tls = options.client_tls;
  http.timeout = std::chrono::milliseconds(kClientTimeoutMs);
  PAY_ASSIGN_OR_RETURN(std::unique_ptr<connector::HttpClient> client,
                       connector::MakeHttpClient(*runtime_, http));
  context.http = std::move(client);
  std::map<std::string, std::string> values = context.config.values();
  values["url"] = sim_->base_url();
  values["tls_ca_file"] = pki + "/ca.pem";
  values["tls_cert_file"] = pki + "/payd.pem";
  values["tls_key_file"] = pki + "/payd.key";
  values["timeout_ms"] = std::to_string(kClientTimeoutMs);
  values["merchant_id"] = options.merchant_id;
  values["hmac_secret_file"] = sim_->secret_file();
  values["callback_url"] = callback_url;
  context.config = connector::ConnectorConfig(std::move(values));
  return NewWalletConnector(context);
}

Status WalletConformanceHarness::Prepare(Scenario scenario, connector::CollectionRequest* request) {
  if (!sim_) return absl::FailedPreconditionError("call Create before Prepare");
  if (request->payment_id.empty()) request->payment_id = "pay_" + RandomHex(20);
  if (request->amount.currency().empty()) {
    PAY_ASSIGN_OR_RETURN(request->amount, Money::Create("SAR", 15000));
  }
  request->method = PaymentMethod::kMobileWallet;
  // A fresh wallet per collection: +9665 and 8 digits.
  char digits[16];
  std::snprintf(digits, sizeof(digits), "%08lld",
                static_cast<long long>((::getpid() % 1000) * 100000 + (++sequence_ % 100000)));
  request->payer_account = std::string("+9665") + digits;
  const int64_t funds = scenario == Scenario::kDecline ? 0 : request->amount.minor_units() * 10;
  PAY_ASSIGN_OR_RETURN(Money balance, Money::Create(request->amount.currency(), funds));
  PAY_RETURN_IF_ERROR(sim_->PutWallet(request->payer_account, "Conformance Payer", balance));
  switch (scenario) {
    case Scenario::kSucceed:
    case Scenario::kDecline:
      return absl::OkStatus();
    case Scenario::kLostAnswer:
      PAY_RETURN_IF_ERROR(sim_->InjectFault(request->payment_id, "timeout"));
      return sim_->InjectFault(request->payment_id, "lost_callback");
    case Scenario::kNeverReceived:
      return sim_->InjectFault(request->payment_id, "drop_request");
  }
  return absl::InvalidArgumentError("unknown scenario");
}

connector::Notification WalletConformanceHarness::Signed(std::string body,
                                                         bool valid_signature) const {
  connector::Notification notification;
  notification.path = "/callback";
  notification.headers = {{"Content-Type", "application/json"}};
  const std::string secret =
      valid_signature ? sim_->options().hmac_secret : "not-" + sim_->options().hmac_secret;
  SignHeaders(secret, NowSeconds(), "POST", callback_target_, body, &notification.headers);
  notification.body = std::move(body);
  notification.peer_common_name = "wallet-sim";
  return notification;
}

Result<connector::Notification> WalletConformanceHarness::MakeNotification(
    const connector::CollectionRequest& request, const connector::CollectionOutcome& outcome,
    bool valid_signature) {
  if (!sim_) return absl::FailedPreconditionError("call Create before MakeNotification");
  PaymentStatusEvent event;
  event.event_id = "EV-conformance-" + RandomHex(16);
  event.report.request_id = request.payment_id;
  event.report.wallet_reference = outcome.connector_reference.empty()
                                      ? "WR-conformance-" + request.payment_id
                                      : outcome.connector_reference;
  event.report.amount = request.amount;
  switch (outcome.status) {
    case connector::OutcomeStatus::kPending:
      event.report.status = PaymentStatus::kPending;
      break;
    case connector::OutcomeStatus::kSucceeded:
      event.report.status = PaymentStatus::kSucceeded;
      break;
    case connector::OutcomeStatus::kFailed:
      event.report.status = PaymentStatus::kFailed;
      event.report.reason = outcome.failure_code.empty() ? "DECLINED" : outcome.failure_code;
      break;
  }
  return Signed(ToJson(event), valid_signature);
}

Result<connector::Notification> WalletConformanceHarness::MakeMalformedNotification() {
  if (!sim_) return absl::FailedPreconditionError("call Create before MakeNotification");
  return Signed(R"({"event_id":"EV-malformed","event_type":"PAYMENT_STATUS","request_id":)",
                /*valid_signature=*/true);
}

}  // namespace pay::wallet
