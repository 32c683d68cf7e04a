// QuickFIX-format settings files: a [DEFAULT] section and one [SESSION] section per session,
// `Key=Value` lines, '#' comments. Each session sees its own keys over the defaults. Keys are
// the ones setting_keys.h lists (any case, as QuickFIX/C++ reads them). Every problem of a file
// is reported in one go, each naming the file, the line and the key.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/engine/engine.h"
#include "fixgate/gateway/setting_keys.h"
#include "fixgate/store/file_store.h"

namespace fixgate::gateway {

// One value and where it came from.
struct Setting {
  std::string value;
  std::string file;
  int line = 0;               // 0: not from a file (a database row)
  std::string key;            // as written (the maps hold the table's spelling)
  std::string where() const;  // "file:line: Key"
};

// Typed reads of one value; an error names file, line and key.
Result<bool> read_bool(const Setting& s);  // Y/N (also true/false, yes/no)
Result<long long> read_int(const Setting& s, long long min, long long max);
Result<double> read_number(const Setting& s, double min, double max);  // "1.5"

// The settings of one session: its [SESSION] keys over the [DEFAULT] keys.
class SessionSettings {
 public:
  bool has(std::string_view key) const { return find(key) != nullptr; }
  const Setting* find(std::string_view key) const;  // by the table's spelling
  // Typed getters: a missing key is an error naming the section.
  Result<std::string> get_string(std::string_view key) const;
  std::string get_string_or(std::string_view key, std::string fallback) const;
  Result<long long> get_int(std::string_view key, long long min, long long max) const;
  Result<bool> get_bool(std::string_view key) const;
  Result<double> get_number(std::string_view key, double min, double max) const;

  // Where the [SESSION] section starts, for errors about the section as a whole.
  std::string section_where() const {
    return section_line_ ? file_ + ":" + std::to_string(section_line_) : file_;
  }

  using Map = std::map<std::string, Setting, std::less<>>;
  Map own;                              // keys of this [SESSION]
  std::shared_ptr<const Map> defaults;  // the [DEFAULT] keys, shared by all sessions
  std::string file_;
  int section_line_ = 0;
};

class Settings {
 public:
  // Reads every line, collecting problems instead of stopping at the first: errors() holds
  // each one ("file:line: Key: why"; an unknown key with a "did you mean"), warnings() one line
  // per ignored key, at its first use in the file.
  static Settings read(std::string_view text, std::string file = "<settings>");
  static Settings read_file(const std::string& path);
  // read(), failing with every error, one per line.
  static Result<Settings> parse(std::string_view text, std::string file = "<settings>");
  static Result<Settings> load_file(const std::string& path);

  const std::vector<SessionSettings>& sessions() const { return sessions_; }
  const SessionSettings::Map& defaults() const { return *defaults_; }
  const std::string& file() const { return file_; }
  const std::vector<std::string>& errors() const { return errors_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  std::shared_ptr<SessionSettings::Map> defaults_ = std::make_shared<SessionSettings::Map>();
  std::vector<SessionSettings> sessions_;
  std::string file_;
  std::vector<std::string> errors_, warnings_;
};

// Where a session's messages are kept.
struct StoreSetup {
  // "memory", "file" (<path>/<session>/), "sqlite" (<path>/fixgate.db, WAL) or "postgres";
  // empty until read: FileStorePath then chooses file, its absence memory (as it chooses
  // QuickFIX's FileStore or MemoryStore).
  std::string type;
  std::string path;  // FileStorePath
  store::FileStoreOptions file;
  std::string postgres;  // PostgresConnection: a libpq conninfo
  std::string where;     // "file:line: Key" of the key that chose it, for errors when opening
};

// What the [DEFAULT]-only keys configure: the engine, and the gateway around it (fixgated's
// command line sets the same, over the file).
struct DaemonOptions {
  engine::EngineOptions engine;
  std::string sessions_database;  // SessionsDatabase (--db): LP sessions from a table
  std::chrono::milliseconds sessions_poll_interval{1000};  // SessionsPollInterval
  std::string admin_address;     // AdminAddress (--admin): HOST:PORT of the admin API; "" none
  std::string admin_token_file;  // AdminTokenFile (--admin-token-file): name:token lines
  bool admin_reads_need_token = false;          // AdminReadsNeedToken
  std::string admin_audit_log;                  // AdminAuditLog: one JSON line per change
  std::string nats_url;                         // NatsUrl (--nats): status events; "" none
  std::string nats_subject_prefix = "fixgate";  // NatsSubjectPrefix
  bool nats_jetstream = false;                  // NatsJetStream: publish into a stream
  std::string nats_kv_bucket;                   // NatsKvBucket: each LP's status, for late readers
  // fixgated's own log, <[DEFAULT] FileLogPath>/fixgated.log: rotated at this size in bytes (0:
  // never, logrotate's job), keeping this many rotated files.
  uint64_t log_file_max_size = 0;  // LogFileMaxSize
  size_t log_file_max_files = 5;   // LogFileMaxFiles
};

// Everything one [SESSION] configures.
struct SessionSetup {
  engine::SessionOptions manager;
  StoreSetup store;
  std::string app;           // App: "echo" or "none"; empty when not set (fixgated's --app decides)
  std::string provider;      // Provider: the LP's name; empty: from TargetCompID
  bool is_template = false;  // AcceptorTemplate=Y
  std::vector<std::string> allowed_comp_ids;  // AllowedCompIDs of a template
  // Keys that decide how others are read.
  bool use_data_dictionary = true;  // UseDataDictionary: load and validate with dictionaries
  bool non_stop_session = false;    // NonStopSession: no schedule
  bool use_local_time = false;      // UseLocalTime: the schedule in the machine's zone
  bool file_store_sync = false;     // FileStoreSync: FsyncPolicy=always unless that is set
  std::string where;                // "file:line" of the [SESSION]
};

// What every session starts from before its keys are read: the structs' own defaults, except
// where a settings file means what QuickFIX means: ReconnectInterval is a fixed 30 s, an acceptor
// listens on every address, and the file store that FileStorePath selects fsyncs in batches.
const SessionSetup& session_defaults();

// The [DEFAULT]-only keys (EngineThreads, BusyPollMicros, SessionsDatabase, AdminAddress …); a
// [SESSION] that sets one is an error of Settings::read.
Result<DaemonOptions> to_daemon_options(const Settings& s);

// Builds one session, checking every value; the error lists every problem of the session, one
// per line. Dictionaries named by DataDictionary, TransportDataDictionary and AppDataDictionary
// are loaded (read only).
Result<SessionSetup> to_session_setup(const SessionSettings& s);
Result<engine::SessionOptions> to_session_options(const SessionSettings& s);  // its `manager`

// A session with AcceptorTemplate=Y as a template for dynamic acceptor sessions (TargetCompID=*)
// that the counterparties in AllowedCompIDs may create by logging on; each gets its own store.
engine::AcceptorTemplate to_acceptor_template(const SessionSetup& s);

// Opens the session's store (creating its files).
Result<std::unique_ptr<session::Store>> open_store(const StoreSetup& s,
                                                   const session::SessionId& id);
// What opening the store needs, checked without creating, opening for writing or locking
// anything: the directories exist and are writable, or could be created.
Status check_store(const StoreSetup& s, const session::SessionId& id);
// A directory the daemon would write into (or create): exists and is writable, or its nearest
// existing parent is. `where` names the key in errors.
Status check_writable_directory(const std::string& path, const std::string& where);

}  // namespace fixgate::gateway
