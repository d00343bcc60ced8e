// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The wallet protocol (PROTOCOL.md) as code shared by the wallet connector and the wallet-sim
// simulator: request signing and verification (HMAC-SHA256 over timestamp, method, target and
// body), the replay cache, and the JSON messages with their (de)serialisation. Nothing here does
// I/O; both sides of the protocol use exactly these functions, so they cannot drift apart.

#ifndef PAY_CONNECTORS_WALLET_WALLET_PROTOCOL_H_
#define PAY_CONNECTORS_WALLET_WALLET_PROTOCOL_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pay/connector/http.h"
#include "pay/money.h"
#include "pay/status.h"

namespace pay::wallet {

// ---------------------------------------------------------------------------------------------
// Signatures

inline constexpr std::string_view kTimestampHeader = "X-Pay-Timestamp";
inline constexpr std::string_view kSignatureHeader = "X-Pay-Signature";
inline constexpr int64_t kDefaultReplayWindowSeconds = 300;

// The bytes that are signed: timestamp "." method " " target "." body, e.g.
// "1767225600.POST /v1/refunds.{...}". `target` is the request target exactly as it appears on
// the request line (path and query, percent-encoded as sent).
std::string SigningInput(std::string_view timestamp, std::string_view method,
                         std::string_view target, std::string_view body);

// "v1=" followed by the lower-case hex HMAC-SHA256 of SigningInput(...) keyed with `secret`.
std::string ComputeSignature(std::string_view secret, std::string_view timestamp,
                             std::string_view method, std::string_view target,
                             std::string_view body);

// Appends X-Pay-Timestamp (`unix_seconds`) and X-Pay-Signature for the message to `headers`.
void SignHeaders(std::string_view secret, int64_t unix_seconds, std::string_view method,
                 std::string_view target, std::string_view body, connector::HttpHeaders* headers);

// Checks the X-Pay-Timestamp / X-Pay-Signature headers of a received message: both present, the
// timestamp within +-window_seconds of `now_seconds`, and the signature equal (constant-time) to
// the one computed with `secret`. Returns the signature header value (the replay-cache key) or
// kUnauthenticated saying what is wrong; the message never contains a secret or the expected
// signature.
Result<std::string> VerifySignature(std::string_view secret, const connector::HttpHeaders& headers,
                                    std::string_view method, std::string_view target,
                                    std::string_view body, int64_t now_seconds,
                                    int64_t window_seconds);

// Signatures seen within the replay window, to refuse exact replays. Thread-safe.
class ReplayCache {
 public:
  explicit ReplayCache(int64_t window_seconds) : window_seconds_(window_seconds) {}

  // Records `signature` (of a message stamped `timestamp`); false if it was already recorded and
  // has not expired. Entries expire window_seconds after their timestamp; any message older than
  // that is refused by VerifySignature anyway.
  bool Remember(const std::string& signature, int64_t timestamp, int64_t now_seconds);

 private:
  const int64_t window_seconds_;
  std::mutex mu_;
  std::map<std::string, int64_t> expiry_;  // signature -> unix seconds; guarded by mu_
};

// The value of the first header named `name` (case-insensitive); empty if absent.
std::string_view HeaderValue(const connector::HttpHeaders& headers, std::string_view name);

// ---------------------------------------------------------------------------------------------
// Small helpers

// "+" then 8 to 15 digits, the first not 0 (ITU-T E.164), e.g. "+966501234567".
bool IsE164(std::string_view msisdn);

// Percent-encodes everything but RFC 3986 unreserved characters (for path segments and query
// values).
std::string PercentEncode(std::string_view text);
// Decodes %XX escapes; kInvalidArgument for a malformed escape.
Result<std::string> PercentDecode(std::string_view text);

// An absolute http(s) URL split into what an HttpClient needs.
struct SplitUrl {
  std::string base;    // "https://host:port" (scheme and authority, no path)
  std::string target;  // "/path?query"; "/" when the URL has no path
};
// kInvalidArgument naming `what` when `url` is not http:// or https:// with a host.
Result<SplitUrl> SplitHttpUrl(std::string_view what, std::string_view url);

// The value of query parameter `name` in `target` ("/v1/statement?from_ms=1&to_ms=2"),
// percent-decoded; nullopt if absent.
std::optional<std::string> QueryParameter(std::string_view target, std::string_view name);

// The path of `target` (without the query).
std::string_view TargetPath(std::string_view target);

// ---------------------------------------------------------------------------------------------
// Messages. Parse* functions return kInvalidArgument naming the field that is missing or wrong.

inline constexpr std::string_view kRequestToPayPath = "/v1/request-to-pay";
inline constexpr std::string_view kRefundsPath = "/v1/refunds";
inline constexpr std::string_view kStatementPath = "/v1/statement";

enum class PaymentStatus { kPending, kSucceeded, kFailed };
std::string_view PaymentStatusName(PaymentStatus status);  // "PENDING", "SUCCEEDED", "FAILED"
std::optional<PaymentStatus> PaymentStatusFromName(std::string_view name);

// POST /v1/request-to-pay
struct RequestToPay {
  std::string merchant_id;
  std::string request_id;  // the gateway's payment_id: the idempotency key
  Money amount;
  std::string msisdn;
  std::string description;
  std::string callback_url;

