// GET /metrics and GET /readyz on the admin API (real loopback HTTP, as admin_server_test.cc), and
// the gateway's metrics themselves (GatewayMetrics) read back with a Prometheus text reader, over
// an in-memory LpControl and a real NatsPublisher with no server to reach.
#include <atomic>
#include <tuple>

#include "../../tests/support/admin_harness.h"
#include "../../tests/support/prometheus_text.h"
#include "metrics.h"

namespace fixgate::testing {
namespace {

using gateway::AdminServerOptions;
using gateway::ReadinessCheck;
using nlohmann::json;

constexpr const char* kText =
    "# HELP fixgate_lps LPs.\n# TYPE fixgate_lps gauge\nfixgate_lps{status=\"active\"} 3\n";

// A server whose /metrics answers kText and counts its calls.
struct MetricsServer {
  explicit MetricsServer(AdminServerOptions options = {}) {
    options.metrics = [this] {
      ++scrapes;
      return std::string(kText);
    };
    EXPECT_TRUE(h.start(std::move(options)));
  }
  std::atomic<int> scrapes{0};
  AdminHarness h;
};

TEST(AdminMetricsRoute, ServesTheTextAsPrometheusTextFormat004) {
  MetricsServer s;
  auto r = s.h.get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_EQ(r->body, kText);
  EXPECT_EQ(s.scrapes, 1);
  EXPECT_TRUE(s.h.audit().empty());                          // a read, not audited
  r = s.h.get("/metrics?name=x", "not-a-token-at-all-000");  // open reads: any token, a query
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(s.scrapes, 2);
}

TEST(AdminMetricsRoute, FollowsReadsNeedToken) {
  AdminServerOptions options;
  options.reads_need_token = true;
  MetricsServer s(options);
  auto r = s.h.get("/metrics");
  EXPECT_EQ(error_of(r, 401), "missing Authorization: Bearer <token>");
  EXPECT_FALSE(r->get_header_value("WWW-Authenticate").empty());
  error_of(s.h.get("/metrics", "wrong-token-0123456789"), 403);
  EXPECT_EQ(s.scrapes, 0);  // refused before anything was collected
  r = s.h.get("/metrics", kBotToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kText);
  EXPECT_EQ(s.scrapes, 1);
}

TEST(AdminMetricsRoute, OnlyGetAndHead) {
  MetricsServer s;
  auto r = s.h.post("/metrics", "");
  EXPECT_EQ(error_of(r, 405), "POST is not allowed here");
  EXPECT_EQ(r->get_header_value("Allow"), "GET, HEAD");
  EXPECT_EQ(s.scrapes, 0);
  EXPECT_TRUE(s.h.audit().empty());
}

TEST(AdminMetricsRoute, Is404WithoutMetricsAnd500WhenCollectingThrows) {
  AdminHarness plain;
  ASSERT_TRUE(plain.start());
  EXPECT_EQ(error_of(plain.get("/metrics"), 404), "no metrics on this server");

  AdminHarness failing;
  AdminServerOptions options;
  options.metrics = []() -> std::string { throw std::runtime_error("boom"); };
  ASSERT_TRUE(failing.start(options));
  EXPECT_EQ(error_of(failing.get("/metrics"), 500), "collecting the metrics failed: boom");
}

TEST(AdminReadyz, Is200WhenEveryCheckPassesAndNeverNeedsAToken) {
  AdminHarness h;
  AdminServerOptions options;
  options.reads_need_token = true;
  options.readiness = [] {
    return std::vector<ReadinessCheck>{{"database", true, ""}, {"nats", true, ""}};
  };
  ASSERT_TRUE(h.start(options));
  error_of(h.get("/metrics"), 401);  // the reads do need one here
  auto r = h.get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  json body = json_of(r);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_EQ(body["not_ready"], json::array());
  EXPECT_EQ(body["checks"]["database"]["ok"], true);
  EXPECT_EQ(body["checks"]["nats"]["ok"], true);
  r = h.get("/readyz", "wrong-token-0123456789");  // a token is not even looked at
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(AdminReadyz, Is503NamingWhatIsNotReadyUntilItIs) {
  AdminHarness h;
  std::atomic<bool> nats_up{false};
  AdminServerOptions options;
  options.readiness = [&nats_up] {
    return std::vector<ReadinessCheck>{
        {"database", true, ""}, {"nats", nats_up.load(), nats_up ? "" : "not connected to X"}};
  };
  ASSERT_TRUE(h.start(options));
  auto r = h.get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  json body = json_of(r);
  EXPECT_EQ(body["status"], "not ready");
  EXPECT_EQ(body["not_ready"], json::array({"nats"}));
  EXPECT_EQ(body["checks"]["nats"]["detail"], "not connected to X");
  EXPECT_EQ(body["checks"]["database"]["ok"], true);
  nats_up = true;
  r = h.get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(AdminReadyz, WithoutChecksIs200AndAThrowingCheckIs503) {
  AdminHarness plain;
  ASSERT_TRUE(plain.start());
  auto r = plain.get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json_of(r)["status"], "ready");

  AdminHarness failing;
  AdminServerOptions options;
  options.readiness = []() -> std::vector<ReadinessCheck> { throw std::runtime_error("boom"); };
  ASSERT_TRUE(failing.start(options));
  r = failing.get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  json body = json_of(r);
  EXPECT_EQ(body["not_ready"], json::array({"readiness"}));
  EXPECT_EQ(body["checks"]["readiness"]["detail"], "the check failed: boom");
}

// ---- GatewayMetrics ---------------------------------------------------------------------------

const gateway::SystemTime kNow = at(1714564830000000000);  // 2024-05-01T12:00:30Z

// The three LPs of add_three_lps, LP1's session with a distinct value in each counter.
void add_three_lps_with_stats(MemoryLpControl& control) {
  add_three_lps(control);
  gateway::LpView lp1 = control.get("LP1");
  session::SessionStats st;
  st.messages_received = 101;
  st.messages_sent = 102;
  st.bytes_received = 103;
  st.bytes_sent = 104;
  st.heartbeats_received = 105;
  st.heartbeats_sent = 106;
  st.test_requests_received = 107;
  st.test_requests_sent = 108;
  st.resend_requests_received = 109;
  st.resend_requests_sent = 110;
  st.sequence_resets_received = 111;
  st.rejects_received = 112;
  st.rejects_sent = 113;
  st.logouts = 114;
  st.errors = 115;
  st.garbled = 116;
  st.current_gap = 3;
  st.app_messages_received = 40;
  st.app_messages_sent = 41;
  st.app_bytes_received = 42;
  st.app_bytes_sent = 43;
  st.logons = 117;
  st.gap_fills_received = 118;
  st.gap_fills_sent = 119;
  st.session_rejects_received[5] = 100;  // value_is_incorrect; 12 business
  st.session_rejects_sent[18] = 13;      // other; 100 business
  st.disconnects[static_cast<size_t>(session::DisconnectCause::kTimeout)] = 2;
  st.disconnects[static_cast<size_t>(session::DisconnectCause::kConnectionLost)] = 3;
  lp1.stats = st;
  lp1.connect_attempts = 9;
  lp1.connect_failures = 8;
  lp1.reconnect_backoff = std::chrono::milliseconds(1500);
  lp1.receive_queue_depth = 4;
  lp1.reading_paused = true;
  lp1.loop_cpu_time = std::chrono::milliseconds(2500);
  LatencyHistogram commits;
  commits.observe(std::chrono::microseconds(3));   // <= 5 µs
  commits.observe(std::chrono::microseconds(40));  // <= 50 µs
  commits.observe(std::chrono::microseconds(40));  // <= 50 µs
  commits.observe(std::chrono::seconds(7));        // beyond every bound
  lp1.commit_latency = commits.snapshot();
  lp1.heartbeat_interval = std::chrono::seconds(30);
  lp1.transitions = 7;
  control.add(lp1);
}

TEST(GatewayMetricsTest, EachLpsStatusStateAndSessionCounters) {
  MemoryLpControl control;
  add_three_lps_with_stats(control);
  gateway::GatewayMetrics metrics(control, nullptr, [] { return kNow; });
  Exposition e(metrics.text());
  ASSERT_TRUE(e.errors.empty()) << e.errors.front();
  const Labels lp1{{"provider", "LP1"}, {"session_id", "FIX.4.4:DESK->LP1"}};
  const Labels lp2{{"provider", "LP2"}}, lp3{{"provider", "LP3"}};

  EXPECT_EQ(e.value("fixgate_lps", {{"status", "active"}}), 1);
  EXPECT_EQ(e.value("fixgate_lps", {{"status", "error"}}), 1);
  EXPECT_EQ(e.value("fixgate_lps", {{"status", "inactive"}}), 1);
  EXPECT_EQ(e.value("fixgate_lp_status", lp1), 1);
  EXPECT_EQ(e.value("fixgate_lp_status", lp2), 2);
  EXPECT_EQ(e.value("fixgate_lp_status", lp3), 0);
  EXPECT_EQ(e.value("fixgate_lp_enabled", lp1), 1);
  EXPECT_EQ(e.value("fixgate_lp_enabled", lp3), 0);
  EXPECT_EQ(e.value("fixgate_lp_status_transitions_total", lp1), 7);
  // One series per state and LP, the current one 1.
  EXPECT_EQ(e.value("fixgate_lp_state", {{"provider", "LP1"}, {"state", "active"}}), 1);
  EXPECT_EQ(e.value("fixgate_lp_state", {{"provider", "LP1"}, {"state", "connecting"}}), 0);
  EXPECT_EQ(e.value("fixgate_lp_state", {{"provider", "LP2"}, {"state", "connecting"}}), 1);
  EXPECT_EQ(e.value("fixgate_lp_state", {{"provider", "LP3"}, {"state", "disabled"}}), 1);
  EXPECT_EQ(e.count("fixgate_lp_state", lp1), 11u);
  // Ages and the countdown against the clock given; none without a time.
  EXPECT_EQ(e.value("fixgate_session_seconds_since_last_received", lp1), 29);
  EXPECT_NEAR(*e.value("fixgate_session_seconds_since_last_sent", lp1), 28, 1e-6);
  EXPECT_EQ(e.count("fixgate_session_seconds_since_last_sent", lp2), 0u);
  EXPECT_EQ(e.value("fixgate_lp_reconnect_in_seconds", lp2), 30);
  EXPECT_EQ(e.value("fixgate_lp_reconnect_in_seconds", lp1), 0);
  EXPECT_EQ(e.value("fixgate_session_heartbeat_interval_seconds", lp1), 30);
  EXPECT_EQ(e.value("fixgate_session_next_sender_seq", lp1), 12);
  EXPECT_EQ(e.value("fixgate_session_next_target_seq", lp1), 15);
  EXPECT_EQ(e.value("fixgate_session_current_gap", lp1), 3);

  // Application and admin traffic apart (admin: the rest); rejects by reason and business;
  // disconnects by cause, every cause.
  const std::tuple<const char*, Labels, double> labelled[] = {
      {"fixgate_session_messages_received_total", {{"class", "app"}}, 40},
      {"fixgate_session_messages_received_total", {{"class", "admin"}}, 61},
      {"fixgate_session_messages_sent_total", {{"class", "app"}}, 41},
      {"fixgate_session_messages_sent_total", {{"class", "admin"}}, 61},
      {"fixgate_session_bytes_received_total", {{"class", "app"}}, 42},
      {"fixgate_session_bytes_received_total", {{"class", "admin"}}, 61},
      {"fixgate_session_bytes_sent_total", {{"class", "app"}}, 43},
      {"fixgate_session_bytes_sent_total", {{"class", "admin"}}, 61},
      {"fixgate_session_rejects_received_total", {{"reason", "value_is_incorrect"}}, 100},
      {"fixgate_session_rejects_received_total", {{"reason", "business"}}, 12},
      {"fixgate_session_rejects_sent_total", {{"reason", "other"}}, 13},
      {"fixgate_session_rejects_sent_total", {{"reason", "business"}}, 100},
      {"fixgate_session_disconnects_total", {{"cause", "timeout"}}, 2},
      {"fixgate_session_disconnects_total", {{"cause", "connection_lost"}}, 3},
      {"fixgate_session_disconnects_total", {{"cause", "logout"}}, 0},
  };
  for (const auto& [name, labels, value] : labelled) {
    Labels l = lp1;
    l.insert(labels.begin(), labels.end());
    EXPECT_EQ(e.value(name, l), value) << name << " " << labels.begin()->second;
    EXPECT_EQ(e.types[name], "counter") << name;
    EXPECT_EQ(e.count(name, lp2), 0u) << name << ": LP2 runs no session";
  }
  EXPECT_EQ(e.count("fixgate_session_messages_received_total", lp1), 2u);
  EXPECT_EQ(e.count("fixgate_session_rejects_received_total", lp1), 2u);  // reasons not seen: none
  EXPECT_EQ(e.count("fixgate_session_disconnects_total", lp1), session::kDisconnectCauses);
  EXPECT_EQ(e.value("fixgate_lp_connect_attempts_total", lp1), 9);
  EXPECT_EQ(e.value("fixgate_lp_connect_failures_total", lp1), 8);
  EXPECT_EQ(e.value("fixgate_lp_reconnect_backoff_seconds", lp1), 1.5);
  EXPECT_EQ(e.value("fixgate_session_receive_queue_depth", lp1), 4);
  EXPECT_EQ(e.value("fixgate_session_reading_paused", lp1), 1);
  EXPECT_EQ(e.value("fixgate_lp_loop_cpu_seconds_total", lp1), 2.5);
  EXPECT_EQ(e.count("fixgate_lp_loop_cpu_seconds_total", lp2), 0u);
  // Latency histograms: cumulative buckets in seconds up to +Inf; no sync one for a store that
  // syncs nothing itself.
  EXPECT_EQ(e.types["fixgate_store_commit_seconds"], "histogram");
  auto bucket = [&](const char* le) {
    Labels l = lp1;
    l["le"] = le;
    return e.value("fixgate_store_commit_seconds_bucket", l);
  };
  EXPECT_EQ(bucket("5e-06"), 1);
  EXPECT_EQ(bucket("2.5e-05"), 1);
  EXPECT_EQ(bucket("5e-05"), 3);
  EXPECT_EQ(bucket("2.5"), 3);
  EXPECT_EQ(bucket("+Inf"), 4);
  EXPECT_EQ(e.value("fixgate_store_commit_seconds_count", lp1), 4);
  EXPECT_NEAR(*e.value("fixgate_store_commit_seconds_sum", lp1), 7.000083, 1e-9);
  EXPECT_EQ(e.count("fixgate_store_commit_seconds_count", lp2), 0u);
  EXPECT_EQ(e.count("fixgate_store_sync_seconds_count"), 0u);

  const std::pair<const char*, double> counters[] = {
      {"fixgate_session_heartbeats_received_total", 105},
      {"fixgate_session_heartbeats_sent_total", 106},
      {"fixgate_session_test_requests_received_total", 107},
      {"fixgate_session_test_requests_sent_total", 108},
      {"fixgate_session_resend_requests_received_total", 109},
      {"fixgate_session_resend_requests_sent_total", 110},
      {"fixgate_session_sequence_resets_received_total", 111},
      {"fixgate_session_logouts_total", 114},
      {"fixgate_session_errors_total", 115},
      {"fixgate_session_garbled_total", 116},
      {"fixgate_session_logons_total", 117},
      {"fixgate_session_gap_fills_received_total", 118},
      {"fixgate_session_gap_fills_sent_total", 119},
  };
  for (const auto& [name, value] : counters) {
    EXPECT_EQ(e.value(name, lp1), value) << name;
    EXPECT_EQ(e.types[name], "counter") << name;
    EXPECT_EQ(e.count(name, lp2), 0u) << name << ": LP2 runs no session";
  }
  // Every family: fixgate_*, a HELP text, counters named _total; no NATS without a publisher.
  for (const std::string& f : e.families()) {
    EXPECT_TRUE(f.starts_with("fixgate_")) << f;
    EXPECT_FALSE(e.help[f].empty()) << f;
    EXPECT_EQ(e.types[f] == "counter", f.ends_with("_total")) << f;
    EXPECT_FALSE(f.starts_with("fixgate_nats_")) << f;
  }
  // Read at scrape time: a change of the control shows in the next scrape.
  ASSERT_TRUE(control.disable("LP1", {"ops", "test"}).ok());
  Exposition after(metrics.text());
  EXPECT_EQ(after.value("fixgate_lp_status", lp1), 0);
  EXPECT_EQ(after.value("fixgate_lps", {{"status", "inactive"}}), 2);
}

TEST(GatewayMetricsTest, NatsFiguresFromARealPublisherWithNoServer) {
  ReservedPort nobody;  // bound, never listening: connections are refused
  gateway::NatsOptions o;
  o.url = "nats://127.0.0.1:" + std::to_string(nobody.port());
  auto nats = gateway::NatsPublisher::start(o);
  ASSERT_TRUE(nats) << nats.error();
  ASSERT_TRUE((*nats)->publish("events.lpstatus", "{}"));
  MemoryLpControl control;
  add_three_lps_with_stats(control);
  gateway::GatewayMetrics metrics(control, nats->get(), [] { return kNow; });
  Exposition e(metrics.text());
  ASSERT_TRUE(e.errors.empty()) << e.errors.front();
  EXPECT_EQ(e.value("fixgate_nats_connected"), 0);
  EXPECT_EQ(e.value("fixgate_nats_buffered"), 1);
  EXPECT_EQ(e.value("fixgate_nats_published_total"), 0);
  EXPECT_EQ(e.value("fixgate_nats_dropped_total"), 0);
  EXPECT_EQ(e.types["fixgate_nats_publish_latency_seconds"], "summary");
  EXPECT_EQ(e.value("fixgate_nats_publish_latency_seconds_count"), 0);
  EXPECT_EQ(e.value("fixgate_nats_publish_latency_seconds_sum"), 0);
  EXPECT_EQ(e.value("fixgate_lp_status", {{"provider", "LP2"}}), 2);
}

}  // namespace
}  // namespace fixgate::testing
