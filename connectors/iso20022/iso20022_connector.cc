// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The ISO 20022 bank connector (see iso20022_connector.h and BANK_API.md).
//
// All state lives in a Core shared by the connector, its HTTP callbacks and its timers: HTTP
// callbacks hold it (they always run, once), timers only a weak reference (a connector that is
// gone stops polling). Nothing here blocks: callbacks run on the host's I/O threads.

#include "iso20022_connector.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "iban.h"
#include "messages.h"
#include "schemas.h"

namespace pay::iso20022 {
namespace {

using connector::CollectionCallback;
using connector::CollectionOutcome;
using connector::CollectionRequest;
using connector::ConnectorConfig;
using connector::ConnectorContext;
using connector::CreditNotice;
using connector::HttpRequest;
using connector::HttpResponse;
using connector::Notification;
using connector::NotificationCallback;
using connector::NotificationReply;
using connector::OutcomeStatus;
using connector::RefundCallback;
using connector::RefundOutcome;
using connector::RefundRequest;
using connector::Statement;
using connector::StatementCallback;
using connector::StatementLine;

constexpr std::string_view kXmlContentType = "application/xml";
constexpr size_t kMaxQuotedBody = 300;  // of a bank's error answer, in our error messages

// FNV-1a, 64 bits, as 16 hex digits: a stable short stand-in for an over-long id.
std::string HashHex(std::string_view text) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[hash & 0xF];
    hash >>= 4;
  }
  return out;
}

std::string DerivedId(std::string_view prefix, std::string_view id) {
  std::string candidate = std::string(prefix) + std::string(id);
  if (candidate.size() <= 35) return candidate;
  return std::string(prefix) + "H" + HashHex(id);
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

// A bank's answer body for an error message: printable ASCII only, capped.
std::string Quote(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kMaxQuotedBody)) {
    out.push_back(c >= 0x20 && c < 0x7F ? c : ' ');
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (body.size() > kMaxQuotedBody) out += "...";
  return out;
}

std::string Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  const size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

Status WithContext(const Status& status, std::string_view context) {
  return Status(status.code(), std::string(context) + ": " + std::string(status.message()));
}

NotificationReply Reply(int status, std::string body) {
  return NotificationReply{status, "text/plain", std::move(body) + "\n"};
}

enum class Kind { kCollection, kRefund };

std::string_view KindName(Kind kind) { return kind == Kind::kCollection ? "collection" : "refund"; }

// A collection or refund the connector sent and may still poll for.
struct Tracked {
  Kind kind = Kind::kCollection;
  uint64_t generation = 0;  // one per Collect/Refund call: a resend supersedes older polls
  bool answered = false;    // the bank's 202 came in (polling is then scheduled)
  // A final outcome a notification reported before the 202 came in (early notification).
  std::optional<CollectionOutcome> final_outcome;
};

// What one transaction of a status report means for the gateway.
CollectionOutcome OutcomeFromReport(const TxStatusReport& tx) {
  CollectionOutcome outcome;
  outcome.connector_reference = tx.account_servicer_reference;
  switch (tx.status) {
    case TxStatus::kSettled:
      outcome.status = OutcomeStatus::kSucceeded;
      break;
    case TxStatus::kRejected: {
      outcome.status = OutcomeStatus::kFailed;
      outcome.failure_code = FailureCodeForReason(tx.reason_code);
      std::string code = tx.status_code.empty() ? "RJCT" : tx.status_code;
      if (!tx.reason_code.empty()) code += " " + tx.reason_code;
      outcome.failure_message = "the bank rejected it (" + code + ")";
      if (!tx.reason_text.empty()) outcome.failure_message += ": " + tx.reason_text;
      break;
    }
    case TxStatus::kAccepted:
    case TxStatus::kPending:
      outcome.status = OutcomeStatus::kPending;
      break;
  }
  return outcome;
}

RefundOutcome ToRefundOutcome(const CollectionOutcome& outcome) {
  RefundOutcome refund;
  refund.status = outcome.status;
  refund.connector_reference = outcome.connector_reference;
  refund.failure_code = outcome.failure_code;
  refund.failure_message = outcome.failure_message;
  return refund;
}

// The transaction about `end_to_end_id` in `report`, or (failing that) what the group status
// says about it. nullopt when the report says nothing about it.
std::optional<TxStatusReport> StatusOf(const StatusReport& report, std::string_view end_to_end_id) {
  for (const TxStatusReport& tx : report.transactions) {
    if (tx.original_end_to_end_id != end_to_end_id) continue;
    TxStatusReport effective = tx;
    if (effective.status == TxStatus::kRejected && effective.reason_code.empty()) {
      effective.reason_code = report.group_reason_code;
      if (effective.reason_text.empty()) effective.reason_text = report.group_reason_text;
    }
    return effective;
  }
  if (report.group_status.empty()) return std::nullopt;
  TxStatusReport group;
  group.original_end_to_end_id = std::string(end_to_end_id);
  group.status_code = report.group_status;
  group.status = TxStatusFromCode(report.group_status);
  group.reason_code = report.group_reason_code;
  group.reason_text = report.group_reason_text;
  return group;
}

// The pain.008 collecting `request` from `debtor_iban` (normalised) into the collection account.
Pain008 CollectionMessage(const ConnectorOptions& options, const CollectionRequest& request,
                          const std::string& debtor_iban, int64_t now_ms) {
  Pain008 message;
  message.message_id = CollectionMessageId(request.payment_id);
  message.creation_time_ms = now_ms;
  message.initiating_party = options.initiating_party;
  message.payment_info_id = DerivedId("PI-", request.payment_id);
  message.requested_collection_date_ms = now_ms;
  message.creditor = options.collection_account;
  message.creditor_scheme_id = options.creditor_scheme_id;
  DirectDebit debit;
  debit.instruction_id = request.payment_id;
  debit.end_to_end_id = request.payment_id;
  debit.amount = request.amount;
  debit.mandate_id = DerivedId("MNDT-", request.bill_number);
  debit.mandate_signature_date_ms = request.create_time_ms > 0 ? request.create_time_ms : now_ms;
  debit.debtor.iban = debtor_iban;
  debit.remittance = request.bill_number;
  message.debits.push_back(std::move(debit));
  return message;
}

