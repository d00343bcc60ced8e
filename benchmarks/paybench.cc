// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// paybench: payd against the physical limits of this machine, measured in one run, printed as one
// table with ratios. See README "Performance" and scripts/bench.
//
//   build/bin/paybench --payd build/bin/payd --paycli build/bin/paycli

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "baselines.h"
#include "bulk_bench.h"
#include "call_pool.h"
#include "load_generator.h"
#include "pay/v1/fee_service.grpc.pb.h"
#include "pay/v1/payment_service.grpc.pb.h"
#include "payd_driver.h"

namespace pay::bench {
namespace {

struct Flags {
  std::string payd = "build/bin/payd";
  std::string paycli = "build/bin/paycli";
  std::string work_dir = "/tmp";
  double seconds = 3;
  std::vector<int> concurrency = {1, 16, 64, 256};
  bool skip_export = false;
  // The ledger that export and verify are timed on: this many entries written by the generator
  // (the CreatePayment runs leave too few for a figure that means anything).
  int64_t export_entries = 1'000'000;
  std::string ledger_generator;  // default: paycli_ledger_generator beside --paycli
  // The bulk section (CreateFees).
  int64_t bulk_fees = 1'000'000;
  int bulk_batch = 5000;
  bool skip_bulk = false;
  // payd's --payment-workers (0: payd's default), also the empty service's pool size.
  int payment_workers = 0;
  // A second payd binary (e.g. main's) whose CreateFee/CreatePayment rows are measured right
  // after the first one's at each concurrency, in the same run.
  std::string compare_payd;
  bool skip_open_loop = false;
};

// Times `paycli ledger export` and `ledger verify` (of the file and of the data directory) over
// a ledger of flags.export_entries entries made by paycli_ledger_generator.
void BenchExportAndVerify(const Flags& flags) {
  const std::string dir = flags.work_dir + "/export-ledger";
  const std::string data_dir = dir + "/data";
  const std::string file = dir + "/ledger.jsonl";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string generator =
      !flags.ledger_generator.empty()
          ? flags.ledger_generator
          : (std::filesystem::path(flags.paycli).parent_path() / "paycli_ledger_generator")
                .string();
  const ToolRun initialized = TimeTool({flags.payd, "init", "--data-dir", data_dir});
  const ToolRun generated = TimeTool(
      {generator, "--data-dir", data_dir, "--entries", std::to_string(flags.export_entries)});
  if (!initialized.ok || !generated.ok) {
    std::printf("ledger export/verify: cannot generate the ledger with %s  FAILED\n",
                generator.c_str());
    return;
  }
  const ToolRun exported = TimeTool(
      {flags.paycli, "ledger", "export", "--quiet", "--data-dir", data_dir, "--output", file});
  const ToolRun verified =
      TimeTool({flags.paycli, "ledger", "verify", "--quiet", "--public-key-file",
                data_dir + "/signing.pub", "--file", file});
  const ToolRun verified_store =
      TimeTool({flags.paycli, "ledger", "verify", "--quiet", "--public-key-file",
                data_dir + "/signing.pub", "--data-dir", data_dir});
  const int64_t entries = CountLines(file);
  const double mb = FileBytes(file) / 1e6;
  std::printf("\nledger of %lld generated entries (in %.1f s):\n", static_cast<long long>(entries),
              generated.seconds);
  std::printf(
      "ledger export (JSON Lines):  %.2f s = %.0f entries/s, %.1f MB/s (target >= 1,000,000/s)%s\n",
      exported.seconds, entries / exported.seconds, mb / exported.seconds,
      exported.ok ? "" : "  FAILED");
  std::printf(
      "ledger verify (JSON Lines):  %.2f s = %.0f entries/s, %.1f MB/s (target >= 300,000/s)%s\n",
      verified.seconds, entries / verified.seconds, mb / verified.seconds,
      verified.ok ? "" : "  FAILED");
  std::printf("ledger verify (data dir):    %.2f s = %.0f entries/s%s\n", verified_store.seconds,
              entries / verified_store.seconds, verified_store.ok ? "" : "  FAILED");
  std::fflush(stdout);
  std::filesystem::remove_all(dir);
}

// One line of the table.
struct Row {
  std::string what;
  std::string concurrency;
  LoadResult result;
  std::string vs_disk = "-";
  std::string vs_grpc = "-";
};

std::string Ratio(double value, double base) {
  if (base <= 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2fx", value / base);
  return text;
}

void PrintRow(const Row& row) {
  std::printf("%-34s %6s %10.0f %8.2f %8.2f %9.2f %8s %8s\n", row.what.c_str(),
              row.concurrency.c_str(), row.result.per_second, row.result.p50_us / 1000.0,
              row.result.p99_us / 1000.0, row.result.p999_us / 1000.0, row.vs_disk.c_str(),
              row.vs_grpc.c_str());
  if (row.result.errors > 0) {
    std::printf("    %lld of %lld calls failed; first: %s\n",
                static_cast<long long>(row.result.errors), static_cast<long long>(row.result.calls),
                row.result.first_error.c_str());
  }
  std::fflush(stdout);
}

std::string StatusText(const grpc::Status& status) {
  return status.ok() ? std::string()
                     : std::to_string(status.error_code()) + " " + status.error_message();
}

// Workers of the open-loop run: more than calls in flight at the target rate, so that an
// arrival never waits for a free worker (which would hide the wait, coordinated omission).
constexpr int kOpenLoopWorkers = 512;

// Stubs for `concurrency` workers spread over at most 8 connections, connected before returning.
template <typename Service>
std::vector<std::unique_ptr<typename Service::Stub>> Stubs(const std::string& target,
                                                           int concurrency) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < std::min(concurrency, 8); ++i) {
    channels.push_back(NewChannel(target, i));
    channels.back()->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  std::vector<std::unique_ptr<typename Service::Stub>> stubs;
  for (int w = 0; w < concurrency; ++w) {
    stubs.push_back(Service::NewStub(channels[static_cast<size_t>(w) % channels.size()]));
  }
  return stubs;
}

std::chrono::milliseconds Duration(const Flags& flags) {
  return std::chrono::milliseconds(static_cast<int64_t>(flags.seconds * 1000));
}

// Issues fees at `concurrency` for the run's duration; appends their bill numbers to `bills`.
LoadResult CreateFees(const std::string& target, const std::string& key, int concurrency,
                      std::chrono::milliseconds duration, std::vector<std::string>* bills) {
  auto stubs = Stubs<v1::FeeService>(target, concurrency);
  std::mutex mu;
  const LoadResult result = RunClosedLoop(concurrency, duration, 0, [&](int worker, int64_t) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + key);
    v1::CreateFeeRequest request;
    request.mutable_amount()->set_currency("SAR");
    request.mutable_amount()->set_minor_units(15000);
    request.mutable_description()->set_en("Passport renewal (benchmark)");
    v1::Fee fee;
    const grpc::Status status =
        stubs[static_cast<size_t>(worker)]->CreateFee(&context, request, &fee);
    if (status.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      bills->push_back(fee.bill_number());
    }
    return StatusText(status);
  });
  return result;
}

