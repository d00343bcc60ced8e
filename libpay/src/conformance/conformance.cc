// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The conformance kit's tests (pay/connector/conformance.h). Each test gets a fresh harness,
// connector and notification endpoint; outcomes are awaited with deadlines, never fixed sleeps.

#include "pay/connector/conformance.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "pay/connector/http_runtime.h"

namespace pay::connector::conformance {
namespace {

constexpr auto kDeadline = std::chrono::seconds(20);

bool IsFinal(const Result<CollectionOutcome>& outcome) {
  return outcome.ok() && outcome->status != OutcomeStatus::kPending;
}

std::string Describe(const Result<CollectionOutcome>& outcome) {
  if (!outcome.ok()) return "error " + outcome.status().ToString();
  return std::string(OutcomeStatusName(outcome->status)) + " " + outcome->failure_code;
}

// What the connector reported through its sink, by payment id.
class RecordingSink final : public OutcomeSink {
 public:
  Status ReportCollection(std::string_view payment_id, const CollectionOutcome& outcome) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (failing_) return absl::UnavailableError("the gateway cannot record now (test)");
    reports_[std::string(payment_id)].push_back(outcome);
    changed_.notify_all();
    return absl::OkStatus();
  }
  Status ReportCredit(const CreditNotice& notice) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (failing_) return absl::UnavailableError("the gateway cannot record now (test)");
    credits_.push_back(notice);
    changed_.notify_all();
    return absl::OkStatus();
  }

