// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Tampering with the store itself: payments made through the real payd and paycli, payd stopped,
// then one ledger entry rewritten in RocksDB (re-encoded canonically, so that it still decodes)
// or one stored balance changed. `paycli ledger verify --data-dir` must fail naming the entry,
// and so must the verification of an export of the tampered store.

#include <fcntl.h>
#include <rocksdb/db.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "pay/ledger_entry.h"
#include "payd_process.h"

#ifndef PAYCLI_BINARY
#error "PAYCLI_BINARY must be defined to the path of the paycli executable"
#endif

namespace {

using pay::integration::PaydProcess;

struct Outcome {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs paycli with `args`, stdin from /dev/null, and returns its exit code and output.
Outcome RunPaycli(const std::vector<std::string>& args) {
  std::vector<std::string> strings = {PAYCLI_BINARY};
  strings.insert(strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(pipe_fds[1], 1);
    dup2(pipe_fds[1], 2);
    close(pipe_fds[0]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  Outcome outcome;
  char buffer[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof(buffer))) > 0;)
    outcome.output.append(buffer, n);
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// The column families of libpay/src/ledger.cc; the entries are in the default one.
// Every column family of the store, in payd's order (RocksDB opens a store only with all of them).
std::vector<rocksdb::ColumnFamilyDescriptor> ColumnFamilies(const std::string& path) {
  std::vector<std::string> names;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  return descriptors;
}

std::string SequenceKey(uint64_t sequence) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, sequence >>= 8) key[i] = static_cast<char>(sequence & 0xff);
  return key;
}

// Opens the store of `data_dir` directly and calls `edit` with it and the column family handles.
void EditStore(
    const std::string& data_dir,
    const std::function<void(rocksdb::DB*, std::vector<rocksdb::ColumnFamilyHandle*>&)>& edit) {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status opened =
      rocksdb::DB::Open(rocksdb::Options(), data_dir + "/ledger",
                        ColumnFamilies(data_dir + "/ledger"), &handles, &db);
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  edit(db, handles);
  for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  ASSERT_TRUE(db->Close().ok());
  delete db;
}

// Rewrites the stored entry `sequence` with `change` applied, canonically encoded.
void RewriteEntry(const std::string& data_dir, uint64_t sequence,
                  const std::function<void(pay::LedgerEntry*)>& change) {
  EditStore(data_dir, [&](rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), handles[0], SequenceKey(sequence), &value).ok());
    pay::LedgerEntry entry;
    ASSERT_TRUE(pay::DecodeEntry(value, &entry).ok());
    change(&entry);
    rocksdb::WriteOptions sync;
    sync.sync = true;
    ASSERT_TRUE(db->Put(sync, handles[0], SequenceKey(sequence), pay::EncodeEntry(entry)).ok());
  });
}

