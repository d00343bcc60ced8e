// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// What every ISO 20022 message shares: decimal amounts, ISO dates and date-times, the status
// code mapping and the Max35Text check (see messages.h). The messages themselves are in
// messages_pain.cc, messages_status.cc and messages_camt.cc.

#include "messages.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "xml.h"

namespace pay::iso20022 {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr size_t kMaxQuotedChars = 40;

// `text` in single quotes for an error message, cut short: it may be untrusted.
std::string Quote(std::string_view text) {
  std::string out = "'";
  if (text.size() > kMaxQuotedChars) {
    out.append(text.substr(0, kMaxQuotedChars));
    out += "...";
  } else {
    out.append(text);
  }
  return out + "'";
}

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view TrimXmlSpace(std::string_view text) {
  while (!text.empty() && IsXmlSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsXmlSpace(text.back())) text.remove_suffix(1);
  return text;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Reads fixed-width fields left to right.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool Digits(int count, int* out) {
    if (text_.size() - pos_ < static_cast<size_t>(count)) return false;
    int value = 0;
    for (int i = 0; i < count; ++i) {
      char c = text_[pos_ + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    pos_ += count;
    *out = value;
    return true;
  }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool AtEnd() const { return pos_ == text_.size(); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// "YYYY-MM-DD" -> days since 1970-01-01.
bool ReadDate(Cursor& c, int64_t* days) {
  int y = 0, m = 0, d = 0;
  if (!c.Digits(4, &y) || !c.Consume('-') || !c.Digits(2, &m) || !c.Consume('-') ||
      !c.Digits(2, &d)) {
    return false;
  }
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return false;
  *days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return true;
}

// An optional xs timezone: "", "Z", "+hh:mm", "-hh:mm" -> seconds east of UTC.
bool ReadZone(Cursor& c, int64_t* offset_seconds) {
  *offset_seconds = 0;
  if (c.AtEnd() || c.Consume('Z')) return true;
  int sign = 0;
  if (c.Consume('+')) {
    sign = 1;
  } else if (c.Consume('-')) {
    sign = -1;
  } else {
    return false;
  }
  int hh = 0, mm = 0;
  if (!c.Digits(2, &hh) || !c.Consume(':') || !c.Digits(2, &mm)) return false;
  if (mm > 59 || hh * 60 + mm > 14 * 60) return false;
  *offset_seconds = sign * (hh * 3600 + mm * 60);
  return true;
}

std::string FormatDays(int64_t days) {
  std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(days))};
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

// Decodes one UTF-8 code point at text[*i]; false on an invalid sequence.
bool NextCodePoint(std::string_view text, size_t* i, uint32_t* cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(*i);
  int extra = 0;
  uint32_t min = 0;
  if (lead < 0x80) {
    *cp = lead;
    ++*i;
    return true;
  } else if ((lead & 0xE0) == 0xC0) {
    extra = 1, min = 0x80, *cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2, min = 0x800, *cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3, min = 0x10000, *cp = lead & 0x07;
  } else {
    return false;
  }
  if (text.size() - *i <= static_cast<size_t>(extra)) return false;
  for (int k = 1; k <= extra; ++k) {
    unsigned char b = byte(*i + k);
    if ((b & 0xC0) != 0x80) return false;
    *cp = (*cp << 6) | (b & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return false;
  *i += extra + 1;
  return true;
}

}  // namespace

// ----- Amounts -----

std::string xml::FormatDecimal(int64_t units, int fraction_digits) {
  const size_t digits = fraction_digits > 0 ? static_cast<size_t>(fraction_digits) : 0;
  const uint64_t magnitude =
      units < 0 ? 0 - static_cast<uint64_t>(units) : static_cast<uint64_t>(units);
  std::string text = std::to_string(magnitude);
  if (digits > 0) {
    if (text.size() <= digits) text.insert(0, digits + 1 - text.size(), '0');
    text.insert(text.size() - digits, ".");
  }
  return units < 0 ? "-" + text : text;
}

std::string FormatAmount(const Money& amount) {
  const CurrencyInfo* info = FindCurrency(amount.currency());
  return xml::FormatDecimal(amount.minor_units(), info != nullptr ? info->minor_digits : 0);
}

Result<int64_t> xml::ParseScaledDecimal(std::string_view decimal, int scale) {
  const size_t digits = scale > 0 ? static_cast<size_t>(scale) : 0;
  std::string_view text = TrimXmlSpace(decimal);
  const auto bad = [&text] {
    return absl::InvalidArgumentError(Quote(text) + " is not a decimal number");
  };
  bool negative = false;
  std::string_view rest = text;
  if (!rest.empty() && (rest.front() == '+' || rest.front() == '-')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  const size_t point = rest.find('.');
  std::string_view whole = rest.substr(0, point);
  std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : rest.substr(point + 1);
  if (whole.empty() && fraction.empty()) return bad();
  for (std::string_view part : {whole, fraction}) {
    for (char c : part) {
      if (c < '0' || c > '9') return bad();
    }
  }
  while (fraction.size() > digits && fraction.back() == '0') fraction.remove_suffix(1);
  if (fraction.size() > digits) {
    return absl::InvalidArgumentError(Quote(text) + " has " + std::to_string(fraction.size()) +
                                      " fraction digits, at most " + std::to_string(digits) +
                                      " allowed");
  }
  int64_t value = 0;
  const auto push = [&value](char c) {
    return !__builtin_mul_overflow(value, int64_t{10}, &value) &&
           !__builtin_add_overflow(value, int64_t{c - '0'}, &value);
  };
  bool ok = true;
  for (char c : whole) ok = ok && push(c);
  for (char c : fraction) ok = ok && push(c);
  for (size_t i = fraction.size(); i < digits; ++i) ok = ok && push('0');
  if (!ok) return absl::InvalidArgumentError(Quote(text) + " does not fit in int64");
  return negative ? -value : value;
}

Result<Money> ParseAmount(std::string_view decimal, std::string_view currency) {
  const CurrencyInfo* info = FindCurrency(currency);
  if (info == nullptr) {
    return absl::InvalidArgumentError("unknown currency " + Quote(currency) +
                                      " (not an ISO 4217 code known to libpay)");
  }
  Result<int64_t> units = xml::ParseScaledDecimal(decimal, info->minor_digits);
  if (!units.ok()) {
    return absl::InvalidArgumentError("amount " + std::string(units.status().message()) + " (" +
                                      std::string(info->code) + " has " +
                                      std::to_string(info->minor_digits) + " minor digits)");
  }
  return Money::Create(info->code, *units);
}

// ----- Dates -----

std::string FormatIsoDate(int64_t unix_ms) { return FormatDays(FloorDiv(unix_ms, kDayMs)); }

std::string FormatIsoDateTime(int64_t unix_ms) {
  const int64_t days = FloorDiv(unix_ms, kDayMs);
  const int64_t in_day = unix_ms - days * kDayMs;
  const int64_t ms = in_day % 1000;
  const int64_t seconds = in_day / 1000;
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "T%02d:%02d:%02d", static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  std::string out = FormatDays(days) + buffer;
  if (ms != 0) {
    std::snprintf(buffer, sizeof(buffer), ".%03d", static_cast<int>(ms));
    out += buffer;
  }
  return out + "Z";
}

Result<int64_t> ParseIsoDateTime(std::string_view text) {
  text = TrimXmlSpace(text);
  const auto bad = [&text] {
    return absl::InvalidArgumentError(Quote(text) +
                                      " is not an ISO date-time "
                                      "(YYYY-MM-DDThh:mm:ss[.sss][Z|+hh:mm])");
  };
  Cursor c(text);
  int64_t days = 0;
  int h = 0, m = 0, s = 0;
  if (!ReadDate(c, &days) || !c.Consume('T') || !c.Digits(2, &h) || !c.Consume(':') ||
      !c.Digits(2, &m) || !c.Consume(':') || !c.Digits(2, &s)) {
    return bad();
  }
  int64_t fraction_ms = 0;
  bool fraction_nonzero = false;
  if (c.Consume('.')) {
    int digit = 0;
    int count = 0;
    while (c.Digits(1, &digit)) {
      if (count < 3) fraction_ms = fraction_ms * 10 + digit;
      if (digit != 0) fraction_nonzero = true;
      ++count;
    }
    if (count == 0) return bad();
    for (; count < 3; ++count) fraction_ms *= 10;
  }
  int64_t offset = 0;
  if (!ReadZone(c, &offset) || !c.AtEnd()) return bad();
  const bool end_of_day = h == 24 && m == 0 && s == 0 && !fraction_nonzero;
  if ((h > 23 && !end_of_day) || m > 59 || s > 59) return bad();
  return ((days * 86'400 + h * 3'600 + m * 60 + s) - offset) * 1000 + fraction_ms;
}

Result<int64_t> ParseIsoDate(std::string_view text) {
  text = TrimXmlSpace(text);
  Cursor c(text);
  int64_t days = 0;
  int64_t offset = 0;
  if (!ReadDate(c, &days) || !ReadZone(c, &offset) || !c.AtEnd()) {
    return absl::InvalidArgumentError(Quote(text) + " is not an ISO date (YYYY-MM-DD)");
  }
  return days * kDayMs;
}

// ----- Status codes -----

TxStatus TxStatusFromCode(std::string_view code) {
  if (code == "ACSC" || code == "ACCC") return TxStatus::kSettled;
  if (code == "RJCT" || code == "CANC") return TxStatus::kRejected;
  if (code == "ACCP" || code == "ACTC" || code == "ACSP" || code == "ACWC" || code == "ACWP" ||
      code == "ACFC" || code == "ACIS" || code == "PATC" || code == "PART") {
    return TxStatus::kAccepted;
  }
  return TxStatus::kPending;  // PDNG, RCVD, BLCK and unknown codes.
}

std::string_view TxStatusCode(TxStatus status) {
  switch (status) {
    case TxStatus::kAccepted:
      return "ACSP";
    case TxStatus::kSettled:
      return "ACSC";
    case TxStatus::kRejected:
      return "RJCT";
    case TxStatus::kPending:
      return "PDNG";
  }
  return "PDNG";
}

// ----- Identifiers -----

Status CheckMax35Text(std::string_view field, std::string_view value) {
  const std::string where(field);
  if (value.empty()) {
    return absl::InvalidArgumentError(where +
                                      ": must not be empty (Max35Text: 1 to 35 "
                                      "characters)");
  }
  size_t chars = 0;
  for (size_t i = 0; i < value.size();) {
    uint32_t cp = 0;
    if (!NextCodePoint(value, &i, &cp)) {
      return absl::InvalidArgumentError(where + ": not valid UTF-8");
    }
    if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF) {
      char code[16];
      std::snprintf(code, sizeof(code), "U+%04X", static_cast<unsigned>(cp));
      return absl::InvalidArgumentError(where + ": contains " + code +
                                        ", a character XML cannot carry");
    }
    ++chars;
  }
  if (chars > 35) {
    return absl::InvalidArgumentError(where + ": " + std::to_string(chars) +
                                      " characters, Max35Text allows at most 35");
  }
  return absl::OkStatus();
}

}  // namespace pay::iso20022
