// FIX 4.4 Volume 2 session-level test cases 2q-2s and 14-20, acceptor role: validation against
// the FIX 4.4 dictionary, message types, field order, queueing, encryption, third-party
// addressing, PossResend and simultaneous resend requests.
#include "session_harness.h"

namespace fixgate::session::testing {
namespace {

constexpr const char* kEarlier = "20261122-11:59:00.000";

SessionConfig dictionary_config() {
  SessionConfig c = default_config();
  c.data_dictionary = fix44_dictionary();
  return c;
}

// A NewOrderSingle valid under FIX44.xml.
Fields order(std::string id = "ORD1") {
  return {{tag::ClOrdID, std::move(id)},
          {tag::Symbol, "IBM"},
          {tag::Side, "1"},
          {tag::TransactTime, "20261122-12:00:00.000"},
          {tag::OrderQty, "100"},
          {tag::OrdType, "1"}};
}

Fields without(Fields f, Tag t) {
  std::erase_if(f, [t](const auto& p) { return p.first == t; });
  return f;
}

Fields with(Fields f, Fields more) {
  f.insert(f.end(), more.begin(), more.end());
  return f;
}

Fields replaced(Fields f, Tag t, std::string v) {
  for (auto& [tag, value] : f)
    if (tag == t) value = v;
  return f;
}

// Case 14's common expectations: one session-level Reject with `reason` and `ref_tag` for
// inbound 2, nothing delivered, the number consumed, and the next message accepted.
void expect_rejected(SessionUnderTest& t, const char* reason, Tag ref_tag) {
  SCOPED_TRACE(std::string("reason ") + reason);
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::RefSeqNum), "2");
  EXPECT_EQ(out[0].get(tag::RefMsgType), "D");
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), reason);
  EXPECT_EQ(out[0].get(tag::RefTagID), std::to_string(ref_tag));
  EXPECT_NE(out[0].get(tag::Text).find(std::to_string(ref_tag)), std::string::npos);
  EXPECT_TRUE(t.app_messages().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));  // the rejected message used up 2
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(3));
  EXPECT_FALSE(t.disconnected);
  t.receive("D", 3, order("NEXT"));
  EXPECT_EQ(t.app_messages().size(), 1u);
  EXPECT_TRUE(t.take().empty());
}

class FixSessionValidation : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fix44_dictionary()) << "FIX44.xml not found under " FIXGATE_DICT_DIR;
    t.logon();
    t.take();
  }
  SessionUnderTest t{dictionary_config()};
};

TEST_F(FixSessionValidation, ValidMessageIsDelivered) {
  t.receive("D", 2, order());
  EXPECT_EQ(t.app_messages().size(), 1u);
  EXPECT_TRUE(t.take().empty());
}

// ---- 2q, 2r, 2s: MsgType ----------------------------------------------------------------------

