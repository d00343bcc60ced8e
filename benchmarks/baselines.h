// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The two physical limits payd is measured against, in the same run:
// - the disk: raw RocksDB, with the ledger's store options, writing with sync=true one batch of
//   the bytes a payment makes payd write (its entries, records, index and balance keys);
// - the transport: a gRPC PaymentService whose CreatePayment does nothing but answer a payment of
//   the usual size, served with payd's threading model (callback API handing the call to a
//   payd::CallPool of payd's size; synchronous server with the same thread bound for the rest).

#ifndef PAY_BENCHMARKS_BASELINES_H_
#define PAY_BENCHMARKS_BASELINES_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "load_generator.h"

namespace pay::bench {

// A store in a fresh directory under `parent`, removed when destroyed.
class RawStore {
 public:
  explicit RawStore(const std::string& parent);
  ~RawStore();
  RawStore(const RawStore&) = delete;
  RawStore& operator=(const RawStore&) = delete;

  // Writes one payment's worth of records in one synced batch; "" or the error.
  std::string WritePayment(int64_t index);
  // Bytes in one such batch.
  size_t batch_bytes() const { return batch_bytes_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  size_t batch_bytes_ = 0;
};

// An in-process gRPC server with the empty PaymentService, on 127.0.0.1 and a free port, its
// CreatePayment answered by a pool of `workers` threads (payd's --payment-workers).
class EmptyService {
 public:
  explicit EmptyService(int workers);
  ~EmptyService();
  EmptyService(const EmptyService&) = delete;
  EmptyService& operator=(const EmptyService&) = delete;

  const std::string& target() const { return target_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string target_;
};

// payd's bound on handler threads (payd/server.cc kMaxServerThreads); the empty service uses it
// too.
inline constexpr int kServerThreads = 256;
// payd's pollers (payd/server.cc kMinPollers, kMaxPollers), mirrored for the same thread model.
inline constexpr int kMinPollers = 2;
inline constexpr int kMaxPollers = 256;

}  // namespace pay::bench

#endif  // PAY_BENCHMARKS_BASELINES_H_
