// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The ledger against real RocksDB in a temporary directory.

#include "ledger.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <map>
#include <thread>

#include "coding.h"
#include "webhook_records.h"

namespace pay::internal {
namespace {

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/ledger_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Ledger> OpenLedger(bool create = true) {
    LedgerOptions options;
    options.path = dir_ + "/db";
    options.create_if_missing = create;
    Result<std::unique_ptr<Ledger>> ledger = Ledger::Open(options);
    EXPECT_TRUE(ledger.ok()) << ledger.status();
    return ledger.ok() ? *std::move(ledger) : nullptr;
  }

  static LedgerEntry Entry(std::string subject) {
    LedgerEntry entry;
    entry.type = EntryType::kFeeCreated;
    entry.agency_id = "passports";
    entry.subject_id = std::move(subject);
    entry.amount = Money::Create("SAR", 15000).value();
    return entry;
  }

  std::vector<LedgerEntry> AllEntries(const Ledger& ledger) {
    std::vector<LedgerEntry> entries;
    Status status = ledger.ReadEntries(1, [&](const LedgerEntry& entry) {
      entries.push_back(entry);
      return true;
    });
    EXPECT_TRUE(status.ok()) << status;
    return entries;
  }

  std::string dir_;
};

TEST_F(LedgerTest, AssignsGapFreeSequenceNumbers) {
  std::unique_ptr<Ledger> ledger = OpenLedger();
  WriteSet one;
  one.Append(Entry("a"));
  EXPECT_EQ(ledger->Commit(std::move(one)).value(), 1u);
  WriteSet two;
  two.Append(Entry("b"));
  two.Append(Entry("c"));
  EXPECT_EQ(ledger->Commit(std::move(two)).value(), 3u);
  WriteSet none;
  none.Put(Table::kMeta, "k", "v");
  EXPECT_EQ(ledger->Commit(std::move(none)).value(), 3u);  // no entry: the last sequence
  std::vector<LedgerEntry> entries = AllEntries(*ledger);
  ASSERT_EQ(entries.size(), 3u);
  for (size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(entries[i].sequence, i + 1);
  EXPECT_EQ(entries[1].subject_id, "b");
  EXPECT_EQ(entries[0].amount.ToString(), "150.00 SAR");
  EXPECT_LE(entries[0].time_ms, entries[2].time_ms);
}

// Regression: a commit of records only (a webhook cursor, a refund policy) once reset the chain's
// head, so the next entry linked to nothing.
TEST_F(LedgerTest, RecordsOnlyCommitKeepsTheChainLinked) {
  std::unique_ptr<Ledger> ledger = OpenLedger();
  WriteSet first;
  first.Append(Entry("a"));
  ASSERT_TRUE(ledger->Commit(std::move(first)).ok());
  const std::string head = ledger->HeadHash();
  WriteSet records;
  records.Put(Table::kMeta, "k", "v");
  ASSERT_TRUE(ledger->Commit(std::move(records)).ok());
  EXPECT_EQ(ledger->HeadHash(), head);
  WriteSet second;
  second.Append(Entry("b"));
  ASSERT_TRUE(ledger->Commit(std::move(second)).ok());
  std::vector<LedgerEntry> entries = AllEntries(*ledger);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].prev_hash, EntryHash(entries[0]));
  EXPECT_EQ(entries[1].agency_prev_hash, EntryHash(entries[0]));
}

TEST_F(LedgerTest, StampedRecordsCarryTheirEntrySequence) {
  std::unique_ptr<Ledger> ledger = OpenLedger();
  WriteSet first;
  first.Append(Entry("x"));
  ASSERT_TRUE(ledger->Commit(std::move(first)).ok());
  WriteSet set;
  set.Append(Entry("y"));
  set.Append(Entry("z"));
  set.PutStamped(Table::kFees, "first", 0, [](uint64_t sequence) { return std::to_string(sequence); });
  set.PutStamped(Table::kFees, "second", 1, [](uint64_t sequence) { return std::to_string(sequence); });
  EXPECT_EQ(ledger->Commit(std::move(set)).value(), 3u);
  EXPECT_EQ(ledger->Get(Table::kFees, "first").value(), std::optional<std::string>("2"));
  EXPECT_EQ(ledger->Get(Table::kFees, "second").value(), std::optional<std::string>("3"));
  EXPECT_EQ(ledger->Get(Table::kFees, "absent").value(), std::nullopt);
}

