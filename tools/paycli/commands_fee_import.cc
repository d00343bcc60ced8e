// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `fee import --file fees.csv`: a directorate's back office issues fees in bulk through
// FeeService.CreateFees. The CSV is read a batch at a time (never whole into memory) and sent in
// streams of at most kFeesPerStream fees; each stream's response says what was committed.

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "commands.h"
#include "input.h"
#include "pay/v1/fee_service.grpc.pb.h"

namespace paycli {
namespace {

// Fees per CreateFees stream: payd lists the fees of a stream with return_fees up to 20,000
// (fee_service.proto); without, a stream's response is a few counters and a stream may be long,
// but a response per 100,000 fees is the progress the person waiting sees.
constexpr int64_t kFeesPerStreamWithBills = 20'000;
constexpr int64_t kFeesPerStream = 100'000;
constexpr int kMaxBatchSize = 10'000;  // payd's limit per batch
// A CSV line longer than this is refused (a runaway quote, a binary file).
constexpr size_t kMaxRecordBytes = 64 * 1024;

struct FeeImportFlags {
  std::string file;
  int batch_size = 5000;
  std::string bills_out;
  bool quiet = false;
};

// Splits one CSV record (RFC 4180: fields separated by commas, optionally in double quotes with
// "" for a quote; a quoted field may span lines). Reads further lines from `in` while a quote is
// open. false at the end of input; a malformed record -> kInvalidArgument naming the line.
absl::StatusOr<bool> ReadRecord(std::istream& in, int64_t* line_number,
                                std::vector<std::string>* fields) {
  fields->clear();
  std::string line;
  if (!std::getline(in, line)) return false;
  ++*line_number;
  const int64_t first_line = *line_number;
  std::string field;
  bool quoted = false;
  size_t record_bytes = 0;
  for (;;) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    record_bytes += line.size();
    if (record_bytes > kMaxRecordBytes) {
      return absl::InvalidArgumentError("line " + std::to_string(first_line) +
                                        ": record longer than 64 KiB");
    }
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted) {
        if (c != '"') {
          field += c;
        } else if (i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else if (c == '"' && field.empty()) {
        quoted = true;
      } else if (c == ',') {
        fields->push_back(std::move(field));
        field.clear();
      } else {
        field += c;
      }
    }
    if (!quoted) break;
    field += '\n';  // the quoted field goes on on the next line
    if (!std::getline(in, line)) {
      return absl::InvalidArgumentError("line " + std::to_string(first_line) +
                                        ": a quoted field is not closed");
    }
    ++*line_number;
  }
  fields->push_back(std::move(field));
  return true;
}

// The columns `fee import` knows; the header names which are present and in what order.
const std::vector<std::string>& KnownColumns() {
  static const std::vector<std::string> columns = {
      "idempotency_key", "amount", "description_en", "description_ar",
      "payer_reference", "due",    "expire",         "fee_type"};
  return columns;
}

// One CSV row as a CreateFeeRequest; `column` maps a known column name to its index.
absl::Status RowToRequest(const std::vector<std::string>& row,
                          const std::map<std::string, size_t>& column, int64_t line_number,
                          pay::v1::CreateFeeRequest* request) {
  const std::string where = "line " + std::to_string(line_number) + ": ";
  if (row.size() != column.size()) {
    return absl::InvalidArgumentError(where + std::to_string(row.size()) +
                                      " fields, the header has " + std::to_string(column.size()));
  }
  auto value = [&](const std::string& name) -> std::string {
    auto it = column.find(name);
    return it == column.end() ? std::string() : row[it->second];
  };
  request->set_idempotency_key(value("idempotency_key"));
  if (request->idempotency_key().empty()) {
    return absl::InvalidArgumentError(where + "idempotency_key is required");
  }
  if (const std::string amount = value("amount"); !amount.empty()) {
    absl::StatusOr<pay::v1::Money> money = ParseAmount(amount, "amount");
    if (!money.ok())
      return absl::InvalidArgumentError(where + std::string(money.status().message()));
    *request->mutable_amount() = *money;
  }
  request->mutable_description()->set_en(value("description_en"));
  request->mutable_description()->set_ar(value("description_ar"));
  request->set_payer_reference(value("payer_reference"));
  request->set_fee_type_code(value("fee_type"));
  for (const char* name : {"due", "expire"}) {
    const std::string text = value(name);
    if (text.empty()) continue;
    absl::StatusOr<google::protobuf::Timestamp> time = ParseTime(text, name);
    if (!time.ok()) return absl::InvalidArgumentError(where + std::string(time.status().message()));
    *(std::string(name) == "due" ? request->mutable_due_time() : request->mutable_expire_time()) =
        *time;
  }
  return absl::OkStatus();
}

// The import's running totals, printed as progress and summary.
struct ImportTotals {
  int64_t rows = 0;
  int64_t created = 0;
  int64_t replayed = 0;
  int64_t streams = 0;
  uint64_t last_sequence = 0;
};

int RunFeeImport(const FeeImportFlags& flags, const ClientConfig& config) {
  if (flags.batch_size < 1 || flags.batch_size > kMaxBatchSize) {
    return ReportUsageError(absl::InvalidArgumentError("--batch-size: must be 1..10000"));
  }
  std::ifstream in(flags.file, std::ios::binary);
  if (!in) return ReportUsageError(absl::InvalidArgumentError("--file: cannot read " + flags.file));
  std::unique_ptr<std::ofstream> bills;
  if (!flags.bills_out.empty()) {
    bills = std::make_unique<std::ofstream>(flags.bills_out, std::ios::trunc);
    if (!*bills) {
      return ReportUsageError(
          absl::InvalidArgumentError("--bills-out: cannot write " + flags.bills_out));
    }
    *bills << "line,idempotency_key,fee_id,bill_number,created\n";
  }

  int64_t line_number = 0;
  std::vector<std::string> fields;
  absl::StatusOr<bool> read = ReadRecord(in, &line_number, &fields);
  if (!read.ok() || !*read) {
    return ReportUsageError(absl::InvalidArgumentError(flags.file + ": no header line"));
  }
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < fields.size(); ++i) {
    bool known = false;
    for (const std::string& name : KnownColumns()) known |= name == fields[i];
    if (!known || !column.emplace(fields[i], i).second) {
      return ReportUsageError(
          absl::InvalidArgumentError(flags.file + ": header column \"" + fields[i] +
                                     "\" is unknown or repeated (see `paycli fee import --help`)"));
    }
  }
  if (!column.count("idempotency_key")) {
    return ReportUsageError(
        absl::InvalidArgumentError(flags.file + ": the header needs an idempotency_key column"));
  }

