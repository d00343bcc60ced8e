// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Crash consistency of payd under load: 64 client threads issue fees and pay them while the test
// kills payd with SIGKILL at random moments and starts it again over the same data directory.
// Every call payd may or may not have executed is retried with the same idempotency key until
// payd answers. After the last restart, everything payd acknowledged must hold: each fee key and
// each payment key still names what it was first answered with, every payment SUCCEEDED, no fee
// has two payments, and payd holds exactly one fee per fee key and one payment per payment key.
//
// PAY_CRASH_CYCLES sets the number of kill cycles (default 20: about 30 s on two cores).
// The long soak is 1000 cycles; it outlasts ctest's timeout, so run the binary directly:
//   PAY_CRASH_CYCLES=1000 build/bin/payd_crash_test
// PAY_CRASH_SEED replays the random choices (uptimes, amounts, duplicate sends) of a run; each
// run prints its seed. Thread scheduling, and so the exact kill points, still vary.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ack_book.h"
#include "crash_ledger.h"
#include "crash_client.h"
#include "crash_verify.h"
#include "crash_worker.h"
#include "findings.h"
#include "payd_test_base.h"

namespace pay::integration::crash {
namespace {

constexpr int kWorkerThreads = 64;
constexpr int kDefaultCycles = 20;
constexpr int kMaxCycles = 100000;
// How long payd serves between a (re)start and the next SIGKILL.
constexpr int kMinUptimeMs = 100;
constexpr int kMaxUptimeMs = 600;
// Verification: threads, a longer deadline (no crash is expected any more) and how long payd may
// take to resolve payments left PROCESSING by a crash.
constexpr int kVerifyThreads = 8;
constexpr std::chrono::milliseconds kVerifyCallTimeout{10000};
constexpr std::chrono::seconds kVerifyGiveUp{15};
constexpr std::chrono::seconds kOutcomeWait{10};

int64_t MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

// PAY_CRASH_CYCLES, or the default; 0 when it is set but not a number in 1..kMaxCycles.
int CyclesFromEnvironment() {
  const char* text = std::getenv("PAY_CRASH_CYCLES");
  if (text == nullptr || *text == '\0') return kDefaultCycles;
  char* end = nullptr;
  const long cycles = std::strtol(text, &end, 10);
  if (*end != '\0' || cycles < 1 || cycles > kMaxCycles) return 0;
  return static_cast<int>(cycles);
}

// PAY_CRASH_SEED, or a fresh random seed.
uint64_t SeedFromEnvironment() {
  const char* text = std::getenv("PAY_CRASH_SEED");
  if (text != nullptr && *text != '\0') return std::strtoull(text, nullptr, 10);
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) | device();
}

// What the kill cycles measured.
struct CycleStats {
  std::vector<int64_t> kill_times_ms;
  int64_t total_restart_ms = 0;
  int64_t max_restart_ms = 0;
};

// The numbers a run reports.
struct RunSummary {
  int cycles = 0;
  CycleStats cycle_stats;
  int64_t cycles_ms = 0;
  int64_t total_ms = 0;
  // Distinct payment keys (one per work item) acknowledged.
  int64_t keys = 0;
  int64_t acknowledged_processing = 0;
  int64_t unresolved = 0;
  int64_t verify_crash_retries = 0;
  // What payd answers about the bill of a payment still PROCESSING, if there is one.
  std::string stuck_probe;
  Totals totals;
};

void PrintSummary(const RunSummary& run, const WorkerStats& workers, const CallCounters& counters) {
  std::cout << "[crash] cycles: " << run.cycles << ", payd restarts took "
            << run.cycle_stats.total_restart_ms / run.cycles << " ms on average, "
            << run.cycle_stats.max_restart_ms << " ms at most\n"
            << "[crash] acknowledged: " << workers.fees_acknowledged << " fees, "
            << workers.payments_acknowledged << " payments (" << run.keys << " payment keys, "
            << workers.duplicate_sends << " sends of a neighbour's key; "
            << run.acknowledged_processing << " keys acknowledged PROCESSING, " << run.unresolved
            << " still PROCESSING " << kOutcomeWait.count() << " s after the last restart)\n"
            << "[crash] retries caused by crashes: " << counters.crash_retries << " of "
            << counters.attempts << " attempts; " << workers.items_retried
            << " work items needed a retry; the verification retried " << run.verify_crash_retries
            << "\n"
            << "[crash] payd lists " << run.totals.fees << " fees, " << run.totals.payments
            << " payments, " << run.totals.succeeded_payments << " SUCCEEDED\n"
            << "[crash] wall time: " << run.total_ms / 1000.0 << " s (kill cycles "
            << run.cycles_ms / 1000.0 << " s, verification "
            << (run.total_ms - run.cycles_ms) / 1000.0 << " s)" << std::endl;
  if (!run.stuck_probe.empty()) {
    std::cout << "[crash] stuck payment probe: " << run.stuck_probe << std::endl;
  }
}

class CrashTest : public ::testing::Test {
 protected:
  // `cycles` times: lets payd serve for a random uptime, kills it and starts it again, pointing
  // endpoint_ at the new one. Fails (with payd's log) when payd does not come back.
  ::testing::AssertionResult RunKillCycles(int cycles, uint64_t seed, CycleStats* stats) {
    std::mt19937_64 random(seed);
    std::uniform_int_distribution<int> uptime_ms(kMinUptimeMs, kMaxUptimeMs);
    for (int cycle = 1; cycle <= cycles; ++cycle) {
      std::this_thread::sleep_for(std::chrono::milliseconds(uptime_ms(random)));
      stats->kill_times_ms.push_back(MillisecondsSince(start_));
      // SIGKILL, as PaydProcess::Kill() sends it, but through Stop() for the exit code: a payd
      // that died by itself (an abort, a failed check) must not hide behind the kill.
      const int exit_code = payd_.Stop(SIGKILL);
      if (exit_code != 128 + SIGKILL) {
        return ::testing::AssertionFailure()
               << "before kill #" << cycle << " payd had already exited with " << exit_code
               << "; log:\n"
               << payd_.ReadLog();
      }
      const auto restart_begin = std::chrono::steady_clock::now();
      ::testing::AssertionResult started = payd_.Start();
      if (!started) return started << "\n(payd did not restart after kill #" << cycle << ")";
      endpoint_.Set(payd_.channel());
      const int64_t restart_ms = MillisecondsSince(restart_begin);
      stats->total_restart_ms += restart_ms;
      stats->max_restart_ms = std::max(stats->max_restart_ms, restart_ms);
    }
    return ::testing::AssertionSuccess();
  }

