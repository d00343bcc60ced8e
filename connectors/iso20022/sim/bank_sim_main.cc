// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// bank-sim: the command line of the bank simulator (see bank_sim.h and ../BANK_API.md). Runs
// until SIGINT or SIGTERM.

#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "schemas.h"
#include "sim/bank_sim.h"

namespace {

// Writes `text` to `path` atomically (a reader never sees half of it).
bool WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) return false;
    out << text;
    if (!out.flush()) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  pay::iso20022::sim::BankSimOptions options;
  std::string port_file;
  CLI::App app{
      "bank-sim: a TEST DOUBLE of a bank for the libpay ISO 20022 connector. It speaks the "
      "bank's protocol (pain.008 direct debits, pain.001 refunds, pacs.002 status reports, "
      "camt.054 credit notifications, camt.053 statements) over HTTPS with mutual TLS, keeps "
      "made-up accounts in memory and moves no real money. A JSON control API on the same "
      "listener (/sim/...) creates accounts, injects faults and simulates counter payments. "
      "See connectors/iso20022/BANK_API.md."};
  app.add_option("--listen", options.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--port-file", port_file, "write the bound port to this file once listening");
  app.add_option("--tls-cert", options.server_tls.cert_file,
                 "the bank's certificate (PEM); without it the bank speaks plain HTTP");
  app.add_option("--tls-key", options.server_tls.key_file, "the bank's private key (PEM)");
  app.add_option("--tls-ca", options.server_tls.ca_file,
                 "CA (PEM) that clients' certificates must chain to: mutual TLS, a client "
                 "certificate is then required");
  app.add_option("--client-cert", options.client_tls.cert_file,
                 "the bank's client certificate for its calls to the gateway (PEM)");
  app.add_option("--client-key", options.client_tls.key_file, "its private key (PEM)");
  app.add_option("--client-ca", options.client_tls.ca_file,
                 "CA (PEM) that the gateway's server certificate must chain to");
  app.add_option("--notify-url", options.notify_url,
                 "where pacs.002 status reports are POSTed, e.g. "
                 "https://127.0.0.1:8443/connectors/bank/pacs.002");
  app.add_option("--camt054-url", options.camt054_url,
                 "where camt.054 credit notifications are POSTed, e.g. "
                 "https://127.0.0.1:8443/connectors/bank/camt.054");
  app.add_option("--collection-iban", options.collection_iban,
                 "the gateway's collection account at this bank")
      ->required();
  app.add_option("--collection-name", options.collection_name, "its holder's name")
      ->capture_default_str();
  app.add_option("--collection-bic", options.collection_bic, "this bank's BIC")
      ->capture_default_str();
  app.add_option("--currency", options.currency, "the collection account's currency")
      ->capture_default_str();
  options.schema_dir = pay::iso20022::DefaultSchemaDir();
  app.add_option("--iso20022-schema-dir", options.schema_dir,
                 "directory with the ISO 20022 XSDs (pain.001.001.09.xsd, ...)")
      ->capture_default_str();
  app.add_option("--settle-delay-ms", options.settle_delay_ms,
                 "how long after accepting a debit or transfer the bank settles it")
      ->capture_default_str();
  app.add_option("--hang-ms", options.hang_ms,
                 "how long the 'timeout' and 'drop_request' faults keep a request unanswered")
      ->capture_default_str();
  app.add_option("--notify-retry-for-ms", options.notify_retry_for_ms,
                 "pushes are retried (100 ms doubling to 5 s) for this long until answered 2xx")
      ->capture_default_str();
  app.add_option("--threads", options.threads, "I/O threads")->capture_default_str();
  app.add_option("--latency-ms", options.faults.latency_ms,
                 "fault: delay added to every ISO 20022 answer");
  app.add_option("--timeout-rate", options.faults.timeout_rate,
                 "fault: share of requests processed but answered only after --hang-ms");
  app.add_option("--error-rate", options.faults.error_rate,
                 "fault: share of requests answered 500 and not processed");
  app.add_option("--decline-rate", options.faults.decline_rate,
                 "fault: share of transactions rejected AM04");
  app.add_option("--lost-notification-rate", options.faults.lost_notification_rate,
                 "fault: share of pacs.002 never pushed");
  app.add_option("--duplicate-notification-rate", options.faults.duplicate_notification_rate,
                 "fault: share of pacs.002 pushed twice");
  app.add_option("--early-notification-rate", options.faults.early_notification_rate,
                 "fault: share of transactions settled and pushed before the HTTP answer");
  app.add_option("--seed-account", options.seed_accounts,
                 "An account created at start: IBAN:CURRENCY:MINOR_UNITS:NAME, e.g. "
                 "SA4420000001234567891234:SAR:1000000:Demo (repeatable); the collection "
                 "account's gives its opening balance. GET /accounts/<IBAN> shows an "
                 "account's balance and the credit transfers booked to it");
  app.add_option("--seed", options.faults.seed, "seed of the fault dice")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // Signals are taken by sigwait below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The first log line sets up spdlog's registry, before the I/O threads that log start.
  spdlog::info("bank-sim starting (a test double: it moves no real money)");
  if (options.server_tls.cert_file.empty()) {
    spdlog::warn("no --tls-cert: serving plain HTTP (protocol tests only)");
  }
  auto sim = pay::iso20022::sim::BankSim::Start(options);
  if (!sim.ok()) {
    spdlog::error("bank-sim cannot start: {}", std::string(sim.status().message()));
    return 1;
  }
  spdlog::info("bank-sim listening on {}", (*sim)->address());
  if (!port_file.empty() && !WriteFileAtomically(port_file, std::to_string((*sim)->port()))) {
    spdlog::error("cannot write --port-file {}", port_file);
    return 1;
  }
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("bank-sim stopping (signal {})", received);
  (*sim)->Stop();
  return 0;
}
