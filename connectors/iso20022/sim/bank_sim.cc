// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// bank-sim's engine (see bank_sim.h and ../BANK_API.md): request routing, the ISO 20022
// endpoints, settlement, notification pushes with retries, and the JSON control API.
//
// Locking: one mutex guards accounts, transactions, movements, faults and counters. It is never
// held while sending, answering or building XML from a snapshot.

#include "sim/bank_sim.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "iban.h"
#include "iso20022_connector.h"
#include "messages.h"
#include "pay/connector/http_runtime.h"
#include "pay/money.h"
#include "schemas.h"
#include "seed_spec.h"

namespace pay::iso20022::sim {

using connector::HttpClient;
using connector::HttpRequest;
using connector::HttpResponder;
using connector::HttpResponse;
using connector::HttpServer;
using connector::HttpServerRequest;
using connector::IoRuntime;
using json = nlohmann::json;

namespace {

constexpr std::string_view kPain008Name = "pain.008.001.08";
constexpr std::string_view kPain001Name = "pain.001.001.09";
constexpr int64_t kFirstRetryMs = 100;
constexpr int64_t kMaxRetryMs = 5000;

const std::set<std::string, std::less<>>& KnownFaults() {
  static const auto* faults = new std::set<std::string, std::less<>>{"timeout",
                                                                     "error",
                                                                     "drop_request",
                                                                     "lost_notification",
                                                                     "duplicate_notification",
                                                                     "early_notification",
                                                                     "decline",
                                                                     "misbook",
                                                                     "unbooked"};
  return *faults;
}

// Faults that concern the HTTP exchange; the others concern the transaction and survive a
// request that was not processed.
bool IsRequestFault(std::string_view fault) {
  return fault == "timeout" || fault == "error" || fault == "drop_request" ||
         fault == "early_notification";
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse Text(int status, std::string text) {
  return HttpResponse{status, {{"Content-Type", "text/plain"}}, std::move(text) + "\n"};
}

HttpResponse Xml(int status, std::string xml) {
  return HttpResponse{status, {{"Content-Type", "application/xml"}}, std::move(xml)};
}

HttpResponse Json(int status, const json& body) {
  return HttpResponse{status, {{"Content-Type", "application/json"}}, body.dump() + "\n"};
}

HttpResponse JsonError(int status, std::string message) {
  return Json(status, json{{"error", std::move(message)}});
}

// "https://host:port/a/b" -> ("https://host:port", "/a/b").
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return {url, "/"};
  return {url.substr(0, slash), url.substr(slash)};
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view raw) {
  std::string value;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() && HexValue(raw[i + 1]) >= 0 &&
        HexValue(raw[i + 2]) >= 0) {
      value.push_back(static_cast<char>(HexValue(raw[i + 1]) * 16 + HexValue(raw[i + 2])));
      i += 2;
    } else if (raw[i] == '+') {
      value.push_back(' ');
    } else {
      value.push_back(raw[i]);
    }
  }
  return value;
}

// The decoded value of `name` in a query string ("a=1&b=2"); empty if absent.
std::string QueryParam(std::string_view query, std::string_view name) {
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view pair = query.substr(start, amp - start);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return PercentDecode(pair.substr(eq + 1));
    }
    start = amp + 1;
  }
  return "";
}

std::optional<int64_t> ParseInt(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t used = 0;
  try {
    const long long value = std::stoll(text, &used);
    if (used != text.size()) return std::nullopt;
    return static_cast<int64_t>(value);
  } catch (...) {
    return std::nullopt;
  }
}

std::string Base36(uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[value % 36]);
    value /= 36;
  } while (value != 0);
  return out;
}

enum class Kind { kCollection, kRefund };

struct SimAccount {
  std::string iban;
  std::string name;
  std::string currency;
  int64_t balance = 0;  // minor units, never negative
  bool closed = false;
};

struct Tx {
  Kind kind = Kind::kCollection;
  std::string end_to_end_id;
  std::string instruction_id;
  std::string message_id;
  Money amount;
  std::string debtor_iban;
  std::string creditor_iban;
  std::string remittance;
  std::string status = "PDNG";  // PDNG, ACSC, RJCT
  std::string reason_code;
  std::string reason_text;
  std::string reference;  // AcctSvcrRef
  int64_t booking_ms = 0;
  int times_debited = 0;
  bool refused_on_receipt = false;  // RJCT in the pain.002 itself (a resend gets the same)
  // One-shot behaviour for this transaction.
  bool decline = false;
  bool misbook = false;   // booked (and moved) one minor unit less than instructed
  bool unbooked = false;  // accepted and moved, but left off the collection account's camt.053
  bool lose_notification = false;
  bool duplicate_notification = false;
  int notification_attempts = 0;
  int notifications_delivered = 0;
};

// A booked movement on the collection account (for camt.053).
struct Movement {
  int64_t booking_ms = 0;
  bool credit = true;
  Money amount;
  std::string reference;
  std::string end_to_end_id;
  std::string remittance;
  std::string debtor_name;
  std::string debtor_iban;
  std::string creditor_iban;  // the account credited (a refund's or settlement's creditor)
  bool on_statement = true;   // false: left off the camt.053 (the "unbooked" fault)
};

struct Stats {
  int64_t messages_received = 0;
  int64_t invalid_messages_received = 0;
  int64_t messages_sent = 0;
  int64_t invalid_messages_sent = 0;
  int64_t notification_attempts = 0;
  int64_t notifications_delivered = 0;
  int64_t notifications_abandoned = 0;
};

enum class Channel { kPacs002, kCamt054 };

struct PushTarget {
  std::shared_ptr<HttpClient> client;
  std::string path;
  std::string url;
};

json MoneyJson(const Money& money) {
  return json{{"currency", money.currency()}, {"minor_units", money.minor_units()}};
}

json AccountJson(const SimAccount& account) {
  return json{{"iban", account.iban},
              {"name", account.name},
              {"currency", account.currency},
              {"balance_minor_units", account.balance},
              {"closed", account.closed}};
}

}  // namespace

class BankSim::Impl : public std::enable_shared_from_this<BankSim::Impl> {
 public:
  Impl(BankSimOptions options, std::unique_ptr<SchemaSet> schemas)
      : options_(std::move(options)),
        schemas_(std::move(schemas)),
        runtime_(options_.threads),
        run_id_(Base36(static_cast<uint64_t>(NowMs()))) {}

  Status Init();
  void Stop() {
    if (server_) server_->Stop();
    runtime_.Stop();
  }
  std::string address() const { return server_->address(); }
  uint16_t port() const { return server_->port(); }

  // POST /sim/accounts (also --seed-account).
  HttpResponse PostAccount(const json& body);

 private:
  void Handle(HttpServerRequest request, HttpResponder respond);

