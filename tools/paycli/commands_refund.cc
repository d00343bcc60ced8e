// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `refund create|approve|reject|get|list` (PaymentService refunds) and `refund policy set`
// (AdminService.SetRefundPolicy).

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "commands.h"
#include "input.h"
#include "output.h"
#include "pay/v1/admin_service.grpc.pb.h"
#include "pay/v1/payment_service.grpc.pb.h"

namespace paycli {
namespace {

using pay::v1::PaymentService;

struct RefundCreateFlags {
  std::string payment_id;
  std::string amount;
  std::string reason_code;
  std::string reason;
  std::string idempotency_key;
};

int RunRefundCreate(const RefundCreateFlags& flags, const ClientConfig& config) {
  pay::v1::RefundPaymentRequest request;
  request.set_payment_id(flags.payment_id);
  if (!flags.amount.empty()) {
    absl::StatusOr<pay::v1::Money> amount = ParseAmount(flags.amount, "--amount");
    if (!amount.ok()) return ReportUsageError(amount.status());
    *request.mutable_amount() = *amount;
  }
  absl::StatusOr<int> reason_code =
      ParseEnum(*pay::v1::Refund::ReasonCode_descriptor(), flags.reason_code, "--reason-code");
  if (!reason_code.ok()) return ReportUsageError(reason_code.status());
  request.set_reason_code(static_cast<pay::v1::Refund::ReasonCode>(*reason_code));
  request.set_reason(flags.reason);
  request.set_idempotency_key(flags.idempotency_key);
  if (request.idempotency_key().empty()) {
    // As for payments: the key is what makes a retry safe, so the user must see it.
    request.set_idempotency_key(NewIdempotencyKey());
    std::cerr << "idempotency key: " << request.idempotency_key()
              << " (reuse it to retry safely)\n";
  }
  auto stub = PaymentService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Refund>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Refund* response) {
        return stub->RefundPayment(context, request, response);
      },
      [&](const pay::v1::Refund& response) { PrintMessage(response, config.output); });
}

struct RefundIdFlags {
  std::string refund_id;
  std::string reason;               // reject
  std::string destination_method;   // approve
  std::string destination_account;  // approve
};

int RunRefundApprove(const RefundIdFlags& flags, const ClientConfig& config) {
  pay::v1::ApproveRefundRequest request;
  request.set_refund_id(flags.refund_id);
  if (!flags.destination_method.empty() || !flags.destination_account.empty()) {
    absl::StatusOr<int> method =
        ParseEnum(*pay::v1::PaymentMethod_descriptor(), flags.destination_method, "--to-method");
    if (!method.ok()) return ReportUsageError(method.status());
    request.mutable_destination()->set_method(static_cast<pay::v1::PaymentMethod>(*method));
    request.mutable_destination()->set_account(flags.destination_account);
  }
  auto stub = PaymentService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Refund>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Refund* response) {
        return stub->ApproveRefund(context, request, response);
      },
      [&](const pay::v1::Refund& response) { PrintMessage(response, config.output); });
}

int RunRefundReject(const RefundIdFlags& flags, const ClientConfig& config) {
  pay::v1::RejectRefundRequest request;
  request.set_refund_id(flags.refund_id);
  request.set_reason(flags.reason);
  auto stub = PaymentService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Refund>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Refund* response) {
        return stub->RejectRefund(context, request, response);
      },
      [&](const pay::v1::Refund& response) { PrintMessage(response, config.output); });
}

int RunRefundGet(const RefundIdFlags& flags, const ClientConfig& config) {
  pay::v1::GetRefundRequest request;
  request.set_refund_id(flags.refund_id);
  auto stub = PaymentService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Refund>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Refund* response) {
        return stub->GetRefund(context, request, response);
      },
      [&](const pay::v1::Refund& response) { PrintMessage(response, config.output); });
}

struct RefundListFlags {
  std::string payment_id;
  std::string state;
  std::string agency_id;
  PageFlags page;
};

int RunRefundList(const RefundListFlags& flags, const ClientConfig& config) {
  pay::v1::ListRefundsRequest request;
  if (!flags.state.empty()) {
    absl::StatusOr<int> state =
        ParseEnum(*pay::v1::Refund::State_descriptor(), flags.state, "--state");
    if (!state.ok()) return ReportUsageError(state.status());
    request.set_state(static_cast<pay::v1::Refund::State>(*state));
  }
  request.set_payment_id(flags.payment_id);
  request.set_agency_id(flags.agency_id);
  request.set_page_size(flags.page.page_size);
  request.set_page_token(flags.page.page_token);
  auto stub = PaymentService::NewStub(CreateChannel(config));
  const ListLayout layout{"refunds",
                          {{"refund_id"},
                           {"payment_id"},
                           {"amount"},
                           {"state"},
                           {"reason_code"},
                           {"requested_by"},
                           {"create_time"},
                           {"failure_code"}},
                          "no refunds"};
  return CallAndPrint<pay::v1::ListRefundsResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::ListRefundsResponse* response) {
        return stub->ListRefunds(context, request, response);
      },
      [&](const pay::v1::ListRefundsResponse& response) {
        PrintList(response, layout, config.output);
      });
}

struct PolicyFlags {
  std::string agency_id;
  std::vector<std::string> thresholds;
};

