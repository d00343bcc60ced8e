// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// paycli's subcommands. Each Add*Commands function declares its subcommands and their options on
// the CLI11 app; when the command line selects one of them, CLI11 runs its callback, which stores
// in *action the function that validates the options, makes the call and prints the result.
// main runs that action once the global options are resolved.

#ifndef PAY_TOOLS_PAYCLI_COMMANDS_H_
#define PAY_TOOLS_PAYCLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "client.h"

namespace paycli {

// What a chosen subcommand does; returns the process exit code.
using Action = std::function<int(const ClientConfig&)>;

// `agency create|list`, `credential create|revoke` (AdminService).
void AddAdminCommands(CLI::App* app, Action* action);
// `fee create|get|list|cancel`, `bill inquire` (FeeService).
void AddFeeCommands(CLI::App* app, Action* action);
// `fee-type define|get|list` and `fee waive` (FeeService's catalogue); after AddFeeCommands.
void AddFeeTypeCommands(CLI::App* app, Action* action);
// `pay`, `payment create|get|list|cancel` (PaymentService).
void AddPaymentCommands(CLI::App* app, Action* action);
// `ledger export|verify`: the ledger for auditors, from payd (LedgerService) or a data directory.
void AddLedgerCommands(CLI::App* app, Action* action);
// `ledger verify`, added under the `ledger` command by AddLedgerCommands.
void AddLedgerVerifyCommand(CLI::App* ledger, Action* action);
// Reads the gateway's Ed25519 public key (64 hex digits, a copy of DIR/signing.pub) from the
// file named by --public-key-file; kInvalidArgument naming the flag and file otherwise.
absl::StatusOr<std::string> ReadPublicKey(const std::string& path);
// `report daily`: figures computed by replaying the ledger.
void AddReportCommands(CLI::App* app, Action* action);
// `webhook listen`: an HTTPS receiver that checks signatures, added under `webhook`.
void AddWebhookListenCommand(CLI::App* webhook, Action* action);
// `watch` (payment events as JSON lines), `webhook create|list|delete|deliveries|replay`.
void AddEventCommands(CLI::App* app, Action* action);
// `refund create|approve|reject|get|list|policy set` (PaymentService refunds, AdminService).
void AddRefundCommands(CLI::App* app, Action* action);
// `settlement list|show|close|retry|report`, `treasury set|list` (SettlementService).
void AddSettlementCommands(CLI::App* app, Action* action);
// `fee import --file fees.csv` (FeeService.CreateFees), added under `fee` by AddFeeCommands.
void AddFeeImportCommand(CLI::App* fee, Action* action);

// Makes `command`, when chosen, store in *action a call of `run` with its parsed flags. `flags`
// is shared with the option bindings, which write into it during parsing.
template <typename Flags>
void SetAction(CLI::App* command, std::shared_ptr<Flags> flags, Action* action,
               int (*run)(const Flags&, const ClientConfig&)) {
  command->callback([flags, action, run] {
    *action = [flags, run](const ClientConfig& config) { return run(*flags, config); };
  });
}

// Options shared by the List* commands.
struct PageFlags {
  int page_size = 0;
  std::string page_token;
};

// Adds --page-size (1..1000; payd's default when not given) and --page-token to `command`.
void AddPageFlags(CLI::App* command, PageFlags* flags);

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_COMMANDS_H_
