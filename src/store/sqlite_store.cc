#include "fixgate/store/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>

#include "posix_io.h"

namespace fixgate::store {

using session::Duration;
using session::SeqNum;

namespace {

// Table names carry a prefix: the daemon keeps its own tables (configuration, status) in the
// same file. user_version tells the schema generation for later migrations.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS fixgate_store_sessions(
  session_id    TEXT PRIMARY KEY,
  next_sender   INTEGER NOT NULL,
  next_target   INTEGER NOT NULL,
  creation_time INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS fixgate_store_messages(
  session_id TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  body       BLOB NOT NULL,
  PRIMARY KEY (session_id, seq)) WITHOUT ROWID;
)sql";

constexpr const char* kStatements[] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "INSERT OR REPLACE INTO fixgate_store_messages(session_id, seq, body) VALUES (?1, ?2, ?3)",
    "UPDATE fixgate_store_sessions SET next_sender = coalesce(?2, next_sender),"
    " next_target = coalesce(?3, next_target), creation_time = coalesce(?4, creation_time)"
    " WHERE session_id = ?1",
    "SELECT seq, body FROM fixgate_store_messages WHERE session_id = ?1 AND seq BETWEEN ?2 AND ?3"
    " ORDER BY seq",
    "DELETE FROM fixgate_store_messages WHERE session_id = ?1",
    "SELECT next_sender, next_target, creation_time FROM fixgate_store_sessions"
    " WHERE session_id = ?1",
};
static_assert(std::size(kStatements) == 8);

Duration system_now() {
  return std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch());
}

// SeqNum is unsigned; SQLite integers are signed 64-bit. Real sequence numbers fit easily.
sqlite3_int64 as_int(uint64_t v) { return static_cast<sqlite3_int64>(v); }

// Resets a statement when leaving scope, so it never holds a read transaction open.
struct StmtGuard {
  sqlite3_stmt* s;
  ~StmtGuard() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};

}  // namespace

SqliteStore::SqliteStore(std::string path, SqliteStoreOptions options)
    : path_(std::move(path)), options_(std::move(options)) {}

SqliteStore::~SqliteStore() {
  for (sqlite3_stmt* s : stmts_) sqlite3_finalize(s);
  sqlite3_close(db_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the session's lock
}

Status SqliteStore::lock_session() {
  // Named after the database's real path: a symlink or a relative path to the same file must
  // find the same lock. (The file itself may not exist yet; its folder does.)
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::weakly_canonical(path_, ec);
  const std::string lock_path = (ec ? path_ : real.string()) + ".lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return detail::io_error("open", lock_path, errno);
  // One byte per session, at a 62-bit hash of its id: sessions sharing the file do not contend.
  // OFD locks, unlike POSIX record locks, conflict between two stores of one process too, and
  // closing some other descriptor of the file does not drop them.
  uint64_t key = 14695981039346656037ULL;  // FNV-1a
  for (unsigned char c : options_.session_id) key = (key ^ c) * 1099511628211ULL;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = static_cast<off_t>(key >> 2);
  lock.l_len = 1;
  if (::fcntl(lock_fd_, F_OFD_SETLK, &lock) == 0) return Status::ok();
  const int err = errno;
  if (err == EAGAIN || err == EACCES)
    return Status::error("sqlite store " + path_ + " [" + options_.session_id +
                         "]: session is open elsewhere (its lock in " + lock_path + " is held)");
  return detail::io_error("lock", lock_path, err);
}

Status SqliteStore::error(const std::string& what) const {
  return Status::error("sqlite store " + path_ + " [" + options_.session_id + "]: " + what + ": " +
                       (db_ ? sqlite3_errmsg(db_) : "out of memory"));
}

Status SqliteStore::exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return error(sql);
  return Status::ok();
}

Status SqliteStore::step_done(Stmt s) {
  int rc = sqlite3_step(stmts_[s]);
  Status result = rc == SQLITE_DONE ? Status::ok() : error(kStatements[s]);  // before reset
  sqlite3_reset(stmts_[s]);
  sqlite3_clear_bindings(stmts_[s]);
  return result;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       SqliteStoreOptions options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, std::move(options)));
  if (Status s = store->init(); !s) return s;
  return store;
}

