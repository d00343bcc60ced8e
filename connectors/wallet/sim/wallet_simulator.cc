// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The wallet simulator (see wallet_simulator.h): request routing, the books (wallets, merchant
// account, requests, refunds, statement) under one mutex, approvals and callbacks on the
// runtime's timers, faults, and the optional JSON state file.

#include "wallet_simulator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "wallet_protocol.h"
#include "seed_spec.h"

namespace pay::wallet::sim {
namespace {

using connector::HttpResponder;
using connector::HttpResponse;
using connector::HttpServerRequest;
using Json = nlohmann::json;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers = {{"Content-Type", "application/json"}};
  response.body = std::move(body);
  return response;
}

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  return JsonResponse(status, ErrorJson(code, message));
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The one-shot faults that can be set per request id.
const std::set<std::string>& FaultNames() {
  static const std::set<std::string> names = {
      "timeout",        "error",  "drop_request", "lost_callback", "duplicate_callback",
      "early_callback", "decline"};
  return names;
}

struct Wallet {
  std::string msisdn;
  std::string name;
  std::string currency;
  int64_t balance = 0;
};

struct Request {
  RequestToPay order;
  std::string wallet_reference;
  PaymentStatus status = PaymentStatus::kPending;
  std::string reason;
  int64_t create_time_ms = 0;
  int collected_count = 0;
  int64_t refunded_minor = 0;
  // How the approval behaves (from faults at acceptance).
  bool decline = false;
  bool lost_callback = false;
  bool duplicate_callback = false;
  // Delivery history of this request's callbacks (HTTP status per attempt; 0: no answer).
  int callbacks_sent = 0;
  std::vector<int> callback_answers;

  PaymentStatusReport Report() const {
    return PaymentStatusReport{order.request_id, wallet_reference, status, reason, order.amount};
  }
};

struct Refund {
  RefundOrder order;
  RefundResult result;
};

struct PushRecord {
  CreditEvent event;
  int callbacks_sent = 0;
  std::vector<int> callback_answers;
};

// A callback being delivered, with its retry schedule.
struct Delivery {
  std::string url;
  std::string body;
  std::string request_id;  // or empty for a push
  std::string push_reference;
  int64_t started_ms = 0;
  int64_t next_delay_ms = 0;
  std::function<void()> after_first_attempt;  // early_callback: answer the HTTP request
  std::function<void()> on_delivered;         // duplicate_callback: send again
};

Json AmountJson(const Money& money) {
  return Json{{"currency", money.currency()}, {"minor_units", money.minor_units()}};
}

std::optional<Money> AmountFrom(const Json& json) {
  if (!json.is_object()) return std::nullopt;
  auto currency = json.find("currency");
  auto minor = json.find("minor_units");
  if (currency == json.end() || !currency->is_string() || minor == json.end() ||
      !minor->is_number_integer()) {
    return std::nullopt;
  }
  auto money = Money::Create(currency->get<std::string>(), minor->get<int64_t>());
  if (!money.ok()) return std::nullopt;
  return *money;
}

std::string StringField(const Json& json, const char* key) {
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double RateField(const Json& json, const char* key, std::string* error) {
  auto it = json.find(key);
  if (it == json.end()) return 0;
  if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 1) {
    *error = std::string(key) + ": must be a number from 0 to 1";
    return 0;
  }
  return it->get<double>();
}

}  // namespace

struct Simulator::Impl : std::enable_shared_from_this<Simulator::Impl> {
  Impl(connector::IoRuntime& runtime, SimulatorOptions options)
      : runtime(runtime),
        options(std::move(options)),
        replay(this->options.replay_window_seconds),
        random(this->options.faults.seed) {}

  connector::IoRuntime& runtime;
  const SimulatorOptions options;
  ReplayCache replay;
  std::unique_ptr<connector::HttpServer> server;

  std::mutex mu;
  std::map<std::string, Wallet> wallets;                            // by msisdn; guarded by mu
  std::map<std::string, int64_t> merchant_balances;                 // by currency; guarded by mu
  int64_t collected_count = 0;                                      // guarded by mu
  int64_t refunded_count = 0;                                       // guarded by mu
  std::map<std::string, Request> requests;                          // guarded by mu
  // Request ids answered 404 by a status inquiry: closed for good (PROTOCOL.md 3.3).
  std::set<std::string> closed_ids;                                 // guarded by mu
  std::map<std::string, Refund> refunds;                            // guarded by mu
  std::map<std::string, PushRecord> pushes;                         // by reference; guarded by mu
  std::vector<StatementEntry> statement;                            // guarded by mu
  std::map<std::string, std::vector<std::string>> one_shot_faults;  // guarded by mu
  FaultRates faults;                                                // guarded by mu
  std::mt19937_64 random;                                           // guarded by mu
  std::string run_id;                                               // guarded by mu
  uint64_t sequence = 0;                                            // guarded by mu

  std::mutex clients_mu;
  std::map<std::string, std::shared_ptr<connector::HttpClient>> clients;  // by base URL

  // ------------------------------------------------------------------------------------------
  // Helpers

  std::string NextId(std::string_view prefix) {  // requires mu
    ++sequence;
    char digits[16];
    std::snprintf(digits, sizeof(digits), "%08llu", static_cast<unsigned long long>(sequence));
    return std::string(prefix) + "-" + run_id + "-" + digits;
  }

