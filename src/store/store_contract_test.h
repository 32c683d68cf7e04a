// The Store contract as typed test suites, run against every implementation: MemoryStore,
// FileStore, SqliteStore (store_test.cc) and PgStore (pg_store_test.cc).
// A factory type F provides `Result<std::unique_ptr<Store>> open()` (reopening the same store
// each time) and a `created` creation time for stores it creates.
#pragma once

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace fixgate::store::testing {

template <typename F>
class StoreContractTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> open() {
    auto r = factory_.open();
    EXPECT_TRUE(r) << r.error();
    return r ? std::move(r).value() : nullptr;
  }
  F factory_;
};
TYPED_TEST_SUITE_P(StoreContractTest);

TYPED_TEST_P(StoreContractTest, FreshStoreStartsAtOne) {
  auto store = this->open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->next_sender_seq(), SeqNum(1));
  EXPECT_EQ(store->next_target_seq(), SeqNum(1));
  EXPECT_TRUE(snapshot(*store).messages.empty());
}

TYPED_TEST_P(StoreContractTest, CommitAdvancesSequenceNumbersAndKeepsAppMessages) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(make_batch({{1, ""}, {2, "order two"}}, 3, 2)));
  ASSERT_TRUE(store->commit(make_batch({{3, "order three"}}, 4, std::nullopt)));
  EXPECT_EQ(store->next_sender_seq(), SeqNum(4));
  EXPECT_EQ(store->next_target_seq(), SeqNum(2));
  std::map<uint64_t, std::string> want{{2, "order two"}, {3, "order three"}};
  EXPECT_EQ(snapshot(*store).messages, want);
}

TYPED_TEST_P(StoreContractTest, ReadSkipsAdminSequenceNumbersAndHonoursTheRange) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(
      make_batch({{1, ""}, {2, "b"}, {3, ""}, {4, "d"}, {5, "e"}, {6, ""}, {7, "g"}}, 8, 1)));
  std::vector<std::pair<uint64_t, std::string>> got;
  auto collect = [&](SeqNum s, std::string_view b) { got.emplace_back(s.value, b); };
  ASSERT_TRUE(store->read(SeqNum(3), SeqNum(5), collect));
  EXPECT_EQ(got, (std::vector<std::pair<uint64_t, std::string>>{{4, "d"}, {5, "e"}}));
  got.clear();
  ASSERT_TRUE(store->read(SeqNum(8), SeqNum(100), collect));
  EXPECT_TRUE(got.empty());
  ASSERT_TRUE(store->read(SeqNum(6), SeqNum(6), collect));
  EXPECT_TRUE(got.empty());
  ASSERT_TRUE(store->read(SeqNum(5), SeqNum(4), collect));
  EXPECT_TRUE(got.empty());
}

TYPED_TEST_P(StoreContractTest, WatermarkOnlyBatchLeavesSenderAlone) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(make_batch({{1, "a"}}, 2, std::nullopt)));
  ASSERT_TRUE(store->commit(make_batch({}, std::nullopt, 42)));
  EXPECT_EQ(store->next_sender_seq(), SeqNum(2));
  EXPECT_EQ(store->next_target_seq(), SeqNum(42));
}

TYPED_TEST_P(StoreContractTest, EmptyBatchChangesNothing) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(make_batch({{1, "a"}}, 2, 5)));
  StoreState before = snapshot(*store);
  ASSERT_TRUE(store->commit(StoreBatch{}));
  ASSERT_TRUE(store->commit(make_batch({{2, ""}}, std::nullopt, std::nullopt)));
  EXPECT_EQ(snapshot(*store), before);
}

TYPED_TEST_P(StoreContractTest, LaterCommitOfTheSameSequenceNumberReplacesTheBody) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(make_batch({{1, "first"}, {2, "x"}}, 3, 1)));
  ASSERT_TRUE(store->commit(make_batch({{1, "second"}}, 3, 1)));
  std::map<uint64_t, std::string> want{{1, "second"}, {2, "x"}};
  EXPECT_EQ(snapshot(*store).messages, want);
}

TYPED_TEST_P(StoreContractTest, RepeatedSequenceNumberInOneBatchKeepsTheLast) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(make_batch({{2, "old"}, {1, "one"}, {2, "new"}, {3, ""}}, 4, 1)));
  std::map<uint64_t, std::string> want{{1, "one"}, {2, "new"}};
  EXPECT_EQ(snapshot(*store).messages, want);
}

TYPED_TEST_P(StoreContractTest, BinaryAndLargeBodiesRoundTrip) {
  auto store = this->open();
  ASSERT_TRUE(store);
  std::string binary("\0\x01\xff\x7f'\"\\x00,{}", 13);
  std::string large(1 << 20, 'L');
  for (size_t i = 0; i < large.size(); i += 4093) large[i] = static_cast<char>(i);
  ASSERT_TRUE(store->commit(make_batch({{7, binary}, {8, large}}, 9, 1)));
  std::map<uint64_t, std::string> want{{7, binary}, {8, large}};
  EXPECT_TRUE(snapshot(*store).messages == want);
}

