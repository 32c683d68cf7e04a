// A sequence reset during the session (FIX 4.4 Vol. 2: Logon with ResetSeqNumFlag=Y) between
// fixgate and QuickFIX, FIX 4.4 over loopback TCP, started by either engine: after orders have
// moved the numbers on, one side sends a Logon with 141=Y at MsgSeqNum 1, the other answers with
// its own Logon with 141=Y at 1, nobody logs out, and the next order each way goes at 2 —
// checked on both sides (what each engine sent and received, and the numbers each expects).
//
// Not tested: a QuickFIX acceptor starting the reset. QuickFIX's acceptor answers every Logon
// it receives, the answer to its own reset Logon included (Session::nextLogon, !initiate()), so
// against a QuickFIX initiator too the two send each other Logons with 141=Y without end.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "../support/text_log.h"
#include "fixgate/engine/session_manager.h"
#include "orders.h"
#include "quickfix_peer.h"

namespace fixgate::engine {
namespace {

using fixgate::testing::clordid_of;
using fixgate::testing::event_lines;
using fixgate::testing::field;
using fixgate::testing::fixgate_config;
using fixgate::testing::kFix44;
using fixgate::testing::PeerOptions;
using fixgate::testing::QuickFixPeer;
using fixgate::testing::TextLog;

using namespace std::chrono_literals;
using session::SessionStatus;

constexpr std::string_view kResetLogon = "IN 35=A 34=1 141=Y";

// One order each way under MsgSeqNum `seq`: QuickFIX's reaches fixgate's application, and
// fixgate's QuickFIX's, each at `seq`.
void order_each_way(QuickFixPeer& qf, SessionManager& fg, const std::string& tag, uint64_t seq) {
  qf.send("order QF-" + tag);
  EXPECT_EQ(qf.await("SENT "), "SENT QF-" + tag + " " + std::to_string(seq)) << qf.history();
  auto order = fg->receive(10s);
  ASSERT_TRUE(order) << "QuickFIX's QF-" << tag << " did not arrive" << qf.history();
  EXPECT_EQ(order->seq.value, seq);
  EXPECT_EQ(clordid_of(order->bytes), "QF-" + tag);
  ASSERT_TRUE(fg->send("D", order_body("FG-" + tag)).is_ok());
  const std::string app = qf.await("APP ");
  EXPECT_EQ(field(app, "11"), "FG-" + tag) << qf.history();
  EXPECT_EQ(field(app, "34"), std::to_string(seq)) << app;
}

// Both engines expect `next` each way.
void expect_numbers(QuickFixPeer& qf, const SessionManager& fg, uint64_t next) {
  EXPECT_EQ(qf.seq(), std::make_pair(next, next));
  const auto [in, out] = fg->sequence_numbers();
  EXPECT_EQ(std::make_pair(in.value, out.value), std::make_pair(next, next));
}

// QuickFIX's trace from `mark`: one Logon with 141=Y at 1 each way, first `first` ("IN " or
// "OUT "), and nothing that repairs or ends a session (no ResendRequest, Reject,
// SequenceReset or Logout).
void expect_one_reset_logon_each_way(const QuickFixPeer& qf, size_t mark, std::string_view first) {
  std::vector<std::string> logons;
  for (const auto& line : qf.lines(mark)) {
    const std::string type = field(line, "35");
    if (type == "A") logons.push_back(line);
    EXPECT_TRUE(type != "2" && type != "3" && type != "4" && type != "5") << line;
    EXPECT_NE(line, "LOGOUT");
  }
  const std::string second = first == "IN " ? "OUT " : "IN ";
  EXPECT_EQ(logons, (std::vector<std::string>{std::string(first) + "35=A 34=1 141=Y",
                                              second + "35=A 34=1 141=Y"}))
      << qf.history(mark);
}

// fixgate (in `role`) and a QuickFIX peer logged on to each other, two orders each way done:
// both expect 4 next each way.
struct LoggedOnPair {
  TextLog events;  // fixgate's (event_lines), before the session that writes into it
  SessionManager fg;
  std::optional<QuickFixPeer> qf;

