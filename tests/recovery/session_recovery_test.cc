// session_recovery: a child process drives a fixgate session with a durable store against a
// real peer over TCP and is killed with SIGKILL at random points, over and over. The peer counts
// every message: no sequence number may be lost, reused or delivered twice.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

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
  std::condition_variable cv;          // notified with each delivery
  std::map<uint64_t, int> deliveries;  // child's MsgSeqNum -> times the application saw it
  std::map<int, std::map<uint64_t, int>> orders_by_life;  // "L<life>-<i>": i -> times seen
  std::vector<std::string> errors;
  engine::Engine engine{engine::EngineOptions{.threads = 1, .on_log = {}}};
  engine::SessionHandle* session = nullptr;

  Peer() {
    engine::SessionOptions c;
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
        ++orders_by_life[std::stoi(id.substr(1, dash - 1))][std::stoull(id.substr(dash + 1))];
        cv.notify_all();
      }
      (void)session->send("D", "11=" + std::string(m.get(tag::ClOrdID).value_or("")) + "\x01");
    });
    session->on_event([this](const session::SessionEvent& e) {
      // A reused sequence number shows up as "too low"; any protocol error is recorded.
      if ((e.type == session::SessionEvent::Type::kDisconnect &&
           e.status == SessionStatus::kError) ||
          e.type == session::SessionEvent::Type::kRejectSent) {
        std::lock_guard lock(mu);
        errors.push_back(e.text);
      }
    });
    EXPECT_TRUE(engine.start().is_ok());
  }
  uint16_t port() { return session->local_port(); }
  // True once the last acknowledged order of every life has arrived (acked: life -> how many).
  // Orders arrive in sequence order, gaps filled first: what came before it has arrived too, or
  // never will.
  bool last_acked_arrived(const std::map<int, uint64_t>& acked) {
    for (const auto& [life, n] : acked)
      if (n > 0 && !orders_by_life[life].contains(n - 1)) return false;
    return true;
  }
};

