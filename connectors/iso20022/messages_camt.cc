// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Cash management reports from a bank: camt.054.001.08 (BkToCstmrDbtCdtNtfctn, a credit or debit
// on the gateway's account, e.g. a bill paid at a bank counter) and camt.053.001.08
// (BkToCstmrStmt, the day-end statement used for reconciliation). Both share ReportEntry10.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "messages.h"
#include "xml.h"

namespace pay::iso20022 {
namespace {

using xml::Add;
using xml::AddOptionalText;
using xml::AddText;
using xml::Element;
using xml::Presence;

// CashAccount39: Id/IBAN, Ccy (if known), Ownr/Nm, Svcr/FinInstnId/BICFI.
void AddReportAccount(xmlNode* parent, const Account& account, std::string_view currency) {
  xmlNode* acct = xml::AddIbanAccount(parent, "Acct", account.iban);
  AddOptionalText(acct, "Ccy", currency);
  if (!account.name.empty()) xml::AddParty(acct, "Ownr", account.name);
  if (!account.bic.empty()) xml::AddAgent(acct, "Svcr", account.bic);
}

Account ReadReportAccount(const Element& acct) {
  return Account{xml::ReadIban(acct), xml::ReadBic(acct.Child("Svcr")), acct.ChildText("Ownr/Nm")};
}

// ReportEntry10.
void AddEntry(xmlNode* parent, const StatementEntry& e) {
  xmlNode* entry = Add(parent, "Ntry");
  AddOptionalText(entry, "NtryRef", e.entry_reference);
  xml::AddAmount(entry, "Amt", e.amount);
  AddText(entry, "CdtDbtInd", e.credit ? "CRDT" : "DBIT");
  AddText(Add(entry, "Sts"), "Cd", e.status.empty() ? "BOOK" : e.status);
  if (e.booking_date_ms != 0) xml::AddDateOrDateTime(entry, "BookgDt", e.booking_date_ms);
  if (e.value_date_ms != 0) xml::AddDateOrDateTime(entry, "ValDt", e.value_date_ms);
  AddOptionalText(entry, "AcctSvcrRef", e.account_servicer_reference);
  // Bank transaction code (mandatory): payments domain, received or issued credit transfer.
  xmlNode* domain = Add(Add(entry, "BkTxCd"), "Domn");
  AddText(domain, "Cd", "PMNT");
  xmlNode* family = Add(domain, "Fmly");
  AddText(family, "Cd", e.credit ? "RCDT" : "ICDT");
  AddText(family, "SubFmlyCd", "DMCT");
  if (e.end_to_end_id.empty() && e.remittance.empty() && e.debtor_name.empty() &&
      e.debtor_iban.empty()) {
    return;
  }
  xmlNode* tx = Add(Add(entry, "NtryDtls"), "TxDtls");
  if (!e.end_to_end_id.empty()) AddText(Add(tx, "Refs"), "EndToEndId", e.end_to_end_id);
  if (!e.debtor_name.empty() || !e.debtor_iban.empty()) {
    xmlNode* parties = Add(tx, "RltdPties");
    if (!e.debtor_name.empty()) xml::AddParty(Add(parties, "Dbtr"), "Pty", e.debtor_name);
    if (!e.debtor_iban.empty()) xml::AddIbanAccount(parties, "DbtrAcct", e.debtor_iban);
  }
  xml::AddRemittance(tx, e.remittance);
}

// One StatementEntry per TxDtls of the entry (one if it has none or one).
Status ReadEntry(const Element& entry, std::vector<StatementEntry>* out) {
  StatementEntry base;
  base.entry_reference = entry.ChildText("NtryRef");
  PAY_ASSIGN_OR_RETURN(base.amount, xml::ReadAmount(entry, "Amt"));
  const std::string indicator = entry.ChildText("CdtDbtInd");
  if (indicator != "CRDT" && indicator != "DBIT") {
    return xml::ErrorAt(entry.path() + "/CdtDbtInd", "must be CRDT or DBIT");
  }
  base.credit = indicator == "CRDT";
  base.status = entry.ChildText("Sts/Cd");
  if (base.status.empty()) base.status = entry.ChildText("Sts/Prtry");
  PAY_ASSIGN_OR_RETURN(base.booking_date_ms,
                       xml::ReadDateOrDateTime(entry, "BookgDt", Presence::kOptional));
  PAY_ASSIGN_OR_RETURN(base.value_date_ms,
                       xml::ReadDateOrDateTime(entry, "ValDt", Presence::kOptional));
  base.account_servicer_reference = entry.ChildText("AcctSvcrRef");

  std::vector<Element> txs;
  for (const Element& details : entry.Children("NtryDtls")) {
    for (Element& tx : details.Children("TxDtls")) txs.push_back(std::move(tx));
  }
  if (txs.empty()) {
    out->push_back(std::move(base));
    return absl::OkStatus();
  }
  for (const Element& tx : txs) {
    StatementEntry e = base;
    if (txs.size() > 1) {
      if (!tx.Child("Amt")) {
        return xml::ErrorAt(tx.path() + "/Amt",
                            "missing: a batch entry needs the amount of each transaction");
      }
      PAY_ASSIGN_OR_RETURN(e.amount, xml::ReadAmount(tx, "Amt"));
    }
    e.end_to_end_id = tx.ChildText("Refs/EndToEndId");
    e.remittance = xml::JoinTexts(tx.Child("RmtInf"), "Ustrd");
    e.debtor_name = tx.ChildText("RltdPties/Dbtr/Pty/Nm");
    e.debtor_iban = xml::ReadIban(tx.Child("RltdPties/DbtrAcct"));
    out->push_back(std::move(e));
  }
  return absl::OkStatus();
}

void AddHeader(xmlNode* message, const std::string& message_id, int64_t creation_time_ms) {
  xmlNode* header = Add(message, "GrpHdr");
  AddText(header, "MsgId", message_id);
  AddText(header, "CreDtTm", FormatIsoDateTime(creation_time_ms));
}

// The single report block ("Ntfctn" / "Stmt") of a camt message.
Result<Element> SingleReport(const Element& msg, std::string_view name) {
  std::vector<Element> reports = msg.Children(name);
  if (reports.empty()) {
    return xml::ErrorAt(msg.path() + "/" + std::string(name), "missing mandatory element");
  }
  if (reports.size() > 1) {
    return xml::ErrorAt(reports[1], std::to_string(reports.size()) + " <" + std::string(name) +
                                        "> blocks; only one account per message is supported");
  }
  return reports[0];
}

// CashBalance8: OPBD/CLBD, absolute amount with CdtDbtInd, and a date.
void AddBalance(xmlNode* statement, const char* code, const Money& balance, int64_t date_ms) {
  xmlNode* bal = Add(statement, "Bal");
  AddText(Add(Add(bal, "Tp"), "CdOrPrtry"), "Cd", code);
  const int64_t units = balance.minor_units();
  // |INT64_MIN| does not fit; no balance is that large, and the schema's 18 digits cannot carry
  // it either.
  Result<Money> magnitude =
      Money::Create(balance.currency(), units < 0 && units != INT64_MIN ? -units : units);
  xml::AddAmount(bal, "Amt", magnitude.ok() ? *magnitude : balance);
  AddText(bal, "CdtDbtInd", units < 0 ? "DBIT" : "CRDT");
  xml::AddDateOrDateTime(bal, "Dt", date_ms);
}

// The first balance whose type code is one of `codes` (in order of preference).
Result<Money> ReadBalance(const Element& statement, std::vector<std::string_view> codes) {
  const std::vector<Element> balances = statement.Children("Bal");
  for (std::string_view code : codes) {
    for (const Element& bal : balances) {
      if (bal.ChildText("Tp/CdOrPrtry/Cd") != code) continue;
      PAY_ASSIGN_OR_RETURN(Money amount, xml::ReadAmount(bal, "Amt"));
      const std::string indicator = bal.ChildText("CdtDbtInd");
      if (indicator == "CRDT") return amount;
      if (indicator == "DBIT") return Money::Create(amount.currency(), -amount.minor_units());
      return xml::ErrorAt(bal.path() + "/CdtDbtInd", "must be CRDT or DBIT");
    }
  }
  std::string wanted;
  for (std::string_view code : codes) wanted += (wanted.empty() ? "" : " or ") + std::string(code);
  return xml::ErrorAt(statement.path() + "/Bal", "no balance of type " + wanted);
}

}  // namespace

// ----- camt.054.001.08 -----

std::string BuildCamt054(const Camt054& m) {
  xml::Writer writer(MessageType::kCamt054);
  AddHeader(writer.message(), m.message_id, m.creation_time_ms);
  xmlNode* notification = Add(writer.message(), "Ntfctn");
  AddText(notification, "Id", m.notification_id);
  AddReportAccount(notification, m.account, "");
  for (const StatementEntry& e : m.entries) AddEntry(notification, e);
  return writer.Serialize();
}

Result<Camt054> ParseCamt054(std::string_view text) {
  PAY_ASSIGN_OR_RETURN(xml::ParsedMessage parsed, xml::ParseMessage(text, MessageType::kCamt054));
  const Element& msg = parsed.message;
  Camt054 out;
  PAY_ASSIGN_OR_RETURN(out.message_id, xml::ReadRequiredText(msg, "GrpHdr/MsgId"));
  PAY_ASSIGN_OR_RETURN(out.creation_time_ms,
                       xml::ReadDateTime(msg, "GrpHdr/CreDtTm", Presence::kRequired));
  PAY_ASSIGN_OR_RETURN(Element notification, SingleReport(msg, "Ntfctn"));
  out.notification_id = notification.ChildText("Id");
  out.account = ReadReportAccount(notification.Child("Acct"));
  for (const Element& entry : notification.Children("Ntry")) {
    PAY_RETURN_IF_ERROR(ReadEntry(entry, &out.entries));
  }
  return out;
}

// ----- camt.053.001.08 -----

std::string BuildCamt053(const Camt053& m) {
  xml::Writer writer(MessageType::kCamt053);
  AddHeader(writer.message(), m.message_id, m.creation_time_ms);
  xmlNode* statement = Add(writer.message(), "Stmt");
  AddText(statement, "Id", m.statement_id);
  xmlNode* period = Add(statement, "FrToDt");
  AddText(period, "FrDtTm", FormatIsoDateTime(m.from_ms));
  AddText(period, "ToDtTm", FormatIsoDateTime(m.to_ms));
  AddReportAccount(statement, m.account, m.opening_balance.currency());
  AddBalance(statement, "OPBD", m.opening_balance, m.from_ms);
  AddBalance(statement, "CLBD", m.closing_balance, m.to_ms);
  for (const StatementEntry& e : m.entries) AddEntry(statement, e);
  return writer.Serialize();
}

Result<Camt053> ParseCamt053(std::string_view text) {
  PAY_ASSIGN_OR_RETURN(xml::ParsedMessage parsed, xml::ParseMessage(text, MessageType::kCamt053));
  const Element& msg = parsed.message;
  Camt053 out;
  PAY_ASSIGN_OR_RETURN(out.message_id, xml::ReadRequiredText(msg, "GrpHdr/MsgId"));
  PAY_ASSIGN_OR_RETURN(out.creation_time_ms,
                       xml::ReadDateTime(msg, "GrpHdr/CreDtTm", Presence::kRequired));
  PAY_ASSIGN_OR_RETURN(Element statement, SingleReport(msg, "Stmt"));
  out.statement_id = statement.ChildText("Id");
  out.account = ReadReportAccount(statement.Child("Acct"));
  PAY_ASSIGN_OR_RETURN(out.from_ms,
                       xml::ReadDateTime(statement, "FrToDt/FrDtTm", Presence::kOptional));
  PAY_ASSIGN_OR_RETURN(out.to_ms,
                       xml::ReadDateTime(statement, "FrToDt/ToDtTm", Presence::kOptional));
  PAY_ASSIGN_OR_RETURN(out.opening_balance, ReadBalance(statement, {"OPBD", "PRCD"}));
  PAY_ASSIGN_OR_RETURN(out.closing_balance, ReadBalance(statement, {"CLBD"}));
  for (const Element& entry : statement.Children("Ntry")) {
    PAY_RETURN_IF_ERROR(ReadEntry(entry, &out.entries));
  }
  return out;
}

}  // namespace pay::iso20022
