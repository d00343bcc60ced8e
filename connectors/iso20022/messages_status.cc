// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Payment status reports: pacs.002.001.10 (FIToFIPmtStsRpt) and pain.002.001.10
// (CstmrPmtStsRpt). Both carry OrgnlGrpInfAndSts and TxInfAndSts blocks of nearly the same
// shape; pain.002 nests its transactions in OrgnlPmtInfAndSts.

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

constexpr size_t kMaxStatusCodeChars = 4;     // ExternalStatusReason1Code.
constexpr size_t kAdditionalInfoChars = 105;  // Max105Text.

// StatusReasonInformation12: Rsn/Cd (or Rsn/Prtry for a longer code) and AddtlInf.
void AddReason(xmlNode* parent, const std::string& code, const std::string& text) {
  if (code.empty() && text.empty()) return;
  xmlNode* info = Add(parent, "StsRsnInf");
  if (!code.empty()) {
    AddText(Add(info, "Rsn"), code.size() <= kMaxStatusCodeChars ? "Cd" : "Prtry", code);
  }
  xml::AddSplitText(info, "AddtlInf", text, kAdditionalInfoChars);
}

// OriginalGroupHeader17 (the same type in both messages).
void AddOriginalGroup(xmlNode* message, const StatusReport& r) {
  xmlNode* group = Add(message, "OrgnlGrpInfAndSts");
  AddText(group, "OrgnlMsgId", r.original_message_id);
  AddText(group, "OrgnlMsgNmId", r.original_message_type);
  AddOptionalText(group, "GrpSts", r.group_status);
  AddReason(group, r.group_reason_code, r.group_reason_text);
}

// PaymentTransaction110 (pacs.002) / PaymentTransaction105 (pain.002): the elements used here
// come in the same order in both.
void AddTransaction(xmlNode* parent, const TxStatusReport& t, MessageType type) {
  xmlNode* tx = Add(parent, "TxInfAndSts");
  AddOptionalText(tx, "OrgnlInstrId", t.original_instruction_id);
  AddOptionalText(tx, "OrgnlEndToEndId", t.original_end_to_end_id);
  AddText(tx, "TxSts", t.status_code.empty() ? TxStatusCode(t.status) : t.status_code);
  AddReason(tx, t.reason_code, t.reason_text);
  AddOptionalText(tx, "AcctSvcrRef", t.account_servicer_reference);
  if (t.amount.has_value()) {
    xmlNode* reference = Add(tx, "OrgnlTxRef");
    if (type == MessageType::kPacs002) {
      xml::AddAmount(reference, "IntrBkSttlmAmt", *t.amount);
    } else {
      xml::AddAmount(Add(reference, "Amt"), "InstdAmt", *t.amount);
    }
  }
}

void AddHeader(xmlNode* message, const StatusReport& r) {
  xmlNode* header = Add(message, "GrpHdr");
  AddText(header, "MsgId", r.message_id);
  AddText(header, "CreDtTm", FormatIsoDateTime(r.creation_time_ms));
}

// The first StsRsnInf below `parent`: Rsn/Cd or Rsn/Prtry, and its AddtlInf lines joined.
void ReadReason(const Element& parent, std::string* code, std::string* text) {
  Element info = parent.Child("StsRsnInf");
  *code = info.ChildText("Rsn/Cd");
  if (code->empty()) *code = info.ChildText("Rsn/Prtry");
  *text = xml::JoinTexts(info, "AddtlInf");
}

