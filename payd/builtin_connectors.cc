// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "builtin_connectors.h"

#include "sandbox_connector.h"
#ifdef PAY_WITH_ISO20022
#include "iso20022_connector.h"
#endif
#ifdef PAY_WITH_WALLET
#include "wallet_connector.h"
#endif

namespace payd {

void RegisterBuiltinConnectors(pay::connector::ConnectorRegistry* registry) {
  registry->Register("sandbox", [](const pay::connector::ConnectorContext& context)
                                    -> pay::Result<std::unique_ptr<pay::connector::Connector>> {
    return pay::sandbox::NewSandboxConnector(context.name);
  });
#ifdef PAY_WITH_ISO20022
  pay::iso20022::RegisterConnector(registry);
#endif
#ifdef PAY_WITH_WALLET
  pay::wallet::RegisterConnector(registry);
#endif
}

}  // namespace payd
