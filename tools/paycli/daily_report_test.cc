// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The daily report replays entries shaped as libpay writes them and counts each payment once, on
// the day of its outcome, or as in flight at the end of the day.

#include "daily_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace paycli {
namespace {

constexpr int64_t kDay = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr int64_t kHour = 3'600'000;

class Ledger {
 public:
  void Created(int64_t time_ms, const std::string& agency, const std::string& payment,
               const pay::Money& amount) {
    Add(time_ms, pay::EntryType::kPaymentCreated, agency, payment, 0, 1, amount, "idem", {});
  }
  void Processing(int64_t time_ms, const std::string& agency, const std::string& payment,
                  const pay::Money& amount, const std::string& connector) {
    Add(time_ms, pay::EntryType::kPaymentStateChanged, agency, payment, 1, 2, amount, connector,
        {});
  }
  void Succeeded(int64_t time_ms, const std::string& agency, const std::string& payment,
                 const pay::Money& amount, const std::string& connector) {
    pay::Money credit = *pay::Money::Create(amount.currency(), -amount.minor_units());
    Add(time_ms, pay::EntryType::kPaymentStateChanged, agency, payment, 2, 3, amount, "REF",
        {{"clearing/" + connector, amount}, {"revenue/" + agency, credit}});
  }
  void Refunded(int64_t time_ms, const std::string& agency, const std::string& payment,
                const pay::Money& amount, const std::string& connector) {
    pay::Money credit = *pay::Money::Create(amount.currency(), -amount.minor_units());
    Add(time_ms, pay::EntryType::kPaymentStateChanged, agency, payment, 3, 8, amount, "refund",
        {{"clearing/" + connector, credit}, {"refunds-payable/" + agency, amount}});
  }
  void Outcome(int64_t time_ms, const std::string& agency, const std::string& payment,
               const pay::Money& amount, uint8_t to_state) {
    Add(time_ms, pay::EntryType::kPaymentStateChanged, agency, payment, 2, to_state, amount, "",
        {});
  }
  // A whole successful payment at `time_ms`.
  void Paid(int64_t time_ms, const std::string& agency, const std::string& payment,
            const pay::Money& amount, const std::string& connector) {
    Created(time_ms, agency, payment, amount);
    Processing(time_ms, agency, payment, amount, connector);
    Succeeded(time_ms, agency, payment, amount, connector);
  }
  const std::vector<pay::LedgerEntry>& entries() const { return entries_; }

