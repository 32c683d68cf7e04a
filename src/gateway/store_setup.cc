// Opening a session's store, and checking without writing anything that it could be opened
// (fixgated --check, which must work beside a running daemon that holds the stores' locks).
#include <unistd.h>

#include <filesystem>

#include "fixgate/gateway/settings.h"
#include "fixgate/session/memory_store.h"
#include "fixgate/store/file_store.h"
#include "fixgate/store/pg_store.h"
#include "fixgate/store/sqlite_store.h"

namespace fixgate::gateway {
namespace {

namespace fs = std::filesystem;

// A file-system-safe name for the session ("FIX.4.4-GW-CLIENT").
std::string store_name(const session::SessionId& id) {
  return id.begin_string + "-" + id.sender_comp_id + "-" + id.target_comp_id +
         (id.qualifier.empty() ? "" : "-" + id.qualifier);
}

}  // namespace

Result<std::unique_ptr<session::Store>> open_store(const StoreSetup& s,
                                                   const session::SessionId& id) {
  using StorePtr = std::unique_ptr<session::Store>;
  const std::string name = store_name(id);
  if (s.type == "memory") return StorePtr(std::make_unique<session::MemoryStore>());
  if (s.type == "file" || s.type == "sqlite") {
    std::error_code ec;
    fs::create_directories(s.path, ec);
    if (ec) return Status::error(s.where + ": " + s.path + ": " + ec.message());
  }
  if (s.type == "file") {
    auto st = store::FileStore::open(s.path + "/" + name, s.file);
    if (!st) return Status::error(s.where + ": " + st.error());
    return StorePtr(std::move(*st));
  }
  if (s.type == "sqlite") {
    store::SqliteStoreOptions o;
    o.session_id = name;
    auto st = store::SqliteStore::open(s.path + "/fixgate.db", o);
    if (!st) return Status::error(s.where + ": " + st.error());
    return StorePtr(std::move(*st));
  }
  if (s.type == "postgres") {
    store::PgStoreOptions o;
    o.session_id = name;
    auto st = store::PgStore::open(s.postgres, o);
    if (!st) return Status::error(s.where + ": " + st.error());
    return StorePtr(std::move(*st));
  }
  return Status::error(s.where + ": '" + s.type + "' is not one of memory, file, sqlite, postgres");
}

Status check_writable_directory(const std::string& path, const std::string& where) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) return Status::error(where + ": " + path + ": " + ec.message());
  // The nearest part of the path that exists: the directory itself, or the parent it would be
  // created in.
  fs::path existing = p;
  while (!fs::exists(existing, ec) && existing.has_parent_path() &&
         existing != existing.parent_path())
    existing = existing.parent_path();
  if (!fs::is_directory(existing, ec))
    return Status::error(where + ": " + existing.string() + " is not a directory");
  if (::access(existing.c_str(), W_OK | X_OK) != 0)
    return Status::error(where + ": " + existing.string() + " is not writable");
  return Status::ok();
}

Status check_store(const StoreSetup& s, const session::SessionId& id) {
  if (s.type == "memory") return Status::ok();
  if (s.type == "postgres") {
    // Reaching the server is left to start-up: --check makes no connection.
    if (s.postgres.empty()) return Status::error(s.where + ": PostgresConnection is empty");
    return Status::ok();
  }
  const std::string file = s.path + "/" + (s.type == "file" ? store_name(id) : "fixgate.db");
  std::error_code ec;
  if (fs::exists(file, ec)) {
    const bool right_kind =
        s.type == "file" ? fs::is_directory(file, ec) : fs::is_regular_file(file, ec);
    if (!right_kind)
      return Status::error(s.where + ": " + file + " is not a " +
                           (s.type == "file" ? "directory" : "file"));
    const int mode = s.type == "file" ? W_OK | X_OK : R_OK | W_OK;
    if (::access(file.c_str(), mode) != 0)
      return Status::error(s.where + ": " + file + " is not writable");
  }
  // New files appear beside it too: segments, SQLite's WAL.
  return check_writable_directory(s.path, s.where);
}

}  // namespace fixgate::gateway
