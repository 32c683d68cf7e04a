// Replies committed together with the inbound message they answer (handled() with replies), and
// the application hooks on the way out (to_app veto, to_admin fields). Acceptor role.
#include "session_harness.h"

namespace fixgate::session::testing {
namespace {

std::vector<Reply> fill(std::string_view clordid) {
  return {Reply{"8", "11=" + std::string(clordid) + "\x01" + "150=F\x01"}};
}

// Logged on, with NewOrderSingle 2 delivered and not yet handled.
struct OrderPending : SessionUnderTest {
  OrderPending(SessionConfig c = default_config(), SessionHooks h = {})
      : SessionUnderTest(std::move(c), std::move(h)) {
    auto_handle = false;
    logon();
    receive("D", 2, {{tag::ClOrdID, "A"}});
    take();
  }
};

TEST(FixSessionReply, RepliesAndTheWatermarkAreOneCommit) {
  OrderPending t;
  ASSERT_EQ(t.app_messages().size(), 1u);
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(2));  // the order is not handled yet
  const size_t commits = t.store.commits;
  t.session.handled(SeqNum(2), t.now, fill("A"));
  t.pump();
  EXPECT_EQ(t.store.commits, commits + 1);
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(3));
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(3));
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "8");
  EXPECT_EQ(out[0].seq, 2u);
  EXPECT_EQ(out[0].get(tag::ClOrdID), "A");
}

// A handler still busy with order 2 when the numbers are reset: by the time it answers, a new
// message 2 is pending. The late answer must not pass for the new message's (its replies would
// go out, and the new message would count as handled before anyone saw it).
TEST(FixSessionReply, ALateAnswerFromBeforeASequenceResetDoesNotHandleTheNewMessage) {
  SessionConfig c = default_config();
  c.reset_on_disconnect = true;
  OrderPending t(c);
  const uint64_t old_epoch = t.app_messages().back().epoch;
  t.drop_connection();  // the reset
  t.logon();
  t.receive("D", 2, {{tag::ClOrdID, "NEW"}});
  t.take();
  const uint64_t new_epoch = t.app_messages().back().epoch;
  ASSERT_NE(new_epoch, old_epoch);

  t.session.handled(SeqNum(2), t.now, fill("OLD"), old_epoch);
  t.pump();
  EXPECT_TRUE(t.take().empty());
  EXPECT_TRUE(t.has_event(SessionEvent::Type::kLog, "no longer pending"));
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(2));  // the new 2 is still unhandled

  t.session.handled(SeqNum(2), t.now, fill("NEW"), new_epoch);
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::ClOrdID), "NEW");
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(3));
}

TEST(FixSessionReply, ABatchOfHandledMessagesIsOneCommitAndWaitsForIt) {
  OrderPending t;
  t.receive("D", 3, {{tag::ClOrdID, "B"}});
  t.receive("D", 4, {{tag::ClOrdID, "C"}});
  t.take();
  const size_t commits = t.store.commits;
  t.session.begin_batch();
  t.session.handled(SeqNum(2), t.now, fill("A"));
  t.session.handled(SeqNum(3), t.now, fill("B"));
  t.session.handled(SeqNum(4), t.now, fill("C"));
  EXPECT_TRUE(t.session.pending_output().empty());  // nothing before its commit
  EXPECT_EQ(t.store.commits, commits);
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(2));
  t.session.end_batch(t.now);
  t.pump();
  EXPECT_EQ(t.store.commits, commits + 1);
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(5));
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(5));
  auto out = t.take();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].get(tag::ClOrdID), "C");
}

TEST(FixSessionReply, TakeOutputHandsOverOnlyCommittedBytes) {
  OrderPending t;
  std::string out = "stale";
  t.session.begin_batch();
  t.session.handled(SeqNum(2), t.now, fill("A"));
  t.session.take_output(out);
  EXPECT_TRUE(out.empty());  // the reply waits for its commit
  t.session.end_batch(t.now);
  t.session.take_output(out);
  codec::Message m;
  ASSERT_TRUE(m.parse(out).ok());
  EXPECT_EQ(m.get(tag::ClOrdID).value_or(""), "A");
  EXPECT_TRUE(t.session.pending_output().empty());
}

