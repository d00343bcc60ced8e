// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// payd: the payment gateway daemon.
//   payd init  --data-dir DIR                 create the store, signing key and admin key
//   payd serve --data-dir DIR --listen ADDR   serve pay.v1 over gRPC until SIGTERM/SIGINT

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "absl/synchronization/mutex.h"
#include "pay/gateway.h"
#include "server.h"

namespace {

int Init(const std::string& data_dir) {
  pay::Result<pay::InitializeResult> result = pay::Gateway::Initialize(data_dir);
  if (!result.ok()) {
    spdlog::critical("payd init failed: {}", std::string(result.status().message()));
    return 1;
  }
  if (result->created) {
    spdlog::info("initialised {}: the ADMIN API key is in {} (mode 0600); keep it secret",
                 data_dir, result->admin_key_path);
  } else {
    spdlog::info("{} is already initialised; nothing changed (admin key: {})", data_dir,
                 result->admin_key_path);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Debian builds absl without NDEBUG, which leaves its mutex deadlock detector on: every
  // acquisition of every absl::Mutex (the ledger's, gRPC's) then goes through one global graph
  // lock. Its findings would only be reported, never acted on, in production.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  spdlog::set_default_logger(spdlog::stderr_color_mt("payd"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");

  CLI::App app{"payd: payment gateway for government fees (gRPC API pay.v1)"};
  app.require_subcommand(1);
  app.set_config("--config", "", "Read options from a TOML file (keys as the long option names)");
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")
      ->capture_default_str();

  std::string init_dir;
  CLI::App* init = app.add_subcommand(
      "init", "Create the store, the signing key and an ADMIN API key in DIR/admin.key");
  init->add_option("--data-dir", init_dir, "Data directory (created if missing)")->required();

  payd::ServeOptions serve_options;
  CLI::App* serve = app.add_subcommand("serve", "Serve the pay.v1 gRPC API until SIGTERM/SIGINT");
  serve->add_option("--data-dir", serve_options.data_dir, "Data directory made by `payd init`")
      ->required();
  serve->add_option("--listen", serve_options.listen, "HOST:PORT to listen on (port 0: any free)")
      ->capture_default_str();
  serve->add_option("--connector", serve_options.connectors,
                    "Built-in connector types to enable without configuration, by name "
                    "(repeatable): sandbox")
      ->capture_default_str();
  serve->add_option("--connectors-file", serve_options.connector_host.connectors_file,
                    "TOML file with one [connectors.NAME] table per connector (type, url, TLS "
                    "files, secrets; see docs/connectors.md)")
      ->check(CLI::ExistingFile);
  serve->add_option("--connector-plugin", serve_options.connector_host.plugins,
                    "Shared library adding connector types (built with the connector SDK; "
                    "repeatable)")
      ->check(CLI::ExistingFile);
  serve->add_option("--notify-listen", serve_options.connector_host.notify_listen,
                    "HOST:PORT where providers send notifications (POST /connectors/NAME/...); "
                    "empty: none");
  serve->add_option("--notify-tls-cert", serve_options.connector_host.notify_tls.cert_file,
                    "Certificate (PEM) of the notification endpoint; without it the endpoint "
                    "speaks plain HTTP (loopback testing only)");
  serve->add_option("--notify-tls-key", serve_options.connector_host.notify_tls.key_file,
                    "Private key (PEM) of the notification endpoint");
  serve->add_option("--notify-tls-ca", serve_options.connector_host.notify_tls.ca_file,
                    "CA (PEM) that providers' client certificates must chain to; set it to "
                    "require mutual TLS");
  serve->add_option("--reconcile-after-minutes", serve_options.reconcile_after_minutes,
                    "Minutes after midnight UTC at which the previous day's statements are "
                    "reconciled")
      ->check(CLI::Range(0, 1439))
      ->capture_default_str();
  serve->add_option("--checkpoint-interval-seconds", serve_options.checkpoint_interval_seconds,
                    "How often a signed ledger checkpoint is written (also at shutdown)")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve->add_option("--inquiry-interval-seconds", serve_options.inquiry_interval_seconds,
                    "How often payments with an unknown outcome are inquired")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve->add_option("--idempotency-retention-days", serve_options.idempotency_retention_days,
                    "How long idempotency keys are remembered")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  serve
      ->add_option("--webhook-ca", serve_options.webhooks.ca_file,
                   "PEM trust store for webhook receivers' certificates (default: system CAs)")
      ->check(CLI::ExistingFile);
  serve
      ->add_option("--webhook-timeout-ms", serve_options.webhooks.timeout_ms,
                   "Timeout of one webhook delivery request, connecting included")
      ->check(CLI::Range(100, 120'000))
      ->capture_default_str();
  serve
      ->add_option("--webhook-backoff-base-ms", serve_options.webhook_backoff_base_ms,
                   "First retry delay of a failed webhook delivery (doubling each attempt)")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}))
      ->capture_default_str();
  serve
      ->add_option("--webhook-backoff-max-ms", serve_options.webhook_backoff_max_ms,
                   "Longest retry delay of a webhook delivery")
      ->check(CLI::Range(int64_t{1}, int64_t{86'400'000}))
      ->capture_default_str();
  serve
      ->add_option("--webhook-max-attempts", serve_options.webhook_max_attempts,
                   "Attempts after which a webhook delivery is recorded FAILED")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  serve
      ->add_option("--webhook-max-age-ms", serve_options.webhook_max_age_ms,
                   "Time after its first attempt when a webhook delivery is recorded FAILED")
      ->check(CLI::Range(int64_t{1}, int64_t{30} * 86'400'000))
      ->capture_default_str();

  serve->add_option("--settlement-connector", serve_options.settlement_connector,
                    "Connector instance that sends settlement transfers (pain.001), e.g. bank");
  serve->add_option("--settlement-close", serve_options.settlement_close,
                    "Local time HH:MM at which the settlement window closes daily (empty: only "
                    "by an ADMIN)");
  serve
      ->add_option("--settlement-time-zone", serve_options.settlement_time_zone,
                   "IANA time zone of --settlement-close, e.g. Asia/Riyadh")
      ->capture_default_str();
  // Fault injection for the crash tests: not listed in --help.
  serve->add_option("--test-settlement-crash-at", serve_options.settlement_crash_at)->group("");
  serve
      ->add_option("--settlement-retry-backoff-seconds",
                   serve_options.settlement_retry_backoff_seconds,
                   "Wait before payd resends a REJECTED or FAILED settlement transfer by itself; "
                   "doubles per retry")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{86400}));
  serve
      ->add_option("--settlement-retry-max-backoff-seconds",
                   serve_options.settlement_retry_max_backoff_seconds,
                   "Longest wait between automatic settlement retries")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{7} * 86400));
  serve
      ->add_option("--settlement-retry-max", serve_options.settlement_retry_max,
                   "Automatic resends of an owed settlement transfer before it is escalated to "
                   "a person (logged, shown as escalated); a closed or unknown account or a "
                   "missing treasury account escalates at once and is retried when its treasury "
                   "account changes; 0: never retry by itself")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  serve
      ->add_option("--settlement-confirm-grace-seconds",
                   serve_options.settlement_confirm_grace_seconds,
                   "How long after the bank accepted a settlement transfer its debit may be "
                   "missing from the collection account's camt.053 before payd records a "
                   "DISCREPANCY (SETTLEMENT_NOT_ON_STATEMENT)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{30} * 86400));

  serve
      ->add_option("--payment-workers", serve_options.payment_workers,
                   "Threads that run CreatePayment, RecordChannelPayment and CreateFee (each "
                   "waits for the ledger's shared fsync; more workers, larger commit groups)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  serve
      ->add_option(
          "--payment-queue-limit", serve_options.payment_queue_limit,
          "Payment and fee calls that may wait for a worker; beyond it they are refused with "
          "RESOURCE_EXHAUSTED (retry with the same idempotency_key)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));

  CLI11_PARSE(app, argc, argv);
  spdlog::level::level_enum level = spdlog::level::from_str(log_level);
  if (level == spdlog::level::off && log_level != "off") {
    spdlog::critical("--log-level: unknown level \"{}\"", log_level);
    return 2;
  }
  spdlog::set_level(level);

  if (*init) return Init(init_dir);
  pay::connector::TlsOptions& notify_tls = serve_options.connector_host.notify_tls;
  notify_tls.enabled = !notify_tls.cert_file.empty();
  notify_tls.require_client_cert = !notify_tls.ca_file.empty();
  if (notify_tls.enabled == notify_tls.key_file.empty()) {
    spdlog::critical("--notify-tls-cert and --notify-tls-key go together");
    return 2;
  }
  return payd::Serve(serve_options);
}
