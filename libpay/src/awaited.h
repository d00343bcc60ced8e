// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#ifndef PAY_SRC_AWAITED_H_
#define PAY_SRC_AWAITED_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

namespace pay::internal {

// One answer of a connector awaited by a calling thread. Shared (std::shared_ptr) with the
// connector's callback, which may come after the waiter gave up; the first value set is kept.
template <typename T>
class Awaited {
 public:
  void Set(T value) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!value_) value_.emplace(std::move(value));
    cv_.notify_all();
  }

  std::optional<T> WaitFor(int64_t timeout_ms) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return value_.has_value(); });
    return value_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<T> value_;
};

}  // namespace pay::internal

#endif  // PAY_SRC_AWAITED_H_
