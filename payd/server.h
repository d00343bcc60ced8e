// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `payd serve`: opens the gateway, registers the configured connectors, and serves pay.v1 with
// health checking and server reflection until SIGTERM or SIGINT.

#ifndef PAY_PAYD_SERVER_H_
#define PAY_PAYD_SERVER_H_

#include <string>
#include <vector>

#include "call_pool.h"
#include "connector_host.h"
#include "webhook_dispatcher.h"

namespace payd {

struct ServeOptions {
  std::string data_dir;
  std::string listen = "127.0.0.1:50051";
  std::vector<std::string> connectors = {"sandbox"};
  // Connector instances, plugins and the notification endpoint (connectors are also taken from
  // `connectors` above, by type name).
  ConnectorHostOptions connector_host;
  // Each connector's statement for the previous UTC day is reconciled once a day, this many
  // minutes after midnight UTC (and at start when that time has passed).
  int reconcile_after_minutes = 60;
  int idempotency_retention_days = 30;
  // How long in-flight calls may finish after SIGTERM before they are cancelled.
  int shutdown_grace_ms = 5000;
  // A signed checkpoint is appended this often (when anything was written), and at shutdown.
  int checkpoint_interval_seconds = 60;
  // Payments left PROCESSING are inquired with their connector this often (and at start).
  int inquiry_interval_seconds = 5;
  // Webhook delivery: receivers' trust store and timeouts, and the retry policy (see
  // pay::GatewayOptions).
  WebhookDispatcherOptions webhooks;
  int64_t webhook_backoff_base_ms = 1'000;
  int64_t webhook_backoff_max_ms = 600'000;
  int32_t webhook_max_attempts = 25;
  int64_t webhook_max_age_ms = int64_t{24} * 3600 * 1000;
  // Settlement (docs/settlement.md): the connector that sends the transfers ("" : none), and the
  // daily close at settlement_close ("HH:MM", "" : only by an ADMIN) in settlement_time_zone.
  std::string settlement_connector;
  std::string settlement_close;
  std::string settlement_time_zone = "UTC";
  // Crash tests only (SettlementOptions::crash_at).
  std::string settlement_crash_at;
  // Automatic retry of owed settlement transfers (SettlementOptions::retry_*), in seconds.
  int64_t settlement_retry_backoff_seconds = 60;
  int64_t settlement_retry_max_backoff_seconds = 3600;
  int32_t settlement_retry_max = 5;
  // SettlementOptions::confirm_grace_ms, in seconds.
  int64_t settlement_confirm_grace_seconds = 36 * 3600;
  // The pool that runs CreatePayment, RecordChannelPayment and CreateFee (services.h): worker
  // threads, and calls that may wait for one before RESOURCE_EXHAUSTED.
  int payment_workers = kDefaultPaymentWorkers;
  int payment_queue_limit = kDefaultPaymentQueueLimit;
};

// Runs until a termination signal. Returns the process exit code; errors are logged with what to
// do about them.
int Serve(const ServeOptions& options);

}  // namespace payd

#endif  // PAY_PAYD_SERVER_H_
