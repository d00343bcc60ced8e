// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "baselines.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>

#include "call_pool.h"
#include "ledger.h"
#include "pay/v1/payment_service.grpc.pb.h"
#include "records.h"

namespace pay::bench {
namespace {

// A payment as payd stores it after a SANDBOX collection, with realistic field sizes.
Payment SamplePayment(int64_t index) {
  Payment payment;
  char payment_id[32];
  std::snprintf(payment_id, sizeof payment_id, "pay_%020llx",
                static_cast<unsigned long long>(index));
  payment.payment_id = payment_id;
  payment.fee_id = "fee_0123456789abcdef0123";
  payment.agency_id = "bench";
  payment.bill_number = "4821093755612208";
  payment.amount = Money::Create("SAR", 15000).value();
  payment.method = PaymentMethod::kSandbox;
  payment.connector = "sandbox";
  payment.state = PaymentState::kSucceeded;
  payment.connector_reference = "sbx_0123456789abcdef";
  payment.idempotency_key = "bench-0123456789";
  payment.initiated_by = "cred_0123456789abcdef";
  payment.create_time_ms = 1'790'000'000'000;
  payment.update_time_ms = 1'790'000'000'000;
  payment.ledger_sequence = 1'000'000;
  return payment;
}

LedgerEntry SampleEntry(const Payment& payment, uint8_t from, uint8_t to) {
  LedgerEntry entry;
  entry.sequence = 1'000'000;
  entry.time_ms = payment.create_time_ms;
  entry.type = EntryType::kPaymentStateChanged;
  entry.agency_id = payment.agency_id;
  entry.subject_id = payment.payment_id;
  entry.related_id = payment.fee_id;
  entry.principal_id = payment.initiated_by;
  entry.from_state = from;
  entry.to_state = to;
  entry.amount = payment.amount;
  entry.prev_hash.assign(kHashBytes, 'h');
  entry.agency_prev_hash.assign(kHashBytes, 'a');
  if (to == static_cast<uint8_t>(PaymentState::kSucceeded)) {
    entry.postings = {{"clearing/sandbox", payment.amount},
                      {"revenue/bench", Money::Create("SAR", -15000).value()}};
  }
  return entry;
}

}  // namespace

struct RawStore::Impl {
  std::string dir;
  std::unique_ptr<rocksdb::DB> db;
  std::string entry_created;
  std::string entry_succeeded;
  std::string payment_record;
  std::string fee_record;
  std::string idempotency_record;
};

RawStore::RawStore(const std::string& parent) : impl_(std::make_unique<Impl>()) {
  std::string pattern = parent + "/raw-rocksdb.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
  impl_->dir = pattern;
  rocksdb::Options options;
  internal::SetStoreOptions(&options);
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status opened = rocksdb::DB::Open(options, impl_->dir, &db);
  if (!opened.ok()) throw std::runtime_error("opening raw RocksDB: " + opened.ToString());
  impl_->db.reset(db);

  const Payment payment = SamplePayment(0);
  impl_->entry_created = EncodeEntry(SampleEntry(payment, 1, 2));
  impl_->entry_succeeded = EncodeEntry(SampleEntry(payment, 2, 3));
  impl_->payment_record = internal::EncodePayment(payment);
  Fee fee;
  fee.fee_id = payment.fee_id;
  fee.agency_id = payment.agency_id;
  fee.bill_number = payment.bill_number;
  fee.amount = payment.amount;
  fee.description = {"Passport renewal (benchmark)", "تجديد جواز السفر"};
  fee.state = FeeState::kPaid;
  fee.paid_by_payment_id = payment.payment_id;
  impl_->fee_record = internal::EncodeFee(fee);
  internal::IdempotencyRecord idempotency{std::string(32, 'f'), payment.payment_id,
                                          payment.create_time_ms};
  impl_->idempotency_record = internal::EncodeIdempotency(idempotency);
  batch_bytes_ = impl_->entry_created.size() + impl_->entry_succeeded.size() +
                 impl_->payment_record.size() + impl_->fee_record.size() +
                 impl_->idempotency_record.size();
}

RawStore::~RawStore() {
  impl_->db.reset();
  std::error_code ignored;
  std::filesystem::remove_all(impl_->dir, ignored);
}

std::string RawStore::WritePayment(int64_t index) {
  // The same keys and values a payment makes payd write: two entries, the payment, fee and
  // idempotency records, four listing index keys and two balances.
  const std::string id = std::to_string(index);
  rocksdb::WriteBatch batch;
  batch.Put(internal::Ledger::SequenceKey(2 * static_cast<uint64_t>(index) + 1),
            impl_->entry_created);
  batch.Put(internal::Ledger::SequenceKey(2 * static_cast<uint64_t>(index) + 2),
            impl_->entry_succeeded);
  batch.Put("payment/" + id, impl_->payment_record);
  batch.Put("fee/" + id, impl_->fee_record);
  batch.Put("idempotency/" + id, impl_->idempotency_record);
  for (const char* index_name : {"pa", "pc", "pf", "pn"}) {
    batch.Put(std::string(index_name) + "/bench/0000000000000000/" + id, "");
  }
  batch.Put("balance/clearing/sandbox", std::string(8, 'b'));
  batch.Put("balance/revenue/bench", std::string(8, 'b'));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  const rocksdb::Status written = impl_->db->Write(sync, &batch);
  return written.ok() ? std::string() : written.ToString();
}

namespace {

// A payment of the usual size for `request`.
void FillPayment(const v1::CreatePaymentRequest& request, v1::Payment* response) {
  response->set_payment_id("pay_0123456789abcdef0123");
  response->set_fee_id("fee_0123456789abcdef0123");
  response->set_agency_id("bench");
  response->set_bill_number(request.bill_number());
  response->mutable_amount()->set_currency("SAR");
  response->mutable_amount()->set_minor_units(15000);
  response->set_method(request.method());
  response->set_connector("sandbox");
  response->set_state(v1::Payment::SUCCEEDED);
  response->set_connector_reference("sbx_0123456789abcdef");
  response->set_idempotency_key(request.idempotency_key());
  response->set_initiated_by("cred_0123456789abcdef");
  response->mutable_create_time()->set_seconds(1'790'000'000);
  response->mutable_update_time()->set_seconds(1'790'000'000);
  response->set_ledger_sequence(1'000'000);
}

// CreatePayment answers a payment of the usual size: no auth, no store, no connector. It is
// served as payd serves it (payd/pooled_call.cc): gRPC's callback API hands the call to a
// payd::CallPool worker, which answers it.
class EmptyPaymentService final
    : public v1::PaymentService::WithCallbackMethod_CreatePayment<v1::PaymentService::Service> {
 public:
  explicit EmptyPaymentService(payd::CallPool* pool) : pool_(pool) {}
  grpc::ServerUnaryReactor* CreatePayment(grpc::CallbackServerContext* context,
                                          const v1::CreatePaymentRequest* request,
                                          v1::Payment* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    std::function<void()> task = [request, response, reactor] {
      FillPayment(*request, response);
      reactor->Finish(grpc::Status::OK);
    };
    if (!pool_->TrySubmit(task)) {
      reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "the pool is full"));
    }
    return reactor;
  }

 private:
  payd::CallPool* pool_;
};

}  // namespace

struct EmptyService::Impl {
  explicit Impl(int workers) : pool(workers, payd::kDefaultPaymentQueueLimit), service(&pool) {}
  payd::CallPool pool;
  EmptyPaymentService service;
  std::unique_ptr<grpc::Server> server;
};

EmptyService::EmptyService(int workers) : impl_(std::make_unique<Impl>(workers)) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&impl_->service);
  grpc::ResourceQuota quota("empty-payment-service");
  quota.SetMaxThreads(kServerThreads);
  builder.SetResourceQuota(quota);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, kMinPollers);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, kMaxPollers);
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || port == 0) throw std::runtime_error("the empty gRPC service did not start");
  target_ = "127.0.0.1:" + std::to_string(port);
}

EmptyService::~EmptyService() {
  impl_->server->Shutdown();
  impl_->pool.Drain();
}

}  // namespace pay::bench