  void Later(int64_t delay_ms, std::function<void()> task) {
    if (delay_ms <= 0) return task();
    runtime.After(std::chrono::milliseconds(delay_ms), std::move(task));
  }

  void Answer(const HttpResponder& respond, HttpResponse response, int64_t latency_ms) {
    if (latency_ms <= 0) return respond(std::move(response));
    runtime.After(
        std::chrono::milliseconds(latency_ms),
        [respond, response = std::move(response)]() mutable { respond(std::move(response)); });
  }

  // Never answers: the responder is dropped after hold_ms (the client gave up long before).
  void Hold(HttpResponder respond) {
    runtime.After(std::chrono::milliseconds(options.hold_ms), [respond] {});
  }

  bool Draw(double rate) {  // requires mu
    if (rate <= 0) return false;
    return std::uniform_real_distribution<double>(0.0, 1.0)(random) < rate;
  }

  // ------------------------------------------------------------------------------------------
  // State file

  Json StateJsonLocked() const {
    Json json;
    json["run_id"] = run_id;
    json["sequence"] = sequence;
    Json wallet_list = Json::array();
    for (const auto& [msisdn, wallet] : wallets) {
      wallet_list.push_back({{"msisdn", msisdn},
                             {"name", wallet.name},
                             {"currency", wallet.currency},
                             {"balance_minor_units", wallet.balance}});
    }
    json["wallets"] = std::move(wallet_list);
    json["merchant"] = {{"balances", merchant_balances},
                        {"collected_count", collected_count},
                        {"refunded_count", refunded_count}};
    Json request_list = Json::array();
    for (const auto& [id, request] : requests) {
      request_list.push_back({{"order", Json::parse(ToJson(request.order))},
                              {"wallet_reference", request.wallet_reference},
                              {"status", std::string(PaymentStatusName(request.status))},
                              {"reason", request.reason},
                              {"create_time_ms", request.create_time_ms},
                              {"collected_count", request.collected_count},
                              {"refunded_minor_units", request.refunded_minor}});
    }
    json["requests"] = std::move(request_list);
    Json refund_list = Json::array();
    for (const auto& [id, refund] : refunds) {
      refund_list.push_back({{"order", Json::parse(ToJson(refund.order))},
                             {"result", Json::parse(ToJson(refund.result))}});
    }
    json["refunds"] = std::move(refund_list);
    json["statement"] = Json::parse(ToJson(statement))["lines"];
    return json;
  }

