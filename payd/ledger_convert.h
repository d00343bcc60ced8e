// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// pay::LedgerEntry <-> pay.v1.LedgerEntry, lossless both ways, so that a client can recompute
// hashes from what it received. Shared by payd (export) and paycli (export over gRPC).

#ifndef PAY_PAYD_LEDGER_CONVERT_H_
#define PAY_PAYD_LEDGER_CONVERT_H_

#include "pay/ledger_entry.h"
#include "pay/v1/ledger_service.pb.h"

namespace payd {

void ToProto(const pay::LedgerEntry& entry, pay::v1::LedgerEntry* out);

// kInvalidArgument when the message cannot be a ledger entry (unknown type or currency, a state
// out of range).
pay::Result<pay::LedgerEntry> FromProto(const pay::v1::LedgerEntry& entry);

}  // namespace payd

#endif  // PAY_PAYD_LEDGER_CONVERT_H_
