// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Internals of the HTTP(S) runtime shared by the client, the server and the runtime itself: the
// I/O context behind IoRuntime, stop hooks, TLS context construction and error descriptions.
// Not installed; only the pay_http sources include it.

#ifndef PAY_SRC_CONNECTOR_HTTP_INTERNAL_H_
#define PAY_SRC_CONNECTOR_HTTP_INTERNAL_H_

#include <openssl/ssl.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "connector/http_syntax.h"
#include "pay/connector/http.h"
#include "pay/connector/http_runtime.h"
#include "pay/status.h"

namespace pay::connector {

namespace internal {

// The state behind IoRuntime, shared with the clients and servers made from it.
struct RuntimeCore : std::enable_shared_from_this<RuntimeCore> {
  explicit RuntimeCore(size_t thread_count) : thread_count(thread_count == 0 ? 1 : thread_count) {}
  ~RuntimeCore();

  void StartThreads();
  void Stop();
  bool stopped() const;

  // Registers `hook` to run (on the thread calling Stop, without locks held) when the runtime
  // stops. Returns 0, without registering, once Stop() has started: the caller must then fail
  // its work itself.
  uint64_t AddStopHook(std::function<void()> hook);
  void RemoveStopHook(uint64_t id);

  const size_t thread_count;
  mutable std::mutex mu;
  bool stopping = false;                            // guarded by mu
  uint64_t next_hook_id = 1;                        // guarded by mu
  std::map<uint64_t, std::function<void()>> hooks;  // guarded by mu
  size_t running_threads = 0;                       // guarded by mu
  std::condition_variable threads_changed;
  std::mutex stop_mu;  // serializes Stop()
  std::vector<std::thread> threads;
  // Declared last, destroyed first: handlers it still holds may use the members above.
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;
};

struct RuntimeAccess {
  static const std::shared_ptr<RuntimeCore>& Get(IoRuntime& runtime) { return runtime.core_; }
};

// OK if `path` (given as option `option`) can be opened for reading; else kInvalidArgument
// naming both.
Status CheckReadable(std::string_view option, const std::string& path);

// TLS contexts from TlsOptions; kInvalidArgument naming the file and option that is wrong.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeClientTlsContext(const TlsOptions& tls);
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsOptions& tls);

// Sets SNI (for names, not IP literals) and the name or IP the server certificate must match.
Status SetPeerVerification(SSL* ssl, const std::string& name);

// A readable description of `ec`, with OpenSSL's reason for TLS errors and, when a certificate
// could not be verified, why ("certificate verify failed: unable to get local issuer
// certificate").
std::string DescribeError(const boost::system::error_code& ec, SSL* ssl = nullptr);

// True if `ec` is a fatal TLS alert by which the peer rejected the handshake (our certificate,
// missing certificate, unknown CA, ...): the peer's application never saw our data.
bool IsHandshakeRejection(const boost::system::error_code& ec);

// The subject CN of the verified peer certificate; empty if there is none.
std::string PeerCommonName(SSL* ssl);

}  // namespace internal
}  // namespace pay::connector

#endif  // PAY_SRC_CONNECTOR_HTTP_INTERNAL_H_
