// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "connector_host.h"

#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <toml++/toml.h>

#include "builtin_connectors.h"

namespace payd {

using pay::connector::ConnectorContext;
using pay::connector::ConnectorFactory;

class ConnectorHost::Registry final : public pay::connector::ConnectorRegistry {
 public:
  void Register(std::string type, ConnectorFactory factory) override {
    factories_[std::move(type)] = std::move(factory);
  }
  const ConnectorFactory* Find(const std::string& type) const {
    auto it = factories_.find(type);
    return it == factories_.end() ? nullptr : &it->second;
  }
  std::string Types() const {
    std::string types;
    for (const auto& [type, factory] : factories_) types += (types.empty() ? "" : ", ") + type;
    return types;
  }

 private:
  std::map<std::string, ConnectorFactory> factories_;
};

// A connector's log lines go to payd's log, prefixed with its name.
class ConnectorHost::Logger final : public pay::connector::Logger {
 public:
  explicit Logger(std::string name) : name_(std::move(name)) {}
  void Log(Level level, std::string_view message) override {
    switch (level) {
      case Level::kDebug: spdlog::debug("connector {}: {}", name_, message); break;
      case Level::kInfo: spdlog::info("connector {}: {}", name_, message); break;
      case Level::kWarning: spdlog::warn("connector {}: {}", name_, message); break;
      case Level::kError: spdlog::error("connector {}: {}", name_, message); break;
    }
  }

 private:
  std::string name_;
};

class ConnectorHost::Clock final : public pay::connector::Clock {
 public:
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

ConnectorHost::ConnectorHost()
    : registry_(std::make_unique<Registry>()), clock_(std::make_unique<Clock>()) {}

ConnectorHost::~ConnectorHost() {
  Stop();
  // Plugins stay loaded: the gateway still owns connectors whose code lives in them.
}

void ConnectorHost::Stop() {
  if (notify_server_) notify_server_->Stop();
  if (runtime_) runtime_->Stop();
}

std::string ConnectorHost::notify_address() const {
  return notify_server_ ? notify_server_->address() : std::string();
}

pay::Result<std::unique_ptr<ConnectorHost>> ConnectorHost::Start(
    pay::Gateway* gateway, const ConnectorHostOptions& options) {
  std::unique_ptr<ConnectorHost> host(new ConnectorHost());
  host->runtime_ = std::make_unique<pay::connector::IoRuntime>(options.io_threads);
  PAY_RETURN_IF_ERROR(host->Load(gateway, options));
  return host;
}

namespace {

// TOML scalars as the strings a ConnectorConfig holds.
pay::Result<std::string> ScalarText(const toml::node& node, const std::string& where) {
  if (auto text = node.value<std::string>()) return *text;
  if (node.is_integer()) return std::to_string(*node.value<int64_t>());
  if (node.is_boolean()) return std::string(*node.value<bool>() ? "true" : "false");
  return absl::InvalidArgumentError(
      where + ": expected a string, an integer or a boolean (tables and arrays are not taken)");
}

}  // namespace

pay::Status ConnectorHost::Load(pay::Gateway* gateway, const ConnectorHostOptions& options) {
  RegisterBuiltinConnectors(registry_.get());
  for (const std::string& path : options.plugins) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      return absl::InvalidArgumentError("--connector-plugin: cannot load " + path + ": " +
                                        dlerror());
    }
    plugin_handles_.push_back(handle);
    auto version = reinterpret_cast<int (*)()>(dlsym(handle, "pay_connector_sdk_version"));
    auto register_connectors = reinterpret_cast<void (*)(pay::connector::ConnectorRegistry*)>(
        dlsym(handle, "pay_register_connectors"));
    if (version == nullptr || register_connectors == nullptr) {
      return absl::InvalidArgumentError("--connector-plugin: " + path +
                                        " is not a connector plugin (define it with "
                                        "PAY_CONNECTOR_PLUGIN from pay/connector/connector.h)");
    }
    if (version() != pay::connector::kSdkVersion) {
      return absl::InvalidArgumentError(
          "--connector-plugin: " + path + " was built for connector SDK version " +
          std::to_string(version()) + ", this payd has version " +
          std::to_string(pay::connector::kSdkVersion) + "; rebuild it against this SDK");
    }
    register_connectors(registry_.get());
    spdlog::info("loaded connector plugin {}", path);
  }

