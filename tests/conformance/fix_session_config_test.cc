// Session options and protocol versions, acceptor role: FIX 4.0/4.1 vs 4.2+ resend requests,
// FIXT.1.1 logon, NextExpectedMsgSeqNum (789), chunked resend requests, max sequence gap,
// SendRedundantResendRequests, reset on logon/logout/disconnect, HeartBtInt 0.
#include "session_harness.h"

namespace fixgate::session::testing {
namespace {

constexpr const char* kEarlier = "20261122-11:59:00.000";

// The counterparty gap-fills [seq, new_seq).
void gap_fill(SessionUnderTest& t, uint64_t seq, uint64_t new_seq) {
  t.receive("4", seq, {{tag::GapFillFlag, "Y"}, {tag::NewSeqNo, std::to_string(new_seq)}},
            {.poss_dup = true, .orig_sending_time = kEarlier});
}

// ---- BeginString versions -----------------------------------------------------------------------

TEST(FixSessionConfig, Fix42ResendRequestAsksUpToInfinityWithEndSeqNo0) {
  SessionConfig c = default_config();
  c.id.begin_string = "FIX.4.2";
  SessionUnderTest t(c);
  t.peer.begin_string = "FIX.4.2";
  t.logon();
  t.take();
  t.receive("0", 5);
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "2");
  EXPECT_EQ(out[0].get(tag::BeginSeqNo), "2");
  EXPECT_EQ(out[0].get(tag::EndSeqNo), "0");
}

TEST(FixSessionConfig, Fix40And41ResendRequestAsksUpToInfinityWith999999) {
  for (const char* version : {"FIX.4.0", "FIX.4.1"}) {
    SCOPED_TRACE(version);
    SessionConfig c = default_config();
    c.id.begin_string = version;
    SessionUnderTest t(c);
    t.peer.begin_string = version;
    t.logon();
    t.take();
    t.receive("0", 5);
    auto out = t.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].get(tag::EndSeqNo), "999999");
    // And 999999 from them means "everything" when we answer.
    ASSERT_TRUE(t.session.send("D", "11=A\x01", t.now).is_ok());
    t.pump();
    t.take();
    gap_fill(t, 2, 5);
    t.receive("2", 6, {{tag::BeginSeqNo, "3"}, {tag::EndSeqNo, "999999"}});
    out = t.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].seq, 3u);
    EXPECT_EQ(out[0].get(tag::ClOrdID), "A");
  }
}

TEST(FixSessionConfig, Fix41RejectCarriesNoFieldsThatVersionLacks) {
  SessionConfig c = default_config();
  c.id.begin_string = "FIX.4.1";
  SessionUnderTest t(c);
  t.peer.begin_string = "FIX.4.1";
  t.logon();
  t.take();
  t.receive("D", 2, {{tag::ClOrdID, "X"}}, {.poss_dup = true});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::RefSeqNum), "2");
  EXPECT_FALSE(out[0].has(tag::RefTagID));
  EXPECT_FALSE(out[0].has(tag::RefMsgType));
  EXPECT_FALSE(out[0].has(tag::SessionRejectReason));
  EXPECT_FALSE(out[0].get(tag::Text).empty());
}

