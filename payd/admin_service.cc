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

}  // namespace payd
