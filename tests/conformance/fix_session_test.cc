// FIX 4.4 Volume 2 session-level test cases 1-2, acceptor role, against the sans-I/O session.
// Each test is named after its case number. Cases 3-13 are in fix_session_flow_test.cc, 14-20
// in fix_session_validation_test.cc, configuration variants in fix_session_config_test.cc, the
// initiator role in fix_session_initiator_test.cc.
//
// Case 2 has twenty rows, a-t. The error rows are 2c (too low), 2d (garbled), 2g (PossDup
// without OrigSendingTime), 2h (OrigSendingTime after SendingTime), 2i (BeginString), 2k
// (CompIDs), 2m (BodyLength), 2o (SendingTime accuracy), 2q (invalid MsgType), 2r (unsupported
// MsgType), 2t (BeginString, BodyLength, MsgType not first); rows 2j, 2l, 2n, 2p, 2s are the
// "value as expected: accept it" rows for the field before them.
#include <cstdio>

#include "session_harness.h"

namespace fixgate::session::testing {
namespace {

using Type = SessionEvent::Type;

// An OrigSendingTime a minute before the harness clock's start.
constexpr const char* kEarlier = "20261122-11:59:00.000";

// ---- 1: Logon --------------------------------------------------------------------------------

TEST(FixSession, T1a_ValidLogonIsAnsweredWithLogon) {
  SessionUnderTest t;
  t.logon();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].get(tag::HeartBtInt), "30");
  EXPECT_EQ(out[0].get(tag::EncryptMethod), "0");
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
            {.poss_dup = true, .orig_sending_time = kEarlier});
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(6));
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
  EXPECT_TRUE(t.take().empty());
}

TEST(FixSession, T1a_TooHighLogonIsCountedOnceTheGapBelowItIsFilled) {
  SessionUnderTest t;
  t.logon(/*seq=*/5);
  t.take();
  // The counterparty resends 1..4 only (a gap fill up to its Logon): the Logon counts as 5.
  t.receive("4", 1, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "4"}},
            {.poss_dup = true, .orig_sending_time = kEarlier});
  t.receive("D", 4, {{tag::ClOrdID, "A"}}, {.poss_dup = true, .orig_sending_time = kEarlier});
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(6));
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
  EXPECT_EQ(t.app_messages().size(), 1u);
  EXPECT_TRUE(t.take().empty());  // no Logon reply again, nothing else
  t.receive("D", 6, {{tag::ClOrdID, "B"}});
  EXPECT_EQ(t.app_messages().size(), 2u);
}

TEST(FixSession, T1a_ResetSeqNumFlagInLogonResetsBothDirections) {
  SessionUnderTest t;
  t.logon();
  t.receive("D", 2, {{tag::ClOrdID, "1"}});
  ASSERT_EQ(t.session.next_target_seq(), SeqNum(3));
  t.drop_connection();
  t.take();
  t.logon(1, {{tag::ResetSeqNumFlag, "Y"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].get(tag::ResetSeqNumFlag), "Y");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(2));
}

TEST(FixSession, T1b_DuplicateIdentityLeavesTheEstablishedSessionUndisturbed) {
  // 1b is the engine's: its acceptor routes connections by the Logon's CompIDs and must close a
  // second connection for a session that already has one, without sending anything on it (a
  // reply would use one of the established session's sequence numbers). The Engine does
  // ("second connection refused"). The core owns the other half: a repeated Logon reaching an
  // established session changes nothing but the sequence number it uses up.
  SessionUnderTest t;
  t.logon();
  t.take();
  ASSERT_TRUE(t.session.is_logged_on());
  t.receive("A", 2, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "10"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_FALSE(t.disconnected);
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
  EXPECT_EQ(t.session.heartbeat_interval(), 30s);  // not renegotiated
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST(FixSession, T1c_LogonWithWrongTargetCompIdIsRejectedAndLoggedOut) {
  SessionUnderTest t;
  t.connect();
  t.receive("A", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}}, {.target = "SOMEONE"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "9");
  EXPECT_EQ(out[0].get(tag::RefTagID), "56");
  EXPECT_EQ(out[1].type, "5");
  EXPECT_TRUE(t.disconnected);
  EXPECT_FALSE(t.session.is_logged_on());
}

TEST(FixSession, T1c_LogonWithWrongSenderCompIdIsRejectedAndLoggedOut) {
  SessionUnderTest t;
  t.connect();
  t.receive("A", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}}, {.sender = "STRANGER"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "9");
  EXPECT_EQ(out[0].get(tag::RefTagID), "49");
  EXPECT_EQ(out[1].type, "5");
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, T1c_UnauthenticatedLogonIsRefusedWithTheHooksReason) {
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
  EXPECT_FALSE(t.session.is_logged_on());
}

