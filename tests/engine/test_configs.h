// The session pair most engine tests use: SERVER accepting on any free loopback port, CLIENT
// connecting to it, FIX 4.4.
#pragma once

#include <chrono>

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

}  // namespace fixgate::engine::testing
