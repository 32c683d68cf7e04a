// fixgated as users run it: a settings file, --app echo, real TCP, SIGTERM.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "../support/process.h"
#include "fixgate/codec/message.h"
#include "fixgate/engine/session_manager.h"

namespace fixgate {
namespace {

using namespace std::chrono_literals;
using fixgate::testing::Child;
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

// Reads fixgated's start-up lines until the listening port shows up.
uint16_t listening_port(Child& d) {
  std::regex listening(R"(acceptor listening [0-9.]+:([0-9]+))");
  for (int i = 0; i < 20; ++i) {
    std::string line = d.read_line(10s);
    std::smatch m;
    if (std::regex_search(line, m, listening)) return static_cast<uint16_t>(std::stoi(m[1]));
    if (line.empty()) break;
  }
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
  uint16_t port = listening_port(d);
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
  const uint16_t port = fixgate::testing::free_port();
  const std::string config =
      "[DEFAULT]\nConnectionType=acceptor\nHeartBtInt=30\n"
      "SocketAcceptAddress=127.0.0.1\nSocketAcceptPort=" +
      std::to_string(port) +
      "\n\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=GW\n"
      "TargetCompID=CLIENT\n\n[SESSION]\nBeginString=FIX.4.4\n"
      "SenderCompID=GW\nTargetCompID=*\nAcceptorTemplate=Y\n"
      "AllowedCompIDs=ALICE, BOB\n";
  Child d({FIXGATED_PATH, "--config", write_config(dir, config), "--app", "echo"});
  ASSERT_TRUE(saw_line(d, "template FIX.4.4:GW->* acceptor on 127.0.0.1:" + std::to_string(port) +
                              " allows ALICE,BOB"));
  ASSERT_TRUE(saw_line(d, "fixgated: running"));

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
  uint16_t port = listening_port(d);
  ASSERT_NE(port, 0);
  ASSERT_TRUE(saw_line(d, "engine 1 loop thread(s), busy-poll 200 us, yielding"));

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
