// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "ledger_csv.h"

#include <array>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "ledger_json.h"

namespace paycli {
namespace {

enum Column : size_t {
  kSequence,
  kTimeMs,
  kTime,
  kType,
  kAgencyId,
  kSubjectId,
  kRelatedId,
  kPrincipalId,
  kFromState,
  kToState,
  kAmountCurrency,
  kAmountMinorUnits,
  kDetail,
  kPostings,
  kPrevHash,
  kAgencyPrevHash,
  kCheckpoint,
  kHash,
  kColumnCount,
};

// In the order of Column.
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "sequence",
    "time_ms",
    "time",
    "type",
    "agency_id",
    "subject_id",
    "related_id",
    "principal_id",
    "from_state",
    "to_state",
    "amount_currency",
    "amount_minor_units",
    "detail",
    "postings",
    "prev_hash",
    "agency_prev_hash",
    "checkpoint",
    "hash",
};

void AppendField(std::string_view value, std::string* out) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// An account name inside the postings column: its separators escaped.
std::string EscapeAccount(std::string_view account) {
  std::string out;
  for (char c : account) {
    if (c == '%') {
      out += "%25";
    } else if (c == ';') {
      out += "%3B";
    } else if (c == ' ') {
      out += "%20";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool UnescapeAccount(std::string_view text, std::string* account) {
  account->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      account->push_back(text[i]);
      continue;
    }
    std::string byte;
    if (i + 2 >= text.size() || !HexDecode(text.substr(i + 1, 2), &byte)) return false;
    account->append(byte);
    i += 2;
  }
  return true;
}

std::string PostingsToText(const std::vector<pay::Posting>& postings) {
  std::string out;
  for (const pay::Posting& posting : postings) {
    if (!out.empty()) out.push_back(';');
    absl::StrAppend(&out, EscapeAccount(posting.account), " ", posting.amount.currency(), " ",
                    posting.amount.minor_units());
  }
  return out;
}

absl::Status ColumnError(Column column, std::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("column ", std::string(kColumnNames[column]), ": ", std::string(problem)));
}

absl::Status MoneyFrom(std::string_view currency, std::string_view minor_text, Column column,
                       pay::Money* money) {
  int64_t minor_units = 0;
  if (!(currency.empty() && minor_text.empty()) && !ParseInt64(minor_text, &minor_units)) {
    return ColumnError(column, "expected an integer number of minor units");
  }
  if (currency.empty() && minor_units == 0) {
    *money = pay::Money();
    return absl::OkStatus();
  }
  pay::Result<pay::Money> parsed = pay::Money::Create(currency, minor_units);
  if (!parsed.ok()) return ColumnError(column, std::string(parsed.status().message()));
  *money = *std::move(parsed);
  return absl::OkStatus();
}

absl::Status PostingsFrom(std::string_view text, std::vector<pay::Posting>* postings) {
  postings->clear();
  if (text.empty()) return absl::OkStatus();
  size_t start = 0;
  while (true) {
    size_t end = text.find(';', start);
    std::string_view item = text.substr(start, end == std::string_view::npos ? end : end - start);
    const size_t first_space = item.find(' ');
    const size_t second_space =
        first_space == std::string_view::npos ? first_space : item.find(' ', first_space + 1);
    if (second_space == std::string_view::npos) {
      return ColumnError(kPostings, "expected \"account currency minor_units\" items joined by ;");
    }
    pay::Posting posting;
    if (!UnescapeAccount(item.substr(0, first_space), &posting.account)) {
      return ColumnError(kPostings, "malformed %XX escape in an account name");
    }
    absl::Status status = MoneyFrom(item.substr(first_space + 1, second_space - first_space - 1),
                                    item.substr(second_space + 1), kPostings, &posting.amount);
    if (!status.ok()) return status;
    postings->push_back(std::move(posting));
    if (end == std::string_view::npos) return absl::OkStatus();
    start = end + 1;
  }
}

absl::Status StateFrom(std::string_view text, Column column, uint8_t* state) {
  uint64_t value = 0;
  if (!ParseUint64(text, &value) || value > 255) {
    return ColumnError(column, "expected a state number 0..255");
  }
  *state = static_cast<uint8_t>(value);
  return absl::OkStatus();
}

absl::Status HexFrom(std::string_view text, Column column, std::string* bytes) {
  if (!HexDecode(text, bytes)) return ColumnError(column, "expected hex digits");
  return absl::OkStatus();
}

absl::Status ReadColumns(const std::vector<std::string>& fields, ExportedEntry* out) {
  pay::LedgerEntry& entry = out->entry;
  if (!ParseInt64(fields[kTimeMs], &entry.time_ms)) {
    return ColumnError(kTimeMs, "expected an integer");
  }
  std::optional<pay::EntryType> type = pay::EntryTypeFromName(fields[kType]);
  if (!type) return ColumnError(kType, absl::StrCat("unknown entry type \"", fields[kType], "\""));
  entry.type = *type;
  entry.agency_id = fields[kAgencyId];
  entry.subject_id = fields[kSubjectId];
  entry.related_id = fields[kRelatedId];
  entry.principal_id = fields[kPrincipalId];
  entry.detail = fields[kDetail];
  absl::Status status = StateFrom(fields[kFromState], kFromState, &entry.from_state);
  if (status.ok()) status = StateFrom(fields[kToState], kToState, &entry.to_state);
  if (status.ok()) {
    status = MoneyFrom(fields[kAmountCurrency], fields[kAmountMinorUnits], kAmountMinorUnits,
                       &entry.amount);
  }
  if (status.ok()) status = PostingsFrom(fields[kPostings], &entry.postings);
  if (status.ok()) status = HexFrom(fields[kPrevHash], kPrevHash, &entry.prev_hash);
  if (status.ok())
    status = HexFrom(fields[kAgencyPrevHash], kAgencyPrevHash, &entry.agency_prev_hash);
  if (!status.ok()) return status;
  if (!fields[kCheckpoint].empty()) {
    entry.checkpoint.emplace();
    status = CheckpointFromJson(fields[kCheckpoint], &*entry.checkpoint);
    if (!status.ok()) return ColumnError(kCheckpoint, std::string(status.message()));
  }
  if ((entry.type == pay::EntryType::kCheckpoint) != entry.checkpoint.has_value()) {
    return ColumnError(kCheckpoint, "present exactly on CHECKPOINT entries");
  }
  if (!fields[kHash].empty()) {
    std::string hash;
    status = HexFrom(fields[kHash], kHash, &hash);
    if (!status.ok()) return status;
    out->hash = std::move(hash);
  }
  if (!fields[kTime].empty()) out->time = fields[kTime];
  return absl::OkStatus();
}

}  // namespace

