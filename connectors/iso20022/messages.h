// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// ISO 20022 messages between the gateway and its banks, as plain structs with Build* (struct ->
// XML) and Parse* (XML -> struct) functions:
//   pain.001.001.09  credit transfer initiation (settlement, refunds)          Build/ParsePain001
//   pain.008.001.08  direct debit initiation (collecting a fee from a citizen)  Build/ParsePain008
//   pacs.002.001.10  FI-to-FI payment status report                            Build/ParsePacs002
//   pain.002.001.10  customer payment status report                            Build/ParsePain002
//   camt.054.001.08  debit/credit notification (a bill paid at a bank counter)  Build/ParseCamt054
//   camt.053.001.08  account statement (day-end reconciliation)                Build/ParseCamt053
//
// Contracts:
// - Amounts are pay::Money (never floating point). In XML an amount is a decimal with exactly the
//   currency's ISO 4217 minor digits (12345 SAR -> "123.45", 5 JOD -> "0.005", 500 JPY -> "500").
// - Times are Unix milliseconds (UTC). ISODateTime is written "2026-11-24T10:15:30Z" (with
//   ".123" if there are milliseconds); on input "Z", "+03:00"-style offsets and no zone (taken as
//   UTC) are accepted. ISODate is "YYYY-MM-DD" (midnight UTC); a time of day is dropped when
//   written as an ISODate. An optional date that is 0 is absent.
// - Builders assume valid input and do not check it: the caller checks ids with CheckMax35Text
//   (and IBAN/BIC formats) first, and may run SchemaSet::Validate on the output. An empty
//   optional string leaves its element out; an empty mandatory one yields an invalid document.
//   Text must be valid UTF-8 without control characters other than tab, CR and LF.
// - Parse* accept untrusted input: run SchemaSet::Validate first, then Parse* extracts. Parse*
//   never crash: an absent optional element gives an empty field; an absent mandatory element,
//   an unknown currency, an amount with more fraction digits than its currency has, a bad date,
//   or a shape these structs cannot represent -> kInvalidArgument naming the XML path.

#ifndef PAY_CONNECTORS_ISO20022_MESSAGES_H_
#define PAY_CONNECTORS_ISO20022_MESSAGES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pay/money.h"
#include "pay/status.h"
#include "schemas.h"