  for (const std::string& type : options.enabled) {
    PAY_RETURN_IF_ERROR(Add(gateway, type, type, {}));
  }

  if (!options.connectors_file.empty()) {
    toml::table file;
    try {
      file = toml::parse_file(options.connectors_file);
    } catch (const toml::parse_error& error) {
      return absl::InvalidArgumentError(
          "--connectors-file: " + options.connectors_file + ":" +
          std::to_string(error.source().begin.line) + ": " + std::string(error.description()));
    }
    const toml::table* tables = file["connectors"].as_table();
    if (tables == nullptr) {
      return absl::InvalidArgumentError("--connectors-file: " + options.connectors_file +
                                        " has no [connectors.NAME] tables");
    }
    // Routing order: by `priority` (lower first, default 100), then by name.
    struct Entry {
      int64_t priority;
      std::string name;
      std::string type;
      std::map<std::string, std::string> values;
    };
    std::vector<Entry> entries;
    for (const auto& [key, node] : *tables) {
      const std::string name(key.str());
      const std::string where = options.connectors_file + ": [connectors." + name + "]";
      const toml::table* table = node.as_table();
      if (table == nullptr) return absl::InvalidArgumentError(where + " must be a table");
      Entry entry{100, name, "", {}};
      for (const auto& [item_key, item] : *table) {
        PAY_ASSIGN_OR_RETURN(std::string text,
                             ScalarText(item, where + " " + std::string(item_key.str())));
        entry.values[std::string(item_key.str())] = std::move(text);
      }
      auto type = entry.values.find("type");
      if (type == entry.values.end()) {
        return absl::InvalidArgumentError(where + ": type is required (one of " +
                                          registry_->Types() + ")");
      }
      entry.type = type->second;
      if (auto priority = entry.values.find("priority"); priority != entry.values.end()) {
        try {
          entry.priority = std::stoll(priority->second);
        } catch (...) {
          return absl::InvalidArgumentError(where + ": priority must be an integer");
        }
      }
      entries.push_back(std::move(entry));
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return a.priority != b.priority ? a.priority < b.priority : a.name < b.name;
    });
    for (Entry& entry : entries) {
      pay::Status added = Add(gateway, entry.name, entry.type, std::move(entry.values));
      if (!added.ok()) {
        return absl::InvalidArgumentError(options.connectors_file + ": [connectors." +
                                          entry.name + "]: " + std::string(added.message()));
      }
    }
  }

  if (!options.notify_listen.empty()) {
    pay::connector::HttpServerOptions server_options;
    server_options.listen = options.notify_listen;
    server_options.tls = options.notify_tls;
    auto handler = [this](pay::connector::HttpServerRequest request,
                          pay::connector::HttpResponder respond) {
      // /connectors/<name>/<path>
      constexpr std::string_view kPrefix = "/connectors/";
      std::string_view target = request.target;
      auto not_found = [&] {
        respond({404, {{"Content-Type", "text/plain"}}, "no such connector endpoint\n"});
      };
      if (target.substr(0, kPrefix.size()) != kPrefix) return not_found();
      target.remove_prefix(kPrefix.size());
      const size_t slash = target.find('/');
      const std::string_view name = target.substr(0, slash);
      auto it = by_name_.find(name);
      if (it == by_name_.end()) return not_found();
      pay::connector::Notification notification;
      notification.method = request.method;
      notification.target = request.target;
      notification.path = slash == std::string_view::npos ? "/" : std::string(target.substr(slash));
      notification.headers = std::move(request.headers);
      notification.body = std::move(request.body);
      notification.peer_common_name = std::move(request.peer_common_name);
      it->second->HandleNotification(
          notification, [respond](pay::connector::NotificationReply reply) {
            respond({reply.http_status, {{"Content-Type", reply.content_type}},
                     std::move(reply.body)});
          });
    };
    PAY_ASSIGN_OR_RETURN(notify_server_,
                         pay::connector::HttpServer::Start(*runtime_, server_options, handler));
    spdlog::info("connector notifications on {}://{}/connectors/<name>/",
                 options.notify_tls.enabled ? "https" : "http", notify_server_->address());
  }
  return absl::OkStatus();
}

