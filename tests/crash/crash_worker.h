// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The crash test's client threads. Each loops over work items (issue a fee, pay it), retrying
// every call with the same idempotency key until payd answers, and records each answer in the
// AckBook. Now and then a worker also sends the payment its neighbour is sending, with the
// neighbour's key, so that one key is retried concurrently by two clients across crashes.

#ifndef PAY_TESTS_CRASH_CRASH_WORKER_H_
#define PAY_TESTS_CRASH_CRASH_WORKER_H_

#include <absl/base/thread_annotations.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ack_book.h"
#include "crash_client.h"
#include "findings.h"

namespace pay::integration::crash {

// Counted by every worker.
struct WorkerStats {
  std::atomic<int64_t> fees_acknowledged{0};
  std::atomic<int64_t> payments_acknowledged{0};
  // Payments sent by a worker with its neighbour's key.
  std::atomic<int64_t> duplicate_sends{0};
  // Work items of which at least one call had to be retried after a crash code.
  std::atomic<int64_t> items_retried{0};
};

// The payment a worker is sending right now, offered to its neighbour. Thread-safe.
class PaymentSlot {
 public:
  struct Offer {
    std::string item_id;
    v1::CreatePaymentRequest request;
  };
  void Publish(Offer offer);
  void Clear();
  // A copy of the offer, if any.
  std::optional<Offer> Peek() const;

 private:
  mutable std::mutex mu_;
  std::optional<Offer> offer_ ABSL_GUARDED_BY(mu_);
};

// `threads` workers sharing one client, book and findings, which must outlive the group.
class WorkerGroup {
 public:
  // A bound on the items of one worker, which bounds the AckBook's memory on long soaks.
  static constexpr int64_t kMaxItemsPerWorker = 20000;
  // A worker sends its neighbour's payment with probability 1 / kDuplicateOneIn per item.
  static constexpr uint64_t kDuplicateOneIn = 8;

  WorkerGroup(int threads, uint64_t seed, const RetryingClient* client, AckBook* book,
              Findings* findings, std::chrono::steady_clock::time_point start);
  // Joins the workers if StopAndJoin() was not called.
  ~WorkerGroup();

  WorkerGroup(const WorkerGroup&) = delete;
  WorkerGroup& operator=(const WorkerGroup&) = delete;

  // Starts the threads; each loops until StopAndJoin().
  void Start();
  // Lets each worker finish the item it is on (retrying until payd answers, or the client's
  // abort flag is set) and joins them.
  void StopAndJoin();

  const WorkerStats& stats() const { return stats_; }

 private:
  void Run(int thread);
  // Issues and pays one item. False when payd did not answer as it should (a finding is added).
  bool RunItem(int thread, int64_t n, std::mt19937_64* random);
  // Sends the payment the neighbour of `thread` is sending, if any, and records the answer.
  void SendNeighboursPayment(int thread);
  int64_t NowMs() const;

  const int threads_;
  const uint64_t seed_;
  const RetryingClient* client_;
  AckBook* book_;
  Findings* findings_;
  const std::chrono::steady_clock::time_point start_;
  std::vector<PaymentSlot> slots_;
  std::atomic<bool> stop_{false};
  WorkerStats stats_;
  std::vector<std::thread> workers_;
};

}  // namespace pay::integration::crash

#endif  // PAY_TESTS_CRASH_CRASH_WORKER_H_
