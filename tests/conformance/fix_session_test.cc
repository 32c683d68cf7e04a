// FIX 4.4 Volume 2 session-level test cases, acceptor role, against the sans-I/O session.
// Each test is named after its case number.
#include "session_harness.h"

namespace fixgate::session::testing {
namespace {

using Type = SessionEvent::Type;

// ---- 1: Logon --------------------------------------------------------------------------------

TEST(FixSession, T1a_ValidLogonIsAnsweredWithLogon) {
  SessionUnderTest t;
  t.logon();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].get(tag::HeartBtInt), "30");
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
}

TEST(FixSession, T1a_LogonWithTooHighSeqNumIsAnsweredThenResendRequested) {
  SessionUnderTest t;
  t.logon(/*seq=*/5);
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[1].type, "2");
  EXPECT_EQ(out[1].get(tag::BeginSeqNo), "1");
  EXPECT_EQ(out[1].get(tag::EndSeqNo), "0");
  EXPECT_EQ(t.session.status(), SessionStatus::kLoggedIn);  // not Active until the gap is filled
  // The counterparty fills 1..5 (its Logon included) with a gap fill: now in sync.
  t.receive("4", 1, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "6"}},
            {.poss_dup = true, .orig_sending_time = "20261122-11:59:00.000"});
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(6));
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
}

TEST(FixSession, T1c_LogonWithWrongTargetCompIdIsRejectedAndLoggedOut) {
  SessionUnderTest t;
  t.connect();
  t.receive("A", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}}, {.target = "SOMEONE"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "9");
  EXPECT_EQ(out[1].type, "5");
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, T1d_LogonWithBadSendingTimeIsRejectedAndLoggedOut) {
  SessionUnderTest t;
  t.connect();
  t.receive("A", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}},
            {.sending_time = "20261122-10:00:00.000"});  // two hours off
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "10");
  EXPECT_EQ(out[1].type, "5");
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, T1d_LogonWithWrongBeginStringIsLoggedOut) {
  SessionUnderTest t;
  t.connect();
  t.receive("A", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}},
            {.begin_string = "FIX.4.2"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_NE(out[0].get(tag::Text).find("BeginString"), std::string::npos);
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, T1e_FirstMessageNotLogonDisconnectsWithoutReply) {
  SessionUnderTest t;
  t.connect();
  t.receive("D", 1, {{tag::ClOrdID, "1"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.has_event(Type::kDisconnect, "first message is not a Logon"));
}

TEST(FixSession, LogonTimeoutDisconnectsASilentConnection) {
  SessionUnderTest t;
  t.connect();
  t.advance(9s);
  EXPECT_FALSE(t.disconnected);
  t.advance(2s);
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.has_event(Type::kDisconnect, "logon timeout"));
}

TEST(FixSession, LogonHookCanRefuseWithAReason) {
  SessionHooks hooks;
  hooks.on_logon = [](const codec::Message& logon) -> std::optional<std::string> {
    if (logon.get(tag::Password).value_or("") != "secret") return "bad password";
    return std::nullopt;
  };
  SessionUnderTest t(default_config(), hooks);
  t.logon(1, {{tag::Password, "wrong"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_EQ(out[0].get(tag::Text), "bad password");
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, ResetSeqNumFlagInLogonResetsBothDirections) {
  SessionUnderTest t;
  t.logon();
  t.receive("D", 2, {{tag::ClOrdID, "1"}});
  ASSERT_EQ(t.session.next_target_seq(), SeqNum(3));
  t.session.on_disconnected(t.now);
  t.take();
  t.logon(1, {{tag::ResetSeqNumFlag, "Y"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].get(tag::ResetSeqNumFlag), "Y");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(2));
}

TEST(FixSession, LogonWithTooLowSeqNumIsLoggedOut) {
  SessionUnderTest t;
  t.logon();
  t.receive("0", 2);
  t.receive("0", 3);
  t.session.on_disconnected(t.now);
  t.take();
  t.logon(/*seq=*/2);
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_NE(out[0].get(tag::Text).find("MsgSeqNum too low, expecting 4 but received 2"),
            std::string::npos);
  EXPECT_TRUE(t.disconnected);
}

// ---- 2: standard header -----------------------------------------------------------------------

TEST(FixSession, T2a_InSequenceMessageIsDeliveredAndAccepted) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "ORD1"}});
  auto apps = t.app_messages();
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_EQ(apps[0].seq, SeqNum(2));
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(3));  // handled, so committed
}

