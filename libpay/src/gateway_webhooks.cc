// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Webhooks: endpoints of an agency and the durable delivery queue behind them (docs/webhooks.md).
//
// The queue of a webhook is its cursor: every event up to delivered_through was delivered (2xx)
// or recorded FAILED, and the head is the agency's next event after it. Only the head is
// attempted (one delivery at a time per webhook, in ledger order, so per-fee order holds); it is
// retried with exponential backoff, and after max attempts or max age recorded FAILED (a dead
// letter) while the cursor moves on. A replayed dead letter is attempted ahead of the head.
// Webhook records are operational state, not ledger entries: a delivery changes no money and no
// fee, and an entry per delivery would itself be an event to deliver.

#include <algorithm>

#include "coding.h"
#include "gateway_internal.h"
#include "str_util.h"

namespace pay::internal {
namespace {

constexpr size_t kMaxWebhooksPerAgency = 10;
constexpr size_t kMaxUrlBytes = 2048;
constexpr size_t kMaxDescriptionBytes = 256;
// Entries scanned for one webhook's next event per DueWebhookDeliveries call; the rest next call.
constexpr int kMaxScanPerCall = 10'000;

Status ValidateWebhookUrl(std::string_view url) {
  PAY_RETURN_IF_ERROR(ValidateText("url", url, kMaxUrlBytes));
  constexpr std::string_view kScheme = "https://";
  if (url.rfind(kScheme, 0) != 0) {
    return absl::InvalidArgumentError(
        "url: must start with https:// (events leave payd signed, "
        "and only over TLS)");
  }
  const std::string_view rest = url.substr(kScheme.size());
  const size_t host_end = rest.find_first_of("/?#");
  if (host_end == 0 || rest.empty()) return absl::InvalidArgumentError("url: has no host");
  for (char c : url) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '#') {
      return absl::InvalidArgumentError("url: must not contain spaces or a fragment");
    }
  }
  return absl::OkStatus();
}

int64_t Backoff(const GatewayOptions& options, int32_t attempts) {
  int64_t delay = std::max<int64_t>(options.webhook_backoff_base_ms, 1);
  for (int32_t i = 1; i < attempts && delay < options.webhook_backoff_max_ms; ++i) delay *= 2;
  return std::min(delay, std::max<int64_t>(options.webhook_backoff_max_ms, 1));
}

bool Exhausted(const GatewayOptions& options, int32_t attempts, int64_t first_ms, int64_t now_ms) {
  return attempts >= options.webhook_max_attempts ||
         now_ms - first_ms >= options.webhook_max_age_ms;
}

WebhookDelivery HeadDelivery(const WebhookRecord& record, std::string_view event_type) {
  WebhookDelivery delivery;
  delivery.webhook_id = record.webhook.webhook_id;
  delivery.sequence = record.head_sequence;
  delivery.event_type = std::string(event_type);
  delivery.state = DeliveryState::kRetrying;
  delivery.attempts = record.head_attempts;
  delivery.last_http_status = record.head_http_status;
  delivery.last_error = record.head_error;
  delivery.first_attempt_time_ms = record.head_first_attempt_ms;
  delivery.last_attempt_time_ms = record.head_last_attempt_ms;
  delivery.next_attempt_time_ms = record.head_next_attempt_ms;
  return delivery;
}

}  // namespace

Result<WebhookRecord> GatewayImpl::OwnedWebhook(const Principal& caller,
                                                std::string_view webhook_id) const {
  if (caller.role != Role::kAgency || caller.agency_ids.size() != 1) {
    return absl::PermissionDeniedError(
        StrCat("only AGENCY credentials manage webhooks; this one is ", RoleName(caller.role)));
  }
  PAY_RETURN_IF_ERROR(ValidateId("webhook_id", webhook_id));
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                       ledger_->Get(Table::kWebhooks, WebhookKey(webhook_id)));
  WebhookRecord record;
  if (bytes) PAY_RETURN_IF_ERROR(DecodeWebhook(*bytes, &record));
  if (!bytes || record.webhook.agency_id != caller.agency_ids[0]) {
    return absl::NotFoundError(StrCat("webhook_id: no webhook \"", webhook_id, "\""));
  }
  return record;
}

