// Test support: child processes with piped stdin/stdout, the ports they listen on, free loopback
// ports (for children that cannot listen on port 0), scratch folders.
#pragma once

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace fixgate::testing {

// A loopback port free a moment ago. Racy: another process may take it before the child binds
// it. A child that can listen on port 0 should, and say (or show) which port it got.
inline uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A loopback port held for a child that must listen on a port known before it starts (several
// sessions sharing one port): bound with SO_REUSEADDR and never listening, for as long as this
// lives. The kernel gives no other port-0 bind a port held so, and a plain bind of it fails;
// a child that sets SO_REUSEADDR itself, as fixgate and QuickFIX do by default, can bind and
// listen on it (Linux lets one socket listen where others with SO_REUSEADDR hold it bound but
// not listening). So unlike free_port(), no other process can take it in between.
class ReservedPort {
 public:
  ReservedPort() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port_ = ntohs(a.sin_port);
  }
  ~ReservedPort() { close(fd_); }
  ReservedPort(const ReservedPort&) = delete;
  ReservedPort& operator=(const ReservedPort&) = delete;
  uint16_t port() const { return port_; }  // 0 if no port could be had

 private:
  int fd_;
  uint16_t port_ = 0;
};

// The TCP ports process `pid` listens on, as the kernel lists its sockets: for a child told to
// listen on port 0 that does not say which port it got.
inline std::vector<uint16_t> listening_ports(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::set<std::string> inodes;  // of its sockets: /proc/PID/fd/N -> "socket:[INODE]"
  std::error_code ec;
  for (const auto& fd : std::filesystem::directory_iterator(proc + "/fd", ec)) {
    const std::string target = std::filesystem::read_symlink(fd.path(), ec).string();
    if (!ec && target.starts_with("socket:[")) inodes.insert(target.substr(8, target.size() - 9));
  }
  std::vector<uint16_t> ports;
  for (const char* table : {"/net/tcp", "/net/tcp6"}) {
    std::ifstream in(proc + table);
    std::string line;
    std::getline(in, line);  // the column names
    while (std::getline(in, line)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      std::istringstream row(line);
      std::string sl, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      row >> sl >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >>
          inode;
      if (state == "0A" && inodes.contains(inode))  // 0A: TCP_LISTEN
        ports.push_back(
            static_cast<uint16_t>(std::stoul(local.substr(local.find(':') + 1), 0, 16)));
    }
  }
  return ports;
}

// A child process with its stdin and stdout on pipes; killed if still running at the end.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int in[2], out[2];
    EXPECT_EQ(pipe(in), 0);
    EXPECT_EQ(pipe(out), 0);
    pid_ = fork();
    if (pid_ == 0) {
      // Ignored signals stay ignored across exec: the child starts with the default action, as
      // a service manager would start it, whatever this test process does with SIGPIPE.
      ::signal(SIGPIPE, SIG_DFL);
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[1]);
      close(out[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }
  ~Child() {
    if (stdin_ >= 0) close(stdin_);
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_ >= 0) close(stdout_);
  }
  // The next line the child prints, or "" after `timeout`.
  std::string read_line(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "";
      pollfd p{stdout_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char tmp[512];
      ssize_t n = read(stdout_, tmp, sizeof tmp);
      if (n <= 0) return "";
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }
  // Writes `line` and a newline to the child's stdin (a child that is gone is ignored).
  void write_line(std::string_view line) {
    static const bool ignore_sigpipe = [] { return ::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
    (void)ignore_sigpipe;
    std::string text(line);
    text += '\n';
    for (size_t done = 0; done < text.size();) {
      ssize_t n = ::write(stdin_, text.data() + done, text.size() - done);
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
  }
  void signal(int sig) { kill(pid_, sig); }
  pid_t pid() const { return pid_; }
  void close_stdin() {
    close(stdin_);
    stdin_ = -1;
  }
  // Stops reading the child's output: its next write to stdout meets a closed pipe (EPIPE, or
  // SIGPIPE unless it ignores that).
  void close_stdout() {
    close(stdout_);
    stdout_ = -1;
  }
  // Exit code, waiting at most `timeout` (then -1).
  int wait(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      // Not a synchronisation sleep: polling a child's exit, which has no event to await here.
      pollfd none{-1, 0, 0};
      poll(&none, 0, 10);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1;
  bool reaped_ = false;
  std::string buf_;
};

// A fresh scratch folder (mkdtemp: never one an earlier run left) for a peer's store and logs,
// removed afterwards.
struct TempDir {
  std::string path;
  explicit TempDir(const std::string& name) {
    std::string pattern = (std::filesystem::temp_directory_path() / (name + "-XXXXXX")).string();
    EXPECT_NE(mkdtemp(pattern.data()), nullptr) << pattern << ": " << std::strerror(errno);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace fixgate::testing
