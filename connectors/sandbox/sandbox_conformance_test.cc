// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The SANDBOX connector through the conformance kit. It has no provider, no notifications and no
// refunds, and cannot lose an answer or a request: those scenarios are skipped (and reported as
// skipped), the rest must hold.

#include <gtest/gtest.h>

#include "pay/connector/conformance.h"
#include "sandbox_connector.h"

namespace pay::sandbox {
namespace {

using connector::conformance::Scenario;

class SandboxHarness final : public connector::conformance::Harness {
 public:
  Result<std::unique_ptr<connector::Connector>> Create(connector::ConnectorContext context,
                                                       const std::string&) override {
    return NewSandboxConnector(context.name);
  }
  PaymentMethod method() const override { return PaymentMethod::kSandbox; }
  Status Prepare(Scenario scenario, connector::CollectionRequest* request) override {
    switch (scenario) {
      case Scenario::kSucceed: return absl::OkStatus();
      case Scenario::kDecline:
        request->amount = Money::Create("SAR", 10'000 + kDeclineSuffix).value();
        return absl::OkStatus();
      default: return absl::UnimplementedError("the sandbox answers every request at once");
    }
  }
  bool TakesNotifications() const override { return false; }
  Result<connector::Notification> MakeNotification(const connector::CollectionRequest&,
                                                   const connector::CollectionOutcome&,
                                                   bool) override {
    return absl::UnimplementedError("no notifications");
  }
  Result<connector::Notification> MakeMalformedNotification() override {
    return absl::UnimplementedError("no notifications");
  }
  bool Refunds() const override { return true; }  // succeeds at once, like collections
};

}  // namespace
}  // namespace pay::sandbox

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  pay::connector::conformance::RegisterTests(
      "SandboxConformance", [] { return std::make_unique<pay::sandbox::SandboxHarness>(); });
  return RUN_ALL_TESTS();
}
