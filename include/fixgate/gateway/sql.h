// The few SQL calls the gateway's tables need, over SQLite or PostgreSQL: text parameters and
// text results, which is all a table of LP settings and statuses asks for. Not thread-safe: one
// owner thread per connection (the LP supervisor's).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/base/result.h"

namespace fixgate::gateway::sql {

enum class Dialect : uint8_t { kSqlite, kPostgres };

using Value = std::optional<std::string>;  // nullopt is SQL NULL

// A query's result, every value as text (or NULL).
struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
  // The index of column `name`; -1 when the query has none.
  int column(std::string_view name) const;
  bool empty() const { return rows.empty(); }
};

class Connection {
 public:
  // "sqlite:PATH" (the file is created), or a PostgreSQL URI ("postgresql://…", "postgres://…")
  // or "postgresql:" followed by a libpq conninfo ("host=… dbname=…").
  static Result<std::unique_ptr<Connection>> open(std::string_view url);
  virtual ~Connection() = default;

  virtual Dialect dialect() const = 0;
  // Statements without parameters, separated by ';' (a schema).
  virtual Status exec_script(std::string_view sql) = 0;
  // One statement; '?' marks each parameter (turned into $1, $2 … for PostgreSQL).
  virtual Result<Rows> query(std::string_view sql, std::span<const Value> params = {}) = 0;
  // One statement that changes rows: how many it changed.
  virtual Result<uint64_t> execute(std::string_view sql, std::span<const Value> params = {}) = 0;

  // PostgreSQL: LISTEN on `channel`. SQLite has no notifications: a no-op.
  virtual Status listen(std::string_view channel) = 0;
  // Waits up to `timeout` for a notification on a listened channel: true when one came (every
  // pending one is consumed). SQLite: true when another connection committed a change since the
  // last call (PRAGMA data_version), checked at once, without waiting.
  virtual Result<bool> changed(std::chrono::milliseconds timeout) = 0;

  // The connection for logs, without a password ("sqlite:/var/lib/fixgate.db",
  // "postgresql: host=db port=5432 dbname=fix user=fixgate").
  virtual std::string describe() const = 0;
};

// BEGIN … COMMIT around a scope; rolled back unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& c);
  ~Transaction();
  Status begin_status() const { return begun_; }
  Status commit();

 private:
  Connection& c_;
  Status begun_;
  bool open_ = false;
};

}  // namespace fixgate::gateway::sql
