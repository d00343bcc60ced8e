// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The connector types compiled into payd (those whose CMake option is on).

#ifndef PAY_PAYD_BUILTIN_CONNECTORS_H_
#define PAY_PAYD_BUILTIN_CONNECTORS_H_

#include "pay/connector/connector.h"

namespace payd {

void RegisterBuiltinConnectors(pay::connector::ConnectorRegistry* registry);

}  // namespace payd

#endif  // PAY_PAYD_BUILTIN_CONNECTORS_H_