  void set_failing(bool failing) {
    std::lock_guard<std::mutex> lock(mu_);
    failing_ = failing;
  }
  std::vector<CollectionOutcome> Reports(const std::string& payment_id) {
    std::lock_guard<std::mutex> lock(mu_);
    return reports_[payment_id];
  }
  // The first final outcome reported for `payment_id`, waiting up to `timeout`.
  std::optional<CollectionOutcome> WaitFinal(const std::string& payment_id,
                                             std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    std::optional<CollectionOutcome> found;
    changed_.wait_for(lock, timeout, [&] {
      for (const CollectionOutcome& outcome : reports_[payment_id]) {
        if (outcome.status != OutcomeStatus::kPending) {
          found = outcome;
          return true;
        }
      }
      return false;
    });
    return found;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool failing_ = false;
  std::map<std::string, std::vector<CollectionOutcome>> reports_;
  std::vector<CreditNotice> credits_;
};

class TestLogger final : public Logger {
 public:
  void Log(Level level, std::string_view message) override {
    if (level >= Level::kWarning) std::fprintf(stderr, "connector: %.*s\n",
                                               static_cast<int>(message.size()), message.data());
  }
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

template <typename T>
class Promise {
 public:
  std::function<void(T)> Callback() {
    return [state = state_](T value) {
      std::lock_guard<std::mutex> lock(state->mu);
      if (!state->value) state->value.emplace(std::move(value));
      state->cv.notify_all();
    };
  }
  std::optional<T> Wait(std::chrono::milliseconds timeout = kDeadline) {
    std::unique_lock<std::mutex> lock(state_->mu);
    state_->cv.wait_for(lock, timeout, [&] { return state_->value.has_value(); });
    return state_->value;
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<T> value;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// Prepares the provider; a harness that cannot produce a scenario answers kUnimplemented and the
// test is skipped (reported as such, never passed silently).
#define PAY_PREPARE(harness, scenario, request)                                      \
  do {                                                                               \
    Status prepared = (harness)->Prepare(scenario, request);                         \
    if (prepared.code() == StatusCode::kUnimplemented) GTEST_SKIP() << prepared;     \
    ASSERT_TRUE(prepared.ok()) << prepared;                                          \
  } while (false)

class ConformanceTest : public ::testing::Test {
 public:
  explicit ConformanceTest(std::function<std::unique_ptr<Harness>()> make)
      : make_(std::move(make)) {}

 protected:
  void SetUp() override {
    harness_ = make_();
    ASSERT_NE(harness_, nullptr);
    runtime_ = std::make_unique<IoRuntime>(2);
    HttpServerOptions server_options;
    server_options.tls.enabled = false;
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(
        *runtime_, server_options, [this](HttpServerRequest request, HttpResponder respond) {
          Connector* connector = connector_.load();
          const std::string prefix = "/connectors/" + name_;
          if (connector == nullptr || request.target.rfind(prefix, 0) != 0) {
            respond({404, {}, "unknown endpoint\n"});
            return;
          }
          Notification notification;
          notification.method = request.method;
          notification.target = request.target;
          notification.path = request.target.substr(prefix.size());
          if (notification.path.empty()) notification.path = "/";
          notification.headers = std::move(request.headers);
          notification.body = std::move(request.body);
          notification.peer_common_name = std::move(request.peer_common_name);
          connector->HandleNotification(notification, [respond](NotificationReply reply) {
            respond({reply.http_status, {{"Content-Type", reply.content_type}}, reply.body});
          });
        });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ConnectorContext context;
    context.name = name_;
    context.scheduler = runtime_.get();
    context.clock = &clock_;
    context.logger = &logger_;
    context.sink = &sink_;
    Result<std::unique_ptr<Connector>> connector =
        harness_->Create(context, "http://" + server_->address() + "/connectors/" + name_);
    ASSERT_TRUE(connector.ok()) << connector.status();
    owned_ = *std::move(connector);
    ASSERT_EQ(owned_->name(), name_) << "name() must return ConnectorContext::name";
    ASSERT_TRUE(owned_->Supports(harness_->method()));
    connector_ = owned_.get();
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (runtime_) runtime_->Stop();
    connector_ = nullptr;
    owned_.reset();
  }

  CollectionRequest NewRequest(int64_t minor_units = 15000) {
    CollectionRequest request;
    request.payment_id = "pay_" + RandomHex();
    request.agency_id = "passports";
    request.bill_number = "1234567890123452";
    request.amount = Money::Create("SAR", minor_units).value();
    request.method = harness_->method();
    request.create_time_ms = clock_.NowMs();
    return request;
  }

  // 20 hex digits, like the gateway's payment ids.
  static std::string RandomHex() {
    static std::mutex mu;
    static std::mt19937_64 random{std::random_device{}()};
    std::lock_guard<std::mutex> lock(mu);
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    for (int i = 0; i < 20; ++i) hex += kDigits[random() & 15];
    return hex;
  }

  Result<CollectionOutcome> Collect(const CollectionRequest& request) {
    Promise<Result<CollectionOutcome>> answer;
    owned_->Collect(request, answer.Callback());
    std::optional<Result<CollectionOutcome>> value = answer.Wait();
    if (!value) return absl::DeadlineExceededError("Collect never called back");
    return *std::move(value);
  }

  Result<CollectionOutcome> Inquire(const CollectionRequest& request) {
    Promise<Result<CollectionOutcome>> answer;
    owned_->Inquire(request, answer.Callback());
    std::optional<Result<CollectionOutcome>> value = answer.Wait();
    if (!value) return absl::DeadlineExceededError("Inquire never called back");
    return *std::move(value);
  }

  // The final outcome of a collection: from Collect's answer, or from the sink.
  std::optional<CollectionOutcome> Final(const CollectionRequest& request,
                                         const Result<CollectionOutcome>& answer) {
    if (IsFinal(answer)) return *answer;
    return sink_.WaitFinal(request.payment_id, kDeadline);
  }

  // Inquires until the provider knows a final outcome (or the deadline passes).
  Result<CollectionOutcome> InquireUntilFinal(const CollectionRequest& request) {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    Result<CollectionOutcome> outcome = Inquire(request);
    while (!IsFinal(outcome) && std::chrono::steady_clock::now() < deadline &&
           !(!outcome.ok() && outcome.status().code() == StatusCode::kNotFound)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      outcome = Inquire(request);
    }
    return outcome;
  }

  NotificationReply Deliver(const Notification& notification) {
    Promise<NotificationReply> reply;
    owned_->HandleNotification(notification, reply.Callback());
    std::optional<NotificationReply> value = reply.Wait();
    if (!value) return {0, "", "no reply"};
    return *value;
  }

  // A succeeded collection to build on.
  CollectionRequest Succeeded() {
    CollectionRequest request = NewRequest();
    EXPECT_TRUE(harness_->Prepare(Scenario::kSucceed, &request).ok());
    std::optional<CollectionOutcome> outcome = Final(request, Collect(request));
    EXPECT_TRUE(outcome.has_value());
    if (outcome) {
      EXPECT_EQ(outcome->status, OutcomeStatus::kSucceeded);
    }
    return request;
  }

  std::function<std::unique_ptr<Harness>()> make_;
  std::unique_ptr<Harness> harness_;
  const std::string name_ = "under_test";
  std::unique_ptr<IoRuntime> runtime_;
  std::unique_ptr<HttpServer> server_;
  RecordingSink sink_;
  TestLogger logger_;
  SystemClock clock_;
  std::unique_ptr<Connector> owned_;
  std::atomic<Connector*> connector_{nullptr};
};

// A test body with access to the fixture's protected members.
class Case final : public ConformanceTest {
 public:
  Case(std::function<std::unique_ptr<Harness>()> make, std::function<void(Case*)> body)
      : ConformanceTest(std::move(make)), body_(std::move(body)) {}
  void TestBody() override { body_(this); }

  using ConformanceTest::Collect;
  using ConformanceTest::Deliver;
  using ConformanceTest::Final;
  using ConformanceTest::harness_;
  using ConformanceTest::Inquire;
  using ConformanceTest::InquireUntilFinal;
  using ConformanceTest::NewRequest;
  using ConformanceTest::owned_;
  using ConformanceTest::sink_;
  using ConformanceTest::Succeeded;

 private:
  std::function<void(Case*)> body_;
};

void CollectionSucceeds(Case* t) {
  CollectionRequest request = t->NewRequest();
  PAY_PREPARE(t->harness_, Scenario::kSucceed, &request);
  Result<CollectionOutcome> answer = t->Collect(request);
  ASSERT_TRUE(answer.ok()) << "a collection the provider takes must not fail: " << Describe(answer);
  std::optional<CollectionOutcome> outcome = t->Final(request, answer);
  ASSERT_TRUE(outcome.has_value()) << "no outcome, neither in the answer nor notified";
  EXPECT_EQ(outcome->status, OutcomeStatus::kSucceeded);
  EXPECT_FALSE(outcome->connector_reference.empty()) << "a success carries the provider's id";
  Result<CollectionOutcome> inquired = t->InquireUntilFinal(request);
  ASSERT_TRUE(inquired.ok()) << Describe(inquired);
  EXPECT_EQ(inquired->status, OutcomeStatus::kSucceeded);
}

void DeclineFailsWithACode(Case* t) {
  CollectionRequest request = t->NewRequest();
  PAY_PREPARE(t->harness_, Scenario::kDecline, &request);
  Result<CollectionOutcome> answer = t->Collect(request);
  ASSERT_TRUE(answer.ok()) << "a decline is an outcome, not an error: " << Describe(answer);
  std::optional<CollectionOutcome> outcome = t->Final(request, answer);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->status, OutcomeStatus::kFailed);
  EXPECT_FALSE(outcome->failure_code.empty()) << "a failure says why (failure_code)";
  Result<CollectionOutcome> inquired = t->InquireUntilFinal(request);
  ASSERT_TRUE(inquired.ok()) << Describe(inquired);
  EXPECT_EQ(inquired->status, OutcomeStatus::kFailed);
}

void LostAnswerIsResolvedByInquiry(Case* t) {
  CollectionRequest request = t->NewRequest();
  PAY_PREPARE(t->harness_, Scenario::kLostAnswer, &request);
  Result<CollectionOutcome> answer = t->Collect(request);
  // The provider took the money: the connector must not claim nothing was sent, nor a failure.
  EXPECT_FALSE(!answer.ok() && answer.status().code() == StatusCode::kUnavailable)
      << "kUnavailable promises nothing reached the provider, but it collected: "
      << Describe(answer);
  EXPECT_FALSE(answer.ok() && answer->status == OutcomeStatus::kFailed) << Describe(answer);
  Result<CollectionOutcome> inquired = t->InquireUntilFinal(request);
  ASSERT_TRUE(inquired.ok()) << Describe(inquired);
  EXPECT_EQ(inquired->status, OutcomeStatus::kSucceeded);
  for (const CollectionOutcome& reported : t->sink_.Reports(request.payment_id)) {
    EXPECT_NE(reported.status, OutcomeStatus::kFailed) << "reported a failure of a collection";
  }
}

void NeverReceivedIsNotFound(Case* t) {
  CollectionRequest request = t->NewRequest();
  PAY_PREPARE(t->harness_, Scenario::kNeverReceived, &request);
  Result<CollectionOutcome> answer = t->Collect(request);
  EXPECT_FALSE(answer.ok() && answer->status == OutcomeStatus::kSucceeded) << Describe(answer);
  Result<CollectionOutcome> inquired = t->Inquire(request);
  EXPECT_EQ(inquired.status().code(), StatusCode::kNotFound) << Describe(inquired);
  // The gateway now records the payment FAILED. A late copy of the request (delayed in the
  // network, re-sent) must never collect: the provider closes an id it answered "not found".
  Result<CollectionOutcome> late = t->Collect(request);
  EXPECT_FALSE(late.ok() && late->status == OutcomeStatus::kSucceeded)
      << "a request the provider said it never received was collected later";
  Result<CollectionOutcome> after = t->InquireUntilFinal(request);
  EXPECT_FALSE(after.ok() && after->status == OutcomeStatus::kSucceeded)
      << "a request the provider said it never received was collected later";
  // And for an id the provider never heard of at all.
  CollectionRequest unknown = t->NewRequest();
  EXPECT_EQ(t->Inquire(unknown).status().code(), StatusCode::kNotFound);
}

void DuplicateNotificationsAreHarmless(Case* t) {
  if (!t->harness_->TakesNotifications()) GTEST_SKIP() << "the connector takes no notifications";
  CollectionRequest request = t->Succeeded();
  CollectionOutcome succeeded;
  succeeded.status = OutcomeStatus::kSucceeded;
  Result<Notification> notification = t->harness_->MakeNotification(request, succeeded, true);
  ASSERT_TRUE(notification.ok()) << notification.status();
  for (int i = 0; i < 2; ++i) {
    NotificationReply reply = t->Deliver(*notification);
    EXPECT_GE(reply.http_status, 200) << reply.body;
    EXPECT_LT(reply.http_status, 300) << "a duplicate must be acknowledged: " << reply.body;
  }
  for (const CollectionOutcome& reported : t->sink_.Reports(request.payment_id)) {
    EXPECT_EQ(reported.status, OutcomeStatus::kSucceeded);
  }
}

void NotificationBeforeTheAnswerAndStaleOnes(Case* t) {
  if (!t->harness_->TakesNotifications()) GTEST_SKIP() << "the connector takes no notifications";
  CollectionRequest request = t->NewRequest();
  PAY_PREPARE(t->harness_, Scenario::kSucceed, &request);
  CollectionOutcome succeeded;
  succeeded.status = OutcomeStatus::kSucceeded;
  Result<Notification> early = t->harness_->MakeNotification(request, succeeded, true);
  ASSERT_TRUE(early.ok()) << early.status();
  NotificationReply reply = t->Deliver(*early);  // before Collect was even answered
  EXPECT_EQ(reply.http_status / 100, 2) << reply.body;
  Result<CollectionOutcome> answer = t->Collect(request);
  EXPECT_FALSE(answer.ok() && answer->status == OutcomeStatus::kFailed) << Describe(answer);
  // A stale "pending" arriving after the final outcome changes nothing.
  CollectionOutcome pending;
  pending.status = OutcomeStatus::kPending;
  Result<Notification> stale = t->harness_->MakeNotification(request, pending, true);
  ASSERT_TRUE(stale.ok()) << stale.status();
  reply = t->Deliver(*stale);
  EXPECT_EQ(reply.http_status / 100, 2) << reply.body;
  std::optional<CollectionOutcome> outcome = t->sink_.WaitFinal(request.payment_id, kDeadline);
  ASSERT_TRUE(outcome.has_value());
  for (const CollectionOutcome& reported : t->sink_.Reports(request.payment_id)) {
    EXPECT_NE(reported.status, OutcomeStatus::kFailed);
  }
}

void BadSignatureIsRejected(Case* t) {
  if (!t->harness_->TakesNotifications()) GTEST_SKIP() << "the connector takes no notifications";
  CollectionRequest request = t->NewRequest();
  CollectionOutcome succeeded;
  succeeded.status = OutcomeStatus::kSucceeded;
  succeeded.connector_reference = "forged";
  Result<Notification> forged = t->harness_->MakeNotification(request, succeeded, false);
  ASSERT_TRUE(forged.ok()) << forged.status();
  NotificationReply reply = t->Deliver(*forged);
  EXPECT_TRUE(reply.http_status == 401 || reply.http_status == 403)
      << "got " << reply.http_status << ": " << reply.body;
  EXPECT_TRUE(t->sink_.Reports(request.payment_id).empty()) << "a forged outcome was reported";
}

void MalformedNotificationIsRejected(Case* t) {
  if (!t->harness_->TakesNotifications()) GTEST_SKIP() << "the connector takes no notifications";
  Result<Notification> malformed = t->harness_->MakeMalformedNotification();
  ASSERT_TRUE(malformed.ok()) << malformed.status();
  NotificationReply reply = t->Deliver(*malformed);
  EXPECT_EQ(reply.http_status, 400) << reply.body;
}

void UnrecordedNotificationIsNotAcknowledged(Case* t) {
  if (!t->harness_->TakesNotifications()) GTEST_SKIP() << "the connector takes no notifications";
  CollectionRequest request = t->Succeeded();
  CollectionOutcome succeeded;
  succeeded.status = OutcomeStatus::kSucceeded;
  Result<Notification> notification = t->harness_->MakeNotification(request, succeeded, true);
  ASSERT_TRUE(notification.ok()) << notification.status();
  t->sink_.set_failing(true);
  NotificationReply reply = t->Deliver(*notification);
  EXPECT_EQ(reply.http_status / 100, 5)
      << "the provider must retry what the gateway could not record; got " << reply.http_status;
  t->sink_.set_failing(false);
}

void RefundIsIdempotent(Case* t) {
  if (!t->harness_->Refunds()) GTEST_SKIP() << "the connector cannot refund";
  CollectionRequest request = t->Succeeded();
  Result<CollectionOutcome> inquired = t->InquireUntilFinal(request);
  ASSERT_TRUE(inquired.ok());
  RefundRequest refund;
  refund.refund_id = "rfd_" + request.payment_id.substr(4);
  refund.payment_id = request.payment_id;
  refund.connector_reference = inquired->connector_reference;
  refund.amount = request.amount;
  refund.reason = "conformance";
  for (int i = 0; i < 2; ++i) {
    Promise<Result<RefundOutcome>> answer;
    t->owned_->Refund(refund, answer.Callback());
    std::optional<Result<RefundOutcome>> value = answer.Wait();
    ASSERT_TRUE(value.has_value()) << "Refund never called back";
    ASSERT_TRUE(value->ok()) << value->status();
    EXPECT_NE((*value)->status, OutcomeStatus::kFailed) << (*value)->failure_code;
  }
}

}  // namespace

void RegisterTests(const std::string& suite, std::function<std::unique_ptr<Harness>()> make) {
  const std::vector<std::pair<const char*, void (*)(Case*)>> cases = {
      {"CollectionSucceeds", &CollectionSucceeds},
      {"DeclineFailsWithACode", &DeclineFailsWithACode},
      {"LostAnswerIsResolvedByInquiry", &LostAnswerIsResolvedByInquiry},
      {"NeverReceivedIsNotFound", &NeverReceivedIsNotFound},
      {"DuplicateNotificationsAreHarmless", &DuplicateNotificationsAreHarmless},
      {"NotificationBeforeTheAnswerAndStaleOnes", &NotificationBeforeTheAnswerAndStaleOnes},
      {"BadSignatureIsRejected", &BadSignatureIsRejected},
      {"MalformedNotificationIsRejected", &MalformedNotificationIsRejected},
      {"UnrecordedNotificationIsNotAcknowledged", &UnrecordedNotificationIsNotAcknowledged},
      {"RefundIsIdempotent", &RefundIsIdempotent},
  };
  for (const auto& [name, body] : cases) {
    ::testing::RegisterTest(suite.c_str(), name, nullptr, nullptr, __FILE__, __LINE__,
                            [make, body = body]() -> ::testing::Test* {
                              return new Case(make, body);
                            });
  }
}

}  // namespace pay::connector::conformance
