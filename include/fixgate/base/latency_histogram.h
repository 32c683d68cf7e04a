// LatencyHistogram: durations counted in fixed buckets, for monitoring (the gateway's /metrics).
// Any thread may observe() without a lock or an allocation (relaxed atomics, a handful of
// compares); snapshot() reads it at scrape time. Unlike prometheus-cpp's Histogram, whose
// Observe() takes a mutex, it may sit on a message path.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace fixgate {

class LatencyHistogram {
 public:
  // Upper bounds of the buckets (each holds durations <= its bound and > the one before), from
  // 5 µs (a page-cache write) to 2.5 s (a stalled disk); above the last: the overflow bucket.
  static constexpr std::array<int64_t, 18> kBoundsNs{
      5'000,      10'000,      25'000,      50'000,      100'000,       250'000,
      500'000,    1'000'000,   2'500'000,   5'000'000,   10'000'000,    25'000'000,
      50'000'000, 100'000'000, 250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000};
  static constexpr size_t kBuckets = kBoundsNs.size() + 1;  // the last: beyond every bound

  void observe(std::chrono::nanoseconds d) noexcept {
    const int64_t ns = d.count() < 0 ? 0 : d.count();
    size_t i = 0;
    while (i < kBoundsNs.size() && ns > kBoundsNs[i]) ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
  }

  // The counts per bucket (not cumulative) and their sum. Read bucket by bucket while others may
  // observe: a snapshot can miss the latest observations, never count one twice.
  struct Snapshot {
    std::array<uint64_t, kBuckets> counts{};
    uint64_t count = 0;  // the sum of counts
    std::chrono::nanoseconds sum{0};
  };
  Snapshot snapshot() const noexcept {
    Snapshot s;
    for (size_t i = 0; i < kBuckets; ++i) {
      s.counts[i] = counts_[i].load(std::memory_order_relaxed);
      s.count += s.counts[i];
    }
    s.sum = std::chrono::nanoseconds(sum_ns_.load(std::memory_order_relaxed));
    return s;
  }

 private:
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
  std::atomic<uint64_t> sum_ns_{0};
};

}  // namespace fixgate
