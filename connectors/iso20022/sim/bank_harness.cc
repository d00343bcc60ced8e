// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The conformance Harness for the ISO 20022 bank connector (see bank_harness.h).

#include "sim/bank_harness.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "iso20022_connector.h"
#include "messages.h"

namespace pay::iso20022::sim {
namespace {

using connector::CollectionOutcome;
using connector::CollectionRequest;
using connector::Notification;
using connector::OutcomeStatus;
using connector::conformance::Scenario;

constexpr char kCreditorSchemeId[] = "SA00ZZZ0000000001";
constexpr char kCollectionName[] = "Government fee collection";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The ISO 20022 reason a bank gives for a failure_code of the gateway.
std::string ReasonForFailureCode(const std::string& failure_code) {
  if (failure_code == "INSUFFICIENT_FUNDS") return "AM04";
  if (failure_code == "UNKNOWN_ACCOUNT") return "AC01";
  constexpr std::string_view kDeclined = "DECLINED:";
  if (failure_code.rfind(kDeclined, 0) == 0 && failure_code.size() > kDeclined.size() &&
      failure_code.size() <= kDeclined.size() + 4) {
    return failure_code.substr(kDeclined.size());
  }
  return "MS03";  // reason not specified
}

}  // namespace

BankHarness::BankHarness() = default;

BankHarness::~BankHarness() {
  bank_.Stop();
  if (runtime_) runtime_->Stop();
}

Result<std::unique_ptr<connector::Connector>> BankHarness::Create(
    connector::ConnectorContext context, const std::string& notify_url) {
  // Over plain HTTP the bank cannot present its certificate, so the connector would refuse
  // every push (403): the bank is then told not to push, and outcomes come by polling.
  const bool can_push = notify_url.rfind("https://", 0) == 0;
  const std::string pacs002_url =
      can_push ? notify_url + std::string(kPacs002NotificationPath) : "";
  const std::string camt054_url =
      can_push ? notify_url + std::string(kCamt054NotificationPath) : "";
  if (!bank_.running()) {
    BankSimProcessOptions options;
    options.notify_url = pacs002_url;
    options.camt054_url = camt054_url;
    options.hang_ms = kHangMs;
    PAY_RETURN_IF_ERROR(bank_.Start(options));
  } else if (can_push) {
    PAY_RETURN_IF_ERROR(bank_.Configure(pacs002_url, camt054_url));
  }
  if (!schemas_) {
    PAY_ASSIGN_OR_RETURN(schemas_, SchemaSet::Load(DefaultSchemaDir()));
  }
  if (!runtime_) runtime_ = std::make_unique<connector::IoRuntime>(1);

  std::map<std::string, std::string> config = {
      {"url", bank_.url()},
      {"tls_ca_file", bank_.ca_file()},
      {"tls_cert_file", bank_.cert_file(kGatewayCertName)},
      {"tls_key_file", bank_.key_file(kGatewayCertName)},
      {"timeout_ms", std::to_string(kHttpTimeoutMs)},
      {"collection_iban", bank_.collection_iban()},
      {"collection_bic", "SIMBSARI"},
      {"collection_name", kCollectionName},
      {"creditor_scheme_id", kCreditorSchemeId},
      {"bank_common_name", std::string(kBankCertName)},
      {"poll_after_ms", std::to_string(kPollAfterMs)},
  };
  connector::HttpClientOptions http;
  http.base_url = bank_.url();
  http.tls.ca_file = bank_.ca_file();
  http.tls.cert_file = bank_.cert_file(kGatewayCertName);
  http.tls.key_file = bank_.key_file(kGatewayCertName);
  http.connect_timeout = std::chrono::milliseconds(kHttpTimeoutMs);
  http.timeout = std::chrono::milliseconds(kHttpTimeoutMs);
  PAY_ASSIGN_OR_RETURN(std::unique_ptr<connector::HttpClient> client,
                       connector::MakeHttpClient(*runtime_, http));
  if (context.name.empty()) context.name = "bank";
  context.config = connector::ConnectorConfig(std::move(config));
  context.http = std::move(client);
  return NewIso20022Connector(context);
}

Status BankHarness::Prepare(Scenario scenario, CollectionRequest* request) {
  if (!bank_.running()) return absl::FailedPreconditionError("Prepare() before Create()");
  request->method = PaymentMethod::kBankTransfer;
  request->payer_account = bank_.NewIban();
  SimAccount account;
  account.iban = request->payer_account;
  account.name = "Citizen " + request->payment_id;
  account.currency = request->amount.currency().empty() ? "SAR" : request->amount.currency();
  account.balance_minor_units =
      scenario == Scenario::kDecline ? 0 : std::max<int64_t>(request->amount.minor_units(), 0) * 10;
  PAY_RETURN_IF_ERROR(bank_.CreateAccount(account));
  switch (scenario) {
    case Scenario::kSucceed:
    case Scenario::kDecline:
      break;
    case Scenario::kLostAnswer:
      PAY_RETURN_IF_ERROR(bank_.InjectFault(request->payment_id, "timeout"));
      PAY_RETURN_IF_ERROR(bank_.InjectFault(request->payment_id, "lost_notification"));
      break;
    case Scenario::kNeverReceived:
      PAY_RETURN_IF_ERROR(bank_.InjectFault(request->payment_id, "drop_request"));
      break;
  }
  return absl::OkStatus();
}

Result<Notification> BankHarness::MakeNotification(const CollectionRequest& request,
                                                   const CollectionOutcome& outcome,
                                                   bool valid_signature) {
  if (!schemas_) {
    PAY_ASSIGN_OR_RETURN(schemas_, SchemaSet::Load(DefaultSchemaDir()));
  }
  static std::atomic<uint64_t> sequence{0};
  StatusReport report;
  report.message_id = "KIT" + std::to_string(NowMs()) + "-" + std::to_string(++sequence);
  report.creation_time_ms = NowMs();
  report.original_message_id = CollectionMessageId(request.payment_id);
  report.original_message_type = "pain.008.001.08";
  TxStatusReport tx;
  tx.original_end_to_end_id = request.payment_id;
  tx.original_instruction_id = request.payment_id;
  switch (outcome.status) {
    case OutcomeStatus::kSucceeded:
      tx.status_code = "ACSC";
      break;
    case OutcomeStatus::kFailed:
      tx.status_code = "RJCT";
      tx.reason_code = ReasonForFailureCode(outcome.failure_code);
      tx.reason_text = outcome.failure_message.substr(0, 105);
      break;
    case OutcomeStatus::kPending:
      tx.status_code = "PDNG";
      break;
  }
  tx.status = TxStatusFromCode(tx.status_code);
  if (!request.amount.currency().empty()) tx.amount = request.amount;
  tx.account_servicer_reference = outcome.connector_reference.empty()
                                      ? "KIT-" + request.payment_id.substr(0, 31)
                                      : outcome.connector_reference.substr(0, 35);
  report.transactions.push_back(std::move(tx));
  std::string xml = BuildPacs002(report);
  PAY_RETURN_IF_ERROR(schemas_->Validate(MessageType::kPacs002, xml));
  Notification notification;
  notification.path = std::string(kPacs002NotificationPath);
  notification.headers = {{"Content-Type", "application/xml"}};
  notification.body = std::move(xml);
  notification.peer_common_name = std::string(valid_signature ? kBankCertName : kStrangerCertName);
  return notification;
}

Result<Notification> BankHarness::MakeMalformedNotification() {
  if (!schemas_) {
    PAY_ASSIGN_OR_RETURN(schemas_, SchemaSet::Load(DefaultSchemaDir()));
  }
  // Well-formed, the right namespace, but GrpHdr lacks its mandatory CreDtTm.
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10\">"
      "<FIToFIPmtStsRpt><GrpHdr><MsgId>MALFORMED-1</MsgId></GrpHdr></FIToFIPmtStsRpt>"
      "</Document>\n";
  if (schemas_->Validate(MessageType::kPacs002, xml).ok()) {
    return absl::InternalError("the malformed pacs.002 passed validation: fix the harness");
  }
  Notification notification;
  notification.path = std::string(kPacs002NotificationPath);
  notification.headers = {{"Content-Type", "application/xml"}};
  notification.body = std::move(xml);
  notification.peer_common_name = std::string(kBankCertName);
  return notification;
}

std::unique_ptr<connector::conformance::Harness> NewBankHarness() {
  return std::make_unique<BankHarness>();
}

}  // namespace pay::iso20022::sim
