// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "auth.h"
#include "convert.h"
#include "pooled_call.h"
#include "services.h"

namespace payd {

grpc::ServerUnaryReactor* FeeServiceImpl::CreateFee(grpc::CallbackServerContext* context,
                                                    const pay::v1::CreateFeeRequest* request,
                                                    pay::v1::Fee* response) {
  return HandleCallOnPool(
      *gateway_, *pool_, context, "CreateFee",
      "retry after a short backoff, with the same idempotency_key if you gave one",
      [this, request, response](const pay::Principal& caller) {
        PAY_ASSIGN_OR_RETURN(pay::CreateFeeRequest create, FromProto(*request));
        PAY_ASSIGN_OR_RETURN(pay::Fee fee, gateway_->CreateFee(caller, create));
        ToProto(fee, response);
        return pay::Status();
      });
}

grpc::Status FeeServiceImpl::GetFee(grpc::ServerContext* context,
                                    const pay::v1::GetFeeRequest* request,
                                    pay::v1::Fee* response) {
  return HandleCall(*gateway_, context, "GetFee", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::Fee fee, gateway_->GetFee(caller, request->fee_id()));
    ToProto(fee, response);
    return pay::Status();
  });
}

grpc::Status FeeServiceImpl::ListFees(grpc::ServerContext* context,
                                      const pay::v1::ListFeesRequest* request,
                                      pay::v1::ListFeesResponse* response) {
  return HandleCall(*gateway_, context, "ListFees", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::ListFeesRequest list, FromProto(*request));
    PAY_ASSIGN_OR_RETURN(pay::ListFeesResult result, gateway_->ListFees(caller, list));
    for (const pay::Fee& fee : result.fees) ToProto(fee, response->add_fees());
    response->set_next_page_token(result.next_page_token);
    return pay::Status();
  });
}

grpc::Status FeeServiceImpl::CancelFee(grpc::ServerContext* context,
                                       const pay::v1::CancelFeeRequest* request,
                                       pay::v1::Fee* response) {
  return HandleCall(*gateway_, context, "CancelFee", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::Fee fee,
                         gateway_->CancelFee(caller, request->fee_id(), request->reason()));
    ToProto(fee, response);
    return pay::Status();
  });
}

grpc::Status FeeServiceImpl::InquireBill(grpc::ServerContext* context,
                                         const pay::v1::InquireBillRequest* request,
                                         pay::v1::InquireBillResponse* response) {
  return HandleCall(*gateway_, context, "InquireBill", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::BillInquiry inquiry,
                         gateway_->InquireBill(caller, request->bill_number()));
    ToProto(inquiry, response);
    return pay::Status();
  });
}

grpc::Status FeeServiceImpl::DefineFeeType(grpc::ServerContext* context,
                                           const pay::v1::DefineFeeTypeRequest* request,
                                           pay::v1::FeeType* response) {
  return HandleCall(*gateway_, context, "DefineFeeType", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::DefineFeeTypeRequest define, FromProto(*request));
    PAY_ASSIGN_OR_RETURN(pay::FeeType fee_type, gateway_->DefineFeeType(caller, define));
    ToProto(fee_type, response);
    return pay::Status();
  });
}

grpc::Status FeeServiceImpl::GetFeeType(grpc::ServerContext* context,
                                        const pay::v1::GetFeeTypeRequest* request,
                                        pay::v1::FeeType* response) {
  return HandleCall(*gateway_, context, "GetFeeType", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::FeeType fee_type,
                         gateway_->GetFeeType(caller, request->code(), request->agency_id()));
    ToProto(fee_type, response);
    return pay::Status();
  });
}

grpc::Status FeeServiceImpl::ListFeeTypes(grpc::ServerContext* context,
                                          const pay::v1::ListFeeTypesRequest* request,
                                          pay::v1::ListFeeTypesResponse* response) {
  return HandleCall(*gateway_, context, "ListFeeTypes", [&](const pay::Principal& caller) {
    pay::ListFeeTypesRequest list;
    list.page_size = request->page_size();
    list.page_token = request->page_token();
    list.agency_id = request->agency_id();
    PAY_ASSIGN_OR_RETURN(pay::ListFeeTypesResult result, gateway_->ListFeeTypes(caller, list));
    for (const pay::FeeType& fee_type : result.fee_types) {
      ToProto(fee_type, response->add_fee_types());
    }
    response->set_next_page_token(result.next_page_token);
    return pay::Status();
  });
}

grpc::Status FeeServiceImpl::WaiveFee(grpc::ServerContext* context,
                                      const pay::v1::WaiveFeeRequest* request,
                                      pay::v1::Fee* response) {
  return HandleCall(*gateway_, context, "WaiveFee", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::WaiveFeeRequest waive, FromProto(*request));
    PAY_ASSIGN_OR_RETURN(pay::Fee fee, gateway_->WaiveFee(caller, waive));
    ToProto(fee, response);
    return pay::Status();
  });
}

}  // namespace payd
