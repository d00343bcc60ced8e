// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "pay/audit.h"

#include "coding.h"
#include "ledger.h"
#include "str_util.h"

namespace pay {
namespace {

using internal::HexEncode;
using internal::StrCat;

std::string ShortHash(std::string_view hash) { return HexEncode(hash).substr(0, 16); }

class StoreReader final : public LedgerReader {
 public:
  explicit StoreReader(std::unique_ptr<internal::Ledger> ledger) : ledger_(std::move(ledger)) {}
  Status ReadEntries(uint64_t from_sequence,
                     const std::function<bool(const LedgerEntry&)>& visit) const override {
    return ledger_->ReadEntries(from_sequence, visit);
  }
  Status ReadHashedEntries(
      uint64_t from_sequence,
      const std::function<bool(const LedgerEntry&, std::string_view hash)>& visit) const override {
    std::string hash;
    return ledger_->ReadEncodedEntries(from_sequence,
                                       [&](const LedgerEntry& entry, std::string_view encoding) {
                                         EntryHashOfEncoding(encoding, &hash);
                                         return visit(entry, hash);
                                       });
  }
  std::vector<AccountBalance> Balances() const override { return ledger_->Balances(); }
  uint64_t LastSequence() const override { return ledger_->LastSequence(); }

 private:
  std::unique_ptr<internal::Ledger> ledger_;
};

}  // namespace

Result<std::unique_ptr<LedgerReader>> LedgerReader::Open(const std::string& data_dir) {
  internal::LedgerOptions options;
  options.path = data_dir + "/ledger";
  options.read_only = true;
  Result<std::unique_ptr<internal::Ledger>> ledger = internal::Ledger::Open(options);
  if (!ledger.ok()) {
    return Status(ledger.status().code(),
                  StrCat(ledger.status().message(), " (is ", data_dir, " a payd data directory?)"));
  }
  return std::unique_ptr<LedgerReader>(std::make_unique<StoreReader>(*std::move(ledger)));
}

Result<std::string> ParsePublicKeyHex(std::string_view hex) {
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ' || hex.back() == '\r')) {
    hex.remove_suffix(1);
  }
  std::string key;
  if (!internal::HexDecode(hex, &key) || key.size() != 32) {
    return absl::InvalidArgumentError(
        "public key: expected 64 hex digits (an Ed25519 public key, as in DIR/signing.pub)");
  }
  return key;
}

LedgerVerifier::LedgerVerifier(VerifyOptions options) : options_(std::move(options)) {}

Status LedgerVerifier::Add(const LedgerEntry& entry) {
  if (!failure_.ok()) return failure_;
  return Add(entry, EntryHash(entry));
}

Status LedgerVerifier::Add(const LedgerEntry& entry, std::string_view hash) {
  if (!failure_.ok()) return failure_;
  Status status = Check(entry, hash);
  if (!status.ok()) {
    failure_ = absl::DataLossError(StrCat("entry ", entry.sequence, ": ", status.message()));
  }
  return failure_;
}

Status LedgerVerifier::Check(const LedgerEntry& entry, std::string_view hash) {
  const bool full = options_.agency_id.empty();
  const bool first = summary_.entries == 0;
  static constexpr char kZeros[kHashBytes] = {};
  const std::string_view zeros(kZeros, kHashBytes);
  if (!full && entry.type != EntryType::kCheckpoint && entry.agency_id != options_.agency_id) {
    return absl::DataLossError(StrCat("belongs to agency \"", entry.agency_id,
                                      "\", not to the exported agency \"", options_.agency_id,
                                      "\""));
  }
  if (first) {
    summary_.first_sequence = entry.sequence;
    from_genesis_ = entry.sequence == 1;
    if (from_genesis_ && entry.prev_hash != zeros) {
      return absl::DataLossError("the first entry does not start the chain");
    }
  } else if (full && entry.sequence != summary_.last_sequence + 1) {
    return absl::DataLossError(StrCat("sequence gap: expected ", summary_.last_sequence + 1,
                                      " (entries missing or out of order)"));
  } else if (entry.sequence <= summary_.last_sequence) {
    return absl::DataLossError(StrCat("out of order: comes after entry ", summary_.last_sequence));
  }
  if (full && !first && entry.prev_hash != previous_hash_) {
    // The entry before this one is the one that does not match what this entry recorded.
    return absl::DataLossError(
        StrCat("does not link to entry ", summary_.last_sequence, " (recorded hash ",
               ShortHash(entry.prev_hash), ", actual ", ShortHash(previous_hash_),
               "): entry ", summary_.last_sequence, " was altered, or entries were removed"));
  }
  PAY_RETURN_IF_ERROR(CheckPostingsBalance(entry.postings));
  if (!entry.agency_id.empty()) {
    auto [head, inserted] = agency_heads_.try_emplace(entry.agency_id);
    if (inserted) {
      head->second.agency_id = entry.agency_id;
      // Seen for the first time: from genesis (or in an agency export from sequence 1) it must
      // be the agency's first entry; otherwise it anchors the agency chain.
      if (from_genesis_ && entry.agency_prev_hash != zeros) {
        return absl::DataLossError(StrCat("agency \"", entry.agency_id,
                                          "\": earlier entries of this agency are missing"));
      }
    } else if (entry.agency_prev_hash != head->second.head_hash) {
      return absl::DataLossError(StrCat("does not link to the previous entry of agency \"",
                                        entry.agency_id, "\": an entry of that agency before it "
                                        "was altered or removed"));
    }
    head->second.head_hash = hash;
    ++head->second.entry_count;
  }
  for (const Posting& posting : entry.postings) {
    const std::pair<std::string_view, std::string_view> key(posting.account,
                                                            posting.amount.currency());
    auto found = balances_.find(key);
    if (found == balances_.end()) {
      found = balances_.emplace(std::pair(posting.account, posting.amount.currency()), 0).first;
    }
    int64_t& balance = found->second;
    if (__builtin_add_overflow(balance, posting.amount.minor_units(), &balance)) {
      return absl::DataLossError(StrCat("balance of ", posting.account, " overflows"));
    }
  }
  if (entry.type == EntryType::kCheckpoint) PAY_RETURN_IF_ERROR(CheckCheckpoint(entry));
  if (!first && entry.time_ms < last_time_ms_) {
    return absl::DataLossError("its time is before the previous entry's");
  }
  last_time_ms_ = entry.time_ms;
  previous_hash_ = hash;
  summary_.last_sequence = entry.sequence;
  ++summary_.entries;
  return absl::OkStatus();
}

