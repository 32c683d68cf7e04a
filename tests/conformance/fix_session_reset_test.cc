// Sequence resets, both roles: ResetSeqNumFlag in the Logon exchange (answered, never invented),
// a Logon with ResetSeqNumFlag=Y during the session, SequenceReset-Reset whatever its own
// MsgSeqNum (FIX 4.4 Vol. 2 cases 1a, 11), and the four ResetOnLogon combinations over twenty
// logon cycles of an initiator and an acceptor.
#include "session_pair.h"

namespace fixgate::session::testing {
namespace {

using Type = SessionEvent::Type;

std::string role_name(const ::testing::TestParamInfo<Role>& info) {
  return info.param == Role::kInitiator ? "Initiator" : "Acceptor";
}

// A logged-on session of either role, with five messages each way behind it: 6 is next both ways.
class ResetBothRoles : public ::testing::TestWithParam<Role> {
 protected:
  void SetUp() override {
    t.log_on_either_role();
    for (uint64_t seq = 2; seq <= 5; ++seq) {
      t.receive("0", seq);
      ASSERT_TRUE(t.session.send("D", "11=OLD\x01", t.now).is_ok());
      t.pump();
    }
    t.take();
    ASSERT_EQ(t.session.next_target_seq(), SeqNum(6));
    ASSERT_EQ(t.session.next_sender_seq(), SeqNum(6));
  }
  SessionUnderTest t{default_config(GetParam())};
};

// 1a during the session: a Logon with 141=Y at 1 resets both directions; the answer is a Logon
// with 141=Y at 1, and traffic goes on from 2 both ways.
TEST_P(ResetBothRoles, T1a_LogonWithResetSeqNumFlagDuringTheSessionIsAnsweredAtOne) {
  t.receive("A", 1,
            {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}, {tag::ResetSeqNumFlag, "Y"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].get(tag::ResetSeqNumFlag), "Y");
  EXPECT_FALSE(t.disconnected);
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(2));
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(2));
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(2));

  t.receive("D", 2, {{tag::ClOrdID, "NEW"}});
  ASSERT_EQ(t.app_messages().size(), 1u);
  EXPECT_EQ(t.app_messages()[0].seq, SeqNum(2));
  ASSERT_TRUE(t.session.send("D", "11=MINE\x01", t.now).is_ok());
  t.pump();
  out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 2u);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
}

TEST_P(ResetBothRoles, T1a_LogonWithoutResetSeqNumFlagDuringTheSessionIsIgnored) {
  t.receive("A", 6, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(7));
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(6));
  EXPECT_FALSE(t.disconnected);
}

// 11: a SequenceReset-Reset ignores its own MsgSeqNum, whatever it is, even 0.
TEST_P(ResetBothRoles, T11a_ResetWithMsgSeqNumZeroMovesTheExpectedNumber) {
  t.receive("4", 0, {{tag::NewSeqNo, "20"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_FALSE(t.disconnected);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(20));
  t.receive("0", 20);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(21));
}

TEST_P(ResetBothRoles, T11a_ResetWithAnyMsgSeqNumMovesTheExpectedNumber) {
  for (uint64_t own : {1u, 6u, 500u}) {
    SCOPED_TRACE(own);
    const uint64_t to = t.session.next_target_seq().value + 3;
    t.receive("4", own, {{tag::NewSeqNo, std::to_string(to)}});
    EXPECT_TRUE(t.take().empty());
    EXPECT_EQ(t.session.next_target_seq(), SeqNum(to));
    EXPECT_FALSE(t.disconnected);
  }
}

TEST_P(ResetBothRoles, T11b_ResetToTheExpectedNumberWithMsgSeqNumZeroChangesNothing) {
  t.receive("4", 0, {{tag::NewSeqNo, "6"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(6));
  EXPECT_FALSE(t.disconnected);
}

TEST_P(ResetBothRoles, T11c_ResetBelowTheExpectedNumberIsRejectedWithReason5AndTheSessionStaysUp) {
  t.receive("4", 0, {{tag::NewSeqNo, "3"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::SessionRejectReason), "5");
  EXPECT_EQ(out[0].get(tag::RefTagID), "36");
  EXPECT_EQ(out[0].get(tag::RefMsgType), "4");
  EXPECT_FALSE(t.disconnected);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(6));
  t.receive("0", 6);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(7));
}

INSTANTIATE_TEST_SUITE_P(Roles, ResetBothRoles,
                         ::testing::Values(Role::kAcceptor, Role::kInitiator), role_name);

// ---- ResetSeqNumFlag in the Logon exchange: answered, not invented ------------------------------

TEST(ResetOnLogon, AcceptorAnswers141OnlyToA141) {
  for (bool asked : {false, true}) {
    SCOPED_TRACE(asked);
    SessionUnderTest t;
    Fields extra;
    if (asked) extra.push_back({tag::ResetSeqNumFlag, "Y"});
    t.logon(1, extra);
    auto out = t.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].has(tag::ResetSeqNumFlag), asked);
  }
}