// The pain.001 returning `request` from the collection account. Without `creditor_iban` the
// creditor account is left out: the bank returns the money to the account that the collection
// named in the remittance was debited from (BANK_API.md).
Pain001 RefundMessage(const ConnectorOptions& options, const RefundRequest& request,
                      const std::string& creditor_iban, int64_t now_ms) {
  Pain001 message;
  message.message_id = RefundMessageId(request.refund_id);
  message.creation_time_ms = now_ms;
  message.initiating_party = options.initiating_party;
  message.payment_info_id = DerivedId("RI-", request.refund_id);
  message.requested_execution_date_ms = now_ms;
  message.debtor = options.collection_account;
  CreditTransfer transfer;
  transfer.instruction_id = request.refund_id;
  transfer.end_to_end_id = request.refund_id;
  transfer.amount = request.amount;
  transfer.creditor.iban = creditor_iban;
  transfer.remittance = "REFUND " + request.payment_id;
  message.transfers.push_back(std::move(transfer));
  return message;
}

// Builds a collection and a refund as the connector will and checks them against the schemas,
// so that a configuration the bank's format cannot carry (a malformed BIC, an over-long name or
// creditor id) fails when the connector is created rather than on every payment.
Status CheckConfigurationYieldsValidMessages(const ConnectorOptions& options,
                                             const SchemaSet& schemas) {
  CollectionRequest collection;
  collection.payment_id = "pay_00000000000000000000";
  collection.bill_number = "0000000000000000";
  collection.amount = Money::Create("SAR", 100).value();
  collection.create_time_ms = 1;
  Status valid = schemas.Validate(
      MessageType::kPain008,
      BuildPain008(CollectionMessage(options, collection, options.collection_account.iban, 1)));
  if (valid.ok()) {
    RefundRequest refund;
    refund.refund_id = "ref_00000000000000000000";
    refund.payment_id = collection.payment_id;
    refund.amount = collection.amount;
    valid = schemas.Validate(MessageType::kPain001,
                             BuildPain001(RefundMessage(options, refund, "", 1)));
  }
  if (valid.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "collection_bic, collection_name, creditor_scheme_id or initiating_party does not fit the "
      "ISO 20022 format (" +
      std::string(valid.message()) + ")");
}

class Core : public std::enable_shared_from_this<Core> {
 public:
  Core(const ConnectorContext& context, ConnectorOptions options,
       std::unique_ptr<SchemaSet> schemas)
      : name_(context.name),
        options_(std::move(options)),
        http_(context.http),
        scheduler_(context.scheduler),
        clock_(context.clock),
        logger_(context.logger),
        sink_(context.sink),
        schemas_(std::move(schemas)) {}

  const std::string& name() const { return name_; }
  const ConnectorOptions& options() const { return options_; }

  void Collect(const CollectionRequest& request, CollectionCallback done);
  void Inquire(const CollectionRequest& request, CollectionCallback done);
  void Refund(const RefundRequest& request, RefundCallback done);
  // Settlement: one pain.001 for the batch; statuses from its pain.002, then by status inquiry.
  void SendCreditTransfers(const connector::CreditTransferBatch& batch,
                           connector::CreditTransferCallback done);
  void InquireCreditTransfers(const connector::CreditTransferBatch& batch,
                              connector::CreditTransferCallback done);
  void HandleNotification(const Notification& notification, NotificationCallback reply);
  void FetchStatement(int64_t from_ms, int64_t to_ms, StatementCallback done);

 private:
  // Sends an outbound ISO 20022 message after checking it against its schema. An invalid
  // message is a bug of ours: kInternal, and nothing is sent.
  Status SendMessage(MessageType type, std::string_view path, std::string xml,
                     connector::HttpClient::Callback done);
  // Sends a pain.008 / pain.001 and interprets the bank's pain.002; tracks `end_to_end_id` for
  // polling while the outcome is pending.
  void Initiate(Kind kind, MessageType type, std::string_view path, std::string xml,
                const std::string& message_id, const std::string& end_to_end_id,
                CollectionCallback done);
  // The outcome the bank's pain.002 answer gives for `end_to_end_id`.
  Result<CollectionOutcome> InterpretAck(std::string_view what, const std::string& message_id,
                                         const std::string& end_to_end_id,
                                         const Result<HttpResponse>& answer) const;
  // GET status: the bank's current report on `end_to_end_id` (kNotFound: no record).
  void QueryStatus(const std::string& end_to_end_id,
                   std::function<void(Result<TxStatusReport>)> done);

  // Starts tracking a request about to be sent; returns its generation.
  uint64_t Track(const std::string& end_to_end_id, Kind kind);
  // Stops tracking, unless a newer request for the same id took over.
  void Forget(const std::string& end_to_end_id, uint64_t generation);
  // After a 202: sets *known (and forgets the id) if a notification already brought the final
  // outcome; otherwise returns true when polling should start.
  bool Answered(const std::string& end_to_end_id, uint64_t generation,
                std::optional<CollectionOutcome>* known);
  // A notification (or a poll) learned the final outcome of `end_to_end_id`.
  void Settled(const std::string& end_to_end_id, const CollectionOutcome& outcome);
  void SchedulePoll(const std::string& end_to_end_id, uint64_t generation, int attempt,
                    int64_t delay_ms);
  void Poll(const std::string& end_to_end_id, uint64_t generation, int attempt, int64_t delay_ms);

  void HandlePacs002(const Notification& notification, NotificationCallback reply);
  void HandleCamt054(const Notification& notification, NotificationCallback reply);
  // Reports a final collection outcome through the sink, or logs a refund's.
  Status ReportFinal(Kind kind, const std::string& end_to_end_id, const CollectionOutcome& outcome);

