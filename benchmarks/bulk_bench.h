// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// paybench's "bulk" section: fees issued through FeeService.CreateFees (one client stream of
// batches), beside raw RocksDB writing the same bytes per fee in synced batches of the same size.

#ifndef PAY_BENCHMARKS_BULK_BENCH_H_
#define PAY_BENCHMARKS_BULK_BENCH_H_

#include <cstdint>
#include <string>

namespace pay::bench {

struct BulkResult {
  int64_t fees = 0;  // issued (or written, for the raw store)
  double seconds = 0;
  double per_second = 0;
  // Growth of the store's directory on disk (WAL + SST files, as `du` counts them) over the run,
  // and per fee.
  int64_t store_bytes = 0;
  double bytes_per_fee = 0;
  std::string error;  // empty when every batch succeeded
};

// Issues `fees` fees into payd at `target` with AGENCY `key`, in batches of `batch_size` over one
// CreateFees stream, measuring the growth of `data_dir`.
BulkResult IssueInBulk(const std::string& target, const std::string& key, int64_t fees,
                       int batch_size, const std::string& data_dir);

// Raw RocksDB with the ledger's store options in a fresh directory under `parent` (removed
// after): `fees` fees' worth of puts (five keys per fee, bytes_per_fee bytes in all) in synced
// WriteBatches of `batch_size` fees.
BulkResult RawBulk(const std::string& parent, int64_t fees, int batch_size, size_t bytes_per_fee);

// Bytes of the regular files under `dir`.
int64_t DirectoryBytes(const std::string& dir);

}  // namespace pay::bench

#endif  // PAY_BENCHMARKS_BULK_BENCH_H_
