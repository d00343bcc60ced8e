// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// SANDBOX: the test-mode connector, as real gateways ship one. It moves no money and talks to no
// provider. It settles every collection at once, except amounts whose minor units end in the
// digits 402 (4.02 SAR, 1004.02 SAR, 0.402 KWD), which it declines with INSUFFICIENT_FUNDS, so
// that integrators can exercise the failure path. Never enable it on a production gateway.

#ifndef PAY_CONNECTORS_SANDBOX_SANDBOX_CONNECTOR_H_
#define PAY_CONNECTORS_SANDBOX_SANDBOX_CONNECTOR_H_

#include <memory>
#include <string>

#include "pay/connector/connector.h"

namespace pay::sandbox {

// Minor-unit suffix that the sandbox declines: minor_units % 1000 == kDeclineSuffix.
inline constexpr int64_t kDeclineSuffix = 402;

// `name`: the instance name (several sandboxes can be enabled, e.g. to test routing).
std::unique_ptr<connector::Connector> NewSandboxConnector(std::string name = "sandbox");

}  // namespace pay::sandbox

#endif  // PAY_CONNECTORS_SANDBOX_SANDBOX_CONNECTOR_H_
