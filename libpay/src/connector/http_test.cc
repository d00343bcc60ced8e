// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Tests of the HTTP(S) runtime over real sockets on 127.0.0.1 (port 0), with certificates from
// CreateDevelopmentPki: round trips over HTTP, TLS and mutual TLS, how each failure is
// classified (kUnavailable / kDeadlineExceeded / kInternal / kInvalidArgument), the server's
// limits and keep-alive, Stop() with work in flight, and IoRuntime's timers.

#include "pay/connector/http.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "connector/http_syntax.h"
#include "pay/connector/http_runtime.h"
#include "pay/connector/pki.h"

namespace pay::connector {
namespace {

using std::chrono::milliseconds;

std::string Message(const Status& status) { return std::string(status.message()); }

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

std::string ReadAll(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// Waits for a condition set by I/O threads.
class Signal {
 public:
  void Notify() {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    changed_.notify_all();
  }
  bool WaitFor(int count, milliseconds limit = milliseconds(5000)) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, limit, [&] { return count_ >= count; });
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int count_ = 0;
};

HttpResponse Answer(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpRequest Post(std::string target, std::string body) {
  HttpRequest request;
  request.target = std::move(target);
  request.body = std::move(body);
  return request;
}

class HttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(::testing::TempDir() + "pay_http_test_" + std::to_string(getpid()));
    std::filesystem::remove_all(*root_);
    ASSERT_TRUE(CreateDevelopmentPki(Pki(), {"server", "client"}).ok());
    ASSERT_TRUE(CreateDevelopmentPki(OtherPki(), {"server"}).ok());
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*root_);
    delete root_;
  }

  static std::string Pki() { return *root_ + "/pki"; }
  static std::string OtherPki() { return *root_ + "/other"; }

  static TlsOptions ServerTls(bool require_client_cert = false) {
    TlsOptions tls;
    tls.cert_file = Pki() + "/server.pem";
    tls.key_file = Pki() + "/server.key";
    if (require_client_cert) {
      tls.ca_file = Pki() + "/ca.pem";
      tls.require_client_cert = true;
    }
    return tls;
  }

  static TlsOptions ClientTls(bool with_cert = false, const std::string& pki = Pki()) {
    TlsOptions tls;
    tls.ca_file = pki + "/ca.pem";
    if (with_cert) {
      tls.cert_file = Pki() + "/client.pem";
      tls.key_file = Pki() + "/client.key";
    }
    return tls;
  }

  std::unique_ptr<HttpServer> StartServer(HttpServerOptions options, HttpHandler handler) {
    Result<std::unique_ptr<HttpServer>> server =
        HttpServer::Start(runtime_, std::move(options), std::move(handler));
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? std::move(*server) : nullptr;
  }

  HttpServerOptions PlainServer() {
    HttpServerOptions options;
    options.tls.enabled = false;
    return options;
  }

  std::unique_ptr<HttpClient> Client(const std::string& url, TlsOptions tls,
                                     milliseconds timeout = milliseconds(3000)) {
    HttpClientOptions options;
    options.base_url = url;
    options.tls = std::move(tls);
    options.timeout = timeout;
    Result<std::unique_ptr<HttpClient>> client = MakeHttpClient(runtime_, std::move(options));
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::move(*client) : nullptr;
  }

  std::unique_ptr<HttpClient> PlainClient(const HttpServer& server,
                                          milliseconds timeout = milliseconds(3000)) {
    TlsOptions tls;
    tls.enabled = false;
    return Client("http://" + server.address(), tls, timeout);
  }

  // Answers "<peer CN>|<body>", counting calls.
  HttpHandler EchoHandler() {
    return [this](HttpServerRequest request, HttpResponder respond) {
      handled_.Notify();
      respond(Answer(200, request.peer_common_name + "|" + request.body));
    };
  }

  static std::string* root_;
  IoRuntime runtime_{2};
  Signal handled_;
};