  friend bool operator==(const RequestToPay&, const RequestToPay&) = default;
};
std::string ToJson(const RequestToPay& message);
Result<RequestToPay> ParseRequestToPay(std::string_view json);

// The state of a request to pay: the answer to POST /v1/request-to-pay and to
// GET /v1/request-to-pay/{request_id}, and the payload of a PAYMENT_STATUS callback.
struct PaymentStatusReport {
  std::string request_id;
  std::string wallet_reference;
  PaymentStatus status = PaymentStatus::kPending;
  std::string reason;  // for FAILED: "INSUFFICIENT_FUNDS", "DECLINED", "UNKNOWN_WALLET", ...
  Money amount;

  friend bool operator==(const PaymentStatusReport&, const PaymentStatusReport&) = default;
};
std::string ToJson(const PaymentStatusReport& message);
Result<PaymentStatusReport> ParsePaymentStatusReport(std::string_view json);

// POST /v1/refunds
struct RefundOrder {
  std::string refund_id;  // the idempotency key
  std::string request_id;
  Money amount;
  std::string reason;
  // Optional: pay this wallet instead of the one that paid. The request_id may then be one the
  // wallet never collected (a payment a channel took, refunded through the wallet).
  std::string destination_msisdn;

  friend bool operator==(const RefundOrder&, const RefundOrder&) = default;
};
std::string ToJson(const RefundOrder& message);
Result<RefundOrder> ParseRefundOrder(std::string_view json);

struct RefundResult {
  std::string refund_id;
  PaymentStatus status = PaymentStatus::kFailed;  // SUCCEEDED or FAILED, never PENDING
  std::string reason;                             // for FAILED: "EXCEEDS_COLLECTED", ...
  std::string wallet_reference;

  friend bool operator==(const RefundResult&, const RefundResult&) = default;
};
std::string ToJson(const RefundResult& message);
Result<RefundResult> ParseRefundResult(std::string_view json);

// GET /v1/statement?from_ms=..&to_ms=..
struct StatementEntry {
  std::string request_id;  // empty for a push credit
  std::string wallet_reference;
  Money amount;  // positive: collected; negative: refunded
  int64_t booking_time_ms = 0;

  friend bool operator==(const StatementEntry&, const StatementEntry&) = default;
};
std::string ToJson(const std::vector<StatementEntry>& lines);  // {"lines":[...]}
Result<std::vector<StatementEntry>> ParseStatement(std::string_view json);

// Callbacks from the wallet to the gateway.
inline constexpr std::string_view kPaymentStatusEvent = "PAYMENT_STATUS";
inline constexpr std::string_view kCreditEvent = "CREDIT";

struct PaymentStatusEvent {
  std::string event_id;
  PaymentStatusReport report;
};

struct CreditEvent {
  std::string event_id;
  std::string reference;  // the wallet's unique id of the credit
  std::string bill_number;
  Money amount;
  std::string payer_msisdn;
  std::string payer_name;
  int64_t booking_time_ms = 0;
};

using CallbackEvent = std::variant<PaymentStatusEvent, CreditEvent>;
std::string ToJson(const PaymentStatusEvent& event);
std::string ToJson(const CreditEvent& event);
Result<CallbackEvent> ParseCallbackEvent(std::string_view json);

// Error answers: {"error":"CODE","message":"..."}.
std::string ErrorJson(std::string_view code, std::string_view message);
// The "error" code of an error answer; empty if `json` is not one.
std::string ErrorCode(std::string_view json);

}  // namespace pay::wallet

#endif  // PAY_CONNECTORS_WALLET_WALLET_PROTOCOL_H_
