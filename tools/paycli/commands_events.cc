// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `watch` (PaymentService.WatchPayments) and `webhook` (WebhookService).

#include <google/protobuf/util/json_util.h>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "output.h"
#include "pay/v1/payment_service.grpc.pb.h"
#include "pay/v1/webhook_service.grpc.pb.h"

namespace paycli {
namespace {

using pay::v1::WebhookService;

struct WatchFlags {
  uint64_t from_sequence = 0;
  std::string agency_id;
  int64_t limit = 0;
};

// Prints each event as one JSON line (protobuf JSON mapping, proto field names) as it arrives;
// runs until interrupted, or until --limit events were printed.
int RunWatch(const WatchFlags& flags, const ClientConfig& config) {
  pay::v1::WatchPaymentsRequest request;
  request.set_from_sequence(flags.from_sequence);
  request.set_agency_id(flags.agency_id);
  auto stub = pay::v1::PaymentService::NewStub(CreateChannel(config));
  grpc::ClientContext context;
  PrepareStreamContext(config, &context);
  auto reader = stub->WatchPayments(&context, request);
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  pay::v1::PaymentEvent event;
  int64_t printed = 0;
  while (reader->Read(&event)) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(event, &json, options);
    std::cout << json << std::endl;  // flushed: a pipe reader sees each event at once
    if (flags.limit > 0 && ++printed >= flags.limit) {
      context.TryCancel();
      while (reader->Read(&event)) {
      }
      reader->Finish();
      return 0;
    }
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return ReportRpcError(status, config);
  return 0;
}

struct WebhookFlags {
  std::string webhook_id;
  std::string url;
  std::string description;
  std::string state;
  uint64_t sequence = 0;
  PageFlags page;
};

int RunWebhookCreate(const WebhookFlags& flags, const ClientConfig& config) {
  pay::v1::CreateWebhookRequest request;
  request.set_url(flags.url);
  request.set_description(flags.description);
  auto stub = WebhookService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::CreateWebhookResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::CreateWebhookResponse* response) {
        return stub->CreateWebhook(context, request, response);
      },
      [&](const pay::v1::CreateWebhookResponse& response) {
        PrintMessage(response, config.output);
        std::cerr << "the secret is shown only now: keep it to verify Pay-Signature\n";
      });
}

int RunWebhookList(const WebhookFlags&, const ClientConfig& config) {
  auto stub = WebhookService::NewStub(CreateChannel(config));
  const ListLayout layout{
      "webhooks", {{"webhook_id"}, {"url"}, {"delivered_through"}, {"description"}}, "no webhooks"};
  return CallAndPrint<pay::v1::ListWebhooksResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::ListWebhooksResponse* response) {
        return stub->ListWebhooks(context, pay::v1::ListWebhooksRequest(), response);
      },
      [&](const pay::v1::ListWebhooksResponse& response) {
        PrintList(response, layout, config.output);
      });
}

int RunWebhookDelete(const WebhookFlags& flags, const ClientConfig& config) {
  pay::v1::DeleteWebhookRequest request;
  request.set_webhook_id(flags.webhook_id);
  auto stub = WebhookService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::DeleteWebhookResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::DeleteWebhookResponse* response) {
        return stub->DeleteWebhook(context, request, response);
      },
      [&](const pay::v1::DeleteWebhookResponse&) {
        std::cerr << "deleted " << flags.webhook_id << "\n";
      });
}

int RunWebhookDeliveries(const WebhookFlags& flags, const ClientConfig& config) {
  pay::v1::ListWebhookDeliveriesRequest request;
  request.set_webhook_id(flags.webhook_id);
  if (!flags.state.empty()) {
    pay::v1::WebhookDelivery::State state;
    if (!pay::v1::WebhookDelivery::State_Parse(flags.state, &state)) {
      return ReportUsageError(absl::InvalidArgumentError(
          "--state: one of RETRYING, FAILED, REPLAYING, DELIVERED, got \"" + flags.state + "\""));
    }
    request.set_state(state);
  }
  request.set_page_size(flags.page.page_size);
  request.set_page_token(flags.page.page_token);
  auto stub = WebhookService::NewStub(CreateChannel(config));
  const ListLayout layout{
      "deliveries",
      {{"sequence"}, {"event_type"}, {"state"}, {"attempts"}, {"last_http_status"}, {"last_error"}},
      "no deliveries"};
  return CallAndPrint<pay::v1::ListWebhookDeliveriesResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::ListWebhookDeliveriesResponse* response) {
        return stub->ListWebhookDeliveries(context, request, response);
      },
      [&](const pay::v1::ListWebhookDeliveriesResponse& response) {
        PrintList(response, layout, config.output);
      });
}

