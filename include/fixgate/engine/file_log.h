// Per-session message and event logs in QuickFIX's FileLog layout, so existing log tooling works:
//   <dir>/<BeginString>-<Sender>-<Target>[-<Qualifier>].messages.current.log
//   <dir>/<BeginString>-<Sender>-<Target>[-<Qualifier>].event.current.log
// Each line: "YYYYMMDD-HH:MM:SS.ssssss : <text>"; messages are written raw (SOH separated).
// Log rotation: rename the files, then reopen_all() (fixgated does on SIGHUP); each log writes
// its next line to a fresh file under the old name. Or by size (FileLogRotation): a file that a
// line would take past max_size becomes <…>.1.log (the older ones .2.log … up to max_files), and
// the line starts a fresh .current.log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "fixgate/base/result.h"
#include "fixgate/session/types.h"

namespace fixgate::engine {

// Size-based rotation of a FileLog (SessionOptions::log_rotation; LogFileMaxSize and
// LogFileMaxFiles in fixgated's settings).
struct FileLogRotation {
  uint64_t max_size = 0;  // bytes; 0: never rotated by size
  size_t max_files = 5;   // rotated files kept of each log
};

// Length of a log line's time prefix, "YYYYMMDD-HH:MM:SS[.fraction] : ", at the start of `line`,
// or 0; `stamp` is set to its time. QuickFIX's FileLog writes it with milliseconds or none,
// fixgate's with microseconds; `fixgate decode` and the status page's message viewer read both.
inline size_t log_line_prefix(std::string_view line, std::string_view& stamp) {
  constexpr std::string_view kShape = "dddddddd-dd:dd:dd";
  if (line.size() < kShape.size()) return 0;
  for (size_t i = 0; i < kShape.size(); ++i) {
    const bool digit = line[i] >= '0' && line[i] <= '9';
    if (kShape[i] == 'd' ? !digit : line[i] != kShape[i]) return 0;
  }
  size_t end = kShape.size();
  if (end < line.size() && line[end] == '.') {
    ++end;
    while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
  }
  if (line.substr(end, 3) != " : ") return 0;
  stamp = line.substr(0, end);
  return end + 3;
}

class FileLog {
 public:
  static Result<std::unique_ptr<FileLog>> open(const std::string& directory,
                                               const session::SessionId& id,
                                               FileLogRotation rotation = {});
  ~FileLog();
  // The files' names without ".messages.current.log" / ".event.current.log":
  // "<directory>/<BeginString>-<Sender>-<Target>[-<Qualifier>]".
  static std::string path_prefix(const std::string& directory, const session::SessionId& id);

  void message(std::string_view raw, session::Duration utc);  // one whole FIX message
  void event(std::string_view text, session::Duration utc);
  void flush();

  // Makes every FileLog of the process reopen its files (same paths) before its next line. Any
  // thread may call it; a log reopens on the thread that writes it, so writers take no lock. A
  // log whose files cannot be reopened keeps writing to the ones it has.
  static void reopen_all();

  const std::string& messages_path() const { return messages_path_; }
  const std::string& events_path() const { return events_path_; }

 private:
  FileLog() = default;
  // One open file of the log and its size, for rotation.
  struct File {
    std::FILE* f = nullptr;
    uint64_t size = 0;
  };
  void line(File& file, const std::string& path, std::string_view text, session::Duration utc);
  // Renames `path` to its .1.log (shifting the older ones) and opens a fresh one; keeps writing
  // to the old file if that fails.
  void rotate(File& file, const std::string& path);
  void reopen_if_asked();
  File messages_;
  File events_;
  std::string messages_path_, events_path_;
  FileLogRotation rotation_;
  uint64_t generation_ = 0;  // the reopen_all() count its files were opened at
};

}  // namespace fixgate::engine