  const std::string name_;
  const ConnectorOptions options_;
  const std::shared_ptr<connector::HttpClient> http_;
  connector::Scheduler* const scheduler_;
  const connector::Clock* const clock_;
  connector::Logger* const logger_;
  connector::OutcomeSink* const sink_;
  const std::unique_ptr<SchemaSet> schemas_;

  std::mutex mu_;
  std::map<std::string, Tracked, std::less<>> tracked_;  // by end-to-end id
  uint64_t next_generation_ = 0;
};

Status Core::SendMessage(MessageType type, std::string_view path, std::string xml,
                         connector::HttpClient::Callback done) {
  Status valid = schemas_->Validate(type, xml);
  if (!valid.ok()) {
    return absl::InternalError("the connector built an invalid " + std::string(MessageName(type)) +
                               " (nothing was sent; this is a "
                               "bug or a request field the bank's format cannot carry): " +
                               std::string(valid.message()));
  }
  HttpRequest request;
  request.method = "POST";
  request.target = std::string(path);
  request.headers = {{"Content-Type", std::string(kXmlContentType)},
                     {"Accept", std::string(kXmlContentType)}};
  request.body = std::move(xml);
  http_->Send(std::move(request), std::move(done));
  return absl::OkStatus();
}

Result<CollectionOutcome> Core::InterpretAck(std::string_view what, const std::string& message_id,
                                             const std::string& end_to_end_id,
                                             const Result<HttpResponse>& answer) const {
  const std::string context = "bank: " + std::string(what) + " for " + end_to_end_id;
  if (!answer.ok()) {
    const bool unsent = answer.status().code() == StatusCode::kUnavailable;
    return WithContext(answer.status(),
                       context + (unsent ? " was not sent (safe to send again)"
                                         : " may have reached the bank; the outcome is unknown "
                                           "(inquire)"));
  }
  const HttpResponse& response = *answer;
  if (response.status == 200 || response.status == 202) {
    Status valid = schemas_->Validate(MessageType::kPain002, response.body);
    if (!valid.ok()) {
      return absl::InternalError(context + ": the bank answered with an invalid pain.002 (" +
                                 std::string(valid.message()) +
                                 "); the outcome is unknown (inquire)");
    }
    Result<StatusReport> report = ParsePain002(response.body);
    if (!report.ok()) {
      return absl::InternalError(context + ": cannot read the bank's pain.002 (" +
                                 std::string(report.status().message()) +
                                 "); the outcome is unknown (inquire)");
    }
    if (!report->original_message_id.empty() && report->original_message_id != message_id) {
      return absl::InternalError(context + ": the bank's pain.002 answers message " +
                                 report->original_message_id + ", not " + message_id +
                                 "; the outcome is unknown (inquire)");
    }
    std::optional<TxStatusReport> status = StatusOf(*report, end_to_end_id);
    if (!status.has_value()) {
      return absl::InternalError(context + ": the bank's pain.002 says nothing about " +
                                 end_to_end_id + "; the outcome is unknown (inquire)");
    }
    return OutcomeFromReport(*status);
  }
  if (response.status == 400) {
    return absl::InternalError(
        context + ": the bank refused the message as invalid (HTTP 400: " + Quote(response.body) +
        "); check the connector's configuration against the bank's "
        "format");
  }
  return absl::InternalError(context + ": the bank answered HTTP " +
                             std::to_string(response.status) + " (" + Quote(response.body) +
                             "); the outcome is unknown (inquire)");
}

uint64_t Core::Track(const std::string& end_to_end_id, Kind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  Tracked& tracked = tracked_[end_to_end_id];
  tracked.kind = kind;
  tracked.generation = ++next_generation_;
  tracked.answered = false;
  tracked.final_outcome.reset();
  return tracked.generation;
}

void Core::Forget(const std::string& end_to_end_id, uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tracked_.find(end_to_end_id);
  if (it != tracked_.end() && it->second.generation == generation) tracked_.erase(it);
}

bool Core::Answered(const std::string& end_to_end_id, uint64_t generation,
                    std::optional<CollectionOutcome>* known) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tracked_.find(end_to_end_id);
  if (it == tracked_.end() || it->second.generation != generation) return false;
  if (it->second.final_outcome.has_value()) {
    *known = std::move(it->second.final_outcome);
    tracked_.erase(it);
    return false;
  }
  if (options_.poll_attempts == 0) {
    tracked_.erase(it);
    return false;
  }
  it->second.answered = true;
  return true;
}

void Core::Settled(const std::string& end_to_end_id, const CollectionOutcome& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tracked_.find(end_to_end_id);
  if (it == tracked_.end()) return;
  if (it->second.answered) {
    tracked_.erase(it);  // a pending poll finds nothing to do
  } else {
    it->second.final_outcome = outcome;
  }
}

void Core::SchedulePoll(const std::string& end_to_end_id, uint64_t generation, int attempt,
                        int64_t delay_ms) {
  std::weak_ptr<Core> weak = weak_from_this();
  scheduler_->After(std::chrono::milliseconds(delay_ms),
                    [weak, end_to_end_id, generation, attempt, delay_ms] {
                      if (std::shared_ptr<Core> core = weak.lock()) {
                        core->Poll(end_to_end_id, generation, attempt, delay_ms);
                      }
                    });
}

