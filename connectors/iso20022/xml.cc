// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// libxml2 wrappers and shared ISO 20022 building blocks (see xml.h).

#include "xml.h"

#include <libxml/parser.h>
#include <libxml/xmlmemory.h>

#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "messages.h"

namespace pay::iso20022::xml {
namespace {

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
std::string_view View(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

constexpr size_t kMaxErrorMessageChars = 300;
constexpr char kNotProvided[] = "NOTPROVIDED";

bool SameNamespace(const xmlNode* a, const xmlNode* b) {
  const xmlChar* na = a->ns != nullptr ? a->ns->href : nullptr;
  const xmlChar* nb = b->ns != nullptr ? b->ns->href : nullptr;
  return View(na) == View(nb);
}

bool IsElementNamed(const xmlNode* node, std::string_view name, const xmlNode* ns_of) {
  return node->type == XML_ELEMENT_NODE && View(node->name) == name && SameNamespace(node, ns_of);
}

// Per-parse state reachable from the parser context's _private.
struct ParseState {
  ErrorCollector* errors = nullptr;
  bool doctype = false;
};

// SAX internalSubset: called when <!DOCTYPE is read, before any entity declaration.
void RefuseDoctype(void* ctx, const xmlChar* /*name*/, const xmlChar* /*external_id*/,
                   const xmlChar* /*system_id*/) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  static_cast<ParseState*>(ctxt->_private)->doctype = true;
  xmlStopParser(ctxt);
}

// SAX serror for the parser: forwards to the collector of this parse only.
void ParserError(void* ctx, ErrorPtr error) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  auto* state = static_cast<ParseState*>(ctxt->_private);
  if (state == nullptr || state->doctype) return;  // The stop itself is reported separately.
  ErrorCollector::Handler(state->errors, error);
}

struct ParserCtxtFree {
  void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};

// Number of UTF-8 bytes that hold the first `max_chars` code points of `text`.
size_t PrefixBytes(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  size_t i = 0;
  while (i < text.size()) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {  // A lead byte starts a char.
      if (chars == max_chars) break;
      ++chars;
    }
    ++i;
  }
  return i;
}

}  // namespace

void EnsureInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

// ----- Errors -----

void ErrorCollector::Handler(void* collector, ErrorPtr error) {
  if (collector == nullptr || error == nullptr) return;
  if (error->level == XML_ERR_WARNING) return;
  auto* errors = static_cast<ErrorCollector*>(collector);
  if (errors->full()) {  // Do no work per error beyond the first few: input may be hostile.
    errors->Add("");
    return;
  }
  std::string text = "line " + std::to_string(error->line) + ": ";
  if (error->node != nullptr) {
    const auto* node = static_cast<const xmlNode*>(error->node);
    if (node->type == XML_ELEMENT_NODE) {
      text += NodePath(node) + ": ";
    } else if (node->type == XML_ATTRIBUTE_NODE && node->parent != nullptr) {
      text += NodePath(node->parent) + "/@" + std::string(View(node->name)) + ": ";
    }
  }
  text += CleanMessage(error->message != nullptr ? error->message : "unknown libxml2 error");
  errors->Add(std::move(text));
}

void ErrorCollector::Add(std::string error) {
  if (static_cast<int>(kept_.size()) < kMaxKept) {
    kept_.push_back(std::move(error));
  } else {
    ++dropped_;
  }
}

std::string ErrorCollector::Summary() const {
  std::string out;
  for (const std::string& e : kept_) {
    if (!out.empty()) out += "; ";
    out += e;
  }
  if (dropped_ > 0) out += " (and " + std::to_string(dropped_) + " more errors)";
  return out;
}

std::string NodePath(const xmlNode* node) {
  std::vector<std::string> steps;
  for (const xmlNode* n = node; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    int index = 0;
    int same = 0;
    if (n->parent != nullptr) {
      for (const xmlNode* s = n->parent->children; s != nullptr; s = s->next) {
        if (s->type != XML_ELEMENT_NODE || View(s->name) != View(n->name)) continue;
        ++same;
        if (s == n) index = same;
      }
    }
    std::string step(View(n->name));
    if (same > 1) step += "[" + std::to_string(index) + "]";
    steps.push_back(std::move(step));
  }
  std::string path;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) path += "/" + *it;
  return path;
}