TEST_F(FixSessionValidation, T2q_InvalidMsgTypeIsRejectedWithReason11) {
  t.receive("ZZ", 2, {{tag::ClOrdID, "A"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "11");
  EXPECT_EQ(out[0].get(tag::RefMsgType), "ZZ");
  EXPECT_EQ(out[0].get(tag::RefTagID), "35");
  EXPECT_TRUE(t.app_messages().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST(FixSession, T2r_UnsupportedMsgTypeGetsBusinessMessageReject) {
  SessionConfig c = dictionary_config();
  c.supported_message_types = {"D", "F"};
  SessionUnderTest t(c);
  t.logon();
  t.take();
  t.receive("8", 2, {{tag::ClOrdID, "A"}});  // ExecutionReport: valid FIX, not handled by us
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "j");
  EXPECT_EQ(out[0].get(tag::RefSeqNum), "2");
  EXPECT_EQ(out[0].get(tag::RefMsgType), "8");
  EXPECT_EQ(out[0].get(tag::BusinessRejectReason), "3");
  EXPECT_TRUE(t.app_messages().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
  // A BusinessMessageReject is an application message: stored, and resent on request.
  t.receive("2", 3, {{tag::BeginSeqNo, "2"}, {tag::EndSeqNo, "0"}});
  out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "j");
  EXPECT_EQ(out[0].get(tag::PossDupFlag), "Y");
}

TEST(FixSession, T2r_UnsupportedMsgTypeIsRejectedWithoutADictionaryToo) {
  SessionConfig c = default_config();
  c.supported_message_types = {"D"};
  SessionUnderTest t(c);
  t.logon();
  t.take();
  t.receive("8", 2, {{tag::ClOrdID, "A"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "j");
  EXPECT_EQ(out[0].get(tag::BusinessRejectReason), "3");
  t.receive("0", 3);  // admin messages are always supported
  t.receive("D", 4, {{tag::ClOrdID, "B"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.app_messages().size(), 1u);
}

TEST(FixSession, T2r_UnsupportedMsgTypeBeforeFix42GetsSessionReject) {
  SessionConfig c = default_config();
  c.id.begin_string = "FIX.4.1";
  c.supported_message_types = {"D"};
  SessionUnderTest t(c);
  t.peer.begin_string = "FIX.4.1";
  t.logon();
  t.take();
  t.receive("8", 2, {{tag::ClOrdID, "A"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::RefSeqNum), "2");
  EXPECT_FALSE(out[0].has(tag::SessionRejectReason));  // no such field before FIX 4.2
  EXPECT_FALSE(out[0].has(tag::RefTagID));
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST(FixSession, T2s_SupportedMsgTypeIsDelivered) {
  SessionConfig c = dictionary_config();
  c.supported_message_types = {"D"};
  SessionUnderTest t(c);
  t.logon();
  t.take();
  t.receive("D", 2, order());
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.app_messages().size(), 1u);
}

// No application behind the session: every application message is answered at once, with
// BusinessMessageReject reason 4 (a session Reject carrying the reason as Text before FIX 4.2).
TEST(FixSession, T2r_WithoutAnApplicationEveryAppMessageGetsApplicationNotAvailable) {
  SessionConfig c = dictionary_config();
  c.application_available = false;
  SessionUnderTest t(c);
  t.logon();
  t.take();
  t.receive("D", 2, order());
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "j");
  EXPECT_EQ(out[0].get(tag::RefSeqNum), "2");
  EXPECT_EQ(out[0].get(tag::RefMsgType), "D");
  EXPECT_EQ(out[0].get(tag::BusinessRejectReason), "4");
  EXPECT_TRUE(t.app_messages().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
  t.receive("1", 3, {{tag::TestReqID, "T"}});  // the session itself still answers
  out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "0");
}

TEST(FixSession, T2r_WithoutAnApplicationBeforeFix42TheReasonIsTheRejectText) {
  SessionConfig c = default_config();
  c.id.begin_string = "FIX.4.0";
  c.application_available = false;
  SessionUnderTest t(c);
  t.peer.begin_string = "FIX.4.0";
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "A"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::RefSeqNum), "2");
  EXPECT_EQ(out[0].get(tag::Text), "Application not available");
  EXPECT_FALSE(out[0].has(tag::SessionRejectReason));
}

// ---- 14: validation --------------------------------------------------------------------------

TEST_F(FixSessionValidation, T14a_TagNotDefinedInTheSpecIsRejectedWithReason0) {
  t.receive("D", 2, with(order(), {{4999, "X"}}));
  expect_rejected(t, "0", 4999);
}

TEST_F(FixSessionValidation, T14b_RequiredTagMissingIsRejectedWithReason1) {
  t.receive("D", 2, without(order(), tag::Side));
  expect_rejected(t, "1", tag::Side);
}

TEST_F(FixSessionValidation, T14c_TagNotDefinedForTheMessageTypeIsRejectedWithReason2) {
  t.receive("D", 2, with(order(), {{tag::MDReqID, "X"}}));
  expect_rejected(t, "2", tag::MDReqID);
}

TEST_F(FixSessionValidation, T14d_TagWithoutValueIsRejectedWithReason4) {
  t.receive("D", 2, replaced(order(), tag::Symbol, ""));
  expect_rejected(t, "4", tag::Symbol);
}

TEST_F(FixSessionValidation, T14e_ValueOutOfRangeIsRejectedWithReason5) {
  t.receive("D", 2, replaced(order(), tag::Side, "Z"));
  expect_rejected(t, "5", tag::Side);
}

TEST_F(FixSessionValidation, T14f_IncorrectDataFormatIsRejectedWithReason6) {
  t.receive("D", 2, replaced(order(), tag::OrderQty, "lots"));
  expect_rejected(t, "6", tag::OrderQty);
}

TEST_F(FixSessionValidation, T14g_HeaderFieldInTheBodyIsRejectedWithReason14) {
  t.receive("D", 2, with(order(), {{tag::OnBehalfOfCompID, "CLIENT"}}));
  expect_rejected(t, "14", tag::OnBehalfOfCompID);
}

TEST_F(FixSessionValidation, T14h_RepeatedTagIsRejectedWithReason13) {
  t.receive("D", 2, with(order(), {{tag::Side, "2"}}));
  expect_rejected(t, "13", tag::Side);
}

TEST_F(FixSessionValidation, T14i_RepeatingGroupCountMismatchIsRejectedWithReason16) {
  t.receive("D", 2,
            with(order(), {{tag::NoPartyIDs, "2"}, {tag::PartyID, "P1"}, {447, "D"}, {452, "1"}}));
  expect_rejected(t, "16", tag::NoPartyIDs);
}

TEST_F(FixSessionValidation, T14_RejectedAdminMessageAlsoConsumesItsNumber) {
  t.receive("0", 2, {{tag::Side, "1"}});  // Heartbeat with a field it does not have
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "2");
  EXPECT_EQ(out[0].get(tag::RefMsgType), "0");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

// ---- 15: fields in a different order ------------------------------------------------------------

TEST_F(FixSessionValidation, T15_HeaderAndBodyFieldsInADifferentOrderAreAccepted) {
  // Only BeginString, BodyLength, MsgType (first) and CheckSum (last) have a fixed place; the
  // rest of the header, and the body outside repeating groups, may come in any order.
  codec::Encoder e;
  e.begin("FIX.4.4", "D");
  e.field(tag::MsgSeqNum, uint64_t{2});
  e.field(tag::SendingTime, codec::UtcTimestamp{t.now.utc.count(), codec::TimePrecision::kMillis});
  e.field(tag::TargetCompID, "US");
  e.field(tag::SenderCompID, "THEM");
  e.field(tag::OrdType, "1");
  e.field(tag::OrderQty, "100");
  e.field(tag::TransactTime, "20261122-12:00:00.000");
  e.field(tag::Side, "1");
  e.field(tag::Symbol, "IBM");
  e.field(tag::ClOrdID, "REORDERED");
  t.receive(std::string(e.finish()));
  EXPECT_TRUE(t.take().empty());
  ASSERT_EQ(t.app_messages().size(), 1u);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

// ---- 16: queueing while disconnected ----------------------------------------------------------

TEST(FixSession, T16_SendWhileNotLoggedOnIsRefusedWithoutUsingANumber) {
  // 16 is the engine's: messages the application sends while disconnected are to be queued
  // and sent after the next Logon (the engine does not queue yet: send() returns this
  // error). The core refuses them without consuming a sequence number, so queued messages go
  // out in order with fresh numbers once logged on, never leaving a gap.
  SessionUnderTest t;
  Status s = t.session.send("D", "11=EARLY\x01", t.now);
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("not logged on"), std::string::npos);
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(1));
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(1));
  t.connect();
  EXPECT_FALSE(t.session.send("D", "11=EARLY\x01", t.now).is_ok());  // connected, no Logon yet
  t.receive("A", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}});
  ASSERT_TRUE(t.session.send("D", "11=EARLY\x01", t.now).is_ok());
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[1].seq, 2u);
  EXPECT_FALSE(out[1].has(tag::PossDupFlag));
}

