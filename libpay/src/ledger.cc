// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "ledger.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <chrono>

#include "coding.h"
#include "str_util.h"

namespace pay::internal {
namespace {

const std::vector<std::string>& ColumnFamilyNames() {
  // Index i is Table(i). The entry log is the default column family.
  static const std::vector<std::string> names = {
      rocksdb::kDefaultColumnFamilyName, "meta", "agencies", "credentials", "credential_keys",
      "fees", "bills", "payments", "index", "idempotency", "balances",
      "fee_types", "refunds", "webhooks", "settlements"};
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

// Meta keys of the chain state.
constexpr std::string_view kAgencyHeadPrefix = "head/";
constexpr std::string_view kLastCheckpointKey = "last_checkpoint";

// The store's memory: one block cache (data, index and filter blocks of every column family) and
// the memtables of all column families, charged to it. See docs/storage.md.
constexpr size_t kBlockCacheBytes = 128 << 20;
constexpr size_t kMemtableBytes = 64 << 20;

// Read-ahead of a sequential scan of the entry log: few, large reads of each table file.
constexpr size_t kScanReadaheadBytes = 2 << 20;

std::string BalanceKey(const std::string& account, const std::string& currency) {
  return account + std::string(1, '\0') + currency;
}

}  // namespace

struct Ledger::Writer {
  explicit Writer(WriteSet* set) : write_set(set) {}
  WriteSet* write_set;
  Status status;
  uint64_t last_sequence = 0;
  bool done = false;
  // Signalled (under mu_) when this writer is done or has become the front of the queue: each
  // waiter is woken once, by name, rather than every waiter's condition being re-evaluated at
  // every release of mu_.
  absl::CondVar cv;
};

void WriteSet::Append(LedgerEntry entry) {
  PAY_CHECK(entry.type != EntryType::kCheckpoint);
  PAY_CHECK(CheckPostingsBalance(entry.postings).ok());
  entries_.push_back(std::move(entry));
}

void WriteSet::AppendCheckpoint() {
  LedgerEntry entry;
  entry.type = EntryType::kCheckpoint;
  entry.principal_id = "system";
  entry.checkpoint.emplace();
  entries_.push_back(std::move(entry));
}

void WriteSet::Put(Table table, std::string key, std::string value) {
  PAY_CHECK(table != Table::kEntries);
  puts_.push_back(PutOp{table, std::move(key), std::move(value), nullptr, 0});
}

void WriteSet::Delete(Table table, std::string key) {
  PAY_CHECK(table != Table::kEntries);
  PutOp op{table, std::move(key), std::string(), nullptr, 0};
  op.erase = true;
  puts_.push_back(std::move(op));
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

void SetStoreOptions(rocksdb::Options* db_options) {
  // Why each option: docs/storage.md. Memory must not grow with the ledger (payd's target: peak
  // RSS <= 512 MiB with 10M entries), and a restart must not read the ledger.

  // The WAL is the durability mechanism: every commit is synced (WriteOptions::sync). Bound it
  // so that restart replays little.
  db_options->max_total_wal_size = 64 << 20;
  db_options->keep_log_file_num = 4;
  db_options->max_background_jobs = 2;
  db_options->paranoid_checks = true;
  // Opening must not read the properties of every table file to estimate key counts.
  db_options->skip_stats_update_on_db_open = true;
  // The entry log is append-only under increasing keys: leveled compaction moves its files down
  // without rewriting them (no overlap), and dynamic level sizes keep the level count small.
  db_options->level_compaction_dynamic_level_bytes = true;

  // One cache for every column family: data blocks, and the index and filter blocks of the
  // table files, which would otherwise stay in memory outside any bound and grow with the ledger
  // (10 bits a key of bloom filter alone). The memtables of all 15 column families together are
  // charged to it too (a write buffer manager), instead of up to 2 x 64 MiB for each.
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(kBlockCacheBytes);
  db_options->write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(kMemtableBytes, cache);
  db_options->write_buffer_size = kMemtableBytes / 2;

  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = cache;
  table_options.cache_index_and_filter_blocks = true;
  // The newest files' index and filters serve nearly every lookup: never evicted.
  table_options.pin_l0_filter_and_index_blocks_in_cache = true;
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  db_options->table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
}

Result<std::unique_ptr<Ledger>> Ledger::Open(const LedgerOptions& options) {
  rocksdb::Options db_options;
  SetStoreOptions(&db_options);
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  const rocksdb::ColumnFamilyOptions cf_options(db_options);

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : ColumnFamilyNames()) descriptors.emplace_back(name, cf_options);

  std::unique_ptr<Ledger> ledger(new Ledger());
  ledger->clock_ms_ = options.clock_ms;
  ledger->max_group_size_ = options.max_group_size == 0 ? 1 : options.max_group_size;
  ledger->read_only_ = options.read_only;
  ledger->sign_ = options.sign;
  ledger->public_key_ = options.public_key;
  rocksdb::DB* db = nullptr;
  rocksdb::Status opened =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, options.path, descriptors, &ledger->handles_,
                                         &db)
          : rocksdb::DB::Open(db_options, options.path, descriptors, &ledger->handles_, &db);
  PAY_RETURN_IF_ERROR(FromRocks(opened, StrCat("opening the ledger at ", options.path)));
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
    ledger->chain_.head_hash = EntryHash(last);
  } else {
    absl::MutexLock lock(&ledger->mu_);
    ledger->chain_.head_hash = std::string(kHashBytes, '\0');
  }
  PAY_RETURN_IF_ERROR(ledger->LoadChainState());
  return ledger;
}

