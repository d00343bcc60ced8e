// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "crash_worker.h"

#include <utility>

#include "payd_test_base.h"

namespace pay::integration::crash {
namespace {

// Fee amounts in SAR minor units (1.00 to 999.99 SAR).
constexpr int64_t kMinAmount = 100;
constexpr int64_t kMaxAmount = 99999;
// SANDBOX declines amounts whose minor units end in these digits.
constexpr int64_t kDeclinedSuffix = 402;

int64_t PickAmount(std::mt19937_64* random) {
  std::uniform_int_distribution<int64_t> amount(kMinAmount, kMaxAmount);
  int64_t minor_units = amount(*random);
  if (minor_units % 1000 == kDeclinedSuffix) ++minor_units;
  return minor_units;
}

std::string Describe(const grpc::Status& status) {
  return StatusCodeName(status.error_code()) + " \"" + status.error_message() + "\"";
}

}  // namespace

void PaymentSlot::Publish(Offer offer) {
  std::lock_guard<std::mutex> lock(mu_);
  offer_ = std::move(offer);
}

void PaymentSlot::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  offer_.reset();
}

std::optional<PaymentSlot::Offer> PaymentSlot::Peek() const {
  std::lock_guard<std::mutex> lock(mu_);
  return offer_;
}

WorkerGroup::WorkerGroup(int threads, uint64_t seed, const RetryingClient* client, AckBook* book,
                         Findings* findings, std::chrono::steady_clock::time_point start)
    : threads_(threads),
      seed_(seed),
      client_(client),
      book_(book),
      findings_(findings),
      start_(start),
      slots_(static_cast<size_t>(threads)) {}

WorkerGroup::~WorkerGroup() { StopAndJoin(); }

void WorkerGroup::Start() {
  for (int thread = 0; thread < threads_; ++thread) {
    workers_.emplace_back([this, thread] { Run(thread); });
  }
}

void WorkerGroup::StopAndJoin() {
  stop_ = true;
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

int64_t WorkerGroup::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start_)
      .count();
}

void WorkerGroup::Run(int thread) {
  std::mt19937_64 random(seed_ + 1 + static_cast<uint64_t>(thread));
  for (int64_t n = 0; n < kMaxItemsPerWorker && !stop_.load(); ++n) {
    if (random() % kDuplicateOneIn == 0) SendNeighboursPayment(thread);
    if (!RunItem(thread, n, &random)) return;
  }
}

bool WorkerGroup::RunItem(int thread, int64_t n, std::mt19937_64* random) {
  const WorkItem item = MakeWorkItem(thread, n, PickAmount(random));
  int64_t retries = 0;
  v1::Fee fee;
  grpc::Status status = client_->CreateFee(item.fee_request, &fee, &retries);
  if (!status.ok()) {
    findings_->Add(FindingKind::kWorkerError, item.fee_key + ": " + Describe(status) + " after " +
                                                  std::to_string(retries) + " retries");
    return false;
  }
  book_->RecordFee(item, fee, findings_);
  ++stats_.fees_acknowledged;

  // Offered to the next worker while it is in flight, retries included.
  PaymentSlot& slot = slots_[static_cast<size_t>((thread + 1) % threads_)];
  const v1::CreatePaymentRequest request = MakePaymentRequest(item, fee.bill_number());
  slot.Publish({item.id, request});
  v1::Payment payment;
  status = client_->CreatePayment(request, &payment, &retries);
  slot.Clear();
  if (!status.ok()) {
    findings_->Add(FindingKind::kWorkerError, item.payment_key + ": " + Describe(status) +
                                                  " after " + std::to_string(retries) + " retries");
    return false;
  }
  book_->RecordPayment(item.id, payment, NowMs(), findings_);
  ++stats_.payments_acknowledged;
  if (retries > 0) ++stats_.items_retried;
  return true;
}

void WorkerGroup::SendNeighboursPayment(int thread) {
  const std::optional<PaymentSlot::Offer> offer = slots_[static_cast<size_t>(thread)].Peek();
  if (!offer) return;
  ++stats_.duplicate_sends;
  v1::Payment payment;
  const grpc::Status status = client_->CreatePayment(offer->request, &payment);
  if (!status.ok()) {
    findings_->Add(FindingKind::kWorkerError,
                   offer->request.idempotency_key() + " (neighbour's key): " + Describe(status));
    return;
  }
  book_->RecordPayment(offer->item_id, payment, NowMs(), findings_);
  ++stats_.payments_acknowledged;
}

}  // namespace pay::integration::crash
