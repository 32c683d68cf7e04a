#include "fixgate/store/pg_store.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace fixgate::store {

using session::Duration;
using session::SeqNum;

namespace {

// The advisory lock serializes concurrent schema creation by many stores opening at once.
constexpr const char* kSchema = R"sql(
SET client_min_messages = warning;
BEGIN;
SELECT pg_advisory_xact_lock(4242424242);
CREATE TABLE IF NOT EXISTS fixgate_store_sessions(
  session_id    text PRIMARY KEY,
  next_sender   bigint NOT NULL,
  next_target   bigint NOT NULL,
  creation_time bigint NOT NULL);
CREATE TABLE IF NOT EXISTS fixgate_store_messages(
  session_id text NOT NULL,
  seq        bigint NOT NULL,
  body       bytea NOT NULL,
  PRIMARY KEY (session_id, seq));
COMMIT;
)sql";

// Messages and state in one statement: a statement is a transaction, and one round trip.
constexpr const char* kCommit = R"sql(
WITH m AS (
  INSERT INTO fixgate_store_messages(session_id, seq, body)
  SELECT $1, u.s, u.b FROM unnest($2::bigint[], $3::bytea[]) AS u(s, b)
  ON CONFLICT (session_id, seq) DO UPDATE SET body = excluded.body)
UPDATE fixgate_store_sessions
   SET next_sender = coalesce($4, next_sender), next_target = coalesce($5, next_target)
 WHERE session_id = $1
)sql";

constexpr const char* kReset = R"sql(
WITH d AS (DELETE FROM fixgate_store_messages WHERE session_id = $1)
UPDATE fixgate_store_sessions SET next_sender = 1, next_target = 1, creation_time = $2
 WHERE session_id = $1
)sql";

constexpr unsigned kTextOid = 25, kInt8Oid = 20, kInt8ArrayOid = 1016, kByteaArrayOid = 1001;
constexpr unsigned kByteaOid = 17;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

void put32(std::string& out, uint32_t v) {
  v = htonl(v);
  out.append(reinterpret_cast<const char*>(&v), 4);
}
void put64(std::string& out, uint64_t v) {
  put32(out, static_cast<uint32_t>(v >> 32));
  put32(out, static_cast<uint32_t>(v));
}
uint64_t get64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// The binary wire format of a one-dimensional array without nulls.
void array_header(std::string& out, unsigned element_oid, size_t count) {
  out.clear();
  put32(out, count ? 1 : 0);  // dimensions
  put32(out, 0);              // no nulls
  put32(out, element_oid);
  if (count) {
    put32(out, static_cast<uint32_t>(count));
    put32(out, 1);  // lower bound
  }
}

// A reconnect advances in steps of at most kSlice per call, and is abandoned after
// kConnectTimeout (libpq's connect_timeout does not apply to a polled connect).
constexpr std::chrono::milliseconds kSlice{50};
constexpr std::chrono::seconds kConnectTimeout{10};

Duration system_now() {
  return std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch());
}

}  // namespace

PgStore::PgStore(PgStoreOptions options) : options_(std::move(options)) {}

PgStore::~PgStore() { PQfinish(conn_); }  // closing the connection releases the advisory lock

int PgStore::backend_pid() const { return conn_ ? PQbackendPID(conn_) : 0; }

int PgStore::socket() const { return conn_ ? PQsocket(conn_) : -1; }

Status PgStore::error(const std::string& what, const char* detail) const {
  std::string d = detail ? detail : "";
  while (!d.empty() && (d.back() == '\n' || d.back() == ' ')) d.pop_back();
  return Status::error("pg store [" + options_.session_id + "]: " + what + ": " + d);
}

Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& conninfo,
                                               PgStoreOptions options) {
  std::unique_ptr<PgStore> store(new PgStore(std::move(options)));
  if (Status s = store->init(conninfo); !s) return s;
  return store;
}

