// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The wallet simulator behind wallet-sim: a test double of a mobile-money wallet operator that
// speaks the wallet protocol (../PROTOCOL.md) over HTTP(S). It keeps wallets by phone number and
// the merchant's account per currency, approves requests to pay after a delay, calls the
// merchant back (with retries), refunds, prints statements, and misbehaves on demand (faults) so
// that tests can prove the connector never loses or double-collects money. A control API under
// /sim/ (unsigned JSON) sets it up and reports its books.

#ifndef PAY_CONNECTORS_WALLET_SIM_WALLET_SIMULATOR_H_
#define PAY_CONNECTORS_WALLET_SIM_WALLET_SIMULATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pay/connector/http.h"
#include "pay/connector/http_runtime.h"
#include "pay/status.h"

namespace pay::wallet::sim {

// Faults applied at random to requests to pay (rates are probabilities, 0..1). See PROTOCOL.md
// ("Simulator") for what each does.
struct FaultRates {
  int64_t latency_ms = 0;  // added before every /v1/ answer
  double timeout_rate = 0;
  double error_rate = 0;
  double drop_rate = 0;
  double decline_rate = 0;
  double lost_callback_rate = 0;
  double duplicate_callback_rate = 0;
  double early_callback_rate = 0;
  uint64_t seed = 1;
};

struct SimulatorOptions {
  std::string listen = "127.0.0.1:0";
  connector::TlsOptions server_tls;    // enabled = false: plain HTTP
  connector::TlsOptions callback_tls;  // for https:// callback URLs (CA, client certificate)
  std::string merchant_id = "gateway";
  std::string hmac_secret;
  std::string merchant_callback_url;  // where CREDIT (push) callbacks go; empty: no pushes
  std::string state_file;             // empty: nothing persisted
  int64_t approval_delay_ms = 20;
  int64_t replay_window_seconds = 300;
  int64_t hold_ms = 60000;  // how long "timeout" and "drop_request" hold a request unanswered
  int64_t callback_first_retry_ms = 100;
  int64_t callback_max_retry_ms = 5000;
  int64_t callback_give_up_ms = 120000;
  int64_t callback_timeout_ms = 5000;
  FaultRates faults;
  // Wallets created at start unless they exist (state file): "MSISDN:CURRENCY:MINOR_UNITS:NAME".
  std::vector<std::string> seed_wallets;
};

class Simulator {
 public:
  // Loads the state file (if any) and starts serving. kInvalidArgument for bad options or an
  // unreadable state file; kUnavailable if the address cannot be bound.
  static Result<std::unique_ptr<Simulator>> Start(connector::IoRuntime& runtime,
                                                  SimulatorOptions options);
  ~Simulator();

  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  std::string address() const;  // "127.0.0.1:PORT" as bound
  uint16_t port() const;

  // Stops accepting and writes the state file one last time.
  void Stop();

  struct Impl;

 private:
  explicit Simulator(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace pay::wallet::sim

#endif  // PAY_CONNECTORS_WALLET_SIM_WALLET_SIMULATOR_H_
