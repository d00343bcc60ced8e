// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "ledger_convert.h"

#include <string>

namespace payd {
namespace {

void MoneyToProto(const pay::Money& money, pay::v1::Money* out) {
  out->set_currency(money.currency());
  out->set_minor_units(money.minor_units());
}

pay::Result<pay::Money> MoneyFromProto(const pay::v1::Money& money) {
  if (money.currency().empty() && money.minor_units() == 0) return pay::Money();
  return pay::Money::Create(money.currency(), money.minor_units());
}

}  // namespace

void ToProto(const pay::LedgerEntry& entry, pay::v1::LedgerEntry* out) {
  out->set_sequence(entry.sequence);
  out->set_time_ms(entry.time_ms);
  out->set_type(std::string(pay::EntryTypeName(entry.type)));
  out->set_agency_id(entry.agency_id);
  out->set_subject_id(entry.subject_id);
  out->set_related_id(entry.related_id);
  out->set_principal_id(entry.principal_id);
  out->set_from_state(entry.from_state);
  out->set_to_state(entry.to_state);
  if (!entry.amount.currency().empty()) MoneyToProto(entry.amount, out->mutable_amount());
  out->set_detail(entry.detail);
  for (const pay::Posting& posting : entry.postings) {
    pay::v1::Posting* leg = out->add_postings();
    leg->set_account(posting.account);
    MoneyToProto(posting.amount, leg->mutable_amount());
  }
  out->set_prev_hash(entry.prev_hash);
  out->set_agency_prev_hash(entry.agency_prev_hash);
  if (entry.checkpoint) {
    const pay::Checkpoint& checkpoint = *entry.checkpoint;
    pay::v1::Checkpoint* signed_state = out->mutable_checkpoint();
    signed_state->set_covered_sequence(checkpoint.covered_sequence);
    signed_state->set_head_hash(checkpoint.head_hash);
    for (const pay::AgencyHead& head : checkpoint.agency_heads) {
      pay::v1::AgencyHead* agency = signed_state->add_agency_heads();
      agency->set_agency_id(head.agency_id);
      agency->set_head_hash(head.head_hash);
      agency->set_entry_count(head.entry_count);
    }
    for (const pay::AccountBalance& balance : checkpoint.balances) {
      pay::v1::AccountBalance* account = signed_state->add_balances();
      account->set_account(balance.account);
      MoneyToProto(balance.balance, account->mutable_balance());
    }
    signed_state->set_public_key(checkpoint.public_key);
    signed_state->set_signature(checkpoint.signature);
  }
  out->set_hash(pay::EntryHash(entry));
}

pay::Result<pay::LedgerEntry> FromProto(const pay::v1::LedgerEntry& entry) {
  pay::LedgerEntry result;
  result.sequence = entry.sequence();
  result.time_ms = entry.time_ms();
  std::optional<pay::EntryType> type = pay::EntryTypeFromName(entry.type());
  if (!type) return absl::InvalidArgumentError("type: unknown entry type \"" + entry.type() + "\"");
  result.type = *type;
  result.agency_id = entry.agency_id();
  result.subject_id = entry.subject_id();
  result.related_id = entry.related_id();
  result.principal_id = entry.principal_id();
  if (entry.from_state() > 255 || entry.to_state() > 255) {
    return absl::InvalidArgumentError("from_state/to_state: out of range");
  }
  result.from_state = static_cast<uint8_t>(entry.from_state());
  result.to_state = static_cast<uint8_t>(entry.to_state());
  PAY_ASSIGN_OR_RETURN(result.amount, MoneyFromProto(entry.amount()));
  result.detail = entry.detail();
  for (const pay::v1::Posting& posting : entry.postings()) {
    PAY_ASSIGN_OR_RETURN(pay::Money amount, MoneyFromProto(posting.amount()));
    result.postings.push_back({posting.account(), std::move(amount)});
  }
  result.prev_hash = entry.prev_hash();
  result.agency_prev_hash = entry.agency_prev_hash();
  if (entry.has_checkpoint()) {
    const pay::v1::Checkpoint& signed_state = entry.checkpoint();
    pay::Checkpoint checkpoint;
    checkpoint.covered_sequence = signed_state.covered_sequence();
    checkpoint.head_hash = signed_state.head_hash();
    for (const pay::v1::AgencyHead& head : signed_state.agency_heads()) {
      checkpoint.agency_heads.push_back({head.agency_id(), head.head_hash(), head.entry_count()});
    }
    for (const pay::v1::AccountBalance& balance : signed_state.balances()) {
      PAY_ASSIGN_OR_RETURN(pay::Money money, MoneyFromProto(balance.balance()));
      checkpoint.balances.push_back({balance.account(), std::move(money)});
    }
    checkpoint.public_key = signed_state.public_key();
    checkpoint.signature = signed_state.signature();
    result.checkpoint = std::move(checkpoint);
  }
  return result;
}

}  // namespace payd
