// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "convert.h"

#include <google/protobuf/util/time_util.h>

#include <string>

#include "pay/bill_number.h"

namespace payd {
namespace {

using google::protobuf::Timestamp;

std::string Str(absl::string_view view) { return std::string(view.data(), view.size()); }

// Unset (all zero) -> 0. Otherwise Unix milliseconds, rejecting times before 1970.
pay::Result<int64_t> FromTimestamp(const Timestamp& timestamp, std::string_view field,
                                   bool present) {
  if (!present) return 0;
  if (timestamp.seconds() < 0 || timestamp.nanos() < 0 || timestamp.nanos() > 999'999'999 ||
      timestamp.seconds() > 253'402'300'799) {  // 9999-12-31T23:59:59Z
    return absl::InvalidArgumentError(std::string(field) + ": not a valid time");
  }
  return timestamp.seconds() * 1000 + timestamp.nanos() / 1'000'000;
}

// As FromTimestamp, but a time between two milliseconds becomes the later one.
pay::Result<int64_t> FromTimestampRoundingUp(const Timestamp& timestamp, std::string_view field,
                                             bool present) {
  PAY_ASSIGN_OR_RETURN(int64_t time_ms, FromTimestamp(timestamp, field, present));
  return time_ms + (present && timestamp.nanos() % 1'000'000 != 0 ? 1 : 0);
}

// UNSPECIFIED -> nullopt (the caller says whether that is allowed); unknown values -> error.
pay::Result<std::optional<pay::PaymentMethod>> MethodFromProto(pay::v1::PaymentMethod method) {
  if (method == pay::v1::PAYMENT_METHOD_UNSPECIFIED) return std::nullopt;
  std::optional<pay::PaymentMethod> known =
      method < 0 || method > 255 ? std::nullopt
                                 : pay::PaymentMethodFromByte(static_cast<uint8_t>(method));
  if (!known) {
    return absl::InvalidArgumentError("method: unknown payment method " + std::to_string(method));
  }
  return known;
}

void ToTimestamp(int64_t time_ms, Timestamp* out) {
  out->set_seconds(time_ms / 1000);
  out->set_nanos(static_cast<int32_t>(time_ms % 1000) * 1'000'000);
}

pay::Result<std::optional<pay::FeeState>> FeeStateFilter(pay::v1::Fee::State state) {
  if (state == pay::v1::Fee::STATE_UNSPECIFIED) return std::optional<pay::FeeState>();
  std::optional<pay::FeeState> decoded = pay::FeeStateFromByte(static_cast<uint8_t>(state));
  if (!decoded || state < 0 || state > 255) {
    return absl::InvalidArgumentError("state: unknown fee state " + std::to_string(state));
  }
  return decoded;
}

pay::Result<std::optional<pay::PaymentState>> PaymentStateFilter(pay::v1::Payment::State state) {
  if (state == pay::v1::Payment::STATE_UNSPECIFIED) return std::optional<pay::PaymentState>();
  std::optional<pay::PaymentState> decoded =
      pay::PaymentStateFromByte(static_cast<uint8_t>(state));
  if (!decoded || state < 0 || state > 255) {
    return absl::InvalidArgumentError("state: unknown payment state " + std::to_string(state));
  }
  return decoded;
}

}  // namespace

grpc::Status ToGrpc(const pay::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), Str(status.message()));
}

pay::Result<pay::Money> FromProto(const pay::v1::Money& money, std::string_view field) {
  const std::string& currency = money.currency();
  if (currency.empty()) {
    return absl::InvalidArgumentError(std::string(field) +
                                      ".currency: required (an ISO 4217 code such as SAR)");
  }
  if (pay::FindCurrency(currency) == nullptr) {
    return absl::InvalidArgumentError(std::string(field) + ".currency: \"" + currency.substr(0, 16) +
                                      "\" is not an ISO 4217 currency code (upper case, e.g. SAR)");
  }
  return pay::Money::Create(currency, money.minor_units());
}

void ToProto(const pay::Money& money, pay::v1::Money* out) {
  out->set_currency(money.currency());
  out->set_minor_units(money.minor_units());
}

pay::LocalizedText FromProto(const pay::v1::LocalizedText& text) { return {text.en(), text.ar()}; }

void ToProto(const pay::LocalizedText& text, pay::v1::LocalizedText* out) {
  out->set_en(text.en);
  out->set_ar(text.ar);
}

