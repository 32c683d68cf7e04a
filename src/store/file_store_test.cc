// FileStore beyond the shared contract: torn writes, corruption, generations, full disks,
// fsync policies and segment rotation.
#include "fixgate/store/file_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "segment_format.h"
#include "store_test_util.h"

namespace fixgate::store::testing {
namespace {

namespace fs = std::filesystem;

class FileStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<FileStore> open(FileStoreOptions o = {}) {
    if (!o.creation_time) o.creation_time = kCreated;
    auto r = FileStore::open(path_, std::move(o));
    EXPECT_TRUE(r) << r.error();
    return r ? std::move(r).value() : nullptr;
  }
  Status open_status(FileStoreOptions o = {}) {
    return FileStore::open(path_, std::move(o)).status();
  }
  std::vector<std::string> segments() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path_))
      if (e.path().extension() == ".log") out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  // fsync batch, at most one sync per millisecond of `now`, a clock the test moves.
  static FileStoreOptions batch_on_clock(const Duration& now) {
    FileStoreOptions o;
    o.fsync = FsyncPolicy::kBatch;
    o.batch_interval = std::chrono::microseconds(1000);
    o.clock = [&now] { return now; };
    return o;
  }
  std::string seg(int generation, int number) const {
    char name[64];
    std::snprintf(name, sizeof name, "/seg-%08d-%08d.log", generation, number);
    return path_ + name;
  }

  TempDir dir_;
  std::string path_ = dir_.file("s");
};

TEST(FsyncPolicyTest, ParsesTheThreeNames) {
  EXPECT_EQ(*parse_fsync_policy("always"), FsyncPolicy::kAlways);
  EXPECT_EQ(*parse_fsync_policy("batch"), FsyncPolicy::kBatch);
  EXPECT_EQ(*parse_fsync_policy("never"), FsyncPolicy::kNever);
  auto bad = parse_fsync_policy("sometimes");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("sometimes"), std::string::npos);
  EXPECT_EQ(to_string(FsyncPolicy::kBatch), "batch");
}

