// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "ledger_json_writer.h"

#include <array>
#include <charconv>
#include <cstring>

#include "ledger_json.h"
#include "ledger_text.h"

namespace paycli {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

// Bytes a field can take beyond its text: its key, quotes, separators and numbers.
constexpr size_t kFixedBytes = 1024;
constexpr size_t kPostingFixedBytes = 128;
// The worst escaping: a control byte becomes "\u00XX", six bytes for one; {"hex":...} of a text
// that is not UTF-8 takes two per byte plus its frame.
constexpr size_t kBytesPerTextByte = 6;

// "00".."ff": two digits of each byte value, written with one copy.
constexpr std::array<char, 512> kHexPairs = [] {
  std::array<char, 512> pairs{};
  constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 0; i < 256; ++i) {
    pairs[2 * i] = kDigits[i >> 4];
    pairs[2 * i + 1] = kDigits[i & 0xf];
  }
  return pairs;
}();

// What a byte of a valid UTF-8 text becomes inside a JSON string, as nlohmann's serializer
// writes it with ensure_ascii off: the short escapes, \u00XX for the other control characters,
// every other byte (0x7f and the bytes of multi-byte sequences too) as it is.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> needs{};
  for (int i = 0; i < 0x20; ++i) needs[i] = true;
  needs['"'] = true;
  needs['\\'] = true;
  return needs;
}();

char* Put(char* out, std::string_view text) {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

char* PutHexDigits(char* out, std::string_view bytes) {
  for (const char c : bytes) {
    std::memcpy(out, &kHexPairs[2 * static_cast<unsigned char>(c)], 2);
    out += 2;
  }
  return out;
}

// A JSON string of hex digits.
char* PutHex(char* out, std::string_view bytes) {
  *out++ = '"';
  out = PutHexDigits(out, bytes);
  *out++ = '"';
  return out;
}

char* PutEscaped(char* out, std::string_view text) {
  *out++ = '"';
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (!kNeedsEscape[byte]) continue;
    out = Put(out, text.substr(start, i - start));
    start = i + 1;
    *out++ = '\\';
    switch (byte) {
      case '\b':
        *out++ = 'b';
        break;
      case '\t':
        *out++ = 't';
        break;
      case '\n':
        *out++ = 'n';
        break;
      case '\f':
        *out++ = 'f';
        break;
      case '\r':
        *out++ = 'r';
        break;
      case '"':
        *out++ = '"';
        break;
      case '\\':
        *out++ = '\\';
        break;
      default:
        out = Put(out, "u00");
        std::memcpy(out, &kHexPairs[2 * byte], 2);
        out += 2;
    }
  }
  out = Put(out, text.substr(start));
  *out++ = '"';
  return out;
}

// A text field: a JSON string when it is valid UTF-8, else {"hex":"..."} of its bytes (the
// TextToJson rule of ledger_json.cc).
char* PutText(char* out, std::string_view text) {
  if (IsValidUtf8(text)) return PutEscaped(out, text);
  out = Put(out, "{\"hex\":");
  out = PutHex(out, text);
  *out++ = '}';
  return out;
}

template <typename Integer>
char* PutNumber(char* out, Integer value) {
  return std::to_chars(out, out + 24, value).ptr;
}

// {"currency":"SAR","minor_units":-5} without the braces' owner: the caller writes the rest.
char* PutMoneyFields(char* out, const pay::Money& money) {
  out = Put(out, "\"currency\":");
  out = PutEscaped(out, money.currency());
  out = Put(out, ",\"minor_units\":");
  return PutNumber(out, money.minor_units());
}

size_t MaxBytes(const pay::LedgerEntry& entry, size_t checkpoint_bytes) {
  size_t text_bytes = entry.agency_id.size() + entry.subject_id.size() + entry.related_id.size() +
                      entry.principal_id.size() + entry.detail.size() +
                      entry.amount.currency().size();
  size_t bytes = kFixedBytes + checkpoint_bytes +
                 2 * (entry.prev_hash.size() + entry.agency_prev_hash.size() + 32);
  for (const pay::Posting& posting : entry.postings) {
    text_bytes += posting.account.size() + posting.amount.currency().size();
    bytes += kPostingFixedBytes;
  }
  return bytes + kBytesPerTextByte * text_bytes;
}

}  // namespace

