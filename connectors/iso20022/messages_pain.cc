// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Payment initiations: pain.001.001.09 (CstmrCdtTrfInitn, credit transfers for settlement and
// refunds) and pain.008.001.08 (CstmrDrctDbtInitn, direct debits collecting fees).

#include <cstddef>
#include <cstdint>
#include <optional>
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

// Items of one currency, in order of first appearance.
template <typename T>
struct CurrencyGroup {
  std::string currency;
  std::vector<const T*> items;
};

template <typename T>
std::vector<CurrencyGroup<T>> GroupByCurrency(const std::vector<T>& items) {
  std::vector<CurrencyGroup<T>> groups;
  for (const T& item : items) {
    const std::string& currency = item.amount.currency();
    CurrencyGroup<T>* group = nullptr;
    for (CurrencyGroup<T>& g : groups) {
      if (g.currency == currency) group = &g;
    }
    if (group == nullptr) group = &groups.emplace_back(CurrencyGroup<T>{currency, {}});
    group->items.push_back(&item);
  }
  return groups;
}

template <typename T>
std::vector<Money> AmountsOf(const std::vector<const T*>& items) {
  std::vector<Money> amounts;
  for (const T* item : items) amounts.push_back(item->amount);
  return amounts;
}

template <typename T>
std::vector<Money> AmountsOf(const std::vector<T>& items) {
  std::vector<Money> amounts;
  for (const T& item : items) amounts.push_back(item.amount);
  return amounts;
}

// GroupHeader85 / GroupHeader83: MsgId, CreDtTm, NbOfTxs, CtrlSum, InitgPty.
void AddGroupHeader(xmlNode* message, const std::string& message_id, int64_t creation_time_ms,
                    size_t transactions, const std::vector<Money>& amounts,
                    const std::string& initiating_party) {
  xmlNode* header = Add(message, "GrpHdr");
  AddText(header, "MsgId", message_id);
  AddText(header, "CreDtTm", FormatIsoDateTime(creation_time_ms));
  AddText(header, "NbOfTxs", std::to_string(transactions));
  if (std::optional<std::string> sum = xml::ControlSum(amounts)) AddText(header, "CtrlSum", *sum);
  xml::AddParty(header, "InitgPty", initiating_party);
}

// PmtInfId, PmtMtd, NbOfTxs, CtrlSum: the start of every PmtInf block.
template <typename T>
xmlNode* AddPaymentInfoStart(xmlNode* message, const std::string& payment_info_id,
                             size_t group_count, const CurrencyGroup<T>& group,
                             const char* method) {
  xmlNode* info = Add(message, "PmtInf");
  AddText(info, "PmtInfId",
          group_count == 1 ? payment_info_id : payment_info_id + "-" + group.currency);
  AddText(info, "PmtMtd", method);
  AddText(info, "NbOfTxs", std::to_string(group.items.size()));
  if (std::optional<std::string> sum = xml::ControlSum(AmountsOf(group.items))) {
    AddText(info, "CtrlSum", *sum);
  }
  return info;
}

// The payment_info_id behind the PmtInfIds of `blocks`: with several blocks written by
// AddPaymentInfoStart, "<id>-<CCY>" each; otherwise the first block's id.
std::string PaymentInfoId(const std::vector<std::string>& ids,
                          const std::vector<std::string>& currencies) {
  if (ids.size() <= 1) return ids.empty() ? "" : ids[0];
  std::string base;
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string suffix = "-" + currencies[i];
    if (currencies[i].empty() || ids[i].size() <= suffix.size() ||
        ids[i].compare(ids[i].size() - suffix.size(), suffix.size(), suffix) != 0) {
      return ids[0];
    }
    std::string candidate = ids[i].substr(0, ids[i].size() - suffix.size());
    if (i == 0) {
      base = std::move(candidate);
    } else if (candidate != base) {
      return ids[0];
    }
  }
  return base;
}

Status ReadPaymentId(const Element& tx, std::string* instruction_id, std::string* end_to_end_id) {
  *instruction_id = tx.ChildText("PmtId/InstrId");
  PAY_ASSIGN_OR_RETURN(*end_to_end_id, xml::ReadRequiredText(tx, "PmtId/EndToEndId"));
  return absl::OkStatus();
}

}  // namespace

