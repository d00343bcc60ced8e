// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "webhook_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <cstdlib>
#include <vector>

namespace paycli {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::string HmacSha256Hex(std::string_view secret, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kDigits[mac[i] >> 4]);
    hex.push_back(kDigits[mac[i] & 15]);
  }
  return hex;
}

absl::Status VerifyWebhookSignature(std::string_view secret, std::string_view header,
                                    std::string_view body, int64_t now_seconds,
                                    int64_t tolerance_seconds) {
  std::string_view timestamp;
  std::vector<std::string_view> signatures;  // several v1 values while a secret is rotated
  while (!header.empty()) {
    const size_t comma = header.find(',');
    const std::string_view part = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const size_t equals = part.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view name = part.substr(0, equals);
    if (name == "t") timestamp = part.substr(equals + 1);
    if (name == "v1") signatures.push_back(part.substr(equals + 1));
  }
  int64_t sent_seconds = 0;
  const auto parsed =
      std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), sent_seconds);
  if (timestamp.empty() || parsed.ec != std::errc() ||
      parsed.ptr != timestamp.data() + timestamp.size()) {
    return absl::InvalidArgumentError("Pay-Signature: no t=<unix seconds>");
  }
  if (signatures.empty()) return absl::InvalidArgumentError("Pay-Signature: no v1=<hex>");
  std::string message(timestamp);
  message.push_back('.');
  message.append(body);
  const std::string expected = HmacSha256Hex(secret, message);
  bool matched = false;
  for (const std::string_view signature : signatures) {
    matched |= signature.size() == expected.size() &&
               CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
  }
  if (!matched) {
    return absl::UnauthenticatedError(
        "Pay-Signature: v1 does not match the body signed with this secret");
  }
  if (std::llabs(now_seconds - sent_seconds) > tolerance_seconds) {
    return absl::DeadlineExceededError("Pay-Signature: t is " +
                                       std::to_string(now_seconds - sent_seconds) +
                                       " s from now, more than the tolerance of " +
                                       std::to_string(tolerance_seconds) + " s (a replay?)");
  }
  return absl::OkStatus();
}

}  // namespace paycli
