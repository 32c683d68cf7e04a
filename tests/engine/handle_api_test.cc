// SessionHandle's API beyond sending and receiving: deferred completion (the inbound mark moves
// only when a deferred message is completed, from any thread, with or without a keyed
// dispatcher), logout() and its wait, and the public sequence epoch. Real loopback TCP.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "echo_helpers.h"
#include "fixgate/engine/engine.h"
#include "fixgate/engine/session_manager.h"
#include "fixgate/session/memory_store.h"
#include "test_configs.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using session::SessionStatus;
using testing::clordid;
using testing::echo_body;
using testing::order_body;

// A gateway acceptor whose handler echoes every order, deferring ORD-0: its echo (made inside
// the handler) and its handled mark wait for `held` to be completed.
struct DeferringGateway {
  explicit DeferringGateway(bool keyed) : engine(options(keyed)) {
    auto s = std::make_unique<session::MemoryStore>();
    store = s.get();
    auto h = engine.add_session(testing::acceptor_config(), std::move(s));
    EXPECT_TRUE(h);
    handle = *h;
    handle->on("D", [this](const codec::Message& order) {
      std::optional<Completion> deferred;
      if (clordid(order.bytes()) == "ORD-0") deferred.emplace(handle->defer());
      EXPECT_TRUE(handle->send("D", echo_body(order)).is_ok());
      std::lock_guard lock(mu);
      if (deferred) {
        EXPECT_TRUE(deferred->pending());
        held = std::move(*deferred);
      }
      ++handled;
      cv.notify_all();
    });
  }
  static EngineOptions options(bool keyed) {
    EngineOptions o;
    o.threads = 1;
    if (keyed) {
      o.key_strategy = *ordering::SingleField::make("ClOrdID");
      o.key_fields = ordering::FieldNames({{"ClOrdID", tag::ClOrdID}});
      o.dispatcher.workers = 2;
    }
    return o;
  }
  // Starts, logs `client` on, and sends ORD-0..2, returning once the handler has seen all three.
  void start_and_send_three(SessionManager& client) {
    ASSERT_TRUE(engine.start().is_ok());
    testing::log_on(client, handle->local_port());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(client->send("D", order_body(i)).is_ok());
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return handled >= 3; }));
  }
  // Logs `client` out and stops the engine, so that the store holds the final mark.
  void log_out_and_stop(SessionManager& client) {
    ASSERT_TRUE(client->logout("done").wait(5s).is_ok());
    ASSERT_TRUE(handle->wait_for_status(SessionStatus::kDisconnected, 5s));
    engine.stop();
  }

  std::mutex mu;
  std::condition_variable cv;
  int handled = 0;
  Completion held;  // ORD-0's
  session::MemoryStore* store = nullptr;
  Engine engine;  // after what its handlers use
  SessionHandle* handle = nullptr;
};

class DeferredCompletionTest : public ::testing::TestWithParam<bool> {};

TEST_P(DeferredCompletionTest, TheMarkAndTheRepliesWaitForTheCompletionLaterMessagesDoNot) {
  DeferringGateway gw(GetParam());
  SessionManager client;
  gw.start_and_send_three(client);
  // ORD-1 and ORD-2 are answered; ORD-0's echo waits with its mark.
  std::vector<std::string> echoes;
  for (int i = 0; i < 2; ++i) {
    auto echo = client->receive(5s);
    ASSERT_TRUE(echo);
    echoes.push_back(clordid(echo->bytes));
  }
  std::sort(echoes.begin(), echoes.end());  // keyed: ORD-1 and ORD-2 may be answered either way
  EXPECT_EQ(echoes, (std::vector<std::string>{"ORD-1", "ORD-2"}));
  EXPECT_FALSE(client->receive(200ms)) << "ORD-0 answered before its completion";

  std::thread other([&] {
    std::lock_guard lock(gw.mu);
    gw.held.complete();
    gw.held.complete();  // once only
  });
  other.join();
  EXPECT_FALSE(gw.held.pending());
  auto echo = client->receive(5s);
  ASSERT_TRUE(echo);
  EXPECT_EQ(clordid(echo->bytes), "ORD-0");
  EXPECT_FALSE(client->receive(100ms));

  gw.log_out_and_stop(client);
  // Logon 1, orders 2-4, Logout 5: everything handled.
  EXPECT_EQ(gw.store->next_target_seq(), session::SeqNum(6));
}

