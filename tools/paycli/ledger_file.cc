// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "ledger_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ledger_json.h"
#include "ledger_json_reader.h"

namespace paycli {
namespace {

// Output is handed to the system in blocks of this size: few system calls, bounded memory.
constexpr size_t kWriteBlockBytes = size_t{1} << 20;

absl::Status SystemError(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// Makes a rename durable: the directory entry is synced too.
void SyncDirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string directory = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // best effort: the data itself is already synced
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

absl::StatusOr<ExportFormat> ParseExportFormat(const std::string& name, const std::string& flag) {
  if (name == "jsonl") return ExportFormat::kJsonLines;
  if (name == "csv") return ExportFormat::kCsv;
  return absl::InvalidArgumentError(
      absl::StrCat(flag, ": unknown format '", name, "': expected jsonl or csv"));
}

std::optional<ExportFormat> FormatFromExtension(const std::string& path) {
  std::string name = path;
  if (absl::EndsWith(name, ".partial")) name.resize(name.size() - std::strlen(".partial"));
  for (const char* extension : {".jsonl", ".ndjson", ".json"}) {
    if (absl::EndsWith(name, extension)) return ExportFormat::kJsonLines;
  }
  if (absl::EndsWith(name, ".csv")) return ExportFormat::kCsv;
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<ExportWriter>> ExportWriter::Open(const std::string& path,
                                                                 ExportFormat format) {
  std::unique_ptr<ExportWriter> writer(new ExportWriter());
  writer->format_ = format;
  struct stat existing;
  if (path.empty() || path == "-") {
    writer->file_ = stdout;
  } else if (::stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    // A device or a pipe (/dev/null, a FIFO): written in place. Renaming a file over it would
    // replace the device node itself.
    writer->path_ = path;
    writer->file_ = std::fopen(path.c_str(), "wb");
    if (writer->file_ == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("--output: cannot open ", path, ": ", std::strerror(errno)));
    }
  } else {
    writer->path_ = path;
    writer->partial_path_ = path + ".partial";
    writer->file_ = std::fopen(writer->partial_path_.c_str(), "wb");
    if (writer->file_ == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--output: cannot create ", writer->partial_path_, ": ", std::strerror(errno)));
    }
  }
  writer->buffer_.reserve(kWriteBlockBytes + 64 * 1024);
  if (format == ExportFormat::kCsv) writer->buffer_ = CsvHeader();
  return writer;
}

ExportWriter::~ExportWriter() {
  if (file_ != nullptr && file_ != stdout) std::fclose(file_);
}

absl::Status ExportWriter::Write(const pay::LedgerEntry& entry) {
  return Write(entry, pay::EntryHash(entry));
}

absl::Status ExportWriter::Write(const pay::LedgerEntry& entry, std::string_view hash) {
  if (format_ == ExportFormat::kCsv) {
    buffer_ += EntryToCsv(entry);
  } else {
    json_.Append(entry, hash, &buffer_);
    buffer_.push_back('\n');
  }
  return buffer_.size() >= kWriteBlockBytes ? Flush() : absl::OkStatus();
}

absl::Status ExportWriter::Flush() {
  const std::string name =
      !partial_path_.empty() ? partial_path_ : (path_.empty() ? "stdout" : path_);
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    return SystemError(absl::StrCat("writing ", name));
  }
  buffer_.clear();
  if (std::fflush(file_) != 0) return SystemError(absl::StrCat("writing ", name));
  return absl::OkStatus();
}

absl::Status ExportWriter::Commit() {
  absl::Status status = Flush();
  if (!status.ok() || file_ == stdout) return status;
  if (partial_path_.empty()) {  // a device or a pipe: nothing to sync or rename
    const int closed = std::fclose(file_);
    file_ = nullptr;
    return closed == 0 ? absl::OkStatus() : SystemError(absl::StrCat("closing ", path_));
  }
  if (::fsync(fileno(file_)) != 0) return SystemError(absl::StrCat("syncing ", partial_path_));
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (closed != 0) return SystemError(absl::StrCat("closing ", partial_path_));
  if (std::rename(partial_path_.c_str(), path_.c_str()) != 0) {
    return SystemError(absl::StrCat("renaming ", partial_path_, " to ", path_));
  }
  SyncDirectoryOf(path_);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ExportReader>> ExportReader::Open(const std::string& path,
                                                                 ExportFormat format) {
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--file: cannot open ", path, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<ExportReader>(new ExportReader(file, format));
}

ExportReader::ExportReader(std::FILE* file, ExportFormat format)
    : file_(file), format_(format), input_(file), csv_(&input_) {}

ExportReader::~ExportReader() {
  if (file_ != stdin) std::fclose(file_);
}

absl::Status ExportReader::LineError(int64_t line, uint64_t sequence,
                                     absl::string_view problem) const {
  return absl::DataLossError(absl::StrCat(
      "line ", line, sequence != 0 ? absl::StrCat(" (entry ", sequence, ")") : std::string(), ": ",
      problem));
}

bool ExportReader::Next(ExportedEntry* exported, absl::Status* status) {
  return format_ == ExportFormat::kCsv ? NextCsvRecord(exported, status)
                                       : NextJsonLine(exported, status);
}

bool ExportReader::NextJsonLine(ExportedEntry* exported, absl::Status* status) {
  *status = absl::OkStatus();
  text_.clear();
  if (input_.Peek() < 0) {
    if (input_.error()) *status = LineError(line_ + 1, 0, "cannot read the file");
    return false;
  }
  ++line_;
  if (!input_.AppendUntil('\n', kMaxRecordBytes, &text_)) {
    if (input_.error()) {
      *status = LineError(line_, 0, "cannot read the file");
      return false;
    }
    if (text_.size() > kMaxRecordBytes) {
      *status = LineError(line_, 0, absl::StrCat("longer than ", kMaxRecordBytes, " bytes"));
      return false;
    }
    // The last line, without a line end: fine.
  }
  if (!text_.empty() && text_.back() == '\r') text_.pop_back();
  if (text_.empty()) {
    *status = LineError(line_, 0, "empty line (every line holds one entry)");
    return false;
  }
  // Nearly every line is as the exporter wrote it: decoded directly. Any other line (and every
  // line with a problem) goes through the full reader, which names what is wrong.
  if (FastEntryFromJson(text_, exported)) return true;
  absl::Status parsed = EntryFromJson(text_, exported);
  if (!parsed.ok()) {
    *status = LineError(line_, exported->entry.sequence, parsed.message());
    return false;
  }
  return true;
}

bool ExportReader::NextCsvRecord(ExportedEntry* exported, absl::Status* status) {
  if (!header_read_) {
    header_read_ = true;
    if (!csv_.Next(&fields_, status)) {
      if (status->ok()) *status = LineError(1, 0, "empty file: no CSV header row");
      return false;
    }
    absl::Status header = CheckCsvHeader(fields_);
    if (!header.ok()) {
      *status = LineError(csv_.record_line(), 0, header.message());
      return false;
    }
  }
  if (!csv_.Next(&fields_, status)) {
    if (!status->ok()) *status = LineError(csv_.record_line(), 0, status->message());
    return false;
  }
  absl::Status parsed = EntryFromCsv(fields_, exported);
  if (!parsed.ok()) {
    *status = LineError(csv_.record_line(), exported->entry.sequence, parsed.message());
    return false;
  }
  return true;
}

}  // namespace paycli
