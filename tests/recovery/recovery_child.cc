// The process the recovery test kills: a fixgate initiator with a durable store that, until it
// is SIGKILLed, either
//   recovery_child file|sqlite|pg LOCATION PORT LIFE [ORDERS]
// sends orders as fast as it can, with ClOrdID "L<LIFE>-<i>", i = 0, 1, 2 … in the order
// send() returned ok, printing "ACK <i>" as each returns ok (the order is in the store:
// it must reach the peer exactly once, whatever kill follows); with ORDERS, it stops after that
// many, prints "DONE <ORDERS>" and waits; or
//   recovery_child file|sqlite|pg LOCATION PORT LIFE responder
// answers every order the peer sends with one ExecutionReport carrying its ClOrdID.
// Prints "UP <next sender seq>" once logged on (what the store recovered).
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>

#include <unistd.h>

#include "fixgate/engine/session_manager.h"
#include "fixgate/store/file_store.h"
#include "fixgate/store/pg_store.h"
#include "fixgate/store/sqlite_store.h"

using namespace fixgate;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::cerr << "usage: recovery_child file|sqlite|pg LOCATION PORT LIFE [ORDERS|responder]\n";
    return 2;
  }
  const std::string kind = argv[1], where = argv[2];
  Result<std::unique_ptr<session::Store>> store = Status::error("unknown store " + kind);
  if (kind == "file") {
    auto s = store::FileStore::open(where);
    store = s ? Result<std::unique_ptr<session::Store>>(std::move(*s)) : s.status();
  } else if (kind == "sqlite") {
    auto s = store::SqliteStore::open(where);
    store = s ? Result<std::unique_ptr<session::Store>>(std::move(*s)) : s.status();
  } else if (kind == "pg") {
    auto s = store::PgStore::open(
        where,
        {.session_id = "recovery", .exclusive = true, .lock_timeout = 10s, .creation_time = {}});
    store = s ? Result<std::unique_ptr<session::Store>>(std::move(*s)) : s.status();
  }
  if (!store) {
    std::cerr << "recovery_child: " << store.error() << '\n';
    return 1;
  }
  engine::SessionManager m;
  engine::SessionOptions c;
  c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "CHILD", .target_comp_id = "PEER"};
  c.session.role = session::Role::kInitiator;
  c.connect = {{"127.0.0.1", static_cast<uint16_t>(std::stoi(argv[3]))}};
  c.reconnect.initial = 20ms;
  const bool responder = argc == 6 && std::string(argv[5]) == "responder";
  const uint64_t orders = argc == 6 && !responder ? std::stoull(argv[5]) : UINT64_MAX;
  if (!m.initialize_session(c, std::move(*store)).is_ok()) return 1;
  if (responder) {
    // The reply is committed with the order's handled mark: whatever the kill, one per order.
    m->on("D", [&m](const codec::Message& order) {
      std::string id(order.get(tag::ClOrdID).value_or(""));
      (void)m->send("8", "11=" + id +
                             "\x01"
                             "17=E-" +
                             id +
                             "\x01"
                             "150=0\x01");
    });
  } else {
    m->on("D", [](const codec::Message&) {});  // the peer's echoes: handled on arrival
  }
  if (!m.start_session().is_ok()) return 1;
  if (!m->wait_for_status(session::SessionStatus::kActive, 10s)) return 1;
  std::cout << "UP " << m->sequence_numbers().second.value << std::endl;
  if (responder) {
    for (;;) pause();
  }
  const std::string life = argv[4];
  for (uint64_t i = 0; i < orders;) {
    // A refused send (the connection just dropped) is retried with the same number, so the ids
    // the peer sees must be exactly 0..n with no hole.
    if (m->send("D", "11=L" + life + "-" + std::to_string(i) +
                         "\x01"
                         "55=IBM\x01")
            .is_ok()) {
      // Written at once, unbuffered: a kill loses no report of a send that returned ok.
      const std::string ack = "ACK " + std::to_string(i) + "\n";
      if (::write(STDOUT_FILENO, ack.data(), ack.size()) != static_cast<ssize_t>(ack.size()))
        return 1;
      ++i;
    } else {
      m->wait_for_status(session::SessionStatus::kActive, 1s);
    }
  }
  std::cout << "DONE " << orders << std::endl;
  for (;;) pause();
}
