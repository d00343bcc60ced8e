// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `fee` and `bill`: FeeService. Agencies issue fees; channels look bills up by number.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "commands.h"
#include "input.h"
#include "output.h"
#include "pay/v1/fee_service.grpc.pb.h"

namespace paycli {
namespace {

using pay::v1::FeeService;

struct FeeCreateFlags {
  std::string amount;
  std::string description_en;
  std::string description_ar;
  std::string payer_reference;
  std::string due;
  std::string expire;
  std::string expire_in;
  std::string idempotency_key;
  std::string fee_type_code;  // --type
};

// Fills the request from the flags; any malformed value -> kInvalidArgument naming the flag.
absl::Status BuildCreateFeeRequest(const FeeCreateFlags& flags,
                                   pay::v1::CreateFeeRequest* request) {
  request->set_fee_type_code(flags.fee_type_code);
  if (flags.amount.empty() && flags.fee_type_code.empty()) {
    return absl::InvalidArgumentError("fee create: give --amount, or --type to use a fee type's");
  }
  if (!flags.amount.empty()) {
    absl::StatusOr<pay::v1::Money> amount = ParseAmount(flags.amount, "--amount");
    if (!amount.ok()) return amount.status();
    *request->mutable_amount() = *amount;
  }
  if (flags.description_en.empty() && flags.description_ar.empty()) {
    return absl::InvalidArgumentError(
        "fee create: say what the fee is for with --description-en and/or --description-ar");
  }
  request->mutable_description()->set_en(flags.description_en);
  request->mutable_description()->set_ar(flags.description_ar);
  request->set_payer_reference(flags.payer_reference);
  if (!flags.due.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> due = ParseTime(flags.due, "--due");
    if (!due.ok()) return due.status();
    *request->mutable_due_time() = *due;
  }
  if (!flags.expire.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> expire = ParseTime(flags.expire, "--expire");
    if (!expire.ok()) return expire.status();
    *request->mutable_expire_time() = *expire;
  } else if (!flags.expire_in.empty()) {
    absl::StatusOr<int64_t> seconds = ParseDurationSeconds(flags.expire_in, "--expire-in");
    if (!seconds.ok()) return seconds.status();
    *request->mutable_expire_time() = TimeFromNow(*seconds);
  }
  request->set_idempotency_key(flags.idempotency_key);
  return absl::OkStatus();
}

int RunFeeCreate(const FeeCreateFlags& flags, const ClientConfig& config) {
  pay::v1::CreateFeeRequest request;
  absl::Status built = BuildCreateFeeRequest(flags, &request);
  if (!built.ok()) return ReportUsageError(built);
  auto stub = FeeService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Fee>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Fee* response) {
        return stub->CreateFee(context, request, response);
      },
      [&](const pay::v1::Fee& response) { PrintMessage(response, config.output); });
}

struct FeeIdFlags {
  std::string fee_id;
  std::string reason;  // `fee cancel` only.
};

int RunFeeGet(const FeeIdFlags& flags, const ClientConfig& config) {
  pay::v1::GetFeeRequest request;
  request.set_fee_id(flags.fee_id);
  auto stub = FeeService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Fee>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Fee* response) {
        return stub->GetFee(context, request, response);
      },
      [&](const pay::v1::Fee& response) { PrintMessage(response, config.output); });
}

int RunFeeCancel(const FeeIdFlags& flags, const ClientConfig& config) {
  pay::v1::CancelFeeRequest request;
  request.set_fee_id(flags.fee_id);
  request.set_reason(flags.reason);
  auto stub = FeeService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Fee>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Fee* response) {
        return stub->CancelFee(context, request, response);
      },
      [&](const pay::v1::Fee& response) { PrintMessage(response, config.output); });
}

struct FeeListFlags {
  std::string state;
  std::string agency_id;
  PageFlags page;
};

int RunFeeList(const FeeListFlags& flags, const ClientConfig& config) {
  pay::v1::ListFeesRequest request;
  if (!flags.state.empty()) {
    absl::StatusOr<int> state =
        ParseEnum(*pay::v1::Fee::State_descriptor(), flags.state, "--state");
    if (!state.ok()) return ReportUsageError(state.status());
    request.set_state(static_cast<pay::v1::Fee::State>(*state));
  }
  request.set_agency_id(flags.agency_id);
  request.set_page_size(flags.page.page_size);
  request.set_page_token(flags.page.page_token);
  auto stub = FeeService::NewStub(CreateChannel(config));
  const ListLayout layout{"fees",
                          {{"fee_id"},
                           {"display_bill_number"},
                           {"amount"},
                           {"state"},
                           {"create_time"},
                           {"description.en|description.ar"}},
                          "no fees"};
  return CallAndPrint<pay::v1::ListFeesResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::ListFeesResponse* response) {
        return stub->ListFees(context, request, response);
      },
      [&](const pay::v1::ListFeesResponse& response) {
        PrintList(response, layout, config.output);
      });
}

struct BillInquireFlags {
  std::string bill_number;
};

int RunBillInquire(const BillInquireFlags& flags, const ClientConfig& config) {
  absl::StatusOr<std::string> bill = ParseBill(flags.bill_number, "BILL_NUMBER");
  if (!bill.ok()) return ReportUsageError(bill.status());
  pay::v1::InquireBillRequest request;
  request.set_bill_number(*bill);
  auto stub = FeeService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::InquireBillResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::InquireBillResponse* response) {
        return stub->InquireBill(context, request, response);
      },
      [&](const pay::v1::InquireBillResponse& response) { PrintMessage(response, config.output); });
}

