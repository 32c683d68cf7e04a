// The LP gateway's core: runs one FIX session per enabled row of the sessions table, follows the
// table's inserts, updates and deletes while running, and writes each LP's status back.
//
// Threads. One supervisor thread owns the database connection and every LP's state: it reloads
// the table (at once on a PostgreSQL NOTIFY, else every poll interval), starts and stops sessions,
// turns their events into statuses and writes them. Each LP's session runs on an engine of its
// own (one event loop thread), whose listener only queues events for the supervisor, so no FIX
// session ever waits on the database or on NATS. Admin calls (LpControl) are queued as commands
// and answered by the supervisor thread; reads take a snapshot under a mutex.
//
// Statuses (the `status` column): 1 once the session is Active (logged on, no resend
// outstanding); 2 with the reason when it fails (connection refused or lost, logon refused,
// heartbeat timeout, store failure, a row that does not validate) while reconnects go on with
// backoff; 0 when disabled (the kill switch), logged out by an operator, deleted, or stopped.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "fixgate/base/result.h"
#include "fixgate/gateway/lp_control.h"
#include "fixgate/gateway/sessions_db.h"
#include "fixgate/gateway/settings.h"

namespace fixgate::gateway {

struct LpSupervisorOptions {
  std::string database_url;  // sql::Connection::open: sqlite:PATH or postgresql://…
  // The settings file's [DEFAULT] keys, under every row's own (null: none).
  std::shared_ptr<const SessionSettings::Map> defaults;
  std::string app = "none";  // every LP session's application: "echo" or "none"
  std::chrono::milliseconds poll_interval{1000};  // SessionsPollInterval
  // How long a graceful stop waits for the LP's Logout answer before dropping the connection.
  std::chrono::milliseconds logout_timeout{5000};
  std::string owner;  // written to `owner`; default host:pid
  // A status changed (written to the table first); on the supervisor thread, must not block.
  std::function<void(const StatusTransition&)> on_transition = {};
  // One line for the daemon's log: session events and the supervisor's decisions; any thread.
  std::function<void(std::string_view)> on_log = {};
  // The LPs' engines' own lines (connects and refusals with the peer's address …), structured, so
  // that the daemon's log rate-limits a flood of refused connections to an LP's acceptor port;
  // from the LP's loop thread. Unset: on_log gets them as text ("lp NAME: engine: …").
  std::function<void(const engine::EngineLogEntry&)> on_engine_log = {};
};

class LpSupervisor final : public LpControl {
 public:
  // Opens and migrates the database, corrects statuses left by a fixgated that died (status 0,
  // each a transition), then starts the supervisor thread, which starts every enabled LP.
  static Result<std::unique_ptr<LpSupervisor>> start(LpSupervisorOptions options);
  ~LpSupervisor() override;  // stop(options.logout_timeout) if not stopped

  // Logs every LP out (waiting up to `timeout` in all), sets each status 0, stops the thread.
  void stop(std::chrono::milliseconds timeout);
  // Appends to fixgate_audit, on the supervisor thread (returns at once).
  void add_audit(AuditRecord record);
  // Waits until the supervisor has reloaded the table and acted on it at least once after this
  // call (tests, and `fixgate sessions import`'s callers); false on timeout.
  bool sync(std::chrono::milliseconds timeout);
  // Whether the sessions database answers (readiness): a read of its schema version, run on the
  // supervisor thread, waited for at most `timeout`. A database that does not answer in time, or a
  // supervisor thread busy that long, is not ready. Callers meanwhile share the query in flight: a
  // probe every second against a hung database queues one query, not one per probe. Any thread.
  Status ready(std::chrono::milliseconds timeout) const;
  // The enabled LPs whose store did not open, each as "provider: why" (readiness). Any thread.
  std::vector<std::string> store_problems() const;

  std::vector<LpView> list() const override;
  std::optional<LpView> find(std::string_view provider) const override;
  // Read on the supervisor thread (its database connection), waiting at most 5 s.
  Result<std::vector<LpStatusEvent>> status_events(std::string_view provider, size_t limit,
                                                   std::optional<SystemTime> since) const override;
  Result<std::vector<AuditRecord>> audit_log(size_t limit) const override;
  std::optional<LpMessageLog> message_log(std::string_view provider) const override;
  AdminOutcome disable(std::string_view provider, const AdminRequest& request) override;
  AdminOutcome enable(std::string_view provider, const AdminRequest& request) override;
  AdminOutcome kill_all(const AdminRequest& request) override;
  AdminOutcome logon(std::string_view provider, const AdminRequest& request) override;
  AdminOutcome logout(std::string_view provider, const AdminRequest& request) override;
  AdminOutcome disconnect(std::string_view provider, const AdminRequest& request) override;
  AdminOutcome test_request(std::string_view provider, const AdminRequest& request) override;
  AdminOutcome reset_sequences(std::string_view provider, const AdminRequest& request) override;
  AdminOutcome set_sequences(std::string_view provider, uint64_t next_sender, uint64_t next_target,
                             bool force, const AdminRequest& request) override;

  struct Impl;

 private:
  explicit LpSupervisor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgate::gateway