  // ISO 20022 endpoints.
  void OnPain008(const HttpServerRequest& request, HttpResponder respond);
  void OnPain001(const HttpServerRequest& request, HttpResponder respond);
  HttpResponse OnStatus(std::string_view query);
  HttpResponse OnCamt053(std::string_view query);

  // Control API.
  HttpResponse OnControl(const HttpServerRequest& request, std::string_view path);
  HttpResponse PostFaults(const json& body);
  HttpResponse PostRequestFault(const json& body);
  HttpResponse PostCounterPayment(const json& body);
  HttpResponse PostConfig(const json& body);
  HttpResponse GetStats();

  // Validates an inbound message; counts it. An error is the 400 answer.
  std::optional<HttpResponse> CheckInbound(MessageType type, const HttpServerRequest& request);
  // A schema-valid message the bank cannot use: counted, answered 400.
  HttpResponse Unusable(std::string_view name, const Status& why);
  // The pain.002 acknowledging an initiation file, before its group status is decided.
  StatusReport AckFor(std::string_view message_id, std::string_view type_name,
                      std::string_view payment_info_id);
  // Validates an outbound message; counts it. An error is the 500 answer.
  std::optional<HttpResponse> CheckOutbound(MessageType type, const std::string& xml);

  // The request-level faults for these end-to-end ids: one-shot ones (taken) and random ones.
  // Requires mu_.
  // Transaction faults named for one id (one-shot) apply to that transaction only; the random
  // ones to every transaction of the message.
  std::set<std::string> TakeFaults(const std::vector<std::string>& ids, bool* processed,
                                   std::map<std::string, std::set<std::string>>* per_id);
  void ApplyTxFaults(const std::set<std::string>& message_faults,
                     const std::map<std::string, std::set<std::string>>& per_id, Tx* tx);
  // A transaction whose id is closed: refused on receipt, RJCT TM01.
  static void RefuseClosed(Tx* tx) {
    tx->status = "RJCT";
    tx->reason_code = "TM01";  // received after the cut-off
    tx->reason_text = "a status inquiry was told this EndToEndId was never received; it is closed";
    tx->refused_on_receipt = true;
  }
  // Requires mu_.
  bool Roll(double rate);

  // Answers an ISO 20022 request, after --latency-ms and, for "timeout", after --hang-ms.
  void Answer(HttpResponder respond, HttpResponse response, bool hang);
  // "drop_request": keeps the request unanswered for --hang-ms, then lets it go.
  void Drop(HttpResponder respond);

  void ScheduleSettle(const std::string& end_to_end_id);
  // Settles a pending transaction and pushes its pacs.002. `first_pushed` runs after the first
  // push attempt (or at once if nothing is pushed).
  void Settle(const std::string& end_to_end_id, std::function<void()> first_pushed);
  // Requires mu_. Decides a pending transaction and moves the money.
  void Decide(Tx* tx);
  // A pacs.002 reporting `tx`'s current status.
  std::string Pacs002For(const Tx& tx);

  void Push(Channel channel, std::string body, std::string key, std::function<void()> first_done);
  void PushAttempt(Channel channel, std::string body, std::string key, int attempt,
                   int64_t delay_ms, int64_t deadline_ms, std::function<void()> first_done);
  Result<PushTarget> MakeTarget(const std::string& url);

  // Where the collection account's money in `currency` is kept: the account itself in its own
  // currency, "<IBAN>/<CCY>" for the other currencies. Other accounts: the IBAN.
  std::string PocketKey(const std::string& iban, const std::string& currency) const {
    if (iban != collection_iban_ || currency == options_.currency) return iban;
    return iban + "/" + currency;
  }

  std::string NextId(std::string_view prefix) {
    return std::string(prefix) + run_id_ + "-" + std::to_string(++sequence_);
  }

  const BankSimOptions options_;
  const std::unique_ptr<SchemaSet> schemas_;
  IoRuntime runtime_;
  std::unique_ptr<HttpServer> server_;
  const std::string run_id_;
  std::atomic<uint64_t> sequence_{0};

  std::mutex mu_;
  std::map<std::string, SimAccount, std::less<>> accounts_;
  std::map<std::string, Tx, std::less<>> txs_;  // by end-to-end id
  std::vector<Movement> movements_;             // of the collection account
  std::map<std::string, std::set<std::string>, std::less<>> one_shot_;
  // End-to-end ids a status inquiry was told the bank never received: closed for good, so that a
  // late copy of the request cannot collect what the gateway has recorded as failed.
  std::set<std::string, std::less<>> closed_ids_;
  Faults faults_;
  std::mt19937_64 rng_;
  int64_t settle_delay_ms_ = 0;
  std::string collection_iban_;  // normalised --collection-iban; set before serving
  PushTarget pacs002_target_;
  PushTarget camt054_target_;
  Stats stats_;
};

Result<PushTarget> BankSim::Impl::MakeTarget(const std::string& url) {
  PushTarget target;
  target.url = url;
  if (url.empty()) return target;
  auto [base, path] = SplitUrl(url);
  connector::HttpClientOptions options;
  options.base_url = base;
  options.tls = options_.client_tls;
  options.tls.enabled = base.rfind("https://", 0) == 0;
  options.connect_timeout = std::chrono::milliseconds(2000);
  options.timeout = std::chrono::milliseconds(options_.notify_timeout_ms);
  Result<std::unique_ptr<HttpClient>> client = connector::MakeHttpClient(runtime_, options);
  if (!client.ok()) return client.status();
  target.client = std::move(*client);
  target.path = path;
  return target;
}

Status BankSim::Impl::Init() {
  Result<std::string> collection = NormalizeIban(options_.collection_iban, "--collection-iban");
  if (!collection.ok()) return collection.status();
  if (FindCurrency(options_.currency) == nullptr) {
    return absl::InvalidArgumentError("--currency: unknown ISO 4217 code " + options_.currency);
  }
  Result<PushTarget> pacs002 = MakeTarget(options_.notify_url);
  if (!pacs002.ok()) {
    return absl::InvalidArgumentError("--notify-url: " + std::string(pacs002.status().message()));
  }
  Result<PushTarget> camt054 = MakeTarget(options_.camt054_url);
  if (!camt054.ok()) {
    return absl::InvalidArgumentError("--camt054-url: " + std::string(camt054.status().message()));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    pacs002_target_ = std::move(*pacs002);
    camt054_target_ = std::move(*camt054);
    faults_ = options_.faults;
    rng_.seed(faults_.seed);
    settle_delay_ms_ = options_.settle_delay_ms;
    collection_iban_ = *collection;
    // A --seed-account for the collection account gives it an opening balance (what the
    // wallet operators and channels remitted to it, see docs/settlement.md); otherwise it opens
    // empty.
    if (accounts_.count(*collection) == 0) {
      accounts_[*collection] =
          SimAccount{*collection, options_.collection_name, options_.currency, 0, false};
    }
  }
  connector::HttpServerOptions server_options;
  server_options.listen = options_.listen;
  server_options.tls = options_.server_tls;
  server_options.tls.enabled = !options_.server_tls.cert_file.empty();
  server_options.tls.require_client_cert = !options_.server_tls.ca_file.empty();
  std::weak_ptr<Impl> weak = weak_from_this();
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(
      runtime_, server_options, [weak](HttpServerRequest request, HttpResponder respond) {
        if (std::shared_ptr<Impl> self = weak.lock()) {
          self->Handle(std::move(request), std::move(respond));
        }
      });
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  return absl::OkStatus();
}

