// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `fee-type define|get|list` and `fee waive`: the fee catalogue of FeeService.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "commands.h"
#include "input.h"
#include "output.h"
#include "pay/v1/fee_service.grpc.pb.h"

namespace paycli {
namespace {

using pay::v1::FeeService;

struct FeeTypeDefineFlags {
  std::string code;
  std::string name_en;
  std::string name_ar;
  std::string amount;
  bool partial = false;
  bool refund_excess = false;
  std::vector<std::string> shares;
  std::string penalty_fixed;
  int32_t penalty_basis_points = 0;
  std::string penalty_period;
  std::string penalty_cap;
  std::string effective_from;
  std::string effective_in;
};

// "stamp=5.00 SAR" (a fixed share) or "province=2500bp" (basis points of what fixed shares leave).
absl::Status ParseShare(const std::string& text, pay::v1::RevenueShare* share) {
  const size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    return absl::InvalidArgumentError("--share: LABEL=AMOUNT or LABEL=NNbp, e.g. stamp=5.00 SAR");
  }
  share->set_label(text.substr(0, equals));
  const std::string value = text.substr(equals + 1);
  if (value.size() > 2 && value.compare(value.size() - 2, 2, "bp") == 0) {
    const std::string digits = value.substr(0, value.size() - 2);
    if (digits.empty() || digits.size() > 5 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return absl::InvalidArgumentError("--share: basis points are 1..10000, e.g. city=2500bp");
    }
    share->set_basis_points(std::stoi(digits));
    return absl::OkStatus();
  }
  absl::StatusOr<pay::v1::Money> fixed = ParseAmount(value, "--share");
  if (!fixed.ok()) return fixed.status();
  *share->mutable_fixed() = *fixed;
  return absl::OkStatus();
}

absl::Status BuildDefineRequest(const FeeTypeDefineFlags& flags,
                                pay::v1::DefineFeeTypeRequest* request) {
  request->set_code(flags.code);
  request->mutable_name()->set_en(flags.name_en);
  request->mutable_name()->set_ar(flags.name_ar);
  absl::StatusOr<pay::v1::Money> amount = ParseAmount(flags.amount, "--amount");
  if (!amount.ok()) return amount.status();
  *request->mutable_amount() = *amount;
  pay::v1::FeeTerms* terms = request->mutable_terms();
  terms->set_amount_rule(flags.partial ? pay::v1::FeeTerms::PARTIAL_ALLOWED
                                       : pay::v1::FeeTerms::EXACT);
  terms->set_overpayment(flags.refund_excess ? pay::v1::FeeTerms::REFUND_EXCESS
                                             : pay::v1::FeeTerms::REFUSE);
  for (const std::string& share : flags.shares) {
    absl::Status parsed = ParseShare(share, terms->add_revenue_shares());
    if (!parsed.ok()) return parsed;
  }
  const bool penalty = !flags.penalty_fixed.empty() || flags.penalty_basis_points != 0;
  if (penalty) {
    pay::v1::Penalty* out = terms->mutable_penalty();
    if (!flags.penalty_fixed.empty()) {
      absl::StatusOr<pay::v1::Money> fixed = ParseAmount(flags.penalty_fixed, "--penalty-fixed");
      if (!fixed.ok()) return fixed.status();
      out->set_kind(pay::v1::Penalty::FIXED);
      *out->mutable_fixed_amount() = *fixed;
    } else {
      out->set_kind(pay::v1::Penalty::PERCENT);
      out->set_basis_points(flags.penalty_basis_points);
    }
    absl::StatusOr<int64_t> period = ParseDurationSeconds(flags.penalty_period, "--penalty-period");
    if (!period.ok()) return period.status();
    out->set_period_seconds(*period);
    absl::StatusOr<pay::v1::Money> cap = ParseAmount(flags.penalty_cap, "--penalty-cap");
    if (!cap.ok()) return cap.status();
    *out->mutable_cap() = *cap;
  }
  if (!flags.effective_from.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> from =
        ParseTime(flags.effective_from, "--effective-from");
    if (!from.ok()) return from.status();
    *request->mutable_effective_from() = *from;
  } else if (!flags.effective_in.empty()) {
    absl::StatusOr<int64_t> seconds = ParseDurationSeconds(flags.effective_in, "--effective-in");
    if (!seconds.ok()) return seconds.status();
    *request->mutable_effective_from() = TimeFromNow(*seconds);
  }
  return absl::OkStatus();
}

int RunFeeTypeDefine(const FeeTypeDefineFlags& flags, const ClientConfig& config) {
  pay::v1::DefineFeeTypeRequest request;
  absl::Status built = BuildDefineRequest(flags, &request);
  if (!built.ok()) return ReportUsageError(built);
  auto stub = FeeService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::FeeType>(
      config,
      [&](grpc::ClientContext* context, pay::v1::FeeType* response) {
        return stub->DefineFeeType(context, request, response);
      },
      [&](const pay::v1::FeeType& response) { PrintMessage(response, config.output); });
}

struct FeeTypeGetFlags {
  std::string code;
  std::string agency_id;
  PageFlags page;  // list only
};

int RunFeeTypeGet(const FeeTypeGetFlags& flags, const ClientConfig& config) {
  pay::v1::GetFeeTypeRequest request;
  request.set_code(flags.code);
  request.set_agency_id(flags.agency_id);
  auto stub = FeeService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::FeeType>(
      config,
      [&](grpc::ClientContext* context, pay::v1::FeeType* response) {
        return stub->GetFeeType(context, request, response);
      },
      [&](const pay::v1::FeeType& response) { PrintMessage(response, config.output); });
}

int RunFeeTypeList(const FeeTypeGetFlags& flags, const ClientConfig& config) {
  pay::v1::ListFeeTypesRequest request;
  request.set_agency_id(flags.agency_id);
  request.set_page_size(flags.page.page_size);
  request.set_page_token(flags.page.page_token);
  auto stub = FeeService::NewStub(CreateChannel(config));
  const ListLayout layout{"fee_types", {{"code"}, {"name.en|name.ar"}}, "no fee types"};
  return CallAndPrint<pay::v1::ListFeeTypesResponse>(
      config,
      [&](grpc::ClientContext* context, pay::v1::ListFeeTypesResponse* response) {
        return stub->ListFeeTypes(context, request, response);
      },
      [&](const pay::v1::ListFeeTypesResponse& response) {
        PrintList(response, layout, config.output);
      });
}

struct FeeWaiveFlags {
  std::string fee_id;
  std::string amount;
  std::string reason;
};

int RunFeeWaive(const FeeWaiveFlags& flags, const ClientConfig& config) {
  pay::v1::WaiveFeeRequest request;
  request.set_fee_id(flags.fee_id);
  absl::StatusOr<pay::v1::Money> amount = ParseAmount(flags.amount, "--amount");
  if (!amount.ok()) return ReportUsageError(amount.status());
  *request.mutable_amount() = *amount;
  request.set_reason(flags.reason);
  auto stub = FeeService::NewStub(CreateChannel(config));
  return CallAndPrint<pay::v1::Fee>(
      config,
      [&](grpc::ClientContext* context, pay::v1::Fee* response) {
        return stub->WaiveFee(context, request, response);
      },
      [&](const pay::v1::Fee& response) { PrintMessage(response, config.output); });
}

void AddDefine(CLI::App* fee_type, Action* action) {
  CLI::App* define =
      fee_type->add_subcommand("define", "Define a fee type, or its next version (AGENCY)");
  define->footer(
      "A new CODE defines version 1 (give --name-en and/or --name-ar); an existing one appends\n"
      "its next version. Versions never change: a fee keeps the terms of the version in force\n"
      "when it was issued. Revenue shares: fixed amounts first, in order, then basis points of\n"
      "what they leave (rounded down); the rest goes to revenue/<agency>.\n"
      "Example: paycli fee-type define PASSPORT --name-en \"Passport renewal\" --amount "
      "\"150.00 SAR\" \\\n"
      "           --share \"stamp=5.00 SAR\" --share province=2500bp --partial \\\n"
      "           --penalty-percent 100 --penalty-period 30d --penalty-cap \"30.00 SAR\"");
  auto flags = std::make_shared<FeeTypeDefineFlags>();
  define->add_option("CODE", flags->code, "1..32 of A-Z, 0-9, '_' and '-'")->required();
  define->add_option("--name-en", flags->name_en, "Name, English");
  define->add_option("--name-ar", flags->name_ar, "Name, Arabic");
  define->add_option("--amount", flags->amount, "Amount of each fee: \"150.00 SAR\"")
      ->type_name("AMOUNT")
      ->required();
  define->add_flag("--partial", flags->partial, "Allow partial payments (default: exact only)");
  define->add_flag("--refund-excess", flags->refund_excess,
                   "Take the amount due out of an overpayment and owe back the excess (default: "
                   "refuse the whole payment)");
  define
      ->add_option("--share", flags->shares,
                   "A revenue share, repeatable: LABEL=AMOUNT (fixed) or LABEL=NNbp")
      ->type_name("SHARE");
  CLI::Option* fixed =
      define->add_option("--penalty-fixed", flags->penalty_fixed, "Late penalty per period")
          ->type_name("AMOUNT");
  CLI::Option* percent = define
                             ->add_option("--penalty-percent", flags->penalty_basis_points,
                                          "Or: late penalty per period in basis points of the "
                                          "amount (100 = 1%)")
                             ->type_name("BP");
  fixed->excludes(percent);
  define->add_option("--penalty-period", flags->penalty_period, "Penalty period, e.g. 30d")
      ->type_name("DURATION");
  define->add_option("--penalty-cap", flags->penalty_cap, "Most the penalties add up to")
      ->type_name("AMOUNT");
  CLI::Option* from =
      define->add_option("--effective-from", flags->effective_from, "When it takes effect")
          ->type_name("RFC3339");
  CLI::Option* in = define
                        ->add_option("--effective-in", flags->effective_in,
                                     "Or: this long from now, e.g. 1d (default: now)")
                        ->type_name("DURATION");
  from->excludes(in);
  SetAction(define, flags, action, &RunFeeTypeDefine);
}

}  // namespace

