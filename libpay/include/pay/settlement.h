// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Settlement: windows that move the money collected for each directorate from the gateway's
// collection account to the directorate's treasury accounts (docs/settlement.md).
//
// A window is a range of ledger sequence numbers. Closing window N appends a
// SETTLEMENT_WINDOW_CLOSED entry at sequence S; window N holds every entry in
// [first_sequence, S) and window N + 1 opens at S + 1 in the same write, so every succeeded
// payment and refund falls in exactly one window. The window's nets are the sums of the postings
// to the revenue accounts in its range; each positive net becomes one credit transfer to the
// treasury account configured for its revenue account.

#ifndef PAY_SETTLEMENT_H_
#define PAY_SETTLEMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pay/money.h"

namespace pay {

// Numeric values are stored in records and ledger entries: never renumber, only append.
enum class SettlementWindowState : uint8_t {
  kOpen = 1,              // taking entries
  kClosed = 2,            // range fixed and nets computed; nothing sent yet
  kSettling = 3,          // transfers sent, not all confirmed
  kSettled = 4,           // every transfer confirmed (or nothing to transfer)
  kPartiallySettled = 5,  // some confirmed, others rejected or failed (owed; retry)
  kFailed = 6,            // nothing went through (reasons on the transfers)
};
std::string_view SettlementWindowStateName(SettlementWindowState state);  // "OPEN", ...

enum class TransferState : uint8_t {
  kPending = 1,   // recorded, not sent yet
  kSent = 2,      // in a pain.001 the bank may have received; outcome not known
  kAccepted = 3,  // the bank confirmed it settled (ACSC): money moved, postings recorded
  kRejected = 4,  // the bank rejected it (RJCT + reason): still owed
  kFailed = 5,    // never sent (NO_TREASURY_ACCOUNT, NO_SETTLEMENT_CONNECTOR): still owed
};
std::string_view TransferStateName(TransferState state);  // "PENDING", ...

// Whether the collection account's statement (camt.053) shows an ACCEPTED transfer as the bank
// said it settled: a debit under its EndToEndId, of its amount and currency.
enum class TransferConfirmation : uint8_t {
  kUnconfirmed = 0,  // not accepted yet, or not looked up on a statement yet
  kConfirmed = 1,    // on the statement, amount and currency equal
  kDiscrepancy = 2,  // booked with another amount, or missing after confirm_grace_ms
};
std::string_view TransferConfirmationName(TransferConfirmation confirmation);  // "CONFIRMED", ...

// Where the money of one revenue account goes. Set by an ADMIN.
struct TreasuryAccount {
  std::string account;  // "revenue/<agency>" or "revenue/<agency>/<label>"
  std::string iban;
  std::string bic;   // optional
  std::string name;  // the creditor's name on the transfer
  int64_t update_time_ms = 0;
};

// The window's total for one revenue account and currency.
struct SettlementNet {
  std::string agency_id;
  std::string account;  // "revenue/<agency>[/<label>]"
  std::string currency;
  int64_t collected_minor = 0;  // credits to the account (collections), positive
  int64_t refunded_minor = 0;   // debits to the account (refunds), positive
  int64_t net_minor = 0;        // collected - refunded: what the treasury is owed
};

// One credit transfer of a window: one per revenue account and currency with a positive net.
struct SettlementTransfer {
  std::string end_to_end_id;  // "STL<window>-<n>", deterministic
  std::string agency_id;
  std::string account;  // the revenue account it settles
  Money amount;
  std::string iban;  // treasury account at the time it was (last) sent
  std::string bic;
  std::string name;
  TransferState state = TransferState::kPending;
  int32_t attempt = 0;     // the attempt of the last pain.001 that carried it (0: none yet)
  std::string message_id;  // "STL-<window>-<attempt>" of that pain.001
  std::string reason;      // rejection or failure code and text
  std::string bank_reference;
  int64_t update_time_ms = 0;
  // Automatic retry and escalation (docs/settlement.md): sends payd made by itself after a
  // rejection or failure, and whether (why, when) it gave up and escalated to a person.
  // `escalated` stays set once raised, as history; the state says whether it was resolved.
  int32_t automatic_retries = 0;
  bool escalated = false;
  std::string escalation_reason;
  int64_t escalate_time_ms = 0;
  // Confirmation against the collection account's camt.053 (ConfirmSettlementTransfers).
  TransferConfirmation confirmation = TransferConfirmation::kUnconfirmed;
  std::string statement_reference;  // the statement entry's AcctSvcrRef (once found)
  Money booked_amount;              // what the statement booked (once found); may differ
  int64_t confirm_time_ms = 0;      // when confirmed or found to differ
  std::string discrepancy;          // why, when kDiscrepancy
};

struct SettlementWindow {
  uint64_t number = 0;  // 1, 2, ...
  SettlementWindowState state = SettlementWindowState::kOpen;
  uint64_t first_sequence = 1;  // the first ledger sequence the window holds
  uint64_t close_sequence = 0;  // the SETTLEMENT_WINDOW_CLOSED entry (0 while open)
  int64_t open_time_ms = 0;
  int64_t close_time_ms = 0;
  std::string closed_by;                      // credential id, or "system" for the schedule
  int32_t attempts = 0;                       // pain.001 messages sent for the window
  bool summarized = false;                    // nets computed (always true once CLOSED is visible)
  std::vector<SettlementNet> nets;            // sorted by account, currency
  std::vector<SettlementTransfer> transfers;  // in end_to_end_id order of creation
};

struct ListSettlementWindowsResult {
  std::vector<SettlementWindow> windows;  // newest first
  std::string next_page_token;
};

// The per-window report, signed with the gateway's Ed25519 key over the exact bytes of each body.
struct SettlementReport {
  uint64_t window_number = 0;
  std::string csv;
  std::string json;
  std::string csv_signature;   // 64 bytes
  std::string json_signature;  // 64 bytes
  std::string public_key;      // 32 bytes
};

// Options of settlement (GatewayOptions::settlement).
struct SettlementOptions {
  // The registered connector that sends the credit transfers ("" : none; transfers then stay
  // FAILED NO_SETTLEMENT_CONNECTOR until one is configured and the window is retried).
  std::string connector;
  // How long CloseSettlementWindow and RetrySettlement wait for the bank's answers.
  int64_t wait_ms = 15'000;
  // Fault injection for crash tests only: the process ends at once (std::_Exit, as on SIGKILL)
  // at this step of settling: "closed" (close committed, nets not yet), "summarized" (nets and
  // transfers committed, nothing SENT), "recorded" (SENT committed, pain.001 not sent) or
  // "answered" (the bank answered the pain.001, its answer not yet recorded). Empty: never.
  std::string crash_at;
  // Automatic retry of REJECTED and FAILED transfers (RetryOwedSettlementTransfers): a transfer
  // whose reason a resend may fix is sent again after retry_backoff_ms, doubling per automatic
  // retry up to retry_max_backoff_ms, at most retry_max times; then it is escalated. A reason a
  // resend cannot fix (kNonRetryableSettlementReasons) is escalated at once and retried only when
  // its treasury account changes. retry_max 0: no automatic retry (everything escalates).
  int64_t retry_backoff_ms = 60'000;
  int64_t retry_max_backoff_ms = 3'600'000;
  int32_t retry_max = 5;
  // Confirmation against the camt.053: an ACCEPTED transfer the statement does not show this
  // long after the bank accepted it is a discrepancy (a bank books the day's debits on that
  // day's statement; the margin covers a statement produced after midnight).
  int64_t confirm_grace_ms = 36 * 3'600'000;
  // How far before the oldest unconfirmed acceptance the statement asked for starts.
  int64_t confirm_lookback_ms = 24 * 3'600'000;
};

// What one ConfirmSettlementTransfers call found.
struct SettlementConfirmation {
  size_t confirmed = 0;                    // newly CONFIRMED
  size_t unconfirmed = 0;                  // ACCEPTED, not on the statement yet, within the grace
  std::vector<std::string> discrepancies;  // newly found, one line each (for the log)
};

// Rejection and failure codes that resending to the same treasury account cannot fix: AC01
// (wrong account number), AC04 (closed account), AC06 (blocked account), AG01 (transaction
// forbidden on this account), BE01 (creditor name does not match), RC01 (wrong BIC),
// NO_TREASURY_ACCOUNT and NO_SETTLEMENT_CONNECTOR. Everything else (insufficient funds, a
// technical rejection) may succeed later.
bool IsNonRetryableSettlementReason(std::string_view reason);

}  // namespace pay

#endif  // PAY_SETTLEMENT_H_
