// sql::Connection over SQLite (sqlite3) and PostgreSQL (libpq).
#include "fixgate/gateway/sql.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sqlite3.h>

#include <cerrno>
#include <cstring>

namespace fixgate::gateway::sql {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(std::string path) : path_(std::move(path)) {}
  ~SqliteConnection() override { sqlite3_close(db_); }

  Status open() {
    if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK)
      return error("open");
    // Operators edit the table with other tools meanwhile: wait for their locks, don't fail.
    sqlite3_busy_timeout(db_, 5000);
    if (Status s = exec_script("PRAGMA journal_mode=WAL"); !s) return s;
    return Status::ok();
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Status exec_script(std::string_view sql) override {
    char* message = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string why = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      return Status::error(describe() + ": " + why);
    }
    return Status::ok();
  }

  Result<Rows> query(std::string_view sql, std::span<const Value> params) override {
    Rows out;
    if (Status s = run(sql, params, &out); !s) return s;
    return out;
  }

  Result<uint64_t> execute(std::string_view sql, std::span<const Value> params) override {
    if (Status s = run(sql, params, nullptr); !s) return s;
    return static_cast<uint64_t>(sqlite3_changes(db_));
  }

  Status listen(std::string_view) override { return Status::ok(); }

  Result<bool> changed(std::chrono::milliseconds) override {
    auto rows = query("PRAGMA data_version", {});
    if (!rows) return rows.status();
    const std::string version = rows->rows.at(0).at(0).value_or("");
    const bool changed = !data_version_.empty() && version != data_version_;
    data_version_ = version;
    return changed;
  }

  std::string describe() const override { return "sqlite:" + path_; }

 private:
  Status error(std::string_view what) const {
    return Status::error(describe() + ": " + std::string(what) + ": " +
                         (db_ ? sqlite3_errmsg(db_) : "out of memory"));
  }

  Status run(std::string_view sql, std::span<const Value> params, Rows* out) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
        SQLITE_OK)
      return error(sql);
    struct Finalize {
      sqlite3_stmt* s;
      ~Finalize() { sqlite3_finalize(s); }
    } finalize{stmt};
    for (size_t i = 0; i < params.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      const int rc = params[i]
                         ? sqlite3_bind_text(stmt, at, params[i]->data(),
                                             static_cast<int>(params[i]->size()), SQLITE_TRANSIENT)
                         : sqlite3_bind_null(stmt, at);
      if (rc != SQLITE_OK) return error(sql);
    }
    if (out) {
      for (int c = 0; c < sqlite3_column_count(stmt); ++c)
        out->columns.emplace_back(sqlite3_column_name(stmt, c));
    }
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return Status::ok();
      if (rc != SQLITE_ROW) return error(sql);
      if (!out) continue;
      auto& row = out->rows.emplace_back();
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
    }
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::string data_version_;
};

class PgConnection final : public Connection {
 public:
  explicit PgConnection(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  ~PgConnection() override { PQfinish(conn_); }

  Status open() {
    conn_ = PQconnectdb(conninfo_.c_str());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) return error("connect");
    // Notices ("relation already exists, skipping") are not errors; keep them off stderr.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    return Status::ok();
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Status exec_script(std::string_view sql) override {
    if (Status s = ensure_connected(); !s) return s;
    PGresult* r = PQexec(conn_, std::string(sql).c_str());
    Status s = check(r, sql);
    PQclear(r);
    return s;
  }

  Result<Rows> query(std::string_view sql, std::span<const Value> params) override {
    Rows out;
    if (Status s = run(sql, params, &out, nullptr); !s) return s;
    return out;
  }

  Result<uint64_t> execute(std::string_view sql, std::span<const Value> params) override {
    uint64_t changed = 0;
    if (Status s = run(sql, params, nullptr, &changed); !s) return s;
    return changed;
  }

  Status listen(std::string_view channel) override {
    listening_.emplace_back(channel);
    return exec_script("LISTEN " + std::string(channel));
  }

  Result<bool> changed(std::chrono::milliseconds timeout) override {
    if (Status s = ensure_connected(); !s) return s;
    bool any = drain_notifications();
    if (any || timeout.count() <= 0) return any;
    pollfd p{PQsocket(conn_), POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n < 0 && errno != EINTR) return Status::error(describe() + ": poll: " + strerror(errno));
    if (n > 0 && PQconsumeInput(conn_) == 0) return error("LISTEN");
    return drain_notifications();
  }

  std::string describe() const override {
    if (!conn_) return "postgresql";
    return std::string("postgresql: host=") + (PQhost(conn_) ? PQhost(conn_) : "") +
           " port=" + (PQport(conn_) ? PQport(conn_) : "") +
           " dbname=" + (PQdb(conn_) ? PQdb(conn_) : "") +
           " user=" + (PQuser(conn_) ? PQuser(conn_) : "");
  }

 private:
  Status error(std::string_view what) const {
    std::string why = conn_ ? PQerrorMessage(conn_) : "out of memory";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Status::error(describe() + ": " + std::string(what) + ": " + why);
  }

  Status check(PGresult* r, std::string_view sql) const {
    const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::ok();
    std::string why = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Status::error(describe() + ": " + why + " (in: " + std::string(sql.substr(0, 80)) + ")");
  }

  // A connection lost (the server restarted) is made again, LISTENs included, once per call.
  Status ensure_connected() {
    if (PQstatus(conn_) == CONNECTION_OK) return Status::ok();
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) return error("reconnect");
    for (const std::string& channel : listening_) {
      PGresult* r = PQexec(conn_, ("LISTEN " + channel).c_str());
      Status s = check(r, "LISTEN");
      PQclear(r);
      if (!s) return s;
    }
    return Status::ok();
  }

