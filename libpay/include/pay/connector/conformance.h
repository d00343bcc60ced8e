// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The conformance kit: one GoogleTest suite that every connector, built in or out of tree, is run
// through against its provider (a simulator speaking the real protocol over real sockets). It
// checks the contract of pay/connector/connector.h: success, decline, an unknown outcome resolved
// by inquiry, a payment that never reached the provider, duplicate and out-of-order
// notifications, refunds, bad signatures and malformed payloads.
//
// The kit plays payd's part: it gives the connector a context (a sink that records what is
// reported, a logger, a clock, a scheduler) and runs a notification endpoint that routes to the
// connector's HandleNotification. The connector's author supplies a Harness that creates the
// connector against the provider and makes the provider behave as each scenario needs.
//
//   class MyHarness : public pay::connector::conformance::Harness { ... };
//   int main(int argc, char** argv) {
//     testing::InitGoogleTest(&argc, argv);
//     pay::connector::conformance::RegisterTests("MyConnector",
//                                                [] { return std::make_unique<MyHarness>(); });
//     return RUN_ALL_TESTS();
//   }

#ifndef PAY_CONNECTOR_CONFORMANCE_H_
#define PAY_CONNECTOR_CONFORMANCE_H_

#include <functional>
#include <memory>
#include <string>

#include "pay/connector/connector.h"

namespace pay::connector::conformance {

// How the provider is to treat one collection.
enum class Scenario {
  kSucceed,        // collected
  kDecline,        // refused by the provider or the payer (insufficient funds, ...)
  kLostAnswer,     // the provider collects, but neither its answer nor any notification reaches
                   // the connector: only an inquiry can tell
  kNeverReceived,  // the request never reaches the provider
};

class Harness {
 public:
  virtual ~Harness() = default;

  // Creates a connector for the provider. `context` carries the kit's sink, logger, clock and
  // scheduler; the harness fills in the configuration and the HTTP client. `notify_url` is the
  // kit's notification endpoint for this connector ("http://127.0.0.1:PORT/connectors/NAME"):
  // configure the provider or the connector to call back there.
  virtual Result<std::unique_ptr<Connector>> Create(ConnectorContext context,
                                                    const std::string& notify_url) = 0;

  // The payment method the connector takes.
  virtual PaymentMethod method() const = 0;

  // Prepares the provider for a collection of `request` under `scenario` (funds the payer,
  // injects the fault) and fills what the connector needs in the request (payer_account).
  virtual Status Prepare(Scenario scenario, CollectionRequest* request) = 0;

  // True when the connector learns outcomes from notifications; then the kit checks them.
  virtual bool TakesNotifications() const { return true; }

  // A notification as the provider sends it, reporting `outcome` for `request`: signed with the
  // right key when `valid_signature`, with a wrong one otherwise.
  virtual Result<Notification> MakeNotification(const CollectionRequest& request,
                                                const CollectionOutcome& outcome,
                                                bool valid_signature) = 0;

  // A notification whose signature would be valid but whose body is not a message the provider
  // sends (truncated, wrong type).
  virtual Result<Notification> MakeMalformedNotification() = 0;

  // True when the connector can refund.
  virtual bool Refunds() const { return true; }
};

// Registers the kit's tests as "<suite>.<Test>" (call before RUN_ALL_TESTS). A fresh harness is
// made for each test.
void RegisterTests(const std::string& suite, std::function<std::unique_ptr<Harness>()> make);

}  // namespace pay::connector::conformance

#endif  // PAY_CONNECTOR_CONFORMANCE_H_
