// FIX 4.4 Volume 2 session-level test cases, initiator role: 1S (connect and send Logon) and
// the cases after logon that apply to either side. The session under test connects and sends
// its Logon; the scripted counterparty is the acceptor.
#include "session_harness.h"

namespace fixgate::session::testing {
namespace {

using Type = SessionEvent::Type;

constexpr const char* kEarlier = "20261122-11:59:00.000";

SessionConfig initiator_config() { return default_config(Role::kInitiator); }

const Fields kLogonBody{{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}};

// ---- 1S: connect and send Logon -------------------------------------------------------------

TEST(FixSessionInitiatorLogon, T1S_ConnectSendsLogonAndAValidReplyLogsOn) {
  SessionConfig c = initiator_config();
  c.username = "alice";
  c.password = "secret";
  SessionUnderTest t(c);
  t.connect();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].get(tag::HeartBtInt), "30");
  EXPECT_EQ(out[0].get(tag::EncryptMethod), "0");
  EXPECT_EQ(out[0].get(tag::Username), "alice");
  EXPECT_EQ(out[0].get(tag::Password), "secret");
  EXPECT_FALSE(out[0].has(tag::ResetSeqNumFlag));
  EXPECT_EQ(t.session.status(), SessionStatus::kLoggingIn);
  EXPECT_FALSE(t.session.send("D", "11=A\x01", t.now).is_ok());  // not before the reply
  t.receive("A", 1, kLogonBody);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(2));
}

TEST(FixSessionInitiatorLogon, T1S_a_LogonReplyWithTooHighSeqNumTriggersResendRequest) {
  SessionUnderTest t(initiator_config());
  t.initiator_logon(4);
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[1].type, "2");
  EXPECT_EQ(out[1].get(tag::BeginSeqNo), "1");
  EXPECT_EQ(out[1].get(tag::EndSeqNo), "0");
  EXPECT_EQ(t.session.status(), SessionStatus::kLoggedIn);
  t.receive("4", 1, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "5"}},
            {.poss_dup = true, .orig_sending_time = kEarlier});
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(5));
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
}

TEST(FixSessionInitiatorLogon, T1S_b_LogonReplyWithWrongCompIdIsAnErrorAndLoggedOut) {
  SessionUnderTest t(initiator_config());
  t.connect();
  t.take();
  t.receive("A", 1, kLogonBody, {.sender = "IMPOSTOR"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "9");
  EXPECT_EQ(out[1].type, "5");
  EXPECT_TRUE(t.disconnected);
  EXPECT_EQ(t.session.status(), SessionStatus::kError);
  EXPECT_FALSE(t.session.last_error().empty());
}

TEST(FixSessionInitiatorLogon, T1S_b_LogonReplyWithoutHeartBtIntIsAnErrorAndLoggedOut) {
  SessionUnderTest t(initiator_config());
  t.connect();
  t.take();
  t.receive("A", 1, {{tag::EncryptMethod, "0"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_TRUE(t.disconnected);
  EXPECT_EQ(t.session.status(), SessionStatus::kError);
}

TEST(FixSessionInitiatorLogon, T1S_b_GarbledLogonReplyDisconnects) {
  SessionUnderTest t(initiator_config());
  t.connect();
  t.take();
  std::string reply = t.peer.make("A", 1, kLogonBody, t.now.utc);
  reply[reply.size() - 2] = reply[reply.size() - 2] == '9' ? '8' : '9';
  t.receive(reply);
  EXPECT_TRUE(t.take().empty());
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.has_event(Type::kDisconnect, "invalid Logon"));
}

TEST(FixSessionInitiatorLogon, T1S_c_ReplyThatIsNotALogonDisconnects) {
  SessionUnderTest t(initiator_config());
  t.connect();
  t.take();
  t.receive("0", 1);
  EXPECT_TRUE(t.take().empty());
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.has_event(Type::kDisconnect, "first message is not a Logon"));
}

TEST(FixSessionInitiatorLogon, T1S_LogonAnsweredWithLogoutIsARefusal) {
  SessionUnderTest t(initiator_config());
  t.connect();
  t.take();
  t.receive("5", 1, {{tag::Text, "unknown user"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.has_event(Type::kDisconnect, "Logon refused by counterparty: unknown user"));
}

TEST(FixSessionInitiatorLogon, T1S_NoLogonReplyWithinTheLogonTimeoutDisconnects) {
  SessionUnderTest t(initiator_config());
  t.connect();
  t.advance(9s);
  EXPECT_FALSE(t.disconnected);
  t.advance(2s);
  EXPECT_TRUE(t.disconnected);
  EXPECT_TRUE(t.has_event(Type::kDisconnect, "logon timeout"));
}

TEST(FixSessionInitiatorLogon, T1S_ResetOnLogonStartsBothSidesAtOne) {
  SessionConfig c = initiator_config();
  c.reset_on_logon = true;
  SessionUnderTest t(c);
  t.initiator_logon();
  ASSERT_TRUE(t.session.send("D", "11=A\x01", t.now).is_ok());
  t.receive("0", 2);
  t.drop_connection();
  t.take();
  t.connect();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].get(tag::ResetSeqNumFlag), "Y");
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(2));
  t.receive("A", 1,
            {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}, {tag::ResetSeqNumFlag, "Y"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
}

TEST(FixSessionInitiatorLogon, T1S_NextExpectedMsgSeqNumSentAndHonoured) {
  SessionConfig c = initiator_config();
  c.enable_next_expected_msg_seq_num = true;
  SessionUnderTest t(c);
  t.initiator_logon(1, {{tag::NextExpectedMsgSeqNum, "2"}});
  ASSERT_TRUE(t.session.send("D", "11=LOST\x01", t.now).is_ok());  // 2, lost in flight
  t.drop_connection();
  t.take();
  t.connect();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 3u);
  EXPECT_EQ(out[0].get(tag::NextExpectedMsgSeqNum), "2");
  // The acceptor got our 1 and our Logon 3 … but not 2: it expects 2 (3 is queued on its side).
  t.receive(
      "A", 2,
      {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}, {tag::NextExpectedMsgSeqNum, "2"}});
  out = t.take();
  ASSERT_EQ(out.size(), 2u);  // 2 resent, our Logon 3 gap filled
  EXPECT_EQ(out[0].get(tag::ClOrdID), "LOST");
  EXPECT_EQ(out[0].get(tag::PossDupFlag), "Y");
  EXPECT_EQ(out[1].type, "4");
  EXPECT_EQ(out[1].get(tag::NewSeqNo), "4");
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
}

TEST(FixSessionInitiatorLogon, T1S_FixtLogonSendsDefaultApplVerID) {
  SessionConfig c = initiator_config();
  c.id.begin_string = "FIXT.1.1";
  c.default_appl_ver_id = "9";
  SessionUnderTest t(c);
  t.peer.begin_string = "FIXT.1.1";
  t.connect();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::DefaultApplVerID), "9");
  t.receive("A", 1,
            {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}, {tag::DefaultApplVerID, "9"}});
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
}

