// The event loop: an asio io_context run by its own thread or by the application's (caller-driven),
// with busy-polling that reads plain TCP sockets directly while it spins.
#pragma once

#include <asio.hpp>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace fixgate::transport {

// How a loop runs (the engine's EngineOptions of the same names).
struct LoopOptions {
  bool caller_driven = false;
  std::chrono::microseconds busy_poll{0};
  bool busy_poll_yield = true;
};

// A plain TCP session whose busy-polling loop reads the socket itself while it spins
// (Loop::read_direct), instead of through the reactor.
class DirectReader {
 public:
  virtual int direct_fd() = 0;  // -1 once it no longer reads this way (closed, paused …)
  virtual std::span<char> direct_buffer() = 0;
  virtual void on_direct_read(ssize_t n, int error) = 0;  // n bytes; 0: end of stream; -1: error
  virtual void arm_read() = 0;  // reads through the reactor again: the driver is going to block

 protected:
  ~DirectReader() = default;
};

// One event loop: an io_context run by its own thread, or, when caller-driven
// (EngineOptions::caller_driven), by whichever application thread is inside a blocking call or
// run_once(), one thread at a time.
//
// Threads. What the loop runs (handlers, timers, the objects they own) belongs to the loop's
// thread: the one running it now, its own thread or the driver of a caller-driven loop (which
// holds a Drive). Before start() and after drain() no thread runs it, and the thread that starts
// and stops it (the engine's owner) may touch those objects. assert_in_loop() checks exactly this
// in debug builds; in_loop() is the same test for code that decides by it. Everything else here
// is thread-safe: posting, call(), the Drive, start() and stopping from one outside thread.
class Loop {
 public:
  explicit Loop(const LoopOptions& o)
      : caller_driven_(o.caller_driven), busy_poll_(o.busy_poll), spin_yield_(o.busy_poll_yield) {}
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  asio::io_context& io() { return io_; }
  bool caller_driven() const { return caller_driven_; }

  // Makes the loop ready to run again and, unless caller-driven, starts its own thread. Kept
  // working (a work guard) until release(), so that a driver blocks for work instead of
  // returning.
  void start();
  // Stopping, in three steps, each over every loop before the next (a loop's handlers may wait
  // on another loop's): release() lets the loop run out of work; join() waits for its thread;
  // drain() runs here, as the driver, what the stops cancelled, so no handler outlives its objects.
  void release() { guard_.reset(); }
  // CPU time used by the loop's own threads so far, any thread may ask: its rate of change is the
  // loop's busy ratio (a busy-polling loop spins, so it is near 1 even when idle). A
  // caller-driven loop has no thread of its own: nullopt.
  std::optional<std::chrono::nanoseconds> cpu_time() const;
  void join();
  void drain();

  // True on the thread that runs the loop now: its own thread, or the caller driving it.
  bool in_loop() const {
    const auto me = std::this_thread::get_id();
    return thread_.load(std::memory_order_relaxed) == me ||
           driver_.load(std::memory_order_relaxed) == me;
  }
  // Debug builds: this thread may touch what the loop owns (see Threads above).
  void assert_in_loop() const { assert(!started_.load(std::memory_order_relaxed) || in_loop()); }

  // The right to run a caller-driven loop, held for the lifetime of this object.
  class Drive {
   public:
    Drive(Loop& loop, bool wait) : loop_(loop) {
      owned_ = wait ? (loop.drive_mu_.lock(), true) : loop.drive_mu_.try_lock();
      if (owned_) loop_.driver_ = std::this_thread::get_id();
    }
    ~Drive() {
      if (!owned_) return;
      loop_.driver_ = std::thread::id();
      loop_.drive_mu_.unlock();
    }
    Drive(const Drive&) = delete;
    Drive& operator=(const Drive&) = delete;
    explicit operator bool() const { return owned_; }

   private:
    Loop& loop_;
    bool owned_;
  };

