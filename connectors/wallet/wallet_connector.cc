// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The wallet connector (see wallet_connector.h and PROTOCOL.md). Everything runs on the host's
// I/O threads and never blocks: requests go out with HttpClient::Send, polls and deferred sends
// are Scheduler tasks that hold the connector's state weakly, so destroying the connector with
// work in flight is safe (in-flight callbacks still answer their caller exactly once).

#include "wallet_connector.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "wallet_protocol.h"

namespace pay::wallet {
namespace {

using connector::CollectionCallback;
using connector::CollectionOutcome;
using connector::CollectionRequest;
using connector::ConnectorContext;
using connector::HttpRequest;
using connector::HttpResponse;
using connector::Notification;
using connector::NotificationCallback;
using connector::NotificationReply;
using connector::OutcomeStatus;

// Final outcomes remembered (for an early callback racing the request-to-pay answer, and to
// stop polling): at most this many, the oldest forgotten first.
constexpr size_t kMaxRememberedFinals = 4096;

class SystemClock final : public connector::Clock {
 public:
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

struct Settings {
  std::string name;
  std::string merchant_id;
  std::string secret;
  std::string callback_url;
  std::string callback_target;  // the signed target of callbacks: callback_url's path and query
  std::string base_path;        // url's path, put in front of every request target
  std::string currency;
  int64_t replay_window_seconds = kDefaultReplayWindowSeconds;
  int64_t poll_after_ms = 3000;
  int64_t poll_max_ms = 60000;
  int64_t poll_attempts = 8;
};

CollectionOutcome Failed(std::string code, std::string message) {
  CollectionOutcome outcome;
  outcome.status = OutcomeStatus::kFailed;
  outcome.failure_code = std::move(code);
  outcome.failure_message = std::move(message);
  return outcome;
}

std::string DescribeReason(std::string_view reason) {
  if (reason == "INSUFFICIENT_FUNDS") return "the payer's wallet balance is too low";
  if (reason == "DECLINED") return "the payer declined the payment on the phone";
  if (reason == "UNKNOWN_WALLET") return "no wallet is registered for this phone number";
  if (reason == "CURRENCY_MISMATCH") return "the payer's wallet holds another currency";
  if (reason == "EXCEEDS_COLLECTED") return "the refunds would exceed the amount collected";
  return "the wallet reported " + std::string(reason);
}

CollectionOutcome OutcomeOf(const PaymentStatusReport& report) {
  CollectionOutcome outcome;
  outcome.connector_reference = report.wallet_reference;
  switch (report.status) {
    case PaymentStatus::kPending:
      outcome.status = OutcomeStatus::kPending;
      break;
    case PaymentStatus::kSucceeded:
      outcome.status = OutcomeStatus::kSucceeded;
      break;
    case PaymentStatus::kFailed:
      outcome.status = OutcomeStatus::kFailed;
      outcome.failure_code = report.reason;
      outcome.failure_message = DescribeReason(report.reason);
      break;
  }
  return outcome;
}

NotificationReply JsonReply(int status, std::string body) {
  return NotificationReply{status, "application/json", std::move(body)};
}

// "HTTP 500 (INTERNAL: message)" for messages.
std::string DescribeAnswer(const HttpResponse& response) {
  std::string text = "HTTP " + std::to_string(response.status);
  const std::string code = ErrorCode(response.body);
  if (!code.empty()) text += " (" + code + ")";
  return text;
}

// A request waiting for the next second. If the scheduler drops it (stopping), its caller
// still gets its one answer: nothing was sent.
struct DeferredSend {
  HttpRequest request;
  connector::HttpClient::Callback done;

  ~DeferredSend() {
    if (done) {
      done(
          absl::UnavailableError("the connector stopped before the request was sent; nothing "
                                 "was sent"));
    }
  }
};

// The state shared by the connector and its in-flight work.
class Core : public std::enable_shared_from_this<Core> {
 public:
  Core(Settings settings, const ConnectorContext& context)
      : settings_(std::move(settings)),
        http_(context.http),
        scheduler_(context.scheduler),
        clock_(context.clock != nullptr ? context.clock : &system_clock_),
        logger_(context.logger),
        sink_(context.sink) {}

