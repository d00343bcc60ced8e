// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// LedgerService against the real payd over gRPC: what an auditor receives can be verified without
// trusting payd (hash chains, balanced postings, signed checkpoints, with the key from
// DIR/signing.pub), each auditor receives exactly the agencies it was granted, an export resumes
// without losing or repeating an entry, and only auditors export.

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ledger_convert.h"
#include "pay/audit.h"
#include "pay/ledger_entry.h"
#include "pay/v1/ledger_service.grpc.pb.h"
#include "payd_test_base.h"

namespace pay::integration {
namespace {

using ::google::protobuf::util::MessageDifferencer;

const std::string kZeroHash(kHashBytes, '\0');

// (account, currency) -> minor units.
using Balances = std::map<std::pair<std::string, std::string>, int64_t>;

class LedgerServiceTest : public PaydTest {
 protected:
  // A test ledger has a few dozen entries; more means the stream does not end.
  static constexpr size_t kMaxEntries = 10'000;

  void SetUp() override {
    PaydTest::SetUp();
    if (HasFatalFailure()) return;
    ConnectLedger();
  }

  void ConnectLedger() { ledger_ = v1::LedgerService::NewStub(payd_.channel()); }

  // Stops payd with SIGTERM (payd signs a checkpoint as it shuts down) and starts it again.
  void RestartPayd() {
    ASSERT_NO_FATAL_FAILURE(Restart());
    ConnectLedger();
  }

  // A new AUDITOR credential granted `agency_ids`.
  void NewAuditor(const std::vector<std::string>& agency_ids, std::string* key,
                  std::string* credential_id = nullptr) {
    v1::CreateCredentialResponse response;
    ASSERT_TRUE(CreateCredential(*admin_, payd_.admin_key(), v1::Credential::AUDITOR, agency_ids,
                                 &response));
    *key = response.api_key();
    if (credential_id != nullptr) *credential_id = response.credential().credential_id();
  }

  // Every entry ExportLedger streams for `request` into `out`, and the status it ends with.
  grpc::Status Export(const std::string& key, const v1::ExportLedgerRequest& request,
                      std::vector<v1::LedgerEntry>* out) {
    auto context = MakeContext(key, kCallTimeout);
    std::unique_ptr<grpc::ClientReader<v1::LedgerEntry>> reader =
        ledger_->ExportLedger(context.get(), request);
    v1::LedgerEntry entry;
    while (reader->Read(&entry)) {
      out->push_back(entry);
      if (out->size() > kMaxEntries) {
        context->TryCancel();
        break;
      }
    }
    return reader->Finish();
  }

  grpc::Status ExportAll(const std::string& key, std::vector<v1::LedgerEntry>* out) {
    return Export(key, v1::ExportLedgerRequest(), out);
  }

  grpc::Status GetCheckpoint(const std::string& key, v1::LedgerEntry* checkpoint) {
    auto context = MakeContext(key, kCallTimeout);
    return ledger_->GetCheckpoint(context.get(), v1::GetCheckpointRequest(), checkpoint);
  }

  // The gateway's public key as an auditor receives it out of band: DIR/signing.pub.
  void SigningPublicKey(std::string* public_key) {
    std::ifstream file(payd_.data_dir() + "/signing.pub");
    ASSERT_TRUE(file.good()) << "cannot open " << payd_.data_dir() << "/signing.pub";
    std::stringstream text;
    text << file.rdbuf();
    Result<std::string> parsed = ParsePublicKeyHex(text.str());
    ASSERT_TRUE(parsed.ok()) << parsed.status() << " in signing.pub: " << text.str();
    *public_key = *std::move(parsed);
  }