Status Ledger::LoadChainState() {
  absl::MutexLock lock(&mu_);
  Status status = Scan(Table::kMeta, kAgencyHeadPrefix, "", false,
                       [&](std::string_view key, std::string_view value) {
                         AgencyHead head;
                         head.agency_id = std::string(key.substr(kAgencyHeadPrefix.size()));
                         Decoder decoder(value);
                         if (!decoder.GetString(&head.head_hash) ||
                             !decoder.GetVarint(&head.entry_count) || !decoder.done()) {
                           return false;
                         }
                         chain_.agency_heads[head.agency_id] = std::move(head);
                         return true;
                       });
  PAY_RETURN_IF_ERROR(status);
  bool corrupt_balance = false;
  status = Scan(Table::kBalances, "", "", false, [&](std::string_view key, std::string_view value) {
    size_t separator = key.find('\0');
    if (separator == std::string_view::npos || value.size() != 8 ||
        FindCurrency(key.substr(separator + 1)) == nullptr) {
      corrupt_balance = true;
      return false;
    }
    chain_.balances[{std::string(key.substr(0, separator)),
                     std::string(key.substr(separator + 1))}] =
        static_cast<int64_t>(DecodeFixed64(value.data()));
    return true;
  });
  PAY_RETURN_IF_ERROR(status);
  if (corrupt_balance) return absl::DataLossError("a stored account balance is malformed");
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> checkpoint, Get(Table::kMeta, kLastCheckpointKey));
  if (checkpoint && checkpoint->size() == 8) {
    chain_.last_checkpoint = DecodeFixed64(checkpoint->data());
  }
  return absl::OkStatus();
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

Result<std::vector<std::optional<std::string>>> Ledger::MultiGet(
    Table table, const std::vector<std::string>& keys) const {
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (const std::string& key : keys) slices.emplace_back(key);
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), handles_[static_cast<int>(table)], keys.size(),
                slices.data(), values.data(), statuses.data());
  std::vector<std::optional<std::string>> result(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    PAY_RETURN_IF_ERROR(FromRocks(statuses[i], "reading the ledger"));
    result[i].emplace(values[i].data(), values[i].size());
  }
  return result;
}

Result<uint64_t> Ledger::Commit(WriteSet write_set) {
  if (read_only_) return absl::FailedPreconditionError("the ledger is open read-only");
  for (const LedgerEntry& entry : write_set.entries_) {
    if (entry.type == EntryType::kCheckpoint && (!sign_ || public_key_.size() != 32)) {
      return absl::FailedPreconditionError("the ledger has no signing key for checkpoints");
    }
  }
  Writer self(&write_set);
  mu_.Lock();
  writers_.push_back(&self);
  // Wait until a leader has written this change, or it is at the front and leads itself.
  while (!self.done && writers_.front() != &self) self.cv.Wait(&mu_);
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
    ChainState changes;
    status = WriteGroup(group, &next_sequence, time_ms, &changes);
    mu_.Lock();
    if (status.ok()) {
      last_sequence_ = next_sequence - 1;
      last_time_ms_ = time_ms;
      // A group of write sets without entries (records only: a webhook cursor, a policy) leaves
      // the chain's head where it was.
      if (!changes.head_hash.empty()) chain_.head_hash = std::move(changes.head_hash);
      for (auto& [agency_id, head] : changes.agency_heads) chain_.agency_heads[agency_id] = head;
      for (auto& [key, balance] : changes.balances) chain_.balances[key] = balance;
      if (changes.last_checkpoint != 0) chain_.last_checkpoint = changes.last_checkpoint;
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
    if (writer != &self) writer->cv.Signal();
  }
  if (!writers_.empty()) writers_.front()->cv.Signal();  // the next leader
  mu_.Unlock();  // WaitForEntriesAfter's conditions are re-evaluated here
  if (!status.ok()) return status;
  return self.last_sequence;
}

