// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Ends every WatchPayments stream (they return UNAVAILABLE within 250 ms) so that a shutdown does
// not wait for streams that would otherwise run forever. Called once, at SIGTERM.

#ifndef PAY_PAYD_WATCH_CONTROL_H_
#define PAY_PAYD_WATCH_CONTROL_H_

namespace payd {

void StopWatches();

}  // namespace payd

#endif  // PAY_PAYD_WATCH_CONTROL_H_