// Pays `bills` through SANDBOX with `stubs` (one per worker), closed loop or, when `rate` > 0,
// open loop at that rate; `first` is the index of the first bill to pay.
LoadResult Pay(std::vector<std::unique_ptr<v1::PaymentService::Stub>>& stubs,
               const std::string& key, double rate, std::chrono::milliseconds duration,
               const std::vector<std::string>& bills, size_t first = 0) {
  auto call = [&](int worker, int64_t index) {
    const std::string& bill = bills[first + static_cast<size_t>(index)];
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + key);
    v1::CreatePaymentRequest request;
    request.set_bill_number(bill);
    request.set_method(v1::SANDBOX);
    request.set_idempotency_key("bench-" + bill);
    v1::Payment payment;
    grpc::Status status =
        stubs[static_cast<size_t>(worker)]->CreatePayment(&context, request, &payment);
    if (status.ok() && payment.state() != v1::Payment::SUCCEEDED) {
      return "payment " + payment.payment_id() + " is " + v1::Payment::State_Name(payment.state());
    }
    return StatusText(status);
  };
  const auto count = static_cast<int64_t>(bills.size() - first);
  const auto workers = static_cast<int>(stubs.size());
  return rate > 0 ? RunOpenLoop(rate, duration, count, workers, call)
                  : RunClosedLoop(workers, duration, count, call);
}

