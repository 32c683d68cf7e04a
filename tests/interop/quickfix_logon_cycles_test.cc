// ResetOnLogon on the initiator (N/Y) × on the acceptor (N/Y), logon cycle after logon cycle
// (logon, an order each way, logout), FIX 4.4 over loopback TCP. QuickFIX against QuickFIX runs
// first as the reference; then fixgate as the initiator against a QuickFIX acceptor, and a
// QuickFIX initiator against fixgate as the acceptor, must come to the same outcome in every
// cycle: logged on, or the initiator refusing the acceptor's Logon with the same Text. In every
// logged-on cycle each direction's sequence numbers are consecutive (none reused or lost), from 1
// after a reset and from the previous cycle's next number otherwise, and both engines agree on
// the next numbers afterwards.
//
// 20 cycles per pairing here; FIXGATE_LOGON_CYCLES sets another count (the soak label runs
// 100: ctest --test-dir build -L soak).
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
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

int logon_cycles() {
  const char* n = std::getenv("FIXGATE_LOGON_CYCLES");
  return n && std::atoi(n) > 0 ? std::atoi(n) : 20;
}

struct Combination {
  bool initiator_reset;  // ResetOnLogon on the initiator
  bool acceptor_reset;   // and on the acceptor
  std::string_view name;
};

void PrintTo(const Combination& c, std::ostream* os) {
  *os << "initiator ResetOnLogon=" << (c.initiator_reset ? 'Y' : 'N')
      << ", acceptor ResetOnLogon=" << (c.acceptor_reset ? 'Y' : 'N');
}

constexpr std::string_view kLoggedOn = "logged on";
// What one cycle came to, as the initiator saw it: kLoggedOn, or "refused: <its Logout's Text>".
using Outcomes = std::vector<std::string>;

// What QuickFIX's Session.cpp does (nextLogon, generateLogon, shouldSendReset): a reset asked
// for by the initiator (141=Y) is answered in kind, so those cycles all log on. An acceptor
// resetting on its own answers at MsgSeqNum 1 without 141=Y; from the second cycle on, the
// initiator expects 4 (Logon, order and Logout took 1 to 3) and refuses.
Outcomes expected_outcomes(const Combination& c, int cycles) {
  Outcomes out(static_cast<size_t>(cycles), std::string(kLoggedOn));
  if (c.acceptor_reset && !c.initiator_reset)
    for (size_t i = 1; i < out.size(); ++i)
      out[i] = "refused: MsgSeqNum too low, expecting 4 but received 1";
  return out;
}

// The next sequence number each way, as one QuickFIX peer sees them (`in`: what it receives).
struct Numbering {
  uint64_t in = 1, out = 1;
};

// One logged-on cycle's messages both ways, as `qf` traced them from `mark` on: every number
// used once, consecutive from `next` (from 1 when the cycle reset them). Advances `next`.
void check_numbers(const QuickFixPeer& qf, size_t mark, bool reset, Numbering& next) {
  if (reset) next = {};
  for (const auto& line : qf.lines(mark)) {
    const bool in = line.starts_with("IN ");
    if (!in && !line.starts_with("OUT ")) continue;
    uint64_t& expected = in ? next.in : next.out;
    const uint64_t seq = std::stoull(field(line, "34"));
    EXPECT_EQ(seq, expected) << "a sequence number reused or lost: " << line << qf.history(mark);
    EXPECT_EQ(field(line, "43"), "") << "a resend in a clean cycle: " << line;
    expected = seq + 1;
  }
}

// The Text of the last Logout `qf` traced from `mark` on (`way`: "IN " or "OUT ").
std::string logout_text(const QuickFixPeer& qf, size_t mark, std::string_view way) {
  std::string text;
  for (const auto& line : qf.lines(mark))
    if (line.starts_with(way) && field(line, "35") == "5") text = field(line, "58");
  return text;
}

