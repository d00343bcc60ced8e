// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// PaymentService.WatchPayments and WebhookService against the real payd over real gRPC: a watch
// stream cancelled mid-way and resumed while events keep coming (every event exactly once, in
// order, as the AUDITOR export has them), scopes, and webhook delivery to an HTTPS receiver in
// this process through a payd kill -9 and a receiver that refuses for a while, with signatures
// verified here (independently of libpay, with OpenSSL), dead letters and replay.

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pay/connector/http_runtime.h"
#include "pay/connector/pki.h"
#include "pay/v1/ledger_service.grpc.pb.h"
#include "pay/v1/payment_service.grpc.pb.h"
#include "pay/v1/webhook_service.grpc.pb.h"
#include "payd_test_base.h"

namespace pay::integration {
namespace {

using namespace std::chrono_literals;

const std::set<std::string> kEventTypes = {
    "FEE_CREATED",           "FEE_STATE_CHANGED", "FEE_ADJUSTED",         "PAYMENT_CREATED",
    "PAYMENT_STATE_CHANGED", "REFUND_CREATED",    "REFUND_STATE_CHANGED", "DISCREPANCY"};

std::string Hex(const unsigned char* bytes, size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 15]);
  }
  return out;
}

// The receiver's check of a Pay-Signature header, as docs/webhooks.md tells a directorate to
// write it: HMAC-SHA256 with the secret over "<t>.<body>", compared in constant time.
bool VerifySignature(const std::string& secret, const std::string& header,
                     const std::string& body) {
  const size_t t_at = header.find("t=");
  const size_t v1_at = header.find(",v1=");
  if (t_at != 0 || v1_at == std::string::npos) return false;
  const std::string timestamp = header.substr(2, v1_at - 2);
  const std::string given = header.substr(v1_at + 4);
  const std::string signed_bytes = timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_bytes.data()), signed_bytes.size(), mac,
       &mac_size);
  const std::string expected = Hex(mac, mac_size);
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

// An HTTPS webhook receiver: records every request, answers `status()` to each.
class Receiver {
 public:
  struct Request {
    std::string signature;
    std::string event_id;
    std::string event_type;
    std::string webhook_id;
    std::string body;
    int answered = 0;
  };

  // Listens on `port` (0: a free one; later starts reuse the first port).
  ::testing::AssertionResult Start(const std::string& pki_dir) {
    pay::connector::HttpServerOptions options;
    options.listen = "127.0.0.1:" + std::to_string(port_);
    options.tls.cert_file = pki_dir + "/receiver.pem";
    options.tls.key_file = pki_dir + "/receiver.key";
    Result<std::unique_ptr<pay::connector::HttpServer>> server = pay::connector::HttpServer::Start(
        runtime_, options,
        [this](pay::connector::HttpServerRequest request, pay::connector::HttpResponder respond) {
          Request seen;
          seen.signature = std::string(request.Header("Pay-Signature"));
          seen.event_id = std::string(request.Header("Pay-Event-Id"));
          seen.event_type = std::string(request.Header("Pay-Event-Type"));
          seen.webhook_id = std::string(request.Header("Pay-Webhook-Id"));
          seen.body = request.body;
          seen.answered = status_.load();
          {
            std::lock_guard<std::mutex> lock(mu_);
            requests_.push_back(seen);
          }
          pay::connector::HttpResponse response;
          response.status = seen.answered;
          respond(std::move(response));
        });
    if (!server.ok()) return ::testing::AssertionFailure() << server.status();
    server_ = *std::move(server);
    port_ = server_->port();
    return ::testing::AssertionSuccess();
  }

  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/hooks/pay"; }
  void set_status(int status) { status_ = status; }
  std::vector<Request> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  pay::connector::IoRuntime runtime_{1};
  std::unique_ptr<pay::connector::HttpServer> server_;
  uint16_t port_ = 0;
  std::atomic<int> status_{200};
  mutable std::mutex mu_;
  std::vector<Request> requests_;
};

class EventsTest : public PaydTest {
 protected:
  void SetUp() override {
    PaydTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(CreateAgencyWithKeys(*admin_, payd_.admin_key(), "customs", &customs_));
    v1::CreateCredentialResponse auditor;
    ASSERT_TRUE(CreateCredential(*admin_, payd_.admin_key(), v1::Credential::AUDITOR,
                                 {"passports", "customs"}, &auditor));
    auditor_key_ = auditor.api_key();
    ConnectMore();
  }

