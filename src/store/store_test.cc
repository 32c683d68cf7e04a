// The Store contract against MemoryStore, FileStore and SqliteStore (PgStore: pg_store_test.cc).
#include "fixgate/session/memory_store.h"
#include "fixgate/store/file_store.h"
#include "fixgate/store/sqlite_store.h"
#include "store_contract_test.h"

namespace fixgate::store::testing {

struct MemoryFactory {
  Duration created = kCreated;
  Result<std::unique_ptr<Store>> open() { return std::unique_ptr<Store>(new session::MemoryStore); }
};

struct FileFactory {
  TempDir dir;
  Duration created = kCreated;
  Result<std::unique_ptr<Store>> open() {
    FileStoreOptions o;
    o.creation_time = created;
    o.segment_bytes = 64 << 10;  // small, so the suites cross segment boundaries
    auto r = FileStore::open(dir.file("session"), o);
    if (!r) return r.status();
    return std::unique_ptr<Store>(std::move(r).value());
  }
};

struct SqliteFactory {
  TempDir dir;
  Duration created = kCreated;
  Result<std::unique_ptr<Store>> open() {
    SqliteStoreOptions o;
    o.session_id = "FIX.4.4:ME->YOU";
    o.creation_time = created;
    auto r = SqliteStore::open(dir.file("store.db"), o);
    if (!r) return r.status();
    return std::unique_ptr<Store>(std::move(r).value());
  }
};

// One instantiation per store, named after it, so that ctest names read
// "FileStore.StateSurvivesReopen<fixgate::store::testing::FileFactory>"; `ctest -R FileStore`
// selects every FileStore test.
INSTANTIATE_TYPED_TEST_SUITE_P(MemoryStore, StoreContractTest, MemoryFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(FileStore, StoreContractTest, FileFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(FileStore, DurableStoreTest, FileFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(SqliteStore, StoreContractTest, SqliteFactory);
INSTANTIATE_TYPED_TEST_SUITE_P(SqliteStore, DurableStoreTest, SqliteFactory);

// StoreBatch keeps the bytes of its messages in one buffer of its own: views stay right as the
// buffer grows, a copy points into its copy, and a cleared batch starts empty.
TEST(StoreBatchTest, BytesSurviveGrowthCopiesAndClear) {
  StoreBatch batch;
  std::vector<std::string> bodies;
  for (int i = 0; i < 200; ++i) {
    bodies.push_back(std::string(static_cast<size_t>(i % 37), static_cast<char>('a' + i % 26)));
    batch.add_sent(SeqNum(static_cast<uint64_t>(i) + 1), bodies.back());
  }
  StoreBatch copy = batch;
  batch.clear();
  batch.add_sent(SeqNum(1), "overwrites the old buffer");
  ASSERT_EQ(copy.sent.size(), bodies.size());
  for (size_t i = 0; i < bodies.size(); ++i) {
    EXPECT_EQ(copy.sent[i].seq, SeqNum(i + 1));
    EXPECT_EQ(copy.sent[i].bytes, bodies[i]) << "message " << i;
  }
  ASSERT_EQ(batch.sent.size(), 1u);
  EXPECT_EQ(batch.sent[0].bytes, "overwrites the old buffer");
}

}  // namespace fixgate::store::testing
