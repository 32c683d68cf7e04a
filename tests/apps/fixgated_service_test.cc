// fixgated under systemd (Type=notify), with the test standing in for systemd: a unix datagram
// socket of its own named by $NOTIFY_SOCKET, a path or an abstract name ('@'). READY=1 comes
// once the sessions are started (the acceptor accepts), STOPPING=1 at SIGTERM.
#include <gtest/gtest.h>

#include <sys/un.h>

#include <cstddef>

#include "fixgated_helpers.h"

namespace fixgate {
namespace {

using namespace std::chrono_literals;
using namespace fixgate::testing;  // the helpers of fixgated_helpers.h

// The test's end of $NOTIFY_SOCKET: a bound unix datagram socket.
class NotifySocket {
 public:
  // `name`: a path, or "@name" for the abstract namespace.
  explicit NotifySocket(std::string name) : name_(std::move(name)) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, name_.data(), name_.size());
    const bool abstract = name_[0] == '@';
    if (abstract) a.sun_path[0] = '\0';
    const auto len =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size() + (abstract ? 0 : 1));
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&a), len) == 0;
  }
  ~NotifySocket() { close(fd_); }
  bool bound() const { return bound_; }
  const std::string& name() const { return name_; }
  // The next datagram, or "" after `timeout`.
  std::string receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) return "";
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
};

// fixgated with NOTIFY_SOCKET=`notify` in its environment.
std::vector<std::string> fixgated_notifying(const std::string& notify,
                                            const std::vector<std::string>& args) {
  std::vector<std::string> command = fixgated(args);
  command.back() = "NOTIFY_SOCKET='" + notify + "'; export NOTIFY_SOCKET; " + command.back();
  return command;
}

bool accepts(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

std::string acceptor_config() {
  return "[DEFAULT]\nConnectionType=acceptor\nHeartBtInt=30\nSocketAcceptAddress=127.0.0.1\n"
         "SocketAcceptPort=0\n\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=GW\n"
         "TargetCompID=CLIENT\n";
}

void expect_ready_then_stopping(NotifySocket& notify, const std::string& config_path) {
  ASSERT_TRUE(notify.bound()) << notify.name() << ": " << std::strerror(errno);
  Child d(fixgated_notifying(notify.name(), {"--config", config_path, "--app", "echo"}));
  EXPECT_EQ(notify.receive(20s), "READY=1");
  // Ready means started: the start-up lines are all out and the acceptor accepts.
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  ASSERT_EQ(startup.ports.count("FIX.4.4:GW->CLIENT"), 1u);
  EXPECT_TRUE(accepts(startup.ports["FIX.4.4:GW->CLIENT"]));
  EXPECT_EQ(notify.receive(0ms), "");  // nothing more until it stops
  d.signal(SIGTERM);
  EXPECT_EQ(notify.receive(10s), "STOPPING=1");
  EXPECT_EQ(d.wait(10s), 0);
}

TEST(FixgatedService, NotifiesReadyOnceStartedAndStoppingAtSigterm) {
  TempDir dir("fixgated-notify");
  NotifySocket notify(dir.path + "/notify.sock");
  expect_ready_then_stopping(notify, write_file(dir.path + "/f.cfg", acceptor_config()));
}

TEST(FixgatedService, NotifiesAnAbstractSocket) {
  TempDir dir("fixgated-notify-abstract");
  NotifySocket notify("@fixgated-test-" + std::to_string(getpid()));
  expect_ready_then_stopping(notify, write_file(dir.path + "/f.cfg", acceptor_config()));
}

TEST(FixgatedService, WithoutNotifySocketItRunsAsBefore) {
  TempDir dir("fixgated-no-notify");
  Child d(fixgated({"--config", write_file(dir.path + "/f.cfg", acceptor_config())}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(10s), 0);
}

TEST(FixgatedService, TheUnitFileRunsFixgatedAsANotifyService) {
  std::ifstream in(std::string(FIXGATE_SOURCE_DIR) + "/packaging/fixgated.service");
  ASSERT_TRUE(in) << "packaging/fixgated.service";
  std::map<std::string, std::string> keys;
  for (std::string line; std::getline(in, line);)
    if (auto eq = line.find('='); eq != std::string::npos && line[0] != '#')
      keys[line.substr(0, eq)] = line.substr(eq + 1);
  EXPECT_EQ(keys["Type"], "notify");
  EXPECT_EQ(keys["ExecReload"], "/bin/kill -HUP $MAINPID");
  EXPECT_EQ(keys["Restart"], "on-failure");
  EXPECT_EQ(keys["NoNewPrivileges"], "yes");
  EXPECT_NE(keys["ExecStart"].find("fixgated --config "), std::string::npos);
}

}  // namespace
}  // namespace fixgate
