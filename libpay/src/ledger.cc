// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "ledger.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>

#include "str_util.h"
#include "coding.h"

namespace pay::internal {
namespace {

const std::vector<std::string>& ColumnFamilyNames() {
  // Index i is Table(i). The entry log is the default column family.
  static const std::vector<std::string> names = {
      rocksdb::kDefaultColumnFamilyName, "meta", "agencies", "credentials", "credential_keys",
      "fees", "bills", "payments", "index", "idempotency"};
  return names;
}

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message = StrCat(what, ": ", status.ToString());
  if (status.IsIOError() && status.ToString().find("lock") != std::string::npos) {
    return absl::UnavailableError(
        StrCat(message, " (is another payd using this data directory?)"));
  }
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsBusy() || status.IsTimedOut() || status.IsTryAgain()) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

rocksdb::Slice ToSlice(std::string_view view) { return rocksdb::Slice(view.data(), view.size()); }

}  // namespace

struct Ledger::Writer {
  explicit Writer(WriteSet* set) : write_set(set) {}
  WriteSet* write_set;
  Status status;
  uint64_t last_sequence = 0;
  bool done = false;
};

void WriteSet::Put(Table table, std::string key, std::string value) {
  PAY_CHECK(table != Table::kEntries);
  puts_.push_back(PutOp{table, std::move(key), std::move(value), nullptr, 0});
}

void WriteSet::PutStamped(Table table, std::string key, size_t entry_index,
                          std::function<std::string(uint64_t)> encode) {
  PAY_CHECK(table != Table::kEntries);
  PAY_CHECK(entry_index < entries_.size());
  puts_.push_back(PutOp{table, std::move(key), std::string(), std::move(encode), entry_index});
}

std::string Ledger::SequenceKey(uint64_t sequence) {
  std::string key;
  PutFixed64(&key, sequence);
  return key;
}

Result<std::unique_ptr<Ledger>> Ledger::Open(const LedgerOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  // The WAL is the durability mechanism: every commit is synced (WriteOptions::sync). Bound it
  // so that restart replays little.
  db_options.max_total_wal_size = 64 << 20;
  db_options.keep_log_file_num = 4;
  db_options.max_background_jobs = 2;
  db_options.paranoid_checks = true;

  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = rocksdb::NewLRUCache(64 << 20);  // bounded
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options(db_options);
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : ColumnFamilyNames()) descriptors.emplace_back(name, cf_options);

  std::unique_ptr<Ledger> ledger(new Ledger());
  ledger->clock_ms_ = options.clock_ms;
  ledger->max_group_size_ = options.max_group_size == 0 ? 1 : options.max_group_size;
  rocksdb::DB* db = nullptr;
  PAY_RETURN_IF_ERROR(FromRocks(
      rocksdb::DB::Open(db_options, options.path, descriptors, &ledger->handles_, &db),
      StrCat("opening the ledger at ", options.path)));
  ledger->db_.reset(db);

  // The sequence is derived from the log itself: the last key of the entry column family.
  std::unique_ptr<rocksdb::Iterator> it(
      ledger->db_->NewIterator(rocksdb::ReadOptions(), ledger->handles_[0]));
  it->SeekToLast();
  PAY_RETURN_IF_ERROR(FromRocks(it->status(), "reading the last ledger entry"));
  if (it->Valid()) {
    if (it->key().size() != 8) return absl::DataLossError("ledger entry key is not 8 bytes");
    LedgerEntry last;
    PAY_RETURN_IF_ERROR(DecodeEntry(std::string_view(it->value().data(), it->value().size()), &last));
    absl::MutexLock lock(&ledger->mu_);
    ledger->last_sequence_ = DecodeFixed64(it->key().data());
    ledger->last_time_ms_ = last.time_ms;
  }
  return ledger;
}

Ledger::~Ledger() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

int64_t Ledger::NowMs() const {
  if (clock_ms_) return clock_ms_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::optional<std::string>> Ledger::Get(Table table, std::string_view key) const {
  std::string value;
  rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), handles_[static_cast<int>(table)], ToSlice(key), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  PAY_RETURN_IF_ERROR(FromRocks(status, "reading the ledger"));
  return std::optional<std::string>(std::move(value));
}

