// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `report daily`: the day's payments per agency, connector and currency, computed by replaying
// the ledger (from payd's ExportLedger or a data directory offline), exact to the minor unit.

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "commands.h"
#include "daily_report.h"
#include "ledger_source.h"
#include "ledger_text.h"

namespace paycli {
namespace {

enum class ReportFormat { kText, kCsv, kJson };

struct DailyFlags {
  std::string date;
  std::string data_dir;
  std::string agency_id;
  std::string format;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// --format wins; otherwise the global -o (text or json).
absl::StatusOr<ReportFormat> ChooseFormat(const DailyFlags& flags, const ClientConfig& config) {
  if (flags.format.empty()) {
    return config.output.format == OutputFormat::kJson ? ReportFormat::kJson : ReportFormat::kText;
  }
  if (flags.format == "text") return ReportFormat::kText;
  if (flags.format == "csv") return ReportFormat::kCsv;
  if (flags.format == "json") return ReportFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--format: unknown format '", flags.format, "': expected text, csv or json"));
}

int RunDaily(const DailyFlags& flags, const ClientConfig& config) {
  const int64_t now_ms = NowMs();
  const std::string date = flags.date.empty() ? FormatDateUtc(now_ms) : flags.date;
  absl::StatusOr<int64_t> day_start_ms = ParseDateUtc(date, "--date");
  if (!day_start_ms.ok()) return ReportUsageError(day_start_ms.status());
  absl::StatusOr<ReportFormat> format = ChooseFormat(flags, config);
  if (!format.ok()) return ReportUsageError(format.status());

  DailyReport report(*day_start_ms);
  LedgerQuery query;
  query.data_dir = flags.data_dir;
  query.agency_id = flags.agency_id;
  // Every entry from the start up to the end of the day: a payment in flight at the end of the
  // day may have been created on any earlier day.
  query.to_time_ms = report.day_end_ms();
  absl::Status replayed;
  ReadOutcome outcome =
      ReadLedger(query, config, [&](const pay::LedgerEntry& entry, std::string_view /*hash*/) {
        replayed = report.Add(entry);
        return replayed.ok();
      });
  if (!replayed.ok()) {
    std::cerr << "paycli: report failed: " << replayed.message() << "\n";
    return kExitRpcError;
  }
  if (!outcome.status.ok()) return ReportReadFailure(outcome, config, "report");
  absl::StatusOr<DailyResult> result = report.Finish();
  if (!result.ok()) {
    std::cerr << "paycli: report failed: " << result.status().message() << "\n";
    return kExitRpcError;
  }
  const bool day_over = now_ms >= report.day_end_ms();
  switch (*format) {
    case ReportFormat::kText:
      std::cout << DailyReportText(*result, date, day_over);
      break;
    case ReportFormat::kCsv:
      std::cout << DailyReportCsv(*result, date);
      break;
    case ReportFormat::kJson:
      std::cout << DailyReportJson(*result, date, day_over);
      break;
  }
  return kExitOk;
}

constexpr char kDailyFooter[] =
    "For one UTC day, per agency, connector and currency: the payments that SUCCEEDED that day\n"
    "(count and sum), the refunds recorded that day, and the payments still PENDING or\n"
    "PROCESSING when the day ended (whenever they were created). Computed by replaying the\n"
    "ledger from its first entry to the end of the day, so the sums are those of the ledger to\n"
    "the minor unit; memory grows only with the number of payments in flight at once.\n"
    "\n"
    "Source: a running payd (--server and an AUDITOR key) or, with --data-dir, a data directory\n"
    "read offline. Formats: text (aligned, with per-currency totals), csv (amounts in minor\n"
    "units), json (counts, minor units and amounts). Without --format, the global -o decides\n"
    "between text and json.\n"
    "\n"
    "Example: paycli report daily --date 2026-03-01 --data-dir /var/lib/payd --format csv";

}  // namespace

void AddReportCommands(CLI::App* app, Action* action) {
  CLI::App* report = app->add_subcommand("report", "Reports computed from the ledger (auditors)");
  report->require_subcommand(1);

  CLI::App* daily =
      report->add_subcommand("daily", "Payments of one day per agency, connector and currency");
  daily->footer(kDailyFooter);
  auto flags = std::make_shared<DailyFlags>();
  daily->add_option("--date", flags->date, "The day, in UTC (default: today)")
      ->type_name("YYYY-MM-DD");
  daily
      ->add_option("--data-dir", flags->data_dir,
                   "Read this payd data directory offline instead of asking payd")
      ->type_name("DIR");
  daily->add_option("--agency", flags->agency_id, "Only this agency")->type_name("ID");
  daily->add_option("--format", flags->format, "Output format (default: text)")
      ->type_name("text|csv|json");
  SetAction(daily, flags, action, &RunDaily);
}

}  // namespace paycli
