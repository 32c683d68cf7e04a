// Dynamic acceptor sessions from a template (QuickFIX/J's AcceptorTemplate) behind an allow-list,
// over loopback TCP.
#include <gtest/gtest.h>

#include <mutex>

#include "../support/text_log.h"
#include "fixgate/engine/engine.h"
#include "fixgate/session/memory_store.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using session::SessionStatus;

SessionOptions client(const std::string& us, uint16_t port) {
  SessionOptions c;
  c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = us, .target_comp_id = "GW"};
  c.session.role = session::Role::kInitiator;
  c.connect = {{"127.0.0.1", port}};
  c.reconnect.initial = 50ms;
  return c;
}

// A gateway with one configured session (GW->KNOWN) and a template on the same port that lets
// ALICE and BOB in; every dynamic session echoes NewOrderSingles.
struct Gateway {
  testing::TextLog log;  // before the engine: its threads log into it
  std::mutex mu;
  std::vector<std::string> stores_made;
  Engine engine{EngineOptions{.threads = 2, .on_log = log.sink()}};
  uint16_t port = 0;

  Gateway() {
    SessionOptions known;
    known.session.id = {
        .begin_string = "FIX.4.4", .sender_comp_id = "GW", .target_comp_id = "KNOWN"};
    known.session.role = session::Role::kAcceptor;
    known.accept = {"127.0.0.1", 0};
    auto h = engine.add_session(known);
    EXPECT_TRUE(h);
    EXPECT_TRUE(engine.start());
    port = (*h)->local_port();
    engine.stop();

    AcceptorTemplate t;
    t.config.session.id = {
        .begin_string = "FIX.4.4", .sender_comp_id = "GW", .target_comp_id = "*"};
    t.config.session.role = session::Role::kAcceptor;
    t.config.accept = {"127.0.0.1", port};
    t.allowed_comp_ids = {"ALICE", "BOB"};
    t.store = [this](const session::SessionId& id) -> Result<std::unique_ptr<session::Store>> {
      std::lock_guard lock(mu);
      stores_made.push_back(id.to_string());
      return std::unique_ptr<session::Store>(std::make_unique<session::MemoryStore>());
    };
    t.on_session = [](SessionHandle& s) {
      SessionHandle* self = &s;
      s.on("D", [self](const codec::Message& m) {
        (void)self->send("8", "11=" + std::string(m.get(tag::ClOrdID).value_or("")) + "\x01");
      });
    };
    EXPECT_TRUE(engine.add_acceptor_template(std::move(t)));
    EXPECT_TRUE(engine.start());
  }
};

TEST(DynamicSessionTest, AllowedCounterpartyGetsASessionFromTheTemplate) {
  Gateway gw;
  Engine clients(EngineOptions{.threads = 1, .on_log = {}});
  auto alice = clients.add_session(client("ALICE", gw.port));
  ASSERT_TRUE(alice);
  ASSERT_TRUE(clients.start());
  ASSERT_TRUE((*alice)->wait_for_status(SessionStatus::kActive, 5s));
  EXPECT_TRUE(gw.log.wait_for("session FIX.4.4:GW->ALICE created from the acceptor template"));
  SessionHandle* made = gw.engine.find(
      {.begin_string = "FIX.4.4", .sender_comp_id = "GW", .target_comp_id = "ALICE"});
  ASSERT_NE(made, nullptr);
  EXPECT_TRUE(made->is_logged_on());
  {
    std::lock_guard lock(gw.mu);
    EXPECT_EQ(gw.stores_made, std::vector<std::string>{"FIX.4.4:GW->ALICE"});
  }
  // The handlers on_session registered answer ALICE.
  ASSERT_TRUE((*alice)->send("D", "11=A-1\x01"));
  auto echo = (*alice)->receive(5s);
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->msg_type, "8");

  // ALICE reconnects: the same session takes her, with its sequence numbers.
  const auto before = made->sequence_numbers();
  clients.stop();
  ASSERT_TRUE(made->wait_for_status(SessionStatus::kDisconnected, 5s));
  ASSERT_TRUE(clients.start());
  ASSERT_TRUE((*alice)->wait_for_status(SessionStatus::kActive, 5s));
  ASSERT_TRUE(made->wait_for_status(SessionStatus::kActive, 5s));
  EXPECT_GT(made->sequence_numbers().second, before.second);
  EXPECT_EQ(gw.engine.sessions().size(), 2u);  // KNOWN and ALICE: no second ALICE
  {
    std::lock_guard lock(gw.mu);
    EXPECT_EQ(gw.stores_made.size(), 1u);
  }
  clients.stop();
  gw.engine.stop();
}

TEST(DynamicSessionTest, CounterpartyNotOnTheAllowListIsRefused) {
  Gateway gw;
  Engine clients(EngineOptions{.threads = 1, .on_log = {}});
  auto mallory = clients.add_session(client("MALLORY", gw.port));
  ASSERT_TRUE(mallory);
  ASSERT_TRUE(clients.start());
  EXPECT_TRUE(gw.log.wait_for("MALLORY is not on the acceptor template's allow-list"));
  EXPECT_FALSE((*mallory)->is_logged_on());
  EXPECT_EQ(gw.engine.sessions().size(), 1u);
  clients.stop();
  gw.engine.stop();
}

TEST(DynamicSessionTest, TemplateMustBeAnAcceptorWithIdentity) {
  Engine engine;
  AcceptorTemplate t;
  t.config.session.role = session::Role::kInitiator;
  EXPECT_FALSE(engine.add_acceptor_template(t));
  t.config.session.role = session::Role::kAcceptor;
  EXPECT_FALSE(engine.add_acceptor_template(t));  // no BeginString / SenderCompID
}

}  // namespace
}  // namespace fixgate::engine
