// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Micro-benchmarks of what every ledger commit does per entry, each beside a baseline measured in
// the same run: the canonical encoding of an entry beside copying the same number of bytes, and
// the entry hash (domain tag + encoding, BLAKE2b-256) beside libsodium's BLAKE2b over those bytes
// alone. Read the ratio, not the absolute figure.

#include <benchmark/benchmark.h>
#include <sodium.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "pay/ledger_entry.h"
#include "ratio_reporter.h"

namespace {

pay::LedgerEntry SampleEntry() {
  pay::LedgerEntry entry;
  entry.sequence = 1'234'567;
  entry.time_ms = 1'790'000'000'000;
  entry.type = pay::EntryType::kPaymentStateChanged;
  entry.agency_id = "passports";
  entry.subject_id = "pay_0123456789abcdef0123";
  entry.related_id = "fee_0123456789abcdef0123";
  entry.principal_id = "cred_0123456789abcdef";
  entry.from_state = 2;
  entry.to_state = 3;
  entry.amount = pay::Money::Create("SAR", 30000).value();
  entry.detail = "sbx_0123456789abcdef";
  entry.postings = {{"clearing/sandbox", entry.amount},
                    {"revenue/passports", pay::Money::Create("SAR", -30000).value()}};
  entry.prev_hash.assign(pay::kHashBytes, 'p');
  entry.agency_prev_hash.assign(pay::kHashBytes, 'a');
  return entry;
}

void BM_BaselineCopy(benchmark::State& state) {
  const std::string source = pay::EncodeEntry(SampleEntry());
  std::string copy;
  for (auto _ : state) {
    copy.assign(source);
    benchmark::DoNotOptimize(copy.data());
  }
}
BENCHMARK(BM_BaselineCopy);

void BM_EncodeEntry(benchmark::State& state) {
  const pay::LedgerEntry entry = SampleEntry();
  for (auto _ : state) benchmark::DoNotOptimize(pay::EncodeEntry(entry));
}
BENCHMARK(BM_EncodeEntry);

void BM_DecodeEntry(benchmark::State& state) {
  const std::string bytes = pay::EncodeEntry(SampleEntry());
  pay::LedgerEntry entry;
  for (auto _ : state) benchmark::DoNotOptimize(pay::DecodeEntry(bytes, &entry));
}
BENCHMARK(BM_DecodeEntry);

void BM_BaselineBlake2b(benchmark::State& state) {
  const std::string bytes = pay::EncodeEntry(SampleEntry());
  unsigned char hash[32];
  for (auto _ : state) {
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(bytes.data()),
                       bytes.size(), nullptr, 0);
    benchmark::DoNotOptimize(hash);
  }
}
BENCHMARK(BM_BaselineBlake2b);

void BM_EntryHash(benchmark::State& state) {
  const pay::LedgerEntry entry = SampleEntry();
  for (auto _ : state) benchmark::DoNotOptimize(pay::EntryHash(entry));
}
BENCHMARK(BM_EntryHash);

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  return pay::bench::RunWithRatios(argc, argv,
                                   {{"BM_EncodeEntry", "BM_BaselineCopy"},
                                    {"BM_DecodeEntry", "BM_BaselineCopy"},
                                    {"BM_EntryHash", "BM_BaselineBlake2b"}});
}
