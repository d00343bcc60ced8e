// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Where payd's connectors live: the registry of connector types (built in, and those of the
// plugins named by --connector-plugin), the connectors file that names instances and configures
// them, the I/O threads their HTTP(S) clients and timers run on, and the notification endpoint
// through which providers call back (POST /connectors/<name>/...).

#ifndef PAY_PAYD_CONNECTOR_HOST_H_
#define PAY_PAYD_CONNECTOR_HOST_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pay/connector/connector.h"
#include "pay/connector/http_runtime.h"
#include "pay/gateway.h"

namespace payd {

struct ConnectorHostOptions {
  // Built-in connector types enabled without configuration, named after their type (sandbox).
  std::vector<std::string> enabled;
  // TOML file with one [connectors.NAME] table per connector instance (docs/connectors.md).
  std::string connectors_file;
  // Shared libraries that register more connector types (PAY_CONNECTOR_PLUGIN).
  std::vector<std::string> plugins;
  // Where providers send notifications; empty: no endpoint.
  std::string notify_listen;
  pay::connector::TlsOptions notify_tls;
  size_t io_threads = 2;
};

class ConnectorHost {
 public:
  // Loads plugins, reads the connectors file, creates every connector and registers it with
  // `gateway`, and starts the notification endpoint. Errors name the file, table and key.
  static pay::Result<std::unique_ptr<ConnectorHost>> Start(pay::Gateway* gateway,
                                                           const ConnectorHostOptions& options);
  ~ConnectorHost();

  // "HOST:PORT" of the notification endpoint actually bound; empty without one.
  std::string notify_address() const;
  // Names of the connector instances, in routing order.
  const std::vector<std::string>& names() const { return names_; }
  // Stops the endpoint and the I/O threads (connector callbacks end). Call before destroying the
  // gateway. Idempotent.
  void Stop();

 private:
  class Registry;
  class Logger;
  class Clock;

  ConnectorHost();
  pay::Status Load(pay::Gateway* gateway, const ConnectorHostOptions& options);
  pay::Status Add(pay::Gateway* gateway, const std::string& name, const std::string& type,
                  std::map<std::string, std::string> values);

  std::unique_ptr<Registry> registry_;
  std::unique_ptr<pay::connector::IoRuntime> runtime_;
  std::unique_ptr<Clock> clock_;
  std::vector<std::unique_ptr<Logger>> loggers_;
  std::vector<void*> plugin_handles_;
  std::vector<std::string> names_;
  std::map<std::string, pay::connector::Connector*, std::less<>> by_name_;
  std::unique_ptr<pay::connector::HttpServer> notify_server_;
};

}  // namespace payd

#endif  // PAY_PAYD_CONNECTOR_HOST_H_
