// session_recovery: a child process drives a fixgate session with a durable store against a
// real peer over TCP and is killed with SIGKILL at random points, over and over. The peer counts
// every message: no sequence number may be lost, reused or delivered twice.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <random>
#include <set>

#include "../support/process.h"
#include "fixgate/engine/engine.h"
#include "pg_test_server.h"

namespace fixgate {
namespace {

using namespace std::chrono_literals;
using fixgate::testing::Child;
using fixgate::testing::TempDir;
using session::SessionStatus;

// The counterparty: an acceptor that records every application message it is handed.
struct Peer {
  // Declared before the engine, so they outlive its threads.
  std::mutex mu;
  std::map<uint64_t, int> deliveries;  // child's MsgSeqNum -> times the application saw it
  std::map<int, std::set<uint64_t>> orders_by_life;  // "L<life>-<i>": which i arrived
  std::vector<std::string> errors;
  engine::Engine engine{engine::EngineOptions{.threads = 1, .on_log = {}}};
  engine::SessionHandle* session = nullptr;

  Peer() {
    engine::ManagerConfig c;
    c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "PEER", .target_comp_id = "CHILD"};
    c.session.role = session::Role::kAcceptor;
    c.accept = {"127.0.0.1", 0};
    session = *engine.add_session(c);
    session->on("D", [this](const codec::Message& m) {
      {
        std::lock_guard lock(mu);
        ++deliveries[*m.seq_num()];
        std::string id(m.get(tag::ClOrdID).value_or(""));
        auto dash = id.find('-');
        orders_by_life[std::stoi(id.substr(1, dash - 1))].insert(std::stoull(id.substr(dash + 1)));
      }
      (void)session->send_message("D", "11=" + std::string(m.get(tag::ClOrdID).value_or("")) + "\x01");
    });
    session->on_event([this](const session::SessionEvent& e) {
      // A reused sequence number shows up as "too low"; any protocol error is recorded.
      if ((e.type == session::SessionEvent::Type::kDisconnect && e.status == SessionStatus::kError) ||
          e.type == session::SessionEvent::Type::kRejectSent) {
        std::lock_guard lock(mu);
        errors.push_back(e.text);
      }
    });
    EXPECT_TRUE(engine.start().is_ok());
  }
  uint16_t port() { return session->local_port(); }
};

void kill_and_recover(const std::string& kind, const std::string& where, int kills, uint32_t seed) {
  Peer peer;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> run_ms(1, 40);
  uint64_t last_up = 0;
  for (int k = 0; k <= kills; ++k) {
    Child child({FIXGATE_RECOVERY_CHILD, kind, where, std::to_string(peer.port()), std::to_string(k)});
    std::string up = child.read_line(20s);
    ASSERT_EQ(up.rfind("UP ", 0), 0u) << "child " << k << " did not log on: '" << up << "'";
    uint64_t next_sender = std::stoull(up.substr(3));
    // What the store recovered never goes backwards: a sequence number is never reused.
    ASSERT_GE(next_sender, last_up) << "after kill " << k;
    last_up = next_sender;
    if (k == kills) {
      // The last life: wait until everything it sent has arrived, then stop it.
      ASSERT_TRUE(peer.session->wait_for_status(SessionStatus::kActive, 10s));
      break;
    }
    // Let it send for a random moment, then SIGKILL it mid-stream.
    child.read_line(std::chrono::milliseconds(run_ms(rng)));  // waits; the child prints nothing
    child.signal(SIGKILL);
    child.wait(10s);
    ASSERT_TRUE(peer.session->wait_for_status(SessionStatus::kDisconnected, 10s));
  }
  // Final accounting: every sequence number from 2 (after the first Logon) to the peer's last
  // received is either an order delivered exactly once or an admin message (never delivered).
  std::lock_guard lock(peer.mu);
  EXPECT_TRUE(peer.errors.empty()) << peer.errors.front();
  uint64_t orders = 0;
  for (const auto& [seq, times] : peer.deliveries) {
    EXPECT_EQ(times, 1) << "seq " << seq << " delivered " << times << " times";
    ++orders;
  }
  EXPECT_GT(orders, static_cast<uint64_t>(kills));  // the children really sent
  // No order whose send returned was lost: each life's ids are exactly 0..n-1. (Killed in the
  // middle of send_message(), the last one may or may not have made it: that is the tail.)
  for (const auto& [life, ids] : peer.orders_by_life)
    EXPECT_EQ(*ids.rbegin() + 1, ids.size()) << "life " << life << " has a hole";
  auto stats = peer.session->session_stats();
  // The recovery path really ran: messages in flight at a kill were asked for again.
  EXPECT_GT(stats.resend_requests_sent, 0u);
  std::cout << kind << ": " << kills << " kills, " << orders << " orders each delivered once, "
            << stats.resend_requests_sent << " resend requests, next expected seq "
            << peer.session->sequence_numbers().first.value << std::endl;
  peer.engine.stop();
}

TEST(SessionRecovery, FileStoreSurvivesRepeatedKill9) {
  TempDir dir("recovery-file");
  kill_and_recover("file", dir.path + "/store", 100, 1);
}

TEST(SessionRecovery, SqliteStoreSurvivesRepeatedKill9) {
  TempDir dir("recovery-sqlite");
  kill_and_recover("sqlite", dir.path + "/store.db", 70, 2);
}

TEST(SessionRecovery, PostgresStoreSurvivesRepeatedKill9) {
  auto server = store::testing::PgTestServer::start();
  ASSERT_TRUE(server) << server.error();
  kill_and_recover("pg", (*server)->conninfo(), 40, 3);
}

}  // namespace
}  // namespace fixgate
