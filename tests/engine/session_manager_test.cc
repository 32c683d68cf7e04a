// SessionManager over real loopback TCP: two fixgate sessions, initiator and acceptor.
#include "fixgate/engine/session_manager.h"

#include <gtest/gtest.h>
#include <functional>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include "echo_helpers.h"
#include "fixgate/session/memory_store.h"
#include "test_configs.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using session::SeqNum;
using session::SessionStatus;

using testing::acceptor_config;
using testing::clordid;
using testing::initiator_config;
using testing::order_body;

struct Pair {
  SessionManager acceptor, initiator;
  session::MemoryStore* acceptor_store = nullptr;
  session::MemoryStore* initiator_store = nullptr;

  // `acceptor_setup` registers handlers on the acceptor's session before it starts.
  void start(const std::function<void(SessionHandle&)>& acceptor_setup = {}) {
    auto as = std::make_unique<session::MemoryStore>();
    acceptor_store = as.get();
    ASSERT_TRUE(acceptor.initialize_session(acceptor_config(), std::move(as)).is_ok());
    if (acceptor_setup) acceptor_setup(acceptor.session());
    ASSERT_TRUE(acceptor.start_session().is_ok());
    ASSERT_NE(acceptor->local_port(), 0);
    auto is = std::make_unique<session::MemoryStore>();
    initiator_store = is.get();
    ASSERT_TRUE(
        initiator.initialize_session(initiator_config(acceptor->local_port()), std::move(is))
            .is_ok());
    ASSERT_TRUE(initiator.start_session().is_ok());
    ASSERT_TRUE(initiator->wait_for_status(SessionStatus::kActive, 5s));
    ASSERT_TRUE(acceptor->wait_for_status(SessionStatus::kActive, 5s));
  }
};

TEST(SessionManagerTest, LogsOnOverTcp) {
  Pair p;
  p.start();
  EXPECT_TRUE(p.initiator->is_logged_on());
  EXPECT_TRUE(p.acceptor->is_logged_on());
  EXPECT_EQ(p.initiator->sequence_numbers(), std::make_pair(SeqNum(2), SeqNum(2)));
}

TEST(SessionManagerTest, DeliversThousandsOfOrdersInOrderAndEchoesThem) {
  Pair p;
  p.start();
  constexpr int kOrders = 5000;
  for (int i = 0; i < kOrders; ++i) ASSERT_TRUE(p.initiator->send("D", order_body(i)).is_ok());
  for (int i = 0; i < kOrders; ++i) {
    auto m = p.acceptor->receive(5s);
    ASSERT_TRUE(m) << "order " << i << " missing";
    ASSERT_EQ(clordid(*m), "ORD-" + std::to_string(i));
    EXPECT_EQ(m->seq, SeqNum(static_cast<uint64_t>(i) + 2));
    ASSERT_TRUE(p.acceptor
                    ->send("8", "11=" + clordid(*m) +
                                    "\x01"
                                    "150=0\x01")
                    .is_ok());
  }
  for (int i = 0; i < kOrders; ++i) {
    auto echo = p.initiator->receive(5s);
    ASSERT_TRUE(echo);
    ASSERT_EQ(clordid(*echo), "ORD-" + std::to_string(i));
  }
  EXPECT_EQ(p.acceptor->stats().messages_received, kOrders + 1u);
}

