// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// A bounded pool of worker threads for the RPCs that wait for the ledger's fsync. gRPC's callback
// threads must never block: a handler authenticates on them, then queues the rest of the call
// here; a worker runs it and finishes the call.

#ifndef PAY_PAYD_CALL_POOL_H_
#define PAY_PAYD_CALL_POOL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace payd {

// payd's pool for CreatePayment and RecordChannelPayment (ServeOptions::payment_workers), also
// used by paybench's empty-service baseline. Measured with paybench (server.cc has the figures).
inline constexpr int kDefaultPaymentWorkers = 128;
inline constexpr int kDefaultPaymentQueueLimit = 1024;

class CallPool {
 public:
  // Starts `workers` threads (>= 1). At most `queue_limit` (>= 1) tasks wait for a worker.
  CallPool(int workers, int queue_limit);
  // Drains (see Drain).
  ~CallPool();
  CallPool(const CallPool&) = delete;
  CallPool& operator=(const CallPool&) = delete;

  // Queues `task` to run on a worker, in arrival order. Returns false, leaving `task` untouched
  // and not run, when queue_limit tasks are already waiting or the pool is draining: the caller
  // then answers the call itself (RESOURCE_EXHAUSTED). Thread-safe.
  bool TrySubmit(std::function<void()>& task);

  // Stops accepting tasks, runs every task already queued, and joins the workers. Idempotent;
  // must not be called from a worker.
  void Drain();

  int workers() const { return static_cast<int>(threads_.size()); }
  int queue_limit() const { return queue_limit_; }
  // Tasks waiting for a worker right now.
  size_t Queued() const;

 private:
  void Run();

  const int queue_limit_;
  mutable absl::Mutex mu_;
  // Signalled once per queued task, and to all workers when draining.
  absl::CondVar work_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace payd

#endif  // PAY_PAYD_CALL_POOL_H_