std::string CleanMessage(std::string_view message) {
  static constexpr std::string_view kQualifier = "{urn:iso:std:iso:20022:tech:xsd:";
  std::string out;
  size_t pos = 0;
  while (pos < message.size()) {
    size_t q = message.find(kQualifier, pos);
    if (q == std::string_view::npos) {
      out.append(message.substr(pos));
      break;
    }
    out.append(message.substr(pos, q - pos));
    size_t close = message.find('}', q);
    if (close == std::string_view::npos) {
      out.append(message.substr(q));
      break;
    }
    pos = close + 1;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ' || out.back() == '\r')) {
    out.pop_back();
  }
  if (out.size() > kMaxErrorMessageChars) {
    out.resize(PrefixBytes(out, kMaxErrorMessageChars));
    out += "...";
  }
  return out;
}

Status ErrorAt(const std::string& path, std::string_view what) {
  return absl::InvalidArgumentError(path + ": " + std::string(what));
}

Status ErrorAt(const Element& e, std::string_view what) { return ErrorAt(e.path(), what); }

// ----- Parsing -----

Result<DocPtr> ParseUntrusted(std::string_view xml) {
  EnsureInitialized();
  if (xml.size() > kMaxMessageBytes) {
    return absl::InvalidArgumentError("XML message is " + std::to_string(xml.size()) +
                                      " bytes, more than the limit of " +
                                      std::to_string(kMaxMessageBytes) + " bytes");
  }
  if (xml.empty()) return absl::InvalidArgumentError("XML message is empty");
  std::unique_ptr<xmlParserCtxt, ParserCtxtFree> ctxt(xmlNewParserCtxt());
  PAY_CHECK(ctxt != nullptr);
  ErrorCollector errors;
  ParseState state;
  state.errors = &errors;
  ctxt->_private = &state;
  ctxt->sax->internalSubset = RefuseDoctype;
  ctxt->sax->serror = ParserError;
  // Deliberately absent: XML_PARSE_NOENT (entity substitution), XML_PARSE_DTDLOAD,
  // XML_PARSE_DTDATTR, XML_PARSE_DTDVALID, XML_PARSE_XINCLUDE, XML_PARSE_HUGE.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                      XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;
  DocPtr doc(xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()), nullptr,
                               nullptr, options));
  if (state.doctype ||
      (doc != nullptr && (doc->intSubset != nullptr || doc->extSubset != nullptr))) {
    return absl::InvalidArgumentError(
        "XML message has a DOCTYPE declaration; ISO 20022 messages must not have one");
  }
  if (doc == nullptr || !ctxt->wellFormed) {
    std::string detail = errors.empty() ? std::string("not well-formed") : errors.Summary();
    return absl::InvalidArgumentError("XML message is not well-formed: " + detail);
  }
  if (xmlDocGetRootElement(doc.get()) == nullptr) {
    return absl::InvalidArgumentError("XML message has no root element");
  }
  return doc;
}

std::string_view MessageElementName(MessageType type) {
  switch (type) {
    case MessageType::kPain001:
      return "CstmrCdtTrfInitn";
    case MessageType::kPain002:
      return "CstmrPmtStsRpt";
    case MessageType::kPain008:
      return "CstmrDrctDbtInitn";
    case MessageType::kPacs002:
      return "FIToFIPmtStsRpt";
    case MessageType::kCamt053:
      return "BkToCstmrStmt";
    case MessageType::kCamt054:
      return "BkToCstmrDbtCdtNtfctn";
  }
  return "";
}

