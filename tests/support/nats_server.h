// Test support: a real nats-server (Debian's, v2.9) on a loopback port of its own, with
// JetStream on a scratch store, that a test starts, kills and restarts on the same port and
// store: what a client sees of a server that dies and comes back. Killed at the end.
#pragma once

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "process.h"

namespace fixgate::testing {

class NatsServer {
 public:
  // The program: $FIXGATE_NATS_SERVER, else /usr/sbin/nats-server (Debian's package).
  static std::string program() {
    const char* env = std::getenv("FIXGATE_NATS_SERVER");
    return env != nullptr && *env != '\0' ? env : "/usr/sbin/nats-server";
  }

  // Not started yet: the port (held until then, see ReservedPort) and the store are chosen.
  explicit NatsServer(bool jetstream = true) : jetstream_(jetstream), dir_("nats-server") {}
  ~NatsServer() { kill(); }
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  // Starts it (again: same port, same store) and waits until it accepts connections, at most
  // `timeout`; false, with a test failure quoting its log, if it did not.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    if (child_ != nullptr) return true;
    std::vector<std::string> args{program(), "-a",      "127.0.0.1", "-p", std::to_string(port()),
                                  "-l",      log_path()};
    if (jetstream_) args.insert(args.end(), {"-js", "-sd", store_dir()});
    child_ = std::make_unique<Child>(std::move(args));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (accepts_connections()) return true;
      // Polls its exit for 10 ms: the probe's interval too.
      if (int code = child_->wait(std::chrono::milliseconds(10)); code != -1) {
        child_.reset();
        ADD_FAILURE() << "nats-server exited with " << code << ":\n" << log();
        return false;
      }
    }
    ADD_FAILURE() << "nats-server not accepting connections on port " << port() << " after "
                  << timeout.count() << " ms:\n"
                  << log();
    kill();
    return false;
  }
  // Graceful: SIGTERM (it writes its store and closes its clients), then waits for the exit.
  void stop() { end(SIGTERM); }
  // As a crash: SIGKILL, then waits for the exit.
  void kill() { end(SIGKILL); }
  bool restart() {
    stop();
    return start();
  }
  bool running() const { return child_ != nullptr; }

  uint16_t port() const { return port_.port(); }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port()); }
  std::string store_dir() const { return dir_.path + "/store"; }
  std::string log_path() const { return dir_.path + "/nats-server.log"; }
  std::string log() const {
    std::ifstream in(log_path());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  void end(int signal) {
    if (child_ == nullptr) return;
    child_->signal(signal);
    EXPECT_NE(child_->wait(std::chrono::seconds(20)), -1) << "nats-server did not exit";
    child_.reset();  // kills it if it is still there
  }
  bool accepts_connections() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port());
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
  }

  bool jetstream_;
  ReservedPort port_;  // held for the server's life and between its runs
  TempDir dir_;
  std::unique_ptr<Child> child_;
};

}  // namespace fixgate::testing
