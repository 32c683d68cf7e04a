// What the caller-driven and busy-poll tests share: an acceptor that echoes every order, logging
// a client on, and a batch of orders whose echoes must come back in order.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>

#include "fixgate/engine/session_manager.h"
#include "test_configs.h"

namespace fixgate::engine::testing {

// An acceptor that echoes every order from its handler, on its own loop thread (which busy-polls
// when `options` say so).
struct EchoAcceptor {
  explicit EchoAcceptor(EngineOptions options = {}) : manager(std::move(options)) {}
  SessionManager manager;
  void start() {
    ASSERT_TRUE(manager.initialize_session(acceptor_config()).is_ok());
    manager.on("D", [this](const codec::Message& order) {
      ASSERT_TRUE(manager.send_message("D", echo_body(order)).is_ok());
    });
    ASSERT_TRUE(manager.start_session().is_ok());
  }
};

// Starts `client` as the initiator `config` and waits (driving its loop, when caller-driven)
// until it is logged on.
inline void log_on(SessionManager& client, ManagerConfig config) {
  ASSERT_TRUE(client.initialize_session(std::move(config)).is_ok());
  ASSERT_TRUE(client.start_session().is_ok());
  ASSERT_TRUE(client.wait_for_status(session::SessionStatus::kActive, std::chrono::seconds(5)));
}
inline void log_on(SessionManager& client, uint16_t port) {
  log_on(client, initiator_config(port));
}

// Sends orders from … from+n-1 back to back, then takes their echoes with receive_message, which
// must come in order.
inline void send_and_take_echoes(SessionManager& client, int n, int from = 0) {
  for (int i = from; i < from + n; ++i)
    ASSERT_TRUE(client.send_message("D", order_body(i)).is_ok());
  for (int i = from; i < from + n; ++i) {
    auto echo = client.receive_message(std::chrono::seconds(5));
    ASSERT_TRUE(echo) << "echo " << i;
    ASSERT_EQ(clordid(echo->bytes), "ORD-" + std::to_string(i));
  }
}

}  // namespace fixgate::engine::testing