Result<ParsedMessage> ParseMessage(std::string_view xml, MessageType type) {
  PAY_ASSIGN_OR_RETURN(DocPtr doc, ParseUntrusted(xml));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  std::string_view ns = root->ns != nullptr ? View(root->ns->href) : std::string_view();
  if (View(root->name) != "Document" || ns != Namespace(type)) {
    return absl::InvalidArgumentError(
        "/" + CleanMessage(View(root->name)) + ": expected a " + std::string(MessageName(type)) +
        " message (<Document xmlns=\"" + std::string(Namespace(type)) + "\">), got <" +
        CleanMessage(View(root->name)) + "> in namespace '" + CleanMessage(ns) + "'");
  }
  Element document(root, "/Document");
  Element message = document.Child(MessageElementName(type));
  if (!message) {
    return ErrorAt(document, "missing <" + std::string(MessageElementName(type)) + ">");
  }
  return ParsedMessage{std::move(doc), std::move(message)};
}

// ----- Element -----

Element Element::Child(std::string_view path) const {
  if (node_ == nullptr) return {};
  const xmlNode* current = node_;
  std::string current_path = path_;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view step = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    const xmlNode* found = nullptr;
    for (const xmlNode* c = current->children; c != nullptr; c = c->next) {
      if (IsElementNamed(c, step, node_)) {
        found = c;
        break;
      }
    }
    if (found == nullptr) return {};
    current = found;
    current_path += "/";
    current_path += step;
  }
  return Element(current, std::move(current_path));
}

std::vector<Element> Element::Children(std::string_view name) const {
  std::vector<Element> out;
  if (node_ == nullptr) return out;
  std::vector<const xmlNode*> nodes;
  for (const xmlNode* c = node_->children; c != nullptr; c = c->next) {
    if (IsElementNamed(c, name, node_)) nodes.push_back(c);
  }
  // Indexed only among several, as NodePath does for libxml2's errors.
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::string path = path_ + "/" + std::string(name);
    if (nodes.size() > 1) path += "[" + std::to_string(i + 1) + "]";
    out.emplace_back(nodes[i], std::move(path));
  }
  return out;
}

std::string Element::Text() const {
  if (node_ == nullptr) return "";
  xmlChar* content = xmlNodeGetContent(node_);
  if (content == nullptr) return "";
  std::string text(View(content));
  xmlFree(content);
  return text;
}

std::string Element::ChildText(std::string_view path) const { return Child(path).Text(); }

std::optional<std::string> Element::Attribute(const char* name) const {
  if (node_ == nullptr) return std::nullopt;
  xmlChar* value = xmlGetNoNsProp(node_, X(name));
  if (value == nullptr) return std::nullopt;
  std::string out(View(value));
  xmlFree(value);
  return out;
}

// ----- Writer -----

Writer::Writer(MessageType type) {
  EnsureInitialized();
  doc_.reset(xmlNewDoc(X("1.0")));
  PAY_CHECK(doc_ != nullptr);
  xmlNode* root = xmlNewDocNode(doc_.get(), nullptr, X("Document"), nullptr);
  PAY_CHECK(root != nullptr);
  xmlDocSetRootElement(doc_.get(), root);
  std::string ns(Namespace(type));
  xmlNs* default_ns = xmlNewNs(root, X(ns.c_str()), nullptr);
  PAY_CHECK(default_ns != nullptr);
  xmlSetNs(root, default_ns);
  message_ = Add(root, std::string(MessageElementName(type)).c_str());
}

std::string Writer::Serialize() const {
  xmlChar* buffer = nullptr;
  int size = 0;
  xmlDocDumpFormatMemoryEnc(doc_.get(), &buffer, &size, "UTF-8", 1);
  PAY_CHECK(buffer != nullptr);
  std::string out(reinterpret_cast<const char*>(buffer), static_cast<size_t>(size));
  xmlFree(buffer);
  return out;
}

xmlNode* Add(xmlNode* parent, const char* name) {
  xmlNode* node = xmlNewChild(parent, nullptr, X(name), nullptr);  // Inherits parent's ns.
  PAY_CHECK(node != nullptr);
  return node;
}

