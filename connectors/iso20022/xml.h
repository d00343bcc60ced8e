// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Internal to pay_iso20022_messages: small RAII wrappers over libxml2 (hardened parsing of
// untrusted documents, per-call error capture, a read-only element view that knows its path, a
// tree writer) and the ISO 20022 building blocks that every message family shares (amounts,
// dates, accounts, agents). Not installed; nothing outside this directory includes it.

#ifndef PAY_CONNECTORS_ISO20022_XML_H_
#define PAY_CONNECTORS_ISO20022_XML_H_

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pay/money.h"
#include "pay/status.h"
#include "schemas.h"

namespace pay::iso20022::xml {

// Calls xmlInitParser exactly once per process. Every entry point calls it; cheap afterwards.
void EnsureInitialized();

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

// libxml2 2.12 made the structured error callback take a const pointer.
#if LIBXML_VERSION >= 21200
using ErrorPtr = const xmlError*;
#else
using ErrorPtr = xmlError*;
#endif

// Collects the errors libxml2 reports for one parse or one validation. Install `Handler` with
// `this` as its context (per context, never as the global handler). Keeps the first few.
class ErrorCollector {
 public:
  static constexpr int kMaxKept = 5;

  static void Handler(void* collector, ErrorPtr error);

  // Keeps `error` if fewer than kMaxKept are kept, else only counts it.
  void Add(std::string error);
  bool empty() const { return kept_.empty(); }
  bool full() const { return static_cast<int>(kept_.size()) >= kMaxKept; }
  // "line 12: /Document/...: Element 'IBAN': ...; line 14: ... (and 3 more errors)".
  std::string Summary() const;

 private:
  std::vector<std::string> kept_;
  int dropped_ = 0;
};

// "/Document/CstmrCdtTrfInitn/PmtInf[2]/DbtrAcct": local names, with a 1-based index where an
// element has same-named siblings.
std::string NodePath(const xmlNode* node);

// Removes "{urn:iso:std:iso:20022:tech:xsd:...}" qualifiers from a libxml2 message and caps its
// length (messages quote untrusted values).
std::string CleanMessage(std::string_view message);

// Parses untrusted XML: at most kMaxMessageBytes, no network, no DTD (a DOCTYPE stops the parser
// before its internal subset is read, so no entity is ever declared or expanded). Not
// well-formed, too large or a DOCTYPE -> kInvalidArgument with line numbers.
Result<DocPtr> ParseUntrusted(std::string_view xml);

// A read-only view of one element of a parsed document, with its path for error messages.
// Navigation only matches elements in the namespace of the element it starts from.
class Element {
 public:
  Element() = default;
  Element(const xmlNode* node, std::string path) : node_(node), path_(std::move(path)) {}

  explicit operator bool() const { return node_ != nullptr; }
  const xmlNode* node() const { return node_; }
  const std::string& path() const { return path_; }

  // First descendant along "A/B/C" (local names); a null Element if any step is missing.
  Element Child(std::string_view path) const;
  // Every child named `name`, in document order; if there are several, their paths carry a
  // 1-based index ("PmtInf[2]").
  std::vector<Element> Children(std::string_view name) const;
  // The text content, unchanged (whitespace kept: ISO 20022 text types preserve it).
  std::string Text() const;
  // Child(path).Text(), or "" if there is no such child.
  std::string ChildText(std::string_view path) const;
  // The attribute's value, or nullopt.
  std::optional<std::string> Attribute(const char* name) const;

 private:
  const xmlNode* node_ = nullptr;
  std::string path_;
};

// The message element (the child of <Document>, e.g. CstmrCdtTrfInitn) of an untrusted
// document that must be a `type` message. Wrong namespace or root -> kInvalidArgument.
struct ParsedMessage {
  DocPtr doc;
  Element message;
};
Result<ParsedMessage> ParseMessage(std::string_view xml, MessageType type);

// "CstmrCdtTrfInitn", "FIToFIPmtStsRpt", ...: the element below <Document>.
std::string_view MessageElementName(MessageType type);

// Builds a <Document xmlns="..."> tree; every element is in the message namespace.
class Writer {
 public:
  explicit Writer(MessageType type);

  // <Document>'s single child, e.g. <CstmrCdtTrfInitn>.
  xmlNode* message() const { return message_; }
  // The document as UTF-8 with an XML declaration, indented.
  std::string Serialize() const;