  const Settings& settings() const { return settings_; }

  // Signs `request` (target relative to the base URL) and sends it. Two POSTs with the same
  // signature (same body and target within one second) would look like a replay to the wallet,
  // so the second is deferred to the next second.
  void SendSigned(HttpRequest request, connector::HttpClient::Callback done) {
    const int64_t now_ms = clock_->NowMs();
    const int64_t now_s = now_ms / 1000;
    const std::string wire_target = settings_.base_path + request.target;
    const std::string signature = ComputeSignature(settings_.secret, std::to_string(now_s),
                                                   request.method, wire_target, request.body);
    if (request.method != "GET" && scheduler_ != nullptr) {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto it = sent_signatures_.begin(); it != sent_signatures_.end();) {
        it = it->second < now_s ? sent_signatures_.erase(it) : std::next(it);
      }
      if (!sent_signatures_.emplace(signature, now_s).second) {
        const auto wait = std::chrono::milliseconds(1000 - now_ms % 1000 + 1);
        auto deferred = std::make_shared<DeferredSend>();
        deferred->request = std::move(request);
        deferred->done = std::move(done);
        scheduler_->After(wait, [self = shared_from_this(), deferred] {
          self->SendSigned(std::move(deferred->request), std::exchange(deferred->done, nullptr));
        });
        return;
      }
    }
    request.headers.emplace_back(std::string(kTimestampHeader), std::to_string(now_s));
    request.headers.emplace_back(std::string(kSignatureHeader), signature);
    request.headers.emplace_back("Accept", "application/json");
    if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    http_->Send(std::move(request), std::move(done));
  }

  void Collect(const CollectionRequest& request, CollectionCallback done) {
    if (request.method != PaymentMethod::kMobileWallet) {
      return done(Failed("UNSUPPORTED_METHOD",
                         "the wallet connector takes MOBILE_WALLET payments only, not " +
                             std::string(PaymentMethodName(request.method))));
    }
    if (!IsE164(request.payer_account)) {
      return done(Failed("INVALID_PAYER_ACCOUNT",
                         "payer_account must be the payer's phone number in E.164 format "
                         "(\"+\" then 8 to 15 digits, e.g. +966501234567)"));
    }
    if (!settings_.currency.empty() && request.amount.currency() != settings_.currency) {
      return done(Failed("UNSUPPORTED_CURRENCY", "this wallet collects " + settings_.currency +
                                                     " only, not " + request.amount.currency()));
    }
    RequestToPay message;
    message.merchant_id = settings_.merchant_id;
    message.request_id = request.payment_id;
    message.amount = request.amount;
    message.msisdn = request.payer_account;
    message.description = request.bill_number.empty()
                              ? "Government fee"
                              : "Government fee, bill " + request.bill_number;
    message.callback_url = settings_.callback_url;
    HttpRequest http;
    http.method = "POST";
    http.target = std::string(kRequestToPayPath);
    http.body = ToJson(message);
    const std::string payment_id = request.payment_id;
    SendSigned(std::move(http), [self = shared_from_this(), payment_id,
                                 done = std::move(done)](Result<HttpResponse> result) {
      self->OnCollectAnswer(payment_id, std::move(result), done);
    });
  }

  void OnCollectAnswer(const std::string& payment_id, Result<HttpResponse> result,
                       const CollectionCallback& done) {
    const std::string what = "wallet request-to-pay " + payment_id + ": ";
    if (!result.ok()) {
      // kUnavailable (nothing sent) and kDeadlineExceeded (unknown) keep their meaning.
      return done(Status(result.status().code(), what + std::string(result.status().message())));
    }
    const HttpResponse& response = *result;
    if (response.status == 409) {
      return done(absl::InternalError(
          what +
          "the wallet already has this request_id with other parameters (HTTP 409); "
          "the outcome of the original request is unknown: inquire, and never reuse a "
          "payment_id for a different payment"));
    }
    if (response.status != 200 && response.status != 202) {
      return done(absl::InternalError(what + "the wallet answered " + DescribeAnswer(response) +
                                      "; the outcome is unknown: inquire before retrying"));
    }
    Result<PaymentStatusReport> report = ParsePaymentStatusReport(response.body);
    if (!report.ok() || report->request_id != payment_id) {
      return done(absl::InternalError(
          what + "the wallet's answer is not a status report for this request (" +
          (report.ok() ? "request_id " + report->request_id
                       : std::string(report.status().message())) +
          "); the outcome is unknown: inquire"));
    }
    if (report->status == PaymentStatus::kPending) {
      // The callback may have overtaken this answer.
      if (std::optional<CollectionOutcome> known = KnownFinal(payment_id)) return done(*known);
      StartPolling(payment_id);
    }
    done(OutcomeOf(*report));
  }