pay::Result<pay::CreateFeeRequest> FromProto(const pay::v1::CreateFeeRequest& request) {
  pay::CreateFeeRequest result;
  if (!request.has_amount() && request.fee_type_code().empty()) {
    return absl::InvalidArgumentError("amount: required, e.g. {currency: \"SAR\", minor_units: 15000}");
  }
  if (request.has_amount()) {
    PAY_ASSIGN_OR_RETURN(result.amount, FromProto(request.amount(), "amount"));
  }
  result.fee_type_code = request.fee_type_code();
  result.description = FromProto(request.description());
  result.payer_reference = request.payer_reference();
  PAY_ASSIGN_OR_RETURN(result.due_time_ms,
                       FromTimestamp(request.due_time(), "due_time", request.has_due_time()));
  PAY_ASSIGN_OR_RETURN(result.expire_time_ms, FromTimestamp(request.expire_time(), "expire_time",
                                                            request.has_expire_time()));
  result.idempotency_key = request.idempotency_key();
  return result;
}

pay::Result<pay::ListFeesRequest> FromProto(const pay::v1::ListFeesRequest& request) {
  pay::ListFeesRequest result;
  result.page_size = request.page_size();
  result.page_token = request.page_token();
  PAY_ASSIGN_OR_RETURN(result.state, FeeStateFilter(request.state()));
  PAY_ASSIGN_OR_RETURN(result.create_time_from_ms,
                       FromTimestamp(request.create_time_from(), "create_time_from",
                                     request.has_create_time_from()));
  PAY_ASSIGN_OR_RETURN(result.create_time_to_ms,
                       FromTimestamp(request.create_time_to(), "create_time_to",
                                     request.has_create_time_to()));
  result.agency_id = request.agency_id();
  return result;
}

pay::Result<pay::CreatePaymentRequest> FromProto(const pay::v1::CreatePaymentRequest& request) {
  pay::CreatePaymentRequest result;
  result.bill_number = request.bill_number();
  PAY_ASSIGN_OR_RETURN(result.method, MethodFromProto(request.method()));
  result.connector = request.connector();
  if (request.has_expected_amount()) {
    PAY_ASSIGN_OR_RETURN(pay::Money expected,
                         FromProto(request.expected_amount(), "expected_amount"));
    result.expected_amount = expected;
  }
  result.idempotency_key = request.idempotency_key();
  result.payer_account = request.payer_account();
  if (request.has_amount()) {
    PAY_ASSIGN_OR_RETURN(pay::Money amount, FromProto(request.amount(), "amount"));
    result.amount = amount;
  }
  return result;
}

pay::Result<pay::RecordChannelPaymentRequest> FromProto(
    const pay::v1::RecordChannelPaymentRequest& request) {
  pay::RecordChannelPaymentRequest result;
  result.bill_number = request.bill_number();
  PAY_ASSIGN_OR_RETURN(result.method, MethodFromProto(request.method()));
  if (request.has_amount()) {
    PAY_ASSIGN_OR_RETURN(pay::Money amount, FromProto(request.amount(), "amount"));
    result.amount = amount;
  }
  result.channel_reference = request.channel_reference();
  result.idempotency_key = request.idempotency_key();
  result.payer_account = request.payer_account();
  return result;
}

pay::Result<pay::ListPaymentsRequest> FromProto(const pay::v1::ListPaymentsRequest& request) {
  pay::ListPaymentsRequest result;
  result.page_size = request.page_size();
  result.page_token = request.page_token();
  PAY_ASSIGN_OR_RETURN(result.state, PaymentStateFilter(request.state()));
  result.fee_id = request.fee_id();
  PAY_ASSIGN_OR_RETURN(result.create_time_from_ms,
                       FromTimestamp(request.create_time_from(), "create_time_from",
                                     request.has_create_time_from()));
  PAY_ASSIGN_OR_RETURN(result.create_time_to_ms,
                       FromTimestamp(request.create_time_to(), "create_time_to",
                                     request.has_create_time_to()));
  result.agency_id = request.agency_id();
  return result;
}

pay::Result<pay::CreateCredentialRequest> FromProto(
    const pay::v1::CreateCredentialRequest& request) {
  pay::CreateCredentialRequest result;
  if (request.role() == pay::v1::Credential::ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError("role: required (AGENCY, CHANNEL, AUDITOR or ADMIN)");
  }
  std::optional<pay::Role> role = pay::RoleFromByte(static_cast<uint8_t>(request.role()));
  if (!role || request.role() < 0 || request.role() > 255) {
    return absl::InvalidArgumentError("role: unknown role " + std::to_string(request.role()));
  }
  result.role = *role;
  result.agency_ids.assign(request.agency_ids().begin(), request.agency_ids().end());
  result.display_name = request.display_name();
  result.approver = request.approver();
  return result;
}

