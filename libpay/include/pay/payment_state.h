// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The payment and fee state machines, as explicit transition tables.
//
// Payment:  PENDING -> PROCESSING -> SUCCEEDED | FAILED | CANCELLED | EXPIRED
//           PENDING -> CANCELLED | EXPIRED | FAILED
//           SUCCEEDED -> PARTIALLY_REFUNDED -> REFUNDED;  SUCCEEDED -> REFUNDED
//           PARTIALLY_REFUNDED -> PARTIALLY_REFUNDED (a further partial refund)
//           PROCESSING -> PROCESSING (handed to another connector: the first one certainly did
//                                     not receive it)
// Fee:      UNPAID -> PAID | CANCELLED | EXPIRED
//           UNPAID -> PARTIALLY_PAID -> PARTIALLY_PAID (another part) -> PAID
//
// FAILED, CANCELLED, EXPIRED and REFUNDED are terminal: nothing leaves them. SUCCEEDED is a final
// outcome of the collection but money can still flow back out of it through refunds. An outcome a
// connector could not confirm stays PROCESSING until inquiry or reconciliation resolves it.

#ifndef PAY_PAYMENT_STATE_H_
#define PAY_PAYMENT_STATE_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "pay/status.h"

namespace pay {

// Numeric values are stored in the ledger: never renumber, only append.
enum class PaymentState : uint8_t {
  kPending = 1,
  kProcessing = 2,
  kSucceeded = 3,
  kFailed = 4,
  kCancelled = 5,
  kExpired = 6,
  kPartiallyRefunded = 7,
  kRefunded = 8,
};

enum class FeeState : uint8_t {
  kUnpaid = 1,
  kPaid = 2,
  kCancelled = 3,
  kExpired = 4,
  // Part of the amount due was paid (fee types that allow partial payments); more is owed.
  kPartiallyPaid = 5,
};

// "PENDING", "PROCESSING", ... (the names of ../shared/API.md and the proto enums).
std::string_view PaymentStateName(PaymentState state);
std::string_view FeeStateName(FeeState state);
std::optional<PaymentState> PaymentStateFromName(std::string_view name);
std::optional<FeeState> FeeStateFromName(std::string_view name);
// Decodes a stored byte; nullopt for a value that is not a state (corrupt data).
std::optional<PaymentState> PaymentStateFromByte(uint8_t value);
std::optional<FeeState> FeeStateFromByte(uint8_t value);

// True when no transition leaves `state`.
bool IsTerminal(PaymentState state);

// OK when the table allows `from -> to`; otherwise kFailedPrecondition with a message naming the
// current state and the refused target, e.g. "payment is SUCCEEDED; cannot become CANCELLED".
Status CheckTransition(PaymentState from, PaymentState to);
Status CheckTransition(FeeState from, FeeState to);

}  // namespace pay

#endif  // PAY_PAYMENT_STATE_H_
