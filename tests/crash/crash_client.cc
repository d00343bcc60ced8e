// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "crash_client.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "payd_process.h"

namespace pay::integration::crash {

bool IsCrashCode(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::CANCELLED || code == grpc::StatusCode::UNKNOWN;
}

Endpoint::Stubs::Stubs(std::shared_ptr<grpc::Channel> channel_in)
    : channel(std::move(channel_in)),
      fees(v1::FeeService::NewStub(channel)),
      payments(v1::PaymentService::NewStub(channel)) {}

void Endpoint::Set(std::shared_ptr<grpc::Channel> channel) {
  auto stubs = std::make_shared<Stubs>(std::move(channel));
  std::lock_guard<std::mutex> lock(mu_);
  stubs_ = std::move(stubs);
}

std::shared_ptr<Endpoint::Stubs> Endpoint::Get() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stubs_;
}

RetryingClient::RetryingClient(const Endpoint* endpoint, std::string api_key, RetryPolicy policy,
                               CallCounters* counters, const std::atomic<bool>* abort)
    : endpoint_(endpoint),
      api_key_(std::move(api_key)),
      policy_(policy),
      counters_(counters),
      abort_(abort) {}

template <typename Attempt>
grpc::Status RetryingClient::Retry(const Attempt& attempt, int64_t* retries) const {
  const auto give_up = std::chrono::steady_clock::now() + policy_.give_up_after;
  std::chrono::milliseconds backoff = policy_.first_backoff;
  while (true) {
    grpc::Status status(grpc::StatusCode::UNAVAILABLE, "no payd endpoint yet");
    if (std::shared_ptr<Endpoint::Stubs> stubs = endpoint_->Get()) {
      std::unique_ptr<grpc::ClientContext> context = MakeContext(api_key_, policy_.attempt_timeout);
      counters_->attempts.fetch_add(1, std::memory_order_relaxed);
      status = attempt(*stubs, context.get());
    }
    if (!IsCrashCode(status.error_code())) return status;
    if (abort_->load() || std::chrono::steady_clock::now() > give_up) {
      counters_->abandoned.fetch_add(1, std::memory_order_relaxed);
      return status;
    }
    counters_->crash_retries.fetch_add(1, std::memory_order_relaxed);
    if (retries != nullptr) ++*retries;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, policy_.max_backoff);
  }
}

grpc::Status RetryingClient::CreateFee(const v1::CreateFeeRequest& request, v1::Fee* fee,
                                       int64_t* retries) const {
  return Retry(
      [&](Endpoint::Stubs& stubs, grpc::ClientContext* context) {
        fee->Clear();
        return stubs.fees->CreateFee(context, request, fee);
      },
      retries);
}

grpc::Status RetryingClient::CreatePayment(const v1::CreatePaymentRequest& request,
                                           v1::Payment* payment, int64_t* retries) const {
  return Retry(
      [&](Endpoint::Stubs& stubs, grpc::ClientContext* context) {
        payment->Clear();
        return stubs.payments->CreatePayment(context, request, payment);
      },
      retries);
}

grpc::Status RetryingClient::CancelPayment(const std::string& payment_id,
                                           v1::Payment* payment) const {
  v1::CancelPaymentRequest request;
  request.set_payment_id(payment_id);
  request.set_reason("crash test: probing a payment left PROCESSING by a crash");
  return Retry(
      [&](Endpoint::Stubs& stubs, grpc::ClientContext* context) {
        payment->Clear();
        return stubs.payments->CancelPayment(context, request, payment);
      },
      nullptr);
}

grpc::Status RetryingClient::GetFee(const std::string& fee_id, v1::Fee* fee) const {
  v1::GetFeeRequest request;
  request.set_fee_id(fee_id);
  return Retry(
      [&](Endpoint::Stubs& stubs, grpc::ClientContext* context) {
        fee->Clear();
        return stubs.fees->GetFee(context, request, fee);
      },
      nullptr);
}

grpc::Status RetryingClient::GetPayment(const std::string& payment_id, v1::Payment* payment) const {
  v1::GetPaymentRequest request;
  request.set_payment_id(payment_id);
  return Retry(
      [&](Endpoint::Stubs& stubs, grpc::ClientContext* context) {
        payment->Clear();
        return stubs.payments->GetPayment(context, request, payment);
      },
      nullptr);
}

grpc::Status RetryingClient::ListFees(const v1::ListFeesRequest& request,
                                      v1::ListFeesResponse* response) const {
  return Retry(
      [&](Endpoint::Stubs& stubs, grpc::ClientContext* context) {
        response->Clear();
        return stubs.fees->ListFees(context, request, response);
      },
      nullptr);
}

grpc::Status RetryingClient::ListPayments(const v1::ListPaymentsRequest& request,
                                          v1::ListPaymentsResponse* response) const {
  return Retry(
      [&](Endpoint::Stubs& stubs, grpc::ClientContext* context) {
        response->Clear();
        return stubs.payments->ListPayments(context, request, response);
      },
      nullptr);
}

}  // namespace pay::integration::crash
