// Caller-driven engines (EngineOptions::caller_driven) over real loopback TCP: the application's
// thread runs the event loop inside run_once() and the calls that wait, and a send made while
// no thread drives writes the socket on the caller's thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "echo_helpers.h"
#include "fixgate/engine/engine.h"
#include "fixgate/engine/session_manager.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using session::SeqNum;
using session::SessionStatus;

using testing::acceptor_config;
using testing::clordid;
using testing::EchoAcceptor;
using testing::expect_each_pause_logged_and_drained;
using testing::initiator_config;
using testing::kQueueFull;
using testing::log_on;
using testing::order_body;
using testing::send_and_take_echoes;

EngineOptions caller_driven() {
  EngineOptions o;
  o.caller_driven = true;
  return o;
}

TEST(CallerDrivenTest, PingPongRunsOnTheCallersThreadWithNoLoopThread) {
  EchoAcceptor acceptor;
  acceptor.start();
  SessionManager client(caller_driven());
  // Nothing happens until this thread drives: wait_for_status runs the connect and the Logon.
  log_on(client, acceptor.manager->local_port());
  constexpr int kOrders = 1000;
  for (int i = 0; i < kOrders; ++i) {
    ASSERT_TRUE(client->send("D", order_body(i)).is_ok());
    auto echo = client->receive(5s);
    ASSERT_TRUE(echo) << "echo " << i << " missing";
    ASSERT_EQ(clordid(echo->bytes), "ORD-" + std::to_string(i));
    ASSERT_EQ(echo->seq, SeqNum(static_cast<uint64_t>(i) + 2));
  }
  EXPECT_EQ(client->sequence_numbers(), std::make_pair(SeqNum(kOrders + 2), SeqNum(kOrders + 2)));
  ASSERT_TRUE(client->logout("").wait(5s).is_ok());  // the handshake, driven by this call
  EXPECT_EQ(client->stats().logouts, 1u);
  EXPECT_TRUE(acceptor.manager->wait_for_status(SessionStatus::kDisconnected, 5s));
}

TEST(CallerDrivenTest, HandlersRunInsideRunOnceOnTheDrivingThread) {
  EchoAcceptor acceptor;
  acceptor.start();
  SessionManager client(caller_driven());
  ASSERT_TRUE(client.initialize_session(initiator_config(acceptor.manager->local_port())).is_ok());
  std::vector<std::string> echoes;
  std::atomic<bool> off_thread{false};
  const auto me = std::this_thread::get_id();
  client->on("D", [&](const codec::Message& m) {
    if (std::this_thread::get_id() != me) off_thread = true;
    echoes.push_back(clordid(m.bytes()));
  });
  ASSERT_TRUE(client.start_session().is_ok());
  ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 5s));
  constexpr int kOrders = 200;
  for (int i = 0; i < kOrders; ++i) ASSERT_TRUE(client->send("D", order_body(i)).is_ok());
  // The echoes are in this process's socket buffer; none is handled until this thread drives.
  EXPECT_TRUE(echoes.empty());
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (echoes.size() < kOrders && std::chrono::steady_clock::now() < deadline)
    client.run_once(100ms);
  ASSERT_EQ(echoes.size(), size_t{kOrders});
  for (int i = 0; i < kOrders; ++i) EXPECT_EQ(echoes[i], "ORD-" + std::to_string(i));
  EXPECT_FALSE(off_thread);
  EXPECT_EQ(client->sequence_numbers().first, SeqNum(kOrders + 2));  // every echo marked handled
}

