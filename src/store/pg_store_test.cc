// PgStore against a throwaway PostgreSQL server started for this test binary: the shared
// Store contract, plus many sessions in one database, single-writer locking, refresh and an
// all-or-nothing failed commit.
#include "fixgate/store/pg_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <functional>

#include "pg_test_server.h"
#include "store_contract_test.h"

namespace fixgate::store::testing {
namespace {

PgTestServer* g_server = nullptr;

class PgEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    auto r = PgTestServer::start();
    ASSERT_TRUE(r) << r.error();
    server_ = std::move(r).value();
    g_server = server_.get();
  }
  void TearDown() override {
    g_server = nullptr;
    server_.reset();
  }

 private:
  std::unique_ptr<PgTestServer> server_;
};
[[maybe_unused]] auto* const g_env = ::testing::AddGlobalTestEnvironment(new PgEnvironment);

std::string unique_session(const std::string& stem) {
  static int counter = 0;
  return "FIX.4.4:" + stem + "->PEER:" + std::to_string(::getpid()) + "-" +
         std::to_string(++counter);
}

struct PgFactory {
  std::string id = unique_session("TEST");
  Duration created = kCreated;
  Result<std::unique_ptr<Store>> open() {
    if (!g_server) return Status::error("no PostgreSQL test server");
    PgStoreOptions o;
    o.session_id = id;
    o.creation_time = created;
    auto r = PgStore::open(g_server->conninfo(), o);
    if (!r) return r.status();
    return std::unique_ptr<Store>(std::move(r).value());
  }
};

INSTANTIATE_TYPED_TEST_SUITE_P(PgStore, StoreContractTest, PgFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(PgStore, DurableStoreTest, PgFactory);

class PgStoreTest : public ::testing::Test {
 protected:
  // Calls `call` until it is no longer waiting for a reconnect under way (each call advances it).
  static Status until_connected(const std::function<Status()>& call) {
    Status s = call();
    for (int i = 0; i < 200 && !s && s.message().find("reconnecting") != std::string::npos; ++i)
      s = call();
    return s;
  }
  static PgStoreOptions options(const std::string& id, bool exclusive = true) {
    PgStoreOptions o;
    o.session_id = id;
    o.creation_time = kCreated;
    o.exclusive = exclusive;
    return o;
  }
  static std::unique_ptr<PgStore> open(const PgStoreOptions& o) {
    auto r = PgStore::open(g_server->conninfo(), o);
    EXPECT_TRUE(r) << r.error();
    return r ? std::move(r).value() : nullptr;
  }
  static std::unique_ptr<PgStore> open(const std::string& id, bool exclusive = true) {
    return open(options(id, exclusive));
  }
  // Runs SQL on a separate connection.
  static void sql(const std::string& statement) {
    PGconn* c = PQconnectdb(g_server->conninfo().c_str());
    PGresult* r = PQexec(c, statement.c_str());
    EXPECT_TRUE(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        << PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
  }
};

TEST_F(PgStoreTest, ManySessionsInOneDatabaseAreKeptApart) {
  constexpr int kSessions = 12;
  std::vector<std::string> ids;
  std::vector<std::unique_ptr<PgStore>> stores;
  std::vector<session::MemoryStore> models(kSessions);
  for (int i = 0; i < kSessions; ++i) {
    ids.push_back(unique_session("MANY" + std::to_string(i)));
    stores.push_back(open(ids.back()));
    ASSERT_TRUE(stores.back());
    ASSERT_TRUE(models[i].reset(kCreated));
  }
  // Interleaved: every session gets a different number of operations, resets included.
  for (uint64_t op = 1; op <= 40; ++op)
    for (int i = 0; i < kSessions; ++i) {
      if (op > static_cast<uint64_t>(20 + 2 * i)) continue;
      ASSERT_TRUE(Workload::apply(*stores[i], op));
      ASSERT_TRUE(Workload::apply(models[i], op));
    }
  stores.clear();  // and reopened, from the database alone
  for (int i = 0; i < kSessions; ++i) {
    auto s = open(ids[i]);
    ASSERT_TRUE(s);
    EXPECT_EQ(snapshot(*s), snapshot(models[i])) << ids[i];
  }
}

TEST_F(PgStoreTest, SecondWriterOfTheSameSessionIsRefused) {
  std::string id = unique_session("LOCK");
  auto first = open(id);
  ASSERT_TRUE(first);
  PgStoreOptions o;
  o.session_id = id;
  o.lock_timeout = std::chrono::milliseconds(200);
  auto second = PgStore::open(g_server->conninfo(), o);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("open elsewhere"), std::string::npos) << second.error();
  EXPECT_NE(second.error().find(id), std::string::npos) << second.error();
  first.reset();  // closing releases the lock
  EXPECT_TRUE(PgStore::open(g_server->conninfo(), o));
}

TEST_F(PgStoreTest, RefreshSeesAnotherWritersCommits) {
  std::string id = unique_session("REFRESH");
  auto writer = open(id), reader = open(id, /*exclusive=*/false);
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE(writer->commit(make_batch({{1, "x"}, {2, ""}}, 3, 9)));
  EXPECT_EQ(reader->next_target_seq(), SeqNum(1));
  ASSERT_TRUE(reader->refresh());
  EXPECT_EQ(snapshot(*reader), snapshot(*writer));
}

TEST_F(PgStoreTest, FailedCommitStoresNothing) {
  std::string id = unique_session("ATOMIC");
  auto store = open(id);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(make_batch({{1, "kept"}}, 2, 2)));
  StoreState before = snapshot(*store);
  // The state update fails after the messages were inserted: they must not stay.
  sql("CREATE OR REPLACE FUNCTION fixgate_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
      " BEGIN IF NEW.next_target = 99 THEN RAISE EXCEPTION 'refused by test'; END IF;"
      " RETURN NEW; END $$");
  sql("CREATE OR REPLACE TRIGGER fixgate_test_refuse BEFORE UPDATE ON fixgate_store_sessions"
      " FOR EACH ROW EXECUTE FUNCTION fixgate_test_refuse()");
  Status s = store->commit(make_batch({{2, "lost"}, {3, "lost"}}, 4, 99));
  sql("DROP TRIGGER fixgate_test_refuse ON fixgate_store_sessions");
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("refused by test"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(id), std::string::npos) << s.message();
  EXPECT_EQ(snapshot(*store), before);
  auto other = open(id, /*exclusive=*/false);
  EXPECT_EQ(snapshot(*other), before);
  ASSERT_TRUE(store->commit(make_batch({{2, "next"}}, 3, 3)));
}

