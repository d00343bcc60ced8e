// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// FeeService.CreateFees: reads the stream one batch at a time, hands each batch to
// Gateway::CreateFees (which commits it durably) and only then reads the next one.

#include <string>
#include <vector>

#include "auth.h"
#include "convert.h"
#include "services.h"

namespace payd {
namespace {

// With return_fees the response lists every fee (at most ~180 bytes each, with a 128-byte key):
// this keeps it under the 4 MB a gRPC client accepts by default.
constexpr int64_t kMaxReturnedFees = 20'000;

// `status` of batch `batch_number` (1-based) of the stream, with what was committed before it.
pay::Status InBatch(const pay::Status& status, int64_t batch_number, int64_t committed_fees) {
  return pay::Status(status.code(),
                     std::string(status.message()) + " (batch " + std::to_string(batch_number) +
                         " of the stream, not committed; the " + std::to_string(committed_fees) +
                         " fees of the batches before it are committed)");
}

}  // namespace

grpc::Status FeeServiceImpl::CreateFees(grpc::ServerContext* context,
                                        grpc::ServerReader<pay::v1::CreateFeesRequest>* reader,
                                        pay::v1::CreateFeesResponse* response) {
  return HandleCall(*gateway_, context, "CreateFees", [&](const pay::Principal& caller) {
    pay::v1::CreateFeesRequest batch;
    std::vector<pay::CreateFeeRequest> requests;
    bool return_fees = false;
    int64_t batch_number = 0;
    int64_t fees_seen = 0;
    response->set_last_ledger_sequence(gateway_->LastSequence());
    while (reader->Read(&batch)) {
      ++batch_number;
      if (batch_number == 1) return_fees = batch.return_fees();
      if (batch.fees_size() > static_cast<int>(pay::kMaxFeesPerBatch)) {
        return InBatch(absl::InvalidArgumentError(
                           "fees: at most " + std::to_string(pay::kMaxFeesPerBatch) +
                           " fees per batch, this one has " + std::to_string(batch.fees_size())),
                       batch_number, fees_seen);
      }
      if (return_fees && fees_seen + batch.fees_size() > kMaxReturnedFees) {
        return InBatch(absl::InvalidArgumentError(
                           "fees: a stream with return_fees carries at most " +
                           std::to_string(kMaxReturnedFees) + " fees; start another stream"),
                       batch_number, fees_seen);
      }
      requests.clear();
      requests.reserve(batch.fees_size());
      for (int i = 0; i < batch.fees_size(); ++i) {
        pay::Result<pay::CreateFeeRequest> request = FromProto(batch.fees(i));
        if (!request.ok()) {
          return InBatch(
              pay::Status(request.status().code(), "fees[" + std::to_string(i) + "]." +
                                                       std::string(request.status().message())),
              batch_number, fees_seen);
        }
        requests.push_back(*std::move(request));
      }
      pay::Result<pay::CreateFeesResult> result = gateway_->CreateFees(caller, requests);
      if (!result.ok()) return InBatch(result.status(), batch_number, fees_seen);
      fees_seen += static_cast<int64_t>(requests.size());
      response->set_batch_count(batch_number);
      response->set_fees_created(response->fees_created() + static_cast<int64_t>(result->created));
      response->set_fees_replayed(response->fees_replayed() +
                                  static_cast<int64_t>(requests.size() - result->created));
      // The last entry the stream wrote; until it wrote one, the ledger's last sequence.
      if (result->created > 0 || response->fees_created() == 0) {
        response->set_last_ledger_sequence(result->ledger_sequence);
      }
      if (return_fees) {
        for (size_t i = 0; i < result->fees.size(); ++i) {
          const pay::Fee& fee = result->fees[i];
          pay::v1::IssuedFee* issued = response->add_fees();
          issued->set_fee_id(fee.fee_id);
          issued->set_bill_number(fee.bill_number);
          issued->set_created(result->issued_now[i]);
          issued->set_idempotency_key(requests[i].idempotency_key);
        }
      }
    }
    return pay::Status();
  });
}

}  // namespace payd