pay::Result<pay::ExportFilter> FromProto(const pay::v1::ExportLedgerRequest& request) {
  pay::ExportFilter filter;
  filter.from_sequence = request.from_sequence() == 0 ? 1 : request.from_sequence();
  filter.agency_id = request.agency_id();
  PAY_ASSIGN_OR_RETURN(
      filter.from_time_ms,
      FromTimestampRoundingUp(request.from_time(), "from_time", request.has_from_time()));
  PAY_ASSIGN_OR_RETURN(filter.to_time_ms, FromTimestampRoundingUp(request.to_time(), "to_time",
                                                                  request.has_to_time()));
  if (request.has_to_time() && filter.to_time_ms == 0) {
    return absl::InvalidArgumentError(
        "to_time: must be after 1970-01-01T00:00:00Z (leave it unset for no upper bound)");
  }
  return filter;
}

void ToProto(const pay::Fee& fee, pay::v1::Fee* out) {
  out->set_fee_id(fee.fee_id);
  out->set_agency_id(fee.agency_id);
  out->set_bill_number(fee.bill_number);
  out->set_display_bill_number(pay::FormatBillNumber(fee.bill_number));
  ToProto(fee.amount, out->mutable_amount());
  ToProto(fee.description, out->mutable_description());
  out->set_payer_reference(fee.payer_reference);
  if (fee.due_time_ms != 0) ToTimestamp(fee.due_time_ms, out->mutable_due_time());
  if (fee.expire_time_ms != 0) ToTimestamp(fee.expire_time_ms, out->mutable_expire_time());
  out->set_state(static_cast<pay::v1::Fee::State>(fee.state));
  out->set_paid_by_payment_id(fee.paid_by_payment_id);
  ToTimestamp(fee.create_time_ms, out->mutable_create_time());
  ToTimestamp(fee.update_time_ms, out->mutable_update_time());
  out->set_ledger_sequence(fee.ledger_sequence);
  out->set_fee_type_code(fee.fee_type_code);
  out->set_fee_type_version(fee.fee_type_version);
  if (!fee.fee_type_code.empty()) ToProto(fee.terms, out->mutable_terms());
  const std::string& currency = fee.amount.currency();
  auto money = [&](int64_t minor_units, pay::v1::Money* field) {
    field->set_currency(currency);
    field->set_minor_units(minor_units);
  };
  money(fee.amount_paid_minor_units, out->mutable_amount_paid());
  money(fee.penalty_total_minor_units, out->mutable_penalty_total());
  money(fee.waived_total_minor_units, out->mutable_waived_total());
  const bool payable =
      fee.state == pay::FeeState::kUnpaid || fee.state == pay::FeeState::kPartiallyPaid;
  money(payable ? pay::AmountDueMinorUnits(fee) : 0, out->mutable_amount_due());
}

void ToProto(const pay::BillInquiry& inquiry, pay::v1::InquireBillResponse* out) {
  out->set_bill_number(inquiry.bill_number);
  out->set_display_bill_number(pay::FormatBillNumber(inquiry.bill_number));
  out->set_agency_id(inquiry.agency_id);
  ToProto(inquiry.agency_name, out->mutable_agency_name());
  ToProto(inquiry.amount_due, out->mutable_amount_due());
  out->set_state(static_cast<pay::v1::Fee::State>(inquiry.state));
  ToProto(inquiry.description, out->mutable_description());
  if (inquiry.due_time_ms != 0) ToTimestamp(inquiry.due_time_ms, out->mutable_due_time());
  if (inquiry.expire_time_ms != 0) ToTimestamp(inquiry.expire_time_ms, out->mutable_expire_time());
}

