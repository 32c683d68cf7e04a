#include "fixgate/transport/loop.h"

#include <cerrno>
#include <ctime>

#include <pthread.h>

#include <sys/socket.h>

namespace fixgate::transport {

void Loop::start() {
  io_.restart();
  guard_.emplace(io_.get_executor());
  started_ = true;
  if (!caller_driven_) own_thread_ = std::thread([this] { run_thread(); });
}

void Loop::join() {
  if (own_thread_.joinable()) own_thread_.join();
}

void Loop::drain() {
  std::optional<Drive> d;
  if (!in_loop()) d.emplace(*this, true);
  io_.restart();
  io_.run();
  started_ = false;
}

bool Loop::drive_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                       const std::function<bool()>& done,
                       std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    if (done()) return true;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    lock.unlock();
    {
      Drive d(*this, false);
      if (d) {
        run_once_until(deadline);
        lock.lock();
        continue;
      }
    }
    lock.lock();
    // Another thread drives: what it does is published under `lock`. Look again at least
    // every millisecond, in case it lets go without changing anything we wait for.
    cv.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(1)));
  }
}

namespace {
std::optional<int64_t> thread_cpu_ns(clockid_t clock) {
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) return std::nullopt;
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

std::optional<std::chrono::nanoseconds> Loop::cpu_time() const {
  if (caller_driven_) return std::nullopt;
  // A thread ending meanwhile adds its time to cpu_ns_ended_ and then stops the clock being read:
  // its clock's reading counts only if neither happened around it (never counted twice).
  const int64_t ended = cpu_ns_ended_.load(std::memory_order_acquire);
  if (cpu_clock_running_.load(std::memory_order_acquire)) {
    auto ns = thread_cpu_ns(cpu_clock_.load(std::memory_order_relaxed));
    if (ns && cpu_clock_running_.load(std::memory_order_acquire) &&
        cpu_ns_ended_.load(std::memory_order_acquire) == ended)
      return std::chrono::nanoseconds(ended + *ns);
  }
  return std::chrono::nanoseconds(cpu_ns_ended_.load(std::memory_order_acquire));
}

void Loop::run_thread() {
  clockid_t clock{};
  if (pthread_getcpuclockid(pthread_self(), &clock) == 0) {
    cpu_clock_.store(clock, std::memory_order_relaxed);
    cpu_clock_running_.store(true, std::memory_order_release);
  }
  struct Ended {  // at every exit: the thread's CPU time kept, its clock no longer read
    Loop& loop;
    clockid_t clock;
    ~Ended() {
      if (!loop.cpu_clock_running_.load(std::memory_order_relaxed)) return;
      loop.cpu_ns_ended_.fetch_add(thread_cpu_ns(clock).value_or(0), std::memory_order_release);
      loop.cpu_clock_running_.store(false, std::memory_order_release);
    }
  } ended{*this, clock};
  thread_ = std::this_thread::get_id();  // before the first handler: in_loop() holds in each
  if (busy_poll_.count() == 0) {
    io_.run();
  } else {
    while (!io_.stopped())
      run_once_until(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  }
  thread_ = std::thread::id();
}

size_t Loop::run_once_until(std::chrono::steady_clock::time_point deadline) {
  if (io_.stopped()) io_.restart();
  if (busy_poll_.count() > 0) {
    // Sockets that always have bytes must not starve the rest of the loop (timers, posted
    // sends, a partial write's completion, other sessions): after kFairShare reads straight
    // from them, the reactor gets a turn first.
    if (direct_streak_ >= kFairShare) {
      direct_streak_ = 0;
      if (io_.poll_one() > 0) return 1;
    }
    std::optional<std::chrono::steady_clock::time_point> spin_end;  // read after a first look
    for (bool first = true;; first = false) {
      if (read_direct()) {
        ++direct_streak_;
        return 1;
      }
      // Nothing yet, usually because the peer our last write woke shares this CPU and has not
      // run (the scheduler need not switch at a wake-up): let it run first, before asking the
      // reactor (an epoll_wait) about anything else.
      if (first && !direct_.empty() && spin_yield_) {
        std::this_thread::yield();
        continue;
      }
      direct_streak_ = 0;
      if (io_.poll_one() > 0) return 1;
      if (io_.stopped()) return 0;  // out of work: the engine is stopping
      const auto now = std::chrono::steady_clock::now();
      if (!spin_end) {
        spin_end = std::min(deadline, now + busy_poll_);
      } else if (now >= *spin_end) {
        if (now >= deadline) return 0;  // no time left to block: the sockets stay direct
        break;
      }
      // The peer's thread may be waiting for this CPU (a wake-up lands next to its waker):
      // let it run rather than spin out the time slice.
      if (spin_yield_) std::this_thread::yield();
    }
    // About to block in the kernel: the sockets read directly go back to the reactor.
    std::vector<DirectReader*> readers;
    readers.swap(direct_);
    for (DirectReader* r : readers)
      if (r->direct_fd() >= 0) r->arm_read();
  }
  return io_.run_one_until(deadline);
}

bool Loop::read_direct() {
  assert_in_loop();
  for (size_t i = 0; i < direct_.size(); ++i) {
    DirectReader* r = direct_[i];
    const int fd = r->direct_fd();
    if (fd < 0) {
      direct_.erase(direct_.begin() + static_cast<std::ptrdiff_t>(i--));
      continue;
    }
    const std::span<char> buf = r->direct_buffer();
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    const int error = n < 0 ? errno : 0;
    // Out of the list while its bytes are handled: a handler that runs the loop again must not
    // read this socket under them. Reading again re-adds it (start_read).
    direct_.erase(direct_.begin() + static_cast<std::ptrdiff_t>(i));
    r->on_direct_read(n, error);
    return true;
  }
  return false;
}

}  // namespace fixgate::transport