  // Business in two agencies, with the second currency and a declined payment: per agency, fees
  // of 150.00 SAR and 27.50 SAR paid, one of 4.02 SAR whose payment the sandbox declines, one of
  // 1.500 JOD paid, and one left unpaid. Passports pays as the agency (pull), customs through
  // its channel. The payments that succeeded are added to succeeded_.
  void PopulateTwoAgencies() {
    ASSERT_TRUE(CreateAgencyWithKeys(*admin_, payd_.admin_key(), "customs", &customs_));
    int round = 0;
    for (const AgencyKeys* agency : {&passports_, &customs_}) {
      const std::string& payer_key =
          agency == &passports_ ? agency->agency_key : agency->channel_key;
      const std::vector<std::pair<int64_t, std::string>> amounts = {
          {15000, "SAR"}, {2750, "SAR"}, {402, "SAR"}, {1500, "JOD"}};
      for (const auto& [minor_units, currency] : amounts) {
        v1::Fee fee;
        ASSERT_TRUE(
            IsOk(TryCreateFee(agency->agency_key, FeeRequest(minor_units, currency), &fee)));
        v1::Payment payment;
        ASSERT_NO_FATAL_FAILURE(
            Pay(payer_key, fee.bill_number(), "ledger-" + std::to_string(round++), &payment));
        if (minor_units == 402) {
          ASSERT_EQ(payment.state(), v1::Payment::FAILED) << payment.DebugString();
        } else {
          ASSERT_EQ(payment.state(), v1::Payment::SUCCEEDED) << payment.DebugString();
          succeeded_.push_back(payment);
        }
      }
      v1::Fee unpaid;
      ASSERT_NO_FATAL_FAILURE(IssueFee(agency->agency_key, 999, &unpaid));
    }
  }

  // The balances the succeeded payments must have produced: the connector's clearing account
  // debited, the agency's revenue account credited.
  Balances ExpectedBalances() const {
    Balances balances;
    for (const v1::Payment& payment : succeeded_) {
      const std::string& currency = payment.amount().currency();
      balances[{"clearing/" + payment.connector(), currency}] += payment.amount().minor_units();
      balances[{"revenue/" + payment.agency_id(), currency}] -= payment.amount().minor_units();
    }
    return balances;
  }

  static Balances NonZero(const std::vector<AccountBalance>& balances) {
    Balances result;
    for (const AccountBalance& balance : balances) {
      if (balance.balance.minor_units() != 0) {
        result[{balance.account, balance.balance.currency()}] = balance.balance.minor_units();
      }
    }
    return result;
  }

  // Feeds `entries` to a LedgerVerifier: a full export when `agency_id` is empty, else an export
  // filtered to that agency.
  static Result<VerifySummary> Verify(const std::vector<v1::LedgerEntry>& entries,
                                      const std::string& public_key, const std::string& agency_id) {
    LedgerVerifier verifier(VerifyOptions{public_key, agency_id});
    for (const v1::LedgerEntry& message : entries) {
      PAY_ASSIGN_OR_RETURN(LedgerEntry entry, payd::FromProto(message));
      PAY_RETURN_IF_ERROR(verifier.Add(entry));
    }
    return verifier.Finish();
  }

  static void Decode(const v1::LedgerEntry& message, LedgerEntry* entry) {
    Result<LedgerEntry> decoded = payd::FromProto(message);
    ASSERT_TRUE(decoded.ok()) << decoded.status() << " converting\n" << message.DebugString();
    *entry = *std::move(decoded);
  }

  static void ExpectSameEntries(const std::vector<v1::LedgerEntry>& actual,
                                const std::vector<v1::LedgerEntry>& expected,
                                const std::string& what) {
    ASSERT_EQ(actual.size(), expected.size()) << what;
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_TRUE(MessageDifferencer::Equals(actual[i], expected[i]))
          << what << " #" << i << " expected:\n"
          << expected[i].DebugString() << "got:\n"
          << actual[i].DebugString();
    }
  }

