// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "bulk_bench.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

#include "ledger.h"
#include "pay/v1/fee_service.grpc.pb.h"
#include "payd_driver.h"

namespace pay::bench {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A fee as a directorate's back office sends it: an annual property fee.
void FillFee(int64_t index, pay::v1::CreateFeeRequest* fee) {
  fee->mutable_amount()->set_currency("SAR");
  fee->mutable_amount()->set_minor_units(10'000 + index % 90'000);
  fee->mutable_description()->set_en("Annual property fee 2027");
  fee->mutable_description()->set_ar("رسوم العقار السنوية 2027");
  fee->set_payer_reference("parcel-" + std::to_string(index));
  fee->set_idempotency_key("property-2027-" + std::to_string(index));
}

}  // namespace

int64_t DirectoryBytes(const std::string& dir) {
  int64_t bytes = 0;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file(error)) bytes += static_cast<int64_t>(it->file_size(error));
  }
  return bytes;
}

BulkResult IssueInBulk(const std::string& target, const std::string& key, int64_t fees,
                       int batch_size, const std::string& data_dir) {
  BulkResult result;
  auto stub = pay::v1::FeeService::NewStub(NewChannel(target, 100));
  const int64_t bytes_before = DirectoryBytes(data_dir);
  const auto start = std::chrono::steady_clock::now();
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + key);
  pay::v1::CreateFeesResponse response;
  auto writer = stub->CreateFees(&context, &response);
  pay::v1::CreateFeesRequest batch;
  for (int64_t first = 0; first < fees; first += batch_size) {
    batch.Clear();
    for (int64_t index = first; index < std::min(fees, first + batch_size); ++index) {
      FillFee(index, batch.add_fees());
    }
    if (!writer->Write(batch)) break;  // payd ended the stream: Finish says why
  }
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  result.seconds = SecondsSince(start);
  if (!status.ok()) {
    result.error = std::to_string(status.error_code()) + " " + status.error_message();
  }
  result.fees = response.fees_created();
  result.per_second = result.fees / result.seconds;
  result.store_bytes = DirectoryBytes(data_dir) - bytes_before;
  result.bytes_per_fee =
      result.fees > 0 ? static_cast<double>(result.store_bytes) / result.fees : 0;
  return result;
}

BulkResult RawBulk(const std::string& parent, int64_t fees, int batch_size, size_t bytes_per_fee) {
  std::string pattern = parent + "/raw-bulk.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
  rocksdb::Options options;
  internal::SetStoreOptions(&options);
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status opened = rocksdb::DB::Open(options, pattern, &raw);
  if (!opened.ok()) throw std::runtime_error("opening raw RocksDB: " + opened.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);

  // Five puts per fee (entry, fee record, bill, index, idempotency record) of 16-byte keys
  // spread over the key space, values making up bytes_per_fee.
  constexpr size_t kPutsPerFee = 5;
  constexpr size_t kKeyBytes = 16;
  const size_t value_bytes =
      bytes_per_fee > kPutsPerFee * kKeyBytes ? bytes_per_fee / kPutsPerFee - kKeyBytes : 1;
  std::string value(value_bytes, 'v');
  for (size_t i = 0; i < value.size(); ++i) value[i] = static_cast<char>('a' + (i * 7919) % 26);
  BulkResult result;
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> keys;
  for (int64_t first = 0; first < fees; first += batch_size) {
    keys.clear();
    for (int64_t index = first; index < std::min(fees, first + batch_size); ++index) {
      for (size_t put = 0; put < kPutsPerFee; ++put) {
        uint64_t mixed = static_cast<uint64_t>(index) * 0x9E3779B97F4A7C15ull + put;
        std::string key(kKeyBytes, '\0');
        for (size_t b = 0; b < kKeyBytes; ++b) {
          key[b] = static_cast<char>(mixed >> ((b % 8) * 8));
          if (b == 7) mixed = mixed * 0xBF58476D1CE4E5B9ull + 1;
        }
        keys.push_back(std::move(key));
      }
    }
    // In key order, as payd writes a batch (Ledger::WriteGroup sorts a group's records): the best case for RocksDB.
    std::sort(keys.begin(), keys.end());
    rocksdb::WriteBatch batch;
    for (size_t k = 0; k < keys.size(); ++k) {
      value[k % value.size()] = static_cast<char>(k);  // not all values alike
      batch.Put(keys[k], value);
    }
    const rocksdb::Status written = db->Write(write_options, &batch);
    if (!written.ok()) {
      result.error = written.ToString();
      break;
    }
    result.fees = std::min(fees, first + batch_size);
  }
  result.seconds = SecondsSince(start);
  result.per_second = result.fees / result.seconds;
  result.store_bytes = DirectoryBytes(pattern);
  result.bytes_per_fee =
      result.fees > 0 ? static_cast<double>(result.store_bytes) / result.fees : 0;
  db.reset();
  std::error_code ignored;
  std::filesystem::remove_all(pattern, ignored);
  return result;
}

}  // namespace pay::bench