Result<CreatedWebhook> GatewayImpl::CreateWebhook(const Principal& caller,
                                                  const CreateWebhookRequest& request) {
  if (caller.role != Role::kAgency || caller.agency_ids.size() != 1) {
    return absl::PermissionDeniedError(
        StrCat("only AGENCY credentials register webhooks; this one is ", RoleName(caller.role)));
  }
  PAY_RETURN_IF_ERROR(ValidateWebhookUrl(request.url));
  PAY_RETURN_IF_ERROR(ValidateText("description", request.description, kMaxDescriptionBytes));
  std::lock_guard<std::mutex> lock(webhooks_mu_);
  PAY_ASSIGN_OR_RETURN(std::vector<Webhook> existing, ListWebhooks(caller));
  if (existing.size() >= kMaxWebhooksPerAgency) {
    return absl::ResourceExhaustedError(
        StrCat("an agency has at most ", kMaxWebhooksPerAgency, " webhooks; delete one first"));
  }
  WebhookRecord record;
  record.webhook.webhook_id = "whk_" + RandomHex(12);
  record.webhook.agency_id = caller.agency_ids[0];
  record.webhook.url = request.url;
  record.webhook.description = request.description;
  record.webhook.create_time_ms = NowMs();
  record.webhook.start_sequence = ledger_->LastSequence();
  record.webhook.delivered_through = record.webhook.start_sequence;
  record.secret = "whsec_" + RandomHex(32);
  WriteSet write_set;
  write_set.Put(Table::kWebhooks, WebhookKey(record.webhook.webhook_id), EncodeWebhook(record));
  PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  return CreatedWebhook{record.webhook, record.secret};
}

Result<std::vector<Webhook>> GatewayImpl::ListWebhooks(const Principal& caller) const {
  if (caller.role != Role::kAgency || caller.agency_ids.size() != 1) {
    return absl::PermissionDeniedError(
        StrCat("only AGENCY credentials list webhooks; this one is ", RoleName(caller.role)));
  }
  std::vector<Webhook> webhooks;
  Status error;
  PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kWebhooks, kWebhookPrefix, "", false,
                                    [&](std::string_view, std::string_view value) {
                                      WebhookRecord record;
                                      error = DecodeWebhook(value, &record);
                                      if (!error.ok()) return false;
                                      if (record.webhook.agency_id == caller.agency_ids[0]) {
                                        webhooks.push_back(std::move(record.webhook));
                                      }
                                      return true;
                                    }));
  PAY_RETURN_IF_ERROR(error);
  return webhooks;
}

Status GatewayImpl::DeleteWebhook(const Principal& caller, std::string_view webhook_id) {
  std::lock_guard<std::mutex> lock(webhooks_mu_);
  PAY_ASSIGN_OR_RETURN(WebhookRecord record, OwnedWebhook(caller, webhook_id));
  WriteSet write_set;
  write_set.Delete(Table::kWebhooks, WebhookKey(webhook_id));
  PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kWebhooks, DeliveryPrefix(webhook_id), "", false,
                                    [&](std::string_view key, std::string_view) {
                                      write_set.Delete(Table::kWebhooks, std::string(key));
                                      return true;
                                    }));
  return ledger_->Commit(std::move(write_set)).status();
}

Result<ListWebhookDeliveriesResult> GatewayImpl::ListWebhookDeliveries(
    const Principal& caller, const ListWebhookDeliveriesRequest& request) const {
  PAY_ASSIGN_OR_RETURN(WebhookRecord record, OwnedWebhook(caller, request.webhook_id));
  PAY_ASSIGN_OR_RETURN(int32_t page_size, PageSize(request.page_size));
  const std::string prefix = DeliveryPrefix(request.webhook_id);
  std::string start_after;
  if (!request.page_token.empty()) {
    PAY_ASSIGN_OR_RETURN(start_after, DecodePageToken(request.page_token, prefix));
  }
  ListWebhookDeliveriesResult result;
  std::string last_key;
  bool more = false;
  Status error;
  PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kWebhooks, prefix, start_after, false,
                                    [&](std::string_view key, std::string_view value) {
                                      WebhookDelivery delivery;
                                      error = DecodeDelivery(value, &delivery);
                                      if (!error.ok()) return false;
                                      if (request.state && delivery.state != *request.state)
                                        return true;
                                      if (static_cast<int32_t>(result.deliveries.size()) ==
                                          page_size) {
                                        more = true;
                                        return false;
                                      }
                                      result.deliveries.push_back(std::move(delivery));
                                      last_key = std::string(key);
                                      return true;
                                    }));
  PAY_RETURN_IF_ERROR(error);
  // The head being retried sorts after every dead letter (the cursor only moves forward).
  const std::string head_key = DeliveryKey(request.webhook_id, record.head_sequence);
  if (!more && record.head_sequence != 0 && head_key > start_after &&
      (!request.state || *request.state == DeliveryState::kRetrying)) {
    if (static_cast<int32_t>(result.deliveries.size()) == page_size) {
      more = true;
    } else {
      std::string type;
      PAY_RETURN_IF_ERROR(ledger_->ReadEntries(record.head_sequence, [&](const LedgerEntry& e) {
        type = std::string(EntryTypeName(e.type));
        return false;
      }));
      result.deliveries.push_back(HeadDelivery(record, type));
      last_key = head_key;
    }
  }
  if (more) result.next_page_token = EncodePageToken(last_key);
  return result;
}