void Core::Poll(const std::string& end_to_end_id, uint64_t generation, int attempt,
                int64_t delay_ms) {
  Kind kind;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tracked_.find(end_to_end_id);
    // Gone: a notification brought the outcome. Another generation: a resend polls for itself.
    if (it == tracked_.end() || it->second.generation != generation) return;
    kind = it->second.kind;
  }
  std::shared_ptr<Core> self = shared_from_this();
  QueryStatus(end_to_end_id, [self, kind, end_to_end_id, generation, attempt,
                              delay_ms](Result<TxStatusReport> report) {
    bool finished = false;
    if (!report.ok()) {
      self->logger_->Warning("poll " + std::to_string(attempt + 1) + " for " +
                             std::string(KindName(kind)) + " " + end_to_end_id +
                             " failed: " + std::string(report.status().message()));
    } else {
      const CollectionOutcome outcome = OutcomeFromReport(*report);
      if (outcome.status != OutcomeStatus::kPending) {
        Status reported = self->ReportFinal(kind, end_to_end_id, outcome);
        if (reported.ok()) {
          self->logger_->Info("no status report came for " + std::string(KindName(kind)) + " " +
                              end_to_end_id + "; polling found " +
                              std::string(connector::OutcomeStatusName(outcome.status)));
          finished = true;
        } else {
          self->logger_->Warning("cannot record the polled outcome of " + end_to_end_id + ": " +
                                 std::string(reported.message()) + "; polling again");
        }
      }
    }
    if (finished) {
      self->Forget(end_to_end_id, generation);
      return;
    }
    if (attempt + 1 >= self->options_.poll_attempts) {
      self->logger_->Warning("gave up polling " + std::string(KindName(kind)) + " " +
                             end_to_end_id + " after " + std::to_string(attempt + 1) +
                             " attempts; the gateway's inquiry will resolve it");
      self->Forget(end_to_end_id, generation);
      return;
    }
    self->SchedulePoll(end_to_end_id, generation, attempt + 1,
                       std::min(delay_ms * 2, self->options_.poll_max_ms));
  });
}

Status Core::ReportFinal(Kind kind, const std::string& end_to_end_id,
                         const CollectionOutcome& outcome) {
  if (kind == Kind::kRefund) {
    // Refund outcomes are not reported to the gateway yet: they are logged.
    logger_->Info("refund " + end_to_end_id + ": " +
                  std::string(connector::OutcomeStatusName(outcome.status)) +
                  (outcome.failure_code.empty() ? "" : " " + outcome.failure_code) +
                  (outcome.connector_reference.empty()
                       ? ""
                       : " (bank reference " + outcome.connector_reference + ")"));
    Settled(end_to_end_id, outcome);
    return absl::OkStatus();
  }
  PAY_RETURN_IF_ERROR(sink_->ReportCollection(end_to_end_id, outcome));
  Settled(end_to_end_id, outcome);
  return absl::OkStatus();
}

void Core::QueryStatus(const std::string& end_to_end_id,
                       std::function<void(Result<TxStatusReport>)> done) {
  HttpRequest request;
  request.method = "GET";
  request.target = std::string(kStatusPath) + "?end_to_end_id=" + PercentEncode(end_to_end_id);
  request.headers = {{"Accept", std::string(kXmlContentType)}};
  std::shared_ptr<Core> self = shared_from_this();
  http_->Send(std::move(request), [self, end_to_end_id,
                                   done = std::move(done)](Result<HttpResponse> answer) {
    const std::string context = "bank: status of " + end_to_end_id;
    if (!answer.ok()) {
      // Whether or not the request got there, an inquiry changes nothing: try again later.
      return done(absl::UnavailableError(context + ": " + std::string(answer.status().message()) +
                                         "; try again later"));
    }
    if (answer->status == 404) {
      return done(absl::NotFoundError(context + ": the bank has no record of it (never received)"));
    }
    if (answer->status >= 500) {
      return done(absl::UnavailableError(context + ": the bank answered HTTP " +
                                         std::to_string(answer->status) + " (" +
                                         Quote(answer->body) + "); try again later"));
    }
    if (answer->status != 200) {
      return done(absl::InternalError(context + ": the bank answered HTTP " +
                                      std::to_string(answer->status) + " (" + Quote(answer->body) +
                                      ")"));
    }
    Status valid = self->schemas_->Validate(MessageType::kPacs002, answer->body);
    if (!valid.ok()) {
      return done(absl::InternalError(context + ": the bank answered with an invalid pacs.002 (" +
                                      std::string(valid.message()) + ")"));
    }
    Result<StatusReport> report = ParsePacs002(answer->body);
    if (!report.ok()) {
      return done(absl::InternalError(context + ": cannot read the bank's pacs.002 (" +
                                      std::string(report.status().message()) + ")"));
    }
    std::optional<TxStatusReport> status = StatusOf(*report, end_to_end_id);
    if (!status.has_value()) {
      return done(absl::InternalError(context + ": the bank's pacs.002 says nothing about it"));
    }
    done(std::move(*status));
  });
}

void Core::Initiate(Kind kind, MessageType type, std::string_view path, std::string xml,
                    const std::string& message_id, const std::string& end_to_end_id,
                    CollectionCallback done) {
  const uint64_t generation = Track(end_to_end_id, kind);
  const std::string what(MessageName(type).substr(0, 8));  // "pain.008"
  std::shared_ptr<Core> self = shared_from_this();
  Status sent = SendMessage(
      type, path, std::move(xml),
      [self, what, message_id, end_to_end_id, generation, done](Result<HttpResponse> answer) {
        Result<CollectionOutcome> outcome =
            self->InterpretAck(what, message_id, end_to_end_id, answer);
        if (!outcome.ok()) {
          self->Forget(end_to_end_id, generation);
          self->logger_->Warning(std::string(outcome.status().message()));
          return done(outcome.status());
        }
        if (outcome->status != OutcomeStatus::kPending) {
          self->Forget(end_to_end_id, generation);
          return done(std::move(outcome));
        }
        std::optional<CollectionOutcome> known;
        if (self->Answered(end_to_end_id, generation, &known)) {
          self->SchedulePoll(end_to_end_id, generation, 0, self->options_.poll_after_ms);
        }
        // The status report may have come before the 202: then its outcome is the answer.
        done(known.has_value() ? std::move(*known) : std::move(*outcome));
      });
  if (!sent.ok()) {
    Forget(end_to_end_id, generation);
    logger_->Error(std::string(sent.message()));
    done(sent);
  }
}

