// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include "auth.h"
#include "call_pool.h"
#include "pay/gateway.h"
#include "services.h"
#include "watch_control.h"
#include "webhook_dispatcher.h"
#include "webhook_service.h"
#include "settlement_schedule.h"
#include "settlement_worker.h"

namespace payd {
namespace {

// Threading. CreatePayment and RecordChannelPayment, the calls that wait for two group-committed
// fsyncs, are served with gRPC's callback API: gRPC's own threads authenticate the call and queue
// it on a CallPool (services.h, pooled_call.h) of --payment-workers threads (default
// kDefaultPaymentWorkers = 128) that run the gateway and finish the call; at most
// --payment-queue-limit calls (1024, a quarter of a second at 4,000 payments/s) wait for a
// worker, and the rest are refused RESOURCE_EXHAUSTED with the advice to retry with the same
// idempotency_key. Measured with `paybench --skip-open-loop --skip-export --skip-bulk
// --compare-payd <payd of the sync server> [--payment-workers N]` (both payds in one run, ratios
// pool / sync): on a lightly loaded machine with 128 workers, three runs, 0.79-1.15x at 16
// clients, 0.92-1.04x at 64, 0.91-1.01x at 256 where the sync server refused 0.6-1.9% of calls
// and the pool none. The pool is no faster; it is kept because it queues instead of refusing, and
// because an asynchronous commit path needs the callback API. Under heavy load (load 10-14): 128
// workers 1.19x at 64 and 1.45x at 256 clients (sync refused 11%), 64 workers 1.12x and 1.15x,
// 256 workers no faster than 128; 32 workers lose at 256 clients (0.87x: commit groups of at most
// 32 payments). Each worker sleeps through its fsyncs, so more workers give larger commit groups.
//
// CreateFee, the other busy write a directorate's back office makes, runs on the same pool (it
// too was refused at 256 clients on the sync server). Every other method runs on the
// synchronous server below.
constexpr int kMaxServerThreads = 256;
// Handler threads that stay polling for calls. gRPC's sync server otherwise keeps 1 to 2 and
// creates a thread for each call that finds none idle, then ends it when the call returns: with
// handlers that wait for the ledger's fsync, that was a thread created and destroyed per call
// (half of payd's CPU in `perf`). Every handler thread stays (up to kMaxServerThreads): at 64
// clients paybench measured 3,027 CreatePayment/s with 8 pollers, 3,368 with 64 and 4,686 with
// 256. Idle pollers cost a stack each, no CPU.
constexpr int kMinPollers = 2;
constexpr int kMaxPollers = kMaxServerThreads;

// The host part of "HOST:PORT" ("[::1]:0" -> "[::1]").
std::string HostOf(const std::string& address) {
  size_t colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

void ResolvePending(pay::Gateway& gateway) {
  pay::Result<size_t> pending = gateway.ResolvePendingPayments();
  if (!pending.ok()) {
    spdlog::error("inquiry of PROCESSING payments failed: {}",
                  std::string(pending.status().message()));
  } else if (*pending > 0) {
    spdlog::info("{} payments still PROCESSING: their connectors have no outcome yet", *pending);
  }
}

// Called with ResolvePending: refunds whose payout was not confirmed are asked again by id.
void ResolvePendingRefunds(pay::Gateway& gateway) {
  pay::Result<size_t> pending = gateway.ResolvePendingRefunds();
  if (!pending.ok()) {
    spdlog::error("retrying PROCESSING refunds failed: {}",
                  std::string(pending.status().message()));
  } else if (*pending > 0) {
    spdlog::info("{} refunds still PROCESSING: their connectors have no outcome yet", *pending);
  }
}

void ExpireFees(pay::Gateway& gateway) {
  pay::Result<size_t> expired = gateway.ExpireDueFees();
  if (!expired.ok()) {
    spdlog::error("expiring due fees failed: {}", std::string(expired.status().message()));
  } else if (*expired > 0) {
    spdlog::info("{} fees passed their expire_time and are now EXPIRED", *expired);
  }
}

void ApplyPenalties(pay::Gateway& gateway) {
  pay::Result<size_t> charged = gateway.ApplyDuePenalties();
  if (!charged.ok()) {
    spdlog::error("charging late penalties failed: {}", std::string(charged.status().message()));
  } else if (*charged > 0) {
    spdlog::info("{} late penalty periods charged", *charged);
  }
}

constexpr int64_t kDayMs = int64_t{24} * 3600 * 1000;

// Compares each connector's statement of one UTC day with the ledger; differences are ledger
// entries (DISCREPANCY) and log lines.
void Reconcile(pay::Gateway& gateway, int64_t day_start_ms) {
  for (const pay::ConnectorStatus& connector : gateway.ConnectorStatuses()) {
    pay::Result<pay::ReconciliationReport> report =
        gateway.Reconcile(connector.name, day_start_ms, day_start_ms + kDayMs);
    if (!report.ok()) {
      if (report.status().code() != pay::StatusCode::kUnimplemented) {
        spdlog::error("reconciliation of {} failed: {}; it is retried at the next inquiry tick",
                      connector.name, std::string(report.status().message()));
      }
      continue;
    }
    spdlog::info("reconciled {} for the day starting {} ms: {} statement lines, {} matched, "
                 "{} resolved, {} discrepancies",
                 connector.name, day_start_ms, report->statement_lines, report->matched,
                 report->resolved, report->discrepancies.size());
    for (const std::string& discrepancy : report->discrepancies) {
      spdlog::warn("reconciliation of {}: {}", connector.name, discrepancy);
    }
  }
}

void WriteCheckpoint(pay::Gateway& gateway) {
  pay::Result<pay::LedgerEntry> checkpoint = gateway.AppendCheckpoint();
  if (!checkpoint.ok()) {
    spdlog::error("cannot write a checkpoint: {}", std::string(checkpoint.status().message()));
    return;
  }
  spdlog::debug("checkpoint at sequence {} covers entries up to {}", checkpoint->sequence,
                checkpoint->checkpoint->covered_sequence);
}

// Background work on the gateway: periodic checkpoints and inquiries of payments whose outcome
// is unknown. Stops (and joins) when destroyed.
class Maintenance {
 public:
  Maintenance(pay::Gateway* gateway, const ServeOptions& options)
      : gateway_(gateway),
        options_(options),
        thread_([this](std::stop_token stop) { Run(stop); }) {}
  ~Maintenance() {
    thread_.request_stop();
    thread_.join();
  }

 private:
  void Run(std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any wake;
    auto next_checkpoint = std::chrono::steady_clock::now() +
                           std::chrono::seconds(options_.checkpoint_interval_seconds);
    auto next_inquiry = std::chrono::steady_clock::now() +
                        std::chrono::seconds(options_.inquiry_interval_seconds);
    while (!stop.stop_requested()) {
      {
        std::unique_lock lock(mu);
        wake.wait_until(lock, stop, std::min(next_checkpoint, next_inquiry), [] { return false; });
      }
      if (stop.stop_requested()) break;
      const auto now = std::chrono::steady_clock::now();
      if (now >= next_inquiry) {
        ResolvePending(*gateway_);
        ResolvePendingRefunds(*gateway_);
        ExpireFees(*gateway_);
        ApplyPenalties(*gateway_);
        ReconcileYesterday();
        next_inquiry = now + std::chrono::seconds(options_.inquiry_interval_seconds);
      }
      if (now >= next_checkpoint) {
        WriteCheckpoint(*gateway_);
        next_checkpoint = now + std::chrono::seconds(options_.checkpoint_interval_seconds);
      }
    }
  }

  void ReconcileYesterday() {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    const int64_t today = now_ms / kDayMs * kDayMs;
    if (now_ms - today < int64_t{options_.reconcile_after_minutes} * 60 * 1000) return;
    if (reconciled_day_ == today - kDayMs) return;
    Reconcile(*gateway_, today - kDayMs);
    reconciled_day_ = today - kDayMs;
  }

  pay::Gateway* gateway_;
  ServeOptions options_;
  int64_t reconciled_day_ = -1;
  std::jthread thread_;
};

// Blocks the termination signals in every thread (gRPC's included, which inherit the mask), so
// that only WaitForTermination receives them.
sigset_t BlockTerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace

int Serve(const ServeOptions& options) {
  sigset_t signals = BlockTerminationSignals();

  pay::GatewayOptions gateway_options;
  gateway_options.data_dir = options.data_dir;
  gateway_options.idempotency_retention_ms =
      int64_t{options.idempotency_retention_days} * 24 * 3600 * 1000;
  gateway_options.webhook_backoff_base_ms = options.webhook_backoff_base_ms;
  gateway_options.webhook_backoff_max_ms = options.webhook_backoff_max_ms;
  gateway_options.webhook_max_attempts = options.webhook_max_attempts;
  gateway_options.webhook_max_age_ms = options.webhook_max_age_ms;
  gateway_options.settlement.connector = options.settlement_connector;
  gateway_options.settlement.crash_at = options.settlement_crash_at;
  gateway_options.settlement.retry_backoff_ms = options.settlement_retry_backoff_seconds * 1000;
  gateway_options.settlement.retry_max_backoff_ms =
      options.settlement_retry_max_backoff_seconds * 1000;
  gateway_options.settlement.retry_max = options.settlement_retry_max;
  gateway_options.settlement.confirm_grace_ms = options.settlement_confirm_grace_seconds * 1000;
  std::optional<SettlementSchedule> settlement_schedule;
  if (!options.settlement_close.empty()) {
    pay::Result<SettlementSchedule> parsed =
        SettlementSchedule::Parse(options.settlement_close, options.settlement_time_zone);
    if (!parsed.ok()) {
      spdlog::critical("{}", std::string(parsed.status().message()));
      return 1;
    }
    settlement_schedule = *parsed;
  }
  pay::Result<std::unique_ptr<pay::Gateway>> gateway = pay::Gateway::Open(gateway_options);
  if (!gateway.ok()) {
    spdlog::critical("cannot open the gateway: {}", std::string(gateway.status().message()));
    return 1;
  }
  ConnectorHostOptions host_options = options.connector_host;
  host_options.enabled = options.connectors;
  pay::Result<std::unique_ptr<ConnectorHost>> connectors =
      ConnectorHost::Start(gateway->get(), host_options);
  if (!connectors.ok()) {
    spdlog::critical("cannot start the connectors: {}", std::string(connectors.status().message()));
    return 2;
  }

  // Payments a crash left between "sent to the connector" and "outcome recorded" are resolved
  // before serving.
  ResolvePending(**gateway);
  ResolvePendingRefunds(**gateway);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  AdminServiceImpl admin_service(gateway->get());
  // CreatePayment, RecordChannelPayment and CreateFee wait for the ledger's fsync on these
  // workers, not on gRPC's threads (services.h); drained below before the gateway closes.
  CallPool payment_pool(options.payment_workers, options.payment_queue_limit);
  FeeServiceImpl fee_service(gateway->get(), &payment_pool);
  PaymentServiceImpl payment_service(gateway->get(), &payment_pool);
  LedgerServiceImpl ledger_service(gateway->get());
  WebhookServiceImpl webhook_service(gateway->get());
  SettlementServiceImpl settlement_service(gateway->get());

  grpc::ServerBuilder builder;
  int bound_port = 0;
  // TLS and mTLS credentials come with their own configuration; until then payd listens in
  // plaintext and should be bound to loopback or placed behind a TLS-terminating proxy.
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &bound_port);
  builder.RegisterService(&admin_service);
  builder.RegisterService(&fee_service);
  builder.RegisterService(&payment_service);
  builder.RegisterService(&ledger_service);
  builder.RegisterService(&webhook_service);
  builder.RegisterService(&settlement_service);
  builder.SetMaxReceiveMessageSize(4 << 20);
  // Bounds the handler threads, and so everything queued behind them (the ledger's commit queue);
  // calls beyond it are refused with RESOURCE_EXHAUSTED rather than piling up.
  grpc::ResourceQuota quota("payd");
  quota.SetMaxThreads(kMaxServerThreads);
  builder.SetResourceQuota(quota);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, kMinPollers);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, kMaxPollers);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound_port == 0) {
    spdlog::critical("cannot listen on {}: the address is in use or invalid (choose another with "
                     "--listen HOST:PORT)",
                     options.listen);
    return 1;
  }
  auto maintenance = std::make_unique<Maintenance>(gateway->get(), options);
  // Settlement on its own thread: a slow bank must not hold up the maintenance above.
  auto settlement = std::make_unique<SettlementWorker>(
      gateway->get(), options.inquiry_interval_seconds, settlement_schedule);
  auto webhooks = std::make_unique<WebhookDispatcher>(gateway->get(), options.webhooks);
  spdlog::info("payd listening on {}:{} (data dir {}, ledger at sequence {})",
               HostOf(options.listen), bound_port, options.data_dir,
               (*gateway)->LastSequence());

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("received {}, shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  StopWatches();  // watch streams never finish by themselves
  webhooks.reset();
  // Let calls in progress finish (up to the grace period), then stop at once: gRPC's own
  // Shutdown(deadline) would also wait out idle client connections.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options.shutdown_grace_ms);
  while (InFlightCalls() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server->Shutdown(std::chrono::system_clock::now());
  server->Wait();
  // Calls already queued are answered (their clients are gone or cancelled by now, so they end
  // without touching the ledger) before the gateway they write to is closed.
  payment_pool.Drain();
  maintenance.reset();
  settlement.reset();
  // Connector callbacks end before the gateway they report to is closed.
  (*connectors)->Stop();
  WriteCheckpoint(**gateway);  // the last state, signed
  spdlog::info("payd stopped at ledger sequence {}", (*gateway)->LastSequence());
  return 0;
}

}  // namespace payd
