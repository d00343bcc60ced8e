// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The JSON Lines export written directly: the bytes of EntryToJson (ledger_json.h), built without
// a JSON document, per-field allocations or formatted I/O, for exports of millions of entries.
// Strings are escaped exactly as nlohmann::json::dump(-1) escapes them (the reference the export
// format was first written with; ledger_format_test.cc keeps the two byte-identical).

#ifndef PAY_TOOLS_PAYCLI_LEDGER_JSON_WRITER_H_
#define PAY_TOOLS_PAYCLI_LEDGER_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pay/ledger_entry.h"

namespace paycli {

// Formats entries one after another. Keeps the date of the previous entry's time, since
// consecutive entries almost always share it. Not thread-safe; one per writing thread.
class EntryJsonWriter {
 public:
  // Appends the line of `entry` without its line end to *out. `hash` must be
  // pay::EntryHash(entry) (32 bytes): the caller usually has it from the stored bytes.
  void Append(const pay::LedgerEntry& entry, std::string_view hash, std::string* out);

 private:
  // Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" (FormatTimeMs) at `out`; returns the end.
  char* PutTime(int64_t time_ms, char* out);

  int64_t cached_day_ = INT64_MIN;
  char cached_date_[11] = {};  // "YYYY-MM-DDT" of cached_day_
};

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_LEDGER_JSON_WRITER_H_
