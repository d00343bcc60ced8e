// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// paycli's connection to payd: global options, the channel, per-call metadata (the API key and
// the deadline) and how an RPC error is shown to the person at the terminal.

#ifndef PAY_TOOLS_PAYCLI_CLIENT_H_
#define PAY_TOOLS_PAYCLI_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "output.h"

namespace paycli {

// Process exit codes. Scripts rely on them: 1 means payd (or the network) said no, 2 means the
// command line itself was wrong and retrying it unchanged cannot help.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRpcError = 1;
inline constexpr int kExitUsage = 2;

inline constexpr char kDefaultServer[] = "127.0.0.1:50051";
inline constexpr double kDefaultTimeoutSeconds = 10;
// An upper limit for --timeout, so that a typo cannot leave a script hanging for days.
inline constexpr double kMaxTimeoutSeconds = 3600;

// The global options as given on the command line, before the environment is consulted.
// An empty string means "not given".
struct GlobalFlags {
  std::string server;
  std::string api_key;
  std::string api_key_file;
  double timeout_seconds = kDefaultTimeoutSeconds;
  std::string output = "text";
  std::string field;
};

// Everything a command needs to make calls and print their results, resolved from the flags and
// the environment (PAY_SERVER, PAY_API_KEY, PAY_API_KEY_FILE).
struct ClientConfig {
  std::string server;
  // The bearer key; empty when none was given (payd then answers UNAUTHENTICATED). Never printed.
  std::string api_key;
  double timeout_seconds = kDefaultTimeoutSeconds;
  OutputOptions output;
};

// Resolves `flags` and the environment into a config. Command-line flags win over environment
// variables; --api-key wins over --api-key-file at the same level. An unreadable or malformed key
// file, a bad --timeout or --output -> kInvalidArgument whose message never contains the key.
absl::Status ResolveConfig(const GlobalFlags& flags, ClientConfig* config);

// The one place where paycli opens a channel to payd. Insecure for now; TLS will be added here.
std::shared_ptr<grpc::Channel> CreateChannel(const ClientConfig& config);

// Sets the deadline and the `authorization: Bearer <key>` metadata of one call.
void PrepareContext(const ClientConfig& config, grpc::ClientContext* context);

// Sets the `authorization` metadata of a streaming call, without a deadline: how long a stream
// runs depends on how much data there is. The caller bounds the time it waits for each message.
void PrepareStreamContext(const ClientConfig& config, grpc::ClientContext* context);

// Prints "paycli: CODE_NAME: message" (plus a hint for the usual mistakes) on stderr and returns
// kExitRpcError. The API key is redacted should it ever appear in the server's message.
int ReportRpcError(const grpc::Status& status, const ClientConfig& config);

// Prints "paycli: message" on stderr and returns kExitUsage: for local input that is wrong.
int ReportUsageError(const absl::Status& status);

// Makes one unary call and prints its response with `print`. `rpc` is called as
// rpc(grpc::ClientContext*, Response*) and returns the grpc::Status. The --field name is checked
// against Response before anything is sent. Returns the process exit code.
template <typename Response, typename Rpc, typename Print>
int CallAndPrint(const ClientConfig& config, Rpc rpc, Print print) {
  absl::Status field_status = CheckFieldName(*Response::descriptor(), config.output);
  if (!field_status.ok()) return ReportUsageError(field_status);
  grpc::ClientContext context;
  PrepareContext(config, &context);
  Response response;
  grpc::Status status = rpc(&context, &response);
  if (!status.ok()) return ReportRpcError(status, config);
  print(response);
  return kExitOk;
}

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_CLIENT_H_
