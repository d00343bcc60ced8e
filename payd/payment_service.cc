// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "auth.h"
#include "convert.h"
#include "pooled_call.h"
#include "services.h"

namespace payd {

namespace {
// RESOURCE_EXHAUSTED's advice for the pooled writes: nothing was written, so the same request
// is safe to send again, and its idempotency_key makes a duplicate impossible anyway.
constexpr std::string_view kRetryWithSameKey =
    "retry after a short backoff with the same idempotency_key";
}  // namespace

grpc::ServerUnaryReactor* PaymentServiceImpl::RecordChannelPayment(
    grpc::CallbackServerContext* context, const pay::v1::RecordChannelPaymentRequest* request,
    pay::v1::Payment* response) {
  return HandleCallOnPool(
      *gateway_, *pool_, context, "RecordChannelPayment", kRetryWithSameKey,
      [this, request, response](const pay::Principal& caller) {
        PAY_ASSIGN_OR_RETURN(pay::RecordChannelPaymentRequest record, FromProto(*request));
        PAY_ASSIGN_OR_RETURN(pay::Payment payment, gateway_->RecordChannelPayment(caller, record));
        ToProto(payment, response);
        return pay::Status();
      });
}

grpc::ServerUnaryReactor* PaymentServiceImpl::CreatePayment(
    grpc::CallbackServerContext* context, const pay::v1::CreatePaymentRequest* request,
    pay::v1::Payment* response) {
  return HandleCallOnPool(
      *gateway_, *pool_, context, "CreatePayment", kRetryWithSameKey,
      [this, request, response](const pay::Principal& caller) {
        PAY_ASSIGN_OR_RETURN(pay::CreatePaymentRequest create, FromProto(*request));
        PAY_ASSIGN_OR_RETURN(pay::Payment payment, gateway_->CreatePayment(caller, create));
        ToProto(payment, response);
        return pay::Status();
      });
}

grpc::Status PaymentServiceImpl::GetPayment(grpc::ServerContext* context,
                                            const pay::v1::GetPaymentRequest* request,
                                            pay::v1::Payment* response) {
  return HandleCall(*gateway_, context, "GetPayment", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::Payment payment, gateway_->GetPayment(caller, request->payment_id()));
    ToProto(payment, response);
    return pay::Status();
  });
}

grpc::Status PaymentServiceImpl::ListPayments(grpc::ServerContext* context,
                                              const pay::v1::ListPaymentsRequest* request,
                                              pay::v1::ListPaymentsResponse* response) {
  return HandleCall(*gateway_, context, "ListPayments", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::ListPaymentsRequest list, FromProto(*request));
    PAY_ASSIGN_OR_RETURN(pay::ListPaymentsResult result, gateway_->ListPayments(caller, list));
    for (const pay::Payment& payment : result.payments) ToProto(payment, response->add_payments());
    response->set_next_page_token(result.next_page_token);
    return pay::Status();
  });
}

grpc::Status PaymentServiceImpl::CancelPayment(grpc::ServerContext* context,
                                               const pay::v1::CancelPaymentRequest* request,
                                               pay::v1::Payment* response) {
  return HandleCall(*gateway_, context, "CancelPayment", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::Payment payment,
                         gateway_->CancelPayment(caller, request->payment_id(), request->reason()));
    ToProto(payment, response);
    return pay::Status();
  });
}

}  // namespace payd
