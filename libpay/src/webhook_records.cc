// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "webhook_records.h"

#include <sodium.h>

#include "coding.h"
#include "str_util.h"

namespace pay {

std::string_view DeliveryStateName(DeliveryState state) {
  switch (state) {
    case DeliveryState::kRetrying:
      return "RETRYING";
    case DeliveryState::kFailed:
      return "FAILED";
    case DeliveryState::kReplaying:
      return "REPLAYING";
    case DeliveryState::kDelivered:
      return "DELIVERED";
  }
  return "UNKNOWN";
}

std::optional<DeliveryState> DeliveryStateFromName(std::string_view name) {
  for (DeliveryState state : {DeliveryState::kRetrying, DeliveryState::kFailed,
                              DeliveryState::kReplaying, DeliveryState::kDelivered}) {
    if (DeliveryStateName(state) == name) return state;
  }
  return std::nullopt;
}

std::string WebhookSignature(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  const std::string timestamp = std::to_string(unix_seconds);
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(timestamp.data()),
                                timestamp.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>("."), 1);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return "t=" + timestamp + ",v1=" +
         internal::HexEncode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

namespace internal {
namespace {
constexpr uint8_t kWebhookVersion = 1;
constexpr uint8_t kDeliveryVersion = 1;
}  // namespace

std::string WebhookKey(std::string_view webhook_id) {
  std::string key(kWebhookPrefix);
  key.append(webhook_id);
  return key;
}

std::string DeliveryPrefix(std::string_view webhook_id) {
  std::string key("d");
  key.push_back('\0');
  key.append(webhook_id);
  key.push_back('\0');
  return key;
}

std::string DeliveryKey(std::string_view webhook_id, uint64_t sequence) {
  std::string key = DeliveryPrefix(webhook_id);
  PutFixed64(&key, sequence);  // big-endian: keys sort by sequence
  return key;
}

std::string EncodeWebhook(const WebhookRecord& record) {
  std::string out;
  PutByte(&out, kWebhookVersion);
  const Webhook& webhook = record.webhook;
  PutString(&out, webhook.webhook_id);
  PutString(&out, webhook.agency_id);
  PutString(&out, webhook.url);
  PutString(&out, webhook.description);
  PutSigned(&out, webhook.create_time_ms);
  PutVarint(&out, webhook.start_sequence);
  PutVarint(&out, webhook.delivered_through);
  PutString(&out, record.secret);
  PutVarint(&out, record.head_sequence);
  PutVarint(&out, static_cast<uint64_t>(record.head_attempts));
  PutVarint(&out, static_cast<uint64_t>(record.head_http_status));
  PutString(&out, record.head_error);
  PutSigned(&out, record.head_first_attempt_ms);
  PutSigned(&out, record.head_last_attempt_ms);
  PutSigned(&out, record.head_next_attempt_ms);
  return out;
}

Status DecodeWebhook(std::string_view bytes, WebhookRecord* record) {
  Decoder decoder(bytes);
  uint8_t version = 0;
  uint64_t attempts = 0;
  uint64_t http_status = 0;
  Webhook& webhook = record->webhook;
  const bool ok =
      decoder.GetByte(&version) && version == kWebhookVersion &&
      decoder.GetString(&webhook.webhook_id) && decoder.GetString(&webhook.agency_id) &&
      decoder.GetString(&webhook.url) && decoder.GetString(&webhook.description) &&
      decoder.GetSigned(&webhook.create_time_ms) && decoder.GetVarint(&webhook.start_sequence) &&
      decoder.GetVarint(&webhook.delivered_through) && decoder.GetString(&record->secret) &&
      decoder.GetVarint(&record->head_sequence) && decoder.GetVarint(&attempts) &&
      decoder.GetVarint(&http_status) && decoder.GetString(&record->head_error) &&
      decoder.GetSigned(&record->head_first_attempt_ms) &&
      decoder.GetSigned(&record->head_last_attempt_ms) &&
      decoder.GetSigned(&record->head_next_attempt_ms);
  if (!ok) return absl::DataLossError("a webhook record does not decode");
  record->head_attempts = static_cast<int32_t>(attempts);
  record->head_http_status = static_cast<int32_t>(http_status);
  return decoder.Finish("webhook record");
}

std::string EncodeDelivery(const WebhookDelivery& delivery) {
  std::string out;
  PutByte(&out, kDeliveryVersion);
  PutString(&out, delivery.webhook_id);
  PutVarint(&out, delivery.sequence);
  PutString(&out, delivery.event_type);
  PutByte(&out, static_cast<uint8_t>(delivery.state));
  PutVarint(&out, static_cast<uint64_t>(delivery.attempts));
  PutVarint(&out, static_cast<uint64_t>(delivery.last_http_status));
  PutString(&out, delivery.last_error);
  PutSigned(&out, delivery.first_attempt_time_ms);
  PutSigned(&out, delivery.last_attempt_time_ms);
  PutSigned(&out, delivery.next_attempt_time_ms);
  return out;
}

Status DecodeDelivery(std::string_view bytes, WebhookDelivery* delivery) {
  Decoder decoder(bytes);
  uint8_t version = 0;
  uint8_t state = 0;
  uint64_t attempts = 0;
  uint64_t http_status = 0;
  const bool ok = decoder.GetByte(&version) && version == kDeliveryVersion &&
                  decoder.GetString(&delivery->webhook_id) &&
                  decoder.GetVarint(&delivery->sequence) &&
                  decoder.GetString(&delivery->event_type) && decoder.GetByte(&state) &&
                  decoder.GetVarint(&attempts) && decoder.GetVarint(&http_status) &&
                  decoder.GetString(&delivery->last_error) &&
                  decoder.GetSigned(&delivery->first_attempt_time_ms) &&
                  decoder.GetSigned(&delivery->last_attempt_time_ms) &&
                  decoder.GetSigned(&delivery->next_attempt_time_ms);
  if (!ok || state < 1 || state > 4)
    return absl::DataLossError("a webhook delivery does not decode");
  delivery->state = static_cast<DeliveryState>(state);
  delivery->attempts = static_cast<int32_t>(attempts);
  delivery->last_http_status = static_cast<int32_t>(http_status);
  return decoder.Finish("webhook delivery");
}

}  // namespace internal
}  // namespace pay
