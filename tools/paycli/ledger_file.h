// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Export files: writing ledger entries to a file (or stdout) in JSON Lines or CSV, and reading
// them back one at a time. Both stream: memory does not depend on the size of the ledger.

#ifndef PAY_TOOLS_PAYCLI_LEDGER_FILE_H_
#define PAY_TOOLS_PAYCLI_LEDGER_FILE_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "input_buffer.h"
#include "ledger_csv.h"
#include "ledger_json_writer.h"
#include "ledger_text.h"
#include "pay/ledger_entry.h"

namespace paycli {

enum class ExportFormat { kJsonLines, kCsv };

// "jsonl" or "csv"; kInvalidArgument naming `flag` otherwise.
absl::StatusOr<ExportFormat> ParseExportFormat(const std::string& name, const std::string& flag);
// The format a file name implies: .jsonl, .ndjson, .json -> JSON Lines; .csv -> CSV (a trailing
// .partial is looked through). nullopt when the name says nothing.
std::optional<ExportFormat> FormatFromExtension(const std::string& path);

// Writes entries to `path` through `path`.partial, renamed to `path` only by Commit, so that a
// file under the final name is always a complete export. Not thread-safe.
class ExportWriter {
 public:
  // `path` empty or "-": stdout. An existing `path` that is not a regular file (/dev/null, a
  // FIFO) is written in place. kInvalidArgument when the file cannot be created.
  static absl::StatusOr<std::unique_ptr<ExportWriter>> Open(const std::string& path,
                                                            ExportFormat format);
  // Without a Commit, the partial file is closed and left for inspection.
  ~ExportWriter();

  ExportWriter(const ExportWriter&) = delete;
  ExportWriter& operator=(const ExportWriter&) = delete;

  // Appends one entry. kInternal with the system's reason when writing fails.
  absl::Status Write(const pay::LedgerEntry& entry);
  // The same with the entry's hash (pay::EntryHash(entry)) already at hand.
  absl::Status Write(const pay::LedgerEntry& entry, std::string_view hash);
  // Flushes, syncs to disk and renames the partial file to its final name.
  absl::Status Commit();

  // "" for stdout, a device or a pipe.
  const std::string& partial_path() const { return partial_path_; }

 private:
  ExportWriter() = default;
  absl::Status Flush();

  std::FILE* file_ = nullptr;  // stdout is not closed
  std::string path_;           // "" for stdout
  std::string partial_path_;
  ExportFormat format_ = ExportFormat::kJsonLines;
  EntryJsonWriter json_;
  std::string buffer_;
};

// Reads an export written by ExportWriter (or edited by a person) back, entry by entry.
class ExportReader {
 public:
  // `path` "-": stdin. kInvalidArgument when the file cannot be opened.
  static absl::StatusOr<std::unique_ptr<ExportReader>> Open(const std::string& path,
                                                            ExportFormat format);
  ~ExportReader();

  ExportReader(const ExportReader&) = delete;
  ExportReader& operator=(const ExportReader&) = delete;

  // Reads the next entry. Returns false at the end (*status OK) or when a line cannot be read
  // (*status kDataLoss "line L (entry N): reason", the entry named when its sequence was
  // readable).
  bool Next(ExportedEntry* exported, absl::Status* status);

 private:
  ExportReader(std::FILE* file, ExportFormat format);
  bool NextJsonLine(ExportedEntry* exported, absl::Status* status);
  bool NextCsvRecord(ExportedEntry* exported, absl::Status* status);
  absl::Status LineError(int64_t line, uint64_t sequence, absl::string_view problem) const;

  std::FILE* file_;  // stdin is not closed
  ExportFormat format_;
  InputBuffer input_;
  CsvReader csv_;
  int64_t line_ = 0;  // JSON Lines: the line last read
  bool header_read_ = false;
  std::string text_;
  std::vector<std::string> fields_;
};

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_LEDGER_FILE_H_
