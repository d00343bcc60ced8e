// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The six ISO 20022 message schemas the bank connector and the bank simulator exchange, loaded
// once from the official XSD files, and validation of untrusted messages against them.
//
// Every message from a bank is untrusted input: validate it with SchemaSet::Validate (or
// Detect + Validate) before handing it to a Parse* function of messages.h. Parsing is hardened
// (no network, no DTD, no entity expansion, at most kMaxMessageBytes).

#ifndef PAY_CONNECTORS_ISO20022_SCHEMAS_H_
#define PAY_CONNECTORS_ISO20022_SCHEMAS_H_

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "pay/status.h"

namespace pay::iso20022 {

enum class MessageType { kPain001, kPain002, kPain008, kPacs002, kCamt053, kCamt054 };

inline constexpr std::array<MessageType, 6> kAllMessageTypes = {
    MessageType::kPain001, MessageType::kPain002, MessageType::kPain008,
    MessageType::kPacs002, MessageType::kCamt053, MessageType::kCamt054};

// Largest message accepted by Validate, Detect and every Parse* function.
inline constexpr size_t kMaxMessageBytes = size_t{8} << 20;  // 8 MiB

// "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09".
std::string_view Namespace(MessageType type);
// "pain.001.001.09": the message name identification (also the XSD file name without ".xsd",
// and what a status report carries in OrgnlMsgNmId).
std::string_view MessageName(MessageType type);

// The six parsed XSDs. Immutable after Load; share one instance between threads.
class SchemaSet {
 public:
  // Parses <dir>/pain.001.001.09.xsd ... <dir>/camt.054.001.08.xsd. A missing file ->
  // kNotFound, a file that is not the expected schema -> kFailedPrecondition; both name the file
  // and tell the operator to pass --iso20022-schema-dir.
  static Result<std::unique_ptr<SchemaSet>> Load(const std::string& dir);

  ~SchemaSet();
  SchemaSet(const SchemaSet&) = delete;
  SchemaSet& operator=(const SchemaSet&) = delete;

  // Validates `xml` against the schema of `type`. Thread-safe (a new validation context per
  // call). Not well-formed, a DOCTYPE, too large, or not schema-valid -> kInvalidArgument whose
  // message carries the first libxml2 errors as "line N: /Document/...: what is wrong".
  Status Validate(MessageType type, std::string_view xml) const;

  // The message type from the namespace of the root <Document>. Not well-formed, or a namespace
  // that is none of the six -> kInvalidArgument. Does not validate.
  Result<MessageType> Detect(std::string_view xml) const;

 private:
  struct Impl;
  explicit SchemaSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The schema directory configured at build time (CMake cache variable PAY_ISO20022_SCHEMA_DIR).
std::string DefaultSchemaDir();

}  // namespace pay::iso20022

#endif  // PAY_CONNECTORS_ISO20022_SCHEMAS_H_
