// Test support for the admin API tests: an AdminServer on a loopback port over a MemoryLpControl
// with three LPs, its audit collected, a real HTTP client, and a raw-bytes client for requests
// that a well-behaved client library would not send.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <mutex>

#include "fixgate/gateway/admin_server.h"
#include "memory_lp_control.h"
#include "process.h"

namespace fixgate::testing {

inline constexpr const char* kOpsToken = "ops-token-0123456789abcdef";
inline constexpr const char* kBotToken = "bot-token-fedcba9876543210";

// `text` written to `path` with `mode`.
inline void write_file(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path, std::ios::trunc) << text;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

inline gateway::SystemTime at(int64_t unix_ns) {
  return gateway::SystemTime(
      std::chrono::duration_cast<gateway::SystemTime::duration>(std::chrono::nanoseconds(unix_ns)));
}

// Three LPs: LP1 active, LP2 in error waiting to reconnect, LP3 disabled.
inline void add_three_lps(MemoryLpControl& control) {
  gateway::LpView lp1;
  lp1.provider = "LP1";
  lp1.session_id = "FIX.4.4:DESK->LP1";
  lp1.enabled = true;
  lp1.status = gateway::LpStatus::kActive;
  lp1.state = "active";
  lp1.host = "10.0.0.1";
  lp1.port = 9001;
  lp1.next_sender_seq = 12;
  lp1.next_target_seq = 15;
  lp1.messages_in = 14;
  lp1.messages_out = 11;
  lp1.status_changed_at = at(1714564800123456789);  // 2024-05-01T12:00:00.123456789Z
  lp1.last_received_at = at(1714564801000000000);
  lp1.last_sent_at = at(1714564802000000001);
  control.add(lp1);
  gateway::LpView lp2;
  lp2.provider = "LP2";
  lp2.session_id = "FIX.4.4:DESK->LP2";
  lp2.enabled = true;
  lp2.status = gateway::LpStatus::kError;
  lp2.state = "connecting";
  lp2.status_reason = "connection refused";
  lp2.host = "10.0.0.2";
  lp2.port = 9002;
  lp2.next_sender_seq = 1;
  lp2.next_target_seq = 1;
  lp2.next_reconnect_at = at(1714564860000000000);
  control.add(lp2);
  gateway::LpView lp3;
  lp3.provider = "LP3";
  lp3.session_id = "FIX.4.2:DESK->LP3";
  lp3.status = gateway::LpStatus::kInactive;
  lp3.state = "disabled";
  lp3.status_reason = "disabled by ops";
  lp3.host = "10.0.0.3";
  lp3.port = 9003;
  control.add(lp3);
}

class AdminHarness {
 public:
  AdminHarness() { add_three_lps(control); }
  ~AdminHarness() {
    if (server) server->stop();
  }

  std::string token_file_path() const { return dir.path + "/tokens"; }
  std::string audit_log_path() const { return dir.path + "/audit.log"; }
  // A token file with two tokens, ops and bot, mode 0600.
  std::string write_tokens() {
    write_file(token_file_path(),
               std::string("# admin tokens\n\nops:") + kOpsToken + "\nbot:" + kBotToken + "\n",
               0600);
    return token_file_path();
  }
  // `options` plus the token file (unless `no_tokens`), the audit log and the collector.
  Status start(gateway::AdminServerOptions options = {}, bool no_tokens = false) {
    if (!no_tokens && options.token_file.empty()) options.token_file = write_tokens();
    if (options.audit_log_path.empty()) options.audit_log_path = audit_log_path();
    options.on_audit = [this](const gateway::AuditEntry& e) {
      std::lock_guard lock(mutex_);
      audit_.push_back(e);
    };
    server = std::make_unique<gateway::AdminServer>(control, options);
    return server->start();
  }
  uint16_t port() const { return server ? server->port() : 0; }
  std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port());
    c->set_connection_timeout(5, 0);
    c->set_read_timeout(10, 0);
    return c;
  }
  httplib::Result post(const std::string& path, const std::string& body,
                       const std::string& token = kOpsToken) const {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return client()->Post(path.c_str(), h, body, "application/json");
  }
  httplib::Result get(const std::string& path, const std::string& token = "") const {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return client()->Get(path.c_str(), h);
  }
  std::vector<gateway::AuditEntry> audit() const {
    std::lock_guard lock(mutex_);
    return audit_;
  }
  std::vector<std::string> audit_file_lines() const {
    std::ifstream in(audit_log_path());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  TempDir dir{"fixgate-admin"};
  MemoryLpControl control;
  std::unique_ptr<gateway::AdminServer> server;

 private:
  mutable std::mutex mutex_;
  std::vector<gateway::AuditEntry> audit_;
};

// The body of a JSON answer, or a null json (and a test failure) if it is not JSON.
inline nlohmann::json json_of(const httplib::Result& r) {
  if (!r) {
    ADD_FAILURE() << "no answer: " << httplib::to_string(r.error());
    return nullptr;
  }
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << r->body;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r->body;
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

// An error answer: `status` with {"error": "<non-empty>"}; returns the message.
inline std::string error_of(const httplib::Result& r, int status) {
  if (!r) {
    ADD_FAILURE() << "no answer: " << httplib::to_string(r.error());
    return "";
  }
  EXPECT_EQ(r->status, status) << r->body;
  auto j = json_of(r);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_string()) {
    ADD_FAILURE() << "not an error body: " << r->body;
    return "";
  }
  EXPECT_FALSE(j["error"].get<std::string>().empty());
  return j["error"].get<std::string>();
}

// True once `text` holds a whole HTTP answer (headers and Content-Length bytes of body).
inline bool whole_answer(const std::string& text) {
  size_t end = text.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  size_t cl = text.find("Content-Length: ");
  size_t length = cl < end ? std::strtoul(text.c_str() + cl + 16, nullptr, 10) : 0;
  return text.size() >= end + 4 + length;
}

// What the server answers `bytes` sent as they are on a fresh connection: the first whole answer,
// or with `until_close` everything until the server closes the connection. At most `timeout`.
inline std::string raw_exchange(uint16_t port, const std::string& bytes, bool until_close = false,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    ADD_FAILURE() << "connect: " << std::strerror(errno);
    return "";
  }
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer and close before reading everything
    done += static_cast<size_t>(n);
  }
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (until_close || !whole_answer(out)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// "HTTP/1.1 404 Not Found…" -> 404 (0 when not an HTTP answer).
inline int raw_status(const std::string& answer) {
  if (answer.rfind("HTTP/1.1 ", 0) != 0 || answer.size() < 12) return 0;
  return std::atoi(answer.substr(9, 3).c_str());
}

}  // namespace fixgate::testing
