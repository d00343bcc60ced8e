// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The pay.v1 services. Each handler converts the request, calls pay::Gateway with the
// authenticated principal, and converts the result; there is no business logic here.

#ifndef PAY_PAYD_SERVICES_H_
#define PAY_PAYD_SERVICES_H_

#include "call_pool.h"
#include "pay/gateway.h"
#include "pay/v1/admin_service.grpc.pb.h"
#include "pay/v1/fee_service.grpc.pb.h"
#include "pay/v1/ledger_service.grpc.pb.h"
#include "pay/v1/payment_service.grpc.pb.h"
#include "pay/v1/settlement_service.grpc.pb.h"

namespace payd {

class AdminServiceImpl final : public pay::v1::AdminService::Service {
 public:
  explicit AdminServiceImpl(pay::Gateway* gateway) : gateway_(gateway) {}
  grpc::Status CreateAgency(grpc::ServerContext* context,
                            const pay::v1::CreateAgencyRequest* request,
                            pay::v1::Agency* response) override;
  grpc::Status ListAgencies(grpc::ServerContext* context,
                            const pay::v1::ListAgenciesRequest* request,
                            pay::v1::ListAgenciesResponse* response) override;
  grpc::Status CreateCredential(grpc::ServerContext* context,
                                const pay::v1::CreateCredentialRequest* request,
                                pay::v1::CreateCredentialResponse* response) override;
  grpc::Status RevokeCredential(grpc::ServerContext* context,
                                const pay::v1::RevokeCredentialRequest* request,
                                pay::v1::Credential* response) override;
  grpc::Status ListConnectors(grpc::ServerContext* context,
                              const pay::v1::ListConnectorsRequest* request,
                              pay::v1::ListConnectorsResponse* response) override;
  grpc::Status ReconcileConnector(grpc::ServerContext* context,
                                  const pay::v1::ReconcileConnectorRequest* request,
                                  pay::v1::ReconcileConnectorResponse* response) override;
  grpc::Status SetRefundPolicy(grpc::ServerContext* context,
                               const pay::v1::SetRefundPolicyRequest* request,
                               pay::v1::RefundPolicy* response) override;