// Reads a sender child's "ACK <i>" lines into `acks` until `until`, or to the end of its output
// (or DONE) when that is not set. Every line must be the ACK of the next i, in order, or DONE.
struct Acks {
  uint64_t count = 0;
  bool done = false;
};
void read_acks(Child& child, Acks& acks,
               std::optional<std::chrono::steady_clock::time_point> until) {
  for (;;) {
    auto left = std::chrono::milliseconds(10000);
    if (until) {
      left = std::chrono::duration_cast<std::chrono::milliseconds>(
          *until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
    }
    const std::string line = child.read_line(left);
    if (line.empty()) return;  // the deadline, or the end of its output
    if (line.rfind("DONE ", 0) == 0) {
      acks.done = true;
      return;
    }
    ASSERT_EQ(line, "ACK " + std::to_string(acks.count));
    ++acks.count;
  }
}

void kill_and_recover(const std::string& kind, const std::string& where, int kills, uint32_t seed) {
  Peer peer;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> run_ms(1, 40);
  uint64_t last_up = 0;
  std::map<int, uint64_t> acked;  // life -> sends that returned ok (ids 0 … n-1)
  constexpr uint64_t kLastLifeOrders = 200;
  for (int k = 0; k <= kills; ++k) {
    std::vector<std::string> args = {FIXGATE_RECOVERY_CHILD, kind, where,
                                     std::to_string(peer.port()), std::to_string(k)};
    if (k == kills) args.push_back(std::to_string(kLastLifeOrders));
    Child child(args);
    std::string up = child.read_line(20s);
    ASSERT_EQ(up.rfind("UP ", 0), 0u) << "child " << k << " did not log on: '" << up << "'";
    uint64_t next_sender = std::stoull(up.substr(3));
    // What the store recovered never goes backwards: a sequence number is never reused.
    ASSERT_GE(next_sender, last_up) << "after kill " << k;
    last_up = next_sender;
    Acks acks;
    if (k == kills) {
      // The last life sends a last batch and stops. Logging on, it was asked to resend what the
      // lives before it stored and never got out; now every acknowledged send must arrive.
      read_acks(child, acks, std::nullopt);
      ASSERT_TRUE(acks.done) << "the last life stopped after " << acks.count << " sends";
      ASSERT_EQ(acks.count, kLastLifeOrders);
      acked[k] = acks.count;
      std::unique_lock lock(peer.mu);
      // On a timeout, the accounting below names what is missing.
      EXPECT_TRUE(peer.cv.wait_for(lock, 30s, [&] { return peer.last_acked_arrived(acked); }))
          << "an acknowledged send never arrived";
      break;
    }
    // Let it send for a random moment, then SIGKILL it mid-stream; the acks it wrote before
    // dying are still in the pipe.
    read_acks(child, acks,
              std::chrono::steady_clock::now() + std::chrono::milliseconds(run_ms(rng)));
    child.signal(SIGKILL);
    child.wait(10s);
    read_acks(child, acks, std::nullopt);
    acked[k] = acks.count;
    ASSERT_TRUE(peer.session->wait_for_status(SessionStatus::kDisconnected, 10s));
  }
  // Final accounting: every sequence number from 2 (after the first Logon) to the peer's last
  // received is either an order delivered exactly once or an admin message (never delivered).
  std::lock_guard lock(peer.mu);
  EXPECT_TRUE(peer.errors.empty()) << peer.errors.front();
  uint64_t orders = 0;
  std::vector<uint64_t> seqs_repeated;
  for (const auto& [seq, times] : peer.deliveries) {
    if (times != 1) seqs_repeated.push_back(seq);
    ++orders;
  }
  EXPECT_TRUE(seqs_repeated.empty()) << seqs_repeated.size() << " sequence numbers delivered more "
                                     << "than once, first " << seqs_repeated[0];
  EXPECT_GT(orders, static_cast<uint64_t>(kills));  // the children really sent
  // Every send that returned ok reached the application exactly once; so did any other that
  // arrived (killed inside send(), an order may be stored and sent but not acked).
  std::vector<std::string> lost, repeated, unsent;
  uint64_t acked_in_all = 0;
  for (const auto& [life, n] : acked) {
    const auto& ids = peer.orders_by_life[life];
    const std::string name = "L" + std::to_string(life) + "-";
    acked_in_all += n;
    for (uint64_t i = 0; i < n; ++i)
      if (!ids.contains(i)) lost.push_back(name + std::to_string(i));
    for (const auto& [i, times] : ids) {
      if (times != 1) repeated.push_back(name + std::to_string(i));
      if (i > n) unsent.push_back(name + std::to_string(i));  // more than one past the acks
    }
  }
  EXPECT_TRUE(lost.empty()) << lost.size() << " acknowledged, never arrived, first " << lost[0];
  EXPECT_TRUE(repeated.empty()) << repeated.size() << " delivered twice, first " << repeated[0];
  EXPECT_TRUE(unsent.empty()) << unsent.size() << " arrived but never sent, first " << unsent[0];
  auto stats = peer.session->stats();
  // The recovery path really ran: messages in flight at a kill were asked for again.
  EXPECT_GT(stats.resend_requests_sent, 0u);
  std::cout << kind << ": " << kills << " kills, " << acked_in_all << " acknowledged sends and "
            << orders << " orders each delivered once, " << stats.resend_requests_sent
            << " resend requests, next expected seq "
            << peer.session->sequence_numbers().first.value << std::endl;
  peer.engine.stop();
}

// The counterparty of a responder child: sends numbered orders from its own thread, at most
// kWindow unanswered, and records under which MsgSeqNum each order's ExecutionReport came.
struct Requester {
  static constexpr uint64_t kWindow = 50;
  std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, std::set<uint64_t>> reply_seqs;  // order number -> MsgSeqNums of its replies
  uint64_t sent = 0;
  std::vector<std::string> errors;
  std::atomic<bool> stop{false};
  engine::Engine engine{engine::EngineOptions{.threads = 1, .on_log = {}}};
  engine::SessionHandle* session = nullptr;
  std::thread sender;

  Requester() {
    engine::SessionOptions c;
    c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "PEER", .target_comp_id = "CHILD"};
    c.session.role = session::Role::kAcceptor;
    c.accept = {"127.0.0.1", 0};
    session = *engine.add_session(c);
    session->on("8", [this](const codec::Message& m) {
      std::string id(m.get(tag::ClOrdID).value_or(""));
      std::lock_guard lock(mu);
      reply_seqs[std::stoull(id.substr(2))].insert(*m.seq_num());  // "O-<n>"
      cv.notify_all();
    });
    session->on_event([this](const session::SessionEvent& e) {
      if ((e.type == session::SessionEvent::Type::kDisconnect &&
           e.status == SessionStatus::kError) ||
          e.type == session::SessionEvent::Type::kRejectSent) {
        std::lock_guard lock(mu);
        errors.push_back(e.text);
      }
    });
    EXPECT_TRUE(engine.start().is_ok());
    sender = std::thread([this] {
      while (!stop) {
        {
          std::unique_lock lock(mu);
          cv.wait_for(lock, 100ms, [&] { return reply_seqs.size() + kWindow > sent || stop; });
          if (reply_seqs.size() + kWindow <= sent) continue;
        }
        // A refused send (not logged on) is tried again with the same number.
        if (session
                ->send("D", "11=O-" + std::to_string(sent) +
                                "\x01"
                                "55=IBM\x01")
                .is_ok()) {
          std::lock_guard lock(mu);
          ++sent;
        } else {
          session->wait_for_status(SessionStatus::kActive, 100ms);
        }
      }
    });
  }
  ~Requester() {
    stop_sending();
    engine.stop();
  }
  // After this, `sent` is final: every reply that can come is for an order below it.
  void stop_sending() {
    stop = true;
    if (sender.joinable()) sender.join();
  }
  uint16_t port() { return session->local_port(); }
};

