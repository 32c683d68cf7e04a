// fixgated's own log, end to end with the real daemon and real files: every line timestamped,
// refused connections naming their peer and rate-limited, <FileLogPath>/fixgated.log rotated by
// size (LogFileMaxSize, LogFileMaxFiles) and reopened on SIGHUP, --log-format json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fixgated_helpers.h"

namespace fixgate {
namespace {

using namespace std::chrono_literals;
using namespace fixgate::testing;  // the helpers of fixgated_helpers.h

std::string config_logging_to(const std::string& log_dir, const std::string& extra = "") {
  return "[DEFAULT]\nConnectionType=acceptor\nHeartBtInt=30\nSocketAcceptAddress=127.0.0.1\n"
         "SocketAcceptPort=0\nFileLogPath=" +
         log_dir + "\n" + extra + "\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=GW\n" +
         "TargetCompID=CLIENT\n";
}

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

size_t count_containing(const std::vector<std::string>& lines, std::string_view part) {
  size_t n = 0;
  for (const auto& l : lines) n += l.find(part) != std::string::npos;
  return n;
}

// Connects to 127.0.0.1:`port` and closes at once, sending nothing: its local port (0 if the
// connect failed).
uint16_t closed_at_once(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  uint16_t local = 0;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    sockaddr_in me{};
    socklen_t len = sizeof me;
    getsockname(fd, reinterpret_cast<sockaddr*>(&me), &len);
    local = ntohs(me.sin_port);
  }
  close(fd);
  return local;
}

// Polls `path` until one of its lines contains `part` (the daemon writes the file on its own
// threads); false after 10 s.
bool file_has_line(const std::string& path, std::string_view part) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (count_containing(lines_of(path), part) > 0) return true;
    pollfd none{-1, 0, 0};
    poll(&none, 0, 20);  // polling a file for a condition, with a deadline
  }
  return false;
}

const std::regex kTextLine(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (INFO |WARN |ERROR) )");

