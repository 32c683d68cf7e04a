// Busy-polling loop threads (EngineOptions::busy_poll on an engine with threads of its own), over
// real loopback TCP: the loop thread spins, reading its plain TCP sockets with its own recv,
// and still runs everything else a loop runs (timers, posted sends, stop).
#include <gtest/gtest.h>

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <optional>
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
  log_on(client, acceptor.manager->local_port());
  // Back to back, the orders reach the spinning acceptor many to a read and split across reads.
  constexpr int kOrders = 500;
  send_and_take_echoes(client, kOrders);
  EXPECT_EQ(acceptor.manager->sequence_numbers(),
            std::make_pair(SeqNum{kOrders + 2}, SeqNum{kOrders + 2}));
  EXPECT_EQ(client->sequence_numbers().first, SeqNum{kOrders + 2});
  EXPECT_EQ(client->stats().rejects_received, 0u);
}

TEST(BusyPollTest, SpinningLoopThreadRunsItsSessionsTimers) {
  // The acceptor's heartbeats come from its session's timer, which only the spinning loop runs.
  EchoAcceptor acceptor(spinning());
  acceptor.start();
  std::mutex mu;
  std::condition_variable cv;
  int heartbeats = 0;
  SessionManager client;
  SessionOptions c = initiator_config(acceptor.manager->local_port());
  c.session.heartbeat_interval = 1s;
  log_on(client, c, [&](SessionHandle& h) {
    h.on_event([&](const session::SessionEvent& e) {
      if (e.type != session::SessionEvent::Type::kAdminMessage) return;
      if (e.bytes.find("\x01"
                       "35=0\x01") == std::string::npos)
        return;
      std::lock_guard lock(mu);
      ++heartbeats;
      cv.notify_all();
    });
  });
  std::unique_lock lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, 10s, [&] { return heartbeats >= 2; }));
  EXPECT_GE(acceptor.manager->stats().heartbeats_sent, 2u);
}

// CPU time used by `thread` so far; nullopt, failing the test, when the clock cannot be read.
std::optional<std::chrono::nanoseconds> cpu_time(pthread_t thread) {
  clockid_t clock;
  timespec ts{};
  if (pthread_getcpuclockid(thread, &clock) != 0 || clock_gettime(clock, &ts) != 0) {
    ADD_FAILURE() << "cannot read the loop thread's CPU clock";
    return std::nullopt;
  }
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// A thread of this process as the kernel sees it (/proc/self/task/TID).
struct TaskState {
  char state = '?';                 // R: running or runnable; S: waiting in the kernel …
  std::string wchan;                // what it waits in, when waiting ("do_epoll_wait")
  uint64_t voluntary_switches = 0;  // times it gave up its CPU to wait
};

// Thread `tid`'s state; nullopt, failing the test, when /proc cannot be read.
std::optional<TaskState> task_state(pid_t tid) {
  const std::string dir = "/proc/self/task/" + std::to_string(tid);
  std::ifstream stat_file(dir + "/stat"), wchan_file(dir + "/wchan"), status_file(dir + "/status");
  std::string stat;
  std::getline(stat_file, stat);
  TaskState t;
  std::getline(wchan_file, t.wchan);
  bool switches = false;
  for (std::string line; std::getline(status_file, line);) {
    constexpr std::string_view kKey = "voluntary_ctxt_switches:";
    if (!line.starts_with(kKey)) continue;
    t.voluntary_switches = std::stoull(line.substr(kKey.size()));
    switches = true;
  }
  const size_t paren = stat.rfind(')');  // "TID (comm) STATE …"; comm may hold anything
  if (paren == std::string::npos || paren + 2 >= stat.size() || !switches) {
    ADD_FAILURE() << "cannot read " << dir;
    return std::nullopt;
  }
  t.state = stat[paren + 2];
  return t;
}

// The loop thread of an acceptor whose session, once logged on, idles (heartbeats every 30 s).
class IdleLoop {
 public:
  explicit IdleLoop(EngineOptions options) : acceptor_(std::move(options)) {}
  void start() {
    ASSERT_TRUE(acceptor_.initialize_session(acceptor_config()).is_ok());
    acceptor_->on_event([this](const session::SessionEvent&) {
      thread_ = pthread_self();  // listeners run on the session's loop thread
      tid_ = gettid();
    });
    ASSERT_TRUE(acceptor_.start_session().is_ok());
    log_on(client_, initiator_config(acceptor_->local_port()));
    ASSERT_TRUE(acceptor_->wait_for_status(SessionStatus::kActive, 5s));
    ASSERT_NE(tid_, 0);  // the Active status event ran the listener before it was published
  }
  pid_t tid() const { return tid_; }
  pthread_t thread() const { return thread_; }

 private:
  // Declared before the sessions: their listener writes them until the sessions are gone.
  std::atomic<pthread_t> thread_{};
  std::atomic<pid_t> tid_{0};
  SessionManager acceptor_;
  SessionManager client_;
};

TEST(BusyPollTest, AnIdleLoopThreadThatSpinsNeverWaitsInTheKernel) {
  // Spinning longer than the test, without yielding, the idle loop thread never blocks. Shown by
  // what it did, not by how long it took: it runs until it has had 20 ms of CPU (however long a
  // busy machine takes to give it that) and in all that time it never once gave up its CPU to
  // wait. A loop that blocked when idle would not get the CPU, nor keep its switch count.
  IdleLoop loop(spinning(/*yield=*/false));
  loop.start();
  const auto before = task_state(loop.tid());
  const auto cpu_before = cpu_time(loop.thread());
  ASSERT_TRUE(before && cpu_before);
  auto cpu = cpu_before;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  // Polling a counter the kernel keeps, which has no event to await.
  while (cpu && *cpu - *cpu_before < 20ms && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
    cpu = cpu_time(loop.thread());
  }
  ASSERT_TRUE(cpu);
  ASSERT_GE(*cpu - *cpu_before, 20ms) << "the spinning loop thread got no CPU in 30 s";
  const auto after = task_state(loop.tid());
  ASSERT_TRUE(after);
  EXPECT_EQ(after->voluntary_switches, before->voluntary_switches);
  EXPECT_EQ(after->state, 'R');
}

// True once thread `tid` waits in epoll_wait (the reactor), looking every millisecond for up to
// 10 s: a state the kernel keeps, which has no event to await.
bool waits_in_epoll(pid_t tid) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    const auto t = task_state(tid);
    if (!t) return false;
    if (t->state == 'S' && t->wchan.find("epoll") != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) {
      ADD_FAILURE() << "thread " << tid << " is in state " << t->state << ", wchan '" << t->wchan
                    << "'";
      return false;
    }
    std::this_thread::sleep_for(1ms);
  }
}

