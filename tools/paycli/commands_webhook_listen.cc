// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `webhook listen`: a webhook receiver for trying webhooks out and for scripts. Serves HTTPS,
// checks each delivery's signature with the webhook's secret the way docs/webhooks.md tells a
// directorate to, prints every verified event as one JSON line on stdout and answers 200 (or the
// status given with --fail-with, to watch payd retry).

#include <signal.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "commands.h"
#include "pay/connector/http_runtime.h"
#include "webhook_signature.h"

namespace paycli {
namespace {

struct ListenFlags {
  std::string listen = "127.0.0.1:8446";
  std::string tls_cert;
  std::string tls_key;
  std::string secret_file;
  int tolerance_seconds = 300;
  int count = 0;
  int fail_with = 0;
};

std::atomic<bool> interrupted{false};

void OnSignal(int) { interrupted = true; }

int RunListen(const ListenFlags& flags, const ClientConfig&) {
  std::ifstream secret_in(flags.secret_file);
  std::string secret;
  std::getline(secret_in, secret);
  if (secret.empty()) {
    std::cerr << "paycli: --secret-file " << flags.secret_file
              << ": no secret in it (the whsec_... value `webhook create` printed)\n";
    return 2;
  }
  pay::connector::IoRuntime runtime(1);
  pay::connector::HttpServerOptions options;
  options.listen = flags.listen;
  options.tls.cert_file = flags.tls_cert;
  options.tls.key_file = flags.tls_key;
  std::mutex mu;  // one delivery printed at a time
  std::atomic<int> verified{0};
  auto server = pay::connector::HttpServer::Start(
      runtime, options,
      [&](pay::connector::HttpServerRequest request, pay::connector::HttpResponder respond) {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        const absl::Status checked = VerifyWebhookSignature(
            secret, request.Header("Pay-Signature"), request.body, now, flags.tolerance_seconds);
        std::lock_guard<std::mutex> lock(mu);
        if (!checked.ok()) {
          std::cerr << "REJECTED " << request.method << " " << request.target << ": "
                    << checked.message() << "\n";
          respond({401, {}, "signature check failed\n"});
          return;
        }
        std::cerr << "verified event " << request.Header("Pay-Event-Id") << " "
                  << request.Header("Pay-Event-Type") << "\n";
        std::cout << request.body << "\n" << std::flush;
        respond({flags.fail_with != 0 ? flags.fail_with : 200, {}, ""});
        if (flags.fail_with == 0) ++verified;
      });
  if (!server.ok()) {
    std::cerr << "paycli: cannot listen on " << flags.listen << ": " << server.status().message()
              << "\n";
    return 1;
  }
  std::cerr << "listening on https://" << (*server)->address()
            << " (register this URL with `paycli webhook create`); Ctrl-C stops\n";
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);
  while (!interrupted && (flags.count == 0 || verified < flags.count)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  (*server)->Stop();
  runtime.Stop();
  return 0;
}

}  // namespace

void AddWebhookListenCommand(CLI::App* webhook, Action* action) {
  CLI::App* listen = webhook->add_subcommand("listen", "Receive webhooks and check signatures");
  listen->footer(
      "Serves HTTPS on --listen with --tls-cert/--tls-key (payd must trust their CA: payd serve\n"
      "--webhook-ca). Each delivery's Pay-Signature is checked with the secret (HMAC-SHA256 over\n"
      "\"<t>.<body>\", t within --tolerance-seconds); verified events are printed on stdout, one\n"
      "JSON object per line, and answered 200 (or --fail-with STATUS, to see payd retry).\n"
      "Deliveries with a bad signature are answered 401 and reported on stderr.\n"
      "Example: paycli webhook listen --tls-cert var/pki/webhook.pem --tls-key "
      "var/pki/webhook.key --secret-file webhook.secret --count 3");
  auto flags = std::make_shared<ListenFlags>();
  listen->add_option("--listen", flags->listen, "HOST:PORT to serve on")->capture_default_str();
  listen->add_option("--tls-cert", flags->tls_cert, "Server certificate chain (PEM)")
      ->required()
      ->check(CLI::ExistingFile);
  listen->add_option("--tls-key", flags->tls_key, "Server private key (PEM)")
      ->required()
      ->check(CLI::ExistingFile);
  listen
      ->add_option("--secret-file", flags->secret_file,
                   "File holding the webhook's signing secret (whsec_...)")
      ->required()
      ->check(CLI::ExistingFile);
  listen
      ->add_option("--tolerance-seconds", flags->tolerance_seconds,
                   "How far the signature's time may be from now")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  listen->add_option("--count", flags->count, "Exit after this many verified events (0: never)")
      ->capture_default_str();
  listen
      ->add_option("--fail-with", flags->fail_with,
                   "Answer verified deliveries with this HTTP status instead of 200")
      ->check(CLI::Range(400, 599));
  SetAction(listen, flags, action, &RunListen);
}

}  // namespace paycli
