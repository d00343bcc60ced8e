// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// pay::Gateway on a real store in a temporary directory. The connector here is scripted: it
// stands for a provider whose answers (unknown outcome, outage) cannot be produced on demand by
// the SANDBOX connector. Everything else is the real thing.

#include "pay/gateway.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "ledger.h"

namespace pay {
namespace {

using connector::CollectionCallback;
using connector::CollectionOutcome;
using connector::CollectionRequest;
using connector::OutcomeStatus;

// Answers at once, on the caller's thread, as the script says.
class ScriptedConnector final : public connector::Connector {
 public:
  struct Script {
    // 0 succeed, 1 decline, 2 error (unknown outcome), 3 pending, 5 unreachable (nothing sent)
    std::atomic<int> mode{0};
    std::atomic<int> calls{0};
    // Inquiry: -1 cannot inquire, 0 succeeded, 1 declined, 3 pending, 4 never received.
    std::atomic<int> inquiry{-1};
  };
  explicit ScriptedConnector(Script* script, std::string name = "scripted")
      : script_(script), name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  bool Supports(PaymentMethod method) const override { return method == PaymentMethod::kCard; }
  void Collect(const CollectionRequest& request, CollectionCallback done) override {
    ++script_->calls;
    CollectionOutcome outcome;
    outcome.connector_reference = "ref-" + request.payment_id;
    switch (script_->mode.load()) {
      case 0: outcome.status = OutcomeStatus::kSucceeded; break;
      case 1:
        outcome.status = OutcomeStatus::kFailed;
        outcome.failure_code = "DECLINED";
        break;
      case 2: return done(absl::DeadlineExceededError("provider timed out"));
      case 5: return done(absl::UnavailableError("connection refused"));
      default: outcome.status = OutcomeStatus::kPending;
    }
    done(outcome);
  }
  void Inquire(const CollectionRequest& request, CollectionCallback done) override {
    CollectionOutcome outcome;
    outcome.connector_reference = "ref-" + request.payment_id;
    switch (script_->inquiry.load()) {
      case -1: return done(absl::UnimplementedError("no inquiry"));
      case 0: outcome.status = OutcomeStatus::kSucceeded; break;
      case 1:
        outcome.status = OutcomeStatus::kFailed;
        outcome.failure_code = "DECLINED";
        break;
      case 4: return done(absl::NotFoundError("unknown payment"));
      default: outcome.status = OutcomeStatus::kPending;
    }
    done(outcome);
  }

 private:
  Script* script_;
  std::string name_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/gateway_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = std::string(pattern) + "/data";
    ASSERT_TRUE(Gateway::Initialize(dir_).ok());
    Reopen();
    std::string key = ReadFile(dir_ + "/admin.key");
    key.pop_back();  // newline
    admin_ = gateway_->Authenticate(key).value();
    ASSERT_TRUE(gateway_->CreateAgency(admin_, {"passports", {"Passports", "الجوازات"}}).ok());
    IssuedCredential agency_key =
        gateway_->CreateCredential(admin_, {Role::kAgency, {"passports"}, "back office"}).value();
    agency_ = gateway_->Authenticate(agency_key.api_key).value();
  }
  void TearDown() override {
    gateway_.reset();
    std::filesystem::remove_all(std::filesystem::path(dir_).parent_path());
  }

  void Reopen() {
    gateway_.reset();
    GatewayOptions options;
    options.data_dir = dir_;
    options.clock_ms = [this] { return now_ms_.load(); };
    gateway_ = Gateway::Open(options).value();
    ConnectorPolicy policy;
    policy.breaker_failures = 3;
    policy.breaker_cooldown_ms = 5000;
    gateway_->RegisterConnector(std::make_unique<ScriptedConnector>(&script_), policy);
  }

  Fee NewFee(int64_t minor_units = 15000) {
    CreateFeeRequest request;
    request.amount = Money::Create("SAR", minor_units).value();
    request.description.en = "Passport renewal";
    return gateway_->CreateFee(agency_, request).value();
  }

