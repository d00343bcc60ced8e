// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "call_pool.h"

#include <utility>

#include "pay/status.h"

namespace payd {

CallPool::CallPool(int workers, int queue_limit) : queue_limit_(queue_limit) {
  PAY_CHECK(workers >= 1 && queue_limit >= 1);
  threads_.reserve(static_cast<size_t>(workers));
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Run(); });
}

CallPool::~CallPool() { Drain(); }

bool CallPool::TrySubmit(std::function<void()>& task) {
  absl::MutexLock lock(&mu_);
  if (draining_ || queue_.size() >= static_cast<size_t>(queue_limit_)) return false;
  queue_.push_back(std::move(task));
  work_.Signal();
  return true;
}

void CallPool::Drain() {
  {
    absl::MutexLock lock(&mu_);
    draining_ = true;
    work_.SignalAll();
  }
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

size_t CallPool::Queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void CallPool::Run() {
  for (;;) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      while (!draining_ && queue_.empty()) work_.Wait(&mu_);
      // Draining still runs what was queued: every accepted call is answered.
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace payd
