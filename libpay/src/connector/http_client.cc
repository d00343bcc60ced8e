// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// MakeHttpClient: an asynchronous HTTP/1.1 client on Boost.Beast. One connection per request
// (resolve, connect, TLS handshake, write, read), all on one strand, with a connect timeout and
// an overall timeout. Errors say whether the provider can have seen the request (see
// pay/connector/http_runtime.h).

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "connector/http_internal.h"
#include "str_util.h"

namespace pay::connector {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using ::pay::internal::StrCat;

constexpr uint32_t kMaxResponseHeaderBytes = 64 * 1024;

// What the requests of one client share; immutable once made.
struct ClientConfig {
  internal::BaseUrl url;
  HttpClientOptions options;
  std::shared_ptr<ssl::context> tls_context;  // null for http://
  std::string verify_name;                    // tls.server_name, else the URL's host
};

// Headers the client sets itself.
bool IsReservedHeader(std::string_view name) {
  for (std::string_view reserved : {"host", "content-length", "connection", "transfer-encoding"}) {
    if (internal::EqualsIgnoreCase(name, reserved)) return true;
  }
  return false;
}

// One request, from resolve to callback. Lives as long as an I/O operation or timer holds it.
class ClientOp : public std::enable_shared_from_this<ClientOp> {
 public:
  ClientOp(internal::RuntimeCore* runtime, std::shared_ptr<const ClientConfig> config,
           HttpRequest request, HttpClient::Callback done)
      : runtime_(runtime),
        config_(std::move(config)),
        request_(std::move(request)),
        done_(std::move(done)),
        strand_(asio::make_strand(runtime->io)),
        resolver_(strand_),
        connect_timer_(strand_),
        deadline_timer_(strand_) {
    if (config_->tls_context) {
      tls_.emplace(strand_, *config_->tls_context);
    } else {
      plain_.emplace(strand_);
    }
  }

  ~ClientOp() {
    runtime_->RemoveStopHook(hook_.load());
    // Only when the io_context is destroyed with this request still pending.
    if (!finished_ && done_) {
      finished_ = true;
      try {
        done_(phase_ == Phase::kConnecting
                  ? absl::UnavailableError(Prefix() + "the HTTP runtime was destroyed; nothing "
                                                      "was sent")
                  : absl::DeadlineExceededError(Prefix() + "the HTTP runtime was destroyed "
                                                           "before the response came; the "
                                                           "outcome is unknown"));
      } catch (...) {  // NOLINT: nothing may escape a destructor
      }
    }
  }

  // From Send, on any thread.
  void Begin() {
    std::weak_ptr<ClientOp> weak = weak_from_this();
    const uint64_t hook = runtime_->AddStopHook([weak] {
      if (auto op = weak.lock()) asio::post(op->strand_, [op] { op->Abort(); });
    });
    if (hook == 0) {
      finished_ = true;
      HttpClient::Callback done = std::move(done_);
      done(absl::UnavailableError(Prefix() + "the HTTP runtime is stopped; nothing was sent"));
      return;
    }
    hook_.store(hook);
    asio::post(strand_, [self = shared_from_this()] { self->Start(); });
  }

 private:
  enum class Phase { kConnecting, kSending, kReceiving };

  tcp::socket& Socket() { return tls_ ? tls_->next_layer() : *plain_; }

  std::string Prefix() const {
    return StrCat(request_.method, " ", config_->url.scheme, "://", config_->url.authority,
                  config_->url.base_path, request_.target, ": ");
  }

  void Start() {
    if (finished_) return;
    Status built = BuildRequest();
    if (!built.ok()) return Finish(built);
    const HttpClientOptions& options = config_->options;
    deadline_timer_.expires_after(options.timeout);
    deadline_timer_.async_wait(
        beast::bind_front_handler(&ClientOp::OnDeadline, shared_from_this()));
    connect_timer_.expires_after(options.connect_timeout);
    connect_timer_.async_wait(
        beast::bind_front_handler(&ClientOp::OnConnectTimeout, shared_from_this()));
    resolver_.async_resolve(config_->url.host, std::to_string(config_->url.port),
                            beast::bind_front_handler(&ClientOp::OnResolved, shared_from_this()));
  }

