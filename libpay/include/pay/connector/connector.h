// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The connector SDK: how libpay reaches a bank, a mobile-money wallet or the test-mode SANDBOX.
//
// A connector turns the gateway's requests (collect, inquire, refund) into its provider's
// protocol and the provider's messages (asynchronous status reports, credit notifications) back
// into outcomes. Every call is asynchronous: the connector answers through a callback, on any
// thread, exactly once. Everything a connector needs from its host comes in a ConnectorContext:
// its configuration, an HTTP(S) client already set up with its TLS material, a scheduler for
// timers, a clock, a logger, and the OutcomeSink through which it reports what it learns later.
//
// The contract that keeps money from being lost or collected twice:
//  - payment_id is unique per payment and stable across retries; a connector sends it to the
//    provider as the end-to-end reference, so the provider recognises a repeated request.
//  - A Collect error means the outcome is unknown, except kUnavailable, which promises that the
//    provider certainly did not receive the request (nothing was sent).
//  - Inquire answers kNotFound only when the provider has no record of the payment.
//  - Notifications are verified (signature, mutual TLS) before anything is reported, and the
//    connector acknowledges the provider only after the sink has recorded the outcome durably.
//
// See docs/connectors.md for the guide to writing one, and pay/connector/conformance.h for the
// test suite every connector passes.

#ifndef PAY_CONNECTOR_CONNECTOR_H_
#define PAY_CONNECTOR_CONNECTOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pay/connector/http.h"
#include "pay/money.h"
#include "pay/payment.h"
#include "pay/status.h"

