// What the engine reports about itself for monitoring (the gateway's /metrics): an initiator's
// connection attempts, failures and backoff, and the CPU time of the loop threads. Real loopback
// TCP; a reserved port refuses connections until an acceptor listens on it.
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "../support/process.h"
#include "fixgate/engine/engine.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using session::SessionStatus;

// Polls `done` until it holds or `timeout` passes: these counters have no event to wait on.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

SessionOptions options(session::Role role, const std::string& us, const std::string& them,
                       uint16_t port) {
  SessionOptions c;
  c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = us, .target_comp_id = them};
  c.session.role = role;
  if (role == session::Role::kAcceptor) {
    c.accept = {"127.0.0.1", port};
  } else {
    c.connect = {{"127.0.0.1", port}};
    c.reconnect = {.initial = 20ms, .max = 80ms, .multiplier = 2.0, .jitter = 0.0};
  }
  return c;
}

TEST(EngineStatsTest, InitiatorCountsAttemptsFailuresAndBackoffUntilItLogsOn) {
  testing::ReservedPort port;  // bound, not listening: every connect is refused
  ASSERT_NE(port.port(), 0);
  Engine client(EngineOptions{.threads = 1, .on_log = {}});
  auto h = client.add_session(options(session::Role::kInitiator, "C", "S", port.port()));
  ASSERT_TRUE(h);
  EXPECT_EQ((*h)->connect_stats().attempts, 0u);
  ASSERT_TRUE(client.start().is_ok());
  ASSERT_TRUE(eventually([&] { return (*h)->connect_stats().failures >= 4; }));
  transport::ConnectStats s = (*h)->connect_stats();
  EXPECT_GE(s.attempts, s.failures);
  EXPECT_LE(s.attempts, s.failures + 1);  // at most the one in progress
  // No jitter: the waits double from 20 ms up to the 80 ms cap.
  ASSERT_TRUE(eventually([&] { return (*h)->connect_stats().backoff == 80ms; }));

  // An acceptor on the port: the next attempt logs on, and the backoff starts again.
  Engine server(EngineOptions{.threads = 1, .on_log = {}});
  ASSERT_TRUE(server.add_session(options(session::Role::kAcceptor, "S", "C", port.port())));
  ASSERT_TRUE(server.start().is_ok());
  ASSERT_TRUE((*h)->wait_for_status(SessionStatus::kActive, 10s));
  s = (*h)->connect_stats();
  EXPECT_EQ(s.attempts, s.failures + 1);
  EXPECT_EQ(s.backoff, 0ms);
  EXPECT_FALSE((*h)->next_reconnect_at());
  // An acceptor makes no attempts.
  EXPECT_EQ(server.sessions().front()->connect_stats().attempts, 0u);
  client.stop();
  server.stop();
}

TEST(EngineStatsTest, LoopCpuTimeGrowsWithWorkAndOutlivesTheThreads) {
  Engine server(EngineOptions{.threads = 2, .on_log = {}});
  ASSERT_TRUE(server.add_session(options(session::Role::kAcceptor, "S", "C", 0)));
  ASSERT_TRUE(server.start().is_ok());
  const uint16_t port = server.sessions().front()->local_port();
  Engine client(EngineOptions{.threads = 1, .on_log = {}});
  auto h = client.add_session(options(session::Role::kInitiator, "C", "S", port));
  ASSERT_TRUE(h);
  ASSERT_TRUE(client.start().is_ok());
  ASSERT_TRUE((*h)->wait_for_status(SessionStatus::kActive, 10s));
  const auto before = server.loop_cpu_time();
  ASSERT_TRUE(before);
  SessionHandle* gw = server.sessions().front();
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE((*h)->send("D",
                           "11=X\x01"
                           "55=IBM\x01")
                    .is_ok());
    ASSERT_TRUE(gw->receive(10s));
  }
  const auto after = server.loop_cpu_time();
  ASSERT_TRUE(after);
  EXPECT_GT(*after, *before);  // reading 2000 messages takes CPU time on the server's loop
  client.stop();
  server.stop();
  const auto stopped = server.loop_cpu_time();  // the threads have ended: their time is kept
  ASSERT_TRUE(stopped);
  EXPECT_GE(*stopped, *after);
}

TEST(EngineStatsTest, ACallerDrivenEngineHasNoLoopThreadToMeasure) {
  Engine e(EngineOptions{.caller_driven = true, .on_log = {}});
  EXPECT_FALSE(e.loop_cpu_time());
}

}  // namespace
}  // namespace fixgate::engine
