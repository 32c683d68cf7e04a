// fixgate against QuickFIX/C++ 1.15 (Debian's libquickfix), over real loopback TCP, both ways:
// 10,000 orders each way with every echo checked, then the logout handshake, seen from both
// sides (the Logout on the wire and QuickFIX's onLogout).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "fixgate/codec/message.h"
#include "fixgate/dict/groups.h"
#include "fixgate/engine/session_manager.h"
#include "orders.h"
#include "quickfix_peer.h"

namespace fixgate::engine {
namespace {

using fixgate::testing::PeerOptions;
using fixgate::testing::QuickFixPeer;

using namespace std::chrono_literals;
using session::SessionStatus;

constexpr int kOrders = 10000;

SessionOptions fix44(session::Role role, uint16_t port = 0) {
  SessionOptions c;
  c.session.id = {"FIX.4.4", "FG", "QF"};
  c.session.role = role;
  if (role == session::Role::kInitiator) {
    c.connect = {{"127.0.0.1", port}};
    c.reconnect.initial = 100ms;
  } else {
    c.accept = {"127.0.0.1", 0};
  }
  return c;
}

TEST(QuickFixInterop, FixgateInitiatorAgainstQuickFixAcceptor) {
  QuickFixPeer qf(PeerOptions{.acceptor = true, .echo = true, .trace = "admin"});
  SessionManager fg;
  ASSERT_TRUE(fg.initialize_session(fix44(session::Role::kInitiator, qf.port())).is_ok());
  ASSERT_TRUE(fg.start_session().is_ok());
  ASSERT_TRUE(fg->wait_for_status(SessionStatus::kActive, 10s));
  for (int i = 0; i < kOrders; ++i)
    ASSERT_TRUE(fg->send("D", order_body("ORD-" + std::to_string(i))).is_ok());
  for (int i = 0; i < kOrders; ++i) {
    auto echo = fg->receive(10s);
    ASSERT_TRUE(echo) << "echo " << i << " missing";
    codec::Message m;
    ASSERT_TRUE(m.parse(echo->bytes).ok());
    ASSERT_EQ(m.get(tag::ClOrdID).value_or(""), "ORD-" + std::to_string(i));
    ASSERT_EQ(m.msg_type(), "D");
  }
  EXPECT_EQ(fg->stats().rejects_received, 0u);
  const size_t mark = qf.mark();
  ASSERT_TRUE(fg->logout("").wait(5s).is_ok());  // QuickFIX answers our Logout
  EXPECT_EQ(fg->status(), SessionStatus::kDisconnected);
  EXPECT_EQ(fg->stats().logouts, 1u);  // its answer arrived
  // Our Logout reached QuickFIX, which answered it and called onLogout.
  EXPECT_EQ(qf.await("IN 35=5 "), "IN 35=5 34=" + std::to_string(kOrders + 2)) << qf.history(mark);
  EXPECT_NE(qf.await("OUT 35=5 "), "") << qf.history(mark);
  EXPECT_EQ(qf.await("LOGOUT"), "LOGOUT") << qf.history(mark);
  EXPECT_EQ(qf.finish(), 0);
}

TEST(QuickFixInterop, QuickFixInitiatorAgainstFixgateAcceptor) {
  SessionManager fg;
  ASSERT_TRUE(fg.initialize_session(fix44(session::Role::kAcceptor)).is_ok());
  fg->on("D", [&fg](const codec::Message& m) { (void)fg->send("D", dict::body_fields(m)); });
  ASSERT_TRUE(fg.start_session().is_ok());

  QuickFixPeer qf(PeerOptions{.acceptor = false, .port = fg->local_port(), .trace = "admin"});
  ASSERT_EQ(qf.await("LOGON"), "LOGON") << qf.history();
  qf.send("orders " + std::to_string(kOrders) + " ORD-");
  // QuickFIX checks every echo, in order: DONE only when all came back right.
  ASSERT_EQ(
      qf.await([](std::string_view l) { return l.starts_with("DONE") || l.starts_with("BAD"); },
               90s),
      "DONE " + std::to_string(kOrders));
  const size_t mark = qf.mark();
  qf.send("logout done");
  // QuickFIX's Logout reached us (we answered it), ours reached QuickFIX: then onLogout.
  EXPECT_EQ(qf.await("OUT 35=5 "), "OUT 35=5 34=" + std::to_string(kOrders + 2) + " 58=done")
      << qf.history(mark);
  EXPECT_NE(qf.await("IN 35=5 "), "") << qf.history(mark);
  EXPECT_EQ(qf.await("LOGOUT"), "LOGOUT") << qf.history(mark);
  EXPECT_TRUE(fg->wait_for_status(SessionStatus::kDisconnected, 10s));
  const auto stats = fg->stats();
  EXPECT_EQ(stats.logouts, 1u);
  EXPECT_EQ(stats.rejects_sent, 0u);
  EXPECT_GE(stats.messages_received, static_cast<uint64_t>(kOrders));
  EXPECT_EQ(qf.finish(), 0);
}

}  // namespace
}  // namespace fixgate::engine
