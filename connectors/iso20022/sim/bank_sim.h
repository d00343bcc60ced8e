// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// bank-sim's engine: a test double of a bank that speaks the protocol of BANK_API.md (ISO 20022
// over HTTPS with mutual TLS), keeps accounts in memory, settles direct debits and refunds after
// a delay, pushes status reports (pacs.002) and credit notifications (camt.054) to the gateway,
// and can be told to misbehave (faults) through a JSON control API on the same listener. It is
// a simulator: it moves no real money and keeps nothing across restarts.

#ifndef PAY_CONNECTORS_ISO20022_SIM_BANK_SIM_H_
#define PAY_CONNECTORS_ISO20022_SIM_BANK_SIM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pay/connector/http.h"
#include "pay/status.h"

namespace pay::iso20022::sim {

// Random misbehaviour, applied to each pain.008 / pain.001 the bank receives (rates in [0, 1]).
struct Faults {
  int64_t latency_ms = 0;                  // added to every ISO 20022 answer
  double timeout_rate = 0;                 // processed, but answered only after --hang-ms
  double error_rate = 0;                   // answered 500, not processed
  double decline_rate = 0;                 // settled as RJCT AM04
  double lost_notification_rate = 0;       // no pacs.002 pushed
  double duplicate_notification_rate = 0;  // the pacs.002 pushed twice
  double early_notification_rate = 0;      // settled and pushed before the HTTP answer
  uint64_t seed = 1;
};

struct BankSimOptions {
  std::string listen = "127.0.0.1:0";
  // The bank's server side: TLS when cert_file is set; mutual TLS when ca_file is set too.
  connector::TlsOptions server_tls;
  // For the bank's own calls to the gateway (notifications): CA and client certificate.
  connector::TlsOptions client_tls;
  std::string notify_url;   // pacs.002 pushes, e.g. https://127.0.0.1:PORT/connectors/bank/pacs.002
  std::string camt054_url;  // camt.054 pushes, e.g. .../connectors/bank/camt.054
  std::string collection_iban;  // the gateway's account at this bank (created if missing)
  std::string collection_name = "Government fee collection";
  std::string collection_bic = "SIMBSARI";
  std::string currency = "SAR";  // of the collection account
  std::string schema_dir;        // empty: DefaultSchemaDir()
  int64_t settle_delay_ms = 20;
  int64_t hang_ms = 30000;  // how long "timeout" and "drop_request" keep a request unanswered
  int64_t notify_retry_for_ms = 120000;  // pushes are retried (100 ms doubling to 5 s) this long
  int64_t notify_timeout_ms = 5000;      // per push attempt
  size_t threads = 2;
  Faults faults;
  // Accounts created at start: "IBAN:CURRENCY:MINOR_UNITS:NAME".
  std::vector<std::string> seed_accounts;
};

class BankSim {
 public:
  // Loads the schemas, creates the collection account, binds and starts serving. Errors name the
  // option to fix.
  static Result<std::unique_ptr<BankSim>> Start(BankSimOptions options);
  ~BankSim();  // Stop()s

  BankSim(const BankSim&) = delete;
  BankSim& operator=(const BankSim&) = delete;

  std::string address() const;  // "HOST:PORT" actually bound
  uint16_t port() const;

  // Stops serving and pushing; idempotent.
  void Stop();

  class Impl;

 private:
  explicit BankSim(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace pay::iso20022::sim

#endif  // PAY_CONNECTORS_ISO20022_SIM_BANK_SIM_H_
