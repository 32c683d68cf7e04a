// SqliteStore beyond the shared contract: WAL and synchronous settings, several sessions in
// one file, one writer per session, refresh from another connection, and an all-or-nothing
// failed commit.
#include "fixgate/store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "store_test_util.h"

namespace fixgate::store::testing {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  static SqliteStoreOptions options(std::string id, bool exclusive = true) {
    SqliteStoreOptions o;
    o.session_id = std::move(id);
    o.creation_time = kCreated;
    o.exclusive = exclusive;
    return o;
  }
  std::unique_ptr<SqliteStore> open(SqliteStoreOptions o) {
    auto r = SqliteStore::open(path_, o);
    EXPECT_TRUE(r) << r.error();
    return r ? std::move(r).value() : nullptr;
  }
  std::unique_ptr<SqliteStore> open(std::string id) { return open(options(std::move(id))); }
  // A second connection to a session that a writer has open (exclusive = false).
  std::unique_ptr<SqliteStore> open_reader(std::string id) {
    return open(options(std::move(id), false));
  }
  static int64_t pragma(SqliteStore& s, const char* sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(s.handle(), sql, -1, &st, nullptr), SQLITE_OK);
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  }

  TempDir dir_;
  std::string path_ = dir_.file("fixgate.db");
};

TEST_F(SqliteStoreTest, UsesWalAndFullSynchronousByDefault) {
  auto store = open("A");
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(store->handle(), "PRAGMA journal_mode", -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  EXPECT_EQ(pragma(*store, "PRAGMA synchronous"), 2);  // FULL
  store.reset();
  SqliteStoreOptions normal = options("A");
  normal.synchronous_full = false;
  store = open(normal);
  EXPECT_EQ(pragma(*store, "PRAGMA synchronous"), 1);  // NORMAL
}

TEST_F(SqliteStoreTest, SessionsInOneFileAreKeptApart) {
  auto a = open("FIX.4.4:A->X"), b = open("FIX.4.4:B->X");
  ASSERT_TRUE(a->commit(make_batch({{1, "a1"}, {2, "a2"}}, 3, 7)));
  ASSERT_TRUE(b->commit(make_batch({{1, "b1"}}, 2, 4)));
  ASSERT_TRUE(a->reset(Duration(5)));
  EXPECT_EQ(snapshot(*a), (StoreState{1, 1, 5, {}}));
  EXPECT_EQ(snapshot(*b), (StoreState{2, 4, kCreated.count(), {{1, "b1"}}}));
  b.reset();
  b = open("FIX.4.4:B->X");
  EXPECT_EQ(snapshot(*b), (StoreState{2, 4, kCreated.count(), {{1, "b1"}}}));
}

// A second engine started on the same database must not hand out the sequence numbers the
// first one does: its store does not open, and says why.
TEST_F(SqliteStoreTest, ASessionHasOneWriterInThisProcessOrAnother) {
  auto first = open("FIX.4.4:A->X");
  auto second = SqliteStore::open(path_, options("FIX.4.4:A->X"));
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("open elsewhere"), std::string::npos) << second.error();
  EXPECT_NE(second.error().find(path_ + ".lock"), std::string::npos) << second.error();
  EXPECT_NE(second.error().find("FIX.4.4:A->X"), std::string::npos) << second.error();
  EXPECT_TRUE(open("FIX.4.4:B->X"));  // other sessions in the file are free
  // The same file under another name is the same session.
  const std::string alias = dir_.file("alias.db");
  std::filesystem::create_symlink(path_, alias);
  EXPECT_FALSE(SqliteStore::open(alias, options("FIX.4.4:A->X")));

  // Another process, as a second daemon would be.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    bool refused = !SqliteStore::open(path_, options("FIX.4.4:A->X"));
    _exit(refused ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "another process opened a session held here";

  first.reset();  // closing the store frees the session
  EXPECT_TRUE(open("FIX.4.4:A->X"));
}

TEST_F(SqliteStoreTest, RefreshSeesAnotherConnectionsCommits) {
  auto writer = open("S"), reader = open_reader("S");
  ASSERT_TRUE(writer->commit(make_batch({{1, "x"}}, 2, 9)));
  EXPECT_EQ(reader->next_target_seq(), SeqNum(1));
  ASSERT_TRUE(reader->refresh());
  EXPECT_EQ(snapshot(*reader), snapshot(*writer));
}

TEST_F(SqliteStoreTest, FailedCommitStoresNothing) {
  auto store = open("S");
  ASSERT_TRUE(store->commit(make_batch({{1, "kept"}}, 2, 2)));
  StoreState before = snapshot(*store);
  // The state update fails after the messages were inserted: they must be rolled back.
  ASSERT_EQ(sqlite3_exec(store->handle(),
                         "CREATE TRIGGER refuse BEFORE UPDATE ON fixgate_store_sessions"
                         " WHEN NEW.next_target = 99 BEGIN SELECT RAISE(ABORT, 'refused'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  Status s = store->commit(make_batch({{2, "lost"}, {3, "lost"}}, 4, 99));
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("refused"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(path_), std::string::npos) << s.message();
  EXPECT_EQ(snapshot(*store), before);
  auto other = open_reader("S");
  EXPECT_EQ(snapshot(*other), before);
  ASSERT_TRUE(store->commit(make_batch({{2, "next"}}, 3, 3)));
}

TEST_F(SqliteStoreTest, UnopenableFileIsAClearError) {
  SqliteStoreOptions o;
  auto r = SqliteStore::open(dir_.file("no/such/dir/x.db"), o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("no/such/dir/x.db"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace fixgate::store::testing
