// The ordering layer's source of "now": a monotonic clock that tests replace with a manual one,
// so stall detection, idle expiry and time partitions are tested without sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

namespace fixgate::ordering {

using TimePoint = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

// Monotonic time. Implementations must be thread-safe: workers and producers read it at once.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  // The process-wide std::chrono::steady_clock.
  static std::shared_ptr<const Clock> steady();
};

// A clock that moves only when told to. Thread-safe; starts at the steady clock's epoch + `start`.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Duration start = Duration::zero()) : ticks_(start.count()) {}
  TimePoint now() const override { return TimePoint(Duration(ticks_.load())); }
  void set(TimePoint t) { ticks_.store(t.time_since_epoch().count()); }
  void advance(Duration d) { ticks_.fetch_add(d.count()); }

 private:
  std::atomic<Duration::rep> ticks_;
};

}  // namespace fixgate::ordering
