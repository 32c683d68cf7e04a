// Lines of text (an engine's log, a session's events, callback calls) that a test awaits without
// polling or sleeping.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/session/session.h"

namespace fixgate::testing {

class TextLog {
 public:
  void add(std::string_view text) {
    std::lock_guard lock(mu_);
    lines_.emplace_back(text);
    cv_.notify_all();
  }
  // True once a line containing `part` has arrived, waiting up to `timeout` for it.
  bool wait_for(std::string_view part,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      return std::any_of(lines_.begin(), lines_.end(),
                         [&](const std::string& l) { return l.find(part) != std::string::npos; });
    });
  }
  // The last line containing `part` so far; empty when none does.
  std::string last_with(std::string_view part) const {
    std::lock_guard lock(mu_);
    auto found = std::find_if(lines_.rbegin(), lines_.rend(), [&](const std::string& l) {
      return l.find(part) != std::string::npos;
    });
    return found == lines_.rend() ? std::string() : *found;
  }
  // The first line at index `from` or later that `match` accepts, waiting up to `timeout` for
  // it; "" if none came.
  std::string wait_for_line(size_t from, const std::function<bool(std::string_view)>& match,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mu_);
    std::string found;
    cv_.wait_for(lock, timeout, [&] {
      for (size_t i = from; i < lines_.size(); ++i) {
        if (!match(lines_[i])) continue;
        found = lines_[i];
        return true;
      }
      return false;
    });
    return found;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return lines_.size();
  }
  std::vector<std::string> lines(size_t from = 0) const {
    std::lock_guard lock(mu_);
    return {lines_.begin() + static_cast<std::ptrdiff_t>(std::min(from, lines_.size())),
            lines_.end()};
  }
  // How many lines are exactly `line`.
  size_t count(std::string_view line) const {
    std::lock_guard lock(mu_);
    return count_locked(line);
  }
  // True once `n` lines are exactly `line`, waiting up to `timeout`.
  bool wait_for_count(std::string_view line, size_t n,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return count_locked(line) >= n; });
  }
  // For EngineOptions::on_log.
  std::function<void(std::string_view)> sink() {
    return [this](std::string_view text) { add(text); };
  }
  // For on_event(): every event's text.
  std::function<void(const session::SessionEvent&)> listener() {
    return [this](const session::SessionEvent& e) { add(e.text); };
  }

 private:
  size_t count_locked(std::string_view line) const {
    return static_cast<size_t>(std::count(lines_.begin(), lines_.end(), line));
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
};

}  // namespace fixgate::testing
