// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "auth.h"
#include "convert.h"
#include "services.h"

namespace payd {

grpc::Status AdminServiceImpl::CreateAgency(grpc::ServerContext* context,
                                            const pay::v1::CreateAgencyRequest* request,
                                            pay::v1::Agency* response) {
  return HandleCall(*gateway_, context, "CreateAgency", [&](const pay::Principal& caller) {
    pay::CreateAgencyRequest create{request->agency_id(), FromProto(request->name())};
    PAY_ASSIGN_OR_RETURN(pay::Agency agency, gateway_->CreateAgency(caller, create));
    ToProto(agency, response);
    return pay::Status();
  });
}

grpc::Status AdminServiceImpl::ListAgencies(grpc::ServerContext* context,
                                            const pay::v1::ListAgenciesRequest* request,
                                            pay::v1::ListAgenciesResponse* response) {
  return HandleCall(*gateway_, context, "ListAgencies", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(
        pay::ListAgenciesResult result,
        gateway_->ListAgencies(caller, request->page_size(), request->page_token()));
    for (const pay::Agency& agency : result.agencies) ToProto(agency, response->add_agencies());
    response->set_next_page_token(result.next_page_token);
    return pay::Status();
  });
}

grpc::Status AdminServiceImpl::CreateCredential(grpc::ServerContext* context,
                                                const pay::v1::CreateCredentialRequest* request,
                                                pay::v1::CreateCredentialResponse* response) {
  return HandleCall(*gateway_, context, "CreateCredential", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::CreateCredentialRequest create, FromProto(*request));
    PAY_ASSIGN_OR_RETURN(pay::IssuedCredential issued, gateway_->CreateCredential(caller, create));
    ToProto(issued.credential, response->mutable_credential());
    response->set_api_key(issued.api_key);
    return pay::Status();
  });
}

grpc::Status AdminServiceImpl::RevokeCredential(grpc::ServerContext* context,
                                                const pay::v1::RevokeCredentialRequest* request,
                                                pay::v1::Credential* response) {
  return HandleCall(*gateway_, context, "RevokeCredential", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::Credential credential,
                         gateway_->RevokeCredential(caller, request->credential_id()));
    ToProto(credential, response);
    return pay::Status();
  });
}

grpc::Status AdminServiceImpl::ListConnectors(grpc::ServerContext* context,
                                              const pay::v1::ListConnectorsRequest* request,
                                              pay::v1::ListConnectorsResponse* response) {
  return HandleCall(*gateway_, context, "ListConnectors", [&](const pay::Principal& caller) {
    if (caller.role != pay::Role::kAdmin) {
      return absl::PermissionDeniedError("only ADMIN credentials list connectors");
    }
    for (const pay::ConnectorStatus& status : gateway_->ConnectorStatuses()) {
      pay::v1::ConnectorInfo* info = response->add_connectors();
      info->set_name(status.name);
      info->set_breaker_state(status.breaker_state);
      info->set_consecutive_failures(status.consecutive_failures);
    }
    return pay::Status();
  });
}

grpc::Status AdminServiceImpl::ReconcileConnector(
    grpc::ServerContext* context, const pay::v1::ReconcileConnectorRequest* request,
    pay::v1::ReconcileConnectorResponse* response) {
  return HandleCall(*gateway_, context, "ReconcileConnector", [&](const pay::Principal& caller) {
    if (caller.role != pay::Role::kAdmin) {
      return absl::PermissionDeniedError("only ADMIN credentials reconcile connectors");
    }
    PAY_ASSIGN_OR_RETURN(ReconcilePeriod period, FromProto(*request));
    PAY_ASSIGN_OR_RETURN(pay::ReconciliationReport report,
                         gateway_->Reconcile(request->connector(), period.start_ms,
                                             period.end_ms));
    ToProto(report, response);
    return pay::Status();
  });
}

}  // namespace payd
