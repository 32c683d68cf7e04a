// LatencyHistogram: bucket edges, the overflow bucket, and observations from many threads at
// once (no lock: none may be lost).
#include "fixgate/base/latency_histogram.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace fixgate {
namespace {

using std::chrono::nanoseconds;

TEST(LatencyHistogramTest, EachDurationLandsInTheFirstBucketWhoseBoundHoldsIt) {
  LatencyHistogram h;
  h.observe(nanoseconds(-3));     // a clock step backwards: counted as 0
  h.observe(nanoseconds(5'000));  // on a bound: that bucket
  h.observe(nanoseconds(5'001));  // just above: the next
  h.observe(nanoseconds(2'500'000'000));
  h.observe(nanoseconds(2'500'000'001));  // beyond every bound
  const LatencyHistogram::Snapshot s = h.snapshot();
  EXPECT_EQ(s.counts[0], 2u);
  EXPECT_EQ(s.counts[1], 1u);
  EXPECT_EQ(s.counts[LatencyHistogram::kBuckets - 2], 1u);
  EXPECT_EQ(s.counts[LatencyHistogram::kBuckets - 1], 1u);
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.sum, nanoseconds(5'000 + 5'001 + 2'500'000'000LL + 2'500'000'001LL));
}

TEST(LatencyHistogramTest, ObservationsFromManyThreadsAreAllCounted) {
  LatencyHistogram h;
  constexpr int kThreads = 4, kEach = 50'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&h, t] {
      for (int i = 0; i < kEach; ++i) h.observe(nanoseconds(1'000 * (t + 1) * 10));
    });
  for (auto& t : threads) t.join();
  const LatencyHistogram::Snapshot s = h.snapshot();
  EXPECT_EQ(s.count, uint64_t{kThreads} * kEach);
  EXPECT_EQ(s.counts[1], uint64_t{kEach});      // 10 µs: <= 10 µs
  EXPECT_EQ(s.counts[2], uint64_t{kEach});      // 20 µs: <= 25 µs
  EXPECT_EQ(s.counts[3], uint64_t{kEach} * 2);  // 30 and 40 µs: <= 50 µs
  EXPECT_EQ(s.sum, nanoseconds(int64_t{kEach} * (10'000 + 20'000 + 30'000 + 40'000)));
}

}  // namespace
}  // namespace fixgate
