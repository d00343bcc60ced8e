// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// paycli_ledger_generator: a test tool that appends many valid ledger entries to a data directory
// made by `payd init`, fast, by writing RocksDB directly (going through payd would take hours for
// a million entries). It uses only libpay's public API for the entry encoding, hashes and
// checkpoint signing bytes, and repeats libpay's store layout (libpay/src/ledger.cc): entries in
// the default column family under 8-byte big-endian sequence keys, agency heads in "meta", the
// balances in "balances". The result verifies like a ledger payd wrote, and payd can serve it.
//
//   paycli_ledger_generator --data-dir DIR --entries N [--agencies K]
//
// The entries are payments of K agencies (FEE_CREATED, PAYMENT_CREATED, PENDING -> PROCESSING,
// -> SUCCEEDED with postings, FEE_STATE_CHANGED), with a signed checkpoint every 100,000 entries
// and one as the last entry.

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pay/ledger_entry.h"

namespace {

constexpr uint64_t kCheckpointEvery = 100'000;
constexpr size_t kBatchEntries = 10'000;
// Those of libpay/src/ledger.cc, in its order. A function: rocksdb::kDefaultColumnFamilyName is a
// global of another translation unit, not yet initialised while this one's globals are.
std::vector<std::string> ColumnFamilyNames() {
  return {rocksdb::kDefaultColumnFamilyName,
          "meta",
          "agencies",
          "credentials",
          "credential_keys",
          "fees",
          "bills",
          "payments",
          "index",
          "idempotency",
          "balances",
          "fee_types",
          "refunds",
          "webhooks",
          "settlements"};
}
constexpr int kMeta = 1;
constexpr int kBalances = 10;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "paycli_ledger_generator: %s\n", message.c_str());
  std::exit(1);
}

void Check(const rocksdb::Status& status, const char* what) {
  if (!status.ok()) Die(std::string(what) + ": " + status.ToString());
}

std::string Fixed64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) out[i] = static_cast<char>(value & 0xff);
  return out;
}

std::string Varint(uint64_t value) {
  std::string out;
  for (; value >= 0x80; value >>= 7) out.push_back(static_cast<char>(value | 0x80));
  out.push_back(static_cast<char>(value));
  return out;
}

std::string ReadSecretKey(const std::string& data_dir) {
  std::ifstream file(data_dir + "/signing.key");
  std::string hex;
  file >> hex;
  std::string key(crypto_sign_SECRETKEYBYTES, '\0');
  size_t length = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), hex.data(),
                     hex.size(), nullptr, &length, nullptr) != 0 ||
      length != key.size()) {
    Die("cannot read " + data_dir + "/signing.key (run `payd init` first)");
  }
  return key;
}

// The chain state libpay keeps, advanced entry by entry.
class Generator {
 public:
  Generator(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles, std::string secret)
      : db_(db), handles_(std::move(handles)), secret_(std::move(secret)) {}

