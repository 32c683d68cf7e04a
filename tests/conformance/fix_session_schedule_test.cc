// Session schedules in the sans-I/O core: Logons refused outside the window, logout when it
// closes, the daily reset when the next one opens, and the 24-hour session's reset at its start.
// The clock starts at 2026-11-22 12:00:00 UTC (a Sunday).
#include "session_harness.h"

namespace fixgate::session::testing {
namespace {

SessionConfig scheduled(std::string_view start, std::string_view end, Role role = Role::kAcceptor) {
  SessionConfig c = default_config(role);
  c.schedule =
      *Schedule::daily(*parse_time_of_day(start), *parse_time_of_day(end), TimeZone::utc());
  return c;
}

// Logs on with HeartBtInt=0, so hours can pass without heartbeats.
void quiet_logon(SessionUnderTest& t, uint64_t seq = 1) {
  t.connect();
  t.receive("A", seq, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "0"}});
}

// Some application traffic both ways, so that the sequence numbers are well past 1.
void exchange(SessionUnderTest& t, uint64_t first_inbound, int n) {
  for (int i = 0; i < n; ++i) {
    t.receive("D", first_inbound + static_cast<uint64_t>(i),
              {{tag::ClOrdID, "o" + std::to_string(i)}});
    ASSERT_TRUE(t.session.send("8", "37=x\x01", t.now));
    t.pump();
  }
}

TEST(FixSessionSchedule, LogonOutsideTheWindowIsRefusedWithoutAReply) {
  SessionUnderTest t(scheduled("13:00:00", "17:00:00"));
  t.logon();
  EXPECT_TRUE(t.take().empty());  // not even a Logout: it would use up a sequence number
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.has_event(SessionEvent::Type::kDisconnect, "outside the session schedule"));
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(1));
  ASSERT_TRUE(t.session.schedule_wait(t.now));
  EXPECT_EQ(*t.session.schedule_wait(t.now), std::chrono::hours(1));
}

TEST(FixSessionSchedule, InitiatorSendsNoLogonOutsideTheWindow) {
  SessionUnderTest t(scheduled("13:00:00", "17:00:00", Role::kInitiator));
  t.connect();
  EXPECT_TRUE(t.take().empty());
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSessionSchedule, LogonInsideTheWindowSucceeds) {
  SessionUnderTest t(scheduled("08:00:00", "17:00:00"));
  EXPECT_FALSE(t.session.schedule_wait(t.now));
  t.logon();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_TRUE(t.session.is_logged_on());
}

TEST(FixSessionSchedule, WindowEndLogsOutWithTheHandshake) {
  SessionUnderTest t(scheduled("08:00:00", "12:30:00"));
  quiet_logon(t);
  exchange(t, 2, 3);
  t.take();
  t.advance(29min + 59s);
  EXPECT_TRUE(t.session.is_logged_on());
  t.advance(1s);
  auto out = t.take();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back().type, "5");
  EXPECT_NE(out.back().get(tag::Text).find("end of the session schedule"), std::string::npos);
  EXPECT_EQ(t.session.status(), SessionStatus::kLoggingOut);
  t.receive("5", 5);
  EXPECT_TRUE(t.disconnected);
  EXPECT_EQ(t.session.status(), SessionStatus::kLoggedOut);
}

TEST(FixSessionSchedule, SequenceNumbersSurviveAReconnectWithinTheWindow) {
  SessionUnderTest t(scheduled("08:00:00", "17:00:00"));
  quiet_logon(t);
  exchange(t, 2, 3);
  t.drop_connection();
  t.advance(30min);
  t.take();
  quiet_logon(t, 5);
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 5u);  // Logon 1, three ExecutionReports, then this
  EXPECT_TRUE(t.session.is_logged_on());
}

TEST(FixSessionSchedule, NextWindowResetsTheSequenceNumbers) {
  SessionUnderTest t(scheduled("08:00:00", "12:30:00"));
  quiet_logon(t);
  exchange(t, 2, 3);
  t.advance(30min);  // the window closes: Logout
  t.receive("5", 5);
  t.drop_connection();
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(6));
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(6));
  // Still disconnected, the session resets when tomorrow's window opens (its timer says when).
  t.advance(19h + 29min);
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(6));
  t.advance(1min);
  EXPECT_TRUE(t.has_event(SessionEvent::Type::kLog, "new session period"));
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(1));
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(1));
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(1));
  t.take();
  t.logon(1);
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].seq, 1u);
}

TEST(FixSessionSchedule, AStoreFromAnEarlierPeriodIsResetAtConnect) {
  // A process restarted today on a store last reset yesterday: the first connection resets.
  SessionUnderTest t(scheduled("08:00:00", "17:00:00"));
  ASSERT_TRUE(t.store.reset(kStartUtc - 24h));
  StoreBatch b;
  b.next_sender = SeqNum(40);
  b.next_target = SeqNum(30);
  ASSERT_TRUE(t.store.commit(b));
  Session fresh(t.session.config(), t.store);
  fresh.on_connected(t.now);
  EXPECT_EQ(fresh.next_sender_seq(), SeqNum(1));
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(1));
  // The same store reset this morning is left alone.
  ASSERT_TRUE(t.store.reset(kStartUtc - 1h));
  ASSERT_TRUE(t.store.commit(b));
  Session again(t.session.config(), t.store);
  again.on_connected(t.now);
  EXPECT_EQ(again.next_sender_seq(), SeqNum(40));
}

TEST(FixSessionSchedule, AroundTheClockSessionResetsAtItsStartTime) {
  // StartTime == EndTime: always in session, and a new period (logout, reset) every day at it.
  SessionUnderTest t(scheduled("12:30:00", "12:30:00"));
  quiet_logon(t);
  exchange(t, 2, 2);
  t.take();
  t.advance(30min);
  auto out = t.take();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back().type, "5");
  EXPECT_NE(out.back().get(tag::Text).find("new session period"), std::string::npos);
  t.receive("5", 4);
  t.drop_connection();
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(1));
  EXPECT_FALSE(t.session.schedule_wait(t.now));  // and the session may log on again at once
  t.logon(1);
  EXPECT_TRUE(t.session.is_logged_on());
}

TEST(FixSessionSchedule, ConnectionAwaitingLogonIsClosedWhenTheWindowCloses) {
  SessionUnderTest t(scheduled("08:00:00", "12:00:05"));  // before the 10 s logon timeout
  t.connect();
  EXPECT_FALSE(t.disconnected);
  t.advance(4s);
  EXPECT_FALSE(t.disconnected);
  t.advance(1s);
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.take().empty());
}

}  // namespace
}  // namespace fixgate::session::testing
