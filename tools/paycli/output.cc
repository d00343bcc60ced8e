// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "output.h"

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <iostream>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "pay/money.h"
#include "pay/status.h"

namespace paycli {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr std::string_view kMoneyType = "pay.v1.Money";
constexpr std::string_view kTimestampType = "google.protobuf.Timestamp";

// Money and Timestamp are shown as one value ("150.00 SAR", "2026-03-01T10:00:00Z"), not as
// their parts.
bool IsAtomicMessage(const Descriptor& descriptor) {
  return descriptor.full_name() == kMoneyType || descriptor.full_name() == kTimestampType;
}

std::string FormatMoney(const Message& money) {
  const Descriptor& descriptor = *money.GetDescriptor();
  const Reflection& reflection = *money.GetReflection();
  std::string currency = reflection.GetString(money, descriptor.FindFieldByName("currency"));
  int64_t minor_units = reflection.GetInt64(money, descriptor.FindFieldByName("minor_units"));
  pay::Result<pay::Money> parsed = pay::Money::Create(currency, minor_units);
  // An unknown currency from the server is still shown, unambiguously, rather than hidden.
  if (!parsed.ok()) return absl::StrCat(minor_units, " minor units of '", currency, "'");
  return parsed->ToString();
}

std::string FormatTimestamp(const Message& timestamp_message) {
  const Descriptor& descriptor = *timestamp_message.GetDescriptor();
  const Reflection& reflection = *timestamp_message.GetReflection();
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(
      reflection.GetInt64(timestamp_message, descriptor.FindFieldByName("seconds")));
  timestamp.set_nanos(reflection.GetInt32(timestamp_message, descriptor.FindFieldByName("nanos")));
  return google::protobuf::util::TimeUtil::ToString(timestamp);
}

std::string FormatAtomicMessage(const Message& message) {
  if (message.GetDescriptor()->full_name() == kMoneyType) return FormatMoney(message);
  return FormatTimestamp(message);
}

std::string ToJson(const Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.add_whitespace = pretty;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  // Only messages with unresolvable Any fields fail to print, and pay.v1 has none.
  PAY_CHECK(status.ok());
  if (pretty && !json.empty() && json.back() == '\n') json.pop_back();
  return json;
}

// The compact JSON of one field of `message` (an array for a repeated field): the message with
// every other field cleared, printed by protobuf, with the surrounding {"name": ...} removed.
std::string FieldToJson(const Message& message, const FieldDescriptor& field) {
  std::unique_ptr<Message> copy(message.New());
  copy->CopyFrom(message);
  const Reflection& reflection = *copy->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(*copy, &fields);
  for (const FieldDescriptor* other : fields) {
    if (other != &field) reflection.ClearField(copy.get(), other);
  }
  std::string json = ToJson(*copy, /*pretty=*/false);
  std::string prefix = absl::StrCat("{\"", field.name(), "\":");
  if (json.size() > prefix.size() && json.compare(0, prefix.size(), prefix) == 0) {
    return json.substr(prefix.size(), json.size() - prefix.size() - 1);
  }
  return field.is_repeated() ? "[]" : "{}";  // The field is empty: protobuf printed "{}".
}

std::string FormatRepeatedScalar(const Message& message, const FieldDescriptor& field) {
  const Reflection& reflection = *message.GetReflection();
  std::vector<std::string> values;
  int size = reflection.FieldSize(message, &field);
  for (int i = 0; i < size; ++i) {
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        values.push_back(reflection.GetRepeatedString(message, &field, i));
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        values.push_back(reflection.GetRepeatedEnum(message, &field, i)->name());
        break;
      default:
        return FieldToJson(message, field);  // pay.v1 has no other repeated scalars yet.
    }
  }
  return absl::StrJoin(values, ", ");
}

// Appends the "name: value" lines of every set field of `message`, names prefixed by `prefix`.
void AppendTextLines(const Message& message, const std::string& prefix, std::string* out) {
  const Reflection& reflection = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    std::string name = absl::StrCat(prefix, field->name());
    bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (field->is_repeated() && is_message) {
      int size = reflection.FieldSize(message, field);
      for (int i = 0; i < size; ++i) {
        const Message& item = reflection.GetRepeatedMessage(message, field, i);
        std::string item_name = absl::StrCat(name, "[", i, "]");
        if (IsAtomicMessage(*item.GetDescriptor())) {
          absl::StrAppend(out, item_name, ": ", FormatAtomicMessage(item), "\n");
        } else {
          AppendTextLines(item, item_name + ".", out);
        }
      }
    } else if (field->is_repeated()) {
      absl::StrAppend(out, name, ": ", FormatRepeatedScalar(message, *field), "\n");
    } else if (is_message && !IsAtomicMessage(*field->message_type())) {
      AppendTextLines(reflection.GetMessage(message, field), name + ".", out);
    } else {
      absl::StrAppend(out, name, ": ", FormatSingularField(message, *field), "\n");
    }
  }
}

