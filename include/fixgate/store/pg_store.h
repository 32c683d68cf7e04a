// PgStore: a Store in PostgreSQL via libpq. Tables are keyed by a session id string, so many
// sessions share one database; each commit is one statement, hence one transaction.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "fixgate/base/result.h"
#include "fixgate/session/store.h"

struct pg_conn;
struct pg_result;

namespace fixgate::store {

// Which session's rows a PgStore owns, and how it keeps other writers out.
struct PgStoreOptions {
  std::string session_id;  // the key of this session's rows
  // Hold an advisory lock on the session id while open, so a second writer of the same session
  // (another engine, or a killed one whose backend has not finished) waits up to lock_timeout
  // and then fails, instead of interleaving commits.
  bool exclusive = true;
  std::chrono::milliseconds lock_timeout{10000};
  // After the connection fails, the next calls reconnect, starting at most once per this
  // interval: each call advances the connect for at most 50 ms and fails fast until it is back.
  // The session's lock is taken again without waiting; a partitioned old backend of ours that
  // still holds it is signalled to end. If a writer's row changed meanwhile (another writer),
  // the store refuses every call: reopen it.
  std::chrono::milliseconds reconnect_interval{1000};
  // Creation time of a session first seen by open(); the system clock when unset.
  std::optional<session::Duration> creation_time;
};

class PgStore final : public session::Store {
 public:
  // `conninfo` is a libpq connection string or URI; connect_timeout defaults to 10 s.
  static Result<std::unique_ptr<PgStore>> open(const std::string& conninfo, PgStoreOptions options);
  ~PgStore() override;

  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  session::SeqNum next_sender_seq() const override { return next_sender_; }
  session::SeqNum next_target_seq() const override { return next_target_; }
  session::Duration creation_time() const override { return creation_time_; }
  // One statement (messages upserted, state updated): committed by the server before it
  // returns, with the server's synchronous_commit. When the connection drops the outcome is
  // unknown: after reconnecting, the session's row shows whether it landed.
  Status commit(const session::StoreBatch& batch) override;
  Status read(session::SeqNum begin, session::SeqNum end,
              const std::function<void(session::SeqNum, std::string_view)>& visit) const override;
  Status reset(session::Duration now_utc) override;
  Status refresh() override;

  int backend_pid() const;  // diagnostics
  int socket() const;       // the connection's socket, for tests

 private:
  explicit PgStore(PgStoreOptions options);
  Status init(const std::string& conninfo);
  // The session's row: next sender and target numbers, creation time.
  struct State {
    session::SeqNum sender, target;
    session::Duration created{0};
    bool operator==(const State&) const = default;
  };
  Status lock_session(std::chrono::milliseconds wait);
  // Reconnects after a failed connection (see reconnect_interval); ok when connected.
  Status connected();
  Status reconnect();
  Status read_row();
  void note_lost(std::optional<State> if_landed);
  bool connection_failed(const pg_result* r) const;
  bool end_old_backend();
  Status error(const std::string& what, const char* detail) const;

  PgStoreOptions options_;
  pg_conn* conn_ = nullptr;
  bool lost_ = false;       // the connection failed: outcome of the last write unknown
  bool resetting_ = false;  // a non-blocking reconnect is under way
  int poll_status_ = 0;     // what libpq last asked for (PostgresPollingStatusType)
  // Unset until the first attempt, which is never held back (the steady clock starts at boot:
  // a default time_point would hold it back for reconnect_interval after the machine started).
  std::optional<std::chrono::steady_clock::time_point> last_reconnect_;
  bool unresolved_ = false;  // lost: the row is not yet checked against the notes below
  State before_loss_;
  std::optional<State> if_landed_;  // the state had the cut-off statement landed
  int backend_ = 0;                 // the connection's backend, noted while it worked
  int old_backend_ = 0;             // the backend of the lost connection
  std::string broken_;              // why the store refuses every call (until reopened)
  session::SeqNum next_sender_{1};
  session::SeqNum next_target_{1};
  session::Duration creation_time_{0};
};

}  // namespace fixgate::store
