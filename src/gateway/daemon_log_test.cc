// fixgated's log lines (daemon_log.h): their text and JSON forms, and the refused connections'
// rate limit with its summary, written to a stream.
#include "daemon_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace fixgate::gateway {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

engine::EngineLogEntry refused(std::string_view peer) {
  return {.level = LogLevel::kWarning,
          .refused = true,
          .peer = peer,
          .text = "connection refused: no session for FIX.4.4:GW->X"};
}

TEST(DaemonLogTest, TextLinesHaveTimeLevelSessionTextAndPeer) {
  const auto at = std::chrono::system_clock::time_point(1'796'778'123'456'789us);
  EXPECT_EQ(utc_timestamp(at), "2026-12-09T01:02:03.456789Z");
  EXPECT_EQ(
      format_line({LogLevel::kWarning, "FIX.4.4:GW->C", "10.0.0.1:5000", "refused"}, at, false),
      "2026-12-09T01:02:03.456789Z WARN  [FIX.4.4:GW->C] refused (from 10.0.0.1:5000)");
  EXPECT_EQ(format_line({LogLevel::kInfo, {}, {}, "fixgated: running"}, at, false),
            "2026-12-09T01:02:03.456789Z INFO  fixgated: running");
}

TEST(DaemonLogTest, JsonLinesHaveEveryKeyAndNullsForWhatIsMissing) {
  const auto at = std::chrono::system_clock::time_point(1'796'778'123'000'001us);
  auto j = nlohmann::json::parse(format_line(
      {LogLevel::kError, {}, "10.0.0.1:5000", "bad \"quote\" \x01 and \xff"}, at, true));
  EXPECT_EQ(j["time"], "2026-12-09T01:02:03.000001Z");
  EXPECT_EQ(j["level"], "error");
  EXPECT_TRUE(j["session"].is_null());
  EXPECT_EQ(j["peer"], "10.0.0.1:5000");
  // Control characters escaped, bytes that are not UTF-8 replaced: still one parsable line.
  EXPECT_TRUE(j["message"].get<std::string>().starts_with("bad \"quote\" \x01 and "))
      << j["message"];
}

TEST(DaemonLogTest, RefusedConnectionsBeyondTheLimitAreCountedByAddress) {
  std::ostringstream out;
  auto log = DaemonLog::open({.console = &out, .refused_lines = 2, .refused_interval = 1h});
  ASSERT_TRUE(log);
  for (const char* peer : {"10.0.0.1:1", "10.0.0.1:2", "10.0.0.2:1", "10.0.0.3:1", "10.0.0.1:3",
                           "10.0.0.4:1", "10.0.0.5:1", "10.0.0.1:4"})
    (*log)->engine(refused(peer));
  (*log)->tick();  // the window's hour has not passed: no summary yet
  EXPECT_EQ(lines_of(out.str()).size(), 2u) << out.str();
  (*log)->engine({.level = LogLevel::kInfo, .refused = false, .text = "not refused"});
  (*log)->flush_refused();
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 4u) << out.str();
  EXPECT_NE(lines[0].find("(from 10.0.0.1:1)"), std::string::npos);
  EXPECT_NE(lines[1].find("(from 10.0.0.1:2)"), std::string::npos);
  EXPECT_NE(lines[2].find("INFO  not refused"), std::string::npos);
  // The address that refused most first, then three in all and a count of the rest.
  EXPECT_TRUE(std::regex_search(
      lines[3], std::regex("WARN  6 more refused connections from 10\\.0\\.0\\.1, 10\\.0\\.0\\.2, "
                           "10\\.0\\.0\\.3 and 2 other addresses in the last [01]s$")))
      << lines[3];
  (*log)->flush_refused();  // nothing left out since: no second summary
  EXPECT_EQ(lines_of(out.str()).size(), 4u);
}

TEST(DaemonLogTest, AFreshWindowLogsRefusalsOneByOneAgain) {
  std::ostringstream out;
  auto log = DaemonLog::open({.console = &out, .refused_lines = 1, .refused_interval = 0ms});
  ASSERT_TRUE(log);
  // Every refusal starts a new window: none is left out.
  for (int i = 0; i < 5; ++i) (*log)->engine(refused("127.0.0.1:" + std::to_string(1000 + i)));
  (*log)->flush_refused();
  const auto lines = lines_of(out.str());
  EXPECT_EQ(lines.size(), 5u) << out.str();
  for (const auto& line : lines) EXPECT_EQ(line.find("more refused"), std::string::npos);
}

}  // namespace
}  // namespace fixgate::gateway
