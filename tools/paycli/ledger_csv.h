// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Ledger entries as CSV (RFC 4180: a header row, CRLF line ends, a field quoted when it holds a
// comma, a quote, CR or LF, quotes doubled), losslessly: reading a record back gives the entry
// whose hash was written. The columns are those of the JSON Lines export (ledger_json.h), with
//   amount      as two columns, amount_currency and amount_minor_units (both empty: no amount),
//   postings    as "account currency minor_units" items joined by ";" (in an account name '%',
//               ';' and ' ' are written %25, %3B and %20),
//   checkpoint  as the JSON text of the checkpoint object (empty on other entries).
// Text fields are written byte for byte, so a spreadsheet should open them as text.

#ifndef PAY_TOOLS_PAYCLI_LEDGER_CSV_H_
#define PAY_TOOLS_PAYCLI_LEDGER_CSV_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "input_buffer.h"
#include "ledger_text.h"
#include "pay/ledger_entry.h"

namespace paycli {

// `value` as one CSV field: quoted (quotes doubled) when it holds a comma, a quote, CR or LF.
std::string CsvField(std::string_view value);

// The header row, with its CRLF.
std::string CsvHeader();

// One record, with its CRLF.
std::string EntryToCsv(const pay::LedgerEntry& entry);

// Parses one record (its fields, unquoted). On error kInvalidArgument naming the column;
// out->entry.sequence is then still set if that column was readable (0 otherwise).
absl::Status EntryFromCsv(const std::vector<std::string>& fields, ExportedEntry* out);

// OK when `fields` is exactly the header row CsvHeader() writes.
absl::Status CheckCsvHeader(const std::vector<std::string>& fields);

// Splits RFC 4180 records from `input`. Accepts CRLF or LF line ends; a quoted field may span
// lines. Not thread-safe.
class CsvReader {
 public:
  // `input` is not owned and must outlive the reader.
  explicit CsvReader(InputBuffer* input) : input_(input) {}

  // Reads the next record into *fields (its memory is reused). Returns false at the end of the
  // input (*status OK) or on malformed input or a read error (*status kInvalidArgument).
  bool Next(std::vector<std::string>* fields, absl::Status* status);
  // The line on which the record last returned by Next starts, from 1.
  int64_t record_line() const { return record_line_; }

 private:
  InputBuffer* input_;
  int64_t line_ = 1;  // the line of the next byte
  int64_t record_line_ = 0;
};

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_LEDGER_CSV_H_