TEST(SegmentFormatTest, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(detail::crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(detail::crc32("6789", detail::crc32("12345")), 0xCBF43926u);
}

// The eight-bytes-at-a-time CRC equals the byte-wise definition for every length and alignment
// (records written before it must still check).
TEST(SegmentFormatTest, Crc32EqualsTheBytewiseDefinitionAtEveryLengthAndOffset) {
  auto bytewise = [](std::string_view data) {
    uint32_t crc = ~0u;
    for (unsigned char ch : data) {
      crc ^= ch;
      for (int k = 0; k < 8; ++k) crc = (crc & 1) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
    }
    return ~crc;
  };
  std::string data;
  uint32_t x = 12345;
  for (int i = 0; i < 300; ++i) {
    x = x * 1103515245u + 12345u;
    data.push_back(static_cast<char>(x >> 16));
  }
  for (size_t offset = 0; offset < 8; ++offset)
    for (size_t n = 0; offset + n <= data.size(); n += 1 + n / 16) {
      std::string_view piece = std::string_view(data).substr(offset, n);
      ASSERT_EQ(detail::crc32(piece), bytewise(piece)) << "offset " << offset << " length " << n;
    }
}

TEST_F(FileStoreTest, TornWriteAtEveryOffsetOfTheLastRecordRecoversThePreviousCommit) {
  auto store = open();
  ASSERT_TRUE(store->commit(make_batch({{1, ""}, {2, "first order"}}, 3, 2)));
  StoreState before = snapshot(*store);
  uint64_t start = store->stats().bytes;
  ASSERT_TRUE(store->commit(make_batch({{3, "second order"}, {4, ""}, {5, "third"}}, 6, 3)));
  const uint64_t end = store->stats().bytes;
  store.reset();
  std::string file = segments().at(0);
  std::string whole = read_all(file).substr(0, end);  // without the zeros allocated ahead
  ASSERT_GT(whole.size(), start);
  for (size_t cut = start; cut < whole.size(); ++cut) {
    write_all(file, whole.substr(0, cut));
    store = open();
    ASSERT_TRUE(store) << "cut at " << cut;
    EXPECT_EQ(snapshot(*store), before) << "cut at " << cut;
    EXPECT_EQ(store->recovery_note().empty(), cut == start) << store->recovery_note();
    // The store goes on from there, and what it writes next survives.
    ASSERT_TRUE(store->commit(make_batch({{3, "again"}}, 4, 3)));
    store.reset();
    store = open();
    StoreState after = before;
    after.messages[3] = "again";
    after.next_sender = 4;
    after.next_target = 3;
    EXPECT_EQ(snapshot(*store), after) << "cut at " << cut;
    EXPECT_TRUE(store->recovery_note().empty());
    store.reset();
  }
}

TEST_F(FileStoreTest, TornFirstAppendToANewSegmentRecoversThePreviousCommit) {
  FileStoreOptions o;
  o.segment_bytes = 256;
  auto store = open(o);
  std::string body(150, 'x');
  ASSERT_TRUE(store->commit(make_batch({{1, body}}, 2, 1)));
  StoreState before = snapshot(*store);
  ASSERT_TRUE(store->commit(make_batch({{2, body}}, 3, 1)));  // rotates
  ASSERT_EQ(store->stats().segments, 2u);
  store.reset();
  std::string second = seg(1, 2), whole = read_all(second);
  for (size_t cut = 0; cut < whole.size(); ++cut) {
    write_all(second, whole.substr(0, cut));
    store = open(o);
    ASSERT_TRUE(store) << "cut at " << cut;
    EXPECT_EQ(snapshot(*store), before) << "cut at " << cut;
    // A segment without an intact header held nothing committed: it is removed.
    EXPECT_EQ(fs::exists(second), cut >= detail::kHeaderRecordBytes) << "cut at " << cut;
    store.reset();
  }
}

TEST_F(FileStoreTest, ZerosAfterTheLastRecordAreTheEndNotDamage) {
  // The live segment is allocated ahead of its records (and an OS crash without fsync can leave
  // a file extended with zeros): either way zeros read as the end, and the next commit goes
  // right after the last record.
  auto store = open();
  ASSERT_TRUE(store->commit(make_batch({{1, "a"}}, 2, 2)));
  StoreState before = snapshot(*store);
  const uint64_t end = store->stats().bytes;
  store.reset();
  std::string file = segments().at(0);
  ASSERT_GT(fs::file_size(file), end);  // allocated ahead
  write_all(file, read_all(file).substr(0, end) + std::string(3 << 20, '\0'));
  store = open();
  EXPECT_EQ(snapshot(*store), before);
  EXPECT_TRUE(store->recovery_note().empty()) << store->recovery_note();
  EXPECT_EQ(store->stats().bytes, end);
  ASSERT_TRUE(store->commit(make_batch({{2, "b"}}, 3, 3)));
  store.reset();
  store = open();
  EXPECT_EQ(snapshot(*store), (StoreState{3, 3, kCreated.count(), {{1, "a"}, {2, "b"}}}));
}

TEST_F(FileStoreTest, CorruptionBeforeASyncedRecordIsReportedWithFileAndOffset) {
  auto store = open();
  ASSERT_TRUE(store->commit(make_batch({{1, "one"}}, 2, 1)));
  uint64_t second = store->stats().bytes;
  ASSERT_TRUE(store->commit(make_batch({{2, "two two two"}}, 3, 1)));
  ASSERT_TRUE(store->commit(make_batch({{3, "three"}}, 4, 1)));
  store.reset();
  std::string file = segments().at(0), data = read_all(file);
  data[second + detail::kRecordOverhead + 20] ^= 0x40;  // inside the body of seq 2
  write_all(file, data);
  Status s = open_status();
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find(file), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("offset " + std::to_string(second)), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("checksum mismatch"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not a torn tail"), std::string::npos) << s.message();
  EXPECT_EQ(read_all(file), data);  // nothing was "repaired" away
}

TEST_F(FileStoreTest, DamageEarlyInALargeSegmentIsDiagnosedWithoutRescanningPayloads) {
  // Recovery looks for intact records after the damage at every offset; the header checksum
  // keeps that linear even when FIX text (full of SOH bytes) follows.
  FileStoreOptions o;
  o.fsync = FsyncPolicy::kNever;
  auto store = open(o);
  ASSERT_TRUE(store->commit(make_batch({{1, "one"}}, 2, 1)));
  uint64_t second = store->stats().bytes;
  for (uint64_t s = 2; s <= 3000; ++s)
    ASSERT_TRUE(store->commit(make_batch({{s, Workload::body(s, s)}}, s + 1, 1)));
  ASSERT_TRUE(store->flush());  // from here on records claim synced predecessors
  ASSERT_TRUE(store->commit(make_batch({{3001, "synced"}}, 3002, 1)));
  store.reset();
  std::string file = segments().at(0), data = read_all(file);
  ASSERT_GT(data.size(), 1000000u);
  data[second + 2] ^= 0x10;  // the length field of the second record
  write_all(file, data);
  Status s = open_status(o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("offset " + std::to_string(second)), std::string::npos) << s.message();
}

TEST_F(FileStoreTest, CorruptionInAnEarlierSegmentIsReported) {
  FileStoreOptions o;
  o.segment_bytes = 256;
  auto store = open(o);
  for (uint64_t s = 1; s <= 6; ++s)
    ASSERT_TRUE(store->commit(make_batch({{s, std::string(100, 'a')}}, s + 1, 1)));
  ASSERT_GE(store->stats().segments, 3u);
  store.reset();
  std::string first = seg(1, 1), data = read_all(first);
  data[data.size() - 5] ^= 1;
  write_all(first, data);
  Status s = open_status(o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find(first), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not the last segment"), std::string::npos) << s.message();
}

TEST_F(FileStoreTest, MissingSegmentInTheMiddleIsReported) {
  FileStoreOptions o;
  o.segment_bytes = 256;
  auto store = open(o);
  for (uint64_t s = 1; s <= 6; ++s)
    ASSERT_TRUE(store->commit(make_batch({{s, std::string(100, 'a')}}, s + 1, 1)));
  store.reset();
  fs::remove(seg(1, 2));
  Status s = open_status(o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find(seg(1, 2)), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("missing"), std::string::npos) << s.message();
}

TEST_F(FileStoreTest, WithoutFsyncDamageInTheLastSegmentCountsAsATornTail) {
  // kNever never claims that earlier bytes were synced, so an OS crash that lost a page in the
  // middle of the unsynced tail reopens at the last intact commit instead of failing.
  FileStoreOptions o;
  o.fsync = FsyncPolicy::kNever;
  auto store = open(o);
  ASSERT_TRUE(store->commit(make_batch({{1, "one"}}, 2, 1)));
  StoreState before = snapshot(*store);
  uint64_t second = store->stats().bytes;
  ASSERT_TRUE(store->commit(make_batch({{2, "two"}}, 3, 1)));
  ASSERT_TRUE(store->commit(make_batch({{3, "three"}}, 4, 1)));
  store.reset();
  std::string file = segments().at(0), data = read_all(file);
  data[second + 12] ^= 0x40;
  write_all(file, data);
  store = open(o);
  ASSERT_TRUE(store);
  EXPECT_EQ(snapshot(*store), before);
  EXPECT_NE(store->recovery_note().find("offset " + std::to_string(second)), std::string::npos);
}

TEST_F(FileStoreTest, CrashBeforeTheNewGenerationHeaderIsSyncedKeepsTheOldState) {
  auto store = open();
  ASSERT_TRUE(store->commit(make_batch({{1, "a"}, {2, "b"}}, 3, 5)));
  StoreState before = snapshot(*store);
  store.reset();
  // reset() died while writing generation 2's header.
  std::string header = detail::encode_header({2, 1, 777});
  for (size_t cut : {size_t{0}, size_t{5}, header.size() - 1}) {
    write_all(seg(2, 1), header.substr(0, cut));
    store = open();
    ASSERT_TRUE(store);
    EXPECT_EQ(snapshot(*store), before) << "cut at " << cut;
    EXPECT_FALSE(fs::exists(seg(2, 1)));
    store.reset();
  }
}

TEST_F(FileStoreTest, CrashAfterTheNewGenerationHeaderNeverResurrectsTheOldState) {
  FileStoreOptions o;
  o.segment_bytes = 256;
  auto store = open(o);
  for (uint64_t s = 1; s <= 4; ++s)
    ASSERT_TRUE(store->commit(make_batch({{s, std::string(100, 'o')}}, s + 1, s)));
  store.reset();
  std::vector<std::pair<std::string, std::string>> old;
  for (const auto& f : segments()) old.emplace_back(f, read_all(f));
  ASSERT_GE(old.size(), 2u);
  store = open(o);
  ASSERT_TRUE(store->reset(Duration(555)));
  store.reset();
  // As if reset() died before deleting the old generation (wholly or in part).
  for (size_t keep = 1; keep <= old.size(); ++keep) {
    for (size_t i = old.size() - keep; i < old.size(); ++i) write_all(old[i].first, old[i].second);
    store = open(o);
    ASSERT_TRUE(store);
    EXPECT_EQ(snapshot(*store), (StoreState{1, 1, 555, {}}));
    for (const auto& [f, data] : old) EXPECT_FALSE(fs::exists(f)) << f;
    store.reset();
  }
}

TEST_F(FileStoreTest, SecondOpenOfTheSameDirectoryIsRefused) {
  auto store = open();
  Status s = open_status();
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("in use"), std::string::npos) << s.message();
  store.reset();
  EXPECT_TRUE(open());
}

TEST_F(FileStoreTest, FullDiskFailsTheCommitAndLeavesTheStoreConsistent) {
  FileFaults faults;
  FileStoreOptions o;
  o.faults = &faults;
  o.segment_bytes = 512;
  auto store = open(o);
  ASSERT_TRUE(store->commit(make_batch({{1, "kept"}}, 2, 2)));
  StoreState before = snapshot(*store);
  std::string file = segments().at(0);
  uint64_t size = fs::file_size(file);

  faults = {10, ENOSPC};
  Status s = store->commit(make_batch({{2, "lost"}}, 3, 3));
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(file), std::string::npos) << s.message();
  EXPECT_EQ(snapshot(*store), before);
  EXPECT_EQ(fs::file_size(file), size);  // the partial record was cut off again

  // Space comes back: the store carries on, and a reopen sees exactly the successful commits.
  ASSERT_TRUE(store->commit(make_batch({{2, "stored"}}, 3, 3)));
  // The disk fills up while a new segment is started: no half-made segment stays behind.
  faults = {20, ENOSPC};
  ASSERT_FALSE(store->commit(make_batch({{3, std::string(600, 'z')}}, 4, 4)));
  EXPECT_EQ(segments().size(), 1u);
  store.reset();
  store = open(o);
  EXPECT_EQ(snapshot(*store), (StoreState{3, 3, kCreated.count(), {{1, "kept"}, {2, "stored"}}}));
  EXPECT_TRUE(store->recovery_note().empty());
}

TEST_F(FileStoreTest, KernelErrorExtendingTheFileFailsTheCommitCleanly) {
  // A real error from the kernel: the file size limit (EFBIG), standing in for ENOSPC, which
  // cannot be provoked without a dedicated filesystem. The live segment is allocated ahead in
  // chunks; the commit that needs the next chunk fails before any of it is copied.
  auto store = open();
  ASSERT_TRUE(store->commit(make_batch({{1, "kept"}}, 2, 2)));
  std::string file = segments().at(0);
  const uint64_t size = fs::file_size(file);
  const std::string big(200000, 'x');
  uint64_t seq = 2;
  // Fill the allocated chunk until one more big record would not fit in it.
  while (store->stats().bytes + big.size() + 200 < size) {
    ASSERT_TRUE(store->commit(make_batch({{seq, big}}, seq + 1, 2)));
    ++seq;
  }
  ASSERT_EQ(fs::file_size(file), size);
  StoreState before = snapshot(*store);
  rlimit old;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = size;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  Status s = store->commit(make_batch({{seq, big}}, seq + 1, 3));
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find(file), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not stored"), std::string::npos) << s.message();
  EXPECT_EQ(snapshot(*store), before);
  EXPECT_EQ(fs::file_size(file), size);
  // The limit lifted, the same commit goes through, and a reopen sees exactly that.
  ASSERT_TRUE(store->commit(make_batch({{seq, "after"}}, seq + 1, 3)));
  StoreState expected = before;
  expected.messages[seq] = "after";
  expected.next_sender = seq + 1;
  expected.next_target = 3;
  store.reset();
  store = open();
  EXPECT_EQ(snapshot(*store), expected);
}

TEST_F(FileStoreTest, AlwaysSyncsEveryCommit) {
  auto store = open();
  uint64_t syncs = store->stats().data_syncs;
  const uint64_t timed = store->sync_latency()->snapshot().count;
  for (uint64_t s = 1; s <= 5; ++s) ASSERT_TRUE(store->commit(make_batch({{s, "m"}}, s + 1, 1)));
  EXPECT_EQ(store->stats().data_syncs, syncs + 5);
  // Each one timed (metrics): five durations, each above zero.
  const LatencyHistogram::Snapshot after = store->sync_latency()->snapshot();
  EXPECT_EQ(after.count, timed + 5);
  EXPECT_GT(after.sum.count(), 0);
  EXPECT_FALSE(store->flush_deadline());
}

TEST_F(FileStoreTest, BatchSyncsAtMostOncePerIntervalOffTheCommittingThread) {
  Duration now{0};
  FileStoreOptions o = batch_on_clock(now);
  auto store = open(o);
  uint64_t syncs = store->stats().data_syncs;
  auto commit_at = [&](int us, uint64_t seq) {
    now = std::chrono::microseconds(us);
    ASSERT_TRUE(store->commit(make_batch({{seq, "m"}}, seq + 1, 1)));
  };
  commit_at(100, 1);
  commit_at(500, 2);
  EXPECT_EQ(store->stats().data_syncs, syncs);  // returned after write() only
  // Pending: due an interval after the last commit, if no commit comes before.
  EXPECT_EQ(store->flush_deadline(), Duration(std::chrono::microseconds(1500)));
  commit_at(1000, 3);  // the interval has passed: a background sync of everything so far
  store->wait_for_background_sync();
  EXPECT_EQ(store->stats().data_syncs, syncs + 1);
  EXPECT_FALSE(store->flush_deadline());  // it reached the end: nothing pending
  commit_at(1300, 4);
  EXPECT_EQ(store->stats().data_syncs, syncs + 1);  // within the interval: no sync asked
  EXPECT_EQ(store->flush_deadline(), Duration(std::chrono::microseconds(2300)));
  ASSERT_TRUE(store->flush());  // the engine's timer, once traffic stops: synced here
  EXPECT_EQ(store->stats().data_syncs, syncs + 2);
  EXPECT_FALSE(store->flush_deadline());
  ASSERT_TRUE(store->flush());  // nothing pending: no sync
  EXPECT_EQ(store->stats().data_syncs, syncs + 2);
  // Timed alike on the sync thread and here.
  EXPECT_EQ(store->sync_latency()->snapshot().count, 2u);
  // Everything returned is there after a reopen.
  store.reset();
  store = open(o);
  EXPECT_EQ(store->next_sender_seq(), SeqNum(5));
}

TEST_F(FileStoreTest, AFailedBackgroundSyncFailsTheNextCommitAndEveryOneAfter) {
  Duration now{0};
  FileFaults faults;
  FileStoreOptions o = batch_on_clock(now);
  o.faults = &faults;
  auto store = open(o);
  ASSERT_TRUE(store->commit(make_batch({{1, "kept"}}, 2, 1)));
  faults.background_sync_error = EIO;
  now = std::chrono::microseconds(2000);
  ASSERT_TRUE(store->commit(make_batch({{2, "written, sync failed"}}, 3, 1)));
  store->wait_for_background_sync();
  Status s = store->commit(make_batch({{3, "refused"}}, 4, 1));
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("fdatasync"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(dir_.path()), std::string::npos) << s.message();
  EXPECT_FALSE(store->commit(make_batch({{3, "still refused"}}, 4, 1)));
  EXPECT_FALSE(store->flush());
  // Reopened, the store is what the files hold: both written commits, not the refused one.
  store.reset();
  o.faults = nullptr;
  store = open(o);
  EXPECT_EQ(store->next_sender_seq(), SeqNum(3));
}

// A record claims what the last background sync covered, even when that sync ended before the
// record before it: damage to synced records is then reported, never truncated as a torn tail.
TEST_F(FileStoreTest, DamageABackgroundSyncCoveredIsCorruptionEvenWhenLaterRecordsAreUnsynced) {
  Duration now{0};
  FileStoreOptions o = batch_on_clock(now);
  auto store = open(o);
  ASSERT_TRUE(store->commit(make_batch({{1, "one"}}, 2, 1)));
  const uint64_t second = store->stats().bytes;
  now = std::chrono::microseconds(2000);  // this commit asks for a sync, up to its end
  ASSERT_TRUE(store->commit(make_batch({{2, "two"}}, 3, 1)));
  const uint64_t third = store->stats().bytes;
  store->wait_for_background_sync();
  ASSERT_TRUE(store->commit(make_batch({{3, "three"}}, 4, 1)));
  const uint64_t fourth = store->stats().bytes;
  // No sync since: this record's predecessor is unsynced, yet it still claims the synced part.
  ASSERT_TRUE(store->commit(make_batch({{4, "four"}}, 5, 1)));
  store.reset();

  std::string file = segments().at(0), data = read_all(file);
  data[second + detail::kRecordOverhead + 2] ^= 0x40;  // seq 2: synced, then damaged
  data[third + detail::kRecordOverhead + 2] ^= 0x40;   // seq 3: the only other claim, gone
  ASSERT_LT(third, fourth);
  write_all(file, data);
  Status s = open_status(o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("offset " + std::to_string(second)), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not a torn tail"), std::string::npos) << s.message();
  EXPECT_EQ(read_all(file), data);  // nothing truncated away
}

// Damage past what any later record claims synced is a torn tail: recovery keeps what precedes it.
TEST(SegmentFormatTest, OnlyAClaimReachingPastTheDamageMakesItCorruption) {
  auto segment_with_claim = [](uint64_t claim_past_damage) {
    std::string data, rec;
    std::vector<uint32_t> offsets;
    data = detail::encode_header({1, 1, 0});
    detail::encode_commit(make_batch({{1, "one"}}, 2, 1), data.size(), rec, offsets);
    data += rec;
    const uint64_t damaged = data.size();
    detail::encode_commit(make_batch({{2, "two"}}, 3, 1), damaged, rec, offsets);
    data += rec;
    detail::encode_commit(make_batch({{3, "three"}}, 4, 1), damaged + claim_past_damage, rec,
                          offsets);
    data += rec;
    data[damaged + detail::kRecordOverhead + 2] ^= 0x40;
    return detail::scan_segment(data);
  };
  detail::SegmentScan at = segment_with_claim(0);  // synced up to the damaged record, not into it
  EXPECT_FALSE(at.damage.empty());
  EXPECT_TRUE(at.later_intact);
  EXPECT_FALSE(at.later_synced);
  detail::SegmentScan past = segment_with_claim(1);
  EXPECT_TRUE(past.later_synced);
}

TEST_F(FileStoreTest, NeverDoesNotSyncCommits) {
  FileStoreOptions o;
  o.fsync = FsyncPolicy::kNever;
  o.segment_bytes = 256;
  auto store = open(o);
  uint64_t syncs = store->stats().data_syncs;
  for (uint64_t s = 1; s <= 10; ++s)
    ASSERT_TRUE(store->commit(make_batch({{s, std::string(100, 'n')}}, s + 1, 1)));
  EXPECT_EQ(store->stats().data_syncs, syncs);
  EXPECT_FALSE(store->flush_deadline());
}

TEST_F(FileStoreTest, RotatesSegmentsAtTheSizeLimitAndReadsAcrossThem) {
  FileStoreOptions o;
  o.segment_bytes = 1024;
  auto store = open(o);
  session::MemoryStore model;
  ASSERT_TRUE(model.reset(kCreated));
  for (uint64_t op = 1; op <= 28; ++op) {  // op 29 would reset
    ASSERT_TRUE(Workload::apply(*store, op));
    ASSERT_TRUE(Workload::apply(model, op));
  }
  EXPECT_GT(store->stats().segments, 5u);
  EXPECT_EQ(segments().size(), store->stats().segments);
  for (const auto& f : segments())  // a record larger than the limit still gets a segment
    EXPECT_LE(fs::file_size(f), o.segment_bytes + 2000) << f;
  EXPECT_EQ(snapshot(*store), snapshot(model));
  store.reset();
  store = open(o);
  EXPECT_EQ(snapshot(*store), snapshot(model));
}

TEST_F(FileStoreTest, ResetRemovesTheOldGenerationFiles) {
  FileStoreOptions o;
  o.segment_bytes = 256;
  auto store = open(o);
  for (uint64_t s = 1; s <= 6; ++s)
    ASSERT_TRUE(store->commit(make_batch({{s, std::string(100, 'r')}}, s + 1, 1)));
  ASSERT_TRUE(store->reset(Duration(42)));
  EXPECT_EQ(segments(), std::vector<std::string>{seg(2, 1)});
  EXPECT_EQ(store->creation_time(), Duration(42));
}

TEST_F(FileStoreTest, SigkillLosesNoReturnedCommitEvenWithoutFsync) {
  FileStoreOptions o;
  o.fsync = FsyncPolicy::kNever;
  o.segment_bytes = 4096;
  o.creation_time = Duration(0);
  std::string dir = path_;
  CrashStats stats = run_crash_test(
      [&]() -> Result<std::unique_ptr<Store>> {
        auto r = FileStore::open(dir, o);
        if (!r) return r.status();
        return std::unique_ptr<Store>(std::move(r).value());
      },
      30, 7);
  EXPECT_EQ(stats.kills, 30);
}

}  // namespace
}  // namespace fixgate::store::testing
