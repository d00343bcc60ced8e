// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Text-level pieces of the HTTP runtime: base URL and listen address parsing, HTTP token and
// header value checks, case-insensitive comparison. No I/O; unit-tested in http_test.cc.

#ifndef PAY_SRC_CONNECTOR_HTTP_SYNTAX_H_
#define PAY_SRC_CONNECTOR_HTTP_SYNTAX_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pay/status.h"

namespace pay::connector::internal {

struct BaseUrl {
  std::string scheme;       // "http" or "https"
  bool tls = false;         // scheme == "https"
  std::string host;         // without brackets: "127.0.0.1", "::1", "bank.example"
  uint16_t port = 0;        // explicit or the scheme's default
  std::string base_path;    // "" or "/api" (no trailing '/')
  std::string host_header;  // "bank.example", "bank.example:8443", "[::1]:8443"
  std::string authority;    // host:port, always with the port: for messages
};

// Parses HttpClientOptions::base_url; kInvalidArgument saying which part is wrong.
Result<BaseUrl> ParseBaseUrl(std::string_view url);

struct HostPort {
  std::string host;  // without brackets
  uint16_t port = 0;
};

// Parses "HOST:PORT" or "[IPV6]:PORT" given as option `option`; port 0 allowed.
Result<HostPort> ParseHostPort(std::string_view option, std::string_view text);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// RFC 9110 token characters (method and header names).
bool IsToken(std::string_view text);

// A header value: no CR, LF or NUL.
bool IsSafeHeaderValue(std::string_view text);

// "host:port", with IPv6 hosts in brackets.
std::string JoinHostPort(const std::string& host, uint16_t port);

}  // namespace pay::connector::internal

#endif  // PAY_SRC_CONNECTOR_HTTP_SYNTAX_H_
