// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Stored settlement records in Table::kSettlements and their encodings (coding.h):
//   "w" fixed64(number) -> SettlementWindow (the open window too, once window 1 has closed)
//   "t" account         -> TreasuryAccount
// Every record starts with a format version byte; fields are appended, optional on read.

#ifndef PAY_SRC_SETTLEMENT_RECORDS_H_
#define PAY_SRC_SETTLEMENT_RECORDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pay/ledger_entry.h"
#include "pay/settlement.h"
#include "pay/status.h"

namespace pay::internal {

inline constexpr std::string_view kWindowKeyPrefix = "w";
inline constexpr std::string_view kTreasuryKeyPrefix = "t";

std::string WindowKey(uint64_t number);
std::string TreasuryKey(std::string_view account);
// "window-<n>": the subject of a window's entries.
std::string WindowSubject(uint64_t number);

std::string EncodeSettlementWindow(const SettlementWindow& window);
Status DecodeSettlementWindow(std::string_view bytes, SettlementWindow* window);

std::string EncodeTreasuryAccount(const TreasuryAccount& account);
Status DecodeTreasuryAccount(std::string_view bytes, TreasuryAccount* account);

// The window's state as a function of its transfers (once its nets are computed)
// (gateway_settlement_transfers.cc).
SettlementWindowState DeriveState(const SettlementWindow& window);
// The SETTLEMENT_TRANSFER entry of `transfer` of window `window` moving from `from` to its state.
LedgerEntry TransferEntry(uint64_t window, const SettlementTransfer& transfer, TransferState from,
                          std::string_view principal, std::string detail);

}  // namespace pay::internal

#endif  // PAY_SRC_SETTLEMENT_RECORDS_H_
