// The engine's inbound path through the keyed dispatcher: orders for many ClOrdIDs, handled on
// worker threads with each order's events in arrival order. Real loopback TCP.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>

#include "fixgate/engine/engine.h"
#include "fixgate/engine/session_manager.h"
#include "fixgate/session/memory_store.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using session::SessionStatus;

TEST(KeyedDispatchTest, OrdersForManyClOrdIdsKeepPerOrderOrderAcrossWorkers) {
  constexpr int kOrders = 50, kEventsPerOrder = 40;
  // Recorded by the handlers; declared before the engine that runs them.
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::vector<int>> events;  // ClOrdID -> event numbers as handled
  int handled = 0, running = 0, max_running = 0;

  EngineOptions options;
  options.threads = 1;
  options.key_strategy = *ordering::SingleField::make("ClOrdID");
  options.key_fields = ordering::FieldNames({{"ClOrdID", tag::ClOrdID}});
  options.dispatcher.workers = 4;
  options.dispatcher.capacity = 64;  // small: exercises the loop's non-blocking hand-off
  Engine gateway(std::move(options));
  SessionOptions ac;
  ac.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "GW", .target_comp_id = "C"};
  ac.session.role = session::Role::kAcceptor;
  ac.accept = {"127.0.0.1", 0};
  auto store = std::make_unique<session::MemoryStore>();
  session::MemoryStore* acceptor_store = store.get();
  auto h = gateway.add_session(ac, std::move(store));
  ASSERT_TRUE(h);
  (*h)->on("D", [&](const codec::Message& m) {
    {
      std::lock_guard lock(mu);
      max_running = std::max(max_running, ++running);
    }
    std::this_thread::sleep_for(100us);  // work, so that different orders overlap in time
    std::lock_guard lock(mu);
    --running;
    events[std::string(m.get(tag::ClOrdID).value_or(""))].push_back(
        std::stoi(std::string(m.get(tag::Text).value_or("-1"))));
    ++handled;
    cv.notify_all();
  });
  ASSERT_TRUE(gateway.start().is_ok());

  SessionManager client;
  SessionOptions cc;
  cc.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "C", .target_comp_id = "GW"};
  cc.session.role = session::Role::kInitiator;
  cc.connect = {{"127.0.0.1", (*h)->local_port()}};
  ASSERT_TRUE(client.initialize_session(cc).is_ok());
  ASSERT_TRUE(client.start_session().is_ok());
  ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 5s));
  for (int e = 0; e < kEventsPerOrder; ++e)
    for (int o = 0; o < kOrders; ++o)
      ASSERT_TRUE(client
                      ->send("D", std::string("11=ORD-")
                                      .append(std::to_string(o))
                                      .append("\x01"
                                              "58=")
                                      .append(std::to_string(e))
                                      .append("\x01"))
                      .is_ok());
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 30s, [&] { return handled == kOrders * kEventsPerOrder; }));
    ASSERT_EQ(events.size(), static_cast<size_t>(kOrders));
    for (const auto& [id, seen] : events) {
      ASSERT_EQ(seen.size(), static_cast<size_t>(kEventsPerOrder)) << id;
      for (int e = 0; e < kEventsPerOrder; ++e) EXPECT_EQ(seen[static_cast<size_t>(e)], e) << id;
    }
    EXPECT_GT(max_running, 1);  // different orders really ran concurrently
  }
  // Every handler returned, so the inbound watermark reaches past the last order.
  ASSERT_TRUE(client->logout("").wait(5s).is_ok());
  ASSERT_TRUE((*h)->wait_for_status(SessionStatus::kDisconnected, 5s));
  gateway.stop();
  EXPECT_EQ(acceptor_store->next_target_seq(),
            session::SeqNum(kOrders * kEventsPerOrder + 3));  // Logon, orders, Logout
  // What /metrics would read, once stopped (every handler has returned): every order submitted and
  // processed, none dead-lettered.
  const auto stats = gateway.dispatcher_stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->workers, 4u);
  EXPECT_EQ(stats->processed, static_cast<uint64_t>(kOrders * kEventsPerOrder));
  EXPECT_EQ(stats->failed, 0u);
  EXPECT_FALSE(Engine().dispatcher_stats());  // no key strategy: no dispatcher
}

}  // namespace
}  // namespace fixgate::engine