// No session Reject answers a Logon: before it is accepted there is no session to send one in.
TEST(FixSession, T1d_LogonWithBadSendingTimeIsRefusedWithALogoutAndNoReject) {
  SessionUnderTest t;
  t.connect();
  t.receive("A", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}},
            {.sending_time = "20261122-10:00:00.000"});  // two hours off
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_EQ(out[0].get(tag::Text), "SendingTime accuracy problem");
  EXPECT_TRUE(t.disconnected);
  EXPECT_FALSE(t.session.is_logged_on());
  EXPECT_EQ(t.session.stats().rejects_sent, 0u);
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

TEST(FixSession, T1d_GarbledLogonDisconnectsWithoutReply) {
  SessionUnderTest t;
  t.connect();
  std::string logon =
      t.peer.make("A", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}}, t.now.utc);
  logon[logon.size() - 2] = logon[logon.size() - 2] == '9' ? '8' : '9';  // bad CheckSum
  t.receive(logon);
  EXPECT_TRUE(t.take().empty());
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.has_event(Type::kDisconnect, "invalid Logon"));
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(1));
}

TEST(FixSession, T1d_LogonWithoutHeartBtIntIsLoggedOut) {
  SessionUnderTest t;
  t.connect();
  t.receive("A", 1, {{tag::EncryptMethod, "0"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_NE(out[0].get(tag::Text).find("HeartBtInt"), std::string::npos);
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

TEST(FixSession, LogonWithTooLowSeqNumIsLoggedOut) {
  SessionUnderTest t;
  t.logon();
  t.receive("0", 2);
  t.receive("0", 3);
  t.drop_connection();
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

// An application message comes parsed, so that the engine does not parse it again; the parse
// views the event's own bytes, also for the first of two messages read at once.
TEST(FixSession, AppMessageEventsCarryTheirParse) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive(t.peer.make("D", 2, {{tag::ClOrdID, "ORD1"}}, t.now.utc) +
            t.peer.make("D", 3, {{tag::ClOrdID, "ORD2"}, {tag::Symbol, "IBM"}}, t.now.utc));
  std::vector<const SessionEvent*> apps;
  for (const auto& e : t.events)  // moved into the vector, which grew meanwhile
    if (e.type == SessionEvent::Type::kAppMessage) apps.push_back(&e);
  ASSERT_EQ(apps.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const codec::Message* m = apps[i]->parsed();
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->bytes().data(), apps[i]->bytes.data());
    EXPECT_EQ(m->bytes(), apps[i]->bytes);
    EXPECT_EQ(m->seq_num(), i + 2);
    EXPECT_EQ(m->get(tag::ClOrdID), i == 0 ? "ORD1" : "ORD2");
  }
  EXPECT_EQ(apps[1]->parsed()->get(tag::Symbol), "IBM");

  // A copy has none (its parse would view the original's bytes); a move takes it along.
  SessionEvent copy = *apps[1];
  EXPECT_EQ(copy.parsed(), nullptr);
  EXPECT_EQ(copy.bytes, apps[1]->bytes);
  SessionEvent source = *apps[1];
  source.set_parsed(*apps[1]->parsed());
  ASSERT_NE(source.parsed(), nullptr);
  SessionEvent moved = std::move(source);
  ASSERT_NE(moved.parsed(), nullptr);
  EXPECT_EQ(moved.parsed()->get(tag::ClOrdID), "ORD2");
  EXPECT_EQ(source.parsed(), nullptr);  // NOLINT(bugprone-use-after-move): specified
  // Bytes taken away (as the engine does for a dispatcher or receive()): no parse left.
  std::string taken = std::move(moved.bytes);
  EXPECT_EQ(moved.parsed(), nullptr);
}

TEST(FixSession, T2a_InSequenceMessageIsDeliveredAndAccepted) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "ORD1"}});
  auto apps = t.app_messages();
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_EQ(apps[0].seq, SeqNum(2));
  EXPECT_FALSE(apps[0].poss_dup);
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
  EXPECT_EQ(out[0].get(tag::EndSeqNo), "0");
  EXPECT_TRUE(t.app_messages().empty());
  EXPECT_EQ(t.session.stats().current_gap, 2u);  // 2 and 3 are missing
  t.receive("D", 2, {{tag::ClOrdID, "A"}}, {.poss_dup = true, .orig_sending_time = kEarlier});
  EXPECT_EQ(t.session.stats().current_gap, 1u);
  t.receive("D", 3, {{tag::ClOrdID, "B"}}, {.poss_dup = true, .orig_sending_time = kEarlier});
  EXPECT_EQ(t.session.stats().current_gap, 0u);
  auto apps = t.app_messages();
  ASSERT_EQ(apps.size(), 3u);
  EXPECT_EQ(apps[0].seq, SeqNum(2));
  EXPECT_EQ(apps[1].seq, SeqNum(3));
  EXPECT_EQ(apps[2].seq, SeqNum(4));
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(5));
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
}