// A responder child answers every order with one ExecutionReport, committed together with the
// order's handled mark; it is killed over and over. Every order must be answered, and answered
// once: a reply is never lost (the order is delivered again) and never made twice.
void kill_responder(const std::string& kind, const std::string& where, int kills, uint32_t seed) {
  Requester peer;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> run_ms(5, 60);
  for (int k = 0; k <= kills; ++k) {
    Child child({FIXGATE_RECOVERY_CHILD, kind, where, std::to_string(peer.port()),
                 std::to_string(k), "responder"});
    std::string up = child.read_line(20s);
    ASSERT_EQ(up.rfind("UP ", 0), 0u) << "child " << k << " did not log on: '" << up << "'";
    if (k == kills) {
      // The last life: stop sending, then wait until every order sent has its answer.
      peer.stop_sending();
      std::unique_lock lock(peer.mu);
      ASSERT_TRUE(peer.cv.wait_for(lock, 30s, [&] { return peer.reply_seqs.size() == peer.sent; }))
          << peer.reply_seqs.size() << " of " << peer.sent << " orders answered";
      break;
    }
    child.read_line(std::chrono::milliseconds(run_ms(rng)));  // waits; the child prints nothing
    child.signal(SIGKILL);
    child.wait(10s);
    ASSERT_TRUE(peer.session->wait_for_status(SessionStatus::kDisconnected, 10s));
  }
  std::lock_guard lock(peer.mu);
  EXPECT_TRUE(peer.errors.empty()) << peer.errors.front();
  EXPECT_GT(peer.sent, static_cast<uint64_t>(kills));
  for (uint64_t n = 0; n < peer.sent; ++n) {
    auto it = peer.reply_seqs.find(n);
    ASSERT_NE(it, peer.reply_seqs.end()) << "order " << n << " never answered";
    // The same reply resent (PossDup) keeps its MsgSeqNum; a second reply would have another.
    EXPECT_EQ(it->second.size(), 1u)
        << "order " << n << " answered " << it->second.size() << " times";
  }
  std::cout << kind << ": " << kills << " kills of the responder, " << peer.sent
            << " orders each answered exactly once" << std::endl;
}

TEST(SessionRecovery, FileStoreRepliesExactlyOnceAcrossKill9) {
  TempDir dir("responder-file");
  kill_responder("file", dir.path + "/store", 40, 4);
}

TEST(SessionRecovery, SqliteStoreRepliesExactlyOnceAcrossKill9) {
  TempDir dir("responder-sqlite");
  kill_responder("sqlite", dir.path + "/store.db", 30, 5);
}

TEST(SessionRecovery, PostgresStoreRepliesExactlyOnceAcrossKill9) {
  auto server = store::testing::PgTestServer::start();
  ASSERT_TRUE(server) << server.error();
  kill_responder("pg", (*server)->conninfo(), 20, 6);
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