void Core::Collect(const CollectionRequest& request, CollectionCallback done) {
  if (std::find(options_.methods.begin(), options_.methods.end(), request.method) ==
      options_.methods.end()) {
    CollectionOutcome outcome;
    outcome.status = OutcomeStatus::kFailed;
    outcome.failure_code = "UNSUPPORTED_METHOD";
    outcome.failure_message = "connector " + name_ + " does not take " +
                              std::string(PaymentMethodName(request.method)) +
                              " payments (see methods in its configuration)";
    return done(outcome);
  }
  Result<std::string> iban = NormalizeIban(request.payer_account, "payer_account");
  if (!iban.ok()) {
    CollectionOutcome outcome;
    outcome.status = OutcomeStatus::kFailed;
    outcome.failure_code = "INVALID_PAYER_ACCOUNT";
    outcome.failure_message = std::string(iban.status().message());
    return done(outcome);
  }
  const Pain008 message = CollectionMessage(options_, request, *iban, clock_->NowMs());
  Initiate(Kind::kCollection, MessageType::kPain008, kPain008Path, BuildPain008(message),
           message.message_id, request.payment_id, std::move(done));
}

void Core::Inquire(const CollectionRequest& request, CollectionCallback done) {
  QueryStatus(request.payment_id, [done = std::move(done)](Result<TxStatusReport> report) {
    if (!report.ok()) return done(report.status());
    done(OutcomeFromReport(*report));
  });
}

void Core::Refund(const RefundRequest& request, RefundCallback done) {
  std::string creditor_iban;
  if (!request.destination_account.empty()) {
    Result<std::string> iban = NormalizeIban(request.destination_account, "destination_account");
    if (!iban.ok()) {
      RefundOutcome outcome;
      outcome.status = OutcomeStatus::kFailed;
      outcome.failure_code = "INVALID_DESTINATION_ACCOUNT";
      outcome.failure_message = std::string(iban.status().message());
      return done(outcome);
    }
    creditor_iban = *iban;
  }
  const Pain001 message = RefundMessage(options_, request, creditor_iban, clock_->NowMs());
  Initiate(Kind::kRefund, MessageType::kPain001, kPain001Path, BuildPain001(message),
           message.message_id, request.refund_id,
           [done = std::move(done)](Result<CollectionOutcome> outcome) {
             if (!outcome.ok()) return done(outcome.status());
             done(ToRefundOutcome(*outcome));
           });
}

namespace {

// A settlement transfer's status from a status report's transaction.
connector::CreditTransferStatus SettlementStatusOf(const std::string& end_to_end_id,
                                                   const TxStatusReport& tx) {
  const CollectionOutcome outcome = OutcomeFromReport(tx);
  connector::CreditTransferStatus status;
  status.end_to_end_id = end_to_end_id;
  status.status = outcome.status;
  status.provider_reference = tx.account_servicer_reference;
  if (outcome.status == OutcomeStatus::kFailed) {
    // The ISO reason code itself ("AC04"): settlement reports it as the bank gave it.
    status.failure_code = tx.reason_code.empty() ? "RJCT" : tx.reason_code;
    status.failure_message = outcome.failure_message;
  }
  return status;
}

}  // namespace

void Core::SendCreditTransfers(const connector::CreditTransferBatch& batch,
                               connector::CreditTransferCallback done) {
  const int64_t now_ms = clock_->NowMs();
  Pain001 message;
  message.message_id = batch.message_id;
  message.creation_time_ms = now_ms;
  message.initiating_party = options_.initiating_party;
  message.payment_info_id = batch.message_id;
  message.requested_execution_date_ms = now_ms;
  message.debtor = options_.collection_account;
  std::vector<std::string> ids;
  for (const connector::SettlementCreditTransfer& transfer : batch.transfers) {
    for (const auto& [field, value] :
         {std::pair<std::string, std::string_view>{"end_to_end_id", transfer.end_to_end_id},
          {"message_id", batch.message_id}}) {
      Status valid = CheckMax35Text(field, value);
      if (!valid.ok()) return done(absl::InvalidArgumentError(valid.message()));
    }
    Result<std::string> iban = NormalizeIban(transfer.creditor_iban, "creditor_iban");
    if (!iban.ok()) return done(iban.status());
    CreditTransfer credit;
    credit.instruction_id = transfer.end_to_end_id;
    credit.end_to_end_id = transfer.end_to_end_id;
    credit.amount = transfer.amount;
    credit.creditor.iban = *iban;
    credit.creditor.bic = transfer.creditor_bic;
    credit.creditor.name = transfer.creditor_name;
    credit.remittance = transfer.remittance;
    message.transfers.push_back(std::move(credit));
    ids.push_back(transfer.end_to_end_id);
  }
  std::shared_ptr<Core> self = shared_from_this();
  const std::string message_id = batch.message_id;
  Status sent = SendMessage(
      MessageType::kPain001, kPain001Path, BuildPain001(message),
      [self, message_id, ids, done](Result<HttpResponse> answer) {
        const std::string context = "bank: settlement " + message_id;
        if (!answer.ok()) return done(WithContext(answer.status(), context));
        if (answer->status != 200 && answer->status != 202) {
          return done(absl::InternalError(context + ": the bank answered HTTP " +
                                          std::to_string(answer->status) + " (" +
                                          Quote(answer->body) + "); the outcome is unknown"));
        }
        Status valid = self->schemas_->Validate(MessageType::kPain002, answer->body);
        if (!valid.ok()) {
          return done(absl::InternalError(context + ": invalid pain.002 (" +
                                          std::string(valid.message()) + ")"));
        }
        Result<StatusReport> report = ParsePain002(answer->body);
        if (!report.ok()) return done(report.status());
        std::vector<connector::CreditTransferStatus> statuses;
        for (const std::string& id : ids) {
          std::optional<TxStatusReport> status = StatusOf(*report, id);
          if (status.has_value()) statuses.push_back(SettlementStatusOf(id, *status));
        }
        done(std::move(statuses));
      });
  if (!sent.ok()) done(sent);
}

