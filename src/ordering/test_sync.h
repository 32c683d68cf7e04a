// Synchronisation helpers for the ordering tests. Every wait has a generous deadline so a broken
// dispatcher fails the test instead of hanging it; none is used to wait out time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace fixgate::ordering::testing {

inline constexpr std::chrono::seconds kDeadline{20};

// A one-shot gate: wait() blocks until open().
class Gate {
 public:
  void open() {
    std::lock_guard lk(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool wait() {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, kDeadline, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// A reusable rendezvous of `n` threads: arrive() returns true once all n have arrived in this
// round, false if the deadline passed first (they never ran at the same time).
class Rendezvous {
 public:
  explicit Rendezvous(size_t n) : n_(n) {}
  bool arrive() {
    std::unique_lock lk(mu_);
    size_t round = round_;
    if (++arrived_ == n_) {
      arrived_ = 0;
      ++round_;
      cv_.notify_all();
      return true;
    }
    return cv_.wait_for(lk, kDeadline, [&] { return round_ != round; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t n_;
  size_t arrived_ = 0;
  size_t round_ = 0;
};

// "k" + 17 -> "k17". Appends, not operator+: g++ 12 -O3 reports a false -Wrestrict on that.
inline std::string numbered(std::string_view prefix, size_t i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

// Waits until `condition` holds, yielding between checks; false if the deadline passes. For
// states no callback reports (a producer blocked inside submit), not for waiting out time.
inline bool eventually(const std::function<bool()>& condition) {
  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace fixgate::ordering::testing
