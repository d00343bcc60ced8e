// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The example connector (see example_connector.h). What it shows:
//  - reading configuration and a secret from the ConnectorContext;
//  - signing requests (HMAC-SHA256) and calling the provider with the SDK's HTTP client;
//  - mapping answers to outcomes without guessing: HTTP client errors pass through (UNAVAILABLE
//    means nothing was sent), a 5xx is an unknown outcome, 404 on inquiry is NOT_FOUND;
//  - reporting a later outcome through the sink (here found by polling, on the scheduler).

#include "example_connector.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace example {
namespace {

using json = nlohmann::json;
using pay::connector::CollectionCallback;
using pay::connector::CollectionOutcome;
using pay::connector::CollectionRequest;
using pay::connector::HttpRequest;
using pay::connector::HttpResponse;
using pay::connector::OutcomeStatus;

// "v1=" + hex HMAC-SHA256(secret, timestamp "." method " " target "." body): PROTOCOL.md 2.
std::string Sign(const std::string& secret, const std::string& timestamp,
                 const std::string& method, const std::string& target, const std::string& body) {
  const std::string input = timestamp + "." + method + " " + target + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string signature = "v1=";
  for (unsigned int i = 0; i < length; ++i) {
    signature += kHex[mac[i] >> 4];
    signature += kHex[mac[i] & 15];
  }
  return signature;
}

// The wallet's answer about one request: an outcome, or NOT_FOUND / an unknown outcome.
pay::Result<CollectionOutcome> ToOutcome(const pay::Result<HttpResponse>& response) {
  if (!response.ok()) return response.status();  // UNAVAILABLE: not sent; others: unknown
  if (response->status == 404) return absl::NotFoundError("the wallet has no such request");
  if (response->status != 200 && response->status != 202) {
    return absl::InternalError("wallet answered HTTP " + std::to_string(response->status) +
                               "; the outcome is unknown");
  }
  json body = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("status") || !body["status"].is_string()) {
    return absl::InternalError("wallet answered without a status; the outcome is unknown");
  }
  CollectionOutcome outcome;
  const std::string status = body["status"];
  outcome.connector_reference = body.value("wallet_reference", "");
  if (status == "SUCCEEDED") {
    outcome.status = OutcomeStatus::kSucceeded;
  } else if (status == "FAILED") {
    outcome.status = OutcomeStatus::kFailed;
    outcome.failure_code = body.value("reason", "DECLINED");
    if (outcome.failure_code.empty()) outcome.failure_code = "DECLINED";
  } else {
    outcome.status = OutcomeStatus::kPending;
  }
  return outcome;
}

class ExampleConnector final : public pay::connector::Connector {
 public:
  ExampleConnector(const pay::connector::ConnectorContext& context, std::string merchant_id,
                   std::string secret, int64_t poll_interval_ms, int64_t poll_attempts)
      : context_(context),
        merchant_id_(std::move(merchant_id)),
        secret_(std::move(secret)),
        poll_interval_ms_(poll_interval_ms),
        poll_attempts_(poll_attempts) {}

  std::string_view name() const override { return context_.name; }

  bool Supports(pay::PaymentMethod method) const override {
    return method == pay::PaymentMethod::kMobileWallet;
  }

  void Collect(const CollectionRequest& request, CollectionCallback done) override {
    json body = {{"merchant_id", merchant_id_},
                 {"request_id", request.payment_id},
                 {"amount",
                  {{"currency", std::string(request.amount.currency())},
                   {"minor_units", request.amount.minor_units()}}},
                 {"msisdn", request.payer_account},
                 {"description", "Government fee, bill " + request.bill_number},
                 {"callback_url", context_.config.Get("callback_url")}};
    const std::string payment_id = request.payment_id;
    context_.http->Send(Signed("POST", "/v1/request-to-pay", body.dump()),
                        [this, payment_id, done](pay::Result<HttpResponse> response) {
                          pay::Result<CollectionOutcome> outcome = ToOutcome(response);
                          // 404 cannot mean "not found" for a POST: the outcome is unknown.
                          if (!outcome.ok() && outcome.status().code() == absl::StatusCode::kNotFound) {
                            outcome = absl::InternalError("wallet answered 404 to a payment");
                          }
                          if (outcome.ok() && outcome->status == OutcomeStatus::kPending) {
                            Poll(payment_id, poll_attempts_);
                          }
                          done(outcome);
                        });
  }

  void Inquire(const CollectionRequest& request, CollectionCallback done) override {
    context_.http->Send(Signed("GET", "/v1/request-to-pay/" + request.payment_id, ""),
                        [done](pay::Result<HttpResponse> response) { done(ToOutcome(response)); });
  }

 private:
  HttpRequest Signed(const std::string& method, const std::string& target, std::string body) {
    const std::string timestamp = std::to_string(context_.clock->NowMs() / 1000);
    HttpRequest request;
    request.method = method;
    request.target = target;
    request.headers = {{"Content-Type", "application/json"},
                       {"X-Pay-Timestamp", timestamp},
                       {"X-Pay-Signature", Sign(secret_, timestamp, method, target, body)}};
    request.body = std::move(body);
    return request;
  }

  // Asks again later until the outcome is final, then reports it through the sink. payd's own
  // inquiry (with backoff) takes over if the attempts run out.
  void Poll(const std::string& payment_id, int64_t attempts_left) {
    if (attempts_left <= 0) return;
    context_.scheduler->After(std::chrono::milliseconds(poll_interval_ms_), [this, payment_id,
                                                                            attempts_left] {
      context_.http->Send(
          Signed("GET", "/v1/request-to-pay/" + payment_id, ""),
          [this, payment_id, attempts_left](pay::Result<HttpResponse> response) {
            pay::Result<CollectionOutcome> outcome = ToOutcome(response);
            if (outcome.ok() && outcome->status != OutcomeStatus::kPending) {
              pay::Status reported = context_.sink->ReportCollection(payment_id, *outcome);
              if (reported.ok()) return;
              context_.logger->Warning("could not report " + payment_id + ": " +
                                       std::string(reported.message()));
            }
            Poll(payment_id, attempts_left - 1);
          });
    });
  }

  const pay::connector::ConnectorContext context_;
  const std::string merchant_id_;
  const std::string secret_;
  const int64_t poll_interval_ms_;
  const int64_t poll_attempts_;
};

}  // namespace

pay::Result<std::unique_ptr<pay::connector::Connector>> Create(
    const pay::connector::ConnectorContext& context) {
  if (context.http == nullptr) {
    return absl::InvalidArgumentError("url: required (the wallet API, https://HOST:PORT)");
  }
  PAY_ASSIGN_OR_RETURN(std::string merchant_id, context.config.Require("merchant_id"));
  PAY_ASSIGN_OR_RETURN(std::string secret, context.config.Secret("hmac_secret"));
  PAY_ASSIGN_OR_RETURN(int64_t poll_interval_ms, context.config.GetInt("poll_interval_ms", 500));
  PAY_ASSIGN_OR_RETURN(int64_t poll_attempts, context.config.GetInt("poll_attempts", 60));
  return std::make_unique<ExampleConnector>(context, std::move(merchant_id), std::move(secret),
                                            poll_interval_ms, poll_attempts);
}

}  // namespace example

#ifndef PAY_EXAMPLE_NO_PLUGIN
PAY_CONNECTOR_PLUGIN(registry) { registry->Register("example", &example::Create); }
#endif
