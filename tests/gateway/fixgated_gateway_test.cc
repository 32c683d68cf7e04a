// fixgated as an LP gateway, end to end: the real binary with --db and --nats, a real SQLite file
// or PostgreSQL server, a real nats-server killed and restarted under it, QuickFIX/C++ acceptors as
// the LPs, and fixgated itself killed with SIGKILL and started again.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <sys/wait.h>

#include <csignal>
#include <regex>

#include "../apps/fixgated_helpers.h"
#include "../interop/quickfix_peer.h"
#include "../support/nats_client.h"
#include "../support/nats_server.h"
#include "../support/prometheus_text.h"
#include "fixgate/gateway/sessions_db.h"
#include "lp_rows.h"
#include "test_database.h"

namespace fixgate::gateway {
namespace {

using namespace std::chrono_literals;
using testing::Child;
using testing::PeerOptions;
using testing::QuickFixPeer;

LpRow lp_row(const std::string& provider, uint16_t port) {
  return testing::lp_test_row(provider, port, 1,
                              R"({"ReconnectInterval": 1, "ReconnectMaxInterval": 2})");
}

PeerOptions lp_peer(const std::string& comp_id, uint16_t port = 0) {
  PeerOptions o;
  o.sender = comp_id;
  o.target = "FG";
  o.port = port;
  o.trace = "admin";
  return o;
}

// The (provider, status) of each lpstatus event in `payloads`.
std::vector<std::pair<std::string, int>> statuses(const std::vector<std::string>& payloads) {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& p : payloads) {
    auto j = nlohmann::json::parse(p, nullptr, false);
    if (j.is_object()) out.emplace_back(j.value("provider", ""), j.value("status", -1));
  }
  return out;
}

bool has(const std::vector<std::pair<std::string, int>>& events, const std::string& provider,
         int status) {
  return std::find(events.begin(), events.end(), std::pair{provider, status}) != events.end();
}

class FixgatedGatewayTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    database_.open(GetParam(), dir_.path);
    if (HasFatalFailure()) return;
    url_ = database_.url;
    pg_ = database_.server.get();
    db_ = database_.db.get();
    ASSERT_TRUE(nats_.start()) << nats_.log();
  }

  std::unique_ptr<Child> start_fixgated() {
    auto d = std::make_unique<Child>(
        testing::fixgated({"--db", url_, "--nats", nats_.url(), "--app", "none"}));
    EXPECT_TRUE(testing::saw_line(*d, "fixgated: running"));
    return d;
  }
  LpStatus status_of(const std::string& provider) {
    auto rows = db_->load();
    if (rows)
      for (const auto& r : *rows)
        if (r.row.provider == provider) return r.status.status;
    return LpStatus::kInactive;
  }
  // Polls the table (another process writes it) until `provider` has `status`.
  bool await_status(const std::string& provider, LpStatus status) {
    return testing::await([&] { return status_of(provider) == status; }, 20s);
  }

  testing::TempDir dir_{"fixgated-gateway"};
  TestDatabase database_;
  store::testing::PgTestServer* pg_ = nullptr;
  std::string url_;
  SessionsDb* db_ = nullptr;
  testing::NatsServer nats_;
};

