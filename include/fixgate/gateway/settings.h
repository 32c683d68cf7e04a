// QuickFIX-format settings files: a [DEFAULT] section and one [SESSION] section per session,
// `Key=Value` lines, '#' comments. Each session sees its own keys over the defaults. Errors name
// the file, the line and the key, so a configuration mistake is found at start-up.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/engine/session_manager.h"

namespace fixgate::gateway {

// One value and where it came from.
struct Setting {
  std::string value;
  std::string file;
  int line = 0;
  std::string where(std::string_view key) const;  // "file:line: Key"
};

// The settings of one session: its [SESSION] keys over the [DEFAULT] keys.
class SessionSettings {
 public:
  bool has(std::string_view key) const { return find(key) != nullptr; }
  const Setting* find(std::string_view key) const;
  // Typed getters: an error names file, line and key; a missing required key names the section.
  Result<std::string> get_string(std::string_view key) const;
  std::string get_string_or(std::string_view key, std::string fallback) const;
  Result<long long> get_int(std::string_view key, long long min, long long max) const;
  Result<bool> get_bool(std::string_view key) const;  // Y/N (also true/false, yes/no)
  Result<double> get_number(std::string_view key, double min, double max) const;  // "1.5"

  // Where the [SESSION] section starts, for errors about the section as a whole.
  std::string section_where() const { return file_ + ":" + std::to_string(section_line_); }

  using Map = std::map<std::string, Setting, std::less<>>;
  Map own;                              // keys of this [SESSION]
  std::shared_ptr<const Map> defaults;  // the [DEFAULT] keys, shared by all sessions
  std::string file_;
  int section_line_ = 0;
};

class Settings {
 public:
  static Result<Settings> parse(std::string_view text, std::string file = "<settings>");
  static Result<Settings> load_file(const std::string& path);

  const std::vector<SessionSettings>& sessions() const { return sessions_; }
  const SessionSettings::Map& defaults() const { return *defaults_; }

 private:
  std::shared_ptr<SessionSettings::Map> defaults_ = std::make_shared<SessionSettings::Map>();
  std::vector<SessionSettings> sessions_;
};

// Every key fixgate understands (QuickFIX's names plus our own); any other key is an error.
bool is_known_key(std::string_view key);

// The engine's options, from [DEFAULT] only (a [SESSION] that sets one is an error):
// EngineThreads (event loop threads, 0 = one per core), BusyPollMicros and BusyPollYield
// (EngineOptions::busy_poll and busy_poll_yield).
Result<engine::EngineOptions> to_engine_options(const Settings& s);

// Builds the engine configuration of one session, checking every value. Dictionaries named by
// DataDictionary/TransportDataDictionary/AppDataDictionary are loaded here.
Result<engine::ManagerConfig> to_manager_config(const SessionSettings& s);
// AcceptorTemplate=Y: the section is a template for dynamic acceptor sessions (TargetCompID=*)
// that the counterparties in AllowedCompIDs (comma-separated, or *) may create by logging on;
// each gets its store from the section's store keys. nullopt for an ordinary session.
Result<std::optional<engine::AcceptorTemplate>> to_acceptor_template(const SessionSettings& s);

// Opens the session's store: StoreType=sqlite (the default when FileStorePath is set:
// <FileStorePath>/fixgate.db, WAL), file (<FileStorePath>/<session>/, FsyncPolicy
// always|batch|never), postgres (PostgresConnection=<libpq conninfo>) or memory (the default
// without FileStorePath).
Result<std::unique_ptr<session::Store>> open_store(const SessionSettings& s,
                                                   const session::SessionId& id);

}  // namespace fixgate::gateway