std::string* HttpTest::root_ = nullptr;

TEST_F(HttpTest, PlainHttpRoundTrip) {
  std::mutex mu;
  HttpServerRequest seen;
  auto server = StartServer(PlainServer(), [&](HttpServerRequest request, HttpResponder respond) {
    {
      std::lock_guard<std::mutex> lock(mu);
      seen = request;
    }
    HttpResponse response = Answer(201, "got " + request.body);
    response.headers = {{"X-Answer", "yes"}};
    respond(std::move(response));
  });
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->address(), "127.0.0.1:" + std::to_string(server->port()));
  auto client = PlainClient(*server);
  HttpRequest request = Post("/v1/echo?x=1", "hello");
  request.headers = {{"X-Request-Id", "abc"}};
  Result<HttpResponse> response = client->SendAndWait(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "got hello");
  EXPECT_EQ(response->Header("x-answer"), "yes");
  EXPECT_EQ(response->Header("Content-Length"), "9");

  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/v1/echo?x=1");
  EXPECT_EQ(seen.body, "hello");
  EXPECT_EQ(seen.Header("x-request-id"), "abc");
  EXPECT_EQ(seen.Header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(seen.Header("User-Agent"), "libpay");
  EXPECT_EQ(seen.Header("Host"), server->address());
  EXPECT_EQ(seen.Header("Content-Length"), "5");
  EXPECT_EQ(seen.peer_common_name, "");
}

TEST_F(HttpTest, ClientKeepsGivenContentTypeAndBasePath) {
  std::mutex mu;
  HttpServerRequest seen;
  auto server = StartServer(PlainServer(), [&](HttpServerRequest request, HttpResponder respond) {
    std::lock_guard<std::mutex> lock(mu);
    seen = request;
    respond(Answer(204, ""));
  });
  TlsOptions tls;
  tls.enabled = false;
  auto client = Client("http://" + server->address() + "/api/", tls);
  HttpRequest request = Post("/v1/x", "{}");
  request.headers = {{"content-type", "application/json"}};
  Result<HttpResponse> response = client->SendAndWait(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 204);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen.target, "/api/v1/x");
  EXPECT_EQ(seen.Header("Content-Type"), "application/json");
}

TEST_F(HttpTest, HttpsRoundTripByIpAndByName) {
  HttpServerOptions options;
  options.tls = ServerTls();
  auto server = StartServer(options, EchoHandler());
  ASSERT_NE(server, nullptr);
  const std::string port = std::to_string(server->port());
  for (const std::string& url : {"https://127.0.0.1:" + port, "https://localhost:" + port}) {
    auto client = Client(url, ClientTls());
    ASSERT_NE(client, nullptr);
    Result<HttpResponse> response = client->SendAndWait(Post("/", "secret"));
    ASSERT_TRUE(response.ok()) << url << ": " << response.status();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "|secret") << "no client certificate, no peer name";
  }
}