Result<WebhookDelivery> GatewayImpl::ReplayWebhookDelivery(const Principal& caller,
                                                           std::string_view webhook_id,
                                                           uint64_t sequence) {
  if (sequence == 0) return absl::InvalidArgumentError("sequence: required");
  std::lock_guard<std::mutex> lock(webhooks_mu_);
  PAY_ASSIGN_OR_RETURN(WebhookRecord record, OwnedWebhook(caller, webhook_id));
  const std::string key = DeliveryKey(webhook_id, sequence);
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> bytes, ledger_->Get(Table::kWebhooks, key));
  if (!bytes) {
    return absl::NotFoundError(StrCat("sequence: webhook \"", webhook_id,
                                      "\" has no failed delivery of event ", sequence));
  }
  WebhookDelivery delivery;
  PAY_RETURN_IF_ERROR(DecodeDelivery(*bytes, &delivery));
  if (delivery.state != DeliveryState::kFailed && delivery.state != DeliveryState::kDelivered) {
    return absl::FailedPreconditionError(StrCat("the delivery of event ", sequence, " is ",
                                                DeliveryStateName(delivery.state),
                                                "; only FAILED or DELIVERED ones are replayed"));
  }
  const int64_t now_ms = NowMs();
  delivery.state = DeliveryState::kReplaying;
  delivery.attempts = 0;
  delivery.first_attempt_time_ms = now_ms;
  delivery.next_attempt_time_ms = now_ms;
  WriteSet write_set;
  write_set.Put(Table::kWebhooks, key, EncodeDelivery(delivery));
  PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  return delivery;
}

Result<std::vector<WebhookTask>> GatewayImpl::DueWebhookDeliveries(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(webhooks_mu_);
  std::vector<WebhookRecord> records;
  Status error;
  PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kWebhooks, kWebhookPrefix, "", false,
                                    [&](std::string_view, std::string_view value) {
                                      records.emplace_back();
                                      error = DecodeWebhook(value, &records.back());
                                      return error.ok();
                                    }));
  PAY_RETURN_IF_ERROR(error);
  auto read_event = [&](uint64_t sequence) -> Result<std::optional<PaymentEvent>> {
    std::optional<LedgerEntry> found;
    PAY_RETURN_IF_ERROR(ledger_->ReadEntries(sequence, [&](const LedgerEntry& entry) {
      if (entry.sequence == sequence) found = entry;
      return false;
    }));
    if (!found) return std::optional<PaymentEvent>();
    return EventOf(*found);
  };
  std::vector<WebhookTask> tasks;
  for (WebhookRecord& record : records) {
    WebhookTask task;
    task.webhook = record.webhook;
    task.secret = record.secret;
    // A replayed dead letter that is due goes first.
    std::optional<WebhookDelivery> replay;
    PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kWebhooks, DeliveryPrefix(record.webhook.webhook_id),
                                      "", false, [&](std::string_view, std::string_view value) {
                                        WebhookDelivery delivery;
                                        error = DecodeDelivery(value, &delivery);
                                        if (!error.ok()) return false;
                                        if (delivery.state == DeliveryState::kReplaying &&
                                            delivery.next_attempt_time_ms <= now_ms) {
                                          replay = std::move(delivery);
                                          return false;
                                        }
                                        return true;
                                      }));
    PAY_RETURN_IF_ERROR(error);
    if (replay) {
      PAY_ASSIGN_OR_RETURN(std::optional<PaymentEvent> event, read_event(replay->sequence));
      if (event) {
        task.event = *std::move(event);
        task.attempt = replay->attempts + 1;
        task.replay = true;
        tasks.push_back(std::move(task));
        continue;
      }
    }
    if (record.head_sequence != 0) {
      if (record.head_next_attempt_ms > now_ms) continue;
      PAY_ASSIGN_OR_RETURN(std::optional<PaymentEvent> event, read_event(record.head_sequence));
      if (!event) return absl::DataLossError(StrCat("event ", record.head_sequence, " is gone"));
      task.event = *std::move(event);
      task.attempt = record.head_attempts + 1;
      tasks.push_back(std::move(task));
      continue;
    }
    // The agency's next event after the cursor, among durable entries.
    const uint64_t last = ledger_->LastSequence();
    uint64_t scanned = record.webhook.delivered_through;
    std::optional<LedgerEntry> next;
    int budget = kMaxScanPerCall;
    PAY_RETURN_IF_ERROR(ledger_->ReadEntries(scanned + 1, [&](const LedgerEntry& entry) {
      if (entry.sequence > last || --budget < 0) return false;
      if (entry.agency_id == record.webhook.agency_id && IsEventEntry(entry)) {
        next = entry;
        return false;
      }
      scanned = entry.sequence;
      return true;
    }));
    if (scanned != record.webhook.delivered_through) {
      // Entries that are no event of this webhook are passed for good.
      record.webhook.delivered_through = scanned;
      WriteSet write_set;
      write_set.Put(Table::kWebhooks, WebhookKey(record.webhook.webhook_id), EncodeWebhook(record));
      PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
      task.webhook = record.webhook;
    }
    if (!next) continue;
    PAY_ASSIGN_OR_RETURN(std::optional<PaymentEvent> event, EventOf(*next));
    if (!event) continue;
    task.event = *std::move(event);
    tasks.push_back(std::move(task));
  }
  return tasks;
}