  Status BuildRequest() {
    if (!internal::IsToken(request_.method)) {
      return absl::InvalidArgumentError(StrCat("HttpRequest.method \"", request_.method,
                                               "\" is not an HTTP method token; nothing was sent"));
    }
    if (request_.target.empty() || request_.target[0] != '/') {
      return absl::InvalidArgumentError(StrCat("HttpRequest.target \"", request_.target,
                                               "\" must start with '/'; nothing was sent"));
    }
    for (const char c : request_.target) {
      if (c <= ' ' || c == 0x7f) {
        return absl::InvalidArgumentError(
            "HttpRequest.target contains a space or control character; percent-encode it");
      }
    }
    http::request<http::string_body>& req = wire_request_;
    req.version(11);
    req.method_string({request_.method.data(), request_.method.size()});
    req.target(config_->url.base_path + request_.target);
    req.set(http::field::host, config_->url.host_header);
    for (const auto& [name, value] : request_.headers) {
      if (!internal::IsToken(name) || !internal::IsSafeHeaderValue(value)) {
        return absl::InvalidArgumentError(
            StrCat("HttpRequest header \"", name,
                   "\" has an invalid name or a value with CR, LF or NUL; nothing was sent"));
      }
      if (IsReservedHeader(name)) {
        return absl::InvalidArgumentError(StrCat(
            "HttpRequest header \"", name, "\" is set by the client; remove it from the request"));
      }
      req.insert(beast::string_view(name.data(), name.size()),
                 beast::string_view(value.data(), value.size()));
    }
    if (FindHeader(request_.headers, "user-agent").empty())
      req.set(http::field::user_agent, "libpay");
    if (FindHeader(request_.headers, "content-type").empty()) {
      req.set(http::field::content_type, "application/octet-stream");
    }
    req.set(http::field::connection, "close");
    req.body() = std::move(request_.body);
    req.content_length(req.body().size());
    return absl::OkStatus();
  }

  void OnResolved(beast::error_code ec, tcp::resolver::results_type results) {
    if (finished_) return;
    if (ec) {
      return Finish(
          absl::UnavailableError(StrCat(Prefix(), "cannot resolve ", config_->url.host, ": ",
                                        internal::DescribeError(ec), "; nothing was sent")));
    }
    asio::async_connect(Socket(), results,
                        beast::bind_front_handler(&ClientOp::OnConnected, shared_from_this()));
  }

