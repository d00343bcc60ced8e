// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "webhook_dispatcher.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "event_convert.h"

namespace payd {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "https://host:port/path?q" -> ("https://host:port", "/path?q").
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const size_t path =
      scheme_end == std::string::npos ? std::string::npos : url.find_first_of("/?", scheme_end + 3);
  if (path == std::string::npos) return {url, "/"};
  std::string target = url.substr(path);
  if (target[0] == '?') target = "/" + target;
  return {url.substr(0, path), target};
}

}  // namespace

WebhookDispatcher::WebhookDispatcher(pay::Gateway* gateway, WebhookDispatcherOptions options)
    : gateway_(gateway),
      options_(std::move(options)),
      thread_([this](std::stop_token stop) { Run(stop); }) {}

WebhookDispatcher::~WebhookDispatcher() {
  thread_.request_stop();
  runtime_.Stop();  // a request in flight ends now
  thread_.join();
}

void WebhookDispatcher::Run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    const uint64_t seen = gateway_->LastSequence();
    pay::Result<std::vector<pay::WebhookTask>> tasks = gateway_->DueWebhookDeliveries(NowMs());
    if (!tasks.ok()) {
      spdlog::error("webhooks: cannot read the delivery queue: {}",
                    std::string(tasks.status().message()));
    }
    bool attempted = false;
    for (const pay::WebhookTask& task : tasks.ok() ? *tasks : std::vector<pay::WebhookTask>()) {
      if (stop.stop_requested()) return;
      pay::WebhookAttempt attempt = Deliver(task);
      if (stop.stop_requested()) return;  // cut short by the shutdown: not an attempt
      attempted = true;
      pay::Status recorded = gateway_->RecordWebhookAttempt(task, attempt, NowMs());
      if (!recorded.ok()) {
        spdlog::error("webhooks: cannot record the attempt of {} event {}: {}",
                      task.webhook.webhook_id, task.event.sequence,
                      std::string(recorded.message()));
      } else if (attempt.delivered) {
        spdlog::info("webhooks: delivered event {} to {}{} (HTTP {})", task.event.sequence,
                     task.webhook.webhook_id, task.replay ? " (replay)" : "", attempt.http_status);
      } else {
        spdlog::warn("webhooks: event {} to {}{} failed, attempt {}: {}", task.event.sequence,
                     task.webhook.webhook_id, task.replay ? " (replay)" : "", task.attempt,
                     attempt.error);
      }
    }
    // Nothing was due: sleep until a new entry is committed or the poll interval passes (retries
    // become due by time alone).
    if (!attempted) gateway_->WaitForEntriesAfter(seen, options_.poll_ms);
  }
}

pay::WebhookAttempt WebhookDispatcher::Deliver(const pay::WebhookTask& task) {
  pay::WebhookAttempt attempt;
  auto [origin, target] = SplitUrl(task.webhook.url);
  auto client = clients_.find(origin);
  if (client == clients_.end()) {
    pay::connector::HttpClientOptions client_options;
    client_options.base_url = origin;
    client_options.tls.ca_file = options_.ca_file;
    client_options.connect_timeout = std::chrono::milliseconds(options_.connect_timeout_ms);
    client_options.timeout = std::chrono::milliseconds(options_.timeout_ms);
    client_options.max_response_bytes = 64 << 10;
    pay::Result<std::unique_ptr<pay::connector::HttpClient>> made =
        pay::connector::MakeHttpClient(runtime_, client_options);
    if (!made.ok()) {
      attempt.error = "cannot reach " + origin + ": " + std::string(made.status().message());
      return attempt;
    }
    client = clients_.emplace(origin, *std::move(made)).first;
  }
  pay::connector::HttpRequest request;
  request.method = "POST";
  request.target = target;
  request.body = EventJson(task.event);
  const int64_t unix_seconds = NowMs() / 1000;
  request.headers = {
      {"Content-Type", "application/json"},
      {"User-Agent", "payd-webhooks/1"},
      {"Pay-Signature", pay::WebhookSignature(task.secret, unix_seconds, request.body)},
      {"Pay-Webhook-Id", task.webhook.webhook_id},
      {"Pay-Event-Id", std::to_string(task.event.sequence)},
      {"Pay-Event-Type", std::string(pay::EntryTypeName(task.event.type))},
  };
  pay::Result<pay::connector::HttpResponse> response = client->second->SendAndWait(request);
  if (!response.ok()) {
    attempt.error = std::string(response.status().message());
    return attempt;
  }
  attempt.http_status = response->status;
  attempt.delivered = response->status >= 200 && response->status < 300;
  if (!attempt.delivered) attempt.error = "HTTP " + std::to_string(response->status);
  return attempt;
}

}  // namespace payd