  void ConnectMore() {
    ledger_ = v1::LedgerService::NewStub(payd_.channel());
    webhooks_ = v1::WebhookService::NewStub(payd_.channel());
  }

  // A fee of `agency` paid through the sandbox (events: fee created, payment created and its
  // changes, fee paid). Returns the fee id.
  std::string PaidFee(const AgencyKeys& agency, const std::string& tag) {
    v1::Fee fee;
    EXPECT_TRUE(IsOk(TryCreateFee(agency.agency_key, FeeRequest(1000), &fee)));
    v1::Payment payment;
    EXPECT_TRUE(IsOk(TryPay(agency.agency_key, PaymentRequest(fee.bill_number(), tag), &payment)));
    return fee.fee_id();
  }

  // The event entries of `agency_id` with sequence >= from, from the AUDITOR export.
  std::vector<v1::LedgerEntry> ExportedEvents(const std::string& agency_id, uint64_t from = 1) {
    v1::ExportLedgerRequest request;
    request.set_agency_id(agency_id);
    request.set_from_sequence(from);
    auto context = MakeContext(auditor_key_, kCallTimeout);
    auto reader = ledger_->ExportLedger(context.get(), request);
    std::vector<v1::LedgerEntry> events;
    v1::LedgerEntry entry;
    while (reader->Read(&entry)) {
      if (kEventTypes.count(entry.type()) != 0) events.push_back(entry);
    }
    EXPECT_TRUE(IsOk(reader->Finish()));
    return events;
  }

  AgencyKeys customs_;
  std::string auditor_key_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<v1::WebhookService::Stub> webhooks_;
};

TEST_F(EventsTest, WatchCancelledAndResumedDeliversEveryEventOnceInOrder) {
  for (int i = 0; i < 3; ++i) PaidFee(passports_, "before-" + std::to_string(i));
  PaidFee(customs_, "customs-before");

  std::vector<v1::PaymentEvent> received;
  {
    auto context = MakeContext(passports_.agency_key, 30s);
    v1::WatchPaymentsRequest request;
    request.set_from_sequence(1);
    auto reader = payments_->WatchPayments(context.get(), request);
    v1::PaymentEvent event;
    while (received.size() < 7 && reader->Read(&event)) received.push_back(event);
    ASSERT_EQ(received.size(), 7u);
    context->TryCancel();  // the client goes away mid-stream
    while (reader->Read(&event)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }

  // More business in both agencies while the watcher reconnects; a marker fee ends it.
  constexpr int64_t kMarkerAmount = 12345;
  std::thread producer([&] {
    for (int i = 0; i < 4; ++i) {
      PaidFee(passports_, "during-" + std::to_string(i));
      PaidFee(customs_, "customs-during-" + std::to_string(i));
    }
    v1::Fee fee;
    EXPECT_TRUE(IsOk(TryCreateFee(passports_.agency_key, FeeRequest(kMarkerAmount), &fee)));
  });
  {
    auto context = MakeContext(passports_.agency_key, 60s);
    v1::WatchPaymentsRequest request;
    request.set_from_sequence(received.back().sequence() + 1);
    auto reader = payments_->WatchPayments(context.get(), request);
    v1::PaymentEvent event;
    bool marker_seen = false;
    while (!marker_seen && reader->Read(&event)) {
      received.push_back(event);
      // The marker is known by its amount (its id is not known before its event may arrive).
      marker_seen = event.type() == "FEE_CREATED" && event.amount().minor_units() == kMarkerAmount;
      if (received.size() > 1000) break;
    }
    producer.join();
    context->TryCancel();
    while (reader->Read(&event)) {
    }
    reader->Finish();
    ASSERT_TRUE(marker_seen) << "the resumed stream ended before the marker fee's event";
  }

  const std::vector<v1::LedgerEntry> expected = ExportedEvents("passports");
  ASSERT_EQ(received.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i));
    EXPECT_EQ(received[i].sequence(), expected[i].sequence());
    EXPECT_EQ(received[i].type(), expected[i].type());
    EXPECT_EQ(received[i].agency_id(), "passports");
    EXPECT_FALSE(received[i].fee_id().empty()) << received[i].DebugString();
    if (received[i].type().rfind("PAYMENT_", 0) == 0) {
      EXPECT_EQ(received[i].payment_id(), expected[i].subject_id());
      EXPECT_EQ(received[i].fee_id(), expected[i].related_id());
    }
  }
}