// ----- pain.001.001.09 -----

std::string BuildPain001(const Pain001& m) {
  xml::Writer writer(MessageType::kPain001);
  AddGroupHeader(writer.message(), m.message_id, m.creation_time_ms, m.transfers.size(),
                 AmountsOf(m.transfers), m.initiating_party);
  const auto groups = GroupByCurrency(m.transfers);
  for (const auto& group : groups) {
    xmlNode* info =
        AddPaymentInfoStart(writer.message(), m.payment_info_id, groups.size(), group, "TRF");
    xml::AddDateOrDateTime(info, "ReqdExctnDt", m.requested_execution_date_ms);
    xml::AddParty(info, "Dbtr", m.debtor.name);
    xml::AddIbanAccount(info, "DbtrAcct", m.debtor.iban);
    xml::AddAgent(info, "DbtrAgt", m.debtor.bic);
    for (const CreditTransfer* t : group.items) {
      xmlNode* tx = Add(info, "CdtTrfTxInf");
      xmlNode* id = Add(tx, "PmtId");
      AddOptionalText(id, "InstrId", t->instruction_id);
      AddText(id, "EndToEndId", t->end_to_end_id);
      xml::AddAmount(Add(tx, "Amt"), "InstdAmt", t->amount);
      if (!t->creditor.bic.empty()) xml::AddAgent(tx, "CdtrAgt", t->creditor.bic);
      if (!t->creditor.name.empty()) xml::AddParty(tx, "Cdtr", t->creditor.name);
      if (!t->creditor.iban.empty()) xml::AddIbanAccount(tx, "CdtrAcct", t->creditor.iban);
      xml::AddRemittance(tx, t->remittance);
    }
  }
  return writer.Serialize();
}

Result<Pain001> ParsePain001(std::string_view text) {
  PAY_ASSIGN_OR_RETURN(xml::ParsedMessage parsed, xml::ParseMessage(text, MessageType::kPain001));
  const Element& msg = parsed.message;
  Pain001 out;
  PAY_ASSIGN_OR_RETURN(out.message_id, xml::ReadRequiredText(msg, "GrpHdr/MsgId"));
  PAY_ASSIGN_OR_RETURN(out.creation_time_ms,
                       xml::ReadDateTime(msg, "GrpHdr/CreDtTm", Presence::kRequired));
  out.initiating_party = msg.ChildText("GrpHdr/InitgPty/Nm");
  const std::vector<Element> blocks = msg.Children("PmtInf");
  if (blocks.empty()) return xml::ErrorAt(msg.path() + "/PmtInf", "missing mandatory element");
  std::vector<std::string> ids;
  std::vector<std::string> currencies;
  for (size_t b = 0; b < blocks.size(); ++b) {
    const Element& info = blocks[b];
    PAY_ASSIGN_OR_RETURN(std::string id, xml::ReadRequiredText(info, "PmtInfId"));
    ids.push_back(std::move(id));
    PAY_ASSIGN_OR_RETURN(int64_t date,
                         xml::ReadDateOrDateTime(info, "ReqdExctnDt", Presence::kRequired));
    Account debtor{xml::ReadIban(info.Child("DbtrAcct")), xml::ReadBic(info.Child("DbtrAgt")),
                   info.ChildText("Dbtr/Nm")};
    if (b == 0) {
      out.requested_execution_date_ms = date;
      out.debtor = std::move(debtor);
    } else if (date != out.requested_execution_date_ms || debtor != out.debtor) {
      return xml::ErrorAt(info, "debtor or ReqdExctnDt differs from " + blocks[0].path() +
                                    "; a Pain001 has a single debtor and execution date");
    }
    const std::vector<Element> txs = info.Children("CdtTrfTxInf");
    if (txs.empty()) return xml::ErrorAt(info.path() + "/CdtTrfTxInf", "missing mandatory element");
    for (const Element& tx : txs) {
      CreditTransfer t;
      PAY_RETURN_IF_ERROR(ReadPaymentId(tx, &t.instruction_id, &t.end_to_end_id));
      if (tx.Child("Amt/EqvtAmt")) {
        return xml::ErrorAt(tx.Child("Amt/EqvtAmt"), "equivalent amounts are not supported");
      }
      PAY_ASSIGN_OR_RETURN(t.amount, xml::ReadAmount(tx, "Amt/InstdAmt"));
      t.creditor = Account{xml::ReadIban(tx.Child("CdtrAcct")), xml::ReadBic(tx.Child("CdtrAgt")),
                           tx.ChildText("Cdtr/Nm")};
      t.remittance = xml::JoinTexts(tx.Child("RmtInf"), "Ustrd");
      out.transfers.push_back(std::move(t));
    }
    currencies.push_back(out.transfers.back().amount.currency());
    const std::vector<Money> all = AmountsOf(out.transfers);
    PAY_RETURN_IF_ERROR(xml::CheckNumberAndSum(
        info, txs.size(),
        std::vector<Money>(all.end() - static_cast<ptrdiff_t>(txs.size()), all.end())));
  }
  PAY_RETURN_IF_ERROR(
      xml::CheckNumberAndSum(msg.Child("GrpHdr"), out.transfers.size(), AmountsOf(out.transfers)));
  out.payment_info_id = PaymentInfoId(ids, currencies);
  return out;
}

