// The README's session example: a FIX 4.4 acceptor and an initiator in one process, over TCP.
// Built and run by ctest.
#include <iostream>

#include "fixgate/codec/message_builder.h"
#include "fixgate/engine/session_manager.h"

using namespace fixgate;
using namespace std::chrono_literals;

int main() {
  // The acceptor answers every NewOrderSingle with an ExecutionReport.
  engine::SessionManager broker;
  engine::SessionOptions bc;
  bc.session.id = {
      .begin_string = "FIX.4.4", .sender_comp_id = "BROKER", .target_comp_id = "CLIENT"};
  bc.session.role = session::Role::kAcceptor;
  bc.accept = {"127.0.0.1", 0};  // any free port
  if (!broker.initialize_session(bc).is_ok()) return 1;
  codec::MessageBuilder report;  // reused for every reply: no allocation once warm
  broker->on(msg_type::NewOrderSingle, [&](const codec::Message& order) {
    report.reset(msg_type::ExecutionReport)
        .set(tag::OrderID, "1")
        .set(tag::ExecID, "1")
        .set(tag::ExecType, '0')
        .set(tag::OrdStatus, '0')
        .set(tag::ClOrdID, order.get<std::string_view>(tag::ClOrdID).value_or("?"))
        .set(tag::LeavesQty, order.get<int64_t>(tag::OrderQty).value_or(0));
    (void)broker->send(report);  // from a handler: a reply, stored with the handled mark
  });
  if (!broker.start_session().is_ok()) return 1;

  engine::SessionManager client;
  engine::SessionOptions cc;
  cc.session.id = {
      .begin_string = "FIX.4.4", .sender_comp_id = "CLIENT", .target_comp_id = "BROKER"};
  cc.session.role = session::Role::kInitiator;
  cc.session.heartbeat_interval = 30s;
  cc.connect = {{"127.0.0.1", broker->local_port()}};
  if (!client.initialize_session(cc).is_ok() || !client.start_session().is_ok()) return 1;
  if (!client->wait_for_status(session::SessionStatus::kActive, 5s)) return 1;

  codec::MessageBuilder order(msg_type::NewOrderSingle);
  order.set(tag::ClOrdID, "ORD-1")
      .set(tag::Symbol, "IBM")
      .set(tag::Side, '1')
      .set(tag::OrderQty, 100)
      .set(tag::OrdType, '1');
  Status sent = client->send(order);  // the session adds the header; ok = committed to the store
  if (!sent.is_ok()) return 1;
  auto report_in = client->receive(5s);  // taking it marks it handled
  if (!report_in) return 1;
  codec::Message msg;
  if (!msg.parse(report_in->bytes).ok()) return 1;
  // Prints "got 8 seq 2 for ORD-1, leaves 100".
  std::cout << "got " << msg.msg_type() << " seq " << report_in->seq.value << " for "
            << msg.get<std::string_view>(tag::ClOrdID).value_or("?") << ", leaves "
            << msg.get<int64_t>(tag::LeavesQty).value_or(-1) << '\n';

  auto [in, out] = client->sequence_numbers();
  std::cout << "next in " << in.value << ", next out " << out.value << '\n';
  return client->logout("").wait(5s).is_ok() ? 0 : 1;  // Logout handshake, then disconnect
}
