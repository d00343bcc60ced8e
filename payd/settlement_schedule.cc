// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "settlement_schedule.h"

#include <unicode/calendar.h>
#include <unicode/gregocal.h>
#include <unicode/timezone.h>

#include <memory>

namespace payd {
namespace {

std::unique_ptr<icu::TimeZone> ZoneOf(const std::string& name) {
  return std::unique_ptr<icu::TimeZone>(
      icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(name)));
}

}  // namespace

pay::Result<SettlementSchedule> SettlementSchedule::Parse(const std::string& close,
                                                          const std::string& time_zone) {
  SettlementSchedule schedule;
  const bool shape = close.size() == 5 && close[2] == ':' && isdigit(close[0]) &&
                     isdigit(close[1]) && isdigit(close[3]) && isdigit(close[4]);
  if (shape) {
    schedule.hour_ = (close[0] - '0') * 10 + (close[1] - '0');
    schedule.minute_ = (close[3] - '0') * 10 + (close[4] - '0');
  }
  if (!shape || schedule.hour_ > 23 || schedule.minute_ > 59) {
    return absl::InvalidArgumentError("--settlement-close: a local time HH:MM (00:00 to 23:59)");
  }
  std::unique_ptr<icu::TimeZone> zone = ZoneOf(time_zone);
  icu::UnicodeString id;
  zone->getID(id);
  if (id == icu::UnicodeString(UCAL_UNKNOWN_ZONE_ID)) {
    return absl::InvalidArgumentError("--settlement-time-zone: unknown time zone \"" + time_zone +
                                      "\" (an IANA name such as Asia/Riyadh)");
  }
  schedule.time_zone_ = time_zone;
  return schedule;
}

int64_t SettlementSchedule::LastDueMs(int64_t now_ms) const {
  UErrorCode status = U_ZERO_ERROR;
  icu::GregorianCalendar calendar(ZoneOf(time_zone_).release(), status);
  if (U_FAILURE(status)) return 0;
  calendar.setTime(static_cast<UDate>(now_ms), status);
  calendar.set(UCAL_HOUR_OF_DAY, hour_);
  calendar.set(UCAL_MINUTE, minute_);
  calendar.set(UCAL_SECOND, 0);
  calendar.set(UCAL_MILLISECOND, 0);
  UDate due = calendar.getTime(status);
  if (U_SUCCESS(status) && due > static_cast<UDate>(now_ms)) {
    calendar.add(UCAL_DATE, -1, status);
    calendar.set(UCAL_HOUR_OF_DAY, hour_);
    calendar.set(UCAL_MINUTE, minute_);
    due = calendar.getTime(status);
  }
  if (U_FAILURE(status)) return 0;
  return static_cast<int64_t>(due);
}

}  // namespace payd