TEST(FixSessionReply, ASendInsideABatchCommitsWhatIsPendingWithIt) {
  OrderPending t;
  t.session.begin_batch();
  t.session.handled(SeqNum(2), t.now, fill("A"));
  ASSERT_TRUE(t.session.send("D", "11=NEW\x01", t.now));  // ok means committed: all of it
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(3));
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(4));
  t.session.end_batch(t.now);
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(tag::ClOrdID), "A");
  EXPECT_EQ(out[1].get(tag::ClOrdID), "NEW");
}

TEST(FixSessionReply, AFailedCommitSendsNothingAndDeliversTheInputAgain) {
  OrderPending t;
  t.store.fail_next_commit = true;
  t.session.handled(SeqNum(2), t.now, fill("A"));
  t.pump();
  EXPECT_TRUE(t.take().empty());  // the reply never reaches the wire
  EXPECT_TRUE(t.disconnected);
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(2));
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(2));
  // The store works again; the counterparty reconnects. Its Logon (3) is ahead of what we hold as
  // handled (2), so we ask for 2 again, and the order is delivered a second time.
  t.drop_connection();
  t.events.clear();
  t.logon(3);
  auto out = t.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].seq, 2u);  // our failed reply's number is used again
  EXPECT_EQ(out[1].type, "2");
  EXPECT_EQ(out[1].get(tag::BeginSeqNo), "2");
  t.receive("D", 2, {{tag::ClOrdID, "A"}},
            {.poss_dup = true, .orig_sending_time = "20261122-11:59:00.000"});
  ASSERT_EQ(t.app_messages().size(), 1u);
  EXPECT_EQ(t.app_messages()[0].seq, SeqNum(2));
  EXPECT_TRUE(t.app_messages()[0].poss_dup);
}

TEST(FixSessionReply, RepliesMadeWhileDisconnectedArriveByResend) {
  OrderPending t;
  t.drop_connection();
  t.session.handled(SeqNum(2), t.now, fill("A"));
  t.pump();
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(3));
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(3));
  // After the next Logon (our 3), the counterparty misses our 2 and asks for it.
  t.logon(3);
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 3u);
  t.receive("2", 4, {{tag::BeginSeqNo, "2"}, {tag::EndSeqNo, "0"}});
  out = t.take();
  ASSERT_EQ(out.size(), 2u);  // the reply, then a gap fill over our Logon
  EXPECT_EQ(out[0].type, "8");
  EXPECT_EQ(out[0].seq, 2u);
  EXPECT_EQ(out[0].get(tag::PossDupFlag), "Y");
  EXPECT_EQ(out[0].get(tag::ClOrdID), "A");
  EXPECT_EQ(out[1].type, "4");
  EXPECT_EQ(out[1].get(tag::NewSeqNo), "4");
}

TEST(FixSessionReply, RepliesToAMessageNoLongerPendingAreDropped) {
  OrderPending t;
  t.session.handled(SeqNum(2), t.now);
  t.session.handled(SeqNum(2), t.now, fill("A"));  // twice: the second has nothing to answer
  t.pump();
  EXPECT_TRUE(t.take().empty());
  EXPECT_TRUE(t.has_event(SessionEvent::Type::kLog, "1 replies to message 2 dropped"));
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(2));
}

TEST(FixSessionReply, ToAppVetoesASendBeforeItTakesASequenceNumber) {
  SessionHooks hooks;
  hooks.to_app = [](const codec::Message& m) { return m.get(tag::ClOrdID) != "BLOCKED"; };
  OrderPending t(default_config(), hooks);
  Status s = t.session.send("D", "11=BLOCKED\x01", t.now);
  EXPECT_FALSE(s);
  EXPECT_NE(s.message().find("vetoed"), std::string::npos);
  EXPECT_TRUE(t.session.send("D", "11=OK\x01", t.now));
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 2u);
  EXPECT_EQ(out[0].get(tag::ClOrdID), "OK");
  // A vetoed reply is dropped; the message still counts as handled.
  t.session.handled(SeqNum(2), t.now, fill("BLOCKED"));
  t.pump();
  EXPECT_TRUE(t.take().empty());
  EXPECT_TRUE(t.has_event(SessionEvent::Type::kLog, "1 replies to message 2 vetoed"));
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(3));
}

