// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The text forms shared by the two export encodings of ledger entries (JSON Lines and CSV):
// hashes and keys in hex, times in RFC 3339, strict integers, and what an exported entry carries
// besides the entry itself (its hash and time, written for people and checked when read back).

#ifndef PAY_TOOLS_PAYCLI_LEDGER_TEXT_H_
#define PAY_TOOLS_PAYCLI_LEDGER_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pay/ledger_entry.h"

namespace paycli {

// Lower-case hex of `bytes`.
std::string HexEncode(std::string_view bytes);
// Inverse of HexEncode (upper-case digits accepted too); false on odd length or a non-hex digit.
bool HexDecode(std::string_view hex, std::string* bytes);

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points above
// U+10FFFF): the strings JSON can carry as they are.
bool IsValidUtf8(std::string_view text);

// "2026-03-01T10:00:00.123Z" (always three fraction digits). "" for a time outside the years
// 0000..9999, which no real entry has; the reader expects "" for those too.
std::string FormatTimeMs(int64_t time_ms);

// Decimal integers, the whole of `text`: an optional '-' (signed only) and digits, nothing else.
bool ParseInt64(std::string_view text, int64_t* value);
bool ParseUint64(std::string_view text, uint64_t* value);

// "YYYY-MM-DD" -> Unix ms of that day's 00:00:00 UTC. kInvalidArgument naming `flag` otherwise.
absl::StatusOr<int64_t> ParseDateUtc(std::string_view text, std::string_view flag);
// The UTC date of `time_ms`, "YYYY-MM-DD".
std::string FormatDateUtc(int64_t time_ms);

// An entry read back from an export, with the two informational fields as they were written.
// The entry is what the hashes cover; `hash` (raw bytes) and `time` are checked against it so
// that an edited export cannot show a person a hash or a time the entry does not have.
struct ExportedEntry {
  pay::LedgerEntry entry;
  std::optional<std::string> hash;  // absent: the column or key was left out or empty
  std::optional<std::string> time;
};

// OK when the recorded hash and time (if present) are those of the entry. Otherwise
// kDataLoss, "entry N: ..." naming what differs.
absl::Status CheckRecordedFields(const ExportedEntry& exported);
// The same with the entry's hash (pay::EntryHash(exported.entry)) already computed.
absl::Status CheckRecordedFields(const ExportedEntry& exported, std::string_view actual_hash);

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_LEDGER_TEXT_H_