TEST_F(HttpTest, MutualTlsGivesThePeerCommonName) {
  HttpServerOptions options;
  options.tls = ServerTls(/*require_client_cert=*/true);
  auto server = StartServer(options, EchoHandler());
  auto client = Client("https://" + server->address(), ClientTls(/*with_cert=*/true));
  Result<HttpResponse> response = client->SendAndWait(Post("/", "x"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "client|x");
}

TEST_F(HttpTest, MutualTlsRejectsClientWithoutCertificateAsUnavailable) {
  HttpServerOptions options;
  options.tls = ServerTls(/*require_client_cert=*/true);
  auto server = StartServer(options, EchoHandler());
  auto client = Client("https://" + server->address(), ClientTls(/*with_cert=*/false));
  Result<HttpResponse> response = client->SendAndWait(Post("/", "x"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status();
  EXPECT_TRUE(Contains(Message(response.status()), server->address()));
  EXPECT_EQ(handled_.count(), 0);
}

TEST_F(HttpTest, UntrustedServerCertificateIsUnavailable) {
  HttpServerOptions options;
  options.tls = ServerTls();
  auto server = StartServer(options, EchoHandler());
  auto client = Client("https://" + server->address(), ClientTls(false, OtherPki()));
  Result<HttpResponse> response = client->SendAndWait(Post("/", "x"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status();
  EXPECT_TRUE(Contains(Message(response.status()), "certificate"));
  EXPECT_TRUE(Contains(Message(response.status()), server->address()));
  EXPECT_EQ(handled_.count(), 0);
}

TEST_F(HttpTest, ServerNameMismatchIsUnavailable) {
  HttpServerOptions options;
  options.tls = ServerTls();
  auto server = StartServer(options, EchoHandler());
  TlsOptions tls = ClientTls();
  tls.server_name = "bank.example";
  auto client = Client("https://" + server->address(), tls);
  Result<HttpResponse> response = client->SendAndWait(Post("/", "x"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status();
  EXPECT_TRUE(Contains(Message(response.status()), "hostname mismatch"));
}

TEST_F(HttpTest, ConnectionRefusedIsUnavailable) {
  auto server = StartServer(PlainServer(), EchoHandler());
  auto client = PlainClient(*server);
  const std::string address = server->address();
  server.reset();  // the port is closed now
  Result<HttpResponse> response = client->SendAndWait(Post("/", "x"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status();
  EXPECT_TRUE(Contains(Message(response.status()), address));
  EXPECT_TRUE(Contains(Message(response.status()), "refused"));
}

TEST_F(HttpTest, LateAnswerIsDeadlineExceeded) {
  auto server = StartServer(PlainServer(), [this](HttpServerRequest, HttpResponder respond) {
    runtime_.After(milliseconds(500), [respond] { respond(Answer(200, "late")); });
  });
  auto client = PlainClient(*server, milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> response = client->SendAndWait(Post("/", "x"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded) << response.status();
  EXPECT_GE(elapsed, milliseconds(90));
  EXPECT_LT(elapsed, milliseconds(450));
}

TEST_F(HttpTest, AnswerFromAnotherThread) {
  std::mutex mu;
  std::vector<std::thread> threads;
  auto server = StartServer(PlainServer(), [&](HttpServerRequest request, HttpResponder respond) {
    std::lock_guard<std::mutex> lock(mu);
    threads.emplace_back([respond, body = request.body] {
      std::this_thread::sleep_for(milliseconds(20));
      respond(Answer(202, "later " + body));
    });
  });
  auto client = PlainClient(*server);
  for (int i = 0; i < 3; ++i) {
    Result<HttpResponse> response = client->SendAndWait(Post("/", std::to_string(i)));
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 202);
    EXPECT_EQ(response->body, "later " + std::to_string(i));
  }
  std::lock_guard<std::mutex> lock(mu);
  for (std::thread& thread : threads) thread.join();
}

TEST_F(HttpTest, ConcurrentRequestsAreAllAnswered) {
  HttpServerOptions options;
  options.tls = ServerTls(/*require_client_cert=*/true);
  auto server = StartServer(options, EchoHandler());
  auto client = Client("https://" + server->address(), ClientTls(/*with_cert=*/true));
  constexpr int kRequests = 32;
  std::mutex mu;
  std::map<int, Result<HttpResponse>> results;
  Signal done;
  for (int i = 0; i < kRequests; ++i) {
    client->Send(Post("/n", std::to_string(i)), [&, i](Result<HttpResponse> result) {
      {
        std::lock_guard<std::mutex> lock(mu);
        EXPECT_TRUE(results.emplace(i, std::move(result)).second) << "callback ran twice: " << i;
      }
      done.Notify();
    });
  }
  ASSERT_TRUE(done.WaitFor(kRequests));
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(results.size(), static_cast<size_t>(kRequests));
  for (const auto& [i, result] : results) {
    ASSERT_TRUE(result.ok()) << i << ": " << result.status();
    EXPECT_EQ(result->body, "client|" + std::to_string(i));
  }
  EXPECT_EQ(handled_.count(), kRequests);
}

TEST_F(HttpTest, OversizedBodyIs413) {
  HttpServerOptions options = PlainServer();
  options.max_body_bytes = 1024;
  auto server = StartServer(options, EchoHandler());
  auto client = PlainClient(*server);
  Result<HttpResponse> too_big = client->SendAndWait(Post("/", std::string(4096, 'x')));
  ASSERT_TRUE(too_big.ok()) << too_big.status();
  EXPECT_EQ(too_big->status, 413);
  EXPECT_EQ(handled_.count(), 0);
  Result<HttpResponse> at_limit = client->SendAndWait(Post("/", std::string(1024, 'x')));
  ASSERT_TRUE(at_limit.ok()) << at_limit.status();
  EXPECT_EQ(at_limit->status, 200);
}

TEST_F(HttpTest, HandlerExceptionIs500AndServerGoesOn) {
  auto server = StartServer(PlainServer(), [](HttpServerRequest request, HttpResponder respond) {
    if (request.target == "/throw") throw std::runtime_error("handler bug (expected in test)");
    if (request.target == "/drop") return;  // never answers: the dropped responder answers 500
    respond(Answer(200, "fine"));
  });
  auto client = PlainClient(*server);
  Result<HttpResponse> thrown = client->SendAndWait(Post("/throw", ""));
  ASSERT_TRUE(thrown.ok()) << thrown.status();
  EXPECT_EQ(thrown->status, 500);
  Result<HttpResponse> dropped = client->SendAndWait(Post("/drop", ""));
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(dropped->status, 500);
  Result<HttpResponse> fine = client->SendAndWait(Post("/ok", ""));
  ASSERT_TRUE(fine.ok()) << fine.status();
  EXPECT_EQ(fine->status, 200);
}

// A blocking HTTP/1.1 connection, to see what the server does beyond what HttpClient sends.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }
  void WriteRaw(const std::string& bytes) {
    boost::asio::write(socket_, boost::asio::buffer(bytes));
  }
  boost::beast::http::response<boost::beast::http::string_body> Read() {
    boost::beast::http::response<boost::beast::http::string_body> response;
    boost::beast::http::read(socket_, buffer_, response);
    return response;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

TEST_F(HttpTest, ServerKeepsConnectionsAliveAndAnswersBadRequests400) {
  auto server = StartServer(PlainServer(), EchoHandler());
  RawConnection connection(server->port());
  connection.WriteRaw("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none");
  auto first = connection.Read();
  EXPECT_EQ(first.result_int(), 200u);
  EXPECT_EQ(first.body(), "|one");
  EXPECT_TRUE(first.keep_alive());
  connection.WriteRaw("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\ntwo");
  auto second = connection.Read();
  EXPECT_EQ(second.body(), "|two") << "second request on the same connection";
  connection.WriteRaw("NOT HTTP AT ALL\r\n\r\n");
  auto bad = connection.Read();
  EXPECT_EQ(bad.result_int(), 400u);
  EXPECT_FALSE(bad.keep_alive());
  EXPECT_EQ(handled_.count(), 2);
}

TEST_F(HttpTest, StopWithPendingResponderIsHarmless) {
  std::mutex mu;
  HttpResponder pending;
  Signal received;
  auto server = StartServer(PlainServer(), [&](HttpServerRequest, HttpResponder respond) {
    {
      std::lock_guard<std::mutex> lock(mu);
      pending = std::move(respond);
    }
    received.Notify();
  });
  auto client = PlainClient(*server);
  Signal answered;
  Result<HttpResponse> result = absl::UnknownError("not called");
  client->Send(Post("/", "x"), [&](Result<HttpResponse> r) {
    result = std::move(r);
    answered.Notify();
  });
  ASSERT_TRUE(received.WaitFor(1));
  server->Stop();
  ASSERT_TRUE(answered.WaitFor(1));
  EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded)
      << "sent but never answered: " << result.status();
  Result<HttpResponse> refused = client->SendAndWait(Post("/", "y"));
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status();
  server.reset();
  std::lock_guard<std::mutex> lock(mu);
  pending(Answer(200, "too late"));  // no crash, no effect
  pending(Answer(200, "twice"));     // also ignored
  EXPECT_EQ(answered.count(), 1);
}

TEST_F(HttpTest, ResponseLargerThanLimitIsInternal) {
  auto server = StartServer(PlainServer(), [](HttpServerRequest, HttpResponder respond) {
    respond(Answer(200, std::string(1000, 'y')));
  });
  HttpClientOptions options;
  options.base_url = "http://" + server->address();
  options.tls.enabled = false;
  options.max_response_bytes = 100;
  Result<std::unique_ptr<HttpClient>> client = MakeHttpClient(runtime_, options);
  ASSERT_TRUE(client.ok()) << client.status();
  Result<HttpResponse> response = (*client)->SendAndWait(Post("/", ""));
  EXPECT_EQ(response.status().code(), StatusCode::kInternal) << response.status();
  EXPECT_TRUE(Contains(Message(response.status()), "max_response_bytes"));
}

TEST_F(HttpTest, MalformedResponseIsInternal) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  std::thread fake_server([&] {
    boost::asio::ip::tcp::socket socket(io);
    acceptor.accept(socket);
    char buffer[1024];
    boost::system::error_code ec;
    socket.read_some(boost::asio::buffer(buffer), ec);
    boost::asio::write(socket, boost::asio::buffer(std::string("HTTP/1.1 OK??\r\n\r\n")), ec);
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    while (!ec) socket.read_some(boost::asio::buffer(buffer), ec);
  });
  TlsOptions tls;
  tls.enabled = false;
  auto client = Client("http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()), tls);
  Result<HttpResponse> response = client->SendAndWait(Post("/", "x"));
  fake_server.join();
  EXPECT_EQ(response.status().code(), StatusCode::kInternal) << response.status();
}

TEST_F(HttpTest, InvalidRequestsAreRejectedBeforeSending) {
  auto server = StartServer(PlainServer(), EchoHandler());
  auto client = PlainClient(*server);
  HttpRequest with_host = Post("/", "");
  with_host.headers = {{"Host", "evil"}};
  HttpRequest with_crlf = Post("/", "");
  with_crlf.headers = {{"X-A", "1\r\nX-Injected: 2"}};
  HttpRequest bad_method = Post("/", "");
  bad_method.method = "PO ST";
  for (const HttpRequest& request :
       {with_host, with_crlf, bad_method, Post("no-slash", ""), Post("/a b", "")}) {
    Result<HttpResponse> response = client->SendAndWait(request);
    EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument)
        << request.target << ": " << response.status();
  }
  EXPECT_EQ(handled_.count(), 0);
}

TEST_F(HttpTest, BadUrlIsInvalidArgumentNamingThePart) {
  struct Case {
    std::string url;
    std::string message;
  };
  for (const Case& test : std::vector<Case>{{"", "empty"},
                                            {"127.0.0.1:8443", "no scheme"},
                                            {"ftp://127.0.0.1", "scheme"},
                                            {"https://", "no host"},
                                            {"https://:8443", "no host"},
                                            {"https://host:0", "port"},
                                            {"https://host:70000", "port"},
                                            {"https://host:https", "port"},
                                            {"https://host:", "port"},
                                            {"https://user@host", "user"},
                                            {"https://host/path?q=1", "query"},
                                            {"https://[::1:8443", "'['"},
                                            {"https://ho st", "invalid characters"},
                                            {"http://127.0.0.1:80", "tls.enabled"}}) {
    HttpClientOptions options;
    options.base_url = test.url;
    options.tls = ClientTls();
    Result<std::unique_ptr<HttpClient>> client = MakeHttpClient(runtime_, options);
    ASSERT_FALSE(client.ok()) << test.url;
    EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument) << test.url;
    EXPECT_TRUE(Contains(Message(client.status()), test.message)) << test.url;
  }
}

TEST_F(HttpTest, ParsesBaseUrls) {
  Result<internal::BaseUrl> v6 = internal::ParseBaseUrl("HTTPS://[::1]:8443/api/");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_TRUE(v6->tls);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8443);
  EXPECT_EQ(v6->base_path, "/api");
  EXPECT_EQ(v6->host_header, "[::1]:8443");
  Result<internal::BaseUrl> plain = internal::ParseBaseUrl("http://bank.example");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->host_header, "bank.example");
  EXPECT_EQ(plain->authority, "bank.example:80");
  EXPECT_EQ(plain->base_path, "");
}

TEST_F(HttpTest, MissingTlsFilesAreInvalidArgumentNamingTheFile) {
  HttpClientOptions options;
  options.base_url = "https://127.0.0.1:1";
  options.tls.ca_file = *root_ + "/nowhere/ca.pem";
  Result<std::unique_ptr<HttpClient>> client = MakeHttpClient(runtime_, options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(Message(client.status()), options.tls.ca_file));
  EXPECT_TRUE(Contains(Message(client.status()), "tls.ca_file"));

  HttpServerOptions server_options;
  server_options.tls = ServerTls();
  server_options.tls.key_file = *root_ + "/nowhere/server.key";
  Result<std::unique_ptr<HttpServer>> server =
      HttpServer::Start(runtime_, server_options, EchoHandler());
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(Message(server.status()), "tls.key_file"));
  EXPECT_TRUE(Contains(Message(server.status()), server_options.tls.key_file));
}

TEST(IoRuntimeTest, AfterRunsTasksInDueOrder) {
  IoRuntime runtime(1);
  std::mutex mu;
  std::vector<int> order;
  Signal ran;
  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration last_at{};
  auto record = [&](int n) {
    return [&, n] {
      {
        std::lock_guard<std::mutex> lock(mu);
        order.push_back(n);
        last_at = std::chrono::steady_clock::now() - start;
      }
      ran.Notify();
    };
  };
  runtime.After(milliseconds(60), record(3));
  runtime.After(milliseconds(20), record(1));
  runtime.After(milliseconds(40), record(2));
  runtime.After(milliseconds(0), record(0));
  ASSERT_TRUE(ran.WaitFor(4));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_GE(last_at, milliseconds(60));
}

TEST(IoRuntimeTest, StopDropsTasksAndEndsRequestsInFlight) {
  auto runtime = std::make_unique<IoRuntime>(2);
  Signal task_ran;
  runtime->After(milliseconds(10000), [&] { task_ran.Notify(); });
  HttpServerOptions server_options;
  server_options.tls.enabled = false;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(
      *runtime, server_options, [](HttpServerRequest, HttpResponder) {});  // answers 500 on drop
  ASSERT_TRUE(server.ok()) << server.status();
  // A handler that keeps the request waiting.
  std::mutex mu;
  std::vector<HttpResponder> held;
  Result<std::unique_ptr<HttpServer>> slow =
      HttpServer::Start(*runtime, server_options, [&](HttpServerRequest, HttpResponder respond) {
        std::lock_guard<std::mutex> lock(mu);
        held.push_back(std::move(respond));
      });
  ASSERT_TRUE(slow.ok()) << slow.status();
  HttpClientOptions options;
  options.base_url = "http://" + (*slow)->address();
  options.tls.enabled = false;
  Result<std::unique_ptr<HttpClient>> client = MakeHttpClient(*runtime, options);
  ASSERT_TRUE(client.ok()) << client.status();
  Signal answered;
  Result<HttpResponse> result = absl::UnknownError("not called");
  (*client)->Send(Post("/", "x"), [&](Result<HttpResponse> r) {
    result = std::move(r);
    answered.Notify();
  });
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!held.empty()) break;
    }
    std::this_thread::sleep_for(milliseconds(2));
  }
  const auto start = std::chrono::steady_clock::now();
  runtime->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
  EXPECT_TRUE(runtime->stopped());
  ASSERT_EQ(answered.count(), 1);
  EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded) << result.status();
  EXPECT_EQ(task_ran.count(), 0);

  Result<HttpResponse> after_stop = (*client)->SendAndWait(Post("/", "y"));
  EXPECT_EQ(after_stop.status().code(), StatusCode::kUnavailable) << after_stop.status();
  runtime->After(milliseconds(0), [&] { task_ran.Notify(); });
  runtime.reset();  // the client and servers outlive their runtime: harmless
  client->reset();
  server->reset();
  slow->reset();
  std::lock_guard<std::mutex> lock(mu);
  for (HttpResponder& respond : held) respond(Answer(200, "after everything"));
  EXPECT_EQ(task_ran.count(), 0);
  EXPECT_EQ(answered.count(), 1);
}

TEST(HttpHeadersTest, FindHeaderIgnoresCase) {
  HttpHeaders headers = {{"Content-Type", "a"}, {"X-Twice", "1"}, {"x-twice", "2"}};
  EXPECT_EQ(FindHeader(headers, "content-type"), "a");
  EXPECT_EQ(FindHeader(headers, "X-TWICE"), "1");
  EXPECT_EQ(FindHeader(headers, "missing"), "");
}

TEST(PkiTest, IsIdempotentAndChecksWhatItKeeps) {
  const std::string dir =
      ::testing::TempDir() + "pay_pki_test_" + std::to_string(getpid()) + "/nested/pki";
  std::filesystem::remove_all(dir);
  std::vector<std::string> created;
  ASSERT_TRUE(CreateDevelopmentPki(dir, {"svc"}, &created).ok());
  EXPECT_EQ(created.size(), 4u);  // ca.pem, ca.key, svc.pem, svc.key
  struct stat info;
  ASSERT_EQ(stat(dir.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  ASSERT_EQ(stat((dir + "/svc.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const std::string ca = ReadAll(dir + "/ca.pem");
  const std::string svc = ReadAll(dir + "/svc.pem");

  created.clear();
  ASSERT_TRUE(CreateDevelopmentPki(dir, {"svc", "second"}, &created).ok());
  EXPECT_EQ(created, (std::vector<std::string>{dir + "/second.pem", dir + "/second.key"}));
  EXPECT_EQ(ReadAll(dir + "/ca.pem"), ca) << "the CA is reused";
  EXPECT_EQ(ReadAll(dir + "/svc.pem"), svc) << "existing certificates are kept";

  // A certificate from another CA under a kept name is reported, not silently used.
  const std::string other = dir + "_other";
  ASSERT_TRUE(CreateDevelopmentPki(other, {"stranger"}).ok());
  std::filesystem::copy_file(other + "/stranger.pem", dir + "/stranger.pem");
  std::filesystem::copy_file(other + "/stranger.key", dir + "/stranger.key");
  Status mixed = CreateDevelopmentPki(dir, {"stranger"});
  EXPECT_EQ(mixed.code(), StatusCode::kFailedPrecondition) << mixed;

  for (const char* bad : {"", "ca", ".hidden", "a/b", "sp ace"}) {
    EXPECT_EQ(CreateDevelopmentPki(dir, {std::string(bad)}).code(), StatusCode::kInvalidArgument)
        << bad;
  }
  std::filesystem::remove_all(::testing::TempDir() + "pay_pki_test_" + std::to_string(getpid()));
}

}  // namespace
}  // namespace pay::connector