// An LP's engine (an acceptor LP) logs through the daemon's log and its rate limit: a flood of
// refused connections to the LP's port gives at most 10 lines per 10 s and a counted summary.
TEST_P(FixgatedGatewayTest, AFloodOfRefusedConnectionsToAnLpIsRateLimitedInTheLog) {
  testing::ReservedPort port;  // fixgated listens on it (SO_REUSEADDR), nobody else can take it
  LpRow acceptor = lp_row("LPACC", port.port());
  acceptor.role = "acceptor";
  ASSERT_TRUE(db_->upsert(acceptor));
  const auto started = std::chrono::steady_clock::now();
  auto d = start_fixgated();
  constexpr int kConnections = 200;
  const std::string logon = testing::unknown_logon("FG");
  // The first one refused once the LP listens (until then the reserved port refuses the connect).
  ASSERT_TRUE(testing::await([&] { return testing::refused_connection(port.port(), logon) != 0; }));
  for (int i = 1; i < kConnections; ++i)
    ASSERT_NE(testing::refused_connection(port.port(), logon), 0) << i;
  d->signal(SIGTERM);
  std::vector<std::string> lines;
  for (std::string line; !(line = d->read_line(10s)).empty();) lines.push_back(line);
  EXPECT_EQ(d->wait(10s), 0);
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  size_t one_by_one = 0, summaries = 0;
  uint64_t summarised = 0;
  static const std::regex summary(
      R"((\d+) more refused connections from 127\.0\.0\.1 in the last (\d+)s)");
  for (const auto& line : lines) {
    one_by_one += line.find("connection refused: no session for") != std::string::npos;
    std::smatch m;
    if (std::regex_search(line, m, summary)) {
      summarised += std::stoull(m[1]);
      ++summaries;
    }
  }
  const size_t windows = static_cast<size_t>(seconds / 10 + 1);
  EXPECT_GE(one_by_one, 1u);
  EXPECT_LE(one_by_one, 10 * windows);
  EXPECT_GE(summaries, 1u);
  EXPECT_EQ(one_by_one + summarised, static_cast<uint64_t>(kConnections));
}

TEST_P(FixgatedGatewayTest, StatusEventsSurviveANatsRestartAndAKillNine) {
  // Everything fixgated publishes is recorded by a stream, whatever happens to subscribers.
  {
    testing::Client setup(nats_.url());
    setup.add_stream("RECORDER", "fixgate.events.>");
  }
  testing::Client client(nats_.url());
  testing::Subscriber live(client, "fixgate.events.lpstatus");
  auto a = std::make_unique<QuickFixPeer>(lp_peer("LPA"));
  QuickFixPeer b(lp_peer("LPB")), c(lp_peer("LPC"));
  const uint16_t a_port = a->port();
  ASSERT_TRUE(db_->upsert(lp_row("LPA", a_port)));
  ASSERT_TRUE(db_->upsert(lp_row("LPB", b.port())));
  ASSERT_TRUE(db_->upsert(lp_row("LPC", c.port())));
  LpRow off = lp_row("OFF", 9);
  off.enabled = false;
  ASSERT_TRUE(db_->upsert(off));

  auto d = start_fixgated();
  // A live subscriber sees the three LPs become active.
  auto seen = live.take(3);
  std::vector<std::string> payloads;
  for (const auto& m : seen) payloads.push_back(m.payload);
  for (const char* lp : {"LPA", "LPB", "LPC"}) {
    EXPECT_TRUE(has(statuses(payloads), lp, 1)) << lp << ": " << payloads.size();
    ASSERT_TRUE(await_status(lp, LpStatus::kActive)) << lp;
  }
  ASSERT_EQ(seen.size(), 3u);
  auto first = nlohmann::json::parse(seen[0].payload);
  for (const char* key : {"provider", "session_id", "old_status", "status", "state", "reason",
                          "next_sender_seq", "next_target_seq", "owner", "transition", "time"})
    EXPECT_TRUE(first.contains(key)) << key << " missing in " << seen[0].payload;

  // NATS goes away; an LP fails meanwhile: the table says so at once, sessions go on.
  nats_.kill();
  a.reset();
  ASSERT_TRUE(await_status("LPA", LpStatus::kError));
  const size_t heartbeats_from = b.mark();
  EXPECT_FALSE(b.await("IN 35=0", 5s).empty()) << "LPB stalled while NATS was down" << b.history();
  EXPECT_GT(b.mark(), heartbeats_from);
  EXPECT_EQ(status_of("LPB"), LpStatus::kActive);
  ASSERT_TRUE(nats_.start()) << nats_.log();
  auto recorded = statuses(testing::await_stream(nats_.url(), "RECORDER", 4));  // 3 up, 1 lost
  EXPECT_TRUE(has(recorded, "LPA", 2)) << "the buffered event never arrived";

  // kill -9: the table keeps status 1; the next start corrects it before connecting.
  a = std::make_unique<QuickFixPeer>(lp_peer("LPA", a_port));
  ASSERT_TRUE(await_status("LPA", LpStatus::kActive));
  d->signal(SIGKILL);
  (void)d->wait(10s);
  EXPECT_EQ(status_of("LPA"), LpStatus::kActive);  // stale
  d = start_fixgated();
  EXPECT_TRUE(testing::await([&] {
    auto events = statuses(testing::await_stream(nats_.url(), "RECORDER", 0, 0ms));
    return std::count(events.begin(), events.end(), std::pair<std::string, int>{"LPA", 0}) >= 1;
  })) << "no correction event";
  ASSERT_TRUE(await_status("LPA", LpStatus::kActive));
  EXPECT_EQ(status_of("OFF"), LpStatus::kInactive);
  auto rows = db_->load();
  ASSERT_TRUE(rows);
  for (const auto& r : *rows)
    if (r.row.provider == "OFF") {
      EXPECT_FALSE(r.row.enabled);
    }
}