void ToProto(const pay::Payment& payment, pay::v1::Payment* out) {
  out->set_payment_id(payment.payment_id);
  out->set_fee_id(payment.fee_id);
  out->set_agency_id(payment.agency_id);
  out->set_bill_number(payment.bill_number);
  ToProto(payment.amount, out->mutable_amount());
  out->set_method(static_cast<pay::v1::PaymentMethod>(payment.method));
  out->set_connector(payment.connector);
  out->set_state(static_cast<pay::v1::Payment::State>(payment.state));
  out->set_failure_code(payment.failure_code);
  out->set_failure_message(payment.failure_message);
  out->set_connector_reference(payment.connector_reference);
  out->set_idempotency_key(payment.idempotency_key);
  out->set_initiated_by(payment.initiated_by);
  ToTimestamp(payment.create_time_ms, out->mutable_create_time());
  ToTimestamp(payment.update_time_ms, out->mutable_update_time());
  out->set_ledger_sequence(payment.ledger_sequence);
  out->set_refund_due(payment.refund_due);
}

void ToProto(const pay::Agency& agency, pay::v1::Agency* out) {
  out->set_agency_id(agency.agency_id);
  ToProto(agency.name, out->mutable_name());
  ToTimestamp(agency.create_time_ms, out->mutable_create_time());
}

void ToProto(const pay::Credential& credential, pay::v1::Credential* out) {
  out->set_credential_id(credential.credential_id);
  out->set_role(static_cast<pay::v1::Credential::Role>(credential.role));
  for (const std::string& agency_id : credential.agency_ids) out->add_agency_ids(agency_id);
  out->set_display_name(credential.display_name);
  out->set_approver(credential.approver);
  ToTimestamp(credential.create_time_ms, out->mutable_create_time());
  out->set_revoked(credential.revoked);
  if (credential.revoked) ToTimestamp(credential.revoke_time_ms, out->mutable_revoke_time());
}

pay::Result<ReconcilePeriod> FromProto(const pay::v1::ReconcileConnectorRequest& request) {
  ReconcilePeriod period;
  if (!request.has_start_time() || !request.has_end_time()) {
    return absl::InvalidArgumentError("start_time, end_time: both are required");
  }
  PAY_ASSIGN_OR_RETURN(period.start_ms, FromTimestamp(request.start_time(), "start_time", true));
  PAY_ASSIGN_OR_RETURN(period.end_ms, FromTimestamp(request.end_time(), "end_time", true));
  if (period.end_ms <= period.start_ms) {
    return absl::InvalidArgumentError("end_time: must be after start_time");
  }
  return period;
}

void ToProto(const pay::ReconciliationReport& report, pay::v1::ReconcileConnectorResponse* out) {
  out->set_statement_lines(static_cast<int64_t>(report.statement_lines));
  out->set_matched(static_cast<int64_t>(report.matched));
  out->set_resolved(static_cast<int64_t>(report.resolved));
  for (const std::string& discrepancy : report.discrepancies) out->add_discrepancies(discrepancy);
}

void ToProto(const pay::FeeTerms& terms, pay::v1::FeeTerms* out) {
  out->set_amount_rule(static_cast<pay::v1::FeeTerms::AmountRule>(terms.amount_rule));
  out->set_overpayment(static_cast<pay::v1::FeeTerms::Overpayment>(terms.overpayment));
  for (const pay::RevenueShare& share : terms.revenue_shares) {
    pay::v1::RevenueShare* added = out->add_revenue_shares();
    added->set_label(share.label);
    if (share.fixed) ToProto(*share.fixed, added->mutable_fixed());
    added->set_basis_points(share.basis_points);
  }
  if (terms.penalty) {
    pay::v1::Penalty* penalty = out->mutable_penalty();
    penalty->set_kind(static_cast<pay::v1::Penalty::Kind>(terms.penalty->kind));
    if (terms.penalty->kind == pay::PenaltyKind::kFixed) {
      ToProto(terms.penalty->fixed_amount, penalty->mutable_fixed_amount());
    }
    penalty->set_basis_points(terms.penalty->basis_points);
    penalty->set_period_seconds(terms.penalty->period_seconds);
    ToProto(terms.penalty->cap, penalty->mutable_cap());
  }
}

