// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// HttpServer: an asynchronous HTTP/1.1 server on Boost.Beast, optionally over (mutual) TLS.
// One Session per connection, on its own strand, kept alive by the server's session table while
// a handler has not answered; responders hold it weakly, so answering after Stop() is harmless.

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "connector/http_internal.h"
#include "str_util.h"

namespace pay::connector {
namespace internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using ::pay::internal::StrCat;

constexpr uint32_t kMaxRequestHeaderBytes = 16 * 1024;
// After the last response on a connection: how long unread input is drained before closing, so
// that the kernel does not answer it with a reset that would destroy the response in flight.
constexpr std::chrono::milliseconds kMaxLinger{2000};

HttpResponse TextResponse(int status, std::string text) {
  HttpResponse response;
  response.status = status;
  response.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
  response.body = std::move(text) + "\n";
  return response;
}

bool IsReservedResponseHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "connection") ||
         EqualsIgnoreCase(name, "transfer-encoding");
}

}  // namespace

class Session;

struct ServerState : std::enable_shared_from_this<ServerState> {
  ServerState(internal::RuntimeCore* runtime, HttpServerOptions options, HttpHandler handler,
              std::shared_ptr<ssl::context> tls_context)
      : runtime(runtime),
        options(std::move(options)),
        handler(std::move(handler)),
        tls_context(std::move(tls_context)),
        acceptor(runtime->io),
        retry_timer(runtime->io) {}

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Stop();
  void Forget(Session* session);

  internal::RuntimeCore* const runtime;
  const HttpServerOptions options;
  const HttpHandler handler;
  const std::shared_ptr<ssl::context> tls_context;  // null without TLS
  tcp::endpoint bound;

