// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Conversions between pay.v1 messages and libpay types. Conversions from the wire validate only
// what the types cannot hold (an enum value out of range, a currency code that is not ISO 4217);
// libpay validates the rest and names the field.

#ifndef PAY_PAYD_CONVERT_H_
#define PAY_PAYD_CONVERT_H_

#include <grpcpp/grpcpp.h>

#include <string_view>

#include "pay/gateway.h"
#include "pay/v1/admin_service.pb.h"
#include "pay/v1/fee_service.pb.h"
#include "pay/v1/ledger_service.pb.h"
#include "pay/v1/payment_service.pb.h"

namespace payd {

// libpay status -> gRPC status (the codes are the same numbers).
grpc::Status ToGrpc(const pay::Status& status);

pay::Result<pay::Money> FromProto(const pay::v1::Money& money, std::string_view field);
void ToProto(const pay::Money& money, pay::v1::Money* out);
pay::LocalizedText FromProto(const pay::v1::LocalizedText& text);
void ToProto(const pay::LocalizedText& text, pay::v1::LocalizedText* out);

pay::Result<pay::CreateFeeRequest> FromProto(const pay::v1::CreateFeeRequest& request);
pay::Result<pay::ListFeesRequest> FromProto(const pay::v1::ListFeesRequest& request);
pay::Result<pay::CreatePaymentRequest> FromProto(const pay::v1::CreatePaymentRequest& request);
pay::Result<pay::RecordChannelPaymentRequest> FromProto(
    const pay::v1::RecordChannelPaymentRequest& request);
pay::Result<pay::ListPaymentsRequest> FromProto(const pay::v1::ListPaymentsRequest& request);
pay::Result<pay::CreateCredentialRequest> FromProto(
    const pay::v1::CreateCredentialRequest& request);
// from_sequence 0 means 1. Times are rounded up to the next millisecond (entries carry whole
// milliseconds, so that keeps from_time inclusive and to_time exclusive); a to_time at the epoch
// itself is refused, since 0 ms means "unbounded" to libpay.
pay::Result<pay::ExportFilter> FromProto(const pay::v1::ExportLedgerRequest& request);

// The statement period of a reconciliation, [start, end) in Unix milliseconds.
struct ReconcilePeriod {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};
pay::Result<ReconcilePeriod> FromProto(const pay::v1::ReconcileConnectorRequest& request);
void ToProto(const pay::ReconciliationReport& report, pay::v1::ReconcileConnectorResponse* out);

void ToProto(const pay::Fee& fee, pay::v1::Fee* out);
void ToProto(const pay::BillInquiry& inquiry, pay::v1::InquireBillResponse* out);
void ToProto(const pay::Payment& payment, pay::v1::Payment* out);
void ToProto(const pay::Agency& agency, pay::v1::Agency* out);
void ToProto(const pay::Credential& credential, pay::v1::Credential* out);

// The fee catalogue.
void ToProto(const pay::FeeTerms& terms, pay::v1::FeeTerms* out);
pay::Result<pay::FeeTerms> FromProto(const pay::v1::FeeTerms& terms);
pay::Result<pay::DefineFeeTypeRequest> FromProto(const pay::v1::DefineFeeTypeRequest& request);
pay::Result<pay::WaiveFeeRequest> FromProto(const pay::v1::WaiveFeeRequest& request);
void ToProto(const pay::FeeType& fee_type, pay::v1::FeeType* out);

}  // namespace payd

#endif  // PAY_PAYD_CONVERT_H_