  static size_t CountCheckpoints(const std::vector<v1::LedgerEntry>& entries) {
    size_t count = 0;
    for (const v1::LedgerEntry& entry : entries) count += entry.type() == "CHECKPOINT" ? 1 : 0;
    return count;
  }

  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  AgencyKeys customs_;
  std::vector<v1::Payment> succeeded_;
};

TEST_F(LedgerServiceTest, AuditorOfAllAgenciesExportsTheWholeVerifiableLedger) {
  ASSERT_NO_FATAL_FAILURE(PopulateTwoAgencies());
  std::string auditor;
  ASSERT_NO_FATAL_FAILURE(NewAuditor({"*"}, &auditor));
  ASSERT_NO_FATAL_FAILURE(RestartPayd());
  // Business after the checkpoint: linked into the chain, not yet signed.
  v1::Fee late_fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 5000, &late_fee));
  v1::Payment late_payment;
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.agency_key, late_fee.bill_number(), "ledger-late", &late_payment));
  ASSERT_EQ(late_payment.state(), v1::Payment::SUCCEEDED);
  succeeded_.push_back(late_payment);

  std::vector<v1::LedgerEntry> entries;
  ASSERT_TRUE(IsOk(ExportAll(auditor, &entries)));
  ASSERT_FALSE(entries.empty());
  std::set<std::string> agencies;
  bool gateway_wide = false;
  for (size_t i = 0; i < entries.size(); ++i) {
    const v1::LedgerEntry& message = entries[i];
    ASSERT_EQ(message.sequence(), i + 1) << "sequence numbers must be gap-free from 1";
    LedgerEntry entry;
    ASSERT_NO_FATAL_FAILURE(Decode(message, &entry));
    EXPECT_EQ(message.hash(), EntryHash(entry)) << "entry " << message.sequence();
    EXPECT_EQ(message.prev_hash(), i == 0 ? kZeroHash : entries[i - 1].hash())
        << "entry " << message.sequence();
    if (message.agency_id().empty() && message.type() != "CHECKPOINT") gateway_wide = true;
    if (!message.agency_id().empty()) agencies.insert(message.agency_id());
  }
  EXPECT_GE(entries.back().sequence(), late_payment.ledger_sequence());
  EXPECT_TRUE(agencies.count("passports") && agencies.count("customs"));
  EXPECT_TRUE(gateway_wide) << "the CHANNEL credentials' creation is gateway-wide";
  ASSERT_GE(CountCheckpoints(entries), 1u)
      << "no checkpoint after a SIGTERM restart: payd must sign one when it shuts down "
         "(docs/ledger-format.md)";

  std::string public_key;
  ASSERT_NO_FATAL_FAILURE(SigningPublicKey(&public_key));
  Result<VerifySummary> summary = Verify(entries, public_key, "");
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->entries, entries.size());
  EXPECT_EQ(summary->checkpoints, CountCheckpoints(entries));
  EXPECT_GT(summary->last_checkpoint_sequence, 0u);
  EXPECT_LT(summary->last_checkpoint_sequence, entries.back().sequence())
      << "the late payment comes after the checkpoint";
  ASSERT_TRUE(summary->balances_replayed);
  EXPECT_EQ(NonZero(summary->balances), ExpectedBalances());

  // The check has teeth: one altered detail breaks the link at the next entry.
  std::vector<v1::LedgerEntry> altered = entries;
  const size_t victim = altered.size() / 2;
  altered[victim].set_detail(altered[victim].detail() + "x");
  Result<VerifySummary> rejected = Verify(altered, public_key, "");
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.status().message().find("entry " + std::to_string(victim + 2) + ":"),
            std::string::npos)
      << rejected.status();
}

TEST_F(LedgerServiceTest, SucceededPaymentPostsBalancedDoubleEntry) {
  std::string auditor;
  ASSERT_NO_FATAL_FAILURE(NewAuditor({"passports"}, &auditor));
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 12345, &fee));
  v1::Payment paid;
  ASSERT_NO_FATAL_FAILURE(Pay(passports_.agency_key, fee.bill_number(), "post-1", &paid));
  ASSERT_EQ(paid.state(), v1::Payment::SUCCEEDED) << paid.DebugString();
  v1::Fee declined_fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1402, &declined_fee));
  v1::Payment declined;
  ASSERT_NO_FATAL_FAILURE(
      Pay(passports_.agency_key, declined_fee.bill_number(), "post-2", &declined));
  ASSERT_EQ(declined.state(), v1::Payment::FAILED) << declined.DebugString();

  std::vector<v1::LedgerEntry> entries;
  ASSERT_TRUE(IsOk(ExportAll(auditor, &entries)));
  std::vector<const v1::LedgerEntry*> with_postings;
  bool declined_recorded = false;
  for (const v1::LedgerEntry& message : entries) {
    LedgerEntry entry;
    ASSERT_NO_FATAL_FAILURE(Decode(message, &entry));
    EXPECT_TRUE(CheckPostingsBalance(entry.postings).ok()) << message.DebugString();
    if (message.postings_size() > 0) with_postings.push_back(&message);
    if (message.subject_id() == declined.payment_id() &&
        message.type() == "PAYMENT_STATE_CHANGED" && message.to_state() == v1::Payment::FAILED) {
      declined_recorded = true;
    }
  }
  EXPECT_TRUE(declined_recorded) << "the declined payment's FAILED transition is an entry";
  // Money moves once: when the payment succeeds; never for a declined one.
  ASSERT_EQ(with_postings.size(), 1u);
  const v1::LedgerEntry& success = *with_postings[0];
  EXPECT_EQ(success.type(), "PAYMENT_STATE_CHANGED");
  EXPECT_EQ(success.subject_id(), paid.payment_id());
  EXPECT_EQ(success.agency_id(), "passports");
  EXPECT_EQ(success.to_state(), static_cast<uint32_t>(v1::Payment::SUCCEEDED));
  EXPECT_EQ(success.amount().currency(), "SAR");
  EXPECT_EQ(success.amount().minor_units(), 12345);
  ASSERT_EQ(success.postings_size(), 2) << success.DebugString();
  EXPECT_EQ(success.postings(0).account(), "clearing/sandbox");
  EXPECT_EQ(success.postings(0).amount().currency(), "SAR");
  EXPECT_EQ(success.postings(0).amount().minor_units(), 12345);
  EXPECT_EQ(success.postings(1).account(), "revenue/passports");
  EXPECT_EQ(success.postings(1).amount().currency(), "SAR");
  EXPECT_EQ(success.postings(1).amount().minor_units(), -12345);
}