// The server drops the store's connection (a restart, a failover, an idle timeout): the commit
// in flight fails, and the next one reconnects, takes the session's lock again and goes on from
// what the database holds.
TEST_F(PgStoreTest, ALostConnectionIsReopenedByTheNextCall) {
  std::string id = unique_session("RECONNECT");
  PgStoreOptions o = options(id);
  o.lock_timeout = std::chrono::milliseconds(200);
  o.reconnect_interval = std::chrono::milliseconds(0);
  auto store = open(o);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(make_batch({{1, "before"}}, 2, 1)));
  const int old_backend = store->backend_pid();

  // Returns once the backend is gone (with a timeout, pg_terminate_backend waits for that).
  auto cut_off = [&] {
    PGconn* c = PQconnectdb(g_server->conninfo().c_str());
    const std::string kill =
        "SELECT pg_terminate_backend(" + std::to_string(store->backend_pid()) + ", 10000)";
    PGresult* r = PQexec(c, kill.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
    EXPECT_STREQ(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    PQfinish(c);
  };
  cut_off();
  Status lost = store->commit(make_batch({{2, "cut off"}}, 3, 1));
  ASSERT_FALSE(lost);
  EXPECT_NE(lost.message().find(id), std::string::npos) << lost.message();
  EXPECT_EQ(store->next_sender_seq(), SeqNum(2));

  ASSERT_TRUE(until_connected([&] { return store->commit(make_batch({{2, "after"}}, 3, 1)); }));
  EXPECT_NE(store->backend_pid(), old_backend);
  EXPECT_EQ(snapshot(*store), (StoreState{3, 1, kCreated.count(), {{1, "before"}, {2, "after"}}}));
  // The new connection holds the session: a second writer is still refused.
  auto second = PgStore::open(g_server->conninfo(), o);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("open elsewhere"), std::string::npos) << second.error();

  // Someone else takes the session while the connection is down, and writes: reconnecting must
  // not write beside them, nor later on top of what they wrote.
  cut_off();
  ASSERT_FALSE(store->commit(make_batch({{3, "cut off"}}, 4, 1)));
  {
    auto other = PgStore::open(g_server->conninfo(), o);  // the lock went with the backend
    ASSERT_TRUE(other) << other.error();
    Status refused = until_connected([&] { return store->commit(make_batch({{3, "x"}}, 4, 1)); });
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.message().find("open elsewhere"), std::string::npos) << refused.message();
    ASSERT_TRUE((*other)->commit(make_batch({{3, "other"}, {4, "other"}}, 5, 1)));
    // Gone for sure before we look again (closing does not wait for the server's backend).
    sql("SELECT pg_terminate_backend(" + std::to_string((*other)->backend_pid()) + ", 10000)");
  }
  Status stale = until_connected([&] { return store->commit(make_batch({{3, "x"}}, 4, 1)); });
  ASSERT_FALSE(stale);
  EXPECT_NE(stale.message().find("another writer"), std::string::npos) << stale.message();
  EXPECT_FALSE(store->commit(make_batch({{3, "x"}}, 4, 1)));  // until reopened
  auto reopened = open(id);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->next_sender_seq(), SeqNum(5));
}