TEST(FixSession, T2b_QueuedMessageIsNotRecheckedForSendingTimeAccuracy) {
  // Its SendingTime was checked on arrival; the wait for the gap is not the sender's latency.
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 3, {{tag::ClOrdID, "B"}});
  uint64_t seq = 4;
  for (int i = 0; i < 10; ++i) {  // 3 waits 200 s, more than the 120 s accuracy
    t.advance(20s);
    t.receive("0", seq++);  // the counterparty's heartbeats queue up behind the gap too
  }
  t.receive("D", 2, {{tag::ClOrdID, "A"}}, {.poss_dup = true, .orig_sending_time = kEarlier});
  EXPECT_EQ(t.app_messages().size(), 2u);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(seq));
  EXPECT_FALSE(t.disconnected);
  EXPECT_EQ(t.session.stats().rejects_sent, 0u);
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
  EXPECT_FALSE(t.disconnected);
  t.receive("D", 2, {{tag::ClOrdID, "X"}});  // the good copy is then accepted
  EXPECT_EQ(t.app_messages().size(), 1u);
}

TEST(FixSession, T2e_PossDupAlreadyReceivedIsIgnored) {
  SessionUnderTest t;
  t.logon();
  t.receive("D", 2, {{tag::ClOrdID, "X"}});
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "X"}},
            {.poss_dup = true, .orig_sending_time = "20261122-11:59:59.000"});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.app_messages().size(), 1u);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
  EXPECT_FALSE(t.disconnected);
}

TEST(FixSession, T2f_PossDupNotYetReceivedIsDeliveredFlagged) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "X"}},
            {.poss_dup = true, .orig_sending_time = "20261122-11:59:59.000"});
  auto apps = t.app_messages();
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_TRUE(apps[0].poss_dup);
  EXPECT_TRUE(t.take().empty());
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
  EXPECT_EQ(out[0].get(tag::RefSeqNum), "2");
  EXPECT_TRUE(t.app_messages().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));  // the rejected message consumed its number
}

TEST(FixSession, T2g_TooLowPossDupWithoutOrigSendingTimeIsRejectedBeforeDuplicateCheck) {
  SessionUnderTest t;
  t.logon();
  t.receive("D", 2, {{tag::ClOrdID, "X"}});
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "X"}}, {.poss_dup = true});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "1");
  EXPECT_EQ(out[0].get(tag::RefTagID), "122");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));  // nothing consumed: it was too low
  EXPECT_EQ(t.app_messages().size(), 1u);
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
  EXPECT_EQ(out[0].get(tag::RefTagID), "122");
  EXPECT_EQ(out[1].type, "5");
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.app_messages().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));  // incremented
}

TEST(FixSession, T2i_BeginStringMismatchLogsOutAndDisconnects) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 2, {}, {.begin_string = "FIX.4.2"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_NE(out[0].get(tag::Text).find("Incorrect BeginString"), std::string::npos);
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, T2j_ExpectedBeginStringIsAccepted) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 2, {}, {.begin_string = "FIX.4.4"});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
  EXPECT_FALSE(t.disconnected);
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
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));  // incremented
}

TEST(FixSession, T2l_ExpectedCompIdsAreAccepted) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "A"}}, {.sender = "THEM", .target = "US"});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.app_messages().size(), 1u);
}

