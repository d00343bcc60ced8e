// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// BankSimProcess (see bank_sim_process.h): fork/exec of bank-sim, its port file, and the JSON
// control API over mutual TLS.

#include "sim/bank_sim_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "iban.h"
#include "pay/connector/pki.h"

#ifndef BANK_SIM_BINARY
#error "BANK_SIM_BINARY must be defined to the path of the bank-sim executable"
#endif

namespace pay::iso20022::sim {
namespace {

using json = nlohmann::json;

constexpr std::chrono::milliseconds kPollInterval{10};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

std::string MakeTempDir() {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") + "/bank-sim-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) return "";
  return std::string(buffer.data());
}

int DecodeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

std::string Tail(const std::string& text, size_t bytes = 8192) {
  return text.size() <= bytes ? text : "...\n" + text.substr(text.size() - bytes);
}

// The body of an answer that is not 2xx, as a Status.
Status HttpError(const connector::HttpResponse& response, const std::string& what) {
  std::string message = what + ": bank-sim answered HTTP " + std::to_string(response.status);
  json body = json::parse(response.body, nullptr, false);
  if (!body.is_discarded() && body.is_object() && body.contains("error")) {
    message += ": " + body["error"].dump();
  } else {
    message += ": " + response.body.substr(0, 300);
  }
  switch (response.status) {
    case 404:
      return absl::NotFoundError(message);
    case 400:
      return absl::InvalidArgumentError(message);
    case 409:
      return absl::FailedPreconditionError(message);
    default:
      return absl::InternalError(message);
  }
}

}  // namespace

std::string BankSimProcess::DefaultCollectionIban() {
  return MakeIban("SA", "80000000000000000001");
}

BankSimProcess::BankSimProcess() = default;