TEST(BusyPollTest, AnIdleLoopThreadBlocksInTheReactorAfterItsBusyPoll) {
  // Spinning 1 ms, then waiting in the kernel as a loop that does not busy-poll does at once.
  EngineOptions spin_short;
  spin_short.busy_poll = 1ms;
  IdleLoop spinner(spin_short);
  spinner.start();
  EXPECT_TRUE(waits_in_epoll(spinner.tid()));
  IdleLoop plain{EngineOptions{}};
  plain.start();
  EXPECT_TRUE(waits_in_epoll(plain.tid()));
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
  log_on(client, acceptor.manager->local_port());
  for (int i = 0; i < 300; ++i) send_and_take_echoes(client, 1, i);
  EXPECT_EQ(client->sequence_numbers().first, SeqNum{302});
}

TEST(BusyPollTest, SpinningLoopStopsAndStartsAgain) {
  EchoAcceptor acceptor(spinning());
  acceptor.start();
  SessionManager client;
  log_on(client, acceptor.manager->local_port());
  send_and_take_echoes(client, 50);
  // Stopping joins the loop thread: it must leave its spin.
  acceptor.manager.stop_session();
  EXPECT_EQ(acceptor.manager->status(), SessionStatus::kDisconnected);
  ASSERT_TRUE(client->wait_for_status(SessionStatus::kDisconnected, 5s));
  // Started again on the same port, the client reconnects (its sequence numbers carry on).
  ASSERT_TRUE(acceptor.manager.start_session().is_ok());
  ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 5s));
  send_and_take_echoes(client, 50, 50);
}

TEST(BusyPollTest, SpinningLoopSeesThePeerClose) {
  EchoAcceptor acceptor(spinning());
  acceptor.start();
  SessionManager client;
  log_on(client, acceptor.manager->local_port());
  ASSERT_TRUE(acceptor.manager->wait_for_status(SessionStatus::kActive, 5s));
  client.stop_session();  // no Logout: the socket just closes under the spinning reader
  EXPECT_TRUE(acceptor.manager->wait_for_status(SessionStatus::kDisconnected, 5s));
}

}  // namespace
}  // namespace fixgate::engine