// ---- 17: encryption ---------------------------------------------------------------------------

TEST(FixSession, T17_LogonWithEncryptMethodNoneIsAcceptedAndAnsweredWithNone) {
  // Encryption is the transport's (TLS); in-band it is EncryptMethod 0 only.
  SessionUnderTest t;
  t.logon();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::EncryptMethod), "0");
  EXPECT_TRUE(t.session.is_logged_on());
}

TEST(FixSession, T17_LogonWithUnsupportedEncryptMethodIsRefused) {
  SessionUnderTest t;
  t.connect();
  t.receive("A", 1, {{tag::EncryptMethod, "2"}, {tag::HeartBtInt, "30"}});  // DES
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_NE(out[0].get(tag::Text).find("EncryptMethod"), std::string::npos);
  EXPECT_TRUE(t.disconnected);
  EXPECT_FALSE(t.session.is_logged_on());
}

// ---- 18: third-party addressing ---------------------------------------------------------------

TEST(FixSession, T18_ThirdPartyMessageIsDeliveredWithItsRoutingFields) {
  // The engine (or application) answers on behalf of the routing in the delivered bytes.
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "A"}},
            {.header = {{tag::OnBehalfOfCompID, "CLIENT"}, {tag::DeliverToCompID, "DESK"}}});
  auto apps = t.app_messages();
  ASSERT_EQ(apps.size(), 1u);
  codec::Message m;
  ASSERT_TRUE(m.parse(apps[0].bytes).ok());
  EXPECT_EQ(m.get(tag::OnBehalfOfCompID), "CLIENT");
  EXPECT_EQ(m.get(tag::DeliverToCompID), "DESK");
}