Result<uint64_t> Ledger::Commit(WriteSet write_set) {
  Writer self(&write_set);
  mu_.Lock();
  writers_.push_back(&self);
  // Wait until a leader has written this change, or it is at the front and leads itself.
  struct Ready {
    Ledger* ledger;
    Writer* self;
    bool operator()() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(ledger->mu_) {
      return self->done || ledger->writers_.front() == self;
    }
  } ready{this, &self};
  mu_.Await(absl::Condition(&ready));
  if (self.done) {
    mu_.Unlock();
    if (!self.status.ok()) return self.status;
    return self.last_sequence;
  }

  // This writer leads: take it and the writers queued behind it, up to the group bound.
  std::vector<Writer*> group;
  for (Writer* writer : writers_) {
    group.push_back(writer);
    if (group.size() >= max_group_size_) break;
  }
  Status status = failure_;
  uint64_t next_sequence = last_sequence_ + 1;
  // Entry times never go backwards, even when the wall clock does.
  const int64_t time_ms = std::max(NowMs(), last_time_ms_);
  if (status.ok()) {
    mu_.Unlock();
    status = WriteGroup(group, &next_sequence, time_ms);
    mu_.Lock();
    if (status.ok()) {
      last_sequence_ = next_sequence - 1;
      last_time_ms_ = time_ms;
    } else {
      // A failed synced write leaves RocksDB in an error state; refuse everything after it.
      failure_ = absl::UnavailableError(
          StrCat("the ledger refused a write and stopped accepting changes (", status.message(),
                       "); restart payd"));
    }
  }
  for (Writer* writer : group) {
    PAY_CHECK(writers_.front() == writer);
    writers_.pop_front();
    writer->status = status;
    writer->done = true;
  }
  mu_.Unlock();  // Await conditions are re-evaluated here: the group and the next leader wake.
  if (!status.ok()) return status;
  return self.last_sequence;
}

Status Ledger::WriteGroup(const std::vector<Writer*>& group, uint64_t* next_sequence,
                          int64_t time_ms) {
  rocksdb::WriteBatch batch;
  uint64_t sequence = *next_sequence;
  for (Writer* writer : group) {
    const uint64_t first_sequence = sequence;
    for (LedgerEntry& entry : writer->write_set->entries_) {
      entry.sequence = sequence;
      entry.time_ms = time_ms;
      PAY_RETURN_IF_ERROR(FromRocks(
          batch.Put(handles_[0], SequenceKey(sequence), EncodeEntry(entry)), "batching an entry"));
      ++sequence;
    }
    writer->last_sequence = sequence - 1;
    for (WriteSet::PutOp& put : writer->write_set->puts_) {
      if (put.encode) put.value = put.encode(first_sequence + put.entry_index);
      PAY_RETURN_IF_ERROR(FromRocks(
          batch.Put(handles_[static_cast<int>(put.table)], put.key, put.value), "batching a record"));
    }
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = true;  // durable before anyone is acknowledged
  PAY_RETURN_IF_ERROR(FromRocks(db_->Write(write_options, &batch), "committing to the ledger"));
  *next_sequence = sequence;
  return absl::OkStatus();
}

Status Ledger::Scan(Table table, std::string_view prefix, std::string_view start_after,
                    bool reverse,
                    const std::function<bool(std::string_view, std::string_view)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[static_cast<int>(table)]));
  auto in_prefix = [&] {
    return it->Valid() && it->key().starts_with(ToSlice(prefix));
  };
  if (!reverse) {
    if (start_after.empty()) {
      it->Seek(ToSlice(prefix));
    } else {
      it->Seek(ToSlice(start_after));
      if (it->Valid() && it->key() == ToSlice(start_after)) it->Next();
    }
  } else {
    if (start_after.empty()) {
      // The first key past every key with this prefix: the prefix with its last byte incremented
      // (or, for a prefix of 0xff bytes, the end of the table).
      std::string upper(prefix);
      while (!upper.empty() && static_cast<uint8_t>(upper.back()) == 0xff) upper.pop_back();
      if (upper.empty()) {
        it->SeekToLast();
      } else {
        upper.back() = static_cast<char>(static_cast<uint8_t>(upper.back()) + 1);
        it->SeekForPrev(upper);
        if (it->Valid() && it->key() == upper) it->Prev();
      }
    } else {
      it->SeekForPrev(ToSlice(start_after));
      if (it->Valid() && it->key() == ToSlice(start_after)) it->Prev();
    }
  }
  for (; in_prefix(); reverse ? it->Prev() : it->Next()) {
    if (!visit(std::string_view(it->key().data(), it->key().size()),
               std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scanning the ledger");
}

Status Ledger::ReadEntries(uint64_t from_sequence,
                           const std::function<bool(const LedgerEntry&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[0]));
  for (it->Seek(SequenceKey(from_sequence)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return absl::DataLossError("ledger entry key is not 8 bytes");
    uint64_t key_sequence = DecodeFixed64(it->key().data());
    LedgerEntry entry;
    Status status = DecodeEntry(std::string_view(it->value().data(), it->value().size()), &entry);
    if (!status.ok()) {
      return absl::DataLossError(StrCat("ledger entry ", key_sequence, ": ", status.message()));
    }
    if (entry.sequence != key_sequence) {
      return absl::DataLossError(StrCat("ledger entry ", key_sequence, " claims sequence ",
                                              entry.sequence));
    }
    if (!visit(entry)) break;
  }
  return FromRocks(it->status(), "reading ledger entries");
}

uint64_t Ledger::LastSequence() const {
  absl::MutexLock lock(&mu_);
  return last_sequence_;
}

}  // namespace pay::internal
