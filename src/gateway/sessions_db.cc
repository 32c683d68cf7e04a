// The gateway's tables: schema and migrations, and the reads and writes of the LP supervisor.
// The configuration columns are listed once (kColumns); every statement that names them is
// built from that list.
#include "fixgate/gateway/sessions_db.h"

#include <nlohmann/json.hpp>

#include <array>
#include <ctime>
#include <functional>

namespace fixgate::gateway {
namespace {

using sql::Dialect;
using sql::Value;

// One configuration column: its name, SQL type and default, and how it maps to LpRow.
struct Column {
  std::string_view name;
  std::string_view type;  // INTEGER or TEXT (both dialects)
  std::string_view constraint;
  std::function<std::string(const LpRow&)> get;
  std::function<void(LpRow&, const std::string&)> set;
};

template <auto Member>
Column text(std::string_view name, std::string_view constraint = "") {
  return {name, "TEXT", constraint, [](const LpRow& r) { return r.*Member; },
          [](LpRow& r, const std::string& v) { r.*Member = v; }};
}
template <auto Member>
Column integer(std::string_view name, std::string_view constraint = "") {
  return {name, "INTEGER", constraint, [](const LpRow& r) { return std::to_string(r.*Member); },
          [](LpRow& r, const std::string& v) {
            using T = std::remove_cvref_t<decltype(r.*Member)>;
            if constexpr (std::is_same_v<T, bool>) {
              r.*Member = v != "0" && v != "f" && v != "false";
            } else {
              r.*Member = std::stoll(v);
            }
          }};
}

const std::vector<Column>& columns() {
  static const std::vector<Column> c = {
      text<&LpRow::provider>("provider", "PRIMARY KEY"),
      integer<&LpRow::enabled>("enabled", "NOT NULL DEFAULT 1"),
      text<&LpRow::role>("role", "NOT NULL DEFAULT 'initiator'"),
      text<&LpRow::begin_string>("begin_string", "NOT NULL DEFAULT 'FIX.4.4'"),
      text<&LpRow::sender_comp_id>("sender_comp_id", "NOT NULL"),
      text<&LpRow::sender_sub_id>("sender_sub_id"),
      text<&LpRow::sender_location_id>("sender_location_id"),
      text<&LpRow::target_comp_id>("target_comp_id", "NOT NULL"),
      text<&LpRow::target_sub_id>("target_sub_id"),
      text<&LpRow::target_location_id>("target_location_id"),
      text<&LpRow::host>("host"),
      integer<&LpRow::port>("port", "NOT NULL DEFAULT 0"),
      text<&LpRow::alternate_hosts>("alternate_hosts"),
      integer<&LpRow::heartbeat_interval>("heartbeat_interval", "NOT NULL DEFAULT 30"),
      integer<&LpRow::tls>("tls", "NOT NULL DEFAULT 0"),
      text<&LpRow::tls_ca_file>("tls_ca_file"),
      text<&LpRow::tls_certificate_file>("tls_certificate_file"),
      text<&LpRow::tls_private_key_file>("tls_private_key_file"),
      integer<&LpRow::reset_on_logon>("reset_on_logon", "NOT NULL DEFAULT 0"),
      integer<&LpRow::reset_on_logout>("reset_on_logout", "NOT NULL DEFAULT 0"),
      integer<&LpRow::reset_on_disconnect>("reset_on_disconnect", "NOT NULL DEFAULT 0"),
      text<&LpRow::store>("store"),
      text<&LpRow::start_time>("start_time"),
      text<&LpRow::end_time>("end_time"),
      text<&LpRow::start_day>("start_day"),
      text<&LpRow::end_day>("end_day"),
      text<&LpRow::time_zone>("time_zone"),
      text<&LpRow::data_dictionary>("data_dictionary"),
      text<&LpRow::default_appl_ver_id>("default_appl_ver_id"),
      text<&LpRow::extra>("extra"),
  };
  return c;
}

std::string time_type(Dialect d) { return d == Dialect::kPostgres ? "TIMESTAMPTZ" : "TEXT"; }

// Version 1: the three tables; PostgreSQL also notifies fixgated of configuration changes.
std::string schema_v1(Dialect d) {
  const std::string ts = time_type(d);
  const std::string big = d == Dialect::kPostgres ? "BIGINT" : "INTEGER";
  std::string s = "CREATE TABLE fixgate_sessions(\n";
  for (const Column& c : columns())
    s += "  " + std::string(c.name) + " " + std::string(c.type) + " " + std::string(c.constraint) +
         ",\n";
  s += "  status INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),\n"
       "  state TEXT,\n  status_reason TEXT,\n  status_changed_at " +
       ts +
       ",\n"
       "  next_sender_seq " +
       big + ",\n  next_target_seq " + big +
       ",\n"
       "  last_received_at " +
       ts + ",\n  last_sent_at " + ts +
       ",\n"
       "  next_reconnect_at " +
       ts +
       ",\n  owner TEXT,\n"
       "  transition " +
       big + " NOT NULL DEFAULT 0);\n";
  const std::string id =
      d == Dialect::kPostgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
  s += "CREATE TABLE fixgate_status_history(\n  id " + id +
       ",\n  provider TEXT NOT NULL,\n  transition " + big +
       " NOT NULL,\n  old_status INTEGER NOT NULL,\n  new_status INTEGER NOT NULL,\n"
       "  state TEXT,\n  reason TEXT,\n  at " +
       ts +
       " NOT NULL,\n  owner TEXT);\n"
       "CREATE INDEX fixgate_status_history_by_provider ON fixgate_status_history(provider, at);\n";
  s += "CREATE TABLE fixgate_audit(\n  id " + id + ",\n  at " + ts +
       " NOT NULL,\n  actor TEXT NOT NULL,\n  action TEXT NOT NULL,\n  provider TEXT,\n"
       "  reason TEXT,\n  result TEXT,\n  remote TEXT);\n";
  if (d == Dialect::kPostgres) {
    std::string config_columns;
    for (const Column& c : columns())
      config_columns += (config_columns.empty() ? "" : ", ") + std::string(c.name);
    s += "CREATE FUNCTION fixgate_sessions_notify() RETURNS trigger AS $$\n"
         "BEGIN\n"
         "  PERFORM pg_notify('fixgate_sessions', COALESCE(NEW.provider, OLD.provider));\n"
         "  RETURN NULL;\n"
         "END $$ LANGUAGE plpgsql;\n"
         "CREATE TRIGGER fixgate_sessions_changed AFTER INSERT OR DELETE OR UPDATE OF " +
         config_columns +
         " ON fixgate_sessions FOR EACH ROW EXECUTE FUNCTION fixgate_sessions_notify();\n";
  }
  return s;
}

// Migration i takes the schema from version i to i + 1.
using Migration = std::string (*)(Dialect);
constexpr Migration kMigrations[] = {&schema_v1};
static_assert(std::size(kMigrations) == SessionsDb::kSchemaVersion);

Value text_or_null(const std::string& s) { return s.empty() ? Value() : Value(s); }
Value time_or_null(const std::optional<SystemTime>& t) { return t ? Value(rfc3339(*t)) : Value(); }

std::string placeholders(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s;
}

}  // namespace

std::string rfc3339(SystemTime t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto nanos = duration_cast<nanoseconds>(t - secs).count();
  const std::time_t tt = system_clock::to_time_t(system_clock::time_point(secs));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(nanos));
  return buf;
}

