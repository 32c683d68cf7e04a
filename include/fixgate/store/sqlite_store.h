// SqliteStore: a Store in one SQLite database file (WAL mode), one transaction per commit.
// Several sessions may share a file, each under its own session id; the daemon's default.
// Like FileStore and PgStore it takes one writer per session (SqliteStoreOptions::exclusive).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "fixgate/base/result.h"
#include "fixgate/session/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace fixgate::store {

// Which session's rows a SqliteStore owns, and how hard a commit is synced.
struct SqliteStoreOptions {
  std::string session_id;  // the key of this session's rows ("" when alone in the file)
  // FULL (default): a returned commit survives an OS crash. NORMAL: in WAL mode it survives a
  // process crash; an OS crash may roll back the latest commits (never a partial one).
  bool synchronous_full = true;
  int busy_timeout_ms = 5000;  // waiting for another connection's write transaction
  // Refuse to open a session that another store, in this process or any other, has open: two
  // writers would hand out the same sequence numbers. The lock is a byte of `path` + ".lock"
  // (an open-file-description lock, gone with the store or its process, even after kill -9).
  bool exclusive = true;
  // Creation time of a session first seen by open(); the system clock when unset.
  std::optional<session::Duration> creation_time;
};

class SqliteStore final : public session::Store {
 public:
  // Opens or creates the database at `path` and this session's row in it.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path,
                                                   SqliteStoreOptions options = {});
  ~SqliteStore() override;

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  session::SeqNum next_sender_seq() const override { return next_sender_; }
  session::SeqNum next_target_seq() const override { return next_target_; }
  session::Duration creation_time() const override { return creation_time_; }
  Status commit(const session::StoreBatch& batch) override;
  Status read(session::SeqNum begin, session::SeqNum end,
              const std::function<void(session::SeqNum, std::string_view)>& visit) const override;
  Status reset(session::Duration now_utc) override;
  Status refresh() override;

  sqlite3* handle() const { return db_; }  // for tests and diagnostics

 private:
  enum Stmt { kBegin, kCommit, kRollback, kPutMessage, kSetState, kRead, kClear, kState, kCount };

  SqliteStore(std::string path, SqliteStoreOptions options);
  Status init();
  Status lock_session();
  Status exec(const char* sql);
  Status error(const std::string& what) const;
  Status run_transaction(const std::function<Status()>& body);
  Status step_done(Stmt s);

  std::string path_;
  SqliteStoreOptions options_;
  int lock_fd_ = -1;  // holds this session's lock (exclusive)
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmts_[kCount] = {};
  session::SeqNum next_sender_{1};
  session::SeqNum next_target_{1};
  session::Duration creation_time_{0};
};

}  // namespace fixgate::store
