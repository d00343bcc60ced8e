// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The settlement report of a window: one line per revenue account and currency, as CSV and as
// JSON, each signed with the gateway's Ed25519 key over its exact bytes (docs/settlement.md).
// It is built from the window record, whose nets are sums over the ledger range and whose
// settled amounts are the postings of the ACCEPTED transfer entries: it equals the ledger.

#include <algorithm>

#include "gateway_internal.h"
#include "settlement_records.h"
#include "str_util.h"

namespace pay::internal {
namespace {

// CSV fields here are ids, account names, IBANs and codes; a field with a comma, quote or line
// break is quoted all the same (RFC 4180).
std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The transfer carrying a net, if any.
const SettlementTransfer* TransferOf(const SettlementWindow& window, const SettlementNet& net) {
  for (const SettlementTransfer& transfer : window.transfers) {
    if (transfer.account == net.account && transfer.amount.currency() == net.currency) {
      return &transfer;
    }
  }
  return nullptr;
}

}  // namespace

Result<SettlementReport> GatewayImpl::GetSettlementReport(const Principal& caller,
                                                          uint64_t window_number) const {
  PAY_ASSIGN_OR_RETURN(SettlementWindow window, GetSettlementWindow(caller, window_number));
  if (window.state == SettlementWindowState::kOpen) {
    return absl::FailedPreconditionError(
        StrCat("settlement window ", window.number, " is OPEN; a report exists once it is closed"));
  }
  if (!window.summarized) {
    return absl::UnavailableError(
        StrCat("settlement window ", window.number, " is being summarized; try again"));
  }
  std::string csv =
      "window,window_state,first_sequence,close_sequence,agency_id,account,currency,"
      "collected_minor,refunded_minor,net_minor,end_to_end_id,treasury_iban,transfer_state,"
      "settled_minor,reason,escalated,escalation_reason,confirmation,statement_reference\r\n";
  std::string json = StrCat("{\"window\":", window.number,
                            ",\"state\":", JsonString(SettlementWindowStateName(window.state)),
                            ",\"first_sequence\":", window.first_sequence,
                            ",\"close_sequence\":", window.close_sequence,
                            ",\"close_time_ms\":", window.close_time_ms, ",\"lines\":[");
  bool first = true;
  for (const SettlementNet& net : window.nets) {
    const SettlementTransfer* transfer = TransferOf(window, net);
    const int64_t settled = transfer != nullptr && transfer->state == TransferState::kAccepted
                                ? transfer->amount.minor_units()
                                : 0;
    const std::string e2e = transfer ? transfer->end_to_end_id : "";
    const std::string iban = transfer ? transfer->iban : "";
    const std::string state = transfer ? std::string(TransferStateName(transfer->state)) : "";
    const std::string reason = transfer ? transfer->reason : "";
    const bool escalated = transfer != nullptr && transfer->escalated;
    const std::string escalation = transfer ? transfer->escalation_reason : "";
    const std::string_view confirmation =
        transfer ? TransferConfirmationName(transfer->confirmation) : "";
    const std::string statement_reference = transfer ? transfer->statement_reference : "";
    csv +=
        StrCat(window.number, ",", SettlementWindowStateName(window.state), ",",
               window.first_sequence, ",", window.close_sequence, ",", CsvField(net.agency_id), ",",
               CsvField(net.account), ",", net.currency, ",", net.collected_minor, ",",
               net.refunded_minor, ",", net.net_minor, ",", CsvField(e2e), ",", CsvField(iban), ",",
               state, ",", settled, ",", CsvField(reason), ",", escalated ? "true" : "false", ",",
               CsvField(escalation), ",", confirmation, ",", CsvField(statement_reference), "\r\n");
    json +=
        StrCat(first ? "" : ",", "{\"agency_id\":", JsonString(net.agency_id),
               ",\"account\":", JsonString(net.account), ",\"currency\":", JsonString(net.currency),
               ",\"collected_minor\":", net.collected_minor,
               ",\"refunded_minor\":", net.refunded_minor, ",\"net_minor\":", net.net_minor,
               ",\"end_to_end_id\":", JsonString(e2e), ",\"treasury_iban\":", JsonString(iban),
               ",\"transfer_state\":", JsonString(state), ",\"settled_minor\":", settled,
               ",\"reason\":", JsonString(reason), ",\"escalated\":", escalated ? "true" : "false",
               ",\"escalation_reason\":", JsonString(escalation),
               ",\"confirmation\":", JsonString(confirmation),
               ",\"statement_reference\":", JsonString(statement_reference), "}");
    first = false;
  }
  json += "]}\n";
  SettlementReport report;
  report.window_number = window.number;
  PAY_CHECK(sign_ != nullptr);
  report.csv_signature = sign_(csv);
  report.json_signature = sign_(json);
  report.csv = std::move(csv);
  report.json = std::move(json);
  report.public_key = public_key_;
  return report;
}

}  // namespace pay::internal
