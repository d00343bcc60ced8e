// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Ledger entries as JSON, one object per line (JSON Lines), losslessly: reading a line back gives
// the entry whose hash was written, so an auditor can recompute every hash from the file.
//
//   {"sequence":7,"time_ms":1767225600123,"time":"2026-01-01T00:00:00.123Z",
//    "type":"PAYMENT_STATE_CHANGED","agency_id":"passports","subject_id":"pay_...",
//    "related_id":"fee_...","principal_id":"system","from_state":2,"to_state":3,
//    "amount":{"currency":"SAR","minor_units":30000},"detail":"SBX-...",
//    "postings":[{"account":"clearing/sandbox","currency":"SAR","minor_units":30000},...],
//    "prev_hash":"<64 hex>","agency_prev_hash":"<64 hex or empty>","checkpoint":{...},
//    "hash":"<64 hex>"}
//
// "amount" is null when no money is involved; "checkpoint" is present only on CHECKPOINT entries:
// {"covered_sequence","head_hash","agency_heads":[{"agency_id","head_hash","entry_count"}],
//  "balances":[{"account","currency","minor_units"}],"public_key","signature"}. "time" and "hash"
// are for people: when present they must match time_ms and the recomputed hash. A text field that
// is not valid UTF-8 (JSON cannot carry it) is written as {"hex":"..."} of its bytes.

#ifndef PAY_TOOLS_PAYCLI_LEDGER_JSON_H_
#define PAY_TOOLS_PAYCLI_LEDGER_JSON_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "ledger_text.h"
#include "pay/ledger_entry.h"

namespace paycli {

// One line of JSON, without the line end.
std::string EntryToJson(const pay::LedgerEntry& entry);

// Parses one line. On error, kInvalidArgument saying which field is wrong; out->entry.sequence is
// then still set if the line got that far (0 otherwise), for the caller's message. Unknown keys
// are errors: nothing in an export is silently ignored.
absl::Status EntryFromJson(std::string_view line, ExportedEntry* out);

// The "checkpoint" object alone (the CSV export carries it as JSON text in one column).
std::string CheckpointToJson(const pay::Checkpoint& checkpoint);
absl::Status CheckpointFromJson(std::string_view text, pay::Checkpoint* checkpoint);

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_LEDGER_JSON_H_
