// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "refund_convert.h"

#include <string>

#include "convert.h"

namespace payd {
namespace {

void ToTimestamp(int64_t time_ms, google::protobuf::Timestamp* out) {
  out->set_seconds(time_ms / 1000);
  out->set_nanos(static_cast<int32_t>(time_ms % 1000) * 1'000'000);
}

pay::Result<pay::RefundDestination> DestinationFromProto(const pay::v1::RefundDestination& proto) {
  const int method = proto.method();
  std::optional<pay::PaymentMethod> known =
      method <= 0 || method > 255 ? std::nullopt
                                  : pay::PaymentMethodFromByte(static_cast<uint8_t>(method));
  if (!known) {
    return absl::InvalidArgumentError(
        "destination.method: required (MOBILE_WALLET, BANK_TRANSFER, CARD or SANDBOX)");
  }
  return pay::RefundDestination{*known, proto.account()};
}

}  // namespace

pay::Result<pay::RefundPaymentRequest> FromProto(const pay::v1::RefundPaymentRequest& request) {
  pay::RefundPaymentRequest result;
  result.payment_id = request.payment_id();
  if (request.has_amount()) {
    PAY_ASSIGN_OR_RETURN(pay::Money amount, FromProto(request.amount(), "amount"));
    result.amount = amount;
  }
  const int reason = request.reason_code();
  if (reason != pay::v1::Refund::REASON_CODE_UNSPECIFIED) {
    result.reason_code = reason < 0 || reason > 255
                             ? std::nullopt
                             : pay::RefundReasonFromByte(static_cast<uint8_t>(reason));
    if (!result.reason_code) {
      return absl::InvalidArgumentError("reason_code: unknown reason code " +
                                        std::to_string(reason));
    }
  }
  result.reason = request.reason();
  result.idempotency_key = request.idempotency_key();
  return result;
}

pay::Result<pay::ApproveRefundRequest> FromProto(const pay::v1::ApproveRefundRequest& request) {
  pay::ApproveRefundRequest result;
  result.refund_id = request.refund_id();
  if (request.has_destination()) {
    PAY_ASSIGN_OR_RETURN(result.destination, DestinationFromProto(request.destination()));
  }
  return result;
}

pay::Result<pay::ListRefundsRequest> FromProto(const pay::v1::ListRefundsRequest& request) {
  pay::ListRefundsRequest result;
  result.page_size = request.page_size();
  result.page_token = request.page_token();
  result.payment_id = request.payment_id();
  result.agency_id = request.agency_id();
  const int state = request.state();
  if (state != pay::v1::Refund::STATE_UNSPECIFIED) {
    result.state = state < 0 || state > 255 ? std::nullopt
                                            : pay::RefundStateFromByte(static_cast<uint8_t>(state));
    if (!result.state) {
      return absl::InvalidArgumentError("state: unknown refund state " + std::to_string(state));
    }
  }
  return result;
}

pay::Result<pay::RefundPolicy> FromProto(const pay::v1::SetRefundPolicyRequest& request) {
  pay::RefundPolicy result;
  result.agency_id = request.policy().agency_id();
  for (int i = 0; i < request.policy().approval_thresholds_size(); ++i) {
    PAY_ASSIGN_OR_RETURN(pay::Money threshold,
                         FromProto(request.policy().approval_thresholds(i),
                                   "policy.approval_thresholds[" + std::to_string(i) + "]"));
    result.approval_thresholds.push_back(threshold);
  }
  return result;
}

void ToProto(const pay::Refund& refund, pay::v1::Refund* out) {
  out->set_refund_id(refund.refund_id);
  out->set_payment_id(refund.payment_id);
  out->set_fee_id(refund.fee_id);
  out->set_agency_id(refund.agency_id);
  ToProto(refund.amount, out->mutable_amount());
  out->set_reason_code(static_cast<pay::v1::Refund::ReasonCode>(refund.reason_code));
  out->set_reason(refund.reason);
  out->set_state(static_cast<pay::v1::Refund::State>(refund.state));
  out->set_requested_by(refund.requested_by);
  out->set_approved_by(refund.approved_by);
  out->set_rejected_by(refund.rejected_by);
  out->set_rejection_reason(refund.decision_reason);
  if (refund.destination) {
    out->mutable_destination()->set_method(
        static_cast<pay::v1::PaymentMethod>(refund.destination->method));
    out->mutable_destination()->set_account(refund.destination->account);
  }
  out->set_connector(refund.connector);
  out->set_connector_reference(refund.connector_reference);
  out->set_failure_code(refund.failure_code);
  out->set_failure_message(refund.failure_message);
  out->set_idempotency_key(refund.idempotency_key);
  ToTimestamp(refund.create_time_ms, out->mutable_create_time());
  ToTimestamp(refund.update_time_ms, out->mutable_update_time());
  out->set_ledger_sequence(refund.ledger_sequence);
}

void ToProto(const pay::RefundPolicy& policy, pay::v1::RefundPolicy* out) {
  out->set_agency_id(policy.agency_id);
  for (const pay::Money& threshold : policy.approval_thresholds) {
    ToProto(threshold, out->add_approval_thresholds());
  }
  ToTimestamp(policy.update_time_ms, out->mutable_update_time());
  out->set_updated_by(policy.updated_by);
}

}  // namespace payd