void Core::InquireCreditTransfers(const connector::CreditTransferBatch& batch,
                                  connector::CreditTransferCallback done) {
  struct Round {
    std::mutex mu;
    size_t outstanding = 0;
    std::vector<connector::CreditTransferStatus> statuses;
    connector::CreditTransferCallback done;
  };
  auto round = std::make_shared<Round>();
  round->outstanding = batch.transfers.size();
  round->done = std::move(done);
  if (batch.transfers.empty()) return round->done(round->statuses);
  for (const connector::SettlementCreditTransfer& transfer : batch.transfers) {
    const std::string id = transfer.end_to_end_id;
    QueryStatus(id, [round, id](Result<TxStatusReport> report) {
      std::optional<connector::CreditTransferStatus> status;
      if (report.ok()) {
        status = SettlementStatusOf(id, *report);
      } else if (report.status().code() == StatusCode::kNotFound) {
        status.emplace();
        status->end_to_end_id = id;
        status->status = OutcomeStatus::kFailed;
        status->failure_code = "NOT_RECEIVED";
        status->failure_message = std::string(report.status().message());
      }
      bool last = false;
      {
        std::lock_guard<std::mutex> lock(round->mu);
        if (status) round->statuses.push_back(std::move(*status));
        last = --round->outstanding == 0;
      }
      if (last) round->done(std::move(round->statuses));
    });
  }
}

void Core::HandleNotification(const Notification& notification, NotificationCallback reply) {
  if (notification.peer_common_name != options_.bank_common_name) {
    logger_->Warning("refused a notification to " + notification.path + " from \"" +
                     Quote(notification.peer_common_name) + "\": not the bank's certificate (" +
                     options_.bank_common_name + ")");
    return reply(Reply(403, "the client certificate is not the bank's (its common name must be " +
                                options_.bank_common_name + ")"));
  }
  if (notification.path == kPacs002NotificationPath) return HandlePacs002(notification, reply);
  if (notification.path == kCamt054NotificationPath) return HandleCamt054(notification, reply);
  reply(Reply(404, "unknown notification path " + Quote(notification.path) +
                       "; this connector "
                       "takes /pacs.002 and /camt.054"));
}

void Core::HandlePacs002(const Notification& notification, NotificationCallback reply) {
  Status valid = schemas_->Validate(MessageType::kPacs002, notification.body);
  if (!valid.ok()) {
    logger_->Warning("refused an invalid pacs.002: " + std::string(valid.message()));
    return reply(Reply(400, "invalid pacs.002.001.10: " + std::string(valid.message())));
  }
  Result<StatusReport> report = ParsePacs002(notification.body);
  if (!report.ok()) {
    logger_->Warning("refused a pacs.002: " + std::string(report.status().message()));
    return reply(Reply(400, "unusable pacs.002.001.10: " + std::string(report.status().message())));
  }
  const Kind kind =
      report->original_message_type.rfind("pain.001", 0) == 0 ? Kind::kRefund : Kind::kCollection;
  int reported = 0;
  for (const TxStatusReport& tx : report->transactions) {
    if (tx.original_end_to_end_id.empty()) {
      logger_->Warning("pacs.002 " + report->message_id +
                       " has a transaction without OrgnlEndToEndId; ignored");
      continue;
    }
    // A settlement transfer (its pain.001's MsgId is "STL-<window>-<attempt>", SDK
    // CreditTransferBatch): the gateway applies it at once.
    if (kind == Kind::kRefund && report->original_message_id.rfind("STL-", 0) == 0) {
      const connector::CreditTransferStatus status =
          SettlementStatusOf(tx.original_end_to_end_id, tx);
      if (status.status == OutcomeStatus::kPending) continue;
      Status recorded = sink_->ReportCreditTransfer(status);
      if (absl::IsNotFound(recorded) || absl::IsUnimplemented(recorded)) {
        logger_->Info("pacs.002 " + report->message_id + " about settlement transfer " +
                      tx.original_end_to_end_id +
                      " not applied: " + std::string(recorded.message()));
        continue;
      }
      if (!recorded.ok()) {
        logger_->Warning("cannot record the status of settlement transfer " +
                         tx.original_end_to_end_id + " from pacs.002 " + report->message_id + ": " +
                         std::string(recorded.message()) +
                         "; answering 503 so that the bank sends it again");
        return reply(Reply(503, "the gateway cannot record the status now; send it again later"));
      }
      ++reported;
      continue;
    }
    const CollectionOutcome outcome = OutcomeFromReport(tx);
    if (outcome.status == OutcomeStatus::kPending) {
      logger_->Debug(std::string(KindName(kind)) + " " + tx.original_end_to_end_id +
                     " is still pending at the bank (" + tx.status_code + ")");
      continue;
    }
    Status recorded = ReportFinal(kind, tx.original_end_to_end_id, outcome);
    if (!recorded.ok()) {
      logger_->Warning("cannot record the outcome of " + tx.original_end_to_end_id +
                       " from pacs.002 " + report->message_id + ": " +
                       std::string(recorded.message()) +
                       "; answering 503 so that the bank sends it again");
      return reply(Reply(503, "the gateway cannot record the status now; send it again later"));
    }
    ++reported;
  }
  reply(Reply(200, "recorded " + std::to_string(reported) + " status(es)"));
}

