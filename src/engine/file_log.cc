#include "fixgate/engine/file_log.h"

#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "fixgate/codec/values.h"

namespace fixgate::engine {
namespace {

// Bumped by reopen_all(). Relaxed: a log only needs to see the bump eventually (its next line),
// and each log's files are touched by one writer at a time.
std::atomic<uint64_t> reopen_generation{0};

// The size of an open file (appending goes on from there).
uint64_t size_of(std::FILE* f) {
  struct stat st {};
  return f && ::fstat(fileno(f), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// "<…>.messages.current.log" -> "<…>.messages.<n>.log".
std::string rotated_path(const std::string& path, size_t n) {
  constexpr std::string_view kCurrent = ".current.log";
  return path.substr(0, path.size() - kCurrent.size()) + "." + std::to_string(n) + ".log";
}

}  // namespace

std::string FileLog::path_prefix(const std::string& directory, const session::SessionId& id) {
  return directory + "/" + id.begin_string + "-" + id.sender_comp_id + "-" + id.target_comp_id +
         (id.qualifier.empty() ? "" : "-" + id.qualifier);
}

Result<std::unique_ptr<FileLog>> FileLog::open(const std::string& directory,
                                               const session::SessionId& id,
                                               FileLogRotation rotation) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return Status::error(directory + ": cannot create log directory: " + ec.message());
  const std::string prefix = path_prefix(directory, id);
  std::unique_ptr<FileLog> log(new FileLog());
  log->generation_ = reopen_generation.load(std::memory_order_relaxed);
  log->rotation_ = rotation;
  log->messages_path_ = prefix + ".messages.current.log";
  log->events_path_ = prefix + ".event.current.log";
  log->messages_.f = std::fopen(log->messages_path_.c_str(), "a");
  log->events_.f = std::fopen(log->events_path_.c_str(), "a");
  if (!log->messages_.f || !log->events_.f)
    return Status::error((log->messages_.f ? log->events_path_ : log->messages_path_) +
                         ": cannot open log: " + std::strerror(errno));
  log->messages_.size = size_of(log->messages_.f);
  log->events_.size = size_of(log->events_.f);
  return log;
}

FileLog::~FileLog() {
  if (messages_.f) std::fclose(messages_.f);
  if (events_.f) std::fclose(events_.f);
}

void FileLog::reopen_all() { reopen_generation.fetch_add(1, std::memory_order_relaxed); }

void FileLog::reopen_if_asked() {
  const uint64_t wanted = reopen_generation.load(std::memory_order_relaxed);
  if (wanted == generation_) return;
  // Asked once, tried once: a failing fopen is not retried on every line.
  generation_ = wanted;
  std::FILE* messages = std::fopen(messages_path_.c_str(), "a");
  std::FILE* events = std::fopen(events_path_.c_str(), "a");
  if (!messages || !events) {
    if (messages) std::fclose(messages);
    if (events) std::fclose(events);
    return;
  }
  std::fclose(messages_.f);
  std::fclose(events_.f);
  messages_ = {messages, size_of(messages)};
  events_ = {events, size_of(events)};
}

void FileLog::rotate(File& file, const std::string& path) {
  std::fflush(file.f);
  std::error_code ignored;
  std::filesystem::remove(rotated_path(path, rotation_.max_files), ignored);
  for (size_t n = rotation_.max_files; n > 1; --n)
    std::filesystem::rename(rotated_path(path, n - 1), rotated_path(path, n), ignored);
  std::error_code ec;
  std::filesystem::rename(path, rotated_path(path, 1), ec);
  if (ec) return;  // keeps writing where it was
  std::FILE* fresh = std::fopen(path.c_str(), "a");
  if (!fresh) return;  // the renamed file it has still takes the lines
  std::fclose(file.f);
  file = {fresh, 0};
}

void FileLog::line(File& file, const std::string& path, std::string_view text,
                   session::Duration utc) {
  char ts[codec::UtcTimestamp::kMaxLength];
  size_t n = codec::UtcTimestamp{utc.count(), codec::TimePrecision::kMicros}.format(ts);
  const uint64_t bytes = n + 3 + text.size() + 1;
  // A file is never taken past max_size, but by a single line longer than that.
  if (rotation_.max_size > 0 && file.size > 0 && file.size + bytes > rotation_.max_size)
    rotate(file, path);
  std::fwrite(ts, 1, n, file.f);
  std::fwrite(" : ", 1, 3, file.f);
  std::fwrite(text.data(), 1, text.size(), file.f);
  std::fputc('\n', file.f);
  file.size += bytes;
}

void FileLog::message(std::string_view raw, session::Duration utc) {
  reopen_if_asked();
  line(messages_, messages_path_, raw, utc);
}

void FileLog::event(std::string_view text, session::Duration utc) {
  reopen_if_asked();
  line(events_, events_path_, text, utc);
}

void FileLog::flush() {
  std::fflush(messages_.f);
  std::fflush(events_.f);
}

}  // namespace fixgate::engine