  void OnConnected(beast::error_code ec, const tcp::endpoint& /*endpoint*/) {
    if (finished_) return;
    if (ec) {
      return Finish(
          absl::UnavailableError(StrCat(Prefix(), "cannot connect to ", config_->url.authority,
                                        ": ", internal::DescribeError(ec), "; nothing was sent")));
    }
    beast::error_code ignored;
    Socket().set_option(tcp::no_delay(true), ignored);
    if (!tls_) return Write();
    Status verify = internal::SetPeerVerification(tls_->native_handle(), config_->verify_name);
    if (!verify.ok()) return Finish(verify);
    tls_->async_handshake(ssl::stream_base::client,
                          beast::bind_front_handler(&ClientOp::OnHandshake, shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (finished_) return;
    if (ec) {
      return Finish(absl::UnavailableError(StrCat(
          Prefix(), "TLS handshake with ", config_->url.authority,
          " failed: ", internal::DescribeError(ec, tls_->native_handle()),
          "; nothing was sent (check tls.ca_file, tls.server_name and the server's certificate)")));
    }
    Write();
  }

  void Write() {
    phase_ = Phase::kSending;
    connect_timer_.cancel();
    auto handler = beast::bind_front_handler(&ClientOp::OnWritten, shared_from_this());
    if (tls_) {
      http::async_write(*tls_, wire_request_, std::move(handler));
    } else {
      http::async_write(*plain_, wire_request_, std::move(handler));
    }
  }

  void OnWritten(beast::error_code ec, size_t /*bytes*/) {
    if (finished_) return;
    if (ec) return FailAfterSending(ec);
    phase_ = Phase::kReceiving;
    Read();
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(config_->options.max_response_bytes);
    parser_->header_limit(kMaxResponseHeaderBytes);
    if (request_.method == "HEAD") parser_->skip(true);
    auto handler = beast::bind_front_handler(&ClientOp::OnHeader, shared_from_this());
    if (tls_) {
      http::async_read_header(*tls_, buffer_, *parser_, std::move(handler));
    } else {
      http::async_read_header(*plain_, buffer_, *parser_, std::move(handler));
    }
  }

  void OnHeader(beast::error_code ec, size_t bytes) {
    if (finished_) return;
    if (ec) return OnRead(ec, bytes);
    // Beast 1.74's response parser does not apply body_limit to a Content-Length body (it does
    // to chunked and to-EOF bodies): checked here, before anything is buffered.
    const boost::optional<uint64_t> length = parser_->content_length();
    if (length && *length > config_->options.max_response_bytes) {
      return FailAfterSending(http::error::body_limit);
    }
    if (parser_->is_done()) return OnRead(ec, bytes);
    auto handler = beast::bind_front_handler(&ClientOp::OnRead, shared_from_this());
    if (tls_) {
      http::async_read(*tls_, buffer_, *parser_, std::move(handler));
    } else {
      http::async_read(*plain_, buffer_, *parser_, std::move(handler));
    }
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    if (finished_) return;
    if (ec == ssl::error::stream_truncated && parser_->got_some() && !parser_->is_done()) {
      // A body delimited by the end of the connection, closed without TLS close_notify.
      beast::error_code eof_ec;
      parser_->put_eof(eof_ec);
      if (!eof_ec && parser_->is_done()) ec = {};
    }
    if (ec) return FailAfterSending(ec);
    http::response<http::string_body>& message = parser_->get();
    const int status = static_cast<int>(message.result_int());
    if (status >= 100 && status < 200 && status != 101) return Read();  // interim: the real one
    if (status == 101 || status < 100) {
      return Finish(absl::InternalError(StrCat(Prefix(), "unexpected HTTP status ", status,
                                               " from the server; the outcome is unknown")));
    }
    HttpResponse response;
    response.status = status;
    for (const auto& field : message) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(message.body());
    Finish(std::move(response));
  }

  // An I/O error once the request started being written.
  void FailAfterSending(const beast::error_code& ec) {
    const bool got_response_bytes = (parser_ && parser_->got_some()) || buffer_.size() > 0;
    const std::string& authority = config_->url.authority;
    if (!got_response_bytes && internal::IsHandshakeRejection(ec)) {
      return Finish(absl::UnavailableError(
          StrCat(Prefix(), "the server at ", authority,
                 " rejected the TLS handshake: ", internal::DescribeError(ec),
                 "; nothing was processed (check tls.cert_file and "
                 "tls.key_file: the server may require a client certificate it trusts)")));
    }
    if (ec == http::error::body_limit) {
      return Finish(absl::InternalError(
          StrCat(Prefix(), "the response body exceeds max_response_bytes (",
                 config_->options.max_response_bytes, "); the outcome is unknown")));
    }
    if (ec == http::error::end_of_stream || !got_response_bytes) {
      return Finish(absl::DeadlineExceededError(
          StrCat(Prefix(), "the connection to ", authority, " ended before any response (",
                 internal::DescribeError(ec), "); the outcome is unknown")));
    }
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
      return Finish(absl::InternalError(StrCat(Prefix(), "malformed response from ", authority,
                                               ": ", ec.message(), "; the outcome is unknown")));
    }
    Finish(absl::InternalError(StrCat(Prefix(), "the response from ", authority, " was cut short: ",
                                      internal::DescribeError(ec), "; the outcome is unknown")));
  }

  void OnConnectTimeout(beast::error_code ec) {
    if (ec || finished_ || phase_ != Phase::kConnecting) return;
    Finish(absl::UnavailableError(StrCat(Prefix(), "could not connect to ", config_->url.authority,
                                         " within ", config_->options.connect_timeout.count(),
                                         " ms (connect_timeout); nothing was sent")));
  }

  void OnDeadline(beast::error_code ec) {
    if (ec || finished_) return;
    if (phase_ == Phase::kConnecting) {
      return Finish(absl::UnavailableError(
          StrCat(Prefix(), "could not connect to ", config_->url.authority, " within ",
                 config_->options.timeout.count(), " ms (timeout); nothing was sent")));
    }
    Finish(absl::DeadlineExceededError(
        StrCat(Prefix(), "no complete response within ", config_->options.timeout.count(),
               " ms (timeout); the request was sent, the outcome is unknown")));
  }

  void Abort() {
    if (finished_) return;
    if (phase_ == Phase::kConnecting) {
      return Finish(absl::UnavailableError(Prefix() + "the HTTP runtime is stopping; nothing "
                                                      "was sent"));
    }
    Finish(absl::DeadlineExceededError(Prefix() + "the HTTP runtime stopped before the response "
                                                  "came; the outcome is unknown"));
  }

  void Finish(Result<HttpResponse> result) {
    if (finished_) return;
    finished_ = true;
    connect_timer_.cancel();
    deadline_timer_.cancel();
    resolver_.cancel();
    beast::error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_both, ignored);
    Socket().close(ignored);
    runtime_->RemoveStopHook(hook_.exchange(0));
    HttpClient::Callback done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
  }

