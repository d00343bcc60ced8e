// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// International Bank Account Numbers (ISO 13616) as the bank connector and the bank simulator
// handle them: normalising what a citizen typed, the mod-97 check, building test IBANs, and
// masking an IBAN for log lines (full account numbers are not logged).

#ifndef PAY_CONNECTORS_ISO20022_IBAN_H_
#define PAY_CONNECTORS_ISO20022_IBAN_H_

#include <string>
#include <string_view>

#include "pay/status.h"

namespace pay::iso20022 {

// The canonical form of an IBAN typed by a person: spaces and hyphens removed, letters
// upper-cased. The result has the ISO 20022 IBAN2007Identifier shape (two letters, two check
// digits, 1 to 30 letters or digits; at most 34 characters) and a correct mod-97 check.
// Anything else -> kInvalidArgument naming `field` and the problem (never the whole value).
Result<std::string> NormalizeIban(std::string_view text, std::string_view field = "iban");

// An IBAN with correct check digits: `country` (two upper-case letters) + check digits +
// `bban` (upper-case letters and digits). For tests and the simulator; PAY_CHECKs its input.
std::string MakeIban(std::string_view country, std::string_view bban);

// "SA44…0519": country, check digits and the last four characters, for log lines.
std::string MaskIban(std::string_view iban);

}  // namespace pay::iso20022

#endif  // PAY_CONNECTORS_ISO20022_IBAN_H_
