// What send comes to over loopback TCP, code by code (SendResult): sent, refused (not
// started, not initialized, from inside a session hook, a misused builder), not logged on,
// vetoed, store failed. Every refusal uses no sequence number. Back-pressure has its own test
// (back_pressure_test.cc).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>

#include "fixgate/engine/session_manager.h"
#include "fixgate/session/memory_store.h"
#include "test_configs.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using session::SessionStatus;
using testing::acceptor_config;
using testing::clordid;
using testing::initiator_config;
using testing::order_body;

// A MemoryStore whose next commit fails once the test says so, from any thread.
class CommitFailingStore : public session::MemoryStore {
 public:
  explicit CommitFailingStore(std::shared_ptr<std::atomic<bool>> fail) : fail_(std::move(fail)) {}
  Status commit(const session::StoreBatch& batch) override {
    if (fail_->exchange(false)) return Status::error("disk full (test)");
    return MemoryStore::commit(batch);
  }

 private:
  std::shared_ptr<std::atomic<bool>> fail_;
};

// A broker (acceptor) and a client (initiator) over loopback; the client is an Engine's session,
// with the test's application and store.
struct Pair {
  SessionManager broker;
  Engine client_engine{EngineOptions{.threads = 1, .on_log = {}}};
  SessionHandle* client = nullptr;
  // `client_store`: the client's (a MemoryStore if null). The client does not reconnect within
  // the test once disconnected.
  void start(Application app = {}, std::unique_ptr<session::Store> client_store = nullptr) {
    ASSERT_TRUE(broker.initialize_session(acceptor_config()).is_ok());
    ASSERT_TRUE(broker.start_session().is_ok());
    SessionOptions c = initiator_config(broker->local_port());
    c.reconnect.initial = c.reconnect.max = std::chrono::hours(1);
    auto h = client_engine.add_session(c, std::move(client_store));
    ASSERT_TRUE(h);
    client = *h;
    ASSERT_TRUE(client->set_application(std::move(app)).is_ok());
    ASSERT_TRUE(client_engine.start().is_ok());
    ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 5s));
  }
};

TEST(SendResultTest, ASentMessageIsKSentAndArrives) {
  Pair p;
  p.start();
  SendResult r = p.client->send("D", order_body(1));
  EXPECT_EQ(r.code(), SendCode::kSent);
  EXPECT_TRUE(r.message().empty());
  auto got = p.broker->receive(5s);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->seq, session::SeqNum(2));
  EXPECT_EQ(clordid(*got), "ORD-1");
}

TEST(SendResultTest, BeforeStartASendIsRefused) {
  Engine engine(EngineOptions{.threads = 1, .on_log = {}});
  auto h = engine.add_session(initiator_config(1));
  ASSERT_TRUE(h);
  SendResult r = (*h)->send("D", order_body(1));
  EXPECT_EQ(r.code(), SendCode::kRefused);
  EXPECT_NE(r.message().find("not started"), std::string::npos) << r.message();
  EXPECT_EQ((*h)->sequence_numbers().second, session::SeqNum(1));
}

TEST(SendResultTest, NotLoggedOnUsesNoSequenceNumber) {
  SessionManager broker;  // an acceptor nobody connects to
  ASSERT_TRUE(broker.initialize_session(acceptor_config()).is_ok());
  ASSERT_TRUE(broker.start_session().is_ok());
  SendResult r = broker->send("8", order_body(1));
  EXPECT_EQ(r.code(), SendCode::kNotLoggedOn);
  EXPECT_NE(r.message().find("not logged on"), std::string::npos) << r.message();
  EXPECT_EQ(broker->sequence_numbers().second, session::SeqNum(1));
  Status as_status = broker->send("8", order_body(2));  // code written for Status
  EXPECT_FALSE(as_status.is_ok());
  EXPECT_EQ(as_status.message(), r.message());
}

TEST(SendResultTest, AVetoUsesNoSequenceNumber) {
  Application app;
  app.to_app = [](const session::SessionId&, const codec::Message& m) {
    return m.get(tag::ClOrdID) != "ORD-1";
  };
  Pair p;
  p.start(app);
  SendResult r = p.client->send("D", order_body(1));
  EXPECT_EQ(r.code(), SendCode::kVetoed);
  EXPECT_NE(r.message().find("vetoed"), std::string::npos) << r.message();
  EXPECT_EQ(p.client->send("D", order_body(2)).code(), SendCode::kSent);
  auto got = p.broker->receive(5s);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->seq, session::SeqNum(2));  // the vetoed one took no number
  EXPECT_EQ(clordid(*got), "ORD-2");
}

TEST(SendResultTest, ASendFromInsideASessionHookIsRefused) {
  // to_app runs inside the session's send, under its lock: calling the session back would
  // deadlock, so the inner send is refused and the outer one goes on.
  std::promise<SendResult> inner;
  Pair p;
  Application app;
  app.to_app = [&](const session::SessionId&, const codec::Message& m) {
    if (m.get(tag::ClOrdID) == "ORD-1") inner.set_value(p.client->send("D", order_body(9)));
    return true;
  };
  p.start(app);
  EXPECT_EQ(p.client->send("D", order_body(1)).code(), SendCode::kSent);
  auto f = inner.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  SendResult r = f.get();
  EXPECT_EQ(r.code(), SendCode::kRefused);
  EXPECT_NE(r.message().find("not from inside a session hook"), std::string::npos) << r.message();
  EXPECT_EQ(p.client->sequence_numbers().second, session::SeqNum(3));  // only ORD-1 took one
}

TEST(SendResultTest, AFailedStoreCommitIsStoreFailedAndUsesNoSequenceNumber) {
  auto fail = std::make_shared<std::atomic<bool>>(false);
  Pair p;
  p.start({}, std::make_unique<CommitFailingStore>(fail));
  *fail = true;
  SendResult r = p.client->send("D", order_body(1));
  EXPECT_EQ(r.code(), SendCode::kStoreFailed);
  EXPECT_NE(r.message().find("disk full (test)"), std::string::npos) << r.message();
  // The session stops (the connection drops); the number was not used.
  EXPECT_EQ(p.client->sequence_numbers().second, session::SeqNum(2));
  EXPECT_TRUE(p.client->wait_for_status(SessionStatus::kDisconnected, 5s));
  EXPECT_EQ(p.client->send("D", order_body(2)).code(), SendCode::kNotLoggedOn);
}

}  // namespace
}  // namespace fixgate::engine