// `fixgate admin …` (the real CLI) against fixgated's admin API: its exit code and its output.
struct CliRun {
  int code = -1;
  std::string out;
};
CliRun fixgate_cli(const std::string& args) {
  const std::string command = std::string(FIXGATE_CLI_PATH) + " " + args + " 2>&1";
  CliRun run;
  FILE* p = ::popen(command.c_str(), "r");
  char buf[4096];
  while (p && std::fgets(buf, sizeof buf, p)) run.out += buf;
  const int status = p ? ::pclose(p) : -1;
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST_P(FixgatedGatewayTest, TheKillSwitchThroughTheAdminApiAndTheCli) {
  const std::string tokens =
      testing::write_file(dir_.path + "/tokens", "ops:0123456789abcdef0123456789abcdef\n");
  ASSERT_EQ(::chmod(tokens.c_str(), 0600), 0);
  QuickFixPeer a(lp_peer("LPA"));
  ASSERT_TRUE(db_->upsert(lp_row("LPA", a.port())));
  testing::Client client(nats_.url());
  testing::Subscriber events(client, "fixgate.events.lpstatus");
  testing::Subscriber audits(client, "fixgate.events.audit");
  Child d(testing::fixgated({"--db", url_, "--admin", "127.0.0.1:0", "--admin-token-file", tokens,
                             "--nats", nats_.url(), "--app", "none"}));
  const std::string url = admin_url(d);
  ASSERT_FALSE(url.empty()) << "no admin API line";
  ASSERT_TRUE(await_status("LPA", LpStatus::kActive));
  const std::string with_token = "--url " + url + " --token-file " + tokens;

  CliRun list = fixgate_cli("admin --url " + url + " --json list");  // reads need no token
  ASSERT_EQ(list.code, 0) << list.out;
  auto j = nlohmann::json::parse(list.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << list.out;
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["provider"], "LPA");
  EXPECT_EQ(j[0]["status"], 1);

  CliRun refused = fixgate_cli("admin --url " + url + " disable LPA --reason nope");  // no token
  EXPECT_EQ(refused.code, 1) << refused.out;
  EXPECT_EQ(status_of("LPA"), LpStatus::kActive);

  const size_t peer_mark = a.mark();
  CliRun off = fixgate_cli("admin " + with_token + " disable LPA --reason 'LP maintenance'");
  ASSERT_EQ(off.code, 0) << off.out;
  EXPECT_FALSE(a.await("IN 35=5").empty()) << a.history(peer_mark);
  ASSERT_TRUE(await_status("LPA", LpStatus::kInactive));
  auto got = events.take(2);  // 0 -> 1 at the start, then the kill switch's 1 -> 0
  ASSERT_EQ(got.size(), 2u);
  auto off_event = nlohmann::json::parse(got[1].payload);
  EXPECT_EQ(off_event["status"], 0);
  EXPECT_EQ(off_event["old_status"], 1);
  EXPECT_NE(off_event["reason"].get<std::string>().find("LP maintenance"), std::string::npos);
  auto audit_events = audits.take(2);  // the refused attempt and the disable
  ASSERT_EQ(audit_events.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(audit_events[1].payload)["actor"], "ops");
  EXPECT_TRUE(a.await("IN 35=A", 5s).empty()) << "reconnected while disabled";
  CliRun unknown = fixgate_cli("admin " + with_token + " disable NOPE --reason x");
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.out.find("NOPE"), std::string::npos) << unknown.out;

  CliRun on = fixgate_cli("admin " + with_token + " enable LPA --reason back");
  ASSERT_EQ(on.code, 0) << on.out;
  ASSERT_TRUE(await_status("LPA", LpStatus::kActive));

  // Every change, refused or not, in the audit table, with the token's name.
  ASSERT_TRUE(testing::await([&] {
    auto audit = db_->audit(10);
    return audit && audit->size() >= 3;
  }));
  auto audit = db_->audit(10);
  ASSERT_TRUE(audit);
  bool disabled_by_ops = false;
  for (const auto& a : *audit)
    disabled_by_ops = disabled_by_ops || (a.actor == "ops" && a.action == "disable" &&
                                          a.provider == "LPA" && a.reason == "LP maintenance");
  EXPECT_TRUE(disabled_by_ops);
}

