// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// PaymentService.WatchPayments: the caller's events, streamed from the ledger.

#include <atomic>
#include <string>

#include "auth.h"
#include "event_convert.h"
#include "services.h"
#include "watch_control.h"

namespace payd {
namespace {

// Each watch holds a server thread for as long as it runs: at most this many at once, so that
// watchers cannot starve the payment path of threads.
constexpr int kMaxConcurrentWatches = 16;
std::atomic<int> active_watches{0};
std::atomic<bool> watches_stopping{false};

}  // namespace

void StopWatches() { watches_stopping = true; }

grpc::Status PaymentServiceImpl::WatchPayments(grpc::ServerContext* context,
                                               const pay::v1::WatchPaymentsRequest* request,
                                               grpc::ServerWriter<pay::v1::PaymentEvent>* writer) {
  return HandleCall(*gateway_, context, "WatchPayments", [&](const pay::Principal& caller) {
    pay::EventFilter filter;
    filter.from_sequence = request->from_sequence();
    filter.agency_id = request->agency_id();
    if (active_watches.fetch_add(1) >= kMaxConcurrentWatches) {
      --active_watches;
      return absl::ResourceExhaustedError(std::to_string(kMaxConcurrentWatches) +
                                          " payment watches are already running; retry later");
    }
    struct Release {
      ~Release() { --active_watches; }
    } release;
    uint64_t last_written = 0;
    bool client_gone = false;
    pay::v1::PaymentEvent message;
    pay::Status status = gateway_->WatchEvents(
        caller, filter,
        [&](const pay::PaymentEvent& event) {
          message.Clear();
          ToProto(event, &message);
          // Write blocks while the client is not reading (flow control): nothing piles up here.
          if (!writer->Write(message)) {
            client_gone = true;
            return false;
          }
          last_written = event.sequence;
          return true;
        },
        [&] { return context->IsCancelled() || watches_stopping.load(); });
    if (client_gone || (status.code() == absl::StatusCode::kCancelled && !watches_stopping)) {
      return absl::CancelledError("the client went away after sequence " +
                                  std::to_string(last_written));
    }
    if (status.code() == absl::StatusCode::kCancelled) {
      return absl::UnavailableError("payd is shutting down after sequence " +
                                    std::to_string(last_written) +
                                    "; resume with from_sequence = the last sequence received + 1");
    }
    return status;
  });
}

}  // namespace payd
