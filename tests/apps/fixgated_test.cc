// fixgated as users run it: a settings file, --app echo, real TCP, SIGTERM.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "../support/process.h"
#include "fixgate/codec/message.h"
#include "fixgate/engine/session_manager.h"

namespace fixgate {
namespace {

using namespace std::chrono_literals;
using fixgate::testing::Child;
using fixgate::testing::listening_ports;
using fixgate::testing::TempDir;
using session::SessionStatus;

std::string write_config(const TempDir& dir, const std::string& text) {
  std::string path = dir.path + "/fixgated.cfg";
  std::ofstream(path) << text;
  return path;
}

constexpr const char* kEchoConfig = R"([DEFAULT]
ConnectionType=acceptor
HeartBtInt=30
SocketAcceptAddress=127.0.0.1
SocketAcceptPort=0

[SESSION]
BeginString=FIX.4.4
SenderCompID=GW
TargetCompID=CLIENT
)";

// fixgated's start-up lines, up to "fixgated: running …" (the last); fewer if it stopped first.
std::vector<std::string> startup(Child& d) {
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i) {
    lines.push_back(d.read_line(10s));
    if (lines.back().empty() || lines.back().starts_with("fixgated: running")) break;
  }
  return lines;
}

bool has_line(const std::vector<std::string>& lines, std::string_view part) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

// The port that session `id` listens on (SocketAcceptPort=0: the kernel chose it), from its
// line "session ID acceptor listening HOST:PORT"; 0 if none.
uint16_t listening_port(const std::vector<std::string>& lines, const std::string& id) {
  const std::string part = "session " + id + " acceptor listening ";
  for (const auto& l : lines)
    if (auto at = l.find(part); at != std::string::npos)
      return static_cast<uint16_t>(std::stoi(l.substr(l.rfind(':') + 1)));
  return 0;
}

std::string clordid(const engine::ReceivedMessage& m) {
  codec::Message msg;
  EXPECT_TRUE(msg.parse(m.bytes).ok());
  return std::string(msg.get(tag::ClOrdID).value_or(""));
}

TEST(Fixgated, EchoesOrdersDropsResentDuplicatesAndLogsOutOnSigterm) {
  TempDir dir("fixgated");
  Child d({FIXGATED_PATH, "--config", write_config(dir, kEchoConfig), "--app", "echo"});
  const uint16_t port = listening_port(startup(d), "FIX.4.4:GW->CLIENT");
  ASSERT_NE(port, 0);

  engine::SessionManager client;
  engine::ManagerConfig c;
  c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "CLIENT", .target_comp_id = "GW"};
  c.session.role = session::Role::kInitiator;
  c.connect = {{"127.0.0.1", port}};
  c.reconnect.initial = 100ms;
  ASSERT_TRUE(client.initialize_session(c).is_ok());
  ASSERT_TRUE(client.start_session().is_ok());
  ASSERT_TRUE(client.wait_for_status(SessionStatus::kActive, 10s));

  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(client
                    .send_message("D", "11=O" + std::to_string(i) +
                                           "\x01"
                                           "55=IBM\x01")
                    .is_ok());
  // A resent order already seen is dropped; a resent order never seen is echoed.
  ASSERT_TRUE(client
                  .send_message("D",
                                "97=Y\x01"
                                "11=O5\x01"
                                "55=IBM\x01")
                  .is_ok());
  ASSERT_TRUE(client
                  .send_message("D",
                                "97=Y\x01"
                                "11=NEW\x01"
                                "55=IBM\x01")
                  .is_ok());
  ASSERT_TRUE(client
                  .send_message("8",
                                "11=O1\x01"
                                "150=0\x01")
                  .is_ok());  // other types echo too
  for (int i = 0; i < 100; ++i) {
    auto m = client.receive_message(10s);
    ASSERT_TRUE(m);
    EXPECT_EQ(clordid(*m), "O" + std::to_string(i));
  }
  auto fresh = client.receive_message(10s);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(clordid(*fresh), "NEW");
  auto report = client.receive_message(10s);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->msg_type, "8");
  EXPECT_FALSE(client.receive_message(200ms));  // the duplicate O5 never came back

  d.signal(SIGTERM);
  EXPECT_TRUE(client.wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(client.session_stats().logouts, 1u);  // logged out by fixgated, not just dropped
  EXPECT_EQ(d.wait(10s), 0);
}

// Reads fixgated's output until a line contains `part`.
bool saw_line(Child& d, std::string_view part) {
  for (int i = 0; i < 200; ++i) {
    std::string line = d.read_line(10s);
    if (line.find(part) != std::string::npos) return true;
    if (line.empty()) return false;
  }
  return false;
}