TEST(FixSession, T2b_TooHighSeqNumTriggersResendAndQueuedMessagesAreProcessedInOrder) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 4, {{tag::ClOrdID, "C"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "2");
  EXPECT_EQ(out[0].get(tag::BeginSeqNo), "2");
  EXPECT_TRUE(t.app_messages().empty());
  t.receive("D", 2, {{tag::ClOrdID, "A"}}, {.poss_dup = true, .orig_sending_time = "20261122-11:59:00.000"});
  t.receive("D", 3, {{tag::ClOrdID, "B"}}, {.poss_dup = true, .orig_sending_time = "20261122-11:59:00.000"});
  auto apps = t.app_messages();
  ASSERT_EQ(apps.size(), 3u);
  EXPECT_EQ(apps[0].seq, SeqNum(2));
  EXPECT_EQ(apps[1].seq, SeqNum(3));
  EXPECT_EQ(apps[2].seq, SeqNum(4));
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(5));
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
}

TEST(FixSession, T2c_TooLowSeqNumWithoutPossDupLogsOut) {
  SessionUnderTest t;
  t.logon();
  t.receive("0", 2);
  t.take();
  t.receive("0", 2);
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_NE(out[0].get(tag::Text).find("MsgSeqNum too low, expecting 3 but received 2"),
            std::string::npos);
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, T2d_GarbledMessageIsIgnoredWithoutAdvancing) {
  SessionUnderTest t;
  t.logon();
  t.take();
  std::string bad = t.peer.make("D", 2, {{tag::ClOrdID, "X"}}, t.now.utc);
  bad[bad.size() - 3] = bad[bad.size() - 3] == '0' ? '1' : '0';  // corrupt the CheckSum
  t.receive(bad);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_TRUE(t.has_event(Type::kGarbled, "CheckSum"));
  t.receive("D", 2, {{tag::ClOrdID, "X"}});  // the good copy is then accepted
  EXPECT_EQ(t.app_messages().size(), 1u);
}

TEST(FixSession, T2e_PossDupAlreadyReceivedIsIgnored) {
  SessionUnderTest t;
  t.logon();
  t.receive("D", 2, {{tag::ClOrdID, "X"}});
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "X"}}, {.poss_dup = true, .orig_sending_time = "20261122-11:59:59.000"});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.app_messages().size(), 1u);
  EXPECT_FALSE(t.disconnected);
}

TEST(FixSession, T2f_PossDupNotYetReceivedIsDeliveredFlagged) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "X"}}, {.poss_dup = true, .orig_sending_time = "20261122-11:59:59.000"});
  auto apps = t.app_messages();
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_TRUE(apps[0].poss_dup);
}

TEST(FixSession, T2g_PossDupWithoutOrigSendingTimeIsRejected) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "X"}}, {.poss_dup = true});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "1");
  EXPECT_EQ(out[0].get(tag::RefTagID), "122");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));  // the rejected message consumed its number
}

TEST(FixSession, T2h_OrigSendingTimeAfterSendingTimeIsRejectedAndLoggedOut) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "X"}},
            {.poss_dup = true, .orig_sending_time = "20261122-12:30:00.000"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "10");
  EXPECT_EQ(out[1].type, "5");
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, T2i_BeginStringMismatchLogsOutAndDisconnects) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 2, {}, {.begin_string = "FIX.4.2"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, T2k_CompIdMismatchIsRejectedWithReason9AndLoggedOut) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 2, {}, {.sender = "INTRUDER"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "9");
  EXPECT_EQ(out[0].get(tag::RefTagID), "49");
  EXPECT_EQ(out[1].type, "5");
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, T2m_WrongBodyLengthIsIgnoredAsGarbled) {
  SessionUnderTest t;
  t.logon();
  t.take();
  std::string msg = t.peer.make("0", 2, {}, t.now.utc);
  size_t p = msg.find("\x01" "9=") + 3;
  msg[p] = static_cast<char>(msg[p] - 1);  // BodyLength ten too small
  t.receive(msg);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_TRUE(t.has_event(Type::kGarbled));
  // Too large: the framer waits for the declared length, then drops the frame and finds the
  // next message inside it.
  std::string longer = t.peer.make("0", 2, {}, t.now.utc);
  size_t q = longer.find("\x01" "9=") + 3;
  longer[q] = static_cast<char>(longer[q] + 1);
  t.receive(longer + t.peer.make("0", 2, {}, t.now.utc) + t.peer.make("0", 3, {}, t.now.utc));
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(4));
}

