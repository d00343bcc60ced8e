// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Delivers webhook events (docs/webhooks.md): one thread that asks the gateway which deliveries
// are due, POSTs each signed event over HTTPS with the project's HTTP client, and reports the
// outcome back. The queue, cursors, backoff and dead letters are libpay's; this only moves bytes.
// Deliveries go one at a time (so at most one request is in flight per webhook, and a webhook's
// events leave in ledger order); a receiver that hangs holds the others back for at most the
// request timeout.

#ifndef PAY_PAYD_WEBHOOK_DISPATCHER_H_
#define PAY_PAYD_WEBHOOK_DISPATCHER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>

#include "pay/connector/http_runtime.h"
#include "pay/gateway.h"

namespace payd {

struct WebhookDispatcherOptions {
  // Trust store (PEM) for receivers' certificates; empty: the system's trusted CAs.
  std::string ca_file;
  int64_t connect_timeout_ms = 5'000;
  // The whole request; a receiver that does not answer 2xx within it is retried later.
  int64_t timeout_ms = 10'000;
  // How often due retries are looked for when no new ledger entry wakes the dispatcher.
  int64_t poll_ms = 200;
};

class WebhookDispatcher {
 public:
  // Starts the delivery thread. `gateway` must outlive the dispatcher.
  WebhookDispatcher(pay::Gateway* gateway, WebhookDispatcherOptions options);
  // Stops: the request in flight is abandoned (and not counted as an attempt), the thread joined.
  ~WebhookDispatcher();

 private:
  void Run(std::stop_token stop);
  // One attempt at `task`.
  pay::WebhookAttempt Deliver(const pay::WebhookTask& task);

  pay::Gateway* gateway_;
  WebhookDispatcherOptions options_;
  pay::connector::IoRuntime runtime_{1};
  // One client per receiver origin (used by the delivery thread only).
  std::map<std::string, std::unique_ptr<pay::connector::HttpClient>> clients_;
  std::jthread thread_;
};

}  // namespace payd

#endif  // PAY_PAYD_WEBHOOK_DISPATCHER_H_