// The text of `path` ("name.en") inside `message`; "" when a part of the path is unset.
std::string ValueAtPath(const Message& message, absl::string_view path) {
  const Message* current = &message;
  std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* field = current->GetDescriptor()->FindFieldByName(std::string(parts[i]));
    PAY_CHECK(field != nullptr && !field->is_repeated());  // Layouts are written by us.
    const Reflection& reflection = *current->GetReflection();
    if (i + 1 == parts.size()) return FormatSingularField(*current, *field);
    PAY_CHECK(field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE);
    if (!reflection.HasField(*current, field)) return "";
    current = &reflection.GetMessage(*current, field);
  }
  return "";
}

std::string CompactLine(const Message& item, const std::vector<Column>& columns) {
  std::vector<std::string> cells;
  for (const Column& column : columns) {
    std::string value;
    for (absl::string_view alternative : absl::StrSplit(column.path, '|')) {
      value = ValueAtPath(item, alternative);
      if (!value.empty()) break;
    }
    if (!value.empty() && column.format) value = column.format(value);
    cells.push_back(value.empty() ? "-" : value);
  }
  return absl::StrJoin(cells, "  ");
}

}  // namespace

absl::Status CheckFieldName(const Descriptor& descriptor, const OutputOptions& options) {
  if (options.field.empty() || descriptor.FindFieldByName(options.field) != nullptr) {
    return absl::OkStatus();
  }
  std::vector<std::string> names;
  for (int i = 0; i < descriptor.field_count(); ++i) names.push_back(descriptor.field(i)->name());
  return absl::InvalidArgumentError(
      absl::StrCat("--field: this command's response (", descriptor.name(), ") has no field '",
                   options.field, "'; expected one of: ", absl::StrJoin(names, ", ")));
}

std::string FormatSingularField(const Message& message, const FieldDescriptor& field) {
  const Reflection& reflection = *message.GetReflection();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return reflection.GetString(message, &field);
    case FieldDescriptor::CPPTYPE_BOOL:
      return reflection.GetBool(message, &field) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return reflection.GetEnum(message, &field)->name();
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(reflection.GetInt32(message, &field));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(reflection.GetInt64(message, &field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(reflection.GetUInt32(message, &field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(reflection.GetUInt64(message, &field));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(reflection.GetFloat(message, &field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(reflection.GetDouble(message, &field));
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (!reflection.HasField(message, &field)) return "";
      const Message& value = reflection.GetMessage(message, &field);
      if (IsAtomicMessage(*value.GetDescriptor())) return FormatAtomicMessage(value);
      return ToJson(value, /*pretty=*/false);
    }
  }
  return "";
}

void PrintMessage(const Message& message, const OutputOptions& options) {
  if (!options.field.empty()) {
    const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(options.field);
    PAY_CHECK(field != nullptr);  // Checked by CheckFieldName before the call.
    if (field->is_repeated()) {
      std::cout << FieldToJson(message, *field) << "\n";
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
               !IsAtomicMessage(*field->message_type())) {
      // An unset message prints as {} so that scripts always get valid JSON.
      std::cout << ToJson(message.GetReflection()->GetMessage(message, field), false) << "\n";
    } else {
      std::cout << FormatSingularField(message, *field) << "\n";
    }
    return;
  }
  if (options.format == OutputFormat::kJson) {
    std::cout << ToJson(message, /*pretty=*/true) << "\n";
    return;
  }
  std::string text;
  AppendTextLines(message, "", &text);
  std::cout << text;
}

void PrintList(const Message& response, const ListLayout& layout, const OutputOptions& options) {
  if (!options.field.empty() || options.format == OutputFormat::kJson) {
    PrintMessage(response, options);
    return;
  }
  const Descriptor& descriptor = *response.GetDescriptor();
  const Reflection& reflection = *response.GetReflection();
  const FieldDescriptor* items = descriptor.FindFieldByName(layout.items_field);
  const FieldDescriptor* next_page = descriptor.FindFieldByName("next_page_token");
  PAY_CHECK(items != nullptr && items->is_repeated() && next_page != nullptr);
  int size = reflection.FieldSize(response, items);
  for (int i = 0; i < size; ++i) {
    std::cout << CompactLine(reflection.GetRepeatedMessage(response, items, i), layout.columns)
              << "\n";
  }
  std::string token = reflection.GetString(response, next_page);
  if (size == 0 && token.empty()) std::cerr << layout.empty_text << "\n";
  if (!token.empty()) std::cout << "next page: " << token << "\n";
}

}  // namespace paycli
