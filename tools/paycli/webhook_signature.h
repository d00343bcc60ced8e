// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Checking the signature payd puts on every webhook delivery (docs/webhooks.md):
//   Pay-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>
// The same check a directorate writes in its own language; paycli uses it in `webhook listen`.

#ifndef PAY_TOOLS_PAYCLI_WEBHOOK_SIGNATURE_H_
#define PAY_TOOLS_PAYCLI_WEBHOOK_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace paycli {

// Lower-case hex of HMAC-SHA256(secret, message).
std::string HmacSha256Hex(std::string_view secret, std::string_view message);

// OK when `header` is well formed, its v1 value is the HMAC of "<t>." + body with `secret`
// (compared in constant time), and t is within `tolerance_seconds` of `now_seconds` (a replayed
// old delivery is refused). Otherwise kUnauthenticated (wrong signature), kDeadlineExceeded
// (too old or too far ahead) or kInvalidArgument (malformed header), with a message saying which.
absl::Status VerifyWebhookSignature(std::string_view secret, std::string_view header,
                                    std::string_view body, int64_t now_seconds,
                                    int64_t tolerance_seconds);

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_WEBHOOK_SIGNATURE_H_