TEST(FixgatedLogging, EveryLineIsTimestampedAndARefusalNamesThePeer) {
  TempDir dir("fixgated-log-peer");
  const std::string logs = dir.path + "/log";
  Child d(fixgated({"--config", write_file(dir.path + "/f.cfg", config_logging_to(logs))}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  for (const auto& line : startup.lines) EXPECT_TRUE(std::regex_search(line, kTextLine)) << line;
  const uint16_t from = refused_connection(startup.ports["FIX.4.4:GW->CLIENT"], unknown_logon());
  ASSERT_NE(from, 0);
  const std::string refusal =
      "connection refused: no session for FIX.4.4:GW->NOBODY (from 127.0.0.1:" +
      std::to_string(from) + ")";
  EXPECT_TRUE(saw_line(d, refusal));
  // The same lines in <FileLogPath>/fixgated.log.
  ASSERT_TRUE(file_has_line(logs + "/fixgated.log", refusal));
  const auto file = lines_of(logs + "/fixgated.log");
  EXPECT_EQ(count_containing(file, "fixgated: running 1 session(s)"), 1u);
  for (const auto& line : file) EXPECT_TRUE(std::regex_search(line, kTextLine)) << line;
  // A connection closed before its Logon is named too.
  const uint16_t silent = closed_at_once(startup.ports["FIX.4.4:GW->CLIENT"]);
  ASSERT_NE(silent, 0);
  EXPECT_TRUE(file_has_line(logs + "/fixgated.log",
                            "connection closed by the peer before its Logon (from 127.0.0.1:" +
                                std::to_string(silent) + ")"));
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(10s), 0);
}

TEST(FixgatedLogging, JsonLinesCarryTimeLevelSessionPeerAndMessage) {
  TempDir dir("fixgated-log-json");
  const std::string logs = dir.path + "/log";
  Child d(fixgated({"--config", write_file(dir.path + "/f.cfg", config_logging_to(logs)),
                    "--log-format", "json", "--app", "echo"}));
  // The console's lines are JSON too: read them raw up to the running line.
  uint16_t port = 0;
  for (int i = 0; i < 50 && port == 0; ++i) {
    const std::string line = d.read_line(20s);
    ASSERT_FALSE(line.empty());
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    const std::string message = j.value("message", "");
    static const std::regex listening(R"(acceptor listening [0-9.]+:([0-9]+))");
    std::smatch m;
    if (std::regex_search(message, m, listening)) port = static_cast<uint16_t>(std::stoi(m[1]));
  }
  ASSERT_NE(port, 0);
  engine::SessionManager client;
  ASSERT_TRUE(log_on(client, client_config(port)));
  const uint16_t from = refused_connection(port, unknown_logon());
  ASSERT_NE(from, 0);
  ASSERT_TRUE(file_has_line(logs + "/fixgated.log", "no session for FIX.4.4:GW->NOBODY"));
  ASSERT_TRUE(client->logout("").wait(10s).is_ok());
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(10s), 0);

  size_t refusals = 0, session_lines = 0;
  const auto lines = lines_of(logs + "/fixgated.log");
  ASSERT_GT(lines.size(), 5u);
  for (const auto& line : lines) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    for (const char* key : {"time", "level", "session", "peer", "message"})
      EXPECT_TRUE(j.contains(key)) << key << " missing: " << line;
    EXPECT_TRUE(std::regex_match(j["time"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")))
        << line;
    const std::string message = j["message"];
    if (message.find("no session for FIX.4.4:GW->NOBODY") != std::string::npos) {
      ++refusals;
      EXPECT_EQ(j["level"], "warn");
      EXPECT_EQ(j["peer"], "127.0.0.1:" + std::to_string(from));
      EXPECT_TRUE(j["session"].is_null());
    }
    if (j["session"] == "FIX.4.4:GW->CLIENT") ++session_lines;
  }
  EXPECT_EQ(refusals, 1u);
  EXPECT_GE(session_lines, 3u);  // listening, connected from …, status changes, the logout
}

TEST(FixgatedLogging, AFloodOfRefusedConnectionsIsRateLimitedAndCounted) {
  TempDir dir("fixgated-log-flood");
  const std::string logs = dir.path + "/log";
  // The windows start with fixgated: all of them lie between this and its exit.
  const auto started = std::chrono::steady_clock::now();
  Child d(fixgated({"--config", write_file(dir.path + "/f.cfg", config_logging_to(logs))}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  constexpr int kConnections = 500;
  const std::string logon = unknown_logon();
  for (int i = 0; i < kConnections; ++i)
    ASSERT_NE(refused_connection(startup.ports["FIX.4.4:GW->CLIENT"], logon), 0) << i;
  // Every refusal was logged or counted before its connection closed; SIGTERM writes the
  // summary of the last window.
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(10s), 0);
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();

  const auto lines = lines_of(logs + "/fixgated.log");
  const size_t one_by_one = count_containing(lines, "connection refused: no session for");
  static const std::regex summary(
      R"((\d+) more refused connections from 127\.0\.0\.1 in the last (\d+)s)");
  uint64_t summarised = 0;
  size_t summaries = 0;
  for (const auto& line : lines) {
    std::smatch m;
    if (!std::regex_search(line, m, summary)) continue;
    summarised += std::stoull(m[1]);
    ++summaries;
  }
  // At most 10 lines one by one per 10 s window (and one summary each): bounded, whatever the
  // number of connections.
  const size_t windows = static_cast<size_t>(seconds / 10 + 1);
  EXPECT_LE(one_by_one, 10 * windows);
  EXPECT_GE(summaries, 1u);
  EXPECT_LE(summaries, windows);
  EXPECT_EQ(one_by_one + summarised, static_cast<uint64_t>(kConnections));
  EXPECT_LT(lines.size(), 40 * windows) << "unbounded: " << lines.size() << " lines";
}

TEST(FixgatedLogging, TheLogRotatesAtItsSizeKeepingMaxFiles) {
  TempDir dir("fixgated-log-rotate");
  const std::string logs = dir.path + "/log";
  Child d(
      fixgated({"--config",
                write_file(dir.path + "/f.cfg",
                           config_logging_to(logs, "LogFileMaxSize=1000\nLogFileMaxFiles=2\n"))}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  // Each SIGHUP writes one line of about 75 bytes: 60 of them fill four files and more.
  for (int i = 0; i < 60; ++i) {
    d.signal(SIGHUP);
    ASSERT_TRUE(saw_line(d, "fixgated: SIGHUP: reopening log files")) << i;
  }
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(10s), 0);

  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(logs))
    if (e.path().filename().string().starts_with("fixgated")) {
      names.insert(e.path().filename().string());
      EXPECT_LE(std::filesystem::file_size(e.path()), 1000u) << e.path();
    }
  EXPECT_EQ(names, (std::set<std::string>{"fixgated.log", "fixgated.1.log", "fixgated.2.log"}));
  // The newest lines are in fixgated.log, the oldest kept in fixgated.2.log; the start-up lines
  // were rotated out.
  const auto current = lines_of(logs + "/fixgated.log");
  ASSERT_FALSE(current.empty());
  EXPECT_NE(current.back().find("fixgated: stopped"), std::string::npos);
  size_t kept = 0;
  for (const char* name : {"fixgated.log", "fixgated.1.log", "fixgated.2.log"}) {
    const auto lines = lines_of(logs + "/" + name);
    EXPECT_EQ(count_containing(lines, "fixgated: running"), 0u) << name;
    kept += count_containing(lines, "SIGHUP: reopening");
  }
  EXPECT_GT(kept, 10u);
  EXPECT_LT(kept, 60u);
}

TEST(FixgatedLogging, SessionMessageLogsRotateAtTheSameSize) {
  TempDir dir("fixgated-log-rotate-session");
  const std::string logs = dir.path + "/log";
  Child d(fixgated({"--config",
                    write_file(dir.path + "/f.cfg",
                               config_logging_to(logs, "LogFileMaxSize=2000\nLogFileMaxFiles=2\n")),
                    "--app", "echo"}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  engine::SessionManager client;
  ASSERT_TRUE(log_on(client, client_config(startup.ports["FIX.4.4:GW->CLIENT"])));
  // 60 orders and their echoes, about 150 bytes a line: 18 KB of message log.
  for (int i = 0; i < 60; ++i) {
    const std::string id = "ORDER-" + std::to_string(i);
    ASSERT_TRUE(client->send("D", "11=" + id + "\x01" + "55=IBM\x01").is_ok());
    auto echo = client->receive(10s);
    ASSERT_TRUE(echo && field(*echo, tag::ClOrdID) == id) << i;
  }
  d.signal(SIGTERM);
  EXPECT_TRUE(client->wait_for_status(session::SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(d.wait(10s), 0);

  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(logs)) {
    const std::string name = e.path().filename().string();
    if (!name.starts_with("FIX.4.4-GW-CLIENT.messages")) continue;
    names.insert(name);
    EXPECT_LE(std::filesystem::file_size(e.path()), 2000u) << name;
  }
  EXPECT_EQ(names, (std::set<std::string>{"FIX.4.4-GW-CLIENT.messages.current.log",
                                          "FIX.4.4-GW-CLIENT.messages.1.log",
                                          "FIX.4.4-GW-CLIENT.messages.2.log"}));
  // The QuickFIX layout in every file; the last echo in the current one, the first order gone.
  const auto current = lines_of(logs + "/FIX.4.4-GW-CLIENT.messages.current.log");
  EXPECT_EQ(count_containing(current, "11=ORDER-59\x01"), 2u);
  size_t first = 0;
  for (const char* suffix : {"current", "1", "2"}) {
    const auto lines = lines_of(logs + "/FIX.4.4-GW-CLIENT.messages." + suffix + ".log");
    for (const auto& line : lines)
      EXPECT_TRUE(std::regex_search(line, std::regex(R"(^\d{8}-\d\d:\d\d:\d\d\.\d{6} : 8=FIX)")))
          << line;
    first += count_containing(lines, "11=ORDER-0\x01");
  }
  EXPECT_EQ(first, 0u);
}

TEST(FixgatedLogging, SighupReopensTheLogUnderItsNameAfterARename) {
  TempDir dir("fixgated-log-reopen");
  const std::string logs = dir.path + "/log";
  Child d(fixgated({"--config", write_file(dir.path + "/f.cfg", config_logging_to(logs))}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  const std::string log = logs + "/fixgated.log";
  ASSERT_TRUE(file_has_line(log, "fixgated: running"));
  // logrotate's way: rename, then SIGHUP.
  std::filesystem::rename(log, log + ".1");
  d.signal(SIGHUP);
  ASSERT_TRUE(saw_line(d, "fixgated: SIGHUP: reopening log files"));
  const uint16_t from = refused_connection(startup.ports["FIX.4.4:GW->CLIENT"], unknown_logon());
  ASSERT_NE(from, 0);
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(10s), 0);

  const auto fresh = lines_of(log);
  const auto old = lines_of(log + ".1");
  EXPECT_EQ(count_containing(old, "fixgated: running"), 1u);
  EXPECT_EQ(count_containing(old, "127.0.0.1:" + std::to_string(from)), 0u);
  EXPECT_EQ(count_containing(fresh, "fixgated: running"), 0u);
  EXPECT_EQ(count_containing(fresh, "SIGHUP: reopening log files"), 1u);
  EXPECT_EQ(count_containing(fresh, "(from 127.0.0.1:" + std::to_string(from) + ")"), 1u);
  EXPECT_EQ(count_containing(fresh, "fixgated: stopped"), 1u);
}

}  // namespace
}  // namespace fixgate