Status Ledger::WriteGroup(const std::vector<Writer*>& group, uint64_t* next_sequence,
                          int64_t time_ms, ChainState* changes) {
  rocksdb::WriteBatch batch;
  uint64_t sequence = *next_sequence;
  std::vector<WriteSet::PutOp*> puts;
  for (Writer* writer : group) {
    const uint64_t first_sequence = sequence;
    for (LedgerEntry& entry : writer->write_set->entries_) {
      entry.sequence = sequence;
      entry.time_ms = time_ms;
      PAY_RETURN_IF_ERROR(ChainEntry(&entry, changes));
      PAY_RETURN_IF_ERROR(FromRocks(
          batch.Put(handles_[0], SequenceKey(sequence), EncodeEntry(entry)), "batching an entry"));
      ++sequence;
    }
    writer->last_sequence = sequence - 1;
    for (WriteSet::PutOp& put : writer->write_set->puts_) {
      if (put.encode) put.value = put.encode(first_sequence + put.entry_index);
      puts.push_back(&put);
    }
  }
  // Records go into the batch in (table, key) order: RocksDB's memtable skiplist starts each
  // insert where the previous one ended, so keys in order cost a fraction of keys at random
  // (memtable inserts were the largest item of CreatePayment's profile). The sort is stable:
  // of two writes of one key, the later (in group order) still lands last and wins.
  std::stable_sort(puts.begin(), puts.end(), [](const WriteSet::PutOp* a, const WriteSet::PutOp* b) {
    if (a->table != b->table) return a->table < b->table;
    return a->key < b->key;
  });
  for (const WriteSet::PutOp* put : puts) {
    rocksdb::ColumnFamilyHandle* handle = handles_[static_cast<int>(put->table)];
    if (put->erase) {
      PAY_RETURN_IF_ERROR(FromRocks(batch.Delete(handle, put->key), "batching a delete"));
    } else {
      PAY_RETURN_IF_ERROR(FromRocks(batch.Put(handle, put->key, put->value), "batching a record"));
    }
  }
  // The chain state travels in the same atomic batch as the entries that changed it.
  for (const auto& [agency_id, head] : changes->agency_heads) {
    std::string value;
    PutString(&value, head.head_hash);
    PutVarint(&value, head.entry_count);
    PAY_RETURN_IF_ERROR(FromRocks(
        batch.Put(handles_[static_cast<int>(Table::kMeta)], StrCat(kAgencyHeadPrefix, agency_id),
                  value),
        "batching an agency head"));
  }
  for (const auto& [key, balance] : changes->balances) {
    std::string value;
    PutFixed64(&value, static_cast<uint64_t>(balance));
    PAY_RETURN_IF_ERROR(FromRocks(batch.Put(handles_[static_cast<int>(Table::kBalances)],
                                            BalanceKey(key.first, key.second), value),
                                  "batching a balance"));
  }
  if (changes->last_checkpoint != 0) {
    std::string value;
    PutFixed64(&value, changes->last_checkpoint);
    PAY_RETURN_IF_ERROR(FromRocks(
        batch.Put(handles_[static_cast<int>(Table::kMeta)], kLastCheckpointKey, value),
        "batching the checkpoint marker"));
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
  return ReadEncodedEntries(
      from_sequence, [&](const LedgerEntry& entry, std::string_view) { return visit(entry); });
}

Status Ledger::ReadEncodedEntries(
    uint64_t from_sequence,
    const std::function<bool(const LedgerEntry&, std::string_view encoding)>& visit) const {
  // A scan of the log (an export, a verification) reads each block once: keep it out of the block
  // cache, which serves the point lookups of the payment path, and read ahead in large steps (the
  // blocks are consecutive in each table file).
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  read_options.readahead_size = kScanReadaheadBytes;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, handles_[0]));
  LedgerEntry entry;  // reused: DecodeEntry keeps the storage of its strings
  for (it->Seek(SequenceKey(from_sequence)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return absl::DataLossError("ledger entry key is not 8 bytes");
    uint64_t key_sequence = DecodeFixed64(it->key().data());
    const std::string_view bytes(it->value().data(), it->value().size());
    Status status = DecodeEntry(bytes, &entry);
    if (!status.ok()) {
      return absl::DataLossError(StrCat("ledger entry ", key_sequence, ": ", status.message()));
    }
    if (entry.sequence != key_sequence) {
      return absl::DataLossError(
          StrCat("ledger entry ", key_sequence, " claims sequence ", entry.sequence));
    }
    if (!visit(entry, bytes)) break;
  }
  return FromRocks(it->status(), "reading ledger entries");
}

uint64_t Ledger::LastSequence() const {
  absl::MutexLock lock(&mu_);
  return last_sequence_;
}

std::string Ledger::HeadHash() const {
  absl::MutexLock lock(&mu_);
  return chain_.head_hash;
}

std::vector<AccountBalance> Ledger::Balances() const {
  absl::MutexLock lock(&mu_);
  std::vector<AccountBalance> balances;
  for (const auto& [key, balance] : chain_.balances) {
    Result<Money> money = Money::Create(key.second, balance);
    if (money.ok()) balances.push_back({key.first, *std::move(money)});
  }
  return balances;
}

uint64_t Ledger::LastCheckpointSequence() const {
  absl::MutexLock lock(&mu_);
  return chain_.last_checkpoint;
}

bool Ledger::WaitForEntriesAfter(uint64_t sequence, int64_t timeout_ms) const {
  struct After {
    const Ledger* ledger;
    uint64_t sequence;
    bool operator()() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(ledger->mu_) {
      return ledger->last_sequence_ > sequence;
    }
  } after{this, sequence};
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&after), absl::Milliseconds(timeout_ms));
}

}  // namespace pay::internal
