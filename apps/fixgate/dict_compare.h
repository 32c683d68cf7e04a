// Compares two loaded dictionaries the way a validator sees them (components expanded): fields
// (tag, name, type, enum values), messages, required flags and group layouts. Each difference
// is one line, e.g. "message D: 55 Symbol required Y here, N there", so that a test can hold an
// allow-list of the known ones.
#pragma once

#include <string>
#include <vector>

#include "fixgate/dict/dictionary.h"

namespace fixgate::cli {

// Which parts to compare: a FIX 5.0 application dictionary has no header, trailer or session
// messages, and a FIXT.1.1 transport dictionary has nothing else.
struct CompareScope {
  bool fields = true;            // every field of `ours` must match; see only_our_fields
  bool only_our_fields = false;  // true: fields only in `theirs` are no difference
  bool header_trailer = true;
  bool admin_messages = true;
  bool app_messages = true;
};

// The differences between `ours` (generated) and `theirs` (the QuickFIX-format reference).
std::vector<std::string> compare_dictionaries(const dict::Dictionary& ours,
                                              const dict::Dictionary& theirs,
                                              const CompareScope& scope);

}  // namespace fixgate::cli
