// fixgate initiator against a QuickFIX/C++ 1.15 acceptor (echo) in the situations that break
// sessions: heartbeats and test requests at HeartBtInt=1, the network cut with orders in flight
// (then reconnect and resend: every order echoed exactly once), an outbound SequenceReset, and
// the session schedule ending.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "../support/tcp_proxy.h"
#include "../support/text_log.h"
#include "fixgate/codec/message.h"
#include "fixgate/engine/session_manager.h"
#include "orders.h"
#include "quickfix_peer.h"

namespace fixgate::engine {
namespace {

using fixgate::testing::PeerOptions;
using fixgate::testing::QuickFixPeer;
using fixgate::testing::TcpProxy;
using fixgate::testing::TextLog;

using namespace std::chrono_literals;
using session::SessionStatus;

// A QuickFIX acceptor that echoes, on a port of its own.
struct QuickFixEcho {
  QuickFixPeer qf{PeerOptions{.acceptor = true, .echo = true, .trace = "none"}};
  uint16_t port = qf.port();
  ~QuickFixEcho() { EXPECT_EQ(qf.finish(), 0); }
};

SessionOptions fixgate_initiator(uint16_t port) {
  SessionOptions c;
  c.session.id = {"FIX.4.4", "FG", "QF"};
  c.session.role = session::Role::kInitiator;
  c.connect = {{"127.0.0.1", port}};
  c.reconnect.initial = 100ms;
  c.reconnect.max = 500ms;
  return c;
}

// Every admin message fixgate receives, as "<MsgType> <TestReqID>" lines.
std::function<void(const session::SessionEvent&)> admin_lines(TextLog& log) {
  return [&log](const session::SessionEvent& e) {
    if (e.type != session::SessionEvent::Type::kAdminMessage) return;
    codec::Message m;
    if (!m.parse(e.bytes).ok()) return;
    log.add(std::string(m.msg_type()) + " " + std::string(m.get(tag::TestReqID).value_or("")));
  };
}

TEST(QuickFixScenarios, HeartbeatsAndTestRequestsAtHeartBtInt1) {
  QuickFixEcho qf;
  TextLog admin;  // before the session that writes into it
  SessionManager fg;
  SessionOptions c = fixgate_initiator(qf.port);
  c.session.heartbeat_interval = 1s;
  ASSERT_TRUE(fg.initialize_session(c).is_ok());
  fg->on_event(admin_lines(admin));
  ASSERT_TRUE(fg.start_session().is_ok());
  ASSERT_TRUE(fg->wait_for_status(SessionStatus::kActive, 10s));
  // Silent both ways: QuickFIX's heartbeats arrive every second, and ours keep it content.
  ASSERT_TRUE(admin.wait_for("0 ", 5s));
  ASSERT_TRUE(fg->send_test_request("PING-1").is_ok());
  EXPECT_TRUE(admin.wait_for("0 PING-1", 5s));  // answered with a Heartbeat carrying the id
  const auto before = fg->stats();
  std::string order_id = "HB-1";
  ASSERT_TRUE(fg->send("D", order_body(order_id)).is_ok());
  ASSERT_TRUE(fg->receive(5s));
  // Three more heartbeat intervals of silence: still logged on, heartbeats counted both ways.
  ASSERT_FALSE(fg->receive(3500ms));
  const auto after = fg->stats();
  EXPECT_TRUE(fg->is_logged_on());
  EXPECT_GE(after.heartbeats_received, before.heartbeats_received + 2);
  EXPECT_GE(after.heartbeats_sent, before.heartbeats_sent + 2);
  EXPECT_EQ(after.errors, 0u);
  ASSERT_TRUE(fg->logout("").wait(5s).is_ok());
}

TEST(QuickFixScenarios, NetworkCutWithOrdersInFlightLosesAndDuplicatesNothing) {
  constexpr int kOrders = 2000;
  QuickFixEcho qf;
  TcpProxy proxy(qf.port);
  SessionManager fg;
  ASSERT_TRUE(fg.initialize_session(fixgate_initiator(proxy.port())).is_ok());
  ASSERT_TRUE(fg.start_session().is_ok());
  ASSERT_TRUE(fg->wait_for_status(SessionStatus::kActive, 10s));
  for (int i = 0; i < kOrders; ++i) {
    if (i == kOrders / 2) proxy.cut();  // echoes (and maybe orders) are in flight right now
    // A send refused while the connection is down is made again once logged on.
    while (!fg->send("D", order_body("CUT-" + std::to_string(i))).is_ok())
      ASSERT_TRUE(fg->wait_for_status(SessionStatus::kActive, 10s));
  }
  std::map<std::string, int> echoes;
  while (echoes.size() < static_cast<size_t>(kOrders)) {
    auto m = fg->receive(10s);
    ASSERT_TRUE(m) << echoes.size() << " of " << kOrders << " orders echoed";
    codec::Message msg;
    ASSERT_TRUE(msg.parse(m->bytes).ok());
    ++echoes[std::string(msg.get(tag::ClOrdID).value_or(""))];
  }
  EXPECT_FALSE(fg->receive(300ms));  // and nothing more
  for (const auto& [id, n] : echoes) EXPECT_EQ(n, 1) << id << " echoed " << n << " times";
  const auto stats = fg->stats();
  EXPECT_GE(proxy.connections(), 2);
  // The cut cost messages in flight, and the resend protocol brought them back.
  EXPECT_GT(stats.resend_requests_sent + stats.resend_requests_received, 0u);
  EXPECT_EQ(stats.rejects_received, 0u);
  ASSERT_TRUE(fg->logout("").wait(5s).is_ok());
}

TEST(QuickFixScenarios, OutboundSequenceResetIsAcceptedByQuickFix) {
  QuickFixEcho qf;
  SessionManager fg;
  ASSERT_TRUE(fg.initialize_session(fixgate_initiator(qf.port)).is_ok());
  ASSERT_TRUE(fg.start_session().is_ok());
  ASSERT_TRUE(fg->wait_for_status(SessionStatus::kActive, 10s));
  ASSERT_TRUE(fg->send("D", order_body("BEFORE")).is_ok());
  ASSERT_TRUE(fg->receive(5s));
  ASSERT_TRUE(fg->reset_outbound_sequence(session::SeqNum(500)).is_ok());
  ASSERT_TRUE(fg->send("D", order_body("AFTER")).is_ok());  // MsgSeqNum 500
  auto echo = fg->receive(5s);
  ASSERT_TRUE(echo);  // QuickFIX took 500 as its next expected: no gap, no reject
  codec::Message m;
  ASSERT_TRUE(m.parse(echo->bytes).ok());
  EXPECT_EQ(m.get(tag::ClOrdID).value_or(""), "AFTER");
  EXPECT_EQ(fg->sequence_numbers().second, session::SeqNum(501));
  EXPECT_EQ(fg->stats().rejects_received, 0u);
  EXPECT_EQ(fg->stats().resend_requests_received, 0u);
  ASSERT_TRUE(fg->logout("").wait(5s).is_ok());
}

TEST(QuickFixScenarios, ScheduleEndLogsOutWithQuickFix) {
  QuickFixEcho qf;
  TextLog events;
  SessionManager fg;
  SessionOptions c = fixgate_initiator(qf.port);
  // A UTC window that opened a minute ago and closes in two seconds.
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto tod = [&](int64_t delta) {
    return std::chrono::seconds(((now + delta) % 86400 + 86400) % 86400);
  };
  c.session.schedule = *session::Schedule::daily(tod(-60), tod(2), session::TimeZone::utc());
  ASSERT_TRUE(fg.initialize_session(c).is_ok());
  fg->on_event(events.listener());
  ASSERT_TRUE(fg.start_session().is_ok());
  ASSERT_TRUE(fg->wait_for_status(SessionStatus::kActive, 10s));
  EXPECT_TRUE(events.wait_for("end of the session schedule", 10s));
  ASSERT_TRUE(fg->wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(fg->stats().logouts, 1u);  // QuickFIX answered our Logout
  EXPECT_TRUE(events.wait_for("outside the session schedule: connecting in", 5s));
  EXPECT_FALSE(fg->is_logged_on());
}

}  // namespace
}  // namespace fixgate::engine