TEST(FixSessionConfig, FixtLogonExchangesDefaultApplVerID) {
  SessionConfig c = default_config();
  c.id.begin_string = "FIXT.1.1";
  c.default_appl_ver_id = "9";
  SessionUnderTest t(c);
  t.peer.begin_string = "FIXT.1.1";
  t.logon(1, {{tag::DefaultApplVerID, "7"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].get(tag::BeginString), "FIXT.1.1");
  EXPECT_EQ(out[0].get(tag::DefaultApplVerID), "9");
  EXPECT_EQ(t.session.counterparty_default_appl_ver_id(), "7");
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
}

// 1137 and 1128 carry the ApplVerID code on the wire. Settings may name the version instead
// ("FIX.5.0SP2", as QuickFIX allows); a counterparty that writes the name is understood.
TEST(FixSessionConfig, FixtDefaultApplVerIDGoesOutAsTheCodeWhateverTheSettingsSay) {
  for (auto [setting, code] : {std::pair{"FIX.5.0SP2", "9"}, {"FIX.5.0", "7"}, {"8", "8"}}) {
    SCOPED_TRACE(setting);
    for (Role role : {Role::kAcceptor, Role::kInitiator}) {
      SessionConfig c = default_config(role);
      c.id.begin_string = "FIXT.1.1";
      c.default_appl_ver_id = setting;
      SessionUnderTest t(c);
      t.peer.begin_string = "FIXT.1.1";
      t.logon(1, {{tag::DefaultApplVerID, "FIX.5.0SP1"}});
      auto out = t.take();
      ASSERT_FALSE(out.empty());
      EXPECT_EQ(out[0].type, "A");
      EXPECT_EQ(out[0].get(tag::DefaultApplVerID), code);
      EXPECT_EQ(t.session.counterparty_default_appl_ver_id(), "8");
      EXPECT_EQ(t.session.status(), SessionStatus::kActive);
    }
  }
}

TEST(FixSessionConfig, FixtLogonWithoutDefaultApplVerIDIsRefused) {
  SessionConfig c = default_config();
  c.id.begin_string = "FIXT.1.1";
  c.default_appl_ver_id = "9";
  SessionUnderTest t(c);
  t.peer.begin_string = "FIXT.1.1";
  t.logon();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_NE(out[0].get(tag::Text).find("1137"), std::string::npos);
  EXPECT_TRUE(t.disconnected);
}

// ---- NextExpectedMsgSeqNum (789)
// ------------------------------------------------------------------

SessionConfig with_789() {
  SessionConfig c = default_config();
  c.enable_next_expected_msg_seq_num = true;
  return c;
}

TEST(FixSessionConfig, NextExpectedMsgSeqNumInOurLogonReplyCountsTheirLogon) {
  SessionUnderTest t(with_789());
  t.logon(1, {{tag::NextExpectedMsgSeqNum, "1"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);  // the Logon reply and nothing else: no gap either way
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].get(tag::NextExpectedMsgSeqNum), "2");
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
}

TEST(FixSessionConfig, NextExpectedMsgSeqNumAfterTooHighLogonNamesTheFirstMissing) {
  SessionUnderTest t(with_789());
  t.logon(4, {{tag::NextExpectedMsgSeqNum, "1"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::NextExpectedMsgSeqNum), "1");
  EXPECT_EQ(out[1].type, "2");
}

TEST(FixSessionConfig, NextExpectedMsgSeqNumLowerThanOursResendsAfterTheLogonReply) {
  SessionUnderTest t(with_789());
  t.logon(1, {{tag::NextExpectedMsgSeqNum, "1"}});
  ASSERT_TRUE(t.session.send("D", "11=A\x01", t.now).is_ok());  // 2
  ASSERT_TRUE(t.session.send("D", "11=B\x01", t.now).is_ok());  // 3, both lost in flight
  t.pump();
  t.drop_connection();
  t.take();
  t.logon(2, {{tag::NextExpectedMsgSeqNum, "2"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].seq, 4u);
  EXPECT_EQ(out[0].get(tag::NextExpectedMsgSeqNum), "3");
  EXPECT_EQ(out[1].seq, 2u);
  EXPECT_EQ(out[1].get(tag::ClOrdID), "A");
  EXPECT_EQ(out[1].get(tag::PossDupFlag), "Y");
  EXPECT_EQ(out[2].seq, 3u);
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(5));
}

TEST(FixSessionConfig, NextExpectedMsgSeqNumEqualToOursResendsNothing) {
  // Compared with what we had sent when their Logon arrived, not counting our reply to it.
  SessionUnderTest t(with_789());
  t.logon(1, {{tag::NextExpectedMsgSeqNum, "1"}});
  t.drop_connection();
  t.take();
  t.logon(2, {{tag::NextExpectedMsgSeqNum, "2"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 2u);
}

TEST(FixSessionConfig, NextExpectedMsgSeqNumHigherThanAnythingSentLogsOut) {
  SessionUnderTest t(with_789());
  t.logon(1, {{tag::NextExpectedMsgSeqNum, "5"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[1].type, "5");
  EXPECT_NE(out[1].get(tag::Text).find("NextExpectedMsgSeqNum 5"), std::string::npos);
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSessionConfig, NextExpectedMsgSeqNumIsNeitherSentNorHonouredWhenDisabled) {
  SessionUnderTest t;
  t.logon(1, {{tag::NextExpectedMsgSeqNum, "5"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].has(tag::NextExpectedMsgSeqNum));
  EXPECT_FALSE(t.disconnected);
}

// ---- chunked resend requests, max gap, redundant resend requests -----------------------------

TEST(FixSessionConfig, ChunkedResendRequestsAskForOneChunkAtATime) {
  SessionConfig c = default_config();
  c.resend_request_chunk_size = 3;
  SessionUnderTest t(c);
  t.logon();
  t.take();
  t.receive("D", 10, {{tag::ClOrdID, "LAST"}});
  auto expect_request = [&](const char* begin, const char* end) {
    auto out = t.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].type, "2");
    EXPECT_EQ(out[0].get(tag::BeginSeqNo), begin);
    EXPECT_EQ(out[0].get(tag::EndSeqNo), end);
  };
  expect_request("2", "4");
  gap_fill(t, 2, 5);
  expect_request("5", "7");
  gap_fill(t, 5, 8);
  expect_request("8", "9");
  gap_fill(t, 8, 10);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.app_messages().size(), 1u);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(11));
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
}

TEST(FixSessionConfig, ChunkedResendAfterATooHighLogonAsksUntilTheLogon) {
  SessionConfig c = default_config();
  c.resend_request_chunk_size = 3;
  SessionUnderTest t(c);
  t.logon(8);
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].get(tag::BeginSeqNo), "1");
  EXPECT_EQ(out[1].get(tag::EndSeqNo), "3");
  gap_fill(t, 1, 4);
  out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::BeginSeqNo), "4");
  EXPECT_EQ(out[0].get(tag::EndSeqNo), "6");
  gap_fill(t, 4, 7);
  out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::BeginSeqNo), "7");
  EXPECT_EQ(out[0].get(tag::EndSeqNo), "7");
  gap_fill(t, 7, 8);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(9));  // the Logon (8) counted
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
}

