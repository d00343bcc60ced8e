// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// libpay's payment path without gRPC: pay::Gateway on a real store, SANDBOX connector,
// CreatePayment (two synced ledger commits: the payment handed to the connector, then its
// outcome) beside Ledger-free raw RocksDB writing the same number of synced batches. It splits
// payd's cost between the library and the transport (paybench measures the whole), and reports
// the process CPU each payment costs, which is what bounds throughput on 2 cores.
//
//   build/bin/gateway_bench [--benchmark_min_time=2]

#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "ledger.h"
#include "pay/gateway.h"
#include "sandbox_connector.h"

namespace pay {
namespace {

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::string TempDir(const char* name) {
  std::string pattern = std::string("/tmp/gateway_bench_") + name + ".XXXXXX";
  PAY_CHECK(mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

// One gateway for the whole run, with an agency and its AGENCY credential.
struct Fixture {
  Fixture() : dir(TempDir("store")) {
    const std::string data = dir + "/data";
    PAY_CHECK(Gateway::Initialize(data).ok());
    GatewayOptions options;
    options.data_dir = data;
    gateway = Gateway::Open(options).value();
    gateway->RegisterConnector(sandbox::NewSandboxConnector(), ConnectorPolicy{});
    std::ifstream in(data + "/admin.key");
    std::string key;
    std::getline(in, key);
    const Principal admin = gateway->Authenticate(key).value();
    PAY_CHECK(gateway->CreateAgency(admin, {"bench", {"Benchmark", "قياس"}}).ok());
    const IssuedCredential issued =
        gateway->CreateCredential(admin, {Role::kAgency, {"bench"}, "bench"}).value();
    agency = gateway->Authenticate(issued.api_key).value();
  }
  ~Fixture() {
    gateway.reset();
    std::filesystem::remove_all(dir);
  }
  std::string dir;
  std::unique_ptr<Gateway> gateway;
  Principal agency;
  std::atomic<int64_t> next{0};
};

Fixture& Shared() {
  static Fixture fixture;
  return fixture;
}

// Process CPU per operation over one run of all its threads: thread 0 reads the clock in its
// first iteration (after the start barrier: set-up work is not counted) and after the loop
// (after the stop barrier).
struct CpuMeter {
  void Tick(const benchmark::State& state) {
    if (state.thread_index() == 0 && start < 0) start = ProcessCpuSeconds();
  }
  void Stop(benchmark::State& state) const {
    if (state.thread_index() != 0) return;
    const double ops = static_cast<double>(state.iterations()) * state.threads();
    state.counters["cpu_us_per_op"] = (ProcessCpuSeconds() - start) * 1e6 / ops;
  }
  double start = -1;
};

CreateFeeRequest FeeRequest() {
  CreateFeeRequest request;
  request.amount = Money::Create("SAR", 15000).value();
  request.description.en = "Passport renewal (benchmark)";
  return request;
}

void BM_GatewayCreateFee(benchmark::State& state) {
  Fixture& fixture = Shared();
  const CreateFeeRequest request = FeeRequest();
  CpuMeter cpu;
  for (auto _ : state) {
    cpu.Tick(state);
    PAY_CHECK(fixture.gateway->CreateFee(fixture.agency, request).ok());
  }
  state.SetItemsProcessed(state.iterations());
  cpu.Stop(state);
}
BENCHMARK(BM_GatewayCreateFee)->Threads(1)->Threads(16)->Threads(64)->UseRealTime();

void BM_GatewayCreatePayment(benchmark::State& state) {
  Fixture& fixture = Shared();
  // One fee per iteration, issued before the clock starts: the payment alone is measured.
  std::vector<std::string> bills;
  const CreateFeeRequest fee_request = FeeRequest();
  for (benchmark::IterationCount i = 0; i < state.max_iterations; ++i) {
    bills.push_back(fixture.gateway->CreateFee(fixture.agency, fee_request).value().bill_number);
  }
  CpuMeter cpu;
  size_t index = 0;
  for (auto _ : state) {
    cpu.Tick(state);
    CreatePaymentRequest request;
    request.bill_number = bills[index++];
    request.method = PaymentMethod::kSandbox;
    request.idempotency_key = "bench-" + request.bill_number;
    const Result<Payment> payment = fixture.gateway->CreatePayment(fixture.agency, request);
    PAY_CHECK(payment.ok() && payment->state == PaymentState::kSucceeded);
  }
  state.SetItemsProcessed(state.iterations());
  cpu.Stop(state);
}
BENCHMARK(BM_GatewayCreatePayment)
    ->Threads(1)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime()
    ->Iterations(400);

}  // namespace
}  // namespace pay

int main(int argc, char** argv) {
  // As payd does (payd/main.cc): absl's debug-build deadlock detector takes a global lock on
  // every mutex acquisition.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
