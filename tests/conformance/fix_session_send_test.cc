// What Session::send comes to, code by code (SendResult), and the outbound high-water mark it
// holds sends back with: every refusal sends nothing and uses no sequence number.
#include "session_harness.h"

namespace fixgate::session::testing {
namespace {

// The body of order `i`: ClOrdID O<i>.
std::string order(int i) { return "11=O" + std::to_string(i) + "\x01" + "55=IBM\x01"; }

TEST(FixSessionSend, ASentMessageIsCommittedAndOutputUnderTheNextNumber) {
  SessionUnderTest t;
  t.logon();
  t.take();
  SendResult r = t.session.send("D", order(1), t.now);
  EXPECT_EQ(r.code(), SendCode::kSent);
  EXPECT_TRUE(r.message().empty());
  EXPECT_EQ(t.store.next_sender_seq(), SeqNum(3));
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 2u);
}

TEST(FixSessionSend, NotLoggedOnUsesNoSequenceNumber) {
  SessionUnderTest t;
  t.connect();  // connected, no Logon yet
  SendResult r = t.session.send("D", order(1), t.now);
  EXPECT_EQ(r.code(), SendCode::kNotLoggedOn);
  EXPECT_NE(r.message().find("not logged on"), std::string::npos);
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(1));
  EXPECT_TRUE(t.session.pending_output().empty());
}

TEST(FixSessionSend, AVetoUsesNoSequenceNumber) {
  SessionHooks hooks;
  hooks.to_app = [](const codec::Message& m) { return m.get(tag::ClOrdID) != "O1"; };
  SessionUnderTest t(default_config(), hooks);
  t.logon();
  t.take();
  SendResult r = t.session.send("D", order(1), t.now);
  EXPECT_EQ(r.code(), SendCode::kVetoed);
  EXPECT_NE(r.message().find("vetoed"), std::string::npos);
  EXPECT_EQ(t.session.send("D", order(2), t.now).code(), SendCode::kSent);
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 2u);
  EXPECT_EQ(out[0].get(tag::ClOrdID), "O2");
}

TEST(FixSessionSend, AFailedCommitIsStoreFailedAndStopsTheSession) {
  SessionUnderTest t;
  t.logon();
  t.take();
  t.store.fail_next_commit = true;
  SendResult r = t.session.send("D", order(1), t.now);
  EXPECT_EQ(r.code(), SendCode::kStoreFailed);
  EXPECT_NE(r.message().find("store failure"), std::string::npos);
  t.pump();
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.session.status(), SessionStatus::kError);
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(2));
  // Stopped: what comes next is not logged on, not a second store failure.
  EXPECT_EQ(t.session.send("D", order(2), t.now).code(), SendCode::kNotLoggedOn);
}

TEST(FixSessionSend, OutputAtTheHighWaterMarkIsBackPressuredUntilItIsTaken) {
  SessionUnderTest t;
  t.logon();
  t.take();
  const OutboundLimit limit{.high_water = 1000};
  // Nobody takes the output: it grows until it reaches the mark, one message past it at most.
  int sent = 0;
  size_t last = 0;  // the length of the last message sent
  SendResult r;
  for (; sent < 100; ++sent) {
    const size_t before = t.session.output_size();
    r = t.session.send("D", order(sent), t.now, limit);
    if (!r) break;
    last = t.session.output_size() - before;
  }
  ASSERT_EQ(r.code(), SendCode::kBackPressured);
  EXPECT_NE(r.message().find("high-water"), std::string::npos);
  ASSERT_GT(sent, 1);
  const size_t output = t.session.output_size();
  EXPECT_GE(output, limit.high_water);
  EXPECT_LT(output - last, limit.high_water);  // the last one was let through below the mark
  const SeqNum next = t.session.next_sender_seq();
  EXPECT_EQ(next, SeqNum(2 + sent));
  // Refused again and again: no number, no byte.
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(t.session.send("D", order(1000 + i), t.now, limit).code(), SendCode::kBackPressured);
  EXPECT_EQ(t.session.next_sender_seq(), next);
  EXPECT_EQ(t.session.output_size(), output);
  EXPECT_EQ(t.store.next_sender_seq(), next);
  // Taken (written): sends go on under the next number, with no gap.
  t.pump();
  EXPECT_EQ(t.session.send("D", order(sent), t.now, limit).code(), SendCode::kSent);
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), static_cast<size_t>(sent) + 1);
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].seq, 2 + i);
    EXPECT_EQ(out[i].get(tag::ClOrdID), "O" + std::to_string(i));
  }
}

TEST(FixSessionSend, BytesTheCallerHoldsCountTowardsTheMark) {
  SessionUnderTest t;
  t.logon();
  t.take();
  // The session's own output is empty; the caller still holds 1000 unwritten bytes.
  SendResult r =
      t.session.send("D", order(1), t.now, {.high_water = 1000, .taken_unwritten = 1000});
  EXPECT_EQ(r.code(), SendCode::kBackPressured);
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(2));
  EXPECT_EQ(t.session.output_size(), 0u);
  EXPECT_EQ(
      t.session.send("D", order(1), t.now, {.high_water = 1000, .taken_unwritten = 999}).code(),
      SendCode::kSent);
  // No mark (0): no limit, whatever is held.
  EXPECT_EQ(
      t.session.send("D", order(2), t.now, {.high_water = 0, .taken_unwritten = 1u << 30}).code(),
      SendCode::kSent);
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(4));
}

// Back-pressure holds back new messages only: what answers the counterparty (a handler's replies,
// resends) goes out whatever the backlog.
TEST(FixSessionSend, RepliesAndResendsAreNotHeldBack) {
  SessionUnderTest t;
  t.auto_handle = false;
  t.logon();
  t.take();
  const OutboundLimit limit{.high_water = 1};
  ASSERT_EQ(t.session.send("D", order(1), t.now, limit).code(), SendCode::kSent);  // 2
  ASSERT_EQ(t.session.send("D", order(2), t.now, limit).code(), SendCode::kBackPressured);
  t.receive("D", 2, {{tag::ClOrdID, "THEIRS"}});
  const std::vector<Reply> replies{Reply{"8",
                                         "11=THEIRS\x01"
                                         "150=0\x01"}};
  t.session.handled(SeqNum(2), t.now, replies);  // 3, with the backlog still there
  t.receive("2", 3, {{tag::BeginSeqNo, "2"}, {tag::EndSeqNo, "0"}});  // ResendRequest
  t.pump();
  auto out = t.take();
  ASSERT_EQ(out.size(), 4u);  // 2, 3, then both again, PossDup
  EXPECT_EQ(out[0].get(tag::ClOrdID), "O1");
  EXPECT_EQ(out[1].type, "8");
  EXPECT_EQ(out[1].seq, 3u);
  EXPECT_EQ(out[2].seq, 2u);
  EXPECT_EQ(out[2].get(tag::PossDupFlag), "Y");
  EXPECT_EQ(out[3].seq, 3u);
  EXPECT_EQ(t.session.next_sender_seq(), SeqNum(4));
}

}  // namespace
}  // namespace fixgate::session::testing
