// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Payment events and webhooks.
//
// An event IS a ledger entry of an agency about its fees, payments and refunds (FEE_CREATED,
// FEE_STATE_CHANGED, FEE_ADJUSTED, PAYMENT_CREATED, PAYMENT_STATE_CHANGED, REFUND_CREATED,
// REFUND_STATE_CHANGED, and DISCREPANCY entries that belong to an agency), presented with the
// fee it concerns. Being the ledger, the events of a scope are ordered by sequence number, never
// change, and a reader resumes after the last one it saw with from_sequence = last + 1: nothing
// is lost or repeated, and a reconnect resends identical events.
//
// Webhooks deliver the same events to an agency's HTTPS endpoint, at least once, in ledger order,
// signed with HMAC-SHA256 (docs/webhooks.md). The queue is a durable cursor per webhook plus
// records of deliveries that failed (dead letters), kept in the store so that it survives
// restarts.

#ifndef PAY_EVENTS_H_
#define PAY_EVENTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pay/ledger_entry.h"
#include "pay/money.h"

namespace pay {

struct PaymentEvent {
  uint64_t sequence = 0;  // the ledger entry's sequence number: the event's unique id
  int64_t time_ms = 0;    // commit time, Unix ms
  EntryType type = EntryType::kFeeCreated;
  std::string agency_id;
  std::string fee_id;      // the fee concerned; known for every event but some discrepancies
  std::string payment_id;  // payment and refund events (the refunded payment), when known
  std::string refund_id;   // refund events
  std::string from_state;  // state names ("UNPAID", "PROCESSING", ...); "" when none
  std::string to_state;
  Money amount;        // empty when no money is involved
  std::string detail;  // reason, failure code, connector reference (the entry's detail)
};

// True for the entry types that are events (an agency's fee, payment and refund changes).
bool IsEventEntry(const LedgerEntry& entry);

// What Gateway::WatchEvents streams.
struct EventFilter {
  // The first sequence number wanted (resume with the last one received + 1). 0: only events
  // committed after the call started.
  uint64_t from_sequence = 0;
  // AUDITOR: only this agency (one of those granted). Empty: every granted agency. AGENCY: empty
  // or its own.
  std::string agency_id;
};

// A registered webhook endpoint of an agency.
struct Webhook {
  std::string webhook_id;  // "whk_" + 24 hex
  std::string agency_id;
  std::string url;  // https://host[:port]/path
  std::string description;
  int64_t create_time_ms = 0;
  // Events with a sequence above this are delivered (the ledger's last sequence at creation).
  uint64_t start_sequence = 0;
  // Every event up to this sequence was delivered (2xx) or recorded FAILED.
  uint64_t delivered_through = 0;
};

struct CreateWebhookRequest {
  std::string url;
  std::string description;
};

struct CreatedWebhook {
  Webhook webhook;
  std::string secret;  // "whsec_" + 64 hex; returned only here
};

enum class DeliveryState : uint8_t {
  kRetrying = 1,   // the head of the queue: attempted, failed, next attempt scheduled
  kFailed = 2,     // dead letter: gave up after max attempts or max age; cursor moved on
  kReplaying = 3,  // a failed delivery re-queued by ReplayWebhookDelivery
  kDelivered = 4,  // a replayed delivery that a later attempt delivered
};
std::string_view DeliveryStateName(DeliveryState state);  // "RETRYING", "FAILED", ...
std::optional<DeliveryState> DeliveryStateFromName(std::string_view name);

// One event's delivery to one webhook, as ListWebhookDeliveries shows it.
struct WebhookDelivery {
  std::string webhook_id;
  uint64_t sequence = 0;
  std::string event_type;  // EntryTypeName
  DeliveryState state = DeliveryState::kRetrying;
  int32_t attempts = 0;
  int32_t last_http_status = 0;  // 0: no HTTP answer (connection refused, timeout)
  std::string last_error;
  int64_t first_attempt_time_ms = 0;
  int64_t last_attempt_time_ms = 0;
  int64_t next_attempt_time_ms = 0;  // RETRYING and REPLAYING only
};

struct ListWebhookDeliveriesRequest {
  std::string webhook_id;
  std::optional<DeliveryState> state;  // only deliveries in this state
  int32_t page_size = 0;               // 0: 100; at most 1000
  std::string page_token;
};

struct ListWebhookDeliveriesResult {
  std::vector<WebhookDelivery> deliveries;  // by sequence, ascending
  std::string next_page_token;
};

// One delivery the dispatcher should attempt now.
struct WebhookTask {
  Webhook webhook;
  std::string secret;
  PaymentEvent event;
  int32_t attempt = 1;  // 1 for the first attempt
  bool replay = false;  // a replayed dead letter (not the cursor's head)
};

// What one attempt gave.
struct WebhookAttempt {
  bool delivered = false;  // a 2xx answer
  int32_t http_status = 0;
  std::string error;  // why it failed (never contains the secret)
};

// The value of the Pay-Signature header for `body` sent at `unix_seconds`:
// "t=<unix_seconds>,v1=<hex HMAC-SHA256(secret, "<unix_seconds>." + body)>". The HMAC key is the
// whole secret string as shown at creation ("whsec_..."), as bytes.
std::string WebhookSignature(std::string_view secret, int64_t unix_seconds, std::string_view body);

}  // namespace pay

#endif  // PAY_EVENTS_H_
