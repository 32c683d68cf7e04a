// fixgated's own log: the daemon's lines and its engines' (EngineLogEntry), each with a UTC
// timestamp to the microsecond, a level, the session and the peer when there are some; on the
// console and in a file (rotated by size, reopened on SIGHUP), as text or as JSON lines. spdlog
// writes them; the engine knows nothing of it. Refused connections are rate-limited: at most
// `refused_lines` per `refused_interval`, then one summary line with the count of the others.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include "fixgate/base/result.h"
#include "fixgate/engine/engine.h"

namespace spdlog {
class logger;
namespace sinks {
template <typename Mutex>
class dist_sink;
}
}  // namespace spdlog

namespace fixgate::gateway {

using LogLevel = engine::EngineLogEntry::Level;

struct DaemonLogOptions {
  std::ostream* console = nullptr;  // every line, flushed at once; null: none
  std::string file = {};            // the log file ("" none), its folder made if missing
  uint64_t max_size = 0;            // bytes at which the file rotates (LogFileMaxSize); 0 never
  size_t max_files = 5;             // rotated files kept besides the current (LogFileMaxFiles)
  bool json = false;                // --log-format json: one JSON object a line
  size_t refused_lines = 10;        // refused connections logged per interval, one by one
  std::chrono::milliseconds refused_interval{10000};
};

// One line's fields as they are written.
struct LogLine {
  LogLevel level = LogLevel::kInfo;
  std::string_view session;  // "" when the line is about no session
  std::string_view peer;     // the remote "ip:port", or ""
  std::string_view text;
};

// "2026-12-08T01:02:03.123456Z" for `utc`.
std::string utc_timestamp(std::chrono::system_clock::time_point utc);
// `line` as fixgated writes it, without the newline: text or a JSON object.
std::string format_line(const LogLine& line, std::chrono::system_clock::time_point utc, bool json);

// Thread-safe: the engine's threads, the supervisor's and the main thread write at once.
class DaemonLog {
 public:
  // Opens the file (append); an error names it.
  static Result<std::unique_ptr<DaemonLog>> open(DaemonLogOptions options);
  ~DaemonLog();
  DaemonLog(const DaemonLog&) = delete;
  DaemonLog& operator=(const DaemonLog&) = delete;

  void write(const LogLine& line);
  void info(std::string_view text) { write({LogLevel::kInfo, {}, {}, text}); }
  void info(std::string_view session, std::string_view text) {
    write({LogLevel::kInfo, session, {}, text});
  }
  // An engine's line; a refused connection goes through the rate limit.
  void engine(const engine::EngineLogEntry& entry);
  // Writes the summary of the refused connections left out once their interval has passed
  // (call it every second or so, so that it comes out when a flood stops too).
  void tick();
  // The summary now, whatever the interval (at shutdown).
  void flush_refused();
  // SIGHUP: the file is opened again under its name (logrotate renamed it).
  void reopen();
  const std::string& file() const { return options_.file; }

 private:
  explicit DaemonLog(DaemonLogOptions options) : options_(std::move(options)) {}
  Status open_file();
  // Under `mu_`: the summary line of the window, if it left anything out; a new window at `now`.
  void end_window(std::chrono::steady_clock::time_point now);

  const DaemonLogOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<spdlog::sinks::dist_sink<std::mutex>> file_slot_;  // holds the file's sink

  // The refused connections' window, under `mu_`.
  std::mutex mu_;
  std::chrono::steady_clock::time_point window_start_{};
  size_t window_lines_ = 0;                  // logged one by one in this window
  uint64_t left_out_ = 0;                    // refused and not logged in this window
  std::map<std::string, uint64_t> left_by_;  // those by the peer's address (no port)
};

}  // namespace fixgate::gateway