int RunPolicySet(const PolicyFlags& flags, const ClientConfig& config) {
  pay::v1::SetRefundPolicyRequest request;
  request.mutable_policy()->set_agency_id(flags.agency_id);
  for (const std::string& text : flags.thresholds) {
    absl::StatusOr<pay::v1::Money> threshold = ParseAmount(text, "--threshold");
    if (!threshold.ok()) return ReportUsageError(threshold.status());
    *request.mutable_policy()->add_approval_thresholds() = *threshold;
  }
  auto stub = pay::v1::AdminService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::RefundPolicy>(
      config,
      [&](grpc::ClientContext* context, pay::v1::RefundPolicy* response) {
        return stub->SetRefundPolicy(context, request, response);
      },
      [&](const pay::v1::RefundPolicy& response) { PrintMessage(response, config.output); });
}

}  // namespace

void AddRefundCommands(CLI::App* app, Action* action) {
  CLI::App* refund =
      app->add_subcommand("refund", "Refund payments; approve or reject refunds (maker-checker)");
  refund->require_subcommand(1);

  CLI::App* create = refund->add_subcommand("create", "Refund a payment, fully or in part");
  create->footer(
      "Without --amount, all that is left to refund. A refund above the agency's approval\n"
      "threshold waits PENDING_APPROVAL for another approver (`paycli refund approve`).\n"
      "Without --idempotency-key a random key is made and printed on stderr.\n"
      "Example: paycli refund create pay_0123456789abcdef0123 --amount \"50.00 SAR\" "
      "--reason-code OVERPAYMENT");
  auto create_flags = std::make_shared<RefundCreateFlags>();
  create->add_option("PAYMENT_ID", create_flags->payment_id, "The payment to refund")->required();
  create->add_option("--amount", create_flags->amount, "e.g. \"50.00 SAR\" (default: the rest)")
      ->type_name("AMOUNT");
  create->add_option("--reason-code", create_flags->reason_code, "Why")
      ->type_name(EnumChoices(*pay::v1::Refund::ReasonCode_descriptor()))
      ->required();
  create->add_option("--reason", create_flags->reason, "Free text, recorded in the ledger");
  create
      ->add_option("--idempotency-key", create_flags->idempotency_key,
                   "Key that makes retries safe (default: a new random key)")
      ->type_name("KEY");
  SetAction(create, create_flags, action, &RunRefundCreate);

  CLI::App* approve =
      refund->add_subcommand("approve", "Approve a PENDING_APPROVAL refund (approver keys)");
  approve->footer(
      "The credential that requested the refund cannot approve it. When the payment's connector\n"
      "cannot refund (a channel's payment), name where the money goes with --to-method and\n"
      "--to-account.");
  auto approve_flags = std::make_shared<RefundIdFlags>();
  approve->add_option("REFUND_ID", approve_flags->refund_id, "e.g. rfd_0123456789abcdef0123")
      ->required();
  approve->add_option("--to-method", approve_flags->destination_method, "Destination method")
      ->type_name(EnumChoices(*pay::v1::PaymentMethod_descriptor()));
  approve->add_option("--to-account", approve_flags->destination_account,
                      "Destination wallet id, phone number or IBAN");
  SetAction(approve, approve_flags, action, &RunRefundApprove);

  CLI::App* reject = refund->add_subcommand("reject", "Reject a PENDING_APPROVAL refund");
  auto reject_flags = std::make_shared<RefundIdFlags>();
  reject->add_option("REFUND_ID", reject_flags->refund_id, "The refund to reject")->required();
  reject->add_option("--reason", reject_flags->reason, "Why, recorded in the ledger");
  SetAction(reject, reject_flags, action, &RunRefundReject);

  CLI::App* get = refund->add_subcommand("get", "Show one refund");
  auto get_flags = std::make_shared<RefundIdFlags>();
  get->add_option("REFUND_ID", get_flags->refund_id, "e.g. rfd_0123456789abcdef0123")->required();
  SetAction(get, get_flags, action, &RunRefundGet);

  CLI::App* list = refund->add_subcommand("list", "List refunds, newest first");
  auto list_flags = std::make_shared<RefundListFlags>();
  list->add_option("--payment", list_flags->payment_id, "Only this payment's refunds")
      ->type_name("PAYMENT_ID");
  list->add_option("--state", list_flags->state, "Only refunds in this state")
      ->type_name(EnumChoices(*pay::v1::Refund::State_descriptor()));
  list->add_option("--agency", list_flags->agency_id,
                   "Which agency (auditors granted several agencies)")
      ->type_name("ID");
  AddPageFlags(list, &list_flags->page);
  SetAction(list, list_flags, action, &RunRefundList);

  CLI::App* policy = refund->add_subcommand("policy", "Refund approval thresholds (ADMIN)");
  policy->require_subcommand(1);
  CLI::App* set = policy->add_subcommand("set", "Replace an agency's approval thresholds");
  set->footer(
      "Refunds up to the threshold of their currency need no approval; larger ones, and refunds\n"
      "in a currency without a threshold, do.\n"
      "Example: paycli refund policy set --agency passports --threshold \"500.00 SAR\"");
  auto policy_flags = std::make_shared<PolicyFlags>();
  set->add_option("--agency", policy_flags->agency_id, "The agency")->type_name("ID")->required();
  set->add_option("--threshold", policy_flags->thresholds, "One per currency, e.g. \"500.00 SAR\"")
      ->type_name("AMOUNT");
  SetAction(set, policy_flags, action, &RunPolicySet);
}

}  // namespace paycli
