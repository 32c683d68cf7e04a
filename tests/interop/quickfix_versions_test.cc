// fixgate against QuickFIX/C++ 1.15 in every FIX version, each way, over loopback TCP through a
// relay that loses single messages: FIX 4.0, 4.1, 4.2, 4.3, 4.4 and FIXT.1.1 with FIX 5.0 SP2,
// each side validating with that version's dictionary. Per version and role: logon, echoes
// checked field by field, one message lost in each direction (the receiver's ResendRequest and
// the resend bring it back: every order and every echo delivered exactly once), logout seen
// from both sides.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "../support/tcp_proxy.h"
#include "fixgate/codec/message.h"
#include "fixgate/dict/groups.h"
#include "fixgate/engine/session_manager.h"
#include "orders.h"
#include "quickfix_peer.h"

namespace fixgate::engine {
namespace {

using fixgate::testing::field;
using fixgate::testing::fixgate_config;
using fixgate::testing::FixVersion;
using fixgate::testing::PeerOptions;
using fixgate::testing::QuickFixPeer;
using fixgate::testing::TcpProxy;
using Direction = TcpProxy::Direction;

using namespace std::chrono_literals;
using session::SessionStatus;

// ClOrdID as it is on the wire, for a drop rule.
std::string clordid_field(std::string_view id) {
  return "\x01"
         "11=" +
         std::string(id) + "\x01";
}

// The orders of one phase, echoed in this order.
const std::vector<std::string> kEchoes = {"ECHO-1", "ECHO-2", "ECHO-3"};
// GAP-2 is lost on its way to the acceptor (whichever engine that is), the echo of GAP-5 on its
// way back: each receiver sees a gap at the message after it.
const std::vector<std::string> kGapOut = {"GAP-1", "GAP-2", "GAP-3"};
const std::vector<std::string> kGapBack = {"GAP-4", "GAP-5", "GAP-6"};

void lose_gap_messages(TcpProxy& proxy) {
  proxy.drop_once(Direction::kToServer, clordid_field("GAP-2"));
  proxy.drop_once(Direction::kToClient, clordid_field("GAP-5"));
}

// The order's fields as QuickFIX's event line shows them (see order_body).
void expect_order_fields(std::string_view line) {
  EXPECT_EQ(field(line, "55"), "IBM") << line;
  EXPECT_EQ(field(line, "54"), "1") << line;
  EXPECT_EQ(field(line, "38"), "100") << line;
  EXPECT_EQ(field(line, "40"), "1") << line;
}

// Each of `ids` delivered to QuickFIX's fromApp once, in this order, with the order's fields;
// `resent` the one that came as a resend (PossDupFlag=Y).
void expect_quickfix_delivers(QuickFixPeer& qf, const std::vector<std::string>& ids,
                              std::string_view resent = "") {
  for (const auto& id : ids) {
    const std::string line = qf.await("APP ");
    ASSERT_EQ(field(line, "11"), id) << qf.history();
    EXPECT_EQ(field(line, "35"), "D") << line;
    EXPECT_EQ(field(line, "43"), id == resent ? "Y" : "") << line;
    expect_order_fields(line);
  }
}

// Each ClOrdID delivered to QuickFIX's fromApp exactly once over the whole test.
void expect_quickfix_delivered_once(const QuickFixPeer& qf, size_t expected) {
  std::map<std::string, int> seen;
  for (const auto& line : qf.lines())
    if (line.starts_with("APP ")) ++seen[field(line, "11")];
  EXPECT_EQ(seen.size(), expected);
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id << " delivered " << n << " times";
}

class QuickFixVersions : public ::testing::TestWithParam<FixVersion> {};

TEST_P(QuickFixVersions, FixgateInitiatorAgainstQuickFixAcceptor) {
  const FixVersion& v = GetParam();
  QuickFixPeer qf(PeerOptions{.acceptor = true, .version = v, .echo = true});
  TcpProxy proxy(qf.port());
  lose_gap_messages(proxy);
  SessionManager fg;
  ASSERT_TRUE(
      fg.initialize_session(fixgate_config(v, session::Role::kInitiator, proxy.port())).is_ok());
  ASSERT_TRUE(fg.start_session().is_ok());
  ASSERT_TRUE(fg->wait_for_status(SessionStatus::kActive, 10s));
  ASSERT_EQ(qf.await("LOGON"), "LOGON") << qf.history();

  // Every echo comes back once, in order, with the order's fields; `resent` as a resend.
  auto send_and_check = [&](const std::vector<std::string>& ids, std::string_view resent) {
    for (const auto& id : ids)
      ASSERT_TRUE(fg->send("D", order_body(id, v.begin_string)).is_ok());
    for (const auto& id : ids) {
      auto echo = fg->receive(10s);
      ASSERT_TRUE(echo) << "no echo of " << id << qf.history();
      codec::Message m;
      ASSERT_TRUE(m.parse(echo->bytes).ok());
      EXPECT_EQ(m.msg_type(), "D");
      EXPECT_EQ(m.get(tag::ClOrdID).value_or(""), id);
      EXPECT_EQ(m.get(tag::Symbol).value_or(""), "IBM");
      EXPECT_EQ(m.get(tag::OrderQty).value_or(""), "100");
      EXPECT_EQ(echo->poss_dup, id == resent) << id;
    }
  };
  send_and_check(kEchoes, "");
  expect_quickfix_delivers(qf, kEchoes);

  // GAP-2 lost on the way: QuickFIX asks for it again when GAP-3 arrives, and gets it resent.
  send_and_check(kGapOut, "");
  expect_quickfix_delivers(qf, kGapOut, "GAP-2");
  // The echo of GAP-5 lost on the way: we ask for it when GAP-6's arrives.
  send_and_check(kGapBack, "GAP-5");
  expect_quickfix_delivers(qf, kGapBack);
  EXPECT_EQ(proxy.dropped(), 2);

  const size_t mark = qf.mark();
  ASSERT_TRUE(fg->logout("").wait(5s).is_ok());
  EXPECT_NE(qf.await("IN 35=5 "), "") << qf.history(mark);   // our Logout arrived
  EXPECT_NE(qf.await("OUT 35=5 "), "") << qf.history(mark);  // and was answered
  EXPECT_EQ(qf.await("LOGOUT"), "LOGOUT") << qf.history(mark);
  EXPECT_FALSE(fg->receive(0ms));  // every echo arrived once: nothing more came
  expect_quickfix_delivered_once(qf, kEchoes.size() + kGapOut.size() + kGapBack.size());
  const auto stats = fg->stats();
  EXPECT_EQ(stats.logouts, 1u);
  EXPECT_EQ(stats.resend_requests_sent, 1u);      // for the echo of GAP-5
  EXPECT_EQ(stats.resend_requests_received, 1u);  // for GAP-2
  EXPECT_EQ(stats.rejects_sent, 0u);
  EXPECT_EQ(stats.rejects_received, 0u);
  EXPECT_EQ(qf.finish(), 0);
}

TEST_P(QuickFixVersions, QuickFixInitiatorAgainstFixgateAcceptor) {
  const FixVersion& v = GetParam();
  SessionManager fg;
  ASSERT_TRUE(fg.initialize_session(fixgate_config(v, session::Role::kAcceptor)).is_ok());
  std::mutex mu;
  std::map<std::string, int> delivered;  // ClOrdID -> times our handler saw it
  std::vector<std::string> poss_dups;
  fg->on("D", [&](const codec::Message& m) {
    {
      std::lock_guard lock(mu);
      const std::string id(m.get(tag::ClOrdID).value_or(""));
      ++delivered[id];
      if (m.get(tag::PossDupFlag).value_or("N") == "Y") poss_dups.push_back(id);
    }
    (void)fg->send("D", dict::body_fields(m));
  });
  ASSERT_TRUE(fg.start_session().is_ok());
  TcpProxy proxy(fg->local_port());
  lose_gap_messages(proxy);
  QuickFixPeer qf(PeerOptions{.acceptor = false, .version = v, .port = proxy.port()});
  ASSERT_EQ(qf.await("LOGON"), "LOGON") << qf.history();
  ASSERT_TRUE(fg->wait_for_status(SessionStatus::kActive, 10s));

  auto send_orders = [&qf](const std::vector<std::string>& ids) {
    for (const auto& id : ids) qf.send("order " + id);
  };
  send_orders(kEchoes);
  expect_quickfix_delivers(qf, kEchoes);
  // QuickFIX's GAP-2 lost on the way: we ask for it when GAP-3 arrives.
  send_orders(kGapOut);
  expect_quickfix_delivers(qf, kGapOut);
  // Our echo of GAP-5 lost on the way: QuickFIX asks for it when GAP-6's arrives.
  send_orders(kGapBack);
  expect_quickfix_delivers(qf, kGapBack, "GAP-5");
  EXPECT_EQ(proxy.dropped(), 2);

  const size_t mark = qf.mark();
  qf.send("logout");
  EXPECT_NE(qf.await("OUT 35=5 "), "") << qf.history(mark);
  EXPECT_NE(qf.await("IN 35=5 "), "") << qf.history(mark);  // we answered it
  EXPECT_EQ(qf.await("LOGOUT"), "LOGOUT") << qf.history(mark);
  ASSERT_TRUE(fg->wait_for_status(SessionStatus::kDisconnected, 10s));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(delivered.size(), kEchoes.size() + kGapOut.size() + kGapBack.size());
    for (const auto& [id, n] : delivered) EXPECT_EQ(n, 1) << id << " delivered " << n << " times";
    EXPECT_EQ(poss_dups, std::vector<std::string>{"GAP-2"});
  }
  expect_quickfix_delivered_once(qf, kEchoes.size() + kGapOut.size() + kGapBack.size());
  const auto stats = fg->stats();
  EXPECT_EQ(stats.logouts, 1u);                   // QuickFIX's Logout arrived
  EXPECT_EQ(stats.resend_requests_sent, 1u);      // for GAP-2
  EXPECT_EQ(stats.resend_requests_received, 1u);  // for the echo of GAP-5
  EXPECT_EQ(stats.rejects_sent, 0u);
  EXPECT_EQ(stats.rejects_received, 0u);
  EXPECT_EQ(qf.finish(), 0);
}

INSTANTIATE_TEST_SUITE_P(AllVersions, QuickFixVersions,
                         ::testing::ValuesIn(fixgate::testing::kAllVersions),
                         [](const ::testing::TestParamInfo<FixVersion>& p) {
                           return std::string(p.param.name);
                         });

}  // namespace
}  // namespace fixgate::engine