// A loop thread reads on its own: it must stop at receive_queue_capacity and leave the rest of
// the counterparty's messages in the socket until the application takes some.
TEST(SessionManagerTest, PausesReadingWhileTheReceiveQueueIsFull) {
  testing::EchoAcceptor acceptor;
  acceptor.start();
  fixgate::testing::TextLog events;  // before the client, whose loop thread writes it
  SessionManager client;
  SessionOptions c = initiator_config(acceptor.manager->local_port());
  c.receive_queue_capacity = 4;
  testing::log_on(client, c, [&](SessionHandle& s) { s.on_event(events.listener()); });
  constexpr int kOrders = 1000;  // about 100 KB of echoes: several reads
  for (int i = 0; i < kOrders; ++i) ASSERT_TRUE(client->send("D", order_body(i)).is_ok());
  ASSERT_TRUE(acceptor.wait_for_echoes(kOrders, 10s));
  ASSERT_TRUE(events.wait_for(testing::kQueueFull, 10s));
  // Nothing is taken yet, so reading stays paused: the queue holds what the reads before the
  // pause brought, and the other echoes are still in the socket.
  const ReceiveQueueStats full = client->receive_queue_stats();
  EXPECT_TRUE(full.paused);
  EXPECT_EQ(full.pauses, 1u);
  EXPECT_GE(full.queued, 4u);
  EXPECT_LT(full.queued, size_t{kOrders});
  EXPECT_LT(client->stats().messages_received, kOrders + 1u);  // with the Logon
  for (int i = 0; i < kOrders; ++i) {
    auto echo = client->receive(5s);
    ASSERT_TRUE(echo) << "echo " << i;
    ASSERT_EQ(clordid(*echo), "ORD-" + std::to_string(i));
  }
  testing::expect_each_pause_logged_and_drained(client, events, kOrders);
}

TEST(SessionManagerTest, HandlerRegistryReceivesMessagesByType) {
  Pair p;
  std::promise<std::string> got;
  p.start([&](SessionHandle& s) {
    s.on("D", [&](const codec::Message& m) {
      got.set_value(std::string(m.get(tag::ClOrdID).value_or("")));
    });
  });
  ASSERT_TRUE(p.initiator->send("D", order_body(42)).is_ok());
  auto f = got.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(f.get(), "ORD-42");
  EXPECT_FALSE(p.acceptor->receive(50ms));  // handled, not queued
}

TEST(SessionManagerTest, RequestLogoffDoesTheLogoutHandshake) {
  Pair p;
  p.start();
  ASSERT_TRUE(p.initiator->logout("").wait(5s).is_ok());
  EXPECT_EQ(p.initiator->status(), SessionStatus::kDisconnected);
  ASSERT_TRUE(p.acceptor->wait_for_status(SessionStatus::kDisconnected, 5s));
  EXPECT_EQ(p.initiator->stats().logouts, 1u);
}

TEST(SessionManagerTest, SendingWhileLoggedOffIsAnError) {
  SessionManager m;
  ASSERT_TRUE(m.initialize_session(initiator_config(1)).is_ok());
  EXPECT_FALSE(m->send("D", order_body(1)).is_ok());
  ASSERT_TRUE(m.start_session().is_ok());
  Status s = m->send("D", order_body(1));
  EXPECT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("not logged on"), std::string::npos) << s.message();
}

TEST(SessionManagerTest, InitializeRejectsIncompleteConfiguration) {
  SessionManager m;
  SessionOptions c = initiator_config(1);
  c.connect.clear();
  EXPECT_FALSE(m.initialize_session(c).is_ok());
  c = initiator_config(1);
  c.session.id.sender_comp_id.clear();
  EXPECT_FALSE(m.initialize_session(c).is_ok());
}

TEST(SessionManagerTest, AdminApiSendsHeartbeatAndTestRequest) {
  Pair p;
  p.start();
  ASSERT_TRUE(p.initiator->send_heartbeat().is_ok());
  ASSERT_TRUE(p.initiator->send_test_request("PING").is_ok());
  // The acceptor answers the TestRequest with a Heartbeat: wait for both to have arrived.
  for (int i = 0; i < 500 && p.initiator->stats().heartbeats_received < 1; ++i)
    ASSERT_FALSE(p.initiator->receive(10ms));  // waits on the inbox condition, 10 ms each
  EXPECT_GE(p.initiator->stats().heartbeats_received, 1u);
  EXPECT_GE(p.acceptor->stats().test_requests_received, 1u);
}

