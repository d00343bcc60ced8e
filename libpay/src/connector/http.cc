// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The implementation-independent parts of pay/connector/http.h: header lookup and the
// synchronous wrapper around HttpClient::Send.

#include "pay/connector/http.h"

#include <future>
#include <memory>
#include <string_view>
#include <utility>

#include "connector/http_syntax.h"

namespace pay::connector {

std::string_view FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (internal::EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

Result<HttpResponse> HttpClient::SendAndWait(HttpRequest request) {
  auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
  std::future<Result<HttpResponse>> answer = promise->get_future();
  Send(std::move(request),
       [promise](Result<HttpResponse> result) { promise->set_value(std::move(result)); });
  return answer.get();
}

}  // namespace pay::connector