  void Inquire(const CollectionRequest& request, CollectionCallback done) {
    const std::string payment_id = request.payment_id;
    FetchStatus(payment_id, [self = shared_from_this(), payment_id,
                             done = std::move(done)](Result<PaymentStatusReport> report) {
      if (!report.ok()) return done(report.status());
      CollectionOutcome outcome = OutcomeOf(*report);
      if (outcome.status != OutcomeStatus::kPending) self->RememberFinal(payment_id, outcome);
      done(std::move(outcome));
    });
  }

  // GET /v1/request-to-pay/{id}: the report, kNotFound when the wallet has no record, another
  // error when the answer is unusable.
  void FetchStatus(const std::string& payment_id,
                   std::function<void(Result<PaymentStatusReport>)> done) {
    HttpRequest http;
    http.method = "GET";
    http.target = std::string(kRequestToPayPath) + "/" + PercentEncode(payment_id);
    SendSigned(std::move(http), [payment_id, done = std::move(done)](Result<HttpResponse> result) {
      const std::string what = "wallet status of " + payment_id + ": ";
      if (!result.ok()) {
        return done(Status(result.status().code(), what + std::string(result.status().message())));
      }
      if (result->status == 404 && ErrorCode(result->body) == "NOT_FOUND") {
        return done(absl::NotFoundError(what + "the wallet has no record of this request"));
      }
      if (result->status != 200) {
        return done(absl::InternalError(what + "the wallet answered " + DescribeAnswer(*result) +
                                        "; try again later"));
      }
      Result<PaymentStatusReport> report = ParsePaymentStatusReport(result->body);
      if (!report.ok() || report->request_id != payment_id) {
        return done(absl::InternalError(what + "the answer is not this request's status (" +
                                        (report.ok() ? "request_id " + report->request_id
                                                     : std::string(report.status().message())) +
                                        ")"));
      }
      done(std::move(report));
    });
  }

  void Refund(const connector::RefundRequest& request, connector::RefundCallback done) {
    RefundOrder order;
    order.refund_id = request.refund_id;
    order.request_id = request.payment_id;
    order.amount = request.amount;
    order.reason = request.reason;
    // Another wallet (phone number) named by the gateway's approver, or the one that paid.
    order.destination_msisdn = request.destination_account;
    HttpRequest http;
    http.method = "POST";
    http.target = std::string(kRefundsPath);
    http.body = ToJson(order);
    const std::string refund_id = request.refund_id;
    SendSigned(std::move(http), [refund_id, done = std::move(done)](Result<HttpResponse> result) {
      const std::string what = "wallet refund " + refund_id + ": ";
      if (!result.ok()) {
        return done(Status(result.status().code(), what + std::string(result.status().message())));
      }
      if (result->status == 409) {
        return done(absl::InternalError(
            what +
            "the wallet already has this refund_id with other parameters (HTTP 409); "
            "never reuse a refund_id for a different refund"));
      }
      if (result->status != 200) {
        return done(absl::InternalError(what + "the wallet answered " + DescribeAnswer(*result) +
                                        "; the outcome is unknown: retry with the same refund_id"));
      }
      Result<RefundResult> answer = ParseRefundResult(result->body);
      if (!answer.ok() || answer->refund_id != refund_id) {
        return done(absl::InternalError(
            what + "the answer is not this refund's result; retry with the same refund_id"));
      }
      connector::RefundOutcome outcome;
      outcome.connector_reference = answer->wallet_reference;
      if (answer->status == PaymentStatus::kSucceeded) {
        outcome.status = OutcomeStatus::kSucceeded;
      } else {
        outcome.status = OutcomeStatus::kFailed;
        outcome.failure_code = answer->reason;
        outcome.failure_message = DescribeReason(answer->reason);
      }
      done(std::move(outcome));
    });
  }

