// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// paycli: the command-line client of payd for people and shell scripts.
//
// Exit codes: 0 success, 1 the call failed (payd's status code is printed), 2 the command line
// is wrong (nothing was sent).

#include <CLI/CLI.hpp>
#include <string>

#include "absl/status/status.h"
#include "client.h"
#include "commands.h"

namespace paycli {
namespace {

constexpr char kFooter[] =
    "Global options may also be given after the subcommand. Each subcommand has its own --help.\n"
    "\n"
    "Examples:\n"
    "  export PAY_API_KEY_FILE=data/admin.key     # the ADMIN key written by `payd init`\n"
    "  paycli agency create --id passports --name-en \"Passports Directorate\"\n"
    "  (umask 077; paycli credential create --role agency --agency passports \\\n"
    "                --field api_key > passports.key)\n"
    "  export PAY_API_KEY_FILE=passports.key\n"
    "  BILL=$(paycli fee create --amount \"150.00 SAR\" --description-en \"Passport renewal\" \\\n"
    "           --expire-in 7d --field bill_number)\n"
    "  paycli pay --bill \"$BILL\" --method sandbox\n"
    "Auditors:\n"
    "  paycli ledger export --data-dir data --output ledger.jsonl\n"
    "  paycli ledger verify --public-key-file data/signing.pub --file ledger.jsonl\n"
    "  paycli report daily --data-dir data\n"
    "\n"
    "Exit status: 0 success; 1 the call failed (payd's code and message on stderr) or\n"
    "`ledger verify` found a problem; 2 invalid command line (nothing was sent).";

void AddGlobalOptions(CLI::App* app, GlobalFlags* flags) {
  app->add_option("--server", flags->server,
                  "payd address (env PAY_SERVER; default 127.0.0.1:50051)")
      ->type_name("HOST:PORT");
  app->add_option("--api-key", flags->api_key,
                  "API key sent as a bearer token (env PAY_API_KEY); prefer --api-key-file")
      ->type_name("KEY");
  app->add_option("--api-key-file", flags->api_key_file,
                  "File holding the API key alone on one line (env PAY_API_KEY_FILE)")
      ->type_name("FILE");
  app->add_option("--timeout", flags->timeout_seconds, "Deadline of the call")
      ->type_name("SECONDS")
      ->capture_default_str();
  app->add_option("-o,--output", flags->output, "Output format")
      ->type_name("text|json")
      ->capture_default_str();
  app->add_option("--field", flags->field,
                  "Print only this top-level field of the response, for scripts "
                  "(e.g. bill_number)")
      ->type_name("NAME");
}

// CLI11's message for a malformed command line, prefixed like paycli's own and pointing at the
// help of the subcommand that was being parsed.
std::string FailureMessage(const CLI::App* app, const CLI::Error& error) {
  std::string command = "paycli";
  for (const CLI::App* current = app; !current->get_subcommands().empty();) {
    current = current->get_subcommands().front();
    command += " " + current->get_name();
  }
  return "paycli: " + std::string(error.what()) + "\nRun `" + command +
         " --help` for the options.\n";
}

int Main(int argc, char** argv) {
  CLI::App app("paycli: the command-line client of payd, the payment gateway for government fees",
               "paycli");
  // Lets global options follow the subcommand: `paycli fee get FEE_ID -o json`. Set before the
  // subcommands are added, which inherit it.
  app.fallthrough();
  app.require_subcommand(1);
  app.failure_message(FailureMessage);
  GlobalFlags flags;
  AddGlobalOptions(&app, &flags);
  Action action;
  AddAdminCommands(&app, &action);
  AddFeeCommands(&app, &action);
  AddPaymentCommands(&app, &action);
  AddLedgerCommands(&app, &action);
  AddReportCommands(&app, &action);
  AddEventCommands(&app, &action);
  AddFeeTypeCommands(&app, &action);
  AddRefundCommands(&app, &action);
  AddSettlementCommands(&app, &action);
  app.footer(kFooter);  // After the subcommands: they would inherit it.

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help is reported as a "parse error" whose exit code is 0.
    return app.exit(error) == 0 ? kExitOk : kExitUsage;
  }
  ClientConfig config;
  absl::Status resolved = ResolveConfig(flags, &config);
  if (!resolved.ok()) return ReportUsageError(resolved);
  // require_subcommand on every level guarantees that a leaf ran and set the action.
  if (!action) return ReportUsageError(absl::InvalidArgumentError("no command given"));
  return action(config);
}

}  // namespace
}  // namespace paycli

int main(int argc, char** argv) { return paycli::Main(argc, argv); }
