// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `pay` and `payment`: PaymentService. Paying a bill, and following the payment afterwards.

#include <iostream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "commands.h"
#include "input.h"
#include "output.h"
#include "pay/v1/payment_service.grpc.pb.h"

namespace paycli {
namespace {

using pay::v1::PaymentService;

struct PaymentCreateFlags {
  std::string bill;
  std::string method;
  std::string connector;
  std::string expected_amount;
  std::string payer_account;
  std::string idempotency_key;
  std::string amount;  // a partial payment
};

// Fills the request from the flags; any malformed value -> kInvalidArgument naming the flag.
// Does not choose an idempotency key: that is left to the caller, which must tell the user.
absl::Status BuildCreatePaymentRequest(const PaymentCreateFlags& flags,
                                       pay::v1::CreatePaymentRequest* request) {
  absl::StatusOr<std::string> bill = ParseBill(flags.bill, "--bill");
  if (!bill.ok()) return bill.status();
  request->set_bill_number(*bill);
  absl::StatusOr<int> method =
      ParseEnum(*pay::v1::PaymentMethod_descriptor(), flags.method, "--method");
  if (!method.ok()) return method.status();
  request->set_method(static_cast<pay::v1::PaymentMethod>(*method));
  request->set_connector(flags.connector);
  if (!flags.expected_amount.empty()) {
    absl::StatusOr<pay::v1::Money> expected =
        ParseAmount(flags.expected_amount, "--expected-amount");
    if (!expected.ok()) return expected.status();
    *request->mutable_expected_amount() = *expected;
  }
  request->set_payer_account(flags.payer_account);
  request->set_idempotency_key(flags.idempotency_key);
  if (!flags.amount.empty()) {
    absl::StatusOr<pay::v1::Money> amount = ParseAmount(flags.amount, "--amount");
    if (!amount.ok()) return amount.status();
    *request->mutable_amount() = *amount;
  }
  return absl::OkStatus();
}

int RunPaymentCreate(const PaymentCreateFlags& flags, const ClientConfig& config) {
  pay::v1::CreatePaymentRequest request;
  absl::Status built = BuildCreatePaymentRequest(flags, &request);
  if (!built.ok()) return ReportUsageError(built);
  if (request.idempotency_key().empty()) {
    // The key is what makes a retry safe after a timeout, so the user must be able to see it.
    request.set_idempotency_key(NewIdempotencyKey());
    std::cerr << "idempotency key: " << request.idempotency_key()
              << " (reuse it to retry safely)\n";
  }
  auto stub = PaymentService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Payment>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Payment* response) {
        return stub->CreatePayment(context, request, response);
      },
      [&](const pay::v1::Payment& response) { PrintMessage(response, config.output); });
}

struct PaymentIdFlags {
  std::string payment_id;
  std::string reason;  // `payment cancel` only.
};

int RunPaymentGet(const PaymentIdFlags& flags, const ClientConfig& config) {
  pay::v1::GetPaymentRequest request;
  request.set_payment_id(flags.payment_id);
  auto stub = PaymentService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Payment>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Payment* response) {
        return stub->GetPayment(context, request, response);
      },
      [&](const pay::v1::Payment& response) { PrintMessage(response, config.output); });
}

int RunPaymentCancel(const PaymentIdFlags& flags, const ClientConfig& config) {
  pay::v1::CancelPaymentRequest request;
  request.set_payment_id(flags.payment_id);
  request.set_reason(flags.reason);
  auto stub = PaymentService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Payment>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Payment* response) {
        return stub->CancelPayment(context, request, response);
      },
      [&](const pay::v1::Payment& response) { PrintMessage(response, config.output); });
}

struct PaymentListFlags {
  std::string state;
  std::string fee_id;
  std::string agency_id;
  PageFlags page;
};