// Many writers at once: every entry gets a distinct sequence, the log has no gap, each write
// set's entries are contiguous, and each record commits atomically with its entries.
TEST_F(LedgerTest, ConcurrentCommitsAreGapFreeAndAtomic) {
  std::unique_ptr<Ledger> ledger = OpenLedger();
  constexpr int kThreads = 8;
  constexpr int kCommitsPerThread = 60;
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> returned(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCommitsPerThread; ++i) {
        std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        WriteSet set;
        set.Append(Entry(id));
        set.Append(Entry(id));
        set.PutStamped(Table::kPayments, id, 0,
                       [](uint64_t sequence) { return std::to_string(sequence); });
        Result<uint64_t> last = ledger->Commit(std::move(set));
        ASSERT_TRUE(last.ok()) << last.status();
        returned[t].push_back(*last);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  const uint64_t total = uint64_t{kThreads} * kCommitsPerThread * 2;
  EXPECT_EQ(ledger->LastSequence(), total);
  std::vector<LedgerEntry> entries = AllEntries(*ledger);
  ASSERT_EQ(entries.size(), total);
  for (uint64_t i = 0; i < total; i += 2) {
    EXPECT_EQ(entries[i].sequence, i + 1);
    EXPECT_EQ(entries[i].subject_id, entries[i + 1].subject_id) << "write set split at " << i;
    std::optional<std::string> record =
        ledger->Get(Table::kPayments, entries[i].subject_id).value();
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(*record, std::to_string(i + 1));
  }
  for (int t = 0; t < kThreads; ++t) {
    for (size_t i = 1; i < returned[t].size(); ++i) EXPECT_LT(returned[t][i - 1], returned[t][i]);
  }
}

TEST_F(LedgerTest, ReopeningRestoresEverything) {
  {
    std::unique_ptr<Ledger> ledger = OpenLedger();
    for (int i = 0; i < 5; ++i) {
      WriteSet set;
      set.Append(Entry("e" + std::to_string(i)));
      set.Put(Table::kBills, "bill" + std::to_string(i), "fee" + std::to_string(i));
      ASSERT_TRUE(ledger->Commit(std::move(set)).ok());
    }
  }
  std::unique_ptr<Ledger> ledger = OpenLedger(/*create=*/false);
  EXPECT_EQ(ledger->LastSequence(), 5u);
  EXPECT_EQ(ledger->Get(Table::kBills, "bill3").value(), std::optional<std::string>("fee3"));
  WriteSet next;
  next.Append(Entry("after"));
  EXPECT_EQ(ledger->Commit(std::move(next)).value(), 6u);  // continues, no reuse, no gap
  EXPECT_EQ(AllEntries(*ledger).back().subject_id, "after");
}

TEST_F(LedgerTest, SecondOpenOfTheSameDirectoryIsUnavailable) {
  std::unique_ptr<Ledger> ledger = OpenLedger();
  LedgerOptions options;
  options.path = dir_ + "/db";
  Result<std::unique_ptr<Ledger>> second = Ledger::Open(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable) << second.status();
}

TEST_F(LedgerTest, ScanHonoursPrefixOrderAndStart) {
  std::unique_ptr<Ledger> ledger = OpenLedger();
  WriteSet set;
  for (std::string key : {"a1", "a2", "a3", "b1", "a\xff"}) set.Put(Table::kIndex, key, "");
  set.Put(Table::kIndex, "b2", "");
  ASSERT_TRUE(ledger->Commit(std::move(set)).ok());
  auto scan = [&](std::string_view prefix, std::string_view start, bool reverse) {
    std::vector<std::string> keys;
    EXPECT_TRUE(ledger
                    ->Scan(Table::kIndex, prefix, start, reverse,
                           [&](std::string_view key, std::string_view) {
                             keys.emplace_back(key);
                             return true;
                           })
                    .ok());
    return keys;
  };
  EXPECT_EQ(scan("a", "", false), (std::vector<std::string>{"a1", "a2", "a3", "a\xff"}));
  EXPECT_EQ(scan("a", "", true), (std::vector<std::string>{"a\xff", "a3", "a2", "a1"}));
  EXPECT_EQ(scan("a", "a2", true), (std::vector<std::string>{"a1"}));
  EXPECT_EQ(scan("a", "a2", false), (std::vector<std::string>{"a3", "a\xff"}));
  EXPECT_EQ(scan("b", "", true), (std::vector<std::string>{"b2", "b1"}));
  EXPECT_TRUE(scan("c", "", true).empty());
}

// An entry altered on disk is reported as data loss naming its sequence, never decoded silently.
TEST_F(LedgerTest, CorruptEntryIsDataLossNamingItsSequence) {
  {
    std::unique_ptr<Ledger> ledger = OpenLedger();
    for (int i = 0; i < 3; ++i) {
      WriteSet set;
      set.Append(Entry("e"));
      ASSERT_TRUE(ledger->Commit(std::move(set)).ok());
    }
  }
  {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_ + "/db", &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_ + "/db", descriptors, &handles, &raw).ok());
    ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), handles[0], Ledger::SequenceKey(2), "garbage").ok());
    for (auto* handle : handles) raw->DestroyColumnFamilyHandle(handle);
    delete raw;
  }
  std::unique_ptr<Ledger> ledger = OpenLedger(false);
  Status status = ledger->ReadEntries(1, [](const LedgerEntry&) { return true; });
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_NE(std::string(status.message()).find("ledger entry 2"), std::string::npos) << status;
}