  void LoadHead() {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[0]));
    it->SeekToLast();
    if (!it->Valid()) Die("the ledger is empty: run `payd init` first");
    pay::LedgerEntry last;
    if (!pay::DecodeEntry(std::string_view(it->value().data(), it->value().size()), &last).ok() ||
        !last.agency_id.empty() || last.sequence != 1) {
      Die("expected a fresh data directory (only the entry of `payd init`)");
    }
    sequence_ = last.sequence;
    time_ms_ = last.time_ms;
    head_ = pay::EntryHash(last);
  }

  void Append(pay::LedgerEntry entry) {
    entry.sequence = ++sequence_;
    entry.time_ms = time_ms_ + static_cast<int64_t>(sequence_ / 16);  // never decreasing
    entry.prev_hash = head_;
    if (!entry.agency_id.empty()) {
      pay::AgencyHead& head = agency_heads_[entry.agency_id];
      if (head.agency_id.empty()) head = {entry.agency_id, std::string(pay::kHashBytes, '\0'), 0};
      entry.agency_prev_hash = head.head_hash;
    }
    for (const pay::Posting& posting : entry.postings) {
      balances_[{posting.account, posting.amount.currency()}] += posting.amount.minor_units();
    }
    if (entry.type == pay::EntryType::kCheckpoint) Sign(&entry);
    head_ = pay::EntryHash(entry);
    if (!entry.agency_id.empty()) {
      pay::AgencyHead& head = agency_heads_[entry.agency_id];
      head.head_hash = head_;
      ++head.entry_count;
    }
    batch_.Put(handles_[0], Fixed64(entry.sequence), pay::EncodeEntry(entry));
    if (++batched_ >= kBatchEntries) Write();
  }

  void Checkpoint() {
    pay::LedgerEntry entry;
    entry.type = pay::EntryType::kCheckpoint;
    entry.principal_id = "system";
    entry.checkpoint.emplace();
    Append(std::move(entry));
    last_checkpoint_ = sequence_;
  }

  // The chain state records, as libpay's Ledger::WriteGroup writes them; then everything flushed.
  void Finish() {
    for (const auto& [agency_id, head] : agency_heads_) {
      std::string value = Varint(head.head_hash.size()) + head.head_hash + Varint(head.entry_count);
      batch_.Put(handles_[kMeta], "head/" + agency_id, value);
    }
    for (const auto& [key, balance] : balances_) {
      batch_.Put(handles_[kBalances], key.first + std::string(1, '\0') + key.second,
                 Fixed64(static_cast<uint64_t>(balance)));
    }
    batch_.Put(handles_[kMeta], "last_checkpoint", Fixed64(last_checkpoint_));
    Write();
    Check(db_->Flush(rocksdb::FlushOptions(), handles_), "flushing");
  }

  uint64_t sequence() const { return sequence_; }
  uint64_t last_checkpoint() const { return last_checkpoint_; }

 private:
  void Sign(pay::LedgerEntry* entry) {
    pay::Checkpoint& checkpoint = *entry->checkpoint;
    checkpoint.covered_sequence = entry->sequence - 1;
    checkpoint.head_hash = entry->prev_hash;
    for (const auto& [agency_id, head] : agency_heads_) checkpoint.agency_heads.push_back(head);
    for (const auto& [key, balance] : balances_) {
      checkpoint.balances.push_back({key.first, *pay::Money::Create(key.second, balance)});
    }
    checkpoint.public_key = secret_.substr(crypto_sign_SECRETKEYBYTES - crypto_sign_PUBLICKEYBYTES);
    const std::string message = pay::CheckpointSigningBytes(checkpoint, entry->time_ms);
    checkpoint.signature.assign(crypto_sign_BYTES, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(checkpoint.signature.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         reinterpret_cast<const unsigned char*>(secret_.data()));
  }

  void Write() {
    rocksdb::WriteOptions options;
    options.disableWAL = true;  // Finish flushes the memtables: nothing relies on the log
    Check(db_->Write(options, &batch_), "writing entries");
    batch_.Clear();
    batched_ = 0;
  }

  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::string secret_;
  uint64_t sequence_ = 0;
  int64_t time_ms_ = 0;
  std::string head_;
  uint64_t last_checkpoint_ = 0;
  std::map<std::string, pay::AgencyHead> agency_heads_;
  std::map<std::pair<std::string, std::string>, int64_t> balances_;
  rocksdb::WriteBatch batch_;
  size_t batched_ = 0;
};

pay::LedgerEntry Entry(pay::EntryType type, const std::string& agency, const std::string& subject,
                       const std::string& related, uint8_t from, uint8_t to, pay::Money amount,
                       std::string detail) {
  pay::LedgerEntry entry;
  entry.type = type;
  entry.agency_id = agency;
  entry.subject_id = subject;
  entry.related_id = related;
  entry.principal_id = "cred_0123456789abcdef";
  entry.from_state = from;
  entry.to_state = to;
  entry.amount = std::move(amount);
  entry.detail = std::move(detail);
  return entry;
}