char* EntryJsonWriter::PutTime(int64_t time_ms, char* out) {
  int64_t day = time_ms / kMsPerDay;
  if (time_ms % kMsPerDay != 0 && time_ms < 0) --day;  // floor: times before 1970
  if (day != cached_day_) {
    const std::string formatted = FormatTimeMs(time_ms);
    if (formatted.empty()) return Put(out, "\"\"");  // a year FormatTimeMs does not write
    std::memcpy(cached_date_, formatted.data(), sizeof(cached_date_));
    cached_day_ = day;
  }
  const auto ms_of_day = static_cast<uint32_t>(time_ms - day * kMsPerDay);
  const uint32_t parts[] = {ms_of_day / 3'600'000, ms_of_day / 60'000 % 60, ms_of_day / 1000 % 60};
  *out++ = '"';
  out = Put(out, std::string_view(cached_date_, sizeof(cached_date_)));
  for (size_t i = 0; i < 3; ++i) {
    *out++ = static_cast<char>('0' + parts[i] / 10);
    *out++ = static_cast<char>('0' + parts[i] % 10);
    *out++ = i < 2 ? ':' : '.';
  }
  const uint32_t millis = ms_of_day % 1000;
  *out++ = static_cast<char>('0' + millis / 100);
  *out++ = static_cast<char>('0' + millis / 10 % 10);
  *out++ = static_cast<char>('0' + millis % 10);
  *out++ = 'Z';
  *out++ = '"';
  return out;
}

void EntryJsonWriter::Append(const pay::LedgerEntry& entry, std::string_view hash,
                             std::string* out) {
  // Checkpoints are a few in a million entries: their nested arrays go through the JSON library.
  const std::string checkpoint = entry.checkpoint ? CheckpointToJson(*entry.checkpoint) : "";
  const size_t start = out->size();
  out->resize(start + MaxBytes(entry, checkpoint.size()));
  char* p = out->data() + start;
  p = Put(p, "{\"sequence\":");
  p = PutNumber(p, entry.sequence);
  p = Put(p, ",\"time_ms\":");
  p = PutNumber(p, entry.time_ms);
  p = Put(p, ",\"time\":");
  p = PutTime(entry.time_ms, p);
  p = Put(p, ",\"type\":");
  p = PutEscaped(p, pay::EntryTypeName(entry.type));
  p = Put(p, ",\"agency_id\":");
  p = PutText(p, entry.agency_id);
  p = Put(p, ",\"subject_id\":");
  p = PutText(p, entry.subject_id);
  p = Put(p, ",\"related_id\":");
  p = PutText(p, entry.related_id);
  p = Put(p, ",\"principal_id\":");
  p = PutText(p, entry.principal_id);
  p = Put(p, ",\"from_state\":");
  p = PutNumber(p, unsigned{entry.from_state});
  p = Put(p, ",\"to_state\":");
  p = PutNumber(p, unsigned{entry.to_state});
  p = Put(p, ",\"amount\":");
  if (entry.amount.currency().empty()) {
    p = Put(p, "null");
  } else {
    *p++ = '{';
    p = PutMoneyFields(p, entry.amount);
    *p++ = '}';
  }
  p = Put(p, ",\"detail\":");
  p = PutText(p, entry.detail);
  p = Put(p, ",\"postings\":[");
  for (size_t i = 0; i < entry.postings.size(); ++i) {
    if (i > 0) *p++ = ',';
    p = Put(p, "{\"account\":");
    p = PutText(p, entry.postings[i].account);
    *p++ = ',';
    p = PutMoneyFields(p, entry.postings[i].amount);
    *p++ = '}';
  }
  p = Put(p, "],\"prev_hash\":");
  p = PutHex(p, entry.prev_hash);
  p = Put(p, ",\"agency_prev_hash\":");
  p = PutHex(p, entry.agency_prev_hash);
  if (entry.checkpoint) {
    p = Put(p, ",\"checkpoint\":");
    p = Put(p, checkpoint);
  }
  p = Put(p, ",\"hash\":");
  p = PutHex(p, hash);
  *p++ = '}';
  out->resize(static_cast<size_t>(p - out->data()));
}

}  // namespace paycli
