// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `agency`, `credential` and `connector`: AdminService, for ADMIN credentials.

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "commands.h"
#include "input.h"
#include "output.h"
#include "pay/v1/admin_service.grpc.pb.h"

namespace paycli {
namespace {

using pay::v1::AdminService;

struct AgencyCreateFlags {
  std::string agency_id;
  std::string name_en;
  std::string name_ar;
};

int RunAgencyCreate(const AgencyCreateFlags& flags, const ClientConfig& config) {
  if (flags.name_en.empty() && flags.name_ar.empty()) {
    return ReportUsageError(absl::InvalidArgumentError(
        "agency create: give the agency's name with --name-en and/or --name-ar"));
  }
  pay::v1::CreateAgencyRequest request;
  request.set_agency_id(flags.agency_id);
  request.mutable_name()->set_en(flags.name_en);
  request.mutable_name()->set_ar(flags.name_ar);
  auto stub = AdminService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Agency>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Agency* response) {
        return stub->CreateAgency(context, request, response);
      },
      [&](const pay::v1::Agency& response) { PrintMessage(response, config.output); });
}

struct AgencyListFlags {
  PageFlags page;
};

int RunAgencyList(const AgencyListFlags& flags, const ClientConfig& config) {
  pay::v1::ListAgenciesRequest request;
  request.set_page_size(flags.page.page_size);
  request.set_page_token(flags.page.page_token);
  auto stub = AdminService::NewStub(CreateChannel(config));
  const ListLayout layout{
      "agencies", {{"agency_id"}, {"create_time"}, {"name.en|name.ar"}}, "no agencies"};
  return CallAndPrint<pay::v1::ListAgenciesResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::ListAgenciesResponse* response) {
        return stub->ListAgencies(context, request, response);
      },
      [&](const pay::v1::ListAgenciesResponse& response) {
        PrintList(response, layout, config.output);
      });
}

struct CredentialCreateFlags {
  std::string role;
  std::vector<std::string> agency_ids;
  std::string display_name;
  bool approver = false;
};

int RunCredentialCreate(const CredentialCreateFlags& flags, const ClientConfig& config) {
  absl::StatusOr<int> role =
      ParseEnum(*pay::v1::Credential::Role_descriptor(), flags.role, "--role");
  if (!role.ok()) return ReportUsageError(role.status());
  pay::v1::CreateCredentialRequest request;
  request.set_role(static_cast<pay::v1::Credential::Role>(*role));
  for (const std::string& agency_id : flags.agency_ids) request.add_agency_ids(agency_id);
  request.set_display_name(flags.display_name);
  request.set_approver(flags.approver);
  auto stub = AdminService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::CreateCredentialResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::CreateCredentialResponse* response) {
        return stub->CreateCredential(context, request, response);
      },
      [&](const pay::v1::CreateCredentialResponse& response) {
        PrintMessage(response, config.output);
        std::cout.flush();
        std::cerr << "paycli: warning: the api_key is shown only this once (payd keeps only its "
                     "hash); store it now, e.g. in a file readable only by you\n";
      });
}

struct CredentialRevokeFlags {
  std::string credential_id;
};

int RunCredentialRevoke(const CredentialRevokeFlags& flags, const ClientConfig& config) {
  pay::v1::RevokeCredentialRequest request;
  request.set_credential_id(flags.credential_id);
  auto stub = AdminService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Credential>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Credential* response) {
        return stub->RevokeCredential(context, request, response);
      },
      [&](const pay::v1::Credential& response) { PrintMessage(response, config.output); });
}

void AddAgencyCommands(CLI::App* app, Action* action) {
  CLI::App* agency = app->add_subcommand("agency", "Register and list agencies (ADMIN)");
  agency->require_subcommand(1);

  CLI::App* create = agency->add_subcommand("create", "Register a directorate that issues fees");
  create->footer(
      "The agency id is chosen by you: 2..32 characters of a-z, 0-9 and '-', starting with a\n"
      "letter (\"passports\"). Give its name in English, Arabic or both.\n"
      "Example: paycli agency create --id passports --name-en \"Passports Directorate\"");
  auto create_flags = std::make_shared<AgencyCreateFlags>();
  create->add_option("--id", create_flags->agency_id, "Agency id, e.g. passports")
      ->type_name("ID")
      ->required();
  create->add_option("--name-en", create_flags->name_en, "Display name in English");
  create->add_option("--name-ar", create_flags->name_ar, "Display name in Arabic");
  SetAction(create, create_flags, action, &RunAgencyCreate);

  CLI::App* list = agency->add_subcommand("list", "List agencies, in agency id order");
  list->footer(
      "Prints one line per agency: id, creation time, name; then \"next page: TOKEN\"\n"
      "when there are more (pass it to --page-token).");
  auto list_flags = std::make_shared<AgencyListFlags>();
  AddPageFlags(list, &list_flags->page);
  SetAction(list, list_flags, action, &RunAgencyList);
}