pay::Result<pay::FeeTerms> FromProto(const pay::v1::FeeTerms& terms) {
  pay::FeeTerms result;
  switch (terms.amount_rule()) {
    case pay::v1::FeeTerms::AMOUNT_RULE_UNSPECIFIED:
    case pay::v1::FeeTerms::EXACT:
      result.amount_rule = pay::AmountRule::kExact;
      break;
    case pay::v1::FeeTerms::PARTIAL_ALLOWED:
      result.amount_rule = pay::AmountRule::kPartialAllowed;
      break;
    default:
      return absl::InvalidArgumentError("terms.amount_rule: unknown value");
  }
  switch (terms.overpayment()) {
    case pay::v1::FeeTerms::OVERPAYMENT_UNSPECIFIED:
    case pay::v1::FeeTerms::REFUSE:
      result.overpayment = pay::OverpaymentRule::kRefuse;
      break;
    case pay::v1::FeeTerms::REFUND_EXCESS:
      result.overpayment = pay::OverpaymentRule::kRefundExcess;
      break;
    default:
      return absl::InvalidArgumentError("terms.overpayment: unknown value");
  }
  for (int i = 0; i < terms.revenue_shares_size(); ++i) {
    const pay::v1::RevenueShare& share = terms.revenue_shares(i);
    pay::RevenueShare converted;
    converted.label = share.label();
    if (share.has_fixed()) {
      PAY_ASSIGN_OR_RETURN(
          pay::Money fixed,
          FromProto(share.fixed(), "terms.revenue_shares[" + std::to_string(i) + "].fixed"));
      converted.fixed = fixed;
    }
    converted.basis_points = share.basis_points();
    result.revenue_shares.push_back(std::move(converted));
  }
  if (terms.has_penalty()) {
    const pay::v1::Penalty& penalty = terms.penalty();
    pay::Penalty converted;
    if (penalty.kind() == pay::v1::Penalty::FIXED) {
      converted.kind = pay::PenaltyKind::kFixed;
    } else if (penalty.kind() == pay::v1::Penalty::PERCENT) {
      converted.kind = pay::PenaltyKind::kPercent;
    } else {
      return absl::InvalidArgumentError("terms.penalty.kind: required, FIXED or PERCENT");
    }
    if (penalty.has_fixed_amount()) {
      PAY_ASSIGN_OR_RETURN(converted.fixed_amount,
                           FromProto(penalty.fixed_amount(), "terms.penalty.fixed_amount"));
    } else if (converted.kind == pay::PenaltyKind::kFixed) {
      return absl::InvalidArgumentError("terms.penalty.fixed_amount: required for FIXED");
    }
    converted.basis_points = penalty.basis_points();
    converted.period_seconds = penalty.period_seconds();
    if (!penalty.has_cap()) return absl::InvalidArgumentError("terms.penalty.cap: required");
    PAY_ASSIGN_OR_RETURN(converted.cap, FromProto(penalty.cap(), "terms.penalty.cap"));
    result.penalty = std::move(converted);
  }
  return result;
}

pay::Result<pay::DefineFeeTypeRequest> FromProto(const pay::v1::DefineFeeTypeRequest& request) {
  pay::DefineFeeTypeRequest result;
  result.code = request.code();
  result.name = FromProto(request.name());
  if (!request.has_amount()) {
    return absl::InvalidArgumentError(
        "amount: required, e.g. {currency: \"SAR\", minor_units: 15000}");
  }
  PAY_ASSIGN_OR_RETURN(result.amount, FromProto(request.amount(), "amount"));
  PAY_ASSIGN_OR_RETURN(result.terms, FromProto(request.terms()));
  PAY_ASSIGN_OR_RETURN(
      result.effective_from_ms,
      FromTimestamp(request.effective_from(), "effective_from", request.has_effective_from()));
  return result;
}

pay::Result<pay::WaiveFeeRequest> FromProto(const pay::v1::WaiveFeeRequest& request) {
  pay::WaiveFeeRequest result;
  result.fee_id = request.fee_id();
  if (!request.has_amount()) return absl::InvalidArgumentError("amount: required");
  PAY_ASSIGN_OR_RETURN(result.amount, FromProto(request.amount(), "amount"));
  result.reason = request.reason();
  return result;
}

void ToProto(const pay::FeeType& fee_type, pay::v1::FeeType* out) {
  out->set_agency_id(fee_type.agency_id);
  out->set_code(fee_type.code);
  ToProto(fee_type.name, out->mutable_name());
  for (const pay::FeeTypeVersion& version : fee_type.versions) {
    pay::v1::FeeTypeVersion* added = out->add_versions();
    added->set_version(version.version);
    ToTimestamp(version.effective_from_ms, added->mutable_effective_from());
    ToProto(version.amount, added->mutable_amount());
    ToProto(version.terms, added->mutable_terms());
    added->set_defined_by(version.defined_by);
    ToTimestamp(version.define_time_ms, added->mutable_define_time());
    added->set_ledger_sequence(version.ledger_sequence);
  }
}

}  // namespace payd