Status LedgerVerifier::CheckCheckpoint(const LedgerEntry& entry) {
  const Checkpoint& checkpoint = *entry.checkpoint;
  if (checkpoint.public_key != options_.public_key) {
    return absl::DataLossError("checkpoint is signed by another key than the trusted one");
  }
  if (!VerifyCheckpointSignature(entry, options_.public_key)) {
    return absl::DataLossError("checkpoint signature is not valid");
  }
  if (checkpoint.covered_sequence + 1 != entry.sequence || checkpoint.head_hash != entry.prev_hash) {
    return absl::DataLossError("checkpoint does not cover the entry before it");
  }
  const bool full = options_.agency_id.empty();
  if (full && summary_.entries > 0 && checkpoint.head_hash != previous_hash_) {
    return absl::DataLossError("checkpoint head differs from the replayed chain");
  }
  for (const AgencyHead& signed_head : checkpoint.agency_heads) {
    if (!full && signed_head.agency_id != options_.agency_id) continue;
    auto seen = agency_heads_.find(signed_head.agency_id);
    if (seen == agency_heads_.end()) {
      // Nothing of this agency in the export: right only if the agency had no entry, or the
      // export started after its entries.
      if (from_genesis_ && signed_head.entry_count != 0) {
        return absl::DataLossError(StrCat("checkpoint lists ", signed_head.entry_count,
                                          " entries of agency \"", signed_head.agency_id,
                                          "\" but the export has none"));
      }
      continue;
    }
    if (seen->second.head_hash != signed_head.head_hash) {
      return absl::DataLossError(StrCat("checkpoint head of agency \"", signed_head.agency_id,
                                        "\" differs from its replayed chain (entries of that "
                                        "agency were altered, added or removed)"));
    }
    if (from_genesis_ && seen->second.entry_count != signed_head.entry_count) {
      return absl::DataLossError(StrCat("checkpoint counts ", signed_head.entry_count,
                                        " entries of agency \"", signed_head.agency_id, "\", the "
                                        "export has ", seen->second.entry_count));
    }
  }
  if (full && from_genesis_) {
    std::map<std::pair<std::string, std::string>, int64_t> signed_balances;
    for (const AccountBalance& balance : checkpoint.balances) {
      signed_balances[{balance.account, balance.balance.currency()}] = balance.balance.minor_units();
    }
    std::map<std::pair<std::string, std::string>, int64_t> replayed;
    for (const auto& [key, balance] : balances_) {
      if (balance != 0 || signed_balances.count(key)) replayed[key] = balance;
    }
    for (auto it = signed_balances.begin(); it != signed_balances.end();) {
      it = (it->second == 0 && !replayed.count(it->first)) ? signed_balances.erase(it) : ++it;
    }
    if (replayed != signed_balances) {
      return absl::DataLossError("checkpoint balances differ from the replayed postings");
    }
  }
  ++summary_.checkpoints;
  summary_.last_checkpoint_sequence = entry.sequence;
  return absl::OkStatus();
}

Result<VerifySummary> LedgerVerifier::Finish() {
  if (!failure_.ok()) return failure_;
  if (summary_.entries == 0) return absl::DataLossError("no entries to verify");
  summary_.balances_replayed = from_genesis_ && options_.agency_id.empty();
  summary_.balances.clear();
  if (summary_.balances_replayed) {
    for (const auto& [key, balance] : balances_) {
      Result<Money> money = Money::Create(key.second, balance);
      if (!money.ok()) return absl::DataLossError(StrCat("unknown currency ", key.second));
      summary_.balances.push_back({key.first, *std::move(money)});
    }
  }
  return summary_;
}

}  // namespace pay
