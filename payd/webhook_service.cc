// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "webhook_service.h"

#include "auth.h"
#include "event_convert.h"

namespace payd {

grpc::Status WebhookServiceImpl::CreateWebhook(grpc::ServerContext* context,
                                               const pay::v1::CreateWebhookRequest* request,
                                               pay::v1::CreateWebhookResponse* response) {
  return HandleCall(*gateway_, context, "CreateWebhook", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::CreatedWebhook created,
                         gateway_->CreateWebhook(caller, {request->url(), request->description()}));
    ToProto(created.webhook, response->mutable_webhook());
    response->set_secret(created.secret);
    return pay::Status();
  });
}

grpc::Status WebhookServiceImpl::ListWebhooks(grpc::ServerContext* context,
                                              const pay::v1::ListWebhooksRequest*,
                                              pay::v1::ListWebhooksResponse* response) {
  return HandleCall(*gateway_, context, "ListWebhooks", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(std::vector<pay::Webhook> webhooks, gateway_->ListWebhooks(caller));
    for (const pay::Webhook& webhook : webhooks) ToProto(webhook, response->add_webhooks());
    return pay::Status();
  });
}

grpc::Status WebhookServiceImpl::DeleteWebhook(grpc::ServerContext* context,
                                               const pay::v1::DeleteWebhookRequest* request,
                                               pay::v1::DeleteWebhookResponse*) {
  return HandleCall(*gateway_, context, "DeleteWebhook", [&](const pay::Principal& caller) {
    return gateway_->DeleteWebhook(caller, request->webhook_id());
  });
}

grpc::Status WebhookServiceImpl::ListWebhookDeliveries(
    grpc::ServerContext* context, const pay::v1::ListWebhookDeliveriesRequest* request,
    pay::v1::ListWebhookDeliveriesResponse* response) {
  return HandleCall(*gateway_, context, "ListWebhookDeliveries", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::ListWebhookDeliveriesRequest list, FromProto(*request));
    PAY_ASSIGN_OR_RETURN(pay::ListWebhookDeliveriesResult result,
                         gateway_->ListWebhookDeliveries(caller, list));
    for (const pay::WebhookDelivery& delivery : result.deliveries) {
      ToProto(delivery, response->add_deliveries());
    }
    response->set_next_page_token(result.next_page_token);
    return pay::Status();
  });
}

grpc::Status WebhookServiceImpl::ReplayWebhookDelivery(
    grpc::ServerContext* context, const pay::v1::ReplayWebhookDeliveryRequest* request,
    pay::v1::WebhookDelivery* response) {
  return HandleCall(*gateway_, context, "ReplayWebhookDelivery", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(
        pay::WebhookDelivery delivery,
        gateway_->ReplayWebhookDelivery(caller, request->webhook_id(), request->sequence()));
    ToProto(delivery, response);
    return pay::Status();
  });
}

}  // namespace payd
