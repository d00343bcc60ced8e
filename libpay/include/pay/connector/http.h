// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// HTTP(S) for connectors: the client a connector uses to reach its provider, the scheduler it
// uses for timers, and the TLS settings both sides share. Implementations (Boost.Beast over
// OpenSSL) are in pay/connector/http_runtime.h; a connector only sees these interfaces, which it
// receives in its ConnectorContext.

#ifndef PAY_CONNECTOR_HTTP_H_
#define PAY_CONNECTOR_HTTP_H_

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pay/status.h"

namespace pay::connector {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The value of the first header named `name` (compared case-insensitively); empty if absent.
std::string_view FindHeader(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method = "POST";
  std::string target = "/";  // path and query, e.g. "/v1/collections?id=1"
  HttpHeaders headers;       // Host, Content-Length and Connection are set by the client
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  std::string_view Header(std::string_view name) const { return FindHeader(headers, name); }
};

// TLS material, as PEM files. A client verifies the server against ca_file and, when cert_file
// and key_file are set, presents them (mutual TLS). A server presents cert_file/key_file and,
// when require_client_cert is set, accepts only clients whose certificate chains to ca_file.
struct TlsOptions {
  bool enabled = true;          // false: plain HTTP (loopback tests of the protocol only)
  std::string ca_file;          // trusted CA (PEM)
  std::string cert_file;        // own certificate chain (PEM)
  std::string key_file;         // own private key (PEM); never logged
  bool require_client_cert = false;  // server side: mutual TLS
  std::string server_name;      // client side: name to verify (default: the URL's host)
};

// Errors from HttpClient::Send tell the caller what the provider may have seen:
//   kUnavailable      nothing was sent (connection refused, TLS handshake failed): the request
//                     certainly did not reach the provider; safe to treat as not received.
//   kDeadlineExceeded the request was (or may have been) sent and no full answer came in time:
//                     the outcome is unknown.
//   kInternal / kDataLoss  the answer was malformed: the outcome is unknown.
// Any HTTP status (including 5xx) is a successful Send with that status.
class HttpClient {
 public:
  using Callback = std::function<void(Result<HttpResponse>)>;

  virtual ~HttpClient() = default;

  // Sends `request` to the client's base URL; `done` runs exactly once, on an I/O thread (it
  // must not block for long). Thread-safe.
  virtual void Send(HttpRequest request, Callback done) = 0;

  // Sends and waits for the answer. Never call it from an I/O thread (from inside a callback).
  Result<HttpResponse> SendAndWait(HttpRequest request);
};

// Runs a function later on an I/O thread: retries, polling, delayed callbacks.
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual void After(std::chrono::milliseconds delay, std::function<void()> task) = 0;
};

}  // namespace pay::connector

#endif  // PAY_CONNECTOR_HTTP_H_