namespace pay::connector {

// Bumped when the interface changes incompatibly; plugins built against another version are
// refused when payd loads them.
// 2: Connector gained CanRefund (refunds), SendCreditTransfers and InquireCreditTransfers
// (settlement).
// 3: StatementLine gained end_to_end_id (debits too: settlement confirmation against the
// statement); OutcomeSink gained ReportCreditTransfer (pushed settlement statuses).
inline constexpr int kSdkVersion = 3;

// What the gateway asks a connector to collect.
struct CollectionRequest {
  std::string payment_id;  // unique and stable: the provider's end-to-end reference
  std::string agency_id;
  std::string bill_number;
  Money amount;
  PaymentMethod method = PaymentMethod::kSandbox;
  std::string payer_account;  // IBAN, phone number (E.164) or wallet id, as the method needs
  int64_t create_time_ms = 0;
};

enum class OutcomeStatus {
  kSucceeded,  // the money moved
  kFailed,     // declined; no money moved (failure_code says why)
  kPending,    // accepted by the provider, outcome not known yet: the payment stays PROCESSING
};

std::string_view OutcomeStatusName(OutcomeStatus status);  // "SUCCEEDED", ...

struct CollectionOutcome {
  OutcomeStatus status = OutcomeStatus::kPending;
  std::string connector_reference;  // the provider's id for the collection
  std::string failure_code;         // "INSUFFICIENT_FUNDS", "DECLINED", ...
  std::string failure_message;
};

using CollectionCallback = std::function<void(Result<CollectionOutcome>)>;

struct RefundRequest {
  std::string refund_id;  // unique and stable, like payment_id
  std::string payment_id;
  std::string connector_reference;  // of the collection being refunded
  Money amount;                     // at most what was collected
  std::string reason;
  std::string destination_account;  // empty: back to the original instrument
};

struct RefundOutcome {
  OutcomeStatus status = OutcomeStatus::kPending;
  std::string connector_reference;
  std::string failure_code;
  std::string failure_message;
};

using RefundCallback = std::function<void(Result<RefundOutcome>)>;

// An inbound HTTP request addressed to this connector (payd routes
// POST /connectors/<connector name>/<path> to it).
struct Notification {
  std::string method;  // "POST"
  std::string target;  // the whole request target as received ("/connectors/bank/pacs.002")
  std::string path;    // the part of the path after /connectors/<name>
  HttpHeaders headers;
  std::string body;  // raw bytes, exactly as received (signatures cover them)
  std::string peer_common_name;  // CN of the provider's verified client certificate, if any
};

struct NotificationReply {
  int http_status = 200;
  std::string content_type = "text/plain";
  std::string body;
};

using NotificationCallback = std::function<void(NotificationReply)>;

// A payment the provider collected without the gateway asking: a citizen paid a bill at a bank
// counter or from a wallet app (push flow), quoting the bill number.
struct CreditNotice {
  std::string reference;  // the provider's unique id for the credit: makes reporting idempotent
  PaymentMethod method = PaymentMethod::kBankTransfer;
  std::string bill_number;
  Money amount;
  std::string payer_name;
  std::string payer_account;
  int64_t booking_time_ms = 0;
};

// One movement on the provider's statement of the gateway's collection account.
struct StatementLine {
  std::string payment_id;  // the end-to-end reference (empty for a credit the gateway did not ask for)
  std::string connector_reference;
  Money amount;            // positive: collected; negative: paid out (refund)
  int64_t booking_time_ms = 0;
  // The EndToEndId the provider booked the line under, for debits (refunds, settlement transfers)
  // as for credits; empty when the provider gives none.
  std::string end_to_end_id;
};

struct Statement {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::vector<StatementLine> lines;
};

using StatementCallback = std::function<void(Result<Statement>)>;

// Settlement: a batch of credit transfers from the gateway's collection account to treasury
// accounts, sent as one message (an ISO 20022 pain.001). Ids are deterministic and recorded by
// the gateway before sending: resending the same batch (same message_id, same end_to_end_ids)
// must never move money twice; the provider deduplicates.
struct SettlementCreditTransfer {
  std::string end_to_end_id;  // unique per transfer attempt, at most 35 characters
  Money amount;               // positive
  std::string creditor_iban;
  std::string creditor_bic;   // optional
  std::string creditor_name;  // optional
  std::string remittance;     // "SETTLEMENT <window> <revenue account>"
};

struct CreditTransferBatch {
  std::string message_id;  // at most 35 characters, "STL-<window>-<attempt>"
  std::vector<SettlementCreditTransfer> transfers;
};

// What the provider says about one transfer: kSucceeded (settled, ACSC), kFailed (rejected: the
// money did not move; failure_code says why) or kPending (not final yet).
struct CreditTransferStatus {
  std::string end_to_end_id;
  OutcomeStatus status = OutcomeStatus::kPending;
  std::string provider_reference;
  std::string failure_code;
  std::string failure_message;
};

// One status per transfer the provider reported on (transfers it says nothing about are left
// out). An error: the outcome of the whole batch is unknown (kUnavailable: it was not sent).
using CreditTransferCallback = std::function<void(Result<std::vector<CreditTransferStatus>>)>;

// Implemented by the host (payd). Each call records durably before it returns OK; a connector
// acknowledges its provider only after OK, so that a crash in between makes the provider retry.
// Reporting the same outcome twice is harmless (idempotent); reporting an outcome that
// contradicts a recorded one is recorded as a discrepancy for people to look at, never applied.
class OutcomeSink {
 public:
  virtual ~OutcomeSink() = default;
  virtual Status ReportCollection(std::string_view payment_id, const CollectionOutcome& outcome) = 0;
  virtual Status ReportCredit(const CreditNotice& notice) = 0;
  // A settlement transfer's status the provider pushed (a pacs.002 for a pain.001 of
  // SendCreditTransfers), reported as soon as it arrives instead of waiting for the host's next
  // InquireCreditTransfers. Only final statuses matter; NotFound: no such transfer in flight
  // (the provider need not resend). payd implements it; the default is for hosts that do not.
  virtual Status ReportCreditTransfer(const CreditTransferStatus& status) {
    return Status(
        absl::StatusCode::kUnimplemented,
        "this host follows settlement transfers by inquiry only (" + status.end_to_end_id + ")");
  }
};

// Severity-tagged log lines, attributed to the connector by the host. Never log secrets.
class Logger {
 public:
  enum class Level { kDebug, kInfo, kWarning, kError };
  virtual ~Logger() = default;
  virtual void Log(Level level, std::string_view message) = 0;
  void Debug(std::string_view message) { Log(Level::kDebug, message); }
  void Info(std::string_view message) { Log(Level::kInfo, message); }
  void Warning(std::string_view message) { Log(Level::kWarning, message); }
  void Error(std::string_view message) { Log(Level::kError, message); }
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() const = 0;  // Unix time, milliseconds
};

// A connector's configuration: the key/value pairs of its table in payd's connectors file.
// Keys ending in "_file" name files; Secret() reads a secret from such a file so that the
// secret itself never sits in the configuration (or in a log).
class ConnectorConfig {
 public:
  ConnectorConfig() = default;
  explicit ConnectorConfig(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  const std::map<std::string, std::string>& values() const { return values_; }
  bool Has(std::string_view key) const;
  std::string Get(std::string_view key, std::string_view fallback = "") const;
  Result<std::string> Require(std::string_view key) const;  // missing -> InvalidArgument
  Result<int64_t> GetInt(std::string_view key, int64_t fallback) const;
  Result<bool> GetBool(std::string_view key, bool fallback) const;
  // Reads the file named by `key`_file, trimmed; InvalidArgument names the key, never the value.
  Result<std::string> Secret(std::string_view key) const;

 private:
  std::map<std::string, std::string> values_;
};

struct ConnectorContext {
  std::string name;  // the instance name from the configuration ("bank", "wallet", ...)
  ConnectorConfig config;
  // Set up from the standard keys url, tls_ca_file, tls_cert_file, tls_key_file,
  // connect_timeout_ms and timeout_ms; null when the table has no url.
  std::shared_ptr<HttpClient> http;
  Scheduler* scheduler = nullptr;
  const Clock* clock = nullptr;
  Logger* logger = nullptr;
  OutcomeSink* sink = nullptr;
};

class Connector {
 public:
  virtual ~Connector() = default;