Status PgStore::init(const std::string& conninfo) {
  // connect_timeout first, so a value inside `conninfo` (expanded at dbname) overrides it.
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"10", conninfo.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK)
    return error("connect", conn_ ? PQerrorMessage(conn_) : "out of memory");
  backend_ = PQbackendPID(conn_);

  PgResult r(PQexec(conn_, kSchema));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
    return error("create tables", PQerrorMessage(conn_));

  const char* id = options_.session_id.c_str();
  if (options_.exclusive)
    if (Status s = lock_session(options_.lock_timeout); !s) return s;

  Duration created = options_.creation_time ? *options_.creation_time : system_now();
  std::string created_text = std::to_string(created.count());
  const char* params[] = {id, created_text.c_str()};
  r.reset(PQexecParams(conn_,
                       "INSERT INTO fixgate_store_sessions VALUES ($1, 1, 1, $2::bigint)"
                       " ON CONFLICT (session_id) DO NOTHING",
                       2, nullptr, params, nullptr, nullptr, 0));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
    return error("create session row", PQerrorMessage(conn_));
  return refresh();
}

Status PgStore::lock_session(std::chrono::milliseconds wait) {
  // lock_timeout 0 would mean "wait forever": 1 ms is "do not wait".
  std::string timeout = "SET lock_timeout = " + std::to_string(std::max<int64_t>(wait.count(), 1));
  PgResult r(PQexec(conn_, timeout.c_str()));
  const char* params[] = {options_.session_id.c_str()};
  PgResult lock(PQexecParams(conn_, "SELECT pg_advisory_lock(hashtextextended($1, 0))", 1, nullptr,
                             params, nullptr, nullptr, 0));
  if (PQresultStatus(lock.get()) != PGRES_TUPLES_OK)
    return error("session is open elsewhere (advisory lock not granted within " +
                     std::to_string(wait.count()) + " ms)",
                 PQerrorMessage(conn_));
  r.reset(PQexec(conn_, "RESET lock_timeout"));
  return Status::ok();
}

// Whether a failed statement failed for want of a working connection. libpq marks the
// connection bad only for some failures (a reset, an end of file): a receive that timed out
// leaves it "OK" yet unusable. Errors the server reports carry an SQLSTATE; libpq's own don't.
bool PgStore::connection_failed(const pg_result* r) const {
  return PQstatus(conn_) != CONNECTION_OK || !r || !PQresultErrorField(r, PG_DIAG_SQLSTATE);
}

// A lost connection makes the outcome of the statement in flight unknown. What the session's
// row held before it, and would hold had it landed, is noted here: after reconnecting, the row
// must read as one of the two, or someone wrote the session meanwhile. Until that check has
// passed, a further loss (even while checking) keeps the first notes.
void PgStore::note_lost(std::optional<State> if_landed) {
  lost_ = true;
  if (unresolved_) return;
  unresolved_ = true;
  before_loss_ = State{next_sender_, next_target_, creation_time_};
  if_landed_ = if_landed;
  old_backend_ = backend_;
}

Status PgStore::connected() {
  if (!broken_.empty()) return error("reconnect", broken_.c_str());
  if (lost_)
    if (Status s = reconnect(); !s) return s;
  if (!unresolved_) return Status::ok();
  if (Status s = read_row(); !s) return s;
  const State row{next_sender_, next_target_, creation_time_};
  // A reader's row moves with its writer: only a writer's row must be as it left it.
  if (options_.exclusive && row != before_loss_ && (!if_landed_ || row != *if_landed_)) {
    broken_ =
        "the session's row changed while the connection was down (another writer?); "
        "reopen the store";
    PQfinish(conn_);  // and the lock with it: whoever opens the session next may take it
    conn_ = nullptr;
    return error("reconnect", broken_.c_str());
  }
  unresolved_ = false;
  return Status::ok();
}