// The acceptor resets to 1 on its own; the initiator's Logon, still at its old numbers, is then
// too high, so the gap is asked for after the (unannounced) Logon reply at 1. As QuickFIX does.
TEST(ResetOnLogon, AcceptorResettingAloneAsksForTheGapBehindAnOldNumberedLogon) {
  SessionConfig c = default_config();
  c.reset_on_logon = true;
  SessionUnderTest t(c);
  t.logon(7);
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_FALSE(out[0].has(tag::ResetSeqNumFlag));
  EXPECT_EQ(out[1].type, "2");
  EXPECT_EQ(out[1].get(tag::BeginSeqNo), "1");
}

// An acceptor that resets without being asked (141=Y in its answer to a Logon without one): the
// initiator resets too and stays logged on, telling the acceptor with a second Logon at 1
// (141=Y), as QuickFIX's initiator does; the acceptor's answer to that ends the reset.
TEST(ResetOnLogon, InitiatorResetsOnAnUnaskedResetAndAnswersWithALogonAtOne) {
  SessionUnderTest t(default_config(Role::kInitiator));
  t.log_on_either_role();
  for (uint64_t seq = 2; seq <= 4; ++seq) t.receive("0", seq);
  ASSERT_TRUE(t.session.send("D", "11=OLD\x01", t.now).is_ok());
  t.drop_connection();
  t.take();
  t.connect();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 3u);  // our Logon, at our old numbers
  EXPECT_FALSE(out[0].has(tag::ResetSeqNumFlag));

  t.receive("A", 1,
            {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}, {tag::ResetSeqNumFlag, "Y"}});
  out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].get(tag::ResetSeqNumFlag), "Y");
  EXPECT_FALSE(t.disconnected);
  EXPECT_TRUE(t.session.is_logged_on());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(2));

  // The acceptor answers our Logon with its own at 1 (it reset again): that ends it, unanswered.
  t.receive("A", 1,
            {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}, {tag::ResetSeqNumFlag, "Y"}});
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  t.receive("0", 2);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
  EXPECT_FALSE(t.disconnected);
}

TEST(ResetOnLogon, Fix40LogonNeverCarriesResetSeqNumFlag) {
  SessionConfig c = default_config(Role::kInitiator);
  c.id.begin_string = "FIX.4.0";
  c.reset_on_logon = true;
  SessionUnderTest t(c);
  t.peer.begin_string = "FIX.4.0";
  t.connect();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_FALSE(out[0].has(tag::ResetSeqNumFlag));
}

// As QuickFIX: a Logon carries 141=Y whenever a reset is configured and both numbers are at 1,
// so that a reset on logout or disconnect reaches the acceptor too.
TEST(ResetOnLogon, InitiatorAsksForTheResetItsResetOnLogoutMade) {
  SessionConfig c = default_config(Role::kInitiator);
  c.reset_on_logout = true;
  SessionUnderTest t(c);
  t.log_on_either_role();
  t.session.logout("", t.now);
  t.pump();
  t.receive("5", 2);
  t.drop_connection();
  t.take();
  ASSERT_EQ(t.session.next_sender_seq(), SeqNum(1));
  t.connect();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].get(tag::ResetSeqNumFlag), "Y");
}

// ---- a reset during the session, from either side ----------------------------------------------

TEST(SessionPair, EitherSideResetsTheSequenceNumbersDuringTheSession) {
  for (bool initiator_asks : {true, false}) {
    SCOPED_TRACE(initiator_asks);
    SessionPair p;
    p.connect();
    p.drive();
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE(p.send(p.initiator(), "I-" + std::to_string(i)).is_ok());
      ASSERT_TRUE(p.send(p.acceptor(), "A-" + std::to_string(i)).is_ok());
    }
    p.drive();
    Endpoint& asker = initiator_asks ? p.initiator() : p.acceptor();
    p.call(asker, [&](Session& s) { ASSERT_TRUE(s.reset_sequence_numbers(p.now).is_ok()); });
    p.drive();
    ASSERT_TRUE(p.connected());
    for (Endpoint* e : {&p.initiator(), &p.acceptor()}) {
      EXPECT_EQ(e->session.status(), SessionStatus::kActive) << e->name;
      EXPECT_EQ(e->session.next_sender_seq(), SeqNum(2)) << e->name;
      EXPECT_EQ(e->session.next_target_seq(), SeqNum(2)) << e->name;
    }
    ASSERT_TRUE(p.send(p.initiator(), "AFTER-I").is_ok());
    ASSERT_TRUE(p.send(p.acceptor(), "AFTER-A").is_ok());
    p.drive();
    EXPECT_EQ(p.acceptor().received.back().seq, 2u);
    EXPECT_EQ(p.acceptor().received.back().clordid, "AFTER-I");
    EXPECT_EQ(p.initiator().received.back().seq, 2u);
    EXPECT_EQ(p.initiator().received.back().clordid, "AFTER-A");
    EXPECT_EQ(p.acceptor().received.size(), 5u);
    EXPECT_EQ(p.initiator().received.size(), 5u);
  }
}

