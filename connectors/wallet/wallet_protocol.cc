// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Implementation of the wallet protocol's signing, helpers and JSON messages (see
// wallet_protocol.h and PROTOCOL.md).

#include "wallet_protocol.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace pay::wallet {
namespace {

using Json = nlohmann::json;

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

std::optional<int64_t> ParseInt64(std::string_view text) {
  int64_t value = 0;
  if (text.empty()) return std::nullopt;
  const char* begin = text.data();
  if (*begin == '+') return std::nullopt;
  auto [end, error] = std::from_chars(begin, begin + text.size(), value);
  if (error != std::errc() || end != begin + text.size()) return std::nullopt;
  return value;
}

std::string Dump(const Json& json) {
  // Invalid UTF-8 in a string (from a caller) is replaced rather than thrown on.
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Json> ParseObject(std::string_view text, std::string_view what) {
  Json json = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return absl::InvalidArgumentError(std::string(what) +
                                      ": the body is not valid JSON (UTF-8); send a JSON object");
  }
  if (!json.is_object()) {
    return absl::InvalidArgumentError(std::string(what) + ": expected a JSON object");
  }
  return json;
}

absl::Status FieldError(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(std::string(field) + ": " + std::string(problem));
}

// A string member; `required` ones must be present and non-empty.
Result<std::string> GetString(const Json& object, const char* field, bool required) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) {
    if (required) return FieldError(field, "required (a non-empty string)");
    return std::string();
  }
  if (!it->is_string()) return FieldError(field, "must be a string");
  std::string value = it->get<std::string>();
  if (required && value.empty()) return FieldError(field, "must not be empty");
  return value;
}

Result<int64_t> GetInt(const Json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end()) return FieldError(field, "required (an integer)");
  if (!it->is_number_integer()) {
    return FieldError(field, "must be an integer (no fraction, no exponent, not a string)");
  }
  if (it->is_number_unsigned() &&
      it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return FieldError(field, "does not fit a signed 64-bit integer");
  }
  return it->get<int64_t>();
}

Json AmountJson(const Money& amount) {
  return Json{{"currency", amount.currency()}, {"minor_units", amount.minor_units()}};
}

// An amount object {"currency":"SAR","minor_units":15000}. `positive`: must be > 0.
Result<Money> GetAmount(const Json& object, const char* field, bool positive) {
  auto it = object.find(field);
  if (it == object.end() || !it->is_object()) {
    return FieldError(field, "required: {\"currency\":\"SAR\",\"minor_units\":15000}");
  }
  const std::string name(field);
  auto currency = GetString(*it, "currency", true);
  if (!currency.ok()) return FieldError(name + ".currency", "required ISO 4217 code");
  auto minor = GetInt(*it, "minor_units");
  if (!minor.ok()) {
    return FieldError(name + ".minor_units", "required integer amount in minor units");
  }
  auto money = Money::Create(*currency, *minor);
  if (!money.ok()) {
    return FieldError(name + ".currency", "\"" + *currency + "\" is not an ISO 4217 currency code");
  }
  if (positive && (*minor <= 0 || *minor > kMaxAmountMinor)) {
    return FieldError(name + ".minor_units",
                      "must be positive and at most " + std::to_string(kMaxAmountMinor));
  }
  if (!positive && (*minor > kMaxAmountMinor || *minor < -kMaxAmountMinor)) {
    return FieldError(name + ".minor_units", "out of range");
  }
  return *money;
}

Result<PaymentStatus> GetStatus(const Json& object, bool allow_pending) {
  PAY_ASSIGN_OR_RETURN(std::string name, GetString(object, "status", true));
  std::optional<PaymentStatus> status = PaymentStatusFromName(name);
  if (!status || (!allow_pending && *status == PaymentStatus::kPending)) {
    return FieldError("status", "\"" + name + "\" is not one of " +
                                    (allow_pending ? "PENDING, " : "") + "SUCCEEDED, FAILED");
  }
  return *status;
}

