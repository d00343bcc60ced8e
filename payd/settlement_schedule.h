// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The daily close of settlement windows at a local time in a time zone ("23:00" in
// "Asia/Riyadh"), with ICU's time zone data (std::chrono's tzdb is not in GCC 12).

#ifndef PAY_PAYD_SETTLEMENT_SCHEDULE_H_
#define PAY_PAYD_SETTLEMENT_SCHEDULE_H_

#include <cstdint>
#include <string>

#include "pay/status.h"

namespace payd {

class SettlementSchedule {
 public:
  // `close`: "HH:MM" (00:00 to 23:59); `time_zone`: an IANA name. kInvalidArgument naming the
  // flag otherwise.
  static pay::Result<SettlementSchedule> Parse(const std::string& close,
                                               const std::string& time_zone);

  // The latest scheduled close at or before `now_ms` (Unix ms). On a day where the local time
  // does not exist (a DST gap), ICU's lenient calendar moves it forward.
  int64_t LastDueMs(int64_t now_ms) const;

 private:
  int hour_ = 0;
  int minute_ = 0;
  std::string time_zone_;
};

}  // namespace payd

#endif  // PAY_PAYD_SETTLEMENT_SCHEDULE_H_