// fixgated's admin API as Prometheus and a load balancer see it: /metrics, /readyz, /healthz.
class Scraper {
 public:
  explicit Scraper(const std::string& url) : http_(url) {
    http_.set_connection_timeout(5, 0);
    http_.set_read_timeout(10, 0);
  }
  testing::Exposition metrics() {
    auto r = http_.Get("/metrics");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : httplib::to_string(r.error()));
    if (r) {
      EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4");
    }
    testing::Exposition e(r ? r->body : "");
    EXPECT_TRUE(e.errors.empty()) << e.errors.front();
    return e;
  }
  // GET `path`: the status (0 without an answer) and the body.
  std::pair<int, std::string> get(const std::string& path) {
    auto r = http_.Get(path);
    return r ? std::pair{r->status, r->body} : std::pair{0, std::string()};
  }
  int post(const std::string& path, const std::string& token, const std::string& reason) {
    auto r = http_.Post(path, {{"Authorization", "Bearer " + token}},
                        nlohmann::json{{"reason", reason}}.dump(), "application/json");
    return r ? r->status : 0;
  }

 private:
  httplib::Client http_;
};

TEST_P(FixgatedGatewayTest, MetricsCountWhatWasSentAndReadyzFollowsNats) {
  const std::string token = "0123456789abcdef0123456789abcdef";
  const std::string tokens = testing::write_file(dir_.path + "/tokens", "ops:" + token + "\n");
  ASSERT_EQ(::chmod(tokens.c_str(), 0600), 0);
  QuickFixPeer a(lp_peer("LPA")), b(lp_peer("LPB"));
  // HeartBtInt 30: no heartbeat is due during the test, so the counters move by what the test
  // makes happen (heartbeats are accounted for all the same).
  for (auto [provider, port] : {std::pair{"LPA", a.port()}, std::pair{"LPB", b.port()}}) {
    LpRow r = lp_row(provider, port);
    r.heartbeat_interval = 30;
    ASSERT_TRUE(db_->upsert(r));
  }
  Child d(testing::fixgated({"--db", url_, "--admin", "127.0.0.1:0", "--admin-token-file", tokens,
                             "--nats", nats_.url(), "--app", "echo"}));
  const std::string url = admin_url(d);
  ASSERT_FALSE(url.empty()) << "no admin API line";
  ASSERT_TRUE(await_status("LPA", LpStatus::kActive));
  ASSERT_TRUE(await_status("LPB", LpStatus::kActive));
  Scraper s(url);
  const testing::Labels lpa{{"provider", "LPA"}, {"session_id", "FIX.4.4:FG->LPA"}};
  const testing::Labels lpb{{"provider", "LPB"}, {"session_id", "FIX.4.4:FG->LPB"}};
  ASSERT_TRUE(testing::await([&] {
    testing::Exposition e = s.metrics();
    return e.value("fixgate_lp_status", lpa) == 1 && e.value("fixgate_lp_status", lpb) == 1 &&
           e.value("fixgate_nats_published_total") >= 2;  // both transitions acknowledged
  }));
  const testing::Exposition before = s.metrics();
  EXPECT_EQ(before.value("fixgate_lps", {{"status", "active"}}), 2);
  EXPECT_EQ(before.value("fixgate_lp_enabled", lpb), 1);
  EXPECT_EQ(before.value("fixgate_lp_state", {{"provider", "LPA"}, {"state", "active"}}), 1);
  EXPECT_EQ(before.value("fixgate_session_heartbeat_interval_seconds", lpa), 30);
  EXPECT_EQ(before.value("fixgate_session_current_gap", lpa), 0);
  EXPECT_EQ(before.value("fixgate_nats_connected"), 1);
  EXPECT_EQ(before.value("fixgate_nats_dropped_total"), 0);

  // 20 NewOrderSingles from LPA, each echoed back by fixgated's echo application.
  auto delta = [&before](const testing::Exposition& after, const char* name,
                         const testing::Labels& lp) {
    return after.value(name, lp).value_or(-1e9) - before.value(name, lp).value_or(1e9);
  };
  auto with = [](testing::Labels lp, const char* key, const char* value) {
    lp[key] = value;
    return lp;
  };
  auto app_in = [&](const testing::Exposition& e, const testing::Labels& lp) {
    return delta(e, "fixgate_session_messages_received_total", with(lp, "class", "app"));
  };
  auto app_out = [&](const testing::Exposition& e, const testing::Labels& lp) {
    return delta(e, "fixgate_session_messages_sent_total", with(lp, "class", "app"));
  };
  auto admin_in = [&](const testing::Exposition& e, const testing::Labels& lp) {
    return delta(e, "fixgate_session_messages_received_total", with(lp, "class", "admin"));
  };
  a.send("orders 20 M");
  ASSERT_FALSE(a.await("DONE 20", 20s).empty()) << a.history();
  testing::Exposition after("");
  ASSERT_TRUE(testing::await([&] {
    after = s.metrics();
    return app_in(after, lpa) >= 20 && app_out(after, lpa) >= 20;
  })) << "in "
      << app_in(after, lpa) << ", out " << app_out(after, lpa);
  EXPECT_EQ(app_in(after, lpa), 20);
  EXPECT_EQ(app_out(after, lpa), 20);
  EXPECT_EQ(delta(after, "fixgate_session_next_target_seq", lpa),
            app_in(after, lpa) + admin_in(after, lpa));
  EXPECT_EQ(admin_in(after, lpa), delta(after, "fixgate_session_heartbeats_received_total", lpa));
  EXPECT_GT(delta(after, "fixgate_session_bytes_received_total", with(lpa, "class", "app")),
            20 * 60);
  EXPECT_GT(delta(after, "fixgate_session_bytes_sent_total", with(lpa, "class", "app")), 20 * 60);
  // The session's logon, the initiator's one successful connection, its loop's CPU time.
  EXPECT_EQ(after.value("fixgate_session_logons_total", lpa), 1);
  EXPECT_EQ(after.value("fixgate_lp_connect_attempts_total", lpa).value_or(0) -
                after.value("fixgate_lp_connect_failures_total", lpa).value_or(0),
            1);
  EXPECT_EQ(after.value("fixgate_session_disconnects_total", with(lpa, "cause", "protocol")), 0);
  EXPECT_GT(after.value("fixgate_lp_loop_cpu_seconds_total", lpa).value_or(0), 0);
  EXPECT_EQ(after.value("fixgate_session_reading_paused", lpa), 0);
  // The orders and their echoes were committed to the store, timed: one commit per inbound
  // batch (the echoes ride in their orders' commit), so at least one and at most one per message.
  EXPECT_GE(delta(after, "fixgate_store_commit_seconds_count", lpa), 1);
  EXPECT_LE(delta(after, "fixgate_store_commit_seconds_count", lpa), 40);
  EXPECT_GT(delta(after, "fixgate_store_commit_seconds_sum", lpa), 0);
  EXPECT_EQ(app_in(after, lpb), 0);  // the orders were LPA's alone

  // Two TestRequests to LPB through the admin API: counted, and each answered by a Heartbeat.
  EXPECT_EQ(s.post("/api/v1/sessions/LPB/test-request", token, "probe 1"), 200);
  EXPECT_EQ(s.post("/api/v1/sessions/LPB/test-request", token, "probe 2"), 200);
  ASSERT_TRUE(testing::await([&] {
    after = s.metrics();
    return delta(after, "fixgate_session_heartbeats_received_total", lpb) >= 2;
  })) << s.get("/metrics").second;
  EXPECT_EQ(delta(after, "fixgate_session_test_requests_sent_total", lpb), 2);
  EXPECT_EQ(delta(after, "fixgate_session_test_requests_sent_total", lpa), 0);

  // The kill switch: LPB's status and enabled go to 0, its session's series go away.
  EXPECT_EQ(s.post("/api/v1/sessions/LPB/disable", token, "maintenance"), 200);
  ASSERT_TRUE(testing::await([&] {
    after = s.metrics();
    return after.value("fixgate_lp_status", lpb) == 0 &&
           after.count("fixgate_session_logons_total", lpb) == 0;
  })) << s.get("/metrics").second;
  EXPECT_EQ(after.value("fixgate_lp_enabled", lpb), 0);
  EXPECT_EQ(after.value("fixgate_lp_state", {{"provider", "LPB"}, {"state", "disabled"}}), 1);
  EXPECT_EQ(delta(after, "fixgate_lp_status_transitions_total", lpb), 1);
  EXPECT_EQ(after.value("fixgate_lps", {{"status", "active"}}), 1);
  EXPECT_EQ(after.value("fixgate_lps", {{"status", "inactive"}}), 1);
  EXPECT_EQ(after.value("fixgate_lp_status", lpa), 1);

  // Ready while the database answers and NATS is connected; not while NATS is down.
  auto [code, body] = s.get("/readyz");
  EXPECT_EQ(code, 200) << body;
  nats_.kill();
  ASSERT_TRUE(testing::await([&] { return s.get("/readyz").first == 503; }));
  auto not_ready = nlohmann::json::parse(s.get("/readyz").second, nullptr, false);
  EXPECT_EQ(not_ready["not_ready"], nlohmann::json::array({"nats"})) << not_ready;
  EXPECT_EQ(not_ready["checks"]["database"]["ok"], true) << not_ready;
  EXPECT_EQ(s.metrics().value("fixgate_nats_connected"), 0);
  EXPECT_EQ(s.get("/healthz").first, 200);  // alive all the same
  ASSERT_TRUE(nats_.start()) << nats_.log();
  EXPECT_TRUE(testing::await([&] { return s.get("/readyz").first == 200; }))
      << s.get("/readyz").second;
}

