// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The webhook queue's records in Table::kWebhooks (docs/webhooks.md "Queue"):
//   "w" NUL webhook_id                       -> WebhookRecord: the endpoint, its secret and its
//                                               cursor (delivered_through and the head's retry
//                                               state)
//   "d" NUL webhook_id NUL fixed64 sequence  -> WebhookDelivery: a dead letter (FAILED), a replay
//                                               in progress (REPLAYING) or done (DELIVERED)
// Encodings start with a version byte; new fields are appended and optional on read.

#ifndef PAY_SRC_WEBHOOK_RECORDS_H_
#define PAY_SRC_WEBHOOK_RECORDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pay/events.h"
#include "pay/status.h"

namespace pay::internal {

struct WebhookRecord {
  Webhook webhook;
  std::string secret;
  // The head of the queue (the event after delivered_through) once an attempt at it failed;
  // head_sequence 0: no failed attempt pending.
  uint64_t head_sequence = 0;
  int32_t head_attempts = 0;
  int32_t head_http_status = 0;
  std::string head_error;
  int64_t head_first_attempt_ms = 0;
  int64_t head_last_attempt_ms = 0;
  int64_t head_next_attempt_ms = 0;
};

std::string WebhookKey(std::string_view webhook_id);
inline constexpr std::string_view kWebhookPrefix{"w\0", 2};
std::string DeliveryPrefix(std::string_view webhook_id);
std::string DeliveryKey(std::string_view webhook_id, uint64_t sequence);

std::string EncodeWebhook(const WebhookRecord& record);
Status DecodeWebhook(std::string_view bytes, WebhookRecord* record);
std::string EncodeDelivery(const WebhookDelivery& delivery);
Status DecodeDelivery(std::string_view bytes, WebhookDelivery* delivery);

}  // namespace pay::internal

#endif  // PAY_SRC_WEBHOOK_RECORDS_H_
