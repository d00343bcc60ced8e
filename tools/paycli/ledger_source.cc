// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "ledger_source.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "ledger_convert.h"
#include "pay/v1/ledger_service.grpc.pb.h"

namespace paycli {
namespace {

using google::protobuf::util::TimeUtil;

// A broken stream is resumed at most this many times, waiting 1 s, 2 s, 4 s... in between.
constexpr int kMaxResumes = 4;

bool Selected(const LedgerQuery& query, const pay::LedgerEntry& entry) {
  if (query.from_time_ms && entry.time_ms < *query.from_time_ms) return false;
  if (query.agency_id.empty() || entry.type == pay::EntryType::kCheckpoint) return true;
  return entry.agency_id == query.agency_id;
}

// Cancels a call when the client has waited longer than `limit` for its next message. Only the
// time spent waiting counts: a slow consumer of the entries does not trip it.
class IdleWatchdog {
 public:
  IdleWatchdog(grpc::ClientContext* context, std::chrono::milliseconds limit)
      : context_(context), limit_(limit), thread_([this] { Run(); }) {}
  ~IdleWatchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  void BeginWait() {
    std::lock_guard<std::mutex> lock(mu_);
    waiting_since_ = std::chrono::steady_clock::now();
    waiting_ = true;
    wake_.notify_all();
  }
  void EndWait() {
    std::lock_guard<std::mutex> lock(mu_);
    waiting_ = false;
  }
  bool fired() {
    std::lock_guard<std::mutex> lock(mu_);
    return fired_;
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (!waiting_) {
        wake_.wait(lock, [this] { return stop_ || waiting_; });
        continue;
      }
      const auto deadline = waiting_since_ + limit_;
      if (std::chrono::steady_clock::now() >= deadline) {
        fired_ = true;
        waiting_ = false;
        context_->TryCancel();
        continue;
      }
      wake_.wait_until(lock, deadline);
    }
  }

  grpc::ClientContext* context_;
  const std::chrono::milliseconds limit_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool waiting_ = false;
  bool fired_ = false;
  std::chrono::steady_clock::time_point waiting_since_;
  std::thread thread_;  // last: started once everything it reads is initialised
};

pay::v1::ExportLedgerRequest MakeRequest(const LedgerQuery& query, uint64_t from_sequence) {
  pay::v1::ExportLedgerRequest request;
  request.set_from_sequence(from_sequence);
  request.set_agency_id(query.agency_id);
  if (query.from_time_ms) {
    *request.mutable_from_time() = TimeUtil::MillisecondsToTimestamp(*query.from_time_ms);
  }
  if (query.to_time_ms) {
    *request.mutable_to_time() = TimeUtil::MillisecondsToTimestamp(*query.to_time_ms);
  }
  return request;
}

// One ExportLedger call from *next_sequence; advances it past every entry delivered.
ReadOutcome StreamOnce(pay::v1::LedgerService::Stub& stub, const LedgerQuery& query,
                       const ClientConfig& config, const EntryVisitor& visit,
                       uint64_t* next_sequence, bool* progressed) {
  grpc::ClientContext context;
  PrepareStreamContext(config, &context);
  const auto idle_limit =
      std::chrono::milliseconds(static_cast<int64_t>(config.timeout_seconds * 1000));
  IdleWatchdog watchdog(&context, idle_limit);
  std::unique_ptr<grpc::ClientReader<pay::v1::LedgerEntry>> reader =
      stub.ExportLedger(&context, MakeRequest(query, *next_sequence));
  pay::v1::LedgerEntry message;
  std::string hash;
  absl::Status local;
  bool stopped = false;
  while (true) {
    watchdog.BeginWait();
    const bool received = reader->Read(&message);
    watchdog.EndWait();
    if (!received) break;
    pay::Result<pay::LedgerEntry> entry = payd::FromProto(message);
    if (!entry.ok() || message.sequence() < *next_sequence) {
      local = absl::DataLossError(absl::StrCat(
          "payd sent entry ", message.sequence(), " that is not a valid ledger entry here: ",
          entry.ok() ? absl::StrCat("expected sequence ", *next_sequence, " or later")
                     : std::string(entry.status().message())));
    }
    if (local.ok()) hash = pay::EntryHash(*entry);
    if (!local.ok() || !visit(*entry, hash)) {
      stopped = true;
      context.TryCancel();
      while (reader->Read(&message)) {
      }
      break;
    }
    *next_sequence = entry->sequence + 1;
    *progressed = true;
  }
  grpc::Status status = reader->Finish();
  if (!local.ok()) return {local, false};
  if (stopped || status.ok()) return {absl::OkStatus(), true};
  if (watchdog.fired()) {
    return {absl::DeadlineExceededError(absl::StrCat(
                "payd sent nothing for ", config.timeout_seconds, "s (raise --timeout)")),
            false};
  }
  return {absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message()),
          true};
}

ReadOutcome ReadFromPayd(const LedgerQuery& query, const ClientConfig& config,
                         const EntryVisitor& visit) {
  auto stub = pay::v1::LedgerService::NewStub(CreateChannel(config));
  uint64_t next_sequence = std::max<uint64_t>(query.from_sequence, 1);
  for (int resumes = 0;; ++resumes) {
    bool progressed = false;
    ReadOutcome outcome = StreamOnce(*stub, query, config, visit, &next_sequence, &progressed);
    // Resumable only when the stream broke after delivering something: a payd that cannot be
    // reached at all is reported at once.
    if (outcome.status.code() != absl::StatusCode::kUnavailable || !progressed ||
        resumes >= kMaxResumes) {
      return outcome;
    }
    std::cerr << "paycli: the stream broke before sequence " << next_sequence << " ("
              << outcome.status.message() << "); resuming from there\n";
    std::this_thread::sleep_for(std::chrono::seconds(1 << resumes));
  }
}

}  // namespace