  Result<Payment> Pay(const Fee& fee, const std::string& key) {
    CreatePaymentRequest request;
    request.bill_number = fee.bill_number;
    request.method = PaymentMethod::kCard;
    request.idempotency_key = key;
    return gateway_->CreatePayment(agency_, request);
  }

  std::string dir_;
  std::atomic<int64_t> now_ms_{1'800'000'000'000};
  ScriptedConnector::Script script_;
  std::unique_ptr<Gateway> gateway_;
  Principal admin_;
  Principal agency_;
};

TEST_F(GatewayTest, InitializeTwiceChangesNothingAndKeepsSecretsPrivate) {
  const std::string key_before = ReadFile(dir_ + "/admin.key");
  gateway_.reset();  // Initialize must not run while the store is open
  Result<InitializeResult> again = Gateway::Initialize(dir_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(ReadFile(dir_ + "/admin.key"), key_before);
  EXPECT_EQ(key_before.size(), 70u);  // "payk_" + 64 hex + newline
  struct stat info;
  ASSERT_EQ(stat((dir_ + "/admin.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((dir_ + "/signing.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  Reopen();
}

TEST_F(GatewayTest, OpeningAnUninitialisedDirectorySaysToRunInit) {
  GatewayOptions options;
  options.data_dir = dir_ + "-missing";
  Result<std::unique_ptr<Gateway>> opened = Gateway::Open(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(opened.status().message()).find("payd init"), std::string::npos);
}

TEST_F(GatewayTest, RevokedAndUnknownKeysAreUnauthenticated) {
  IssuedCredential channel = gateway_->CreateCredential(admin_, {Role::kChannel, {}, "kiosk"}).value();
  ASSERT_TRUE(gateway_->Authenticate(channel.api_key).ok());
  ASSERT_TRUE(gateway_->RevokeCredential(admin_, channel.credential.credential_id).ok());
  EXPECT_EQ(gateway_->Authenticate(channel.api_key).status().code(), StatusCode::kUnauthenticated);
  std::string forged = channel.api_key;
  forged.back() = forged.back() == '0' ? '1' : '0';
  Result<Principal> result = gateway_->Authenticate(forged);
  EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(std::string(result.status().message()).find(forged), std::string::npos);
}

// A connector that cannot confirm leaves the payment PROCESSING — not failed, not succeeded —
// and the fee cannot be paid a second time meanwhile, across a restart too.
TEST_F(GatewayTest, UnknownOutcomeStaysProcessingAndBlocksTheFee) {
  Fee fee = NewFee();
  script_.mode = 2;
  Payment payment = Pay(fee, "k1").value();
  EXPECT_EQ(payment.state, PaymentState::kProcessing);
  Result<Payment> second = Pay(fee, "k2");
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(second.status().message()).find(payment.payment_id), std::string::npos);
  EXPECT_EQ(script_.calls, 1);

  Reopen();
  EXPECT_EQ(gateway_->GetPayment(agency_, payment.payment_id)->state, PaymentState::kProcessing);
  EXPECT_EQ(Pay(fee, "k1")->payment_id, payment.payment_id);  // the retry finds it
  EXPECT_EQ(gateway_->CancelPayment(agency_, payment.payment_id, "").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(gateway_->CancelFee(agency_, fee.fee_id, "").status().code(),
            StatusCode::kFailedPrecondition);
}

// What a crash between "sent" and "outcome recorded" leaves behind is resolved by inquiry: in the
// background, and at once when the client retries with its key.
TEST_F(GatewayTest, ProcessingPaymentsAreResolvedByInquiry) {
  script_.mode = 2;  // the answer is lost
  Fee first_fee = NewFee();
  Fee second_fee = NewFee();
  Fee third_fee = NewFee();
  Payment first = Pay(first_fee, "k1").value();
  Payment second = Pay(second_fee, "k2").value();
  Payment third = Pay(third_fee, "k3").value();
  ASSERT_EQ(first.state, PaymentState::kProcessing);
  EXPECT_EQ(gateway_->ResolvePendingPayments().value(), 3u);  // cannot inquire yet

  Reopen();
  script_.inquiry = 3;  // the provider does not know yet
  EXPECT_EQ(gateway_->ResolvePendingPayments().value(), 3u);
  script_.inquiry = 0;
  Payment retried = Pay(first_fee, "k1").value();  // the retry learns the outcome
  EXPECT_EQ(retried.payment_id, first.payment_id);
  EXPECT_EQ(retried.state, PaymentState::kSucceeded);
  EXPECT_EQ(gateway_->GetFee(agency_, first_fee.fee_id)->state, FeeState::kPaid);

  script_.inquiry = 4;  // never reached the provider: no money moved
  // The two still unknown were inquired a moment ago: they wait for their backoff (1 s).
  EXPECT_EQ(gateway_->ResolvePendingPayments().value(), 2u);
  EXPECT_EQ(gateway_->GetPayment(agency_, second.payment_id)->state, PaymentState::kProcessing);
  now_ms_ += 1000;
  EXPECT_EQ(gateway_->ResolvePendingPayments().value(), 0u);
  Payment lost = gateway_->GetPayment(agency_, second.payment_id).value();
  EXPECT_EQ(lost.state, PaymentState::kFailed);
  EXPECT_EQ(lost.failure_code, "NOT_RECEIVED");
  EXPECT_EQ(gateway_->GetPayment(agency_, third.payment_id)->state, PaymentState::kFailed);
  // The fees are free again: a new payment goes through.
  script_.mode = 0;
  EXPECT_EQ(Pay(second_fee, "k4")->state, PaymentState::kSucceeded);
  EXPECT_EQ(gateway_->ResolvePendingPayments().value(), 0u);
}

// A fee accepted with a due date is returned to a retry even after that date has passed.
TEST_F(GatewayTest, FeeRetryAfterItsDueTimeReturnsTheFee) {
  CreateFeeRequest request;
  request.amount = Money::Create("JOD", 12500).value();
  request.description.ar = "رسوم محكمة";
  request.due_time_ms = now_ms_ + 1000;
  request.idempotency_key = "court-fee-1";
  Fee fee = gateway_->CreateFee(agency_, request).value();
  now_ms_ += 5000;
  Result<Fee> retried = gateway_->CreateFee(agency_, request);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->fee_id, fee.fee_id);
  request.idempotency_key = "court-fee-2";  // a new fee with that date is refused
  EXPECT_EQ(gateway_->CreateFee(agency_, request).status().code(), StatusCode::kInvalidArgument);
}

// Expiry is a ledger entry, written by the sweep once expire_time has passed; a fee with a payment
// in flight waits for its outcome, and paid or cancelled fees are left alone.
TEST_F(GatewayTest, DueFeesExpireWithALedgerEntry) {
  auto fee_expiring_in = [&](int64_t ms) {
    CreateFeeRequest request;
    request.amount = Money::Create("SYP", 500000).value();
    request.description.en = "Municipal permit";
    request.expire_time_ms = now_ms_ + ms;
    return gateway_->CreateFee(agency_, request).value();
  };
  Fee expiring = fee_expiring_in(1000);
  Fee later = fee_expiring_in(60'000);
  Fee paid = fee_expiring_in(1000);
  Fee in_flight = fee_expiring_in(1000);
  ASSERT_EQ(Pay(paid, "paid")->state, PaymentState::kSucceeded);
  script_.mode = 2;  // unknown outcome
  ASSERT_EQ(Pay(in_flight, "in-flight")->state, PaymentState::kProcessing);
  EXPECT_EQ(gateway_->ExpireDueFees().value(), 0u);  // nothing due yet

  now_ms_ += 2000;
  const uint64_t before = gateway_->LastSequence();
  EXPECT_EQ(gateway_->ExpireDueFees().value(), 1u);
  EXPECT_EQ(gateway_->LastSequence(), before + 1);  // exactly one entry
  Fee expired = gateway_->GetFee(agency_, expiring.fee_id).value();
  EXPECT_EQ(expired.state, FeeState::kExpired);
  EXPECT_EQ(expired.ledger_sequence, before + 1);  // the state is the recorded one
  EXPECT_EQ(gateway_->GetFee(agency_, later.fee_id)->state, FeeState::kUnpaid);
  EXPECT_EQ(gateway_->GetFee(agency_, paid.fee_id)->state, FeeState::kPaid);
  EXPECT_EQ(gateway_->ExpireDueFees().value(), 0u);  // once only

  script_.inquiry = 1;  // the in-flight payment was declined: now the fee can expire
  EXPECT_EQ(gateway_->ResolvePendingPayments().value(), 0u);
  EXPECT_EQ(gateway_->ExpireDueFees().value(), 1u);
  EXPECT_EQ(gateway_->CancelFee(agency_, in_flight.fee_id, "").status().code(),
            StatusCode::kFailedPrecondition);
}

// A provider that cannot be reached fails the payment (nothing was sent, the fee stays payable);
// after three such failures the circuit breaker opens and new payments are refused with nothing
// recorded, until a trial after the cool-down succeeds.
TEST_F(GatewayTest, UnreachableConnectorOpensTheCircuitBreaker) {
  Fee fee = NewFee();
  script_.mode = 5;
  Payment first = Pay(fee, "k1").value();
  EXPECT_EQ(first.state, PaymentState::kFailed);
  EXPECT_EQ(first.failure_code, "CONNECTOR_UNAVAILABLE");
  EXPECT_EQ(gateway_->GetFee(agency_, fee.fee_id)->state, FeeState::kUnpaid);
  EXPECT_EQ(Pay(fee, "k2")->failure_code, "CONNECTOR_UNAVAILABLE");
  EXPECT_EQ(gateway_->ConnectorStatuses().at(0).breaker_state, "CLOSED");
  EXPECT_EQ(Pay(fee, "k2b")->failure_code, "CONNECTOR_UNAVAILABLE");
  EXPECT_EQ(gateway_->ConnectorStatuses().at(0).breaker_state, "OPEN");

  const uint64_t before = gateway_->LastSequence();
  const int calls = script_.calls;
  Result<Payment> refused = Pay(fee, "k3");
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(gateway_->LastSequence(), before);
  EXPECT_EQ(script_.calls, calls);  // the provider was not asked

  now_ms_ += 5000;  // cool-down over: one trial goes through and closes the breaker
  script_.mode = 0;
  EXPECT_EQ(Pay(fee, "k3")->state, PaymentState::kSucceeded);  // the same key works afterwards
  EXPECT_EQ(gateway_->ConnectorStatuses().at(0).breaker_state, "CLOSED");
}

// A payment the first connector certainly did not receive goes to the next one for its method,
// with a PROCESSING -> PROCESSING entry naming it; a payment that named its connector does not.
TEST_F(GatewayTest, UnreachableConnectorFailsOverToTheNext) {
  ScriptedConnector::Script backup_script;
  gateway_->RegisterConnector(std::make_unique<ScriptedConnector>(&backup_script, "backup"));
  script_.mode = 5;  // "scripted" (first in routing order) is unreachable
  Fee fee = NewFee();
  const uint64_t before = gateway_->LastSequence();
  Payment payment = Pay(fee, "k1").value();
  EXPECT_EQ(payment.state, PaymentState::kSucceeded);
  EXPECT_EQ(payment.connector, "backup");
  EXPECT_EQ(script_.calls, 1);
  EXPECT_EQ(backup_script.calls, 1);
  IssuedCredential auditor_key =
      gateway_->CreateCredential(admin_, {Role::kAuditor, {"*"}, "audit"}).value();
  const Principal auditor = gateway_->Authenticate(auditor_key.api_key).value();
  ExportFilter filter;
  filter.from_sequence = before + 1;
  std::vector<LedgerEntry> entries;
  ASSERT_TRUE(gateway_->ExportLedger(auditor, filter,
                                     [&](const LedgerEntry& entry) {
                                       entries.push_back(entry);
                                       return true;
                                     })
                  .ok());
  ASSERT_GE(entries.size(), 3u);
  EXPECT_EQ(entries[1].to_state, static_cast<uint8_t>(PaymentState::kProcessing));
  EXPECT_EQ(entries[1].detail, "scripted");
  EXPECT_EQ(entries[2].from_state, static_cast<uint8_t>(PaymentState::kProcessing));
  EXPECT_EQ(entries[2].to_state, static_cast<uint8_t>(PaymentState::kProcessing));
  EXPECT_EQ(entries[2].detail, "backup");

  // Named explicitly: no failover.
  Fee named_fee = NewFee();
  CreatePaymentRequest request;
  request.bill_number = named_fee.bill_number;
  request.method = PaymentMethod::kCard;
  request.connector = "scripted";
  request.idempotency_key = "k2";
  Payment named = gateway_->CreatePayment(agency_, request).value();
  EXPECT_EQ(named.state, PaymentState::kFailed);
  EXPECT_EQ(named.failure_code, "CONNECTOR_UNAVAILABLE");
  EXPECT_EQ(backup_script.calls, 1);
}

TEST_F(GatewayTest, IdempotencyKeysExpireAfterTheRetentionPeriod) {
  Fee fee = NewFee();
  script_.mode = 1;
  Payment first = Pay(fee, "k").value();
  EXPECT_EQ(first.state, PaymentState::kFailed);
  EXPECT_EQ(Pay(fee, "k")->payment_id, first.payment_id);
  now_ms_ += int64_t{29} * 24 * 3600 * 1000;
  EXPECT_EQ(Pay(fee, "k")->payment_id, first.payment_id);
  now_ms_ += int64_t{2} * 24 * 3600 * 1000;  // 31 days after
  script_.mode = 0;
  Payment renewed = Pay(fee, "k").value();
  EXPECT_NE(renewed.payment_id, first.payment_id);
  EXPECT_EQ(renewed.state, PaymentState::kSucceeded);
}

// Every transition is one ledger entry, in order, with the amounts and states of the change.
TEST_F(GatewayTest, SuccessfulPaymentWritesOneEntryPerTransition) {
  const uint64_t start = gateway_->LastSequence();
  Fee fee = NewFee(30000);
  Payment payment = Pay(fee, "k").value();
  ASSERT_EQ(payment.state, PaymentState::kSucceeded);
  Fee paid = gateway_->GetFee(agency_, fee.fee_id).value();
  EXPECT_EQ(paid.state, FeeState::kPaid);
  EXPECT_EQ(paid.paid_by_payment_id, payment.payment_id);
  EXPECT_EQ(gateway_->GetPayment(agency_, payment.payment_id).value(), payment);
  gateway_.reset();

  internal::LedgerOptions options;
  options.path = dir_ + "/ledger";
  std::unique_ptr<internal::Ledger> ledger = internal::Ledger::Open(options).value();
  std::vector<LedgerEntry> entries;
  ASSERT_TRUE(ledger->ReadEntries(start + 1, [&](const LedgerEntry& entry) {
    entries.push_back(entry);
    return true;
  }).ok());
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].type, EntryType::kFeeCreated);
  EXPECT_EQ(entries[1].type, EntryType::kPaymentCreated);
  EXPECT_EQ(entries[1].to_state, static_cast<uint8_t>(PaymentState::kPending));
  EXPECT_EQ(entries[2].to_state, static_cast<uint8_t>(PaymentState::kProcessing));
  EXPECT_EQ(entries[3].from_state, static_cast<uint8_t>(PaymentState::kProcessing));
  EXPECT_EQ(entries[3].to_state, static_cast<uint8_t>(PaymentState::kSucceeded));
  EXPECT_EQ(entries[3].sequence, payment.ledger_sequence);
  EXPECT_EQ(entries[4].type, EntryType::kFeeStateChanged);
  EXPECT_EQ(entries[4].to_state, static_cast<uint8_t>(FeeState::kPaid));
  EXPECT_EQ(entries[4].sequence, paid.ledger_sequence);
  for (const auto& entry : entries) {
    EXPECT_EQ(entry.amount.ToString(), "300.00 SAR");
    EXPECT_EQ(entry.agency_id, "passports");
  }
  ledger.reset();
  Reopen();
}

}  // namespace
}  // namespace pay
