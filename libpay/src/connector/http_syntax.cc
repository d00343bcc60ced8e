// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Base URL and listen address parsing and the HTTP syntax checks of the runtime.

#include "connector/http_syntax.h"

#include <boost/asio/ip/address_v6.hpp>
#include <charconv>
#include <cstring>
#include <string>
#include <string_view>

#include "str_util.h"

namespace pay::connector::internal {
namespace {

using ::pay::internal::StrCat;

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

// Splits "host", "host:port", "[v6]" or "[v6]:port". `what` prefixes the messages.
Status SplitAuthority(const std::string& what, std::string_view authority, std::string* host,
                      std::string_view* port, bool* has_port) {
  *has_port = false;
  if (authority.empty()) return absl::InvalidArgumentError(what + " has no host");
  std::string_view after;
  if (authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError(what + " has an unclosed '[' around its IPv6 host");
    }
    *host = std::string(authority.substr(1, close - 1));
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(*host, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          StrCat(what, ": \"", *host, "\" in brackets is not an IPv6 address"));
    }
    after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') {
      return absl::InvalidArgumentError(what + " has text after ']' that is not \":PORT\"");
    }
  } else {
    const size_t colon = authority.find(':');
    *host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) after = authority.substr(colon);
    if (host->empty()) return absl::InvalidArgumentError(what + " has no host");
    for (const char c : *host) {
      if (!IsHostChar(c)) {
        return absl::InvalidArgumentError(
            StrCat(what, ": the host \"", *host,
                   "\" has invalid characters (IPv6 addresses go in brackets: [::1])"));
      }
    }
  }
  if (!after.empty()) {
    *has_port = true;
    *port = after.substr(1);
  }
  return absl::OkStatus();
}

// Parses a port in [min, 65535].
Status ParsePort(const std::string& what, std::string_view text, int min, uint16_t* port) {
  int value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > 65535) {
    return absl::InvalidArgumentError(
        StrCat(what, ": the port must be a number from ", min, " to 65535, not \"", text, "\""));
  }
  *port = static_cast<uint16_t>(value);
  return absl::OkStatus();
}

}  // namespace

Result<BaseUrl> ParseBaseUrl(std::string_view url) {
  if (url.empty()) {
    return absl::InvalidArgumentError("base_url is empty; give e.g. https://127.0.0.1:8443");
  }
  const std::string what = StrCat("base_url \"", url, "\"");
  const size_t separator = url.find("://");
  if (separator == std::string_view::npos) {
    return absl::InvalidArgumentError(
        what + " has no scheme; write https://HOST[:PORT] or http://HOST[:PORT]");
  }
  BaseUrl result;
  for (const char c : url.substr(0, separator)) result.scheme.push_back(AsciiLower(c));
  if (result.scheme != "http" && result.scheme != "https") {
    return absl::InvalidArgumentError(
        StrCat(what, ": the scheme must be http or https, not \"", result.scheme, "\""));
  }
  result.tls = result.scheme == "https";
  const std::string_view rest = url.substr(separator + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return absl::InvalidArgumentError(what + " must not have a query or a fragment");
  }
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError(what + " must not contain user information (user@)");
  }
  std::string_view port_text;
  bool has_port = false;
  PAY_RETURN_IF_ERROR(SplitAuthority(what, authority, &result.host, &port_text, &has_port));
  const uint16_t default_port = result.tls ? 443 : 80;
  result.port = default_port;
  if (has_port) PAY_RETURN_IF_ERROR(ParsePort(what, port_text, 1, &result.port));
  for (const char c : path) {
    if (c <= ' ' || c == 0x7f) {
      return absl::InvalidArgumentError(
          what + ": the path has a space or control character; percent-encode it");
    }
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  result.base_path = std::string(path);
  result.authority = JoinHostPort(result.host, result.port);
  result.host_header = result.port == default_port ? (result.host.find(':') != std::string::npos
                                                          ? StrCat("[", result.host, "]")
                                                          : result.host)
                                                   : result.authority;
  return result;
}

Result<HostPort> ParseHostPort(std::string_view option, std::string_view text) {
  const std::string what = StrCat(option, " \"", text, "\"");
  HostPort result;
  std::string_view port_text;
  bool has_port = false;
  PAY_RETURN_IF_ERROR(SplitAuthority(what, text, &result.host, &port_text, &has_port));
  if (!has_port) return absl::InvalidArgumentError(what + " has no port; write HOST:PORT");
  PAY_RETURN_IF_ERROR(ParsePort(what, port_text, 0, &result.port));
  return result;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

bool IsToken(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c == '\0') return false;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
    if (!ok) return false;
  }
  return true;
}

bool IsSafeHeaderValue(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::string JoinHostPort(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return StrCat("[", host, "]:", port);
  return StrCat(host, ":", port);
}

}  // namespace pay::connector::internal