void BankSim::Impl::Handle(HttpServerRequest request, HttpResponder respond) {
  const size_t question = request.target.find('?');
  const std::string path = request.target.substr(0, question);
  const std::string query =
      question == std::string::npos ? "" : request.target.substr(question + 1);
  if (path.rfind("/sim/", 0) == 0) return respond(OnControl(request, path));
  // What the bank's online banking shows a customer: an account's balance and the credit
  // transfers booked to it (read-only; the caller authenticates with its TLS certificate).
  constexpr std::string_view kAccountsPath = "/accounts/";
  if (path.rfind(kAccountsPath, 0) == 0) {
    if (request.method != "GET") return respond(Text(405, "GET /accounts/<IBAN>"));
    Result<std::string> iban = NormalizeIban(path.substr(kAccountsPath.size()));
    std::lock_guard<std::mutex> lock(mu_);
    auto account = iban.ok() ? accounts_.find(*iban) : accounts_.end();
    if (account == accounts_.end()) return respond(JsonError(404, "no such account"));
    json credits = json::array();
    for (const Movement& movement : movements_) {
      if (movement.creditor_iban != account->second.iban ||
          movement.amount.currency() != account->second.currency) {
        continue;
      }
      credits.push_back(json{{"booking_ms", movement.booking_ms},
                             {"amount", MoneyJson(movement.amount)},
                             {"end_to_end_id", movement.end_to_end_id},
                             {"remittance", movement.remittance},
                             {"reference", movement.reference}});
    }
    json body = AccountJson(account->second);
    body["credits"] = std::move(credits);
    return respond(Json(200, body));
  }
  if (path == kPain008Path) {
    if (request.method != "POST") return respond(Text(405, "POST a pain.008.001.08 here"));
    return OnPain008(request, std::move(respond));
  }
  if (path == kPain001Path) {
    if (request.method != "POST") return respond(Text(405, "POST a pain.001.001.09 here"));
    return OnPain001(request, std::move(respond));
  }
  if (path == kStatusPath) {
    if (request.method != "GET") return respond(Text(405, "GET ?end_to_end_id=ID"));
    return Answer(std::move(respond), OnStatus(query), false);
  }
  if (path == kCamt053Path) {
    if (request.method != "GET") return respond(Text(405, "GET ?from_ms=..&to_ms=.."));
    return Answer(std::move(respond), OnCamt053(query), false);
  }
  respond(Text(404, "no such endpoint: " + path + " (see BANK_API.md)"));
}

std::optional<HttpResponse> BankSim::Impl::CheckInbound(MessageType type,
                                                        const HttpServerRequest& request) {
  const std::string_view content_type = request.Header("Content-Type");
  Status valid = schemas_->Validate(type, request.body);
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.messages_received;
  if (!content_type.empty() && content_type.find("xml") == std::string_view::npos) {
    ++stats_.invalid_messages_received;
    return Text(415, "send ISO 20022 XML with Content-Type: application/xml");
  }
  if (!valid.ok()) {
    ++stats_.invalid_messages_received;
    spdlog::warn("refused an invalid {}: {}", MessageName(type), std::string(valid.message()));
    return Text(400,
                "invalid " + std::string(MessageName(type)) + ": " + std::string(valid.message()));
  }
  return std::nullopt;
}

std::optional<HttpResponse> BankSim::Impl::CheckOutbound(MessageType type, const std::string& xml) {
  Status valid = schemas_->Validate(type, xml);
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.messages_sent;
  if (valid.ok()) return std::nullopt;
  ++stats_.invalid_messages_sent;
  spdlog::error("bank-sim built an invalid {} (a bug in the simulator): {}", MessageName(type),
                std::string(valid.message()));
  return Text(500, "the bank built an invalid " + std::string(MessageName(type)));
}

bool BankSim::Impl::Roll(double rate) {
  if (rate <= 0) return false;
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < rate;
}

std::set<std::string> BankSim::Impl::TakeFaults(
    const std::vector<std::string>& ids, bool* processed,
    std::map<std::string, std::set<std::string>>* per_id) {
  std::set<std::string> faults;
  for (const std::string& id : ids) {
    auto it = one_shot_.find(id);
    if (it == one_shot_.end()) continue;
    for (const std::string& fault : it->second) {
      if (IsRequestFault(fault)) {
        faults.insert(fault);
      } else {
        (*per_id)[id].insert(fault);
      }
    }
  }
  if (Roll(faults_.error_rate)) faults.insert("error");
  if (Roll(faults_.timeout_rate)) faults.insert("timeout");
  if (Roll(faults_.early_notification_rate)) faults.insert("early_notification");
  if (Roll(faults_.decline_rate)) faults.insert("decline");
  if (Roll(faults_.lost_notification_rate)) faults.insert("lost_notification");
  if (Roll(faults_.duplicate_notification_rate)) faults.insert("duplicate_notification");
  *processed = faults.count("error") == 0 && faults.count("drop_request") == 0;
  for (const std::string& id : ids) {
    auto it = one_shot_.find(id);
    if (it == one_shot_.end()) continue;
    if (*processed) {
      one_shot_.erase(it);
    } else {
      // Not processed: the transaction faults wait for the request that gets through.
      for (auto f = it->second.begin(); f != it->second.end();) {
        f = IsRequestFault(*f) ? it->second.erase(f) : std::next(f);
      }
      if (it->second.empty()) one_shot_.erase(it);
    }
  }
  return faults;
}

void BankSim::Impl::ApplyTxFaults(const std::set<std::string>& message_faults,
                                  const std::map<std::string, std::set<std::string>>& per_id,
                                  Tx* tx) {
  std::set<std::string> faults = message_faults;
  auto own = per_id.find(tx->end_to_end_id);
  if (own != per_id.end()) faults.insert(own->second.begin(), own->second.end());
  tx->decline = faults.count("decline") > 0;
  tx->misbook = faults.count("misbook") > 0;
  tx->unbooked = faults.count("unbooked") > 0;
  tx->lose_notification = faults.count("lost_notification") > 0;
  tx->duplicate_notification = faults.count("duplicate_notification") > 0;
}