LoadResult EmptyCalls(const std::string& target, int concurrency,
                      std::chrono::milliseconds duration) {
  auto stubs = Stubs<v1::PaymentService>(target, concurrency);
  return RunClosedLoop(concurrency, duration, 0, [&](int worker, int64_t index) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer payk_benchmark");
    v1::CreatePaymentRequest request;
    request.set_bill_number("4821093755612208");
    request.set_method(v1::SANDBOX);
    request.set_idempotency_key("bench-" + std::to_string(index));
    v1::Payment payment;
    return StatusText(
        stubs[static_cast<size_t>(worker)]->CreatePayment(&context, request, &payment));
  });
}

// Prints the CreateFee and CreatePayment rows of the payd at `target` (labelled `who`) at
// `concurrency`; returns the CreatePayment result.
LoadResult PaydRows(const std::string& who, const std::string& target, const std::string& key,
                    int concurrency, std::chrono::milliseconds duration,
                    std::map<int, double>& disk_rate, std::map<int, double>& grpc_rate) {
  std::vector<std::string> bills;
  Row fees{who + ": CreateFee", std::to_string(concurrency),
           CreateFees(target, key, concurrency, duration, &bills), "", ""};
  fees.vs_disk = Ratio(fees.result.per_second, disk_rate[concurrency]);
  fees.vs_grpc = Ratio(fees.result.per_second, grpc_rate[concurrency]);
  PrintRow(fees);
  auto stubs = Stubs<v1::PaymentService>(target, concurrency);
  Row pay{who + ": CreatePayment (SANDBOX)", std::to_string(concurrency),
          Pay(stubs, key, 0, duration, bills), "", ""};
  pay.vs_disk = Ratio(pay.result.per_second, disk_rate[concurrency]);
  pay.vs_grpc = Ratio(pay.result.per_second, grpc_rate[concurrency]);
  PrintRow(pay);
  return pay.result;
}

