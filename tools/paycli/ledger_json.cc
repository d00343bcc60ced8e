// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "ledger_json.h"

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace paycli {
namespace {

// Written in the order of docs/ledger-format.md; read into a map (the order does not matter).
using OrderedJson = nlohmann::ordered_json;
using Json = nlohmann::json;

OrderedJson TextToJson(const std::string& text) {
  if (IsValidUtf8(text)) return text;
  return OrderedJson{{"hex", HexEncode(text)}};
}

OrderedJson MoneyToJson(const pay::Money& money) {
  return OrderedJson{{"currency", money.currency()}, {"minor_units", money.minor_units()}};
}

OrderedJson CheckpointObject(const pay::Checkpoint& checkpoint) {
  OrderedJson heads = OrderedJson::array();
  for (const pay::AgencyHead& head : checkpoint.agency_heads) {
    heads.push_back({{"agency_id", TextToJson(head.agency_id)},
                     {"head_hash", HexEncode(head.head_hash)},
                     {"entry_count", head.entry_count}});
  }
  OrderedJson balances = OrderedJson::array();
  for (const pay::AccountBalance& balance : checkpoint.balances) {
    balances.push_back({{"account", TextToJson(balance.account)},
                        {"currency", balance.balance.currency()},
                        {"minor_units", balance.balance.minor_units()}});
  }
  OrderedJson object;
  object["covered_sequence"] = checkpoint.covered_sequence;
  object["head_hash"] = HexEncode(checkpoint.head_hash);
  object["agency_heads"] = std::move(heads);
  object["balances"] = std::move(balances);
  object["public_key"] = HexEncode(checkpoint.public_key);
  object["signature"] = HexEncode(checkpoint.signature);
  return object;
}

// Every string put in the document is valid UTF-8 (TextToJson), so strict dumping cannot throw;
// the replacement handler is a second line of defence that never throws either.
std::string Dump(const OrderedJson& json) {
  return json.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

absl::Status FieldError(std::string_view path, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(path), ": ", std::string(problem)));
}

std::string Path(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key)
                        : absl::StrCat(std::string(prefix), ".", std::string(key));
}

absl::Status CheckObject(const Json& json, std::string_view path,
                         std::initializer_list<std::string_view> keys) {
  if (!json.is_object()) return FieldError(path.empty() ? "line" : path, "expected an object");
  // The usual case, cheaply: every key present is a known one.
  size_t known_present = 0;
  for (std::string_view key : keys) known_present += json.count(key);
  if (known_present == json.size()) return absl::OkStatus();
  for (const auto& item : json.items()) {
    bool known = false;
    for (std::string_view key : keys) known = known || item.key() == key;
    if (!known) return FieldError(Path(path, item.key()), "unknown field");
  }
  return absl::OkStatus();
}

absl::StatusOr<const Json*> Member(const Json& object, std::string_view prefix,
                                   std::string_view key) {
  auto found = object.find(std::string(key));
  if (found == object.end()) return FieldError(Path(prefix, key), "missing");
  return &*found;
}

absl::Status GetText(const Json& object, std::string_view prefix, std::string_view key,
                     std::string* out) {
  absl::StatusOr<const Json*> value = Member(object, prefix, key);
  if (!value.ok()) return value.status();
  if ((*value)->is_string()) {
    *out = (*value)->get<std::string>();
    return absl::OkStatus();
  }
  const std::string path = Path(prefix, key);
  if ((*value)->is_object() && (*value)->size() == 1 && (*value)->contains("hex") &&
      (*value)->at("hex").is_string() && HexDecode((*value)->at("hex").get<std::string>(), out)) {
    return absl::OkStatus();
  }
  return FieldError(path, "expected a string (or {\"hex\": \"...\"})");
}

absl::Status GetHex(const Json& object, std::string_view prefix, std::string_view key,
                    std::string* out) {
  absl::StatusOr<const Json*> value = Member(object, prefix, key);
  if (!value.ok()) return value.status();
  if (!(*value)->is_string() || !HexDecode((*value)->get<std::string>(), out)) {
    return FieldError(Path(prefix, key), "expected a string of hex digits");
  }
  return absl::OkStatus();
}