TEST_F(LedgerServiceTest, AuditorOfOneAgencyReceivesOnlyItsEntriesAndCheckpoints) {
  ASSERT_NO_FATAL_FAILURE(PopulateTwoAgencies());
  std::string passports_auditor;
  std::string full_auditor;
  ASSERT_NO_FATAL_FAILURE(NewAuditor({"passports"}, &passports_auditor));
  ASSERT_NO_FATAL_FAILURE(NewAuditor({"*"}, &full_auditor));
  ASSERT_NO_FATAL_FAILURE(RestartPayd());
  v1::Fee late_passports;
  v1::Fee late_customs;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 700, &late_passports));
  ASSERT_NO_FATAL_FAILURE(IssueFee(customs_.agency_key, 800, &late_customs));

  std::vector<v1::LedgerEntry> everything;
  ASSERT_TRUE(IsOk(ExportAll(full_auditor, &everything)));
  std::vector<v1::LedgerEntry> expected;
  for (const v1::LedgerEntry& entry : everything) {
    if (entry.type() == "CHECKPOINT" || entry.agency_id() == "passports") expected.push_back(entry);
  }

  std::vector<v1::LedgerEntry> received;
  ASSERT_TRUE(IsOk(ExportAll(passports_auditor, &received)));
  for (const v1::LedgerEntry& entry : received) {
    if (entry.type() == "CHECKPOINT") {
      EXPECT_TRUE(entry.agency_id().empty()) << entry.DebugString();
    } else {
      EXPECT_EQ(entry.agency_id(), "passports") << entry.DebugString();
    }
  }
  ASSERT_NO_FATAL_FAILURE(ExpectSameEntries(received, expected, "passports auditor's export"));
  ASSERT_GE(CountCheckpoints(received), 1u)
      << "no checkpoint after a SIGTERM restart: payd must sign one when it shuts down";

  // Asking for the agency explicitly gives the same, to either auditor.
  v1::ExportLedgerRequest passports_only;
  passports_only.set_agency_id("passports");
  for (const std::string* key : {&passports_auditor, &full_auditor}) {
    std::vector<v1::LedgerEntry> filtered;
    ASSERT_TRUE(IsOk(Export(*key, passports_only, &filtered)));
    ASSERT_NO_FATAL_FAILURE(ExpectSameEntries(filtered, expected, "agency_id=passports export"));
  }

  std::string public_key;
  ASSERT_NO_FATAL_FAILURE(SigningPublicKey(&public_key));
  Result<VerifySummary> summary = Verify(received, public_key, "passports");
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->entries, received.size());
  EXPECT_GE(summary->checkpoints, 1u);

  // The agency chain has teeth: without one of passports' entries the next one does not link.
  std::vector<v1::LedgerEntry> incomplete = received;
  size_t removed = 0;
  for (size_t i = 1; i + 1 < incomplete.size() && removed == 0; ++i) {
    if (incomplete[i].type() != "CHECKPOINT" && incomplete[i + 1].type() != "CHECKPOINT")
      removed = i;
  }
  ASSERT_GT(removed, 0u);
  incomplete.erase(incomplete.begin() + static_cast<std::ptrdiff_t>(removed));
  EXPECT_FALSE(Verify(incomplete, public_key, "passports").ok());
}