// ---- 2-20 as the initiator -------------------------------------------------------------------

class FixSessionInitiator : public ::testing::Test {
 protected:
  void SetUp() override {
    t.initiator_logon();
    t.take();
    ASSERT_EQ(t.session.status(), SessionStatus::kActive);
  }
  SessionUnderTest t{initiator_config()};
};

TEST_F(FixSessionInitiator, T2a_InSequenceMessageIsDelivered) {
  t.receive("8", 2, {{tag::ClOrdID, "A"}});
  EXPECT_EQ(t.app_messages().size(), 1u);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST_F(FixSessionInitiator, T2b_TooHighSeqNumTriggersResendRequest) {
  t.receive("8", 3, {{tag::ClOrdID, "B"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "2");
  EXPECT_EQ(out[0].get(tag::BeginSeqNo), "2");
  t.receive("8", 2, {{tag::ClOrdID, "A"}}, {.poss_dup = true, .orig_sending_time = kEarlier});
  auto apps = t.app_messages();
  ASSERT_EQ(apps.size(), 2u);
  EXPECT_EQ(apps[0].seq, SeqNum(2));
  EXPECT_EQ(apps[1].seq, SeqNum(3));
}

TEST_F(FixSessionInitiator, T2c_TooLowSeqNumLogsOut) {
  t.receive("0", 1);
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_NE(out[0].get(tag::Text).find("expecting 2 but received 1"), std::string::npos);
  EXPECT_TRUE(t.disconnected);
}

TEST_F(FixSessionInitiator, T2d_GarbledMessageIsIgnored) {
  std::string bad = t.peer.make("8", 2, {{tag::ClOrdID, "A"}}, t.now.utc);
  bad[bad.size() - 3] = bad[bad.size() - 3] == '0' ? '1' : '0';
  t.receive(bad);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_FALSE(t.disconnected);
}

TEST_F(FixSessionInitiator, T2e_PossDupAlreadyReceivedIsIgnored) {
  t.receive("8", 2, {{tag::ClOrdID, "A"}});
  t.receive("8", 2, {{tag::ClOrdID, "A"}}, {.poss_dup = true, .orig_sending_time = kEarlier});
  EXPECT_EQ(t.app_messages().size(), 1u);
  EXPECT_TRUE(t.take().empty());
}

TEST_F(FixSessionInitiator, T2g_PossDupWithoutOrigSendingTimeIsRejected) {
  t.receive("8", 2, {{tag::ClOrdID, "A"}}, {.poss_dup = true});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "1");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST_F(FixSessionInitiator, T2h_OrigSendingTimeAfterSendingTimeIsRejectedAndLoggedOut) {
  t.receive("8", 2, {{tag::ClOrdID, "A"}},
            {.poss_dup = true, .orig_sending_time = "20261122-12:10:00.000"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "10");
  EXPECT_EQ(out[1].type, "5");
  EXPECT_TRUE(t.disconnected);
}

TEST_F(FixSessionInitiator, T2i_BeginStringMismatchLogsOut) {
  t.receive("0", 2, {}, {.begin_string = "FIX.4.3"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_TRUE(t.disconnected);
}

TEST_F(FixSessionInitiator, T2k_CompIdMismatchIsRejectedAndLoggedOut) {
  t.receive("0", 2, {}, {.target = "NOT_US"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "9");
  EXPECT_EQ(out[0].get(tag::RefTagID), "56");
  EXPECT_EQ(out[1].type, "5");
  EXPECT_TRUE(t.disconnected);
}

TEST_F(FixSessionInitiator, T2o_SendingTimeOutsideAccuracyIsRejectedAndLoggedOut) {
  t.receive("0", 2, {}, {.sending_time = "20261122-11:50:00.000"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "10");
  EXPECT_EQ(out[1].type, "5");
}

TEST_F(FixSessionInitiator, T4a_HeartbeatAfterSilence) {
  t.advance(30s);
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "0");
}

TEST_F(FixSessionInitiator, T4b_TestRequestIsAnswered) {
  t.receive("1", 2, {{tag::TestReqID, "T"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::TestReqID), "T");
}

TEST_F(FixSessionInitiator, T6_UnansweredTestRequestDisconnects) {
  t.advance(30s + 200ms);
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);  // heartbeat at 30 s, test request at 30.2 s
  EXPECT_EQ(out[1].type, "1");
  t.advance(30s + 200ms);
  EXPECT_TRUE(t.disconnected);
}

TEST_F(FixSessionInitiator, T7_RejectIsCounted) {
  t.receive("3", 2, {{tag::RefSeqNum, "1"}});
  EXPECT_EQ(t.session.stats().rejects_received, 1u);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST_F(FixSessionInitiator, T8_ResendRequestIsAnswered) {
  ASSERT_TRUE(t.session.send("D", "11=A\x01", t.now).is_ok());  // 2
  t.pump();
  t.take();
  t.receive("2", 2, {{tag::BeginSeqNo, "1"}, {tag::EndSeqNo, "0"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, "4");  // our Logon
  EXPECT_EQ(out[0].get(tag::NewSeqNo), "2");
  EXPECT_EQ(out[1].get(tag::ClOrdID), "A");
}

TEST_F(FixSessionInitiator, T9_SequenceResetResetIsSent) {
  ASSERT_TRUE(t.session.reset_outbound_sequence(SeqNum(50), t.now).is_ok());
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::NewSeqNo), "50");
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(50));
}

TEST_F(FixSessionInitiator, T10_GapFillMovesForward) {
  t.receive("4", 2, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "7"}},
            {.poss_dup = true, .orig_sending_time = kEarlier});
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(7));
}

TEST_F(FixSessionInitiator, T11_ResetMovesForwardAndRefusesToGoBack) {
  t.receive("4", 9, {{tag::NewSeqNo, "20"}});
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(20));
  t.receive("4", 20, {{tag::NewSeqNo, "20"}});
  EXPECT_TRUE(t.take().empty());
  t.receive("4", 20, {{tag::NewSeqNo, "3"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "5");
}

TEST_F(FixSessionInitiator, T12_T13a_LogoutHandshake) {
  t.session.logout("bye", t.now);
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_EQ(t.session.status(), SessionStatus::kLoggingOut);
  t.receive("5", 2);
  EXPECT_TRUE(t.take().empty());
  EXPECT_TRUE(t.disconnected);
  EXPECT_EQ(t.session.status(), SessionStatus::kLoggedOut);
}

TEST_F(FixSessionInitiator, T13b_UnsolicitedLogoutIsAnswered) {
  t.receive("5", 2, {{tag::Text, "maintenance"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_EQ(t.session.status(), SessionStatus::kLoggedOut);
  t.advance(2s);
  EXPECT_TRUE(t.disconnected);
}

TEST_F(FixSessionInitiator, T19_PossResendIsFlagged) {
  t.receive("8", 2, {{tag::ClOrdID, "A"}}, {.poss_resend = true});
  auto apps = t.app_messages();
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_TRUE(apps[0].poss_resend);
}

TEST_F(FixSessionInitiator, T20_SimultaneousResendRequests) {
  ASSERT_TRUE(t.session.send("D", "11=A\x01", t.now).is_ok());  // 2
  t.pump();
  t.take();
  t.receive("2", 4, {{tag::BeginSeqNo, "2"}, {tag::EndSeqNo, "0"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::ClOrdID), "A");
  EXPECT_EQ(out[1].type, "2");
  t.receive("4", 2, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "4"}},
            {.poss_dup = true, .orig_sending_time = kEarlier});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(5));
}

TEST(FixSessionInitiatorValidation, T14b_RequiredTagMissingIsRejected) {
  SessionConfig c = initiator_config();
  c.data_dictionary = fix44_dictionary();
  ASSERT_TRUE(c.data_dictionary);
  SessionUnderTest t(c);
  t.initiator_logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "A"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "1");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

}  // namespace
}  // namespace fixgate::session::testing
