// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `settlement list|show|close|retry|report` and `treasury set|list`: SettlementService
// (docs/settlement.md). `settlement report` writes the CSV and JSON bodies to files and checks
// their Ed25519 signatures against the gateway's public key (DIR/signing.pub) when given one.

#include <openssl/evp.h>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "commands.h"
#include "output.h"
#include "pay/audit.h"
#include "pay/v1/settlement_service.grpc.pb.h"

namespace paycli {
namespace {

using pay::v1::SettlementService;

struct WindowFlags {
  uint64_t window_number = 0;
};

int RunSettlementList(const PageFlags& flags, const ClientConfig& config) {
  pay::v1::ListSettlementWindowsRequest request;
  request.set_page_size(flags.page_size);
  request.set_page_token(flags.page_token);
  auto stub = SettlementService::NewStub(CreateChannel(config));
  const ListLayout layout{"windows",
                          {{"window_number"},
                           {"state"},
                           {"first_sequence"},
                           {"close_sequence"},
                           {"close_time"},
                           {"attempts"}},
                          "no settlement windows"};
  return CallAndPrint<pay::v1::ListSettlementWindowsResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::ListSettlementWindowsResponse* response) {
        return stub->ListSettlementWindows(context, request, response);
      },
      [&](const pay::v1::ListSettlementWindowsResponse& response) {
        PrintList(response, layout, config.output);
      });
}

int RunSettlementShow(const WindowFlags& flags, const ClientConfig& config) {
  pay::v1::GetSettlementWindowRequest request;
  request.set_window_number(flags.window_number);
  auto stub = SettlementService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::SettlementWindow>(
      config,
      [&](grpc::ClientContext* context, pay::v1::SettlementWindow* response) {
        return stub->GetSettlementWindow(context, request, response);
      },
      [&](const pay::v1::SettlementWindow& response) { PrintMessage(response, config.output); });
}

int RunSettlementClose(const WindowFlags& flags, const ClientConfig& config) {
  pay::v1::CloseSettlementWindowRequest request;
  request.set_window_number(flags.window_number);
  auto stub = SettlementService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::SettlementWindow>(
      config,
      [&](grpc::ClientContext* context, pay::v1::SettlementWindow* response) {
        return stub->CloseSettlementWindow(context, request, response);
      },
      [&](const pay::v1::SettlementWindow& response) { PrintMessage(response, config.output); });
}

int RunSettlementRetry(const WindowFlags& flags, const ClientConfig& config) {
  pay::v1::RetrySettlementRequest request;
  request.set_window_number(flags.window_number);
  auto stub = SettlementService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::SettlementWindow>(
      config,
      [&](grpc::ClientContext* context, pay::v1::SettlementWindow* response) {
        return stub->RetrySettlement(context, request, response);
      },
      [&](const pay::v1::SettlementWindow& response) { PrintMessage(response, config.output); });
}

struct ReportFlags {
  uint64_t window_number = 0;
  std::string csv_out;
  std::string json_out;
  std::string public_key_file;
};

bool VerifyEd25519(const std::string& public_key, const std::string& body,
                   const std::string& signature) {
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_key.data()),
      public_key.size());
  if (key == nullptr) return false;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const bool ok =
      context != nullptr && EVP_DigestVerifyInit(context, nullptr, nullptr, nullptr, key) == 1 &&
      EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(body.data()),
                       body.size()) == 1;
  EVP_MD_CTX_free(context);
  EVP_PKEY_free(key);
  return ok;
}

bool WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return file.good();
}

int RunSettlementReport(const ReportFlags& flags, const ClientConfig& config) {
  std::string trusted_key;
  if (!flags.public_key_file.empty()) {
    absl::StatusOr<std::string> key = ReadPublicKey(flags.public_key_file);
    if (!key.ok()) return ReportUsageError(key.status());
    trusted_key = *key;
  }
  pay::v1::GetSettlementReportRequest request;
  request.set_window_number(flags.window_number);
  auto stub = SettlementService::NewStub(CreateChannel(config));
  grpc::ClientContext context;
  PrepareContext(config, &context);
  pay::v1::SettlementReport report;
  grpc::Status status = stub->GetSettlementReport(&context, request, &report);
  if (!status.ok()) return ReportRpcError(status, config);
  if (!trusted_key.empty()) {
    if (report.public_key() != trusted_key) {
      std::cerr << "paycli: the report is signed with another key than --public-key-file\n";
      return kExitRpcError;
    }
    if (!VerifyEd25519(trusted_key, report.csv(), report.csv_signature()) ||
        !VerifyEd25519(trusted_key, report.json(), report.json_signature())) {
      std::cerr << "paycli: the report's signature does not verify: do not trust it\n";
      return kExitRpcError;
    }
    std::cerr << "signatures verified\n";
  }
  for (const auto& [path, body] :
       {std::pair{flags.csv_out, report.csv()}, std::pair{flags.json_out, report.json()}}) {
    if (path.empty()) continue;
    if (!WriteFile(path, body)) {
      return ReportUsageError(absl::InvalidArgumentError("cannot write " + path));
    }
  }
  if (flags.csv_out.empty() && flags.json_out.empty()) std::cout << report.csv();
  return kExitOk;
}

