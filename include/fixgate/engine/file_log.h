// Per-session message and event logs in QuickFIX's FileLog layout, so existing log tooling works:
//   <dir>/<BeginString>-<Sender>-<Target>[-<Qualifier>].messages.current.log
//   <dir>/<BeginString>-<Sender>-<Target>[-<Qualifier>].event.current.log
// Each line: "YYYYMMDD-HH:MM:SS.ssssss : <text>"; messages are written raw (SOH separated).
// Log rotation: rename the files, then reopen_all() (fixgated does on SIGHUP); each log writes
// its next line to a fresh file under the old name.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "fixgate/base/result.h"
#include "fixgate/session/types.h"

namespace fixgate::engine {

class FileLog {
 public:
  static Result<std::unique_ptr<FileLog>> open(const std::string& directory,
                                               const session::SessionId& id);
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
  void line(std::FILE* f, std::string_view text, session::Duration utc);
  void reopen_if_asked();
  std::FILE* messages_ = nullptr;
  std::FILE* events_ = nullptr;
  std::string messages_path_, events_path_;
  uint64_t generation_ = 0;  // the reopen_all() count its files were opened at
};

}  // namespace fixgate::engine