absl::Status GetUint64(const Json& object, std::string_view prefix, std::string_view key,
                       uint64_t* out) {
  absl::StatusOr<const Json*> value = Member(object, prefix, key);
  if (!value.ok()) return value.status();
  if (!(*value)->is_number_unsigned()) {
    return FieldError(Path(prefix, key), "expected a non-negative integer");
  }
  *out = (*value)->get<uint64_t>();
  return absl::OkStatus();
}

absl::Status GetInt64(const Json& object, std::string_view prefix, std::string_view key,
                      int64_t* out) {
  absl::StatusOr<const Json*> value = Member(object, prefix, key);
  if (!value.ok()) return value.status();
  const Json& json = **value;
  if (json.is_number_unsigned() &&
      json.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    *out = static_cast<int64_t>(json.get<uint64_t>());
  } else if (json.is_number_integer() && !json.is_number_unsigned()) {
    *out = json.get<int64_t>();
  } else {
    return FieldError(Path(prefix, key), "expected an integer (64-bit)");
  }
  return absl::OkStatus();
}

absl::Status GetState(const Json& object, std::string_view key, uint8_t* out) {
  uint64_t value = 0;
  absl::Status status = GetUint64(object, "", key, &value);
  if (!status.ok()) return status;
  if (value > 255) return FieldError(key, "expected a state number 0..255");
  *out = static_cast<uint8_t>(value);
  return absl::OkStatus();
}

// {"currency", "minor_units"} (plus `extra` keys the caller reads) -> Money.
absl::Status GetMoney(const Json& object, std::string_view path,
                      std::initializer_list<std::string_view> keys, pay::Money* out) {
  absl::Status status = CheckObject(object, path, keys);
  std::string currency;
  int64_t minor_units = 0;
  if (status.ok()) status = GetText(object, path, "currency", &currency);
  if (status.ok()) status = GetInt64(object, path, "minor_units", &minor_units);
  if (!status.ok()) return status;
  if (currency.empty() && minor_units == 0) {
    *out = pay::Money();  // how an absent amount is encoded
    return absl::OkStatus();
  }
  pay::Result<pay::Money> money = pay::Money::Create(currency, minor_units);
  if (!money.ok()) return FieldError(Path(path, "currency"), std::string(money.status().message()));
  *out = *std::move(money);
  return absl::OkStatus();
}

absl::Status GetPostings(const Json& object, std::vector<pay::Posting>* postings) {
  absl::StatusOr<const Json*> value = Member(object, "", "postings");
  if (!value.ok()) return value.status();
  if (!(*value)->is_array()) return FieldError("postings", "expected an array");
  postings->clear();
  for (size_t i = 0; i < (*value)->size(); ++i) {
    const Json& item = (**value)[i];
    const std::string path = absl::StrCat("postings[", i, "]");
    pay::Posting posting;
    absl::Status status =
        GetMoney(item, path, {"account", "currency", "minor_units"}, &posting.amount);
    if (status.ok()) status = GetText(item, path, "account", &posting.account);
    if (!status.ok()) return status;
    postings->push_back(std::move(posting));
  }
  return absl::OkStatus();
}