void BankSim::Impl::Answer(HttpResponder respond, HttpResponse response, bool hang) {
  int64_t delay = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    delay = faults_.latency_ms;
  }
  if (hang) delay += options_.hang_ms;
  if (delay <= 0) return respond(std::move(response));
  runtime_.After(std::chrono::milliseconds(delay),
                 [respond = std::move(respond), response = std::move(response)]() mutable {
                   respond(std::move(response));
                 });
}

void BankSim::Impl::Drop(HttpResponder respond) {
  runtime_.After(std::chrono::milliseconds(options_.hang_ms), [respond = std::move(respond)] {
    respond(Text(500, "dropped (simulated): this request was never processed"));
  });
}

HttpResponse BankSim::Impl::Unusable(std::string_view name, const Status& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.invalid_messages_received;
  }
  return Text(400, "unusable " + std::string(name) + ": " + std::string(why.message()));
}

StatusReport BankSim::Impl::AckFor(std::string_view message_id, std::string_view type_name,
                                   std::string_view payment_info_id) {
  StatusReport ack;
  ack.message_id = NextId("AK");
  ack.creation_time_ms = NowMs();
  ack.original_message_id = std::string(message_id);
  ack.original_message_type = std::string(type_name);
  ack.original_payment_info_id = std::string(payment_info_id);
  return ack;
}

void BankSim::Impl::OnPain008(const HttpServerRequest& request, HttpResponder respond) {
  if (auto refused = CheckInbound(MessageType::kPain008, request)) {
    return respond(std::move(*refused));
  }
  Result<Pain008> message = ParsePain008(request.body);
  if (!message.ok()) return respond(Unusable("pain.008", message.status()));
  std::vector<std::string> ids;
  for (const DirectDebit& debit : message->debits) ids.push_back(debit.end_to_end_id);

  StatusReport ack = AckFor(message->message_id, kPain008Name, message->payment_info_id);
  std::set<std::string> faults;
  std::map<std::string, std::set<std::string>> tx_faults;
  std::vector<std::string> created;
  bool processed = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    faults = TakeFaults(ids, &processed, &tx_faults);
    if (processed) {
      const SimAccount& collection = accounts_[collection_iban_];
      if (message->creditor.iban != collection_iban_) {
        ack.group_status = "RJCT";
        ack.group_reason_code = "AC01";
        ack.group_reason_text = "the creditor account is not the gateway's collection account here";
      } else {
        int accepted = 0;
        for (const DirectDebit& debit : message->debits) {
          TxStatusReport status;
          status.original_end_to_end_id = debit.end_to_end_id;
          status.original_instruction_id = debit.instruction_id;
          status.amount = debit.amount;
          auto existing = txs_.find(debit.end_to_end_id);
          if (existing != txs_.end()) {
            const Tx& tx = existing->second;
            if (tx.kind == Kind::kCollection && tx.amount == debit.amount &&
                tx.debtor_iban == debit.debtor.iban) {
              // A resend: the same answer as the first time.
              status.status_code = tx.refused_on_receipt ? "RJCT" : "ACTC";
              if (tx.refused_on_receipt) status.reason_code = tx.reason_code;
            } else {
              status.status_code = "RJCT";
              status.reason_code = "DUPL";
              status.reason_text = "this EndToEndId was already used for another payment";
            }
          } else {
            Tx tx;
            tx.kind = Kind::kCollection;
            tx.end_to_end_id = debit.end_to_end_id;
            tx.instruction_id = debit.instruction_id;
            tx.message_id = message->message_id;
            tx.amount = debit.amount;
            tx.debtor_iban = debit.debtor.iban;
            tx.creditor_iban = message->creditor.iban;
            tx.remittance = debit.remittance;
            tx.reference = NextId("BS");
            ApplyTxFaults(faults, tx_faults, &tx);
            if (closed_ids_.count(tx.end_to_end_id) > 0) {
              RefuseClosed(&tx);
              status.status_code = "RJCT";
              status.reason_code = tx.reason_code;
              status.reason_text = tx.reason_text;
            } else if (debit.amount.currency() != collection.currency) {
              tx.status = "RJCT";
              tx.reason_code = "AM03";
              tx.reason_text = "the collection account is in " + collection.currency;
              tx.refused_on_receipt = true;
              status.status_code = "RJCT";
              status.reason_code = tx.reason_code;
              status.reason_text = tx.reason_text;
            } else {
              status.status_code = "ACTC";
              created.push_back(tx.end_to_end_id);
            }
            txs_[tx.end_to_end_id] = std::move(tx);
          }
          status.status = TxStatusFromCode(status.status_code);
          if (status.status_code != "RJCT") ++accepted;
          ack.transactions.push_back(std::move(status));
        }
        const int total = static_cast<int>(ack.transactions.size());
        ack.group_status = accepted == total ? "ACTC" : accepted == 0 ? "RJCT" : "PART";
      }
    }
  }
  if (!processed) {
    if (faults.count("error") > 0) {
      spdlog::info("pain.008 {}: simulated error (not processed)", message->message_id);
      return Answer(std::move(respond), Text(500, "simulated internal error: not processed"),
                    false);
    }
    spdlog::info("pain.008 {}: simulated dropped request (not processed)", message->message_id);
    return Drop(std::move(respond));
  }
  spdlog::info("pain.008 {} ({} debit(s)): {}", message->message_id, message->debits.size(),
               ack.group_status);
  std::string xml = BuildPain002(ack);
  if (auto broken = CheckOutbound(MessageType::kPain002, xml)) {
    return respond(std::move(*broken));
  }
  HttpResponse response = Xml(202, std::move(xml));
  const bool hang = faults.count("timeout") > 0;
  if (faults.count("early_notification") > 0 && created.size() == 1) {
    // Settle and push first; answer once the push was attempted.
    auto shared_respond = std::make_shared<HttpResponder>(std::move(respond));
    auto shared_response = std::make_shared<HttpResponse>(std::move(response));
    std::weak_ptr<Impl> weak = weak_from_this();
    return Settle(created[0], [weak, shared_respond, shared_response, hang] {
      if (std::shared_ptr<Impl> self = weak.lock()) {
        self->Answer(std::move(*shared_respond), std::move(*shared_response), hang);
      }
    });
  }
  for (const std::string& id : created) ScheduleSettle(id);
  Answer(std::move(respond), std::move(response), hang);
}

