// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// `ledger verify`: checks an export file (or a data directory) offline, without payd and without
// trusting it: every entry is fed to pay::LedgerVerifier in order (hash chains, balanced postings,
// checkpoint signatures with the key the auditor was given), in constant memory.

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "commands.h"
#include "ledger_file.h"
#include "ledger_source.h"
#include "pay/audit.h"
#include "progress.h"

namespace paycli {
namespace {

// A public key file holds 64 hex digits; anything much larger is not one.
constexpr std::streamsize kMaxKeyFileBytes = 4096;

}  // namespace

absl::StatusOr<std::string> ReadPublicKey(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::string content(kMaxKeyFileBytes + 1, '\0');
  file.read(content.data(), kMaxKeyFileBytes + 1);
  content.resize(static_cast<size_t>(file.gcount()));
  if (!file.is_open() || file.bad() || content.size() > static_cast<size_t>(kMaxKeyFileBytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--public-key-file: cannot read ", path, " (expected DIR/signing.pub)"));
  }
  pay::Result<std::string> key =
      pay::ParsePublicKeyHex(std::string(absl::StripAsciiWhitespace(content)));
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--public-key-file ", path, ": ", key.status().message()));
  }
  return *std::move(key);
}

namespace {

struct VerifyFlags {
  std::string public_key_file;
  std::string file;
  std::string data_dir;
  std::string agency_id;
  std::string format;
  bool quiet = false;
};

// Feeds the verifier and tracks what the summary needs beyond VerifySummary.
class Verification {
 public:
  Verification(pay::VerifyOptions options, bool quiet)
      : verifier_(std::move(options)), progress_("verified", quiet) {}

  // `hash` is pay::EntryHash(entry), computed here (never read from the input).
  absl::Status Add(const pay::LedgerEntry& entry, std::string_view hash) {
    absl::Status status = verifier_.Add(entry, hash);
    if (!status.ok()) return status;
    progress_.Add(entry.sequence);
    unsigned_entries_ = entry.type == pay::EntryType::kCheckpoint ? 0 : unsigned_entries_ + 1;
    return absl::OkStatus();
  }

  pay::LedgerVerifier& verifier() { return verifier_; }
  Progress& progress() { return progress_; }
  // Entries after the last checkpoint (all of them when there is none).
  uint64_t unsigned_entries() const { return unsigned_entries_; }