TEST_F(LedgerServiceTest, ExportResumesFromASequenceNumber) {
  ASSERT_NO_FATAL_FAILURE(PopulateTwoAgencies());
  std::string auditor;
  ASSERT_NO_FATAL_FAILURE(NewAuditor({"*"}, &auditor));
  std::vector<v1::LedgerEntry> full;
  ASSERT_TRUE(IsOk(ExportAll(auditor, &full)));
  ASSERT_GE(full.size(), 10u);
  const uint64_t last = full.back().sequence();
  const uint64_t resume_at = full.size() / 2 + 1;

  v1::ExportLedgerRequest from_k;
  from_k.set_from_sequence(resume_at);
  std::vector<v1::LedgerEntry> tail;
  ASSERT_TRUE(IsOk(Export(auditor, from_k, &tail)));
  const std::vector<v1::LedgerEntry> expected_tail(full.begin() + (resume_at - 1), full.end());
  ASSERT_NO_FATAL_FAILURE(ExpectSameEntries(tail, expected_tail, "export from_sequence=k"));

  // A stream broken off by the client after entry k-1, then resumed at k, gives the whole ledger.
  std::vector<v1::LedgerEntry> joined;
  {
    auto context = MakeContext(auditor, kCallTimeout);
    auto reader = ledger_->ExportLedger(context.get(), v1::ExportLedgerRequest());
    v1::LedgerEntry entry;
    while (joined.size() + 1 < resume_at && reader->Read(&entry)) joined.push_back(entry);
    context->TryCancel();
    // CANCELLED, or OK when the whole (short) stream had already arrived.
    const grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok() || status.error_code() == grpc::StatusCode::CANCELLED)
        << StatusCodeName(status.error_code()) << ": " << status.error_message();
  }
  ASSERT_EQ(joined.size(), resume_at - 1);
  ASSERT_TRUE(IsOk(Export(auditor, from_k, &joined)));
  ASSERT_NO_FATAL_FAILURE(ExpectSameEntries(joined, full, "interrupted export + resumed export"));

  // 0 means the start; past the end is empty, not an error.
  v1::ExportLedgerRequest from_zero;
  from_zero.set_from_sequence(0);
  std::vector<v1::LedgerEntry> again;
  ASSERT_TRUE(IsOk(Export(auditor, from_zero, &again)));
  ASSERT_NO_FATAL_FAILURE(ExpectSameEntries(again, full, "export from_sequence=0"));
  for (const uint64_t beyond : {last + 1, std::numeric_limits<uint64_t>::max()}) {
    v1::ExportLedgerRequest past_end;
    past_end.set_from_sequence(beyond);
    std::vector<v1::LedgerEntry> none;
    ASSERT_TRUE(IsOk(Export(auditor, past_end, &none))) << "from_sequence=" << beyond;
    EXPECT_TRUE(none.empty()) << "from_sequence=" << beyond;
  }

  // Resuming an agency export at one of its entries.
  v1::ExportLedgerRequest customs_only;
  customs_only.set_agency_id("customs");
  std::vector<v1::LedgerEntry> customs;
  ASSERT_TRUE(IsOk(Export(auditor, customs_only, &customs)));
  ASSERT_GE(customs.size(), 4u);
  const size_t middle = customs.size() / 2;
  customs_only.set_from_sequence(customs[middle].sequence());
  std::vector<v1::LedgerEntry> customs_tail;
  ASSERT_TRUE(IsOk(Export(auditor, customs_only, &customs_tail)));
  ASSERT_NO_FATAL_FAILURE(ExpectSameEntries(
      customs_tail, std::vector<v1::LedgerEntry>(customs.begin() + middle, customs.end()),
      "customs export resumed"));
}

