// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "daily_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "ledger_csv.h"
#include "pay/payment_state.h"

namespace paycli {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr std::string_view kClearingPrefix = "clearing/";

uint8_t StateNumber(pay::PaymentState state) { return static_cast<uint8_t>(state); }

// The connector that holds the money of a SUCCEEDED entry: its clearing/<connector> posting.
std::string ConnectorOfPostings(const pay::LedgerEntry& entry) {
  for (const pay::Posting& posting : entry.postings) {
    if (posting.account.starts_with(kClearingPrefix)) {
      return posting.account.substr(kClearingPrefix.size());
    }
  }
  return "";
}

bool AddTo(Tally* tally, int64_t minor_units) {
  if (__builtin_add_overflow(tally->minor_units, minor_units, &tally->minor_units)) return false;
  ++tally->count;
  return true;
}

bool AddTally(Tally* sum, const Tally& part) {
  return !__builtin_add_overflow(sum->minor_units, part.minor_units, &sum->minor_units) &&
         !__builtin_add_overflow(sum->count, part.count, &sum->count);
}

// "1050.00" in the currency's minor digits (the currency is one Money accepted).
std::string Decimal(const std::string& currency, int64_t minor_units) {
  pay::Result<pay::Money> money = pay::Money::Create(currency, minor_units);
  if (!money.ok()) return absl::StrCat(minor_units);
  std::string text = money->ToString();
  return text.substr(0, text.rfind(' '));
}

}  // namespace

DailyReport::DailyReport(int64_t day_start_ms)
    : day_start_ms_(day_start_ms), day_end_ms_(day_start_ms + kDayMs) {}

absl::Status DailyReport::Count(const pay::LedgerEntry& entry, const std::string& connector,
                                Tally DailyRow::*tally) {
  if (entry.time_ms < day_start_ms_) return absl::OkStatus();
  if (entry.amount.currency().empty()) {
    return absl::DataLossError(
        absl::StrCat("entry ", entry.sequence, ": a payment outcome without an amount"));
  }
  const std::string& currency = entry.amount.currency();
  DailyRow& row = rows_[{entry.agency_id, connector, currency}];
  row.agency_id = entry.agency_id;
  row.connector = connector;
  row.currency = currency;
  if (!AddTo(&(row.*tally), entry.amount.minor_units())) {
    return absl::DataLossError(absl::StrCat("entry ", entry.sequence, ": the sum overflows"));
  }
  return absl::OkStatus();
}

absl::Status DailyReport::Add(const pay::LedgerEntry& entry) {
  if (entry.time_ms >= day_end_ms_) return absl::OkStatus();
  last_sequence_ = entry.sequence;
  if (entry.type == pay::EntryType::kPaymentCreated) {
    in_flight_[entry.subject_id] = Payment{entry.agency_id, "", entry.amount};
    return absl::OkStatus();
  }
  if (entry.type != pay::EntryType::kPaymentStateChanged) return absl::OkStatus();
  auto payment = in_flight_.find(entry.subject_id);
  const uint8_t to = entry.to_state;
  if (to == StateNumber(pay::PaymentState::kPending) ||
      to == StateNumber(pay::PaymentState::kProcessing)) {
    if (payment == in_flight_.end()) {
      payment =
          in_flight_.emplace(entry.subject_id, Payment{entry.agency_id, "", entry.amount}).first;
    }
    if (to == StateNumber(pay::PaymentState::kProcessing)) payment->second.connector = entry.detail;
    return absl::OkStatus();
  }
  std::string connector = ConnectorOfPostings(entry);
  if (connector.empty() && payment != in_flight_.end()) connector = payment->second.connector;
  if (payment != in_flight_.end()) in_flight_.erase(payment);  // every other state is an outcome
  if (to == StateNumber(pay::PaymentState::kSucceeded)) {
    return Count(entry, connector, &DailyRow::succeeded);
  }
  if (to == StateNumber(pay::PaymentState::kRefunded) ||
      to == StateNumber(pay::PaymentState::kPartiallyRefunded)) {
    return Count(entry, connector, &DailyRow::refunded);
  }
  return absl::OkStatus();  // FAILED, CANCELLED, EXPIRED: no money moved
}

