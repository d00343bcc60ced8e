// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The crash test's final check: once payd has been restarted for the last time, everything it
// acknowledged during the kill cycles (the AckBook) must still hold, and payd must hold nothing
// more than the keys the workers used.

#ifndef PAY_TESTS_CRASH_CRASH_VERIFY_H_
#define PAY_TESTS_CRASH_CRASH_VERIFY_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ack_book.h"
#include "crash_client.h"
#include "findings.h"

namespace pay::integration::crash {

// What a finding about one payment quotes, so that it can be matched against the kill cycles
// and payd's log.
struct Evidence {
  // When the test thread sent SIGKILL, in ms since the test started, in order.
  std::vector<int64_t> kill_times_ms;
  // The lines of payd.log (every start) that name a fee or a payment ("fee_", "pay_"), at most
  // kMaxLogLines of them: only those can be quoted, and a finding then searches few lines.
  std::vector<std::string> log_lines;
  static constexpr size_t kMaxLogLines = 10000;
};

// Evidence from the kill times and the whole of payd.log.
Evidence MakeEvidence(std::vector<int64_t> kill_times_ms, const std::string& payd_log);

// "acknowledged at +5321 ms, 219 ms after kill #7" and payd.log lines that mention `id`.
std::string DescribeEvidence(const ItemRecord& record, const std::string& id,
                             const Evidence& evidence);

// Waits up to `timeout` for payments acknowledged PROCESSING to reach an outcome, in case payd
// resolves them by itself after a restart. Returns the records of those still PROCESSING.
std::vector<const ItemRecord*> AwaitOutcomes(const RetryingClient& client,
                                             const std::map<std::string, ItemRecord>& records,
                                             std::chrono::milliseconds timeout);

// For a payment still PROCESSING, what a client can do about its bill: pay it under a new key
// (which payd must refuse: the first payment may have moved money; a kPaidTwice finding if it
// does not) and cancel the stuck payment. Returns both answers, for the report. Call it after
// VerifyTotals: an accepted payment would change the totals.
std::string ProbeStuckBill(const RetryingClient& client, const ItemRecord& record,
                           Findings* findings);

// For every item, with `threads` threads: the fee key's retry returns the same fee, the payment
// key's retry and GetPayment the same payment, SUCCEEDED; the fee is PAID by it and it is the
// fee's only payment. Adds what does not hold to `findings`. Stops early once `client` abandons a
// call (its `counters` say so): payd is gone, and every further call would wait as long again.
void VerifyItems(const RetryingClient& client, const CallCounters& counters,
                 const std::map<std::string, ItemRecord>& records, int threads,
                 const Evidence& evidence, Findings* findings);

// What payd lists for the agency, in total.
struct Totals {
  int64_t fees = 0;
  int64_t payments = 0;
  int64_t succeeded_payments = 0;
};

// Lists every fee, every payment and every SUCCEEDED payment of the caller's agency: there must
// be exactly one fee per fee key and one payment per payment key, the very ones acknowledged,
// and every payment SUCCEEDED. Adds what does not hold to `findings`.
void VerifyTotals(const RetryingClient& client, const std::map<std::string, ItemRecord>& records,
                  Findings* findings, Totals* totals);

}  // namespace pay::integration::crash

#endif  // PAY_TESTS_CRASH_CRASH_VERIFY_H_
