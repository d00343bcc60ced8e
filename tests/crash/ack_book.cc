// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "ack_book.h"

#include <string>

namespace pay::integration::crash {
namespace {

bool IsFinal(v1::Payment::State state) {
  return state != v1::Payment::STATE_UNSPECIFIED && state != v1::Payment::PENDING &&
         state != v1::Payment::PROCESSING;
}

}  // namespace

WorkItem MakeWorkItem(int thread, int64_t n, int64_t minor_units) {
  WorkItem item;
  item.id = std::to_string(thread) + "-" + std::to_string(n);
  item.fee_key = "fee-" + item.id;
  item.payment_key = "pay-" + item.id;
  v1::CreateFeeRequest& request = item.fee_request;
  request.mutable_amount()->set_currency("SAR");
  request.mutable_amount()->set_minor_units(minor_units);
  request.mutable_description()->set_en("Crash test fee " + item.id);
  request.mutable_description()->set_ar("\xD8\xB1\xD8\xB3\xD9\x85 " + item.id);  // "رسم" (fee)
  request.set_payer_reference("crash-" + item.id);
  request.set_idempotency_key(item.fee_key);
  return item;
}

v1::CreatePaymentRequest MakePaymentRequest(const WorkItem& item, const std::string& bill_number) {
  v1::CreatePaymentRequest request;
  request.set_bill_number(bill_number);
  request.set_method(v1::SANDBOX);
  request.set_idempotency_key(item.payment_key);
  return request;
}

void AckBook::RecordFee(const WorkItem& item, const v1::Fee& fee, Findings* findings) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = records_.try_emplace(item.id);
  ItemRecord& record = it->second;
  if (inserted) {
    record.item = item;
    record.fee_id = fee.fee_id();
    record.bill_number = fee.bill_number();
    return;
  }
  if (record.fee_id != fee.fee_id() || record.bill_number != fee.bill_number()) {
    findings->Add(FindingKind::kConflictingAcknowledgement,
                  item.fee_key + " acknowledged as " + record.fee_id + " (bill " +
                      record.bill_number + ") and as " + fee.fee_id() + " (bill " +
                      fee.bill_number() + ")");
  }
}

void AckBook::RecordPayment(const std::string& item_id, const v1::Payment& payment, int64_t now_ms,
                            Findings* findings) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(item_id);
  if (it == records_.end()) {
    findings->Add(FindingKind::kWorkerError,
                  "payment of item " + item_id + " acknowledged before its fee (test bug)");
    return;
  }
  ItemRecord& record = it->second;
  ++record.payment_acknowledgements;
  if (payment.fee_id() != record.fee_id) {
    findings->Add(FindingKind::kConflictingAcknowledgement,
                  record.item.payment_key + " acknowledged as " + payment.payment_id() +
                      " of fee " + payment.fee_id() + ", but the item's fee is " + record.fee_id);
  }
  if (record.payment_id.empty()) {
    record.payment_id = payment.payment_id();
    record.payment_state = payment.state();
    record.payment_acknowledged_ms = now_ms;
  } else if (record.payment_id != payment.payment_id()) {
    findings->Add(FindingKind::kConflictingAcknowledgement,
                  record.item.payment_key + " acknowledged as " + record.payment_id + " and as " +
                      payment.payment_id());
    return;
  } else if (IsFinal(payment.state())) {
    record.payment_state = payment.state();
  }
  if (payment.state() == v1::Payment::SUCCEEDED) record.acknowledged_succeeded = true;
}

std::map<std::string, ItemRecord> AckBook::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return records_;
}

}  // namespace pay::integration::crash