void BankSim::Impl::OnPain001(const HttpServerRequest& request, HttpResponder respond) {
  if (auto refused = CheckInbound(MessageType::kPain001, request)) {
    return respond(std::move(*refused));
  }
  Result<Pain001> message = ParsePain001(request.body);
  if (!message.ok()) return respond(Unusable("pain.001", message.status()));
  std::vector<std::string> ids;
  for (const CreditTransfer& transfer : message->transfers) ids.push_back(transfer.end_to_end_id);

  StatusReport ack = AckFor(message->message_id, kPain001Name, message->payment_info_id);
  std::set<std::string> faults;
  std::map<std::string, std::set<std::string>> tx_faults;
  std::vector<std::string> created;
  bool processed = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    faults = TakeFaults(ids, &processed, &tx_faults);
    if (processed) {
      if (message->debtor.iban != collection_iban_) {
        ack.group_status = "RJCT";
        ack.group_reason_code = "AC01";
        ack.group_reason_text = "the debtor account is not the gateway's collection account here";
      } else {
        int accepted = 0;
        for (const CreditTransfer& transfer : message->transfers) {
          TxStatusReport status;
          status.original_end_to_end_id = transfer.end_to_end_id;
          status.original_instruction_id = transfer.instruction_id;
          status.amount = transfer.amount;
          std::string creditor = transfer.creditor.iban;
          if (creditor.empty() && transfer.remittance.rfind("REFUND ", 0) == 0) {
            // Back to the account the named collection was debited from.
            auto original = txs_.find(transfer.remittance.substr(7));
            if (original != txs_.end() && original->second.kind == Kind::kCollection &&
                original->second.status == "ACSC") {
              creditor = original->second.debtor_iban;
            }
          }
          auto existing = txs_.find(transfer.end_to_end_id);
          if (existing != txs_.end()) {
            const Tx& tx = existing->second;
            if (tx.kind == Kind::kRefund && tx.amount == transfer.amount &&
                tx.creditor_iban == creditor) {
              status.status_code = tx.refused_on_receipt ? "RJCT" : "ACTC";
              if (tx.refused_on_receipt) status.reason_code = tx.reason_code;
            } else {
              status.status_code = "RJCT";
              status.reason_code = "DUPL";
              status.reason_text = "this EndToEndId was already used for another payment";
            }
          } else {
            Tx tx;
            tx.kind = Kind::kRefund;
            tx.end_to_end_id = transfer.end_to_end_id;
            tx.instruction_id = transfer.instruction_id;
            tx.message_id = message->message_id;
            tx.amount = transfer.amount;
            tx.debtor_iban = PocketKey(message->debtor.iban, transfer.amount.currency());
            tx.creditor_iban = creditor;
            tx.remittance = transfer.remittance;
            tx.reference = NextId("BS");
            ApplyTxFaults(faults, tx_faults, &tx);
            if (closed_ids_.count(tx.end_to_end_id) > 0) {
              RefuseClosed(&tx);
            } else if (creditor.empty()) {
              tx.status = "RJCT";
              tx.reason_code = "RC07";  // invalid creditor identifier
              tx.reason_text =
                  "no creditor account, and the remittance names no settled collection";
              tx.refused_on_receipt = true;
            } else if (accounts_.count(tx.debtor_iban) == 0) {
              tx.status = "RJCT";
              tx.reason_code = "AM03";
              tx.reason_text = "the collection account is in " + options_.currency +
                               " and has no " + transfer.amount.currency() + " pocket";
              tx.refused_on_receipt = true;
            }
            if (tx.status == "RJCT") {
              status.status_code = "RJCT";
              status.reason_code = tx.reason_code;
              status.reason_text = tx.reason_text;
            } else {
              status.status_code = "ACTC";
              created.push_back(tx.end_to_end_id);
            }
            txs_[tx.end_to_end_id] = std::move(tx);
          }
          status.status = TxStatusFromCode(status.status_code);
          if (status.status_code != "RJCT") ++accepted;
          ack.transactions.push_back(std::move(status));
        }
        const int total = static_cast<int>(ack.transactions.size());
        ack.group_status = accepted == total ? "ACTC" : accepted == 0 ? "RJCT" : "PART";
      }
    }
  }
  if (!processed) {
    if (faults.count("error") > 0) {
      return Answer(std::move(respond), Text(500, "simulated internal error: not processed"),
                    false);
    }
    return Drop(std::move(respond));
  }
  spdlog::info("pain.001 {} ({} transfer(s)): {}", message->message_id, message->transfers.size(),
               ack.group_status);
  std::string xml = BuildPain002(ack);
  if (auto broken = CheckOutbound(MessageType::kPain002, xml)) {
    return respond(std::move(*broken));
  }
  HttpResponse response = Xml(202, std::move(xml));
  const bool hang = faults.count("timeout") > 0;
  if (faults.count("early_notification") > 0 && created.size() == 1) {
    auto shared_respond = std::make_shared<HttpResponder>(std::move(respond));
    auto shared_response = std::make_shared<HttpResponse>(std::move(response));
    std::weak_ptr<Impl> weak = weak_from_this();
    return Settle(created[0], [weak, shared_respond, shared_response, hang] {
      if (std::shared_ptr<Impl> self = weak.lock()) {
        self->Answer(std::move(*shared_respond), std::move(*shared_response), hang);
      }
    });
  }
  for (const std::string& id : created) ScheduleSettle(id);
  Answer(std::move(respond), std::move(response), hang);
}

void BankSim::Impl::ScheduleSettle(const std::string& end_to_end_id) {
  int64_t delay = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    delay = settle_delay_ms_;
  }
  std::weak_ptr<Impl> weak = weak_from_this();
  runtime_.After(std::chrono::milliseconds(delay), [weak, end_to_end_id] {
    if (std::shared_ptr<Impl> self = weak.lock()) self->Settle(end_to_end_id, nullptr);
  });
}

void BankSim::Impl::Decide(Tx* tx) {
  auto reject = [tx](std::string code, std::string text) {
    tx->status = "RJCT";
    tx->reason_code = std::move(code);
    tx->reason_text = std::move(text);
  };
  if (tx->decline) return reject("AM04", "declined (simulated)");
  // The account debited and the account credited.
  auto from = accounts_.find(tx->debtor_iban);
  auto to = accounts_.find(tx->creditor_iban);
  const bool refund = tx->kind == Kind::kRefund;
  auto& customer = refund ? to : from;
  if (customer == accounts_.end()) return reject("AC01", "unknown account");
  if (customer->second.closed) return reject("AC04", "closed account");
  if (from == accounts_.end() || to == accounts_.end()) return reject("AC01", "unknown account");
  if (to->second.closed) return reject("AC04", "closed account");
  if (from->second.currency != tx->amount.currency() ||
      to->second.currency != tx->amount.currency()) {
    return reject("AM03", "the account is in another currency");
  }
  if (from->second.balance < tx->amount.minor_units()) {
    return reject("AM04", "insufficient funds");
  }
  // The "misbook" fault: the bank moves and books one minor unit less than it was told (and
  // still reports the instructed amount as settled), as a bank charge taken from the amount would.
  Money booked = tx->amount;
  if (tx->misbook && booked.minor_units() > 1) {
    booked = Money::Create(booked.currency(), booked.minor_units() - 1).value();
  }
  from->second.balance -= booked.minor_units();
  to->second.balance += booked.minor_units();
  ++tx->times_debited;
  tx->status = "ACSC";
  tx->booking_ms = NowMs();
  Movement movement;
  movement.booking_ms = tx->booking_ms;
  movement.credit = !refund;
  movement.amount = booked;
  movement.on_statement = !tx->unbooked;
  movement.reference = tx->reference;
  movement.end_to_end_id = tx->end_to_end_id;
  movement.remittance = tx->remittance;
  movement.creditor_iban = to->second.iban;
  if (!refund) {
    movement.debtor_name = from->second.name;
    movement.debtor_iban = from->second.iban;
  }
  movements_.push_back(std::move(movement));
}