void Core::HandleCamt054(const Notification& notification, NotificationCallback reply) {
  Status valid = schemas_->Validate(MessageType::kCamt054, notification.body);
  if (!valid.ok()) {
    logger_->Warning("refused an invalid camt.054: " + std::string(valid.message()));
    return reply(Reply(400, "invalid camt.054.001.08: " + std::string(valid.message())));
  }
  Result<Camt054> message = ParseCamt054(notification.body);
  if (!message.ok()) {
    logger_->Warning("refused a camt.054: " + std::string(message.status().message()));
    return reply(
        Reply(400, "unusable camt.054.001.08: " + std::string(message.status().message())));
  }
  if (message->account.iban != options_.collection_account.iban) {
    logger_->Warning("refused camt.054 " + message->message_id + " about account " +
                     MaskIban(message->account.iban) + ": not the collection account");
    return reply(Reply(400, "camt.054 " + message->message_id +
                                " is about another account than the gateway's collection account"));
  }
  int reported = 0;
  for (const StatementEntry& entry : message->entries) {
    if (!entry.credit || (entry.status != "BOOK" && !entry.status.empty())) {
      logger_->Debug("camt.054 " + message->message_id + ": entry " +
                     entry.account_servicer_reference + " is not a booked credit; ignored");
      continue;
    }
    if (entry.account_servicer_reference.empty()) {
      logger_->Warning("refused camt.054 " + message->message_id +
                       ": a booked credit without AcctSvcrRef cannot be recorded once only");
      return reply(Reply(400, "every booked credit needs an AcctSvcrRef"));
    }
    CreditNotice notice;
    notice.reference = entry.account_servicer_reference;
    notice.method = PaymentMethod::kBankTransfer;
    notice.bill_number = Trim(entry.remittance);
    notice.amount = entry.amount;
    notice.payer_name = entry.debtor_name;
    notice.payer_account = entry.debtor_iban;
    notice.booking_time_ms = entry.booking_date_ms != 0 ? entry.booking_date_ms
                             : entry.value_date_ms != 0 ? entry.value_date_ms
                                                        : message->creation_time_ms;
    Status recorded = sink_->ReportCredit(notice);
    if (!recorded.ok()) {
      logger_->Warning("cannot record credit " + notice.reference + " from camt.054 " +
                       message->message_id + ": " + std::string(recorded.message()) +
                       "; answering 503 so that the bank sends it again");
      return reply(Reply(503, "the gateway cannot record the credit now; send it again later"));
    }
    ++reported;
  }
  reply(Reply(200, "recorded " + std::to_string(reported) + " credit(s)"));
}

void Core::FetchStatement(int64_t from_ms, int64_t to_ms, StatementCallback done) {
  if (from_ms < 0 || to_ms <= from_ms) {
    return done(absl::InvalidArgumentError("statement period [" + std::to_string(from_ms) + ", " +
                                           std::to_string(to_ms) +
                                           "): from_ms must be before to_ms"));
  }
  HttpRequest request;
  request.method = "GET";
  request.target = std::string(kCamt053Path) + "?from_ms=" + std::to_string(from_ms) +
                   "&to_ms=" + std::to_string(to_ms);
  request.headers = {{"Accept", std::string(kXmlContentType)}};
  std::shared_ptr<Core> self = shared_from_this();
  http_->Send(std::move(request), [self, from_ms, to_ms,
                                   done = std::move(done)](Result<HttpResponse> answer) {
    const std::string context = "bank: statement";
    if (!answer.ok()) return done(WithContext(answer.status(), context));
    if (answer->status != 200) {
      const std::string what = context + ": the bank answered HTTP " +
                               std::to_string(answer->status) + " (" + Quote(answer->body) + ")";
      return done(answer->status >= 500 ? absl::UnavailableError(what + "; try again later")
                                        : absl::InternalError(what));
    }
    Status valid = self->schemas_->Validate(MessageType::kCamt053, answer->body);
    if (!valid.ok()) {
      return done(absl::InternalError(context + ": the bank answered with an invalid camt.053 (" +
                                      std::string(valid.message()) + ")"));
    }
    Result<Camt053> message = ParseCamt053(answer->body);
    if (!message.ok()) {
      return done(absl::InternalError(context + ": cannot read the bank's camt.053 (" +
                                      std::string(message.status().message()) + ")"));
    }
    if (message->account.iban != self->options_.collection_account.iban) {
      return done(absl::InternalError(context + ": the camt.053 is about account " +
                                      MaskIban(message->account.iban) +
                                      ", not the collection account"));
    }
    Statement statement;
    statement.from_ms = from_ms;
    statement.to_ms = to_ms;
    for (const StatementEntry& entry : message->entries) {
      if (!entry.status.empty() && entry.status != "BOOK") continue;
      StatementLine line;
      line.connector_reference = entry.account_servicer_reference;
      if (!entry.end_to_end_id.empty() && entry.end_to_end_id != kNotProvided) {
        line.end_to_end_id = entry.end_to_end_id;
        if (entry.credit) line.payment_id = entry.end_to_end_id;
      }
      if (entry.credit) {
        line.amount = entry.amount;
      } else {
        Result<Money> negative =
            Money::Create(entry.amount.currency(), -entry.amount.minor_units());
        if (!negative.ok()) return done(WithContext(negative.status(), context));
        line.amount = *negative;
      }
      line.booking_time_ms =
          entry.booking_date_ms != 0 ? entry.booking_date_ms : entry.value_date_ms;
      statement.lines.push_back(std::move(line));
    }
    done(std::move(statement));
  });
}

class Iso20022Connector final : public connector::Connector {
 public:
  explicit Iso20022Connector(std::shared_ptr<Core> core) : core_(std::move(core)) {}

  std::string_view name() const override { return core_->name(); }

  bool Supports(PaymentMethod method) const override {
    const std::vector<PaymentMethod>& methods = core_->options().methods;
    return std::find(methods.begin(), methods.end(), method) != methods.end();
  }

  void Collect(const CollectionRequest& request, CollectionCallback done) override {
    core_->Collect(request, std::move(done));
  }
  void Inquire(const CollectionRequest& request, CollectionCallback done) override {
    core_->Inquire(request, std::move(done));
  }
  bool CanRefund() const override { return true; }

