// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The canonical encoding of ledger entries, their hashes and checkpoint signatures. The format is
// specified in docs/ledger-format.md; a change here is a change of that document.

#include "pay/ledger_entry.h"

#include <sodium.h>

#include <array>
#include <map>

#include "coding.h"
#include "str_util.h"

namespace pay {
namespace {

using internal::Decoder;
using internal::PutByte;
using internal::PutFixed64;
using internal::PutMoney;
using internal::PutSigned;
using internal::PutString;
using internal::PutVarint;

constexpr uint8_t kEntryFormatVersion = 1;
constexpr std::string_view kEntryHashDomain = "pay.ledger.entry.v1";
constexpr std::string_view kCheckpointDomain = "pay.ledger.checkpoint.v1";
// Bounds on decoded collections, so that malformed input cannot make the decoder allocate without
// limit.
constexpr uint64_t kMaxPostings = 64;
constexpr uint64_t kMaxCheckpointItems = 1'000'000;
// DecodeEntry's re-encoding buffer is kept per thread up to this size (a big checkpoint's is not).
constexpr size_t kMaxKeptEncodingBytes = 64 * 1024;

constexpr std::array<std::string_view, 16> kEntryTypeNames = {
    "UNKNOWN",           "AGENCY_CREATED",  "CREDENTIAL_CREATED",
    "CREDENTIAL_REVOKED", "FEE_CREATED",     "FEE_STATE_CHANGED",
    "PAYMENT_CREATED",   "PAYMENT_STATE_CHANGED", "CHECKPOINT", "DISCREPANCY",
    "FEE_ADJUSTED", "REFUND_CREATED", "REFUND_STATE_CHANGED", "FEE_TYPE_DEFINED",
    "SETTLEMENT_WINDOW_CLOSED", "SETTLEMENT_TRANSFER"};

void PutCheckpointBody(std::string* out, const Checkpoint& checkpoint) {
  PutFixed64(out, checkpoint.covered_sequence);
  PutString(out, checkpoint.head_hash);
  PutVarint(out, checkpoint.agency_heads.size());
  for (const AgencyHead& head : checkpoint.agency_heads) {
    PutString(out, head.agency_id);
    PutString(out, head.head_hash);
    PutVarint(out, head.entry_count);
  }
  PutVarint(out, checkpoint.balances.size());
  for (const AccountBalance& balance : checkpoint.balances) {
    PutString(out, balance.account);
    PutMoney(out, balance.balance);
  }
  PutString(out, checkpoint.public_key);
}

bool GetCheckpointBody(Decoder& decoder, Checkpoint* checkpoint) {
  uint64_t head_count = 0;
  if (!decoder.GetFixed64(&checkpoint->covered_sequence) ||
      !decoder.GetString(&checkpoint->head_hash) || !decoder.GetVarint(&head_count) ||
      head_count > kMaxCheckpointItems) {
    return false;
  }
  checkpoint->agency_heads.resize(head_count);
  for (AgencyHead& head : checkpoint->agency_heads) {
    if (!decoder.GetString(&head.agency_id) || !decoder.GetString(&head.head_hash) ||
        !decoder.GetVarint(&head.entry_count)) {
      return false;
    }
  }
  uint64_t balance_count = 0;
  if (!decoder.GetVarint(&balance_count) || balance_count > kMaxCheckpointItems) return false;
  checkpoint->balances.resize(balance_count);
  for (AccountBalance& balance : checkpoint->balances) {
    if (!decoder.GetString(&balance.account) || !decoder.GetMoney(&balance.balance)) return false;
  }
  return decoder.GetString(&checkpoint->public_key);
}

// Appends the encoding of `entry` to *out.
void AppendEncoding(const LedgerEntry& entry, std::string* out) {
  PutByte(out, kEntryFormatVersion);
  PutFixed64(out, entry.sequence);
  PutSigned(out, entry.time_ms);
  PutByte(out, static_cast<uint8_t>(entry.type));
  PutString(out, entry.agency_id);
  PutString(out, entry.subject_id);
  PutString(out, entry.related_id);
  PutString(out, entry.principal_id);
  PutByte(out, entry.from_state);
  PutByte(out, entry.to_state);
  PutMoney(out, entry.amount);
  PutString(out, entry.detail);
  PutVarint(out, entry.postings.size());
  for (const Posting& posting : entry.postings) {
    PutString(out, posting.account);
    PutMoney(out, posting.amount);
  }
  PutString(out, entry.prev_hash);
  PutString(out, entry.agency_prev_hash);
  PutByte(out, entry.checkpoint ? 1 : 0);
  if (entry.checkpoint) {
    PutCheckpointBody(out, *entry.checkpoint);
    PutString(out, entry.checkpoint->signature);
  }
}

// Empties every field of `entry` but keeps the storage of its strings and postings, so that a
// reader decoding entry after entry into one LedgerEntry does not allocate for each.
void ResetKeepingStorage(LedgerEntry* entry) {
  entry->sequence = 0;
  entry->time_ms = 0;
  entry->type = EntryType::kFeeCreated;
  entry->agency_id.clear();
  entry->subject_id.clear();
  entry->related_id.clear();
  entry->principal_id.clear();
  entry->from_state = 0;
  entry->to_state = 0;
  entry->amount = Money();
  entry->detail.clear();
  entry->prev_hash.clear();
  entry->agency_prev_hash.clear();
  entry->checkpoint.reset();
}

}  // namespace

std::string_view EntryTypeName(EntryType type) {
  size_t index = static_cast<size_t>(type);
  return index < kEntryTypeNames.size() ? kEntryTypeNames[index] : "UNKNOWN";
}

std::optional<EntryType> EntryTypeFromName(std::string_view name) {
  for (size_t i = 1; i < kEntryTypeNames.size(); ++i) {
    if (kEntryTypeNames[i] == name) return static_cast<EntryType>(i);
  }
  return std::nullopt;
}

std::string EncodeEntry(const LedgerEntry& entry) {
  std::string out;
  out.reserve(256);
  AppendEncoding(entry, &out);
  return out;
}

Status DecodeEntry(std::string_view bytes, LedgerEntry* entry) {
  Decoder decoder(bytes);
  uint8_t version = 0;
  uint8_t type = 0;
  uint64_t posting_count = 0;
  uint8_t has_checkpoint = 0;
  ResetKeepingStorage(entry);
  bool ok = decoder.GetByte(&version) && version == kEntryFormatVersion &&
            decoder.GetFixed64(&entry->sequence) && decoder.GetSigned(&entry->time_ms) &&
            decoder.GetByte(&type) && decoder.GetString(&entry->agency_id) &&
            decoder.GetString(&entry->subject_id) && decoder.GetString(&entry->related_id) &&
            decoder.GetString(&entry->principal_id) && decoder.GetByte(&entry->from_state) &&
            decoder.GetByte(&entry->to_state) && decoder.GetMoney(&entry->amount) &&
            decoder.GetString(&entry->detail) && decoder.GetVarint(&posting_count) &&
            posting_count <= kMaxPostings;
  if (ok) {
    entry->postings.resize(posting_count);
    for (Posting& posting : entry->postings) {
      ok = ok && decoder.GetString(&posting.account) && decoder.GetMoney(&posting.amount);
    }
  }
  ok = ok && decoder.GetString(&entry->prev_hash) && decoder.GetString(&entry->agency_prev_hash) &&
       decoder.GetByte(&has_checkpoint) && has_checkpoint <= 1;
  if (ok && has_checkpoint == 1) {
    Checkpoint checkpoint;
    ok = GetCheckpointBody(decoder, &checkpoint) && decoder.GetString(&checkpoint.signature);
    entry->checkpoint = std::move(checkpoint);
  }
  if (!ok) {
    *entry = LedgerEntry();
    return absl::DataLossError("ledger entry is truncated or malformed");
  }
  PAY_RETURN_IF_ERROR(decoder.Finish("ledger entry"));
  if (type == 0 || type >= kEntryTypeNames.size()) {
    return absl::DataLossError(internal::StrCat("ledger entry has unknown type ", int{type}));
  }
  entry->type = static_cast<EntryType>(type);
  if ((entry->type == EntryType::kCheckpoint) != entry->checkpoint.has_value()) {
    return absl::DataLossError("ledger entry: checkpoint data does not match its type");
  }
  // One value, one encoding: anything that re-encodes differently was not written by libpay. The
  // re-encoding goes to a buffer each thread keeps, so that long scans do not allocate for it.
  thread_local std::string reencoded;
  reencoded.clear();
  AppendEncoding(*entry, &reencoded);
  const bool canonical = reencoded == bytes;
  if (reencoded.capacity() > kMaxKeptEncodingBytes) std::string().swap(reencoded);
  if (!canonical) return absl::DataLossError("ledger entry is not in canonical form");
  return absl::OkStatus();
}

std::string EntryHash(const LedgerEntry& entry) {
  std::string hash;
  EntryHashOfEncoding(EncodeEntry(entry), &hash);
  return hash;
}

void EntryHashOfEncoding(std::string_view encoding, std::string* hash) {
  internal::Blake2b256Of(kEntryHashDomain, encoding, hash);
}

std::string CheckpointSigningBytes(const Checkpoint& checkpoint, int64_t time_ms) {
  std::string out(kCheckpointDomain);
  PutSigned(&out, time_ms);
  PutCheckpointBody(&out, checkpoint);
  return out;
}

namespace {

// CheckPostingsBalance's usual case without allocating: a few postings that balance. False when
// they do not (or are too many to look at here): the full check then says why.
bool FewPostingsBalance(const std::vector<Posting>& postings) {
  constexpr size_t kMaxPostingsHere = 8;
  if (postings.size() > kMaxPostingsHere) return false;
  std::array<std::pair<std::string_view, int64_t>, kMaxPostingsHere> sums;
  size_t currencies = 0;
  for (const Posting& posting : postings) {
    if (posting.account.empty()) return false;
    size_t i = 0;
    while (i < currencies && sums[i].first != posting.amount.currency()) ++i;
    if (i == currencies) sums[currencies++] = {posting.amount.currency(), 0};
    if (__builtin_add_overflow(sums[i].second, posting.amount.minor_units(), &sums[i].second)) {
      return false;
    }
  }
  for (size_t i = 0; i < currencies; ++i) {
    if (sums[i].second != 0) return false;
  }
  return true;
}

}  // namespace

Status CheckPostingsBalance(const std::vector<Posting>& postings) {
  if (FewPostingsBalance(postings)) return absl::OkStatus();
  std::map<std::string, int64_t> sums;
  for (const Posting& posting : postings) {
    if (posting.account.empty()) return absl::InvalidArgumentError("posting without an account");
    int64_t& sum = sums[posting.amount.currency()];
    if (__builtin_add_overflow(sum, posting.amount.minor_units(), &sum)) {
      return absl::InvalidArgumentError(
          internal::StrCat("postings in ", posting.amount.currency(), " overflow"));
    }
  }
  for (const auto& [currency, sum] : sums) {
    if (sum != 0) {
      return absl::InvalidArgumentError(internal::StrCat("postings in ", currency,
                                                         " do not balance: they sum to ", sum));
    }
  }
  return absl::OkStatus();
}

bool VerifyCheckpointSignature(const LedgerEntry& entry, std::string_view public_key) {
  if (!entry.checkpoint || public_key.size() != crypto_sign_PUBLICKEYBYTES ||
      entry.checkpoint->signature.size() != crypto_sign_BYTES) {
    return false;
  }
  const std::string message = CheckpointSigningBytes(*entry.checkpoint, entry.time_ms);
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(entry.checkpoint->signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(),
             reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

}  // namespace pay
