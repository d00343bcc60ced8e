// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "settlement_records.h"

#include "coding.h"
#include "str_util.h"

namespace pay::internal {
namespace {

constexpr uint8_t kWindowFormatVersion = 1;
constexpr uint8_t kTreasuryFormatVersion = 1;
// Bounds on what a stored window may claim, so that a corrupt count cannot exhaust memory.
constexpr uint64_t kMaxStoredItems = 1'000'000;

}  // namespace

std::string WindowKey(uint64_t number) {
  std::string key(kWindowKeyPrefix);
  PutFixed64(&key, number);
  return key;
}

std::string TreasuryKey(std::string_view account) { return StrCat(kTreasuryKeyPrefix, account); }

std::string WindowSubject(uint64_t number) { return StrCat("window-", std::to_string(number)); }

std::string EncodeSettlementWindow(const SettlementWindow& window) {
  std::string out;
  PutByte(&out, kWindowFormatVersion);
  PutVarint(&out, window.number);
  PutByte(&out, static_cast<uint8_t>(window.state));
  PutVarint(&out, window.first_sequence);
  PutVarint(&out, window.close_sequence);
  PutSigned(&out, window.open_time_ms);
  PutSigned(&out, window.close_time_ms);
  PutString(&out, window.closed_by);
  PutVarint(&out, static_cast<uint64_t>(window.attempts));
  PutByte(&out, window.summarized ? 1 : 0);
  PutVarint(&out, window.nets.size());
  for (const SettlementNet& net : window.nets) {
    PutString(&out, net.agency_id);
    PutString(&out, net.account);
    PutString(&out, net.currency);
    PutSigned(&out, net.collected_minor);
    PutSigned(&out, net.refunded_minor);
    PutSigned(&out, net.net_minor);
  }
  PutVarint(&out, window.transfers.size());
  for (const SettlementTransfer& transfer : window.transfers) {
    PutString(&out, transfer.end_to_end_id);
    PutString(&out, transfer.agency_id);
    PutString(&out, transfer.account);
    PutMoney(&out, transfer.amount);
    PutString(&out, transfer.iban);
    PutString(&out, transfer.bic);
    PutString(&out, transfer.name);
    PutByte(&out, static_cast<uint8_t>(transfer.state));
    PutVarint(&out, static_cast<uint64_t>(transfer.attempt));
    PutString(&out, transfer.message_id);
    PutString(&out, transfer.reason);
    PutString(&out, transfer.bank_reference);
    PutSigned(&out, transfer.update_time_ms);
  }
  // Appended later (optional on read): automatic retry and escalation, per transfer in order.
  PutVarint(&out, window.transfers.size());
  for (const SettlementTransfer& transfer : window.transfers) {
    PutVarint(&out, static_cast<uint64_t>(transfer.automatic_retries));
    PutByte(&out, transfer.escalated ? 1 : 0);
    PutString(&out, transfer.escalation_reason);
    PutSigned(&out, transfer.escalate_time_ms);
  }
  // Appended later (optional on read): confirmation against the camt.053, per transfer in order.
  PutVarint(&out, window.transfers.size());
  for (const SettlementTransfer& transfer : window.transfers) {
    PutByte(&out, static_cast<uint8_t>(transfer.confirmation));
    PutString(&out, transfer.statement_reference);
    PutMoney(&out, transfer.booked_amount);
    PutSigned(&out, transfer.confirm_time_ms);
    PutString(&out, transfer.discrepancy);
  }
  return out;
}

Status DecodeSettlementWindow(std::string_view bytes, SettlementWindow* window) {
  Decoder decoder(bytes);
  uint8_t version = 0;
  uint8_t state = 0;
  uint8_t summarized = 0;
  uint64_t attempts = 0;
  uint64_t count = 0;
  *window = SettlementWindow();
  if (!decoder.GetByte(&version) || version != kWindowFormatVersion) {
    return absl::DataLossError("stored settlement window has an unknown format version");
  }
  decoder.GetVarint(&window->number);
  decoder.GetByte(&state);
  decoder.GetVarint(&window->first_sequence);
  decoder.GetVarint(&window->close_sequence);
  decoder.GetSigned(&window->open_time_ms);
  decoder.GetSigned(&window->close_time_ms);
  decoder.GetString(&window->closed_by);
  decoder.GetVarint(&attempts);
  decoder.GetByte(&summarized);
  window->state = static_cast<SettlementWindowState>(state);
  window->attempts = static_cast<int32_t>(attempts);
  window->summarized = summarized != 0;
  if (!decoder.GetVarint(&count) || count > kMaxStoredItems) {
    return absl::DataLossError("stored settlement window has malformed nets");
  }
  for (uint64_t i = 0; i < count; ++i) {
    SettlementNet net;
    decoder.GetString(&net.agency_id);
    decoder.GetString(&net.account);
    decoder.GetString(&net.currency);
    decoder.GetSigned(&net.collected_minor);
    decoder.GetSigned(&net.refunded_minor);
    if (!decoder.GetSigned(&net.net_minor)) break;
    window->nets.push_back(std::move(net));
  }
  if (!decoder.GetVarint(&count) || count > kMaxStoredItems) {
    return absl::DataLossError("stored settlement window has malformed transfers");
  }
  for (uint64_t i = 0; i < count; ++i) {
    SettlementTransfer transfer;
    uint8_t transfer_state = 0;
    uint64_t attempt = 0;
    decoder.GetString(&transfer.end_to_end_id);
    decoder.GetString(&transfer.agency_id);
    decoder.GetString(&transfer.account);
    decoder.GetMoney(&transfer.amount);
    decoder.GetString(&transfer.iban);
    decoder.GetString(&transfer.bic);
    decoder.GetString(&transfer.name);
    decoder.GetByte(&transfer_state);
    decoder.GetVarint(&attempt);
    decoder.GetString(&transfer.message_id);
    decoder.GetString(&transfer.reason);
    decoder.GetString(&transfer.bank_reference);
    if (!decoder.GetSigned(&transfer.update_time_ms)) break;
    transfer.state = static_cast<TransferState>(transfer_state);
    transfer.attempt = static_cast<int32_t>(attempt);
    window->transfers.push_back(std::move(transfer));
  }
  if (!decoder.done()) {
    if (!decoder.GetVarint(&count) || count != window->transfers.size()) {
      return absl::DataLossError("stored settlement window has malformed retry fields");
    }
    for (SettlementTransfer& transfer : window->transfers) {
      uint64_t retries = 0;
      uint8_t escalated = 0;
      decoder.GetVarint(&retries);
      decoder.GetByte(&escalated);
      decoder.GetString(&transfer.escalation_reason);
      decoder.GetSigned(&transfer.escalate_time_ms);
      transfer.automatic_retries = static_cast<int32_t>(retries);
      transfer.escalated = escalated != 0;
    }
  }
  if (!decoder.done()) {
    if (!decoder.GetVarint(&count) || count != window->transfers.size()) {
      return absl::DataLossError("stored settlement window has malformed confirmation fields");
    }
    for (SettlementTransfer& transfer : window->transfers) {
      uint8_t confirmation = 0;
      decoder.GetByte(&confirmation);
      decoder.GetString(&transfer.statement_reference);
      decoder.GetMoney(&transfer.booked_amount);
      decoder.GetSigned(&transfer.confirm_time_ms);
      decoder.GetString(&transfer.discrepancy);
      if (confirmation > 2) {
        return absl::DataLossError("stored settlement transfer has a bad confirmation");
      }
      transfer.confirmation = static_cast<TransferConfirmation>(confirmation);
    }
  }
  if (state < 1 || state > 6)
    return absl::DataLossError("stored settlement window has a bad state");
  return decoder.Finish("settlement window");
}

std::string EncodeTreasuryAccount(const TreasuryAccount& account) {
  std::string out;
  PutByte(&out, kTreasuryFormatVersion);
  PutString(&out, account.account);
  PutString(&out, account.iban);
  PutString(&out, account.bic);
  PutString(&out, account.name);
  PutSigned(&out, account.update_time_ms);
  return out;
}

Status DecodeTreasuryAccount(std::string_view bytes, TreasuryAccount* account) {
  Decoder decoder(bytes);
  uint8_t version = 0;
  *account = TreasuryAccount();
  if (!decoder.GetByte(&version) || version != kTreasuryFormatVersion) {
    return absl::DataLossError("stored treasury account has an unknown format version");
  }
  decoder.GetString(&account->account);
  decoder.GetString(&account->iban);
  decoder.GetString(&account->bic);
  decoder.GetString(&account->name);
  decoder.GetSigned(&account->update_time_ms);
  return decoder.Finish("treasury account");
}

}  // namespace pay::internal