 private:
  pay::LedgerVerifier verifier_;
  Progress progress_;
  uint64_t unsigned_entries_ = 0;
};

// Verifies the export file of --file. kInvalidArgument when it cannot be read as an export (the
// command line is wrong), kDataLoss naming the entry or line at fault.
absl::StatusOr<pay::VerifySummary> VerifyFile(const VerifyFlags& flags,
                                              Verification* verification) {
  ExportFormat format = ExportFormat::kJsonLines;
  if (!flags.format.empty()) {
    absl::StatusOr<ExportFormat> named = ParseExportFormat(flags.format, "--format");
    if (!named.ok()) return named.status();
    format = *named;
  } else if (std::optional<ExportFormat> implied = FormatFromExtension(flags.file)) {
    format = *implied;
  } else {
    return absl::InvalidArgumentError(
        "--format: give jsonl or csv (the file name does not end in .jsonl or .csv)");
  }
  absl::StatusOr<std::unique_ptr<ExportReader>> reader = ExportReader::Open(flags.file, format);
  if (!reader.ok()) return reader.status();
  ExportedEntry exported;
  absl::Status status;
  std::string hash;
  while ((*reader)->Next(&exported, &status)) {
    // Computed once from the entry's content: checked against the recorded one, then chained.
    hash = pay::EntryHash(exported.entry);
    status = CheckRecordedFields(exported, hash);
    if (status.ok()) status = verification->Add(exported.entry, hash);
    if (!status.ok()) return absl::DataLossError(status.message());
  }
  if (!status.ok()) return absl::DataLossError(status.message());
  return verification->verifier().Finish();
}

// The balances with a non-zero amount, by (account, currency).
std::map<std::pair<std::string, std::string>, int64_t> NonZero(
    const std::vector<pay::AccountBalance>& balances) {
  std::map<std::pair<std::string, std::string>, int64_t> result;
  for (const pay::AccountBalance& balance : balances) {
    if (balance.balance.minor_units() != 0) {
      result[{balance.account, balance.balance.currency()}] = balance.balance.minor_units();
    }
  }
  return result;
}

// The data directory's stored balances must be what its entries replay to.
absl::Status CompareBalances(const std::vector<pay::AccountBalance>& stored,
                             const std::vector<pay::AccountBalance>& replayed) {
  auto stored_map = NonZero(stored);
  auto replayed_map = NonZero(replayed);
  for (const auto& [key, amount] : replayed_map) stored_map.try_emplace(key, 0);
  for (const auto& [key, amount] : stored_map) {
    auto found = replayed_map.find(key);
    const int64_t replayed_amount = found == replayed_map.end() ? 0 : found->second;
    if (amount != replayed_amount) {
      return absl::DataLossError(absl::StrCat("the stored balance of ", key.first, " is ", amount,
                                              " minor units of ", key.second,
                                              ", the entries add up to ", replayed_amount));
    }
  }
  return absl::OkStatus();
}

// Verifies the entries of --data-dir, then its stored balances against them. kInvalidArgument
// when it is not a data directory, kDataLoss naming the entry at fault.
absl::StatusOr<pay::VerifySummary> VerifyDataDir(const VerifyFlags& flags,
                                                 Verification* verification) {
  pay::Result<std::unique_ptr<pay::LedgerReader>> reader = pay::LedgerReader::Open(flags.data_dir);
  if (!reader.ok() && !absl::IsDataLoss(reader.status())) {
    return absl::InvalidArgumentError(absl::StrCat("--data-dir: ", reader.status().message()));
  }
  if (!reader.ok()) return reader.status();
  LedgerQuery query;
  query.agency_id = flags.agency_id;
  absl::Status added;
  absl::Status read =
      ReadLedgerOffline(**reader, query, [&](const pay::LedgerEntry& entry, std::string_view hash) {
        added = verification->Add(entry, hash);
        return added.ok();
      });
  if (!added.ok()) return added;
  if (!read.ok()) return read;
  pay::Result<pay::VerifySummary> summary = verification->verifier().Finish();
  if (!summary.ok() || !summary->balances_replayed) return summary;
  absl::Status compared = CompareBalances((*reader)->Balances(), summary->balances);
  if (!compared.ok()) return compared;
  return summary;
}

std::string SignatureLine(const pay::VerifySummary& summary, uint64_t unsigned_entries) {
  if (summary.checkpoints == 0) {
    return "no checkpoint: no entry is covered by a signature";
  }
  return absl::StrCat(
      "signed up to entry ", summary.last_checkpoint_sequence, " (the last checkpoint); ",
      unsigned_entries == 0
          ? std::string("every entry is covered by a signature")
          : absl::StrCat(unsigned_entries, " entries after it are not yet covered by a signature"));
}

void PrintSummary(const pay::VerifySummary& summary, uint64_t unsigned_entries,
                  const VerifyFlags& flags, const ClientConfig& config) {
  const bool compared = !flags.data_dir.empty() && summary.balances_replayed;
  if (config.output.format == OutputFormat::kJson) {
    nlohmann::ordered_json balances = nullptr;
    if (summary.balances_replayed) {
      balances = nlohmann::ordered_json::array();
      for (const pay::AccountBalance& balance : summary.balances) {
        balances.push_back({{"account", balance.account},
                            {"currency", balance.balance.currency()},
                            {"minor_units", balance.balance.minor_units()}});
      }
    }
    nlohmann::ordered_json document = {
        {"verified", true},
        {"agency_id", flags.agency_id},
        {"entries", summary.entries},
        {"checkpoints", summary.checkpoints},
        {"first_sequence", summary.first_sequence},
        {"last_sequence", summary.last_sequence},
        {"last_checkpoint_sequence", summary.last_checkpoint_sequence},
        {"unsigned_entries", unsigned_entries},
        {"balances", balances},
        // Only a data directory has stored balances to compare (and only an unfiltered one).
        {"balances_match_store",
         compared ? nlohmann::ordered_json(true) : nlohmann::ordered_json(nullptr)}};
    std::cout << document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
              << "\n";
    return;
  }
  std::cout << "verified " << summary.entries << " entries"
            << (flags.agency_id.empty() ? "" : " of agency " + flags.agency_id + " and checkpoints")
            << ": sequences " << summary.first_sequence << ".." << summary.last_sequence << ", "
            << summary.checkpoints << " checkpoints\n"
            << SignatureLine(summary, unsigned_entries) << "\n";
  if (!summary.balances_replayed) return;
  std::cout << "balances (replayed from the entries):\n";
  size_t width = 0;
  for (const pay::AccountBalance& balance : summary.balances) {
    width = std::max(width, balance.account.size());
  }
  for (const pay::AccountBalance& balance : summary.balances) {
    std::cout << "  " << balance.account << std::string(width - balance.account.size() + 2, ' ')
              << balance.balance.ToString() << "\n";
  }
  if (compared) std::cout << "the data directory's stored balances match\n";
}

int RunVerify(const VerifyFlags& flags, const ClientConfig& config) {
  if (flags.file.empty() == flags.data_dir.empty()) {
    return ReportUsageError(
        absl::InvalidArgumentError("ledger verify: give either --file EXPORT or --data-dir DIR"));
  }
  absl::StatusOr<std::string> public_key = ReadPublicKey(flags.public_key_file);
  if (!public_key.ok()) return ReportUsageError(public_key.status());
  Verification verification(pay::VerifyOptions{*public_key, flags.agency_id}, flags.quiet);
  absl::StatusOr<pay::VerifySummary> summary =
      flags.file.empty() ? VerifyDataDir(flags, &verification) : VerifyFile(flags, &verification);
  if (absl::IsInvalidArgument(summary.status())) return ReportUsageError(summary.status());
  if (!summary.ok()) {
    std::cerr << "paycli: verify failed: " << summary.status().message() << "\n";
    return kExitRpcError;
  }
  verification.progress().Finish("");
  PrintSummary(*summary, verification.unsigned_entries(), flags, config);
  return kExitOk;
}

constexpr char kVerifyFooter[] =
    "Checks, offline and without trusting payd, an export of `paycli ledger export` (--file;\n"
    "\"-\" reads stdin) or a data directory (--data-dir, also while payd runs): sequence numbers,\n"
    "both hash chains, balanced postings, and every checkpoint's Ed25519 signature with the\n"
    "public key you were given out of band (DIR/signing.pub: 64 hex digits). The recorded\n"
    "\"hash\" and \"time\" of each exported entry must match it too. With --data-dir the stored\n"
    "balances must equal what the entries replay to. An export made with --agency is checked\n"
    "along that agency's chain: give the same --agency.\n"
    "\n"
    "Prints a summary (entries, checkpoints, how far the signatures reach, the replayed\n"
    "balances) and exits 0; on the first problem prints \"paycli: verify failed: entry N:\n"
    "reason\" (or \"line L (entry N): reason\" for a line that does not parse) and exits 1.\n"
    "Entries after the last checkpoint are linked but not yet signed: the summary counts them.\n"
    "\n"
    "Example: paycli ledger verify --public-key-file signing.pub --file ledger.jsonl";

}  // namespace

void AddLedgerVerifyCommand(CLI::App* ledger, Action* action) {
  CLI::App* verify =
      ledger->add_subcommand("verify", "Check an export or a data directory, without payd");
  verify->footer(kVerifyFooter);
  auto flags = std::make_shared<VerifyFlags>();
  verify
      ->add_option("--public-key-file", flags->public_key_file,
                   "The gateway's Ed25519 public key in hex (a copy of DIR/signing.pub)")
      ->type_name("FILE")
      ->required();
  CLI::Option* file = verify->add_option("--file", flags->file, "An export file (\"-\": stdin)")
                          ->type_name("EXPORT");
  CLI::Option* data_dir =
      verify->add_option("--data-dir", flags->data_dir, "A payd data directory, read offline")
          ->type_name("DIR");
  file->excludes(data_dir);
  verify
      ->add_option("--agency", flags->agency_id,
                   "The export holds only this agency's entries and the checkpoints")
      ->type_name("ID");
  verify
      ->add_option("--format", flags->format,
                   "Format of --file (default: from its extension, .jsonl or .csv)")
      ->type_name("jsonl|csv");
  verify->add_flag("-q,--quiet", flags->quiet, "No progress on stderr");
  SetAction(verify, flags, action, &RunVerify);
}

}  // namespace paycli