TEST(FixSessionReply, ToAdminAddsFieldsToAdminMessages) {
  SessionHooks hooks;
  std::vector<std::string> types;
  hooks.to_admin = [&](std::string_view type, codec::Encoder& e) {
    types.emplace_back(type);
    if (type == "0") e.field(tag::Text, "hb");
  };
  SessionUnderTest t(default_config(), hooks);
  t.logon();
  t.take();
  t.session.send_heartbeat(t.now);
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::Text), "hb");
  EXPECT_EQ(types, (std::vector<std::string>{"A", "0"}));
}

}  // namespace
}  // namespace fixgate::session::testing

namespace fixgate::session::testing {
namespace {

// Ordered delivery: what the session answers itself for a later message (here a
// BusinessMessageReject) waits for the replies to the message before it, as when each message is
// processed in turn; without it, the session's answer goes out first.
TEST(FixSessionOrderedDelivery, TheSessionsOwnAnswersFollowTheRepliesToEarlierMessages) {
  for (bool ordered : {true, false}) {
    SCOPED_TRACE(ordered);
    SessionConfig c = default_config();
    c.supported_message_types = {"D"};
    c.ordered_delivery = ordered;
    SessionUnderTest t(c);
    t.logon();
    t.take();
    t.auto_handle = false;
    const std::string two = t.peer.make("D", 2, {{tag::ClOrdID, "A"}}, t.now.utc) +
                            t.peer.make("8", 3, {{tag::ClOrdID, "B"}}, t.now.utc) +
                            t.peer.make("D", 4, {{tag::ClOrdID, "C"}}, t.now.utc);
    t.receive(two);
    ASSERT_EQ(t.app_messages().size(), ordered ? 1u : 2u);
    EXPECT_EQ(t.take().size(), ordered ? 0u : 1u);  // the BusinessMessageReject for 3
    const Reply echo_a{"D", "11=A\x01"};
    t.session.handled(SeqNum(2), t.now, std::span(&echo_a, 1));
    t.pump();
    if (ordered) {
      ASSERT_EQ(t.app_messages().size(), 2u);  // C, delivered once A was handled
      auto out = t.take();
      ASSERT_EQ(out.size(), 2u);
      EXPECT_EQ(out[0].type, "D");
      EXPECT_EQ(out[0].seq, 2u);
      EXPECT_EQ(out[1].type, "j");
      EXPECT_EQ(out[1].seq, 3u);
      EXPECT_EQ(out[1].get(tag::RefSeqNum), "3");
    } else {
      auto out = t.take();
      ASSERT_EQ(out.size(), 1u);
      EXPECT_EQ(out[0].type, "D");
      EXPECT_EQ(out[0].seq, 3u);  // after the reject
    }
    const Reply echo_c{"D", "11=C\x01"};
    t.session.handled(SeqNum(4), t.now, std::span(&echo_c, 1));
    t.pump();
    auto out = t.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].get(tag::ClOrdID), "C");
    EXPECT_EQ(t.session.next_target_seq(), SeqNum(5));
    EXPECT_EQ(t.store.next_target_seq(), SeqNum(5));
  }
}

// A message the application takes some other way is released: what follows goes on at once.
TEST(FixSessionOrderedDelivery, AReleasedMessageLetsTheRestThroughBeforeItIsHandled) {
  SessionConfig c = default_config();
  c.ordered_delivery = true;
  SessionUnderTest t(c);
  t.logon();
  t.take();
  t.auto_handle = false;
  t.receive(t.peer.make("D", 2, {{tag::ClOrdID, "A"}}, t.now.utc) +
            t.peer.make("D", 3, {{tag::ClOrdID, "B"}}, t.now.utc));
  ASSERT_EQ(t.app_messages().size(), 1u);
  t.session.release(SeqNum(2), t.now);
  t.pump();
  ASSERT_EQ(t.app_messages().size(), 2u);
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(2));  // the watermark waits for handled()
  t.session.handled(SeqNum(2), t.now);
  t.session.handled(SeqNum(3), t.now);
  t.pump();
  EXPECT_EQ(t.store.next_target_seq(), SeqNum(4));
}

}  // namespace
}  // namespace fixgate::session::testing