void AddFeeTypeCommands(CLI::App* app, Action* action) {
  CLI::App* fee_type =
      app->add_subcommand("fee-type", "Define, show and list fee types (the fee catalogue)");
  fee_type->require_subcommand(1);
  AddDefine(fee_type, action);

  CLI::App* get = fee_type->add_subcommand("get", "Show a fee type with all its versions");
  auto get_flags = std::make_shared<FeeTypeGetFlags>();
  get->add_option("CODE", get_flags->code, "The fee type's code")->required();
  get->add_option("--agency", get_flags->agency_id, "Whose (auditors granted several agencies)")
      ->type_name("ID");
  SetAction(get, get_flags, action, &RunFeeTypeGet);

  CLI::App* list = fee_type->add_subcommand("list", "List fee types by code");
  auto list_flags = std::make_shared<FeeTypeGetFlags>();
  list->add_option("--agency", list_flags->agency_id,
                   "Which agency (auditors granted several agencies)")
      ->type_name("ID");
  AddPageFlags(list, &list_flags->page);
  SetAction(list, list_flags, action, &RunFeeTypeList);

  // `fee waive`, under the `fee` command that AddFeeCommands made.
  CLI::App* fee = app->get_subcommand("fee");
  CLI::App* waive =
      fee->add_subcommand("waive", "Waive part or all of what is owed on a fee (approver)");
  waive->footer(
      "Only an AGENCY credential with approver set may waive; the reason is recorded in the\n"
      "ledger. When nothing is left to pay the fee becomes PAID.\n"
      "Example: paycli fee waive fee_0123456789abcdef0123 --amount \"20.00 SAR\" --reason "
      "\"hardship\"");
  auto waive_flags = std::make_shared<FeeWaiveFlags>();
  waive->add_option("FEE_ID", waive_flags->fee_id, "The fee")->required();
  waive->add_option("--amount", waive_flags->amount, "How much to waive: \"20.00 SAR\"")
      ->type_name("AMOUNT")
      ->required();
  waive->add_option("--reason", waive_flags->reason, "Why (required, recorded in the ledger)")
      ->required();
  SetAction(waive, waive_flags, action, &RunFeeWaive);
}

}  // namespace paycli
