// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "payd_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#ifndef PAYD_BINARY
#error "PAYD_BINARY must be defined to the path of the payd executable"
#endif
#ifndef PAYCLI_BINARY
#error "PAYCLI_BINARY must be defined to the path of the paycli executable"
#endif

namespace pay::integration {
namespace {

constexpr std::chrono::milliseconds kPollInterval{20};
// At most this much of the log is printed when a test fails: enough for the last start.
constexpr size_t kLogTailBytes = 16 * 1024;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

int DecodeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// Creates a directory "payd-it-XXXXXX" under $TMPDIR (or /tmp). Empty on failure.
std::string MakeTempDir() {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") + "/payd-it-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) return "";
  return std::string(buffer.data());
}

// Starts `binary` with `args`, stdin from /dev/null, stdout and stderr appended to
// `output_path`. Returns the child's pid, or -1 with *error set.
pid_t Spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::string& output_path, std::string* error) {
  // Everything the child needs is prepared before fork(): between fork() and exec() a child of a
  // multi-threaded process (gRPC has threads) may only make async-signal-safe calls.
  std::vector<std::string> argv_strings;
  argv_strings.push_back(binary);
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return -1;
  }
  if (pid == 0) {
    // A payd must not outlive a test binary that crashed or was killed by ctest's timeout.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (in < 0 || out < 0) _exit(125);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    execv(argv[0], argv.data());
    static const char kExecFailed[] = "exec failed\n";
    (void)!write(STDERR_FILENO, kExecFailed, sizeof(kExecFailed) - 1);
    _exit(127);
  }
  return pid;
}

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : "...\n" + text.substr(text.size() - bytes);
}

}  // namespace

// Runs `binary` to completion (see RunPayd).
static CommandResult Run(const std::string& binary, const std::vector<std::string>& args,
                  std::chrono::seconds timeout) {
  CommandResult result;
  const std::string dir = MakeTempDir();
  if (dir.empty()) {
    result.output = std::string("mkdtemp: ") + std::strerror(errno);
    return result;
  }
  const std::string output_path = dir + "/output";
  std::string error;
  const pid_t pid = Spawn(binary, args, output_path, &error);
  if (pid < 0) {
    result.output = error;
    std::filesystem::remove_all(dir);
    return result;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int wait_status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &wait_status, WNOHANG);
    if (done == pid) {
      result.exit_code = DecodeWaitStatus(wait_status);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &wait_status, 0);
      result.exit_code = -1;
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  result.output = ReadFile(output_path);
  std::filesystem::remove_all(dir);
  return result;
}

CommandResult RunPayd(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  return Run(PAYD_BINARY, args, timeout);
}

PaydProcess::~PaydProcess() {
  if (running()) Kill();
  if (data_dir_.empty()) return;
  if (verify_ledger_at_exit_ && !::testing::Test::HasFailure()) {
    // Whatever the test did, the books must still verify: every chain link, every posting
    // balanced, the stored balances equal to the replayed ones.
    const CommandResult verified =
        Run(PAYCLI_BINARY,
            {"ledger", "verify", "--quiet", "--data-dir", data_dir_, "--public-key-file",
             data_dir_ + "/signing.pub"},
            std::chrono::seconds(120));
    EXPECT_EQ(verified.exit_code, 0) << "the ledger left by this test does not verify:\n"
                                     << verified.output;
  }
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "---- payd.log (%s) ----\n%s\n---- end of payd.log ----\n",
                 data_dir_.c_str(), Tail(ReadLog(), kLogTailBytes).c_str());
  }
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
}

::testing::AssertionResult PaydProcess::Init() {
  if (!data_dir_.empty()) return ::testing::AssertionFailure() << "Init() called twice";
  data_dir_ = MakeTempDir();
  if (data_dir_.empty()) {
    return ::testing::AssertionFailure() << "mkdtemp: " << std::strerror(errno);
  }
  const CommandResult init = RunPayd({"init", "--data-dir", data_dir_});
  if (init.exit_code != 0) {
    return ::testing::AssertionFailure() << "payd init exited with " << init.exit_code << ":\n"
                                         << init.output;
  }
  std::string key = ReadFile(data_dir_ + "/admin.key");
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (key.empty()) {
    return ::testing::AssertionFailure()
           << "payd init wrote no key to " << data_dir_ << "/admin.key; its output:\n"
           << init.output;
  }
  admin_key_ = key;
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult PaydProcess::Start() {
  if (data_dir_.empty()) return ::testing::AssertionFailure() << "Start() before Init()";
  if (running()) return ::testing::AssertionFailure() << "payd is already running";
  // Only what this start writes is searched: an earlier start's port is stale.
  std::error_code size_error;
  const auto log_size = std::filesystem::file_size(LogPath(), size_error);
  const size_t log_offset = size_error ? 0 : static_cast<size_t>(log_size);

  std::string error;
  std::vector<std::string> args = {"serve", "--data-dir", data_dir_, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), serve_args_.begin(), serve_args_.end());
  pid_ = Spawn(PAYD_BINARY, args, LogPath(), &error);
  if (pid_ < 0) return ::testing::AssertionFailure() << error;

  static const std::regex kListening(R"(listening on 127\.0\.0\.1:([0-9]+))");
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (true) {
    const std::string log = ReadLog();
    const std::string fresh = log.size() > log_offset ? log.substr(log_offset) : "";
    for (auto it = std::sregex_iterator(fresh.begin(), fresh.end(), kListening);
         it != std::sregex_iterator(); ++it) {
      const std::string port = (*it)[1].str();
      if (port == "0") continue;  // the requested address, not the bound one
      target_ = "127.0.0.1:" + port;
      channel_ = grpc::CreateChannel(target_, grpc::InsecureChannelCredentials());
      if (!channel_->WaitForConnected(std::chrono::system_clock::now() + kStartTimeout)) {
        return ::testing::AssertionFailure()
               << "payd logged " << target_ << " but the channel did not connect; log:\n"
               << fresh;
      }
      return ::testing::AssertionSuccess();
    }
    int exit_code = 0;
    if (Reap(&exit_code)) {
      return ::testing::AssertionFailure()
             << "payd serve exited with " << exit_code << " before listening; log:\n"
             << fresh;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      Kill();
      return ::testing::AssertionFailure() << "payd serve did not log \"listening on "
                                              "127.0.0.1:PORT\" within "
                                           << kStartTimeout.count() << " s; log:\n"
                                           << fresh;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

bool PaydProcess::Reap(int* exit_code) {
  int wait_status = 0;
  if (pid_ <= 0 || waitpid(pid_, &wait_status, WNOHANG) != pid_) return false;
  *exit_code = DecodeWaitStatus(wait_status);
  pid_ = -1;
  return true;
}

int PaydProcess::Stop(int signal) {
  if (!running()) return -1;
  kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
  int exit_code = -1;
  while (!Reap(&exit_code)) {
    if (std::chrono::steady_clock::now() > deadline) {
      Kill();
      return -1;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return exit_code;
}

void PaydProcess::Kill() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  int wait_status = 0;
  waitpid(pid_, &wait_status, 0);
  pid_ = -1;
}

std::string PaydProcess::ReadLog() const { return ReadFile(LogPath()); }

std::unique_ptr<grpc::ClientContext> MakeContext(const std::string& api_key,
                                                 std::chrono::milliseconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!api_key.empty()) context->AddMetadata("authorization", "Bearer " + api_key);
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

}  // namespace pay::integration