  void FetchStatement(int64_t from_ms, int64_t to_ms, connector::StatementCallback done) {
    HttpRequest http;
    http.method = "GET";
    http.target = std::string(kStatementPath) + "?from_ms=" + std::to_string(from_ms) +
                  "&to_ms=" + std::to_string(to_ms);
    SendSigned(std::move(http), [from_ms, to_ms,
                                 done = std::move(done)](Result<HttpResponse> result) {
      const std::string what = "wallet statement: ";
      if (!result.ok()) {
        return done(Status(result.status().code(), what + std::string(result.status().message())));
      }
      if (result->status != 200) {
        return done(absl::InternalError(what + "the wallet answered " + DescribeAnswer(*result) +
                                        "; try again later"));
      }
      Result<std::vector<StatementEntry>> lines = ParseStatement(result->body);
      if (!lines.ok()) {
        return done(absl::InternalError(
            what + "unreadable answer: " + std::string(lines.status().message())));
      }
      connector::Statement statement;
      statement.from_ms = from_ms;
      statement.to_ms = to_ms;
      for (StatementEntry& line : *lines) {
        connector::StatementLine out;
        out.payment_id = std::move(line.request_id);
        out.connector_reference = std::move(line.wallet_reference);
        out.amount = line.amount;
        out.booking_time_ms = line.booking_time_ms;
        statement.lines.push_back(std::move(out));
      }
      done(std::move(statement));
    });
  }

  void HandleNotification(const Notification& notification, NotificationCallback reply) {
    if (TargetPath(notification.path) != "/callback") {
      return reply(JsonReply(404, ErrorJson("NOT_FOUND",
                                            "the wallet connector takes callbacks "
                                            "on /callback only")));
    }
    const int64_t now_s = clock_->NowMs() / 1000;
    Result<std::string> verified =
        VerifySignature(settings_.secret, notification.headers, "POST", settings_.callback_target,
                        notification.body, now_s, settings_.replay_window_seconds);
    if (!verified.ok()) {
      Log(connector::Logger::Level::kWarning,
          "rejected a callback (HTTP 401): " + std::string(verified.status().message()) +
              (notification.peer_common_name.empty()
                   ? std::string()
                   : " (client certificate CN=" + notification.peer_common_name + ")"));
      return reply(
          JsonReply(401, ErrorJson("INVALID_SIGNATURE", std::string(verified.status().message()))));
    }
    Result<CallbackEvent> event = ParseCallbackEvent(notification.body);
    if (!event.ok()) {
      Log(connector::Logger::Level::kWarning,
          "rejected a malformed callback (HTTP 400): " + std::string(event.status().message()));
      return reply(JsonReply(400, ErrorJson("MALFORMED", std::string(event.status().message()))));
    }
    Status reported;
    if (const auto* status = std::get_if<PaymentStatusEvent>(&*event)) {
      if (status->report.status == PaymentStatus::kPending) {
        return reply(JsonReply(200, R"({"received":true})"));
      }
      const CollectionOutcome outcome = OutcomeOf(status->report);
      reported = sink_->ReportCollection(status->report.request_id, outcome);
      if (reported.ok()) RememberFinal(status->report.request_id, outcome);
    } else {
      const auto& credit = std::get<CreditEvent>(*event);
      connector::CreditNotice notice;
      notice.reference = credit.reference;
      notice.method = PaymentMethod::kMobileWallet;
      notice.bill_number = credit.bill_number;
      notice.amount = credit.amount;
      notice.payer_name = credit.payer_name;
      notice.payer_account = credit.payer_msisdn;
      notice.booking_time_ms = credit.booking_time_ms;
      reported = sink_->ReportCredit(notice);
    }
    if (!reported.ok()) {
      Log(connector::Logger::Level::kWarning,
          "could not record a callback, answered 503 so that the wallet retries: " +
              std::string(reported.message()));
      return reply(JsonReply(503, ErrorJson("RETRY_LATER",
                                            "the gateway could not record the "
                                            "event; send it again later")));
    }
    reply(JsonReply(200, R"({"received":true})"));
  }

