// FIX 4.4 Volume 2 session-level test cases 3-13, acceptor role: trailer, heartbeats and test
// requests, Reject, ResendRequest, SequenceReset, Logout; and the durability rules. Cases 1-2 are
// in fix_session_test.cc.
#include "session_harness.h"

namespace fixgate::session::testing {
namespace {

using Type = SessionEvent::Type;

constexpr const char* kEarlier = "20261122-11:59:00.000";

// ---- 3: trailer ------------------------------------------------------------------------------

TEST(FixSession, T3a_ValidCheckSumIsAccepted) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "A"}, {tag::Text, "\xe9t\xe9"}});  // high bytes in the sum
  EXPECT_EQ(t.app_messages().size(), 1u);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST(FixSession, T3b_InvalidChecksumIsIgnored) {
  SessionUnderTest t;
  t.logon();
  t.take();
  std::string bad = t.peer.make("0", 2, {}, t.now.utc);
  bad[bad.size() - 2] = bad[bad.size() - 2] == '9' ? '8' : '9';
  t.receive(bad);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_TRUE(t.has_event(Type::kGarbled, "CheckSum"));
  EXPECT_FALSE(t.disconnected);
}

TEST(FixSession, T3c_GarbageBetweenMessagesLosesNothing) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("garbage!" + t.peer.make("D", 2, {{tag::ClOrdID, "A"}}, t.now.utc) + "\x01\x01junk" +
            t.peer.make("D", 3, {{tag::ClOrdID, "B"}}, t.now.utc));
  EXPECT_EQ(t.app_messages().size(), 2u);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(4));
  EXPECT_FALSE(t.disconnected);
}

// ---- 4, 5, 6: heartbeats and test requests ----------------------------------------------------

TEST(FixSession, T4a_HeartbeatSentAfterHeartBtIntOfSilence) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.advance(29s);
  EXPECT_TRUE(t.take().empty());
  t.receive("0", 2);  // inbound traffic does not count as our own
  t.advance(2s);
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "0");
  EXPECT_FALSE(out[0].has(tag::TestReqID));
}

TEST(FixSession, T4a_OurOwnTrafficPostponesTheHeartbeat) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.advance(20s);
  ASSERT_TRUE(t.session.send("D", "11=A\x01", t.now).is_ok());
  t.receive("0", 2);
  t.advance(20s);
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "D");  // no heartbeat 30 s after the Logon: we sent something at 20 s
  t.advance(10s + 100ms);
  out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "0");
}

TEST(FixSession, T4b_TestRequestIsAnsweredWithHeartbeatCarryingItsId) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("1", 2, {{tag::TestReqID, "PING-7"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "0");
  EXPECT_EQ(out[0].get(tag::TestReqID), "PING-7");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST(FixSession, T5_HeartbeatIsAcceptedAndCounted) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 2);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
  EXPECT_EQ(t.session.stats().heartbeats_received, 1u);
  EXPECT_TRUE(t.app_messages().empty());
}

TEST(FixSession, T6_TestRequestAfterSilenceThenDisconnectIfUnanswered) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 2);
  t.advance(30s + 100ms);  // heartbeat goes out, no test request yet
  auto first = t.take();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].type, "0");
  t.advance(200ms);  // HeartBtInt + delay of inbound silence
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "1");
  EXPECT_FALSE(out[0].get(tag::TestReqID).empty());
  EXPECT_FALSE(t.disconnected);
  t.advance(31s);
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.has_event(Type::kDisconnect, "heartbeat timeout"));
}

TEST(FixSession, T6_AnsweredTestRequestKeepsTheSessionUp) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.advance(30s + 300ms);
  auto out = t.take();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back().type, "1");
  t.receive("0", 2, {{tag::TestReqID, out.back().get(tag::TestReqID)}});
  t.advance(31s);
  EXPECT_FALSE(t.disconnected);
  EXPECT_EQ(t.session.stats().heartbeats_received, 1u);
}

TEST(FixSession, AnHourOfHeartbeatsRunsInstantlyOnTheVirtualClock) {
  SessionUnderTest t;
  t.logon();
  t.take();
  uint64_t seq = 2;
  for (int i = 0; i < 120; ++i) {
    t.advance(30s);
    t.receive("0", seq++);
  }
  EXPECT_FALSE(t.disconnected);
  EXPECT_GE(t.session.stats().heartbeats_sent, 110u);
  EXPECT_EQ(t.session.stats().test_requests_sent, 0u);
}