TEST_F(LedgerServiceTest, OnlyGrantedAuditorsExport) {
  ASSERT_TRUE(CreateAgencyWithKeys(*admin_, payd_.admin_key(), "customs", &customs_));
  std::string auditor;
  ASSERT_NO_FATAL_FAILURE(NewAuditor({"passports"}, &auditor));
  std::string revoked_auditor;
  std::string revoked_id;
  ASSERT_NO_FATAL_FAILURE(NewAuditor({"*"}, &revoked_auditor, &revoked_id));
  {
    v1::RevokeCredentialRequest request;
    request.set_credential_id(revoked_id);
    v1::Credential revoked;
    auto context = MakeContext(payd_.admin_key(), kCallTimeout);
    ASSERT_TRUE(IsOk(admin_->RevokeCredential(context.get(), request, &revoked)));
  }

  struct Case {
    std::string what;
    std::string key;
    std::string agency_id;
    grpc::StatusCode code;
  };
  const std::vector<Case> cases = {
      {"AGENCY key", passports_.agency_key, "", grpc::StatusCode::PERMISSION_DENIED},
      {"AGENCY key, own agency", passports_.agency_key, "passports",
       grpc::StatusCode::PERMISSION_DENIED},
      {"CHANNEL key", passports_.channel_key, "", grpc::StatusCode::PERMISSION_DENIED},
      {"ADMIN key", payd_.admin_key(), "", grpc::StatusCode::PERMISSION_DENIED},
      {"no key", "", "", grpc::StatusCode::UNAUTHENTICATED},
      {"unknown key", "payk_" + std::string(64, '0'), "", grpc::StatusCode::UNAUTHENTICATED},
      {"revoked AUDITOR key", revoked_auditor, "", grpc::StatusCode::UNAUTHENTICATED},
      {"agency not granted", auditor, "customs", grpc::StatusCode::PERMISSION_DENIED},
      // The same answer whether the agency exists or not: nothing leaks.
      {"agency that does not exist", auditor, "nosuch", grpc::StatusCode::PERMISSION_DENIED},
      {"\"*\" not granted", auditor, "*", grpc::StatusCode::PERMISSION_DENIED},
  };
  for (const Case& test_case : cases) {
    v1::ExportLedgerRequest request;
    request.set_agency_id(test_case.agency_id);
    std::vector<v1::LedgerEntry> entries;
    EXPECT_TRUE(HasCode(Export(test_case.key, request, &entries), test_case.code))
        << test_case.what;
    EXPECT_TRUE(entries.empty()) << test_case.what << ": entries streamed before the refusal";
  }
  // The granted auditor itself is served.
  std::vector<v1::LedgerEntry> entries;
  EXPECT_TRUE(IsOk(ExportAll(auditor, &entries)));
  EXPECT_FALSE(entries.empty());
}