TEST(FixSessionConfig, ResendAnswerWithAHoleIsAskedForAgain) {
  // The answer to our ResendRequest covered only part of the gap (the counterparty had sent
  // more since): what is still missing is requested when the outstanding range is done.
  SessionUnderTest t;
  t.logon();
  t.take();
  t.receive("D", 4, {{tag::ClOrdID, "D4"}});  // RR 2..0, expects up to 3
  t.take();
  t.receive("D", 7, {{tag::ClOrdID, "D7"}});  // 5, 6 lost too: no second request yet
  EXPECT_TRUE(t.take().empty());
  gap_fill(t, 2, 4);  // the answer: 2..3; 4 comes from the queue
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::BeginSeqNo), "5");
  gap_fill(t, 5, 7);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(8));
  EXPECT_EQ(t.app_messages().size(), 2u);
}

TEST(FixSessionConfig, MaxSequenceGapLogsOutBeyondTheLimit) {
  SessionConfig c = default_config();
  c.max_sequence_gap = 5;
  SessionUnderTest t(c);
  t.logon();
  t.take();
  t.receive("0", 7);  // 2..6 missing: five, allowed
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "2");
  t.receive("0", 8);  // 2..7: six
  out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_NE(out[0].get(tag::Text).find("exceeds the maximum of 5"), std::string::npos);
  EXPECT_TRUE(t.disconnected);
}

TEST(FixSessionConfig, MaxSequenceGapAppliesToTheLogonToo) {
  SessionConfig c = default_config();
  c.max_sequence_gap = 5;
  SessionUnderTest t(c);
  t.logon(20);
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "5");
  EXPECT_TRUE(t.disconnected);
  EXPECT_FALSE(t.session.is_logged_on());
}

