// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "payd_driver.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "pay/v1/admin_service.grpc.pb.h"

namespace pay::bench {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `argv` with stdout and stderr appended to `log`; returns the child's pid.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) {
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::shared_ptr<grpc::Channel> NewChannel(const std::string& target, int index) {
  grpc::ChannelArguments args;
  // Distinct arguments keep gRPC from sharing one subchannel (one TCP connection) between them.
  args.SetInt("pay.bench.channel", index);
  args.SetMaxReceiveMessageSize(4 << 20);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

PaydDriver::PaydDriver(std::string payd, const std::string& parent,
                       std::vector<std::string> serve_args)
    : payd_(std::move(payd)), serve_args_(std::move(serve_args)) {
  std::string pattern = parent + "/payd.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
  data_dir_ = pattern + "/data";
  const std::string log = pattern + "/init.log";
  if (Wait(Spawn({payd_, "init", "--data-dir", data_dir_}, log)) != 0) {
    throw std::runtime_error("payd init failed: " + ReadFile(log));
  }
  admin_key_ = ReadFile(data_dir_ + "/admin.key");
  while (!admin_key_.empty() && (admin_key_.back() == '\n' || admin_key_.back() == '\r')) {
    admin_key_.pop_back();
  }
}

PaydDriver::~PaydDriver() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    Wait(pid_);
  }
}

std::chrono::milliseconds PaydDriver::Start() {
  const std::string log = data_dir_ + "/../serve.log";
  const size_t log_start = ReadFile(log).size();
  const auto begin = std::chrono::steady_clock::now();
  std::vector<std::string> argv = {payd_, "serve", "--data-dir", data_dir_};
  argv.insert(argv.end(), {"--listen", "127.0.0.1:0", "--checkpoint-interval-seconds", "60"});
  argv.insert(argv.end(), serve_args_.begin(), serve_args_.end());
  pid_ = Spawn(argv, log);
  const std::regex listening("listening on (127\\.0\\.0\\.1:[0-9]+)");
  for (int attempt = 0; attempt < 6000; ++attempt) {
    const std::string text = ReadFile(log).substr(log_start);
    std::smatch match;
    if (std::regex_search(text, match, listening)) {
      target_ = match[1];
      break;
    }
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("payd serve exited: " + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (target_.empty()) throw std::runtime_error("payd did not start: " + ReadFile(log));
  // Serving means answering a call, not only listening.
  auto channel = NewChannel(target_, -1);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(20))) {
    throw std::runtime_error("payd does not accept connections at " + target_);
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               begin);
}

void PaydDriver::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  Wait(pid_);
  pid_ = -1;
}

std::string PaydDriver::AgencyKey() {
  if (!agency_key_.empty()) return agency_key_;
  auto stub = v1::AdminService::NewStub(NewChannel(target_, -1));
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + admin_key_);
    v1::CreateAgencyRequest request;
    request.set_agency_id("bench");
    request.mutable_name()->set_en("Benchmark directorate");
    v1::Agency agency;
    const grpc::Status status = stub->CreateAgency(&context, request, &agency);
    if (!status.ok() && status.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      throw std::runtime_error("CreateAgency: " + status.error_message());
    }
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + admin_key_);
  v1::CreateCredentialRequest request;
  request.set_role(v1::Credential::AGENCY);
  request.add_agency_ids("bench");
  request.set_display_name("paybench");
  v1::CreateCredentialResponse response;
  const grpc::Status status = stub->CreateCredential(&context, request, &response);
  if (!status.ok()) throw std::runtime_error("CreateCredential: " + status.error_message());
  agency_key_ = response.api_key();
  return agency_key_;
}

ToolRun TimeTool(const std::vector<std::string>& argv) {
  const auto begin = std::chrono::steady_clock::now();
  ToolRun run;
  run.ok = Wait(Spawn(argv, "/dev/null")) == 0;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  return run;
}

int64_t CountLines(const std::string& path) {
  std::ifstream in(path);
  int64_t lines = 0;
  std::string line;
  while (std::getline(in, line)) ++lines;
  return lines;
}

double FileBytes(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<double>(size);
}

int64_t PaydDriver::PeakRssBytes() const {
  if (pid_ <= 0) return 0;
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return 0;
}

}  // namespace pay::bench