TEST_F(LedgerServiceTest, FiltersByCommitTime) {
  ASSERT_NO_FATAL_FAILURE(PopulateTwoAgencies());
  std::string auditor;
  ASSERT_NO_FATAL_FAILURE(NewAuditor({"*"}, &auditor));
  // Entry times are milliseconds: a pause makes a boundary no entry straddles.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  v1::Fee later;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 4200, &later));
  ASSERT_NO_FATAL_FAILURE(IssueFee(customs_.agency_key, 4300, &later));

  std::vector<v1::LedgerEntry> full;
  ASSERT_TRUE(IsOk(ExportAll(auditor, &full)));
  int64_t boundary_ms = 0;
  for (const v1::LedgerEntry& entry : full) {
    if (entry.type() == "FEE_CREATED" && entry.amount().minor_units() == 4200) {
      boundary_ms = entry.time_ms();
    }
  }
  ASSERT_GT(boundary_ms, 0);
  std::vector<v1::LedgerEntry> before;
  std::vector<v1::LedgerEntry> after;
  for (const v1::LedgerEntry& entry : full) {
    (entry.time_ms() < boundary_ms ? before : after).push_back(entry);
  }
  ASSERT_FALSE(before.empty());
  ASSERT_GE(after.size(), 2u);

  auto at = [](int64_t time_ms, int32_t extra_nanos) {
    google::protobuf::Timestamp timestamp;
    timestamp.set_seconds(time_ms / 1000);
    timestamp.set_nanos(static_cast<int32_t>(time_ms % 1000) * 1'000'000 + extra_nanos);
    return timestamp;
  };
  // Exactly at the boundary, and half a millisecond before it (which no entry time can be).
  for (const google::protobuf::Timestamp& time :
       {at(boundary_ms, 0), at(boundary_ms - 1, 500'000)}) {
    v1::ExportLedgerRequest until;
    *until.mutable_to_time() = time;
    std::vector<v1::LedgerEntry> received;
    ASSERT_TRUE(IsOk(Export(auditor, until, &received)));
    ASSERT_NO_FATAL_FAILURE(ExpectSameEntries(received, before, "to_time " + time.DebugString()));

    v1::ExportLedgerRequest since;
    *since.mutable_from_time() = time;
    received.clear();
    ASSERT_TRUE(IsOk(Export(auditor, since, &received)));
    ASSERT_NO_FATAL_FAILURE(ExpectSameEntries(received, after, "from_time " + time.DebugString()));
  }

  // Combined with an agency.
  v1::ExportLedgerRequest customs_since;
  customs_since.set_agency_id("customs");
  *customs_since.mutable_from_time() = at(boundary_ms, 0);
  std::vector<v1::LedgerEntry> customs_after;
  ASSERT_TRUE(IsOk(Export(auditor, customs_since, &customs_after)));
  ASSERT_EQ(customs_after.size(), 1u);
  EXPECT_EQ(customs_after[0].amount().minor_units(), 4300);

  // A range before anything was written, or after, is empty, not an error.
  v1::ExportLedgerRequest in_2000;
  in_2000.mutable_to_time()->set_seconds(946'684'800);  // 2000-01-01T00:00:00Z
  v1::ExportLedgerRequest in_2100;
  in_2100.mutable_from_time()->set_seconds(4'102'444'800);  // 2100-01-01T00:00:00Z
  for (const v1::ExportLedgerRequest& request : {in_2000, in_2100}) {
    std::vector<v1::LedgerEntry> none;
    ASSERT_TRUE(IsOk(Export(auditor, request, &none))) << request.DebugString();
    EXPECT_TRUE(none.empty()) << request.DebugString();
  }

  v1::ExportLedgerRequest bad_nanos;
  bad_nanos.mutable_from_time()->set_seconds(1);
  bad_nanos.mutable_from_time()->set_nanos(-1);
  v1::ExportLedgerRequest at_epoch;
  at_epoch.mutable_to_time();  // present and zero: before anything could be committed
  v1::ExportLedgerRequest before_1970;
  before_1970.mutable_to_time()->set_seconds(-10);
  for (const auto& [request, field] : std::vector<std::pair<v1::ExportLedgerRequest, std::string>>{
           {bad_nanos, "from_time"}, {at_epoch, "to_time"}, {before_1970, "to_time"}}) {
    std::vector<v1::LedgerEntry> none;
    EXPECT_TRUE(IsInvalidArgumentAt(Export(auditor, request, &none), field))
        << request.DebugString();
    EXPECT_TRUE(none.empty());
  }
}

TEST_F(LedgerServiceTest, GetCheckpointReturnsTheNewestSignedCheckpoint) {
  std::string auditor;
  ASSERT_NO_FATAL_FAILURE(NewAuditor({"*"}, &auditor));
  std::string passports_auditor;
  ASSERT_NO_FATAL_FAILURE(NewAuditor({"passports"}, &passports_auditor));

  // A fresh payd has signed nothing yet (its timer has not fired; nothing has shut down).
  v1::LedgerEntry none;
  uint64_t first_checkpoint = 0;
  const grpc::Status fresh = GetCheckpoint(auditor, &none);
  if (fresh.ok()) {
    first_checkpoint = none.sequence();  // signed at start: it covers the entries before it
    EXPECT_EQ(none.type(), "CHECKPOINT");
  } else {
    EXPECT_TRUE(HasCode(fresh, grpc::StatusCode::NOT_FOUND));
  }
  EXPECT_TRUE(
      HasCode(GetCheckpoint(passports_.agency_key, &none), grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(
      HasCode(GetCheckpoint(passports_.channel_key, &none), grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(HasCode(GetCheckpoint("", &none), grpc::StatusCode::UNAUTHENTICATED));

  ASSERT_NO_FATAL_FAILURE(PopulateTwoAgencies());
  ASSERT_NO_FATAL_FAILURE(RestartPayd());

  v1::LedgerEntry checkpoint;
  ASSERT_TRUE(IsOk(GetCheckpoint(auditor, &checkpoint)))
      << "no checkpoint after a SIGTERM restart: payd must sign one when it shuts down";
  EXPECT_EQ(checkpoint.type(), "CHECKPOINT");
  ASSERT_TRUE(checkpoint.has_checkpoint());
  EXPECT_GT(checkpoint.sequence(), first_checkpoint);
  EXPECT_EQ(checkpoint.checkpoint().covered_sequence() + 1, checkpoint.sequence());
  EXPECT_TRUE(checkpoint.agency_id().empty());

  std::string public_key;
  ASSERT_NO_FATAL_FAILURE(SigningPublicKey(&public_key));
  LedgerEntry decoded;
  ASSERT_NO_FATAL_FAILURE(Decode(checkpoint, &decoded));
  EXPECT_EQ(checkpoint.hash(), EntryHash(decoded));
  EXPECT_EQ(checkpoint.checkpoint().public_key(), public_key);
  EXPECT_TRUE(VerifyCheckpointSignature(decoded, public_key));
  LedgerEntry forged = decoded;
  ASSERT_FALSE(forged.checkpoint->balances.empty());
  forged.checkpoint->balances[0].balance =
      *Money::Create(forged.checkpoint->balances[0].balance.currency(),
                     forged.checkpoint->balances[0].balance.minor_units() + 1);
  EXPECT_FALSE(VerifyCheckpointSignature(forged, public_key))
      << "a changed balance must not verify";

  // What it signs matches the ledger: the head of the chain, the agencies' heads, the balances.
  std::vector<v1::LedgerEntry> entries;
  ASSERT_TRUE(IsOk(ExportAll(auditor, &entries)));
  ASSERT_GE(entries.size(), checkpoint.sequence());
  EXPECT_TRUE(MessageDifferencer::Equals(entries[checkpoint.sequence() - 1], checkpoint));
  EXPECT_EQ(checkpoint.checkpoint().head_hash(), entries[checkpoint.sequence() - 2].hash());
  std::map<std::string, std::pair<std::string, uint64_t>> heads;  // agency -> (hash, count)
  for (uint64_t i = 0; i + 1 < checkpoint.sequence(); ++i) {
    if (entries[i].agency_id().empty()) continue;
    auto& [hash, count] = heads[entries[i].agency_id()];
    hash = entries[i].hash();
    ++count;
  }
  ASSERT_EQ(static_cast<size_t>(checkpoint.checkpoint().agency_heads_size()), heads.size());
  for (const v1::AgencyHead& head : checkpoint.checkpoint().agency_heads()) {
    ASSERT_TRUE(heads.count(head.agency_id())) << head.agency_id();
    EXPECT_EQ(head.head_hash(), heads[head.agency_id()].first) << head.agency_id();
    EXPECT_EQ(head.entry_count(), heads[head.agency_id()].second) << head.agency_id();
  }
  EXPECT_EQ(NonZero(decoded.checkpoint->balances), ExpectedBalances());

  // ADMIN and an auditor of one agency read the same checkpoint.
  for (const std::string& key : std::vector<std::string>{payd_.admin_key(), passports_auditor}) {
    v1::LedgerEntry same;
    ASSERT_TRUE(IsOk(GetCheckpoint(key, &same)));
    EXPECT_TRUE(MessageDifferencer::Equals(same, checkpoint));
  }

  // Nothing written since: the next shutdown signs nothing new.
  ASSERT_NO_FATAL_FAILURE(RestartPayd());
  v1::LedgerEntry unchanged;
  ASSERT_TRUE(IsOk(GetCheckpoint(auditor, &unchanged)));
  EXPECT_TRUE(MessageDifferencer::Equals(unchanged, checkpoint)) << unchanged.DebugString();
}

// A grant of "*" is a scope, not an agency: the credential's creation is a gateway-wide entry
// (agency_id empty), and no agency chain called "*" appears in the checkpoints.
TEST_F(LedgerServiceTest, WildcardGrantIsNotRecordedAsAnAgency) {
  std::string auditor;
  ASSERT_NO_FATAL_FAILURE(NewAuditor({"*"}, &auditor));
  ASSERT_NO_FATAL_FAILURE(RestartPayd());
  std::vector<v1::LedgerEntry> entries;
  ASSERT_TRUE(IsOk(ExportAll(auditor, &entries)));
  for (const v1::LedgerEntry& entry : entries) {
    EXPECT_TRUE(entry.agency_id().empty() || entry.agency_id() == "passports")
        << "agency_id \"" << entry.agency_id() << "\" is not an agency:\n"
        << entry.DebugString();
    for (const v1::AgencyHead& head : entry.checkpoint().agency_heads()) {
      EXPECT_EQ(head.agency_id(), "passports") << "checkpoint " << entry.sequence();
    }
  }
}

}  // namespace
}  // namespace pay::integration
