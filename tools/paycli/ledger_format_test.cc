// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The export formats are lossless (every entry reads back equal, whatever bytes its text fields
// hold), strict (what does not parse is refused with the line and the entry), and the readers
// and writers stream.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "input_buffer.h"
#include "ledger_csv.h"
#include "ledger_file.h"
#include "ledger_json.h"
#include "ledger_json_reader.h"
#include "ledger_json_writer.h"
#include "ledger_text.h"

namespace paycli {
namespace {

pay::Money Sar(int64_t minor_units) { return *pay::Money::Create("SAR", minor_units); }

pay::LedgerEntry PaymentSucceeded() {
  pay::LedgerEntry entry;
  entry.sequence = 42;
  entry.time_ms = 1'767'225'600'123;  // 2026-01-01T00:00:00.123Z
  entry.type = pay::EntryType::kPaymentStateChanged;
  entry.agency_id = "passports";
  entry.subject_id = "pay_0123456789abcdef0123";
  entry.related_id = "fee_0123456789abcdef";
  entry.principal_id = "system";
  entry.from_state = 2;
  entry.to_state = 3;
  entry.amount = Sar(30000);
  entry.detail = "SBX-REF-1";
  entry.postings = {{"clearing/sandbox", Sar(30000)}, {"revenue/passports", Sar(-30000)}};
  entry.prev_hash = std::string(32, '\x11');
  entry.agency_prev_hash = std::string(32, '\x22');
  return entry;
}

pay::LedgerEntry Checkpoint() {
  pay::LedgerEntry entry;
  entry.sequence = 43;
  entry.time_ms = 1'767'225'601'000;
  entry.type = pay::EntryType::kCheckpoint;
  entry.principal_id = "system";
  entry.prev_hash = std::string(32, '\x33');
  pay::Checkpoint checkpoint;
  checkpoint.covered_sequence = 42;
  checkpoint.head_hash = std::string(32, '\x33');
  checkpoint.agency_heads = {{"passports", std::string(32, '\x44'), 7}, {"visas", "", 0}};
  checkpoint.balances = {{"clearing/sandbox", Sar(30000)}, {"revenue/passports", Sar(-30000)}};
  checkpoint.public_key = std::string(32, '\x55');
  checkpoint.signature = std::string(64, '\x66');
  entry.checkpoint = checkpoint;
  return entry;
}

// Text fields holding everything the formats must carry: separators, quotes, line ends, NUL,
// Arabic, bytes that are not UTF-8, and the postings column's own separators in account names.
pay::LedgerEntry Awkward() {
  pay::LedgerEntry entry = PaymentSucceeded();
  entry.sequence = 1;
  entry.time_ms = -1;  // before 1970: still exact
  entry.agency_id = "a,b\"c";
  entry.subject_id = std::string("nul\0byte", 8);
  entry.related_id = "line\r\nbreak\nand\rcr";
  entry.principal_id = "\xd8\xa7\xd9\x84\xd8\xac\xd9\x88\xd8\xa7\xd8\xb2\xd8\xa7\xd8\xaa";
  entry.detail = "not utf-8: \xff\xfe\xc0\xaf end";
  entry.postings = {{"clearing/a b;c%d", Sar(-5)}, {"\xff;%20", Sar(5)}};
  entry.amount = pay::Money();
  entry.agency_prev_hash = "";
  return entry;
}

std::vector<pay::LedgerEntry> Samples() { return {PaymentSucceeded(), Checkpoint(), Awkward()}; }

// Reads CSV text back through the streaming reader.
std::vector<std::vector<std::string>> ReadCsv(const std::string& text, absl::Status* status) {
  std::FILE* file = fmemopen(const_cast<char*>(text.data()), text.size(), "rb");
  InputBuffer input(file);
  CsvReader reader(&input);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> fields;
  while (reader.Next(&fields, status)) records.push_back(fields);
  std::fclose(file);
  return records;
}

TEST(LedgerTextTest, TimesAreRfc3339WithMilliseconds) {
  EXPECT_EQ(FormatTimeMs(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimeMs(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimeMs(1'767'225'600'123), "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(FormatTimeMs(951'825'600'000), "2000-02-29T12:00:00.000Z");
  EXPECT_EQ(FormatTimeMs(INT64_MAX), "");
  EXPECT_EQ(FormatTimeMs(INT64_MIN), "");
}

TEST(LedgerTextTest, DatesAreStrict) {
  EXPECT_EQ(*ParseDateUtc("2026-01-01", "--date"), 1'767'225'600'000);
  EXPECT_EQ(*ParseDateUtc("1970-01-01", "--date"), 0);
  EXPECT_EQ(FormatDateUtc(1'767'225'600'000 + 86'399'999), "2026-01-01");
  for (const char* bad : {"2026-02-30", "2026-1-01", "2026-01-01T", "", "20260101", "2026-13-01",
                          "+026-01-01", "2026-00-10"}) {
    EXPECT_FALSE(ParseDateUtc(bad, "--date").ok()) << bad;
  }
}

TEST(LedgerTextTest, HexAndIntegers) {
  std::string bytes;
  EXPECT_TRUE(HexDecode(HexEncode(std::string("\x00\xff\x10", 3)), &bytes));
  EXPECT_EQ(bytes, std::string("\x00\xff\x10", 3));
  EXPECT_TRUE(HexDecode("ABcd", &bytes));
  EXPECT_FALSE(HexDecode("abc", &bytes));
  EXPECT_FALSE(HexDecode("zz", &bytes));
  int64_t signed_value = 0;
  uint64_t unsigned_value = 0;
  EXPECT_TRUE(ParseInt64("-9223372036854775808", &signed_value));
  EXPECT_FALSE(ParseInt64("9223372036854775808", &signed_value));
  EXPECT_FALSE(ParseInt64("+1", &signed_value));
  EXPECT_FALSE(ParseInt64(" 1", &signed_value));
  EXPECT_FALSE(ParseUint64("-1", &unsigned_value));
  EXPECT_TRUE(ParseUint64("18446744073709551615", &unsigned_value));
}

TEST(LedgerTextTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xd8\xa7 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
}

TEST(LedgerJsonTest, RoundTripIsLossless) {
  for (const pay::LedgerEntry& entry : Samples()) {
    const std::string line = EntryToJson(entry);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    ExportedEntry exported;
    ASSERT_TRUE(EntryFromJson(line, &exported).ok()) << line;
    EXPECT_EQ(exported.entry, entry) << line;
    EXPECT_EQ(exported.hash, pay::EntryHash(entry));
    EXPECT_TRUE(CheckRecordedFields(exported).ok());
  }
}

TEST(LedgerJsonTest, InvalidUtf8IsCarriedAsHex) {
  const std::string line = EntryToJson(Awkward());
  EXPECT_NE(line.find("\"detail\":{\"hex\":"), std::string::npos) << line;
  EXPECT_NE(line.find("\"principal_id\":\"\xd8\xa7"), std::string::npos) << line;
}

TEST(LedgerJsonTest, MalformedLinesNameTheFieldAndTheEntry) {
  const std::string good = EntryToJson(PaymentSucceeded());
  struct Case {
    std::string from;
    std::string to;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"\"detail\":", "\"extra\":1,\"detail\":", "extra: unknown field"},
      {"\"to_state\":3,", "", "to_state: missing"},
      {"\"to_state\":3", "\"to_state\":300", "to_state: expected a state number"},
      {"\"minor_units\":30000}", "\"minor_units\":3.5}", "amount.minor_units: expected an integer"},
      {"\"currency\":\"SAR\",\"minor_units\":30000}", "\"currency\":\"XXX\",\"minor_units\":1}",
       "amount.currency"},
      {"\"prev_hash\":\"11", "\"prev_hash\":\"zz", "prev_hash: expected a string of hex digits"},
      {"\"type\":\"PAYMENT_STATE_CHANGED\"", "\"type\":\"PAYMENT_MOVED\"", "unknown entry type"},
      {"\"postings\":[", "\"postings\":[{\"account\":\"x\"},", "postings[0].currency: missing"},
      {"\"hash\":\"", "\"hash\":\"g", "hash: expected a string of hex digits"},
  };
  for (const Case& test : cases) {
    std::string line = good;
    const size_t at = line.find(test.from);
    ASSERT_NE(at, std::string::npos) << test.from;
    line.replace(at, test.from.size(), test.to);
    ExportedEntry exported;
    absl::Status status = EntryFromJson(line, &exported);
    EXPECT_FALSE(status.ok()) << line;
    EXPECT_NE(std::string(status.message()).find(test.message), std::string::npos)
        << status.message();
    EXPECT_EQ(exported.entry.sequence, 42u) << "the sequence is still known: " << line;
  }
  ExportedEntry exported;
  EXPECT_FALSE(EntryFromJson("{\"sequence\":", &exported).ok());
  EXPECT_FALSE(EntryFromJson("[]", &exported).ok());
  EXPECT_FALSE(EntryFromJson("{\"sequence\":-1}", &exported).ok());
}

TEST(LedgerJsonTest, RecordedHashAndTimeMustMatch) {
  ExportedEntry exported;
  exported.entry = PaymentSucceeded();
  exported.hash = pay::EntryHash(exported.entry);
  exported.time = FormatTimeMs(exported.entry.time_ms);
  EXPECT_TRUE(CheckRecordedFields(exported).ok());
  exported.entry.detail = "SBX-REF-2";
  absl::Status status = CheckRecordedFields(exported);
  EXPECT_TRUE(absl::IsDataLoss(status));
  EXPECT_EQ(std::string(status.message()).rfind("entry 42: its recorded hash", 0), 0u)
      << status.message();
  exported.entry = PaymentSucceeded();
  exported.time = "2026-01-01T00:00:00.124Z";
  EXPECT_FALSE(CheckRecordedFields(exported).ok());
}

// Entries whose lines exercise every rule of the direct writer: each escape, 0x7f, 2- to 4-byte
// UTF-8, text that is not UTF-8, times around midnight, before 1970 and outside 0000..9999.
std::vector<pay::LedgerEntry> WriterSamples() {
  std::vector<pay::LedgerEntry> entries = Samples();
  pay::LedgerEntry entry = PaymentSucceeded();
  static constexpr char kDetail[] =
      "q\"b\\s/ \b\f\n\r\t\x01\x1f\x7f \xc3\xa9 \xf0\x9f\x92\xb3 end\0";
  entry.detail = std::string(kDetail, sizeof(kDetail) - 1);
  entry.subject_id = "\xd8\xa7\xd9\x84";
  entries.push_back(entry);
  for (int64_t time_ms : {int64_t{0}, int64_t{-1}, int64_t{86'399'999}, int64_t{86'400'000},
                          int64_t{1'767'225'599'999}, int64_t{951'825'600'000}, INT64_MAX,
                          INT64_MIN, int64_t{-62'167'219'200'001}, int64_t{1}}) {
    entry.time_ms = time_ms;
    entries.push_back(entry);
  }
  entry = PaymentSucceeded();
  entry.amount = pay::Money();
  entry.postings.clear();
  entry.agency_id = "";
  entry.agency_prev_hash = "";
  entries.push_back(entry);
  return entries;
}

TEST(LedgerJsonTest, DirectWriterWritesTheBytesOfTheReference) {
  EntryJsonWriter writer;  // one writer for all: its date cache must not leak between entries
  std::string out = "previous line\n";
  for (const pay::LedgerEntry& entry : WriterSamples()) {
    out.resize(14);
    writer.Append(entry, pay::EntryHash(entry), &out);
    EXPECT_EQ(out.substr(14), EntryToJson(entry));
    EXPECT_EQ(out.substr(0, 14), "previous line\n");
  }
}

TEST(LedgerJsonTest, FastReaderAgreesWithTheFullReader) {
  size_t accepted_variants = 0;
  for (const pay::LedgerEntry& entry : WriterSamples()) {
    const std::string line = EntryToJson(entry);
    ExportedEntry full;
    ASSERT_TRUE(EntryFromJson(line, &full).ok()) << line;
    ExportedEntry fast;
    fast.entry = Checkpoint();  // storage left from another entry must not show through
    fast.hash = "stale";
    if (FastEntryFromJson(line, &fast)) {
      EXPECT_EQ(fast.entry, full.entry) << line;
      EXPECT_EQ(fast.hash, full.hash) << line;
      EXPECT_EQ(fast.time, full.time) << line;
    } else {
      // Declined only for what it leaves to the full reader.
      EXPECT_TRUE(entry.checkpoint || line.find('\\') != std::string::npos ||
                  line.find("{\"hex\"") != std::string::npos)
          << line;
    }
    // Every corruption of one byte: the fast reader either declines or agrees with the full one.
    for (size_t at = 0; at < line.size(); ++at) {
      for (const char replacement : std::string("0 9-\"\\x,:}]{[.e\x80\xff", 17)) {
        for (const bool erase : {false, true}) {
          std::string variant = line;
          if (erase) {
            if (replacement != '0') continue;
            variant.erase(at, 1);
          } else {
            variant[at] = replacement;
          }
          ExportedEntry by_fast;
          if (!FastEntryFromJson(variant, &by_fast)) continue;
          ++accepted_variants;
          ExportedEntry by_full;
          ASSERT_TRUE(EntryFromJson(variant, &by_full).ok()) << variant;
          ASSERT_EQ(by_fast.entry, by_full.entry) << variant;
          ASSERT_EQ(by_fast.hash, by_full.hash) << variant;
          ASSERT_EQ(by_fast.time, by_full.time) << variant;
        }
      }
    }
  }
  EXPECT_GT(accepted_variants, 1000u);  // digits and letters changed inside values
}

TEST(LedgerCsvTest, RoundTripIsLossless) {
  std::string text = CsvHeader();
  for (const pay::LedgerEntry& entry : Samples()) text += EntryToCsv(entry);
  absl::Status status;
  std::vector<std::vector<std::string>> records = ReadCsv(text, &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(records.size(), Samples().size() + 1);
  EXPECT_TRUE(CheckCsvHeader(records[0]).ok());
  for (size_t i = 0; i < Samples().size(); ++i) {
    ExportedEntry exported;
    ASSERT_TRUE(EntryFromCsv(records[i + 1], &exported).ok()) << i;
    EXPECT_EQ(exported.entry, Samples()[i]) << i;
    EXPECT_TRUE(CheckRecordedFields(exported).ok()) << i;
  }
}

TEST(LedgerCsvTest, ReaderFollowsRfc4180) {
  absl::Status status;
  std::vector<std::vector<std::string>> records =
      ReadCsv("a,\"b,\"\"c\"\"\",\r\n\"multi\r\nline\",x\ny,\"\"\nlast", &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0], (std::vector<std::string>{"a", "b,\"c\"", ""}));
  EXPECT_EQ(records[1], (std::vector<std::string>{"multi\r\nline", "x"}));
  EXPECT_EQ(records[2], (std::vector<std::string>{"y", ""}));
  EXPECT_EQ(records[3], (std::vector<std::string>{"last"}));
  for (const char* bad : {"a\"b\r\n", "\"open\r\n", "\"a\"b\r\n", "a\rb\r\n"}) {
    ReadCsv(bad, &status);
    EXPECT_FALSE(status.ok()) << bad;
  }
}

TEST(LedgerCsvTest, FieldsAreQuotedOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("a\nb"), "\"a\nb\"");
  const std::string record = EntryToCsv(PaymentSucceeded());
  EXPECT_EQ(record.substr(record.size() - 2), "\r\n");
  EXPECT_NE(record.find(",clearing/sandbox SAR 30000;revenue/passports SAR -30000,"),
            std::string::npos)
      << record;
}

TEST(LedgerCsvTest, MalformedRecordsNameTheColumn) {
  std::string text = CsvHeader() + EntryToCsv(PaymentSucceeded());
  absl::Status status;
  std::vector<std::string> fields = ReadCsv(text, &status)[1];
  ExportedEntry exported;
  fields[13] = "clearing/sandbox SAR";
  status = EntryFromCsv(fields, &exported);
  EXPECT_NE(std::string(status.message()).find("column postings"), std::string::npos) << status;
  EXPECT_EQ(exported.entry.sequence, 42u);
  fields.pop_back();
  EXPECT_FALSE(EntryFromCsv(fields, &exported).ok());
  EXPECT_FALSE(CheckCsvHeader({"sequence"}).ok());
}

class ExportFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/paycli_export_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf '" + directory_ + "'").c_str()); }

  std::string directory_;
};

TEST_F(ExportFileTest, WritesThroughPartialFileAndReadsBack) {
  for (ExportFormat format : {ExportFormat::kJsonLines, ExportFormat::kCsv}) {
    const std::string path =
        directory_ + (format == ExportFormat::kCsv ? "/ledger.csv" : "/ledger.jsonl");
    auto writer = ExportWriter::Open(path, format);
    ASSERT_TRUE(writer.ok()) << writer.status();
    for (const pay::LedgerEntry& entry : Samples()) ASSERT_TRUE((*writer)->Write(entry).ok());
    EXPECT_TRUE(std::ifstream(path + ".partial").good());
    EXPECT_FALSE(std::ifstream(path).good()) << "not under its final name before Commit";
    ASSERT_TRUE((*writer)->Commit().ok());
    EXPECT_FALSE(std::ifstream(path + ".partial").good());
    EXPECT_EQ(FormatFromExtension(path), format);

    auto reader = ExportReader::Open(path, format);
    ASSERT_TRUE(reader.ok());
    ExportedEntry exported;
    absl::Status status;
    std::vector<pay::LedgerEntry> read;
    while ((*reader)->Next(&exported, &status)) read.push_back(exported.entry);
    EXPECT_TRUE(status.ok()) << status;
    EXPECT_EQ(read, Samples());
  }
}

// Renaming FILE.partial over a device or a pipe would replace the node itself (a regression once
// turned /dev/null into a regular file): those are written in place.
TEST_F(ExportFileTest, PipesAndDevicesAreWrittenInPlace) {
  const std::string path = directory_ + "/pipe";
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  std::string received;
  std::thread drain([&] {
    std::ifstream pipe(path, std::ios::binary);
    received.assign(std::istreambuf_iterator<char>(pipe), std::istreambuf_iterator<char>());
  });
  auto writer = ExportWriter::Open(path, ExportFormat::kJsonLines);
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_EQ((*writer)->partial_path(), "");
  ASSERT_TRUE((*writer)->Write(PaymentSucceeded()).ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  drain.join();
  EXPECT_EQ(received, EntryToJson(PaymentSucceeded()) + "\n");
  struct stat status;
  ASSERT_EQ(stat(path.c_str(), &status), 0);
  EXPECT_TRUE(S_ISFIFO(status.st_mode));
  EXPECT_FALSE(std::ifstream(path + ".partial").good());
}

TEST_F(ExportFileTest, LineEndsAndEmptyLines) {
  const std::string path = directory_ + "/edited.jsonl";
  // CRLF line ends (an editor on another system) and no line end after the last line.
  std::ofstream(path, std::ios::binary) << EntryToJson(PaymentSucceeded()) << "\r\n"
                                        << EntryToJson(Checkpoint());
  auto reader = ExportReader::Open(path, ExportFormat::kJsonLines);
  ASSERT_TRUE(reader.ok());
  ExportedEntry exported;
  absl::Status status;
  EXPECT_TRUE((*reader)->Next(&exported, &status));
  EXPECT_TRUE((*reader)->Next(&exported, &status)) << status;
  EXPECT_EQ(exported.entry, Checkpoint());
  EXPECT_FALSE((*reader)->Next(&exported, &status));
  EXPECT_TRUE(status.ok()) << status;

  std::ofstream(path, std::ios::binary) << EntryToJson(PaymentSucceeded()) << "\n\n";
  reader = ExportReader::Open(path, ExportFormat::kJsonLines);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->Next(&exported, &status));
  EXPECT_FALSE((*reader)->Next(&exported, &status));
  EXPECT_EQ(status.message(), "line 2: empty line (every line holds one entry)");
}

TEST_F(ExportFileTest, BadLineIsReportedWithLineAndEntry) {
  const std::string path = directory_ + "/bad.jsonl";
  std::ofstream(path) << EntryToJson(PaymentSucceeded()) << "\n"
                      << "{\"sequence\":43,\"type\":1}\n";
  auto reader = ExportReader::Open(path, ExportFormat::kJsonLines);
  ASSERT_TRUE(reader.ok());
  ExportedEntry exported;
  absl::Status status;
  EXPECT_TRUE((*reader)->Next(&exported, &status));
  EXPECT_FALSE((*reader)->Next(&exported, &status));
  EXPECT_TRUE(absl::IsDataLoss(status));
  EXPECT_EQ(std::string(status.message()).rfind("line 2 (entry 43): ", 0), 0u) << status;
}

}  // namespace
}  // namespace paycli
