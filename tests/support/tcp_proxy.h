// A loopback TCP relay between a client and a server that a test can cut at any moment: both
// connections are reset and whatever the relay held is thrown away, as when a network path
// dies with messages in flight. New connections are relayed again afterwards. It relays whole
// FIX messages, so that it can also lose one message and keep the connection (drop_once): the
// receiver then sees a gap in the sequence numbers, as after a message lost in a gateway.
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
#include <string>
#include <string_view>
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

  enum class Direction : uint8_t { kToServer, kToClient };
  // Throws away the next whole FIX message going `direction` that contains `needle`
  // ("\x0111=ORD-2\x01"), once; the connection stays up.
  void drop_once(Direction direction, std::string needle) {
    std::lock_guard lock(mu_);
    drops_.push_back({direction, std::move(needle)});
  }
  // How many messages drop_once rules have thrown away.
  int dropped() const { return dropped_; }

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
  // `graceful`: close as a finished connection does, after what was relayed (a reset would
  // make the receiver throw away a last message it has not read yet, a Logout say).
  void close_pair(bool graceful = false) {
    for (int fd : {client_, server_}) {
      if (fd < 0) continue;
      if (graceful)
        ::close(fd);
      else
        reset(fd);
    }
    client_ = server_ = -1;
    for (auto& p : pending_) p.clear();
  }
  // The length of the whole FIX message at the front of `buf` (8=, 9=BodyLength, the body,
  // 10=CheckSum), 0 while it is incomplete; anything not FIX counts as whole as it is.
  static size_t frame_length(std::string_view buf) {
    if (buf.size() < 2) return buf == "8" ? 0 : buf.size();
    if (!buf.starts_with("8=")) return buf.size();
    const auto length_at = buf.find(
        "\x01"
        "9=");
    const auto body_at = buf.find('\x01', length_at == buf.npos ? buf.size() : length_at + 3);
    if (body_at == buf.npos) return 0;
    size_t body = 0;
    for (char c : buf.substr(length_at + 3, body_at - length_at - 3))
      body = body * 10 + static_cast<size_t>(c - '0');
    const size_t end = body_at + 1 + body + 7;  // "10=NNN\x01"
    return buf.size() >= end ? end : 0;
  }
  // True (and the rule spent) when a drop_once rule takes `message`.
  bool take_drop(Direction d, std::string_view message) {
    std::lock_guard lock(mu_);
    for (auto rule = drops_.begin(); rule != drops_.end(); ++rule) {
      if (rule->direction != d || message.find(rule->needle) == message.npos) continue;
      drops_.erase(rule);
      ++dropped_;
      return true;
    }
    return false;
  }
  static bool write_all(int fd, std::string_view bytes) {
    for (size_t done = 0; done < bytes.size();) {
      ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (w <= 0) return false;
      done += static_cast<size_t>(w);
    }
    return true;
  }
  // Moves the whole messages `from` has to `to`, but those a drop rule takes; false when either
  // side is done.
  bool relay(int from, int to, Direction d) {
    char buf[4096];
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n <= 0) return false;
    std::string& pending = pending_[static_cast<size_t>(d)];
    pending.append(buf, static_cast<size_t>(n));
    size_t sent = 0;
    for (size_t len; (len = frame_length(std::string_view(pending).substr(sent))) > 0;
         sent += len) {
      const std::string_view message = std::string_view(pending).substr(sent, len);
      if (!take_drop(d, message) && !write_all(to, message)) return false;
    }
    pending.erase(0, sent);
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
      if (fds[2].revents) ok = relay(client_, server_, Direction::kToServer);
      if (ok && fds[3].revents) ok = relay(server_, client_, Direction::kToClient);
      if (!ok) close_pair(/*graceful=*/true);  // one side closed (or failed): so does the relay
    }
  }

  uint16_t target_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int client_ = -1, server_ = -1;
  std::atomic<bool> stop_{false}, cut_{false};
  std::atomic<int> connections_{0};
  struct Drop {
    Direction direction;
    std::string needle;
  };
  std::mutex mu_;
  std::vector<Drop> drops_;  // under mu_
  std::atomic<int> dropped_{0};
  std::string pending_[2];  // relay thread: a message's start, by Direction, until it is whole
  std::thread thread_;
};

}  // namespace fixgate::testing