void AddFeeCreate(CLI::App* fee, Action* action) {
  CLI::App* create = fee->add_subcommand("create", "Issue a fee (a bill) to a payer (AGENCY)");
  create->footer(
      "Prints the new fee in state UNPAID with its bill_number, which the citizen quotes to pay.\n"
      "Give --idempotency-key to make a retry safe: the same key and request return the same fee.\n"
      "Example: BILL=$(paycli fee create --amount \"150.00 SAR\" --description-en \"Passport "
      "renewal\" \\\n"
      "           --payer-ref 1012345678 --expire-in 7d --field bill_number)");
  auto flags = std::make_shared<FeeCreateFlags>();
  create->add_option("--amount", flags->amount, "Amount due with its currency: \"150.00 SAR\"")
      ->type_name("AMOUNT");
  create
      ->add_option("--type", flags->fee_type_code,
                   "Issue under this fee type (see `paycli fee-type`): its version in force sets "
                   "the amount and terms; --amount may then be left out")
      ->type_name("CODE");
  create->add_option("--description-en", flags->description_en, "What the fee is for, English");
  create->add_option("--description-ar", flags->description_ar, "What the fee is for, Arabic");
  create->add_option("--payer-ref", flags->payer_reference,
                     "Your reference for the payer (file number, national id); private");
  create->add_option("--due", flags->due, "When it falls due: 2026-03-31T23:59:59Z")
      ->type_name("RFC3339");
  CLI::Option* expire =
      create->add_option("--expire", flags->expire, "Time after which it cannot be paid")
          ->type_name("RFC3339");
  CLI::Option* expire_in = create
                               ->add_option("--expire-in", flags->expire_in,
                                            "Or: expire this long from now, e.g. 30m, 72h, 7d")
                               ->type_name("DURATION");
  expire->excludes(expire_in);
  create
      ->add_option("--idempotency-key", flags->idempotency_key,
                   "Key that makes retries of this request safe (printable ASCII)")
      ->type_name("KEY");
  SetAction(create, flags, action, &RunFeeCreate);
}

void AddFeeSubcommands(CLI::App* fee, Action* action) {
  AddFeeCreate(fee, action);

  CLI::App* get = fee->add_subcommand("get", "Show one fee");
  auto get_flags = std::make_shared<FeeIdFlags>();
  get->add_option("FEE_ID", get_flags->fee_id, "e.g. fee_0123456789abcdef0123")->required();
  SetAction(get, get_flags, action, &RunFeeGet);

  CLI::App* list = fee->add_subcommand("list", "List fees, newest first");
  list->footer(
      "Prints one line per fee: id, bill number, amount, state, creation time, description;\n"
      "then \"next page: TOKEN\" when there are more (pass it to --page-token with the same "
      "filters).");
  auto list_flags = std::make_shared<FeeListFlags>();
  list->add_option("--state", list_flags->state, "Only fees in this state")
      ->type_name(EnumChoices(*pay::v1::Fee::State_descriptor()));
  list->add_option("--agency", list_flags->agency_id,
                   "Which agency (auditors granted several agencies)")
      ->type_name("ID");
  AddPageFlags(list, &list_flags->page);
  SetAction(list, list_flags, action, &RunFeeList);

  CLI::App* cancel = fee->add_subcommand("cancel", "Cancel an unpaid fee (AGENCY)");
  cancel->footer(
      "Only an UNPAID fee with no payment in progress can be cancelled; otherwise\n"
      "payd answers FAILED_PRECONDITION naming the fee's state.");
  auto cancel_flags = std::make_shared<FeeIdFlags>();
  cancel->add_option("FEE_ID", cancel_flags->fee_id, "The fee to cancel")->required();
  cancel->add_option("--reason", cancel_flags->reason, "Why, recorded in the ledger");
  SetAction(cancel, cancel_flags, action, &RunFeeCancel);
}

}  // namespace

void AddFeeCommands(CLI::App* app, Action* action) {
  CLI::App* fee = app->add_subcommand("fee", "Issue, show, list and cancel fees");
  fee->require_subcommand(1);
  AddFeeSubcommands(fee, action);
  AddFeeImportCommand(fee, action);

  CLI::App* bill = app->add_subcommand("bill", "Look a bill up by its number (CHANNEL, AGENCY)");
  bill->require_subcommand(1);
  CLI::App* inquire =
      bill->add_subcommand("inquire", "Show what a bill number is for and its amount due");
  inquire->footer(
      "Unified inquiry across all agencies: the agency, amount due, state and expiry, as a\n"
      "counter or kiosk shows them. Spaces and hyphens in the number are allowed; a mistyped\n"
      "number (wrong check digit) is refused before anything is sent.");
  auto inquire_flags = std::make_shared<BillInquireFlags>();
  inquire
      ->add_option("BILL_NUMBER", inquire_flags->bill_number, "16 digits: \"4821 0937 5561 2208\"")
      ->required();
  SetAction(inquire, inquire_flags, action, &RunBillInquire);
}

}  // namespace paycli