// `inherited` is the status of the enclosing block (PmtInfSts or GrpSts), used when the
// transaction has no TxSts of its own.
Result<TxStatusReport> ReadTransaction(const Element& tx, const std::string& inherited) {
  TxStatusReport t;
  t.original_instruction_id = tx.ChildText("OrgnlInstrId");
  t.original_end_to_end_id = tx.ChildText("OrgnlEndToEndId");
  t.status_code = tx.ChildText("TxSts");
  const std::string& effective = t.status_code.empty() ? inherited : t.status_code;
  t.status = effective.empty() ? TxStatus::kPending : TxStatusFromCode(effective);
  ReadReason(tx, &t.reason_code, &t.reason_text);
  t.account_servicer_reference = tx.ChildText("AcctSvcrRef");
  PAY_ASSIGN_OR_RETURN(t.amount, xml::ReadOptionalAmount(tx, "OrgnlTxRef/IntrBkSttlmAmt"));
  if (!t.amount.has_value()) {
    PAY_ASSIGN_OR_RETURN(t.amount, xml::ReadOptionalAmount(tx, "OrgnlTxRef/Amt/InstdAmt"));
  }
  return t;
}

Result<StatusReport> ParseStatusReport(std::string_view text, MessageType type) {
  PAY_ASSIGN_OR_RETURN(xml::ParsedMessage parsed, xml::ParseMessage(text, type));
  const Element& msg = parsed.message;
  StatusReport out;
  PAY_ASSIGN_OR_RETURN(out.message_id, xml::ReadRequiredText(msg, "GrpHdr/MsgId"));
  PAY_ASSIGN_OR_RETURN(out.creation_time_ms,
                       xml::ReadDateTime(msg, "GrpHdr/CreDtTm", Presence::kRequired));
  // Mandatory in pain.002, optional (and repeatable: the first is read) in pacs.002.
  Element group = msg.Child("OrgnlGrpInfAndSts");
  if (!group && type == MessageType::kPain002) {
    return xml::ErrorAt(msg.path() + "/OrgnlGrpInfAndSts", "missing mandatory element");
  }
  out.original_message_id = group.ChildText("OrgnlMsgId");
  out.original_message_type = group.ChildText("OrgnlMsgNmId");
  out.group_status = group.ChildText("GrpSts");
  ReadReason(group, &out.group_reason_code, &out.group_reason_text);

  if (type == MessageType::kPacs002) {
    for (const Element& tx : msg.Children("TxInfAndSts")) {
      PAY_ASSIGN_OR_RETURN(TxStatusReport t, ReadTransaction(tx, out.group_status));
      out.transactions.push_back(std::move(t));
    }
    return out;
  }
  const std::vector<Element> blocks = msg.Children("OrgnlPmtInfAndSts");
  for (size_t b = 0; b < blocks.size(); ++b) {
    if (b == 0) out.original_payment_info_id = blocks[b].ChildText("OrgnlPmtInfId");
    std::string inherited = blocks[b].ChildText("PmtInfSts");
    if (inherited.empty()) inherited = out.group_status;
    for (const Element& tx : blocks[b].Children("TxInfAndSts")) {
      PAY_ASSIGN_OR_RETURN(TxStatusReport t, ReadTransaction(tx, inherited));
      out.transactions.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace

std::string BuildPacs002(const StatusReport& r) {
  xml::Writer writer(MessageType::kPacs002);
  AddHeader(writer.message(), r);
  AddOriginalGroup(writer.message(), r);
  for (const TxStatusReport& t : r.transactions) {
    AddTransaction(writer.message(), t, MessageType::kPacs002);
  }
  return writer.Serialize();
}

Result<StatusReport> ParsePacs002(std::string_view xml) {
  return ParseStatusReport(xml, MessageType::kPacs002);
}

std::string BuildPain002(const StatusReport& r) {
  xml::Writer writer(MessageType::kPain002);
  AddHeader(writer.message(), r);
  AddOriginalGroup(writer.message(), r);
  if (!r.transactions.empty()) {
    xmlNode* block = Add(writer.message(), "OrgnlPmtInfAndSts");
    AddText(
        block, "OrgnlPmtInfId",
        r.original_payment_info_id.empty() ? r.original_message_id : r.original_payment_info_id);
    for (const TxStatusReport& t : r.transactions) {
      AddTransaction(block, t, MessageType::kPain002);
    }
  }
  return writer.Serialize();
}

Result<StatusReport> ParsePain002(std::string_view xml) {
  return ParseStatusReport(xml, MessageType::kPain002);
}

}  // namespace pay::iso20022
