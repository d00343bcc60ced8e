// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// pay::PaymentEvent and webhook types <-> pay.v1 messages, and the JSON body of a webhook
// delivery (the protobuf JSON mapping of pay.v1.PaymentEvent).

#ifndef PAY_PAYD_EVENT_CONVERT_H_
#define PAY_PAYD_EVENT_CONVERT_H_

#include <string>

#include "pay/events.h"
#include "pay/v1/payment_service.pb.h"
#include "pay/v1/webhook_service.pb.h"

namespace payd {

void ToProto(const pay::PaymentEvent& event, pay::v1::PaymentEvent* out);
void ToProto(const pay::Webhook& webhook, pay::v1::Webhook* out);
void ToProto(const pay::WebhookDelivery& delivery, pay::v1::WebhookDelivery* out);
pay::Result<pay::ListWebhookDeliveriesRequest> FromProto(
    const pay::v1::ListWebhookDeliveriesRequest& request);

// The body POSTed for `event`: its pay.v1.PaymentEvent in the protobuf JSON mapping, compact,
// with the original field names (snake_case), e.g. {"sequence":"42","time":"...","type":...}.
std::string EventJson(const pay::PaymentEvent& event);

}  // namespace payd

#endif  // PAY_PAYD_EVENT_CONVERT_H_