int Run(const Flags& flags) {
  const auto duration = Duration(flags);
  std::printf("paybench: %u cores, %.1f s per measurement, client and servers on this machine\n\n",
              std::thread::hardware_concurrency(), flags.seconds);
  std::printf("%-34s %6s %10s %8s %8s %9s %8s %8s\n", "what", "conc", "ops/s", "p50 ms", "p99 ms",
              "p99.9 ms", "x disk", "x gRPC");

  std::map<int, double> disk_rate;
  {
    RawStore store(flags.work_dir);
    for (const int c : flags.concurrency) {
      Row row{"disk: raw RocksDB, sync batch", std::to_string(c),
              RunClosedLoop(c, duration, 0,
                            [&](int, int64_t index) { return store.WritePayment(index); }),
              "1.00x", "-"};
      disk_rate[c] = row.result.per_second;
      PrintRow(row);
    }
    std::printf("    (one batch = the %zu bytes of records a payment writes)\n",
                store.batch_bytes());
  }

  std::map<int, double> grpc_rate;
  {
    EmptyService empty(flags.payment_workers > 0 ? flags.payment_workers
                                                 : payd::kDefaultPaymentWorkers);
    for (const int c : flags.concurrency) {
      Row row{"gRPC: empty CreatePayment", std::to_string(c),
              EmptyCalls(empty.target(), c, duration), "-", "1.00x"};
      grpc_rate[c] = row.result.per_second;
      PrintRow(row);
    }
  }

  std::vector<std::string> serve_args;
  if (flags.payment_workers > 0) {
    serve_args = {"--payment-workers", std::to_string(flags.payment_workers)};
  }
  PaydDriver payd(flags.payd, flags.work_dir, serve_args);
  const auto start_time = payd.Start();
  const std::string key = payd.AgencyKey();
  std::unique_ptr<PaydDriver> compare;
  std::string compare_key;
  if (!flags.compare_payd.empty()) {
    compare = std::make_unique<PaydDriver>(flags.compare_payd, flags.work_dir);
    compare->Start();
    compare_key = compare->AgencyKey();
  }
  double saturated = 0;
  std::map<int, double> payd_rate;
  std::map<int, LoadResult> payd_result;
  for (const int c : flags.concurrency) {
    const LoadResult result =
        PaydRows("payd", payd.target(), key, c, duration, disk_rate, grpc_rate);
    payd_rate[c] = result.per_second;
    payd_result[c] = result;
    saturated = std::max(saturated, result.per_second);
    if (compare != nullptr) {
      PaydRows("compare", compare->target(), compare_key, c, duration, disk_rate, grpc_rate);
    }
  }
  if (compare != nullptr) compare->Stop();
  if (flags.skip_open_loop) {
    payd.Stop();
    return 0;
  }

  // Latency at half the saturated rate, open loop (arrivals do not wait for answers). The
  // connections are made and a first second at the same rate is paid before the measured run,
  // so that connection set-up and payd's handler threads starting are not counted.
  const double half = saturated / 2;
  const auto warm_up = std::chrono::milliseconds(1000);
  std::vector<std::string> bills;
  while (static_cast<double>(bills.size()) < half * (flags.seconds + 1) * 1.2 + 100) {
    CreateFees(payd.target(), key, 64, std::chrono::milliseconds(500), &bills);
  }
  auto stubs = Stubs<v1::PaymentService>(payd.target(), kOpenLoopWorkers);
  const LoadResult warm = Pay(stubs, key, half, warm_up, bills);
  char label[64];
  std::snprintf(label, sizeof label, "payd: open loop at %.0f/s", half);
  Row open{label, "-", Pay(stubs, key, half, duration, bills, static_cast<size_t>(warm.calls)), "-",
           "-"};
  PrintRow(open);
  // The floor under that latency: the disk alone, at the same arrival rate, writing what a
  // payment commits (two synced batches, one after the other, as payd's two commits are).
  LoadResult disk_floor;
  {
    RawStore store(flags.work_dir);
    std::snprintf(label, sizeof label, "disk: 2 sync batches at %.0f/s", half);
    Row floor{label, "-",
              RunOpenLoop(half, duration, 0, kOpenLoopWorkers,
                          [&](int, int64_t index) {
                            std::string error = store.WritePayment(2 * index);
                            return error.empty() ? store.WritePayment(2 * index + 1) : error;
                          }),
              "-", "-"};
    PrintRow(floor);
    disk_floor = floor.result;
  }
  const int64_t rss = payd.PeakRssBytes();
  payd.Stop();

  std::printf("\npayd start to serving: %lld ms; peak RSS after the run: %.1f MiB\n",
              static_cast<long long>(start_time.count()), rss / 1048576.0);

  if (!flags.skip_export) BenchExportAndVerify(flags);

  // Bulk issuance: a fresh payd, one CreateFees stream, beside raw RocksDB writing the same bytes
  // per fee in synced batches of the same size.
  BulkResult bulk;
  BulkResult raw_bulk;
  if (!flags.skip_bulk) {
    PaydDriver bulk_payd(flags.payd, flags.work_dir);
    bulk_payd.Start();
    const std::string bulk_key = bulk_payd.AgencyKey();
    bulk = IssueInBulk(bulk_payd.target(), bulk_key, flags.bulk_fees, flags.bulk_batch,
                       bulk_payd.data_dir());
    bulk_payd.Stop();
    raw_bulk = RawBulk(flags.work_dir, flags.bulk_fees, flags.bulk_batch,
                       static_cast<size_t>(std::max(1.0, bulk.bytes_per_fee)));
    const ToolRun verified =
        TimeTool({flags.paycli, "ledger", "verify", "--quiet", "--data-dir", bulk_payd.data_dir(),
                  "--public-key-file", bulk_payd.data_dir() + "/signing.pub"});
    std::printf(
        "\nbulk issuance, batches of %d fees (bytes: growth of the store directory, WAL + "
        "SST files):\n",
        flags.bulk_batch);
    std::printf(
        "  payd CreateFees:       %lld fees in %.2f s = %.0f fees/s, %.1f MB/s, %.0f "
        "bytes/fee%s%s\n",
        static_cast<long long>(bulk.fees), bulk.seconds, bulk.per_second,
        bulk.store_bytes / 1e6 / bulk.seconds, bulk.bytes_per_fee,
        bulk.error.empty() ? "" : "  FAILED: ", bulk.error.c_str());
    std::printf(
        "  raw RocksDB, sync:     %lld fees in %.2f s = %.0f fees/s, %.1f MB/s, %.0f "
        "bytes/fee%s%s\n",
        static_cast<long long>(raw_bulk.fees), raw_bulk.seconds, raw_bulk.per_second,
        raw_bulk.store_bytes / 1e6 / raw_bulk.seconds, raw_bulk.bytes_per_fee,
        raw_bulk.error.empty() ? "" : "  FAILED: ", raw_bulk.error.c_str());
    std::printf("  payd / raw RocksDB:    %s; ledger verify --data-dir after: %s in %.2f s\n",
                Ratio(bulk.per_second, raw_bulk.per_second).c_str(), verified.ok ? "OK" : "FAILED",
                verified.seconds);
  }

  // The targets of the speed issue, against the limits measured above.
  if (payd_rate.count(64) != 0) {
    const double bound = std::min(disk_rate[64], grpc_rate[64]);
    std::printf(
        "\ntarget: payd at concurrency 64 >= 0.7x min(disk, gRPC) = %.0f/s: %.0f/s = %s %s\n",
        0.7 * bound, payd_rate[64], Ratio(payd_rate[64], bound).c_str(),
        payd_rate[64] >= 0.7 * bound ? "MET" : "NOT MET");
  }
  std::printf(
      "target: p99 <= 5 ms at half the saturated rate: %.2f ms %s (the disk alone at "
      "that rate: p99 %.2f ms)\n",
      open.result.p99_us / 1000.0, open.result.p99_us <= 5000 ? "MET" : "NOT MET",
      disk_floor.p99_us / 1000.0);
  if (!flags.skip_bulk) {
    std::printf(
        "target: bulk issuance >= 200000 fees/s, durable per batch: %.0f fees/s (%s raw "
        "RocksDB) %s\n",
        bulk.per_second, Ratio(bulk.per_second, raw_bulk.per_second).c_str(),
        bulk.error.empty() && bulk.per_second >= 200'000 ? "MET" : "NOT MET");
  }
  return 0;
}

}  // namespace
}  // namespace pay::bench