absl::StatusOr<DailyResult> DailyReport::Finish() const {
  std::map<RowKey, DailyRow> rows = rows_;
  for (const auto& [payment_id, payment] : in_flight_) {
    if (payment.amount.currency().empty()) {
      return absl::DataLossError(absl::StrCat("payment ", payment_id, " has no amount"));
    }
    DailyRow& row = rows[{payment.agency_id, payment.connector, payment.amount.currency()}];
    row.agency_id = payment.agency_id;
    row.connector = payment.connector;
    row.currency = payment.amount.currency();
    if (!AddTo(&row.in_flight, payment.amount.minor_units())) {
      return absl::DataLossError("the sum of payments in flight overflows");
    }
  }
  DailyResult result;
  result.last_sequence = last_sequence_;
  std::map<std::string, DailyRow> totals;
  for (auto& [key, row] : rows) {
    DailyRow& total = totals[row.currency];
    total.currency = row.currency;
    if (!AddTally(&total.succeeded, row.succeeded) || !AddTally(&total.refunded, row.refunded) ||
        !AddTally(&total.in_flight, row.in_flight)) {
      return absl::DataLossError(absl::StrCat("the total in ", row.currency, " overflows"));
    }
    result.rows.push_back(std::move(row));
  }
  for (auto& [currency, total] : totals) result.totals.push_back(std::move(total));
  return result;
}

std::string DailyReportText(const DailyResult& result, const std::string& date, bool day_over) {
  std::vector<std::vector<std::string>> table = {{"AGENCY", "CONNECTOR", "CURRENCY", "SUCCEEDED",
                                                  "AMOUNT", "REFUNDED", "AMOUNT", "IN FLIGHT",
                                                  "AMOUNT"}};
  auto add = [&](const DailyRow& row, const std::string& agency, const std::string& connector) {
    table.push_back(
        {agency, connector, row.currency, absl::StrCat(row.succeeded.count),
         Decimal(row.currency, row.succeeded.minor_units), absl::StrCat(row.refunded.count),
         Decimal(row.currency, row.refunded.minor_units), absl::StrCat(row.in_flight.count),
         Decimal(row.currency, row.in_flight.minor_units)});
  };
  for (const DailyRow& row : result.rows) {
    add(row, row.agency_id, row.connector.empty() ? "-" : row.connector);
  }
  for (const DailyRow& total : result.totals) add(total, "total", "");
  std::vector<size_t> widths(table.front().size(), 0);
  for (const auto& line : table) {
    for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  }
  std::string out = absl::StrCat(
      "Payments on ", date, " (UTC), from the ledger up to sequence ", result.last_sequence,
      day_over ? "" : " (the day is not over: figures may change)", "\n");
  if (result.rows.empty()) return absl::StrCat(out, "no payments\n");
  for (const auto& line : table) {
    std::string text;
    for (size_t i = 0; i < line.size(); ++i) {
      const std::string padding(widths[i] - line[i].size(), ' ');
      // Text columns left-aligned, numbers right-aligned.
      text += i < 3 ? line[i] + padding : padding + line[i];
      if (i + 1 < line.size()) text += "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    absl::StrAppend(&out, text, "\n");
  }
  return out;
}

std::string DailyReportCsv(const DailyResult& result, const std::string& date) {
  std::string out =
      "date,agency_id,connector,currency,succeeded_count,succeeded_minor_units,refunded_count,"
      "refunded_minor_units,in_flight_count,in_flight_minor_units\r\n";
  for (const DailyRow& row : result.rows) {
    absl::StrAppend(&out, date, ",", CsvField(row.agency_id), ",", CsvField(row.connector), ",",
                    row.currency, ",", row.succeeded.count, ",", row.succeeded.minor_units, ",",
                    row.refunded.count, ",", row.refunded.minor_units, ",", row.in_flight.count,
                    ",", row.in_flight.minor_units, "\r\n");
  }
  return out;
}

std::string DailyReportJson(const DailyResult& result, const std::string& date, bool day_over) {
  using Json = nlohmann::ordered_json;
  auto tally = [](const std::string& currency, const Tally& value) {
    return Json{{"count", value.count},
                {"minor_units", value.minor_units},
                {"amount", absl::StrCat(Decimal(currency, value.minor_units), " ", currency)}};
  };
  auto row_json = [&](const DailyRow& row, bool total) {
    Json object;
    if (!total) {
      object["agency_id"] = row.agency_id;
      object["connector"] = row.connector;
    }
    object["currency"] = row.currency;
    object["succeeded"] = tally(row.currency, row.succeeded);
    object["refunded"] = tally(row.currency, row.refunded);
    object["in_flight"] = tally(row.currency, row.in_flight);
    return object;
  };
  Json document;
  document["date"] = date;
  document["complete"] = day_over;
  document["last_sequence"] = result.last_sequence;
  document["rows"] = Json::array();
  for (const DailyRow& row : result.rows) document["rows"].push_back(row_json(row, false));
  document["totals"] = Json::array();
  for (const DailyRow& row : result.totals) document["totals"].push_back(row_json(row, true));
  return document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace paycli