TEST_P(FixgatedGatewayTest, AnImportedSettingsFileRunsAndExportsBack) {
  QuickFixPeer a(lp_peer("LPA"));
  const std::string cfg =
      testing::write_file(dir_.path + "/lps.cfg",
                          "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=5\nReconnectInterval=1\n"
                          "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=FG\nTargetCompID=LPA\n"
                          "SocketConnectHost=127.0.0.1\nSocketConnectPort=" +
                              std::to_string(a.port()) + "\n");
  CliRun imported = fixgate_cli("sessions import " + cfg + " --db '" + url_ + "'");
  ASSERT_EQ(imported.code, 0) << imported.out;
  EXPECT_NE(imported.out.find("1 LP(s) written"), std::string::npos) << imported.out;
  auto d = start_fixgated();
  ASSERT_TRUE(await_status("LPA", LpStatus::kActive));
  CliRun exported = fixgate_cli("sessions export --db '" + url_ + "'");
  ASSERT_EQ(exported.code, 0) << exported.out;
  EXPECT_NE(exported.out.find("Provider=LPA\n"), std::string::npos) << exported.out;
  EXPECT_NE(exported.out.find("SocketConnectPort=" + std::to_string(a.port()) + "\n"),
            std::string::npos)
      << exported.out;
  CliRun bad = fixgate_cli("sessions import /nonexistent.cfg --db '" + url_ + "'");
  EXPECT_EQ(bad.code, 2) << bad.out;
}