  void SaveLocked() {
    if (options.state_file.empty()) return;
    const std::string temporary = options.state_file + ".tmp";
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << Dump(StateJsonLocked()) << "\n";
      if (!out) {
        spdlog::error("cannot write the state file {}; balances will not survive a restart",
                      temporary);
        return;
      }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, options.state_file, ec);
    if (ec) spdlog::error("cannot replace the state file {}: {}", options.state_file, ec.message());
  }

  Status LoadState() {
    std::ifstream in(options.state_file, std::ios::binary);
    if (!in) return absl::OkStatus();  // first start
    std::ostringstream text;
    text << in.rdbuf();
    Json json = Json::parse(text.str(), nullptr, false);
    const std::string bad = "--state-file " + options.state_file +
                            " is not a wallet-sim state file; move it away to start empty";
    if (json.is_discarded() || !json.is_object()) return absl::InvalidArgumentError(bad);
    try {
      run_id = json.at("run_id").get<std::string>();
      sequence = json.at("sequence").get<uint64_t>();
      for (const Json& item : json.at("wallets")) {
        Wallet wallet{item.at("msisdn").get<std::string>(), item.at("name").get<std::string>(),
                      item.at("currency").get<std::string>(),
                      item.at("balance_minor_units").get<int64_t>()};
        wallets[wallet.msisdn] = wallet;
      }
      const Json& merchant = json.at("merchant");
      merchant_balances = merchant.at("balances").get<std::map<std::string, int64_t>>();
      collected_count = merchant.at("collected_count").get<int64_t>();
      refunded_count = merchant.at("refunded_count").get<int64_t>();
      for (const Json& item : json.at("requests")) {
        Request request;
        PAY_ASSIGN_OR_RETURN(request.order, ParseRequestToPay(item.at("order").dump()));
        request.wallet_reference = item.at("wallet_reference").get<std::string>();
        request.status = PaymentStatusFromName(item.at("status").get<std::string>())
                             .value_or(PaymentStatus::kPending);
        request.reason = item.at("reason").get<std::string>();
        request.create_time_ms = item.at("create_time_ms").get<int64_t>();
        request.collected_count = item.at("collected_count").get<int>();
        request.refunded_minor = item.at("refunded_minor_units").get<int64_t>();
        requests[request.order.request_id] = std::move(request);
      }
      for (const Json& item : json.at("refunds")) {
        Refund refund;
        PAY_ASSIGN_OR_RETURN(refund.order, ParseRefundOrder(item.at("order").dump()));
        PAY_ASSIGN_OR_RETURN(refund.result, ParseRefundResult(item.at("result").dump()));
        refunds[refund.order.refund_id] = std::move(refund);
      }
      PAY_ASSIGN_OR_RETURN(statement, ParseStatement(Json{{"lines", json.at("statement")}}.dump()));
    } catch (const std::exception& e) {
      return absl::InvalidArgumentError(bad + " (" + e.what() + ")");
    }
    spdlog::info("loaded {} wallets and {} requests from {}", wallets.size(), requests.size(),
                 options.state_file);
    return absl::OkStatus();
  }

  // ------------------------------------------------------------------------------------------
  // Routing

  void Handle(HttpServerRequest request, HttpResponder respond) {
    const std::string path(TargetPath(request.target));
    if (StartsWith(path, "/v1/")) return HandleProtocol(std::move(request), std::move(respond));
    if (StartsWith(path, "/sim/")) return HandleControl(request, respond);
    respond(ErrorResponse(404, "NOT_FOUND",
                          "no such endpoint: the API is under /v1/ and the "
                          "simulator's control API under /sim/"));
  }

  void HandleProtocol(HttpServerRequest request, HttpResponder respond) {
    int64_t latency_ms = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      latency_ms = faults.latency_ms;
    }
    const int64_t now_s = NowMs() / 1000;
    Result<std::string> signature =
        VerifySignature(options.hmac_secret, request.headers, request.method, request.target,
                        request.body, now_s, options.replay_window_seconds);
    if (!signature.ok()) {
      spdlog::warn("{} {}: refused (401): {}", request.method, request.target,
                   std::string(signature.status().message()));
      return Answer(
          respond, ErrorResponse(401, "UNAUTHENTICATED", std::string(signature.status().message())),
          latency_ms);
    }
    if (request.method == "POST") {
      const int64_t stamp = std::stoll(std::string(HeaderValue(request.headers, kTimestampHeader)));
      if (!replay.Remember(*signature, stamp, now_s)) {
        spdlog::warn("{} {}: refused (401): replayed signature", request.method, request.target);
        return Answer(respond,
                      ErrorResponse(401, "REPLAYED",
                                    "this exact signed request was already received; sign each "
                                    "request anew (a later timestamp)"),
                      latency_ms);
      }
    }
    const std::string path(TargetPath(request.target));
    if (request.method == "POST" && path == kRequestToPayPath) {
      return RequestToPayCall(request, std::move(respond), latency_ms);
    }
    if (request.method == "GET" && StartsWith(path, std::string(kRequestToPayPath) + "/")) {
      auto id = PercentDecode(path.substr(kRequestToPayPath.size() + 1));
      return Answer(respond,
                    id.ok()
                        ? StatusCall(*id)
                        : ErrorResponse(400, "INVALID_REQUEST", std::string(id.status().message())),
                    latency_ms);
    }
    if (request.method == "POST" && path == kRefundsPath) {
      return Answer(respond, RefundCall(request.body), latency_ms);
    }
    if (request.method == "GET" && path == kStatementPath) {
      return Answer(respond, StatementCall(request.target), latency_ms);
    }
    Answer(respond,
           ErrorResponse(404, "NO_SUCH_ENDPOINT",
                         request.method + " " + path + " is not part of the protocol"),
           latency_ms);
  }

  // ------------------------------------------------------------------------------------------
  // POST /v1/request-to-pay

  void RequestToPayCall(const HttpServerRequest& http, HttpResponder respond, int64_t latency_ms) {
    Result<RequestToPay> order = ParseRequestToPay(http.body);
    if (!order.ok()) {
      return Answer(respond,
                    ErrorResponse(400, "INVALID_REQUEST", std::string(order.status().message())),
                    latency_ms);
    }
    if (order->merchant_id != options.merchant_id) {
      return Answer(respond,
                    ErrorResponse(403, "UNKNOWN_MERCHANT",
                                  "merchant_id \"" + order->merchant_id +
                                      "\" has no account here; use the id the wallet issued"),
                    latency_ms);
    }
    std::set<std::string> active;
    HttpResponse response;
    bool schedule_approval = false;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto shot = one_shot_faults.find(order->request_id);
      if (shot != one_shot_faults.end()) {
        active.insert(shot->second.begin(), shot->second.end());
        one_shot_faults.erase(shot);
      }
      const double r = std::uniform_real_distribution<double>(0.0, 1.0)(random);
      if (r < faults.timeout_rate) {
        active.insert("timeout");
      } else if (r < faults.timeout_rate + faults.error_rate) {
        active.insert("error");
      } else if (r < faults.timeout_rate + faults.error_rate + faults.drop_rate) {
        active.insert("drop_request");
      }
      if (Draw(faults.decline_rate)) active.insert("decline");
      if (Draw(faults.lost_callback_rate)) active.insert("lost_callback");
      if (Draw(faults.duplicate_callback_rate)) active.insert("duplicate_callback");
      if (Draw(faults.early_callback_rate)) active.insert("early_callback");
      if (active.count("error") || active.count("drop_request")) {
        // Not processed: decided before anything is recorded.
      } else {
        std::tie(response, schedule_approval) = AcceptLocked(*order, active);
        SaveLocked();
      }
    }
    const std::string& id = order->request_id;
    if (active.count("error")) {
      spdlog::info("request-to-pay {}: fault error: answered 500, not processed", id);
      return Answer(respond, ErrorResponse(500, "INTERNAL", "simulated failure; not processed"),
                    latency_ms);
    }
    if (active.count("drop_request")) {
      spdlog::info("request-to-pay {}: fault drop_request: not processed, never answered", id);
      return Hold(std::move(respond));
    }
    spdlog::info("request-to-pay {}: HTTP {} {}", id, response.status, response.body);
    if (!schedule_approval) {
      if (active.count("timeout")) return Hold(std::move(respond));
      return Answer(respond, std::move(response), latency_ms);
    }
    if (active.count("early_callback")) {
      // Approve now and call back before answering.
      std::function<void()> answer;
      if (active.count("timeout")) {
        answer = [self = shared_from_this(), respond] { self->Hold(respond); };
      } else {
        answer = [self = shared_from_this(), respond, response, latency_ms] {
          self->Answer(respond, response, latency_ms);
        };
      }
      return Approve(id, std::move(answer));
    }
    Later(options.approval_delay_ms, [self = shared_from_this(), id] { self->Approve(id, {}); });
    if (active.count("timeout")) {
      spdlog::info("request-to-pay {}: fault timeout: processed, never answered", id);
      return Hold(std::move(respond));
    }
    Answer(respond, std::move(response), latency_ms);
  }

  // Records a new request (or answers a repeated one). Returns the answer and whether an
  // approval is to be scheduled.
  std::pair<HttpResponse, bool> AcceptLocked(const RequestToPay& order,
                                             const std::set<std::string>& active) {
    auto existing = requests.find(order.request_id);
    if (existing != requests.end()) {
      if (!(existing->second.order == order)) {
        return {ErrorResponse(409, "CONFLICT",
                              "request_id " + order.request_id +
                                  " was already used with other parameters; a request_id "
                                  "names one payment"),
                false};
      }
      const Request& request = existing->second;
      return {JsonResponse(request.status == PaymentStatus::kPending ? 202 : 200,
                           ToJson(request.Report())),
              false};
    }
    Request request;
    request.order = order;
    request.wallet_reference = NextId("WR");
    request.create_time_ms = NowMs();
    request.decline = active.count("decline") > 0;
    request.lost_callback = active.count("lost_callback") > 0;
    request.duplicate_callback = active.count("duplicate_callback") > 0;
    auto wallet = wallets.find(order.msisdn);
    if (closed_ids.count(order.request_id) > 0) {
      request.status = PaymentStatus::kFailed;
      request.reason = "CLOSED_BY_INQUIRY";
    } else if (wallet == wallets.end()) {
      request.status = PaymentStatus::kFailed;
      request.reason = "UNKNOWN_WALLET";
    } else if (wallet->second.currency != order.amount.currency()) {
      request.status = PaymentStatus::kFailed;
      request.reason = "CURRENCY_MISMATCH";
    }
    const bool pending = request.status == PaymentStatus::kPending;
    HttpResponse response = JsonResponse(pending ? 202 : 200, ToJson(request.Report()));
    requests.emplace(order.request_id, std::move(request));
    return {std::move(response), pending};
  }

  // The citizen's decision on the phone: debits (or not), then calls back. `answer` (early
  // callback) runs after the first callback attempt.
  void Approve(const std::string& id, std::function<void()> answer) {
    std::string body;
    std::string callback_url;
    bool lost = false;
    bool duplicate = false;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = requests.find(id);
      if (it == requests.end() || it->second.status != PaymentStatus::kPending) {
        if (answer) answer();
        return;
      }
      Request& request = it->second;
      const Money& amount = request.order.amount;
      auto wallet = wallets.find(request.order.msisdn);
      if (request.decline) {
        request.status = PaymentStatus::kFailed;
        request.reason = "DECLINED";
      } else if (wallet == wallets.end()) {
        request.status = PaymentStatus::kFailed;
        request.reason = "UNKNOWN_WALLET";
      } else if (wallet->second.currency != amount.currency()) {
        request.status = PaymentStatus::kFailed;
        request.reason = "CURRENCY_MISMATCH";
      } else if (wallet->second.balance < amount.minor_units()) {
        request.status = PaymentStatus::kFailed;
        request.reason = "INSUFFICIENT_FUNDS";
      } else {
        wallet->second.balance -= amount.minor_units();
        merchant_balances[amount.currency()] += amount.minor_units();
        request.status = PaymentStatus::kSucceeded;
        ++request.collected_count;
        ++collected_count;
        statement.push_back(StatementEntry{id, request.wallet_reference, amount, NowMs()});
      }
      spdlog::info("request-to-pay {}: {} {}", id, PaymentStatusName(request.status),
                   request.reason);
      SaveLocked();
      lost = request.lost_callback;
      duplicate = request.duplicate_callback;
      callback_url = request.order.callback_url;
      PaymentStatusEvent event{NextId("EV"), request.Report()};
      body = ToJson(event);
    }
    if (lost) {
      spdlog::info("request-to-pay {}: fault lost_callback: no callback", id);
      if (answer) answer();
      return;
    }
    auto delivery = std::make_shared<Delivery>();
    delivery->url = callback_url;
    delivery->body = body;
    delivery->request_id = id;
    delivery->after_first_attempt = std::move(answer);
    if (duplicate) {
      delivery->on_delivered = [self = shared_from_this(), callback_url, body, id] {
        auto again = std::make_shared<Delivery>();
        again->url = callback_url;
        again->body = body;
        again->request_id = id;
        self->Deliver(again);
      };
    }
    Deliver(delivery);
  }

  // ------------------------------------------------------------------------------------------
  // Callbacks

  Result<std::shared_ptr<connector::HttpClient>> ClientFor(const std::string& base) {
    std::lock_guard<std::mutex> lock(clients_mu);
    auto it = clients.find(base);
    if (it != clients.end()) return it->second;
    connector::HttpClientOptions client_options;
    client_options.base_url = base;
    client_options.tls = options.callback_tls;
    client_options.tls.enabled = StartsWith(base, "https://");
    client_options.timeout = std::chrono::milliseconds(options.callback_timeout_ms);
    PAY_ASSIGN_OR_RETURN(std::unique_ptr<connector::HttpClient> client,
                         connector::MakeHttpClient(runtime, client_options));
    std::shared_ptr<connector::HttpClient> shared = std::move(client);
    clients.emplace(base, shared);
    return shared;
  }

  void Deliver(std::shared_ptr<Delivery> delivery) {
    if (delivery->started_ms == 0) {
      delivery->started_ms = NowMs();
      delivery->next_delay_ms = options.callback_first_retry_ms;
    }
    Result<SplitUrl> url = SplitHttpUrl("callback_url", delivery->url);
    Result<std::shared_ptr<connector::HttpClient>> client =
        url.ok() ? ClientFor(url->base)
                 : Result<std::shared_ptr<connector::HttpClient>>(url.status());
    if (!client.ok()) {
      spdlog::error("cannot call back {}: {}", delivery->url,
                    std::string(client.status().message()));
      if (delivery->after_first_attempt) std::exchange(delivery->after_first_attempt, nullptr)();
      return;
    }
    connector::HttpRequest request;
    request.method = "POST";
    request.target = url->target;
    request.body = delivery->body;
    request.headers = {{"Content-Type", "application/json"}};
    SignHeaders(options.hmac_secret, NowMs() / 1000, "POST", request.target, request.body,
                &request.headers);
    (*client)->Send(
        std::move(request), [self = shared_from_this(), delivery](Result<HttpResponse> result) {
          const int status = result.ok() ? result->status : 0;
          self->RecordAnswer(*delivery, status);
          if (delivery->after_first_attempt)
            std::exchange(delivery->after_first_attempt, nullptr)();
          if (status >= 200 && status < 300) {
            if (delivery->on_delivered) std::exchange(delivery->on_delivered, nullptr)();
            return;
          }
          const std::string why = result.ok() ? "HTTP " + std::to_string(status)
                                              : std::string(result.status().message());
          if (NowMs() - delivery->started_ms + delivery->next_delay_ms >
              self->options.callback_give_up_ms) {
            spdlog::error("callback to {} not delivered, giving up: {}", delivery->url, why);
            return;
          }
          spdlog::info("callback to {} failed ({}); retrying in {} ms", delivery->url, why,
                       delivery->next_delay_ms);
          const int64_t delay = delivery->next_delay_ms;
          delivery->next_delay_ms = std::min(delay * 2, self->options.callback_max_retry_ms);
          self->runtime.After(std::chrono::milliseconds(delay),
                              [self, delivery] { self->Deliver(delivery); });
        });
  }

  void RecordAnswer(const Delivery& delivery, int status) {
    std::lock_guard<std::mutex> lock(mu);
    if (!delivery.request_id.empty()) {
      auto it = requests.find(delivery.request_id);
      if (it == requests.end()) return;
      ++it->second.callbacks_sent;
      it->second.callback_answers.push_back(status);
    } else {
      auto it = pushes.find(delivery.push_reference);
      if (it == pushes.end()) return;
      ++it->second.callbacks_sent;
      it->second.callback_answers.push_back(status);
    }
  }

  // ------------------------------------------------------------------------------------------
  // GET /v1/request-to-pay/{id}, POST /v1/refunds, GET /v1/statement

  HttpResponse StatusCall(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = requests.find(id);
    if (it == requests.end()) {
      // The gateway will treat the payment as never sent: a late copy must never collect.
      closed_ids.insert(id);
      return ErrorResponse(404, "NOT_FOUND", "the wallet never received request " + id);
    }
    return JsonResponse(200, ToJson(it->second.Report()));
  }

  HttpResponse RefundCall(const std::string& body) {
    Result<RefundOrder> order = ParseRefundOrder(body);
    if (!order.ok())
      return ErrorResponse(400, "INVALID_REQUEST", std::string(order.status().message()));
    std::lock_guard<std::mutex> lock(mu);
    auto existing = refunds.find(order->refund_id);
    if (existing != refunds.end()) {
      if (!(existing->second.order == *order)) {
        return ErrorResponse(
            409, "CONFLICT",
            "refund_id " + order->refund_id + " was already used with other parameters");
      }
      return JsonResponse(200, ToJson(existing->second.result));
    }
    Refund refund;
    refund.order = *order;
    refund.result.refund_id = order->refund_id;
    refund.result.status = PaymentStatus::kFailed;
    refund.result.wallet_reference = NextId("WRF");
    const Money& amount = order->amount;
    auto request = requests.find(order->request_id);
    if (!order->destination_msisdn.empty()) {
      // A payout to a named wallet: for a request collected here the refund limit holds as
      // usual; an unknown request_id is money collected elsewhere, paid out from this account.
      auto destination = wallets.find(order->destination_msisdn);
      if (destination == wallets.end()) {
        refund.result.reason = "UNKNOWN_WALLET";
      } else if (request != requests.end() &&
                 (request->second.status != PaymentStatus::kSucceeded ||
                  request->second.order.amount.currency() != amount.currency() ||
                  request->second.refunded_minor + amount.minor_units() >
                      request->second.order.amount.minor_units())) {
        refund.result.reason = "EXCEEDS_COLLECTED";
      } else if (merchant_balances[amount.currency()] < amount.minor_units()) {
        refund.result.reason = "MERCHANT_INSUFFICIENT_FUNDS";
      } else {
        merchant_balances[amount.currency()] -= amount.minor_units();
        destination->second.balance += amount.minor_units();
        if (request != requests.end()) request->second.refunded_minor += amount.minor_units();
        ++refunded_count;
        refund.result.status = PaymentStatus::kSucceeded;
        statement.push_back(StatementEntry{order->request_id, refund.result.wallet_reference,
                                           *Money::Create(amount.currency(), -amount.minor_units()),
                                           NowMs()});
      }
    } else if (request == requests.end()) {
      refund.result.reason = "UNKNOWN_REQUEST";
    } else if (request->second.status != PaymentStatus::kSucceeded) {
      refund.result.reason = "NOT_COLLECTED";
    } else if (request->second.order.amount.currency() != amount.currency()) {
      refund.result.reason = "CURRENCY_MISMATCH";
    } else if (request->second.refunded_minor + amount.minor_units() >
               request->second.order.amount.minor_units()) {
      refund.result.reason = "EXCEEDS_COLLECTED";
    } else if (merchant_balances[amount.currency()] < amount.minor_units()) {
      refund.result.reason = "MERCHANT_INSUFFICIENT_FUNDS";
    } else {
      merchant_balances[amount.currency()] -= amount.minor_units();
      auto wallet = wallets.find(request->second.order.msisdn);
      if (wallet != wallets.end()) wallet->second.balance += amount.minor_units();
      request->second.refunded_minor += amount.minor_units();
      ++refunded_count;
      refund.result.status = PaymentStatus::kSucceeded;
      statement.push_back(StatementEntry{order->request_id, refund.result.wallet_reference,
                                         *Money::Create(amount.currency(), -amount.minor_units()),
                                         NowMs()});
    }
    spdlog::info("refund {} of {}: {} {}", order->refund_id, order->request_id,
                 PaymentStatusName(refund.result.status), refund.result.reason);
    HttpResponse response = JsonResponse(200, ToJson(refund.result));
    refunds.emplace(order->refund_id, std::move(refund));
    SaveLocked();
    return response;
  }

  HttpResponse StatementCall(const std::string& target) {
    std::optional<std::string> from = QueryParameter(target, "from_ms");
    std::optional<std::string> to = QueryParameter(target, "to_ms");
    int64_t from_ms = 0;
    int64_t to_ms = 0;
    try {
      if (!from || !to) throw std::invalid_argument("missing");
      size_t used = 0;
      from_ms = std::stoll(*from, &used);
      if (used != from->size()) throw std::invalid_argument("from_ms");
      to_ms = std::stoll(*to, &used);
      if (used != to->size()) throw std::invalid_argument("to_ms");
    } catch (const std::exception&) {
      return ErrorResponse(400, "INVALID_REQUEST",
                           "from_ms and to_ms are required integers (Unix milliseconds)");
    }
    std::vector<StatementEntry> lines;
    std::lock_guard<std::mutex> lock(mu);
    for (const StatementEntry& line : statement) {
      if (line.booking_time_ms >= from_ms && line.booking_time_ms < to_ms) lines.push_back(line);
    }
    return JsonResponse(200, ToJson(lines));
  }

  // ------------------------------------------------------------------------------------------
  // The control API (/sim/): unsigned JSON, for tests and demonstrations.

  void HandleControl(const HttpServerRequest& request, const HttpResponder& respond) {
    const std::string path(TargetPath(request.target));
    Json body;
    if (request.method == "POST") {
      body = Json::parse(request.body, nullptr, false);
      if (body.is_discarded() || !body.is_object()) {
        return respond(ErrorResponse(400, "INVALID_REQUEST", "the body must be a JSON object"));
      }
    }
    if (request.method == "POST" && path == "/sim/wallets") return respond(PutWallet(body));
    if (request.method == "GET" && StartsWith(path, "/sim/wallets/")) {
      auto msisdn = PercentDecode(path.substr(13));
      return respond(GetWallet(msisdn.ok() ? *msisdn : ""));
    }
    if (request.method == "GET" && path == "/sim/merchant") return respond(GetMerchant());
    if (request.method == "POST" && path == "/sim/faults") return respond(SetFaults(body));
    if (request.method == "POST" && path == "/sim/faults/request") {
      return respond(AddOneShotFault(body));
    }
    if (request.method == "POST" && path == "/sim/push") return PushCall(body, respond);
    if (request.method == "GET" && StartsWith(path, "/sim/requests/")) {
      auto id = PercentDecode(path.substr(14));
      return respond(GetRequest(id.ok() ? *id : ""));
    }
    respond(ErrorResponse(
        404, "NOT_FOUND",
        request.method + " " + path + " is not a control call (see wallet-sim --help)"));
  }

  HttpResponse PutWallet(const Json& body) {
    Wallet wallet;
    wallet.msisdn = StringField(body, "msisdn");
    wallet.name = StringField(body, "name");
    wallet.currency = StringField(body, "currency");
    auto balance = body.find("balance_minor_units");
    if (!IsE164(wallet.msisdn)) {
      return ErrorResponse(400, "INVALID_REQUEST", "msisdn: an E.164 number, e.g. +966501234567");
    }
    if (FindCurrency(wallet.currency) == nullptr) {
      return ErrorResponse(400, "INVALID_REQUEST", "currency: an ISO 4217 code, e.g. SAR");
    }
    if (balance == body.end() || !balance->is_number_integer() || balance->get<int64_t>() < 0 ||
        balance->get<int64_t>() > kMaxAmountMinor) {
      return ErrorResponse(400, "INVALID_REQUEST",
                           "balance_minor_units: a non-negative integer (minor units)");
    }
    wallet.balance = balance->get<int64_t>();
    std::lock_guard<std::mutex> lock(mu);
    wallets[wallet.msisdn] = wallet;
    SaveLocked();
    return JsonResponse(200, Dump(WalletJson(wallet)));
  }

  static Json WalletJson(const Wallet& wallet) {
    return Json{{"msisdn", wallet.msisdn},
                {"name", wallet.name},
                {"currency", wallet.currency},
                {"balance_minor_units", wallet.balance}};
  }

  HttpResponse GetWallet(const std::string& msisdn) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = wallets.find(msisdn);
    if (it == wallets.end()) return ErrorResponse(404, "NOT_FOUND", "no wallet " + msisdn);
    return JsonResponse(200, Dump(WalletJson(it->second)));
  }

  HttpResponse GetMerchant() {
    std::lock_guard<std::mutex> lock(mu);
    return JsonResponse(200, Dump(Json{{"merchant_id", options.merchant_id},
                                       {"balances", merchant_balances},
                                       {"collected_count", collected_count},
                                       {"refunded_count", refunded_count},
                                       {"requests", requests.size()}}));
  }

  HttpResponse SetFaults(const Json& body) {
    FaultRates rates;
    std::string error;
    rates.timeout_rate = RateField(body, "timeout_rate", &error);
    rates.error_rate = RateField(body, "error_rate", &error);
    rates.drop_rate = RateField(body, "drop_rate", &error);
    rates.decline_rate = RateField(body, "decline_rate", &error);
    rates.lost_callback_rate = RateField(body, "lost_callback_rate", &error);
    rates.duplicate_callback_rate = RateField(body, "duplicate_callback_rate", &error);
    rates.early_callback_rate = RateField(body, "early_callback_rate", &error);
    auto latency = body.find("latency_ms");
    if (latency != body.end()) {
      if (!latency->is_number_integer() || latency->get<int64_t>() < 0) {
        error = "latency_ms: a non-negative integer";
      } else {
        rates.latency_ms = latency->get<int64_t>();
      }
    }
    if (rates.timeout_rate + rates.error_rate + rates.drop_rate > 1) {
      error = "timeout_rate + error_rate + drop_rate must not exceed 1";
    }
    if (!error.empty()) return ErrorResponse(400, "INVALID_REQUEST", error);
    std::lock_guard<std::mutex> lock(mu);
    auto seed = body.find("seed");
    rates.seed = faults.seed;
    if (seed != body.end() && seed->is_number_unsigned()) {
      rates.seed = seed->get<uint64_t>();
      random.seed(rates.seed);
    }
    faults = rates;
    return JsonResponse(200, Dump(FaultsJson(faults)));
  }

  static Json FaultsJson(const FaultRates& rates) {
    return Json{{"latency_ms", rates.latency_ms},
                {"timeout_rate", rates.timeout_rate},
                {"error_rate", rates.error_rate},
                {"drop_rate", rates.drop_rate},
                {"decline_rate", rates.decline_rate},
                {"lost_callback_rate", rates.lost_callback_rate},
                {"duplicate_callback_rate", rates.duplicate_callback_rate},
                {"early_callback_rate", rates.early_callback_rate},
                {"seed", rates.seed}};
  }

  HttpResponse AddOneShotFault(const Json& body) {
    const std::string id = StringField(body, "request_id");
    const std::string fault = StringField(body, "fault");
    if (id.empty() || FaultNames().count(fault) == 0) {
      return ErrorResponse(400, "INVALID_REQUEST",
                           "request_id (string) and fault (timeout, error, drop_request, "
                           "lost_callback, duplicate_callback, early_callback, decline) required");
    }
    std::lock_guard<std::mutex> lock(mu);
    one_shot_faults[id].push_back(fault);
    return JsonResponse(200, Dump(Json{{"request_id", id}, {"faults", one_shot_faults[id]}}));
  }

  void PushCall(const Json& body, const HttpResponder& respond) {
    const std::string msisdn = StringField(body, "msisdn");
    const std::string bill_number = StringField(body, "bill_number");
    auto amount_it = body.find("amount");
    std::optional<Money> amount = amount_it == body.end() ? std::nullopt : AmountFrom(*amount_it);
    if (options.merchant_callback_url.empty()) {
      return respond(ErrorResponse(412, "NO_MERCHANT_CALLBACK",
                                   "start wallet-sim with --merchant-callback-url to push"));
    }
    if (bill_number.empty() || !amount || amount->minor_units() <= 0) {
      return respond(ErrorResponse(400, "INVALID_REQUEST",
                                   "msisdn, bill_number and a positive amount "
                                   "{currency, minor_units} are required"));
    }
    auto delivery = std::make_shared<Delivery>();
    std::string reference;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto wallet = wallets.find(msisdn);
      if (wallet == wallets.end()) {
        return respond(ErrorResponse(404, "UNKNOWN_WALLET", "no wallet " + msisdn));
      }
      if (wallet->second.currency != amount->currency()) {
        return respond(
            ErrorResponse(422, "CURRENCY_MISMATCH", "the wallet holds " + wallet->second.currency));
      }
      if (wallet->second.balance < amount->minor_units()) {
        return respond(ErrorResponse(422, "INSUFFICIENT_FUNDS", "the wallet balance is too low"));
      }
      wallet->second.balance -= amount->minor_units();
      merchant_balances[amount->currency()] += amount->minor_units();
      ++collected_count;
      reference = NextId("WP");
      PushRecord push;
      push.event.event_id = NextId("EV");
      push.event.reference = reference;
      push.event.bill_number = bill_number;
      push.event.amount = *amount;
      push.event.payer_msisdn = msisdn;
      push.event.payer_name = wallet->second.name;
      push.event.booking_time_ms = NowMs();
      statement.push_back(StatementEntry{"", reference, *amount, push.event.booking_time_ms});
      delivery->body = ToJson(push.event);
      pushes.emplace(reference, std::move(push));
      SaveLocked();
    }
    spdlog::info("push {}: bill {} paid from {}", reference, bill_number, msisdn);
    delivery->url = options.merchant_callback_url;
    delivery->push_reference = reference;
    Deliver(delivery);
    respond(JsonResponse(200, Dump(Json{{"reference", reference}})));
  }

  HttpResponse GetRequest(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = requests.find(id);
    if (it == requests.end()) {
      auto push = pushes.find(id);
      if (push == pushes.end()) return ErrorResponse(404, "NOT_FOUND", "no request " + id);
      return JsonResponse(200, Dump(Json{{"reference", id},
                                         {"callbacks_sent", push->second.callbacks_sent},
                                         {"callback_answers", push->second.callback_answers}}));
    }
    const Request& request = it->second;
    return JsonResponse(200, Dump(Json{{"request_id", id},
                                       {"wallet_reference", request.wallet_reference},
                                       {"status", std::string(PaymentStatusName(request.status))},
                                       {"reason", request.reason},
                                       {"amount", AmountJson(request.order.amount)},
                                       {"msisdn", request.order.msisdn},
                                       {"collected_count", request.collected_count},
                                       {"refunded_minor_units", request.refunded_minor},
                                       {"callbacks_sent", request.callbacks_sent},
                                       {"callback_answers", request.callback_answers}}));
  }
};