  auto stub = pay::v1::FeeService::NewStub(CreateChannel(config));
  ImportTotals totals;
  const auto start = std::chrono::steady_clock::now();
  const int64_t fees_per_stream = bills != nullptr ? kFeesPerStreamWithBills : kFeesPerStream;
  bool more = true;
  while (more) {
    // One stream: up to kFeesPerStream fees in batches of --batch-size.
    grpc::ClientContext context;
    PrepareStreamContext(config, &context);
    pay::v1::CreateFeesResponse response;
    auto writer = stub->CreateFees(&context, &response);
    std::vector<int64_t> lines;  // CSV line of each fee sent in this stream
    const int64_t first_line = line_number + 1;
    int64_t in_stream = 0;
    while (more && in_stream < fees_per_stream) {
      pay::v1::CreateFeesRequest batch;
      batch.set_return_fees(in_stream == 0 && bills != nullptr);
      while (batch.fees_size() < flags.batch_size && in_stream < fees_per_stream) {
        read = ReadRecord(in, &line_number, &fields);
        if (!read.ok()) return ReportUsageError(read.status());
        if (!*read) {
          more = false;
          break;
        }
        if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
        absl::Status row = RowToRequest(fields, column, line_number, batch.add_fees());
        if (!row.ok()) {
          std::cerr << "paycli: " << flags.file << ": " << row.message()
                    << "; the rows before line " << first_line << " are committed" << std::endl;
          writer->WritesDone();
          context.TryCancel();
          return kExitUsage;
        }
        lines.push_back(line_number);
        ++in_stream;
      }
      if (batch.fees_size() > 0 && !writer->Write(batch)) break;  // payd ended it: see Finish
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    if (!status.ok()) {
      std::cerr << "paycli: fee import stopped in the stream of lines " << first_line << ".."
                << line_number << " (fees[i] counts from the first row of the batch named); "
                << "rerun the same file once fixed: committed rows replay" << std::endl;
      return ReportRpcError(status, config);
    }
    ++totals.streams;
    totals.rows += in_stream;
    totals.created += response.fees_created();
    totals.replayed += response.fees_replayed();
    totals.last_sequence = response.last_ledger_sequence();
    if (bills != nullptr) {
      for (int i = 0; i < response.fees_size() && i < static_cast<int>(lines.size()); ++i) {
        const pay::v1::IssuedFee& fee = response.fees(i);
        *bills << lines[i] << ',' << fee.idempotency_key() << ',' << fee.fee_id() << ','
               << fee.bill_number() << ',' << (fee.created() ? "true" : "false") << '\n';
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!flags.quiet && (more || totals.streams > 1)) {
      std::cerr << "committed " << totals.rows << " fees (to line " << line_number << "), "
                << static_cast<int64_t>(totals.rows / (seconds > 0 ? seconds : 1)) << " fees/s"
                << std::endl;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "imported " << totals.rows << " fees from " << flags.file << ": " << totals.created
            << " created, " << totals.replayed
            << " already issued (replayed); last ledger sequence " << totals.last_sequence << "; "
            << seconds << " s" << std::endl;
  if (bills != nullptr) {
    bills->flush();
    if (!*bills) return ReportUsageError(absl::DataLossError("--bills-out: write failed"));
  }
  return kExitOk;
}

}  // namespace

void AddFeeImportCommand(CLI::App* fee, Action* action) {
  CLI::App* import = fee->add_subcommand(
      "import", "Issue fees in bulk from a CSV file (AGENCY; FeeService.CreateFees)");
  import->footer(
      "The CSV has a header line naming its columns, in any order:\n"
      "  idempotency_key (required: one per fee, e.g. the property file number and year),\n"
      "  amount (\"150.00 SAR\"; may be left empty with fee_type), description_en, "
      "description_ar,\n"
      "  payer_reference, due, expire (RFC 3339), fee_type (a fee type code).\n"
      "Fields may be quoted (\"...\", \"\" for a quote). Rows are sent in batches of "
      "--batch-size;\n"
      "each batch is committed (durably) as one ledger write, all or nothing. Rerunning a file\n"
      "after an interruption is safe: rows whose idempotency_key already issued a fee replay\n"
      "(they are reported, not issued again); a key reused with other fields is refused.\n"
      "Progress goes to stderr after every 100,000 fees (20,000 with --bills-out); the summary\n"
      "to stdout.\n"
      "Example: paycli fee import --file property-2027.csv --bills-out bills-2027.csv");
  auto flags = std::make_shared<FeeImportFlags>();
  import->add_option("--file", flags->file, "The CSV file of fees")->required()->type_name("PATH");
  import
      ->add_option("--batch-size", flags->batch_size,
                   "Fees per batch (one ledger write each), 1..10000; default 5000")
      ->type_name("N");
  import
      ->add_option("--bills-out", flags->bills_out,
                   "Write line,idempotency_key,fee_id,bill_number,created per fee to this CSV")
      ->type_name("PATH");
  import->add_flag("--quiet", flags->quiet, "No progress lines on stderr");
  SetAction(import, flags, action, &RunFeeImport);
}

}  // namespace paycli
