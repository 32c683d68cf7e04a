// `fixgate dict generate`: converts one version of the FIX Repository into a QuickFIX-format
// XML dictionary (header, messages, trailer, components, fields with enums, nested groups).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "fixgate/base/result.h"

namespace fixgate::cli {

// The versions generate_dictionary() accepts, in order: FIX.4.0 … FIX.5.0SP2, FIXT.1.1.
std::span<const std::string_view> generator_versions();

// Reads `repo_dir`/<version> (the folder holding FIX.4.0 … FIX.5.0SP2) and returns the XML.
// Following QuickFIX: FIX 5.0 and later are application dictionaries (empty header and trailer,
// no session messages); FIXT.1.1 is the transport dictionary (header, trailer, session
// messages) taken from the FIX.5.0SP2 folder. FIX.4.3 is refused: the repository's FIX.4.3
// Fields.xml is a copy of FIX 4.2's.
Result<std::string> generate_dictionary(const std::string& repo_dir, std::string_view version);

}  // namespace fixgate::cli
