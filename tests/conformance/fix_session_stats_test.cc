// SessionStats beyond the per-type counters: application vs admin traffic, logons, gap fills both
// ways, Session Rejects by reason, and why each connection ended (counted once per connection).
// The gateway's /metrics exposes exactly these (docs/gateway.md).
#include "session_harness.h"

namespace fixgate::session::testing {
namespace {

size_t cause(DisconnectCause c) { return static_cast<size_t>(c); }

TEST(SessionStats, ApplicationAndAdminTrafficAreCountedApart) {
  SessionUnderTest t;
  t.logon();  // Logon in, Logon out: admin
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "A"}, {tag::Symbol, "IBM"}});
  ASSERT_TRUE(t.session
                  .send("8",
                        "11=A\x01"
                        "55=IBM\x01",
                        t.now)
                  .is_ok());
  t.session.send_heartbeat(t.now);
  t.pump();
  const std::vector<Sent> out = t.take();
  ASSERT_EQ(out.size(), 2u);
  const SessionStats s = t.session.stats();
  EXPECT_EQ(s.logons, 1u);
  EXPECT_EQ(s.messages_received, 2u);
  EXPECT_EQ(s.app_messages_received, 1u);
  EXPECT_EQ(s.messages_sent, 3u);
  EXPECT_EQ(s.app_messages_sent, 1u);
  EXPECT_EQ(s.app_bytes_sent, out[0].bytes.size());
  EXPECT_GT(s.app_bytes_received, 0u);
  EXPECT_LT(s.app_bytes_received, s.bytes_received);  // the Logon is the rest
  EXPECT_LT(s.app_bytes_sent, s.bytes_sent);
}

TEST(SessionStats, GapFillsAreCountedBothWays) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("4", 2, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "5"}});
  t.receive("4", 5, {{tag::NewSeqNo, "9"}});  // a Reset: no gap fill
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(9));
  ASSERT_TRUE(t.session
                  .send("D",
                        "11=A\x01"
                        "55=IBM\x01",
                        t.now)
                  .is_ok());        // 2
  t.session.send_heartbeat(t.now);  // 3
  t.pump();
  t.take();
  t.receive("2", 9, {{tag::BeginSeqNo, "1"}, {tag::EndSeqNo, "0"}});
  const std::vector<Sent> out = t.take();  // gap fill 1, D 2, gap fill 3
  ASSERT_EQ(out.size(), 3u);
  const SessionStats s = t.session.stats();
  EXPECT_EQ(s.gap_fills_received, 1u);
  EXPECT_EQ(s.sequence_resets_received, 2u);
  EXPECT_EQ(s.gap_fills_sent, 2u);
}

TEST(SessionStats, SessionRejectsAreCountedByReason) {
  SessionUnderTest t;
  t.logon();
  t.receive("0", 2);
  t.take();
  // Ours: a gap fill lowering the number gets reason 5.
  t.receive("4", 3, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "2"}});
  ASSERT_EQ(t.take().at(0).get(tag::SessionRejectReason), "5");
  // Theirs: 11, 99 (Other), none given, and one no FIX defines: the last three share a slot.
  t.receive("3", 4, {{tag::RefSeqNum, "2"}, {tag::SessionRejectReason, "11"}});
  t.receive("3", 5, {{tag::RefSeqNum, "2"}, {tag::SessionRejectReason, "99"}});
  t.receive("3", 6, {{tag::RefSeqNum, "2"}});
  t.receive("3", 7, {{tag::RefSeqNum, "2"}, {tag::SessionRejectReason, "42"}});
  t.receive("j", 8, {{tag::RefSeqNum, "2"}, {tag::BusinessRejectReason, "0"}});
  const SessionStats s = t.session.stats();
  EXPECT_EQ(s.session_rejects_sent[5], 1u);
  EXPECT_EQ(s.rejects_sent, 1u);
  EXPECT_EQ(s.session_rejects_received[11], 1u);
  EXPECT_EQ(s.session_rejects_received[reject_reason_slot(99)], 3u);
  EXPECT_EQ(reject_reason_slot(99), kRejectReasonSlots - 1);
  EXPECT_EQ(reject_reason_slot(17), 17u);
  EXPECT_EQ(s.rejects_received, 5u);  // four Session Rejects and a BusinessMessageReject
}

TEST(SessionStats, EachConnectionEndsOnceWithItsCause) {
  SessionUnderTest t;
  // 1: MsgSeqNum too low: protocol (the transport's close after it is not counted again).
  t.logon(1);
  t.take();
  t.receive("0", 1);
  EXPECT_TRUE(t.disconnected);
  t.drop_connection();
  // 2: the peer closes the socket: connection lost.
  t.logon(2);
  t.take();
  t.drop_connection();
  // 3: TestRequest unanswered: timeout.
  t.logon(3);
  t.take();
  t.advance(65s);
  EXPECT_TRUE(t.has_event(SessionEvent::Type::kDisconnect, "heartbeat timeout"));
  t.drop_connection();
  // 4: their Logout answered: logout.
  t.logon(4);
  t.take();
  t.receive("5", 5);
  ASSERT_EQ(t.take().at(0).type, "5");
  t.drop_connection();
  // A disconnect with no connection (a second close) counts nothing.
  t.drop_connection();

  const SessionStats s = t.session.stats();
  EXPECT_EQ(s.logons, 4u);
  EXPECT_EQ(s.disconnects[cause(DisconnectCause::kProtocol)], 1u);
  EXPECT_EQ(s.disconnects[cause(DisconnectCause::kConnectionLost)], 1u);
  EXPECT_EQ(s.disconnects[cause(DisconnectCause::kTimeout)], 1u);
  EXPECT_EQ(s.disconnects[cause(DisconnectCause::kLogout)], 1u);
  uint64_t all = 0;
  for (uint64_t n : s.disconnects) all += n;
  EXPECT_EQ(all, 4u);
  EXPECT_EQ(to_string(DisconnectCause::kLogonRefused), "logon_refused");
  EXPECT_EQ(to_string(DisconnectCause::kConnectionLost), "connection_lost");
}

TEST(SessionStats, ARefusedLogonIsCountedAsSuch) {
  SessionHooks hooks;
  hooks.on_logon = [](const codec::Message&) -> std::optional<std::string> { return "no"; };
  SessionUnderTest t(default_config(), hooks);
  t.logon();
  EXPECT_TRUE(t.disconnected);
  t.drop_connection();
  const SessionStats s = t.session.stats();
  EXPECT_EQ(s.logons, 0u);
  EXPECT_EQ(s.disconnects[cause(DisconnectCause::kLogonRefused)], 1u);
  EXPECT_EQ(s.disconnects[cause(DisconnectCause::kConnectionLost)], 0u);
}

}  // namespace
}  // namespace fixgate::session::testing
