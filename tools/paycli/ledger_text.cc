// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "ledger_text.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace paycli {
namespace {

// Unix ms of 0000-01-01T00:00:00Z and of 10000-01-01T00:00:00Z: the years FormatTimeMs writes.
constexpr int64_t kFirstFormattableMs = -62'167'219'200'000;
constexpr int64_t kEndFormattableMs = 253'402'300'800'000;
constexpr int64_t kMsPerDay = 86'400'000;

// The value of each hex digit, -1 for every other byte.
constexpr std::array<int8_t, 256> kHexValues = [] {
  std::array<int8_t, 256> values{};
  values.fill(-1);
  for (int i = 0; i < 10; ++i) values['0' + i] = static_cast<int8_t>(i);
  for (int i = 0; i < 6; ++i) {
    values['a' + i] = static_cast<int8_t>(10 + i);
    values['A' + i] = static_cast<int8_t>(10 + i);
  }
  return values;
}();

int HexValue(char c) { return kHexValues[static_cast<unsigned char>(c)]; }

// Floor division, so that times before 1970 fall on the right day.
int64_t FloorDivide(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

std::string ShortHex(std::string_view bytes) { return HexEncode(bytes).substr(0, 16); }

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    hex[2 * i] = kDigits[byte >> 4];
    hex[2 * i + 1] = kDigits[byte & 0xf];
  }
  return hex;
}

bool HexDecode(std::string_view hex, std::string* bytes) {
  if (hex.size() % 2 != 0) return false;
  bytes->assign(hex.size() / 2, '\0');
  for (size_t i = 0; i < bytes->size(); ++i) {
    const int high = HexValue(hex[2 * i]);
    const int low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    (*bytes)[i] = static_cast<char>(high << 4 | low);
  }
  return true;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    uint32_t code_point = 0;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
      code_point = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      code_point = lead & 0x0f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return false;  // a continuation byte, or a lead byte of an overlong or too large form
    }
    if (text.size() - i < length) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto continuation = static_cast<unsigned char>(text[i + k]);
      if ((continuation & 0xc0) != 0x80) return false;
      code_point = code_point << 6 | (continuation & 0x3f);
    }
    if ((length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000) ||
        code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return false;
    }
    i += length;
  }
  return true;
}

std::string FormatTimeMs(int64_t time_ms) {
  if (time_ms < kFirstFormattableMs || time_ms >= kEndFormattableMs) return "";
  const int64_t days = FloorDivide(time_ms, kMsPerDay);
  const int64_t ms_of_day = time_ms - days * kMsPerDay;
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  char text[64];  // room for any int, so that the compiler can prove nothing is cut
  std::snprintf(text, sizeof(text), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(ms_of_day / 3'600'000),
                static_cast<int>(ms_of_day / 60'000 % 60), static_cast<int>(ms_of_day / 1000 % 60),
                static_cast<int>(ms_of_day % 1000));
  return text;
}

bool ParseInt64(std::string_view text, int64_t* value) {
  if (text.empty() || text.front() == '+') return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

bool ParseUint64(std::string_view text, uint64_t* value) {
  if (text.empty() || text.front() == '+' || text.front() == '-') return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

absl::StatusOr<int64_t> ParseDateUtc(std::string_view text, std::string_view flag) {
  const auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat(std::string(flag), ": '", std::string(text),
                                                   "' is not a date; expected YYYY-MM-DD"));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return invalid();
  int64_t year = 0;
  int64_t month = 0;
  int64_t day = 0;
  if (!ParseInt64(text.substr(0, 4), &year) || !ParseInt64(text.substr(5, 2), &month) ||
      !ParseInt64(text.substr(8, 2), &day) || year < 0 || month < 1 || day < 1) {
    return invalid();
  }
  const std::chrono::year_month_day date{std::chrono::year{static_cast<int>(year)},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return invalid();
  return int64_t{std::chrono::sys_days{date}.time_since_epoch().count()} * kMsPerDay;
}

std::string FormatDateUtc(int64_t time_ms) { return FormatTimeMs(time_ms).substr(0, 10); }

absl::Status CheckRecordedFields(const ExportedEntry& exported) {
  return CheckRecordedFields(exported, pay::EntryHash(exported.entry));
}

absl::Status CheckRecordedFields(const ExportedEntry& exported, std::string_view actual) {
  const pay::LedgerEntry& entry = exported.entry;
  if (exported.hash) {
    if (*exported.hash != actual) {
      return absl::DataLossError(absl::StrCat("entry ", entry.sequence, ": its recorded hash ",
                                              ShortHex(*exported.hash),
                                              " is not the hash of its content (", ShortHex(actual),
                                              "): entry ", entry.sequence, " was altered"));
    }
  }
  if (exported.time && *exported.time != FormatTimeMs(entry.time_ms)) {
    return absl::DataLossError(absl::StrCat("entry ", entry.sequence, ": its time \"",
                                            *exported.time, "\" is not its time_ms ", entry.time_ms,
                                            " (", FormatTimeMs(entry.time_ms), "): entry ",
                                            entry.sequence, " was altered"));
  }
  return absl::OkStatus();
}

}  // namespace paycli