// ---- 7: Reject received -----------------------------------------------------------------------

TEST(FixSession, T7_ReceivedRejectAdvancesAndIsReported) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("3", 2, {{tag::RefSeqNum, "1"}, {tag::Text, "nope"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
  EXPECT_EQ(t.session.stats().rejects_received, 1u);
  EXPECT_TRUE(t.has_event(Type::kAdminMessage));
  EXPECT_FALSE(t.disconnected);
}

// ---- 8: ResendRequest received ----------------------------------------------------------------

TEST(FixSession, T8_ResendReplaysAppMessagesAndGapFillsAdminOnes) {
  SessionUnderTest t;
  t.logon();  // our Logon is 1
  ASSERT_TRUE(t.session
                  .send("D",
                        "11=A\x01"
                        "55=IBM\x01",
                        t.now)
                  .is_ok());        // 2
  t.session.send_heartbeat(t.now);  // 3
  t.session.send_heartbeat(t.now);  // 4
  ASSERT_TRUE(t.session
                  .send("D",
                        "11=B\x01"
                        "55=IBM\x01",
                        t.now)
                  .is_ok());  // 5
  t.pump();
  t.take();
  t.advance(1s);
  t.receive("2", 2, {{tag::BeginSeqNo, "1"}, {tag::EndSeqNo, "0"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 4u);
  // 1: Logon → gap fill to 2; 2: resent; 3-4: gap fill to 5; 5: resent.
  EXPECT_EQ(out[0].type, "4");
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].get(tag::NewSeqNo), "2");
  EXPECT_EQ(out[0].get(tag::GapFillFlag), "Y");
  EXPECT_EQ(out[0].get(tag::PossDupFlag), "Y");
  EXPECT_EQ(out[1].type, "D");
  EXPECT_EQ(out[1].seq, 2u);
  EXPECT_EQ(out[1].get(tag::PossDupFlag), "Y");
  EXPECT_EQ(out[1].get(tag::ClOrdID), "A");
  EXPECT_FALSE(out[1].get(tag::OrigSendingTime).empty());
  EXPECT_NE(out[1].get(tag::OrigSendingTime), out[1].get(tag::SendingTime));
  EXPECT_EQ(out[2].type, "4");
  EXPECT_EQ(out[2].seq, 3u);
  EXPECT_EQ(out[2].get(tag::NewSeqNo), "5");
  EXPECT_EQ(out[3].seq, 5u);
  EXPECT_EQ(out[3].get(tag::ClOrdID), "B");
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(6));  // resending uses no new numbers
}

TEST(FixSession, T8_ResendVetoTurnsMessageIntoGapFill) {
  SessionHooks hooks;
  hooks.allow_resend = [](const codec::Message& m) { return m.get(tag::ClOrdID) != "STALE"; };
  SessionUnderTest t(default_config(), hooks);
  t.logon();
  ASSERT_TRUE(t.session.send("D", "11=STALE\x01", t.now).is_ok());  // 2
  ASSERT_TRUE(t.session.send("D", "11=FRESH\x01", t.now).is_ok());  // 3
  t.pump();
  t.take();
  t.receive("2", 2, {{tag::BeginSeqNo, "2"}, {tag::EndSeqNo, "3"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, "4");
  EXPECT_EQ(out[0].get(tag::NewSeqNo), "3");
  EXPECT_EQ(out[1].get(tag::ClOrdID), "FRESH");
}

TEST(FixSession, T8_EndSeqNoBeyondWhatWeSentIsClampedAnd999999MeansAll) {
  SessionUnderTest t;
  t.logon();
  ASSERT_TRUE(t.session.send("D", "11=A\x01", t.now).is_ok());  // 2
  t.pump();
  t.take();
  t.receive("2", 2, {{tag::BeginSeqNo, "2"}, {tag::EndSeqNo, "50"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::ClOrdID), "A");
  t.receive("2", 3, {{tag::BeginSeqNo, "2"}, {tag::EndSeqNo, "999999"}});
  out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 2u);
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(3));
}

// ---- 9: synchronise sequence numbers ----------------------------------------------------------

TEST(FixSession, T9_SequenceResetResetMovesOurNumberForwardAndIsGapFilledOnResend) {
  SessionUnderTest t;
  t.logon();
  t.take();
  ASSERT_TRUE(t.session.reset_outbound_sequence(SeqNum(10), t.now).is_ok());
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "4");
  EXPECT_EQ(out[0].get(tag::NewSeqNo), "10");
  EXPECT_FALSE(out[0].has(tag::GapFillFlag));
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(10));
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(10));
  EXPECT_FALSE(t.session.reset_outbound_sequence(SeqNum(5), t.now).is_ok());  // never backwards
  ASSERT_TRUE(t.session.send("D", "11=A\x01", t.now).is_ok());
  t.pump();
  EXPECT_EQ(t.take()[0].seq, 10u);
  // A ResendRequest over the skipped range gets a gap fill, then the message.
  t.receive("2", 2, {{tag::BeginSeqNo, "2"}, {tag::EndSeqNo, "0"}});
  out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::NewSeqNo), "10");
  EXPECT_EQ(out[1].seq, 10u);
}

