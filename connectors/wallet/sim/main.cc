// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// wallet-sim: the command-line front of the wallet simulator (wallet_simulator.h), a test double
// of a mobile-money wallet operator for tests, demonstrations and local development. Runs until
// SIGINT or SIGTERM.

#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "pay/connector/http_runtime.h"
#include "wallet_simulator.h"

namespace {

constexpr char kDescription[] = R"(wallet-sim: a TEST DOUBLE of a mobile-money wallet operator.

It speaks the wallet protocol of libpay's wallet connector (connectors/wallet/PROTOCOL.md) over
HTTPS (or plain HTTP without --tls-cert): signed request-to-pay, status, refunds and statements,
and signed callbacks to the merchant. It keeps wallets by phone number and the merchant's
account, approves each request to pay after --approval-delay-ms, and can misbehave on purpose
(fault rates below, or one-shot faults per request id) to test that no payment is lost or
collected twice. It moves no real money: never point a production gateway at it.

Control API (unsigned JSON, same listener):
  POST /sim/wallets {msisdn, name, currency, balance_minor_units}   create or replace a wallet
  GET  /sim/wallets/{msisdn}                                        a wallet and its balance
  GET  /sim/merchant          {balances, collected_count, refunded_count, requests}
  POST /sim/faults            {latency_ms, timeout_rate, error_rate, drop_rate, decline_rate,
                               lost_callback_rate, duplicate_callback_rate,
                               early_callback_rate, seed}   (replaces the global fault rates)
  POST /sim/faults/request    {request_id, fault}   one-shot: timeout, error, drop_request,
                               lost_callback, duplicate_callback, early_callback, decline
  POST /sim/push              {msisdn, bill_number, amount}   a bill paid from the wallet app
  GET  /sim/requests/{id}     a request's state, collected_count and callback history)";

pay::Result<std::string> ReadSecret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError("--hmac-secret-file: cannot read " + path +
                                      "; create it with the shared secret alone on one line");
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() &&
         (secret.back() == '\n' || secret.back() == '\r' || secret.back() == ' ')) {
    secret.pop_back();
  }
  if (secret.empty())
    return absl::InvalidArgumentError("--hmac-secret-file: " + path + " is empty");
  return secret;
}

