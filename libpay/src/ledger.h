// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The ledger: an append-only log of entries in RocksDB, plus the current state of every fee,
// payment, agency, credential and idempotency key, kept in other column families of the same
// database.
//
// The one commit path is Ledger::Commit. It assigns each entry the next gap-free sequence number
// and writes the entries together with the state records of the same change in one atomic
// WriteBatch, synced to disk (sync=true) before Commit returns. Concurrent commits are grouped
// (after LevelDB's DBImpl::Write): the first waiting writer becomes the leader, takes the writers
// queued behind it into one batch, and pays one fsync for all of them. No writer is acknowledged
// before the batch holding its change is durable. The entry log is never updated in place: the
// leader only ever writes keys above the last sequence.
//
// Thread-safety: all methods may be called concurrently. Callers that read-modify-write must hold
// their own lock on the resource across the read and the Commit (see LockTable).

#ifndef PAY_SRC_LEDGER_H_
#define PAY_SRC_LEDGER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "pay/ledger_entry.h"
#include "pay/status.h"
#include "records.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
struct Options;
}  // namespace rocksdb

namespace pay::internal {

// Column families. kEntries is written only by Commit through WriteSet::Append.
enum class Table : int {
  kEntries = 0,
  kMeta,            // store-wide facts ("initialized")
  kAgencies,        // agency_id -> Agency
  kCredentials,     // credential_id -> Credential
  kCredentialKeys,  // BLAKE2b-256(api key) -> credential_id
  kFees,            // fee_id -> Fee
  kBills,           // bill_number -> fee_id
  kPayments,        // payment_id -> Payment
  kIndex,           // listing indexes (see gateway_internal.h); values empty
  kIdempotency,     // principal \0 operation \0 key -> IdempotencyRecord
  kBalances,        // account \0 currency -> fixed64 (two's complement) balance in minor units
  kFeeTypes,        // fee type versions (gateway_fee_types.cc)
  kRefunds,         // refund_id -> Refund (gateway_refunds.cc)
  kWebhooks,        // webhook endpoints, delivery cursors and failed deliveries (webhooks)
  kSettlements,     // settlement windows and treasury accounts (gateway_settlement.cc)
  kCount,
};

// What one commit changes: entries to append and records to put, applied atomically.
class WriteSet {
 public:
  // Appends an entry; Commit fills in its sequence, time and chain hashes. Its postings must
  // balance (PAY_CHECKed: the gateway builds them).
  void Append(LedgerEntry entry);

  // Appends a checkpoint entry. Commit fills in what it signs (the chain heads and balances after
  // the entry before it) and signs it with the ledger's key.
  void AppendCheckpoint();

  // Puts a fixed value.
  void Put(Table table, std::string key, std::string value);

  // Puts a value that depends on the sequence number given to this write set's entry number
  // `entry_index` (records carry the sequence of the entry that produced their state). `encode`
  // is called once, during Commit, with that sequence number.
  void PutStamped(Table table, std::string key, size_t entry_index,
                  std::function<std::string(uint64_t)> encode);

  // Deletes a record. Never for entries: the log is append-only.
  void Delete(Table table, std::string key);

  bool empty() const { return entries_.empty() && puts_.empty(); }
  size_t entry_count() const { return entries_.size(); }

 private:
  friend class Ledger;
  struct PutOp {
    Table table;
    std::string key;
    std::string value;
    std::function<std::string(uint64_t)> encode;  // set: value is computed at commit
    size_t entry_index = 0;
    bool erase = false;  // delete the key instead
  };
  std::vector<LedgerEntry> entries_;
  std::vector<PutOp> puts_;
};

struct LedgerOptions {
  std::string path;
  bool create_if_missing = false;
  // Clock for entry times, Unix ms. Null: the system clock.
  std::function<int64_t()> clock_ms;
  // Upper bound of writers grouped into one batch (and one fsync).
  size_t max_group_size = 256;
  // Open without writing (an auditor's offline export while payd runs). Commit then fails.
  bool read_only = false;
  // Ed25519: signs checkpoint bytes, returning the 64-byte signature; and the 32-byte public key.
  // Without them, AppendCheckpoint commits fail.
  std::function<std::string(std::string_view)> sign;
  std::string public_key;
};

// The RocksDB options of the ledger's store (WAL bounds, background jobs, a bounded block cache,
// bloom filters), for every column family. Benchmarks measure the raw disk with the same.
void SetStoreOptions(rocksdb::Options* options);

class Ledger {
 public:
  // Opens (or with create_if_missing creates) the database. kUnavailable when another process
  // holds the lock on it; kDataLoss when it cannot be read.
  static Result<std::unique_ptr<Ledger>> Open(const LedgerOptions& options);
  ~Ledger();

  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // The stored value, or nullopt when absent.
  Result<std::optional<std::string>> Get(Table table, std::string_view key) const;