 private:
  void Log(connector::Logger::Level level, const std::string& message) {
    if (logger_ != nullptr) logger_->Log(level, message);
  }

  std::optional<CollectionOutcome> KnownFinal(const std::string& payment_id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = finals_.find(payment_id);
    if (it == finals_.end()) return std::nullopt;
    return it->second;
  }

  void RememberFinal(const std::string& payment_id, const CollectionOutcome& outcome) {
    std::lock_guard<std::mutex> lock(mu_);
    polling_.erase(payment_id);
    if (!finals_.emplace(payment_id, outcome).second) return;
    finals_order_.push_back(payment_id);
    while (finals_order_.size() > kMaxRememberedFinals) {
      finals_.erase(finals_order_.front());
      finals_order_.pop_front();
    }
  }

  // The callback fallback: polls the status of `payment_id` until it is final and reported.
  void StartPolling(const std::string& payment_id) {
    if (scheduler_ == nullptr || settings_.poll_attempts <= 0) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!polling_.insert(payment_id).second) return;
    }
    SchedulePoll(payment_id, 1, settings_.poll_after_ms);
  }

  void SchedulePoll(const std::string& payment_id, int64_t attempt, int64_t delay_ms) {
    std::weak_ptr<Core> weak = weak_from_this();
    scheduler_->After(std::chrono::milliseconds(delay_ms), [weak, payment_id, attempt, delay_ms] {
      if (auto self = weak.lock()) self->Poll(payment_id, attempt, delay_ms);
    });
  }

  void Poll(const std::string& payment_id, int64_t attempt, int64_t delay_ms) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (polling_.count(payment_id) == 0) return;  // a callback settled it
    }
    std::weak_ptr<Core> weak = weak_from_this();
    FetchStatus(
        payment_id, [weak, payment_id, attempt, delay_ms](Result<PaymentStatusReport> report) {
          auto self = weak.lock();
          if (!self) return;
          if (report.ok() && report->status != PaymentStatus::kPending) {
            const CollectionOutcome outcome = OutcomeOf(*report);
            Status recorded = self->sink_->ReportCollection(payment_id, outcome);
            if (recorded.ok()) {
              self->Log(connector::Logger::Level::kInfo,
                        "no callback for " + payment_id + "; polling found it " +
                            std::string(PaymentStatusName(report->status)));
              self->RememberFinal(payment_id, outcome);
              return;
            }
            self->Log(connector::Logger::Level::kWarning,
                      "could not record the polled outcome of " + payment_id + ": " +
                          std::string(recorded.message()) + "; polling again");
          } else if (!report.ok()) {
            self->Log(connector::Logger::Level::kDebug,
                      "poll: " + std::string(report.status().message()));
          }
          if (attempt >= self->settings_.poll_attempts) {
            {
              std::lock_guard<std::mutex> lock(self->mu_);
              self->polling_.erase(payment_id);
            }
            self->Log(connector::Logger::Level::kWarning,
                      "no final status for " + payment_id + " after " + std::to_string(attempt) +
                          " polls; stopped polling (the gateway's inquiry will settle it)");
            return;
          }
          const int64_t next = std::min(delay_ms * 2, self->settings_.poll_max_ms);
          self->SchedulePoll(payment_id, attempt + 1, next);
        });
  }

  const Settings settings_;
  const std::shared_ptr<connector::HttpClient> http_;
  connector::Scheduler* const scheduler_;
  SystemClock system_clock_;
  const connector::Clock* const clock_;
  connector::Logger* const logger_;
  connector::OutcomeSink* const sink_;

  std::mutex mu_;
  std::map<std::string, CollectionOutcome> finals_;  // guarded by mu_
  std::deque<std::string> finals_order_;             // guarded by mu_
  std::set<std::string> polling_;                    // guarded by mu_
  std::map<std::string, int64_t> sent_signatures_;   // signature -> second; guarded by mu_
};

class WalletConnector final : public connector::Connector {
 public:
  explicit WalletConnector(std::shared_ptr<Core> core) : core_(std::move(core)) {}

