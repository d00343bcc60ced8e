// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The hash chains, checkpoints and the verifier, over a real ledger in a temporary directory.

#include "pay/audit.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>

#include "ledger.h"

namespace pay {
namespace {

using internal::Ledger;
using internal::WriteSet;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    char pattern[] = "/tmp/audit_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
    unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(public_key, secret_key);
    public_key_.assign(reinterpret_cast<char*>(public_key), sizeof public_key);
    secret_key_.assign(reinterpret_cast<char*>(secret_key), sizeof secret_key);
    internal::LedgerOptions options;
    options.path = dir_ + "/ledger";
    options.create_if_missing = true;
    options.public_key = public_key_;
    options.sign = [this](std::string_view message) {
      std::string signature(crypto_sign_BYTES, '\0');
      crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                           reinterpret_cast<const unsigned char*>(secret_key_.data()));
      return signature;
    };
    ledger_ = Ledger::Open(options).value();
  }
  void TearDown() override {
    ledger_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Pay(const std::string& agency, int64_t minor_units) {
    LedgerEntry entry;
    entry.type = EntryType::kPaymentStateChanged;
    entry.agency_id = agency;
    entry.subject_id = "pay_" + std::to_string(++counter_);
    entry.amount = Money::Create("SAR", minor_units).value();
    entry.postings = {{"clearing/sandbox", entry.amount},
                      {"revenue/" + agency, Money::Create("SAR", -minor_units).value()}};
    WriteSet set;
    set.Append(std::move(entry));
    ASSERT_TRUE(ledger_->Commit(std::move(set)).ok());
  }

  void WriteCheckpoint() {
    WriteSet set;
    set.AppendCheckpoint();
    ASSERT_TRUE(ledger_->Commit(std::move(set)).ok());
  }

  std::vector<LedgerEntry> Entries() {
    std::vector<LedgerEntry> entries;
    EXPECT_TRUE(ledger_->ReadEntries(1, [&](const LedgerEntry& entry) {
      entries.push_back(entry);
      return true;
    }).ok());
    return entries;
  }

  // Verifies `entries` and returns the first problem ("" when they verify).
  std::string Verify(const std::vector<LedgerEntry>& entries, const std::string& agency = "",
                     std::string key = "") {
    LedgerVerifier verifier({key.empty() ? public_key_ : key, agency});
    for (const LedgerEntry& entry : entries) {
      if (!agency.empty() && entry.type != EntryType::kCheckpoint && entry.agency_id != agency) {
        continue;
      }
      Status status = verifier.Add(entry);
      if (!status.ok()) return std::string(status.message());
    }
    Result<VerifySummary> summary = verifier.Finish();
    return summary.ok() ? "" : std::string(summary.status().message());
  }

  // A ledger of two agencies with checkpoints in between and at the end.
  std::vector<LedgerEntry> Build() {
    for (int i = 0; i < 5; ++i) Pay(i % 2 ? "courts" : "passports", 1000 + i);
    WriteCheckpoint();
    for (int i = 0; i < 5; ++i) Pay(i % 2 ? "passports" : "courts", 2000 + i);
    WriteCheckpoint();
    return Entries();
  }

  std::string dir_;
  std::string public_key_;
  std::string secret_key_;
  std::unique_ptr<Ledger> ledger_;
  int counter_ = 0;
};

TEST_F(AuditTest, AnUntouchedLedgerVerifiesFullyAndPerAgency) {
  std::vector<LedgerEntry> entries = Build();
  ASSERT_EQ(entries.size(), 12u);
  EXPECT_EQ(Verify(entries), "");
  EXPECT_EQ(Verify(entries, "passports"), "");
  EXPECT_EQ(Verify(entries, "courts"), "");
  const Checkpoint& last = *entries.back().checkpoint;
  EXPECT_EQ(last.covered_sequence, 11u);
  ASSERT_EQ(last.agency_heads.size(), 2u);
  EXPECT_EQ(last.agency_heads[0].agency_id, "courts");
  EXPECT_EQ(last.agency_heads[0].entry_count, 5u);
  // Balances replay to the stored ones: 5 payments of each kind.
  LedgerVerifier verifier({public_key_, ""});
  for (const LedgerEntry& entry : entries) ASSERT_TRUE(verifier.Add(entry).ok());
  VerifySummary summary = verifier.Finish().value();
  EXPECT_TRUE(summary.balances_replayed);
  EXPECT_EQ(summary.checkpoints, 2u);
  EXPECT_EQ(summary.balances, ledger_->Balances());
  int64_t clearing = 0;
  for (const AccountBalance& balance : summary.balances) {
    if (balance.account == "clearing/sandbox") clearing = balance.balance.minor_units();
  }
  EXPECT_EQ(clearing, 5 * 1000 + 10 + 5 * 2000 + 10);
}