int RunPaymentList(const PaymentListFlags& flags, const ClientConfig& config) {
  pay::v1::ListPaymentsRequest request;
  if (!flags.state.empty()) {
    absl::StatusOr<int> state =
        ParseEnum(*pay::v1::Payment::State_descriptor(), flags.state, "--state");
    if (!state.ok()) return ReportUsageError(state.status());
    request.set_state(static_cast<pay::v1::Payment::State>(*state));
  }
  request.set_fee_id(flags.fee_id);
  request.set_agency_id(flags.agency_id);
  request.set_page_size(flags.page.page_size);
  request.set_page_token(flags.page.page_token);
  auto stub = PaymentService::NewStub(CreateChannel(config));
  const ListLayout layout{"payments",
                          {{"payment_id"},
                           {"bill_number", DisplayBill},
                           {"amount"},
                           {"method"},
                           {"state"},
                           {"connector"},
                           {"create_time"},
                           {"failure_code"}},
                          "no payments"};
  return CallAndPrint<pay::v1::ListPaymentsResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::ListPaymentsResponse* response) {
        return stub->ListPayments(context, request, response);
      },
      [&](const pay::v1::ListPaymentsResponse& response) {
        PrintList(response, layout, config.output);
      });
}

struct PaymentRecordFlags {
  std::string bill;
  std::string amount;
  std::string method;
  std::string reference;
  std::string payer_account;
  std::string idempotency_key;
};

int RunPaymentRecord(const PaymentRecordFlags& flags, const ClientConfig& config) {
  pay::v1::RecordChannelPaymentRequest request;
  absl::StatusOr<std::string> bill = ParseBill(flags.bill, "--bill");
  if (!bill.ok()) return ReportUsageError(bill.status());
  request.set_bill_number(*bill);
  absl::StatusOr<pay::v1::Money> amount = ParseAmount(flags.amount, "--amount");
  if (!amount.ok()) return ReportUsageError(amount.status());
  *request.mutable_amount() = *amount;
  absl::StatusOr<int> method =
      ParseEnum(*pay::v1::PaymentMethod_descriptor(), flags.method, "--method");
  if (!method.ok()) return ReportUsageError(method.status());
  request.set_method(static_cast<pay::v1::PaymentMethod>(*method));
  request.set_channel_reference(flags.reference);
  request.set_payer_account(flags.payer_account);
  request.set_idempotency_key(flags.idempotency_key);
  if (request.idempotency_key().empty()) {
    // A channel's own reference identifies its collection: the natural key for retries.
    request.set_idempotency_key(flags.reference);
  }
  auto stub = PaymentService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Payment>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Payment* response) {
        return stub->RecordChannelPayment(context, request, response);
      },
      [&](const pay::v1::Payment& response) { PrintMessage(response, config.output); });
}

constexpr char kRecordFooter[] =
    "For CHANNEL credentials (a bank branch, a wallet operator, a kiosk network): reports a\n"
    "payment the channel already collected. payd records it SUCCEEDED and the fee becomes PAID;\n"
    "when the fee cannot take it (already paid, cancelled, expired, another amount) the payment\n"
    "is recorded with refund_due: true and the money is owed back to the payer, never lost.\n"
    "The idempotency key defaults to --reference, so reporting the same collection twice\n"
    "records it once.\n"
    "Example: paycli payment record --bill \"4821 0937 5561 2208\" --amount \"150.00 SAR\" "
    "--method bank-transfer --reference BR-0001-778812";

constexpr char kCreateFooter[] =
    "Pays the fee with this bill number through the method; payd picks the connector unless\n"
    "--connector names one. Prints the payment: SUCCEEDED or FAILED when the connector answered,\n"
    "PROCESSING when the outcome is not known yet (check later with `paycli payment get`).\n"
    "Without --idempotency-key a random key is made and printed on stderr: if the call times\n"
    "out, retry with that key and you cannot pay twice.\n"
    "Example: paycli pay --bill \"4821 0937 5561 2208\" --method sandbox --expected-amount "
    "\"150.00 SAR\"";