TEST(CallerDrivenTest, SendsTheKernelCannotTakeAtOnceAreFinishedByTheLoop) {
  // Both ends caller-driven: while nobody drives the server, it reads nothing, so its receive
  // buffer and then the client's send buffer fill (about 4 MB on Linux loopback), and the
  // client's direct writes come back short. What is left must go out, in order, once the
  // loops run again.
  SessionManager server(caller_driven());
  ASSERT_TRUE(server.initialize_session(acceptor_config()).is_ok());
  server->on("D", [&server](const codec::Message& order) {
    ASSERT_TRUE(server->send("D", "11=" + clordid(order.bytes()) + "\x01").is_ok());
  });
  ASSERT_TRUE(server.start_session().is_ok());
  SessionManager client(caller_driven());
  ASSERT_TRUE(client.initialize_session(initiator_config(server->local_port())).is_ok());
  ASSERT_TRUE(client.start_session().is_ok());
  std::atomic<bool> drive{true};
  auto drive_server = [&] {
    while (drive) server.run_once(5ms);
  };
  std::thread driver(drive_server);
  ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 5s));
  drive = false;
  driver.join();
  constexpr int kOrders = 60000;  // about 7 MB
  for (int i = 0; i < kOrders; ++i) ASSERT_TRUE(client->send("D", order_body(i)).is_ok());
  EXPECT_LT(server->stats().messages_received, 2u);  // the Logon only, so far
  drive = true;
  driver = std::thread(drive_server);
  for (int i = 0; i < kOrders; ++i) {
    auto echo = client->receive(10s);
    ASSERT_TRUE(echo) << "echo " << i << " missing";
    ASSERT_EQ(clordid(echo->bytes), "ORD-" + std::to_string(i));
  }
  drive = false;
  driver.join();
  EXPECT_EQ(server->stats().messages_received, kOrders + 1u);
}

TEST(CallerDrivenTest, AnotherThreadSendsWhileThisOneBlocksDrivingTheLoop) {
  EchoAcceptor acceptor;
  acceptor.start();
  SessionManager client(caller_driven());
  log_on(client, acceptor.manager->local_port());
  constexpr int kOrders = 2000;
  std::atomic<int> send_failures{0};
  // This thread blocks in receive, driving the loop; the sender's writes are handed to
  // it (the sender cannot drive meanwhile) and must wake it.
  std::thread sender([&] {
    for (int i = 0; i < kOrders; ++i)
      if (!client->send("D", order_body(i)).is_ok()) ++send_failures;
  });
  int received = 0;
  for (; received < kOrders; ++received) {
    auto echo = client->receive(10s);
    if (!echo) break;
    EXPECT_EQ(clordid(echo->bytes), "ORD-" + std::to_string(received));
  }
  sender.join();
  EXPECT_EQ(send_failures, 0);
  EXPECT_EQ(received, kOrders);
}

// Several threads send at once while nobody drives: each send either drives the loop for a
// moment and writes, or hands its write to the thread that does. No order is lost, duplicated
// or reordered within its sender, and the sequence numbers have no gap.
TEST(CallerDrivenTest, SendersOnSeveralThreadsRaceToDriveAndLoseNothing) {
  EchoAcceptor acceptor;
  acceptor.start();
  SessionManager client(caller_driven());
  log_on(client, acceptor.manager->local_port());
  constexpr int kSenders = 3, kOrders = 700;
  std::atomic<int> send_failures{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < kSenders; ++t)
    senders.emplace_back([&, t] {
      for (int i = 0; i < kOrders; ++i) {
        const std::string body = "11=T" + std::to_string(t) + "-" + std::to_string(i) +
                                 "\x01"
                                 "55=IBM\x01"
                                 "54=1\x01"
                                 "38=100\x01";
        if (!client->send("D", body).is_ok()) ++send_failures;
      }
    });
  for (auto& s : senders) s.join();
  EXPECT_EQ(send_failures, 0);
  // Only now does a thread receive (and so drive): the echoes waited in the socket.
  std::vector<int> next(kSenders, 0);
  uint64_t last_seq = 0;
  int received = 0;
  for (; received < kSenders * kOrders; ++received) {
    auto echo = client->receive(10s);
    if (!echo) break;
    const std::string id = clordid(echo->bytes);  // "T<sender>-<i>"
    const int t = id[1] - '0';
    ASSERT_TRUE(t >= 0 && t < kSenders) << id;
    EXPECT_EQ(id, "T" + std::to_string(t) + "-" + std::to_string(next[t])) << "out of order";
    ++next[t];
    EXPECT_EQ(echo->seq.value, last_seq == 0 ? echo->seq.value : last_seq + 1);
    last_seq = echo->seq.value;
  }
  EXPECT_EQ(received, kSenders * kOrders);
  EXPECT_EQ(client->stats().rejects_received, 0u);
  EXPECT_EQ(acceptor.manager->stats().rejects_sent, 0u);
}

