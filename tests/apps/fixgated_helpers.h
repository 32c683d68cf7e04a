// fixgated end to end: what the daemon's test files share. fixgated runs as a child process with
// its stderr merged into stdout, binds port 0 and reports its ports; the tests read its lines.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "../support/process.h"
#include "fixgate/codec/encoder.h"
#include "fixgate/codec/message.h"
#include "fixgate/engine/session_manager.h"

namespace fixgate::testing {

using namespace std::chrono_literals;

inline std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

// fixgated with `args`; warnings and errors (stderr) arrive as lines too. `exec`: the child's pid
// is fixgated's, so signals reach it.
inline std::vector<std::string> fixgated(const std::vector<std::string>& args) {
  std::string command = std::string("exec ") + FIXGATED_PATH;
  for (const auto& a : args) command += " '" + a + "'";
  return {"/bin/sh", "-c", command + " 2>&1"};
}

// What fixgated printed up to "fixgated: running" (or its exit): every line (a timestamp and a
// level first), and the port each acceptor session listens on, by session ("FIX.4.4:GW->CLIENT").
struct Startup {
  std::vector<std::string> lines;
  std::map<std::string, uint16_t> ports;
  bool running = false;
  size_t count(std::string_view part) const {
    size_t n = 0;
    for (const auto& l : lines) n += l.find(part) != std::string::npos;
    return n;
  }
  std::string text() const {
    std::string t;
    for (const auto& l : lines) t += l + "\n";
    return t;
  }
};

inline Startup read_startup(Child& d) {
  static const std::regex listening(R"(session (\S+) acceptor listening [0-9.]+:([0-9]+))");
  Startup s;
  for (;;) {
    std::string line = d.read_line(20s);
    if (line.empty()) return s;  // exited, or silent for too long
    std::smatch m;
    if (std::regex_search(line, m, listening))
      s.ports[m[1]] = static_cast<uint16_t>(std::stoi(m[2]));
    s.lines.push_back(line);
    if (line.find("fixgated: running") != std::string::npos) {
      s.running = true;
      return s;
    }
  }
}

// Reads fixgated's lines until one contains `part`; false if it never comes.
inline bool saw_line(Child& d, std::string_view part) {
  for (int i = 0; i < 200; ++i) {
    std::string line = d.read_line(10s);
    if (line.find(part) != std::string::npos) return true;
    if (line.empty()) return false;
  }
  return false;
}

// A fixgate initiator for a fixgated acceptor on `port`.
inline engine::SessionOptions client_config(uint16_t port, std::string us = "CLIENT",
                                            std::string them = "GW",
                                            std::string begin = "FIX.4.4") {
  engine::SessionOptions c;
  c.session.id = {.begin_string = std::move(begin),
                  .sender_comp_id = std::move(us),
                  .target_comp_id = std::move(them)};
  c.session.role = session::Role::kInitiator;
  c.connect = {{"127.0.0.1", port}};
  c.reconnect.initial = 100ms;
  return c;
}

// Starts `m` with `c` and waits for the logon.
inline ::testing::AssertionResult log_on(engine::SessionManager& m, engine::SessionOptions c) {
  if (Status s = m.initialize_session(std::move(c)); !s)
    return ::testing::AssertionFailure() << s.message();
  if (Status s = m.start_session(); !s) return ::testing::AssertionFailure() << s.message();
  if (!m->wait_for_status(session::SessionStatus::kActive, 10s))
    return ::testing::AssertionFailure() << "no logon";
  return ::testing::AssertionSuccess();
}

// A field of a received message ("" when absent).
inline std::string field(const engine::ReceivedMessage& m, Tag tag) {
  codec::Message msg;
  EXPECT_TRUE(msg.parse(m.bytes).ok());
  return std::string(msg.get(tag).value_or(""));
}

// Every path under `dir`, for "created no file" checks.
inline std::set<std::string> tree(const std::string& dir) {
  std::set<std::string> paths;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    paths.insert(e.path().string());
  return paths;
}

// A Logon as a counterparty fixgated has no session for would send (NOBODY -> `target`).
inline std::string unknown_logon(std::string_view target = "GW") {
  codec::Encoder enc;
  return std::string(enc.begin("FIX.4.4", "A")
                         .field(tag::SenderCompID, "NOBODY")
                         .field(tag::TargetCompID, target)
                         .field(tag::MsgSeqNum, 1)
                         .field(tag::SendingTime, "20261208-00:00:00.000")
                         .field(tag::EncryptMethod, 0)
                         .field(tag::HeartBtInt, 30)
                         .finish());
}

// Connects to 127.0.0.1:`port`, sends `bytes` and waits until fixgated closes the connection
// (it logs the refusal before it closes). Returns the local port the connection came from, or
// 0 when fixgated did not close it within 10 s.
inline uint16_t refused_connection(uint16_t port, const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  uint16_t local = 0;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())) {
    sockaddr_in me{};
    socklen_t len = sizeof me;
    getsockname(fd, reinterpret_cast<sockaddr*>(&me), &len);
    pollfd p{fd, POLLIN, 0};
    char buf[256];
    // EOF (0) or a reset: closed by fixgated.
    if (poll(&p, 1, 10000) == 1 && recv(fd, buf, sizeof buf, 0) <= 0) local = ntohs(me.sin_port);
  }
  close(fd);
  return local;
}

// The admin API's URL that fixgated (started with --admin HOST:0) prints; "" if none.
inline std::string admin_url(Child& d) {
  for (int i = 0; i < 100; ++i) {
    const std::string line = d.read_line(10s);
    if (line.empty()) break;
    if (auto at = line.find("admin API on "); at != std::string::npos)
      return line.substr(at + 13, line.find(' ', at + 13) - at - 13);
  }
  return "";
}

}  // namespace fixgate::testing
