// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// payd's settlement thread (docs/settlement.md): closes the settlement window on its schedule,
// follows up transfers in flight and retries or escalates owed ones, at start and then every
// interval. Settling waits on the bank (each answer up to 15 s), so it runs apart from the
// maintenance thread, whose inquiries, penalties and expiry it must not delay.

#ifndef PAY_PAYD_SETTLEMENT_WORKER_H_
#define PAY_PAYD_SETTLEMENT_WORKER_H_

#include <cstdint>
#include <optional>
#include <stop_token>
#include <thread>

#include "pay/gateway.h"
#include "settlement_schedule.h"

namespace payd {

class SettlementWorker {
 public:
  // Starts the thread; `gateway` must outlive this object. `schedule`: the daily close (none:
  // only an ADMIN closes).
  SettlementWorker(pay::Gateway* gateway, int64_t interval_seconds,
                   std::optional<SettlementSchedule> schedule);
  // Stops the thread and joins it (after the bank answer it may be waiting for).
  ~SettlementWorker();

  SettlementWorker(const SettlementWorker&) = delete;
  SettlementWorker& operator=(const SettlementWorker&) = delete;

 private:
  void Run(std::stop_token stop);
  // One round: the scheduled close if due, follow-ups, automatic retries (logged).
  void Settle();

  pay::Gateway* gateway_;
  int64_t interval_seconds_;
  std::optional<SettlementSchedule> schedule_;
  std::jthread thread_;  // last: starts once the fields above are set
};

}  // namespace payd

#endif  // PAY_PAYD_SETTLEMENT_WORKER_H_