TEST(CallerDrivenTest, AdminCallFromAnotherThreadIsRunByTheThreadDriving) {
  EchoAcceptor acceptor;
  acceptor.start();
  SessionManager client(caller_driven());
  log_on(client, acceptor.manager->local_port());
  // This thread drives, blocked in receive until the echo of an order that the other
  // thread sends only after its TestRequest went out. Had the TestRequest waited for this
  // thread to stop driving, the order would never be sent and the receive would time out.
  std::atomic<bool> test_request_ok{false}, order_ok{false};
  std::thread other([&] {
    test_request_ok = client->send_test_request("FROM-OTHER").is_ok();
    order_ok = client->send("D", order_body(1)).is_ok();
  });
  auto echo = client->receive(10s);
  other.join();
  EXPECT_TRUE(test_request_ok);
  EXPECT_TRUE(order_ok);
  ASSERT_TRUE(echo);
  EXPECT_EQ(clordid(echo->bytes), "ORD-1");
  EXPECT_EQ(acceptor.manager->stats().test_requests_received, 1u);
}

TEST(CallerDrivenTest, AcceptorAnswersLogonAndTestRequestWhileItsOwnerDrives) {
  SessionManager server(caller_driven());
  ASSERT_TRUE(server.initialize_session(acceptor_config()).is_ok());
  ASSERT_TRUE(server.start_session().is_ok());
  ASSERT_NE(server->local_port(), 0);
  SessionManager client;  // threaded
  ASSERT_TRUE(client.initialize_session(initiator_config(server->local_port())).is_ok());
  ASSERT_TRUE(client.start_session().is_ok());
  // The accept, the routing of the Logon and the reply all run inside this wait.
  ASSERT_TRUE(server->wait_for_status(SessionStatus::kActive, 5s));
  ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 5s));
  // The server's test request goes out through call(), as the loop's driver; the Heartbeat
  // that answers it is read while this thread waits in receive.
  ASSERT_TRUE(server->send_test_request("PING").is_ok());
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (server->stats().heartbeats_received == 0 && std::chrono::steady_clock::now() < deadline)
    ASSERT_FALSE(server->receive(50ms));  // no application message is sent here
  EXPECT_GE(server->stats().heartbeats_received, 1u);
  EXPECT_EQ(client->stats().test_requests_received, 1u);
  ASSERT_TRUE(client->send("D", order_body(5)).is_ok());
  auto order = server->receive(5s);
  ASSERT_TRUE(order);
  EXPECT_EQ(clordid(order->bytes), "ORD-5");
  server.stop_session();
  EXPECT_EQ(server->status(), SessionStatus::kDisconnected);
}

TEST(CallerDrivenTest, BusyPollDeliversTheSameEchoes) {
  EchoAcceptor acceptor;
  acceptor.start();
  EngineOptions o = caller_driven();
  o.busy_poll = 50us;
  SessionManager client(o);
  log_on(client, acceptor.manager->local_port());
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(client->send("D", order_body(i)).is_ok());
    auto echo = client->receive(5s);
    ASSERT_TRUE(echo);
    ASSERT_EQ(clordid(echo->bytes), "ORD-" + std::to_string(i));
  }
}

// A busy-poll longer than any wait here: the driver spins for the whole of every wait and never
// blocks, so the socket never goes back to the reactor: every byte is read by the driver's own
// recv (Loop::read_direct).
EngineOptions spinning() {
  EngineOptions o = caller_driven();
  o.busy_poll = 60s;
  return o;
}

