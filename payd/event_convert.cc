// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "event_convert.h"

#include <google/protobuf/util/json_util.h>

namespace payd {
namespace {

void ToTimestamp(int64_t time_ms, google::protobuf::Timestamp* out) {
  out->set_seconds(time_ms / 1000);
  out->set_nanos(static_cast<int32_t>(time_ms % 1000) * 1'000'000);
}

}  // namespace

void ToProto(const pay::PaymentEvent& event, pay::v1::PaymentEvent* out) {
  out->set_sequence(event.sequence);
  ToTimestamp(event.time_ms, out->mutable_time());
  out->set_type(std::string(pay::EntryTypeName(event.type)));
  out->set_agency_id(event.agency_id);
  out->set_fee_id(event.fee_id);
  out->set_payment_id(event.payment_id);
  out->set_refund_id(event.refund_id);
  out->set_from_state(event.from_state);
  out->set_to_state(event.to_state);
  if (!event.amount.currency().empty()) {
    out->mutable_amount()->set_currency(event.amount.currency());
    out->mutable_amount()->set_minor_units(event.amount.minor_units());
  }
  out->set_detail(event.detail);
}

void ToProto(const pay::Webhook& webhook, pay::v1::Webhook* out) {
  out->set_webhook_id(webhook.webhook_id);
  out->set_agency_id(webhook.agency_id);
  out->set_url(webhook.url);
  out->set_description(webhook.description);
  ToTimestamp(webhook.create_time_ms, out->mutable_create_time());
  out->set_start_sequence(webhook.start_sequence);
  out->set_delivered_through(webhook.delivered_through);
}

void ToProto(const pay::WebhookDelivery& delivery, pay::v1::WebhookDelivery* out) {
  out->set_webhook_id(delivery.webhook_id);
  out->set_sequence(delivery.sequence);
  out->set_event_type(delivery.event_type);
  out->set_state(static_cast<pay::v1::WebhookDelivery::State>(delivery.state));
  out->set_attempts(delivery.attempts);
  out->set_last_http_status(delivery.last_http_status);
  out->set_last_error(delivery.last_error);
  if (delivery.first_attempt_time_ms != 0) {
    ToTimestamp(delivery.first_attempt_time_ms, out->mutable_first_attempt_time());
  }
  if (delivery.last_attempt_time_ms != 0) {
    ToTimestamp(delivery.last_attempt_time_ms, out->mutable_last_attempt_time());
  }
  if (delivery.next_attempt_time_ms != 0) {
    ToTimestamp(delivery.next_attempt_time_ms, out->mutable_next_attempt_time());
  }
}

pay::Result<pay::ListWebhookDeliveriesRequest> FromProto(
    const pay::v1::ListWebhookDeliveriesRequest& request) {
  pay::ListWebhookDeliveriesRequest result;
  result.webhook_id = request.webhook_id();
  if (request.state() != pay::v1::WebhookDelivery::STATE_UNSPECIFIED) {
    if (!pay::v1::WebhookDelivery::State_IsValid(request.state())) {
      return absl::InvalidArgumentError("state: unknown delivery state");
    }
    result.state = static_cast<pay::DeliveryState>(request.state());
  }
  result.page_size = request.page_size();
  result.page_token = request.page_token();
  return result;
}

std::string EventJson(const pay::PaymentEvent& event) {
  pay::v1::PaymentEvent message;
  ToProto(event, &message);
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  // Printing a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace payd
