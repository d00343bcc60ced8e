// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Striped locks for read-decide-commit sequences on one resource (a bill, an idempotency key).
// Two operations on the same resource are serialised; operations on different resources share a
// stripe only by hash collision, which costs a little waiting and never correctness.

#ifndef PAY_SRC_LOCK_TABLE_H_
#define PAY_SRC_LOCK_TABLE_H_

#include <algorithm>
#include <array>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <string_view>
#include <vector>

namespace pay::internal {

class LockTable {
 public:
  static constexpr size_t kStripes = 1024;

  // Holds the stripes of the keys it was made for until destroyed.
  class Guard {
   public:
    Guard(LockTable* table, std::vector<size_t> stripes) : table_(table), stripes_(std::move(stripes)) {
      for (size_t stripe : stripes_) table_->stripes_[stripe].lock();
    }
    ~Guard() {
      for (auto it = stripes_.rbegin(); it != stripes_.rend(); ++it) table_->stripes_[*it].unlock();
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    LockTable* table_;
    std::vector<size_t> stripes_;
  };

  // Locks the stripes of `keys` in ascending stripe order (so two callers can never deadlock) and
  // returns the guard that unlocks them.
  [[nodiscard]] Guard Lock(std::initializer_list<std::string_view> keys) {
    std::vector<size_t> stripes;
    for (std::string_view key : keys) {
      if (key.empty()) continue;  // nothing to lock
      stripes.push_back(std::hash<std::string_view>()(key) % kStripes);
    }
    std::sort(stripes.begin(), stripes.end());
    stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
    return Guard(this, std::move(stripes));
  }

  // Locks the stripes of every key of a batch at once (ascending stripe order, each stripe once),
  // so that a batch of thousands of keys costs at most kStripes lock operations.
  template <typename Keys>
  [[nodiscard]] Guard LockAll(const Keys& keys) {
    std::array<bool, kStripes> wanted{};
    for (std::string_view key : keys) {
      if (!key.empty()) wanted[std::hash<std::string_view>()(key) % kStripes] = true;
    }
    std::vector<size_t> stripes;
    for (size_t stripe = 0; stripe < kStripes; ++stripe) {
      if (wanted[stripe]) stripes.push_back(stripe);
    }
    return Guard(this, std::move(stripes));
  }

 private:
  std::array<std::mutex, kStripes> stripes_;
};

}  // namespace pay::internal

#endif  // PAY_SRC_LOCK_TABLE_H_
