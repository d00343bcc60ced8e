// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The simulators' --seed-wallet / --seed-account values: "ID:CURRENCY:MINOR_UNITS:NAME" (the name
// may itself contain colons). Shared by wallet-sim and bank-sim; header-only.

#ifndef PAY_CONNECTORS_COMMON_SEED_SPEC_H_
#define PAY_CONNECTORS_COMMON_SEED_SPEC_H_

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>

namespace pay::sim {

struct SeedSpec {
  std::string id;  // MSISDN or IBAN
  std::string currency;
  int64_t minor_units = 0;
  std::string name;
};

// nullopt unless `text` has the four parts and a non-negative integer amount.
inline std::optional<SeedSpec> ParseSeedSpec(const std::string& text) {
  SeedSpec spec;
  std::string* fields[] = {&spec.id, &spec.currency};
  size_t start = 0;
  for (std::string* field : fields) {
    const size_t colon = text.find(':', start);
    if (colon == std::string::npos) return std::nullopt;
    *field = text.substr(start, colon - start);
    start = colon + 1;
  }
  const size_t colon = text.find(':', start);
  if (colon == std::string::npos) return std::nullopt;
  const char* first = text.data() + start;
  const char* last = text.data() + colon;
  auto [end, error] = std::from_chars(first, last, spec.minor_units);
  if (error != std::errc() || end != last || spec.minor_units < 0) return std::nullopt;
  spec.name = text.substr(colon + 1);
  if (spec.id.empty() || spec.currency.empty() || spec.name.empty()) return std::nullopt;
  return spec;
}

}  // namespace pay::sim

#endif  // PAY_CONNECTORS_COMMON_SEED_SPEC_H_