  explicit LoggedOnPair(session::Role role) {
    const bool fixgate_initiates = role == session::Role::kInitiator;
    if (fixgate_initiates) qf.emplace(PeerOptions{.acceptor = true});
    EXPECT_TRUE(
        fg.initialize_session(fixgate_config(kFix44, role, fixgate_initiates ? qf->port() : 0))
            .is_ok());
    fg->on_event(event_lines(events));
    EXPECT_TRUE(fg.start_session().is_ok());
    if (!fixgate_initiates) qf.emplace(PeerOptions{.acceptor = false, .port = fg->local_port()});
    EXPECT_EQ(qf->await("LOGON"), "LOGON") << qf->history();
    EXPECT_TRUE(fg->wait_for_status(SessionStatus::kActive, 10s));
    order_each_way(*qf, fg, "1", 2);
    order_each_way(*qf, fg, "2", 3);
    expect_numbers(*qf, fg, 4);
  }

  // Once a reset was asked for (by QuickFIX when `quickfix_started`) since `mark` (QuickFIX's
  // lines) and `from` (our events): both sides reset and answered, traffic goes on from 2 both
  // ways, and then the initiator logs out cleanly.
  void expect_reset_then_traffic(size_t mark, size_t from, bool quickfix_started) {
    // QuickFIX has answered (or received the answer to) a Logon with 141=Y, and so have we.
    EXPECT_NE(qf->await(quickfix_started ? "IN 35=A " : "OUT 35=A "), "") << qf->history(mark);
    EXPECT_EQ(
        events.wait_for_line(from, [](std::string_view l) { return l.starts_with("IN 35=A"); }),
        kResetLogon);
    order_each_way(*qf, fg, "after", 2);
    expect_numbers(*qf, fg, 3);
    expect_one_reset_logon_each_way(*qf, mark, quickfix_started ? "OUT " : "IN ");
    EXPECT_TRUE(fg->is_logged_on());
    const auto stats = fg->stats();
    EXPECT_EQ(stats.resend_requests_sent + stats.resend_requests_received, 0u);
    EXPECT_EQ(stats.rejects_sent + stats.rejects_received, 0u);
    EXPECT_EQ(stats.logouts, 0u);
  }
};

TEST(QuickFixSequenceReset, QuickFixInitiatorStartsItAndFixgateAnswers) {
  LoggedOnPair p(session::Role::kAcceptor);
  const size_t mark = p.qf->mark(), from = p.events.size();
  p.qf->send("reset");  // its application sends a Logon with ResetSeqNumFlag=Y
  p.expect_reset_then_traffic(mark, from, /*quickfix_started=*/true);
  p.qf->send("logout");
  EXPECT_EQ(p.qf->await("LOGOUT"), "LOGOUT") << p.qf->history(mark);
  EXPECT_TRUE(p.fg->wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(p.qf->finish(), 0);
}

TEST(QuickFixSequenceReset, FixgateInitiatorStartsItAndQuickFixAnswers) {
  LoggedOnPair p(session::Role::kInitiator);
  const size_t mark = p.qf->mark(), from = p.events.size();
  ASSERT_TRUE(p.fg->reset_sequence_numbers().is_ok());
  p.expect_reset_then_traffic(mark, from, /*quickfix_started=*/false);
  ASSERT_TRUE(p.fg->logout("").wait(5s).is_ok());
  EXPECT_EQ(p.qf->await("LOGOUT"), "LOGOUT") << p.qf->history(mark);
  EXPECT_EQ(p.qf->finish(), 0);
}

TEST(QuickFixSequenceReset, FixgateAcceptorStartsItAndQuickFixAnswers) {
  LoggedOnPair p(session::Role::kAcceptor);
  const size_t mark = p.qf->mark(), from = p.events.size();
  ASSERT_TRUE(p.fg->reset_sequence_numbers().is_ok());
  p.expect_reset_then_traffic(mark, from, /*quickfix_started=*/false);
  p.qf->send("logout");
  EXPECT_EQ(p.qf->await("LOGOUT"), "LOGOUT") << p.qf->history(mark);
  EXPECT_TRUE(p.fg->wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(p.qf->finish(), 0);
}

}  // namespace
}  // namespace fixgate::engine
