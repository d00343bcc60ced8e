// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// A circuit breaker per connector: after `failure_threshold` consecutive transport failures it
// opens and routing sends new payments elsewhere; after `cooldown_ms` it lets one trial request
// through (half open) and closes again on its success. Payments already sent are never moved:
// the breaker only decides where a new payment goes.

#ifndef PAY_SRC_CIRCUIT_BREAKER_H_
#define PAY_SRC_CIRCUIT_BREAKER_H_

#include <cstdint>
#include <mutex>
#include <string_view>

namespace pay::internal {

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  CircuitBreaker(int failure_threshold, int64_t cooldown_ms)
      : failure_threshold_(failure_threshold < 1 ? 1 : failure_threshold),
        cooldown_ms_(cooldown_ms) {}

  // True when a new request may go to this connector now. In the half-open state only one trial
  // is let through until its result is recorded.
  bool Allow(int64_t now_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    if (failures_ < failure_threshold_) return true;
    if (now_ms < open_until_ms_ || trial_in_flight_) return false;
    trial_in_flight_ = true;
    return true;
  }

  void RecordSuccess() {
    std::lock_guard<std::mutex> lock(mu_);
    failures_ = 0;
    trial_in_flight_ = false;
  }

  void RecordFailure(int64_t now_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    ++failures_;
    trial_in_flight_ = false;
    if (failures_ >= failure_threshold_) open_until_ms_ = now_ms + cooldown_ms_;
  }

  State state(int64_t now_ms) const {
    std::lock_guard<std::mutex> lock(mu_);
    if (failures_ < failure_threshold_) return State::kClosed;
    return now_ms < open_until_ms_ || trial_in_flight_ ? State::kOpen : State::kHalfOpen;
  }

  int consecutive_failures() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_;
  }

  static std::string_view StateName(State state) {
    switch (state) {
      case State::kClosed: return "CLOSED";
      case State::kOpen: return "OPEN";
      case State::kHalfOpen: return "HALF_OPEN";
    }
    return "UNKNOWN";
  }

 private:
  const int failure_threshold_;
  const int64_t cooldown_ms_;
  mutable std::mutex mu_;
  int failures_ = 0;
  int64_t open_until_ms_ = 0;
  bool trial_in_flight_ = false;
};

}  // namespace pay::internal

#endif  // PAY_SRC_CIRCUIT_BREAKER_H_