absl::Status ReadCheckpoint(const Json& object, pay::Checkpoint* checkpoint) {
  const std::string_view path = "checkpoint";
  absl::Status status = CheckObject(
      object, path,
      {"covered_sequence", "head_hash", "agency_heads", "balances", "public_key", "signature"});
  if (status.ok())
    status = GetUint64(object, path, "covered_sequence", &checkpoint->covered_sequence);
  if (status.ok()) status = GetHex(object, path, "head_hash", &checkpoint->head_hash);
  if (status.ok()) status = GetHex(object, path, "public_key", &checkpoint->public_key);
  if (status.ok()) status = GetHex(object, path, "signature", &checkpoint->signature);
  if (!status.ok()) return status;
  absl::StatusOr<const Json*> heads = Member(object, path, "agency_heads");
  if (!heads.ok()) return heads.status();
  absl::StatusOr<const Json*> balances = Member(object, path, "balances");
  if (!balances.ok()) return balances.status();
  if (!(*heads)->is_array()) return FieldError("checkpoint.agency_heads", "expected an array");
  if (!(*balances)->is_array()) return FieldError("checkpoint.balances", "expected an array");
  checkpoint->agency_heads.clear();
  for (size_t i = 0; i < (*heads)->size(); ++i) {
    const Json& item = (**heads)[i];
    const std::string item_path = absl::StrCat("checkpoint.agency_heads[", i, "]");
    pay::AgencyHead head;
    status = CheckObject(item, item_path, {"agency_id", "head_hash", "entry_count"});
    if (status.ok()) status = GetText(item, item_path, "agency_id", &head.agency_id);
    if (status.ok()) status = GetHex(item, item_path, "head_hash", &head.head_hash);
    if (status.ok()) status = GetUint64(item, item_path, "entry_count", &head.entry_count);
    if (!status.ok()) return status;
    checkpoint->agency_heads.push_back(std::move(head));
  }
  checkpoint->balances.clear();
  for (size_t i = 0; i < (*balances)->size(); ++i) {
    const Json& item = (**balances)[i];
    const std::string item_path = absl::StrCat("checkpoint.balances[", i, "]");
    pay::AccountBalance balance;
    status = GetMoney(item, item_path, {"account", "currency", "minor_units"}, &balance.balance);
    if (status.ok()) status = GetText(item, item_path, "account", &balance.account);
    if (!status.ok()) return status;
    checkpoint->balances.push_back(std::move(balance));
  }
  return absl::OkStatus();
}

// Parses without exceptions escaping: nlohmann reports malformed JSON by throwing.
absl::Status ParseJson(std::string_view text, Json* json) {
  try {
    *json = Json::parse(text.begin(), text.end());
  } catch (const Json::exception& error) {
    return absl::InvalidArgumentError(absl::StrCat("not valid JSON (", error.what(), ")"));
  }
  return absl::OkStatus();
}

absl::Status ReadEntryFields(const Json& object, ExportedEntry* out) {
  pay::LedgerEntry& entry = out->entry;
  std::string type;
  absl::Status status = GetText(object, "", "type", &type);
  if (!status.ok()) return status;
  std::optional<pay::EntryType> entry_type = pay::EntryTypeFromName(type);
  if (!entry_type) return FieldError("type", absl::StrCat("unknown entry type \"", type, "\""));
  entry.type = *entry_type;
  if (status.ok()) status = GetInt64(object, "", "time_ms", &entry.time_ms);
  if (status.ok()) status = GetText(object, "", "agency_id", &entry.agency_id);
  if (status.ok()) status = GetText(object, "", "subject_id", &entry.subject_id);
  if (status.ok()) status = GetText(object, "", "related_id", &entry.related_id);
  if (status.ok()) status = GetText(object, "", "principal_id", &entry.principal_id);
  if (status.ok()) status = GetState(object, "from_state", &entry.from_state);
  if (status.ok()) status = GetState(object, "to_state", &entry.to_state);
  if (status.ok()) status = GetText(object, "", "detail", &entry.detail);
  if (status.ok()) status = GetPostings(object, &entry.postings);
  if (status.ok()) status = GetHex(object, "", "prev_hash", &entry.prev_hash);
  if (status.ok()) status = GetHex(object, "", "agency_prev_hash", &entry.agency_prev_hash);
  if (!status.ok()) return status;
  absl::StatusOr<const Json*> amount = Member(object, "", "amount");
  if (!amount.ok()) return amount.status();
  if (!(*amount)->is_null()) {
    status = GetMoney(**amount, "amount", {"currency", "minor_units"}, &entry.amount);
    if (!status.ok()) return status;
  }
  auto checkpoint = object.find("checkpoint");
  if (checkpoint != object.end() && !checkpoint->is_null()) {
    entry.checkpoint.emplace();
    status = ReadCheckpoint(*checkpoint, &*entry.checkpoint);
    if (!status.ok()) return status;
  }
  if ((entry.type == pay::EntryType::kCheckpoint) != entry.checkpoint.has_value()) {
    return FieldError("checkpoint", "present exactly on CHECKPOINT entries");
  }
  for (std::string_view key : {"hash", "time"}) {
    auto found = object.find(std::string(key));
    if (found == object.end()) continue;
    std::string value;
    status = key == "hash" ? GetHex(object, "", key, &value) : GetText(object, "", key, &value);
    if (!status.ok()) return status;
    if (value.empty()) continue;
    (key == "hash" ? out->hash : out->time) = std::move(value);
  }
  return absl::OkStatus();
}

