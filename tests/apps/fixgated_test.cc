// fixgated as users run it, with its applications: --app echo (the acceptance reflector), no
// application (BusinessMessageReject 4), App= per session; templates; busy polling; SIGTERM.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fixgated_helpers.h"

namespace fixgate {
namespace {

using namespace std::chrono_literals;

using namespace fixgate::testing;  // the helpers of fixgated_helpers.h
using session::SessionStatus;

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

std::string order(const std::string& clordid, bool poss_resend = false) {
  return std::string(poss_resend ? "97=Y\x01" : "") + "11=" + clordid + "\x01" + "55=IBM\x01";
}

TEST(Fixgated, EchoReflectsOrdersEmailsAndSecurityDefinitionsAndRejectsOtherTypes) {
  TempDir dir("fixgated-echo");
  Child d(fixgated({"--config", write_file(dir.path + "/f.cfg", kEchoConfig), "--app", "echo"}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  EXPECT_EQ(startup.count("has no application"), 0u);
  engine::SessionManager client;
  ASSERT_TRUE(log_on(client, client_config(startup.ports["FIX.4.4:GW->CLIENT"])));

  // Sent back to back, answered in the order sent: the session's own BusinessMessageReject
  // keeps its place among the echoes, as when each message is processed in turn.
  ASSERT_TRUE(client->send("D", order("O1")).is_ok());
  ASSERT_TRUE(client
                  ->send("8",
                                "11=O1\x01"
                                "150=0\x01")
                  .is_ok());  // not reflected
  ASSERT_TRUE(client
                  ->send("C",
                                "164=T1\x01"
                                "94=0\x01"
                                "147=hello\x01")
                  .is_ok());
  ASSERT_TRUE(client
                  ->send("d",
                                "320=R1\x01"
                                "323=1\x01"
                                "55=IBM\x01")
                  .is_ok());
  std::vector<engine::ReceivedMessage> answers;
  for (int i = 0; i < 4; ++i) {
    auto m = client->receive(10s);
    ASSERT_TRUE(m) << i;
    answers.push_back(*m);
  }
  ASSERT_EQ(answers[0].msg_type, "D");
  EXPECT_EQ(field(answers[0], tag::ClOrdID), "O1");
  ASSERT_EQ(answers[1].msg_type, "j");
  EXPECT_EQ(field(answers[1], tag::BusinessRejectReason), "3");  // unsupported message type
  EXPECT_EQ(field(answers[1], tag::RefMsgType), "8");
  ASSERT_EQ(answers[2].msg_type, "C");
  EXPECT_EQ(field(answers[2], tag::Subject), "hello");
  ASSERT_EQ(answers[3].msg_type, "d");
  EXPECT_EQ(field(answers[3], tag::Symbol), "IBM");
  for (size_t i = 1; i < answers.size(); ++i)
    EXPECT_EQ(answers[i].seq.value, answers[i - 1].seq.value + 1);

  d.signal(SIGTERM);
  EXPECT_TRUE(client->wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(client->stats().logouts, 1u);  // logged out by fixgated, not just dropped
  EXPECT_EQ(d.wait(10s), 0);
}

TEST(Fixgated, EchoDropsResentOrdersSeenSinceLogonAndForgetsThemAtLogout) {
  TempDir dir("fixgated-possresend");
  Child d(fixgated({"--config", write_file(dir.path + "/f.cfg", kEchoConfig), "--app", "echo"}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  engine::SessionManager client;
  ASSERT_TRUE(log_on(client, client_config(startup.ports["FIX.4.4:GW->CLIENT"])));

  ASSERT_TRUE(client->send("D", order("O1")).is_ok());
  ASSERT_TRUE(client->send("D", order("O1", true)).is_ok());   // seen: dropped
  ASSERT_TRUE(client->send("D", order("NEW", true)).is_ok());  // never seen: echoed
  ASSERT_TRUE(client->send("D", order("O1")).is_ok());         // not a resend: echoed again
  // Echoes come back in order, so the one after O1 shows whether the resend was dropped.
  for (std::string expected : {"O1", "NEW", "O1"}) {
    auto m = client->receive(10s);
    ASSERT_TRUE(m);
    EXPECT_EQ(field(*m, tag::ClOrdID), expected);
  }

  // A new logon starts with nothing seen: the resent O1 is echoed now.
  ASSERT_TRUE(client->logout("").wait(10s).is_ok());
  client.stop_session();
  ASSERT_TRUE(client.start_session().is_ok());
  ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 10s));
  ASSERT_TRUE(client->send("D", order("O1", true)).is_ok());
  auto again = client->receive(10s);
  ASSERT_TRUE(again);
  EXPECT_EQ(field(*again, tag::ClOrdID), "O1");

  d.signal(SIGINT);  // SIGINT logs out as SIGTERM does
  EXPECT_TRUE(client->wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(client->stats().logouts, 2u);
  EXPECT_EQ(d.wait(10s), 0);
}

TEST(Fixgated, WithoutAnApplicationEveryMessageGetsBusinessMessageReject4) {
  TempDir dir("fixgated-noapp");
  Child d(fixgated({"--config", write_file(dir.path + "/f.cfg", kEchoConfig)}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  EXPECT_EQ(startup.count("session FIX.4.4:GW->CLIENT has no application"), 1u) << startup.text();
  engine::SessionManager client;
  ASSERT_TRUE(log_on(client, client_config(startup.ports["FIX.4.4:GW->CLIENT"])));
  // fixgated logs each reject it sends on stdout: keep reading, or its writes block on the pipe.
  std::atomic<bool> draining{true};
  std::thread drain([&] {
    while (draining) d.read_line(200ms);
  });
  struct Join {
    std::atomic<bool>& draining;
    std::thread& drain;
    ~Join() {
      draining = false;
      drain.join();
    }
  } join{draining, drain};

  // Nothing queues up unread in the daemon: every order is answered.
  constexpr int kOrders = 1000;
  for (int i = 0; i < kOrders; ++i)
    ASSERT_TRUE(client->send("D", order("N" + std::to_string(i))).is_ok());
  for (int i = 0; i < kOrders; ++i) {
    auto m = client->receive(10s);
    ASSERT_TRUE(m) << i;
    ASSERT_EQ(m->msg_type, "j");
    EXPECT_EQ(field(*m, tag::BusinessRejectReason), "4");  // application not available
    EXPECT_EQ(field(*m, tag::RefMsgType), "D");
  }
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(10s), 0);
}

// Three acceptors: ONE without App=, TWO with App=none, THREE with App=echo.
constexpr const char* kAppsConfig = R"([DEFAULT]
ConnectionType=acceptor
HeartBtInt=30
SocketAcceptAddress=127.0.0.1
SocketAcceptPort=0
BeginString=FIX.4.4
SenderCompID=GW

[SESSION]
TargetCompID=ONE

[SESSION]
TargetCompID=TWO
App=none

[SESSION]
TargetCompID=THREE
App=echo
)";

// What the session with `client` gets back for an order: "D" (echoed) or "j/4".
std::string answer_to_order(fixgate::testing::Startup& startup, const std::string& client) {
  engine::SessionManager m;
  if (!log_on(m, client_config(startup.ports["FIX.4.4:GW->" + client], client))) return "no logon";
  if (!m->send("D", order("A1")).is_ok()) return "not sent";
  auto answer = m->receive(10s);
  if (!answer) return "nothing";
  return answer->msg_type == "j" ? "j/" + field(*answer, tag::BusinessRejectReason)
                                 : answer->msg_type;
}

TEST(Fixgated, AppKeyOverridesTheCommandLinesApplication) {
  TempDir dir("fixgated-apps");
  const std::string path = write_file(dir.path + "/f.cfg", kAppsConfig);
  // What ONE, TWO and THREE get back for an order, and how many say they have no application.
  auto answers = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", path});
    Child d(fixgated(args));
    auto startup = read_startup(d);
    EXPECT_TRUE(startup.running) << startup.text();
    std::string out;
    for (std::string client : {"ONE", "TWO", "THREE"})
      out += client + ":" + answer_to_order(startup, client) + " ";
    return out + std::to_string(startup.count("has no application"));
  };
  EXPECT_EQ(answers({"--app", "echo"}), "ONE:D TWO:j/4 THREE:D 1");
  EXPECT_EQ(answers({}), "ONE:j/4 TWO:j/4 THREE:D 2");
}

TEST(Fixgated, AcceptorTemplateCreatesSessionsForAllowedCompIdsOnly) {
  TempDir dir("fixgated-template");
  // The template shares the configured session's port, which must therefore be known up front.
  const ReservedPort reserved;
  const uint16_t port = reserved.port();
  ASSERT_NE(port, 0);
  const std::string config =
      "[DEFAULT]\nConnectionType=acceptor\nHeartBtInt=30\n"
      "SocketAcceptAddress=127.0.0.1\nSocketAcceptPort=" +
      std::to_string(port) +
      "\n\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=GW\n"
      "TargetCompID=CLIENT\n\n[SESSION]\nBeginString=FIX.4.4\n"
      "SenderCompID=GW\nTargetCompID=*\nAcceptorTemplate=Y\n"
      "AllowedCompIDs=ALICE, BOB\n";
  Child d(fixgated({"--config", write_file(dir.path + "/f.cfg", config), "--app", "echo"}));
  ASSERT_TRUE(saw_line(d, "template FIX.4.4:GW->* acceptor on 127.0.0.1:" + std::to_string(port) +
                              " allows ALICE,BOB"));
  ASSERT_TRUE(saw_line(d, "fixgated: running"));

  engine::SessionManager alice, mallory;
  ASSERT_TRUE(log_on(alice, client_config(port, "ALICE")));
  ASSERT_TRUE(alice->send("D", order("A1")).is_ok());
  auto echo = alice->receive(10s);  // the echo app runs on the new session too
  ASSERT_TRUE(echo);
  EXPECT_EQ(field(*echo, tag::ClOrdID), "A1");
  ASSERT_TRUE(mallory.initialize_session(client_config(port, "MALLORY")).is_ok());
  ASSERT_TRUE(mallory.start_session().is_ok());
  EXPECT_TRUE(saw_line(d, "MALLORY is not on the acceptor template's allow-list"));
  EXPECT_FALSE(mallory->is_logged_on());
  d.signal(SIGTERM);
  EXPECT_TRUE(alice->wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(d.wait(10s), 0);
}

TEST(Fixgated, BusyPollingLoopThreadsEchoAndStopOnSigterm) {
  TempDir dir("fixgated-spin");
  const std::string config =
      std::string(kEchoConfig)
          .insert(std::string_view(kEchoConfig).find("[SESSION]"),
                  "EngineThreads=1\nBusyPollMicros=200\nBusyPollYield=Y\n\n");
  Child d(fixgated({"--config", write_file(dir.path + "/f.cfg", config), "--app", "echo"}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  EXPECT_EQ(startup.count("engine 1 loop thread(s), busy-poll 200 us, yielding"), 1u);

  engine::SessionManager client;
  ASSERT_TRUE(log_on(client, client_config(startup.ports["FIX.4.4:GW->CLIENT"])));
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(client->send("D", order("S" + std::to_string(i))).is_ok());
  for (int i = 0; i < 200; ++i) {
    auto m = client->receive(10s);
    ASSERT_TRUE(m) << i;
    EXPECT_EQ(field(*m, tag::ClOrdID), "S" + std::to_string(i));
  }
  d.signal(SIGTERM);
  EXPECT_TRUE(client->wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(client->stats().logouts, 1u);
  EXPECT_EQ(d.wait(10s), 0);
}

}  // namespace
}  // namespace fixgate
