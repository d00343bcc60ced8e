// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// PaymentService refund rpcs and AdminService.SetRefundPolicy: conversion only (pay/refund.h and
// pay::Gateway hold the rules).

#include "auth.h"
#include "convert.h"
#include "refund_convert.h"
#include "services.h"

namespace payd {

grpc::Status PaymentServiceImpl::RefundPayment(grpc::ServerContext* context,
                                               const pay::v1::RefundPaymentRequest* request,
                                               pay::v1::Refund* response) {
  return HandleCall(*gateway_, context, "RefundPayment", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::RefundPaymentRequest refund, FromProto(*request));
    PAY_ASSIGN_OR_RETURN(pay::Refund result, gateway_->RefundPayment(caller, refund));
    ToProto(result, response);
    return pay::Status();
  });
}

grpc::Status PaymentServiceImpl::ApproveRefund(grpc::ServerContext* context,
                                               const pay::v1::ApproveRefundRequest* request,
                                               pay::v1::Refund* response) {
  return HandleCall(*gateway_, context, "ApproveRefund", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::ApproveRefundRequest approve, FromProto(*request));
    PAY_ASSIGN_OR_RETURN(pay::Refund result, gateway_->ApproveRefund(caller, approve));
    ToProto(result, response);
    return pay::Status();
  });
}

grpc::Status PaymentServiceImpl::RejectRefund(grpc::ServerContext* context,
                                              const pay::v1::RejectRefundRequest* request,
                                              pay::v1::Refund* response) {
  return HandleCall(*gateway_, context, "RejectRefund", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::Refund result,
                         gateway_->RejectRefund(caller, request->refund_id(), request->reason()));
    ToProto(result, response);
    return pay::Status();
  });
}

grpc::Status PaymentServiceImpl::GetRefund(grpc::ServerContext* context,
                                           const pay::v1::GetRefundRequest* request,
                                           pay::v1::Refund* response) {
  return HandleCall(*gateway_, context, "GetRefund", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::Refund result, gateway_->GetRefund(caller, request->refund_id()));
    ToProto(result, response);
    return pay::Status();
  });
}

grpc::Status PaymentServiceImpl::ListRefunds(grpc::ServerContext* context,
                                             const pay::v1::ListRefundsRequest* request,
                                             pay::v1::ListRefundsResponse* response) {
  return HandleCall(*gateway_, context, "ListRefunds", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::ListRefundsRequest list, FromProto(*request));
    PAY_ASSIGN_OR_RETURN(pay::ListRefundsResult result, gateway_->ListRefunds(caller, list));
    for (const pay::Refund& refund : result.refunds) ToProto(refund, response->add_refunds());
    response->set_next_page_token(result.next_page_token);
    return pay::Status();
  });
}

grpc::Status AdminServiceImpl::SetRefundPolicy(grpc::ServerContext* context,
                                               const pay::v1::SetRefundPolicyRequest* request,
                                               pay::v1::RefundPolicy* response) {
  return HandleCall(*gateway_, context, "SetRefundPolicy", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::RefundPolicy policy, FromProto(*request));
    PAY_ASSIGN_OR_RETURN(pay::RefundPolicy result, gateway_->SetRefundPolicy(caller, policy));
    ToProto(result, response);
    return pay::Status();
  });
}

}  // namespace payd
