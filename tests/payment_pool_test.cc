// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// CreatePayment on payd's worker pool (payd/pooled_call.h) over real gRPC: hundreds of
// concurrent calls are queued, not refused; a full queue refuses with RESOURCE_EXHAUSTED and the
// advice to retry with the same idempotency_key, which then returns the first result; a call
// whose deadline passes while it waits writes nothing, never half a payment; SIGTERM under load
// answers or drops every call and keeps every acknowledged payment.

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "payd_test_base.h"

namespace pay::integration {
namespace {

class PaymentPoolTest : public PaydTest {
 protected:
  int issue_batches_ = 0;

  // Restarts payd with a pool of `workers` threads and `queue_limit` waiting calls.
  void RestartWithPool(int workers, int queue_limit) {
    ASSERT_EQ(payd_.Stop(), 0);
    payd_.set_serve_args({"--payment-workers", std::to_string(workers), "--payment-queue-limit",
                          std::to_string(queue_limit)});
    ASSERT_TRUE(payd_.Start());
    Connect();
  }

  // Issues `count` fees of 100.00 SAR from 16 threads; their bill numbers, in issue order.
  // CreateFee shares the pool: a refusal (RESOURCE_EXHAUSTED, a small pool) is retried with the
  // same idempotency key, as the API asks.
  std::vector<v1::Fee> IssueFees(int count) {
    std::vector<v1::Fee> issued(static_cast<size_t>(count));
    std::atomic<int> next{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    const std::string batch = std::to_string(issue_batches_++);
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&] {
        for (int i = next++; i < count; i = next++) {
          v1::CreateFeeRequest request = FeeRequest(10000);
          request.set_idempotency_key("issue-" + batch + "-" + std::to_string(i));
          grpc::Status status;
          for (int attempt = 0; attempt < 200; ++attempt) {
            status = TryCreateFee(passports_.agency_key, request, &issued[size_t(i)]);
            if (status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
          if (!status.ok()) ++failures;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    return issued;
  }

  // Pays `bills[i]` with idempotency key `prefix + i` from one thread per bill, all released at
  // once; the statuses and payments by index.
  void PayAllAtOnce(const std::vector<v1::Fee>& fees, const std::string& prefix,
                    std::chrono::milliseconds timeout, std::vector<grpc::Status>* statuses,
                    std::vector<v1::Payment>* payments) {
    statuses->assign(fees.size(), grpc::Status());
    payments->assign(fees.size(), v1::Payment());
    std::atomic<size_t> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (size_t i = 0; i < fees.size(); ++i) {
      threads.emplace_back([&, i] {
        auto stub = v1::PaymentService::NewStub(payd_.channel());
        const v1::CreatePaymentRequest request =
            PaymentRequest(fees[i].bill_number(), prefix + std::to_string(i));
        ++ready;
        while (!go.load()) std::this_thread::yield();
        auto context = MakeContext(passports_.channel_key, timeout);
        (*statuses)[i] = stub->CreatePayment(context.get(), request, &(*payments)[i]);
      });
    }
    while (ready.load() < fees.size()) std::this_thread::yield();
    go = true;
    for (std::thread& thread : threads) thread.join();
  }

  // Fails unless `fee` is consistent with its payments: either no payment and UNPAID, or exactly
  // one SUCCEEDED payment that the fee names and PAID. Returns the payment id ("" if none).
  std::string ExpectWholeOrNothing(const v1::Fee& fee) {
    std::vector<v1::Payment> payments;
    PaymentsOfFee(passports_.agency_key, fee.fee_id(), &payments);
    v1::Fee now;
    EXPECT_TRUE(IsOk(GetFee(passports_.agency_key, fee.fee_id(), &now)));
    if (payments.empty()) {
      EXPECT_EQ(now.state(), v1::Fee::UNPAID) << now.DebugString();
      return "";
    }
    EXPECT_EQ(payments.size(), 1u);
    EXPECT_EQ(payments[0].state(), v1::Payment::SUCCEEDED) << payments[0].DebugString();
    EXPECT_EQ(now.state(), v1::Fee::PAID) << now.DebugString();
    EXPECT_EQ(now.paid_by_payment_id(), payments[0].payment_id());
    return payments[0].payment_id();
  }
};

// With payd's default pool, 320 simultaneous calls (more than the 256 handler threads that used
// to refuse some of them) are all queued and all succeed.
TEST_F(PaymentPoolTest, ThreeHundredTwentyConcurrentPaymentsAllSucceed) {
  const std::vector<v1::Fee> fees = IssueFees(320);
  std::vector<grpc::Status> statuses;
  std::vector<v1::Payment> payments;
  PayAllAtOnce(fees, "all-", std::chrono::seconds(60), &statuses, &payments);
  for (size_t i = 0; i < fees.size(); ++i) {
    ASSERT_TRUE(IsOk(statuses[i])) << "call " << i;
    EXPECT_EQ(payments[i].state(), v1::Payment::SUCCEEDED);
    EXPECT_EQ(payments[i].fee_id(), fees[i].fee_id());
  }
}

// CreateFee runs on the same pool: 320 fees asked for at once, each with its own key, are all
// issued (the sync server refused some at 256 threads), with 320 distinct bill numbers.
TEST_F(PaymentPoolTest, ThreeHundredTwentyConcurrentFeesAllIssued) {
  std::vector<grpc::Status> statuses(320);
  std::vector<v1::Fee> fees(320);
  std::atomic<size_t> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < fees.size(); ++i) {
    threads.emplace_back([&, i] {
      auto stub = v1::FeeService::NewStub(payd_.channel());
      v1::CreateFeeRequest request = FeeRequest(10000 + static_cast<int64_t>(i));
      request.set_idempotency_key("fee-" + std::to_string(i));
      ++ready;
      while (!go.load()) std::this_thread::yield();
      auto context = MakeContext(passports_.agency_key, std::chrono::seconds(60));
      statuses[i] = stub->CreateFee(context.get(), request, &fees[i]);
    });
  }
  while (ready.load() < fees.size()) std::this_thread::yield();
  go = true;
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> bills;
  for (size_t i = 0; i < fees.size(); ++i) {
    ASSERT_TRUE(IsOk(statuses[i])) << "call " << i;
    EXPECT_EQ(fees[i].amount().minor_units(), 10000 + static_cast<int64_t>(i));
    bills.insert(fees[i].bill_number());
  }
  EXPECT_EQ(bills.size(), fees.size());
}

// A pool of 2 workers and 8 queued calls: the rest are refused with the retry advice, and a
// retry with the same key (of a refused call or an answered one) gives the one payment.
TEST_F(PaymentPoolTest, AFullQueueRefusesWithRetryAdviceAndRetriesReturnTheFirstResult) {
  RestartWithPool(2, 8);
  const std::vector<v1::Fee> fees = IssueFees(320);
  std::vector<grpc::Status> statuses;
  std::vector<v1::Payment> payments;
  PayAllAtOnce(fees, "full-", std::chrono::seconds(60), &statuses, &payments);
  int refused = 0;
  for (size_t i = 0; i < fees.size(); ++i) {
    if (statuses[i].ok()) {
      EXPECT_EQ(payments[i].state(), v1::Payment::SUCCEEDED);
      continue;
    }
    ++refused;
    ASSERT_TRUE(
        HasCodeAndMention(statuses[i], grpc::StatusCode::RESOURCE_EXHAUSTED, "idempotency_key"))
        << "call " << i;
    EXPECT_TRUE(MentionsWord(statuses[i].error_message(), "retry")) << statuses[i].error_message();
    EXPECT_EQ(ExpectWholeOrNothing(fees[i]), "") << "a refused call wrote a payment";
  }
  EXPECT_GT(refused, 0) << "320 simultaneous calls never filled a queue of 8";
  EXPECT_LT(refused, 320) << "no call was served";
  // Sequential retries fit in the queue.
  for (size_t i = 0; i < fees.size(); ++i) {
    v1::Payment again;
    ASSERT_TRUE(
        IsOk(TryPay(passports_.channel_key,
                    PaymentRequest(fees[i].bill_number(), "full-" + std::to_string(i)), &again)))
        << "retry " << i;
    if (statuses[i].ok()) {
      EXPECT_EQ(again.payment_id(), payments[i].payment_id()) << "retry " << i;
    }
    EXPECT_EQ(ExpectWholeOrNothing(fees[i]), again.payment_id());
  }
}

// One worker and calls whose deadline is a few milliseconds: each either succeeds or ends with
// DEADLINE_EXCEEDED, and every fee is either untouched or paid by one SUCCEEDED payment (never
// PENDING). A retry with the same key then completes it, once.
TEST_F(PaymentPoolTest, ACallWhoseDeadlinePassesWritesAllOrNothing) {
  RestartWithPool(1, 1024);
  bool expired_in_queue = false;
  for (int round = 0; round < 5 && !expired_in_queue; ++round) {
    const std::vector<v1::Fee> fees = IssueFees(64);
    std::vector<grpc::Status> statuses;
    std::vector<v1::Payment> payments;
    const std::string prefix = "short-" + std::to_string(round) + "-";
    PayAllAtOnce(fees, prefix, std::chrono::milliseconds(3), &statuses, &payments);
    for (size_t i = 0; i < fees.size(); ++i) {
      if (!statuses[i].ok()) {
        ASSERT_TRUE(HasCode(statuses[i], grpc::StatusCode::DEADLINE_EXCEEDED)) << "call " << i;
      }
      const std::string written = ExpectWholeOrNothing(fees[i]);
      if (statuses[i].ok()) {
        EXPECT_EQ(written, payments[i].payment_id());
      }
      v1::Payment again;
      ASSERT_TRUE(
          IsOk(TryPay(passports_.channel_key,
                      PaymentRequest(fees[i].bill_number(), prefix + std::to_string(i)), &again)));
      if (!written.empty()) {
        EXPECT_EQ(again.payment_id(), written);
      }
      EXPECT_EQ(ExpectWholeOrNothing(fees[i]), again.payment_id());
    }
    expired_in_queue = payd_.ReadLog().find("deadline passed while it waited for a payd worker") !=
                       std::string::npos;
  }
  EXPECT_TRUE(expired_in_queue) << "no call expired while queued: the test proved nothing";
}

// SIGTERM while 64 clients pay: payd exits 0, and after a restart every payment it acknowledged
// is there, SUCCEEDED, its fee PAID.
TEST_F(PaymentPoolTest, SigtermUnderLoadKeepsEveryAcknowledgedPayment) {
  const std::vector<v1::Fee> fees = IssueFees(1200);
  constexpr size_t kClients = 64;
  std::mutex mu;
  std::map<size_t, std::string> acknowledged;  // fee index -> payment id
  std::atomic<size_t> answered{0};
  std::vector<std::thread> clients;
  for (size_t c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto stub = v1::PaymentService::NewStub(payd_.channel());
      for (size_t i = c; i < fees.size(); i += kClients) {
        auto context = MakeContext(passports_.channel_key, std::chrono::seconds(20));
        v1::Payment payment;
        const grpc::Status status = stub->CreatePayment(
            context.get(), PaymentRequest(fees[i].bill_number(), "term-" + std::to_string(i)),
            &payment);
        if (!status.ok()) return;  // payd is going away
        ++answered;
        std::lock_guard<std::mutex> lock(mu);
        acknowledged[i] = payment.payment_id();
      }
    });
  }
  while (answered.load() < 100) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(payd_.Stop(), 0) << "payd did not exit cleanly after SIGTERM under load";
  for (std::thread& client : clients) client.join();
  ASSERT_GE(acknowledged.size(), 100u);
  ASSERT_TRUE(payd_.Start());
  Connect();
  for (const auto& [index, payment_id] : acknowledged) {
    v1::Payment payment;
    ASSERT_TRUE(IsOk(GetPayment(passports_.agency_key, payment_id, &payment))) << payment_id;
    EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED);
    EXPECT_EQ(ExpectWholeOrNothing(fees[index]), payment_id);
  }
}

}  // namespace
}  // namespace pay::integration