BankSimProcess::~BankSimProcess() {
  Stop();
  control_.reset();
  if (runtime_) runtime_->Stop();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string BankSimProcess::ca_file() const { return dir_ + "/ca.pem"; }
std::string BankSimProcess::cert_file(std::string_view name) const {
  return dir_ + "/" + std::string(name) + ".pem";
}
std::string BankSimProcess::key_file(std::string_view name) const {
  return dir_ + "/" + std::string(name) + ".key";
}
std::string BankSimProcess::url() const { return "https://127.0.0.1:" + std::to_string(port_); }
std::string BankSimProcess::ReadLog() const {
  return dir_.empty() ? "" : ReadFile(dir_ + "/bank-sim.log");
}

std::string BankSimProcess::NewIban() {
  // 18 account digits: 6 from the process id (tests in parallel use other accounts), 12 counted.
  char bban[32];
  std::snprintf(bban, sizeof(bban), "80%06d%012llu", static_cast<int>(getpid() % 1000000),
                static_cast<unsigned long long>(++next_account_));
  return MakeIban("SA", bban);
}

Status BankSimProcess::Start(BankSimProcessOptions options) {
  if (running()) return absl::FailedPreconditionError("bank-sim is already running");
  if (dir_.empty()) {
    dir_ = MakeTempDir();
    if (dir_.empty()) return absl::InternalError(std::string("mkdtemp: ") + std::strerror(errno));
    PAY_RETURN_IF_ERROR(connector::CreateDevelopmentPki(
        dir_, {std::string(kBankCertName), std::string(kGatewayCertName),
               std::string(kStrangerCertName)}));
  }
  if (!runtime_) runtime_ = std::make_unique<connector::IoRuntime>(1);

  collection_iban_ =
      options.collection_iban.empty() ? DefaultCollectionIban() : options.collection_iban;
  std::string binary = options.binary;
  if (binary.empty()) {
    const char* env = std::getenv("BANK_SIM_BINARY");
    binary = env != nullptr && *env != '\0' ? env : BANK_SIM_BINARY;
  }
  const std::string port_file = dir_ + "/port";
  const std::string log_file = dir_ + "/bank-sim.log";
  std::filesystem::remove(port_file);

  std::vector<std::string> args = {binary};
  auto flag = [&args](std::string name, std::string value) {
    args.push_back(std::move(name));
    args.push_back(std::move(value));
  };
  flag("--listen", "127.0.0.1:0");
  flag("--port-file", port_file);
  flag("--tls-cert", cert_file(kBankCertName));
  flag("--tls-key", key_file(kBankCertName));
  flag("--tls-ca", ca_file());
  flag("--client-cert", cert_file(kBankCertName));
  flag("--client-key", key_file(kBankCertName));
  flag("--client-ca", ca_file());
  flag("--collection-iban", collection_iban_);
  flag("--currency", options.currency);
  flag("--settle-delay-ms", std::to_string(options.settle_delay_ms));
  flag("--hang-ms", std::to_string(options.hang_ms));
  if (!options.notify_url.empty()) flag("--notify-url", options.notify_url);
  if (!options.camt054_url.empty()) flag("--camt054-url", options.camt054_url);
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // bank-sim must not outlive a test binary that crashed or was killed.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (in < 0 || out < 0) _exit(125);
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    execv(argv[0], argv.data());
    static const char kExecFailed[] = "exec of bank-sim failed\n";
    (void)!write(STDERR_FILENO, kExecFailed, sizeof(kExecFailed) - 1);
    _exit(127);
  }
  pid_ = pid;

  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
  while (true) {
    const std::string text = ReadFile(port_file);
    if (!text.empty()) {
      port_ = static_cast<uint16_t>(std::atoi(text.c_str()));
      if (port_ != 0) break;
    }
    int wait_status = 0;
    if (waitpid(pid_, &wait_status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError("bank-sim exited with " +
                                 std::to_string(DecodeWaitStatus(wait_status)) +
                                 " before listening; its log:\n" + Tail(ReadLog()));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      Stop();
      return absl::DeadlineExceededError("bank-sim did not write its port within " +
                                         std::to_string(kStartTimeoutMs) + " ms; its log:\n" +
                                         Tail(ReadLog()));
    }
    std::this_thread::sleep_for(kPollInterval);
  }

  connector::HttpClientOptions client;
  client.base_url = url();
  client.tls.ca_file = ca_file();
  client.tls.cert_file = cert_file(kGatewayCertName);
  client.tls.key_file = key_file(kGatewayCertName);
  client.timeout = std::chrono::milliseconds(5000);
  Result<std::unique_ptr<connector::HttpClient>> made = MakeHttpClient(*runtime_, client);
  if (!made.ok()) return made.status();
  control_ = std::move(*made);
  return absl::OkStatus();
}

int BankSimProcess::Stop() {
  if (!running()) return -1;
  kill(pid_, SIGTERM);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kStopTimeoutMs);
  int wait_status = 0;
  while (waitpid(pid_, &wait_status, WNOHANG) != pid_) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &wait_status, 0);
      pid_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  pid_ = -1;
  return DecodeWaitStatus(wait_status);
}

Result<connector::HttpResponse> BankSimProcess::Call(std::string method, std::string target,
                                                     std::string body, std::string content_type) {
  if (!control_) return absl::FailedPreconditionError("bank-sim was not started");
  connector::HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  if (!body.empty()) request.headers = {{"Content-Type", std::move(content_type)}};
  request.body = std::move(body);
  return control_->SendAndWait(std::move(request));
}

Result<std::string> BankSimProcess::CallJson(std::string method, std::string target,
                                             std::string body) {
  const std::string what = method + " " + target;
  PAY_ASSIGN_OR_RETURN(connector::HttpResponse response,
                       Call(std::move(method), std::move(target), std::move(body)));
  if (response.status < 200 || response.status >= 300) return HttpError(response, what);
  return response.body;
}

Status BankSimProcess::CreateAccount(const SimAccount& account) {
  json body = {{"iban", account.iban},
               {"name", account.name},
               {"currency", account.currency},
               {"balance_minor_units", account.balance_minor_units},
               {"closed", account.closed}};
  return CallJson("POST", "/sim/accounts", body.dump()).status();
}