// The initiator's outcome, awaited on a QuickFIX initiator told to `logon`: LOGON, or LOGOUT
// after refusing (its own Logout says why).
std::string quickfix_initiator_logs_on(QuickFixPeer& qf) {
  const size_t mark = qf.mark();
  qf.send("logon");
  const std::string line =
      qf.await([](std::string_view l) { return l == "LOGON" || l == "LOGOUT"; });
  EXPECT_FALSE(line.empty()) << "no logon and no logout" << qf.history(mark);
  return line == "LOGON" ? std::string(kLoggedOn) : "refused: " + logout_text(qf, mark, "OUT ");
}

// QuickFIX's `order` came through: `qf` traced the APP line of the order the other side sent.
void expect_app(QuickFixPeer& qf, const std::string& clordid) {
  EXPECT_EQ(field(qf.await("APP "), "11"), clordid) << qf.history();
}

// QuickFIX's `order` reached fixgate's application.
void expect_order(SessionManager& fg, const std::string& clordid) {
  auto order = fg->receive(10s);
  ASSERT_TRUE(order) << "no order " << clordid;
  EXPECT_EQ(clordid_of(order->bytes), clordid);
}

// Both engines agree on the next numbers each way.
void expect_same_numbers(QuickFixPeer& qf, const SessionManager& fg) {
  const auto [qf_sender, qf_target] = qf.seq();
  const auto [fg_in, fg_out] = fg->sequence_numbers();
  EXPECT_EQ(fg_in.value, qf_sender);
  EXPECT_EQ(fg_out.value, qf_target);
}

Outcomes fixgate_initiator(const Combination& c, int cycles) {
  QuickFixPeer qf(PeerOptions{.acceptor = true, .reset_on_logon = c.acceptor_reset});
  TextLog events;
  SessionManager fg;
  SessionOptions config = fixgate_config(kFix44, session::Role::kInitiator, qf.port());
  config.session.reset_on_logon = c.initiator_reset;
  EXPECT_TRUE(fg.initialize_session(config).is_ok());
  fg->on_event(event_lines(events));
  Outcomes outcomes;
  Numbering next;
  for (int k = 0; k < cycles; ++k) {
    const size_t mark = qf.mark(), from = events.size();
    EXPECT_TRUE(fg.start_session().is_ok());
    // Logged on, or disconnected (after refusing QuickFIX's Logon: our Logout says why).
    const std::string status = events.wait_for_line(from, [](std::string_view l) {
      return l == "STATUS Active" || l.starts_with("DISCONNECT ");
    });
    if (status == "STATUS Active") {
      outcomes.emplace_back(kLoggedOn);
      EXPECT_TRUE(fg->send("D", order_body("FG-" + std::to_string(k))).is_ok());
      qf.send("order QF-" + std::to_string(k));
      expect_app(qf, "FG-" + std::to_string(k));
      expect_order(fg, "QF-" + std::to_string(k));
      EXPECT_TRUE(fg->logout("").wait(5s).is_ok());
      EXPECT_EQ(qf.await("LOGOUT"), "LOGOUT") << qf.history(mark);
      check_numbers(qf, mark, c.initiator_reset, next);
      expect_same_numbers(qf, fg);
    } else {
      EXPECT_TRUE(status.starts_with("DISCONNECT ")) << "neither logged on nor refused";
      EXPECT_EQ(qf.await("LOGOUT"), "LOGOUT") << qf.history(mark);
      // Our Logout reached QuickFIX, with the reason we disconnected for.
      const std::string text = logout_text(qf, mark, "IN ");
      EXPECT_EQ(status, "DISCONNECT " + text);
      outcomes.push_back("refused: " + text);
    }
    fg.stop_session();
  }
  return outcomes;
}

// The acceptor's part in the cycles a QuickFIX initiator drives: QuickFIX or fixgate.
struct AcceptorSide {
  // Once logged on: sends its order (ClOrdID A-k), and receives the initiator's (I-k).
  std::function<void(int k)> exchange_orders;
  // Awaits the end of the cycle on its side (`logged_on`: and checks it).
  std::function<void(bool logged_on)> cycle_ended;
};

