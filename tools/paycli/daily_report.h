// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The daily payments report, computed by replaying ledger entries: for one UTC day, per agency,
// connector and currency, how many payments SUCCEEDED and for how much, how many were refunded,
// and how many were still PENDING or PROCESSING when the day ended. Sums are exact minor units.
//
// What the entries say (libpay's gateway_payments.cc): PAYMENT_CREATED (to_state 1 PENDING)
// carries the amount; the PENDING -> PROCESSING entry's detail names the connector; the SUCCEEDED
// entry posts the amount to clearing/<connector>. Memory is bounded by the number of payments in
// flight at once (their ids are kept until their outcome), never by the size of the ledger.

#ifndef PAY_TOOLS_PAYCLI_DAILY_REPORT_H_
#define PAY_TOOLS_PAYCLI_DAILY_REPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "pay/ledger_entry.h"

namespace paycli {

struct Tally {
  uint64_t count = 0;
  int64_t minor_units = 0;
  friend bool operator==(const Tally&, const Tally&) = default;
};

struct DailyRow {
  std::string agency_id;  // "" in a per-currency total
  std::string connector;  // "" for a payment not handed to a connector yet, and in totals
  std::string currency;
  Tally succeeded;  // became SUCCEEDED during the day
  Tally refunded;   // refunded (fully or partly) during the day: the refund entries' amounts
  Tally in_flight;  // PENDING or PROCESSING at the end of the day, whenever created
};

struct DailyResult {
  std::vector<DailyRow> rows;    // sorted by agency, connector, currency
  std::vector<DailyRow> totals;  // one per currency, sorted
  uint64_t last_sequence = 0;    // the newest entry replayed
};

class DailyReport {
 public:
  // The day [day_start_ms, day_start_ms + 24 h).
  explicit DailyReport(int64_t day_start_ms);

  int64_t day_end_ms() const { return day_end_ms_; }

  // Replays one entry. Feed every entry (of the reported agencies) in sequence order from
  // sequence 1 up to the end of the day; later entries are ignored. kDataLoss "entry N: ..." for
  // an entry that cannot be counted (a payment outcome without an amount, a sum overflowing).
  absl::Status Add(const pay::LedgerEntry& entry);

  // The report; the payments still in flight are counted now.
  absl::StatusOr<DailyResult> Finish() const;

  // How many payments are in flight after the entries replayed so far.
  size_t in_flight_payments() const { return in_flight_.size(); }

 private:
  struct Payment {
    std::string agency_id;
    std::string connector;
    pay::Money amount;
  };
  using RowKey = std::tuple<std::string, std::string, std::string>;

  absl::Status Count(const pay::LedgerEntry& entry, const std::string& connector,
                     Tally DailyRow::*tally);

  int64_t day_start_ms_;
  int64_t day_end_ms_;
  uint64_t last_sequence_ = 0;
  std::unordered_map<std::string, Payment> in_flight_;  // by payment id
  std::map<RowKey, DailyRow> rows_;
};

// The report as text (aligned columns with per-currency totals), CSV (a header row and one row
// per agency, connector and currency, amounts in minor units) or JSON (one document). `date` is
// "YYYY-MM-DD"; `day_over` false adds that the figures may still change.
std::string DailyReportText(const DailyResult& result, const std::string& date, bool day_over);
std::string DailyReportCsv(const DailyResult& result, const std::string& date);
std::string DailyReportJson(const DailyResult& result, const std::string& date, bool day_over);

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_DAILY_REPORT_H_