TEST_F(EventsTest, FromZeroSendsOnlyNewEventsAndScopesHold) {
  const std::string old_fee = PaidFee(passports_, "old");
  const uint64_t before = ExportedEvents("passports").back().sequence();

  auto context = MakeContext(passports_.agency_key, 30s);
  auto reader = payments_->WatchPayments(context.get(), v1::WatchPaymentsRequest());
  // Keep producing until the stream (which only counts events after it started) sees one.
  std::atomic<bool> seen{false};
  std::thread producer([&] {
    for (int i = 0; i < 50 && !seen; ++i) {
      PaidFee(customs_, "c-" + std::to_string(i));
      v1::Fee fee;
      EXPECT_TRUE(IsOk(TryCreateFee(passports_.agency_key, FeeRequest(100 + i), &fee)));
      std::this_thread::sleep_for(100ms);
    }
  });
  v1::PaymentEvent event;
  ASSERT_TRUE(reader->Read(&event));
  seen = true;
  producer.join();
  context->TryCancel();
  EXPECT_GT(event.sequence(), before);
  EXPECT_NE(event.fee_id(), old_fee);
  EXPECT_EQ(event.agency_id(), "passports");
  EXPECT_EQ(event.type(), "FEE_CREATED");

  // A CHANNEL never watches; an agency never watches another's events.
  for (const auto& [key, agency] : std::vector<std::pair<std::string, std::string>>{
           {passports_.channel_key, ""}, {passports_.agency_key, "customs"}}) {
    auto denied_context = MakeContext(key, kCallTimeout);
    v1::WatchPaymentsRequest request;
    request.set_from_sequence(1);
    request.set_agency_id(agency);
    auto denied = payments_->WatchPayments(denied_context.get(), request);
    v1::PaymentEvent ignored;
    EXPECT_FALSE(denied->Read(&ignored));
    EXPECT_TRUE(HasCode(denied->Finish(), grpc::StatusCode::PERMISSION_DENIED));
  }

  // An auditor filtered to customs sees only customs events.
  auto audit_context = MakeContext(auditor_key_, 30s);
  v1::WatchPaymentsRequest audit;
  audit.set_from_sequence(1);
  audit.set_agency_id("customs");
  auto audit_reader = payments_->WatchPayments(audit_context.get(), audit);
  const size_t customs_events = ExportedEvents("customs").size();
  size_t count = 0;
  while (count < customs_events && audit_reader->Read(&event)) {
    EXPECT_EQ(event.agency_id(), "customs");
    ++count;
  }
  EXPECT_EQ(count, customs_events);
  audit_context->TryCancel();
}

class WebhooksTest : public EventsTest {
 protected:
  void SetUp() override {
    EventsTest::SetUp();
    if (HasFatalFailure()) return;
    pki_dir_ = payd_.data_dir() + "/pki";
    ASSERT_TRUE(pay::connector::CreateDevelopmentPki(pki_dir_, {"receiver"}).ok());
    ASSERT_TRUE(receiver_.Start(pki_dir_));
  }

  // Restarts payd with the webhook flags (and `extra`).
  void RestartWithWebhooks(std::vector<std::string> extra) {
    std::vector<std::string> args = {"--webhook-ca", pki_dir_ + "/ca.pem", "--webhook-timeout-ms",
                                     "2000"};
    args.insert(args.end(), extra.begin(), extra.end());
    payd_.set_serve_args(args);
    ASSERT_NO_FATAL_FAILURE(Restart());
    ConnectMore();
  }

  v1::CreateWebhookResponse CreateWebhook() {
    v1::CreateWebhookRequest request;
    request.set_url(receiver_.url());
    request.set_description("test receiver");
    v1::CreateWebhookResponse response;
    auto context = MakeContext(passports_.agency_key, kCallTimeout);
    EXPECT_TRUE(IsOk(webhooks_->CreateWebhook(context.get(), request, &response)));
    return response;
  }

