// What the admin API (and the status page, and `fixgate admin`) can see and do with the gateway's
// liquidity-provider sessions. The gateway's LP supervisor implements it; the admin HTTP server
// only translates HTTP to these calls. Every call is thread-safe and returns without waiting for a
// FIX counterparty (a disable starts the Logout handshake; the status moves on when it ends).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/base/latency_histogram.h"
#include "fixgate/base/result.h"
#include "fixgate/dict/dictionary.h"
#include "fixgate/session/session.h"

namespace fixgate::gateway {

// The `status` column of an LP: what routing reads. Values are stored, never renumber them.
enum class LpStatus : int {
  kInactive = 0,  // disabled (the kill switch), or not started yet
  kActive = 1,    // logged on, sequence numbers in step (the session is Active)
  kError = 2,     // failing: refused logon, lost connection, bad row … (status_reason says why)
};
// "inactive", "active", "error"
inline std::string_view to_string(LpStatus s) {
  switch (s) {
    case LpStatus::kActive:
      return "active";
    case LpStatus::kError:
      return "error";
    case LpStatus::kInactive:
      break;
  }
  return "inactive";
}

using SystemTime = std::chrono::system_clock::time_point;
// RFC 3339 in UTC with nanoseconds: "2026-12-07T20:58:12.123456789Z".
std::string rfc3339(SystemTime t);

// One LP as an operator sees it.
struct LpView {
  std::string provider;    // the row's unique name, [A-Za-z0-9_-]
  std::string session_id;  // "FIX.4.4:SENDER->TARGET"
  bool enabled = false;
  LpStatus status = LpStatus::kInactive;
  std::string state;          // the engine's session status: "active", "connecting" …
  std::string status_reason;  // why the status is what it is ("" when active)
  std::string host;           // where an initiator connects (an acceptor: where it listens)
  uint16_t port = 0;
  uint64_t next_sender_seq = 0;  // MsgSeqNum of our next message
  uint64_t next_target_seq = 0;  // MsgSeqNum expected from the LP next
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
  std::optional<SystemTime> status_changed_at;
  std::optional<SystemTime> last_received_at;
  std::optional<SystemTime> last_sent_at;
  std::optional<SystemTime> next_reconnect_at;  // set while waiting to reconnect
  std::chrono::seconds heartbeat_interval{0};   // HeartBtInt of its configuration; 0: unknown
  uint64_t transitions = 0;  // its transition number: status changes so far, stored with the row
  // The running session's counters (messages, bytes, heartbeats, resends, rejects, the current
  // gap …), counted from the start of that session: they start again at 0 when the LP's session
  // is replaced (a changed row, set_sequences, an enable after a disable), never on a reconnect.
  // nullopt while no session runs.
  std::optional<session::SessionStats> stats;
  // The running session's engine, as of now (zeros while no session runs): an initiator's
  // connection attempts and failures so far and its current backoff (ConnectStats), messages
  // waiting in its receive queue and whether reading paused because it is full, and the CPU time
  // of its loop thread (its rate: how busy the loop is; nullopt while no session runs).
  uint64_t connect_attempts = 0, connect_failures = 0;
  std::chrono::milliseconds reconnect_backoff{0};
  uint64_t receive_queue_depth = 0;
  bool reading_paused = false;
  std::optional<std::chrono::nanoseconds> loop_cpu_time;
  // The running session's store commits, timed (one per inbound batch or send; a FileStore's
  // fdatasync inside it with FsyncPolicy=always), and the store's own data syncs (FileStore
  // only). nullopt while no session runs, and sync_latency for the other stores.
  std::optional<LatencyHistogram::Snapshot> commit_latency, sync_latency;
};

// One status change of an LP, as fixgate_status_history keeps it.
struct LpStatusEvent {
  SystemTime at;
  uint64_t transition = 0;  // the LP's transition number
  LpStatus old_status = LpStatus::kInactive;
  LpStatus new_status = LpStatus::kInactive;
  std::string state, reason, owner;
};

// One operator's change, as the admin API saw it (fixgate_audit).
struct AuditRecord {
  SystemTime at;
  std::string actor, action, provider, reason, result, remote;
};

// Where an LP's session logs its messages (today's file), and what names their fields.
struct LpMessageLog {
  std::string path;         // its .messages.current.log; "" when it has no FileLogPath
  std::string our_comp_id;  // SenderCompID of the messages we send: tells out from in
  // The session's dictionaries (null: none configured; the standard one for the BeginString is
  // then used). FIXT.1.1: the transport one in `dictionary`, the application's in `app_dictionary`.
  std::shared_ptr<const dict::Dictionary> dictionary, app_dictionary;
};

// Who asks for a change and why; both go to the audit log.
struct AdminRequest {
  std::string actor;   // the token's name
  std::string reason;  // required, free text
};

// The outcome of a change. The admin API maps each code to an HTTP status.
struct AdminOutcome {
  enum class Code : uint8_t {
    kOk,          // 200
    kBadRequest,  // 400: a value out of range, a missing reason …
    kNotFound,    // 404: no LP of that name
    kConflict,    // 409: not possible in the LP's current state (e.g. sequences while logged on)
    kFailed,      // 500: tried and failed (a database write …)
  };
  Code code = Code::kOk;
  std::string message;  // what happened, or why not
  bool ok() const { return code == Code::kOk; }
  static AdminOutcome done(std::string message) { return {Code::kOk, std::move(message)}; }
};

class LpControl {
 public:
  virtual ~LpControl() = default;