// One paid fee: five entries, as libpay writes them.
void AppendPayment(Generator* generator, const std::string& agency, uint64_t number) {
  using pay::EntryType;
  char suffix[24];
  std::snprintf(suffix, sizeof(suffix), "%020llu", static_cast<unsigned long long>(number));
  const std::string fee = std::string("fee_") + suffix;
  const std::string payment = std::string("pay_") + suffix;
  const pay::Money amount =
      *pay::Money::Create("SAR", 10'000 + static_cast<int64_t>(number % 50'000));
  generator->Append(Entry(EntryType::kFeeCreated, agency, fee, "", 0, 1, amount, ""));
  generator->Append(Entry(EntryType::kPaymentCreated, agency, payment, fee, 0, 1, amount, suffix));
  generator->Append(
      Entry(EntryType::kPaymentStateChanged, agency, payment, fee, 1, 2, amount, "sandbox"));
  pay::LedgerEntry succeeded = Entry(EntryType::kPaymentStateChanged, agency, payment, fee, 2, 3,
                                     amount, std::string("SBX-") + suffix);
  succeeded.postings = {{"clearing/sandbox", amount},
                        {"revenue/" + agency, *pay::Money::Create("SAR", -amount.minor_units())}};
  generator->Append(std::move(succeeded));
  generator->Append(
      Entry(EntryType::kFeeStateChanged, agency, fee, payment, 1, 2, pay::Money(), ""));
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir;
  uint64_t entries = 0;
  uint64_t agencies = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--data-dir") {
      data_dir = argv[i + 1];
    } else if (flag == "--entries") {
      entries = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--agencies") {
      agencies = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      Die("unknown flag " + flag);
    }
  }
  if (data_dir.empty() || entries == 0 || agencies == 0 || agencies > 1000) {
    Die("usage: paycli_ledger_generator --data-dir DIR --entries N [--agencies K]");
  }
  if (sodium_init() < 0) Die("libsodium cannot be initialised");

  rocksdb::Options options;
  options.create_missing_column_families = true;
  rocksdb::BlockBasedTableOptions table_options;
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions family_options(options);
  family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : ColumnFamilyNames())
    descriptors.emplace_back(name, family_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  Check(rocksdb::DB::Open(options, data_dir + "/ledger", descriptors, &handles, &db),
        "opening the ledger (is payd running on it?)");

  Generator generator(db, handles, ReadSecretKey(data_dir));
  generator.LoadHead();
  const uint64_t first = generator.sequence() + 1;
  const uint64_t last = generator.sequence() + entries;
  for (uint64_t i = 0; i < agencies && generator.sequence() < last; ++i) {
    const std::string agency = "agency-" + std::to_string(i);
    generator.Append(
        Entry(pay::EntryType::kAgencyCreated, agency, agency, "", 0, 0, pay::Money(), ""));
  }
  uint64_t checkpoints = 0;
  for (uint64_t number = 0; generator.sequence() < last; ++number) {
    const uint64_t remaining = last - generator.sequence();
    const std::string agency = "agency-" + std::to_string(number % agencies);
    if (remaining == 1 || generator.sequence() - generator.last_checkpoint() >= kCheckpointEvery) {
      generator.Checkpoint();  // periodically, and always last
      ++checkpoints;
    } else if (remaining <= 6) {
      // No room for a whole payment before the final checkpoint: fees left unpaid.
      generator.Append(Entry(pay::EntryType::kFeeCreated, agency,
                             "fee_tail" + std::to_string(number), "", 0, 1,
                             *pay::Money::Create("SAR", 100), ""));
    } else {
      AppendPayment(&generator, agency, number);
    }
  }
  generator.Finish();
  for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  Check(db->Close(), "closing");
  delete db;
  std::printf("generated %llu entries (sequences %llu..%llu), %llu checkpoints\n",
              static_cast<unsigned long long>(last - first + 1),
              static_cast<unsigned long long>(first), static_cast<unsigned long long>(last),
              static_cast<unsigned long long>(checkpoints));
  return 0;
}