xmlNode* AddText(xmlNode* parent, const char* name, std::string_view text) {
  std::string value(text);
  xmlNode* node = xmlNewTextChild(parent, nullptr, X(name), X(value.c_str()));  // Escapes.
  PAY_CHECK(node != nullptr);
  return node;
}

void AddOptionalText(xmlNode* parent, const char* name, std::string_view text) {
  if (!text.empty()) AddText(parent, name, text);
}

void SetAttribute(xmlNode* node, const char* name, std::string_view value) {
  std::string v(value);
  PAY_CHECK(xmlSetProp(node, X(name), X(v.c_str())) != nullptr);
}

// ----- Building blocks: writing -----

bool SumAmounts(const std::vector<Money>& amounts, int64_t* sum, int* scale) {
  *scale = 0;
  for (const Money& m : amounts) {
    const CurrencyInfo* info = FindCurrency(m.currency());
    if (info != nullptr && info->minor_digits > *scale) *scale = info->minor_digits;
  }
  *sum = 0;
  for (const Money& m : amounts) {
    const CurrencyInfo* info = FindCurrency(m.currency());
    int64_t scaled = m.minor_units();
    for (int d = info != nullptr ? info->minor_digits : 0; d < *scale; ++d) {
      if (__builtin_mul_overflow(scaled, int64_t{10}, &scaled)) return false;
    }
    if (__builtin_add_overflow(*sum, scaled, sum)) return false;
  }
  return true;
}

std::optional<std::string> ControlSum(const std::vector<Money>& amounts) {
  int64_t sum = 0;
  int scale = 0;
  if (!SumAmounts(amounts, &sum, &scale)) return std::nullopt;
  constexpr int64_t kMaxEighteenDigits = 999'999'999'999'999'999;
  if (sum > kMaxEighteenDigits || sum < -kMaxEighteenDigits) return std::nullopt;
  return FormatDecimal(sum, scale);
}

Status CheckNumberAndSum(const Element& parent, size_t transactions,
                         const std::vector<Money>& amounts) {
  if (Element count = parent.Child("NbOfTxs")) {
    Result<int64_t> n = ParseScaledDecimal(count.Text(), 0);
    if (!n.ok() || *n != static_cast<int64_t>(transactions)) {
      return ErrorAt(count, "NbOfTxs '" + CleanMessage(count.Text()) + "' but there are " +
                                std::to_string(transactions) + " transactions");
    }
  }
  if (Element declared = parent.Child("CtrlSum")) {
    int64_t sum = 0;
    int scale = 0;
    const bool summed = SumAmounts(amounts, &sum, &scale);
    Result<int64_t> value = ParseScaledDecimal(declared.Text(), scale);
    if (!summed || !value.ok() || *value != sum) {
      return ErrorAt(declared, "CtrlSum '" + CleanMessage(declared.Text()) +
                                   "' but the amounts add up to " +
                                   (summed ? FormatDecimal(sum, scale) : "more than int64"));
    }
  }
  return absl::OkStatus();
}

void AddAmount(xmlNode* parent, const char* name, const Money& amount) {
  xmlNode* node = AddText(parent, name, FormatAmount(amount));
  SetAttribute(node, "Ccy", amount.currency());
}

void AddDateOrDateTime(xmlNode* parent, const char* name, int64_t ms) {
  xmlNode* choice = Add(parent, name);
  constexpr int64_t kDayMs = 86'400'000;
  if (ms % kDayMs == 0) {
    AddText(choice, "Dt", FormatIsoDate(ms));
  } else {
    AddText(choice, "DtTm", FormatIsoDateTime(ms));
  }
}

void AddParty(xmlNode* parent, const char* name, std::string_view party_name) {
  xmlNode* party = Add(parent, name);
  AddOptionalText(party, "Nm", party_name);
}

xmlNode* AddIbanAccount(xmlNode* parent, const char* name, std::string_view iban) {
  xmlNode* account = Add(parent, name);
  AddText(Add(account, "Id"), "IBAN", iban);
  return account;
}