  std::mutex mu;
  tcp::acceptor acceptor;                                           // guarded by mu
  asio::steady_timer retry_timer;                                   // guarded by mu
  bool stopped = false;                                             // guarded by mu
  uint64_t hook = 0;                                                // guarded by mu
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions;  // guarded by mu
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerState> server, tcp::socket socket)
      : server_(std::move(server)), executor_(socket.get_executor()), timer_(executor_) {
    if (server_->tls_context) {
      tls_.emplace(std::move(socket), *server_->tls_context);
    } else {
      plain_.emplace(std::move(socket));
    }
  }

  // Any thread.
  void Start() {
    asio::post(executor_, [self = shared_from_this()] { self->Begin(); });
  }
  void Close() {
    asio::post(executor_, [self = shared_from_this()] { self->CloseNow(); });
  }
  void Answer(HttpResponse response) {
    asio::post(executor_, [self = shared_from_this(), response = std::move(response)]() mutable {
      if (self->closed_ || !self->awaiting_answer_) return;
      self->awaiting_answer_ = false;
      self->Write(std::move(response));
    });
  }

 private:
  // The answer to one request: called once, by the handler or, failing that, on destruction.
  struct Responder {
    std::weak_ptr<Session> session;
    std::atomic<bool> answered{false};

    void Answer(HttpResponse response) {
      if (answered.exchange(true)) return;
      if (auto live = session.lock()) live->Answer(std::move(response));
    }
    ~Responder() {
      if (!answered.load()) {
        Answer(TextResponse(500, "internal error: the request was dropped without an answer"));
      }
    }
  };

  tcp::socket& Socket() { return tls_ ? tls_->next_layer() : *plain_; }

  void Begin() {
    if (closed_) return;
    if (!tls_) return ReadRequest();
    ArmTimer(server_->options.read_timeout);
    tls_->async_handshake(ssl::stream_base::server,
                          beast::bind_front_handler(&Session::OnHandshake, shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    DisarmTimer();
    if (closed_) return;
    if (ec) return Linger();  // the alert is out; let the client read it
    peer_common_name_ = PeerCommonName(tls_->native_handle());
    ReadRequest();
  }

  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    parser_->header_limit(kMaxRequestHeaderBytes);
    ArmTimer(server_->options.read_timeout);
    auto handler = beast::bind_front_handler(&Session::OnRead, shared_from_this());
    if (tls_) {
      http::async_read(*tls_, buffer_, *parser_, std::move(handler));
    } else {
      http::async_read(*plain_, buffer_, *parser_, std::move(handler));
    }
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    DisarmTimer();
    if (closed_) return;
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      version_ = parser_->get().version();
      return Write(TextResponse(
          413, StrCat("request body larger than ", server_->options.max_body_bytes, " bytes")));
    }
    if (ec && ec != http::error::end_of_stream &&
        ec.category() == http::make_error_code(http::error::bad_version).category()) {
      keep_alive_ = false;
      return Write(TextResponse(400, StrCat("malformed request: ", ec.message())));
    }
    if (ec) return CloseNow();  // the client went away, or the read timed out
    http::request<http::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    head_ = message.method() == http::verb::head;
    HttpServerRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.peer_common_name = peer_common_name_;
    awaiting_answer_ = true;
    auto responder = std::make_shared<Responder>();
    responder->session = weak_from_this();
    HttpResponder answer = [responder](HttpResponse response) {
      responder->Answer(std::move(response));
    };
    try {
      server_->handler(std::move(request), answer);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "libpay: HTTP handler threw (answered 500): %s\n", e.what());
      responder->Answer(TextResponse(500, "internal error"));
    } catch (...) {
      std::fprintf(stderr, "libpay: HTTP handler threw a non-exception (answered 500)\n");
      responder->Answer(TextResponse(500, "internal error"));
    }
  }

  void Write(HttpResponse answer) {
    response_ = {};
    if (answer.status < 100 || answer.status > 999) {
      answer = TextResponse(
          500, StrCat("internal error: the handler answered with HTTP status ", answer.status));
    }
    for (const auto& [name, value] : answer.headers) {
      if (!IsToken(name) || !IsSafeHeaderValue(value)) {
        answer = TextResponse(500, "internal error: the handler answered with an invalid header");
        break;
      }
    }
    response_.result(static_cast<unsigned>(answer.status));
    response_.version(version_);
    for (const auto& [name, value] : answer.headers) {
      if (IsReservedResponseHeader(name)) continue;
      response_.insert(beast::string_view(name.data(), name.size()),
                       beast::string_view(value.data(), value.size()));
    }
    const bool bodiless = answer.status < 200 || answer.status == 204 || answer.status == 304;
    if (!bodiless) response_.content_length(answer.body.size());
    if (!bodiless && !head_) response_.body() = std::move(answer.body);
    response_.keep_alive(keep_alive_);
    auto handler = beast::bind_front_handler(&Session::OnWritten, shared_from_this());
    if (tls_) {
      http::async_write(*tls_, response_, std::move(handler));
    } else {
      http::async_write(*plain_, response_, std::move(handler));
    }
  }

  void OnWritten(beast::error_code ec, size_t /*bytes*/) {
    if (closed_) return;
    if (ec) return CloseNow();
    if (!keep_alive_) return Linger();
    ReadRequest();
  }

  // Ends our side, then discards what the client still sends until it closes (or kMaxLinger).
  void Linger() {
    beast::error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_send, ignored);
    ArmTimer(std::min<std::chrono::milliseconds>(server_->options.read_timeout, kMaxLinger));
    Drain();
  }

  void Drain() {
    Socket().async_read_some(asio::buffer(drain_),
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               if (self->closed_) return;
                               if (ec) return self->CloseNow();
                               self->Drain();
                             });
  }

  void ArmTimer(std::chrono::milliseconds limit) {
    const uint64_t generation = ++timer_generation_;
    timer_.expires_after(limit);
    timer_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
      if (ec || generation != self->timer_generation_) return;
      self->CloseNow();
    });
  }

  void DisarmTimer() {
    ++timer_generation_;
    timer_.cancel();
  }

  void CloseNow() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    beast::error_code ignored;
    Socket().close(ignored);
    server_->Forget(this);
  }

  const std::shared_ptr<ServerState> server_;
  asio::any_io_executor executor_;  // a strand
  std::optional<tcp::socket> plain_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  asio::steady_timer timer_;
  uint64_t timer_generation_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::array<char, 4096> drain_;
  std::string peer_common_name_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool awaiting_answer_ = false;
  bool closed_ = false;
};

void ServerState::Accept() {
  std::lock_guard<std::mutex> lock(mu);
  if (stopped) return;
  acceptor.async_accept(asio::make_strand(runtime->io),
                        beast::bind_front_handler(&ServerState::OnAccept, shared_from_this()));
}