Status GatewayImpl::RecordWebhookAttempt(const WebhookTask& task, const WebhookAttempt& attempt,
                                         int64_t now_ms) {
  std::lock_guard<std::mutex> lock(webhooks_mu_);
  const std::string& webhook_id = task.webhook.webhook_id;
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                       ledger_->Get(Table::kWebhooks, WebhookKey(webhook_id)));
  if (!bytes) return absl::OkStatus();  // deleted meanwhile: nothing to record
  WebhookRecord record;
  PAY_RETURN_IF_ERROR(DecodeWebhook(*bytes, &record));
  const uint64_t sequence = task.event.sequence;
  const std::string event_type(EntryTypeName(task.event.type));
  WriteSet write_set;
  if (task.replay) {
    const std::string key = DeliveryKey(webhook_id, sequence);
    PAY_ASSIGN_OR_RETURN(std::optional<std::string> stored, ledger_->Get(Table::kWebhooks, key));
    if (!stored) return absl::OkStatus();
    WebhookDelivery delivery;
    PAY_RETURN_IF_ERROR(DecodeDelivery(*stored, &delivery));
    if (delivery.state != DeliveryState::kReplaying) return absl::OkStatus();
    ++delivery.attempts;
    delivery.last_http_status = attempt.http_status;
    delivery.last_error = attempt.delivered ? std::string() : attempt.error;
    delivery.last_attempt_time_ms = now_ms;
    if (attempt.delivered) {
      delivery.state = DeliveryState::kDelivered;
      delivery.next_attempt_time_ms = 0;
    } else if (Exhausted(options_, delivery.attempts, delivery.first_attempt_time_ms, now_ms)) {
      delivery.state = DeliveryState::kFailed;
      delivery.next_attempt_time_ms = 0;
    } else {
      delivery.next_attempt_time_ms = now_ms + Backoff(options_, delivery.attempts);
    }
    write_set.Put(Table::kWebhooks, key, EncodeDelivery(delivery));
    return ledger_->Commit(std::move(write_set)).status();
  }
  if (sequence <= record.webhook.delivered_through) return absl::OkStatus();  // stale
  if (record.head_sequence != sequence) {
    record.head_sequence = sequence;
    record.head_attempts = 0;
    record.head_first_attempt_ms = now_ms;
  }
  ++record.head_attempts;
  record.head_http_status = attempt.http_status;
  record.head_error = attempt.error;
  record.head_last_attempt_ms = now_ms;
  if (attempt.delivered ||
      Exhausted(options_, record.head_attempts, record.head_first_attempt_ms, now_ms)) {
    if (!attempt.delivered) {
      WebhookDelivery dead = HeadDelivery(record, event_type);
      dead.state = DeliveryState::kFailed;
      dead.next_attempt_time_ms = 0;
      write_set.Put(Table::kWebhooks, DeliveryKey(webhook_id, sequence), EncodeDelivery(dead));
    }
    record.webhook.delivered_through = sequence;
    record.head_sequence = 0;
    record.head_attempts = 0;
    record.head_http_status = 0;
    record.head_error.clear();
    record.head_first_attempt_ms = record.head_last_attempt_ms = record.head_next_attempt_ms = 0;
  } else {
    record.head_next_attempt_ms = now_ms + Backoff(options_, record.head_attempts);
  }
  write_set.Put(Table::kWebhooks, WebhookKey(webhook_id), EncodeWebhook(record));
  return ledger_->Commit(std::move(write_set)).status();
}

}  // namespace pay::internal
