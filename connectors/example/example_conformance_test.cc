// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The example connector through the conformance kit, against a running wallet-sim:
//   EXAMPLE_WALLET_URL=http://127.0.0.1:PORT EXAMPLE_WALLET_SECRET_FILE=secret \
//   EXAMPLE_MERCHANT_ID=gateway ./example_conformance_test
// The simulator is driven through its control API (/sim/wallets, /sim/faults/request).

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "example_connector.h"
#include "pay/connector/conformance.h"
#include "pay/connector/http_runtime.h"

namespace {

using pay::connector::conformance::Scenario;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

class ExampleHarness final : public pay::connector::conformance::Harness {
 public:
  ExampleHarness() : runtime_(2) {}
  ~ExampleHarness() override { runtime_.Stop(); }

  pay::Result<std::unique_ptr<pay::connector::Connector>> Create(
      pay::connector::ConnectorContext context, const std::string& notify_url) override {
    pay::connector::HttpClientOptions options;
    options.base_url = Env("EXAMPLE_WALLET_URL");
    options.tls.enabled = false;
    options.timeout = std::chrono::milliseconds(1500);
    PAY_ASSIGN_OR_RETURN(std::unique_ptr<pay::connector::HttpClient> client,
                         pay::connector::MakeHttpClient(runtime_, options));
    control_ = std::move(client);
    PAY_ASSIGN_OR_RETURN(std::unique_ptr<pay::connector::HttpClient> http,
                         pay::connector::MakeHttpClient(runtime_, options));
    context.http = std::move(http);
    context.config = pay::connector::ConnectorConfig(
        {{"merchant_id", Env("EXAMPLE_MERCHANT_ID")},
         {"hmac_secret_file", Env("EXAMPLE_WALLET_SECRET_FILE")},
         {"callback_url", notify_url + "/callback"},
         {"poll_interval_ms", "200"}});
    return example::Create(context);
  }

  pay::PaymentMethod method() const override { return pay::PaymentMethod::kMobileWallet; }

  pay::Status Prepare(Scenario scenario, pay::connector::CollectionRequest* request) override {
    static std::atomic<int> next{0};
    request->payer_account = "+9665" + std::to_string(10000000 + (seed_ + next++) % 89999999);
    const int64_t balance = scenario == Scenario::kDecline ? 0 : 1'000'000;
    PAY_RETURN_IF_ERROR(Control("/sim/wallets", {{"msisdn", request->payer_account},
                                                 {"name", "Example Citizen"},
                                                 {"currency", "SAR"},
                                                 {"balance_minor_units", balance}}));
    if (scenario == Scenario::kLostAnswer) {
      PAY_RETURN_IF_ERROR(Fault(request->payment_id, "timeout"));
      return Fault(request->payment_id, "lost_callback");
    }
    if (scenario == Scenario::kNeverReceived) return Fault(request->payment_id, "drop_request");
    return absl::OkStatus();
  }

  // The example learns outcomes by polling only.
  bool TakesNotifications() const override { return false; }
  pay::Result<pay::connector::Notification> MakeNotification(
      const pay::connector::CollectionRequest&, const pay::connector::CollectionOutcome&,
      bool) override {
    return absl::UnimplementedError("the example takes no notifications");
  }
  pay::Result<pay::connector::Notification> MakeMalformedNotification() override {
    return absl::UnimplementedError("the example takes no notifications");
  }
  bool Refunds() const override { return false; }

 private:
  pay::Status Fault(const std::string& request_id, const std::string& fault) {
    return Control("/sim/faults/request", {{"request_id", request_id}, {"fault", fault}});
  }

  pay::Status Control(const std::string& target, const nlohmann::json& body) {
    pay::connector::HttpRequest request;
    request.target = target;
    request.headers = {{"Content-Type", "application/json"}};
    request.body = body.dump();
    PAY_ASSIGN_OR_RETURN(pay::connector::HttpResponse response,
                         control_->SendAndWait(std::move(request)));
    if (response.status != 200) {
      return absl::InternalError("wallet-sim " + target + ": HTTP " +
                                 std::to_string(response.status) + " " + response.body);
    }
    return absl::OkStatus();
  }

  const int64_t seed_ = std::random_device{}() % 89999999;
  pay::connector::IoRuntime runtime_;
  std::unique_ptr<pay::connector::HttpClient> control_;
};

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (Env("EXAMPLE_WALLET_URL").empty() || Env("EXAMPLE_WALLET_SECRET_FILE").empty() ||
      Env("EXAMPLE_MERCHANT_ID").empty()) {
    std::fprintf(stderr,
                 "set EXAMPLE_WALLET_URL, EXAMPLE_WALLET_SECRET_FILE and EXAMPLE_MERCHANT_ID to a "
                 "running wallet-sim (see connectors/example/README.md)\n");
    return 2;
  }
  pay::connector::conformance::RegisterTests("ExampleConformance",
                                             [] { return std::make_unique<ExampleHarness>(); });
  return RUN_ALL_TESTS();
}
