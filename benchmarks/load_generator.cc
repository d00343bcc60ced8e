// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "load_generator.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace pay::bench {
namespace {

using Clock = std::chrono::steady_clock;

// What one worker saw; merged after the run so that workers share nothing while measuring.
struct WorkerStats {
  std::vector<int64_t> latencies_us;
  int64_t calls = 0;
  int64_t errors = 0;
  std::string first_error;
};

void Record(WorkerStats* stats, Clock::time_point start, const std::string& error) {
  ++stats->calls;
  if (!error.empty()) {
    if (stats->errors++ == 0) stats->first_error = error;
    return;
  }
  stats->latencies_us.push_back(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
}

int64_t Percentile(const std::vector<int64_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(fraction * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

LoadResult Merge(std::vector<WorkerStats>& workers, Clock::time_point begin) {
  LoadResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  std::vector<int64_t> all;
  for (WorkerStats& stats : workers) {
    result.calls += stats.calls;
    result.errors += stats.errors;
    if (result.first_error.empty()) result.first_error = stats.first_error;
    all.insert(all.end(), stats.latencies_us.begin(), stats.latencies_us.end());
  }
  std::sort(all.begin(), all.end());
  result.per_second = result.seconds > 0 ? static_cast<double>(all.size()) / result.seconds : 0;
  result.p50_us = Percentile(all, 0.50);
  result.p99_us = Percentile(all, 0.99);
  result.p999_us = Percentile(all, 0.999);
  result.max_us = all.empty() ? 0 : all.back();
  return result;
}

}  // namespace

LoadResult RunClosedLoop(int concurrency, std::chrono::milliseconds duration, int64_t max_calls,
                         const Call& call) {
  std::vector<WorkerStats> workers(static_cast<size_t>(std::max(concurrency, 1)));
  std::atomic<int64_t> next{0};
  const Clock::time_point begin = Clock::now();
  const Clock::time_point end = begin + duration;
  std::vector<std::thread> threads;
  for (size_t w = 0; w < workers.size(); ++w) {
    threads.emplace_back([&, w] {
      WorkerStats& stats = workers[w];
      while (Clock::now() < end) {
        const int64_t index = next.fetch_add(1);
        if (max_calls > 0 && index >= max_calls) break;
        const Clock::time_point start = Clock::now();
        Record(&stats, start, call(static_cast<int>(w), index));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return Merge(workers, begin);
}

LoadResult RunOpenLoop(double rate_per_second, std::chrono::milliseconds duration,
                       int64_t max_calls, int max_workers, const Call& call) {
  std::vector<WorkerStats> workers(static_cast<size_t>(std::max(max_workers, 1)));
  std::atomic<int64_t> next{0};
  const Clock::time_point begin = Clock::now();
  const Clock::time_point end = begin + duration;
  const double interval_ns = 1e9 / std::max(rate_per_second, 1e-3);
  std::vector<std::thread> threads;
  for (size_t w = 0; w < workers.size(); ++w) {
    threads.emplace_back([&, w] {
      WorkerStats& stats = workers[w];
      while (true) {
        const int64_t index = next.fetch_add(1);
        if (max_calls > 0 && index >= max_calls) break;
        const Clock::time_point scheduled =
            begin + std::chrono::nanoseconds(static_cast<int64_t>(interval_ns * index));
        if (scheduled >= end) break;
        std::this_thread::sleep_until(scheduled);
        Record(&stats, scheduled, call(static_cast<int>(w), index));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return Merge(workers, begin);
}

}  // namespace pay::bench
