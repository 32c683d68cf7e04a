// Busy-polling loop threads (EngineOptions::busy_poll on an engine with threads of its own), over
// real loopback TCP: the loop thread spins, reading its plain TCP sockets with its own recv,
// and still runs everything else a loop runs (timers, posted sends, stop).
#include <gtest/gtest.h>

#include <pthread.h>
#include <time.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

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
using testing::initiator_config;
using testing::log_on;
using testing::order_body;
using testing::send_and_take_echoes;

// A spin longer than any test: the loop thread never blocks while a test runs, so every byte its
// sessions receive is read by its own recv (Loop::read_direct), never by the reactor.
EngineOptions spinning(bool yield = true) {
  EngineOptions o;
  o.busy_poll = 60s;
  o.busy_poll_yield = yield;
  return o;
}

TEST(BusyPollTest, SpinningLoopThreadEchoesPipelinedOrdersInOrder) {
  EchoAcceptor acceptor(spinning());
  acceptor.start();
  SessionManager client;
  log_on(client, acceptor.manager.local_port());
  // Back to back, the orders reach the spinning acceptor many to a read and split across reads.
  constexpr int kOrders = 500;
  send_and_take_echoes(client, kOrders);
  EXPECT_EQ(acceptor.manager.sequence_numbers(),
            std::make_pair(SeqNum{kOrders + 2}, SeqNum{kOrders + 2}));
  EXPECT_EQ(client.sequence_numbers().first, SeqNum{kOrders + 2});
  EXPECT_EQ(client.session_stats().rejects_received, 0u);
}

TEST(BusyPollTest, SpinningLoopThreadRunsItsSessionsTimers) {
  // The acceptor's heartbeats come from its session's timer, which only the spinning loop runs.
  EchoAcceptor acceptor(spinning());
  acceptor.start();
  std::mutex mu;
  std::condition_variable cv;
  int heartbeats = 0;
  SessionManager client;
  client.on_event([&](const session::SessionEvent& e) {
    if (e.type != session::SessionEvent::Type::kAdminMessage) return;
    if (e.bytes.find("\x01"
                     "35=0\x01") == std::string::npos)
      return;
    std::lock_guard lock(mu);
    ++heartbeats;
    cv.notify_all();
  });
  ManagerConfig c = initiator_config(acceptor.manager.local_port());
  c.session.heartbeat_interval = 1s;
  log_on(client, c);
  std::unique_lock lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, 10s, [&] { return heartbeats >= 2; }));
  EXPECT_GE(acceptor.manager.session_stats().heartbeats_sent, 2u);
}

// CPU time used by `thread` so far.
std::chrono::nanoseconds cpu_time(pthread_t thread) {
  clockid_t clock;
  timespec ts{};
  if (pthread_getcpuclockid(thread, &clock) != 0 || clock_gettime(clock, &ts) != 0) return {};
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// The CPU time the acceptor's loop thread uses while its logged-on session idles for 300 ms.
std::chrono::nanoseconds idle_loop_cpu(EngineOptions options) {
  // Declared before the sessions: their listener writes them until the sessions are gone.
  std::atomic<pthread_t> loop_thread{};
  std::atomic<bool> seen{false};
  SessionManager acceptor(options);
  acceptor.on_event([&](const session::SessionEvent&) {
    loop_thread = pthread_self();  // listeners run on the session's loop thread
    seen = true;
  });
  EXPECT_TRUE(acceptor.initialize_session(acceptor_config()).is_ok());
  EXPECT_TRUE(acceptor.start_session().is_ok());
  SessionManager client;
  log_on(client, initiator_config(acceptor.local_port()));
  EXPECT_TRUE(acceptor.wait_for_status(SessionStatus::kActive, 5s));
  EXPECT_TRUE(seen);
  const auto before = cpu_time(loop_thread);
  std::this_thread::sleep_for(300ms);  // the window measured, not a synchronisation
  return cpu_time(loop_thread) - before;
}

TEST(BusyPollTest, AnIdleLoopThreadSpinsForBusyPollThenBlocks) {
  // Spinning longer than the window, the loop thread runs whenever the scheduler lets it: without
  // yielding it gets a fair share of a CPU however busy the machine is (the other tests ctest
  // runs beside this one), far above what a sleeping thread uses. Spinning 1 ms, it then blocks
  // in the kernel and uses next to nothing, as a loop that does not busy-poll does.
  EXPECT_GT(idle_loop_cpu(spinning(/*yield=*/false)), 10ms);
  EngineOptions spin_short;
  spin_short.busy_poll = 1ms;
  EXPECT_LT(idle_loop_cpu(spin_short), 10ms);
  EXPECT_LT(idle_loop_cpu(EngineOptions{}), 10ms);
}

TEST(BusyPollTest, SpinnersThatDoNotYieldEchoPingPong) {
  // Both ends spin without yielding, as on CPUs of their own; each blocks after 50 µs without
  // anything to do, so two spinners sharing a CPU here cannot starve each other for long.
  EngineOptions o;
  o.busy_poll = 50us;
  o.busy_poll_yield = false;
  EchoAcceptor acceptor(o);
  acceptor.start();
  EngineOptions driven = o;
  driven.caller_driven = true;
  SessionManager client(driven);
  log_on(client, acceptor.manager.local_port());
  for (int i = 0; i < 300; ++i) send_and_take_echoes(client, 1, i);
  EXPECT_EQ(client.sequence_numbers().first, SeqNum{302});
}

TEST(BusyPollTest, SpinningLoopStopsAndStartsAgain) {
  EchoAcceptor acceptor(spinning());
  acceptor.start();
  SessionManager client;
  log_on(client, acceptor.manager.local_port());
  send_and_take_echoes(client, 50);
  // Stopping joins the loop thread: it must leave its spin.
  acceptor.manager.stop_session();
  EXPECT_EQ(acceptor.manager.session_status(), SessionStatus::kDisconnected);
  ASSERT_TRUE(client.wait_for_status(SessionStatus::kDisconnected, 5s));
  // Started again on the same port, the client reconnects (its sequence numbers carry on).
  ASSERT_TRUE(acceptor.manager.start_session().is_ok());
  ASSERT_TRUE(client.wait_for_status(SessionStatus::kActive, 5s));
  send_and_take_echoes(client, 50, 50);
}

TEST(BusyPollTest, SpinningLoopSeesThePeerClose) {
  EchoAcceptor acceptor(spinning());
  acceptor.start();
  SessionManager client;
  log_on(client, acceptor.manager.local_port());
  ASSERT_TRUE(acceptor.manager.wait_for_status(SessionStatus::kActive, 5s));
  client.stop_session();  // no Logout: the socket just closes under the spinning reader
  EXPECT_TRUE(acceptor.manager.wait_for_status(SessionStatus::kDisconnected, 5s));
}

}  // namespace
}  // namespace fixgate::engine
