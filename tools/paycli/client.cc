// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "client.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"

// Note: this Abseil has its own absl::string_view, which std::string_view does not convert to;
// strings handed to Abseil are std::string or absl::string_view.

namespace paycli {
namespace {

// An API key file holds one short line; anything much larger is not a key file.
constexpr std::streamsize kMaxKeyFileBytes = 4096;

// Returns the environment variable `name`, or "" if it is unset.
std::string GetEnv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// gRPC metadata values must be printable ASCII; a key with a space or a control character in it
// was not copied correctly. The message names the source, never the key.
absl::Status ValidateKey(absl::string_view key, absl::string_view source) {
  if (key.empty()) return absl::InvalidArgumentError(absl::StrCat(source, " is empty"));
  for (char c : key) {
    if (c <= ' ' || c > '~') {
      return absl::InvalidArgumentError(absl::StrCat(
          source, " does not hold a single API key (found a space or non-printable character)"));
    }
  }
  return absl::OkStatus();
}

// Reads the key from `path`: the file's content with surrounding whitespace trimmed.
absl::Status ReadKeyFile(const std::string& path, std::string* key) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read API key file ", path, ": ", std::strerror(errno)));
  }
  std::string content(kMaxKeyFileBytes + 1, '\0');
  file.read(content.data(), kMaxKeyFileBytes + 1);
  content.resize(static_cast<size_t>(file.gcount()));
  if (file.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read API key file ", path));
  }
  if (content.size() > static_cast<size_t>(kMaxKeyFileBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("API key file ", path, " is too large to hold a key"));
  }
  *key = std::string(absl::StripAsciiWhitespace(content));
  return ValidateKey(*key, absl::StrCat("API key file ", path));
}

absl::Status ResolveApiKey(const GlobalFlags& flags, std::string* key) {
  if (!flags.api_key.empty()) {
    *key = flags.api_key;
    return ValidateKey(*key, "--api-key");
  }
  if (!flags.api_key_file.empty()) return ReadKeyFile(flags.api_key_file, key);
  std::string env_key = GetEnv("PAY_API_KEY");
  if (!env_key.empty()) {
    *key = std::string(absl::StripAsciiWhitespace(env_key));
    return ValidateKey(*key, "PAY_API_KEY");
  }
  std::string env_file = GetEnv("PAY_API_KEY_FILE");
  if (!env_file.empty()) return ReadKeyFile(env_file, key);
  key->clear();  // No key: payd answers UNAUTHENTICATED and ReportRpcError explains.
  return absl::OkStatus();
}

std::string HintFor(grpc::StatusCode code, const ClientConfig& config) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
      return absl::StrCat("is payd running at ", config.server,
                          "? start it with scripts/run (or pass --server HOST:PORT)");
    case grpc::StatusCode::UNAUTHENTICATED:
      return config.api_key.empty()
                 ? "no API key given: pass --api-key-file FILE (e.g. DATA_DIR/admin.key) or set "
                   "PAY_API_KEY"
                 : "the API key was not accepted (revoked or mistyped?): pass --api-key-file "
                   "FILE or set PAY_API_KEY";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::StrCat("no answer within ", config.timeout_seconds,
                          "s (raise --timeout). The call may still have taken effect: retry a "
                          "create with the same --idempotency-key, or look before retrying");
    case grpc::StatusCode::PERMISSION_DENIED:
      return "this credential's role may not make this call";
    default:
      return "";
  }
}

}  // namespace

absl::Status ResolveConfig(const GlobalFlags& flags, ClientConfig* config) {
  config->server = flags.server;
  if (config->server.empty()) config->server = GetEnv("PAY_SERVER");
  if (config->server.empty()) config->server = kDefaultServer;

  // Written as a negated range check so that NaN is rejected too.
  if (!(flags.timeout_seconds > 0 && flags.timeout_seconds <= kMaxTimeoutSeconds)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--timeout: expected a number of seconds in (0, ", kMaxTimeoutSeconds, "]"));
  }
  config->timeout_seconds = flags.timeout_seconds;

  if (flags.output == "text") {
    config->output.format = OutputFormat::kText;
  } else if (flags.output == "json") {
    config->output.format = OutputFormat::kJson;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--output: unknown format '", flags.output, "': expected text or json"));
  }
  config->output.field = flags.field;

  return ResolveApiKey(flags, &config->api_key);
}

std::shared_ptr<grpc::Channel> CreateChannel(const ClientConfig& config) {
  // TODO(tls): use grpc::SslCredentials (and a client certificate for mTLS) once payd serves TLS.
  return grpc::CreateChannel(config.server, grpc::InsecureChannelCredentials());
}

void PrepareContext(const ClientConfig& config, grpc::ClientContext* context) {
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(config.timeout_seconds));
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!config.api_key.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", config.api_key));
  }
}

void PrepareStreamContext(const ClientConfig& config, grpc::ClientContext* context) {
  if (!config.api_key.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", config.api_key));
  }
}

int ReportRpcError(const grpc::Status& status, const ClientConfig& config) {
  std::string message = status.error_message();
  if (!config.api_key.empty()) {
    message = absl::StrReplaceAll(message, {{config.api_key, "[redacted]"}});
  }
  std::string code_name =
      absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
  std::cerr << "paycli: " << code_name << ": " << message << "\n";
  std::string hint = HintFor(status.error_code(), config);
  if (!hint.empty()) std::cerr << "paycli: hint: " << hint << "\n";
  return kExitRpcError;
}

int ReportUsageError(const absl::Status& status) {
  std::cerr << "paycli: " << status.message() << "\n";
  return kExitUsage;
}

}  // namespace paycli