TEST(FixSession, T2m_WrongBodyLengthIsIgnoredAsGarbled) {
  SessionUnderTest t;
  t.logon();
  t.take();
  std::string msg = t.peer.make("0", 2, {}, t.now.utc);
  size_t p = msg.find(
                 "\x01"
                 "9=") +
             3;
  msg[p] = static_cast<char>(msg[p] - 1);  // BodyLength ten too small
  t.receive(msg);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_TRUE(t.has_event(Type::kGarbled));
  // Too large: the framer waits for the declared length, then drops the frame and finds the
  // next message inside it.
  std::string longer = t.peer.make("0", 2, {}, t.now.utc);
  size_t q = longer.find(
                 "\x01"
                 "9=") +
             3;
  longer[q] = static_cast<char>(longer[q] + 1);
  t.receive(longer + t.peer.make("0", 2, {}, t.now.utc) + t.peer.make("0", 3, {}, t.now.utc));
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(4));
  EXPECT_FALSE(t.disconnected);
}

TEST(FixSession, T2n_CorrectBodyLengthIsAcceptedAcrossReads) {
  SessionUnderTest t;
  t.logon();
  t.take();
  std::string msg = t.peer.make("D", 2, {{tag::ClOrdID, "A"}}, t.now.utc);
  for (char c : msg) t.receive(std::string_view(&c, 1));  // one byte per read
  EXPECT_EQ(t.app_messages().size(), 1u);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
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
  EXPECT_TRUE(t.disconnected);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));  // incremented
}

TEST(FixSession, T2p_SendingTimeWithinAccuracyIsAcceptedAtAnyPrecision) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 2, {}, {.sending_time = "20261122-11:58:01.000"});  // 119 s behind
  t.receive("0", 3, {}, {.sending_time = "20261122-12:01:59"});      // seconds only
  t.receive("0", 4, {}, {.sending_time = "20261122-12:00:00.123456789"});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(5));
  EXPECT_FALSE(t.disconnected);
}

TEST(FixSession, T2t_FirstThreeFieldsOutOfOrderIsGarbled) {
  SessionUnderTest t;
  t.logon();
  t.take();
  // 8, 35, 9 instead of 8, 9, 35 — with a correct CheckSum, so only the order is wrong.
  std::string good = t.peer.make("0", 2, {}, t.now.utc);
  size_t nine = good.find(
                    "\x01"
                    "9=") +
                1;
  size_t nine_end = good.find('\x01', nine) + 1;
  size_t type_end = good.find('\x01', nine_end) + 1;
  std::string swapped = good.substr(0, nine) + good.substr(nine_end, type_end - nine_end) +
                        good.substr(nine, nine_end - nine) + good.substr(type_end);
  std::string body = swapped.substr(0, swapped.rfind("10="));
  unsigned sum = 0;
  for (unsigned char c : body) sum += c;
  char trailer[8];
  std::snprintf(trailer, sizeof trailer, "10=%03u\x01", sum % 256);
  t.receive(body + trailer);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_TRUE(t.has_event(Type::kGarbled));
  EXPECT_FALSE(t.disconnected);
  t.receive("0", 2);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST(FixSession, MissingMsgSeqNumLogsOut) {
  // Vol. 2: a message without MsgSeqNum is a serious error; Logout, then disconnect.
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 0, {}, {.omit_seq = true});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_NE(out[0].get(tag::Text).find("MsgSeqNum"), std::string::npos);
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSession, T14b_MissingSendingTimeIsRejectedWithReason1AndConsumed) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 2, {}, {.omit = {tag::SendingTime}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "1");
  EXPECT_EQ(out[0].get(tag::RefTagID), "52");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
  EXPECT_FALSE(t.disconnected);
}

TEST(FixSession, T14d_EmptySendingTimeIsRejectedWithReason4AndConsumed) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 2, {}, {.sending_time = ""});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "4");
  EXPECT_EQ(out[0].get(tag::RefTagID), "52");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
  EXPECT_FALSE(t.disconnected);
}

TEST(FixSession, MissingSendingTimeAheadOfAGapDoesNotSkipTheGap) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("0", 5, {}, {.omit = {tag::SendingTime}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));  // 2..4 are still expected
}

}  // namespace
}  // namespace fixgate::session::testing