namespace {

// Entries go from the reading thread to the visiting one in batches of this many; at most
// kBatchesInFlight batches exist (the reader waits when all are full): a few MiB at most.
constexpr size_t kBatchEntries = 512;
constexpr size_t kBatchesInFlight = 4;

struct Batch {
  std::vector<pay::LedgerEntry> entries;  // reused: copying into them reuses their storage
  std::vector<std::string> hashes;
  size_t size = 0;
};

// Hands batches from one reading thread to one visiting thread, and back once visited.
class BatchPipe {
 public:
  BatchPipe() {
    for (size_t i = 0; i < kBatchesInFlight; ++i) {
      batches_[i].entries.resize(kBatchEntries);
      batches_[i].hashes.resize(kBatchEntries);
      free_.push_back(&batches_[i]);
    }
  }

  // Reader: an empty batch to fill; nullptr once the visitor stopped.
  Batch* TakeFree() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return stopped_ || !free_.empty(); });
    if (stopped_) return nullptr;
    Batch* batch = free_.front();
    free_.pop_front();
    batch->size = 0;
    return batch;
  }
  void PutFull(Batch* batch) {
    std::lock_guard<std::mutex> lock(mu_);
    full_.push_back(batch);
    changed_.notify_all();
  }
  void FinishReading() {
    std::lock_guard<std::mutex> lock(mu_);
    reading_done_ = true;
    changed_.notify_all();
  }

  // Visitor: the next filled batch; nullptr when the reader finished and all were visited.
  Batch* TakeFull() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return reading_done_ || !full_.empty(); });
    if (full_.empty()) return nullptr;
    Batch* batch = full_.front();
    full_.pop_front();
    return batch;
  }
  void PutFree(Batch* batch) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(batch);
    changed_.notify_all();
  }
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    changed_.notify_all();
  }

 private:
  Batch batches_[kBatchesInFlight];
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Batch*> free_;
  std::deque<Batch*> full_;
  bool reading_done_ = false;
  bool stopped_ = false;
};

}  // namespace

absl::Status ReadLedgerOffline(const pay::LedgerReader& reader, const LedgerQuery& query,
                               const EntryVisitor& visit) {
  // Two threads, because a long scan is bound by the processor: this one visits (formats and
  // writes an export, or checks the chains) while a reader decodes and hashes the entries.
  BatchPipe pipe;
  absl::Status read_status;
  std::thread reading([&] {
    Batch* batch = nullptr;
    read_status =
        reader.ReadHashedEntries(std::max<uint64_t>(query.from_sequence, 1),
                                 [&](const pay::LedgerEntry& entry, std::string_view hash) {
                                   // Times never decrease: nothing after this entry matches either.
                                   if (query.to_time_ms && entry.time_ms >= *query.to_time_ms)
                                     return false;
                                   if (!Selected(query, entry)) return true;
                                   if (batch == nullptr && (batch = pipe.TakeFree()) == nullptr)
                                     return false;
                                   batch->entries[batch->size] = entry;
                                   batch->hashes[batch->size].assign(hash);
                                   if (++batch->size == kBatchEntries) {
                                     pipe.PutFull(batch);
                                     batch = nullptr;
                                   }
                                   return true;
                                 });
    if (batch != nullptr) pipe.PutFull(batch);
    pipe.FinishReading();
  });
  bool stopped = false;
  while (Batch* batch = pipe.TakeFull()) {
    for (size_t i = 0; i < batch->size && !stopped; ++i) {
      stopped = !visit(batch->entries[i], batch->hashes[i]);
    }
    pipe.PutFree(batch);
    if (stopped) {
      pipe.Stop();
      break;
    }
  }
  reading.join();
  return read_status;
}

ReadOutcome ReadLedger(const LedgerQuery& query, const ClientConfig& config,
                       const EntryVisitor& visit) {
  if (query.data_dir.empty()) return ReadFromPayd(query, config, visit);
  pay::Result<std::unique_ptr<pay::LedgerReader>> reader = pay::LedgerReader::Open(query.data_dir);
  if (!reader.ok() && !absl::IsDataLoss(reader.status())) {
    // Not a data directory (or not readable): the command line is what is wrong.
    return {absl::InvalidArgumentError(absl::StrCat("--data-dir: ", reader.status().message())),
            false};
  }
  if (!reader.ok()) return {reader.status(), false};
  return {ReadLedgerOffline(**reader, query, visit), false};
}

int ReportReadFailure(const ReadOutcome& outcome, const ClientConfig& config,
                      const std::string& what) {
  if (outcome.remote) {
    return ReportRpcError(grpc::Status(static_cast<grpc::StatusCode>(outcome.status.code()),
                                       std::string(outcome.status.message())),
                          config);
  }
  if (absl::IsInvalidArgument(outcome.status)) return ReportUsageError(outcome.status);
  std::cerr << "paycli: " << what << " failed: " << outcome.status.message() << "\n";
  return kExitRpcError;
}

}  // namespace paycli