Json ReportJson(const PaymentStatusReport& message) {
  return Json{{"request_id", message.request_id},
              {"wallet_reference", message.wallet_reference},
              {"status", std::string(PaymentStatusName(message.status))},
              {"reason", message.reason},
              {"amount", AmountJson(message.amount)}};
}

Result<PaymentStatusReport> ReportFromJson(const Json& json) {
  PaymentStatusReport message;
  PAY_ASSIGN_OR_RETURN(message.request_id, GetString(json, "request_id", true));
  PAY_ASSIGN_OR_RETURN(message.wallet_reference, GetString(json, "wallet_reference", false));
  PAY_ASSIGN_OR_RETURN(message.status, GetStatus(json, /*allow_pending=*/true));
  PAY_ASSIGN_OR_RETURN(message.reason, GetString(json, "reason", false));
  PAY_ASSIGN_OR_RETURN(message.amount, GetAmount(json, "amount", /*positive=*/true));
  if (message.status != PaymentStatus::kFailed && !message.reason.empty()) {
    return FieldError("reason", "only a FAILED status has a reason");
  }
  if (message.status == PaymentStatus::kFailed && message.reason.empty()) {
    return FieldError("reason", "required for a FAILED status");
  }
  return message;
}

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kUpperHexDigits[] = "0123456789ABCDEF";

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Signatures

std::string SigningInput(std::string_view timestamp, std::string_view method,
                         std::string_view target, std::string_view body) {
  std::string input;
  input.reserve(timestamp.size() + method.size() + target.size() + body.size() + 3);
  input.append(timestamp).append(".").append(method).append(" ").append(target).append(".");
  input.append(body);
  return input;
}

std::string ComputeSignature(std::string_view secret, std::string_view timestamp,
                             std::string_view method, std::string_view target,
                             std::string_view body) {
  const std::string input = SigningInput(timestamp, method, target, body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  const unsigned char* ok =
      HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_length);
  PAY_CHECK(ok != nullptr);  // HMAC-SHA256 cannot fail short of a broken OpenSSL
  std::string signature = "v1=";
  for (unsigned int i = 0; i < mac_length; ++i) {
    signature.push_back(kHexDigits[mac[i] >> 4]);
    signature.push_back(kHexDigits[mac[i] & 0xf]);
  }
  return signature;
}

void SignHeaders(std::string_view secret, int64_t unix_seconds, std::string_view method,
                 std::string_view target, std::string_view body, connector::HttpHeaders* headers) {
  const std::string timestamp = std::to_string(unix_seconds);
  std::string signature = ComputeSignature(secret, timestamp, method, target, body);
  headers->emplace_back(std::string(kTimestampHeader), timestamp);
  headers->emplace_back(std::string(kSignatureHeader), std::move(signature));
}

Result<std::string> VerifySignature(std::string_view secret, const connector::HttpHeaders& headers,
                                    std::string_view method, std::string_view target,
                                    std::string_view body, int64_t now_seconds,
                                    int64_t window_seconds) {
  const std::string_view timestamp = HeaderValue(headers, kTimestampHeader);
  const std::string_view signature = HeaderValue(headers, kSignatureHeader);
  if (timestamp.empty() || signature.empty()) {
    return absl::UnauthenticatedError(
        "missing X-Pay-Timestamp or X-Pay-Signature header; sign every message as PROTOCOL.md "
        "describes");
  }
  const std::optional<int64_t> when = ParseInt64(timestamp);
  if (!when) {
    return absl::UnauthenticatedError("X-Pay-Timestamp is not an integer number of Unix seconds");
  }
  if (*when < now_seconds - window_seconds || *when > now_seconds + window_seconds) {
    return absl::UnauthenticatedError(
        "X-Pay-Timestamp " + std::string(timestamp) + " is more than " +
        std::to_string(window_seconds) + " s away from the receiver's clock (" +
        std::to_string(now_seconds) + "); check the sender's clock (NTP) or this is a replay");
  }
  const std::string expected = ComputeSignature(secret, timestamp, method, target, body);
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return absl::UnauthenticatedError(
        "X-Pay-Signature does not match the message: a wrong shared secret, or the method, "
        "target or body were changed after signing");
  }
  return std::string(signature);
}