Simulator::Simulator(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Simulator::~Simulator() { Stop(); }

Result<std::unique_ptr<Simulator>> Simulator::Start(connector::IoRuntime& runtime,
                                                    SimulatorOptions options) {
  if (options.hmac_secret.empty()) {
    return absl::InvalidArgumentError("--hmac-secret-file: the shared secret is required");
  }
  if (!options.merchant_callback_url.empty()) {
    PAY_RETURN_IF_ERROR(
        SplitHttpUrl("--merchant-callback-url", options.merchant_callback_url).status());
  }
  auto impl = std::make_shared<Impl>(runtime, options);
  {
    std::random_device device;
    char run_id[16];
    std::snprintf(run_id, sizeof(run_id), "%08x", static_cast<unsigned>(device()));
    impl->run_id = run_id;
  }
  if (!options.state_file.empty()) {
    std::lock_guard<std::mutex> lock(impl->mu);
    PAY_RETURN_IF_ERROR(impl->LoadState());
  }
  impl->faults = options.faults;
  for (const std::string& seed : options.seed_wallets) {
    const std::optional<pay::sim::SeedSpec> spec = pay::sim::ParseSeedSpec(seed);
    if (!spec) {
      return absl::InvalidArgumentError("--seed-wallet: \"" + seed +
                                        "\" is not MSISDN:CURRENCY:MINOR_UNITS:NAME");
    }
    {
      std::lock_guard<std::mutex> lock(impl->mu);
      if (impl->wallets.count(spec->id) > 0) continue;
    }
    HttpResponse created = impl->PutWallet(Json{{"msisdn", spec->id},
                                                {"currency", spec->currency},
                                                {"balance_minor_units", spec->minor_units},
                                                {"name", spec->name}});
    if (created.status != 200) {
      return absl::InvalidArgumentError("--seed-wallet: " + seed + ": " + created.body);
    }
  }
  connector::HttpServerOptions server_options;
  server_options.listen = options.listen;
  server_options.tls = options.server_tls;
  std::weak_ptr<Impl> weak = impl;
  PAY_ASSIGN_OR_RETURN(impl->server, connector::HttpServer::Start(
                                         runtime, server_options,
                                         [weak](HttpServerRequest request, HttpResponder respond) {
                                           if (auto live = weak.lock()) {
                                             live->Handle(std::move(request), std::move(respond));
                                           }
                                         }));
  // Requests left PENDING by a previous run are approved now.
  std::vector<std::string> pending;
  {
    std::lock_guard<std::mutex> lock(impl->mu);
    for (const auto& [id, request] : impl->requests) {
      if (request.status == PaymentStatus::kPending) pending.push_back(id);
    }
  }
  for (const std::string& id : pending) {
    impl->Later(options.approval_delay_ms, [impl, id] { impl->Approve(id, {}); });
  }
  return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

std::string Simulator::address() const { return impl_->server->address(); }

uint16_t Simulator::port() const { return impl_->server->port(); }

void Simulator::Stop() {
  impl_->server->Stop();
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->SaveLocked();
}

}  // namespace pay::wallet::sim