  // The instance name, stored with every payment it handles.
  virtual std::string_view name() const = 0;

  // True when this connector can take payments of `method`.
  virtual bool Supports(PaymentMethod method) const = 0;

  // Asks the provider to collect. Called after the payment is durably PROCESSING; `done` gets the
  // outcome (kPending when the provider will tell later, through a notification) or an error
  // (unknown outcome; kUnavailable only when nothing reached the provider).
  virtual void Collect(const CollectionRequest& request, CollectionCallback done) = 0;

  // Asks the provider what became of a collection that may or may not have reached it. Safe to
  // call any number of times. kNotFound: the provider never received it.
  virtual void Inquire(const CollectionRequest& request, CollectionCallback done) = 0;

  // Returns money of a succeeded collection. The default cannot.
  virtual void Refund(const RefundRequest& request, RefundCallback done) {
    done(absl::UnimplementedError("this connector cannot refund"));
  }

  // True when Refund pays money out (overridden together with Refund). The gateway sends a
  // refund only to a connector that can; a payment whose connector cannot is refunded to a
  // destination an approver names, through a connector that can. A connector that can should
  // honour RefundRequest::destination_account (or fail the refund with a failure_code saying it
  // cannot pay to another account). Refunds are idempotent by refund_id: the gateway retries a
  // refund whose outcome it did not learn with the same id.
  virtual bool CanRefund() const { return false; }

  // An inbound request from the provider (status report, credit notification). Verify it, report
  // through the sink, then reply. The default knows no notifications (404).
  virtual void HandleNotification(const Notification& notification, NotificationCallback reply) {
    reply({404, "text/plain", "this connector takes no notifications\n"});
  }

  // The provider's statement of the collection account for [from_ms, to_ms), for reconciliation.
  virtual void FetchStatement(int64_t from_ms, int64_t to_ms, StatementCallback done) {
    done(absl::UnimplementedError("this connector has no statements"));
  }

  // Settlement: sends `batch` (see CreditTransferBatch) and reports the provider's synchronous
  // acknowledgement. Sending the same batch again must be harmless. The default cannot.
  virtual void SendCreditTransfers(const CreditTransferBatch& batch, CreditTransferCallback done) {
    done(absl::UnimplementedError("this connector cannot send credit transfers"));
  }

  // Asks the provider for the current status of each transfer of `batch` (a transfer it never
  // received is reported kFailed with failure_code "NOT_RECEIVED"). The default cannot.
  virtual void InquireCreditTransfers(const CreditTransferBatch& batch,
                                      CreditTransferCallback done) {
    done(absl::UnimplementedError("this connector cannot inquire credit transfers"));
  }
};

// Creates a connector from its context; InvalidArgument for a configuration it cannot use.
using ConnectorFactory =
    std::function<Result<std::unique_ptr<Connector>>(const ConnectorContext& context)>;

// Connector types by name ("iso20022", "wallet", "sandbox", "example"). payd registers the
// built-in ones and lets each plugin register its own.
class ConnectorRegistry {
 public:
  virtual ~ConnectorRegistry() = default;
  virtual void Register(std::string type, ConnectorFactory factory) = 0;
};

}  // namespace pay::connector

// An out-of-tree connector is a shared library (CMake MODULE) that defines its registration with
// this macro; payd loads it with --connector-plugin and checks the SDK version first:
//
//   PAY_CONNECTOR_PLUGIN(registry) {
//     registry->Register("example", &example::Create);
//   }
#define PAY_CONNECTOR_PLUGIN(registry)                                                   \
  extern "C" __attribute__((visibility("default"))) int pay_connector_sdk_version() {    \
    return ::pay::connector::kSdkVersion;                                                \
  }                                                                                      \
  extern "C" __attribute__((visibility("default"))) void pay_register_connectors(        \
      ::pay::connector::ConnectorRegistry* registry)

#endif  // PAY_CONNECTOR_CONNECTOR_H_
