// What the caller-driven and busy-poll tests share: an acceptor that echoes every order, logging
// a client on, and a batch of orders whose echoes must come back in order.
#pragma once

#include <gtest/gtest.h>
#include <functional>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>

#include "../support/text_log.h"
#include "fixgate/engine/session_manager.h"
#include "test_configs.h"

namespace fixgate::engine::testing {

// An acceptor that echoes every order from its handler, on its own loop thread (which busy-polls
// when `options` say so).
struct EchoAcceptor {
  explicit EchoAcceptor(EngineOptions options = {}) : manager(std::move(options)) {}
  void start() {
    ASSERT_TRUE(manager.initialize_session(acceptor_config()).is_ok());
    manager->on("D", [this](const codec::Message& order) {
      ASSERT_TRUE(manager->send("D", echo_body(order)).is_ok());
      std::lock_guard lock(mu);
      ++echoed;
      cv.notify_all();
    });
    ASSERT_TRUE(manager.start_session().is_ok());
  }
  // True once the handler has echoed `n` orders (each echo goes out as it returns), waiting up to
  // `timeout`.
  bool wait_for_echoes(int n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return echoed >= n; });
  }

  // Declared before the manager: its handler writes them until the manager is gone.
  std::mutex mu;
  std::condition_variable cv;
  int echoed = 0;
  SessionManager manager;
};

// Starts `client` as the initiator `config` and waits (driving its loop, when caller-driven)
// until it is logged on.
// `setup` registers handlers and listeners on the new session before it starts.
inline void log_on(SessionManager& client, SessionOptions config,
                   const std::function<void(SessionHandle&)>& setup = {}) {
  ASSERT_TRUE(client.initialize_session(std::move(config)).is_ok());
  if (setup) setup(client.session());
  ASSERT_TRUE(client.start_session().is_ok());
  ASSERT_TRUE(client->wait_for_status(session::SessionStatus::kActive, std::chrono::seconds(5)));
}
inline void log_on(SessionManager& client, uint16_t port,
                   const std::function<void(SessionHandle&)>& setup = {}) {
  log_on(client, initiator_config(port), setup);
}

// Sends orders from … from+n-1 back to back, then takes their echoes with receive, which
// must come in order.
inline void send_and_take_echoes(SessionManager& client, int n, int from = 0) {
  for (int i = from; i < from + n; ++i) ASSERT_TRUE(client->send("D", order_body(i)).is_ok());
  for (int i = from; i < from + n; ++i) {
    auto echo = client->receive(std::chrono::seconds(5));
    ASSERT_TRUE(echo) << "echo " << i;
    ASSERT_EQ(clordid(echo->bytes), "ORD-" + std::to_string(i));
  }
}

inline constexpr std::string_view kQueueFull = "receive queue full: reading paused";
inline constexpr std::string_view kQueueDrained = "receive queue drained: reading resumed";

// Once `client` has taken all `total` messages of a test that filled its receive queue (capacity
// far below `total`) again and again: every pause was logged and ended by a logged drain, and the
// queue never held all the messages at once.
inline void expect_each_pause_logged_and_drained(const SessionManager& client,
                                                 fixgate::testing::TextLog& events, size_t total) {
  // Nothing is left to read, so no pause is still to come: the count is final once the last
  // message is taken (a pause is counted with the read that filled the queue, before its
  // messages can be taken). The log lines come after the state they report, from the loop
  // thread, possibly still on their way: await them, then read the state they follow.
  const size_t pauses = client->receive_queue_stats().pauses;
  EXPECT_TRUE(events.wait_for_count(kQueueFull, pauses));
  EXPECT_TRUE(events.wait_for_count(kQueueDrained, pauses));
  const ReceiveQueueStats q = client->receive_queue_stats();
  EXPECT_EQ(q.queued, 0u);
  EXPECT_FALSE(q.paused);
  EXPECT_GT(q.pauses, 1u);  // the messages took several reads, each of which filled the queue
  EXPECT_LT(q.high_water, total);
  EXPECT_EQ(events.count(kQueueFull), q.pauses);
  EXPECT_EQ(events.count(kQueueDrained), q.pauses);
}

}  // namespace fixgate::engine::testing