TEST(FixSessionConfig, OneResendRequestAtATimeUnlessRedundantOnesAreEnabled) {
  for (bool redundant : {false, true}) {
    SCOPED_TRACE(redundant);
    SessionConfig c = default_config();
    c.send_redundant_resend_requests = redundant;
    SessionUnderTest t(c);
    t.logon();
    t.take();
    t.receive("0", 5);
    ASSERT_EQ(t.take().size(), 1u);
    t.receive("0", 6);
    auto out = t.take();
    if (redundant) {
      ASSERT_EQ(out.size(), 1u);
      EXPECT_EQ(out[0].type, "2");
      EXPECT_EQ(out[0].get(tag::BeginSeqNo), "2");
    } else {
      EXPECT_TRUE(out.empty());
    }
    EXPECT_EQ(t.session.stats().resend_requests_sent, redundant ? 2u : 1u);
  }
}

// ---- resets
// ---------------------------------------------------------------------------------------

// ResetOnLogon on an acceptor resets its own numbers before it answers, but 141=Y only answers
// a 141=Y: it does not ask the initiator to reset (QuickFIX's acceptor does the same).
TEST(FixSessionConfig, ResetOnLogonAcceptorResetsWithoutAskingTheInitiatorTo) {
  SessionConfig c = default_config();
  c.reset_on_logon = true;
  SessionUnderTest t(c);
  t.logon();
  t.receive("0", 2);
  t.drop_connection();
  t.take();
  t.logon(1);  // the counterparty starts at 1 again too
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_FALSE(out[0].has(tag::ResetSeqNumFlag));
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(2));
  EXPECT_EQ(t.session.status(), SessionStatus::kActive);
}

TEST(FixSessionConfig, ResetOnLogoutResetsAfterTheLogoutExchangeOnly) {
  for (bool reset : {false, true}) {
    SCOPED_TRACE(reset);
    SessionConfig c = default_config();
    c.reset_on_logout = reset;
    SessionUnderTest t(c);
    t.logon();
    t.receive("0", 2);
    t.session.logout("", t.now);
    t.pump();
    t.receive("5", 3);
    ASSERT_TRUE(t.disconnected);
    t.drop_connection();
    EXPECT_EQ(t.session.next_sender_seq(), SeqNum(reset ? 1 : 3));
    EXPECT_EQ(t.session.next_target_seq(), SeqNum(reset ? 1 : 4));
    EXPECT_EQ(t.store.next_sender_seq(), SeqNum(reset ? 1 : 3));
  }
}

TEST(FixSessionConfig, ResetOnLogoutAlsoAfterAnsweringTheirLogout) {
  SessionConfig c = default_config();
  c.reset_on_logout = true;
  SessionUnderTest t(c);
  t.logon();
  t.receive("5", 2);  // 13b: answered, then they close
  t.drop_connection();
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(1));
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(1));
}

TEST(FixSessionConfig, ResetOnLogoutDoesNotResetAfterAFailure) {
  SessionConfig c = default_config();
  c.reset_on_logout = true;
  SessionUnderTest t(c);
  t.logon();
  t.receive("0", 2);
  t.drop_connection();  // no Logout exchanged
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(3));
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(2));
}

TEST(FixSessionConfig, ResetOnDisconnectResetsAfterAnyDisconnect) {
  SessionConfig c = default_config();
  c.reset_on_disconnect = true;
  SessionUnderTest t(c);
  t.logon();
  t.receive("0", 2);
  ASSERT_TRUE(t.session.send("D", "11=A\x01", t.now).is_ok());
  t.drop_connection();
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(1));
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(1));
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(1));
  bool stored = false;
  ASSERT_TRUE(t.store.read(SeqNum(1), SeqNum(10), [&](SeqNum, std::string_view) { stored = true; })
                  .is_ok());
  EXPECT_FALSE(stored);
}