TEST(RecordsTest, EntryRoundTripsAndRejectsTruncation) {
  LedgerEntry entry;
  entry.sequence = 42;
  entry.time_ms = 1'790'000'000'000;
  entry.type = EntryType::kPaymentStateChanged;
  entry.agency_id = "courts";
  entry.subject_id = "pay_1";
  entry.related_id = "fee_1";
  entry.principal_id = "cred_1";
  entry.from_state = 2;
  entry.to_state = 3;
  entry.amount = Money::Create("KWD", -1250).value();
  entry.detail = "ref";
  std::string bytes = EncodeEntry(entry);
  LedgerEntry decoded;
  ASSERT_TRUE(DecodeEntry(bytes, &decoded).ok());
  EXPECT_EQ(decoded, entry);
  EXPECT_EQ(EncodeEntry(decoded), bytes);  // canonical
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_EQ(DecodeEntry(bytes.substr(0, cut), &decoded).code(), StatusCode::kDataLoss) << cut;
  }
  EXPECT_EQ(DecodeEntry(bytes + "x", &decoded).code(), StatusCode::kDataLoss);
}

TEST(RecordsTest, FeeAndPaymentRoundTrip) {
  Fee fee;
  fee.fee_id = "fee_1";
  fee.agency_id = "passports";
  fee.bill_number = "1234567890123452";
  fee.amount = Money::Create("SAR", 30000).value();
  fee.description = {"Passport renewal", "تجديد جواز السفر"};
  fee.state = FeeState::kPaid;
  fee.ledger_sequence = 300;
  Fee fee_back;
  ASSERT_TRUE(DecodeFee(EncodeFee(fee), &fee_back).ok());
  EXPECT_EQ(fee_back, fee);

  Payment payment;
  payment.payment_id = "pay_1";
  payment.amount = Money::Create("JOD", 1500).value();
  payment.state = PaymentState::kPartiallyRefunded;
  payment.method = PaymentMethod::kMobileWallet;
  Payment payment_back;
  ASSERT_TRUE(DecodePayment(EncodePayment(payment), &payment_back).ok());
  EXPECT_EQ(payment_back, payment);
  std::string bad_state = EncodePayment(payment);
  bad_state[0] = 9;  // unknown version
  EXPECT_EQ(DecodePayment(bad_state, &payment_back).code(), StatusCode::kDataLoss);
}

