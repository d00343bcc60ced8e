// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Auditing the ledger without trusting payd: an offline reader of a data directory and a verifier
// that checks a stream of entries (from an export file or the store) link by link.

#ifndef PAY_AUDIT_H_
#define PAY_AUDIT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pay/ledger_entry.h"
#include "pay/status.h"

namespace pay {

// Reads a data directory's ledger without writing to it (RocksDB read-only open); works while
// payd serves the same directory, and sees the entries durable when it was opened.
class LedgerReader {
 public:
  static Result<std::unique_ptr<LedgerReader>> Open(const std::string& data_dir);
  virtual ~LedgerReader() = default;

  // Calls `visit` for each entry with sequence >= from_sequence in order, until it returns
  // false. Memory use does not depend on the size of the ledger. kDataLoss on a corrupt entry.
  virtual Status ReadEntries(uint64_t from_sequence,
                             const std::function<bool(const LedgerEntry&)>& visit) const = 0;
  // The same, also handing `visit` each entry's hash (EntryHash(entry), 32 bytes), computed from
  // the stored canonical bytes: for exports and verifications, which need both. The entry and the
  // hash are valid during the call only (their storage is reused for the next entry).
  virtual Status ReadHashedEntries(
      uint64_t from_sequence,
      const std::function<bool(const LedgerEntry&, std::string_view hash)>& visit) const = 0;
  // The balances the store keeps, sorted by account then currency.
  virtual std::vector<AccountBalance> Balances() const = 0;
  virtual uint64_t LastSequence() const = 0;
};

// Reads an Ed25519 public key in hex (as in DIR/signing.pub) to its 32 raw bytes.
Result<std::string> ParsePublicKeyHex(std::string_view hex);

struct VerifyOptions {
  // The gateway's Ed25519 public key (32 raw bytes), obtained out of band (DIR/signing.pub).
  // Every checkpoint must be signed by it.
  std::string public_key;
  // Empty: a full export (every entry). Otherwise: an export filtered to this agency (its entries
  // and the checkpoints), checked along the agency chain.
  std::string agency_id;
};

struct VerifySummary {
  uint64_t entries = 0;
  uint64_t checkpoints = 0;
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
  uint64_t last_checkpoint_sequence = 0;  // entries after it are not covered by a signature
  // Replayed balances; complete only when the export started at sequence 1 and was not filtered.
  std::vector<AccountBalance> balances;
  bool balances_replayed = false;
};

// Feed entries in export order. The first problem is returned as kDataLoss with a message that
// starts "entry N:" naming the sequence number of the entry at fault, and every later Add fails
// the same way.
//
// Checks: sequence numbers increase (and have no gap in a full export); each entry's prev_hash is
// the hash of the entry before it (full export) and its agency_prev_hash the hash of the agency's
// entry before it; postings balance per currency; every checkpoint is signed by the trusted key,
// covers the entry before it, and its agency heads and balances equal what the entries replay to.
// An export that starts after sequence 1 is anchored at its first entry and cannot replay
// balances.
class LedgerVerifier {
 public:
  explicit LedgerVerifier(VerifyOptions options);

  Status Add(const LedgerEntry& entry);
  // The same for a caller that has already computed `hash` = EntryHash(entry) (32 bytes), from
  // the entry's stored bytes or to check a hash recorded beside it: it is not computed twice.
  // The verification is only as good as that hash: never pass one taken from the input.
  Status Add(const LedgerEntry& entry, std::string_view hash);
  // kDataLoss if nothing was verified or an earlier Add failed.
  Result<VerifySummary> Finish();

 private:
  Status Check(const LedgerEntry& entry, std::string_view hash);
  Status CheckCheckpoint(const LedgerEntry& entry);

  VerifyOptions options_;
  Status failure_;
  VerifySummary summary_;
  std::string previous_hash_;  // hash of the previous entry verified
  // Per agency: hash of its newest entry seen and how many were seen.
  std::map<std::string, AgencyHead> agency_heads_;
  // (account, currency) -> balance; looked up by string_views, without copying the names.
  struct BalanceKeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      const std::string_view a_account = a.first;
      const std::string_view b_account = b.first;
      if (a_account != b_account) return a_account < b_account;
      return std::string_view(a.second) < std::string_view(b.second);
    }
  };
  std::map<std::pair<std::string, std::string>, int64_t, BalanceKeyLess> balances_;
  int64_t last_time_ms_ = 0;
  bool from_genesis_ = false;
};

}  // namespace pay

#endif  // PAY_AUDIT_H_