 private:
  DocPtr doc_;
  xmlNode* message_ = nullptr;
};

// Appends an empty child element.
xmlNode* Add(xmlNode* parent, const char* name);
// Appends a child element holding `text` (escaped).
xmlNode* AddText(xmlNode* parent, const char* name, std::string_view text);
// Appends the child only if `text` is not empty.
void AddOptionalText(xmlNode* parent, const char* name, std::string_view text);
void SetAttribute(xmlNode* node, const char* name, std::string_view value);

// ----- ISO 20022 building blocks shared by messages_*.cc -----

// `units` with `fraction_digits` decimals: (12345, 2) -> "123.45", (-5, 3) -> "-0.005".
// Implemented in messages.cc (FormatAmount uses it).
std::string FormatDecimal(int64_t units, int fraction_digits);
// An xs:decimal text as an integer count of 10^-scale units ("1.5", 2 -> 150). Surrounding
// whitespace and a sign are accepted, extra trailing zeros too. More significant fraction digits
// than `scale`, a malformed number or int64 overflow -> kInvalidArgument (no path: callers add
// it). Implemented in messages.cc (ParseAmount uses it).
Result<int64_t> ParseScaledDecimal(std::string_view text, int scale);
// The exact sum of `amounts` irrespective of currency, in units of 10^-*scale where *scale is the
// largest exponent among them (a DecimalNumber CtrlSum); false on int64 overflow.
bool SumAmounts(const std::vector<Money>& amounts, int64_t* sum, int* scale);
// SumAmounts formatted for CtrlSum; nullopt if it overflows or exceeds totalDigits 18.
std::optional<std::string> ControlSum(const std::vector<Money>& amounts);
// Checks NbOfTxs and CtrlSum (if present) below `parent` against what the message holds.
// A mismatch -> kInvalidArgument naming the element (a bank would reject the file: AM18, AM10).
Status CheckNumberAndSum(const Element& parent, size_t transactions,
                         const std::vector<Money>& amounts);

// <name Ccy="SAR">123.45</name>.
void AddAmount(xmlNode* parent, const char* name, const Money& amount);
// A DateAndDateTime2Choice: <name><Dt>2026-11-24</Dt></name> if `ms` is midnight UTC, else
// <name><DtTm>2026-11-24T10:15:30Z</DtTm></name>; exact either way.
void AddDateOrDateTime(xmlNode* parent, const char* name, int64_t ms);
// PartyIdentification135: <name><Nm>party_name</Nm></name> (<name/> if the name is empty).
void AddParty(xmlNode* parent, const char* name, std::string_view party_name);
// CashAccount38/39: <name><Id><IBAN>iban</IBAN></Id></name>.
xmlNode* AddIbanAccount(xmlNode* parent, const char* name, std::string_view iban);
// BranchAndFinancialInstitutionIdentification6: FinInstnId/BICFI, or FinInstnId/Othr/Id
// "NOTPROVIDED" if `bic` is empty (the usual placeholder for an agent without a BIC).
void AddAgent(xmlNode* parent, const char* name, std::string_view bic);
// Repeats <name> as often as needed to carry `text` in pieces of at most `max_chars` characters
// (UTF-8 code points), e.g. Ustrd (Max140Text) or AddtlInf (Max105Text). Nothing if empty.
void AddSplitText(xmlNode* parent, const char* name, std::string_view text, size_t max_chars);
// RemittanceInformation16 with unstructured text: <RmtInf><Ustrd>...</Ustrd></RmtInf>.
void AddRemittance(xmlNode* parent, std::string_view remittance);

// Readers take the parent element and a relative path ("Amt/InstdAmt") so that an error names
// the element even when it is missing: "<parent path>/Amt/InstdAmt: missing mandatory element".
enum class Presence { kRequired, kOptional };

// An amount element (Ccy attribute): absent (if required), an unknown currency, too many
// fraction digits or a negative amount -> kInvalidArgument naming the path.
Result<Money> ReadAmount(const Element& parent, std::string_view path);
// Like ReadAmount, nullopt if the element is absent.
Result<std::optional<Money>> ReadOptionalAmount(const Element& parent, std::string_view path);
// ISODateTime / ISODate / DateAndDateTime2Choice (Dt or DtTm) as Unix milliseconds; an absent
// optional element gives 0.
Result<int64_t> ReadDateTime(const Element& parent, std::string_view path, Presence presence);
Result<int64_t> ReadDate(const Element& parent, std::string_view path, Presence presence);
Result<int64_t> ReadDateOrDateTime(const Element& parent, std::string_view path, Presence presence);
// A mandatory text element: absent or empty -> kInvalidArgument naming the path.
Result<std::string> ReadRequiredText(const Element& parent, std::string_view path);
// FinInstnId/BICFI of an agent ("" if absent).
std::string ReadBic(const Element& agent);
// Id/IBAN of an account ("" if absent, e.g. an account identified by Othr/Id).
std::string ReadIban(const Element& account);
// The concatenated texts of every `name` child (undoes AddSplitText).
std::string JoinTexts(const Element& parent, std::string_view name);

// An InvalidArgument "<path>: <what>".
Status ErrorAt(const Element& e, std::string_view what);
Status ErrorAt(const std::string& path, std::string_view what);

}  // namespace pay::iso20022::xml

#endif  // PAY_CONNECTORS_ISO20022_XML_H_
