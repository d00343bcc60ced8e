// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `ledger export`: the tamper-evident ledger, streamed from payd (LedgerService.ExportLedger, an
// AUDITOR key) or read offline from a data directory, to JSON Lines or CSV that `ledger verify`
// checks without payd. `ledger verify` itself is in commands_verify.cc.

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "commands.h"
#include "input.h"
#include "ledger_file.h"
#include "ledger_source.h"
#include "progress.h"

namespace paycli {
namespace {

struct ExportFlags {
  std::string data_dir;
  std::string format;
  std::string output;
  std::string agency_id;
  uint64_t from_sequence = 1;
  std::string from_time;
  std::string to_time;
  bool quiet = false;
};

absl::StatusOr<std::optional<int64_t>> ParseOptionalTimeMs(const std::string& text,
                                                           const std::string& flag) {
  if (text.empty()) return std::optional<int64_t>();
  absl::StatusOr<google::protobuf::Timestamp> time = ParseTime(text, flag);
  if (!time.ok()) return time.status();
  // Rounded up, as payd does, so that both sources select the same entries.
  const int64_t ms = time->seconds() * 1000 + (time->nanos() + 999'999) / 1'000'000;
  if (ms <= 0) return absl::InvalidArgumentError(flag + ": must be after 1970-01-01T00:00:00Z");
  return std::optional<int64_t>(ms);
}

// The query of the flags; kInvalidArgument naming the flag that is wrong.
absl::Status BuildQuery(const ExportFlags& flags, LedgerQuery* query) {
  query->data_dir = flags.data_dir;
  query->from_sequence = flags.from_sequence;
  query->agency_id = flags.agency_id;
  absl::StatusOr<std::optional<int64_t>> from = ParseOptionalTimeMs(flags.from_time, "--from-time");
  if (!from.ok()) return from.status();
  absl::StatusOr<std::optional<int64_t>> to = ParseOptionalTimeMs(flags.to_time, "--to-time");
  if (!to.ok()) return to.status();
  if (*from && *to && **to <= **from) {
    return absl::InvalidArgumentError("--to-time: must be after --from-time");
  }
  query->from_time_ms = *from;
  query->to_time_ms = *to;
  return absl::OkStatus();
}

absl::StatusOr<ExportFormat> ChooseFormat(const ExportFlags& flags) {
  if (!flags.format.empty()) return ParseExportFormat(flags.format, "--format");
  return FormatFromExtension(flags.output).value_or(ExportFormat::kJsonLines);
}

// After a failure: what was kept, and how to go on from there.
void ReportPartialExport(const Progress& progress, const ExportWriter& writer) {
  if (writer.partial_path().empty()) return;
  if (progress.entries() == 0) {
    std::remove(writer.partial_path().c_str());
    return;
  }
  std::cerr << "paycli: " << progress.entries() << " entries up to sequence "
            << progress.last_sequence() << " are in " << writer.partial_path()
            << "; to continue, export again with --from-sequence " << progress.last_sequence() + 1
            << "\n";
}

int RunExport(const ExportFlags& flags, const ClientConfig& config) {
  LedgerQuery query;
  absl::Status built = BuildQuery(flags, &query);
  if (!built.ok()) return ReportUsageError(built);
  absl::StatusOr<ExportFormat> format = ChooseFormat(flags);
  if (!format.ok()) return ReportUsageError(format.status());
  absl::StatusOr<std::unique_ptr<ExportWriter>> writer = ExportWriter::Open(flags.output, *format);
  if (!writer.ok()) return ReportUsageError(writer.status());

  Progress progress("exported", flags.quiet);
  absl::Status write_status;
  ReadOutcome outcome =
      ReadLedger(query, config, [&](const pay::LedgerEntry& entry, std::string_view hash) {
        write_status = (*writer)->Write(entry, hash);
        if (!write_status.ok()) return false;
        progress.Add(entry.sequence);
        return true;
      });
  if (!write_status.ok()) {
    std::cerr << "paycli: export failed: " << write_status.message() << "\n";
    ReportPartialExport(progress, **writer);
    return kExitRpcError;
  }
  if (!outcome.status.ok()) {
    const int code = ReportReadFailure(outcome, config, "export");
    ReportPartialExport(progress, **writer);
    return code;
  }
  absl::Status committed = (*writer)->Commit();
  if (!committed.ok()) {
    std::cerr << "paycli: export failed: " << committed.message() << "\n";
    return kExitRpcError;
  }
  progress.Finish(flags.output.empty() || flags.output == "-" ? "" : " to " + flags.output);
  return kExitOk;
}

constexpr char kExportFooter[] =
    "Streams ledger entries, in sequence order and in constant memory, as JSON Lines (one object\n"
    "per entry) or CSV (RFC 4180, a header row): every field needed to recompute each entry's\n"
    "hash, so that `paycli ledger verify` can check the file without payd.\n"
    "\n"
    "Source: without --data-dir, a running payd (--server, and an AUDITOR key: --api-key-file);\n"
    "the export holds the agencies the key may audit and every checkpoint. With --data-dir,\n"
    "the data directory is read offline, also while payd runs (no key: access to the files is\n"
    "the authority). --timeout bounds how long paycli waits for payd's next entry.\n"
    "\n"
    "With --output, entries go to FILE.partial, renamed to FILE once complete; after a failure\n"
    "the partial file is kept and paycli says which --from-sequence continues it. Progress goes\n"
    "to stderr: one line updated each second on a terminal, a line every 10 s into a log\n"
    "(--quiet: none).\n"
    "\n"
    "Examples:\n"
    "  paycli ledger export --data-dir /var/lib/payd --output ledger.jsonl\n"
    "  paycli --server pay.example:50051 --api-key-file auditor.key ledger export \\\n"
    "      --agency passports --format csv --output passports.csv";

}  // namespace

void AddLedgerCommands(CLI::App* app, Action* action) {
  CLI::App* ledger =
      app->add_subcommand("ledger", "Export and verify the tamper-evident ledger (auditors)");
  ledger->require_subcommand(1);
  ledger->footer(
      "The ledger records every change with a hash chain and signed checkpoints; see\n"
      "docs/ledger-format.md. Typical audit:\n"
      "  paycli ledger export --data-dir DIR --output ledger.jsonl\n"
      "  paycli ledger verify --public-key-file signing.pub --file ledger.jsonl");

  CLI::App* export_command =
      ledger->add_subcommand("export", "Write the ledger's entries to a file, for auditors");
  export_command->footer(kExportFooter);
  auto flags = std::make_shared<ExportFlags>();
  export_command
      ->add_option("--data-dir", flags->data_dir,
                   "Read this payd data directory offline instead of asking payd")
      ->type_name("DIR");
  export_command
      ->add_option("--format", flags->format,
                   "Output format (default: csv if --output ends in .csv, else jsonl)")
      ->type_name("jsonl|csv");
  export_command->add_option("-o,--output", flags->output, "Write to FILE (default: stdout)")
      ->type_name("FILE");
  export_command
      ->add_option("--agency", flags->agency_id,
                   "Only this agency's entries, and every checkpoint (verify with --agency)")
      ->type_name("ID");
  export_command
      ->add_option("--from-sequence", flags->from_sequence,
                   "Start at this sequence number (to resume an export)")
      ->type_name("N");
  export_command
      ->add_option("--from-time", flags->from_time, "Only entries committed at or after TIME")
      ->type_name("RFC3339");
  export_command->add_option("--to-time", flags->to_time, "Only entries committed before TIME")
      ->type_name("RFC3339");
  export_command->add_flag("-q,--quiet", flags->quiet, "No progress on stderr");
  SetAction(export_command, flags, action, &RunExport);

  AddLedgerVerifyCommand(ledger, action);
}

}  // namespace paycli
