// Two sessions against each other through SessionPair: logon, heartbeats, loss repaired by
// resend, disconnects with messages in flight, resets; then a seeded random simulator of sends,
// drops, duplicates, corruption, disconnects, logouts and clock jumps that checks after every
// step that nothing is lost, duplicated, reordered, reused or skipped. ctest -R fix_reconnect
#include <random>

#include "session_pair.h"

namespace fixgate::session::testing {
namespace {

// Both directions delivered exactly once, in order; `complete`: nothing outstanding.
void expect_consistent(SessionPair& p, bool complete) {
  EXPECT_TRUE(delivered_in_order(p.initiator(), p.acceptor(), complete));
  EXPECT_TRUE(delivered_in_order(p.acceptor(), p.initiator(), complete));
  EXPECT_TRUE(numbers_never_reused_or_skipped(p.initiator()));
  EXPECT_TRUE(numbers_never_reused_or_skipped(p.acceptor()));
}

bool in_sync(SessionPair& p) {
  Session& i = p.initiator().session;
  Session& a = p.acceptor().session;
  return i.status() == SessionStatus::kActive && a.status() == SessionStatus::kActive &&
         i.next_target_seq() == a.next_sender_seq() && a.next_target_seq() == i.next_sender_seq();
}

void send_n(SessionPair& p, Endpoint& from, const std::string& prefix, int n) {
  for (int i = 0; i < n; ++i) ASSERT_TRUE(p.send(from, prefix + std::to_string(i)).is_ok());
}

// ---- scenarios -------------------------------------------------------------------------------

TEST(SessionPair, NormalLogonAndTrafficBothWays) {
  SessionPair p;
  p.connect();
  p.drive();
  ASSERT_TRUE(in_sync(p));
  EXPECT_EQ(p.initiator().session.next_sender_seq(), SeqNum(2));
  send_n(p, p.initiator(), "BUY-", 5);
  send_n(p, p.acceptor(), "SELL-", 3);
  p.drive();
  ASSERT_TRUE(in_sync(p));
  EXPECT_EQ(p.acceptor().received.size(), 5u);
  EXPECT_EQ(p.initiator().received.size(), 3u);
  expect_consistent(p, /*complete=*/true);
  EXPECT_EQ(p.acceptor().store.next_target_seq(), SeqNum(7));  // handled and committed
}

TEST(SessionPair, AnHourOfHeartbeatsInVirtualTime) {
  SessionPair p;
  p.connect();
  p.drive();
  p.run_for(std::chrono::hours(1));
  ASSERT_TRUE(in_sync(p));
  EXPECT_EQ(p.connections(), 1u);
  for (Endpoint* e : {&p.initiator(), &p.acceptor()}) {
    const SessionStats& s = e->session.stats();
    EXPECT_GE(s.heartbeats_sent, 115u) << e->name;
    EXPECT_LE(s.heartbeats_sent, 121u) << e->name;
    EXPECT_EQ(s.test_requests_sent, 0u) << e->name;
    EXPECT_EQ(s.heartbeats_received, p.other(*e).session.stats().heartbeats_sent) << e->name;
  }
  expect_consistent(p, true);
}

TEST(SessionPair, LostMessageIsRepairedByResend) {
  SessionPair p;
  p.connect();
  p.drive();
  ASSERT_TRUE(p.send(p.initiator(), "A").is_ok());
  p.settle();
  p.initiator().faults = {Fault::kDrop};
  ASSERT_TRUE(p.send(p.initiator(), "B").is_ok());
  p.settle();
  ASSERT_TRUE(p.send(p.initiator(), "C").is_ok());
  p.drive();
  ASSERT_TRUE(in_sync(p));
  expect_consistent(p, true);
  EXPECT_EQ(p.acceptor().session.stats().resend_requests_sent, 1u);
  EXPECT_TRUE(p.acceptor().received[1].poss_dup);  // B, resent
}

TEST(SessionPair, LostLastMessageIsFoundByTheNextHeartbeat) {
  SessionPair p;
  p.connect();
  p.drive();
  p.initiator().faults = {Fault::kDrop};
  ASSERT_TRUE(p.send(p.initiator(), "TAIL").is_ok());
  p.drive();
  EXPECT_TRUE(p.acceptor().received.empty());  // nobody can know yet
  p.run_for(std::chrono::seconds(31));
  ASSERT_TRUE(in_sync(p));
  expect_consistent(p, true);
}

TEST(SessionPair, CorruptedMessagesAreRepaired) {
  SessionPair p;
  p.connect();
  p.drive();
  p.acceptor().faults = {Fault::kNone, Fault::kCorrupt, Fault::kNone, Fault::kCorrupt};
  send_n(p, p.acceptor(), "EXEC-", 6);
  p.drive();
  p.run_for(std::chrono::seconds(31));
  ASSERT_TRUE(in_sync(p));
  expect_consistent(p, true);
  EXPECT_GE(p.initiator().session.stats().garbled, 2u);
}

TEST(SessionPair, DuplicatedMessageEndsTheConnectionAndReconnectingLosesNothing) {
  SessionPair p;
  p.connect();
  p.drive();
  p.initiator().faults = {Fault::kNone, Fault::kDuplicate};
  send_n(p, p.initiator(), "ORD-", 4);
  p.drive();
  EXPECT_FALSE(p.connected());  // a repeat without PossDup is "MsgSeqNum too low" (2c)
  p.connect();
  p.drive();
  ASSERT_TRUE(in_sync(p));
  expect_consistent(p, true);
}

TEST(SessionPair, DisconnectWithMessagesInFlightLosesAndDuplicatesNothing) {
  SessionPair p;
  p.connect();
  p.drive();
  send_n(p, p.initiator(), "DELIVERED-", 3);
  send_n(p, p.acceptor(), "DELIVERED-", 2);
  p.settle();
  send_n(p, p.initiator(), "IN-FLIGHT-", 4);  // written, stored, never read by the peer
  send_n(p, p.acceptor(), "IN-FLIGHT-", 5);
  p.disconnect();
  EXPECT_EQ(p.acceptor().received.size(), 3u);
  EXPECT_EQ(p.initiator().received.size(), 2u);
  p.connect();
  p.drive();
  ASSERT_TRUE(in_sync(p));
  expect_consistent(p, true);
  EXPECT_EQ(p.acceptor().received.size(), 7u);  // not one more: nothing delivered twice
  EXPECT_EQ(p.initiator().received.size(), 7u);
}

TEST(SessionPair, MessagesCrossingALogoutAreDelivered) {
  SessionPair p;
  p.connect();
  p.drive();
  ASSERT_TRUE(p.send(p.initiator(), "BEFORE-LOGOUT").is_ok());
  p.call(p.initiator(), [&](Session& s) { s.logout("end of day", p.now); });
  ASSERT_TRUE(p.send(p.acceptor(), "CROSSING").is_ok());  // written before it saw the Logout
  p.drive();
  EXPECT_FALSE(p.connected());
  EXPECT_EQ(p.initiator().session.status(), SessionStatus::kDisconnected);
  expect_consistent(p, true);  // both were delivered, the crossing one to the side logging out
  EXPECT_TRUE(p.initiator().session.last_error().empty());
  p.connect();
  p.drive();
  ASSERT_TRUE(in_sync(p));  // and nothing was left to recover
  EXPECT_EQ(p.acceptor().session.stats().resend_requests_sent, 0u);
  EXPECT_EQ(p.initiator().session.stats().resend_requests_sent, 0u);
}

TEST(SessionPair, LostLogoutReplyEndsInATimeoutOnBothSides) {
  SessionPair p;
  p.connect();
  p.drive();
  p.acceptor().faults = {Fault::kDrop};  // the reply to the Logout
  p.call(p.initiator(), [&](Session& s) { s.logout("", p.now); });
  p.drive();
  EXPECT_FALSE(p.connected());
  EXPECT_NE(p.initiator().closing_reason.find("logout timeout"), std::string::npos);
  p.connect();
  p.drive();
  ASSERT_TRUE(in_sync(p));
}

TEST(SessionPair, ChunkedResendRecoversALongGap) {
  SessionConfig acceptor = pair_config(Role::kAcceptor);
  acceptor.resend_request_chunk_size = 2;
  SessionPair p(pair_config(Role::kInitiator), acceptor);
  p.connect();
  p.drive();
  p.initiator().faults = std::vector<Fault>(7, Fault::kDrop);
  send_n(p, p.initiator(), "ORD-", 9);
  p.drive();
  ASSERT_TRUE(in_sync(p));
  expect_consistent(p, true);
  EXPECT_GE(p.acceptor().session.stats().resend_requests_sent, 4u);
}

TEST(SessionPair, NextExpectedMsgSeqNumRecoversInFlightMessagesAtLogon) {
  SessionConfig i = pair_config(Role::kInitiator), a = pair_config(Role::kAcceptor);
  i.enable_next_expected_msg_seq_num = a.enable_next_expected_msg_seq_num = true;
  SessionPair p(i, a);
  p.connect();
  p.drive();
  ASSERT_TRUE(in_sync(p));
  EXPECT_EQ(p.acceptor().session.stats().resend_requests_sent, 0u);
  send_n(p, p.initiator(), "I-", 3);
  send_n(p, p.acceptor(), "A-", 2);
  p.disconnect();
  p.connect();
  p.drive();
  ASSERT_TRUE(in_sync(p));
  expect_consistent(p, true);
}

TEST(SessionPair, BothSidesResetOnLogon) {
  SessionConfig i = pair_config(Role::kInitiator), a = pair_config(Role::kAcceptor);
  i.reset_on_logon = a.reset_on_logon = true;
  SessionPair p(i, a);
  p.connect();
  p.drive();
  send_n(p, p.initiator(), "OLD-", 3);
  p.settle();
  send_n(p, p.acceptor(), "LOST-", 2);  // in flight at the disconnect: a reset forgets them
  p.disconnect();
  p.connect();
  p.drive();
  ASSERT_TRUE(in_sync(p));
  EXPECT_EQ(p.initiator().session.next_sender_seq(), SeqNum(2));
  EXPECT_EQ(p.acceptor().session.next_sender_seq(), SeqNum(2));
  EXPECT_EQ(p.initiator().received.size(), 0u);
  EXPECT_EQ(p.acceptor().store.next_target_seq(), SeqNum(2));
  ASSERT_TRUE(p.send(p.acceptor(), "NEW").is_ok());
  p.drive();
  ASSERT_EQ(p.initiator().received.size(), 1u);
  EXPECT_EQ(p.initiator().received[0].seq, 2u);
  EXPECT_EQ(p.initiator().received[0].clordid, "NEW");
}

TEST(SessionPair, BothSidesResetOnLogout) {
  SessionConfig i = pair_config(Role::kInitiator), a = pair_config(Role::kAcceptor);
  i.reset_on_logout = a.reset_on_logout = true;
  SessionPair p(i, a);
  p.connect();
  p.drive();
  send_n(p, p.initiator(), "ORD-", 3);
  p.call(p.initiator(), [&](Session& s) { s.logout("", p.now); });
  p.drive();
  ASSERT_FALSE(p.connected());
  EXPECT_EQ(p.acceptor().received.size(), 3u);
  EXPECT_EQ(p.initiator().session.next_sender_seq(), SeqNum(1));
  EXPECT_EQ(p.acceptor().session.next_target_seq(), SeqNum(1));
  p.connect();
  p.drive();
  ASSERT_TRUE(in_sync(p));
  EXPECT_EQ(p.initiator().session.next_sender_seq(), SeqNum(2));
  EXPECT_EQ(p.acceptor().session.stats().resend_requests_sent, 0u);
}

TEST(SessionPair, BothSidesResetOnDisconnect) {
  SessionConfig i = pair_config(Role::kInitiator), a = pair_config(Role::kAcceptor);
  i.reset_on_disconnect = a.reset_on_disconnect = true;
  SessionPair p(i, a);
  p.connect();
  p.drive();
  send_n(p, p.acceptor(), "EXEC-", 2);
  p.disconnect();
  p.connect();
  p.drive();
  ASSERT_TRUE(in_sync(p));
  EXPECT_EQ(p.acceptor().session.next_sender_seq(), SeqNum(2));
  EXPECT_EQ(p.initiator().session.next_target_seq(), SeqNum(2));
}

// ---- the simulator -----------------------------------------------------------------------------

struct SimConfig {
  uint64_t seed = 1;
  int steps = 10000;
  uint64_t chunk = 0;
  bool next_expected = false;
  bool redundant = false;
};

struct SimStats {
  int heals = 0, forced_reconnects = 0, disconnects = 0, logouts = 0, jumps = 0;
};

// Clears the faults, lets the sessions recover, and checks that both applications have seen
// everything. Recovery is what the protocol offers: resend requests while connected, and a new
// connection when a lost ResendRequest left a side waiting (the FIX session protocol has no
// resend timeout; over TCP such a loss means a broken counterparty).
void heal(SessionPair& p, SimStats& stats) {
  ++stats.heals;
  p.initiator().faults.clear();
  p.acceptor().faults.clear();
  auto recover = [&] {
    // A connection that was already failing (a lost Logon, say) ends in a timeout: reconnect.
    for (int attempt = 0; attempt < 3 && !in_sync(p); ++attempt) {
      p.connect();
      p.drive();
      p.run_for(std::chrono::seconds(65));  // heartbeats reveal a lost last message
      p.drive();
    }
  };
  recover();
  if (!in_sync(p)) {
    // The one state the protocol does not leave by itself: a side still waiting for the answer
    // to its ResendRequest (the request or part of its answer was lost), queueing everything
    // after the gap. Anything else out of sync is a bug.
    ASSERT_TRUE(p.connected());
    const SessionStatus si = p.initiator().session.status(), sa = p.acceptor().session.status();
    ASSERT_TRUE(si == SessionStatus::kLoggedIn || sa == SessionStatus::kLoggedIn)
        << "initiator " << to_string(si) << ", acceptor " << to_string(sa);
    for (Endpoint* e : {&p.initiator(), &p.acceptor()}) {
      if (e->session.status() == SessionStatus::kLoggedIn)
        ASSERT_LT(e->session.next_target_seq(), p.other(*e).session.next_sender_seq());
      else
        ASSERT_EQ(e->session.status(), SessionStatus::kActive);
    }
    ++stats.forced_reconnects;
    p.disconnect();
    recover();
  }
  ASSERT_TRUE(in_sync(p)) << "initiator " << to_string(p.initiator().session.status())
                          << " acceptor " << to_string(p.acceptor().session.status());
  expect_consistent(p, /*complete=*/true);
}

void simulate(const SimConfig& c) {
  SCOPED_TRACE("seed " + std::to_string(c.seed));
  SessionConfig ic = pair_config(Role::kInitiator), ac = pair_config(Role::kAcceptor);
  for (SessionConfig* s : {&ic, &ac}) {
    s->resend_request_chunk_size = c.chunk;
    s->enable_next_expected_msg_seq_num = c.next_expected;
    s->send_redundant_resend_requests = c.redundant;
  }
  SessionPair p(ic, ac);
  p.split_reads_ = c.seed % 2 == 0;
  std::mt19937_64 rng(c.seed);
  auto pick = [&](uint64_t n) { return rng() % n; };
  SimStats stats;
  DeliveryCheck to_acceptor, to_initiator;
  NumberingCheck initiator_numbers, acceptor_numbers;
  uint64_t order_id = 0;
  p.connect();
  p.drive();
  for (int step = 0; step < c.steps; ++step) {
    Endpoint& side = pick(2) ? p.initiator() : p.acceptor();
    const uint64_t r = pick(100);
    if (r < 40) {
      (void)p.send(side, side.name.substr(0, 1) + std::to_string(++order_id));  // may be refused
    } else if (r < 46) {
      side.faults.push_back(Fault::kDrop);
    } else if (r < 49) {
      side.faults.push_back(Fault::kDuplicate);
    } else if (r < 54) {
      side.faults.push_back(Fault::kCorrupt);
    } else if (r < 57) {
      if (p.connected()) ++stats.disconnects;
      p.disconnect();
    } else if (r < 66) {
      p.run_for(std::chrono::milliseconds(500 + pick(40000)));
    } else if (r < 68) {
      ++stats.jumps;
      p.jump(std::chrono::seconds(30 + pick(300)));
    } else if (r < 70) {
      if (side.session.is_logged_on()) ++stats.logouts;
      p.call(side, [&](Session& s) { s.logout("simulated logout", p.now); });
    } else if (r < 71) {
      SeqNum next = side.session.next_target_seq();
      p.call(side, [&](Session& s) {
        s.request_resend(SeqNum(next.value > 5 ? next.value - 5 : 1), p.now);
      });
    }
    p.settle();
    if (!p.connected() && pick(4) == 0) {
      p.connect();
      p.settle();
    }
    // After every step: what arrived arrived once and in order, no number reused or skipped,
    // no inbound number went backwards (no resets here), and the store kept up.
    ASSERT_TRUE(to_acceptor(p.initiator(), p.acceptor(), false)) << "step " << step;
    ASSERT_TRUE(to_initiator(p.acceptor(), p.initiator(), false)) << "step " << step;
    ASSERT_TRUE(initiator_numbers(p.initiator())) << "step " << step;
    ASSERT_TRUE(acceptor_numbers(p.acceptor())) << "step " << step;
    for (Endpoint* e : {&p.initiator(), &p.acceptor()}) {
      ASSERT_EQ(e->session.next_target_seq().value, e->max_target_seen)
          << e->name << " step " << step;
      ASSERT_EQ(e->store.next_sender_seq(), e->session.next_sender_seq()) << e->name;
    }
    if (step % 500 == 499) {
      heal(p, stats);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  heal(p, stats);
  // The run must have exercised what it claims to.
  const uint64_t n = static_cast<uint64_t>(c.steps);
  EXPECT_GT(p.initiator().sent.size(), n / 20);
  EXPECT_GT(p.acceptor().sent.size(), n / 20);
  EXPECT_GT(p.connections(), n / 200);
  EXPECT_GT(p.acceptor().session.stats().resend_requests_sent +
                p.initiator().session.stats().resend_requests_sent,
            n / 200);
  EXPECT_GT(p.acceptor().session.stats().garbled + p.initiator().session.stats().garbled, n / 200);
  EXPECT_GT(static_cast<uint64_t>(stats.jumps + stats.logouts + stats.disconnects), n / 200);
  ::testing::Test::RecordProperty("forced_reconnects", stats.forced_reconnects);
  ::testing::Test::RecordProperty("connections", static_cast<int>(p.connections()));
  ::testing::Test::RecordProperty(
      "messages", static_cast<int>(p.initiator().sent.size() + p.acceptor().sent.size()));
}

TEST(SessionPairSimulation, RandomFaultsSeed1) { simulate({.seed = 1}); }
TEST(SessionPairSimulation, RandomFaultsSeed2) { simulate({.seed = 2}); }
TEST(SessionPairSimulation, RandomFaultsSeed3ChunkedResend) { simulate({.seed = 3, .chunk = 3}); }
TEST(SessionPairSimulation, RandomFaultsSeed4NextExpectedMsgSeqNum) {
  simulate({.seed = 4, .next_expected = true});
}
TEST(SessionPairSimulation, RandomFaultsSeed5RedundantResendRequests) {
  simulate({.seed = 5, .redundant = true});
}
TEST(SessionPairSimulation, RandomFaultsSeed6AllOptions) {
  simulate({.seed = 6, .chunk = 2, .next_expected = true, .redundant = true});
}
TEST(SessionPairSimulation, RandomFaultsManySeeds) {
  for (uint64_t seed = 100; seed < 150; ++seed) {
    simulate({.seed = seed, .steps = 2000, .chunk = seed % 3, .next_expected = seed % 2 == 1});
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace fixgate::session::testing