TEST_P(DeferredCompletionTest, AnUncompletedMessageKeepsTheMarkBeforeIt) {
  DeferringGateway gw(GetParam());
  SessionManager client;
  gw.start_and_send_three(client);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(client->receive(5s));
  gw.log_out_and_stop(client);
  // ORD-0 (MsgSeqNum 2) was never completed: after a restart it, and what followed it, would be
  // asked for again.
  EXPECT_EQ(gw.store->next_target_seq(), session::SeqNum(2));
}

INSTANTIATE_TEST_SUITE_P(OnTheLoopAndOnDispatcherWorkers, DeferredCompletionTest,
                         ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Keyed" : "Loop"; });

TEST(HandleApiTest, DeferOutsideAHandlerGivesAnEmptyCompletion) {
  testing::EchoAcceptor acceptor;
  acceptor.start();
  Completion c = acceptor.manager->defer();
  EXPECT_FALSE(c.pending());
  c.complete();  // nothing to do
}

TEST(HandleApiTest, LogoutReturnsARequestToWaitOn) {
  testing::EchoAcceptor acceptor;
  acceptor.start();
  SessionManager client;
  testing::log_on(client, acceptor.manager->local_port());
  LogoutRequest request = client->logout("end of day");
  ASSERT_TRUE(request.is_ok()) << request.message();
  EXPECT_TRUE(request.wait(5s).is_ok());
  EXPECT_EQ(client->status(), SessionStatus::kDisconnected);
  EXPECT_TRUE(acceptor.manager->wait_for_status(SessionStatus::kDisconnected, 5s));
  // No reconnect after a logout: still disconnected a while later.
  EXPECT_FALSE(client->wait_for_status(SessionStatus::kActive, 300ms));
}

TEST(HandleApiTest, ALogoutThatCannotStartSaysSoAndSoDoesItsWait) {
  SessionManager never_started;
  ASSERT_TRUE(never_started.initialize_session(testing::initiator_config(1)).is_ok());
  LogoutRequest request = never_started->logout();
  EXPECT_FALSE(request.is_ok());
  EXPECT_FALSE(request.wait(10ms).is_ok());
}

TEST(HandleApiTest, TheSequenceEpochMovesWithEveryReset) {
  testing::EchoAcceptor acceptor;
  acceptor.start();
  SessionManager client;
  testing::log_on(client, acceptor.manager->local_port());
  testing::send_and_take_echoes(client, 3);
  const uint64_t before = client->sequence_epoch();
  ASSERT_TRUE(client->reset_sequence_numbers().is_ok());
  ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 5s));
  testing::send_and_take_echoes(client, 1);  // an echo after the reset: its state is published
  EXPECT_GT(client->sequence_epoch(), before);
  EXPECT_EQ(client->sequence_numbers().second, session::SeqNum(3));  // Logon 1, order 2
}

TEST(HandleApiTest, IsLoggedOnMeansSendsCanWork) {
  testing::EchoAcceptor acceptor;
  acceptor.start();
  SessionManager client;
  ASSERT_TRUE(
      client.initialize_session(testing::initiator_config(acceptor.manager->local_port())).is_ok());
  EXPECT_FALSE(client->is_logged_on());
  EXPECT_FALSE(client->send("D", order_body(0)).is_ok());
  ASSERT_TRUE(client.start_session().is_ok());
  ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 5s));
  EXPECT_TRUE(client->is_logged_on());
  EXPECT_TRUE(client->send("D", order_body(0)).is_ok());
}

}  // namespace
}  // namespace fixgate::engine
