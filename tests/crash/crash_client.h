// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The client side of the crash test: calls that keep going while the test thread kills payd with
// SIGKILL and starts it again, possibly on another port. A call that payd may or may not have
// executed (it died during the call, or the deadline passed) is sent again unchanged, so with the
// same idempotency key, until payd answers.

#ifndef PAY_TESTS_CRASH_CRASH_CLIENT_H_
#define PAY_TESTS_CRASH_CRASH_CLIENT_H_

#include <absl/base/thread_annotations.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "pay/v1/fee_service.grpc.pb.h"
#include "pay/v1/payment_service.grpc.pb.h"

namespace pay::integration::crash {

namespace v1 = ::pay::v1;

// True for the codes a client sees when payd dies during a call or is not running at all:
// UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED and UNKNOWN. The request may or may not have been
// executed, so the only correct reaction is to send it again with the same idempotency key.
bool IsCrashCode(grpc::StatusCode code);

// The stubs of the payd that runs now. The test thread replaces them after each restart; workers
// take the current ones before each attempt, so an attempt never goes to a port that an earlier
// payd used. Thread-safe.
class Endpoint {
 public:
  // Stubs on one channel. Stubs are thread-safe: any number of workers share one set.
  struct Stubs {
    explicit Stubs(std::shared_ptr<grpc::Channel> channel);
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::FeeService::Stub> fees;
    std::unique_ptr<v1::PaymentService::Stub> payments;
  };

  // Makes stubs on `channel` the current ones. Calls in flight keep their old stubs (and fail
  // when that payd is dead).
  void Set(std::shared_ptr<grpc::Channel> channel);
  // The current stubs; null before the first Set().
  std::shared_ptr<Stubs> Get() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<Stubs> stubs_ ABSL_GUARDED_BY(mu_);
};

// Counters shared by every client of one test.
struct CallCounters {
  // Every attempt sent.
  std::atomic<int64_t> attempts{0};
  // Attempts that failed with a crash code (IsCrashCode) and were sent again.
  std::atomic<int64_t> crash_retries{0};
  // Requests abandoned because the policy gave up or the abort flag was set.
  std::atomic<int64_t> abandoned{0};
};

// How a request is sent again after a crash code.
struct RetryPolicy {
  // Deadline of one attempt: short, so that a worker notices soon that payd died.
  std::chrono::milliseconds attempt_timeout{2000};
  // Pause after a failed attempt, doubled after each further failure up to max_backoff, so that
  // 64 workers do not spin while payd restarts.
  std::chrono::milliseconds first_backoff{5};
  std::chrono::milliseconds max_backoff{100};
  // A request still unanswered after this long is abandoned (payd did not come back): the last
  // crash status is returned. A bound, so that a dead payd fails the test instead of hanging it.
  std::chrono::seconds give_up_after{90};
};

// Sends requests with one API key through an Endpoint, retrying each on crash codes.
// Thread-safe; the Endpoint, counters and abort flag must outlive it.
class RetryingClient {
 public:
  // `abort`, when set, makes every retry loop return at once with its last status: the test
  // thread sets it when it gives up (payd failed to restart).
  RetryingClient(const Endpoint* endpoint, std::string api_key, RetryPolicy policy,
                 CallCounters* counters, const std::atomic<bool>* abort);

  // Each sends `request` until payd answers with OK or a code that is not a crash code, the
  // policy gives up or abort is set, and returns that last status. *retries (optional) is
  // increased by the number of attempts that failed with a crash code.
  grpc::Status CreateFee(const v1::CreateFeeRequest& request, v1::Fee* fee,
                         int64_t* retries = nullptr) const;
  grpc::Status CreatePayment(const v1::CreatePaymentRequest& request, v1::Payment* payment,
                             int64_t* retries = nullptr) const;
  grpc::Status CancelPayment(const std::string& payment_id, v1::Payment* payment) const;
  grpc::Status GetFee(const std::string& fee_id, v1::Fee* fee) const;
  grpc::Status GetPayment(const std::string& payment_id, v1::Payment* payment) const;
  grpc::Status ListFees(const v1::ListFeesRequest& request, v1::ListFeesResponse* response) const;
  grpc::Status ListPayments(const v1::ListPaymentsRequest& request,
                            v1::ListPaymentsResponse* response) const;

 private:
  // Calls `attempt(stubs, context)` until it returns a status that is not a crash code.
  template <typename Attempt>
  grpc::Status Retry(const Attempt& attempt, int64_t* retries) const;

  const Endpoint* endpoint_;
  std::string api_key_;
  RetryPolicy policy_;
  CallCounters* counters_;
  const std::atomic<bool>* abort_;
};

}  // namespace pay::integration::crash

#endif  // PAY_TESTS_CRASH_CRASH_CLIENT_H_