Result<SimAccount> BankSimProcess::GetAccount(std::string_view iban) {
  PAY_ASSIGN_OR_RETURN(std::string text, CallJson("GET", "/sim/accounts/" + std::string(iban), ""));
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded()) return absl::InternalError("bank-sim answered malformed JSON");
  SimAccount account;
  account.iban = body.value("iban", "");
  account.name = body.value("name", "");
  account.currency = body.value("currency", "");
  account.balance_minor_units = body.value("balance_minor_units", int64_t{0});
  account.closed = body.value("closed", false);
  return account;
}

Result<int64_t> BankSimProcess::Balance(std::string_view iban) {
  PAY_ASSIGN_OR_RETURN(SimAccount account, GetAccount(iban));
  return account.balance_minor_units;
}

Status BankSimProcess::SetFaults(const SimFaults& faults) {
  json body = {{"latency_ms", faults.latency_ms},
               {"timeout_rate", faults.timeout_rate},
               {"error_rate", faults.error_rate},
               {"decline_rate", faults.decline_rate},
               {"lost_notification_rate", faults.lost_notification_rate},
               {"duplicate_notification_rate", faults.duplicate_notification_rate},
               {"early_notification_rate", faults.early_notification_rate},
               {"seed", faults.seed}};
  return CallJson("POST", "/sim/faults", body.dump()).status();
}

Status BankSimProcess::InjectFault(std::string_view end_to_end_id, std::string_view fault) {
  json body = {{"end_to_end_id", std::string(end_to_end_id)}, {"fault", std::string(fault)}};
  return CallJson("POST", "/sim/faults/request", body.dump()).status();
}

Result<std::string> BankSimProcess::CounterPayment(std::string_view debtor_iban,
                                                   std::string_view bill_number,
                                                   const Money& amount) {
  json body = {
      {"debtor_iban", std::string(debtor_iban)},
      {"bill_number", std::string(bill_number)},
      {"amount", {{"currency", amount.currency()}, {"minor_units", amount.minor_units()}}}};
  PAY_ASSIGN_OR_RETURN(std::string text, CallJson("POST", "/sim/counter-payment", body.dump()));
  json answer = json::parse(text, nullptr, false);
  if (answer.is_discarded()) return absl::InternalError("bank-sim answered malformed JSON");
  return answer.value("account_servicer_reference", "");
}

Result<SimTransaction> BankSimProcess::GetTransaction(std::string_view end_to_end_id) {
  PAY_ASSIGN_OR_RETURN(std::string text,
                       CallJson("GET", "/sim/transactions/" + std::string(end_to_end_id), ""));
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded()) return absl::InternalError("bank-sim answered malformed JSON");
  SimTransaction tx;
  tx.end_to_end_id = body.value("end_to_end_id", "");
  tx.kind = body.value("kind", "");
  tx.status = body.value("status", "");
  tx.reason_code = body.value("reason_code", "");
  tx.account_servicer_reference = body.value("account_servicer_reference", "");
  tx.times_debited = body.value("times_debited", 0);
  tx.notification_attempts = body.value("notification_attempts", 0);
  tx.notifications_delivered = body.value("notifications_delivered", 0);
  return tx;
}

Result<SimStats> BankSimProcess::GetStats() {
  PAY_ASSIGN_OR_RETURN(std::string text, CallJson("GET", "/sim/stats", ""));
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded()) return absl::InternalError("bank-sim answered malformed JSON");
  SimStats stats;
  stats.messages_received = body.value("messages_received", int64_t{0});
  stats.invalid_messages_received = body.value("invalid_messages_received", int64_t{0});
  stats.messages_sent = body.value("messages_sent", int64_t{0});
  stats.invalid_messages_sent = body.value("invalid_messages_sent", int64_t{0});
  stats.notification_attempts = body.value("notification_attempts", int64_t{0});
  stats.notifications_delivered = body.value("notifications_delivered", int64_t{0});
  stats.notifications_abandoned = body.value("notifications_abandoned", int64_t{0});
  return stats;
}

Status BankSimProcess::Configure(const std::string& notify_url, const std::string& camt054_url) {
  json body = json::object();
  if (!notify_url.empty()) body["notify_url"] = notify_url;
  if (!camt054_url.empty()) body["camt054_url"] = camt054_url;
  return CallJson("POST", "/sim/config", body.dump()).status();
}

}  // namespace pay::iso20022::sim