void AddCredentialCommands(CLI::App* app, Action* action) {
  CLI::App* credential = app->add_subcommand("credential", "Issue and revoke API keys (ADMIN)");
  credential->require_subcommand(1);

  CLI::App* create = credential->add_subcommand("create", "Issue a new API key for a role");
  create->footer(
      "Prints the credential and its api_key. The key is shown only this once: payd stores only\n"
      "its hash. An agency credential needs exactly one --agency, an auditor one or more, channel\n"
      "and admin none.\n"
      "Example: KEY=$(paycli credential create --role agency --agency passports --field api_key)");
  auto create_flags = std::make_shared<CredentialCreateFlags>();
  create->add_option("--role", create_flags->role, "What the key may do")
      ->type_name(EnumChoices(*pay::v1::Credential::Role_descriptor()))
      ->required();
  create
      ->add_option("--agency", create_flags->agency_ids,
                   "Agency the credential acts for or audits (repeat for several)")
      ->type_name("ID")
      ->allow_extra_args(false);
  create->add_option("--name", create_flags->display_name,
                     "Who holds the key, for people reading logs (at most 100 bytes)");
  create->add_flag("--approver", create_flags->approver,
                   "AGENCY only: may approve other credentials' refunds above the agency's\n"
                   "threshold (maker-checker) and waive fees");
  SetAction(create, create_flags, action, &RunCredentialCreate);

  CLI::App* revoke = credential->add_subcommand("revoke", "Revoke an API key at once");
  revoke->footer(
      "Calls with the key then fail UNAUTHENTICATED. Revoking twice is not an error;\n"
      "a credential cannot revoke itself.");
  auto revoke_flags = std::make_shared<CredentialRevokeFlags>();
  revoke->add_option("CREDENTIAL_ID", revoke_flags->credential_id, "e.g. cred_0123456789abcdef")
      ->required();
  SetAction(revoke, revoke_flags, action, &RunCredentialRevoke);
}

int RunConnectorList(const PageFlags&, const ClientConfig& config) {
  auto stub = AdminService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::ListConnectorsResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::ListConnectorsResponse* response) {
        return stub->ListConnectors(context, pay::v1::ListConnectorsRequest(), response);
      },
      [&](const pay::v1::ListConnectorsResponse& response) {
        // Not a paged list: one line per connector, in routing order.
        if (config.output.format == OutputFormat::kJson || !config.output.field.empty()) {
          PrintMessage(response, config.output);
          return;
        }
        if (response.connectors().empty()) std::cout << "no connectors\n";
        for (const pay::v1::ConnectorInfo& connector : response.connectors()) {
          std::cout << connector.name() << "  " << connector.breaker_state() << "  "
                    << connector.consecutive_failures() << " failures in a row\n";
        }
      });
}

struct ReconcileFlags {
  std::string connector;
  std::string from;
  std::string to;
};

int RunConnectorReconcile(const ReconcileFlags& flags, const ClientConfig& config) {
  pay::v1::ReconcileConnectorRequest request;
  request.set_connector(flags.connector);
  absl::StatusOr<google::protobuf::Timestamp> from = ParseTime(flags.from, "--from");
  if (!from.ok()) return ReportUsageError(from.status());
  absl::StatusOr<google::protobuf::Timestamp> to = ParseTime(flags.to, "--to");
  if (!to.ok()) return ReportUsageError(to.status());
  *request.mutable_start_time() = *from;
  *request.mutable_end_time() = *to;
  auto stub = AdminService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::ReconcileConnectorResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::ReconcileConnectorResponse* response) {
        context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
        return stub->ReconcileConnector(context, request, response);
      },
      [&](const pay::v1::ReconcileConnectorResponse& response) {
        PrintMessage(response, config.output);
      });
}

void AddConnectorCommands(CLI::App* app, Action* action) {
  CLI::App* connector =
      app->add_subcommand("connector", "Connectors: routing state and reconciliation (ADMIN)");
  connector->require_subcommand(1);

  CLI::App* list = connector->add_subcommand("list", "Connectors in routing order");
  list->footer(
      "One line per connector: name, circuit breaker (CLOSED, OPEN, HALF_OPEN) and transport\n"
      "failures in a row. An OPEN connector is skipped by routing until its cool-down ends.");
  auto list_flags = std::make_shared<PageFlags>();
  SetAction(list, list_flags, action, &RunConnectorList);

  CLI::App* reconcile = connector->add_subcommand(
      "reconcile", "Compare a connector's statement for a period with the ledger");
  reconcile->footer(
      "PROCESSING payments the statement shows collected become SUCCEEDED; every other\n"
      "difference is listed and recorded once as a DISCREPANCY ledger entry. payd runs this for\n"
      "the previous UTC day on its own once a day.\n"
      "Example: paycli connector reconcile bank --from 2026-11-23T00:00:00Z "
      "--to 2026-11-24T00:00:00Z");
  auto reconcile_flags = std::make_shared<ReconcileFlags>();
  reconcile->add_option("CONNECTOR", reconcile_flags->connector, "Connector name, e.g. bank")
      ->required();
  reconcile->add_option("--from", reconcile_flags->from, "Start of the period (RFC 3339)")
      ->required();
  reconcile->add_option("--to", reconcile_flags->to, "End of the period, exclusive (RFC 3339)")
      ->required();
  SetAction(reconcile, reconcile_flags, action, &RunConnectorReconcile);
}

}  // namespace

void AddAdminCommands(CLI::App* app, Action* action) {
  AddAgencyCommands(app, action);
  AddCredentialCommands(app, action);
  AddConnectorCommands(app, action);
}

}  // namespace paycli