  std::string_view name() const override { return core_->settings().name; }

  bool Supports(PaymentMethod method) const override {
    return method == PaymentMethod::kMobileWallet;
  }

  void Collect(const CollectionRequest& request, CollectionCallback done) override {
    core_->Collect(request, std::move(done));
  }

  void Inquire(const CollectionRequest& request, CollectionCallback done) override {
    core_->Inquire(request, std::move(done));
  }

  bool CanRefund() const override { return true; }

  void Refund(const connector::RefundRequest& request, connector::RefundCallback done) override {
    core_->Refund(request, std::move(done));
  }

  void HandleNotification(const Notification& notification, NotificationCallback reply) override {
    core_->HandleNotification(notification, std::move(reply));
  }

  void FetchStatement(int64_t from_ms, int64_t to_ms, connector::StatementCallback done) override {
    core_->FetchStatement(from_ms, to_ms, std::move(done));
  }

 private:
  const std::shared_ptr<Core> core_;
};

Result<int64_t> PositiveInt(const connector::ConnectorConfig& config, std::string_view key,
                            int64_t fallback) {
  PAY_ASSIGN_OR_RETURN(int64_t value, config.GetInt(key, fallback));
  if (value <= 0) {
    return absl::InvalidArgumentError(std::string(key) + ": must be a positive integer, got " +
                                      std::to_string(value));
  }
  return value;
}

}  // namespace

Result<std::unique_ptr<connector::Connector>> NewWalletConnector(const ConnectorContext& context) {
  const connector::ConnectorConfig& config = context.config;
  Settings settings;
  settings.name = context.name.empty() ? std::string(kConnectorType) : context.name;
  if (context.http == nullptr) {
    return absl::InvalidArgumentError(
        "url: required in the wallet connector's table (the wallet's API base URL, "
        "https://host:port)");
  }
  if (context.sink == nullptr) {
    return absl::InvalidArgumentError("the host gave the wallet connector no OutcomeSink");
  }
  PAY_ASSIGN_OR_RETURN(settings.merchant_id, config.Require("merchant_id"));
  PAY_ASSIGN_OR_RETURN(settings.secret, config.Secret("hmac_secret"));
  PAY_ASSIGN_OR_RETURN(settings.callback_url, config.Require("callback_url"));
  PAY_ASSIGN_OR_RETURN(SplitUrl callback, SplitHttpUrl("callback_url", settings.callback_url));
  settings.callback_target = callback.target;
  if (config.Has("url")) {
    PAY_ASSIGN_OR_RETURN(SplitUrl base, SplitHttpUrl("url", config.Get("url")));
    settings.base_path = TargetPath(base.target) == "/" ? "" : std::string(TargetPath(base.target));
    while (!settings.base_path.empty() && settings.base_path.back() == '/') {
      settings.base_path.pop_back();
    }
  }
  PAY_ASSIGN_OR_RETURN(settings.replay_window_seconds,
                       PositiveInt(config, "replay_window_seconds", kDefaultReplayWindowSeconds));
  PAY_ASSIGN_OR_RETURN(settings.poll_after_ms, PositiveInt(config, "poll_after_ms", 3000));
  PAY_ASSIGN_OR_RETURN(settings.poll_max_ms, PositiveInt(config, "poll_max_ms", 60000));
  PAY_ASSIGN_OR_RETURN(settings.poll_attempts, config.GetInt("poll_attempts", 8));
  if (settings.poll_attempts < 0) {
    return absl::InvalidArgumentError("poll_attempts: must be 0 (no polling) or more");
  }
  settings.currency = config.Get("currency");
  if (!settings.currency.empty() && FindCurrency(settings.currency) == nullptr) {
    return absl::InvalidArgumentError("currency: \"" + settings.currency +
                                      "\" is not an ISO 4217 code (e.g. SAR)");
  }
  auto core = std::make_shared<Core>(std::move(settings), context);
  return std::unique_ptr<connector::Connector>(new WalletConnector(std::move(core)));
}

void RegisterConnector(connector::ConnectorRegistry* registry) {
  registry->Register(std::string(kConnectorType), &NewWalletConnector);
}

}  // namespace pay::wallet