pay::Status ConnectorHost::Add(pay::Gateway* gateway, const std::string& name,
                               const std::string& type, std::map<std::string, std::string> values) {
  if (by_name_.count(name) > 0) {
    return absl::InvalidArgumentError("a connector named \"" + name + "\" is already enabled");
  }
  const ConnectorFactory* factory = registry_->Find(type);
  if (factory == nullptr) {
    return absl::InvalidArgumentError("unknown connector type \"" + type + "\" (available: " +
                                      registry_->Types() +
                                      "; others come from --connector-plugin)");
  }
  ConnectorContext context;
  context.name = name;
  context.config = pay::connector::ConnectorConfig(values);
  const pay::connector::ConnectorConfig& config = context.config;
  if (config.Has("url")) {
    pay::connector::HttpClientOptions http;
    http.base_url = config.Get("url");
    http.tls.enabled = http.base_url.rfind("https://", 0) == 0;
    http.tls.ca_file = config.Get("tls_ca_file");
    http.tls.cert_file = config.Get("tls_cert_file");
    http.tls.key_file = config.Get("tls_key_file");
    PAY_ASSIGN_OR_RETURN(int64_t connect_timeout_ms, config.GetInt("connect_timeout_ms", 2000));
    PAY_ASSIGN_OR_RETURN(int64_t timeout_ms, config.GetInt("timeout_ms", 10000));
    http.connect_timeout = std::chrono::milliseconds(connect_timeout_ms);
    http.timeout = std::chrono::milliseconds(timeout_ms);
    PAY_ASSIGN_OR_RETURN(std::unique_ptr<pay::connector::HttpClient> client,
                         pay::connector::MakeHttpClient(*runtime_, http));
    context.http = std::move(client);
  }
  loggers_.push_back(std::make_unique<Logger>(name));
  context.logger = loggers_.back().get();
  context.scheduler = runtime_.get();
  context.clock = clock_.get();
  context.sink = gateway->OutcomeSinkFor(name);
  pay::ConnectorPolicy policy;
  PAY_ASSIGN_OR_RETURN(int64_t failures, config.GetInt("breaker_failures", 5));
  PAY_ASSIGN_OR_RETURN(policy.breaker_cooldown_ms, config.GetInt("breaker_cooldown_ms", 10000));
  policy.breaker_failures = static_cast<int>(failures);
  PAY_ASSIGN_OR_RETURN(std::unique_ptr<pay::connector::Connector> connector, (*factory)(context));
  if (connector->name() != name) {
    return absl::InternalError("connector type " + type + " named its instance \"" +
                               std::string(connector->name()) + "\" instead of \"" + name +
                               "\" (return ConnectorContext::name from name())");
  }
  by_name_[name] = connector.get();
  names_.push_back(name);
  gateway->RegisterConnector(std::move(connector), policy);
  if (type == "sandbox") {
    spdlog::warn("connector {} enabled: TEST MODE, it moves no money (never enable it in "
                 "production)", name);
  } else {
    spdlog::info("connector {} ({}) enabled{}", name, type,
                 config.Has("url") ? " -> " + config.Get("url") : std::string());
  }
  return absl::OkStatus();
}

}  // namespace payd
