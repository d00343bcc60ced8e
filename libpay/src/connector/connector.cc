// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The small amount of code behind the connector SDK's interfaces: outcome names and the
// configuration accessors.

#include "pay/connector/connector.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace pay::connector {

std::string_view OutcomeStatusName(OutcomeStatus status) {
  switch (status) {
    case OutcomeStatus::kSucceeded: return "SUCCEEDED";
    case OutcomeStatus::kFailed: return "FAILED";
    case OutcomeStatus::kPending: return "PENDING";
  }
  return "UNKNOWN";
}

bool ConnectorConfig::Has(std::string_view key) const {
  return values_.find(std::string(key)) != values_.end();
}

std::string ConnectorConfig::Get(std::string_view key, std::string_view fallback) const {
  auto it = values_.find(std::string(key));
  return it == values_.end() ? std::string(fallback) : it->second;
}

Result<std::string> ConnectorConfig::Require(std::string_view key) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end() || it->second.empty()) {
    return absl::InvalidArgumentError(std::string(key) + ": required in the connector's table");
  }
  return it->second;
}

Result<int64_t> ConnectorConfig::GetInt(std::string_view key, int64_t fallback) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return fallback;
  int64_t value = 0;
  const std::string& text = it->second;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return absl::InvalidArgumentError(std::string(key) + ": expected an integer, got \"" + text +
                                      "\"");
  }
  return value;
}

Result<bool> ConnectorConfig::GetBool(std::string_view key, bool fallback) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) return fallback;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  return absl::InvalidArgumentError(std::string(key) + ": expected true or false, got \"" +
                                    it->second + "\"");
}

Result<std::string> ConnectorConfig::Secret(std::string_view key) const {
  const std::string file_key = std::string(key) + "_file";
  PAY_ASSIGN_OR_RETURN(std::string path, Require(file_key));
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(file_key + ": cannot read " + path +
                                      "; create it with the secret alone on one line");
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  std::string secret = contents.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' ||
                             secret.back() == ' ')) {
    secret.pop_back();
  }
  if (secret.empty()) return absl::InvalidArgumentError(file_key + ": " + path + " is empty");
  return secret;
}

}  // namespace pay::connector
