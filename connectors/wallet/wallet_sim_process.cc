// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// WalletSimProcess (see wallet_sim_process.h): fork/exec of wallet-sim with its stderr in a log
// file, the port read from --port-file, and the control API as blocking JSON calls.

#include "wallet_sim_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <utility>

#include "wallet_protocol.h"

#ifndef WALLET_SIM_PATH
#define WALLET_SIM_PATH "wallet-sim"
#endif

namespace pay::wallet {
namespace {

using Json = nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status Expect(const Result<connector::HttpResponse>& response, int status,
              const std::string& what) {
  if (!response.ok()) return response.status();
  if (response->status != status) {
    return absl::InternalError(what + ": wallet-sim answered HTTP " +
                               std::to_string(response->status) + ": " + response->body);
  }
  return absl::OkStatus();
}

Result<Json> JsonBody(const connector::HttpResponse& response, const std::string& what) {
  Json json = Json::parse(response.body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InternalError(what + ": wallet-sim answered non-JSON: " + response.body);
  }
  return json;
}

}  // namespace

std::string DefaultWalletSimPath() { return WALLET_SIM_PATH; }

WalletSimProcess::WalletSimProcess(WalletSimOptions options, pid_t pid)
    : options_(std::move(options)), pid_(pid) {}

WalletSimProcess::~WalletSimProcess() { Stop().IgnoreError(); }

std::string WalletSimProcess::secret_file() const { return options_.work_dir + "/hmac_secret"; }

std::string WalletSimProcess::log_file() const { return options_.work_dir + "/wallet-sim.log"; }

std::string WalletSimProcess::LogTail(size_t max_bytes) const {
  std::string log = ReadFile(log_file());
  if (log.size() > max_bytes) log = "..." + log.substr(log.size() - max_bytes);
  return log;
}

std::string WalletSimProcess::base_url() const {
  return std::string(options_.server_tls.enabled ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(port_);
}

Result<std::unique_ptr<WalletSimProcess>> WalletSimProcess::Start(WalletSimOptions options) {
  if (options.work_dir.empty()) {
    return absl::InvalidArgumentError("WalletSimOptions.work_dir: required");
  }
  if (options.binary.empty()) options.binary = DefaultWalletSimPath();
  std::error_code ec;
  std::filesystem::create_directories(options.work_dir, ec);
  if (ec) {
    return absl::InvalidArgumentError("WalletSimOptions.work_dir: cannot create " +
                                      options.work_dir + ": " + ec.message());
  }
  const std::string secret_path = options.work_dir + "/hmac_secret";
  const std::string port_path = options.work_dir + "/port";
  const std::string log_path = options.work_dir + "/wallet-sim.log";
  {
    std::ofstream secret(secret_path, std::ios::trunc);
    secret << options.hmac_secret << "\n";
    if (!secret) return absl::InternalError("cannot write " + secret_path);
  }
  std::filesystem::permissions(
      secret_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  std::filesystem::remove(port_path, ec);

  std::vector<std::string> args = {options.binary,
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--port-file",
                                   port_path,
                                   "--merchant-id",
                                   options.merchant_id,
                                   "--hmac-secret-file",
                                   secret_path,
                                   "--approval-delay-ms",
                                   std::to_string(options.approval_delay_ms),
                                   "--hold-ms",
                                   std::to_string(options.hold_ms),
                                   "--callback-retry-first-ms",
                                   std::to_string(options.callback_retry_first_ms),
                                   "--callback-retry-max-ms",
                                   std::to_string(options.callback_retry_max_ms)};
  if (options.server_tls.enabled) {
    args.insert(args.end(), {"--tls-cert", options.server_tls.cert_file, "--tls-key",
                             options.server_tls.key_file});
    if (options.server_tls.require_client_cert) {
      args.insert(args.end(), {"--tls-ca", options.server_tls.ca_file, "--require-client-cert"});
    }
  }
  if (!options.callback_tls.ca_file.empty()) {
    args.insert(args.end(), {"--callback-ca", options.callback_tls.ca_file});
  }
  if (!options.callback_tls.cert_file.empty()) {
    args.insert(args.end(), {"--callback-cert", options.callback_tls.cert_file, "--callback-key",
                             options.callback_tls.key_file});
  }
  if (!options.merchant_callback_url.empty()) {
    args.insert(args.end(), {"--merchant-callback-url", options.merchant_callback_url});
  }
  if (options.keep_state) {
    args.insert(args.end(), {"--state-file", options.work_dir + "/state.json"});
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    return absl::InternalError("cannot create " + log_path + ": " + std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return absl::InternalError(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec. The simulator dies with the test.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::close_range(3, ~0U, 0);  // no inherited sockets (the test's listeners) in the simulator
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  std::unique_ptr<WalletSimProcess> process(new WalletSimProcess(std::move(options), pid));
  const WalletSimOptions& opts = process->options_;

  const auto deadline = std::chrono::steady_clock::now() + opts.start_timeout;
  for (;;) {
    const std::string text = ReadFile(port_path);
    if (!text.empty() && text.back() == '\n') {
      process->port_ = static_cast<uint16_t>(std::stoi(text));
      break;
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      process->pid_ = -1;
      return absl::InternalError("wallet-sim (" + opts.binary + ") exited at start (status " +
                                 std::to_string(status) + "); its log:\n" + process->LogTail());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::InternalError("wallet-sim did not listen within " +
                                 std::to_string(opts.start_timeout.count()) + " ms; its log:\n" +
                                 process->LogTail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  process->runtime_ = std::make_unique<connector::IoRuntime>(1);
  connector::HttpClientOptions client_options;
  client_options.base_url = process->base_url();
  client_options.tls = opts.client_tls;
  client_options.tls.enabled = opts.server_tls.enabled;
  client_options.timeout = std::chrono::milliseconds(5000);
  PAY_ASSIGN_OR_RETURN(std::unique_ptr<connector::HttpClient> client,
                       connector::MakeHttpClient(*process->runtime_, client_options));
  process->client_ = std::move(client);
  return process;
}

Status WalletSimProcess::Stop() {
  if (pid_ <= 0) return absl::OkStatus();
  const pid_t pid = pid_;
  pid_ = -1;
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || done < 0) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return absl::InternalError("wallet-sim did not stop on SIGTERM within 5 s; killed");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (runtime_) runtime_->Stop();
  return absl::OkStatus();
}

Result<connector::HttpResponse> WalletSimProcess::Call(const std::string& method,
                                                       const std::string& target,
                                                       const std::string& body) {
  if (!client_) return absl::FailedPreconditionError("wallet-sim is not running");
  connector::HttpRequest request;
  request.method = method;
  request.target = target;
  request.body = body;
  if (!body.empty()) request.headers = {{"Content-Type", "application/json"}};
  return client_->SendAndWait(std::move(request));
}

Status WalletSimProcess::PutWallet(const std::string& msisdn, const std::string& name,
                                   const Money& balance) {
  Json body = {{"msisdn", msisdn},
               {"name", name},
               {"currency", balance.currency()},
               {"balance_minor_units", balance.minor_units()}};
  return Expect(Call("POST", "/sim/wallets", body.dump()), 200, "POST /sim/wallets");
}

Result<SimWallet> WalletSimProcess::GetWallet(const std::string& msisdn) {
  auto response = Call("GET", "/sim/wallets/" + PercentEncode(msisdn));
  if (response.ok() && response->status == 404) {
    return absl::NotFoundError("wallet-sim has no wallet " + msisdn);
  }
  PAY_RETURN_IF_ERROR(Expect(response, 200, "GET /sim/wallets"));
  PAY_ASSIGN_OR_RETURN(Json json, JsonBody(*response, "GET /sim/wallets"));
  SimWallet wallet;
  wallet.msisdn = json.value("msisdn", "");
  wallet.name = json.value("name", "");
  PAY_ASSIGN_OR_RETURN(
      wallet.balance,
      Money::Create(json.value("currency", ""), json.value("balance_minor_units", int64_t{0})));
  return wallet;
}

Result<SimMerchant> WalletSimProcess::GetMerchant() {
  auto response = Call("GET", "/sim/merchant");
  PAY_RETURN_IF_ERROR(Expect(response, 200, "GET /sim/merchant"));
  PAY_ASSIGN_OR_RETURN(Json json, JsonBody(*response, "GET /sim/merchant"));
  SimMerchant merchant;
  const Json balances = json.value("balances", Json::object());
  for (const auto& [currency, balance] : balances.items()) {
    if (balance.is_number_integer()) merchant.balances[currency] = balance.get<int64_t>();
  }
  merchant.collected_count = json.value("collected_count", int64_t{0});
  merchant.refunded_count = json.value("refunded_count", int64_t{0});
  merchant.requests = json.value("requests", int64_t{0});
  return merchant;
}

Status WalletSimProcess::SetFaults(const SimFaults& faults) {
  Json body = {{"latency_ms", faults.latency_ms},
               {"timeout_rate", faults.timeout_rate},
               {"error_rate", faults.error_rate},
               {"drop_rate", faults.drop_rate},
               {"decline_rate", faults.decline_rate},
               {"lost_callback_rate", faults.lost_callback_rate},
               {"duplicate_callback_rate", faults.duplicate_callback_rate},
               {"early_callback_rate", faults.early_callback_rate},
               {"seed", faults.seed}};
  return Expect(Call("POST", "/sim/faults", body.dump()), 200, "POST /sim/faults");
}

Status WalletSimProcess::InjectFault(const std::string& request_id, const std::string& fault) {
  Json body = {{"request_id", request_id}, {"fault", fault}};
  return Expect(Call("POST", "/sim/faults/request", body.dump()), 200, "POST /sim/faults/request");
}

Result<std::string> WalletSimProcess::Push(const std::string& msisdn,
                                           const std::string& bill_number, const Money& amount) {
  Json body = {
      {"msisdn", msisdn},
      {"bill_number", bill_number},
      {"amount", {{"currency", amount.currency()}, {"minor_units", amount.minor_units()}}}};
  auto response = Call("POST", "/sim/push", body.dump());
  PAY_RETURN_IF_ERROR(Expect(response, 200, "POST /sim/push"));
  PAY_ASSIGN_OR_RETURN(Json json, JsonBody(*response, "POST /sim/push"));
  return json.value("reference", "");
}

Result<SimRequest> WalletSimProcess::GetRequest(const std::string& request_id) {
  auto response = Call("GET", "/sim/requests/" + PercentEncode(request_id));
  if (response.ok() && response->status == 404) {
    return absl::NotFoundError("wallet-sim has no request " + request_id);
  }
  PAY_RETURN_IF_ERROR(Expect(response, 200, "GET /sim/requests"));
  PAY_ASSIGN_OR_RETURN(Json json, JsonBody(*response, "GET /sim/requests"));
  SimRequest request;
  request.request_id = json.value("request_id", "");
  request.wallet_reference = json.value("wallet_reference", "");
  request.status = json.value("status", "");
  request.reason = json.value("reason", "");
  const Json amount = json.value("amount", Json::object());
  PAY_ASSIGN_OR_RETURN(request.amount, Money::Create(amount.value("currency", ""),
                                                     amount.value("minor_units", int64_t{0})));
  request.msisdn = json.value("msisdn", "");
  request.collected_count = json.value("collected_count", 0);
  request.refunded_minor_units = json.value("refunded_minor_units", int64_t{0});
  request.callbacks_sent = json.value("callbacks_sent", 0);
  request.callback_answers = json.value("callback_answers", std::vector<int>());
  return request;
}

}  // namespace pay::wallet