  std::vector<v1::WebhookDelivery> Deliveries(const std::string& webhook_id,
                                              v1::WebhookDelivery::State state) {
    v1::ListWebhookDeliveriesRequest request;
    request.set_webhook_id(webhook_id);
    request.set_state(state);
    v1::ListWebhookDeliveriesResponse response;
    auto context = MakeContext(passports_.agency_key, kCallTimeout);
    EXPECT_TRUE(IsOk(webhooks_->ListWebhookDeliveries(context.get(), request, &response)));
    return {response.deliveries().begin(), response.deliveries().end()};
  }

  std::string pki_dir_;
  Receiver receiver_;
};

TEST_F(WebhooksTest, DeliversEveryEventSignedThroughKillAndReceiverOutage) {
  ASSERT_NO_FATAL_FAILURE(
      RestartWithWebhooks({"--webhook-backoff-base-ms", "100", "--webhook-backoff-max-ms", "400"}));
  const v1::CreateWebhookResponse created = CreateWebhook();
  ASSERT_EQ(created.secret().rfind("whsec_", 0), 0u);
  ASSERT_EQ(created.secret().size(), 6u + 64u);
  // The receiver is down for a while (answering 503).
  receiver_.set_status(503);
  PaidFee(passports_, "first");
  std::vector<v1::WebhookDelivery> retrying;
  for (int i = 0; i < 100; ++i) {
    retrying = Deliveries(created.webhook().webhook_id(), v1::WebhookDelivery::RETRYING);
    if (!retrying.empty() && retrying[0].attempts() >= 2) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(retrying.size(), 1u) << "the failing head is visible while it is retried";
  EXPECT_GE(retrying[0].attempts(), 2);
  EXPECT_EQ(retrying[0].last_http_status(), 503);
  EXPECT_EQ(retrying[0].last_error(), "HTTP 503");
  EXPECT_GT(retrying[0].sequence(), created.webhook().start_sequence());

  for (int i = 0; i < 3; ++i) PaidFee(passports_, "outage-" + std::to_string(i));
  PaidFee(customs_, "customs-outage");
  // Let payd attempt and fail a few times, then crash it.
  for (int i = 0; i < 100 && receiver_.requests().size() < 3; ++i)
    std::this_thread::sleep_for(50ms);
  EXPECT_GE(receiver_.requests().size(), 3u);
  payd_.Kill();
  ASSERT_TRUE(payd_.Start());
  Connect();
  ConnectMore();
  for (int i = 0; i < 2; ++i) PaidFee(passports_, "after-" + std::to_string(i));
  receiver_.set_status(200);  // the receiver is back

  const std::vector<v1::LedgerEntry> expected =
      ExportedEvents("passports", created.webhook().start_sequence() + 1);
  ASSERT_FALSE(expected.empty());
  const uint64_t last = expected.back().sequence();
  std::vector<Receiver::Request> requests;
  for (int i = 0; i < 300; ++i) {
    requests = receiver_.requests();
    bool done = false;
    for (const Receiver::Request& request : requests) {
      done = done || (request.answered == 200 && request.event_id == std::to_string(last));
    }
    if (done) break;
    std::this_thread::sleep_for(100ms);
  }

  // Every event delivered (2xx) at least once, none of another agency, in ledger order.
  std::map<uint64_t, int> delivered;
  std::map<std::string, uint64_t> last_of_fee;
  uint64_t previous = 0;
  for (const Receiver::Request& request : requests) {
    SCOPED_TRACE(request.body);
    EXPECT_TRUE(VerifySignature(created.secret(), request.signature, request.body));
    EXPECT_FALSE(VerifySignature(created.secret(), request.signature, request.body + " "));
    EXPECT_FALSE(VerifySignature("whsec_" + std::string(64, '0'), request.signature, request.body));
    EXPECT_EQ(request.webhook_id, created.webhook().webhook_id());
    v1::PaymentEvent event;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(request.body, &event).ok());
    EXPECT_EQ(std::to_string(event.sequence()), request.event_id);
    EXPECT_EQ(event.type(), request.event_type);
    EXPECT_EQ(event.agency_id(), "passports");
    if (request.answered != 200) continue;
    EXPECT_GE(event.sequence(), previous) << "delivered out of ledger order";
    previous = event.sequence();
    EXPECT_GE(event.sequence(), last_of_fee[event.fee_id()]) << "out of order for its fee";
    last_of_fee[event.fee_id()] = event.sequence();
    ++delivered[event.sequence()];
  }
  for (const v1::LedgerEntry& entry : expected) {
    EXPECT_EQ(delivered.count(entry.sequence()), 1u)
        << "event " << entry.sequence() << " " << entry.type() << " never delivered";
  }
  EXPECT_EQ(delivered.size(), expected.size());
}

