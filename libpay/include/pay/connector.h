// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The connector interface: how libpay asks a bank, a wallet or the test-mode SANDBOX to collect
// a payment. Each connector lives in connectors/<name>/ as its own target and is registered
// explicitly with Gateway::RegisterConnector from payd's configuration.
//
// This is the first, synchronous shape of the interface. The asynchronous SDK (inquiry, refunds,
// inbound notifications, a context with HTTP client, clock and logger) grows from it.

#ifndef PAY_CONNECTOR_H_
#define PAY_CONNECTOR_H_

#include <string>
#include <string_view>

#include "pay/money.h"
#include "pay/payment.h"
#include "pay/status.h"

namespace pay {

// What libpay asks a connector to collect. payment_id is unique and stable: a connector passes it
// to the provider as its end-to-end reference so that a repeated request is recognised there.
struct CollectionRequest {
  std::string payment_id;
  std::string agency_id;
  std::string bill_number;
  Money amount;
  PaymentMethod method = PaymentMethod::kSandbox;
  std::string payer_account;
};

enum class CollectionStatus {
  kSucceeded,  // the money was collected
  kFailed,     // declined; no money moved (failure_code says why)
  kPending,    // accepted by the provider, outcome not known yet: stays PROCESSING
};

struct CollectionOutcome {
  CollectionStatus status = CollectionStatus::kPending;
  std::string connector_reference;  // the provider's id for the collection
  std::string failure_code;         // "INSUFFICIENT_FUNDS", "DECLINED", ...
  std::string failure_message;
};

class Connector {
 public:
  virtual ~Connector() = default;

  // A short stable name ("sandbox"), stored with every payment it handles.
  virtual std::string_view name() const = 0;

  // True when this connector can take payments of `method`.
  virtual bool Supports(PaymentMethod method) const = 0;

  // True when the connector can take a new payment now. Checked before anything is recorded, so
  // that a caller gets UNAVAILABLE and may retry while nothing exists yet.
  virtual bool Available() const { return true; }

  // Asks the provider to collect. Called after the payment is durably PROCESSING. A returned
  // error means the outcome is unknown (the request may or may not have reached the provider):
  // the payment stays PROCESSING and is resolved by inquiry, never guessed. Thread-safe; must not
  // throw.
  virtual Result<CollectionOutcome> Collect(const CollectionRequest& request) = 0;

  // Asks the provider what became of a collection that may or may not have reached it (payd
  // crashed, the answer was lost). Must be safe to call any number of times. kNotFound: the
  // provider never received it (the payment FAILS with "NOT_RECEIVED"); other errors and kPending
  // keep the payment PROCESSING until the next inquiry. The default cannot inquire (kUnimplemented).
  virtual Result<CollectionOutcome> Inquire(const CollectionRequest& request) {
    return absl::UnimplementedError("this connector cannot inquire");
  }
};

}  // namespace pay

#endif  // PAY_CONNECTOR_H_