int main(int argc, char** argv) {
  pay::bench::Flags flags;
  CLI::App app{
      "paybench: payd's CreatePayment against raw RocksDB (the disk) and an empty gRPC service\n"
      "(the transport), in one run on this machine, printed as one table with ratios"};
  app.add_option("--payd", flags.payd, "The payd binary")->capture_default_str();
  app.add_option("--paycli", flags.paycli, "The paycli binary (export and verify)")
      ->capture_default_str();
  app.add_option("--work-dir", flags.work_dir, "Where the temporary stores go")
      ->capture_default_str();
  app.add_option("--seconds", flags.seconds, "Length of each measurement")
      ->capture_default_str()
      ->check(CLI::Range(0.2, 600.0));
  app.add_option("--concurrency", flags.concurrency, "Concurrent clients (repeatable)")
      ->capture_default_str()
      ->delimiter(',');
  app.add_flag("--skip-export", flags.skip_export, "Do not time paycli ledger export/verify");
  app.add_option("--export-entries", flags.export_entries,
                 "Entries of the generated ledger that export and verify are timed on")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  app.add_option("--ledger-generator", flags.ledger_generator,
                 "The paycli_ledger_generator binary (default: beside --paycli)");
  app.add_option("--bulk-fees", flags.bulk_fees, "Fees the bulk section issues through CreateFees")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  app.add_option("--bulk-batch", flags.bulk_batch, "Fees per CreateFees batch (1..10000)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000));
  app.add_flag("--skip-bulk", flags.skip_bulk, "Do not run the bulk issuance section");
  app.add_option("--payment-workers", flags.payment_workers,
                 "payd's --payment-workers and the empty service's pool size (0: payd's default)")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096));
  app.add_option("--compare-payd", flags.compare_payd,
                 "A second payd binary (e.g. the previous build) measured beside --payd at each "
                 "concurrency, in the same run");
  app.add_flag("--skip-open-loop", flags.skip_open_loop,
               "Stop after the closed-loop table (no open loop, export or bulk sections)");
  CLI11_PARSE(app, argc, argv);
  try {
    return pay::bench::Run(flags);
  } catch (const std::exception& error) {
    std::cerr << "paybench: " << error.what() << "\n";
    return 1;
  }
}
