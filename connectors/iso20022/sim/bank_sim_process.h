// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// BankSimProcess: runs the real bank-sim binary as a child process for tests (the connector's
// integration test and its conformance harness). It creates a development PKI in a temporary
// directory (certificates "bank", "gateway" and "stranger", all signed by one CA), starts
// bank-sim on 127.0.0.1 with a kernel-chosen port and mutual TLS, and wraps the simulator's JSON
// control API.
//
// Not thread-safe: one test thread drives one BankSimProcess. The control calls block; never
// call them from an I/O thread (a connector callback).

#ifndef PAY_CONNECTORS_ISO20022_SIM_BANK_SIM_PROCESS_H_
#define PAY_CONNECTORS_ISO20022_SIM_BANK_SIM_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pay/connector/http.h"
#include "pay/connector/http_runtime.h"
#include "pay/money.h"
#include "pay/status.h"

namespace pay::iso20022::sim {

// Certificate names (CN) in the PKI a BankSimProcess creates.
inline constexpr std::string_view kBankCertName = "bank";          // the bank (server and client)
inline constexpr std::string_view kGatewayCertName = "gateway";    // the gateway (both, too)
inline constexpr std::string_view kStrangerCertName = "stranger";  // same CA, not the bank

struct BankSimProcessOptions {
  // The bank-sim executable; empty: $BANK_SIM_BINARY, else the one built with this library.
  std::string binary;
  // Where the bank pushes pacs.002 and camt.054 (may be empty, and changed later with
  // Configure()).
  std::string notify_url;
  std::string camt054_url;
  // The gateway's collection account at the bank; empty: DefaultCollectionIban().
  std::string collection_iban;
  std::string currency = "SAR";
  int64_t settle_delay_ms = 20;
  int64_t hang_ms = 5000;  // how long "timeout" / "drop_request" keep a request unanswered
  std::vector<std::string> extra_args;
};

// The account in the simulator's books.
struct SimAccount {
  std::string iban;
  std::string name;
  std::string currency = "SAR";
  int64_t balance_minor_units = 0;
  bool closed = false;
};

// Random faults (POST /sim/faults); rates in [0, 1].
struct SimFaults {
  int64_t latency_ms = 0;
  double timeout_rate = 0;
  double error_rate = 0;
  double decline_rate = 0;
  double lost_notification_rate = 0;
  double duplicate_notification_rate = 0;
  double early_notification_rate = 0;
  uint64_t seed = 1;
};

// What the bank knows of one collection or refund (GET /sim/transactions/ID).
struct SimTransaction {
  std::string end_to_end_id;
  std::string kind;    // "collection", "refund"
  std::string status;  // "PDNG", "ACSC", "RJCT"
  std::string reason_code;
  std::string account_servicer_reference;
  int times_debited = 0;  // never more than 1
  int notification_attempts = 0;
  int notifications_delivered = 0;
};

// GET /sim/stats.
struct SimStats {
  int64_t messages_received = 0;
  int64_t invalid_messages_received = 0;
  int64_t messages_sent = 0;
  int64_t invalid_messages_sent = 0;
  int64_t notification_attempts = 0;
  int64_t notifications_delivered = 0;
  int64_t notifications_abandoned = 0;
};

class BankSimProcess {
 public:
  static constexpr int64_t kStartTimeoutMs = 15000;
  static constexpr int64_t kStopTimeoutMs = 5000;

  // The gateway's collection account used when the options name none.
  static std::string DefaultCollectionIban();

  BankSimProcess();
  // Stops bank-sim (SIGKILL if it does not exit) and removes the temporary directory.
  ~BankSimProcess();

  BankSimProcess(const BankSimProcess&) = delete;
  BankSimProcess& operator=(const BankSimProcess&) = delete;

  // Creates the PKI (first call only), starts bank-sim with --port-file and waits for the port
  // (at most kStartTimeoutMs), then connects the control client. The error carries bank-sim's
  // log when it exits or does not come up.
  Status Start(BankSimProcessOptions options = {});
  // SIGTERM, then SIGKILL after kStopTimeoutMs. Returns the exit code (-1 if none was running).
  int Stop();
  bool running() const { return pid_ > 0; }

  // The PKI: DIR/ca.pem and DIR/NAME.pem, DIR/NAME.key for the names above.
  const std::string& dir() const { return dir_; }
  std::string ca_file() const;
  std::string cert_file(std::string_view name) const;
  std::string key_file(std::string_view name) const;

  uint16_t port() const { return port_; }
  std::string url() const;  // "https://127.0.0.1:PORT"
  const std::string& collection_iban() const { return collection_iban_; }
  std::string ReadLog() const;  // everything bank-sim wrote so far

  // A unique valid IBAN (SA…) for a test account.
  std::string NewIban();

  // ----- Control API (blocking) -----
  Status CreateAccount(const SimAccount& account);
  Result<SimAccount> GetAccount(std::string_view iban);
  Result<int64_t> Balance(std::string_view iban);  // minor units
  Status SetFaults(const SimFaults& faults);
  // One-shot fault for the next request carrying `end_to_end_id`: "timeout", "error",
  // "drop_request", "lost_notification", "duplicate_notification", "early_notification",
  // "decline". Several may be set for one id.
  Status InjectFault(std::string_view end_to_end_id, std::string_view fault);
  // A citizen pays `bill_number` at a branch: returns the bank's AcctSvcrRef.
  Result<std::string> CounterPayment(std::string_view debtor_iban, std::string_view bill_number,
                                     const Money& amount);
  Result<SimTransaction> GetTransaction(std::string_view end_to_end_id);  // kNotFound if none
  Result<SimStats> GetStats();
  // Changes where the bank pushes (empty: leave as is).
  Status Configure(const std::string& notify_url, const std::string& camt054_url);

  // Any request to bank-sim over mutual TLS with the "gateway" certificate.
  Result<connector::HttpResponse> Call(std::string method, std::string target, std::string body,
                                       std::string content_type = "application/json");

 private:
  Result<std::string> CallJson(std::string method, std::string target, std::string body);

  std::string dir_;
  std::string collection_iban_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  uint64_t next_account_ = 0;
  std::unique_ptr<connector::IoRuntime> runtime_;
  std::unique_ptr<connector::HttpClient> control_;
};

}  // namespace pay::iso20022::sim

#endif  // PAY_CONNECTORS_ISO20022_SIM_BANK_SIM_PROCESS_H_