// Advances the reconnect by one step of at most kSlice: libpq's non-blocking connect, polled
// only when its socket is ready the way libpq last asked, and given up after kConnectTimeout
// (a server that accepts and never answers); then the session's lock.
Status PgStore::reconnect() {
  const auto now = std::chrono::steady_clock::now();
  if (!resetting_) {
    if (last_reconnect_ && now - *last_reconnect_ < options_.reconnect_interval)
      return error("reconnect", "connection lost; waiting for the next attempt");
    last_reconnect_ = now;
    if (!PQresetStart(conn_)) return error("reconnect", PQerrorMessage(conn_));
    resetting_ = true;
    poll_status_ = PGRES_POLLING_WRITING;  // as libpq prescribes after a start
  }
  const auto slice_end = std::min(now + kSlice, *last_reconnect_ + kConnectTimeout);
  while (poll_status_ != PGRES_POLLING_OK) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        slice_end - std::chrono::steady_clock::now());
    pollfd fd{PQsocket(conn_),
              static_cast<short>(poll_status_ == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
    if (::poll(&fd, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) <= 0) {
      if (std::chrono::steady_clock::now() < *last_reconnect_ + kConnectTimeout)
        return error("reconnect", "connection lost; reconnecting");
      resetting_ = false;  // abandoned: the next attempt starts afresh
      return error("reconnect", "connection lost; no answer within the connect timeout");
    }
    poll_status_ = PQresetPoll(conn_);
    if (poll_status_ == PGRES_POLLING_FAILED) {
      resetting_ = false;
      return error("reconnect", PQerrorMessage(conn_));
    }
  }
  resetting_ = false;
  backend_ = PQbackendPID(conn_);
  if (options_.exclusive) {
    if (Status locked = lock_session(std::chrono::milliseconds(0)); !locked) {
      // Our old backend may still hold the lock: after a partition the server keeps it until
      // its TCP keepalive notices (hours, by default). Signal it to end, and look again on the
      // next attempt rather than wait here.
      if (old_backend_ != 0 && end_old_backend())
        return error("reconnect", "ending our old backend, which holds the session; reconnecting");
      return locked;  // still lost_: a later attempt tries again
    }
  }
  old_backend_ = 0;
  lost_ = false;
  return Status::ok();
}

// Signals our old backend to end, if it still holds this session's advisory lock (the key
// filter keeps a reused pid from taking an unrelated backend down with it).
bool PgStore::end_old_backend() {
  const std::string pid = std::to_string(old_backend_);
  const char* params[] = {pid.c_str(), options_.session_id.c_str()};
  PgResult r(PQexecParams(conn_,
                          "SELECT pg_terminate_backend(pid) FROM pg_locks"
                          " WHERE locktype = 'advisory' AND granted AND pid = $1::int"
                          " AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) ="
                          " hashtextextended($2, 0)",
                          2, nullptr, params, nullptr, nullptr, 0));
  return PQresultStatus(r.get()) == PGRES_TUPLES_OK && PQntuples(r.get()) == 1 &&
         std::strcmp(PQgetvalue(r.get(), 0, 0), "t") == 0;
}

Status PgStore::refresh() {
  if (Status s = connected(); !s) return s;
  return read_row();
}

Status PgStore::read_row() {
  const char* params[] = {options_.session_id.c_str()};
  PgResult r(PQexecParams(conn_,
                          "SELECT next_sender, next_target, creation_time"
                          " FROM fixgate_store_sessions WHERE session_id = $1",
                          1, nullptr, params, nullptr, nullptr, 0));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    if (connection_failed(r.get())) note_lost(std::nullopt);
    return error("read session state", PQerrorMessage(conn_));
  }
  if (PQntuples(r.get()) != 1) return error("read session state", "session row missing");
  next_sender_ = SeqNum(std::stoull(PQgetvalue(r.get(), 0, 0)));
  next_target_ = SeqNum(std::stoull(PQgetvalue(r.get(), 0, 1)));
  creation_time_ = Duration(std::stoll(PQgetvalue(r.get(), 0, 2)));
  return Status::ok();
}

