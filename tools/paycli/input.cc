// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "input.h"

#include <google/protobuf/util/time_util.h>

#include <random>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "pay/bill_number.h"
#include "pay/money.h"

namespace paycli {
namespace {

using google::protobuf::util::TimeUtil;

absl::Status FlagError(const std::string& flag, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", problem));
}

// "BANK_TRANSFER" -> "bank-transfer".
std::string FriendlyName(const std::string& enum_name) {
  return absl::StrReplaceAll(absl::AsciiStrToLower(enum_name), {{"_", "-"}});
}

bool IsUnspecified(const google::protobuf::EnumValueDescriptor& value) {
  return value.number() == 0;
}

}  // namespace

absl::StatusOr<pay::v1::Money> ParseAmount(const std::string& text, const std::string& flag) {
  pay::Result<pay::Money> money = pay::Money::Parse(text);
  if (!money.ok()) {
    return FlagError(
        flag, absl::StrCat(money.status().message(), " (write amounts like \"150.00 SAR\")"));
  }
  if (money->minor_units() <= 0) {
    return FlagError(flag, absl::StrCat("must be positive, got ", money->ToString()));
  }
  if (money->minor_units() > pay::kMaxAmountMinor) {
    return FlagError(flag, absl::StrCat("at most ", pay::kMaxAmountMinor, " minor units, got ",
                                        money->minor_units()));
  }
  pay::v1::Money proto;
  proto.set_currency(money->currency());
  proto.set_minor_units(money->minor_units());
  return proto;
}

absl::StatusOr<google::protobuf::Timestamp> ParseTime(const std::string& text,
                                                      const std::string& flag) {
  google::protobuf::Timestamp timestamp;
  if (!TimeUtil::FromString(text, &timestamp)) {
    return FlagError(flag, absl::StrCat("'", absl::CHexEscape(text),
                                        "' is not an RFC 3339 time; expected e.g. "
                                        "2026-03-31T23:59:59Z or 2026-03-31T23:59:59+03:00"));
  }
  return timestamp;
}

absl::StatusOr<int64_t> ParseDurationSeconds(const std::string& text, const std::string& flag) {
  const std::string expected =
      "expected a duration such as 30m, 72h, 7d or 1h30m (units s, m, h, d)";
  int64_t total = 0;
  size_t i = 0;
  if (text.empty()) return FlagError(flag, absl::StrCat("empty; ", expected));
  while (i < text.size()) {
    int64_t number = 0;
    size_t digits = 0;
    for (; i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i])); ++i) {
      // Ten digits already exceed any accepted duration; stop before int64 could overflow.
      if (++digits > 10) return FlagError(flag, absl::StrCat("too long; ", expected));
      number = number * 10 + (text[i] - '0');
    }
    if (digits == 0 || i == text.size()) {
      return FlagError(flag,
                       absl::StrCat("'", absl::CHexEscape(text), "' is malformed; ", expected));
    }
    int64_t unit_seconds = 0;
    switch (text[i]) {
      case 's':
        unit_seconds = 1;
        break;
      case 'm':
        unit_seconds = 60;
        break;
      case 'h':
        unit_seconds = 3600;
        break;
      case 'd':
        unit_seconds = 86400;
        break;
      default:
        return FlagError(flag, absl::StrCat("unknown unit '", absl::CHexEscape(text.substr(i, 1)),
                                            "'; ", expected));
    }
    ++i;
    total += number * unit_seconds;
    if (total > kMaxDurationSeconds) {
      return FlagError(flag, absl::StrCat("at most ", kMaxDurationSeconds / 86400, "d"));
    }
  }
  if (total <= 0) return FlagError(flag, "must be positive");
  return total;
}

google::protobuf::Timestamp TimeFromNow(int64_t seconds) {
  google::protobuf::Timestamp timestamp = TimeUtil::GetCurrentTime();
  timestamp.set_seconds(timestamp.seconds() + seconds);
  return timestamp;
}

std::string EnumChoices(const google::protobuf::EnumDescriptor& type,
                        const std::string& separator) {
  std::vector<std::string> names;
  for (int i = 0; i < type.value_count(); ++i) {
    if (!IsUnspecified(*type.value(i))) names.push_back(FriendlyName(type.value(i)->name()));
  }
  return absl::StrJoin(names, separator);
}

absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor& type, const std::string& text,
                              const std::string& flag) {
  std::string name = absl::StrReplaceAll(absl::AsciiStrToUpper(text), {{"-", "_"}});
  const google::protobuf::EnumValueDescriptor* value = type.FindValueByName(name);
  if (value == nullptr || IsUnspecified(*value)) {
    return FlagError(flag, absl::StrCat("unknown value '", absl::CHexEscape(text),
                                        "'; expected one of: ", EnumChoices(type, ", ")));
  }
  return value->number();
}

absl::StatusOr<std::string> ParseBill(const std::string& text, const std::string& flag) {
  pay::Result<std::string> digits = pay::ParseBillNumber(text, flag);
  if (!digits.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        digits.status().message(), " (expected the 16 digits printed on the bill, e.g. ",
        "\"4821 0937 5561 2208\")"));
  }
  return *digits;
}

std::string DisplayBill(const std::string& digits) {
  if (digits.size() != pay::kBillNumberDigits) return digits;
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return digits;
  }
  return pay::FormatBillNumber(digits);
}

std::string NewIdempotencyKey() {
  constexpr char kHex[] = "0123456789abcdef";
  std::random_device device;  // /dev/urandom (or getrandom) with libstdc++ on Linux.
  std::string key;
  for (int i = 0; i < 16; ++i) {
    unsigned byte = device() & 0xff;
    key += kHex[byte >> 4];
    key += kHex[byte & 0xf];
  }
  return key;
}

}  // namespace paycli