// The sequence of a line that is not valid JSON, if it still starts as an export line does.
uint64_t SequenceOfBrokenLine(std::string_view line) {
  constexpr std::string_view kStart = "{\"sequence\":";
  if (line.substr(0, kStart.size()) != kStart) return 0;
  const std::string_view rest = line.substr(kStart.size());
  const size_t digits = rest.find_first_not_of("0123456789");
  uint64_t sequence = 0;
  return ParseUint64(rest.substr(0, digits), &sequence) ? sequence : 0;
}

}  // namespace

std::string EntryToJson(const pay::LedgerEntry& entry) {
  OrderedJson postings = OrderedJson::array();
  for (const pay::Posting& posting : entry.postings) {
    postings.push_back({{"account", TextToJson(posting.account)},
                        {"currency", posting.amount.currency()},
                        {"minor_units", posting.amount.minor_units()}});
  }
  OrderedJson object;
  object["sequence"] = entry.sequence;
  object["time_ms"] = entry.time_ms;
  object["time"] = FormatTimeMs(entry.time_ms);
  object["type"] = std::string(pay::EntryTypeName(entry.type));
  object["agency_id"] = TextToJson(entry.agency_id);
  object["subject_id"] = TextToJson(entry.subject_id);
  object["related_id"] = TextToJson(entry.related_id);
  object["principal_id"] = TextToJson(entry.principal_id);
  object["from_state"] = entry.from_state;
  object["to_state"] = entry.to_state;
  object["amount"] =
      entry.amount.currency().empty() ? OrderedJson(nullptr) : MoneyToJson(entry.amount);
  object["detail"] = TextToJson(entry.detail);
  object["postings"] = std::move(postings);
  object["prev_hash"] = HexEncode(entry.prev_hash);
  object["agency_prev_hash"] = HexEncode(entry.agency_prev_hash);
  if (entry.checkpoint) object["checkpoint"] = CheckpointObject(*entry.checkpoint);
  object["hash"] = HexEncode(pay::EntryHash(entry));
  return Dump(object);
}

absl::Status EntryFromJson(std::string_view line, ExportedEntry* out) {
  *out = ExportedEntry();
  Json object;
  absl::Status status = ParseJson(line, &object);
  if (!status.ok()) {
    out->entry.sequence = SequenceOfBrokenLine(line);
    return status;
  }
  // The sequence first, so that every later error can name the entry.
  if (object.is_object() && object.contains("sequence")) {
    status = GetUint64(object, "", "sequence", &out->entry.sequence);
    if (!status.ok()) return status;
  }
  status = CheckObject(object, "",
                       {"sequence", "time_ms", "time", "type", "agency_id", "subject_id",
                        "related_id", "principal_id", "from_state", "to_state", "amount", "detail",
                        "postings", "prev_hash", "agency_prev_hash", "checkpoint", "hash"});
  if (status.ok() && !object.contains("sequence")) status = FieldError("sequence", "missing");
  if (status.ok()) status = ReadEntryFields(object, out);
  return status;
}

std::string CheckpointToJson(const pay::Checkpoint& checkpoint) {
  return Dump(CheckpointObject(checkpoint));
}

absl::Status CheckpointFromJson(std::string_view text, pay::Checkpoint* checkpoint) {
  Json object;
  absl::Status status = ParseJson(text, &object);
  if (!status.ok()) return FieldError("checkpoint", std::string(status.message()));
  return ReadCheckpoint(object, checkpoint);
}

}  // namespace paycli