struct TreasurySetFlags {
  std::string account;
  std::string iban;
  std::string bic;
  std::string name;
};

int RunTreasurySet(const TreasurySetFlags& flags, const ClientConfig& config) {
  pay::v1::SetTreasuryAccountRequest request;
  request.mutable_treasury_account()->set_account(flags.account);
  request.mutable_treasury_account()->set_iban(flags.iban);
  request.mutable_treasury_account()->set_bic(flags.bic);
  request.mutable_treasury_account()->set_name(flags.name);
  auto stub = SettlementService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::TreasuryAccount>(
      config,
      [&](grpc::ClientContext* context, pay::v1::TreasuryAccount* response) {
        return stub->SetTreasuryAccount(context, request, response);
      },
      [&](const pay::v1::TreasuryAccount& response) { PrintMessage(response, config.output); });
}

struct NoFlags {};

int RunTreasuryList(const NoFlags&, const ClientConfig& config) {
  auto stub = SettlementService::NewStub(CreateChannel(config));
  const ListLayout layout{
      "treasury_accounts", {{"account"}, {"iban"}, {"name"}}, "no treasury accounts"};
  return CallAndPrint<pay::v1::ListTreasuryAccountsResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::ListTreasuryAccountsResponse* response) {
        return stub->ListTreasuryAccounts(context, pay::v1::ListTreasuryAccountsRequest(),
                                          response);
      },
      [&](const pay::v1::ListTreasuryAccountsResponse& response) {
        PrintList(response, layout, config.output);
      });
}

void AddWindowArgument(CLI::App* command, WindowFlags* flags, bool required) {
  CLI::Option* option =
      command->add_option("WINDOW", flags->window_number, "Window number (0: the open one)");
  if (required) option->required();
}

}  // namespace

void AddSettlementCommands(CLI::App* app, Action* action) {
  CLI::App* settlement = app->add_subcommand(
      "settlement", "Settlement windows to the treasury accounts (ADMIN, AUDITOR)");
  settlement->require_subcommand(1);

  auto list_flags = std::make_shared<PageFlags>();
  CLI::App* list = settlement->add_subcommand("list", "Windows, newest first");
  AddPageFlags(list, list_flags.get());
  SetAction(list, list_flags, action, &RunSettlementList);

  auto show_flags = std::make_shared<WindowFlags>();
  CLI::App* show = settlement->add_subcommand("show", "One window: nets and transfers");
  AddWindowArgument(show, show_flags.get(), false);
  SetAction(show, show_flags, action, &RunSettlementShow);

  auto close_flags = std::make_shared<WindowFlags>();
  CLI::App* close = settlement->add_subcommand(
      "close", "Close the open window and settle it (ADMIN); closing a closed one changes nothing");
  AddWindowArgument(close, close_flags.get(), false);
  SetAction(close, close_flags, action, &RunSettlementClose);

  auto retry_flags = std::make_shared<WindowFlags>();
  CLI::App* retry =
      settlement->add_subcommand("retry", "Send a window's owed transfers again (ADMIN)");
  AddWindowArgument(retry, retry_flags.get(), true);
  SetAction(retry, retry_flags, action, &RunSettlementRetry);

  auto report_flags = std::make_shared<ReportFlags>();
  CLI::App* report = settlement->add_subcommand(
      "report", "A closed window's signed report (CSV on stdout unless --csv-out/--json-out)");
  report->add_option("WINDOW", report_flags->window_number, "Window number")->required();
  report->add_option("--csv-out", report_flags->csv_out, "Write the CSV body here");
  report->add_option("--json-out", report_flags->json_out, "Write the JSON body here");
  report->add_option("--public-key-file", report_flags->public_key_file,
                     "Verify both signatures with this key (DIR/signing.pub)");
  SetAction(report, report_flags, action, &RunSettlementReport);

  CLI::App* treasury =
      app->add_subcommand("treasury", "Treasury accounts that revenue is settled to (ADMIN)");
  treasury->require_subcommand(1);
  auto set_flags = std::make_shared<TreasurySetFlags>();
  CLI::App* set = treasury->add_subcommand("set", "Where a revenue account's money goes");
  set->add_option("--account", set_flags->account, "revenue/<agency>[/<label>]")->required();
  set->add_option("--iban", set_flags->iban, "The treasury's IBAN")->required();
  set->add_option("--bic", set_flags->bic, "The treasury bank's BIC (optional)");
  set->add_option("--name", set_flags->name, "The account holder")->required();
  SetAction(set, set_flags, action, &RunTreasurySet);
  auto treasury_list_flags = std::make_shared<NoFlags>();
  CLI::App* treasury_list = treasury->add_subcommand("list", "Treasury accounts");
  SetAction(treasury_list, treasury_list_flags, action, &RunTreasuryList);
}

}  // namespace paycli