Status SqliteStore::init() {
  if (options_.exclusive && !path_.empty() && path_ != ":memory:")
    if (Status s = lock_session(); !s) return s;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) return error("open");
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, options_.busy_timeout_ms);
  // WAL: a commit appends to the log, readers never block the writer, and a crash mid-commit
  // leaves a log tail without a commit frame, which recovery ignores.
  sqlite3_stmt* mode = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &mode, nullptr) != SQLITE_OK)
    return error("PRAGMA journal_mode=WAL");
  std::string got;
  if (sqlite3_step(mode) == SQLITE_ROW)
    got = reinterpret_cast<const char*>(sqlite3_column_text(mode, 0));
  sqlite3_finalize(mode);
  if (got != "wal")
    return Status::error("sqlite store " + path_ + ": cannot use WAL mode (journal_mode is '" +
                         got + "')");
  if (Status s =
          exec(options_.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
      !s)
    return s;
  if (Status s = exec(kSchema); !s) return s;
  for (int i = 0; i < kCount; ++i)
    if (sqlite3_prepare_v3(db_, kStatements[i], -1, SQLITE_PREPARE_PERSISTENT, &stmts_[i],
                           nullptr) != SQLITE_OK)
      return error(std::string("prepare ") + kStatements[i]);
  Duration created = options_.creation_time ? *options_.creation_time : system_now();
  std::string insert = "INSERT OR IGNORE INTO fixgate_store_sessions VALUES (?1, 1, 1, ?2)";
  sqlite3_stmt* ins = nullptr;
  if (sqlite3_prepare_v2(db_, insert.c_str(), -1, &ins, nullptr) != SQLITE_OK) return error(insert);
  sqlite3_bind_text(ins, 1, options_.session_id.data(),
                    static_cast<int>(options_.session_id.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(ins, 2, created.count());
  int rc = sqlite3_step(ins);
  sqlite3_finalize(ins);
  if (rc != SQLITE_DONE) return error(insert);
  return refresh();
}

Status SqliteStore::refresh() {
  sqlite3_stmt* st = stmts_[kState];
  StmtGuard guard{st};
  sqlite3_bind_text(st, 1, options_.session_id.data(), static_cast<int>(options_.session_id.size()),
                    SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_DONE) return error("session row missing (deleted behind our back?)");
  if (rc != SQLITE_ROW) return error("read session state");
  next_sender_ = SeqNum(static_cast<uint64_t>(sqlite3_column_int64(st, 0)));
  next_target_ = SeqNum(static_cast<uint64_t>(sqlite3_column_int64(st, 1)));
  creation_time_ = Duration(sqlite3_column_int64(st, 2));
  return Status::ok();
}

// Runs `body` inside BEGIN IMMEDIATE … COMMIT; any failure rolls the whole thing back.
Status SqliteStore::run_transaction(const std::function<Status()>& body) {
  if (Status s = step_done(kBegin); !s) return s;
  Status s = body();
  if (s) s = step_done(kCommit);
  if (!s && !sqlite3_get_autocommit(db_)) (void)step_done(kRollback);
  return s;
}

Status SqliteStore::commit(const session::StoreBatch& batch) {
  if (batch.empty()) return Status::ok();
  const std::string& id = options_.session_id;
  Status s = run_transaction([&]() -> Status {
    sqlite3_stmt* put = stmts_[kPutMessage];
    for (const auto& m : batch.sent) {
      if (m.bytes.empty()) continue;  // admin: only the sequence number advances
      sqlite3_bind_text(put, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
      sqlite3_bind_int64(put, 2, as_int(m.seq.value));
      sqlite3_bind_blob64(put, 3, m.bytes.data(), m.bytes.size(), SQLITE_STATIC);
      if (Status e = step_done(kPutMessage); !e) return e;
    }
    if (!batch.next_sender && !batch.next_target) return Status::ok();
    sqlite3_stmt* set = stmts_[kSetState];
    sqlite3_bind_text(set, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    if (batch.next_sender) sqlite3_bind_int64(set, 2, as_int(batch.next_sender->value));
    if (batch.next_target) sqlite3_bind_int64(set, 3, as_int(batch.next_target->value));
    if (Status e = step_done(kSetState); !e) return e;
    if (sqlite3_changes(db_) != 1) return error("session row missing");
    return Status::ok();
  });
  if (!s) return s;
  if (batch.next_sender) next_sender_ = *batch.next_sender;
  if (batch.next_target) next_target_ = *batch.next_target;
  return Status::ok();
}

Status SqliteStore::read(SeqNum begin, SeqNum end,
                         const std::function<void(SeqNum, std::string_view)>& visit) const {
  sqlite3_stmt* st = stmts_[kRead];
  StmtGuard guard{st};
  const std::string& id = options_.session_id;
  sqlite3_bind_text(st, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, as_int(begin.value));
  sqlite3_bind_int64(st, 3, as_int(std::min<uint64_t>(end.value, INT64_MAX)));
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    auto seq = static_cast<uint64_t>(sqlite3_column_int64(st, 0));
    const char* body = static_cast<const char*>(sqlite3_column_blob(st, 1));
    int n = sqlite3_column_bytes(st, 1);
    visit(SeqNum(seq), std::string_view(body ? body : "", static_cast<size_t>(n)));
  }
  if (rc != SQLITE_DONE) return error("read messages");
  return Status::ok();
}

Status SqliteStore::reset(Duration now_utc) {
  const std::string& id = options_.session_id;
  Status s = run_transaction([&]() -> Status {
    sqlite3_bind_text(stmts_[kClear], 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    if (Status e = step_done(kClear); !e) return e;
    sqlite3_stmt* set = stmts_[kSetState];
    sqlite3_bind_text(set, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    sqlite3_bind_int64(set, 2, 1);
    sqlite3_bind_int64(set, 3, 1);
    sqlite3_bind_int64(set, 4, now_utc.count());
    if (Status e = step_done(kSetState); !e) return e;
    if (sqlite3_changes(db_) != 1) return error("session row missing");
    return Status::ok();
  });
  if (!s) return s;
  next_sender_ = next_target_ = SeqNum(1);
  creation_time_ = now_utc;
  return Status::ok();
}

}  // namespace fixgate::store
