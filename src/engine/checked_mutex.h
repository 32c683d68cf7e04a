// A std::mutex that knows, in debug builds, which thread holds it (internal to the engine).
#pragma once

#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace fixgate::engine {

// A std::mutex whose holder is recorded in debug builds, so that what it guards can assert that
// it is held (assert_held) and a lock order can assert that it is not (assert_not_held). With
// NDEBUG it is a std::mutex: the holder field stays, unwritten, so the layout is the same.
class CheckedMutex {
 public:
  void lock() {
    mu_.lock();
    acquired();
  }
  void unlock() {
    released();
    mu_.unlock();
  }
  void assert_held() const { assert(holder_.load(std::memory_order_relaxed) == me()); }
  void assert_not_held() const { assert(holder_.load(std::memory_order_relaxed) != me()); }

  // Held for a condition variable's waits, which let the std::mutex go and take it again behind
  // CheckedMutex's back: the holder is set again whenever the predicate looks.
  class WaitLock {
   public:
    explicit WaitLock(CheckedMutex& m) : m_(m), lock_(m.mu_) { m_.acquired(); }
    ~WaitLock() {
      if (lock_.owns_lock()) m_.released();
    }
    WaitLock(const WaitLock&) = delete;
    WaitLock& operator=(const WaitLock&) = delete;
    std::unique_lock<std::mutex>& native() { return lock_; }

    // `ready`, called with the mutex held, as a predicate for a wait on native(): the mutex is
    // marked held while it looks, and let go when the wait goes on. Call back() when the wait
    // returns (the mutex is held again then).
    template <typename Pred>
    auto held(Pred& ready) {
      return [this, &ready] {
        m_.acquired();
        if (ready()) return true;
        m_.released();
        return false;
      };
    }
    void back() { m_.acquired(); }

    template <typename Pred>
    bool wait_until(std::condition_variable& cv, std::chrono::steady_clock::time_point deadline,
                    Pred ready) {
      const bool done = cv.wait_until(lock_, deadline, held(ready));
      back();
      return done;
    }

   private:
    CheckedMutex& m_;
    std::unique_lock<std::mutex> lock_;
  };

 private:
  static std::thread::id me() { return std::this_thread::get_id(); }
  void acquired() {
#ifndef NDEBUG
    holder_.store(me(), std::memory_order_relaxed);
#endif
  }
  void released() {
#ifndef NDEBUG
    holder_.store(std::thread::id(), std::memory_order_relaxed);
#endif
  }

  std::mutex mu_;
  std::atomic<std::thread::id> holder_{};  // debug builds: the holding thread
};

}  // namespace fixgate::engine
