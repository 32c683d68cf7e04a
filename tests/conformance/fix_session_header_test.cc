// What every message must carry, both roles: impossible tag numbers (14a), required header fields
// missing (14b) or empty (14d) before the CompIDs are compared, a Logon outside the SendingTime
// window (1d, 2o), and a ResendRequest answered whatever its own MsgSeqNum (8).
#include "session_harness.h"

namespace fixgate::session::testing {
namespace {

std::string role_name(const ::testing::TestParamInfo<Role>& info) {
  return info.param == Role::kInitiator ? "Initiator" : "Acceptor";
}

// A logged-on session of either role: 2 is next both ways.
class HeaderBothRoles : public ::testing::TestWithParam<Role> {
 protected:
  void SetUp() override { t.log_on_either_role(); }

  // One Reject for inbound `ref_seq`, `reason` and `ref_tag`, the session still up.
  void expect_reject(std::string_view reason, std::string_view ref_tag, uint64_t ref_seq = 2) {
    auto out = t.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].type, "3");
    EXPECT_EQ(out[0].get(tag::RefSeqNum), std::to_string(ref_seq));
    EXPECT_EQ(out[0].get(tag::SessionRejectReason), reason);
    EXPECT_EQ(out[0].get(tag::RefTagID), ref_tag);
    EXPECT_FALSE(t.disconnected);
    EXPECT_TRUE(t.app_messages().empty());
  }

  SessionUnderTest t{default_config(GetParam())};
};

// ---- 14a: impossible tag numbers --------------------------------------------------------------

TEST_P(HeaderBothRoles, T14a_TagZeroIsRejectedWithReason0AndTheMessageCounts) {
  t.receive("D", 2, {{tag::ClOrdID, "A"}}, {.raw = "0=X\x01"});
  expect_reject("0", "0");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
  t.receive("0", 3);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(4));
}

TEST_P(HeaderBothRoles, T14a_NegativeTagIsRejectedNamingItAsWritten) {
  t.receive("D", 2, {{tag::ClOrdID, "A"}}, {.raw = "-5=X\x01"});
  expect_reject("0", "-5");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST_P(HeaderBothRoles, T14a_ImpossibleTagInAnAdminMessageIsRejectedToo) {
  t.receive("0", 2, {}, {.raw = "00=X\x01"});
  expect_reject("0", "00");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

// Behind a gap: held until its turn, then rejected there (its number used, not lost).
TEST_P(HeaderBothRoles, T14a_ImpossibleTagAheadOfAGapIsRejectedInItsTurn) {
  t.receive("D", 3, {{tag::ClOrdID, "A"}}, {.raw = "0=X\x01"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "2");
  t.receive("D", 2, {{tag::ClOrdID, "FILL"}});
  out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::RefSeqNum), "3");
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "0");
  EXPECT_EQ(out[0].get(tag::RefTagID), "0");
  EXPECT_EQ(t.app_messages().size(), 1u);  // FILL
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(4));
}

// Text that is not a number is no tag at all: the message is garbled, ignored, not counted.
TEST_P(HeaderBothRoles, T2d_FieldWithATagThatIsNoNumberIsGarbled) {
  t.receive("D", 2, {{tag::ClOrdID, "A"}}, {.raw = "3a=X\x01"});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_TRUE(t.has_event(SessionEvent::Type::kGarbled));
  EXPECT_FALSE(t.disconnected);
}

// ---- 14b, 14d: required header fields, before the CompID comparison ----------------------------

