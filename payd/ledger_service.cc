// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include <atomic>
#include <string>

#include "auth.h"
#include "convert.h"
#include "ledger_convert.h"
#include "services.h"

namespace payd {
namespace {

// Each export holds a server thread and a store iterator for as long as it streams: at most this
// many at once, so that audits cannot starve the payment path of threads.
constexpr int kMaxConcurrentExports = 4;
std::atomic<int> active_exports{0};

}  // namespace

grpc::Status LedgerServiceImpl::ExportLedger(grpc::ServerContext* context,
                                             const pay::v1::ExportLedgerRequest* request,
                                             grpc::ServerWriter<pay::v1::LedgerEntry>* writer) {
  return HandleCall(*gateway_, context, "ExportLedger", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::ExportFilter filter, FromProto(*request));
    if (active_exports.fetch_add(1) >= kMaxConcurrentExports) {
      --active_exports;
      return absl::ResourceExhaustedError(
          std::to_string(kMaxConcurrentExports) +
          " ledger exports are already streaming; retry when one has finished");
    }
    struct Release {
      ~Release() { --active_exports; }
    } release;
    bool stopped = false;
    uint64_t last_written = 0;
    // One message reused for every entry: its buffers are allocated once.
    pay::v1::LedgerEntry message;
    PAY_RETURN_IF_ERROR(gateway_->ExportLedger(caller, filter, [&](const pay::LedgerEntry& entry) {
      // Write blocks while the client is not reading (flow control), so a slow client
      // holds back the store iterator rather than filling memory.
      if (context->IsCancelled()) {
        stopped = true;
        return false;
      }
      message.Clear();
      ToProto(entry, &message);
      if (!writer->Write(message)) {
        stopped = true;
        return false;
      }
      last_written = entry.sequence;
      return true;
    }));
    if (stopped) {
      // The client cannot see this status any more; it is for the log.
      return absl::CancelledError(
          "the stream was cancelled or the client went away after sequence " +
          std::to_string(last_written));
    }
    return pay::Status();
  });
}

grpc::Status LedgerServiceImpl::GetCheckpoint(grpc::ServerContext* context,
                                              const pay::v1::GetCheckpointRequest* /*request*/,
                                              pay::v1::LedgerEntry* response) {
  return HandleCall(*gateway_, context, "GetCheckpoint", [&](const pay::Principal& caller) {
    PAY_ASSIGN_OR_RETURN(pay::LedgerEntry checkpoint, gateway_->GetCheckpoint(caller));
    ToProto(checkpoint, response);
    return pay::Status();
  });
}

}  // namespace payd
