#include "daemon_log.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

namespace fixgate::gateway {
namespace {

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// The address of "ip:port" or "[v6]:port", without the port.
std::string address_of(std::string_view peer) {
  const size_t colon = peer.rfind(':');
  if (colon == std::string_view::npos) return std::string(peer);
  return std::string(peer.substr(0, colon));
}

// "127.0.0.1", "127.0.0.1 and 10.0.0.7", "127.0.0.1, 10.0.0.7, 10.0.0.9 and 4 other addresses":
// the addresses that refused most first.
std::string addresses_text(const std::map<std::string, uint64_t>& by) {
  std::vector<std::pair<std::string, uint64_t>> sorted(by.begin(), by.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  constexpr size_t kNamed = 3;
  std::string text;
  const size_t named = std::min(kNamed, sorted.size());
  for (size_t i = 0; i < named; ++i) {
    if (i > 0) text += i + 1 == named && sorted.size() == named ? " and " : ", ";
    text += sorted[i].first;
  }
  if (sorted.size() > named)
    text += " and " + std::to_string(sorted.size() - named) + " other address" +
            (sorted.size() - named == 1 ? "" : "es");
  return text;
}

}  // namespace

std::string utc_timestamp(std::chrono::system_clock::time_point utc) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(utc.time_since_epoch());
  const std::time_t seconds = static_cast<std::time_t>(us.count() / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  const size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(text + n, sizeof text - n, ".%06lldZ",
                static_cast<long long>(us.count() % 1'000'000));
  return text;
}

std::string format_line(const LogLine& line, std::chrono::system_clock::time_point utc, bool json) {
  const std::string time = utc_timestamp(utc);
  if (json) {
    nlohmann::json j = {{"time", time},
                        {"level", level_name(line.level)},
                        {"session", nullptr},
                        {"peer", nullptr},
                        {"message", line.text}};
    if (!line.session.empty()) j["session"] = line.session;
    if (!line.peer.empty()) j["peer"] = line.peer;
    // FIX text may hold bytes that are not UTF-8: replaced, never an exception.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  // 2026-12-08T01:02:03.123456Z WARN  [FIX.4.4:GW->CLIENT] text (from 127.0.0.1:51234)
  std::string text = time;
  std::string level(level_name(line.level));
  std::transform(level.begin(), level.end(), level.begin(), ::toupper);
  level.resize(5, ' ');
  text.append(" ").append(level).append(" ");
  if (!line.session.empty()) text.append("[").append(line.session).append("] ");
  text.append(line.text);
  if (!line.peer.empty()) text.append(" (from ").append(line.peer).append(")");
  return text;
}

Result<std::unique_ptr<DaemonLog>> DaemonLog::open(DaemonLogOptions options) {
  std::unique_ptr<DaemonLog> log(new DaemonLog(std::move(options)));
  std::vector<spdlog::sink_ptr> sinks;
  if (log->options_.console)
    sinks.push_back(std::make_shared<spdlog::sinks::ostream_sink_mt>(*log->options_.console, true));
  log->file_slot_ = std::make_shared<spdlog::sinks::dist_sink_mt>();
  sinks.push_back(log->file_slot_);
  log->logger_ = std::make_shared<spdlog::logger>("fixgated", sinks.begin(), sinks.end());
  // Lines are formatted here (format_line): spdlog adds only the newline.
  log->logger_->set_pattern("%v");
  log->logger_->set_level(spdlog::level::trace);
  log->logger_->flush_on(spdlog::level::trace);  // a supervisor or a test reads as it comes
  if (Status opened = log->open_file(); !opened) return opened;
  log->window_start_ = std::chrono::steady_clock::now();
  return log;
}

DaemonLog::~DaemonLog() {
  if (logger_) logger_->flush();
}

Status DaemonLog::open_file() {
  if (options_.file.empty()) return Status::ok();
  try {
    const std::filesystem::path parent = std::filesystem::path(options_.file).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    spdlog::sink_ptr sink;
    if (options_.max_size > 0) {
      sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          options_.file, options_.max_size, options_.max_files);
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options_.file);
    }
    sink->set_pattern("%v");
    file_slot_->set_sinks({sink});
  } catch (const std::exception& e) {
    return Status::error(options_.file + ": cannot open the log: " + e.what());
  }
  return Status::ok();
}

void DaemonLog::write(const LogLine& line) {
  const std::string text = format_line(line, std::chrono::system_clock::now(), options_.json);
  switch (line.level) {
    case LogLevel::kInfo:
      logger_->info(text);
      break;
    case LogLevel::kWarning:
      logger_->warn(text);
      break;
    case LogLevel::kError:
      logger_->error(text);
      break;
  }
}

void DaemonLog::engine(const engine::EngineLogEntry& e) {
  const LogLine line{e.level, e.session, e.peer, e.text};
  if (!e.refused) {
    write(line);
    return;
  }
  {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (now - window_start_ >= options_.refused_interval) end_window(now);
    if (window_lines_ >= options_.refused_lines) {
      ++left_out_;
      ++left_by_[address_of(e.peer)];
      return;
    }
    ++window_lines_;
  }
  write(line);
}

void DaemonLog::end_window(std::chrono::steady_clock::time_point now) {
  if (left_out_ > 0) {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(now - window_start_).count();
    const std::string text = std::to_string(left_out_) + " more refused connection" +
                             (left_out_ == 1 ? "" : "s") + " from " + addresses_text(left_by_) +
                             " in the last " + std::to_string(seconds) + "s";
    write({LogLevel::kWarning, {}, {}, text});
  }
  window_start_ = now;
  window_lines_ = 0;
  left_out_ = 0;
  left_by_.clear();
}

void DaemonLog::tick() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (left_out_ > 0 && now - window_start_ >= options_.refused_interval) end_window(now);
}

void DaemonLog::flush_refused() {
  std::lock_guard lock(mu_);
  end_window(std::chrono::steady_clock::now());
}

void DaemonLog::reopen() {
  if (options_.file.empty()) return;
  // A failure keeps the file it has (dist_sink keeps its sinks when open_file throws early).
  if (Status s = open_file(); !s) write({LogLevel::kError, {}, {}, s.message()});
}

}  // namespace fixgate::gateway