class LedgerStoreTest : public ::testing::Test {
 protected:
  // Two agencies, payments through the sandbox, then payd stopped: the ledger ends with a signed
  // checkpoint.
  void SetUp() override {
    payd_.set_verify_ledger_at_exit(false);  // these tests tamper with the store on purpose
    ASSERT_TRUE(payd_.Init());
    ASSERT_TRUE(payd_.Start());
    Admin({"agency", "create", "--id", "passports", "--name-en", "Passports"});
    const std::string key = Admin({"credential", "create", "--role", "agency", "--agency",
                                   "passports", "--field", "api_key"});
    key_file_ = payd_.data_dir() + "/passports.key";
    std::ofstream(key_file_) << key.substr(0, key.find('\n')) << "\n";
    for (const char* idempotency_key : {"p1", "p2", "p3"}) {
      const std::string bill =
          Run({"--api-key-file", key_file_, "fee", "create", "--amount", "300.00 SAR",
               "--description-en", "Passport", "--field", "bill_number"});
      EXPECT_EQ(Run({"--api-key-file", key_file_, "pay", "--bill", bill, "--method", "sandbox",
                     "--idempotency-key", idempotency_key, "--field", "state"}),
                "SUCCEEDED");
    }
    ASSERT_EQ(payd_.Stop(), 0);
    Outcome verified = Verify(payd_.data_dir());
    ASSERT_EQ(verified.exit_code, 0) << verified.output;
    // The entries of the first SUCCEEDED payment, and of the last entry before the checkpoint.
    EditStore(payd_.data_dir(), [&](rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*>& h) {
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), h[0]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        pay::LedgerEntry entry;
        ASSERT_TRUE(pay::DecodeEntry(it->value().ToString(), &entry).ok());
        if (entry.type == pay::EntryType::kPaymentStateChanged && entry.to_state == 3 &&
            succeeded_ == 0) {
          succeeded_ = entry.sequence;
        }
        last_ = entry.sequence;
      }
    });
    ASSERT_NE(succeeded_, 0u);
  }

  // paycli against the running payd with the ADMIN key; returns its output, checked for success.
  std::string Admin(std::vector<std::string> args) {
    args.insert(args.begin(), {"--api-key-file", payd_.data_dir() + "/admin.key"});
    return Run(args);
  }
  std::string Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", payd_.target()});
    Outcome outcome = RunPaycli(args);
    EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
    return Trimmed(outcome.output.substr(0, outcome.output.find("paycli: warning")));
  }

  Outcome Verify(const std::string& data_dir) {
    return RunPaycli({"ledger", "verify", "-q", "--public-key-file",
                      payd_.data_dir() + "/signing.pub", "--data-dir", data_dir});
  }

  // The verification of the store fails naming `sequence`, and so does that of its export.
  void ExpectFailureNaming(uint64_t sequence, const std::string& what) {
    const std::regex names("entry " + std::to_string(sequence) + "([^0-9]|$)");
    Outcome verified = Verify(payd_.data_dir());
    EXPECT_EQ(verified.exit_code, 1) << verified.output;
    EXPECT_NE(verified.output.find("paycli: verify failed: "), std::string::npos)
        << verified.output;
    EXPECT_TRUE(std::regex_search(verified.output, names)) << what << ": " << verified.output;
    EXPECT_NE(verified.output.find(what), std::string::npos) << verified.output;

    const std::string export_path = payd_.data_dir() + "/tampered.jsonl";
    Outcome exported = RunPaycli(
        {"ledger", "export", "-q", "--data-dir", payd_.data_dir(), "--output", export_path});
    ASSERT_EQ(exported.exit_code, 0) << exported.output;
    Outcome file = RunPaycli({"ledger", "verify", "-q", "--public-key-file",
                              payd_.data_dir() + "/signing.pub", "--file", export_path});
    EXPECT_EQ(file.exit_code, 1) << file.output;
    EXPECT_TRUE(std::regex_search(file.output, names)) << file.output;
  }

  PaydProcess payd_;
  std::string key_file_;
  uint64_t succeeded_ = 0;  // the first PAYMENT_STATE_CHANGED to SUCCEEDED
  uint64_t last_ = 0;       // the final checkpoint
};

TEST_F(LedgerStoreTest, RewrittenAmountIsFoundAtItsEntry) {
  RewriteEntry(payd_.data_dir(), succeeded_, [](pay::LedgerEntry* entry) {
    entry->amount = *pay::Money::Create("SAR", entry->amount.minor_units() + 100);
  });
  ExpectFailureNaming(succeeded_, "entry " + std::to_string(succeeded_) + " was altered");
}

TEST_F(LedgerStoreTest, RewrittenPostingsThatStillBalanceAreFound) {
  RewriteEntry(payd_.data_dir(), succeeded_, [](pay::LedgerEntry* entry) {
    entry->amount = *pay::Money::Create("SAR", 1);
    entry->postings[0].amount = *pay::Money::Create("SAR", 1);
    entry->postings[1].amount = *pay::Money::Create("SAR", -1);
  });
  ExpectFailureNaming(succeeded_, "was altered");
}

TEST_F(LedgerStoreTest, RewrittenEntryBeforeTheCheckpointIsFound) {
  RewriteEntry(payd_.data_dir(), last_ - 1,
               [](pay::LedgerEntry* entry) { entry->detail += " (edited)"; });
  ExpectFailureNaming(last_ - 1, "was altered");
}

TEST_F(LedgerStoreTest, ResignedCheckpointWithAnotherKeyIsRefused) {
  RewriteEntry(payd_.data_dir(), last_, [](pay::LedgerEntry* entry) {
    entry->checkpoint->public_key = std::string(32, '\x01');
  });
  ExpectFailureNaming(last_, "another key");
}

TEST_F(LedgerStoreTest, StoredBalanceThatDiffersFromTheEntriesIsFound) {
  EditStore(payd_.data_dir(), [](rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*>& h) {
    // balances: account \0 currency -> fixed64 two's complement minor units.
    std::string value(8, '\0');
    value[7] = 1;
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), h[10],
                        std::string("clearing/sandbox") + '\0' + "SAR", value)
                    .ok());
  });
  Outcome verified = Verify(payd_.data_dir());
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  EXPECT_NE(verified.output.find("the stored balance of clearing/sandbox is 1 minor units of SAR, "
                                 "the entries add up to 90000"),
            std::string::npos)
      << verified.output;
}

}  // namespace
