// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Linking entries into the hash chains, posting their amounts to the balances and filling and
// signing checkpoints: the part of the commit path that the leader runs for each entry.

#include "ledger.h"

namespace pay::internal {

Status Ledger::ChainEntry(LedgerEntry* entry, ChainState* changes) const {
  // The state as of the previous entry: this batch's changes over the durable state.
  entry->prev_hash = changes->head_hash.empty() ? chain_.head_hash : changes->head_hash;
  if (!entry->agency_id.empty()) {
    auto changed = changes->agency_heads.find(entry->agency_id);
    if (changed == changes->agency_heads.end()) {
      auto durable = chain_.agency_heads.find(entry->agency_id);
      AgencyHead head{entry->agency_id, std::string(kHashBytes, '\0'), 0};
      if (durable != chain_.agency_heads.end()) head = durable->second;
      changed = changes->agency_heads.emplace(entry->agency_id, std::move(head)).first;
    }
    entry->agency_prev_hash = changed->second.head_hash;
  }
  auto balance_of = [&](const std::pair<std::string, std::string>& key) -> int64_t& {
    auto changed = changes->balances.find(key);
    if (changed != changes->balances.end()) return changed->second;
    auto durable = chain_.balances.find(key);
    return changes->balances[key] = durable == chain_.balances.end() ? 0 : durable->second;
  };
  for (const Posting& posting : entry->postings) {
    int64_t& balance = balance_of({posting.account, posting.amount.currency()});
    // Balances are sums of amounts of at most 10^15 each: overflowing int64 would take ~9000
    // such payments into one account without settlement. Crash rather than keep wrong books.
    PAY_CHECK(!__builtin_add_overflow(balance, posting.amount.minor_units(), &balance));
  }
  if (entry->type == EntryType::kCheckpoint) {
    Checkpoint& checkpoint = *entry->checkpoint;
    checkpoint = Checkpoint();
    checkpoint.covered_sequence = entry->sequence - 1;
    checkpoint.head_hash = entry->prev_hash;
    std::map<std::string, AgencyHead> heads = chain_.agency_heads;
    for (const auto& [agency_id, head] : changes->agency_heads) heads[agency_id] = head;
    for (auto& [agency_id, head] : heads) checkpoint.agency_heads.push_back(std::move(head));
    std::map<std::pair<std::string, std::string>, int64_t> balances = chain_.balances;
    for (const auto& [key, balance] : changes->balances) balances[key] = balance;
    for (const auto& [key, balance] : balances) {
      PAY_ASSIGN_OR_RETURN(Money money, Money::Create(key.second, balance));
      checkpoint.balances.push_back({key.first, std::move(money)});
    }
    checkpoint.public_key = public_key_;
    checkpoint.signature = sign_(CheckpointSigningBytes(checkpoint, entry->time_ms));
    changes->last_checkpoint = entry->sequence;
  }
  std::string hash = EntryHash(*entry);
  if (!entry->agency_id.empty()) {
    AgencyHead& head = changes->agency_heads[entry->agency_id];
    head.head_hash = hash;
    ++head.entry_count;
  }
  changes->head_hash = std::move(hash);
  return absl::OkStatus();
}

}  // namespace pay::internal