TEST(ResetOnLogon, ResetDuringTheSessionNeedsALogonAndFix41) {
  SessionUnderTest t;
  EXPECT_FALSE(t.session.reset_sequence_numbers(t.now).is_ok());
  SessionConfig c = default_config();
  c.id.begin_string = "FIX.4.0";
  SessionUnderTest t40(c);
  t40.peer.begin_string = "FIX.4.0";
  t40.logon();
  EXPECT_FALSE(t40.session.reset_sequence_numbers(t40.now).is_ok());
}

// ---- the four ResetOnLogon combinations, twenty logon cycles each ------------------------------

struct Combination {
  bool initiator_resets;
  bool acceptor_resets;
};

std::string combination_name(const ::testing::TestParamInfo<Combination>& info) {
  return std::string("Initiator") + (info.param.initiator_resets ? "Y" : "N") + "Acceptor" +
         (info.param.acceptor_resets ? "Y" : "N");
}

class ResetOnLogonMatrix : public ::testing::TestWithParam<Combination> {};

// Each cycle: log on, an order each way, log out. Where the initiator resets (alone or with the
// acceptor), both sides start every cycle at 1; where neither does, the numbers go on. Where
// only the acceptor resets, it starts again at 1 without saying so, and from the second cycle
// the initiator refuses its Logon reply as too low: a misconfiguration, refused exactly as
// QuickFIX refuses it, and never a reused or lost number on the initiator's side.
TEST_P(ResetOnLogonMatrix, TwentyLogonCycles) {
  const Combination combo = GetParam();
  SessionConfig ic = pair_config(Role::kInitiator), ac = pair_config(Role::kAcceptor);
  ic.reset_on_logon = combo.initiator_resets;
  ac.reset_on_logon = combo.acceptor_resets;
  SessionPair p(ic, ac);
  const bool works = combo.initiator_resets || !combo.acceptor_resets;
  for (int cycle = 0; cycle < 20; ++cycle) {
    SCOPED_TRACE(cycle);
    p.connect();
    p.drive();
    if (!works && cycle > 0) {
      EXPECT_FALSE(p.connected());
      EXPECT_NE(p.initiator().closing_reason.find("MsgSeqNum too low"), std::string::npos)
          << p.initiator().closing_reason;
      continue;
    }
    ASSERT_TRUE(p.connected());
    ASSERT_EQ(p.initiator().session.status(), SessionStatus::kActive);
    ASSERT_EQ(p.acceptor().session.status(), SessionStatus::kActive);
    if (combo.initiator_resets) {
      EXPECT_EQ(p.initiator().session.next_sender_seq(), SeqNum(2));
      EXPECT_EQ(p.acceptor().session.next_sender_seq(), SeqNum(2));
    }
    const size_t to_acceptor = p.acceptor().received.size();
    const size_t to_initiator = p.initiator().received.size();
    ASSERT_TRUE(p.send(p.initiator(), "I-" + std::to_string(cycle)).is_ok());
    ASSERT_TRUE(p.send(p.acceptor(), "A-" + std::to_string(cycle)).is_ok());
    p.drive();
    ASSERT_EQ(p.acceptor().received.size(), to_acceptor + 1);
    ASSERT_EQ(p.initiator().received.size(), to_initiator + 1);
    EXPECT_EQ(p.acceptor().received.back().clordid, "I-" + std::to_string(cycle));
    EXPECT_EQ(p.initiator().received.back().clordid, "A-" + std::to_string(cycle));
    EXPECT_FALSE(p.acceptor().received.back().poss_dup);
    EXPECT_FALSE(p.initiator().received.back().poss_dup);
    p.call(p.initiator(), [&](Session& s) { s.logout("cycle", p.now); });
    p.drive();
    ASSERT_FALSE(p.connected());
  }
  if (!combo.initiator_resets && !combo.acceptor_resets) {
    // Nothing reset: every number of every cycle, once.
    EXPECT_TRUE(numbers_never_reused_or_skipped(p.initiator()));
    EXPECT_TRUE(numbers_never_reused_or_skipped(p.acceptor()));
    EXPECT_TRUE(delivered_in_order(p.initiator(), p.acceptor(), true));
    EXPECT_TRUE(delivered_in_order(p.acceptor(), p.initiator(), true));
  }
  if (!works) {
    EXPECT_TRUE(numbers_never_reused_or_skipped(p.initiator()));
  }
}

INSTANTIATE_TEST_SUITE_P(Combinations, ResetOnLogonMatrix,
                         ::testing::Values(Combination{false, false}, Combination{true, false},
                                           Combination{false, true}, Combination{true, true}),
                         combination_name);

}  // namespace
}  // namespace fixgate::session::testing
