// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "settlement_worker.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace payd {

SettlementWorker::SettlementWorker(pay::Gateway* gateway, int64_t interval_seconds,
                                   std::optional<SettlementSchedule> schedule)
    : gateway_(gateway),
      interval_seconds_(interval_seconds),
      schedule_(std::move(schedule)),
      thread_([this](std::stop_token stop) { Run(stop); }) {}

SettlementWorker::~SettlementWorker() {
  thread_.request_stop();
  thread_.join();
}

void SettlementWorker::Run(std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any wake;
  // At start first: transfers a crash left SENT are asked about (their message resent, which
  // the bank deduplicates) before anything new is sent.
  while (!stop.stop_requested()) {
    Settle();
    std::unique_lock lock(mu);
    wake.wait_for(lock, stop, std::chrono::seconds(interval_seconds_), [] { return false; });
  }
}

void SettlementWorker::Settle() {
  int64_t due_ms = 0;
  if (schedule_) {
    due_ms = schedule_->LastDueMs(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  }
  pay::Result<size_t> unfinished = gateway_->RunSettlement(due_ms);
  if (!unfinished.ok()) {
    spdlog::error("settlement follow-up failed: {}; it is retried at the next inquiry tick",
                  std::string(unfinished.status().message()));
  } else if (*unfinished > 0) {
    spdlog::info("{} settlement windows are still settling", *unfinished);
  }
  // Owed transfers: resent by themselves with a backoff, or escalated (logged once each).
  pay::Result<std::vector<pay::SettlementTransfer>> escalated =
      gateway_->RetryOwedSettlementTransfers();
  if (!escalated.ok()) {
    spdlog::error("settlement retry failed: {}; it is retried at the next inquiry tick",
                  std::string(escalated.status().message()));
  } else {
    for (const pay::SettlementTransfer& transfer : *escalated) {
      spdlog::warn("settlement transfer {} of {} ({} {}) ESCALATED: {}", transfer.end_to_end_id,
                   transfer.account, transfer.amount.minor_units(), transfer.amount.currency(),
                   transfer.escalation_reason);
    }
  }
  // Accepted transfers: confirmed against the collection account's camt.053.
  pay::Result<pay::SettlementConfirmation> confirmed = gateway_->ConfirmSettlementTransfers();
  if (!confirmed.ok()) {
    if (confirmed.status().code() != pay::StatusCode::kUnimplemented) {
      spdlog::error(
          "confirming settlement transfers against the statement failed: {}; it is "
          "retried at the next tick",
          std::string(confirmed.status().message()));
    }
    return;
  }
  if (confirmed->confirmed > 0) {
    spdlog::info("{} settlement transfers confirmed on the collection account's statement",
                 confirmed->confirmed);
  }
  for (const std::string& discrepancy : confirmed->discrepancies) {
    spdlog::warn("settlement DISCREPANCY {}", discrepancy);
  }
}

}  // namespace payd