void AddAgent(xmlNode* parent, const char* name, std::string_view bic) {
  xmlNode* fin = Add(Add(parent, name), "FinInstnId");
  if (!bic.empty()) {
    AddText(fin, "BICFI", bic);
  } else {
    AddText(Add(fin, "Othr"), "Id", kNotProvided);
  }
}

void AddSplitText(xmlNode* parent, const char* name, std::string_view text, size_t max_chars) {
  while (!text.empty()) {
    size_t bytes = PrefixBytes(text, max_chars);
    AddText(parent, name, text.substr(0, bytes));
    text.remove_prefix(bytes);
  }
}

void AddRemittance(xmlNode* parent, std::string_view remittance) {
  if (remittance.empty()) return;
  AddSplitText(Add(parent, "RmtInf"), "Ustrd", remittance, 140);
}

// ----- Building blocks: reading -----

namespace {

std::string JoinPath(const Element& parent, std::string_view path) {
  return parent.path() + "/" + std::string(path);
}

Status Missing(const Element& parent, std::string_view path) {
  return ErrorAt(JoinPath(parent, path), "missing mandatory element");
}

Result<int64_t> ReadWith(const Element& e, Result<int64_t> (*parse)(std::string_view)) {
  Result<int64_t> value = parse(e.Text());
  if (!value.ok()) return ErrorAt(e, std::string(value.status().message()));
  return value;
}

}  // namespace

Result<std::optional<Money>> ReadOptionalAmount(const Element& parent, std::string_view path) {
  Element amount = parent.Child(path);
  if (!amount) return std::optional<Money>();
  std::optional<std::string> currency = amount.Attribute("Ccy");
  if (!currency.has_value()) return ErrorAt(amount, "amount has no Ccy attribute");
  Result<Money> money = ParseAmount(amount.Text(), *currency);
  if (!money.ok()) return ErrorAt(amount, std::string(money.status().message()));
  if (money->minor_units() < 0) return ErrorAt(amount, "amount is negative");
  return std::optional<Money>(*std::move(money));
}

Result<Money> ReadAmount(const Element& parent, std::string_view path) {
  PAY_ASSIGN_OR_RETURN(std::optional<Money> money, ReadOptionalAmount(parent, path));
  if (!money.has_value()) return Missing(parent, path);
  return *std::move(money);
}

Result<int64_t> ReadDateTime(const Element& parent, std::string_view path, Presence presence) {
  Element e = parent.Child(path);
  if (!e) return presence == Presence::kRequired ? Missing(parent, path) : Result<int64_t>(0);
  return ReadWith(e, ParseIsoDateTime);
}

Result<int64_t> ReadDate(const Element& parent, std::string_view path, Presence presence) {
  Element e = parent.Child(path);
  if (!e) return presence == Presence::kRequired ? Missing(parent, path) : Result<int64_t>(0);
  return ReadWith(e, ParseIsoDate);
}

Result<int64_t> ReadDateOrDateTime(const Element& parent, std::string_view path,
                                   Presence presence) {
  Element choice = parent.Child(path);
  if (!choice) {
    return presence == Presence::kRequired ? Missing(parent, path) : Result<int64_t>(0);
  }
  if (Element dt = choice.Child("Dt")) return ReadWith(dt, ParseIsoDate);
  if (Element dt_tm = choice.Child("DtTm")) return ReadWith(dt_tm, ParseIsoDateTime);
  return ErrorAt(choice, "neither <Dt> nor <DtTm>");
}

Result<std::string> ReadRequiredText(const Element& parent, std::string_view path) {
  Element e = parent.Child(path);
  if (!e) return Missing(parent, path);
  std::string text = e.Text();
  if (text.empty()) return ErrorAt(e, "empty mandatory element");
  return text;
}

std::string ReadBic(const Element& agent) { return agent.ChildText("FinInstnId/BICFI"); }

std::string ReadIban(const Element& account) { return account.ChildText("Id/IBAN"); }

std::string JoinTexts(const Element& parent, std::string_view name) {
  std::string out;
  for (const Element& e : parent.Children(name)) out += e.Text();
  return out;
}

}  // namespace pay::iso20022::xml