std::string BankSim::Impl::Pacs002For(const Tx& tx) {
  StatusReport report;
  report.message_id = NextId("PS");
  report.creation_time_ms = NowMs();
  report.original_message_id = tx.message_id;
  report.original_message_type =
      std::string(tx.kind == Kind::kCollection ? kPain008Name : kPain001Name);
  TxStatusReport status;
  status.original_end_to_end_id = tx.end_to_end_id;
  status.original_instruction_id = tx.instruction_id;
  status.status_code = tx.status;
  status.status = TxStatusFromCode(tx.status);
  status.reason_code = tx.reason_code;
  status.reason_text = tx.reason_text;
  status.amount = tx.amount;
  status.account_servicer_reference = tx.reference;
  report.transactions.push_back(std::move(status));
  return BuildPacs002(report);
}

void BankSim::Impl::Settle(const std::string& end_to_end_id, std::function<void()> first_pushed) {
  Tx snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = txs_.find(end_to_end_id);
    if (it == txs_.end() || it->second.status != "PDNG") {
      if (first_pushed) first_pushed();
      return;
    }
    Decide(&it->second);
    snapshot = it->second;
  }
  spdlog::info("{} {} settled: {}{}", snapshot.kind == Kind::kCollection ? "collection" : "refund",
               end_to_end_id, snapshot.status,
               snapshot.reason_code.empty() ? "" : " " + snapshot.reason_code);
  if (snapshot.lose_notification) {
    spdlog::info("pacs.002 for {} lost (simulated)", end_to_end_id);
    if (first_pushed) first_pushed();
    return;
  }
  std::string xml = Pacs002For(snapshot);
  if (CheckOutbound(MessageType::kPacs002, xml).has_value()) {
    if (first_pushed) first_pushed();
    return;
  }
  if (snapshot.duplicate_notification) Push(Channel::kPacs002, xml, end_to_end_id, nullptr);
  Push(Channel::kPacs002, std::move(xml), end_to_end_id, std::move(first_pushed));
}

void BankSim::Impl::Push(Channel channel, std::string body, std::string key,
                         std::function<void()> first_done) {
  PushAttempt(channel, std::move(body), std::move(key), 1, kFirstRetryMs,
              NowMs() + options_.notify_retry_for_ms, std::move(first_done));
}

void BankSim::Impl::PushAttempt(Channel channel, std::string body, std::string key, int attempt,
                                int64_t delay_ms, int64_t deadline_ms,
                                std::function<void()> first_done) {
  PushTarget target;
  {
    std::lock_guard<std::mutex> lock(mu_);
    target = channel == Channel::kPacs002 ? pacs002_target_ : camt054_target_;
    if (target.client) {
      ++stats_.notification_attempts;
      auto tx = txs_.find(key);
      if (tx != txs_.end()) ++tx->second.notification_attempts;
    }
  }
  const char* what = channel == Channel::kPacs002 ? "pacs.002" : "camt.054";
  if (!target.client) {
    spdlog::warn("{} for {} not pushed: no {} configured", what, key,
                 channel == Channel::kPacs002 ? "--notify-url" : "--camt054-url");
    if (first_done) first_done();
    return;
  }
  HttpRequest request;
  request.method = "POST";
  request.target = target.path;
  request.headers = {{"Content-Type", "application/xml"}};
  request.body = body;
  std::weak_ptr<Impl> weak = weak_from_this();
  target.client->Send(std::move(request), [weak, channel, body = std::move(body),
                                           key = std::move(key), attempt, delay_ms, deadline_ms,
                                           first_done = std::move(first_done),
                                           what](Result<HttpResponse> answer) mutable {
    if (first_done) first_done();
    std::shared_ptr<Impl> self = weak.lock();
    if (!self) return;
    if (answer.ok() && answer->status >= 200 && answer->status < 300) {
      std::lock_guard<std::mutex> lock(self->mu_);
      ++self->stats_.notifications_delivered;
      auto tx = self->txs_.find(key);
      if (tx != self->txs_.end()) ++tx->second.notifications_delivered;
      return;
    }
    const std::string problem = answer.ok()
                                    ? "HTTP " + std::to_string(answer->status) + " " + answer->body
                                    : std::string(answer.status().message());
    if (NowMs() + delay_ms > deadline_ms) {
      spdlog::error("{} for {}: giving up after {} attempts (last: {})", what, key, attempt,
                    problem);
      std::lock_guard<std::mutex> lock(self->mu_);
      ++self->stats_.notifications_abandoned;
      return;
    }
    spdlog::warn("{} for {}: attempt {} failed ({}); retrying in {} ms", what, key, attempt,
                 problem, delay_ms);
    self->runtime_.After(std::chrono::milliseconds(delay_ms),
                         [weak, channel, body = std::move(body), key = std::move(key), attempt,
                          delay_ms, deadline_ms]() mutable {
                           if (std::shared_ptr<Impl> again = weak.lock()) {
                             again->PushAttempt(channel, std::move(body), std::move(key),
                                                attempt + 1, std::min(delay_ms * 2, kMaxRetryMs),
                                                deadline_ms, nullptr);
                           }
                         });
  });
}

HttpResponse BankSim::Impl::OnStatus(std::string_view query) {
  const std::string id = QueryParam(query, "end_to_end_id");
  if (id.empty()) return Text(400, "give ?end_to_end_id=ID");
  Tx snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = txs_.find(id);
    if (it == txs_.end()) {
      closed_ids_.insert(id);  // from now on, never received means never
      return Text(404, "unknown end_to_end_id: this bank never received it (the id is now closed)");
    }
    snapshot = it->second;
  }
  std::string xml = Pacs002For(snapshot);
  if (auto broken = CheckOutbound(MessageType::kPacs002, xml)) return *broken;
  return Xml(200, std::move(xml));
}