// ---- 10, 11: SequenceReset -------------------------------------------------------------------

TEST(FixSession, T10_GapFillMovesTheExpectedNumberForward) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("4", 2, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "10"}},
            {.poss_dup = true, .orig_sending_time = kEarlier});
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(10));
  EXPECT_TRUE(t.take().empty());
}

TEST(FixSession, T10_GapFillWithTooHighSeqNumTriggersResend) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("4", 5, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "10"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "2");
  EXPECT_EQ(out[0].get(tag::BeginSeqNo), "2");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
}

TEST(FixSession, T10_GapFillTooLowWithPossDupIsIgnored) {
  SessionUnderTest t;
  t.logon();
  t.receive("0", 2);
  t.receive("0", 3);
  t.take();
  t.receive("4", 2, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "3"}},
            {.poss_dup = true, .orig_sending_time = kEarlier});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(4));
  EXPECT_FALSE(t.disconnected);
}

TEST(FixSession, T10_GapFillTooLowWithoutPossDupLogsOut) {
  SessionUnderTest t;
  t.logon();
  t.receive("0", 2);
  t.receive("0", 3);
  t.take();
  t.receive("4", 2, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "3"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_NE(out[0].get(tag::Text).find("MsgSeqNum too low"), std::string::npos);
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, T10_GapFillLoweringTheNumberIsRejectedWithReason5) {
  SessionUnderTest t;
  t.logon();
  t.receive("0", 2);
  t.take();
  t.receive("4", 3, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "2"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "5");
  EXPECT_EQ(out[0].get(tag::RefTagID), "36");
  EXPECT_EQ(out[0].get(tag::Text), "attempt to lower sequence number, invalid value NewSeqNo=2");
}

TEST(FixSession, T11a_ResetWithHigherNewSeqNoIsAcceptedWhateverItsSeqNum) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("4", 77, {{tag::NewSeqNo, "20"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(20));
  t.receive("4", 1, {{tag::NewSeqNo, "30"}});  // a too-low MsgSeqNum is no reason to log out
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(30));
  EXPECT_FALSE(t.disconnected);
}

TEST(FixSession, T11b_ResetToTheExpectedNumberChangesNothing) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("4", 2, {{tag::NewSeqNo, "2"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_TRUE(t.has_event(Type::kLog, "nothing to do"));
}

TEST(FixSession, T11c_ResetToALowerNumberIsRejectedWithReason5) {
  SessionUnderTest t;
  t.logon();
  t.receive("0", 2);
  t.receive("0", 3);
  t.take();
  t.receive("4", 4, {{tag::NewSeqNo, "2"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "5");
  EXPECT_EQ(out[0].get(tag::RefTagID), "36");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(4));
}

// ---- 12, 13: Logout ---------------------------------------------------------------------------

TEST(FixSession, T12_InitiatedLogoutWaitsForTheReplyThenDisconnects) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.session.logout("end of day", t.now);
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_EQ(out[0].get(tag::Text), "end of day");
  EXPECT_EQ(t.session.status(), SessionStatus::kLoggingOut);
  EXPECT_FALSE(t.disconnected);
  EXPECT_FALSE(t.session.send("D", "11=A\x01", t.now).is_ok());  // no new messages now
  t.receive("5", 2);
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.take().empty());  // no second Logout
  EXPECT_EQ(t.session.status(), SessionStatus::kLoggedOut);
}

TEST(FixSession, T12_InitiatedLogoutDisconnectsAfterTheLogoutTimeout) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.session.logout("", t.now);
  t.pump();
  t.advance(1s);
  EXPECT_FALSE(t.disconnected);
  t.advance(2s);
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.has_event(Type::kDisconnect, "logout timeout"));
}