// ----- pain.008.001.08 -----

std::string BuildPain008(const Pain008& m) {
  xml::Writer writer(MessageType::kPain008);
  AddGroupHeader(writer.message(), m.message_id, m.creation_time_ms, m.debits.size(),
                 AmountsOf(m.debits), m.initiating_party);
  const auto groups = GroupByCurrency(m.debits);
  for (const auto& group : groups) {
    xmlNode* info =
        AddPaymentInfoStart(writer.message(), m.payment_info_id, groups.size(), group, "DD");
    xmlNode* type = Add(info, "PmtTpInf");
    AddText(Add(type, "LclInstrm"), "Cd", "CORE");
    AddText(type, "SeqTp", "OOFF");
    AddText(info, "ReqdColltnDt", FormatIsoDate(m.requested_collection_date_ms));
    xml::AddParty(info, "Cdtr", m.creditor.name);
    xml::AddIbanAccount(info, "CdtrAcct", m.creditor.iban);
    xml::AddAgent(info, "CdtrAgt", m.creditor.bic);
    if (!m.creditor_scheme_id.empty()) {
      AddText(Add(Add(Add(Add(info, "CdtrSchmeId"), "Id"), "PrvtId"), "Othr"), "Id",
              m.creditor_scheme_id);
    }
    for (const DirectDebit* d : group.items) {
      xmlNode* tx = Add(info, "DrctDbtTxInf");
      xmlNode* id = Add(tx, "PmtId");
      AddOptionalText(id, "InstrId", d->instruction_id);
      AddText(id, "EndToEndId", d->end_to_end_id);
      xml::AddAmount(tx, "InstdAmt", d->amount);
      if (!d->mandate_id.empty() || d->mandate_signature_date_ms != 0) {
        xmlNode* mandate = Add(Add(tx, "DrctDbtTx"), "MndtRltdInf");
        AddOptionalText(mandate, "MndtId", d->mandate_id);
        if (d->mandate_signature_date_ms != 0) {
          AddText(mandate, "DtOfSgntr", FormatIsoDate(d->mandate_signature_date_ms));
        }
      }
      xml::AddAgent(tx, "DbtrAgt", d->debtor.bic);
      xml::AddParty(tx, "Dbtr", d->debtor.name);
      xml::AddIbanAccount(tx, "DbtrAcct", d->debtor.iban);
      xml::AddRemittance(tx, d->remittance);
    }
  }
  return writer.Serialize();
}

namespace {

// CdtrSchmeId/Id/PrvtId/Othr/Id (the usual form), else .../OrgId/Othr/Id.
std::string SchemeId(const Element& scheme) {
  std::string id = scheme.ChildText("Id/PrvtId/Othr/Id");
  return id.empty() ? scheme.ChildText("Id/OrgId/Othr/Id") : id;
}

}  // namespace

