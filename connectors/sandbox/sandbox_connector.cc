// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "sandbox_connector.h"

#include <string>

namespace pay::sandbox {
namespace {

using connector::CollectionCallback;
using connector::CollectionOutcome;
using connector::CollectionRequest;
using connector::OutcomeStatus;

class SandboxConnector final : public connector::Connector {
 public:
  explicit SandboxConnector(std::string name) : name_(std::move(name)) {}

  std::string_view name() const override { return name_; }

  bool Supports(PaymentMethod method) const override { return method == PaymentMethod::kSandbox; }

  // The sandbox decides by amount alone, at once, so an inquiry gives the answer Collect gave (or
  // would have given, had the request reached it before a crash).
  void Inquire(const CollectionRequest& request, CollectionCallback done) override {
    done(Decide(request));
  }

  void Collect(const CollectionRequest& request, CollectionCallback done) override {
    done(Decide(request));
  }

  // Refunds succeed at once, like collections; the reference is stable per refund id, so a retry
  // with the same id gives the same answer. Amounts whose minor units end in 402 are refused, so
  // that tests can see a FAILED refund.
  bool CanRefund() const override { return true; }

  void Refund(const connector::RefundRequest& request, connector::RefundCallback done) override {
    connector::RefundOutcome outcome;
    outcome.connector_reference = "sbx_" + request.refund_id;
    if (request.amount.minor_units() % 1000 == kDeclineSuffix) {
      outcome.status = OutcomeStatus::kFailed;
      outcome.failure_code = "REFUND_DECLINED";
      outcome.failure_message =
          "sandbox: refunds whose minor units end in 402 are declined (test mode)";
    } else {
      outcome.status = OutcomeStatus::kSucceeded;
    }
    done(outcome);
  }

 private:
  std::string name_;

  static CollectionOutcome Decide(const CollectionRequest& request) {
    CollectionOutcome outcome;
    // The payment id is unique per payment, so the reference is stable across inquiries.
    outcome.connector_reference = "sbx_" + request.payment_id;
    if (request.amount.minor_units() % 1000 == kDeclineSuffix) {
      outcome.status = OutcomeStatus::kFailed;
      outcome.failure_code = "INSUFFICIENT_FUNDS";
      outcome.failure_message =
          "sandbox: amounts whose minor units end in 402 are declined (test mode)";
      return outcome;
    }
    outcome.status = OutcomeStatus::kSucceeded;
    return outcome;
  }
};

}  // namespace

std::unique_ptr<connector::Connector> NewSandboxConnector(std::string name) {
  return std::make_unique<SandboxConnector>(std::move(name));
}

}  // namespace pay::sandbox
