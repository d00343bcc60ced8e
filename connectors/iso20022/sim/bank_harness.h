// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The conformance kit's Harness for the ISO 20022 bank connector: runs a real bank-sim
// (BankSimProcess) and makes it behave as each scenario of pay/connector/conformance.h needs.
//
//   pay::connector::conformance::RegisterTests("Iso20022Bank",
//   &pay::iso20022::sim::NewBankHarness);

#ifndef PAY_CONNECTORS_ISO20022_SIM_BANK_HARNESS_H_
#define PAY_CONNECTORS_ISO20022_SIM_BANK_HARNESS_H_

#include <memory>
#include <string>

#include "pay/connector/conformance.h"
#include "pay/connector/connector.h"
#include "pay/connector/http_runtime.h"
#include "schemas.h"
#include "sim/bank_sim_process.h"

namespace pay::iso20022::sim {

class BankHarness : public connector::conformance::Harness {
 public:
  // How the harness configures the connector: short timeouts so that the scenarios are quick.
  static constexpr int64_t kHttpTimeoutMs = 1000;  // the connector's timeout_ms
  static constexpr int64_t kHangMs = 3000;         // bank-sim's --hang-ms (> kHttpTimeoutMs)
  static constexpr int64_t kPollAfterMs = 300;     // the connector's poll_after_ms

  BankHarness();
  ~BankHarness() override;

  // Starts bank-sim (first call) pushing to `notify_url` + "/pacs.002" and "/camt.054", and
  // creates an "iso20022" connector against it with the "gateway" client certificate. A
  // plain-HTTP notify_url (the kit's) cannot carry the bank's client certificate, which the
  // connector requires: the bank then does not push, and outcomes arrive by polling after
  // kPollAfterMs (notifications are exercised through MakeNotification).
  Result<std::unique_ptr<connector::Connector>> Create(connector::ConnectorContext context,
                                                       const std::string& notify_url) override;
  PaymentMethod method() const override { return PaymentMethod::kBankTransfer; }
  // A fresh payer account (funded, or empty for kDecline: AM04), the request's payer_account and
  // method, and the one-shot fault by end-to-end id (= payment_id): kLostAnswer -> "timeout" +
  // "lost_notification", kNeverReceived -> "drop_request".
  Status Prepare(connector::conformance::Scenario scenario,
                 connector::CollectionRequest* request) override;
  // A schema-valid pacs.002 from the bank's certificate ("bank"), or from "stranger" when
  // !valid_signature.
  Result<connector::Notification> MakeNotification(const connector::CollectionRequest& request,
                                                   const connector::CollectionOutcome& outcome,
                                                   bool valid_signature) override;
  // Well-formed XML in the pacs.002 namespace that is not a valid pacs.002, from "bank".
  Result<connector::Notification> MakeMalformedNotification() override;

  BankSimProcess& bank() { return bank_; }

 private:
  BankSimProcess bank_;
  std::unique_ptr<connector::IoRuntime> runtime_;  // for the connector's HTTPS client
  std::unique_ptr<SchemaSet> schemas_;
};

std::unique_ptr<connector::conformance::Harness> NewBankHarness();

}  // namespace pay::iso20022::sim

#endif  // PAY_CONNECTORS_ISO20022_SIM_BANK_HARNESS_H_
