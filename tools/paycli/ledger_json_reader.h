// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// A fast reader of the JSON Lines export for lines exactly as the exporter writes them (its key
// order, no whitespace, no escapes, no {"hex": ...} text, no checkpoint), which are nearly all of
// an export: it decodes such a line without building a JSON document. Anything else it declines,
// and the caller reads the line with EntryFromJson (ledger_json.h), which accepts every valid
// line and names what is wrong with the others. For every line it accepts, the result is the one
// EntryFromJson gives (ledger_format_test.cc checks this on lines and on their corruptions).

#ifndef PAY_TOOLS_PAYCLI_LEDGER_JSON_READER_H_
#define PAY_TOOLS_PAYCLI_LEDGER_JSON_READER_H_

#include <string_view>

#include "ledger_text.h"

namespace paycli {

// Decodes `line` into *out and returns true when it is in the exporter's exact form and valid;
// returns false otherwise (*out is then unspecified: read the line with EntryFromJson). Reuses the
// storage of out->entry's strings.
bool FastEntryFromJson(std::string_view line, ExportedEntry* out);

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_LEDGER_JSON_READER_H_
