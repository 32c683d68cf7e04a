// A loopback TCP relay between a client and a server that a test can cut at any moment: both
// connections are reset and whatever the relay held is thrown away, as when a network path
// dies with messages in flight. New connections are relayed again afterwards.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace fixgate::testing {

class TcpProxy {
 public:
  explicit TcpProxy(uint16_t target_port) : target_(target_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), len);
    ::listen(listen_fd_, 8);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::pipe(wake_);
    thread_ = std::thread([this] { run(); });
  }
  ~TcpProxy() {
    stop_ = true;
    (void)!::write(wake_[1], "x", 1);
    thread_.join();
    close_pair();
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
  }
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  uint16_t port() const { return port_; }
  // Resets the current connection pair (if any), dropping every byte in transit.
  void cut() {
    cut_ = true;
    (void)!::write(wake_[1], "x", 1);
    while (cut_) std::this_thread::yield();  // the relay thread acknowledges at once
  }
  int connections() const { return connections_; }

 private:
  static sockaddr_in loopback(uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
  }
  static void reset(int fd) {
    linger l{1, 0};  // close with RST: unread and unsent data is discarded
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
  }
  void close_pair() {
    if (client_ >= 0) reset(client_);
    if (server_ >= 0) reset(server_);
    client_ = server_ = -1;
  }
  // Moves what `from` has to `to`; false when either side is done.
  static bool relay(int from, int to) {
    char buf[4096];
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n <= 0) return false;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(to, buf + done, static_cast<size_t>(n - done));
      if (w <= 0) return false;
      done += w;
    }
    return true;
  }
  void run() {
    while (!stop_) {
      std::vector<pollfd> fds{{wake_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
      if (client_ >= 0) {
        fds.push_back({client_, POLLIN, 0});
        fds.push_back({server_, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), 1000) <= 0) continue;
      if (fds[0].revents) {
        char c;
        (void)!::read(wake_[0], &c, 1);
        if (cut_) {
          close_pair();
          cut_ = false;
        }
        continue;
      }
      if (fds[1].revents) {
        int c = ::accept(listen_fd_, nullptr, nullptr);
        if (c >= 0) {
          close_pair();  // one pair at a time: a new client replaces the old
          int s = ::socket(AF_INET, SOCK_STREAM, 0);
          sockaddr_in a = loopback(target_);
          if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
            client_ = c;
            server_ = s;
            ++connections_;
          } else {
            ::close(c);
            ::close(s);
          }
        }
        continue;
      }
      if (client_ < 0) continue;
      bool ok = true;
      if (fds[2].revents) ok = relay(client_, server_);
      if (ok && fds[3].revents) ok = relay(server_, client_);
      if (!ok) close_pair();
    }
  }

  uint16_t target_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int client_ = -1, server_ = -1;
  std::atomic<bool> stop_{false}, cut_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace fixgate::testing