  // The stored values of `keys` (nullopt where absent), in the order of `keys`: one RocksDB
  // MultiGet, for batches that would otherwise read key by key.
  Result<std::vector<std::optional<std::string>>> MultiGet(
      Table table, const std::vector<std::string>& keys) const;

  // Writes `write_set` atomically and durably. Returns the sequence number of its last entry
  // (LastSequence() at the time for a write set without entries). After a failed write the
  // ledger refuses every further commit (kUnavailable): the process must restart and recover.
  Result<uint64_t> Commit(WriteSet write_set);

  // Calls `visit(key, value)` for keys starting with `prefix`, in key order (reverse: descending),
  // beginning strictly after `start_after` when it is not empty. Stops when visit returns false.
  Status Scan(Table table, std::string_view prefix, std::string_view start_after, bool reverse,
              const std::function<bool(std::string_view, std::string_view)>& visit) const;

  // Calls `visit` for each entry with sequence >= from_sequence, in order, until it returns false.
  // kDataLoss on an entry that does not decode or whose key and sequence disagree.
  Status ReadEntries(uint64_t from_sequence,
                     const std::function<bool(const LedgerEntry&)>& visit) const;
  // The same, also handing `visit` the stored bytes of each entry (its canonical encoding, from
  // which EntryHashOfEncoding computes its hash without encoding it again). One LedgerEntry is
  // reused for every entry: `visit` must copy what it keeps.
  Status ReadEncodedEntries(
      uint64_t from_sequence,
      const std::function<bool(const LedgerEntry&, std::string_view encoding)>& visit) const;

  uint64_t LastSequence() const;

  // Hash of the newest entry (32 zero bytes for an empty ledger).
  std::string HeadHash() const;

  // The stored balance of every account, sorted by account then currency.
  std::vector<AccountBalance> Balances() const;

  // Sequence number of the newest checkpoint entry, 0 when there is none.
  uint64_t LastCheckpointSequence() const;

  static std::string SequenceKey(uint64_t sequence);

  // Blocks until LastSequence() > sequence or `timeout_ms` passed; returns whether it is. The last
  // sequence moves only once a batch is durable, so a reader woken here never sees an entry that
  // a crash could take back. (absl::Mutex re-evaluates the condition whenever the commit path
  // releases mu_, so Commit needs no separate signal.)
  bool WaitForEntriesAfter(uint64_t sequence, int64_t timeout_ms) const;

 private:
  struct Writer;

  // The chain and balance state the leader advances; a copy is applied to the members only
  // once its batch is durable.
  struct ChainState {
    std::string head_hash;
    std::map<std::string, AgencyHead> agency_heads;
    std::map<std::pair<std::string, std::string>, int64_t> balances;  // (account, currency)
    uint64_t last_checkpoint = 0;
  };

  Ledger() = default;
  Status LoadChainState();
  // Builds and writes one batch. `changes` receives the chain state that the batch changed (new
  // head, changed agency heads and balances), to be merged into chain_ once durable.
  Status WriteGroup(const std::vector<Writer*>& group, uint64_t* next_sequence, int64_t time_ms,
                    ChainState* changes);
  // Links `entry` into the chains (base chain_ overlaid with `changes`), applies its postings and
  // fills and signs a checkpoint; records what changed in `changes`.
  Status ChainEntry(LedgerEntry* entry, ChainState* changes) const;
  int64_t NowMs() const;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::function<int64_t()> clock_ms_;
  size_t max_group_size_ = 256;
  bool read_only_ = false;
  std::function<std::string(std::string_view)> sign_;
  std::string public_key_;

  mutable absl::Mutex mu_;
  // Writers waiting to commit. Bounded by the number of calling threads: each caller blocks in
  // Commit until its change is durable, so the queue never holds more than the threads that
  // payd's server runs (its resource quota).
  std::deque<Writer*> writers_ ABSL_GUARDED_BY(mu_);
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_time_ms_ ABSL_GUARDED_BY(mu_) = 0;
  Status failure_ ABSL_GUARDED_BY(mu_);
  // Changed only under mu_, by the leader, after its batch is durable. The leader also reads it
  // without mu_ while it builds a batch: leaders are one at a time, so nobody writes it then.
  ChainState chain_;
};

}  // namespace pay::internal

#endif  // PAY_SRC_LEDGER_H_
