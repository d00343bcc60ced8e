// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Loading the six ISO 20022 XSDs and validating messages against them (see schemas.h).

#include "schemas.h"

#include <libxml/schemasInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>

#include "xml.h"

#ifndef PAY_ISO20022_SCHEMA_DIR
#error "PAY_ISO20022_SCHEMA_DIR must be defined by the build (see CMakeLists.txt)"
#endif

namespace pay::iso20022 {
namespace {

constexpr char kDirHint[] =
    "; pass --iso20022-schema-dir with the directory holding the official ISO 20022 XSDs";

size_t Index(MessageType type) { return static_cast<size_t>(type); }

struct SchemaFree {
  void operator()(xmlSchema* schema) const { xmlSchemaFree(schema); }
};
struct SchemaParserCtxtFree {
  void operator()(xmlSchemaParserCtxt* ctxt) const { xmlSchemaFreeParserCtxt(ctxt); }
};
struct SchemaValidCtxtFree {
  void operator()(xmlSchemaValidCtxt* ctxt) const { xmlSchemaFreeValidCtxt(ctxt); }
};

std::string_view View(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

}  // namespace

std::string_view Namespace(MessageType type) {
  switch (type) {
    case MessageType::kPain001:
      return "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";
    case MessageType::kPain002:
      return "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10";
    case MessageType::kPain008:
      return "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08";
    case MessageType::kPacs002:
      return "urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10";
    case MessageType::kCamt053:
      return "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08";
    case MessageType::kCamt054:
      return "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08";
  }
  return "";
}

std::string_view MessageName(MessageType type) {
  std::string_view ns = Namespace(type);
  return ns.substr(ns.rfind(':') + 1);
}

struct SchemaSet::Impl {
  std::array<std::unique_ptr<xmlSchema, SchemaFree>, kAllMessageTypes.size()> schemas;
};

SchemaSet::SchemaSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SchemaSet::~SchemaSet() = default;

Result<std::unique_ptr<SchemaSet>> SchemaSet::Load(const std::string& dir) {
  xml::EnsureInitialized();
  auto impl = std::make_unique<Impl>();
  for (MessageType type : kAllMessageTypes) {
    const std::string file = dir + "/" + std::string(MessageName(type)) + ".xsd";
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return absl::NotFoundError("cannot read ISO 20022 schema " + file + ": " +
                                 std::strerror(errno) + kDirHint);
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
      return absl::NotFoundError("cannot read ISO 20022 schema " + file + kDirHint);
    }
    std::unique_ptr<xmlSchemaParserCtxt, SchemaParserCtxtFree> pctxt(
        xmlSchemaNewMemParserCtxt(text.data(), static_cast<int>(text.size())));
    PAY_CHECK(pctxt != nullptr);
    xml::ErrorCollector errors;
    xmlSchemaSetParserStructuredErrors(pctxt.get(), xml::ErrorCollector::Handler, &errors);
    std::unique_ptr<xmlSchema, SchemaFree> schema(xmlSchemaParse(pctxt.get()));
    if (schema == nullptr) {
      return absl::FailedPreconditionError(
          "ISO 20022 schema " + file + " is not a valid XML schema: " +
          (errors.empty() ? std::string("libxml2 gave no detail") : errors.Summary()) + kDirHint);
    }
    if (View(schema->targetNamespace) != Namespace(type)) {
      return absl::FailedPreconditionError("ISO 20022 schema " + file + " has targetNamespace '" +
                                           std::string(View(schema->targetNamespace)) +
                                           "', expected '" + std::string(Namespace(type)) + "'" +
                                           kDirHint);
    }
    impl->schemas[Index(type)] = std::move(schema);
  }
  return std::unique_ptr<SchemaSet>(new SchemaSet(std::move(impl)));
}

Status SchemaSet::Validate(MessageType type, std::string_view xml) const {
  const std::string name(MessageName(type));
  Result<xml::DocPtr> doc = xml::ParseUntrusted(xml);
  if (!doc.ok()) {
    return absl::InvalidArgumentError(name +
                                      " message rejected: " + std::string(doc.status().message()));
  }
  // Say plainly when the message is of another type (libxml2 would only report "No matching
  // global declaration available for the validation root").
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  std::string_view ns = root->ns != nullptr ? View(root->ns->href) : std::string_view();
  if (View(root->name) != "Document" || ns != Namespace(type)) {
    return absl::InvalidArgumentError(name + " message rejected: root element <" +
                                      xml::CleanMessage(View(root->name)) + "> in namespace '" +
                                      xml::CleanMessage(ns) + "', expected <Document> in '" +
                                      std::string(Namespace(type)) + "'");
  }
  std::unique_ptr<xmlSchemaValidCtxt, SchemaValidCtxtFree> vctxt(
      xmlSchemaNewValidCtxt(impl_->schemas[Index(type)].get()));
  PAY_CHECK(vctxt != nullptr);
  xml::ErrorCollector errors;
  xmlSchemaSetValidStructuredErrors(vctxt.get(), xml::ErrorCollector::Handler, &errors);
  const int rc = xmlSchemaValidateDoc(vctxt.get(), doc->get());
  if (rc == 0) return absl::OkStatus();
  std::string detail =
      errors.empty() ? (rc < 0 ? "internal libxml2 error " : "libxml2 error ") + std::to_string(rc)
                     : errors.Summary();
  return absl::InvalidArgumentError(name + " message is not valid against " + name +
                                    ".xsd: " + detail);
}

Result<MessageType> SchemaSet::Detect(std::string_view xml) const {
  PAY_ASSIGN_OR_RETURN(xml::DocPtr doc, xml::ParseUntrusted(xml));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  std::string_view ns = root->ns != nullptr ? View(root->ns->href) : std::string_view();
  if (View(root->name) == "Document") {
    for (MessageType type : kAllMessageTypes) {
      if (Namespace(type) == ns) return type;
    }
  }
  std::string supported;
  for (MessageType type : kAllMessageTypes) {
    if (!supported.empty()) supported += ", ";
    supported += MessageName(type);
  }
  return absl::InvalidArgumentError("/" + xml::CleanMessage(View(root->name)) +
                                    ": root element in namespace '" + xml::CleanMessage(ns) +
                                    "' is not an ISO 20022 <Document> of a supported message (" +
                                    supported + ")");
}

std::string DefaultSchemaDir() { return PAY_ISO20022_SCHEMA_DIR; }

}  // namespace pay::iso20022