TEST(Fixgated, AcceptorTemplateCreatesSessionsForAllowedCompIdsOnly) {
  TempDir dir("fixgated-template");
  const std::string config =
      "[DEFAULT]\nConnectionType=acceptor\nHeartBtInt=30\n"
      "SocketAcceptAddress=127.0.0.1\nSocketAcceptPort=0\n\n"
      "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=GW\n"
      "TargetCompID=CLIENT\n\n[SESSION]\nBeginString=FIX.4.4\n"
      "SenderCompID=GW\nTargetCompID=*\nAcceptorTemplate=Y\n"
      "AllowedCompIDs=ALICE, BOB\n";
  Child d({FIXGATED_PATH, "--config", write_config(dir, config), "--app", "echo"});
  const auto lines = startup(d);
  ASSERT_TRUE(has_line(lines, "fixgated: running"));
  EXPECT_TRUE(has_line(lines, "template FIX.4.4:GW->* acceptor on 127.0.0.1:"));
  EXPECT_TRUE(has_line(lines, " allows ALICE,BOB"));
  // Port 0 gives the template a listener of its own. fixgated names the configured session's
  // port but not the template's (it prints the port configured, 0): the template's is the other
  // port fixgated listens on.
  const uint16_t session_port = listening_port(lines, "FIX.4.4:GW->CLIENT");
  std::vector<uint16_t> ports = listening_ports(d.pid());
  std::erase(ports, session_port);
  ASSERT_EQ(ports.size(), 1u) << "fixgated listens on " << ports.size() << " ports besides "
                              << session_port;
  const uint16_t port = ports[0];

  auto connect = [&](engine::SessionManager& m, const std::string& us) {
    engine::ManagerConfig c;
    c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = us, .target_comp_id = "GW"};
    c.session.role = session::Role::kInitiator;
    c.connect = {{"127.0.0.1", port}};
    c.reconnect.initial = 100ms;
    ASSERT_TRUE(m.initialize_session(c).is_ok());
    ASSERT_TRUE(m.start_session().is_ok());
  };
  engine::SessionManager alice, mallory;
  connect(alice, "ALICE");
  ASSERT_TRUE(alice.wait_for_status(SessionStatus::kActive, 10s));
  ASSERT_TRUE(alice
                  .send_message("D",
                                "11=A1\x01"
                                "55=IBM\x01")
                  .is_ok());
  auto echo = alice.receive_message(10s);  // the echo app runs on the new session too
  ASSERT_TRUE(echo);
  EXPECT_EQ(clordid(*echo), "A1");
  connect(mallory, "MALLORY");
  EXPECT_TRUE(saw_line(d, "MALLORY is not on the acceptor template's allow-list"));
  EXPECT_FALSE(mallory.is_session_active());
  d.signal(SIGTERM);
  EXPECT_TRUE(alice.wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(d.wait(10s), 0);
}

TEST(Fixgated, BusyPollingLoopThreadsEchoAndStopOnSigterm) {
  TempDir dir("fixgated-spin");
  const std::string config =
      std::string(kEchoConfig)
          .insert(std::string_view(kEchoConfig).find("[SESSION]"),
                  "EngineThreads=1\nBusyPollMicros=200\nBusyPollYield=Y\n\n");
  Child d({FIXGATED_PATH, "--config", write_config(dir, config), "--app", "echo"});
  const auto lines = startup(d);
  const uint16_t port = listening_port(lines, "FIX.4.4:GW->CLIENT");
  ASSERT_NE(port, 0);
  ASSERT_TRUE(has_line(lines, "engine 1 loop thread(s), busy-poll 200 us, yielding"));

  engine::SessionManager client;
  engine::ManagerConfig c;
  c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "CLIENT", .target_comp_id = "GW"};
  c.session.role = session::Role::kInitiator;
  c.connect = {{"127.0.0.1", port}};
  ASSERT_TRUE(client.initialize_session(c).is_ok());
  ASSERT_TRUE(client.start_session().is_ok());
  ASSERT_TRUE(client.wait_for_status(SessionStatus::kActive, 10s));
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(
        client.send_message("D", "11=S" + std::to_string(i) + "\x01" + "55=IBM\x01").is_ok());
  for (int i = 0; i < 200; ++i) {
    auto m = client.receive_message(10s);
    ASSERT_TRUE(m) << i;
    EXPECT_EQ(clordid(*m), "S" + std::to_string(i));
  }
  d.signal(SIGTERM);
  EXPECT_TRUE(client.wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(client.session_stats().logouts, 1u);
  EXPECT_EQ(d.wait(10s), 0);
}

TEST(Fixgated, ConfigurationErrorNamesFileLineAndKey) {
  TempDir dir("fixgated-bad");
  std::string path = write_config(dir, std::string(kEchoConfig) + "HeartBeatInt=30\n");
  Child d({"/bin/sh", "-c", std::string(FIXGATED_PATH) + " --config " + path + " 2>&1"});
  std::string line = d.read_line(10s);
  EXPECT_EQ(line, "fixgated: " + path + ":11: HeartBeatInt: unknown key");
  EXPECT_EQ(d.wait(10s), 2);
}

}  // namespace
}  // namespace fixgate