  // ---- reads ----------------------------------------------------------------------------------
  virtual std::vector<LpView> list() const = 0;  // every LP, by provider name
  virtual std::optional<LpView> find(std::string_view provider) const = 0;
  // The LP's status changes, newest first, at most `limit`. With `since`: those at or after it,
  // and the newest one before it (the status in force at `since`), if any. An unknown LP has none.
  virtual Result<std::vector<LpStatusEvent>> status_events(
      std::string_view provider, size_t limit, std::optional<SystemTime> since) const = 0;
  // The operators' latest changes, newest first, at most `limit`.
  virtual Result<std::vector<AuditRecord>> audit_log(size_t limit) const = 0;
  // Where the LP's messages are logged; nullopt for an unknown LP.
  virtual std::optional<LpMessageLog> message_log(std::string_view provider) const = 0;

  // ---- changes (each is audited by the caller) -------------------------------------------------
  // The kill switch: sends Logout, ends the session, stops reconnecting, status 0; stored, so it
  // stays off across restarts until enable().
  virtual AdminOutcome disable(std::string_view provider, const AdminRequest& request) = 0;
  virtual AdminOutcome enable(std::string_view provider, const AdminRequest& request) = 0;
  // Every LP disabled in one call.
  virtual AdminOutcome kill_all(const AdminRequest& request) = 0;
  // A running, enabled LP: connect now (skip the backoff wait), or log out without disabling (it
  // reconnects per its schedule), or drop the connection without a Logout.
  virtual AdminOutcome logon(std::string_view provider, const AdminRequest& request) = 0;
  virtual AdminOutcome logout(std::string_view provider, const AdminRequest& request) = 0;
  virtual AdminOutcome disconnect(std::string_view provider, const AdminRequest& request) = 0;
  virtual AdminOutcome test_request(std::string_view provider, const AdminRequest& request) = 0;
  // Logged on: a Logon with ResetSeqNumFlag=Y, both sides back to 1.
  virtual AdminOutcome reset_sequences(std::string_view provider, const AdminRequest& request) = 0;
  // The next numbers (0 leaves one as it is). kConflict while logged on unless `force`.
  virtual AdminOutcome set_sequences(std::string_view provider, uint64_t next_sender,
                                     uint64_t next_target, bool force,
                                     const AdminRequest& request) = 0;
};

}  // namespace fixgate::gateway
