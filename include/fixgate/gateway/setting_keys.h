// The settings keys fixgated knows, in one table: every key QuickFIX/C++ and QuickFIX/J define,
// and fixgate's own. Each entry says who defines it, where it may appear, what fixgate does with
// it (honoured, honoured differently, or accepted with a warning saying why it has no effect),
// and, for keys that set one value, how that value is read and what its default is. The reader
// (settings.h), `fixgated --list-keys` and the README's "Coming from QuickFIX" table all come
// from it, so they cannot disagree.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "fixgate/base/result.h"

namespace fixgate::gateway {

struct Setting;
struct SessionSetup;
struct DaemonOptions;

// Who defines a key (bits).
enum Origin : uint8_t { kQuickFixCpp = 1, kQuickFixJ = 2, kFixgate = 4 };

enum class Scope : uint8_t {
  kSession,  // [DEFAULT] (for every session) or [SESSION]
  kEngine,   // [DEFAULT] only: configures the daemon or its engine, not one session
};

enum class Effect : uint8_t {
  kHonoured,   // does what QuickFIX does (for fixgate's own keys: what `doc` says)
  kDifferent,  // honoured, with the difference `doc` states
  kIgnored,    // accepted with one warning per file; `doc` says why it has no effect
};

// How a key that sets one value is read into `Target`, and that value's default.
template <typename Target>
struct KeyReader {
  // Checks the value and stores it; the error names file, line and key.
  Status (*read)(const Setting&, Target&) = nullptr;
  // The default as a settings file would spell it, read from the baseline target (the struct
  // the key feeds), so the documentation cannot drift from the code.
  std::string (*show)(const Target&) = nullptr;
};

struct KeyDef {
  std::string_view name;
  uint8_t origin = 0;  // Origin bits
  Scope scope = Scope::kSession;
  Effect effect = Effect::kHonoured;
  std::string_view doc;  // what it sets; or the difference; or why it has no effect
  // Another spelling of that key (QuickFIX/J's and QuickFIX/C++'s names for one thing): read and
  // stored under that name, so setting both in one section is an error.
  std::string_view same_as = {};
  // Readers of keys that set one value; keys read together with others have none here and are
  // read by the session builder (settings.cc), but may still show a default.
  KeyReader<SessionSetup> session = {};
  KeyReader<DaemonOptions> daemon = {};  // [DEFAULT]-only keys
};

// Every key, in alphabetical order of name.
std::span<const KeyDef> setting_keys();

// The key named `name`: exactly, else ignoring case (QuickFIX/C++ reads keys so), else a
// numbered alternate (SocketConnectHost1 is SocketConnectHost's entry). Null when unknown.
const KeyDef* find_key(std::string_view name);

// The known key closest to `unknown` by edit distance (ignoring case), or "" when none is close
// enough to be a likely typo.
std::string_view closest_key(std::string_view unknown);

// The table as Markdown (`fixgated --list-keys`): key, who defines it, where it may appear, what
// fixgate does with it, its default.
std::string keys_markdown();

}  // namespace fixgate::gateway
