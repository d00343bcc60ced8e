// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The example connector: a mobile-wallet connector that learns outcomes by polling only (no
// callbacks), against the wallet protocol of connectors/wallet/PROTOCOL.md. It is deliberately
// short: a template for a bank integrator, built out of tree against the installed SDK.

#ifndef PAY_CONNECTORS_EXAMPLE_EXAMPLE_CONNECTOR_H_
#define PAY_CONNECTORS_EXAMPLE_EXAMPLE_CONNECTOR_H_

#include <memory>

#include "pay/connector/connector.h"

namespace example {

// Config keys: url (the wallet API; payd builds the HTTP client from it), merchant_id,
// hmac_secret_file, callback_url (sent to the wallet; this connector ignores callbacks),
// poll_interval_ms (default 500), poll_attempts (default 60).
pay::Result<std::unique_ptr<pay::connector::Connector>> Create(
    const pay::connector::ConnectorContext& context);

}  // namespace example

#endif  // PAY_CONNECTORS_EXAMPLE_EXAMPLE_CONNECTOR_H_
