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

}  // namespace fixgate::store::testing