namespace pay::iso20022 {

// ----- Amounts, dates, identifiers -----

// Minor units -> decimal text with exactly the currency's minor digits: 12345 SAR -> "123.45",
// 5 JOD -> "0.005", 500 JPY -> "500", -150 SAR -> "-1.50". (A default Money, whose currency is
// unknown, is formatted with 0 digits.)
std::string FormatAmount(const Money& amount);
// An xs:decimal text ("123.45", "+0.5", "  7 ") in `currency` -> Money. More significant
// fraction digits than the currency has ("12.345" SAR), an unknown currency, a malformed number
// or int64 overflow -> kInvalidArgument. Extra trailing zeros ("12.340" SAR) are accepted.
Result<Money> ParseAmount(std::string_view decimal, std::string_view currency);

// Unix ms -> "2026-11-24T10:15:30Z" ("2026-11-24T10:15:30.250Z" if ms % 1000 != 0).
std::string FormatIsoDateTime(int64_t unix_ms);
// xs:dateTime -> Unix ms: "2026-11-24T10:15:30Z", "...T13:15:30+03:00", "...T10:15:30.25Z";
// no zone means UTC. Fractions beyond milliseconds are truncated. -> kInvalidArgument.
Result<int64_t> ParseIsoDateTime(std::string_view text);
// Unix ms -> "2026-11-24" (the UTC day).
std::string FormatIsoDate(int64_t unix_ms);
// "2026-11-24" (an xs:date zone suffix is ignored) -> midnight UTC in Unix ms.
Result<int64_t> ParseIsoDate(std::string_view text);

// Max35Text (every message and instruction id, PmtInfId, EndToEndId, MndtId, AcctSvcrRef, ...):
// 1 to 35 characters of valid UTF-8 without control characters. `field` names the value in the
// error ("refund.end_to_end_id"). -> kInvalidArgument.
Status CheckMax35Text(std::string_view field, std::string_view value);

// ----- Parties -----

// An account and its holder. `name` is the holder's (party) name, Max140Text; `bic` is the
// account servicer (BICFIDec2014Identifier, e.g. "RJHISARI"); empty -> "NOTPROVIDED".
// `iban` is IBAN2007Identifier ([A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}; no check-digit test).
struct Account {
  std::string iban;
  std::string bic;
  std::string name;
  friend bool operator==(const Account&, const Account&) = default;
};

// ----- pain.001.001.09: credit transfer initiation (CstmrCdtTrfInitn) -----

struct CreditTransfer {
  std::string instruction_id;  // InstrId, optional.
  std::string end_to_end_id;   // EndToEndId, mandatory.
  Money amount;                // InstdAmt.
  Account creditor;            // Cdtr/Nm, CdtrAcct IBAN, CdtrAgt BIC: each optional.
  std::string remittance;      // Ustrd (bill number / refund reason), split every 140 chars.
  friend bool operator==(const CreditTransfer&, const CreditTransfer&) = default;
};

// GrpHdr NbOfTxs and CtrlSum are computed. Transfers are grouped into one PmtInf (PmtMtd TRF)
// per currency, in order of first appearance: with one currency PmtInfId is payment_info_id,
// with several it is "<payment_info_id>-<CCY>" (so payment_info_id must then be at most 31
// characters). Each PmtInf's CtrlSum is its currency's sum; GrpHdr CtrlSum is the decimal sum of
// all amounts irrespective of currency (left out if it would exceed 18 digits).
// Parsing concatenates the transfers of all PmtInf blocks (so mixed currencies come back grouped
// by currency); the blocks must share the debtor account and execution date, and NbOfTxs and
// CtrlSum (GrpHdr and each PmtInf, where present) must match the transactions.
struct Pain001 {
  std::string message_id;                   // GrpHdr/MsgId.
  int64_t creation_time_ms = 0;             // GrpHdr/CreDtTm.
  std::string initiating_party;             // GrpHdr/InitgPty/Nm (optional).
  std::string payment_info_id;              // PmtInf/PmtInfId.
  int64_t requested_execution_date_ms = 0;  // ReqdExctnDt: Dt if midnight UTC, else DtTm.
  Account debtor;                           // Dbtr/Nm, DbtrAcct IBAN (mandatory), DbtrAgt BIC.
  std::vector<CreditTransfer> transfers;
  friend bool operator==(const Pain001&, const Pain001&) = default;
};
std::string BuildPain001(const Pain001& message);
Result<Pain001> ParsePain001(std::string_view xml);

// ----- pain.008.001.08: direct debit initiation (CstmrDrctDbtInitn) -----

struct DirectDebit {
  std::string instruction_id;             // InstrId, optional.
  std::string end_to_end_id;              // EndToEndId, mandatory.
  Money amount;                           // InstdAmt.
  std::string mandate_id;                 // DrctDbtTx/MndtRltdInf/MndtId, optional.
  int64_t mandate_signature_date_ms = 0;  // MndtRltdInf/DtOfSgntr (ISODate), 0 = absent.
  Account debtor;                         // Dbtr/Nm, DbtrAcct IBAN (mandatory), DbtrAgt BIC.
  std::string remittance;                 // Ustrd, split every 140 chars.
  friend bool operator==(const DirectDebit&, const DirectDebit&) = default;
};

// PmtMtd DD, PmtTpInf LclInstrm/Cd "CORE" and SeqTp "OOFF" (a one-off collection); grouping by
// currency, PmtInfId, NbOfTxs and CtrlSum as for Pain001. Parsing requires every PmtInf to
// share the creditor account, scheme id and collection date.
struct Pain008 {
  std::string message_id;
  int64_t creation_time_ms = 0;
  std::string initiating_party;
  std::string payment_info_id;
  int64_t requested_collection_date_ms = 0;  // ReqdColltnDt (ISODate).
  Account creditor;                          // The gateway's collection account.
  std::string creditor_scheme_id;            // CdtrSchmeId/Id/PrvtId/Othr/Id, optional.
  std::vector<DirectDebit> debits;
  friend bool operator==(const Pain008&, const Pain008&) = default;
};
std::string BuildPain008(const Pain008& message);
Result<Pain008> ParsePain008(std::string_view xml);

// ----- pacs.002.001.10 / pain.002.001.10: payment status reports -----

// The gateway's view of an ExternalPaymentTransactionStatus1Code:
//   kSettled   ACSC (settlement completed on the debtor's account), ACCC (credited to the
//              creditor's account): final success.
//   kRejected  RJCT, CANC (cancelled): final failure.
//   kPending   PDNG, RCVD (received, not yet checked), BLCK (blocked), and any code this
//              library does not know: not final, needs follow-up.
//   kAccepted  ACCP, ACTC, ACSP, ACWC, ACWP, ACFC, ACIS, PATC, PART: accepted, not yet final.
enum class TxStatus { kAccepted, kSettled, kRejected, kPending };
TxStatus TxStatusFromCode(std::string_view code);
// The code written when a report carries no raw code: kAccepted "ACSP", kSettled "ACSC",
// kRejected "RJCT", kPending "PDNG".
std::string_view TxStatusCode(TxStatus status);

struct TxStatusReport {
  std::string original_end_to_end_id;   // OrgnlEndToEndId.
  std::string original_instruction_id;  // OrgnlInstrId.
  // TxSts, raw (1-4 characters, e.g. "ACSC"). Building: empty -> TxStatusCode(status).
  // Parsing: empty if the transaction has no TxSts; `status` then follows PmtInfSts/GrpSts.
  std::string status_code;
  TxStatus status = TxStatus::kPending;
  // StsRsnInf/Rsn: Cd (ExternalStatusReason1Code, e.g. "AM04" insufficient funds) if 1-4
  // characters, else Prtry (Max35Text).
  std::string reason_code;
  std::string reason_text;  // StsRsnInf/AddtlInf, split every 105 chars.
  // OrgnlTxRef amount: pacs.002 writes IntrBkSttlmAmt, pain.002 Amt/InstdAmt; both are read.
  std::optional<Money> amount;
  std::string account_servicer_reference;  // AcctSvcrRef.
  friend bool operator==(const TxStatusReport&, const TxStatusReport&) = default;
};

struct StatusReport {
  std::string message_id;
  int64_t creation_time_ms = 0;
  std::string original_message_id;    // OrgnlGrpInfAndSts/OrgnlMsgId.
  std::string original_message_type;  // OrgnlMsgNmId, e.g. "pain.008.001.08".
  std::string group_status;           // GrpSts, optional (e.g. "RJCT" for a rejected file).
  std::string group_reason_code;      // OrgnlGrpInfAndSts/StsRsnInf/Rsn, optional.
  std::string group_reason_text;      // OrgnlGrpInfAndSts/StsRsnInf/AddtlInf, optional.
  // pain.002 only: OrgnlPmtInfAndSts/OrgnlPmtInfId (mandatory there; empty -> the original
  // message id). Parsing takes the first block's; transactions of all blocks are collected.
  std::string original_payment_info_id;
  std::vector<TxStatusReport> transactions;
  friend bool operator==(const StatusReport&, const StatusReport&) = default;
};
std::string BuildPacs002(const StatusReport& report);
Result<StatusReport> ParsePacs002(std::string_view xml);
std::string BuildPain002(const StatusReport& report);
Result<StatusReport> ParsePain002(std::string_view xml);

// ----- camt.054.001.08 / camt.053.001.08: notifications and statements -----

struct StatementEntry {
  std::string entry_reference;             // NtryRef, optional.
  Money amount;                            // Amt (never negative; see `credit`).
  bool credit = true;                      // CdtDbtInd CRDT / DBIT.
  std::string status;                      // Sts/Cd, e.g. "BOOK"; empty -> "BOOK" when building.
  int64_t booking_date_ms = 0;             // BookgDt (Dt if midnight UTC, else DtTm), 0 = absent.
  int64_t value_date_ms = 0;               // ValDt, likewise.
  std::string account_servicer_reference;  // AcctSvcrRef.
  // NtryDtls/TxDtls (written only if one of these is set):
  std::string end_to_end_id;  // Refs/EndToEndId.
  std::string remittance;     // RmtInf/Ustrd: carries the bill number.
  std::string debtor_name;    // RltdPties/Dbtr/Pty/Nm.
  std::string debtor_iban;    // RltdPties/DbtrAcct/Id/IBAN.
  friend bool operator==(const StatementEntry&, const StatementEntry&) = default;
};
// Entries are written with BkTxCd Domn PMNT, Fmly RCDT (credit) or ICDT (debit), SubFmlyCd DMCT.
// Parsing: an entry with several TxDtls (batch booking) becomes one StatementEntry per TxDtls,
// each with that transaction's Amt (required then); an entry's other fields are copied to each.

struct Camt054 {
  std::string message_id;
  int64_t creation_time_ms = 0;
  std::string notification_id;  // Ntfctn/Id.
  Account account;              // Acct: IBAN, Ownr/Nm, Svcr BIC.
  std::vector<StatementEntry> entries;
  friend bool operator==(const Camt054&, const Camt054&) = default;
};
std::string BuildCamt054(const Camt054& message);
// Exactly one Ntfctn (one account) is supported; more -> kInvalidArgument.
Result<Camt054> ParseCamt054(std::string_view xml);

struct Camt053 {
  std::string message_id;
  int64_t creation_time_ms = 0;
  std::string statement_id;  // Stmt/Id.
  Account account;
  int64_t from_ms = 0;  // FrToDt/FrDtTm; also the opening balance's date.
  int64_t to_ms = 0;    // FrToDt/ToDtTm; also the closing balance's date.
  // Bal OPBD / CLBD; a negative balance is written as DBIT with its absolute amount. Parsing
  // falls back to PRCD for the opening balance; no opening or closing balance -> error.
  Money opening_balance;
  Money closing_balance;
  std::vector<StatementEntry> entries;
  friend bool operator==(const Camt053&, const Camt053&) = default;
};
std::string BuildCamt053(const Camt053& message);
// Exactly one Stmt (one account) is supported; more -> kInvalidArgument.
Result<Camt053> ParseCamt053(std::string_view xml);

}  // namespace pay::iso20022

#endif  // PAY_CONNECTORS_ISO20022_MESSAGES_H_
