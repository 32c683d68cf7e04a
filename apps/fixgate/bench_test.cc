#include "bench.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <regex>
#include <sstream>

#include "fixgate/engine/session_manager.h"

namespace fixgate::cli {
namespace {

using namespace std::chrono_literals;

// An in-process acceptor answering every NewOrderSingle with `replies` ExecutionReports.
class ReplyingAcceptor {
 public:
  explicit ReplyingAcceptor(int replies = 1) {
    engine::SessionOptions c;
    c.session.id = {
        .begin_string = "FIX.4.4", .sender_comp_id = "BROKER", .target_comp_id = "LOAD"};
    c.session.role = session::Role::kAcceptor;
    c.accept = {"127.0.0.1", 0};
    EXPECT_TRUE(broker_.initialize_session(c).is_ok());
    broker_->on("D", [this, replies](const codec::Message& order) {
      std::string body =
          "37=1\x01"
          "17=1\x01"
          "150=0\x01"
          "39=0\x01"
          "11=" +
          std::string(order.get(tag::ClOrdID).value_or("")) + "\x01";
      for (int i = 0; i < replies; ++i) (void)broker_->send("8", body);
    });
    EXPECT_TRUE(broker_.start_session().is_ok());
  }
  uint16_t port() const { return broker_->local_port(); }
  engine::SessionManager& manager() { return broker_; }

 private:
  engine::SessionManager broker_;
};

BenchOptions options(uint16_t port, BenchMode mode, uint64_t n) {
  BenchOptions o;
  o.port = port;
  o.sender_comp_id = "LOAD";
  o.target_comp_id = "BROKER";
  o.mode = mode;
  o.n = n;
  o.warmup = 10;
  o.timeout = 5s;
  return o;
}

// Runs the fixgate binary; returns (exit code, stdout + stderr).
std::pair<int, std::string> run_cli(const std::string& args) {
  std::string cmd = std::string(FIXGATE_CLI_PATH) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string output;
  char buf[256];
  while (p && std::fgets(buf, sizeof buf, p)) output += buf;
  int status = p ? pclose(p) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(BenchTest, LatencyModePrintsPercentilesOfEveryRoundTrip) {
  ReplyingAcceptor acceptor;
  std::ostringstream out, err;
  ASSERT_EQ(bench(options(acceptor.port(), BenchMode::kLatency, 300), out, err), 0) << err.str();
  EXPECT_TRUE(std::regex_match(
      out.str(),
      std::regex(R"(latency_us: p50 [0-9.]+ p99 [0-9.]+ p99\.9 [0-9.]+ max [0-9.]+ \(n=300\)\n)")))
      << out.str();
  EXPECT_EQ(err.str(), "");
  // Warm-up and measured orders all reached the acceptor; the logout handshake completed.
  EXPECT_GE(acceptor.manager()->stats().messages_received, 310u);
}

TEST(BenchTest, ThroughputModeWaitsForEveryReplyOfEveryOrder) {
  ReplyingAcceptor acceptor(2);  // an acknowledgement and a fill per order
  BenchOptions o = options(acceptor.port(), BenchMode::kThroughput, 2000);
  o.replies_per_order = 2;
  std::ostringstream out, err;
  ASSERT_EQ(bench(o, out, err), 0) << err.str();
  EXPECT_TRUE(std::regex_match(
      out.str(),
      std::regex(R"(throughput: 2000 round trips in [0-9]+\.[0-9]{3} s = [0-9]+ msg/s\n)")))
      << out.str();
}

TEST(BenchTest, MissingRepliesAreAnErrorNotAHang) {
  ReplyingAcceptor acceptor(1);
  BenchOptions o = options(acceptor.port(), BenchMode::kLatency, 5);
  o.replies_per_order = 2;  // the acceptor sends only one
  o.warmup = 0;
  o.timeout = 300ms;
  std::ostringstream out, err;
  EXPECT_EQ(bench(o, out, err), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_NE(err.str().find("no reply within 300 ms"), std::string::npos) << err.str();
}

TEST(BenchTest, NoAcceptorIsAnErrorNamingTheEndpoint) {
  uint16_t port;
  {
    ReplyingAcceptor gone;  // a port that was free a moment ago and is closed again
    port = gone.port();
  }
  BenchOptions o = options(port, BenchMode::kThroughput, 10);
  o.timeout = 300ms;
  std::ostringstream out, err;
  EXPECT_EQ(bench(o, out, err), 1);
  EXPECT_NE(err.str().find("no logon to 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << err.str();
}

TEST(BenchTest, ParsesHostAndPort) {
  auto ok = parse_host_port("fix.example.com:9876");
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->first, "fix.example.com");
  EXPECT_EQ(ok->second, 9876);
  EXPECT_FALSE(parse_host_port("fix.example.com"));
  EXPECT_FALSE(parse_host_port(":9876"));
  EXPECT_FALSE(parse_host_port("host:0"));
  EXPECT_FALSE(parse_host_port("host:65536"));
  EXPECT_FALSE(parse_host_port("host:12x"));
}

TEST(BenchTest, CommandLineToolRunsBothModesAgainstAnAcceptor) {
  ReplyingAcceptor acceptor;
  const std::string common = "bench --connect 127.0.0.1:" + std::to_string(acceptor.port()) +
                             " --sender LOAD --target BROKER --warmup 10 -n 500";
  auto [code, output] = run_cli(common + " --mode throughput");
  EXPECT_EQ(code, 0) << output;
  EXPECT_TRUE(std::regex_match(
      output, std::regex(R"(throughput: 500 round trips in [0-9.]+ s = [0-9]+ msg/s\n)")))
      << output;

  // The acceptor takes a new connection once the first one has logged out.
  ASSERT_TRUE(acceptor.manager()->wait_for_status(session::SessionStatus::kDisconnected, 5s));
  std::tie(code, output) = run_cli(common + " --mode latency");
  EXPECT_EQ(code, 0) << output;
  EXPECT_TRUE(std::regex_match(output, std::regex(R"(latency_us: p50 .* \(n=500\)\n)"))) << output;
}

TEST(BenchTest, CommandLineToolRejectsABadEndpointAndMode) {
  auto [code, output] = run_cli("bench --connect nowhere --sender A --target B");
  EXPECT_EQ(code, 2);
  EXPECT_NE(output.find("expected HOST:PORT"), std::string::npos) << output;
  std::tie(code, output) =
      run_cli("bench --connect 127.0.0.1:1 --sender A --target B --mode sideways");
  EXPECT_NE(code, 0);
  EXPECT_NE(output.find("sideways"), std::string::npos) << output;
}

}  // namespace
}  // namespace fixgate::cli