TEST(CallerDrivenTest, SpinningDriverReadsPipelinedEchoesInOrder) {
  EchoAcceptor acceptor;
  acceptor.start();
  SessionManager client(spinning());
  log_on(client, acceptor.manager->local_port());
  // Sent back to back, the echoes arrive many to a read and split across reads.
  constexpr int kOrders = 500;
  send_and_take_echoes(client, kOrders);
  EXPECT_EQ(client->sequence_numbers().first, SeqNum{kOrders + 2});  // after Logon and the echoes
  EXPECT_EQ(client->stats().rejects_received, 0u);
}

TEST(CallerDrivenTest, SpinningDriverPausesReadingWhileTheInboxIsFull) {
  EchoAcceptor acceptor;
  acceptor.start();
  fixgate::testing::TextLog events;  // before the client, whose listener writes it
  SessionManager client(spinning());
  SessionOptions c = initiator_config(acceptor.manager->local_port());
  c.receive_queue_capacity = 4;
  // The listener runs on this thread, inside the calls that drive.
  log_on(client, c, [&](SessionHandle& h) { h.on_event(events.listener()); });
  // About 100 KB of echoes: several reads of the 16 KiB read buffer. Nothing reads them until
  // this thread drives.
  constexpr int kOrders = 1000;
  for (int i = 0; i < kOrders; ++i) ASSERT_TRUE(client->send("D", order_body(i)).is_ok());
  ASSERT_TRUE(acceptor.wait_for_echoes(kOrders, 10s));
  // The first read leaves at least 4 echoes queued: reading pauses, and says so.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!events.wait_for(kQueueFull, 0ms) && std::chrono::steady_clock::now() < deadline)
    client.run_once(100ms);
  ASSERT_TRUE(events.wait_for(kQueueFull, 0ms));
  const ReceiveQueueStats full = client->receive_queue_stats();
  EXPECT_TRUE(full.paused);
  EXPECT_EQ(full.pauses, 1u);
  EXPECT_GE(full.queued, 4u);
  EXPECT_LT(full.queued, size_t{kOrders});
  // The other echoes are ready in the socket; a driver that still read would take them here.
  const uint64_t received = client->stats().messages_received;
  for (int i = 0; i < 20; ++i) client.run_once(1ms);
  EXPECT_EQ(client->stats().messages_received, received);
  EXPECT_EQ(client->receive_queue_stats().queued, full.queued);
  // Taking them drains the queue to half, which resumes reading, until the next read fills it:
  // all arrive, in order.
  for (int i = 0; i < kOrders; ++i) {
    auto echo = client->receive(5s);
    ASSERT_TRUE(echo) << "echo " << i;
    ASSERT_EQ(clordid(echo->bytes), "ORD-" + std::to_string(i));
  }
  expect_each_pause_logged_and_drained(client, events, kOrders);
}

TEST(CallerDrivenTest, SpinningDriverSeesThePeerClose) {
  EchoAcceptor acceptor;
  acceptor.start();
  SessionManager client(spinning());
  std::vector<std::string> logs;  // the listener runs on this thread, inside run_once()
  log_on(client, acceptor.manager->local_port(), [&logs](SessionHandle& h) {
    h.on_event([&logs](const session::SessionEvent& e) {
      if (e.type == session::SessionEvent::Type::kLog) logs.push_back(e.text);
    });
  });
  acceptor.manager.stop_session();  // no Logout: the socket just closes
  auto disconnected = [&] {
    return std::any_of(logs.begin(), logs.end(),
                       [](const std::string& t) { return t.starts_with("disconnected: "); });
  };
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!disconnected() && std::chrono::steady_clock::now() < deadline) client.run_once(100ms);
  EXPECT_TRUE(disconnected());
  EXPECT_FALSE(client->is_logged_on());
}

TEST(CallerDrivenTest, RunOnceIsANoOpOnAnEngineWithLoopThreads) {
  Engine engine;
  ASSERT_TRUE(engine.add_session(acceptor_config()).is_ok());
  ASSERT_TRUE(engine.start().is_ok());
  EXPECT_EQ(engine.run_once(10ms), 0u);
  Engine idle(caller_driven());
  EXPECT_EQ(idle.run_once(10ms), 0u);  // not started
}

}  // namespace
}  // namespace fixgate::engine