  // Runs `fn` on the loop and returns its result: directly when on it already, or when
  // `started` is false; caller-driven, as the loop's driver; otherwise posted to the loop's
  // thread and waited for.
  template <typename F>
  auto call(F fn, bool started) -> decltype(fn()) {
    using R = decltype(fn());
    if (in_loop() || !started) return fn();
    if (caller_driven_) {
      if (Drive d(*this, false); d) return fn();
      // Another thread drives: it runs fn (below), unless it lets go first and we take over.
    }
    // Waits on a mutex and condition variable on the caller's stack, not a future: no shared
    // state to allocate. The loop notifies while holding the mutex, so the waiter cannot
    // return (and free them) before the notifier is done with them.
    std::optional<R> result;
    std::mutex call_mu;
    std::condition_variable call_cv;
    bool done = false;
    asio::post(io_, [&] {
      auto value = fn();
      std::lock_guard lock(call_mu);
      result.emplace(std::move(value));
      done = true;
      call_cv.notify_one();
    });
    std::unique_lock lock(call_mu);
    if (!caller_driven_) {
      call_cv.wait(lock, [&] { return done; });
      return std::move(*result);
    }
    while (!call_cv.wait_for(lock, std::chrono::milliseconds(1), [&] { return done; })) {
      lock.unlock();
      if (Drive d(*this, false); d) io_.poll();
      lock.lock();
    }
    return std::move(*result);
  }

  // Caller-driven, after posting work to the loop while another thread drove it: returns once
  // that work has started (`pending` false), running the loop here if the driver let go first,
  // so that nothing posted waits for a driver that is not coming.
  void see_posted(const std::atomic<bool>& pending) {
    while (pending) {
      if (Drive d(*this, false); d) {
        io_.poll();
        return;
      }
      std::this_thread::yield();
    }
  }

  // Caller-driven: runs the loop on this thread until `done()` or `deadline`; true if done().
  // While another thread drives, waits on `cv` (notified when the state `done` reads changes)
  // and takes over when that thread lets go. `lock` guards what `done` reads.
  bool drive_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                   const std::function<bool()>& done,
                   std::chrono::steady_clock::time_point deadline);

  // Caller-driven (Engine::run_once): waits its turn to drive, then runs one handler, or none
  // within `timeout`. Returns the number run.
  size_t run_once(std::chrono::milliseconds timeout) {
    Drive d(*this, true);
    return run_once_until(std::chrono::steady_clock::now() + timeout);
  }

  // Busy-polling: plain TCP sessions are read by the spinning driver itself.
  bool reads_directly() const { return busy_poll_.count() > 0; }
  // Until it is read (or the driver blocks), `r`'s socket is read by the spinning driver: one
  // recv that finds the message, where the reactor costs an epoll_wait, the recv, and another,
  // empty, recv for its next read.
  void add_direct(DirectReader* r) {
    assert_in_loop();
    if (std::find(direct_.begin(), direct_.end(), r) == direct_.end()) direct_.push_back(r);
  }

 private:
  // The loop's own thread: runs the loop until it stops (busy-polling, a turn at a time).
  void run_thread();
  // As the loop's driver (its thread, or a caller): runs one ready handler, or spins for
  // busy_poll, then blocks until one is ready or `deadline`. Returns the number run (0 or 1). One
  // handler a call, so that the caller looks at what it waits for after each; handlers already
  // queued run without another system call (a poll() here would ask the kernel again for nothing).
  size_t run_once_until(std::chrono::steady_clock::time_point deadline);
  // One recv per direct reader; the first that gets something (bytes, end of stream, an error)
  // handles it and the call returns true.
  bool read_direct();

  asio::io_context io_{1};
  const bool caller_driven_;
  const std::chrono::microseconds busy_poll_;  // spin this long before blocking
  const bool spin_yield_;                      // sched_yield between looks while spinning

  // The starting and stopping thread's (start() … drain()).
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::thread own_thread_;

  // The loop's thread: the driver's.
  std::vector<DirectReader*> direct_;
  static constexpr unsigned kFairShare = 8;
  unsigned direct_streak_ = 0;  // direct reads since the reactor last had a turn

  // Who runs the loop: read by any thread (in_loop), each written by the thread it names.
  std::atomic<std::thread::id> thread_{};  // its own thread, set by that thread while it runs
  std::mutex drive_mu_;                    // held by a Drive
  std::atomic<std::thread::id> driver_{};
  // Between start() and the end of drain(); read by assert_in_loop() only (debug builds), kept in
  // release builds too so that the layout does not depend on NDEBUG.
  std::atomic<bool> started_{false};

  // cpu_time(): written by the own thread (its CPU clock while it runs, the time it used once
  // it ends, then running false), read by any thread.
  std::atomic<bool> cpu_clock_running_{false};
  std::atomic<clockid_t> cpu_clock_{};
  std::atomic<int64_t> cpu_ns_ended_{0};  // of the threads that ran it and ended
};

}  // namespace fixgate::transport