int RunWebhookReplay(const WebhookFlags& flags, const ClientConfig& config) {
  pay::v1::ReplayWebhookDeliveryRequest request;
  request.set_webhook_id(flags.webhook_id);
  request.set_sequence(flags.sequence);
  auto stub = WebhookService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::WebhookDelivery>(
      config,
      [&](grpc::ClientContext* context, pay::v1::WebhookDelivery* response) {
        return stub->ReplayWebhookDelivery(context, request, response);
      },
      [&](const pay::v1::WebhookDelivery& response) { PrintMessage(response, config.output); });
}

}  // namespace

void AddEventCommands(CLI::App* app, Action* action) {
  auto watch_flags = std::make_shared<WatchFlags>();
  CLI::App* watch =
      app->add_subcommand("watch", "Stream payment events as JSON lines (until interrupted)");
  watch->add_option("--from-sequence", watch_flags->from_sequence,
                    "First ledger sequence wanted: the last one seen + 1 to resume (0: only new)");
  watch->add_option("--agency", watch_flags->agency_id, "AUDITOR: only this agency")
      ->type_name("AGENCY_ID");
  watch->add_option("--limit", watch_flags->limit, "Stop after this many events")
      ->check(CLI::NonNegativeNumber);
  SetAction(watch, watch_flags, action, &RunWatch);

  CLI::App* webhook = app->add_subcommand("webhook", "An agency's webhook endpoints");
  webhook->require_subcommand(1);
  auto create_flags = std::make_shared<WebhookFlags>();
  CLI::App* create = webhook->add_subcommand("create", "Register an HTTPS endpoint");
  create->add_option("--url", create_flags->url, "https://host[:port]/path")->required();
  create->add_option("--description", create_flags->description, "Free text");
  SetAction(create, create_flags, action, &RunWebhookCreate);

  auto list_flags = std::make_shared<WebhookFlags>();
  CLI::App* list = webhook->add_subcommand("list", "List the agency's webhooks");
  SetAction(list, list_flags, action, &RunWebhookList);

  auto delete_flags = std::make_shared<WebhookFlags>();
  CLI::App* remove = webhook->add_subcommand("delete", "Delete a webhook and its queue");
  remove->add_option("WEBHOOK_ID", delete_flags->webhook_id, "e.g. whk_...")->required();
  SetAction(remove, delete_flags, action, &RunWebhookDelete);

  auto deliveries_flags = std::make_shared<WebhookFlags>();
  CLI::App* deliveries = webhook->add_subcommand(
      "deliveries", "Deliveries being retried, failed (dead letters) and replayed");
  deliveries->add_option("WEBHOOK_ID", deliveries_flags->webhook_id, "e.g. whk_...")->required();
  deliveries->add_option("--state", deliveries_flags->state,
                         "RETRYING, FAILED, REPLAYING or DELIVERED");
  AddPageFlags(deliveries, &deliveries_flags->page);
  SetAction(deliveries, deliveries_flags, action, &RunWebhookDeliveries);

  auto replay_flags = std::make_shared<WebhookFlags>();
  CLI::App* replay = webhook->add_subcommand("replay", "Re-queue a failed delivery");
  replay->add_option("WEBHOOK_ID", replay_flags->webhook_id, "e.g. whk_...")->required();
  replay->add_option("--sequence", replay_flags->sequence, "The event's sequence")->required();
  SetAction(replay, replay_flags, action, &RunWebhookReplay);

  AddWebhookListenCommand(webhook, action);
}

}  // namespace paycli