std::string CsvField(std::string_view value) {
  std::string out;
  AppendField(value, &out);
  return out;
}

std::string CsvHeader() {
  std::string out;
  for (size_t i = 0; i < kColumnCount; ++i) {
    if (i > 0) out.push_back(',');
    out.append(kColumnNames[i]);
  }
  out += "\r\n";
  return out;
}

std::string EntryToCsv(const pay::LedgerEntry& entry) {
  std::string out;
  out.reserve(512);
  absl::StrAppend(&out, entry.sequence, ",", entry.time_ms, ",", FormatTimeMs(entry.time_ms), ",",
                  std::string(pay::EntryTypeName(entry.type)), ",");
  for (const std::string* text :
       {&entry.agency_id, &entry.subject_id, &entry.related_id, &entry.principal_id}) {
    AppendField(*text, &out);
    out.push_back(',');
  }
  absl::StrAppend(&out, entry.from_state, ",", entry.to_state, ",");
  if (!entry.amount.currency().empty()) {
    absl::StrAppend(&out, entry.amount.currency(), ",", entry.amount.minor_units());
  } else {
    out.push_back(',');
  }
  out.push_back(',');
  AppendField(entry.detail, &out);
  out.push_back(',');
  AppendField(PostingsToText(entry.postings), &out);
  absl::StrAppend(&out, ",", HexEncode(entry.prev_hash), ",", HexEncode(entry.agency_prev_hash),
                  ",");
  if (entry.checkpoint) AppendField(CheckpointToJson(*entry.checkpoint), &out);
  absl::StrAppend(&out, ",", HexEncode(pay::EntryHash(entry)), "\r\n");
  return out;
}

absl::Status CheckCsvHeader(const std::vector<std::string>& fields) {
  bool same = fields.size() == kColumnCount;
  for (size_t i = 0; same && i < kColumnCount; ++i) same = fields[i] == kColumnNames[i];
  if (!same) {
    std::string expected = CsvHeader();
    expected.resize(expected.size() - 2);
    return absl::InvalidArgumentError(
        absl::StrCat("not a ledger CSV export: the header row should be ", expected));
  }
  return absl::OkStatus();
}

absl::Status EntryFromCsv(const std::vector<std::string>& fields, ExportedEntry* out) {
  *out = ExportedEntry();
  if (!fields.empty()) ParseUint64(fields[kSequence], &out->entry.sequence);
  if (fields.size() != kColumnCount) {
    return absl::InvalidArgumentError(absl::StrCat("expected ", static_cast<size_t>(kColumnCount),
                                                   " columns, found ", fields.size()));
  }
  if (!ParseUint64(fields[kSequence], &out->entry.sequence)) {
    out->entry.sequence = 0;
    return ColumnError(kSequence, "expected a non-negative integer");
  }
  return ReadColumns(fields, out);
}

bool CsvReader::Next(std::vector<std::string>* fields, absl::Status* status) {
  *status = absl::OkStatus();
  if (input_->Peek() < 0) {
    if (input_->error()) *status = absl::InvalidArgumentError("cannot read the input");
    return false;
  }
  record_line_ = line_;
  size_t used = 0;
  size_t bytes = 0;
  const auto fail = [&](std::string_view problem) {
    *status = absl::InvalidArgumentError(std::string(problem));
    return false;
  };
  while (true) {
    if (used == fields->size()) fields->emplace_back();
    std::string& field = (*fields)[used++];
    field.clear();
    int c = input_->Get();
    if (c == '"') {
      while (true) {
        c = input_->Get();
        if (c < 0) return fail("a quoted field is not closed before the end of the input");
        if (c == '"') {
          if (input_->Peek() != '"') break;
          input_->Get();
        }
        if (c == '\n') ++line_;
        field.push_back(static_cast<char>(c));
        if (++bytes > kMaxRecordBytes) return fail("the record is too long");
      }
      c = input_->Get();
      if (c != ',' && c != '\r' && c != '\n' && c >= 0) {
        return fail("a quoted field is followed by something other than , or the line end");
      }
    } else {
      while (c >= 0 && c != ',' && c != '\r' && c != '\n') {
        if (c == '"') return fail("a quote inside an unquoted field (quote the field)");
        field.push_back(static_cast<char>(c));
        if (++bytes > kMaxRecordBytes) return fail("the record is too long");
        c = input_->Get();
      }
    }
    if (c == ',') continue;
    if (c == '\r' && input_->Get() != '\n') return fail("a CR not followed by LF");
    if (c == '\r' || c == '\n') ++line_;
    if (c < 0 && input_->error()) return fail("cannot read the input");
    fields->resize(used);
    return true;
  }
}

}  // namespace paycli