// Enough messages of mixed sizes to cross every buffer and chunk boundary a store may have.
TYPED_TEST_P(StoreContractTest, ThousandsOfMixedSizeMessagesRoundTrip) {
  auto store = this->open();
  ASSERT_TRUE(store);
  auto body = [](uint64_t seq, char salt) {
    std::string b((seq * 37) % 3000 + 1, salt);
    for (size_t i = 0; i < b.size(); i += 97) b[i] = static_cast<char>(seq + i);
    return b;
  };
  std::map<uint64_t, std::string> want;
  StoreBatch batch;
  for (uint64_t seq = 1; seq <= 2000; ++seq) {
    if (seq % 7 == 0) {
      batch.add_sent(SeqNum(seq), "");  // an admin message: a number, no body
    } else {
      want[seq] = body(seq, 'a');
      batch.add_sent(SeqNum(seq), want[seq]);
    }
    if (seq % 10 == 0) {
      batch.next_sender = SeqNum(seq + 1);
      ASSERT_TRUE(store->commit(batch)) << seq;
      batch.clear();
    }
  }
  // Sent again after a rollback, under a number stored (the new bytes win) and under one that
  // was an admin message (stored now, between its neighbours).
  for (uint64_t seq : {1500, 1400, 700}) {  // 700: the index shifts across a page boundary
    want[seq] = body(seq, 'b');
    batch.add_sent(SeqNum(seq), want[seq]);
  }
  ASSERT_TRUE(store->commit(batch));
  EXPECT_TRUE(snapshot(*store).messages == want);
}

TYPED_TEST_P(StoreContractTest, ResetForgetsEverythingAndRecordsCreationTime) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(make_batch({{1, "a"}, {2, "b"}}, 3, 9)));
  ASSERT_TRUE(store->reset(Duration(1234567)));
  StoreState want{1, 1, 1234567, {}};
  EXPECT_EQ(snapshot(*store), want);
  ASSERT_TRUE(store->commit(make_batch({{1, "new"}}, 2, 2)));
  want = {2, 2, 1234567, {{1, "new"}}};
  EXPECT_EQ(snapshot(*store), want);
}

TYPED_TEST_P(StoreContractTest, ManyCommitsMatchTheModel) {
  auto store = this->open();
  ASSERT_TRUE(store);
  session::MemoryStore model;
  ASSERT_TRUE(model.reset(store->creation_time()));
  for (uint64_t op = 1; op <= 300; ++op) {
    ASSERT_TRUE(Workload::apply(*store, op)) << op;
    ASSERT_TRUE(Workload::apply(model, op));
  }
  EXPECT_EQ(snapshot(*store), snapshot(model));
}

TYPED_TEST_P(StoreContractTest, RefreshKeepsCommittedState) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(make_batch({{1, "a"}, {2, ""}}, 3, 4)));
  StoreState before = snapshot(*store);
  ASSERT_TRUE(store->refresh());
  EXPECT_EQ(snapshot(*store), before);
}

REGISTER_TYPED_TEST_SUITE_P(StoreContractTest, FreshStoreStartsAtOne,
                            CommitAdvancesSequenceNumbersAndKeepsAppMessages,
                            ReadSkipsAdminSequenceNumbersAndHonoursTheRange,
                            WatermarkOnlyBatchLeavesSenderAlone, EmptyBatchChangesNothing,
                            LaterCommitOfTheSameSequenceNumberReplacesTheBody,
                            RepeatedSequenceNumberInOneBatchKeepsTheLast,
                            BinaryAndLargeBodiesRoundTrip, ThousandsOfMixedSizeMessagesRoundTrip,
                            ResetForgetsEverythingAndRecordsCreationTime, ManyCommitsMatchTheModel,
                            RefreshKeepsCommittedState);

// Stores that outlive the process.
template <typename F>
class DurableStoreTest : public StoreContractTest<F> {};
TYPED_TEST_SUITE_P(DurableStoreTest);

TYPED_TEST_P(DurableStoreTest, NewStoreRecordsItsCreationTime) {
  auto store = this->open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->creation_time(), this->factory_.created);
  store.reset();
  store = this->open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->creation_time(), this->factory_.created);
}

TYPED_TEST_P(DurableStoreTest, StateSurvivesReopen) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(make_batch({{1, ""}, {2, "two"}, {3, "three"}}, 4, 7)));
  ASSERT_TRUE(store->commit(make_batch({{4, ""}}, 5, 8)));
  StoreState before = snapshot(*store);
  store.reset();
  store = this->open();
  ASSERT_TRUE(store);
  EXPECT_EQ(snapshot(*store), before);
  ASSERT_TRUE(store->commit(make_batch({{5, "five"}}, 6, 9)));
  before.messages[5] = "five";
  before.next_sender = 6;
  before.next_target = 9;
  store.reset();
  store = this->open();
  ASSERT_TRUE(store);
  EXPECT_EQ(snapshot(*store), before);
}

TYPED_TEST_P(DurableStoreTest, ResetSurvivesReopen) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->commit(make_batch({{1, "a"}, {2, "b"}}, 3, 3)));
  ASSERT_TRUE(store->reset(Duration(99)));
  ASSERT_TRUE(store->commit(make_batch({{1, "c"}}, 2, 1)));
  store.reset();
  store = this->open();
  ASSERT_TRUE(store);
  StoreState want{2, 1, 99, {{1, "c"}}};
  EXPECT_EQ(snapshot(*store), want);
}

TYPED_TEST_P(DurableStoreTest, SigkillNeverLosesAReturnedCommit) {
  this->factory_.created = Duration(0);
  CrashStats stats = run_crash_test([this] { return this->factory_.open(); }, 50, 20240611);
  EXPECT_EQ(stats.kills, 50);
  EXPECT_GT(stats.final_position, 50u);
  ::testing::Test::RecordProperty("in_flight_commits_found", stats.found_in_flight);
}

REGISTER_TYPED_TEST_SUITE_P(DurableStoreTest, NewStoreRecordsItsCreationTime, StateSurvivesReopen,
                            ResetSurvivesReopen, SigkillNeverLosesAReturnedCommit);

}  // namespace fixgate::store::testing
