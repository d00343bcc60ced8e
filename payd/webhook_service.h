// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// pay.v1.WebhookService: thin handlers over pay::Gateway's webhook methods.

#ifndef PAY_PAYD_WEBHOOK_SERVICE_H_
#define PAY_PAYD_WEBHOOK_SERVICE_H_

#include "pay/gateway.h"
#include "pay/v1/webhook_service.grpc.pb.h"

namespace payd {

class WebhookServiceImpl final : public pay::v1::WebhookService::Service {
 public:
  explicit WebhookServiceImpl(pay::Gateway* gateway) : gateway_(gateway) {}
  grpc::Status CreateWebhook(grpc::ServerContext* context,
                             const pay::v1::CreateWebhookRequest* request,
                             pay::v1::CreateWebhookResponse* response) override;
  grpc::Status ListWebhooks(grpc::ServerContext* context,
                            const pay::v1::ListWebhooksRequest* request,
                            pay::v1::ListWebhooksResponse* response) override;
  grpc::Status DeleteWebhook(grpc::ServerContext* context,
                             const pay::v1::DeleteWebhookRequest* request,
                             pay::v1::DeleteWebhookResponse* response) override;
  grpc::Status ListWebhookDeliveries(grpc::ServerContext* context,
                                     const pay::v1::ListWebhookDeliveriesRequest* request,
                                     pay::v1::ListWebhookDeliveriesResponse* response) override;
  grpc::Status ReplayWebhookDelivery(grpc::ServerContext* context,
                                     const pay::v1::ReplayWebhookDeliveryRequest* request,
                                     pay::v1::WebhookDelivery* response) override;

 private:
  pay::Gateway* gateway_;
};

}  // namespace payd

#endif  // PAY_PAYD_WEBHOOK_SERVICE_H_
