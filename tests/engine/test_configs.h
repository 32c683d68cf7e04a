// The session pair most engine tests use: SERVER accepting on any free loopback port, CLIENT
// connecting to it, FIX 4.4; the order they exchange, its ClOrdID and an echo's body.
#pragma once

#include <chrono>
#include <string>

#include "fixgate/codec/message.h"
#include "fixgate/engine/engine.h"

namespace fixgate::engine::testing {

inline SessionOptions acceptor_config() {
  SessionOptions c;
  c.session.id = {"FIX.4.4", "SERVER", "CLIENT"};
  c.session.role = session::Role::kAcceptor;
  c.accept = {"127.0.0.1", 0};
  return c;
}

inline SessionOptions initiator_config(uint16_t port) {
  SessionOptions c;
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

// The body fields of a received message after its header, from ClOrdID up to the CheckSum: what
// an echo sends back.
inline std::string_view echo_body(const codec::Message& order) {
  std::string_view body = order.bytes();
  body.remove_prefix(body.find("\x01"
                               "11=") +
                     1);
  body.remove_suffix(7);  // "10=nnn\x01"
  return body;
}

// The ClOrdID of the message in `bytes`; empty when it does not parse or has none.
inline std::string clordid(std::string_view bytes) {
  codec::Message msg;
  if (!msg.parse(bytes).ok()) return {};
  return std::string(msg.get(tag::ClOrdID).value_or(""));
}
inline std::string clordid(const ReceivedMessage& m) { return clordid(m.bytes); }

}  // namespace fixgate::engine::testing