 private:
  pay::Gateway* gateway_;
};

// CreateFee runs on the same CallPool as the payment writes (see PaymentServiceImpl).
class FeeServiceImpl final
    : public pay::v1::FeeService::WithCallbackMethod_CreateFee<pay::v1::FeeService::Service> {
 public:
  FeeServiceImpl(pay::Gateway* gateway, CallPool* pool) : gateway_(gateway), pool_(pool) {}
  grpc::ServerUnaryReactor* CreateFee(grpc::CallbackServerContext* context,
                                      const pay::v1::CreateFeeRequest* request,
                                      pay::v1::Fee* response) override;
  grpc::Status GetFee(grpc::ServerContext* context, const pay::v1::GetFeeRequest* request,
                      pay::v1::Fee* response) override;
  grpc::Status ListFees(grpc::ServerContext* context, const pay::v1::ListFeesRequest* request,
                        pay::v1::ListFeesResponse* response) override;
  grpc::Status CancelFee(grpc::ServerContext* context, const pay::v1::CancelFeeRequest* request,
                         pay::v1::Fee* response) override;
  grpc::Status InquireBill(grpc::ServerContext* context,
                           const pay::v1::InquireBillRequest* request,
                           pay::v1::InquireBillResponse* response) override;
  grpc::Status DefineFeeType(grpc::ServerContext* context,
                             const pay::v1::DefineFeeTypeRequest* request,
                             pay::v1::FeeType* response) override;
  grpc::Status GetFeeType(grpc::ServerContext* context, const pay::v1::GetFeeTypeRequest* request,
                          pay::v1::FeeType* response) override;
  grpc::Status ListFeeTypes(grpc::ServerContext* context,
                            const pay::v1::ListFeeTypesRequest* request,
                            pay::v1::ListFeeTypesResponse* response) override;
  grpc::Status WaiveFee(grpc::ServerContext* context, const pay::v1::WaiveFeeRequest* request,
                        pay::v1::Fee* response) override;
  // Bulk issuance (bulk_fees.cc).
  grpc::Status CreateFees(grpc::ServerContext* context,
                          grpc::ServerReader<pay::v1::CreateFeesRequest>* reader,
                          pay::v1::CreateFeesResponse* response) override;

 private:
  pay::Gateway* gateway_;
  CallPool* pool_;
};

// CreatePayment and RecordChannelPayment, which wait for the ledger's fsync, are served with
// gRPC's callback API and run on `pool`'s workers (pooled_call.h); every other method is
// synchronous.
class PaymentServiceImpl final
    : public pay::v1::PaymentService::WithCallbackMethod_CreatePayment<
          pay::v1::PaymentService::WithCallbackMethod_RecordChannelPayment<
              pay::v1::PaymentService::Service>> {
 public:
  PaymentServiceImpl(pay::Gateway* gateway, CallPool* pool) : gateway_(gateway), pool_(pool) {}
  grpc::ServerUnaryReactor* RecordChannelPayment(
      grpc::CallbackServerContext* context, const pay::v1::RecordChannelPaymentRequest* request,
      pay::v1::Payment* response) override;
  grpc::ServerUnaryReactor* CreatePayment(grpc::CallbackServerContext* context,
                                          const pay::v1::CreatePaymentRequest* request,
                                          pay::v1::Payment* response) override;
  grpc::Status GetPayment(grpc::ServerContext* context, const pay::v1::GetPaymentRequest* request,
                          pay::v1::Payment* response) override;
  grpc::Status ListPayments(grpc::ServerContext* context,
                            const pay::v1::ListPaymentsRequest* request,
                            pay::v1::ListPaymentsResponse* response) override;
  grpc::Status CancelPayment(grpc::ServerContext* context,
                             const pay::v1::CancelPaymentRequest* request,
                             pay::v1::Payment* response) override;
  // watch_payments.cc. Holds a server thread for as long as it streams: at most
  // kMaxConcurrentWatches at once. Ends when the client cancels or payd stops.
  grpc::Status WatchPayments(grpc::ServerContext* context,
                             const pay::v1::WatchPaymentsRequest* request,
                             grpc::ServerWriter<pay::v1::PaymentEvent>* writer) override;
  // Refunds (refund_handlers.cc).
  grpc::Status RefundPayment(grpc::ServerContext* context,
                             const pay::v1::RefundPaymentRequest* request,
                             pay::v1::Refund* response) override;
  grpc::Status ApproveRefund(grpc::ServerContext* context,
                             const pay::v1::ApproveRefundRequest* request,
                             pay::v1::Refund* response) override;
  grpc::Status RejectRefund(grpc::ServerContext* context,
                            const pay::v1::RejectRefundRequest* request,
                            pay::v1::Refund* response) override;
  grpc::Status GetRefund(grpc::ServerContext* context, const pay::v1::GetRefundRequest* request,
                         pay::v1::Refund* response) override;
  grpc::Status ListRefunds(grpc::ServerContext* context, const pay::v1::ListRefundsRequest* request,
                           pay::v1::ListRefundsResponse* response) override;

 private:
  pay::Gateway* gateway_;
  CallPool* pool_;
};

// The ledger for auditors. ExportLedger streams straight from the store: each entry is converted
// and written as it is read, under no lock, so a stream of any length uses constant memory and
// blocks no writer; it ends early (CANCELLED) when the client goes away or the server shuts
// down, and the client resumes from the last sequence it received + 1.
class LedgerServiceImpl final : public pay::v1::LedgerService::Service {
 public:
  explicit LedgerServiceImpl(pay::Gateway* gateway) : gateway_(gateway) {}
  grpc::Status ExportLedger(grpc::ServerContext* context,
                            const pay::v1::ExportLedgerRequest* request,
                            grpc::ServerWriter<pay::v1::LedgerEntry>* writer) override;
  grpc::Status GetCheckpoint(grpc::ServerContext* context,
                             const pay::v1::GetCheckpointRequest* request,
                             pay::v1::LedgerEntry* response) override;

 private:
  pay::Gateway* gateway_;
};

// Settlement windows and treasury accounts (settlement_service.cc).
class SettlementServiceImpl final : public pay::v1::SettlementService::Service {
 public:
  explicit SettlementServiceImpl(pay::Gateway* gateway) : gateway_(gateway) {}
  grpc::Status ListSettlementWindows(grpc::ServerContext* context,
                                     const pay::v1::ListSettlementWindowsRequest* request,
                                     pay::v1::ListSettlementWindowsResponse* response) override;
  grpc::Status GetSettlementWindow(grpc::ServerContext* context,
                                   const pay::v1::GetSettlementWindowRequest* request,
                                   pay::v1::SettlementWindow* response) override;
  grpc::Status CloseSettlementWindow(grpc::ServerContext* context,
                                     const pay::v1::CloseSettlementWindowRequest* request,
                                     pay::v1::SettlementWindow* response) override;
  grpc::Status RetrySettlement(grpc::ServerContext* context,
                               const pay::v1::RetrySettlementRequest* request,
                               pay::v1::SettlementWindow* response) override;
  grpc::Status GetSettlementReport(grpc::ServerContext* context,
                                   const pay::v1::GetSettlementReportRequest* request,
                                   pay::v1::SettlementReport* response) override;
  grpc::Status SetTreasuryAccount(grpc::ServerContext* context,
                                  const pay::v1::SetTreasuryAccountRequest* request,
                                  pay::v1::TreasuryAccount* response) override;
  grpc::Status ListTreasuryAccounts(grpc::ServerContext* context,
                                    const pay::v1::ListTreasuryAccountsRequest* request,
                                    pay::v1::ListTreasuryAccountsResponse* response) override;

 private:
  pay::Gateway* gateway_;
};

}  // namespace payd

#endif  // PAY_PAYD_SERVICES_H_
