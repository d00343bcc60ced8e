// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// AckBook: every answer payd gave the crash test's workers, by work item. It is the client's
// memory of what payd promised: after the last restart, everything in it must still be true.

#ifndef PAY_TESTS_CRASH_ACK_BOOK_H_
#define PAY_TESTS_CRASH_ACK_BOOK_H_

#include <absl/base/thread_annotations.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "findings.h"
#include "pay/v1/fee_service.pb.h"
#include "pay/v1/payment_service.pb.h"

namespace pay::integration::crash {

namespace v1 = ::pay::v1;

// One unit of work: a fee, then a payment of it, each under its own idempotency key.
struct WorkItem {
  // "<thread>-<n>": names the item; the keys are derived from it.
  std::string id;
  // "fee-<thread>-<n>" and "pay-<thread>-<n>".
  std::string fee_key;
  std::string payment_key;
  // Sent unchanged on every retry (the key's request must not change).
  v1::CreateFeeRequest fee_request;
};

// A WorkItem for thread `thread`, item `n`, for a fee of `minor_units` SAR.
WorkItem MakeWorkItem(int thread, int64_t n, int64_t minor_units);

// The CreatePayment request of an item, once its fee's bill number is known.
v1::CreatePaymentRequest MakePaymentRequest(const WorkItem& item, const std::string& bill_number);

// What payd acknowledged for one item.
struct ItemRecord {
  WorkItem item;
  std::string fee_id;
  std::string bill_number;
  // Empty until the payment key was acknowledged.
  std::string payment_id;
  // The most advanced state acknowledged: a final state replaces PROCESSING, never the reverse.
  v1::Payment::State payment_state = v1::Payment::STATE_UNSPECIFIED;
  // True when any acknowledgement said SUCCEEDED: that outcome must never be lost.
  bool acknowledged_succeeded = false;
  // How many times the payment key was acknowledged (more than once when two workers sent it).
  int payment_acknowledgements = 0;
  // When the payment was first acknowledged, in ms since the test started.
  int64_t payment_acknowledged_ms = -1;
};

// Thread-safe.
class AckBook {
 public:
  // Records that payd answered the item's CreateFee with `fee`. A second answer must name the
  // same fee and bill; otherwise a kConflictingAcknowledgement finding is added to `findings`.
  void RecordFee(const WorkItem& item, const v1::Fee& fee, Findings* findings);
  // Records that payd answered the item's CreatePayment with `payment`, at `now_ms`. The fee
  // must have been recorded first. Every answer for the key must name the same payment, of the
  // item's fee; otherwise a kConflictingAcknowledgement finding is added.
  void RecordPayment(const std::string& item_id, const v1::Payment& payment, int64_t now_ms,
                     Findings* findings);

  // A copy of every record, by item id; for verification once the workers have stopped.
  std::map<std::string, ItemRecord> Snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, ItemRecord> records_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pay::integration::crash

#endif  // PAY_TESTS_CRASH_ACK_BOOK_H_
