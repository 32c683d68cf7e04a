#include "background_sync.h"

#include <unistd.h>

#include <chrono>
#include <deque>
#include <thread>

#include "posix_io.h"

namespace fixgate::store::detail {

// The process's sync thread and its queue. Never destroyed (a store may outlive static
// destruction); made anew in a forked child, where the parent's thread does not exist.
class SyncThread {
 public:
  static SyncThread& instance() {
    static std::mutex made_mu;
    static SyncThread* made = nullptr;
    static pid_t made_in = 0;
    std::lock_guard lock(made_mu);
    if (!made || made_in != ::getpid()) {
      made = new SyncThread();  // a parent's copy in a child is left alone: its lock may be held
      made_in = ::getpid();
    }
    return *made;
  }

  void enqueue(std::shared_ptr<BackgroundSync> s) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(s));
    cv_.notify_one();
  }

 private:
  SyncThread() {
    std::thread([this] {
      for (;;) {
        std::shared_ptr<BackgroundSync> s;
        {
          std::unique_lock lock(mu_);
          cv_.wait(lock, [&] { return !queue_.empty(); });
          s = std::move(queue_.front());
          queue_.pop_front();
        }
        s->run();
      }
    }).detach();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<BackgroundSync>> queue_;
};

BackgroundSync::~BackgroundSync() {
  if (fd_ >= 0) ::close(fd_);
}

bool BackgroundSync::request(int fd, const std::string& path, SyncPoint point, int inject_error) {
  {
    std::lock_guard lock(mu_);
    if (in_flight_) return false;
    const std::pair<uint64_t, uint32_t> segment{point.generation, point.segment};
    if (fd_ < 0 || fd_segment_ != segment) {
      // The live segment changed: sync the new one from now on.
      if (fd_ >= 0) ::close(fd_);
      fd_ = ::dup(fd);
      fd_segment_ = segment;
      path_ = path;
      if (fd_ < 0) {
        if (error_.empty()) error_ = io_error("dup", path, errno).message();
        return false;
      }
    }
    in_flight_ = true;
    requested_ = point;
    inject_error_ = inject_error;
  }
  SyncThread::instance().enqueue(shared_from_this());
  return true;
}

void BackgroundSync::run() {
  int fd, injected;
  std::string path;
  {
    std::lock_guard lock(mu_);
    fd = fd_;  // stays open: request() replaces it only when no sync is in flight
    path = path_;
    injected = inject_error_;
  }
  const auto started = std::chrono::steady_clock::now();
  Status s = injected ? io_error("fdatasync", path, injected) : sync_data(fd, path);
  if (s) latency_->observe(std::chrono::steady_clock::now() - started);
  std::lock_guard lock(mu_);
  if (!s && error_.empty()) error_ = s.message();
  if (s) {
    completed_ = requested_;
    ++syncs_;
  }
  in_flight_ = false;
  done_.notify_all();
}

void BackgroundSync::wait() {
  std::unique_lock lock(mu_);
  done_.wait(lock, [&] { return !in_flight_; });
}

std::optional<SyncPoint> BackgroundSync::completed() const {
  std::lock_guard lock(mu_);
  return completed_;
}

Status BackgroundSync::error() const {
  std::lock_guard lock(mu_);
  return error_.empty() ? Status::ok() : Status::error(error_);
}

uint64_t BackgroundSync::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

}  // namespace fixgate::store::detail
