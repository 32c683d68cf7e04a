// `fixgate top`: the screen it draws (top_screen), and the real binary in a real terminal: tmux
// runs it against an AdminServer over an in-memory LpControl, capture-pane reads the screen,
// send-keys types q.
#include "top.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <thread>

#include "../../tests/support/admin_harness.h"

namespace fixgate::cli {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

gateway::SystemTime at(int64_t seconds) {
  return gateway::SystemTime(std::chrono::seconds(seconds));
}

TEST(TopScreenTest, RowsWithRatesAgesCountdownsAndColouredStatus) {
  const gateway::SystemTime now = at(1714564800);  // 2024-05-01T12:00:00Z
  json previous = json::array({{{"provider", "LP1"}, {"messages_in", 10}, {"messages_out", 4}}});
  json sessions =
      json::array({{{"provider", "LP1"},
                    {"status_text", "active"},
                    {"state", "active"},
                    {"host", "10.0.0.1"},
                    {"port", 9001},
                    {"next_sender_seq", 12},
                    {"next_target_seq", 15},
                    {"messages_in", 30},
                    {"messages_out", 8},
                    {"last_received_at", "2024-05-01T11:59:56.500000000Z"},
                    {"next_reconnect_at", nullptr},
                    {"status_reason", ""}},
                   {{"provider", "LP2"},
                    {"status_text", "error"},
                    {"state", "connecting"},
                    {"host", "::1"},
                    {"port", 9002},
                    {"next_sender_seq", 1},
                    {"next_target_seq", 1},
                    {"messages_in", 0},
                    {"messages_out", 0},
                    {"last_received_at", nullptr},
                    {"next_reconnect_at", "2024-05-01T12:00:30Z"},
                    {"status_reason", "connection refused by the far side of the network"}}});
  TopOptions o;
  o.width = 110;
  const std::string screen = top_screen(sessions, &previous, 2.0, now, o);
  EXPECT_EQ(screen,
            "fixgate top  2024-05-01 12:00:00 UTC  2 LPs: 1 active, 1 error, 0 inactive   q: quit\n"
            "\n"
            "PROVIDER  STATUS  STATE       HOST:PORT      SEQ OUT/IN  IN/S  OUT/S  LAST IN  "
            "RECONNECT  REASON\n"
            "LP1       \x1b[32mactive\x1b[0m  active      10.0.0.1:9001  12/15       10    2      "
            "3.5s\n"
            "LP2       \x1b[31merror\x1b[0m   connecting  [::1]:9002     1/1         -     -      -"
            "        in 30s     connection refused b\n");
  // The rows fit the width: the reason is cut (colours take no columns).
  EXPECT_EQ(std::string("LP2       error   connecting  [::1]:9002     1/1         -     -      -"
                        "        in 30s     connection refused b")
                .size(),
            o.width);
  // Without colours, and a failed fetch named under the title.
  o.color = false;
  const std::string plain = top_screen(sessions, nullptr, 0, now, o, "cannot reach it");
  EXPECT_NE(plain.find("\n! cannot reach it\n"), std::string::npos) << plain;
  EXPECT_EQ(plain.find('\x1b'), std::string::npos) << plain;
}

// A tmux server of the test's own (its socket name), killed at the end.
class Tmux {
 public:
  Tmux() : socket_("fixgate-top-" + std::to_string(getpid())) {}
  ~Tmux() { run("kill-server"); }
  // Runs `tmux -L SOCKET ARGS`; its output.
  std::string run(const std::string& args, int* code = nullptr) const {
    std::string out;
    FILE* p = popen(("tmux -L " + socket_ + " " + args + " 2>&1").c_str(), "r");
    char buf[512];
    while (p && std::fgets(buf, sizeof buf, p)) out += buf;
    const int status = p ? pclose(p) : -1;
    if (code) *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
  }
  std::string screen() const { return run("capture-pane -p -t top"); }
  // Polls the screen until `done` holds for it (a terminal has no event to wait on), up to 10 s.
  bool await_screen(const std::function<bool(const std::string&)>& done,
                    std::string* last = nullptr) const {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      std::string s = screen();
      if (last) *last = s;
      if (done(s)) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(50ms);
    }
  }
  bool running() const {
    int code = 0;
    run("has-session -t top", &code);
    return code == 0;
  }

 private:
  std::string socket_;
};

// The line of `screen` that starts with `provider`.
std::string row(const std::string& screen, const std::string& provider) {
  size_t at = screen.find("\n" + provider + " ");
  if (at == std::string::npos) return "";
  return screen.substr(at + 1, screen.find('\n', at + 1) - at - 1);
}

TEST(TopTerminalTest, ShowsTheLiveTableInTmuxAndQuitsOnQ) {
  testing::AdminHarness h;
  ASSERT_TRUE(h.start());
  Tmux tmux;
  const std::string command =
      std::string(FIXGATE_CLI_PATH) +
      " top --interval 200 --url http://127.0.0.1:" + std::to_string(h.port());
  int code = -1;
  const std::string started =
      tmux.run("new-session -d -s top -x 150 -y 20 '" + command + "'", &code);
  ASSERT_EQ(code, 0) << started;

  std::string screen;
  ASSERT_TRUE(tmux.await_screen(
      [](const std::string& s) { return s.find("3 LPs: 1 active, 1 error, 1 inactive") != s.npos; },
      &screen))
      << screen;
  EXPECT_NE(row(screen, "LP1").find("active"), std::string::npos) << screen;
  EXPECT_NE(row(screen, "LP1").find("10.0.0.1:9001  12/15"), std::string::npos) << screen;
  EXPECT_NE(row(screen, "LP2").find("connection refused"), std::string::npos) << screen;
  EXPECT_NE(row(screen, "LP3").find("disabled by ops"), std::string::npos) << screen;

  // A change shows at the next refresh, without a key pressed.
  gateway::LpView lp2 = h.control.get("LP2");
  lp2.status = gateway::LpStatus::kActive;
  lp2.state = "active";
  lp2.status_reason = "";
  lp2.next_reconnect_at.reset();
  h.control.add(lp2);
  ASSERT_TRUE(tmux.await_screen(
      [](const std::string& s) { return s.find("3 LPs: 2 active, 0 error") != s.npos; }, &screen))
      << screen;
  EXPECT_EQ(row(screen, "LP2").find("connection refused"), std::string::npos) << screen;

  // q ends it: the pane's program exits, and with it the tmux session.
  tmux.run("send-keys -t top q");
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (tmux.running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(tmux.running()) << tmux.screen();
}

TEST(TopTerminalTest, OncePrintsOneTableForScripts) {
  testing::AdminHarness h;
  ASSERT_TRUE(h.start());
  std::string out;
  const std::string cmd =
      std::string(FIXGATE_CLI_PATH) +
      " top --once --no-color --url http://127.0.0.1:" + std::to_string(h.port());
  FILE* p = popen(cmd.c_str(), "r");
  char buf[512];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  const int status = p ? pclose(p) : -1;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("3 LPs: 1 active, 1 error, 1 inactive\n"), std::string::npos) << out;
  EXPECT_NE(row(out, "LP2").find("error     connecting  10.0.0.2:9002"), std::string::npos) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  // Nothing listening: exit code 1 and why.
  const int refused = std::system(
      (std::string(FIXGATE_CLI_PATH) + " top --once --url http://127.0.0.1:1 2>/dev/null").c_str());
  EXPECT_EQ(WEXITSTATUS(refused), 1);
}

}  // namespace
}  // namespace fixgate::cli
