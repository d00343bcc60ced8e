// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Runs the real payd binary for the benchmark: `payd init` in a fresh directory, `payd serve` on
// a free port with the SANDBOX connector, an agency and an AGENCY key to call it with.

#ifndef PAY_BENCHMARKS_PAYD_DRIVER_H_
#define PAY_BENCHMARKS_PAYD_DRIVER_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pay::bench {

class PaydDriver {
 public:
  // `payd` is the binary; the data directory is made under `parent`; `serve_args` are added to
  // `payd serve`'s command line. Throws std::runtime_error with payd's output when a step fails.
  PaydDriver(std::string payd, const std::string& parent, std::vector<std::string> serve_args = {});
  ~PaydDriver();  // SIGKILL if still running; the directory is left for the caller to remove
  PaydDriver(const PaydDriver&) = delete;
  PaydDriver& operator=(const PaydDriver&) = delete;

  // Starts `payd serve` and waits until it answers; returns how long that took.
  std::chrono::milliseconds Start();
  // SIGTERM and wait for the exit.
  void Stop();

  // Creates agency `bench` and returns an AGENCY API key for it (first call only; later calls
  // return the same key).
  std::string AgencyKey();

  // Peak resident set size of the running payd (VmHWM), in bytes; 0 if unknown.
  int64_t PeakRssBytes() const;

  const std::string& target() const { return target_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& admin_key() const { return admin_key_; }

 private:
  std::string payd_;
  std::vector<std::string> serve_args_;
  std::string data_dir_;
  std::string admin_key_;
  std::string agency_key_;
  std::string target_;
  pid_t pid_ = -1;
};

// A channel to `target` that does not share its connection with other channels (each benchmark
// worker group gets its own HTTP/2 connection, as separate clients would).
std::shared_ptr<grpc::Channel> NewChannel(const std::string& target, int index);

// Runs a command to completion (output to /dev/null) and times it.
struct ToolRun {
  bool ok = false;  // exited 0
  double seconds = 0;
};
ToolRun TimeTool(const std::vector<std::string>& argv);

int64_t CountLines(const std::string& path);
double FileBytes(const std::string& path);

}  // namespace pay::bench

#endif  // PAY_BENCHMARKS_PAYD_DRIVER_H_
