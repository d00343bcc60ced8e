// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// How paycli prints responses, for any pay.v1 message, through protobuf reflection:
// - text: one "name: value" line per set field; nested messages flattened with dots
//   ("description.en: ..."), Money as "150.00 SAR", timestamps as RFC 3339 UTC, enums by name;
// - json: the proto3 JSON mapping with the proto field names;
// - --field NAME: only that top-level field, for scripts (see PrintMessage).

#ifndef PAY_TOOLS_PAYCLI_OUTPUT_H_
#define PAY_TOOLS_PAYCLI_OUTPUT_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace paycli {

enum class OutputFormat { kText, kJson };

struct OutputOptions {
  OutputFormat format = OutputFormat::kText;
  // When not empty: print only this top-level field of the response (proto field name).
  std::string field;
};

// OK when options.field is empty or names a top-level field of `descriptor`; otherwise
// kInvalidArgument listing the fields that exist.
absl::Status CheckFieldName(const google::protobuf::Descriptor& descriptor,
                            const OutputOptions& options);

// Prints `message` on stdout in the format of `options`. With options.field, prints that field
// alone on one line: scalars plainly, Money as "150.00 SAR", timestamps in RFC 3339, enums by
// name, other messages and repeated fields as compact JSON. The field must have passed
// CheckFieldName (PAY_CHECKed).
void PrintMessage(const google::protobuf::Message& message, const OutputOptions& options);

// One column of a list's compact text line.
struct Column {
  // A field path inside the item ("amount", "name.en"). Alternatives separated by '|' are tried in
  // order and the first non-empty one is shown ("description.en|description.ar").
  std::string path;
  // Optional rewrite of the value's text (e.g. grouping a bill number); not called for "".
  std::function<std::string(const std::string&)> format = nullptr;
};

// How a List* response is shown as text: one line per element of `items_field`, the columns
// separated by two spaces ("-" for an empty value), then "next page: TOKEN" when
// next_page_token is set. `empty_text` ("no fees") goes to stderr when the page is empty.
struct ListLayout {
  std::string items_field;
  std::vector<Column> columns;
  std::string empty_text;
};

// Prints a List* response: text as described by `layout`; json and --field as PrintMessage.
void PrintList(const google::protobuf::Message& response, const ListLayout& layout,
               const OutputOptions& options);

// The text of one singular field of `message`: Money as "150.00 SAR", timestamps in RFC 3339 UTC,
// enums by name, other messages as compact JSON, "" for an unset message field.
std::string FormatSingularField(const google::protobuf::Message& message,
                                const google::protobuf::FieldDescriptor& field);

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_OUTPUT_H_