TEST(FixSession, T18_RejectOfAThirdPartyMessageIsRoutedBackToThatParty) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "A"}},
            {.poss_dup = true,
             .header = {{tag::OnBehalfOfCompID, "CLIENT"},
                        {tag::OnBehalfOfSubID, "TRADER7"},
                        {tag::DeliverToCompID, "DESK"}}});  // PossDup without OrigSendingTime
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::DeliverToCompID), "CLIENT");
  EXPECT_EQ(out[0].get(tag::DeliverToSubID), "TRADER7");
  EXPECT_EQ(out[0].get(tag::OnBehalfOfCompID), "DESK");
  EXPECT_EQ(out[0].get(tag::SenderCompID), "US");
  EXPECT_EQ(out[0].get(tag::TargetCompID), "THEM");
}

TEST(FixSession, T18_BusinessRejectOfAThirdPartyMessageIsRoutedBack) {
  SessionConfig c = dictionary_config();
  c.supported_message_types = {"D"};
  SessionUnderTest t(c);
  t.logon();
  t.take();
  t.receive("8", 2, {{tag::ClOrdID, "A"}}, {.header = {{tag::OnBehalfOfCompID, "CLIENT"}}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "j");
  EXPECT_EQ(out[0].get(tag::DeliverToCompID), "CLIENT");
  EXPECT_FALSE(out[0].has(tag::OnBehalfOfCompID));
}

// ---- 19: PossResend ---------------------------------------------------------------------------

TEST(FixSession, T19a_PossResendOfAMessageAlreadySeenIsDeliveredFlaggedForTheApplication) {
  // Whether a PossResend message was seen before is an application question (its ClOrdID, its
  // ExecID): it arrives under a new MsgSeqNum. The core delivers it flagged; the application
  // ignores it because it knows ClOrdID A.
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "A"}});
  t.receive("D", 3, {{tag::ClOrdID, "A"}}, {.poss_resend = true});
  auto apps = t.app_messages();
  ASSERT_EQ(apps.size(), 2u);
  EXPECT_FALSE(apps[0].poss_resend);
  EXPECT_TRUE(apps[1].poss_resend);
  EXPECT_FALSE(apps[1].poss_dup);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(4));
  EXPECT_TRUE(t.take().empty());
}

TEST(FixSession, T19b_PossResendOfANewMessageIsDeliveredAndProcessed) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "NEW"}}, {.poss_resend = true});
  auto apps = t.app_messages();
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_TRUE(apps[0].poss_resend);
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(3));
}

// ---- 20: simultaneous resend requests ---------------------------------------------------------

TEST(FixSession, T20_SimultaneousResendRequestsAreBothServedOnce) {
  SessionUnderTest t;
  t.logon();
  ASSERT_TRUE(t.session.send("D", "11=A\x01", t.now).is_ok());  // 2
  ASSERT_TRUE(t.session.send("D", "11=B\x01", t.now).is_ok());  // 3
  t.pump();
  t.take();
  // Both sides lost messages: theirs (2..4) reach us as a ResendRequest numbered 5.
  t.receive("2", 5, {{tag::BeginSeqNo, "2"}, {tag::EndSeqNo, "0"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].get(tag::ClOrdID), "A");  // theirs answered first
  EXPECT_EQ(out[1].get(tag::ClOrdID), "B");
  EXPECT_EQ(out[2].type, "2");  // then ours
  EXPECT_EQ(out[2].get(tag::BeginSeqNo), "2");
  EXPECT_EQ(out[2].seq, 4u);
  // They answer ours: 2..3 resent, 4 gap filled; their ResendRequest (5) was already served.
  t.receive("D", 2, {{tag::ClOrdID, "X"}}, {.poss_dup = true, .orig_sending_time = kEarlier});
  t.receive("D", 3, {{tag::ClOrdID, "Y"}}, {.poss_dup = true, .orig_sending_time = kEarlier});
  t.receive("4", 4, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, "5"}},
            {.poss_dup = true, .orig_sending_time = kEarlier});
  EXPECT_TRUE(t.take().empty());  // not served twice
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(6));
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
  EXPECT_EQ(t.app_messages().size(), 2u);
  EXPECT_EQ(t.session.stats().resend_requests_received, 1u);
}

}  // namespace
}  // namespace fixgate::session::testing
