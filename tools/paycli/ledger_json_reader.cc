// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "ledger_json_reader.h"

#include <array>
#include <charconv>
#include <cstdint>

namespace paycli {
namespace {

// Bytes that end the fast path inside a string: the quote that closes it, a backslash (an
// escape: left to the full reader) and control characters (invalid JSON).
constexpr std::array<bool, 256> kStopsString = [] {
  std::array<bool, 256> stops{};
  for (int i = 0; i < 0x20; ++i) stops[i] = true;
  stops['"'] = true;
  stops['\\'] = true;
  return stops;
}();

// Walks a line in the exporter's form; every method returns false where the line departs from it.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool done() const { return text_.empty(); }

  bool Literal(std::string_view expected) {
    if (text_.substr(0, expected.size()) != expected) return false;
    text_.remove_prefix(expected.size());
    return true;
  }

  // A JSON string without escapes: its content, which must be valid UTF-8 (as JSON requires).
  bool String(std::string_view* value) {
    if (!Literal("\"")) return false;
    bool ascii = true;
    size_t i = 0;
    for (; i < text_.size(); ++i) {
      const auto byte = static_cast<unsigned char>(text_[i]);
      if (kStopsString[byte]) break;
      ascii = ascii && byte < 0x80;
    }
    if (i == text_.size() || text_[i] != '"') return false;
    *value = text_.substr(0, i);
    text_.remove_prefix(i + 1);
    return ascii || IsValidUtf8(*value);
  }

  bool Text(std::string* value) {
    std::string_view text;
    if (!String(&text)) return false;
    value->assign(text);
    return true;
  }

  bool Hex(std::string* bytes) {
    std::string_view text;
    return String(&text) && HexDecode(text, bytes);
  }

  // A non-negative JSON integer as JSON writes it (no sign, no leading zero).
  bool Unsigned(uint64_t* value) {
    const size_t digits = Digits(0);
    if (digits == 0 || (digits > 1 && text_[0] == '0')) return false;
    return Convert(digits, value);
  }

  // An integer with an optional '-' (not "-0"), that fits int64.
  bool Signed(int64_t* value) {
    const size_t sign = !text_.empty() && text_[0] == '-' ? 1 : 0;
    const size_t digits = Digits(sign);
    if (digits == 0 || (text_[sign] == '0' && (digits > 1 || sign == 1))) return false;
    return Convert(sign + digits, value);
  }

 private:
  size_t Digits(size_t from) const {
    size_t end = from;
    while (end < text_.size() && text_[end] >= '0' && text_[end] <= '9') ++end;
    return end - from;
  }

  template <typename Integer>
  bool Convert(size_t length, Integer* value) {
    const auto [end, error] = std::from_chars(text_.data(), text_.data() + length, *value);
    if (error != std::errc() || end != text_.data() + length) return false;  // out of range
    text_.remove_prefix(length);
    return true;
  }

  std::string_view text_;
};

bool State(Cursor& cursor, uint8_t* state) {
  uint64_t value = 0;
  if (!cursor.Unsigned(&value) || value > 255) return false;
  *state = static_cast<uint8_t>(value);
  return true;
}

// "currency":"SAR","minor_units":N -> Money, with the full reader's rule: "" and 0 is the absent
// amount, anything else must be a known currency.
bool MoneyFields(Cursor& cursor, pay::Money* money) {
  std::string_view currency;
  int64_t minor_units = 0;
  if (!cursor.Literal("\"currency\":") || !cursor.String(&currency) ||
      !cursor.Literal(",\"minor_units\":") || !cursor.Signed(&minor_units)) {
    return false;
  }
  if (currency.empty() && minor_units == 0) {
    *money = pay::Money();
    return true;
  }
  pay::Result<pay::Money> created = pay::Money::Create(currency, minor_units);
  if (!created.ok()) return false;
  *money = *std::move(created);
  return true;
}

bool Postings(Cursor& cursor, std::vector<pay::Posting>* postings) {
  if (!cursor.Literal(",\"postings\":[")) return false;
  size_t count = 0;
  if (!cursor.Literal("]")) {
    do {
      if (count == postings->size()) postings->emplace_back();
      pay::Posting& posting = (*postings)[count++];
      if (!cursor.Literal("{\"account\":") || !cursor.Text(&posting.account) ||
          !cursor.Literal(",") || !MoneyFields(cursor, &posting.amount) || !cursor.Literal("}")) {
        return false;
      }
    } while (cursor.Literal(","));
    if (!cursor.Literal("]")) return false;
  }
  postings->resize(count);
  return true;
}

}  // namespace

bool FastEntryFromJson(std::string_view line, ExportedEntry* out) {
  pay::LedgerEntry& entry = out->entry;
  Cursor cursor(line);
  std::string_view time;
  std::string_view type;
  if (!cursor.Literal("{\"sequence\":") || !cursor.Unsigned(&entry.sequence) ||
      !cursor.Literal(",\"time_ms\":") || !cursor.Signed(&entry.time_ms) ||
      !cursor.Literal(",\"time\":") || !cursor.String(&time) || !cursor.Literal(",\"type\":") ||
      !cursor.String(&type)) {
    return false;
  }
  const std::optional<pay::EntryType> entry_type = pay::EntryTypeFromName(type);
  // A checkpoint's nested arrays are left to the full reader.
  if (!entry_type || *entry_type == pay::EntryType::kCheckpoint) return false;
  entry.type = *entry_type;
  entry.checkpoint.reset();
  if (!cursor.Literal(",\"agency_id\":") || !cursor.Text(&entry.agency_id) ||
      !cursor.Literal(",\"subject_id\":") || !cursor.Text(&entry.subject_id) ||
      !cursor.Literal(",\"related_id\":") || !cursor.Text(&entry.related_id) ||
      !cursor.Literal(",\"principal_id\":") || !cursor.Text(&entry.principal_id) ||
      !cursor.Literal(",\"from_state\":") || !State(cursor, &entry.from_state) ||
      !cursor.Literal(",\"to_state\":") || !State(cursor, &entry.to_state) ||
      !cursor.Literal(",\"amount\":")) {
    return false;
  }
  if (cursor.Literal("null")) {
    entry.amount = pay::Money();
  } else if (!cursor.Literal("{") || !MoneyFields(cursor, &entry.amount) || !cursor.Literal("}")) {
    return false;
  }
  std::string_view hash;
  if (!cursor.Literal(",\"detail\":") || !cursor.Text(&entry.detail) ||
      !Postings(cursor, &entry.postings) || !cursor.Literal(",\"prev_hash\":") ||
      !cursor.Hex(&entry.prev_hash) || !cursor.Literal(",\"agency_prev_hash\":") ||
      !cursor.Hex(&entry.agency_prev_hash) || !cursor.Literal(",\"hash\":") ||
      !cursor.String(&hash) || !cursor.Literal("}") || !cursor.done()) {
    return false;
  }
  // As the full reader: an empty "hash" or "time" is as if left out.
  // (The optionals keep their strings' storage from line to line.)
  if (time.empty()) {
    out->time.reset();
  } else {
    if (!out->time) out->time.emplace();
    out->time->assign(time);
  }
  if (hash.empty()) {
    out->hash.reset();
    return true;
  }
  if (!out->hash) out->hash.emplace();
  return HexDecode(hash, &*out->hash);
}

}  // namespace paycli
