// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The ledger's commit path against the disk's limit, in one run: raw RocksDB writing a batch of
// the same size with sync=true (the baseline), and Ledger::Commit (entries chained, hashed,
// balances posted), each with 1 and 16 concurrent writers. With 16 writers both share fsyncs
// (RocksDB's write group and the ledger's own group commit); the ratio shows what the ledger's
// work costs on top of the disk.
//
//   build/bin/ledger_bench [--benchmark_min_time=2]

#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>

#include "ledger.h"

namespace pay::internal {
namespace {

std::string TempDir(const char* name) {
  std::string pattern = std::string("/tmp/ledger_bench_") + name + ".XXXXXX";
  PAY_CHECK(mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

LedgerEntry PaymentEntry(int64_t i) {
  LedgerEntry entry;
  entry.type = EntryType::kPaymentStateChanged;
  entry.agency_id = "passports";
  entry.subject_id = "pay_" + std::to_string(i);
  entry.related_id = "fee_0123456789abcdef0123";
  entry.principal_id = "system";
  entry.from_state = 2;
  entry.to_state = 3;
  entry.amount = Money::Create("SAR", 30000).value();
  entry.postings = {{"clearing/sandbox", entry.amount},
                    {"revenue/passports", Money::Create("SAR", -30000).value()}};
  return entry;
}

// One database per benchmark family, opened on first use.
struct RawDb {
  RawDb() : dir(TempDir("raw")) {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    PAY_CHECK(rocksdb::DB::Open(options, dir, &raw).ok());
    db.reset(raw);
  }
  ~RawDb() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  std::string dir;
  std::unique_ptr<rocksdb::DB> db;
  std::atomic<uint64_t> key{0};
};

struct LedgerDb {
  LedgerDb() : dir(TempDir("ledger")) {
    LedgerOptions options;
    options.path = dir;
    options.create_if_missing = true;
    ledger = Ledger::Open(options).value();
  }
  ~LedgerDb() {
    ledger.reset();
    std::filesystem::remove_all(dir);
  }
  std::string dir;
  std::unique_ptr<Ledger> ledger;
  std::atomic<int64_t> next{0};
};

RawDb& Raw() {
  static RawDb db;
  return db;
}
LedgerDb& Ledgers() {
  static LedgerDb db;
  return db;
}

// What a payment's outcome writes: the entry, the payment and fee records.
void BM_RawRocksDbSyncWrite(benchmark::State& state) {
  RawDb& db = Raw();
  const std::string entry = EncodeEntry(PaymentEntry(1));
  const std::string record(180, 'r');
  rocksdb::WriteOptions sync;
  sync.sync = true;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    const uint64_t key = db.key.fetch_add(1);
    batch.Put(Ledger::SequenceKey(key), entry);
    batch.Put("payment" + std::to_string(key), record);
    batch.Put("fee" + std::to_string(key), record);
    PAY_CHECK(db.db->Write(sync, &batch).ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawRocksDbSyncWrite)->Threads(1)->Threads(16)->UseRealTime();

void BM_LedgerCommit(benchmark::State& state) {
  LedgerDb& db = Ledgers();
  const std::string record(180, 'r');
  for (auto _ : state) {
    const int64_t i = db.next.fetch_add(1);
    WriteSet set;
    set.Append(PaymentEntry(i));
    set.Put(Table::kPayments, "pay_" + std::to_string(i), record);
    set.Put(Table::kFees, "fee_" + std::to_string(i), record);
    PAY_CHECK(db.ledger->Commit(std::move(set)).ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LedgerCommit)->Threads(1)->Threads(16)->UseRealTime();

// Prints the table, then the ledger's commits/s as a ratio of raw RocksDB's at each concurrency.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) rate_[run.benchmark_name()] = it->second.value;
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-10s %16s %16s %8s\n", "writers", "raw RocksDB/s", "Ledger::Commit/s",
                "ratio");
    for (const char* threads : {"1", "16"}) {
      const std::string suffix = std::string("/real_time/threads:") + threads;
      const double raw = rate_["BM_RawRocksDbSyncWrite" + suffix];
      const double ledger = rate_["BM_LedgerCommit" + suffix];
      if (raw > 0) std::printf("%-10s %16.0f %16.0f %7.2fx\n", threads, raw, ledger, ledger / raw);
    }
  }

 private:
  std::map<std::string, double> rate_;
};

}  // namespace
}  // namespace pay::internal

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  pay::internal::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