TEST_P(HeaderBothRoles, T14b_MissingTargetCompIdIsReason1NotACompIdProblem) {
  t.receive("0", 2, {}, {.omit = {tag::TargetCompID}});
  expect_reject("1", "56");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST_P(HeaderBothRoles, T14b_MissingSenderCompIdIsReason1NotACompIdProblem) {
  t.receive("0", 2, {}, {.omit = {tag::SenderCompID}});
  expect_reject("1", "49");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST_P(HeaderBothRoles, T14d_EmptyTargetCompIdIsReason4) {
  t.receive("0", 2, {}, {.empty = {tag::TargetCompID}});
  expect_reject("4", "56");
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST_P(HeaderBothRoles, T14d_EmptySenderCompIdIsReason4) {
  t.receive("0", 2, {}, {.empty = {tag::SenderCompID}});
  expect_reject("4", "49");
}

TEST_P(HeaderBothRoles, T14d_EmptySendingTimeIsReason4) {
  t.receive("0", 2, {}, {.empty = {tag::SendingTime}});
  expect_reject("4", "52");
}

// ---- 8: a ResendRequest is answered whatever its own MsgSeqNum --------------------------------

TEST_P(HeaderBothRoles, T8_ResendRequestWithATooLowMsgSeqNumIsAnsweredAndKeepsTheSession) {
  ASSERT_TRUE(t.session.send("D", "11=ORD\x01", t.now).is_ok());
  t.pump();
  t.receive("0", 2);
  t.take();
  t.receive("2", 1, {{tag::BeginSeqNo, "1"}, {tag::EndSeqNo, "0"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);  // the Logon gap-filled, the order resent
  EXPECT_EQ(out[0].type, "4");
  EXPECT_EQ(out[0].get(tag::GapFillFlag), "Y");
  EXPECT_EQ(out[1].type, "D");
  EXPECT_EQ(out[1].get(tag::PossDupFlag), "Y");
  EXPECT_FALSE(t.disconnected);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));  // it used up no number
  t.receive("0", 3);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(4));
}

TEST_P(HeaderBothRoles, T8_TooLowPossDupResendRequestIsAnsweredToo) {
  t.receive("0", 2);
  t.take();
  t.receive("2", 1, {{tag::BeginSeqNo, "1"}, {tag::EndSeqNo, "0"}},
            {.poss_dup = true, .orig_sending_time = "20261122-11:59:00.000"});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "4");
  EXPECT_FALSE(t.disconnected);
}

TEST_P(HeaderBothRoles, T2c_OtherTooLowMessagesStillEndTheSession) {
  t.receive("0", 2);
  t.take();
  t.receive("1", 1, {{tag::TestReqID, "T"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_TRUE(t.disconnected);
}

INSTANTIATE_TEST_SUITE_P(Roles, HeaderBothRoles,
                         ::testing::Values(Role::kAcceptor, Role::kInitiator), role_name);

// ---- the Logon ---------------------------------------------------------------------------------

// A Logon (the acceptor's first message in, the initiator's answer) with a missing, empty or
// inaccurate header field is refused with a Logout and a disconnect; no Reject, there is no
// session to send one in yet.
class LogonHeader : public ::testing::TestWithParam<Role> {
 protected:
  void receive_logon(const Options& o) {
    t.connect();
    t.take();
    t.receive("A", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}}, o);
  }
  void expect_refused(std::string_view text) {
    auto out = t.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].type, "5");
    EXPECT_EQ(out[0].get(tag::Text), text);
    EXPECT_TRUE(t.disconnected);
    EXPECT_FALSE(t.session.is_logged_on());
    EXPECT_EQ(t.session.stats().rejects_sent, 0u);
  }
  SessionUnderTest t{default_config(GetParam())};
};

TEST_P(LogonHeader, T1d_SendingTimeOutsideTheWindowIsRefusedWithoutAReject) {
  receive_logon({.sending_time = "20261122-11:57:59.000"});  // 2 min 1 s early
  expect_refused("SendingTime accuracy problem");
}

TEST_P(LogonHeader, T1d_MissingTargetCompIdIsRefused) {
  receive_logon({.omit = {tag::TargetCompID}});
  expect_refused("Required tag missing, field=56");
}

TEST_P(LogonHeader, T1d_EmptySenderCompIdIsRefused) {
  receive_logon({.empty = {tag::SenderCompID}});
  expect_refused("Tag specified without a value, field=49");
}

TEST_P(LogonHeader, T1d_MissingSendingTimeIsRefused) {
  receive_logon({.omit = {tag::SendingTime}});
  expect_refused("Required tag missing, field=52");
}

TEST_P(LogonHeader, T14a_ImpossibleTagIsRefused) {
  receive_logon({.raw = "0=X\x01"});
  expect_refused("Invalid tag number, field=0");
}

INSTANTIATE_TEST_SUITE_P(Roles, LogonHeader, ::testing::Values(Role::kAcceptor, Role::kInitiator),
                         role_name);

// Without ValidateFieldsHaveValues an empty CompID is compared like any other: a CompID problem.
TEST(FixSessionHeader, EmptyCompIdWithoutValueValidationIsACompIdProblem) {
  SessionConfig c = default_config();
  c.validation.validate_fields_have_values = false;
  SessionUnderTest t(c);
  t.logon();
  t.take();
  t.receive("0", 2, {}, {.empty = {tag::TargetCompID}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "9");
  EXPECT_EQ(out[1].type, "5");
}

// With a dictionary too: the session's own checks run first and give the same answer.
TEST(FixSessionHeader, WithADictionaryMissingTargetCompIdIsStillReason1) {
  SessionConfig c = default_config();
  c.data_dictionary = fix44_dictionary();
  ASSERT_TRUE(c.data_dictionary);
  SessionUnderTest t(c);
  t.logon();
  t.take();
  t.receive("0", 2, {}, {.omit = {tag::TargetCompID}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "1");
  EXPECT_EQ(out[0].get(tag::RefTagID), "56");
}

// A tag in the user-defined range (5000 up) that the dictionary does not define is rejected with
// reason 0 (invalid tag number), as QuickFIX answers it, when ValidateUserDefinedFields is on.
TEST(FixSessionHeader, T14a_UndefinedUserDefinedTagIsReason0) {
  SessionConfig c = default_config();
  c.data_dictionary = fix44_dictionary();
  ASSERT_TRUE(c.data_dictionary);
  SessionUnderTest t(c);
  t.logon();
  t.take();
  t.receive("0", 2, {{5999, "X"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "0");
  EXPECT_EQ(out[0].get(tag::RefTagID), "5999");
}

}  // namespace
}  // namespace fixgate::session::testing