TEST(FixSession, T2o_SendingTimeOutsideAccuracyIsRejectedAndLoggedOut) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 2, {}, {.sending_time = "20261122-12:05:00.000"});  // 5 minutes ahead
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "10");
  EXPECT_EQ(out[0].get(tag::RefTagID), "52");
  EXPECT_EQ(out[1].type, "5");
}

TEST(FixSession, T2t_MissingMsgSeqNumLogsOut) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 0, {}, {.omit_seq = true});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_NE(out[0].get(tag::Text).find("MsgSeqNum"), std::string::npos);
}

// ---- 3: trailer ------------------------------------------------------------------------------

TEST(FixSession, T3b_InvalidChecksumIsIgnored) {
  SessionUnderTest t;
  t.logon();
  t.take();
  std::string bad = t.peer.make("0", 2, {}, t.now.utc);
  bad[bad.size() - 2] = bad[bad.size() - 2] == '9' ? '8' : '9';
  t.receive(bad);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
}

TEST(FixSession, T3c_GarbageBetweenMessagesLosesNothing) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("garbage!" + t.peer.make("D", 2, {{tag::ClOrdID, "A"}}, t.now.utc) + "\x01\x01junk" +
            t.peer.make("D", 3, {{tag::ClOrdID, "B"}}, t.now.utc));
  EXPECT_EQ(t.app_messages().size(), 2u);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(4));
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

TEST(FixSession, T4b_TestRequestIsAnsweredWithHeartbeatCarryingItsId) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("1", 2, {{tag::TestReqID, "PING-7"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "0");
  EXPECT_EQ(out[0].get(tag::TestReqID), "PING-7");
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
}

// ---- 8: ResendRequest received ----------------------------------------------------------------

TEST(FixSession, T8_ResendReplaysAppMessagesAndGapFillsAdminOnes) {
  SessionUnderTest t;
  t.logon();  // our Logon is 1
  ASSERT_TRUE(t.session.send("D", "11=A\x01" "55=IBM\x01", t.now).is_ok());  // 2
  t.session.send_heartbeat(t.now);                                            // 3
  t.session.send_heartbeat(t.now);                                            // 4
  ASSERT_TRUE(t.session.send("D", "11=B\x01" "55=IBM\x01", t.now).is_ok());  // 5
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

// ---- 10, 11: SequenceReset -------------------------------------------------------------------

TEST(FixSession, T10_GapFillMovesTheExpectedNumberForward) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("4", 2, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "10"}},
            {.poss_dup = true, .orig_sending_time = "20261122-11:59:00.000"});
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
}

TEST(FixSession, T10_GapFillTooLowWithPossDupIsIgnored) {
  SessionUnderTest t;
  t.logon();
  t.receive("0", 2);
  t.receive("0", 3);
  t.take();
  t.receive("4", 2, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "3"}},
            {.poss_dup = true, .orig_sending_time = "20261122-11:59:00.000"});
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
}

TEST(FixSession, T11a_ResetWithHigherNewSeqNoIsAcceptedWhateverItsSeqNum) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("4", 77, {{tag::NewSeqNo, "20"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(20));
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

TEST(FixSession, T13b_UnsolicitedLogoutIsAnsweredAndDisconnected) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("5", 2, {{tag::Text, "bye"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_TRUE(t.disconnected);
  EXPECT_EQ(t.session.status(), SessionStatus::kLoggedOut);
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
  ASSERT_TRUE(t.store.read(SeqNum(2), SeqNum(2), [&](SeqNum, std::string_view b) { stored = b; }).is_ok());
  EXPECT_EQ(stored, t.session.pending_output());
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(3));
}

}  // namespace
}  // namespace fixgate::session::testing