// Logon cycles driven by a QuickFIX initiator (logon=manual) against `acceptor`.
Outcomes quickfix_initiator_cycles(QuickFixPeer& initiator, const AcceptorSide& acceptor,
                                   const Combination& c, int cycles) {
  Outcomes outcomes;
  Numbering next;
  for (int k = 0; k < cycles; ++k) {
    const size_t mark = initiator.mark();
    outcomes.push_back(quickfix_initiator_logs_on(initiator));
    const bool logged_on = outcomes.back() == kLoggedOn;
    if (logged_on) {
      initiator.send("order I-" + std::to_string(k));
      acceptor.exchange_orders(k);
      expect_app(initiator, "A-" + std::to_string(k));
      initiator.send("logout");
      EXPECT_EQ(initiator.await("LOGOUT"), "LOGOUT") << initiator.history(mark);
      check_numbers(initiator, mark, c.initiator_reset, next);
    }
    acceptor.cycle_ended(logged_on);
  }
  return outcomes;
}

Outcomes quickfix_pair(const Combination& c, int cycles) {
  QuickFixPeer acceptor(PeerOptions{
      .acceptor = true, .sender = "QA", .target = "QI", .reset_on_logon = c.acceptor_reset});
  QuickFixPeer initiator(PeerOptions{.acceptor = false,
                                     .port = acceptor.port(),
                                     .sender = "QI",
                                     .target = "QA",
                                     .reset_on_logon = c.initiator_reset,
                                     .manual_logon = true});
  AcceptorSide side{
      .exchange_orders =
          [&](int k) {
            acceptor.send("order A-" + std::to_string(k));
            expect_app(acceptor, "I-" + std::to_string(k));
          },
      .cycle_ended =
          [&](bool) { EXPECT_EQ(acceptor.await("LOGOUT"), "LOGOUT") << acceptor.history(); }};
  return quickfix_initiator_cycles(initiator, side, c, cycles);
}

Outcomes fixgate_acceptor(const Combination& c, int cycles) {
  SessionManager fg;
  SessionOptions config = fixgate_config(kFix44, session::Role::kAcceptor);
  config.session.reset_on_logon = c.acceptor_reset;
  EXPECT_TRUE(fg.initialize_session(config).is_ok());
  EXPECT_TRUE(fg.start_session().is_ok());
  QuickFixPeer qf(PeerOptions{.acceptor = false,
                              .port = fg->local_port(),
                              .reset_on_logon = c.initiator_reset,
                              .manual_logon = true});
  AcceptorSide side{
      .exchange_orders =
          [&](int k) {
            EXPECT_TRUE(fg->wait_for_status(SessionStatus::kActive, 10s));
            EXPECT_TRUE(fg->send("D", order_body("A-" + std::to_string(k))).is_ok());
            expect_order(fg, "I-" + std::to_string(k));
          },
      .cycle_ended =
          [&](bool logged_on) {
            // Disconnected before the next cycle connects.
            EXPECT_TRUE(fg->wait_for_status(SessionStatus::kDisconnected, 10s));
            if (logged_on) expect_same_numbers(qf, fg);
          }};
  const Outcomes outcomes = quickfix_initiator_cycles(qf, side, c, cycles);
  fg.stop_session();
  return outcomes;
}

class ResetOnLogonMatrix : public ::testing::TestWithParam<Combination> {};

TEST_P(ResetOnLogonMatrix, FixgateComesToQuickFixsOutcomeInEveryCycleBothWays) {
  const Combination& c = GetParam();
  const int cycles = logon_cycles();
  const Outcomes reference = quickfix_pair(c, cycles);
  EXPECT_EQ(reference, expected_outcomes(c, cycles)) << "QuickFIX against QuickFIX";
  EXPECT_EQ(fixgate_initiator(c, cycles), reference) << "fixgate initiator, QuickFIX acceptor";
  EXPECT_EQ(fixgate_acceptor(c, cycles), reference) << "QuickFIX initiator, fixgate acceptor";
}

INSTANTIATE_TEST_SUITE_P(
    InitiatorAcceptor, ResetOnLogonMatrix,
    ::testing::Values(Combination{false, false, "NN"}, Combination{false, true, "NY"},
                      Combination{true, false, "YN"}, Combination{true, true, "YY"}),
    [](const ::testing::TestParamInfo<Combination>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace fixgate::engine
