// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// A load generator for blocking calls (gRPC unary calls, RocksDB writes): closed loop with a fixed
// number of workers, or open loop at a fixed arrival rate.
//
// The open loop measures each call from the moment it was scheduled to start, not from the moment
// a worker got to it: when the system under test falls behind, the wait counts as latency, so the
// figures are not flattered by coordinated omission (a closed loop only sends when the previous
// call returned, and so never measures the queue it would have built).

#ifndef PAY_BENCHMARKS_LOAD_GENERATOR_H_
#define PAY_BENCHMARKS_LOAD_GENERATOR_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace pay::bench {

// One call. `worker` is 0..concurrency-1; `index` counts calls from 0 across workers. Returns an
// empty string on success, else what went wrong (the first one is reported).
using Call = std::function<std::string(int worker, int64_t index)>;

struct LoadResult {
  int64_t calls = 0;   // completed, successful or not
  int64_t errors = 0;  // calls that returned an error
  std::string first_error;
  double seconds = 0;     // wall time of the run
  double per_second = 0;  // successful calls per second
  // Latency of the successful calls, microseconds.
  int64_t p50_us = 0;
  int64_t p99_us = 0;
  int64_t p999_us = 0;
  int64_t max_us = 0;
};

// `concurrency` workers call back to back for `duration`, or until `max_calls` calls were started
// (0: no limit).
LoadResult RunClosedLoop(int concurrency, std::chrono::milliseconds duration, int64_t max_calls,
                         const Call& call);

// Starts a call every 1/rate seconds for `duration` (or until `max_calls`), on up to `max_workers`
// threads. A call that could not start on time because every worker was busy is measured from
// its scheduled time.
LoadResult RunOpenLoop(double rate_per_second, std::chrono::milliseconds duration,
                       int64_t max_calls, int max_workers, const Call& call);

}  // namespace pay::bench

#endif  // PAY_BENCHMARKS_LOAD_GENERATOR_H_
