// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The wallet connector's harness for the connector conformance kit
// (pay/connector/conformance.h): runs a real wallet-sim over mutual TLS (a development PKI in a
// temporary directory), creates the connector against it, prepares each scenario through the
// simulator's control API (funded or empty wallets, one-shot faults by request id) and forges
// the wallet's signed callbacks.
//
//   pay::connector::conformance::RegisterTests("WalletConnector", [] {
//     return std::make_unique<pay::wallet::WalletConformanceHarness>();
//   });

#ifndef PAY_CONNECTORS_WALLET_WALLET_CONFORMANCE_HARNESS_H_
#define PAY_CONNECTORS_WALLET_WALLET_CONFORMANCE_HARNESS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "pay/connector/conformance.h"
#include "pay/connector/connector.h"
#include "pay/connector/http_runtime.h"
#include "wallet_sim_process.h"

namespace pay::wallet {

class WalletConformanceHarness : public connector::conformance::Harness {
 public:
  WalletConformanceHarness();
  ~WalletConformanceHarness() override;

  // Starts wallet-sim (callbacks for pushes go to notify_url + "/callback") and creates the
  // connector named context.name (default "wallet"), calling back notify_url + "/callback".
  Result<std::unique_ptr<connector::Connector>> Create(connector::ConnectorContext context,
                                                       const std::string& notify_url) override;

  PaymentMethod method() const override { return PaymentMethod::kMobileWallet; }

  // kSucceed: a funded wallet; kDecline: an empty wallet (INSUFFICIENT_FUNDS); kLostAnswer: a
  // funded wallet and the one-shot faults "timeout" + "lost_callback"; kNeverReceived: a funded
  // wallet and "drop_request". Sets payer_account (a fresh MSISDN) and method, and payment_id
  // and amount (150.00 SAR) when empty.
  Status Prepare(connector::conformance::Scenario scenario,
                 connector::CollectionRequest* request) override;

  // A PAYMENT_STATUS callback for `outcome` (PENDING, SUCCEEDED or FAILED), signed with the
  // shared secret or, unless `valid_signature`, with another one.
  Result<connector::Notification> MakeNotification(const connector::CollectionRequest& request,
                                                   const connector::CollectionOutcome& outcome,
                                                   bool valid_signature) override;

  // A validly signed callback whose body is truncated JSON.
  Result<connector::Notification> MakeMalformedNotification() override;

  // The simulator (after Create), for checks beyond the kit's.
  WalletSimProcess* sim() { return sim_.get(); }

 private:
  int64_t NowSeconds() const;
  connector::Notification Signed(std::string body, bool valid_signature) const;

  std::string work_dir_;
  std::unique_ptr<connector::IoRuntime> runtime_;
  std::unique_ptr<WalletSimProcess> sim_;
  const connector::Clock* clock_ = nullptr;
  std::string callback_target_;  // the path the wallet signs callbacks for
  int64_t sequence_ = 0;
};

}  // namespace pay::wallet

#endif  // PAY_CONNECTORS_WALLET_WALLET_CONFORMANCE_HARNESS_H_