  bool drain_notifications() {
    bool any = false;
    while (PGnotify* n = PQnotifies(conn_)) {
      any = true;
      PQfreemem(n);
    }
    return any;
  }

  // `sql` with each '?' outside quotes turned into $1, $2 …
  static std::string numbered(std::string_view sql) {
    std::string out;
    int n = 0;
    bool quoted = false;
    for (char c : sql) {
      if (c == '\'') quoted = !quoted;
      if (c == '?' && !quoted) {
        out += "$" + std::to_string(++n);
      } else {
        out += c;
      }
    }
    return out;
  }

  Status run(std::string_view sql, std::span<const Value> params, Rows* out, uint64_t* changed) {
    if (Status s = ensure_connected(); !s) return s;
    std::vector<const char*> values;
    for (const Value& v : params) values.push_back(v ? v->c_str() : nullptr);
    const std::string text = numbered(sql);
    PGresult* r = PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    struct Clear {
      PGresult* r;
      ~Clear() { PQclear(r); }
    } clear{r};
    if (Status s = check(r, sql); !s) return s;
    if (changed) {
      const char* n = PQcmdTuples(r);
      *changed = n && *n ? std::stoull(n) : 0;
    }
    if (!out) return Status::ok();
    for (int c = 0; c < PQnfields(r); ++c) out->columns.emplace_back(PQfname(r, c));
    for (int i = 0; i < PQntuples(r); ++i) {
      auto& row = out->rows.emplace_back();
      for (int c = 0; c < PQnfields(r); ++c) {
        if (PQgetisnull(r, i, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(r, i, c), PQgetlength(r, i, c)));
        }
      }
    }
    return Status::ok();
  }

  std::string conninfo_;
  PGconn* conn_ = nullptr;
  std::vector<std::string> listening_;
};

}  // namespace

int Rows::column(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return static_cast<int>(i);
  return -1;
}

Result<std::unique_ptr<Connection>> Connection::open(std::string_view url) {
  if (starts_with(url, "sqlite:")) {
    std::string path(url.substr(7));
    if (starts_with(path, "//")) path.erase(0, 2);  // sqlite:///abs/path
    if (path.empty())
      return Status::error("sqlite: needs a file path (sqlite:/var/lib/fixgate.db)");
    auto c = std::make_unique<SqliteConnection>(path);
    if (Status s = c->open(); !s) return s;
    return std::unique_ptr<Connection>(std::move(c));
  }
  std::string conninfo;
  if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
    conninfo = std::string(url);
  } else if (starts_with(url, "postgresql:")) {
    conninfo = std::string(url.substr(11));
  } else {
    return Status::error("'" + std::string(url) +
                         "' is not a database URL: use sqlite:PATH or postgresql://… "
                         "(or postgresql:host=… dbname=…)");
  }
  auto c = std::make_unique<PgConnection>(conninfo);
  if (Status s = c->open(); !s) return s;
  return std::unique_ptr<Connection>(std::move(c));
}

Transaction::Transaction(Connection& c) : c_(c) {
  begun_ = c_.exec_script(c_.dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  open_ = begun_.is_ok();
}

Transaction::~Transaction() {
  if (open_) (void)c_.exec_script("ROLLBACK");
}

Status Transaction::commit() {
  if (!open_) return begun_.is_ok() ? Status::error("commit: no transaction") : begun_;
  open_ = false;
  if (Status s = c_.exec_script("COMMIT"); !s) {
    (void)c_.exec_script("ROLLBACK");
    return s;
  }
  return Status::ok();
}

}  // namespace fixgate::gateway::sql