bool ReplayCache::Remember(const std::string& signature, int64_t timestamp, int64_t now_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = expiry_.begin(); it != expiry_.end();) {
    it = it->second < now_seconds ? expiry_.erase(it) : std::next(it);
  }
  return expiry_.emplace(signature, timestamp + window_seconds_).second;
}

std::string_view HeaderValue(const connector::HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Small helpers

bool IsE164(std::string_view msisdn) {
  if (msisdn.size() < 9 || msisdn.size() > 16 || msisdn[0] != '+' || msisdn[1] == '0') {
    return false;
  }
  for (size_t i = 1; i < msisdn.size(); ++i) {
    if (msisdn[i] < '0' || msisdn[i] > '9') return false;
  }
  return true;
}

std::string PercentEncode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (IsUnreserved(c)) {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kUpperHexDigits[byte >> 4]);
      out.push_back(kUpperHexDigits[byte & 0xf]);
    }
  }
  return out;
}

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return absl::InvalidArgumentError("a '%' escape is cut short; encode '%' as %25");
    }
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError("a '%' is not followed by two hex digits");
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

Result<SplitUrl> SplitHttpUrl(std::string_view what, std::string_view url) {
  std::string_view rest = url;
  std::string_view scheme;
  if (rest.substr(0, 8) == "https://") {
    scheme = "https://";
  } else if (rest.substr(0, 7) == "http://") {
    scheme = "http://";
  } else {
    return absl::InvalidArgumentError(std::string(what) + ": \"" + std::string(url) +
                                      "\" must start with https:// or http://");
  }
  rest.remove_prefix(scheme.size());
  const size_t slash = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, slash);
  if (authority.empty()) {
    return absl::InvalidArgumentError(std::string(what) + ": \"" + std::string(url) +
                                      "\" has no host");
  }
  SplitUrl split;
  split.base = std::string(scheme) + std::string(authority);
  std::string_view target = slash == std::string_view::npos ? "" : rest.substr(slash);
  const size_t fragment = target.find('#');
  if (fragment != std::string_view::npos) target = target.substr(0, fragment);
  if (target.empty() || target[0] != '/') {
    split.target = "/" + std::string(target);
  } else {
    split.target = std::string(target);
  }
  return split;
}

