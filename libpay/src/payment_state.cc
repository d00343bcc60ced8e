// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "pay/payment_state.h"
#include "pay/payment.h"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace pay {
namespace {

// Names indexed by the enum's numeric value; index 0 is no state (values start at 1).
constexpr std::string_view kPaymentStateNames[] = {
    "",          "PENDING", "PROCESSING",         "SUCCEEDED", "FAILED",
    "CANCELLED", "EXPIRED", "PARTIALLY_REFUNDED", "REFUNDED",
};
constexpr std::string_view kFeeStateNames[] = {"",        "UNPAID",  "PAID",
                                               "CANCELLED", "EXPIRED", "PARTIALLY_PAID"};
// A state appended to an enum needs its name here too.
static_assert(std::size(kPaymentStateNames) == static_cast<size_t>(PaymentState::kRefunded) + 1);
static_assert(std::size(kFeeStateNames) == static_cast<size_t>(FeeState::kPartiallyPaid) + 1);

// What a name function returns for a value outside the enum (a caller cast a corrupt byte).
constexpr std::string_view kUnknownName = "UNKNOWN";

template <typename State>
struct Transition {
  State from;
  State to;
};

// The payment machine; the header comment draws the same graph. Anything not listed is refused.
using P = PaymentState;
constexpr Transition<PaymentState> kPaymentTransitions[] = {
    {P::kPending, P::kProcessing},
    {P::kPending, P::kCancelled},
    {P::kPending, P::kExpired},
    {P::kPending, P::kFailed},
    // Failover: the connector certainly did not receive it; the next one takes it.
    {P::kProcessing, P::kProcessing},
    {P::kProcessing, P::kSucceeded},
    {P::kProcessing, P::kFailed},
    {P::kProcessing, P::kCancelled},
    {P::kProcessing, P::kExpired},
    {P::kSucceeded, P::kPartiallyRefunded},
    {P::kSucceeded, P::kRefunded},
    // A further partial refund: the only transition from a state to itself.
    {P::kPartiallyRefunded, P::kPartiallyRefunded},
    {P::kPartiallyRefunded, P::kRefunded},
};

using F = FeeState;
constexpr Transition<FeeState> kFeeTransitions[] = {
    {F::kUnpaid, F::kPaid},
    {F::kUnpaid, F::kCancelled},
    {F::kUnpaid, F::kExpired},
    {F::kUnpaid, F::kPartiallyPaid},
    {F::kPartiallyPaid, F::kPartiallyPaid},
    {F::kPartiallyPaid, F::kPaid},
};

template <typename State, size_t N>
std::string_view NameOf(const std::string_view (&names)[N], State state) {
  const auto index = static_cast<size_t>(state);
  return index > 0 && index < N ? names[index] : kUnknownName;
}

template <typename State, size_t N>
std::optional<State> FromName(const std::string_view (&names)[N], std::string_view name) {
  for (size_t i = 1; i < N; ++i) {
    if (names[i] == name) return static_cast<State>(i);
  }
  return std::nullopt;
}

template <typename State, size_t N>
bool Allowed(const Transition<State> (&table)[N], State from, State to) {
  for (const Transition<State>& transition : table) {
    if (transition.from == from && transition.to == to) return true;
  }
  return false;
}

}  // namespace

std::string_view PaymentStateName(PaymentState state) { return NameOf(kPaymentStateNames, state); }

std::string_view FeeStateName(FeeState state) { return NameOf(kFeeStateNames, state); }

std::optional<PaymentState> PaymentStateFromName(std::string_view name) {
  return FromName<PaymentState>(kPaymentStateNames, name);
}

std::optional<FeeState> FeeStateFromName(std::string_view name) {
  return FromName<FeeState>(kFeeStateNames, name);
}

std::optional<PaymentState> PaymentStateFromByte(uint8_t value) {
  if (value == 0 || value >= std::size(kPaymentStateNames)) return std::nullopt;
  return static_cast<PaymentState>(value);
}

std::optional<FeeState> FeeStateFromByte(uint8_t value) {
  if (value == 0 || value >= std::size(kFeeStateNames)) return std::nullopt;
  return static_cast<FeeState>(value);
}

bool IsTerminal(PaymentState state) {
  for (const Transition<PaymentState>& transition : kPaymentTransitions) {
    if (transition.from == state) return false;
  }
  return true;
}

Status CheckTransition(PaymentState from, PaymentState to) {
  if (Allowed(kPaymentTransitions, from, to)) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("payment is ", std::string(PaymentStateName(from)), "; cannot become ",
                   std::string(PaymentStateName(to))));
}

Status CheckTransition(FeeState from, FeeState to) {
  if (Allowed(kFeeTransitions, from, to)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("fee is ", std::string(FeeStateName(from)),
                                                    "; cannot become ",
                                                    std::string(FeeStateName(to))));
}

std::string_view PaymentMethodName(PaymentMethod method) {
  switch (method) {
    case PaymentMethod::kBankTransfer: return "BANK_TRANSFER";
    case PaymentMethod::kMobileWallet: return "MOBILE_WALLET";
    case PaymentMethod::kCard: return "CARD";
    case PaymentMethod::kSandbox: return "SANDBOX";
  }
  return "UNKNOWN";
}

std::optional<PaymentMethod> PaymentMethodFromByte(uint8_t value) {
  if (value < 1 || value > 4) return std::nullopt;
  return static_cast<PaymentMethod>(value);
}

}  // namespace pay