void ServerState::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors or similar: try again shortly rather than spin or give up.
    std::lock_guard<std::mutex> lock(mu);
    if (stopped) return;
    retry_timer.expires_after(std::chrono::milliseconds(100));
    retry_timer.async_wait([self = shared_from_this()](beast::error_code timer_ec) {
      if (!timer_ec) self->Accept();
    });
    return;
  }
  auto session = std::make_shared<Session>(shared_from_this(), std::move(socket));
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stopped) return;  // the socket closes with the session
    sessions.emplace(session.get(), session);
  }
  session->Start();
  Accept();
}

void ServerState::Stop() {
  std::unordered_map<Session*, std::shared_ptr<Session>> open;
  uint64_t stop_hook = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (stopped) return;
    stopped = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    retry_timer.cancel();
    open.swap(sessions);
    stop_hook = hook;
  }
  runtime->RemoveStopHook(stop_hook);
  for (auto& [key, session] : open) session->Close();
}

void ServerState::Forget(Session* session) {
  std::shared_ptr<Session> removed;  // released after the lock
  std::lock_guard<std::mutex> lock(mu);
  auto it = sessions.find(session);
  if (it == sessions.end()) return;
  removed = std::move(it->second);
  sessions.erase(it);
}

}  // namespace internal

Result<std::unique_ptr<HttpServer>> HttpServer::Start(IoRuntime& runtime, HttpServerOptions options,
                                                      HttpHandler handler) {
  namespace asio = boost::asio;
  using ::pay::internal::StrCat;
  if (!handler) return absl::InvalidArgumentError("HttpServer::Start needs a handler");
  PAY_ASSIGN_OR_RETURN(internal::HostPort listen,
                       internal::ParseHostPort("listen", options.listen));
  boost::system::error_code ec;
  const asio::ip::address address = listen.host == "localhost"
                                        ? asio::ip::address(asio::ip::address_v4::loopback())
                                        : asio::ip::make_address(listen.host, ec);
  if (ec) {
    return absl::InvalidArgumentError(StrCat("listen \"", options.listen,
                                             "\": the host must be an IP address (127.0.0.1, "
                                             "[::1], 0.0.0.0) or localhost"));
  }
  if (options.max_body_bytes == 0 || options.read_timeout.count() <= 0) {
    return absl::InvalidArgumentError("max_body_bytes and read_timeout must be positive");
  }
  std::shared_ptr<asio::ssl::context> tls_context;
  if (options.tls.enabled) {
    PAY_ASSIGN_OR_RETURN(tls_context, internal::MakeServerTlsContext(options.tls));
  } else if (options.tls.require_client_cert) {
    return absl::InvalidArgumentError(
        "tls.require_client_cert needs TLS: set tls.enabled = true with a certificate");
  }
  const std::shared_ptr<internal::RuntimeCore>& impl = internal::RuntimeAccess::Get(runtime);
  auto state = std::make_shared<internal::ServerState>(impl.get(), options, std::move(handler),
                                                       std::move(tls_context));
  const asio::ip::tcp::endpoint endpoint(address, listen.port);
  {
    std::lock_guard<std::mutex> lock(state->mu);
    asio::ip::tcp::acceptor& acceptor = state->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) state->bound = acceptor.local_endpoint(ec);
    if (ec) {
      return absl::UnavailableError(StrCat("cannot listen on ", options.listen, ": ", ec.message(),
                                           "; choose another address or port (listen)"));
    }
  }
  std::weak_ptr<internal::ServerState> weak = state;
  const uint64_t hook = impl->AddStopHook([weak] {
    if (auto live = weak.lock()) live->Stop();
  });
  if (hook == 0) {
    return absl::FailedPreconditionError("the IoRuntime is stopped; start servers before Stop()");
  }
  {
    std::lock_guard<std::mutex> lock(state->mu);
    state->hook = hook;
  }
  state->Accept();
  return std::unique_ptr<HttpServer>(new HttpServer(impl, std::move(state)));
}

HttpServer::HttpServer(std::shared_ptr<void> runtime, std::shared_ptr<internal::ServerState> state)
    : runtime_(std::move(runtime)), state_(std::move(state)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() { state_->Stop(); }

uint16_t HttpServer::port() const { return state_->bound.port(); }

std::string HttpServer::address() const {
  return internal::JoinHostPort(state_->bound.address().to_string(), state_->bound.port());
}

}  // namespace pay::connector