// RefreshOnLogon: another engine on the same store (a failover pair) moved the numbers on while
// this one was disconnected; the next Logon goes out under the store's numbers, not stale ones.
TEST(FixSessionConfig, RefreshOnLogonTakesTheStoresSequenceNumbersBeforeEachLogon) {
  for (bool refresh : {false, true}) {
    SCOPED_TRACE(refresh ? "RefreshOnLogon=Y" : "RefreshOnLogon=N");
    SessionConfig c = default_config(Role::kInitiator);
    c.refresh_on_logon = refresh;
    SessionUnderTest t(c);
    t.initiator_logon();
    ASSERT_TRUE(t.session.send("D", "11=A\x01", t.now).is_ok());
    t.drop_connection();
    ASSERT_EQ(t.store.next_sender_seq(), SeqNum(3));
    StoreBatch other_engine;
    other_engine.next_sender = SeqNum(10);
    other_engine.next_target = SeqNum(7);
    ASSERT_TRUE(t.store.commit(other_engine).is_ok());
    t.take();
    t.connect();
    auto out = t.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].type, "A");
    EXPECT_EQ(out[0].seq, refresh ? 10u : 3u);
    EXPECT_EQ(t.session.next_target_seq(), SeqNum(refresh ? 7 : 2));
    EXPECT_EQ(t.has_event(SessionEvent::Type::kLog, "refreshed from the store"), refresh);
  }
}

TEST(FixSessionConfig, RefreshOnLogonAsAcceptorAnswersTheLogonUnderTheStoresNumbers) {
  SessionConfig c = default_config(Role::kAcceptor);
  c.refresh_on_logon = true;
  SessionUnderTest t(c);
  t.logon();
  t.drop_connection();
  StoreBatch other_engine;
  other_engine.next_sender = SeqNum(10);
  other_engine.next_target = SeqNum(7);
  ASSERT_TRUE(t.store.commit(other_engine).is_ok());
  t.take();
  t.logon(7);
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].seq, 10u);
  EXPECT_EQ(t.session.next_target_seq(), SeqNum(8));  // no gap: 7 was what the store expected
  EXPECT_TRUE(t.has_event(SessionEvent::Type::kLog, "refreshed from the store"));
}

// A store that cannot be read (its database is down) is no place to log on from.
TEST(FixSessionConfig, RefreshOnLogonThatFailsDisconnectsWithTheStoresReason) {
  struct Unreadable : MemoryStore {
    Status refresh() override { return Status::error("database unreachable"); }
  } store;
  SessionConfig c = default_config(Role::kInitiator);
  c.refresh_on_logon = true;
  Session session(c, store);
  Now now{1000s, kStartUtc};
  session.on_connecting(now);
  EXPECT_EQ(session.status(), SessionStatus::kError);
  bool told = false;
  while (auto e = session.poll_event())
    told |= e->type == SessionEvent::Type::kDisconnect &&
            e->text.find("database unreachable") != std::string::npos;
  EXPECT_TRUE(told);
  EXPECT_TRUE(session.pending_output().empty());  // no Logon went out
}

// ---- timers
// ---------------------------------------------------------------------------------------

TEST(FixSessionConfig, HeartBtIntZeroMeansNoHeartbeatsAndNoTestRequests) {
  SessionUnderTest t;
  t.connect();
  t.receive("A", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "0"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::HeartBtInt), "0");
  EXPECT_EQ(t.session.poll_timeout(), std::nullopt);
  t.advance(1h);
  EXPECT_TRUE(t.take().empty());
  EXPECT_FALSE(t.disconnected);
}

TEST(FixSessionConfig, TimersFallingDueWhileLoggingOutFireOnceAndStayQuiet) {
  SessionConfig c = default_config();
  c.logout_timeout = 5s;
  SessionUnderTest t(c);
  t.connect();
  t.receive("A", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "1"}});
  t.session.logout("", t.now);
  t.pump();
  t.take();
  t.advance(4s);  // heartbeat and test request deadlines pass: nothing is sent while logging out
  EXPECT_TRUE(t.take().empty());
  EXPECT_FALSE(t.disconnected);
  ASSERT_TRUE(t.session.poll_timeout().has_value());
  EXPECT_EQ(*t.session.poll_timeout(), t.now.mono + 1s);  // only the logout timer is left
  t.advance(1s);
  EXPECT_TRUE(t.disconnected);
}

}  // namespace
}  // namespace fixgate::session::testing