  internal::RuntimeCore* const runtime_;
  const std::shared_ptr<const ClientConfig> config_;
  HttpRequest request_;
  HttpClient::Callback done_;
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::resolver resolver_;
  std::optional<tcp::socket> plain_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  asio::steady_timer connect_timer_;
  asio::steady_timer deadline_timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> wire_request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  Phase phase_ = Phase::kConnecting;
  bool finished_ = false;
  std::atomic<uint64_t> hook_{0};
};

class BeastHttpClient final : public HttpClient {
 public:
  BeastHttpClient(std::shared_ptr<internal::RuntimeCore> runtime,
                  std::shared_ptr<const ClientConfig> config)
      : runtime_(std::move(runtime)), config_(std::move(config)) {}

  void Send(HttpRequest request, Callback done) override {
    if (!done) done = [](Result<HttpResponse>) {};
    auto op =
        std::make_shared<ClientOp>(runtime_.get(), config_, std::move(request), std::move(done));
    op->Begin();
  }

 private:
  const std::shared_ptr<internal::RuntimeCore> runtime_;  // keeps the io_context alive
  const std::shared_ptr<const ClientConfig> config_;
};

}  // namespace

Result<std::unique_ptr<HttpClient>> MakeHttpClient(IoRuntime& runtime, HttpClientOptions options) {
  PAY_ASSIGN_OR_RETURN(internal::BaseUrl url, internal::ParseBaseUrl(options.base_url));
  if (url.tls != options.tls.enabled) {
    return absl::InvalidArgumentError(
        url.tls ? StrCat("base_url \"", options.base_url,
                         "\" is https:// but tls.enabled is false; set tls.enabled = true")
                : StrCat("base_url \"", options.base_url,
                         "\" is http:// but tls.enabled is true; use https:// or, for plain "
                         "HTTP, set tls.enabled = false"));
  }
  if (options.connect_timeout.count() <= 0 || options.timeout.count() <= 0) {
    return absl::InvalidArgumentError("connect_timeout and timeout must be positive");
  }
  if (options.max_response_bytes == 0) {
    return absl::InvalidArgumentError("max_response_bytes must be positive");
  }
  auto config = std::make_shared<ClientConfig>();
  if (url.tls) {
    PAY_ASSIGN_OR_RETURN(config->tls_context, internal::MakeClientTlsContext(options.tls));
    config->verify_name = options.tls.server_name.empty() ? url.host : options.tls.server_name;
  }
  config->url = std::move(url);
  config->options = std::move(options);
  return std::unique_ptr<HttpClient>(
      new BeastHttpClient(internal::RuntimeAccess::Get(runtime), std::move(config)));
}

}  // namespace pay::connector
