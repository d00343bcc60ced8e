// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Conversions between the pay.v1 refund messages and pay/refund.h (see convert.h for the rules).

#ifndef PAY_PAYD_REFUND_CONVERT_H_
#define PAY_PAYD_REFUND_CONVERT_H_

#include "pay/refund.h"
#include "pay/status.h"
#include "pay/v1/admin_service.pb.h"
#include "pay/v1/payment_service.pb.h"

namespace payd {

pay::Result<pay::RefundPaymentRequest> FromProto(const pay::v1::RefundPaymentRequest& request);
pay::Result<pay::ApproveRefundRequest> FromProto(const pay::v1::ApproveRefundRequest& request);
pay::Result<pay::ListRefundsRequest> FromProto(const pay::v1::ListRefundsRequest& request);
pay::Result<pay::RefundPolicy> FromProto(const pay::v1::SetRefundPolicyRequest& request);

void ToProto(const pay::Refund& refund, pay::v1::Refund* out);
void ToProto(const pay::RefundPolicy& policy, pay::v1::RefundPolicy* out);

}  // namespace payd

#endif  // PAY_PAYD_REFUND_CONVERT_H_
