// `fixgate decode`: prints FIX messages from a file, a message log or stdin with field and enum
// names.
#pragma once

#include <iosfwd>
#include <string>

#include "fixgate/dict/dictionary.h"

namespace fixgate::cli {

struct DecodeOptions {
  dict::Dictionary::Ptr dictionary;  // null: the built-in session dictionary per BeginString
  bool json = false;                 // one JSON object per message (JSON Lines)
  bool compact = false;              // one line per message
  bool validate = false;             // also report the session reject reason, if any
};

// Decodes everything in `input` (SOH, '|' or "^A" separated; one per line or a raw stream; or
// a QuickFIX or fixgated message log, whose "YYYYMMDD-HH:MM:SS.fff : " prefixes are shown as
// each message's time). Returns 0 if every byte belonged to a good message, 1 if anything was
// garbled or skipped; a bad CheckSum or BodyLength is reported with the expected value.
int decode(std::string_view input, const DecodeOptions& options, std::ostream& out,
           std::ostream& err);

}  // namespace fixgate::cli