TEST(FixSession, T12_MessagesArrivingWhileLoggingOutAreStillProcessed) {
  // The counterparty may have sent them before it saw our Logout: they used up their numbers.
  SessionUnderTest t;
  t.logon();
  ASSERT_TRUE(t.session.send("D", "11=OURS\x01", t.now).is_ok());  // 2
  t.pump();
  t.take();
  t.session.logout("", t.now);
  t.pump();
  t.take();
  t.receive("8", 2, {{tag::ClOrdID, "EXEC"}});
  ASSERT_EQ(t.app_messages().size(), 1u);
  t.receive("2", 3, {{tag::BeginSeqNo, "2"}, {tag::EndSeqNo, "0"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);  // 2 resent, our Logout (3) gap filled
  EXPECT_EQ(out[0].get(tag::ClOrdID), "OURS");
  EXPECT_EQ(out[1].type, "4");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(4));
  t.receive("5", 4);
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, T13a_LogoutReplyToOursDisconnectsWithoutSendingAnything) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.session.logout("", t.now);
  t.pump();
  t.take();
  t.receive("5", 2, {{tag::Text, "bye"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.has_event(Type::kDisconnect, "logged out: bye"));
  EXPECT_EQ(t.session.stats().logouts, 1u);
  EXPECT_TRUE(t.session.last_error().empty());  // a normal end, not an error
}

TEST(FixSession, T13b_UnsolicitedLogoutIsAnsweredThenTheCounterpartyDisconnects) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("5", 2, {{tag::Text, "bye"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_EQ(t.session.status(), SessionStatus::kLoggedOut);
  EXPECT_FALSE(t.disconnected);  // the counterparty closes the connection
  t.receive("D", 3, {{tag::ClOrdID, "LATE"}});
  EXPECT_TRUE(t.app_messages().empty());  // nothing is read after the Logout exchange
  t.drop_connection();
  EXPECT_EQ(t.session.status(), SessionStatus::kDisconnected);
  EXPECT_TRUE(t.session.last_error().empty());
  EXPECT_EQ(t.session.poll_timeout(), std::nullopt);
}

TEST(FixSession, T13b_CounterpartyNotDisconnectingAfterLogoutIsDisconnected) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("5", 2);
  t.take();
  t.advance(1s);
  EXPECT_FALSE(t.disconnected);
  t.advance(2s);  // logout_timeout
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.has_event(Type::kDisconnect, "did not disconnect"));
  EXPECT_TRUE(t.take().empty());
}

// ---- durability --------------------------------------------------------------------------------

TEST(FixSession, InboundWatermarkWaitsForTheApplication) {
  SessionUnderTest t;
  t.auto_handle = false;
  t.logon();
  t.receive("D", 2, {{tag::ClOrdID, "A"}});
  t.receive("D", 3, {{tag::ClOrdID, "B"}});
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(4));
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(2));  // nothing handled yet
  t.session.handled(SeqNum(3), t.now);
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(2));  // 2 still open: the watermark holds
  t.session.handled(SeqNum(2), t.now);
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(4));
}

TEST(FixSession, StoreFailureSendsNothingAndStopsTheSession) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.store.fail_next_commit = true;
  Status s = t.session.send("D", "11=A\x01", t.now);
  t.pump();
  EXPECT_FALSE(s.is_ok());
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(2));  // the number was not used
  EXPECT_EQ(t.session.status(), SessionStatus::kError);
}

TEST(FixSession, SentMessagesAreStoredBeforeTheyAreOutput) {
  SessionUnderTest t;
  t.logon();
  ASSERT_TRUE(t.session.send("D", "11=A\x01", t.now).is_ok());
  // The bytes are pending output now; the store already has them.
  std::string stored;
  ASSERT_TRUE(
      t.store.read(SeqNum(2), SeqNum(2), [&](SeqNum, std::string_view b) { stored = b; }).is_ok());
  EXPECT_EQ(stored, t.session.pending_output());
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(3));
}

}  // namespace
}  // namespace fixgate::session::testing
