// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// WalletSimProcess: runs the real wallet-sim binary as a child process for tests (listening on
// a free port, read back from --port-file) and drives its control API (/sim/): wallets, merchant
// books, faults, pushes and per-request history. Shared by wallet_test.cc and the conformance
// harness. Control calls block (HttpClient::SendAndWait): never call them on an I/O thread.

#ifndef PAY_CONNECTORS_WALLET_WALLET_SIM_PROCESS_H_
#define PAY_CONNECTORS_WALLET_WALLET_SIM_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pay/connector/http.h"
#include "pay/connector/http_runtime.h"
#include "pay/money.h"
#include "pay/status.h"

namespace pay::wallet {

// The wallet-sim binary built with this tree.
std::string DefaultWalletSimPath();

// TlsOptions with enabled = false (plain HTTP).
inline connector::TlsOptions NoTls() {
  connector::TlsOptions tls;
  tls.enabled = false;
  return tls;
}

struct WalletSimOptions {
  std::string binary;    // empty: DefaultWalletSimPath()
  std::string work_dir;  // required; created: secret, port file, log (wallet-sim.log), state
  std::string merchant_id = "gateway";
  std::string hmac_secret = "wallet-sim-test-secret";
  // enabled: --tls-cert/--tls-key, and with require_client_cert --tls-ca --require-client-cert.
  connector::TlsOptions server_tls = NoTls();
  // --callback-ca/--callback-cert/--callback-key (used for https:// callback URLs).
  connector::TlsOptions callback_tls = NoTls();
  // How this object reaches the simulator (control API, client()): with server_tls enabled,
  // ca_file to verify it and, for mutual TLS, a client certificate. `enabled` is set from
  // server_tls.
  connector::TlsOptions client_tls;
  std::string merchant_callback_url;
  int64_t approval_delay_ms = 20;
  int64_t hold_ms = 10000;
  int64_t callback_retry_first_ms = 100;
  int64_t callback_retry_max_ms = 5000;
  bool keep_state = false;  // --state-file WORK_DIR/state.json
  std::vector<std::string> extra_args;
  std::chrono::milliseconds start_timeout{10000};
};

struct SimWallet {
  std::string msisdn;
  std::string name;
  Money balance;
};

struct SimMerchant {
  std::map<std::string, int64_t> balances;  // currency -> minor units
  int64_t collected_count = 0;
  int64_t refunded_count = 0;
  int64_t requests = 0;

  int64_t Balance(const std::string& currency) const {
    auto it = balances.find(currency);
    return it == balances.end() ? 0 : it->second;
  }
};

// GET /sim/requests/{id}
struct SimRequest {
  std::string request_id;
  std::string wallet_reference;
  std::string status;  // "PENDING", "SUCCEEDED", "FAILED"
  std::string reason;
  Money amount;
  std::string msisdn;
  int collected_count = 0;  // never above 1
  int64_t refunded_minor_units = 0;
  int callbacks_sent = 0;
  std::vector<int> callback_answers;  // HTTP status per callback attempt (0: no answer)
};

// POST /sim/faults (global rates 0..1; replace the previous ones).
struct SimFaults {
  int64_t latency_ms = 0;
  double timeout_rate = 0;
  double error_rate = 0;
  double drop_rate = 0;
  double decline_rate = 0;
  double lost_callback_rate = 0;
  double duplicate_callback_rate = 0;
  double early_callback_rate = 0;
  uint64_t seed = 1;
};

class WalletSimProcess {
 public:
  // Starts the binary and waits until it listens. kInvalidArgument for bad options; kInternal
  // with the tail of its log if it exits or does not listen within start_timeout. The child gets
  // SIGTERM when the calling thread exits (PR_SET_PDEATHSIG, so that a crashed test leaves no
  // simulator behind): call it from a thread that outlives this object (e.g. the test's).
  static Result<std::unique_ptr<WalletSimProcess>> Start(WalletSimOptions options);

  WalletSimProcess(const WalletSimProcess&) = delete;
  WalletSimProcess& operator=(const WalletSimProcess&) = delete;
  ~WalletSimProcess();  // Stop()s

  // SIGTERM, then SIGKILL if it has not exited within 5 s. Idempotent.
  Status Stop();

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string base_url() const;  // "https://127.0.0.1:PORT" (http:// without TLS)
  const WalletSimOptions& options() const { return options_; }
  std::string secret_file() const;  // holds options().hmac_secret
  std::string log_file() const;     // the simulator's stderr
  std::string LogTail(size_t max_bytes = 4000) const;

  // A client for base_url() with options().client_tls (for signed protocol calls in tests).
  std::shared_ptr<connector::HttpClient> client() const { return client_; }

  // The control API.
  Status PutWallet(const std::string& msisdn, const std::string& name, const Money& balance);
  Result<SimWallet> GetWallet(const std::string& msisdn);  // kNotFound
  Result<SimMerchant> GetMerchant();
  Status SetFaults(const SimFaults& faults);
  // One-shot fault for `request_id`: timeout, error, drop_request, lost_callback,
  // duplicate_callback, early_callback or decline. Several may be set for one id.
  Status InjectFault(const std::string& request_id, const std::string& fault);
  // A bill paid from the wallet app; returns the credit's reference.
  Result<std::string> Push(const std::string& msisdn, const std::string& bill_number,
                           const Money& amount);
  Result<SimRequest> GetRequest(const std::string& request_id);  // kNotFound

  // Any call: HTTP status and body (errors only for transport failures).
  Result<connector::HttpResponse> Call(const std::string& method, const std::string& target,
                                       const std::string& body = "");

 private:
  WalletSimProcess(WalletSimOptions options, pid_t pid);

  WalletSimOptions options_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::unique_ptr<connector::IoRuntime> runtime_;
  std::shared_ptr<connector::HttpClient> client_;
};

}  // namespace pay::wallet

#endif  // PAY_CONNECTORS_WALLET_WALLET_SIM_PROCESS_H_
