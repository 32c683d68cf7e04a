#include "fixgate/engine/file_log.h"

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

}  // namespace

std::string FileLog::path_prefix(const std::string& directory, const session::SessionId& id) {
  return directory + "/" + id.begin_string + "-" + id.sender_comp_id + "-" + id.target_comp_id +
         (id.qualifier.empty() ? "" : "-" + id.qualifier);
}

Result<std::unique_ptr<FileLog>> FileLog::open(const std::string& directory,
                                               const session::SessionId& id) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return Status::error(directory + ": cannot create log directory: " + ec.message());
  const std::string prefix = path_prefix(directory, id);
  std::unique_ptr<FileLog> log(new FileLog());
  log->generation_ = reopen_generation.load(std::memory_order_relaxed);
  log->messages_path_ = prefix + ".messages.current.log";
  log->events_path_ = prefix + ".event.current.log";
  log->messages_ = std::fopen(log->messages_path_.c_str(), "a");
  log->events_ = std::fopen(log->events_path_.c_str(), "a");
  if (!log->messages_ || !log->events_)
    return Status::error((log->messages_ ? log->events_path_ : log->messages_path_) +
                         ": cannot open log: " + std::strerror(errno));
  return log;
}

FileLog::~FileLog() {
  if (messages_) std::fclose(messages_);
  if (events_) std::fclose(events_);
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
  std::fclose(messages_);
  std::fclose(events_);
  messages_ = messages;
  events_ = events;
}

void FileLog::line(std::FILE* f, std::string_view text, session::Duration utc) {
  char ts[codec::UtcTimestamp::kMaxLength];
  size_t n = codec::UtcTimestamp{utc.count(), codec::TimePrecision::kMicros}.format(ts);
  std::fwrite(ts, 1, n, f);
  std::fwrite(" : ", 1, 3, f);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fputc('\n', f);
}

void FileLog::message(std::string_view raw, session::Duration utc) {
  reopen_if_asked();
  line(messages_, raw, utc);
}

void FileLog::event(std::string_view text, session::Duration utc) {
  reopen_if_asked();
  line(events_, text, utc);
}

void FileLog::flush() {
  std::fflush(messages_);
  std::fflush(events_);
}

}  // namespace fixgate::engine