bool WritePortFile(const std::string& path, uint16_t port) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out) return false;
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  return !ec;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(kDescription, "wallet-sim");
  pay::wallet::sim::SimulatorOptions options;
  options.listen = "127.0.0.1:8443";
  std::string port_file;
  std::string secret_file;
  std::string log_level = "info";
  pay::wallet::sim::FaultRates& faults = options.faults;

  app.add_option("--listen", options.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--port-file", port_file,
                 "Write the bound port (digits and a newline) to FILE once listening");
  app.add_option("--tls-cert", options.server_tls.cert_file,
                 "Server certificate (PEM); without it the simulator speaks plain HTTP");
  app.add_option("--tls-key", options.server_tls.key_file, "Server private key (PEM)");
  app.add_option("--tls-ca", options.server_tls.ca_file,
                 "CA (PEM) that client certificates must chain to (with --require-client-cert)");
  app.add_flag("--require-client-cert", options.server_tls.require_client_cert,
               "Mutual TLS: accept only clients (the gateway) with a certificate from --tls-ca");
  app.add_option("--callback-ca", options.callback_tls.ca_file,
                 "CA (PEM) that the gateway's callback endpoint must chain to (https callbacks)");
  app.add_option("--callback-cert", options.callback_tls.cert_file,
                 "Client certificate (PEM) presented on callbacks (mutual TLS)");
  app.add_option("--callback-key", options.callback_tls.key_file,
                 "Private key (PEM) of --callback-cert");
  app.add_option("--merchant-id", options.merchant_id, "The merchant (gateway) account id")
      ->capture_default_str();
  app.add_option("--hmac-secret-file", secret_file,
                 "File holding the HMAC secret shared with the gateway")
      ->required();
  app.add_option("--merchant-callback-url", options.merchant_callback_url,
                 "The merchant's callback URL for CREDIT (push) events, e.g. "
                 "https://payd:9444/connectors/wallet/callback");
  app.add_option("--state-file", options.state_file,
                 "JSON snapshot of wallets, balances and requests, rewritten on every change "
                 "and loaded at start (so a restart keeps balances)");
  app.add_option("--approval-delay-ms", options.approval_delay_ms,
                 "Delay before the citizen 'approves' a request to pay on the phone")
      ->capture_default_str();
  app.add_option("--replay-window-seconds", options.replay_window_seconds,
                 "Accepted clock difference for signed requests")
      ->capture_default_str();
  app.add_option("--hold-ms", options.hold_ms,
                 "How long 'timeout' and 'drop_request' hold a request unanswered")
      ->capture_default_str();
  app.add_option("--callback-retry-first-ms", options.callback_first_retry_ms,
                 "First callback retry delay (doubles each time)")
      ->capture_default_str();
  app.add_option("--callback-retry-max-ms", options.callback_max_retry_ms,
                 "Longest callback retry delay")
      ->capture_default_str();
  app.add_option("--callback-give-up-ms", options.callback_give_up_ms,
                 "Stop retrying a callback after this long")
      ->capture_default_str();
  app.add_option("--callback-timeout-ms", options.callback_timeout_ms,
                 "Timeout of one callback attempt")
      ->capture_default_str();
  app.add_option("--latency-ms", faults.latency_ms, "Added before every /v1/ answer");
  app.add_option("--timeout-rate", faults.timeout_rate,
                 "Share of requests to pay processed but never answered")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--error-rate", faults.error_rate,
                 "Share of requests to pay answered 500 without processing")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--drop-rate", faults.drop_rate,
                 "Share of requests to pay neither processed nor answered")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--decline-rate", faults.decline_rate,
                 "Share of requests to pay the citizen declines (FAILED DECLINED)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--lost-callback-rate", faults.lost_callback_rate,
                 "Share of outcomes never called back")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--duplicate-callback-rate", faults.duplicate_callback_rate,
                 "Share of outcomes called back twice")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--early-callback-rate", faults.early_callback_rate,
                 "Share of requests whose callback is sent before the HTTP answer")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--seed", faults.seed, "Seed of the fault draws")->capture_default_str();
  app.add_option("--seed-wallet", options.seed_wallets,
                 "A citizen's wallet created at start unless it exists: "
                 "MSISDN:CURRENCY:MINOR_UNITS:NAME, e.g. +966500000001:SAR:1000000:Demo (repeatable)");
  app.add_option("--log-level", log_level, "debug, info, warn or error")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto logger = spdlog::stderr_color_mt("wallet-sim");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(log_level));

  options.server_tls.enabled = !options.server_tls.cert_file.empty();
  if (options.server_tls.enabled == options.server_tls.key_file.empty()) {
    spdlog::critical("--tls-cert and --tls-key go together");
    return 2;
  }
  if (options.server_tls.require_client_cert && options.server_tls.ca_file.empty()) {
    spdlog::critical("--require-client-cert needs --tls-ca (the CA of the clients' certificates)");
    return 2;
  }
  if (faults.timeout_rate + faults.error_rate + faults.drop_rate > 1) {
    spdlog::critical("--timeout-rate + --error-rate + --drop-rate must not exceed 1");
    return 2;
  }
  pay::Result<std::string> secret = ReadSecret(secret_file);
  if (!secret.ok()) {
    spdlog::critical("{}", std::string(secret.status().message()));
    return 2;
  }
  options.hmac_secret = *secret;

  // Signals are taken by sigwait() below; blocked before any thread starts so that every thread
  // inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  pay::connector::IoRuntime runtime(2);
  auto simulator = pay::wallet::sim::Simulator::Start(runtime, options);
  if (!simulator.ok()) {
    spdlog::critical("{}", std::string(simulator.status().message()));
    return 1;
  }
  std::fprintf(stderr, "wallet-sim listening on %s\n", (*simulator)->address().c_str());
  std::fflush(stderr);
  spdlog::info("{} for merchant {}{}", options.server_tls.enabled ? "HTTPS" : "plain HTTP",
               options.merchant_id, options.server_tls.require_client_cert ? ", mutual TLS" : "");
  if (!port_file.empty() && !WritePortFile(port_file, (*simulator)->port())) {
    spdlog::critical("--port-file: cannot write {}", port_file);
    return 1;
  }
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("signal {}: stopping", received);
  (*simulator)->Stop();
  runtime.Stop();
  return 0;
}