TEST_F(WebhooksTest, DeadLetterVisibleAndReplayed) {
  ASSERT_NO_FATAL_FAILURE(
      RestartWithWebhooks({"--webhook-max-attempts", "3", "--webhook-backoff-base-ms", "50",
                           "--webhook-backoff-max-ms", "100"}));
  const v1::CreateWebhookResponse created = CreateWebhook();
  const std::string& webhook_id = created.webhook().webhook_id();
  receiver_.set_status(500);
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 700, &fee));

  std::vector<v1::WebhookDelivery> failed;
  for (int i = 0; i < 100 && failed.empty(); ++i) {
    std::this_thread::sleep_for(100ms);
    failed = Deliveries(webhook_id, v1::WebhookDelivery::FAILED);
  }
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].event_type(), "FEE_CREATED");
  EXPECT_EQ(failed[0].attempts(), 3);
  EXPECT_EQ(failed[0].last_http_status(), 500);
  EXPECT_EQ(receiver_.requests().size(), 3u);

  // Replaying a delivery that does not exist, or of another agency's credential, is NOT_FOUND.
  v1::ReplayWebhookDeliveryRequest replay;
  replay.set_webhook_id(webhook_id);
  replay.set_sequence(failed[0].sequence() + 1000);
  v1::WebhookDelivery response;
  auto missing_context = MakeContext(passports_.agency_key, kCallTimeout);
  EXPECT_TRUE(HasCode(webhooks_->ReplayWebhookDelivery(missing_context.get(), replay, &response),
                      grpc::StatusCode::NOT_FOUND));
  replay.set_sequence(failed[0].sequence());
  auto other_context = MakeContext(customs_.agency_key, kCallTimeout);
  EXPECT_TRUE(HasCode(webhooks_->ReplayWebhookDelivery(other_context.get(), replay, &response),
                      grpc::StatusCode::NOT_FOUND));

  receiver_.set_status(200);
  auto context = MakeContext(passports_.agency_key, kCallTimeout);
  ASSERT_TRUE(IsOk(webhooks_->ReplayWebhookDelivery(context.get(), replay, &response)));
  EXPECT_EQ(response.state(), v1::WebhookDelivery::REPLAYING);
  std::vector<v1::WebhookDelivery> delivered;
  for (int i = 0; i < 100 && delivered.empty(); ++i) {
    std::this_thread::sleep_for(100ms);
    delivered = Deliveries(webhook_id, v1::WebhookDelivery::DELIVERED);
  }
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].sequence(), failed[0].sequence());
  const std::vector<Receiver::Request> requests = receiver_.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests.back().answered, 200);
  EXPECT_EQ(requests.back().event_id, std::to_string(failed[0].sequence()));
  EXPECT_TRUE(VerifySignature(created.secret(), requests.back().signature, requests.back().body));

  // CHANNEL credentials do not manage webhooks.
  auto channel_context = MakeContext(passports_.channel_key, kCallTimeout);
  v1::ListWebhooksResponse listed;
  EXPECT_TRUE(
      HasCode(webhooks_->ListWebhooks(channel_context.get(), v1::ListWebhooksRequest(), &listed),
              grpc::StatusCode::PERMISSION_DENIED));
  // Plain HTTP endpoints are refused.
  v1::CreateWebhookRequest plain;
  plain.set_url("http://127.0.0.1:1/x");
  v1::CreateWebhookResponse ignored;
  auto plain_context = MakeContext(passports_.agency_key, kCallTimeout);
  EXPECT_TRUE(
      IsInvalidArgumentAt(webhooks_->CreateWebhook(plain_context.get(), plain, &ignored), "url"));
}

}  // namespace
}  // namespace pay::integration