bool valid_provider(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

std::string provider_from(std::string_view target_comp_id) {
  std::string out(target_comp_id.substr(0, 64));
  for (char& c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) c = '_';
  return out;
}

std::string LpRow::fingerprint() const {
  std::string out;
  for (const Column& c : columns()) {
    if (c.name == "enabled") continue;
    const std::string v = c.get(*this);
    out += std::to_string(v.size()) + ":" + v + ";";
  }
  return out;
}

std::string StatusTransition::to_json() const {
  nlohmann::json j = {{"provider", provider},
                      {"session_id", session_id},
                      {"old_status", static_cast<int>(old_status)},
                      {"old_status_text", to_string(old_status)},
                      {"status", static_cast<int>(new_status)},
                      {"status_text", to_string(new_status)},
                      {"state", state},
                      {"reason", reason},
                      {"next_sender_seq", next_sender_seq},
                      {"next_target_seq", next_target_seq},
                      {"owner", owner},
                      {"transition", transition},
                      {"time", rfc3339(at)}};
  return j.dump();
}

Result<std::unique_ptr<SessionsDb>> SessionsDb::open(std::string_view url, int version) {
  auto c = sql::Connection::open(url);
  if (!c) return c.status();
  auto db = std::make_unique<SessionsDb>(std::move(*c));
  if (Status s = db->migrate(version); !s) return s;
  return db;
}

Result<int> SessionsDb::schema_version() {
  auto rows = c_->query("SELECT max(version) FROM fixgate_schema_version", {});
  if (!rows) return rows.status();
  const Value& v = rows->rows.at(0).at(0);
  return v ? std::stoi(*v) : 0;
}

Status SessionsDb::migrate(int version) {
  if (Status s = c_->exec_script(
          "CREATE TABLE IF NOT EXISTS fixgate_schema_version(version INTEGER NOT NULL, "
          "applied_at TEXT NOT NULL)");
      !s)
    return s;
  sql::Transaction tx(*c_);
  if (!tx.begin_status()) return tx.begin_status();
  auto current = schema_version();
  if (!current) return current.status();
  if (*current > kSchemaVersion)
    return Status::error(c_->describe() + ": schema version " + std::to_string(*current) +
                         " is newer than this fixgated's (" + std::to_string(kSchemaVersion) +
                         "): upgrade fixgated");
  for (int v = *current; v < version; ++v) {
    if (Status s = c_->exec_script(kMigrations[v](c_->dialect())); !s)
      return Status::error("migrating to schema version " + std::to_string(v + 1) + ": " +
                           s.message());
    const Value params[] = {std::to_string(v + 1), rfc3339(std::chrono::system_clock::now())};
    if (auto r = c_->execute(
            "INSERT INTO fixgate_schema_version(version, applied_at) VALUES (?, ?)", params);
        !r)
      return r.status();
  }
  return tx.commit();
}

Result<std::vector<LpRecord>> SessionsDb::load() {
  std::string select;
  for (const Column& c : columns()) select += (select.empty() ? "" : ", ") + std::string(c.name);
  for (std::string_view s : {"status", "state", "status_reason", "next_sender_seq",
                             "next_target_seq", "owner", "transition"})
    select += ", " + std::string(s);
  auto rows = c_->query("SELECT " + select + " FROM fixgate_sessions ORDER BY provider", {});
  if (!rows) return rows.status();
  std::vector<LpRecord> out;
  for (const auto& r : rows->rows) {
    LpRecord rec;
    size_t i = 0;
    for (const Column& c : columns()) {
      if (r[i]) {
        try {
          c.set(rec.row, *r[i]);
        } catch (const std::exception&) {
          return Status::error(c_->describe() + ": fixgate_sessions." + std::string(c.name) +
                               ": '" + *r[i] + "' is not a number");
        }
      } else if (c.type == "TEXT") {
        c.set(rec.row, "");
      }
      ++i;
    }
    auto number = [&](size_t at) { return r[at] ? std::stoull(*r[at]) : 0ull; };
    rec.status.status = static_cast<LpStatus>(number(i));
    rec.status.state = r[i + 1].value_or("");
    rec.status.status_reason = r[i + 2].value_or("");
    rec.status.next_sender_seq = number(i + 3);
    rec.status.next_target_seq = number(i + 4);
    rec.status.owner = r[i + 5].value_or("");
    rec.status.transition = number(i + 6);
    out.push_back(std::move(rec));
  }
  return out;
}

Status SessionsDb::upsert(const LpRow& row) {
  std::string names, updates;
  std::vector<Value> params;
  for (const Column& c : columns()) {
    names += (names.empty() ? "" : ", ") + std::string(c.name);
    if (c.name != "provider" && c.name != "enabled")  // enabling is set_enabled()'s
      updates += (updates.empty() ? "" : ", ") + std::string(c.name) + " = excluded." +
                 std::string(c.name);
    const std::string v = c.get(row);
    params.push_back(c.type == "TEXT" ? text_or_null(v) : Value(v));
  }
  auto r = c_->execute("INSERT INTO fixgate_sessions(" + names + ") VALUES (" +
                           placeholders(params.size()) + ") ON CONFLICT (provider) DO UPDATE SET " +
                           updates,
                       params);
  return r ? Status::ok() : r.status();
}

Result<bool> SessionsDb::remove(std::string_view provider) {
  const Value p[] = {std::string(provider)};
  auto r = c_->execute("DELETE FROM fixgate_sessions WHERE provider = ?", p);
  if (!r) return r.status();
  return *r > 0;
}

Result<bool> SessionsDb::set_enabled(std::string_view provider, bool enabled) {
  const Value p[] = {enabled ? "1" : "0", std::string(provider)};
  auto r = c_->execute("UPDATE fixgate_sessions SET enabled = ? WHERE provider = ?", p);
  if (!r) return r.status();
  return *r > 0;
}

Status SessionsDb::write_live(std::string_view provider, const LpStatusRow& live) {
  const Value p[] = {text_or_null(live.state),
                     text_or_null(live.status_reason),
                     std::to_string(live.next_sender_seq),
                     std::to_string(live.next_target_seq),
                     time_or_null(live.last_received_at),
                     time_or_null(live.last_sent_at),
                     time_or_null(live.next_reconnect_at),
                     text_or_null(live.owner),
                     std::string(provider)};
  auto r = c_->execute(
      "UPDATE fixgate_sessions SET state = ?, status_reason = ?, next_sender_seq = ?, "
      "next_target_seq = ?, "
      "last_received_at = ?, last_sent_at = ?, next_reconnect_at = ?, owner = ? "
      "WHERE provider = ?",
      p);
  return r ? Status::ok() : r.status();
}

Status SessionsDb::write_transition(StatusTransition& t, const LpStatusRow& live) {
  sql::Transaction tx(*c_);
  if (!tx.begin_status()) return tx.begin_status();
  if (Status s = write_live(t.provider, live); !s) return s;
  const Value p[] = {std::to_string(static_cast<int>(t.new_status)), rfc3339(t.at), t.provider};
  auto rows = c_->query(
      "UPDATE fixgate_sessions SET status = ?, status_changed_at = ?, "
      "transition = transition + 1 WHERE provider = ? RETURNING transition",
      p);
  if (!rows) return rows.status();
  if (rows->empty()) return Status::error("no fixgate_sessions row for " + t.provider);
  t.transition = std::stoull(rows->rows[0][0].value_or("0"));
  const Value h[] = {t.provider,
                     std::to_string(t.transition),
                     std::to_string(static_cast<int>(t.old_status)),
                     std::to_string(static_cast<int>(t.new_status)),
                     text_or_null(t.state),
                     text_or_null(t.reason),
                     rfc3339(t.at),
                     text_or_null(t.owner)};
  auto r = c_->execute(
      "INSERT INTO fixgate_status_history(provider, transition, old_status, new_status, state, "
      "reason, at, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      h);
  if (!r) return r.status();
  return tx.commit();
}

Status SessionsDb::add_audit(const AuditRecord& a) {
  const Value p[] = {rfc3339(a.at),
                     a.actor,
                     a.action,
                     text_or_null(a.provider),
                     text_or_null(a.reason),
                     text_or_null(a.result),
                     text_or_null(a.remote)};
  auto r = c_->execute(
      "INSERT INTO fixgate_audit(at, actor, action, provider, reason, result, remote) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      p);
  return r ? Status::ok() : r.status();
}

// A time column as text: RFC 3339 in UTC (SQLite stores that text; PostgreSQL formats it).
std::string SessionsDb::time_column(std::string_view column) const {
  if (c_->dialect() != sql::Dialect::kPostgres) return std::string(column);
  return "to_char(" + std::string(column) +
         " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

Result<std::vector<AuditRecord>> SessionsDb::audit(size_t last_n) {
  const Value p[] = {std::to_string(last_n)};
  auto rows = c_->query("SELECT actor, action, provider, reason, result, remote, " +
                            time_column("at") + " FROM fixgate_audit ORDER BY id DESC LIMIT ?",
                        p);
  if (!rows) return rows.status();
  std::vector<AuditRecord> out;
  for (const auto& r : rows->rows)
    out.push_back({parse_rfc3339(r[6].value_or("")).value_or(SystemTime{}), r[0].value_or(""),
                   r[1].value_or(""), r[2].value_or(""), r[3].value_or(""), r[4].value_or(""),
                   r[5].value_or("")});
  return out;
}

Result<std::vector<LpStatusEvent>> SessionsDb::history(std::string_view provider, size_t limit,
                                                       std::optional<SystemTime> since) {
  const std::string select = "SELECT transition, old_status, new_status, state, reason, owner, " +
                             time_column("at") + " FROM fixgate_status_history WHERE provider = ?";
  std::vector<LpStatusEvent> out;
  auto read = [&](const std::string& query, std::vector<Value> params) -> Status {
    auto rows = c_->query(query, params);
    if (!rows) return rows.status();
    for (const auto& r : rows->rows) {
      auto number = [&](size_t at) { return r[at] ? std::stoull(*r[at]) : 0ull; };
      LpStatusEvent e;
      e.transition = number(0);
      e.old_status = static_cast<LpStatus>(number(1));
      e.new_status = static_cast<LpStatus>(number(2));
      e.state = r[3].value_or("");
      e.reason = r[4].value_or("");
      e.owner = r[5].value_or("");
      e.at = parse_rfc3339(r[6].value_or("")).value_or(SystemTime{});
      out.push_back(std::move(e));
    }
    return Status::ok();
  };
  const std::string order = " ORDER BY at DESC, id DESC LIMIT ?";
  if (!since) {
    if (Status s = read(select + order, {std::string(provider), std::to_string(limit)}); !s)
      return s;
    return out;
  }
  const std::string at = rfc3339(*since);
  if (Status s =
          read(select + " AND at >= ?" + order, {std::string(provider), at, std::to_string(limit)});
      !s)
    return s;
  if (out.size() < limit)  // the status in force at `since`
    if (Status s = read(select + " AND at < ?" + order, {std::string(provider), at, "1"}); !s)
      return s;
  return out;
}

std::optional<SystemTime> parse_rfc3339(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.f…](Z|+00:00|+00)
  auto digits = [&](size_t at, size_t n) -> std::optional<int> {
    if (at + n > t.size()) return std::nullopt;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || t[4] != '-' || t[7] != '-' ||
      (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':')
    return std::nullopt;
  size_t i = 19;
  int64_t nanos = 0;
  if (i < t.size() && t[i] == '.') {
    int64_t scale = 100000000;
    for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, scale /= 10)
      nanos += (t[i] - '0') * scale;
  }
  const std::string_view zone = t.substr(i);
  if (zone != "Z" && zone != "+00:00" && zone != "+00") return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{*year},
                           std::chrono::month{static_cast<unsigned>(*month)},
                           std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  const auto tp = sys_days(ymd) + hours(*hour) + minutes(*minute) + seconds(*second);
  return time_point_cast<system_clock::duration>(tp + nanoseconds(nanos));
}

}  // namespace fixgate::gateway