// Between attempts, calls fail at once: a dead database costs the loop nothing per message.
TEST_F(PgStoreTest, ReconnectsAreAttemptedAtMostOncePerInterval) {
  PgStoreOptions o = options(unique_session("INTERVAL"));
  o.reconnect_interval = std::chrono::hours(1);
  auto store = open(o);
  ASSERT_TRUE(store);
  sql("SELECT pg_terminate_backend(" + std::to_string(store->backend_pid()) + ", 10000)");
  ASSERT_FALSE(store->commit(make_batch({{1, "lost"}}, 2, 1)));
  Status first = until_connected([&] { return store->commit(make_batch({{1, "x"}}, 2, 1)); });
  ASSERT_TRUE(first) << first.message();  // the first attempt is not held back
  sql("SELECT pg_terminate_backend(" + std::to_string(store->backend_pid()) + ", 10000)");
  ASSERT_FALSE(store->commit(make_batch({{2, "lost"}}, 3, 1)));
  Status waiting = store->commit(make_batch({{2, "x"}}, 3, 1));
  ASSERT_FALSE(waiting);
  EXPECT_NE(waiting.message().find("waiting for the next attempt"), std::string::npos)
      << waiting.message();
}

// A network partition: the client's connection is gone, but the server keeps the old backend,
// and with it the session's lock, until its keepalive notices. The store ends that backend (it
// is its own) rather than waiting hours.
TEST_F(PgStoreTest, AfterAPartitionTheOldBackendIsEndedAndTheSessionRetaken) {
  PgStoreOptions o = options(unique_session("PARTITION"));
  o.reconnect_interval = std::chrono::milliseconds(0);
  auto store = open(o);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(make_batch({{1, "before"}}, 2, 1)));
  const int old_backend = store->backend_pid();
  // The client side breaks without a word to the server: libpq's socket becomes /dev/null,
  // while a duplicate keeps the real one open (no FIN is sent).
  const int real = ::dup(store->socket());
  const int null = ::open("/dev/null", O_RDWR);
  ASSERT_GE(real, 0);
  ASSERT_EQ(::dup2(null, store->socket()), store->socket());
  ::close(null);
  ASSERT_FALSE(store->commit(make_batch({{2, "lost"}}, 3, 1)));
  Status s = until_connected([&] { return store->commit(make_batch({{2, "after"}}, 3, 1)); });
  EXPECT_TRUE(s) << s.message();
  EXPECT_NE(store->backend_pid(), old_backend);
  EXPECT_EQ(snapshot(*store), (StoreState{3, 1, kCreated.count(), {{1, "before"}, {2, "after"}}}));
  ::close(real);
}

TEST_F(PgStoreTest, ConnectionFailureIsAClearError) {
  PgStoreOptions o;
  o.session_id = "X";
  // Our server's port with a wrong user: refused quickly, with libpq's reason.
  auto r = PgStore::open("host=127.0.0.1 port=" + std::to_string(g_server->port()) +
                             " user=nobody_here dbname=postgres connect_timeout=5",
                         o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("connect"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("nobody_here"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace fixgate::store::testing