  void Refund(const RefundRequest& request, RefundCallback done) override {
    core_->Refund(request, std::move(done));
  }
  void HandleNotification(const Notification& notification, NotificationCallback reply) override {
    core_->HandleNotification(notification, std::move(reply));
  }
  void FetchStatement(int64_t from_ms, int64_t to_ms, StatementCallback done) override {
    core_->FetchStatement(from_ms, to_ms, std::move(done));
  }
  void SendCreditTransfers(const connector::CreditTransferBatch& batch,
                           connector::CreditTransferCallback done) override {
    core_->SendCreditTransfers(batch, std::move(done));
  }
  void InquireCreditTransfers(const connector::CreditTransferBatch& batch,
                              connector::CreditTransferCallback done) override {
    core_->InquireCreditTransfers(batch, std::move(done));
  }

 private:
  std::shared_ptr<Core> core_;
};

Result<std::vector<PaymentMethod>> ParseMethods(std::string_view text) {
  static constexpr PaymentMethod kAll[] = {PaymentMethod::kBankTransfer,
                                           PaymentMethod::kMobileWallet, PaymentMethod::kCard,
                                           PaymentMethod::kSandbox};
  std::vector<PaymentMethod> methods;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item = Trim(text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (!item.empty()) {
      bool known = false;
      for (PaymentMethod method : kAll) {
        if (PaymentMethodName(method) == item) {
          methods.push_back(method);
          known = true;
        }
      }
      if (!known) {
        return absl::InvalidArgumentError("methods: unknown payment method \"" + item +
                                          "\" (BANK_TRANSFER, MOBILE_WALLET, CARD, SANDBOX)");
      }
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (methods.empty()) return absl::InvalidArgumentError("methods: name at least one method");
  return methods;
}

}  // namespace

Result<ConnectorOptions> ConnectorOptions::FromConfig(const ConnectorConfig& config) {
  ConnectorOptions options;
  PAY_ASSIGN_OR_RETURN(std::string iban_text, config.Require("collection_iban"));
  Result<std::string> iban = NormalizeIban(iban_text, "collection_iban");
  if (!iban.ok()) return iban.status();
  options.collection_account.iban = *iban;
  options.collection_account.bic = config.Get("collection_bic");
  options.collection_account.name = config.Get("collection_name");
  PAY_ASSIGN_OR_RETURN(options.creditor_scheme_id, config.Require("creditor_scheme_id"));
  PAY_RETURN_IF_ERROR(CheckMax35Text("creditor_scheme_id", options.creditor_scheme_id));
  options.initiating_party = config.Get("initiating_party", options.collection_account.name);
  PAY_ASSIGN_OR_RETURN(options.bank_common_name, config.Require("bank_common_name"));
  options.schema_dir = config.Get("iso20022_schema_dir", DefaultSchemaDir());
  if (config.Has("methods")) {
    PAY_ASSIGN_OR_RETURN(options.methods, ParseMethods(config.Get("methods")));
  }
  PAY_ASSIGN_OR_RETURN(options.poll_after_ms, config.GetInt("poll_after_ms", 3000));
  PAY_ASSIGN_OR_RETURN(options.poll_max_ms, config.GetInt("poll_max_ms", 60000));
  PAY_ASSIGN_OR_RETURN(int64_t attempts, config.GetInt("poll_attempts", 8));
  if (options.poll_after_ms <= 0 || options.poll_max_ms < options.poll_after_ms) {
    return absl::InvalidArgumentError(
        "poll_after_ms must be positive and poll_max_ms at least poll_after_ms");
  }
  if (attempts < 0 || attempts > 1000) {
    return absl::InvalidArgumentError("poll_attempts: expected 0 to 1000");
  }
  options.poll_attempts = static_cast<int>(attempts);
  return options;
}

Result<std::unique_ptr<connector::Connector>> NewIso20022Connector(
    const ConnectorContext& context) {
  const std::string where = "connector " + context.name + " (iso20022): ";
  if (context.http == nullptr) {
    return absl::InvalidArgumentError(where +
                                      "url: required (the bank's https:// base URL), "
                                      "with tls_ca_file, tls_cert_file and tls_key_file");
  }
  if (context.scheduler == nullptr || context.clock == nullptr || context.logger == nullptr ||
      context.sink == nullptr) {
    return absl::InvalidArgumentError(where +
                                      "the host must provide a scheduler, clock, logger and sink");
  }
  Result<ConnectorOptions> options = ConnectorOptions::FromConfig(context.config);
  if (!options.ok()) return WithContext(options.status(), "connector " + context.name);
  Result<std::unique_ptr<SchemaSet>> schemas = SchemaSet::Load(options->schema_dir);
  if (!schemas.ok()) {
    return WithContext(schemas.status(), where + "iso20022_schema_dir");
  }
  Status fits = CheckConfigurationYieldsValidMessages(*options, **schemas);
  if (!fits.ok()) return WithContext(fits, "connector " + context.name);
  auto core = std::make_shared<Core>(context, std::move(*options), std::move(*schemas));
  return std::unique_ptr<connector::Connector>(std::make_unique<Iso20022Connector>(core));
}

void RegisterConnector(connector::ConnectorRegistry* registry) {
  registry->Register(std::string(kConnectorType), &NewIso20022Connector);
}

std::string CollectionMessageId(std::string_view payment_id) {
  return DerivedId("PD-", payment_id);
}

std::string RefundMessageId(std::string_view refund_id) { return DerivedId("RF-", refund_id); }

std::string FailureCodeForReason(std::string_view reason_code) {
  if (reason_code == "AM04") return "INSUFFICIENT_FUNDS";
  if (reason_code == "AC01") return "UNKNOWN_ACCOUNT";
  if (reason_code.empty()) return "DECLINED";
  return "DECLINED:" + std::string(reason_code);
}

}  // namespace pay::iso20022