 private:
  void Add(int64_t time_ms, pay::EntryType type, const std::string& agency,
           const std::string& payment, uint8_t from, uint8_t to, const pay::Money& amount,
           const std::string& detail, std::vector<pay::Posting> postings) {
    pay::LedgerEntry entry;
    entry.sequence = entries_.size() + 1;
    entry.time_ms = time_ms;
    entry.type = type;
    entry.agency_id = agency;
    entry.subject_id = payment;
    entry.from_state = from;
    entry.to_state = to;
    entry.amount = amount;
    entry.detail = detail;
    entry.postings = std::move(postings);
    entries_.push_back(std::move(entry));
  }
  std::vector<pay::LedgerEntry> entries_;
};

pay::Money Money(const char* currency, int64_t minor_units) {
  return *pay::Money::Create(currency, minor_units);
}

DailyResult Replay(const Ledger& ledger, int64_t day_start_ms = kDay) {
  DailyReport report(day_start_ms);
  for (const pay::LedgerEntry& entry : ledger.entries()) {
    EXPECT_TRUE(report.Add(entry).ok());
  }
  absl::StatusOr<DailyResult> result = report.Finish();
  EXPECT_TRUE(result.ok()) << result.status();
  return *result;
}

TEST(DailyReportTest, CountsEachPaymentOnTheDayOfItsOutcome) {
  Ledger ledger;
  ledger.Paid(kDay - kHour, "passports", "p0", Money("SAR", 100), "sandbox");  // the day before
  ledger.Paid(kDay + kHour, "passports", "p1", Money("SAR", 30000), "sandbox");
  ledger.Paid(kDay + 2 * kHour, "passports", "p2", Money("SAR", 30000), "sandbox");
  ledger.Paid(kDay + 3 * kHour, "passports", "p3", Money("SAR", 30000), "sandbox");
  ledger.Paid(kDay + 4 * kHour, "passports", "p4", Money("SAR", 15000), "sandbox");
  ledger.Paid(kDay + 5 * kHour, "visas", "v1", Money("JOD", 1250), "bank");
  // Created the day before, succeeded during the day: counted today.
  ledger.Created(kDay - 2 * kHour, "visas", "v2", Money("JOD", 2000));
  ledger.Processing(kDay - 2 * kHour, "visas", "v2", Money("JOD", 2000), "bank");
  ledger.Succeeded(kDay + 6 * kHour, "visas", "v2", Money("JOD", 2000), "bank");
  // Failed: no money.
  ledger.Created(kDay + kHour, "passports", "f1", Money("SAR", 999));
  ledger.Processing(kDay + kHour, "passports", "f1", Money("SAR", 999), "sandbox");
  ledger.Outcome(kDay + kHour, "passports", "f1", Money("SAR", 999), 4);
  // Created two days before, still PROCESSING at the end of the day.
  ledger.Created(kDay - 48 * kHour, "passports", "s1", Money("SAR", 700));
  ledger.Processing(kDay - 48 * kHour, "passports", "s1", Money("SAR", 700), "sandbox");
  // PENDING, not yet handed to a connector.
  ledger.Created(kDay + 23 * kHour, "passports", "n1", Money("SAR", 50));
  // A refund during the day.
  ledger.Refunded(kDay + 7 * kHour, "passports", "p0", Money("SAR", 100), "sandbox");
  // Succeeded the next day: in flight at the end of this one.
  ledger.Created(kDay + 23 * kHour, "passports", "t1", Money("SAR", 400));
  ledger.Processing(kDay + 23 * kHour, "passports", "t1", Money("SAR", 400), "sandbox");
  ledger.Succeeded(kDay + 25 * kHour, "passports", "t1", Money("SAR", 400), "sandbox");

  DailyResult result = Replay(ledger);
  ASSERT_EQ(result.rows.size(), 3u);
  const DailyRow& pending = result.rows[0];  // connector "" sorts first
  EXPECT_EQ(pending.agency_id, "passports");
  EXPECT_EQ(pending.connector, "");
  EXPECT_EQ(pending.in_flight, (Tally{1, 50}));
  const DailyRow& passports = result.rows[1];
  EXPECT_EQ(passports.connector, "sandbox");
  EXPECT_EQ(passports.currency, "SAR");
  EXPECT_EQ(passports.succeeded, (Tally{4, 105000}));
  EXPECT_EQ(passports.refunded, (Tally{1, 100}));
  EXPECT_EQ(passports.in_flight, (Tally{2, 1100}));
  const DailyRow& visas = result.rows[2];
  EXPECT_EQ(visas.agency_id, "visas");
  EXPECT_EQ(visas.connector, "bank");
  EXPECT_EQ(visas.succeeded, (Tally{2, 3250}));
  EXPECT_EQ(visas.in_flight, (Tally{0, 0}));
  ASSERT_EQ(result.totals.size(), 2u);
  EXPECT_EQ(result.totals[0].currency, "JOD");
  EXPECT_EQ(result.totals[1].succeeded, (Tally{4, 105000}));
  EXPECT_EQ(result.totals[1].in_flight, (Tally{3, 1150}));
  EXPECT_EQ(result.last_sequence, ledger.entries().size() - 1)
      << "the next day's entry is not read";

  const std::string text = DailyReportText(result, "2026-01-01", true);
  EXPECT_NE(text.find("passports  sandbox    SAR"), std::string::npos) << text;
  EXPECT_NE(text.find("1050.00"), std::string::npos) << text;
  EXPECT_NE(text.find("3.250"), std::string::npos) << "JOD has three minor digits: " << text;
  const std::string csv = DailyReportCsv(result, "2026-01-01");
  EXPECT_NE(csv.find("2026-01-01,passports,sandbox,SAR,4,105000,1,100,2,1100\r\n"),
            std::string::npos)
      << csv;
  const std::string json = DailyReportJson(result, "2026-01-01", true);
  EXPECT_NE(json.find("\"amount\": \"1050.00 SAR\""), std::string::npos) << json;
}

TEST(DailyReportTest, MemoryFollowsPaymentsInFlightNotTheLedger) {
  DailyReport report(kDay);
  Ledger ledger;
  for (int i = 0; i < 10000; ++i) {
    ledger.Paid(kDay + i, "passports", "p" + std::to_string(i), Money("SAR", 1), "sandbox");
  }
  for (const pay::LedgerEntry& entry : ledger.entries()) {
    ASSERT_TRUE(report.Add(entry).ok());
    EXPECT_LE(report.in_flight_payments(), 1u);
  }
  EXPECT_EQ(report.Finish()->rows[0].succeeded, (Tally{10000, 10000}));
}

TEST(DailyReportTest, OverflowIsAnErrorNotAWrongSum) {
  Ledger ledger;
  ledger.Paid(kDay, "passports", "p1", Money("SAR", INT64_MAX), "sandbox");
  ledger.Paid(kDay, "passports", "p2", Money("SAR", 1), "sandbox");
  DailyReport report(kDay);
  absl::Status status;
  for (const pay::LedgerEntry& entry : ledger.entries()) {
    status = report.Add(entry);
    if (!status.ok()) break;
  }
  EXPECT_TRUE(absl::IsDataLoss(status));
  EXPECT_NE(std::string(status.message()).find("entry 6"), std::string::npos) << status;
}

TEST(DailyReportTest, EmptyDay) {
  Ledger ledger;
  ledger.Paid(kDay - kHour, "passports", "p0", Money("SAR", 100), "sandbox");
  DailyResult result = Replay(ledger);
  EXPECT_TRUE(result.rows.empty());
  EXPECT_NE(DailyReportText(result, "2026-01-01", false).find("no payments"), std::string::npos);
}

}  // namespace
}  // namespace paycli
