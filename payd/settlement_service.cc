// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// SettlementService: converts, calls pay::Gateway, converts back (docs/settlement.md).

#include "auth.h"
#include "convert.h"
#include "services.h"

namespace payd {
namespace {

// Callers leave a time of 0 (none) unset.
void ToTimestampMs(int64_t time_ms, google::protobuf::Timestamp* out) {
  out->set_seconds(time_ms / 1000);
  out->set_nanos(static_cast<int32_t>(time_ms % 1000) * 1'000'000);
}

void ToProto(const pay::SettlementWindow& window, pay::v1::SettlementWindow* out) {
  out->set_window_number(window.number);
  out->set_state(static_cast<pay::v1::SettlementWindow::State>(window.state));
  out->set_first_sequence(window.first_sequence);
  out->set_close_sequence(window.close_sequence);
  if (window.open_time_ms > 0) ToTimestampMs(window.open_time_ms, out->mutable_open_time());
  if (window.close_time_ms > 0) ToTimestampMs(window.close_time_ms, out->mutable_close_time());
  out->set_closed_by(window.closed_by);
  out->set_attempts(window.attempts);
  for (const pay::SettlementNet& net : window.nets) {
    pay::v1::SettlementNet* line = out->add_nets();
    line->set_agency_id(net.agency_id);
    line->set_account(net.account);
    line->set_currency(net.currency);
    line->set_collected_minor(net.collected_minor);
    line->set_refunded_minor(net.refunded_minor);
    line->set_net_minor(net.net_minor);
  }
  for (const pay::SettlementTransfer& transfer : window.transfers) {
    pay::v1::SettlementTransfer* line = out->add_transfers();
    line->set_end_to_end_id(transfer.end_to_end_id);
    line->set_agency_id(transfer.agency_id);
    line->set_account(transfer.account);
    payd::ToProto(transfer.amount, line->mutable_amount());
    line->set_iban(transfer.iban);
    line->set_bic(transfer.bic);
    line->set_name(transfer.name);
    line->set_state(static_cast<pay::v1::SettlementTransfer::State>(transfer.state));
    line->set_attempt(transfer.attempt);
    line->set_message_id(transfer.message_id);
    line->set_reason(transfer.reason);
    line->set_bank_reference(transfer.bank_reference);
    if (transfer.update_time_ms > 0) {
      ToTimestampMs(transfer.update_time_ms, line->mutable_update_time());
    }
    line->set_automatic_retries(transfer.automatic_retries);
    line->set_escalated(transfer.escalated);
    line->set_escalation_reason(transfer.escalation_reason);
    if (transfer.escalate_time_ms > 0) {
      ToTimestampMs(transfer.escalate_time_ms, line->mutable_escalate_time());
    }
    line->set_confirmation(
        static_cast<pay::v1::SettlementTransfer::Confirmation>(transfer.confirmation));
    line->set_statement_reference(transfer.statement_reference);
    if (!transfer.booked_amount.currency().empty()) {
      payd::ToProto(transfer.booked_amount, line->mutable_booked_amount());
    }
    if (transfer.confirm_time_ms > 0) {
      ToTimestampMs(transfer.confirm_time_ms, line->mutable_confirm_time());
    }
    line->set_discrepancy(transfer.discrepancy);
  }
}

void ToProto(const pay::TreasuryAccount& account, pay::v1::TreasuryAccount* out) {
  out->set_account(account.account);
  out->set_iban(account.iban);
  out->set_bic(account.bic);
  out->set_name(account.name);
  if (account.update_time_ms > 0) ToTimestampMs(account.update_time_ms, out->mutable_update_time());
}

}  // namespace

grpc::Status SettlementServiceImpl::ListSettlementWindows(
    grpc::ServerContext* context, const pay::v1::ListSettlementWindowsRequest* request,
    pay::v1::ListSettlementWindowsResponse* response) {
  return HandleCall(*gateway_, context, "ListSettlementWindows", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(
        pay::ListSettlementWindowsResult result,
        gateway_->ListSettlementWindows(caller, request->page_size(), request->page_token()));
    for (const pay::SettlementWindow& window : result.windows) {
      ToProto(window, response->add_windows());
    }
    response->set_next_page_token(result.next_page_token);
    return pay::Status();
  });
}

grpc::Status SettlementServiceImpl::GetSettlementWindow(
    grpc::ServerContext* context, const pay::v1::GetSettlementWindowRequest* request,
    pay::v1::SettlementWindow* response) {
  return HandleCall(*gateway_, context, "GetSettlementWindow", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::SettlementWindow window,
                         gateway_->GetSettlementWindow(caller, request->window_number()));
    ToProto(window, response);
    return pay::Status();
  });
}

grpc::Status SettlementServiceImpl::CloseSettlementWindow(
    grpc::ServerContext* context, const pay::v1::CloseSettlementWindowRequest* request,
    pay::v1::SettlementWindow* response) {
  return HandleCall(*gateway_, context, "CloseSettlementWindow", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::SettlementWindow window,
                         gateway_->CloseSettlementWindow(caller, request->window_number()));
    ToProto(window, response);
    return pay::Status();
  });
}

grpc::Status SettlementServiceImpl::RetrySettlement(grpc::ServerContext* context,
                                                    const pay::v1::RetrySettlementRequest* request,
                                                    pay::v1::SettlementWindow* response) {
  return HandleCall(*gateway_, context, "RetrySettlement", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::SettlementWindow window,
                         gateway_->RetrySettlement(caller, request->window_number()));
    ToProto(window, response);
    return pay::Status();
  });
}

grpc::Status SettlementServiceImpl::GetSettlementReport(
    grpc::ServerContext* context, const pay::v1::GetSettlementReportRequest* request,
    pay::v1::SettlementReport* response) {
  return HandleCall(*gateway_, context, "GetSettlementReport", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::SettlementReport report,
                         gateway_->GetSettlementReport(caller, request->window_number()));
    response->set_window_number(report.window_number);
    response->set_csv(report.csv);
    response->set_json(report.json);
    response->set_csv_signature(report.csv_signature);
    response->set_json_signature(report.json_signature);
    response->set_public_key(report.public_key);
    return pay::Status();
  });
}

grpc::Status SettlementServiceImpl::SetTreasuryAccount(
    grpc::ServerContext* context, const pay::v1::SetTreasuryAccountRequest* request,
    pay::v1::TreasuryAccount* response) {
  return HandleCall(*gateway_, context, "SetTreasuryAccount", [&](const pay::Principal& caller) {
    const pay::v1::TreasuryAccount& in = request->treasury_account();
    pay::TreasuryAccount account;
    account.account = in.account();
    account.iban = in.iban();
    account.bic = in.bic();
    account.name = in.name();
    PAY_ASSIGN_OR_RETURN(pay::TreasuryAccount stored,
                         gateway_->SetTreasuryAccount(caller, account));
    ToProto(stored, response);
    return pay::Status();
  });
}

grpc::Status SettlementServiceImpl::ListTreasuryAccounts(
    grpc::ServerContext* context, const pay::v1::ListTreasuryAccountsRequest* /*request*/,
    pay::v1::ListTreasuryAccountsResponse* response) {
  return HandleCall(*gateway_, context, "ListTreasuryAccounts", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(std::vector<pay::TreasuryAccount> accounts,
                         gateway_->ListTreasuryAccounts(caller));
    for (const pay::TreasuryAccount& account : accounts) {
      ToProto(account, response->add_treasury_accounts());
    }
    return pay::Status();
  });
}

}  // namespace payd
