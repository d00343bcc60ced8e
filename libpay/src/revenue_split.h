// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// How the money collected on a fee is split across revenue accounts, to the minor unit.
//
// The rule (docs/ledger-format.md, "Revenue split"), for a cumulative amount X collected towards
// the fee's own amount A (X <= A; anything collected beyond A is penalty money):
//   1. fixed shares, in their order, each take min(fixed, what is left of X);
//   2. each basis-point share takes floor(R * bp / 10000) of the rest R left after step 1;
//   3. the remainder (what no share took, including every rounding leftover) goes to the main
//      account revenue/<agency>.
// A payment that brings the collected total from X0 to X1 is credited Split(X1) - Split(X0) per
// account, so partial payments always add up exactly to Split(total). Every share's part is
// monotone in X, so its difference is >= 0; the remainder is not quite (when several basis-point
// shares round up at once it can drop by a few minor units), so for a tiny payment on a fee with
// several basis-point shares the difference of revenue/<agency> can be negative: it is then a
// debit of that account in the same balanced entry (rounding moved between accounts). Penalty
// money (collected beyond A) goes to revenue/<agency>/penalties.

#ifndef PAY_SRC_REVENUE_SPLIT_H_
#define PAY_SRC_REVENUE_SPLIT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pay/fee_terms.h"
#include "pay/ledger_entry.h"
#include "pay/status.h"

namespace pay::internal {

// revenue/<agency>/<label>
std::string RevenueShareAccount(std::string_view agency_id, std::string_view label);
// revenue/<agency>/penalties
std::string PenaltyAccount(std::string_view agency_id);

// Split(X): the amount of each share (in `shares` order) followed by the remainder (the last
// element). `collected` must be in [0, kMaxAmountMinor * 16]; the parts sum to it exactly.
std::vector<int64_t> SplitAmount(int64_t collected, const std::vector<RevenueShare>& shares);

// The revenue postings (zero parts left out; positive but for the remainder case above) of money
// that raises what was collected on a fee of `fee_amount` minor units from `collected_before` to
// `collected_after` (both in minor units of `currency`): the split of the part up to fee_amount,
// the rest to revenue/<agency>/penalties. The postings sum to collected_after - collected_before.
Result<std::vector<Posting>> SplitIncrement(std::string_view agency_id, std::string_view currency,
                                            const std::vector<RevenueShare>& shares,
                                            int64_t fee_amount, int64_t collected_before,
                                            int64_t collected_after);

}  // namespace pay::internal

#endif  // PAY_SRC_REVENUE_SPLIT_H_