// Adds the command that creates a payment, under `parent` as `name` (`pay` and `payment create`).
void AddPaymentCreate(CLI::App* parent, const std::string& name, Action* action) {
  CLI::App* create = parent->add_subcommand(name, "Pay a bill through a payment method");
  create->footer(kCreateFooter);
  auto flags = std::make_shared<PaymentCreateFlags>();
  create->add_option("--bill", flags->bill, "Bill number (16 digits; spaces, hyphens allowed)")
      ->type_name("BILL")
      ->required();
  create->add_option("--method", flags->method, "How the payer pays")
      ->type_name(EnumChoices(*pay::v1::PaymentMethod_descriptor()))
      ->required();
  create->add_option("--connector", flags->connector, "A connector by name (default: payd routes)")
      ->type_name("NAME");
  create
      ->add_option("--expected-amount", flags->expected_amount,
                   "Amount the payer agreed to, e.g. \"150.00 SAR\"; refused if the fee differs")
      ->type_name("AMOUNT");
  create->add_option("--payer-account", flags->payer_account,
                     "The payer's account or phone number at the connector");
  create
      ->add_option("--idempotency-key", flags->idempotency_key,
                   "Key that makes retries safe (default: a new random key)")
      ->type_name("KEY");
  create
      ->add_option("--amount", flags->amount,
                   "Pay only this much (fees whose type allows partial payments); default: the "
                   "whole amount due")
      ->type_name("AMOUNT");
  SetAction(create, flags, action, &RunPaymentCreate);
}

}  // namespace

void AddPaymentCommands(CLI::App* app, Action* action) {
  AddPaymentCreate(app, "pay", action);

  CLI::App* payment = app->add_subcommand("payment", "Create, show, list and cancel payments");
  payment->require_subcommand(1);
  AddPaymentCreate(payment, "create", action);

  CLI::App* get = payment->add_subcommand("get", "Show one payment");
  auto get_flags = std::make_shared<PaymentIdFlags>();
  get->add_option("PAYMENT_ID", get_flags->payment_id, "e.g. pay_0123456789abcdef0123")->required();
  SetAction(get, get_flags, action, &RunPaymentGet);

  CLI::App* list = payment->add_subcommand("list", "List payments, newest first");
  list->footer(
      "Prints one line per payment: id, bill number, amount, method, state, connector, creation\n"
      "time, failure code; then \"next page: TOKEN\" when there are more (pass it to --page-token\n"
      "with the same filters).");
  auto list_flags = std::make_shared<PaymentListFlags>();
  list->add_option("--state", list_flags->state, "Only payments in this state")
      ->type_name(EnumChoices(*pay::v1::Payment::State_descriptor()));
  list->add_option("--fee", list_flags->fee_id, "Only payments of this fee")->type_name("FEE_ID");
  list->add_option("--agency", list_flags->agency_id,
                   "Which agency (auditors granted several agencies)")
      ->type_name("ID");
  AddPageFlags(list, &list_flags->page);
  SetAction(list, list_flags, action, &RunPaymentList);

  CLI::App* cancel = payment->add_subcommand("cancel", "Cancel a payment not yet sent (PENDING)");
  cancel->footer(
      "A payment already PROCESSING cannot be cancelled (money may be moving), and a final one\n"
      "never: payd then answers FAILED_PRECONDITION naming the current state.");
  auto cancel_flags = std::make_shared<PaymentIdFlags>();
  cancel->add_option("PAYMENT_ID", cancel_flags->payment_id, "The payment to cancel")->required();
  cancel->add_option("--reason", cancel_flags->reason, "Why, recorded in the ledger");
  SetAction(cancel, cancel_flags, action, &RunPaymentCancel);

  CLI::App* record =
      payment->add_subcommand("record", "Report a payment a channel collected (push flow)");
  record->footer(kRecordFooter);
  auto record_flags = std::make_shared<PaymentRecordFlags>();
  record->add_option("--bill", record_flags->bill, "Bill number the payer quoted")
      ->type_name("BILL")
      ->required();
  record->add_option("--amount", record_flags->amount, "What was collected, e.g. \"150.00 SAR\"")
      ->type_name("AMOUNT")
      ->required();
  record->add_option("--method", record_flags->method, "How the payer paid the channel")
      ->type_name(EnumChoices(*pay::v1::PaymentMethod_descriptor()))
      ->required();
  record
      ->add_option("--reference", record_flags->reference,
                   "The channel's own transaction reference (at most 128 bytes)")
      ->type_name("REF")
      ->required();
  record->add_option("--payer-account", record_flags->payer_account,
                     "The payer's account or phone number at the channel");
  record
      ->add_option("--idempotency-key", record_flags->idempotency_key,
                   "Key that makes retries safe (default: the --reference)")
      ->type_name("KEY");
  SetAction(record, record_flags, action, &RunPaymentRecord);
}

}  // namespace paycli
