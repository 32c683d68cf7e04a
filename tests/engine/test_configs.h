// The session pair most engine tests use: SERVER accepting on any free loopback port, CLIENT
// connecting to it, FIX 4.4; and the order they exchange.
#pragma once

#include <chrono>
#include <string>

#include "fixgate/engine/engine.h"

namespace fixgate::engine::testing {

inline ManagerConfig acceptor_config() {
  ManagerConfig c;
  c.session.id = {"FIX.4.4", "SERVER", "CLIENT"};
  c.session.role = session::Role::kAcceptor;
  c.accept = {"127.0.0.1", 0};
  return c;
}

inline ManagerConfig initiator_config(uint16_t port) {
  ManagerConfig c;
  c.session.id = {"FIX.4.4", "CLIENT", "SERVER"};
  c.session.role = session::Role::kInitiator;
  c.session.heartbeat_interval = std::chrono::seconds(30);
  c.connect = {{"127.0.0.1", port}};
  c.reconnect.initial = std::chrono::milliseconds(50);
  c.reconnect.max = std::chrono::milliseconds(200);
  return c;
}

// The body of NewOrderSingle number i: ClOrdID ORD-<i>, 100 IBM bought.
inline std::string order_body(int i) {
  return "11=ORD-" + std::to_string(i) + "\x01" + "55=IBM\x01" + "54=1\x01" + "38=100\x01";
}

}  // namespace fixgate::engine::testing