TEST(SessionManagerTest, WritesQuickFixStyleMessageAndEventLogs) {
  std::string dir = ::testing::TempDir() + "/fixgate-logs-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  {
    SessionManager acceptor, initiator;
    SessionOptions ac = acceptor_config();
    ac.log_directory = dir;
    ASSERT_TRUE(acceptor.initialize_session(ac).is_ok());
    ASSERT_TRUE(acceptor.start_session().is_ok());
    ASSERT_TRUE(initiator.initialize_session(initiator_config(acceptor->local_port())).is_ok());
    ASSERT_TRUE(initiator.start_session().is_ok());
    ASSERT_TRUE(acceptor->wait_for_status(SessionStatus::kActive, 5s));
    ASSERT_TRUE(initiator->wait_for_status(SessionStatus::kActive, 5s));
    ASSERT_TRUE(initiator->send("D", order_body(7)).is_ok());
    ASSERT_TRUE(acceptor->receive(5s));
    ASSERT_TRUE(initiator->logout("").wait(5s).is_ok());
    ASSERT_TRUE(acceptor->wait_for_status(SessionStatus::kDisconnected, 5s));
  }
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::string messages = read(dir + "/FIX.4.4-SERVER-CLIENT.messages.current.log");
  std::string events = read(dir + "/FIX.4.4-SERVER-CLIENT.event.current.log");
  // Inbound Logon, our Logon reply, the order, both Logouts: each a line "timestamp : message".
  EXPECT_NE(messages.find(" : 8=FIX.4.4\x01"
                          "9="),
            std::string::npos)
      << messages;
  EXPECT_NE(messages.find("35=D\x01"), std::string::npos);
  EXPECT_EQ(std::count(messages.begin(), messages.end(), '\n'), 5) << messages;
  EXPECT_NE(events.find("Active"), std::string::npos) << events;
  EXPECT_NE(events.find("LoggedOut"), std::string::npos) << events;
  if (::testing::Test::HasFailure()) std::cerr << events;
  std::filesystem::remove_all(dir);
}

// fix_reconnect: a forced disconnect with messages in flight, then reconnect and resend.
TEST(FixReconnectTcp, ForcedDisconnectThenReconnectLosesAndDuplicatesNothing) {
  Pair p;
  p.start();
  constexpr int kBefore = 300, kAfter = 300;
  for (int i = 0; i < kBefore; ++i) ASSERT_TRUE(p.initiator->send("D", order_body(i)).is_ok());
  // Drop the acceptor's side at once, in the middle of the stream.
  p.acceptor.stop_session();
  // The initiator notices and goes into reconnect; sending fails while it is down.
  ASSERT_TRUE(p.initiator->wait_for_status(SessionStatus::kDisconnected, 5s) ||
              p.initiator->wait_for_status(SessionStatus::kConnecting, 5s));
  ASSERT_TRUE(p.acceptor.start_session().is_ok());
  ASSERT_TRUE(p.initiator->wait_for_status(SessionStatus::kActive, 10s));
  for (int i = kBefore; i < kBefore + kAfter; ++i)
    ASSERT_TRUE(p.initiator->send("D", order_body(i)).is_ok());
  std::set<std::string> seen;
  std::vector<std::string> order;
  for (int i = 0; i < kBefore + kAfter; ++i) {
    auto m = p.acceptor->receive(10s);
    ASSERT_TRUE(m) << "only " << i << " of " << kBefore + kAfter << " arrived";
    std::string id = clordid(*m);
    EXPECT_TRUE(seen.insert(id).second) << id << " delivered twice";
    order.push_back(id);
  }
  EXPECT_FALSE(p.acceptor->receive(100ms));
  for (int i = 0; i < kBefore + kAfter; ++i) EXPECT_EQ(order[i], "ORD-" + std::to_string(i));
}

}  // namespace
}  // namespace fixgate::engine