  // Checks everything in `records` against the payd that runs now, which is no longer killed.
  void Verify(const std::map<std::string, ItemRecord>& records, Findings* findings,
              RunSummary* run) {
    RetryPolicy policy;
    policy.attempt_timeout = kVerifyCallTimeout;
    policy.give_up_after = kVerifyGiveUp;
    CallCounters counters;
    std::atomic<bool> never{false};
    const RetryingClient client(&endpoint_, agency_.agency_key, policy, &counters, &never);
    run->keys = static_cast<int64_t>(records.size());
    run->acknowledged_processing = std::count_if(
        records.begin(), records.end(),
        [](const auto& entry) { return entry.second.payment_state == v1::Payment::PROCESSING; });
    const std::vector<const ItemRecord*> unresolved = AwaitOutcomes(client, records, kOutcomeWait);
    run->unresolved = static_cast<int64_t>(unresolved.size());
    const Evidence evidence = MakeEvidence(run->cycle_stats.kill_times_ms, payd_.ReadLog());
    VerifyItems(client, counters, records, kVerifyThreads, evidence, findings);
    VerifyTotals(client, records, findings, &run->totals);
    if (!unresolved.empty()) run->stuck_probe = ProbeStuckBill(client, *unresolved[0], findings);
    run->verify_crash_retries = counters.crash_retries;
  }

  PaydProcess payd_;
  AgencyKeys agency_;
  Endpoint endpoint_;
  std::chrono::steady_clock::time_point start_;
};

TEST_F(CrashTest, AcknowledgedResultsSurviveSigkill) {
  RunSummary run;
  run.cycles = CyclesFromEnvironment();
  ASSERT_GT(run.cycles, 0) << "PAY_CRASH_CYCLES must be a number in 1.." << kMaxCycles;
  const uint64_t seed = SeedFromEnvironment();
  std::cout << "[crash] seed " << seed << " (PAY_CRASH_SEED), " << run.cycles
            << " kill cycles (PAY_CRASH_CYCLES; the long soak is 1000), " << kWorkerThreads
            << " client threads" << std::endl;
  ASSERT_TRUE(payd_.Init());
  ASSERT_TRUE(payd_.Start());
  std::unique_ptr<v1::AdminService::Stub> admin = v1::AdminService::NewStub(payd_.channel());
  ASSERT_TRUE(CreateAgencyWithKeys(*admin, payd_.admin_key(), "crash-test", &agency_));

  start_ = std::chrono::steady_clock::now();
  endpoint_.Set(payd_.channel());
  CallCounters counters;
  std::atomic<bool> abort{false};
  const RetryingClient client(&endpoint_, agency_.agency_key, RetryPolicy{}, &counters, &abort);
  AckBook book;
  Findings findings;
  WorkerGroup workers(kWorkerThreads, seed, &client, &book, &findings, start_);
  workers.Start();
  const ::testing::AssertionResult cycled = RunKillCycles(run.cycles, seed, &run.cycle_stats);
  if (!cycled) abort = true;
  workers.StopAndJoin();  // each worker first finishes its item, retrying until acknowledged
  run.cycles_ms = MillisecondsSince(start_);
  ASSERT_TRUE(cycled);

  const std::map<std::string, ItemRecord> records = book.Snapshot();
  Verify(records, &findings, &run);
  run.total_ms = MillisecondsSince(start_);
  PrintSummary(run, workers.stats(), counters);
  if (findings.Total() > 0) std::cout << "[crash] FINDINGS\n" << findings.Describe() << std::flush;

  EXPECT_GT(run.keys, 0) << "the workers made no progress at all";
  EXPECT_EQ(run.totals.fees, run.keys) << "fees in payd vs fee keys used";
  EXPECT_EQ(run.totals.payments, run.keys) << "payments in payd vs payment keys used";
  EXPECT_EQ(run.totals.succeeded_payments, run.keys)
      << "SUCCEEDED payments vs payment keys used ("
      << findings.Count(FindingKind::kStuckProcessing) << " payments stuck PROCESSING)";
  for (size_t kind = 0; kind < kFindingKinds; ++kind) {
    EXPECT_EQ(findings.Count(static_cast<FindingKind>(kind)), 0)
        << FindingKindName(static_cast<FindingKind>(kind)) << " (details above)";
  }
  // payd is still the one the last cycle started, and it shuts down cleanly.
  EXPECT_EQ(payd_.Stop(), 0) << "payd did not exit cleanly on SIGTERM after the verification";
  // And the ledger the crashes left behind verifies, as an auditor checks it.
  EXPECT_TRUE(LedgerVerifies(payd_.data_dir(), records));
}

}  // namespace
}  // namespace pay::integration::crash
