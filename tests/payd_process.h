// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// PaydProcess: runs the real payd binary for cross-component tests. Each instance owns a fresh
// temporary data directory (initialised with `payd init`) and at most one `payd serve` child
// process listening on 127.0.0.1 with a port chosen by the kernel.
//
// Nothing here is thread-safe: one test thread drives one PaydProcess. The gRPC channel it hands
// out may be shared by any number of threads.

#ifndef PAY_TESTS_PAYD_PROCESS_H_
#define PAY_TESTS_PAYD_PROCESS_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

namespace pay::integration {

// The outcome of running payd to completion.
struct CommandResult {
  // The exit code if payd exited; 128 + the signal number if a signal ended it; -1 if it could
  // not be started or did not finish in time (it is then killed).
  int exit_code = -1;
  // Everything payd wrote to stdout and stderr, interleaved.
  std::string output;
};

// Runs `payd <args...>` with stdin from /dev/null and waits at most `timeout` for it to exit.
CommandResult RunPayd(const std::vector<std::string>& args,
                      std::chrono::seconds timeout = std::chrono::seconds(30));

// A payd daemon over a temporary data directory.
class PaydProcess {
 public:
  // How long Start() waits for the "listening on" line, and Stop() for payd to exit.
  static constexpr std::chrono::seconds kStartTimeout{20};
  static constexpr std::chrono::seconds kStopTimeout{30};

  // Creates nothing yet: call Init() first.
  PaydProcess() = default;
  // Kills a running payd (SIGKILL) and removes the data directory. When the current test has
  // failed, the tail of payd's log is printed first, since the directory is about to vanish.
  ~PaydProcess();

  PaydProcess(const PaydProcess&) = delete;
  PaydProcess& operator=(const PaydProcess&) = delete;

  // Creates the data directory (mkdtemp under $TMPDIR, else /tmp), runs `payd init` in it and
  // reads the ADMIN key from admin.key. Fails with payd's output if any step goes wrong.
  ::testing::AssertionResult Init();

  // Starts `payd serve --data-dir DIR --listen 127.0.0.1:0` with stdout and stderr appended to
  // DIR/payd.log, waits for the "listening on 127.0.0.1:PORT" line and for the channel to
  // connect. Fails with the log if payd exits or the line does not appear within kStartTimeout.
  // May be called again after Stop() or Kill(): same data directory, possibly another port.
  ::testing::AssertionResult Start();

  // When false, the destructor does not check the ledger (tests that tamper with the store on
  // purpose). By default a PaydProcess whose test has not failed runs `paycli ledger verify
  // --data-dir` on its data directory at destruction and fails the test if it does not verify.
  void set_verify_ledger_at_exit(bool verify) { verify_ledger_at_exit_ = verify; }

  // More `payd serve` arguments for the next Start() (connectors file, notify endpoint, ...).
  void set_serve_args(std::vector<std::string> args) { serve_args_ = std::move(args); }

  // Sends `signal` (SIGTERM by default) and waits for payd to exit. Returns its exit code, 128 +
  // signal number if a signal ended it, or -1 if no payd was running or it did not exit within
  // kStopTimeout (it is then killed with SIGKILL).
  int Stop(int signal = SIGTERM);

  // SIGKILL, as in a crash or power loss: payd gets no chance to flush or close anything.
  void Kill();

  bool running() const { return pid_ > 0; }
  // "127.0.0.1:PORT" of the running payd; empty before the first Start().
  const std::string& target() const { return target_; }
  const std::string& admin_key() const { return admin_key_; }
  const std::string& data_dir() const { return data_dir_; }
  // A channel to target(), created by Start(); a new one after each Start().
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // The whole of DIR/payd.log (every start so far).
  std::string ReadLog() const;

 private:
  std::string LogPath() const { return data_dir_ + "/payd.log"; }
  // Reaps the child if it has exited. Returns true and sets *exit_code if it has.
  bool Reap(int* exit_code);

  std::string data_dir_;
  std::string admin_key_;
  std::string target_;
  std::shared_ptr<grpc::Channel> channel_;
  std::vector<std::string> serve_args_;
  bool verify_ledger_at_exit_ = true;
  pid_t pid_ = -1;
};

// A context that sends `authorization: Bearer <api_key>` (nothing when api_key is empty) and
// expires after `timeout`.
std::unique_ptr<grpc::ClientContext> MakeContext(
    const std::string& api_key, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace pay::integration

#endif  // PAY_TESTS_PAYD_PROCESS_H_