Status PgStore::commit(const session::StoreBatch& batch) {
  if (batch.empty()) return Status::ok();
  if (Status s = connected(); !s) return s;
  // One INSERT … ON CONFLICT may not touch a row twice: of repeated sequence numbers the
  // last one wins, as in the other stores. Sessions send them ascending, so this is cheap.
  std::vector<const session::StoreBatch::Sent*> rows;
  for (const auto& m : batch.sent)
    if (!m.bytes.empty()) rows.push_back(&m);  // admin: only the sequence number advances
  auto by_seq = [](const auto* a, const auto* b) { return a->seq < b->seq; };
  if (!std::is_sorted(rows.begin(), rows.end(), by_seq))
    std::stable_sort(rows.begin(), rows.end(), by_seq);
  for (size_t i = 0; i + 1 < rows.size();)
    if (rows[i]->seq == rows[i + 1]->seq)
      rows.erase(rows.begin() + static_cast<ptrdiff_t>(i));
    else
      ++i;

  std::string seqs, bodies, sender, target;
  array_header(seqs, kInt8Oid, rows.size());
  array_header(bodies, kByteaOid, rows.size());
  for (const auto* m : rows) {
    put32(seqs, 8);
    put64(seqs, m->seq.value);
    put32(bodies, static_cast<uint32_t>(m->bytes.size()));
    bodies.append(m->bytes);
  }
  if (batch.next_sender) put64(sender, batch.next_sender->value);
  if (batch.next_target) put64(target, batch.next_target->value);

  const unsigned types[] = {kTextOid, kInt8ArrayOid, kByteaArrayOid, kInt8Oid, kInt8Oid};
  const char* values[] = {options_.session_id.c_str(), seqs.data(), bodies.data(),
                          batch.next_sender ? sender.data() : nullptr,
                          batch.next_target ? target.data() : nullptr};
  const int lengths[] = {0, static_cast<int>(seqs.size()), static_cast<int>(bodies.size()), 8, 8};
  const int formats[] = {0, 1, 1, 1, 1};
  PgResult r(PQexecParams(conn_, kCommit, 5, types, values, lengths, formats, 0));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    if (connection_failed(r.get()))
      note_lost(State{batch.next_sender.value_or(next_sender_),
                      batch.next_target.value_or(next_target_), creation_time_});
    return error("commit", PQerrorMessage(conn_));
  }
  if (std::strcmp(PQcmdTuples(r.get()), "1") != 0)
    return error("commit", "session row missing (deleted behind our back?)");
  if (batch.next_sender) next_sender_ = *batch.next_sender;
  if (batch.next_target) next_target_ = *batch.next_target;
  return Status::ok();
}

Status PgStore::read(SeqNum begin, SeqNum end,
                     const std::function<void(SeqNum, std::string_view)>& visit) const {
  // Reading reconnects too, so a resend after a dropped connection can be answered (once the
  // reconnect is through). Reconnecting re-reads the session's row: read() is const for the
  // Store interface, but a store is never a const object.
  PgStore* self = const_cast<PgStore*>(this);
  if (Status s = self->connected(); !s) return s;
  std::string from = std::to_string(begin.value);
  std::string to = std::to_string(std::min<uint64_t>(end.value, INT64_MAX));
  const char* params[] = {options_.session_id.c_str(), from.c_str(), to.c_str()};
  PgResult r(PQexecParams(conn_,
                          "SELECT seq, body FROM fixgate_store_messages WHERE session_id = $1"
                          " AND seq BETWEEN $2::bigint AND $3::bigint ORDER BY seq",
                          3, nullptr, params, nullptr, nullptr, 1));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    if (connection_failed(r.get())) self->note_lost(std::nullopt);
    return error("read messages", PQerrorMessage(conn_));
  }
  for (int i = 0, n = PQntuples(r.get()); i < n; ++i) {
    uint64_t seq = get64(PQgetvalue(r.get(), i, 0));
    visit(SeqNum(seq), std::string_view(PQgetvalue(r.get(), i, 1),
                                        static_cast<size_t>(PQgetlength(r.get(), i, 1))));
  }
  return Status::ok();
}

Status PgStore::reset(Duration now_utc) {
  if (Status s = connected(); !s) return s;
  std::string created = std::to_string(now_utc.count());
  const char* params[] = {options_.session_id.c_str(), created.c_str()};
  PgResult r(PQexecParams(conn_, kReset, 2, nullptr, params, nullptr, nullptr, 0));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    if (connection_failed(r.get())) note_lost(State{SeqNum(1), SeqNum(1), now_utc});
    return error("reset", PQerrorMessage(conn_));
  }
  if (std::strcmp(PQcmdTuples(r.get()), "1") != 0)
    return error("reset", "session row missing (deleted behind our back?)");
  next_sender_ = next_target_ = SeqNum(1);
  creation_time_ = now_utc;
  return Status::ok();
}

}  // namespace fixgate::store