HttpResponse BankSim::Impl::OnCamt053(std::string_view query) {
  const std::optional<int64_t> from = ParseInt(QueryParam(query, "from_ms"));
  const std::optional<int64_t> to = ParseInt(QueryParam(query, "to_ms"));
  if (!from || !to || *from < 0 || *to <= *from) {
    return Text(400, "give ?from_ms=..&to_ms=.. (Unix milliseconds, from_ms < to_ms)");
  }
  Camt053 statement;
  statement.message_id = NextId("SM");
  statement.creation_time_ms = NowMs();
  statement.statement_id = NextId("ST");
  statement.from_ms = *from;
  statement.to_ms = *to;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const SimAccount& account = accounts_[collection_iban_];
    statement.account = Account{account.iban, options_.collection_bic, account.name};
    int64_t after_from = 0;
    int64_t after_to = 0;
    for (const Movement& movement : movements_) {
      const int64_t signed_amount =
          movement.credit ? movement.amount.minor_units() : -movement.amount.minor_units();
      if (movement.booking_ms >= *from) after_from += signed_amount;
      if (movement.booking_ms >= *to) after_to += signed_amount;
      if (movement.booking_ms < *from || movement.booking_ms >= *to) continue;
      if (!movement.on_statement) continue;
      StatementEntry entry;
      entry.amount = movement.amount;
      entry.credit = movement.credit;
      entry.status = "BOOK";
      entry.booking_date_ms = movement.booking_ms;
      entry.value_date_ms = movement.booking_ms;
      entry.account_servicer_reference = movement.reference;
      entry.end_to_end_id = movement.end_to_end_id;
      entry.remittance = movement.remittance;
      entry.debtor_name = movement.debtor_name;
      entry.debtor_iban = movement.debtor_iban;
      statement.entries.push_back(std::move(entry));
    }
    statement.opening_balance =
        Money::Create(account.currency, account.balance - after_from).value();
    statement.closing_balance = Money::Create(account.currency, account.balance - after_to).value();
  }
  std::string xml = BuildCamt053(statement);
  if (auto broken = CheckOutbound(MessageType::kCamt053, xml)) return *broken;
  return Xml(200, std::move(xml));
}

// ----- Control API -----

HttpResponse BankSim::Impl::OnControl(const HttpServerRequest& request, std::string_view path) {
  json body;
  if (request.method == "POST") {
    body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object()) {
      return JsonError(400, "send a JSON object");
    }
  }
  try {
    if (request.method == "POST" && path == "/sim/accounts") return PostAccount(body);
    if (request.method == "POST" && path == "/sim/faults") return PostFaults(body);
    if (request.method == "POST" && path == "/sim/faults/request") return PostRequestFault(body);
    if (request.method == "POST" && path == "/sim/counter-payment") {
      return PostCounterPayment(body);
    }
    if (request.method == "POST" && path == "/sim/config") return PostConfig(body);
    if (request.method == "GET" && path == "/sim/stats") return GetStats();
    constexpr std::string_view kAccounts = "/sim/accounts/";
    if (request.method == "GET" && path.rfind(kAccounts, 0) == 0) {
      Result<std::string> iban = NormalizeIban(path.substr(kAccounts.size()));
      std::lock_guard<std::mutex> lock(mu_);
      auto it = iban.ok() ? accounts_.find(*iban) : accounts_.end();
      if (it == accounts_.end()) return JsonError(404, "no such account");
      return Json(200, AccountJson(it->second));
    }
    constexpr std::string_view kTransactions = "/sim/transactions/";
    if (request.method == "GET" && path.rfind(kTransactions, 0) == 0) {
      const std::string id(path.substr(kTransactions.size()));
      std::lock_guard<std::mutex> lock(mu_);
      auto it = txs_.find(id);
      if (it == txs_.end()) return JsonError(404, "this bank never received " + id);
      const Tx& tx = it->second;
      return Json(200, json{{"end_to_end_id", tx.end_to_end_id},
                            {"kind", tx.kind == Kind::kCollection ? "collection" : "refund"},
                            {"status", tx.status},
                            {"reason_code", tx.reason_code},
                            {"account_servicer_reference", tx.reference},
                            {"amount", MoneyJson(tx.amount)},
                            {"times_debited", tx.times_debited},
                            {"notification_attempts", tx.notification_attempts},
                            {"notifications_delivered", tx.notifications_delivered}});
    }
  } catch (const json::exception& e) {
    return JsonError(400, std::string("malformed field: ") + e.what());
  }
  return JsonError(404, "no such control endpoint: " + std::string(path));
}

HttpResponse BankSim::Impl::PostAccount(const json& body) {
  Result<std::string> iban = NormalizeIban(body.value("iban", ""));
  if (!iban.ok()) return JsonError(400, std::string(iban.status().message()));
  SimAccount account;
  account.iban = *iban;
  account.name = body.value("name", "");
  account.currency = body.value("currency", options_.currency);
  account.balance = body.value("balance_minor_units", int64_t{0});
  account.closed = body.value("closed", false);
  if (FindCurrency(account.currency) == nullptr) return JsonError(400, "currency: unknown code");
  if (account.balance < 0) return JsonError(400, "balance_minor_units: must not be negative");
  if (account.name.empty()) return JsonError(400, "name: required");
  std::lock_guard<std::mutex> lock(mu_);
  // The collection account in another currency than its own is a separate pocket of it (the
  // gateway settles every currency it collects from the same IBAN).
  accounts_[PocketKey(account.iban, account.currency)] = account;
  return Json(200, AccountJson(account));
}

HttpResponse BankSim::Impl::PostFaults(const json& body) {
  Faults faults;
  faults.latency_ms = body.value("latency_ms", int64_t{0});
  faults.timeout_rate = body.value("timeout_rate", 0.0);
  faults.error_rate = body.value("error_rate", 0.0);
  faults.decline_rate = body.value("decline_rate", 0.0);
  faults.lost_notification_rate = body.value("lost_notification_rate", 0.0);
  faults.duplicate_notification_rate = body.value("duplicate_notification_rate", 0.0);
  faults.early_notification_rate = body.value("early_notification_rate", 0.0);
  faults.seed = body.value("seed", uint64_t{1});
  for (double rate :
       {faults.timeout_rate, faults.error_rate, faults.decline_rate, faults.lost_notification_rate,
        faults.duplicate_notification_rate, faults.early_notification_rate}) {
    if (rate < 0 || rate > 1) return JsonError(400, "rates must be between 0 and 1");
  }
  if (faults.latency_ms < 0) return JsonError(400, "latency_ms: must not be negative");
  std::lock_guard<std::mutex> lock(mu_);
  faults_ = faults;
  rng_.seed(faults.seed);
  return Json(200, json{{"ok", true}});
}

HttpResponse BankSim::Impl::PostRequestFault(const json& body) {
  const std::string id = body.value("end_to_end_id", "");
  const std::string fault = body.value("fault", "");
  if (id.empty()) return JsonError(400, "end_to_end_id: required");
  if (KnownFaults().count(fault) == 0) {
    return JsonError(400,
                     "fault: one of timeout, error, drop_request, lost_notification, "
                     "duplicate_notification, early_notification, decline, misbook, "
                     "unbooked");
  }
  std::lock_guard<std::mutex> lock(mu_);
  one_shot_[id].insert(fault);
  return Json(200, json{{"ok", true}});
}