TEST(CodingTest, VarintsAndSignedRoundTrip) {
  for (int64_t value : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{300}, INT64_MAX, INT64_MIN}) {
    std::string bytes;
    PutSigned(&bytes, value);
    Decoder decoder(bytes);
    int64_t back = 0;
    ASSERT_TRUE(decoder.GetSigned(&back));
    EXPECT_EQ(back, value);
    EXPECT_TRUE(decoder.Finish("value").ok());
  }
  const std::string eleven_bytes(11, '\xff');  // more than 64 bits of varint
  Decoder overlong(eleven_bytes);
  uint64_t value = 0;
  EXPECT_FALSE(overlong.GetVarint(&value));
}


TEST_F(LedgerTest, WaitForEntriesAfterWakesOnceTheCommitIsDurable) {
  std::unique_ptr<Ledger> ledger = OpenLedger();
  EXPECT_FALSE(ledger->WaitForEntriesAfter(0, 20));  // nothing yet: times out
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    WriteSet write_set;
    write_set.Append(Entry("a"));
    EXPECT_TRUE(ledger->Commit(std::move(write_set)).ok());
  });
  EXPECT_TRUE(ledger->WaitForEntriesAfter(0, 10'000));
  EXPECT_EQ(ledger->LastSequence(), 1u);
  writer.join();
  EXPECT_TRUE(ledger->WaitForEntriesAfter(0, 0));
  EXPECT_FALSE(ledger->WaitForEntriesAfter(1, 0));
}

// Known answer computed independently (Python's hmac module), as docs/webhooks.md tells a
// receiver to.
TEST(WebhookTest, SignatureIsHmacSha256OverTimestampDotBody) {
  std::string hex_secret = "whsec_";
  for (int i = 0; i < 32; ++i) hex_secret += "ab";
  EXPECT_EQ(pay::WebhookSignature(hex_secret, 1764000000, R"({"sequence":"7"})"),
            "t=1764000000,v1=871d4001acf2ae5f135d7a1435a9481834f178904d24ee358bef2d2b112560ce");
}

TEST(WebhookTest, RecordsRoundTripAndRejectTruncation) {
  WebhookRecord record;
  record.webhook = {"whk_1", "passports", "https://h/x", "d", 5, 7, 9};
  record.secret = "whsec_x";
  record.head_sequence = 10;
  record.head_attempts = 3;
  record.head_http_status = 503;
  record.head_error = "HTTP 503";
  record.head_next_attempt_ms = 99;
  const std::string bytes = EncodeWebhook(record);
  WebhookRecord decoded;
  ASSERT_TRUE(DecodeWebhook(bytes, &decoded).ok());
  EXPECT_EQ(EncodeWebhook(decoded), bytes);
  EXPECT_EQ(decoded.webhook.delivered_through, 9u);
  EXPECT_EQ(decoded.head_http_status, 503);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    WebhookRecord partial;
    EXPECT_FALSE(DecodeWebhook(bytes.substr(0, cut), &partial).ok()) << cut;
  }
  WebhookDelivery delivery;
  delivery.webhook_id = "whk_1";
  delivery.sequence = 12;
  delivery.event_type = "FEE_CREATED";
  delivery.state = DeliveryState::kFailed;
  delivery.attempts = 25;
  const std::string delivery_bytes = EncodeDelivery(delivery);
  WebhookDelivery decoded_delivery;
  ASSERT_TRUE(DecodeDelivery(delivery_bytes, &decoded_delivery).ok());
  EXPECT_EQ(EncodeDelivery(decoded_delivery), delivery_bytes);
  EXPECT_EQ(decoded_delivery.state, DeliveryState::kFailed);
  // Keys of one webhook sort by sequence.
  EXPECT_LT(DeliveryKey("whk_1", 255), DeliveryKey("whk_1", 256));
}

}  // namespace
}  // namespace pay::internal