TEST_P(FixgatedGatewayTest, SigtermLogsEveryLpOutAndLeavesStatusZero) {
  QuickFixPeer a(lp_peer("LPA")), b(lp_peer("LPB"));
  ASSERT_TRUE(db_->upsert(lp_row("LPA", a.port())));
  ASSERT_TRUE(db_->upsert(lp_row("LPB", b.port())));
  auto d = start_fixgated();
  ASSERT_TRUE(await_status("LPA", LpStatus::kActive));
  ASSERT_TRUE(await_status("LPB", LpStatus::kActive));
  d->signal(SIGTERM);
  EXPECT_EQ(d->wait(20s), 0);
  EXPECT_FALSE(a.await("IN 35=5").empty()) << a.history();
  EXPECT_FALSE(b.await("IN 35=5").empty()) << b.history();
  EXPECT_EQ(status_of("LPA"), LpStatus::kInactive);
  EXPECT_EQ(status_of("LPB"), LpStatus::kInactive);
}

TEST_P(FixgatedGatewayTest, JetStreamKeepsEachTransitionOnceAndKvTheLatest) {
  QuickFixPeer a(lp_peer("LPA"));
  ASSERT_TRUE(db_->upsert(lp_row("LPA", a.port())));
  const std::string cfg = testing::write_file(
      dir_.path + "/gw.cfg",
      "[DEFAULT]\nNatsJetStream=Y\nNatsKvBucket=LPSTATUS\nNatsSubjectPrefix=vfxlp\n");
  auto d = std::make_unique<Child>(
      testing::fixgated({"--config", cfg, "--db", url_, "--nats", nats_.url(), "--app", "none"}));
  ASSERT_TRUE(testing::saw_line(*d, "fixgated: running"));
  ASSERT_TRUE(await_status("LPA", LpStatus::kActive));
  auto events = statuses(testing::await_stream(nats_.url(), "VFXLP_EVENTS", 1));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], (std::pair<std::string, int>{"LPA", 1}));
  // A late reader gets LPA's current status from the bucket.
  auto kv_status = [&]() -> int {
    testing::Client reader(nats_.url());
    kvStore* kv = nullptr;
    if (js_KeyValue(&kv, reader.js(), "LPSTATUS") != NATS_OK) return -1;
    kvEntry* entry = nullptr;
    int status = -2;
    if (kvStore_Get(&entry, kv, "LPA") == NATS_OK)
      status = nlohmann::json::parse(kvEntry_ValueString(entry)).value("status", -3);
    kvEntry_Destroy(entry);
    kvStore_Destroy(kv);
    return status;
  };
  EXPECT_TRUE(testing::await([&] { return kv_status() == 1; })) << kv_status();
  // The stop's transition to 0 is the stream's second event and the bucket's latest.
  d->signal(SIGTERM);
  EXPECT_EQ(d->wait(20s), 0);
  events = statuses(testing::await_stream(nats_.url(), "VFXLP_EVENTS", 2));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1], (std::pair<std::string, int>{"LPA", 0}));
  EXPECT_EQ(kv_status(), 0);
}

TEST(FixgatedGatewayConfigTest, AnAdminApiWithoutADatabaseOrWithABadAddressIsAnError) {
  testing::TempDir dir("fixgated-gateway-config");
  const std::string cfg = testing::write_file(
      dir.path + "/admin.cfg",
      "[DEFAULT]\nAdminAddress=127.0.0.1:notaport\n[SESSION]\nConnectionType=acceptor\n"
      "BeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\nSocketAcceptPort=0\n");
  Child d(testing::fixgated({"--config", cfg, "--check"}));
  std::string all;
  for (std::string line; !(line = d.read_line(10s)).empty();) all += line + "\n";
  EXPECT_EQ(d.wait(10s), 2) << all;
  EXPECT_NE(all.find("AdminAddress: '127.0.0.1:notaport' is not HOST:PORT"), std::string::npos)
      << all;
  EXPECT_NE(all.find("give SessionsDatabase (--db) too"), std::string::npos) << all;
}

INSTANTIATE_TEST_SUITE_P(Db, FixgatedGatewayTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), backend_name);

}  // namespace
}  // namespace fixgate::gateway
