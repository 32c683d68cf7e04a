// The gateway's tables, in SQLite or PostgreSQL: `fixgate_sessions` (one row per LP: what
// operations configure, and the status fixgated writes back), `fixgate_status_history` (one row
// per status transition, for availability over time) and `fixgate_audit` (the operators' changes).
// fixgated creates and migrates them (`fixgate_schema_version`). Not thread-safe: the LP
// supervisor's thread owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/gateway/lp_control.h"
#include "fixgate/gateway/sql.h"

namespace fixgate::gateway {

// What operations configure for one LP: the columns fixgated reads. Empty text is NULL (not set).
struct LpRow {
  std::string provider;  // unique, [A-Za-z0-9_-]{1,64}: a NATS subject token and a folder name
  bool enabled = true;
  std::string role = "initiator";  // or "acceptor"
  std::string begin_string = "FIX.4.4";
  std::string sender_comp_id, sender_sub_id, sender_location_id;
  std::string target_comp_id, target_sub_id, target_location_id;
  std::string host;             // an initiator connects to it; an acceptor listens on it
  int64_t port = 0;             // 1..65535 (an acceptor: 0 lets the kernel choose)
  std::string alternate_hosts;  // "host:port,host:port": tried in turn after `host`
  int64_t heartbeat_interval = 30;
  bool tls = false;
  std::string tls_ca_file, tls_certificate_file, tls_private_key_file;
  bool reset_on_logon = false, reset_on_logout = false, reset_on_disconnect = false;
  // "" (the settings file's [DEFAULT], else memory), "memory", "file:DIR", "sqlite:DIR" or
  // "postgresql:CONNINFO" / "postgresql://…".
  std::string store;
  // The session's schedule (QuickFIX's keys); empty start and end times: always on.
  std::string start_time, end_time, start_day, end_day, time_zone;
  std::string data_dictionary;      // path; empty: the standard one for begin_string, if found
  std::string default_appl_ver_id;  // FIXT.1.1
  std::string extra;  // a JSON object of settings keys and values: {"ResetOnLogon":"Y"}

  // Every column above but `enabled`, as one text: equal fingerprints, same session.
  std::string fingerprint() const;
};

// The columns fixgated writes for one LP.
struct LpStatusRow {
  LpStatus status = LpStatus::kInactive;
  std::string state;
  std::string status_reason;
  std::optional<SystemTime> status_changed_at;
  uint64_t next_sender_seq = 0, next_target_seq = 0;
  std::optional<SystemTime> last_received_at, last_sent_at, next_reconnect_at;
  std::string owner;        // host:pid of the fixgated that wrote it
  uint64_t transition = 0;  // per LP, +1 at every status change, never repeating
};

struct LpRecord {
  LpRow row;
  LpStatusRow status;
};

// One status change, as written to the history and published on NATS.
struct StatusTransition {
  std::string provider;
  std::string session_id;
  LpStatus old_status = LpStatus::kInactive;
  LpStatus new_status = LpStatus::kInactive;
  std::string state;
  std::string reason;
  uint64_t next_sender_seq = 0, next_target_seq = 0;
  std::string owner;
  uint64_t transition = 0;  // set by write_transition
  SystemTime at;
  std::string to_json() const;
};

class SessionsDb {
 public:
  // The schema version this build writes; migrations run from any earlier one.
  static constexpr int kSchemaVersion = 1;

  // Opens `url` (sql::Connection::open) and migrates it to kSchemaVersion (or to `version`, for
  // tests of migrations); an error for a database from a newer fixgated.
  static Result<std::unique_ptr<SessionsDb>> open(std::string_view url,
                                                  int version = kSchemaVersion);
  explicit SessionsDb(std::unique_ptr<sql::Connection> c) : c_(std::move(c)) {}

  sql::Connection& connection() { return *c_; }
  Result<int> schema_version();
  Status migrate(int version = kSchemaVersion);

  // Every row, by provider.
  Result<std::vector<LpRecord>> load();
  // Inserts `row`, or replaces the configuration of `row.provider` (its `enabled` and status
  // columns kept: only set_enabled() turns an LP on or off).
  Status upsert(const LpRow& row);
  Result<bool> remove(std::string_view provider);                     // false: no such row
  Result<bool> set_enabled(std::string_view provider, bool enabled);  // false: no such row

  // A status change: the row's status columns (`live` for all but status), transition + 1 and a
  // history row, in one transaction. Sets `t.transition` to the number written.
  Status write_transition(StatusTransition& t, const LpStatusRow& live);
  // The live columns (state, reason, sequence numbers, times) without a transition.
  Status write_live(std::string_view provider, const LpStatusRow& live);
  Status add_audit(const AuditRecord& a);
  Result<std::vector<AuditRecord>> audit(size_t last_n);  // newest first, with their times
  // fixgate_status_history of one LP, newest first, at most `limit` rows; with `since`, those at
  // or after it plus the newest one before it (LpControl::status_events).
  Result<std::vector<LpStatusEvent>> history(std::string_view provider, size_t limit,
                                             std::optional<SystemTime> since);

  // Waits up to `timeout` for another writer's change of `fixgate_sessions` (PostgreSQL:
  // LISTEN/NOTIFY, at once; SQLite: checked without waiting).
  Result<bool> changed(std::chrono::milliseconds timeout) { return c_->changed(timeout); }

 private:
  std::string time_column(std::string_view column) const;
  std::unique_ptr<sql::Connection> c_;
};

// rfc3339()'s text back (any number of fraction digits, 'Z' or +00:00); nullopt when malformed.
std::optional<SystemTime> parse_rfc3339(std::string_view text);

// A provider name as the gateway accepts it: [A-Za-z0-9_-], 1 to 64 characters.
bool valid_provider(std::string_view name);
// The default provider name of a settings-file session: its TargetCompID with every character
// outside [A-Za-z0-9_-] turned into '_'.
std::string provider_from(std::string_view target_comp_id);

}  // namespace fixgate::gateway
