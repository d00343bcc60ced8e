// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The HTTP(S) runtime behind pay/connector/http.h: an I/O thread pool (IoRuntime, also the
// Scheduler), an HTTP/1.1 client over TLS (MakeHttpClient) and a small HTTP/1.1 server
// (HttpServer) for inbound notifications and for the provider simulators. Built on Boost.Beast
// and OpenSSL; neither appears in this header.
//
// Lifetimes: clients and servers keep their runtime's I/O context alive, so they may be destroyed
// in any order; once the runtime is stopped they fail fast (requests end kUnavailable).

#ifndef PAY_CONNECTOR_HTTP_RUNTIME_H_
#define PAY_CONNECTOR_HTTP_RUNTIME_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "pay/connector/http.h"
#include "pay/status.h"

namespace pay::connector {

namespace internal {
struct RuntimeAccess;
struct RuntimeCore;
struct ServerState;
}  // namespace internal

// A pool of I/O threads running every client, server and timer made from it.
class IoRuntime final : public Scheduler {
 public:
  explicit IoRuntime(size_t threads = 2);  // 0 is taken as 1
  ~IoRuntime() override;                   // Stop()s

  IoRuntime(const IoRuntime&) = delete;
  IoRuntime& operator=(const IoRuntime&) = delete;

  // Runs `task` on an I/O thread after `delay`. Tasks run in the order of their due times (on one
  // thread; with several threads, tasks due together may overlap). Dropped once Stop() started.
  // A task that throws is reported on stderr and does not stop the runtime.
  void After(std::chrono::milliseconds delay, std::function<void()> task) override;

  // Stops the runtime: pending After() tasks are dropped, requests in flight end with an error
  // (their callbacks still run, exactly once), servers stop accepting and close their
  // connections; then the threads are joined. Idempotent; thread-safe. Must not be called from
  // one of this runtime's I/O threads unless that thread is about to return to the runtime
  // (it is then not joined but detached).
  void Stop();

  // True once Stop() has started.
  bool stopped() const;

 private:
  friend struct internal::RuntimeAccess;
  std::shared_ptr<internal::RuntimeCore> core_;
};

struct HttpClientOptions {
  // "https://host:port" or "http://host:port", optionally with a base path ("https://h/api")
  // that is put in front of every HttpRequest::target. The port defaults to 443 / 80; IPv6
  // literals go in brackets ("https://[::1]:8443"). http:// needs tls.enabled = false.
  std::string base_url;
  TlsOptions tls;  // ca_file empty: the system's trusted CAs
  // Resolve, connect and TLS handshake must finish within this, else kUnavailable.
  std::chrono::milliseconds connect_timeout{2000};
  // The whole request, connecting included. Expiry before the request started being written is
  // kUnavailable (nothing sent), after it kDeadlineExceeded (outcome unknown).
  std::chrono::milliseconds timeout{10000};
  size_t max_response_bytes = 8 << 20;  // response body; more is kInternal
};

// A client for one base URL. Every request uses a new connection ("Connection: close"), so no
// request is ever retried or sent twice by the client. The client sets Host, Content-Length,
// Connection, User-Agent "libpay" (unless given) and Content-Type "application/octet-stream"
// (unless given); HttpRequest::headers must not contain Host, Content-Length, Connection or
// Transfer-Encoding (kInvalidArgument, nothing sent).
//
// Errors, beyond those documented on HttpClient:
//   kUnavailable       resolve, connect or TLS handshake failed or timed out, the server rejected
//                      our certificate during the handshake, or the runtime is stopped.
//   kDeadlineExceeded  the timeout expired after the request started being written, or the
//                      connection broke before any response byte came: the outcome is unknown.
//   kInternal          the response was malformed, cut short or larger than max_response_bytes.
//   kInvalidArgument   the request itself cannot be sent (bad method, target or header).
//
// Fails now with kInvalidArgument for a malformed base_url (naming the part that is wrong) or
// TLS files that cannot be read or parsed (naming the file and the option).
Result<std::unique_ptr<HttpClient>> MakeHttpClient(IoRuntime& runtime, HttpClientOptions options);

// A request as the server received it.
struct HttpServerRequest {
  std::string method;  // "POST"
  std::string target;  // "/v1/notify?x=1"
  HttpHeaders headers;
  std::string body;
  // The subject CN of the client's verified certificate; empty without mutual TLS.
  std::string peer_common_name;

  std::string_view Header(std::string_view name) const { return FindHeader(headers, name); }
};

// Answers one request. Call it exactly once, from any thread, at any time (also after the
// server stopped: it is then a no-op). A responder destroyed without being called answers 500.
using HttpResponder = std::function<void(HttpResponse)>;
// Runs on an I/O thread: must not block; answer later through the responder if needed. A handler
// that throws answers 500 (unless it already answered).
using HttpHandler = std::function<void(HttpServerRequest, HttpResponder)>;

struct HttpServerOptions {
  std::string listen = "127.0.0.1:0";  // "HOST:PORT"; port 0 picks a free one; "[::1]:0"
  // enabled: cert_file and key_file are required, and ca_file with require_client_cert.
  TlsOptions tls;
  size_t max_body_bytes = 1 << 20;  // larger request bodies are answered 413
  // Limit for the TLS handshake and for each request to arrive in full (also the keep-alive
  // idle time); the connection is then closed.
  std::chrono::milliseconds read_timeout{10000};
};

// HTTP/1.1 with keep-alive. A malformed request is answered 400 and the connection closed.
class HttpServer {
 public:
  // Binds and starts accepting. kInvalidArgument for bad options (naming the option) or
  // unreadable TLS files; kUnavailable if the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(IoRuntime& runtime, HttpServerOptions options,
                                                   HttpHandler handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();  // Stop()s

  uint16_t port() const;        // the port actually bound
  std::string address() const;  // "127.0.0.1:PORT" (IPv6: "[::1]:PORT") actually bound

  // Closes the listening socket (synchronously: once it returns, new connections are refused)
  // and every open connection (asynchronously). Idempotent; thread-safe.
  void Stop();

 private:
  HttpServer(std::shared_ptr<void> runtime, std::shared_ptr<internal::ServerState> state);
  std::shared_ptr<void> runtime_;  // keeps the I/O context alive while state_ uses it
  std::shared_ptr<internal::ServerState> state_;
};

}  // namespace pay::connector

#endif  // PAY_CONNECTOR_HTTP_RUNTIME_H_
