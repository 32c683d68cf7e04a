// Sending built messages (SessionHandle::send, SessionManager::send) over loopback TCP: typed
// fields and groups arrive as built and read back with typed gets, a handler's send is a reply,
// and a builder with a misuse is refused without using a sequence number.
#include <gtest/gtest.h>
#include <functional>
#include <stdexcept>

#include <future>

#include "fixgate/engine/session_manager.h"
#include "test_configs.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using codec::Decimal;
using codec::FieldRange;
using codec::MessageBuilder;
using session::SessionStatus;
using testing::acceptor_config;
using testing::initiator_config;

constexpr int64_t kTransactTime = 1'795'348'800'123'456'789;  // 2026-11-22 12:00:00.123456789

void build_order(MessageBuilder& order) {
  order.reset(msg_type::NewOrderSingle)
      .set(tag::ClOrdID, "ORD-1")
      .begin_group(tag::NoPartyIDs, 2)
      .entry()
      .set(tag::PartyID, "ACME")
      .set(tag::PartyRole, 3)
      .entry()
      .set(tag::PartyID, "DESK-7")
      .set(tag::PartyRole, 24)
      .end_group()
      .set(tag::Symbol, "IBM")
      .set(tag::Side, '1')
      .set(tag::TransactTime, codec::UtcTimestamp{kTransactTime, codec::TimePrecision::kNanos})
      .set(tag::OrderQty, 100)
      .set(tag::OrdType, '2')
      .set(tag::Price, Decimal(1250, 2));
}

struct Pair {
  SessionManager broker, client;
  // `broker_setup` registers the broker's handlers before it starts.
  void start(const std::function<void(SessionHandle&)>& broker_setup = {}) {
    ASSERT_TRUE(broker.initialize_session(acceptor_config()).is_ok());
    if (broker_setup) broker_setup(broker.session());
    ASSERT_TRUE(broker.start_session().is_ok());
    ASSERT_TRUE(client.initialize_session(initiator_config(broker->local_port())).is_ok());
    ASSERT_TRUE(client.start_session().is_ok());
    ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 5s));
  }
};

TEST(SendBuilderTest, ABuiltOrderArrivesAndAHandlerRepliesWithABuiltReport) {
  Pair p;
  std::promise<std::string> seen;
  MessageBuilder report;  // the handler's, reused for every reply
  p.start([&](SessionHandle& broker) {
    broker.on(msg_type::NewOrderSingle, [&](const codec::Message& order) {
      std::string parties;
      for (FieldRange party : order.group(tag::NoPartyIDs, tag::PartyID))
        parties += std::string(*party.get<std::string_view>(tag::PartyID)) + "/" +
                   std::to_string(*party.get<int>(tag::PartyRole)) + " ";
      seen.set_value(parties + order.get<codec::UtcTimestamp>(tag::TransactTime)->to_string());
      report.reset(msg_type::ExecutionReport)
          .set(tag::OrderID, "O-1")
          .set(tag::ExecID, "E-1")
          .set(tag::ExecType, '0')
          .set(tag::OrdStatus, '0')
          .set(tag::ClOrdID, *order.get<std::string_view>(tag::ClOrdID))
          .set(tag::LeavesQty, *order.get<int64_t>(tag::OrderQty))
          .set(tag::Price, *order.get<Decimal>(tag::Price));
      EXPECT_TRUE(p.broker->send(report).is_ok());  // a reply: sent once the handler returns
    });
  });

  MessageBuilder order;
  build_order(order);
  ASSERT_TRUE(p.client->send(order).is_ok());
  auto f = seen.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(f.get(), "ACME/3 DESK-7/24 20261122-12:00:00.123456789");

  auto got = p.client->receive(5s);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->msg_type, "8");
  codec::Message msg;
  ASSERT_TRUE(msg.parse(got->bytes).ok());
  EXPECT_EQ(*msg.get<std::string_view>(tag::ClOrdID), "ORD-1");
  EXPECT_EQ(*msg.get<int>(tag::LeavesQty), 100);
  EXPECT_TRUE(msg.get<Decimal>(tag::Price)->same_representation(Decimal(1250, 2)));
  EXPECT_TRUE(msg.get<char>(tag::LastPx).absent());
}

TEST(SendBuilderTest, AMisusedBuilderIsRefusedAndUsesNoSequenceNumber) {
  Pair p;
  p.start();
  const auto before = p.client->sequence_numbers();
  MessageBuilder order;
  build_order(order);
  order.begin_group(tag::NoPartyIDs, 2).entry().set(tag::PartyID, "X").end_group();
  SendResult s = p.client->send(order);
  EXPECT_EQ(s.code(), SendCode::kRefused);
  EXPECT_EQ(s.message(),
            "message builder: group entries differ from the declared count (group 453: 2 "
            "entries declared, 1 added)");
  MessageBuilder open_group(msg_type::NewOrderSingle);
  open_group.begin_group(tag::NoPartyIDs, 1).entry().set(tag::PartyID, "X");
  EXPECT_FALSE(p.client->send(open_group).is_ok());
  EXPECT_EQ(p.client->sequence_numbers(), before);
}

TEST(SendBuilderTest, AManagerWithoutASessionSaysSo) {
  SessionManager m;
  EXPECT_FALSE(m.initialized());
  MessageBuilder order;
  build_order(order);
  try {
    (void)m->send(order);
    ADD_FAILURE() << "no session, yet send() returned";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("initialize_session() first"), std::string::npos);
  }
  EXPECT_FALSE(m.start_session().is_ok());
}

}  // namespace
}  // namespace fixgate::engine