std::optional<std::string> QueryParameter(std::string_view target, std::string_view name) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t equals = pair.find('=');
    if (pair.substr(0, equals) == name) {
      if (equals == std::string_view::npos) return std::string();
      auto decoded = PercentDecode(pair.substr(equals + 1));
      if (!decoded.ok()) return std::nullopt;
      return *decoded;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string_view TargetPath(std::string_view target) { return target.substr(0, target.find('?')); }

// ---------------------------------------------------------------------------------------------
// Messages

std::string_view PaymentStatusName(PaymentStatus status) {
  switch (status) {
    case PaymentStatus::kPending:
      return "PENDING";
    case PaymentStatus::kSucceeded:
      return "SUCCEEDED";
    case PaymentStatus::kFailed:
      return "FAILED";
  }
  return "UNKNOWN";
}

std::optional<PaymentStatus> PaymentStatusFromName(std::string_view name) {
  if (name == "PENDING") return PaymentStatus::kPending;
  if (name == "SUCCEEDED") return PaymentStatus::kSucceeded;
  if (name == "FAILED") return PaymentStatus::kFailed;
  return std::nullopt;
}

std::string ToJson(const RequestToPay& message) {
  return Dump(Json{{"merchant_id", message.merchant_id},
                   {"request_id", message.request_id},
                   {"amount", AmountJson(message.amount)},
                   {"msisdn", message.msisdn},
                   {"description", message.description},
                   {"callback_url", message.callback_url}});
}

Result<RequestToPay> ParseRequestToPay(std::string_view json_text) {
  PAY_ASSIGN_OR_RETURN(Json json, ParseObject(json_text, "request-to-pay"));
  RequestToPay message;
  PAY_ASSIGN_OR_RETURN(message.merchant_id, GetString(json, "merchant_id", true));
  PAY_ASSIGN_OR_RETURN(message.request_id, GetString(json, "request_id", true));
  PAY_ASSIGN_OR_RETURN(message.amount, GetAmount(json, "amount", /*positive=*/true));
  PAY_ASSIGN_OR_RETURN(message.msisdn, GetString(json, "msisdn", true));
  PAY_ASSIGN_OR_RETURN(message.description, GetString(json, "description", false));
  PAY_ASSIGN_OR_RETURN(message.callback_url, GetString(json, "callback_url", true));
  if (!IsE164(message.msisdn)) {
    return FieldError(
        "msisdn", "\"" + message.msisdn + "\" is not an E.164 number (\"+\" and 8 to 15 digits)");
  }
  PAY_RETURN_IF_ERROR(SplitHttpUrl("callback_url", message.callback_url).status());
  return message;
}

std::string ToJson(const PaymentStatusReport& message) { return Dump(ReportJson(message)); }

Result<PaymentStatusReport> ParsePaymentStatusReport(std::string_view json_text) {
  PAY_ASSIGN_OR_RETURN(Json json, ParseObject(json_text, "payment status"));
  return ReportFromJson(json);
}

std::string ToJson(const RefundOrder& message) {
  Json json{{"refund_id", message.refund_id},
            {"request_id", message.request_id},
            {"amount", AmountJson(message.amount)},
            {"reason", message.reason}};
  if (!message.destination_msisdn.empty()) {
    json["destination_msisdn"] = message.destination_msisdn;
  }
  return Dump(json);
}

Result<RefundOrder> ParseRefundOrder(std::string_view json_text) {
  PAY_ASSIGN_OR_RETURN(Json json, ParseObject(json_text, "refund"));
  RefundOrder message;
  PAY_ASSIGN_OR_RETURN(message.refund_id, GetString(json, "refund_id", true));
  PAY_ASSIGN_OR_RETURN(message.request_id, GetString(json, "request_id", true));
  PAY_ASSIGN_OR_RETURN(message.amount, GetAmount(json, "amount", /*positive=*/true));
  PAY_ASSIGN_OR_RETURN(message.reason, GetString(json, "reason", false));
  PAY_ASSIGN_OR_RETURN(message.destination_msisdn, GetString(json, "destination_msisdn", false));
  return message;
}

std::string ToJson(const RefundResult& message) {
  return Dump(Json{{"refund_id", message.refund_id},
                   {"status", std::string(PaymentStatusName(message.status))},
                   {"reason", message.reason},
                   {"wallet_reference", message.wallet_reference}});
}

Result<RefundResult> ParseRefundResult(std::string_view json_text) {
  PAY_ASSIGN_OR_RETURN(Json json, ParseObject(json_text, "refund result"));
  RefundResult message;
  PAY_ASSIGN_OR_RETURN(message.refund_id, GetString(json, "refund_id", true));
  PAY_ASSIGN_OR_RETURN(message.status, GetStatus(json, /*allow_pending=*/false));
  PAY_ASSIGN_OR_RETURN(message.reason, GetString(json, "reason", false));
  PAY_ASSIGN_OR_RETURN(message.wallet_reference, GetString(json, "wallet_reference", false));
  if (message.status == PaymentStatus::kFailed && message.reason.empty()) {
    return FieldError("reason", "required for a FAILED refund");
  }
  return message;
}

std::string ToJson(const std::vector<StatementEntry>& lines) {
  Json array = Json::array();
  for (const StatementEntry& line : lines) {
    array.push_back(Json{{"request_id", line.request_id},
                         {"wallet_reference", line.wallet_reference},
                         {"amount", AmountJson(line.amount)},
                         {"booking_time_ms", line.booking_time_ms}});
  }
  return Dump(Json{{"lines", std::move(array)}});
}

Result<std::vector<StatementEntry>> ParseStatement(std::string_view json_text) {
  PAY_ASSIGN_OR_RETURN(Json json, ParseObject(json_text, "statement"));
  auto it = json.find("lines");
  if (it == json.end() || !it->is_array()) return FieldError("lines", "required array");
  std::vector<StatementEntry> lines;
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& item = (*it)[i];
    const std::string where = "lines[" + std::to_string(i) + "]";
    if (!item.is_object()) return FieldError(where, "must be an object");
    StatementEntry line;
    auto request_id = GetString(item, "request_id", false);
    auto reference = GetString(item, "wallet_reference", true);
    auto amount = GetAmount(item, "amount", /*positive=*/false);
    auto booked = GetInt(item, "booking_time_ms");
    for (const Status& status :
         {request_id.status(), reference.status(), amount.status(), booked.status()}) {
      if (!status.ok()) return FieldError(where, std::string(status.message()));
    }
    line.request_id = *request_id;
    line.wallet_reference = *reference;
    line.amount = *amount;
    line.booking_time_ms = *booked;
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string ToJson(const PaymentStatusEvent& event) {
  Json json = ReportJson(event.report);
  json["event_id"] = event.event_id;
  json["event_type"] = std::string(kPaymentStatusEvent);
  return Dump(json);
}

std::string ToJson(const CreditEvent& event) {
  return Dump(Json{{"event_id", event.event_id},
                   {"event_type", std::string(kCreditEvent)},
                   {"reference", event.reference},
                   {"bill_number", event.bill_number},
                   {"amount", AmountJson(event.amount)},
                   {"payer_msisdn", event.payer_msisdn},
                   {"payer_name", event.payer_name},
                   {"booking_time_ms", event.booking_time_ms}});
}

Result<CallbackEvent> ParseCallbackEvent(std::string_view json_text) {
  PAY_ASSIGN_OR_RETURN(Json json, ParseObject(json_text, "callback"));
  PAY_ASSIGN_OR_RETURN(std::string event_id, GetString(json, "event_id", true));
  PAY_ASSIGN_OR_RETURN(std::string type, GetString(json, "event_type", true));
  if (type == kPaymentStatusEvent) {
    PaymentStatusEvent event;
    event.event_id = std::move(event_id);
    PAY_ASSIGN_OR_RETURN(event.report, ReportFromJson(json));
    return CallbackEvent(std::move(event));
  }
  if (type == kCreditEvent) {
    CreditEvent event;
    event.event_id = std::move(event_id);
    PAY_ASSIGN_OR_RETURN(event.reference, GetString(json, "reference", true));
    PAY_ASSIGN_OR_RETURN(event.bill_number, GetString(json, "bill_number", true));
    PAY_ASSIGN_OR_RETURN(event.amount, GetAmount(json, "amount", /*positive=*/true));
    PAY_ASSIGN_OR_RETURN(event.payer_msisdn, GetString(json, "payer_msisdn", false));
    PAY_ASSIGN_OR_RETURN(event.payer_name, GetString(json, "payer_name", false));
    PAY_ASSIGN_OR_RETURN(event.booking_time_ms, GetInt(json, "booking_time_ms"));
    return CallbackEvent(std::move(event));
  }
  return FieldError("event_type", "\"" + type + "\" is not PAYMENT_STATUS or CREDIT");
}

std::string ErrorJson(std::string_view code, std::string_view message) {
  return Dump(Json{{"error", std::string(code)}, {"message", std::string(message)}});
}

std::string ErrorCode(std::string_view json_text) {
  Json json = Json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) return {};
  auto it = json.find("error");
  if (it == json.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

}  // namespace pay::wallet
