// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "webhook_signature.h"

#include <gtest/gtest.h>

namespace paycli {
namespace {

TEST(WebhookSignatureTest, HmacMatchesRfc4231) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

std::string Header(const std::string& secret, int64_t t, const std::string& body) {
  return "t=" + std::to_string(t) + ",v1=" + HmacSha256Hex(secret, std::to_string(t) + "." + body);
}

TEST(WebhookSignatureTest, AcceptsTheRightSecretWithinTolerance) {
  const std::string body = R"({"sequence":"42"})";
  EXPECT_TRUE(
      VerifyWebhookSignature("whsec_a", Header("whsec_a", 1000, body), body, 1200, 300).ok());
  // Several v1 values (a secret being rotated): one matching is enough.
  EXPECT_TRUE(VerifyWebhookSignature("whsec_a",
                                     "t=1000,v1=00," + Header("whsec_a", 1000, body).substr(7),
                                     body, 1000, 300)
                  .ok());
}

TEST(WebhookSignatureTest, RefusesTamperingWrongSecretAndReplays) {
  const std::string body = R"({"sequence":"42"})";
  const std::string header = Header("whsec_a", 1000, body);
  EXPECT_EQ(VerifyWebhookSignature("whsec_a", header, body + " ", 1000, 300).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyWebhookSignature("whsec_b", header, body, 1000, 300).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyWebhookSignature("whsec_a", header, body, 1301, 300).code(),
            absl::StatusCode::kDeadlineExceeded);
  // The time is signed too: moving t forward breaks the signature.
  std::string moved = header;
  moved.replace(2, 4, "1301");
  EXPECT_EQ(VerifyWebhookSignature("whsec_a", moved, body, 1301, 300).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(WebhookSignatureTest, MalformedHeadersAreInvalid) {
  for (const char* header : {"", "v1=abcd", "t=,v1=abcd", "t=12x,v1=ab", "t=1000"}) {
    EXPECT_EQ(VerifyWebhookSignature("s", header, "{}", 1000, 300).code(),
              absl::StatusCode::kInvalidArgument)
        << header;
  }
}

}  // namespace
}  // namespace paycli