HttpResponse BankSim::Impl::PostCounterPayment(const json& body) {
  Result<std::string> iban = NormalizeIban(body.value("debtor_iban", ""), "debtor_iban");
  if (!iban.ok()) return JsonError(400, std::string(iban.status().message()));
  const std::string bill_number = body.value("bill_number", "");
  if (bill_number.empty() || bill_number.size() > 140) {
    return JsonError(400, "bill_number: required, at most 140 characters");
  }
  const json amount_json = body.value("amount", json::object());
  Result<Money> amount = Money::Create(amount_json.value("currency", ""),
                                       amount_json.value("minor_units", int64_t{0}));
  if (!amount.ok()) return JsonError(400, "amount: " + std::string(amount.status().message()));
  if (amount->minor_units() <= 0) return JsonError(400, "amount: must be positive");

  Movement movement;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto debtor = accounts_.find(*iban);
    auto collection = accounts_.find(collection_iban_);
    if (debtor == accounts_.end()) {
      return Json(404, json{{"error", "unknown account"}, {"reason_code", "AC01"}});
    }
    if (debtor->second.closed) {
      return Json(409, json{{"error", "closed account"}, {"reason_code", "AC04"}});
    }
    if (debtor->second.currency != amount->currency() ||
        collection->second.currency != amount->currency()) {
      return Json(409, json{{"error", "another currency"}, {"reason_code", "AM03"}});
    }
    if (debtor->second.balance < amount->minor_units()) {
      return Json(409, json{{"error", "insufficient funds"}, {"reason_code", "AM04"}});
    }
    debtor->second.balance -= amount->minor_units();
    collection->second.balance += amount->minor_units();
    movement.booking_ms = NowMs();
    movement.credit = true;
    movement.amount = *amount;
    movement.reference = NextId("BC");
    movement.end_to_end_id = std::string(kNotProvided);
    movement.remittance = bill_number;
    movement.debtor_name = debtor->second.name;
    movement.debtor_iban = debtor->second.iban;
    movements_.push_back(movement);
  }
  Camt054 notice;
  notice.message_id = NextId("NM");
  notice.creation_time_ms = NowMs();
  notice.notification_id = NextId("NT");
  notice.account = Account{collection_iban_, options_.collection_bic, options_.collection_name};
  StatementEntry entry;
  entry.amount = movement.amount;
  entry.credit = true;
  entry.status = "BOOK";
  entry.booking_date_ms = movement.booking_ms;
  entry.value_date_ms = movement.booking_ms;
  entry.account_servicer_reference = movement.reference;
  entry.end_to_end_id = movement.end_to_end_id;
  entry.remittance = movement.remittance;
  entry.debtor_name = movement.debtor_name;
  entry.debtor_iban = movement.debtor_iban;
  notice.entries.push_back(std::move(entry));
  std::string xml = BuildCamt054(notice);
  if (auto broken = CheckOutbound(MessageType::kCamt054, xml)) {
    return JsonError(500, "the bank built an invalid camt.054 (the payment is booked)");
  }
  spdlog::info("counter payment {} of {} from {} for bill {}", movement.reference,
               movement.amount.ToString(), MaskIban(movement.debtor_iban), bill_number);
  Push(Channel::kCamt054, std::move(xml), movement.reference, nullptr);
  return Json(200, json{{"account_servicer_reference", movement.reference}});
}

HttpResponse BankSim::Impl::PostConfig(const json& body) {
  std::optional<PushTarget> pacs002;
  std::optional<PushTarget> camt054;
  if (body.contains("notify_url")) {
    Result<PushTarget> target = MakeTarget(body.at("notify_url").get<std::string>());
    if (!target.ok())
      return JsonError(400, "notify_url: " + std::string(target.status().message()));
    pacs002 = std::move(*target);
  }
  if (body.contains("camt054_url")) {
    Result<PushTarget> target = MakeTarget(body.at("camt054_url").get<std::string>());
    if (!target.ok()) {
      return JsonError(400, "camt054_url: " + std::string(target.status().message()));
    }
    camt054 = std::move(*target);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (pacs002) pacs002_target_ = std::move(*pacs002);
  if (camt054) camt054_target_ = std::move(*camt054);
  if (body.contains("settle_delay_ms"))
    settle_delay_ms_ = body.at("settle_delay_ms").get<int64_t>();
  return Json(200, json{{"notify_url", pacs002_target_.url},
                        {"camt054_url", camt054_target_.url},
                        {"settle_delay_ms", settle_delay_ms_}});
}

HttpResponse BankSim::Impl::GetStats() {
  std::lock_guard<std::mutex> lock(mu_);
  return Json(200, json{{"messages_received", stats_.messages_received},
                        {"invalid_messages_received", stats_.invalid_messages_received},
                        {"messages_sent", stats_.messages_sent},
                        {"invalid_messages_sent", stats_.invalid_messages_sent},
                        {"notification_attempts", stats_.notification_attempts},
                        {"notifications_delivered", stats_.notifications_delivered},
                        {"notifications_abandoned", stats_.notifications_abandoned}});
}

// ----- BankSim -----

Result<std::unique_ptr<BankSim>> BankSim::Start(BankSimOptions options) {
  if (options.schema_dir.empty()) options.schema_dir = DefaultSchemaDir();
  Result<std::unique_ptr<SchemaSet>> schemas = SchemaSet::Load(options.schema_dir);
  if (!schemas.ok()) return schemas.status();
  const std::vector<std::string> seeds = options.seed_accounts;
  auto impl = std::make_shared<Impl>(std::move(options), std::move(*schemas));
  for (const std::string& seed : seeds) {
    const std::optional<pay::sim::SeedSpec> spec = pay::sim::ParseSeedSpec(seed);
    if (!spec) {
      return absl::InvalidArgumentError("--seed-account: \"" + seed +
                                        "\" is not IBAN:CURRENCY:MINOR_UNITS:NAME");
    }
    HttpResponse created = impl->PostAccount(json{{"iban", spec->id},
                                                  {"currency", spec->currency},
                                                  {"balance_minor_units", spec->minor_units},
                                                  {"name", spec->name}});
    if (created.status != 200) {
      return absl::InvalidArgumentError("--seed-account: " + seed + ": " + created.body);
    }
  }
  PAY_RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<BankSim>(new BankSim(std::move(impl)));
}

BankSim::BankSim(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

BankSim::~BankSim() { Stop(); }

std::string BankSim::address() const { return impl_->address(); }
uint16_t BankSim::port() const { return impl_->port(); }
void BankSim::Stop() { impl_->Stop(); }

}  // namespace pay::iso20022::sim
