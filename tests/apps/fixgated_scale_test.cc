// Scale: 1,000 sessions in one fixgated process, all logged on from this one client process,
// HeartBtInt=5, kept up for 30 s: no session may miss a heartbeat or drop. Reports fixgated's
// memory per session.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "../support/process.h"
#include "fixgate/engine/engine.h"

namespace fixgate {
namespace {

using namespace std::chrono_literals;
using fixgate::testing::Child;
using fixgate::testing::ReservedPort;
using fixgate::testing::TempDir;
using session::SessionStatus;

constexpr int kSessions = 1000;
constexpr auto kSoak = 30s;

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

TEST(FixgatedScale, ThousandSessionsHeartbeatForThirtySeconds) {
  TempDir dir("fixgated-scale");
  // One port shared by every session: known before fixgated starts, held for it.
  const ReservedPort reserved;
  const uint16_t port = reserved.port();
  ASSERT_NE(port, 0);
  std::ostringstream cfg;
  cfg << "[DEFAULT]\nConnectionType=acceptor\nHeartBtInt=5\nSocketAcceptAddress=127.0.0.1\n"
      << "SocketAcceptPort=" << port << "\nBeginString=FIX.4.4\nSenderCompID=GW\n";
  for (int i = 0; i < kSessions; ++i) cfg << "[SESSION]\nTargetCompID=C" << i << "\n";
  std::string path = dir.path + "/scale.cfg";
  std::ofstream(path) << cfg.str();

  Child d({FIXGATED_PATH, "--config", path});
  std::string line;
  // Two start-up lines per session: it listens, and it has no application (no --app).
  for (int i = 0; i < 2 * kSessions + 5; ++i) {
    line = d.read_line(30s);
    if (line.find("fixgated: running") != std::string::npos || line.empty()) break;
  }
  // After the line's timestamp and level.
  ASSERT_TRUE(line.ends_with(" fixgated: running " + std::to_string(kSessions) + " session(s)"))
      << line;
  const long rss_idle = rss_kib(d.pid());
  // fixgated logs every session event to stdout: keep reading, or its writes block on the pipe.
  std::atomic<bool> draining{true};
  std::thread drain([&] {
    while (draining) d.read_line(200ms);
  });

  engine::Engine clients(engine::EngineOptions{.threads = 2, .on_log = {}});
  std::vector<engine::SessionHandle*> handles;
  for (int i = 0; i < kSessions; ++i) {
    engine::SessionOptions c;
    c.session.id = {.begin_string = "FIX.4.4",
                    .sender_comp_id = std::string("C").append(std::to_string(i)),
                    .target_comp_id = "GW"};
    c.session.role = session::Role::kInitiator;
    c.session.heartbeat_interval = 5s;
    c.connect = {{"127.0.0.1", port}};
    c.reconnect.initial = 200ms;
    auto h = clients.add_session(c);
    ASSERT_TRUE(h);
    handles.push_back(*h);
  }
  ASSERT_TRUE(clients.start().is_ok());
  for (auto* h : handles)
    ASSERT_TRUE(h->wait_for_status(SessionStatus::kActive, 60s)) << h->id().to_string();
  const long rss_logged_on = rss_kib(d.pid());
  std::vector<uint64_t> heartbeats_before, logons_before;
  for (auto* h : handles) heartbeats_before.push_back(h->stats().heartbeats_received);

  // The soak: nothing happens but heartbeats. Waiting is the test itself, not synchronisation.
  std::this_thread::sleep_for(kSoak);

  size_t missed = 0, dropped = 0;
  for (size_t i = 0; i < handles.size(); ++i) {
    auto s = handles[i]->stats();
    // 30 s at HeartBtInt=5: at least 5 heartbeats from fixgated, and never a test request.
    if (s.heartbeats_received - heartbeats_before[i] < 5 || s.test_requests_received > 0) ++missed;
    if (!handles[i]->is_logged_on() || s.errors > 0) ++dropped;
  }
  EXPECT_EQ(missed, 0u);
  EXPECT_EQ(dropped, 0u);
  std::cout << "fixgated: " << kSessions << " sessions, RSS " << rss_idle / 1024
            << " MiB configured, " << rss_logged_on / 1024
            << " MiB logged on: " << (rss_logged_on - rss_idle) * 1024 / kSessions
            << " bytes per logged-on session, " << rss_logged_on * 1024 / kSessions
            << " bytes per session in all" << std::endl;
  RecordProperty("bytes_per_session", static_cast<int>(rss_logged_on * 1024 / kSessions));
  clients.shutdown(20s);
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(30s), 0);
  draining = false;
  drain.join();
}

}  // namespace
}  // namespace fixgate
