// The README's session example: a FIX 4.4 acceptor and an initiator in one process, over TCP.
// Built and run by ctest.
#include <iostream>

#include "fixgate/codec/message.h"
#include "fixgate/engine/session_manager.h"

using namespace fixgate;
using namespace std::chrono_literals;

int main() {
  // The acceptor echoes every NewOrderSingle back as an ExecutionReport.
  engine::SessionManager broker;
  engine::ManagerConfig bc;
  bc.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "BROKER", .target_comp_id = "CLIENT"};
  bc.session.role = session::Role::kAcceptor;
  bc.accept = {"127.0.0.1", 0};  // any free port
  if (!broker.initialize_session(bc).is_ok()) return 1;
  broker.on(msg_type::NewOrderSingle, [&](const codec::Message& order) {
    std::string clordid(order.get(tag::ClOrdID).value_or(""));
    (void)broker.send_message(msg_type::ExecutionReport,
                              "37=1\x01" "17=1\x01" "150=0\x01" "39=0\x01" "11=" + clordid + "\x01");
  });
  if (!broker.start_session().is_ok()) return 1;

  engine::SessionManager client;
  engine::ManagerConfig cc;
  cc.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "CLIENT", .target_comp_id = "BROKER"};
  cc.session.role = session::Role::kInitiator;
  cc.session.heartbeat_interval = 30s;
  cc.connect = {{"127.0.0.1", broker.local_port()}};
  if (!client.initialize_session(cc).is_ok() || !client.start_session().is_ok()) return 1;
  if (!client.wait_for_status(session::SessionStatus::kActive, 5s)) return 1;

  Status sent = client.send_message(msg_type::NewOrderSingle,
                                    "11=ORD-1\x01" "55=IBM\x01" "54=1\x01" "38=100\x01" "40=1\x01");
  if (!sent.is_ok()) return 1;
  auto report = client.receive_message(5s);  // taking it marks it handled
  if (!report) return 1;
  std::cout << "got " << report->msg_type << " seq " << report->seq.value << '\n';  // got 8 seq 2

  auto [in, out] = client.sequence_numbers();
  std::cout << "next in " << in.value << ", next out " << out.value << '\n';
  return client.request_logoff(5s).is_ok() ? 0 : 1;  // Logout handshake, then disconnect
}