TEST_F(AuditTest, AnAlteredAmountIsNamedBySequence) {
  std::vector<LedgerEntry> entries = Build();
  entries[2].amount = Money::Create("SAR", 999999).value();
  std::string problem = Verify(entries);
  EXPECT_NE(problem.find("entry 4: does not link to entry 3"), std::string::npos) << problem;
  // In the agency export the altered entry breaks the agency chain at the agency's next entry.
  EXPECT_NE(Verify(entries, "passports"), "");
}

TEST_F(AuditTest, ARemovedEntryIsAGapAndBreaksTheAgencyChain) {
  std::vector<LedgerEntry> entries = Build();
  entries.erase(entries.begin() + 6);  // sequence 7, courts
  EXPECT_NE(Verify(entries).find("entry 8: sequence gap"), std::string::npos) << Verify(entries);
  std::string agency_problem = Verify(entries, entries[5].agency_id);
  EXPECT_NE(agency_problem, "");
}

TEST_F(AuditTest, ReorderedEntriesAreOutOfOrder) {
  std::vector<LedgerEntry> entries = Build();
  std::swap(entries[3], entries[4]);
  EXPECT_NE(Verify(entries).find("entry 5: sequence gap"), std::string::npos) << Verify(entries);
}

TEST_F(AuditTest, ForgedCheckpointsAndWrongKeysAreRejected) {
  std::vector<LedgerEntry> entries = Build();
  std::vector<LedgerEntry> forged = entries;
  forged[5].checkpoint->balances[0].balance = Money::Create("SAR", 1).value();
  EXPECT_NE(Verify(forged).find("entry 6: checkpoint signature is not valid"), std::string::npos);
  unsigned char other_public[crypto_sign_PUBLICKEYBYTES];
  unsigned char other_secret[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(other_public, other_secret);
  std::string other(reinterpret_cast<char*>(other_public), sizeof other_public);
  EXPECT_NE(Verify(entries, "", other).find("entry 6: checkpoint is signed by another key"),
            std::string::npos);
}

TEST_F(AuditTest, ChainStateSurvivesReopening) {
  Build();
  const std::string head = ledger_->HeadHash();
  const std::vector<AccountBalance> balances = ledger_->Balances();
  ledger_.reset();
  Result<std::unique_ptr<LedgerReader>> reader = LedgerReader::Open(dir_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->Balances(), balances);
  EXPECT_EQ((*reader)->LastSequence(), 12u);
  LedgerVerifier verifier({public_key_, ""});
  ASSERT_TRUE((*reader)->ReadEntries(1, [&](const LedgerEntry& entry) {
    EXPECT_TRUE(verifier.Add(entry).ok());
    return true;
  }).ok());
  EXPECT_TRUE(verifier.Finish().ok());
}

TEST(LedgerEntryTest, NonCanonicalBytesAreRejected) {
  LedgerEntry entry;
  entry.sequence = 1;
  entry.prev_hash = std::string(kHashBytes, '\0');
  std::string bytes = EncodeEntry(entry);
  LedgerEntry decoded;
  ASSERT_TRUE(DecodeEntry(bytes, &decoded).ok());
  EXPECT_EQ(decoded, entry);
  // The same prev_hash length written as a padded (non-minimal) varint decodes to the same value
  // but is not the canonical encoding.
  std::string padded = bytes;
  size_t at = padded.find(std::string(1, static_cast<char>(kHashBytes)) + std::string(kHashBytes, '\0'));
  ASSERT_NE(at, std::string::npos);
  padded.replace(at, 1, std::string("\xa0\x00", 2));
  EXPECT_EQ(DecodeEntry(padded, &decoded).code(), StatusCode::kDataLoss);
  EXPECT_EQ(CheckPostingsBalance({{"a", Money::Create("SAR", 5).value()},
                                  {"b", Money::Create("SAR", -4).value()}})
                .code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pay