Result<Pain008> ParsePain008(std::string_view text) {
  PAY_ASSIGN_OR_RETURN(xml::ParsedMessage parsed, xml::ParseMessage(text, MessageType::kPain008));
  const Element& msg = parsed.message;
  Pain008 out;
  PAY_ASSIGN_OR_RETURN(out.message_id, xml::ReadRequiredText(msg, "GrpHdr/MsgId"));
  PAY_ASSIGN_OR_RETURN(out.creation_time_ms,
                       xml::ReadDateTime(msg, "GrpHdr/CreDtTm", Presence::kRequired));
  out.initiating_party = msg.ChildText("GrpHdr/InitgPty/Nm");
  const std::vector<Element> blocks = msg.Children("PmtInf");
  if (blocks.empty()) return xml::ErrorAt(msg.path() + "/PmtInf", "missing mandatory element");
  std::vector<std::string> ids;
  std::vector<std::string> currencies;
  for (size_t b = 0; b < blocks.size(); ++b) {
    const Element& info = blocks[b];
    PAY_ASSIGN_OR_RETURN(std::string id, xml::ReadRequiredText(info, "PmtInfId"));
    ids.push_back(std::move(id));
    PAY_ASSIGN_OR_RETURN(int64_t date, xml::ReadDate(info, "ReqdColltnDt", Presence::kRequired));
    Account creditor{xml::ReadIban(info.Child("CdtrAcct")), xml::ReadBic(info.Child("CdtrAgt")),
                     info.ChildText("Cdtr/Nm")};
    const std::vector<Element> txs = info.Children("DrctDbtTxInf");
    if (txs.empty()) {
      return xml::ErrorAt(info.path() + "/DrctDbtTxInf", "missing mandatory element");
    }
    // The scheme id may sit on the PmtInf or on each transaction.
    std::string scheme_id = SchemeId(info.Child("CdtrSchmeId"));
    if (scheme_id.empty()) scheme_id = SchemeId(txs[0].Child("DrctDbtTx/CdtrSchmeId"));
    if (b == 0) {
      out.requested_collection_date_ms = date;
      out.creditor = std::move(creditor);
      out.creditor_scheme_id = std::move(scheme_id);
    } else if (date != out.requested_collection_date_ms || creditor != out.creditor ||
               scheme_id != out.creditor_scheme_id) {
      return xml::ErrorAt(info, "creditor, CdtrSchmeId or ReqdColltnDt differs from " +
                                    blocks[0].path() + "; a Pain008 has a single creditor");
    }
    for (const Element& tx : txs) {
      DirectDebit d;
      PAY_RETURN_IF_ERROR(ReadPaymentId(tx, &d.instruction_id, &d.end_to_end_id));
      PAY_ASSIGN_OR_RETURN(d.amount, xml::ReadAmount(tx, "InstdAmt"));
      d.mandate_id = tx.ChildText("DrctDbtTx/MndtRltdInf/MndtId");
      PAY_ASSIGN_OR_RETURN(
          d.mandate_signature_date_ms,
          xml::ReadDate(tx, "DrctDbtTx/MndtRltdInf/DtOfSgntr", Presence::kOptional));
      d.debtor = Account{xml::ReadIban(tx.Child("DbtrAcct")), xml::ReadBic(tx.Child("DbtrAgt")),
                         tx.ChildText("Dbtr/Nm")};
      d.remittance = xml::JoinTexts(tx.Child("RmtInf"), "Ustrd");
      out.debits.push_back(std::move(d));
    }
    currencies.push_back(out.debits.back().amount.currency());
    const std::vector<Money> all = AmountsOf(out.debits);
    PAY_RETURN_IF_ERROR(xml::CheckNumberAndSum(
        info, txs.size(),
        std::vector<Money>(all.end() - static_cast<ptrdiff_t>(txs.size()), all.end())));
  }
  PAY_RETURN_IF_ERROR(
      xml::CheckNumberAndSum(msg.Child("GrpHdr"), out.debits.size(), AmountsOf(out.debits)));
  out.payment_info_id = PaymentInfoId(ids, currencies);
  return out;
}

}  // namespace pay::iso20022
