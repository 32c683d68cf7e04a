// The admin API over real loopback HTTP (httplib's client) against an in-memory LpControl: reads,
// every change, authentication, the audit, start and stop.
#include <atomic>
#include <thread>
#include <vector>

#include "../../tests/support/admin_harness.h"

namespace fixgate::testing {
namespace {

using gateway::AdminServerOptions;
using nlohmann::json;

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h.start()) << "start failed"; }
  AdminHarness h;
};

TEST_F(AdminServerTest, ListsEveryLpAsAJsonArray) {
  auto r = h.get("/api/v1/sessions");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  json all = json_of(r);
  ASSERT_TRUE(all.is_array());
  ASSERT_EQ(all.size(), 3u);
  const json& lp1 = all[0];
  EXPECT_EQ(lp1["provider"], "LP1");
  EXPECT_EQ(lp1["session_id"], "FIX.4.4:DESK->LP1");
  EXPECT_EQ(lp1["enabled"], true);
  EXPECT_EQ(lp1["status"], 1);
  EXPECT_EQ(lp1["status_text"], "active");
  EXPECT_EQ(lp1["state"], "active");
  EXPECT_EQ(lp1["status_reason"], "");
  EXPECT_EQ(lp1["host"], "10.0.0.1");
  EXPECT_EQ(lp1["port"], 9001);
  EXPECT_EQ(lp1["next_sender_seq"], 12);
  EXPECT_EQ(lp1["next_target_seq"], 15);
  EXPECT_EQ(lp1["messages_in"], 14);
  EXPECT_EQ(lp1["messages_out"], 11);
  EXPECT_EQ(lp1["status_changed_at"], "2024-05-01T12:00:00.123456789Z");
  EXPECT_EQ(lp1["last_received_at"], "2024-05-01T12:00:01.000000000Z");
  EXPECT_EQ(lp1["last_sent_at"], "2024-05-01T12:00:02.000000001Z");
  EXPECT_TRUE(lp1["next_reconnect_at"].is_null());
  EXPECT_EQ(all[1]["status"], 2);
  EXPECT_EQ(all[1]["status_text"], "error");
  EXPECT_EQ(all[1]["status_reason"], "connection refused");
  EXPECT_EQ(all[1]["next_reconnect_at"], "2024-05-01T12:01:00.000000000Z");
  EXPECT_TRUE(all[1]["last_sent_at"].is_null());
  EXPECT_EQ(all[2]["status_text"], "inactive");
  EXPECT_EQ(all[2]["enabled"], false);
}

// Ten status pages open, each polling over a kept-alive connection as a browser does: the
// server's four workers must not be held by them between polls, so the API keeps answering.
TEST_F(AdminServerTest, TenPollingPagesLeaveTheApiAnswering) {
  std::atomic<bool> stop{false};
  std::atomic<int> polls{0}, failed{0};
  std::vector<std::thread> pages;
  for (int i = 0; i < 10; ++i)
    pages.emplace_back([&] {
      auto c = h.client();
      c->set_keep_alive(true);
      while (!stop) {
        auto r = c->Get("/api/v1/sessions");
        if (r && r->status == 200) {
          ++polls;
        } else {
          ++failed;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the page's interval
      }
    });
  // Meanwhile every other call answers at once (a held pool would make each wait for a page's
  // connection to time out: 5 s).
  for (int i = 0; i < 10; ++i) {
    const auto started = std::chrono::steady_clock::now();
    auto r = h.get("/healthz");
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_LT(took, std::chrono::seconds(1)) << "call " << i;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  stop = true;
  for (auto& t : pages) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GE(polls.load(), 30);  // every page was served all along
}

TEST_F(AdminServerTest, ShowsOneLpAndAnswers404ForAnUnknownOne) {
  auto r = h.get("/api/v1/sessions/LP2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  json lp2 = json_of(r);
  EXPECT_EQ(lp2["provider"], "LP2");
  EXPECT_EQ(lp2["port"], 9002);
  EXPECT_NE(error_of(h.get("/api/v1/sessions/NOPE"), 404).find("NOPE"), std::string::npos);
}

TEST_F(AdminServerTest, HealthzAnswersOkWithoutAToken) {
  auto r = h.get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json_of(r), json({{"status", "ok"}}));
}

TEST_F(AdminServerTest, DisableWithReasonCallsTheControlOnceAndIsAudited) {
  auto r = h.post("/api/v1/sessions/LP1/disable", R"({"reason": "LP maintenance"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  json body = json_of(r);
  EXPECT_EQ(body["result"], "ok");
  EXPECT_EQ(body["action"], "disable");
  EXPECT_EQ(body["provider"], "LP1");
  EXPECT_EQ(body["message"], "disable LP1: done");

  auto changes = h.control.changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].op, "disable");
  EXPECT_EQ(changes[0].provider, "LP1");
  EXPECT_EQ(changes[0].actor, "ops");
  EXPECT_EQ(changes[0].reason, "LP maintenance");
  EXPECT_FALSE(h.control.get("LP1").enabled);

  auto audit = h.audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "ops");
  EXPECT_EQ(audit[0].action, "disable");
  EXPECT_EQ(audit[0].provider, "LP1");
  EXPECT_EQ(audit[0].reason, "LP maintenance");
  EXPECT_EQ(audit[0].http_status, 200);
  EXPECT_EQ(audit[0].message, "disable LP1: done");
  EXPECT_EQ(audit[0].remote.rfind("127.0.0.1:", 0), 0u) << audit[0].remote;

  auto lines = h.audit_file_lines();
  ASSERT_EQ(lines.size(), 1u);
  json line = json::parse(lines[0]);
  EXPECT_EQ(line["actor"], "ops");
  EXPECT_EQ(line["action"], "disable");
  EXPECT_EQ(line["provider"], "LP1");
  EXPECT_EQ(line["reason"], "LP maintenance");
  EXPECT_EQ(line["status"], 200);
  EXPECT_EQ(line["result"], "ok");
  EXPECT_EQ(line["time"], gateway::rfc3339(audit[0].time));
}

TEST_F(AdminServerTest, EveryActionReachesItsOwnControlCall) {
  const std::vector<std::pair<std::string, std::string>> actions = {
      {"enable", "enable"},
      {"logon", "logon"},
      {"logout", "logout"},
      {"disconnect", "disconnect"},
      {"test-request", "test_request"},
      {"reset-sequences", "reset_sequences"},
      {"disable", "disable"}};
  for (const auto& [path, op] : actions) {
    auto r =
        h.post("/api/v1/sessions/LP2/" + path, R"({"reason": "check )" + path + "\"}", kBotToken);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    auto changes = h.control.changes();
    ASSERT_FALSE(changes.empty());
    EXPECT_EQ(changes.back().op, op);
    EXPECT_EQ(changes.back().provider, "LP2");
    EXPECT_EQ(changes.back().actor, "bot");
    EXPECT_EQ(changes.back().reason, "check " + path);
    EXPECT_EQ(h.audit().back().action, path);
  }
  EXPECT_EQ(h.control.changes().size(), actions.size());
  EXPECT_EQ(h.audit().size(), actions.size());
  EXPECT_EQ(h.audit_file_lines().size(), actions.size());
}

TEST_F(AdminServerTest, SequencesPassesTheNumbersAndForce) {
  auto r = h.post("/api/v1/sessions/LP3/sequences",
                  R"({"reason": "after LP reset", "next_sender": 100, "next_target": 7})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  auto c = h.control.changes().back();
  EXPECT_EQ(c.op, "set_sequences");
  EXPECT_EQ(c.next_sender, 100u);
  EXPECT_EQ(c.next_target, 7u);
  EXPECT_FALSE(c.force);
  EXPECT_EQ(h.control.get("LP3").next_sender_seq, 100u);
  EXPECT_EQ(h.audit().back().detail, "next_sender=100 next_target=7 force=false");

  // Only one of them: the other is 0 (left as it is).
  r = h.post("/api/v1/sessions/LP3/sequences", R"({"reason": "x", "next_target": 9})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  c = h.control.changes().back();
  EXPECT_EQ(c.next_sender, 0u);
  EXPECT_EQ(c.next_target, 9u);
  EXPECT_EQ(h.control.get("LP3").next_sender_seq, 100u);
}

TEST_F(AdminServerTest, SequencesWhileLoggedOnIs409UnlessForced) {
  const std::string path = "/api/v1/sessions/LP1/sequences";
  std::string message = error_of(h.post(path, R"({"reason": "x", "next_sender": 5})"), 409);
  EXPECT_EQ(message, "logged on: log out first, or force");
  EXPECT_EQ(h.control.get("LP1").next_sender_seq, 12u);  // not half-applied
  EXPECT_EQ(h.audit().back().http_status, 409);
  EXPECT_EQ(h.audit().back().message, message);

  auto r = h.post(path, R"({"reason": "x", "next_sender": 5, "force": true})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(h.control.changes().back().force);
  EXPECT_EQ(h.control.get("LP1").next_sender_seq, 5u);
}

TEST_F(AdminServerTest, SequencesRefusesMissingZeroNegativeFractionalAndStringNumbers) {
  const std::string path = "/api/v1/sessions/LP3/sequences";
  for (const char* body :
       {R"({"reason": "x"})", R"({"reason": "x", "next_sender": 0})",
        R"({"reason": "x", "next_sender": -1})", R"({"reason": "x", "next_sender": 1.5})",
        R"({"reason": "x", "next_sender": "5"})", R"({"reason": "x", "next_target": null})",
        R"({"reason": "x", "next_target": 1e3})",
        R"({"reason": "x", "next_target": 99999999999999999999999})",
        R"({"reason": "x", "next_sender": 2, "force": "yes"})"}) {
    error_of(h.post(path, body), 400);
  }
  EXPECT_TRUE(h.control.changes().empty());
  EXPECT_EQ(h.audit().size(), 9u);  // refused attempts are audited too
  for (const auto& e : h.audit()) EXPECT_EQ(e.http_status, 400);
}

TEST_F(AdminServerTest, KillAllDisablesEveryLpAndIsAuditedWithStar) {
  auto r = h.post("/api/v1/kill-all", R"({"reason": "market halt"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  auto changes = h.control.changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].op, "kill_all");
  EXPECT_EQ(changes[0].reason, "market halt");
  for (const char* lp : {"LP1", "LP2", "LP3"}) EXPECT_FALSE(h.control.get(lp).enabled) << lp;
  EXPECT_EQ(h.audit().back().provider, "*");
  EXPECT_EQ(h.audit().back().action, "kill-all");
}

TEST_F(AdminServerTest, UnknownLpIs404FromTheControl) {
  EXPECT_EQ(error_of(h.post("/api/v1/sessions/LP9/disable", R"({"reason": "x"})"), 404),
            "no LP named LP9");
  ASSERT_EQ(h.control.changes().size(), 1u);  // the control decides what exists
  EXPECT_EQ(h.audit().back().http_status, 404);
}

TEST_F(AdminServerTest, ControlOutcomesMapToHttpStatuses) {
  using Code = MemoryLpControl::Code;
  const std::vector<std::pair<Code, int>> cases = {{Code::kBadRequest, 400},
                                                   {Code::kNotFound, 404},
                                                   {Code::kConflict, 409},
                                                   {Code::kFailed, 500}};
  for (const auto& [code, status] : cases) {
    h.control.answer_changes_with(code, "scripted " + std::to_string(status));
    EXPECT_EQ(error_of(h.post("/api/v1/sessions/LP1/logon", R"({"reason": "x"})"), status),
              "scripted " + std::to_string(status));
    EXPECT_EQ(h.audit().back().http_status, status);
  }
}

TEST_F(AdminServerTest, ControlThatThrowsIs500AndAudited) {
  h.control.throw_on_changes(true);
  std::string message = error_of(h.post("/api/v1/sessions/LP1/logout", R"({"reason": "x"})"), 500);
  EXPECT_NE(message.find("the control blew up"), std::string::npos) << message;
  EXPECT_EQ(h.audit().back().http_status, 500);
  // The server lives on.
  auto r = h.get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(AdminServerTest, ChangeWithoutTokenIs401WithBearerChallengeAndAuditedAsUnknownActor) {
  auto r = h.post("/api/v1/sessions/LP1/disable", R"({"reason": "x"})", "");
  EXPECT_EQ(error_of(r, 401), "missing Authorization: Bearer <token>");
  EXPECT_EQ(r->get_header_value("WWW-Authenticate").rfind("Bearer", 0), 0u);
  EXPECT_TRUE(h.control.changes().empty());
  ASSERT_EQ(h.audit().size(), 1u);
  EXPECT_EQ(h.audit()[0].actor, "-");
  EXPECT_EQ(h.audit()[0].http_status, 401);
  EXPECT_TRUE(h.control.get("LP1").enabled);
}

TEST_F(AdminServerTest, WrongTokenIs403) {
  auto r =
      h.post("/api/v1/sessions/LP1/disable", R"({"reason": "x"})", "ops-token-0123456789abcdeX");
  EXPECT_EQ(error_of(r, 403), "token not accepted");
  // A prefix of a real token, and a real token with more after it, are wrong too.
  error_of(h.post("/api/v1/sessions/LP1/disable", R"({"reason": "x"})", "ops-token-0123"), 403);
  error_of(
      h.post("/api/v1/sessions/LP1/disable", R"({"reason": "x"})", std::string(kOpsToken) + "0"),
      403);
  EXPECT_TRUE(h.control.changes().empty());
  EXPECT_EQ(h.audit().size(), 3u);
  for (const auto& e : h.audit()) EXPECT_EQ(e.actor, "-");
}

TEST_F(AdminServerTest, MalformedAuthorizationIs401) {
  for (const std::string& value :
       {std::string("Basic b3BzOnNlY3JldA=="), std::string("Bearer"), std::string("Bearer "),
        std::string("Bearer ") + kOpsToken + " extra", std::string("Bearer\t") + kOpsToken,
        std::string("Token ") + kOpsToken, std::string(kOpsToken),
        std::string("Bearer ") + kOpsToken + ",x"}) {
    httplib::Headers headers{{"Authorization", value}};
    auto r =
        h.client()->Post("/api/v1/kill-all", headers, R"({"reason": "x"})", "application/json");
    EXPECT_EQ(error_of(r, 401).find("malformed"), 0u) << value;
    if (r) {
      EXPECT_NE(r->get_header_value("WWW-Authenticate").find("invalid_request"), std::string::npos);
    }
  }
  // Two Authorization headers, even both right, are one too many.
  httplib::Headers two{{"Authorization", std::string("Bearer ") + kOpsToken},
                       {"Authorization", std::string("Bearer ") + kOpsToken}};
  error_of(h.client()->Post("/api/v1/kill-all", two, R"({"reason": "x"})", "application/json"),
           401);
  EXPECT_TRUE(h.control.changes().empty());
}

TEST_F(AdminServerTest, BearerSchemeIsCaseInsensitive) {
  httplib::Headers headers{{"Authorization", std::string("bEaReR   ") + kOpsToken}};
  auto r = h.client()->Post("/api/v1/sessions/LP2/logon", headers, R"({"reason": "x"})",
                            "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(AdminServerTest, ReadsAreOpenByDefaultEvenWithAWrongToken) {
  auto r = h.get("/api/v1/sessions", "not-a-token-at-all-000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(AdminServerReadsNeedToken, ReadsNeedTheTokenButHealthzDoesNot) {
  AdminHarness h;
  AdminServerOptions options;
  options.reads_need_token = true;
  ASSERT_TRUE(h.start(options));
  auto r = h.get("/api/v1/sessions");
  EXPECT_EQ(error_of(r, 401), "missing Authorization: Bearer <token>");
  EXPECT_FALSE(r->get_header_value("WWW-Authenticate").empty());
  error_of(h.get("/api/v1/sessions/LP1", "wrong-token-0123456789"), 403);
  r = h.get("/api/v1/sessions/LP1", kBotToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = h.get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // The refused reads never reached the control.
  EXPECT_EQ(h.control.calls().size(), 1u);
  EXPECT_TRUE(h.audit().empty());  // reads are not audited
}

TEST(AdminServerNoTokenFile, RefusesEveryChangeWith403ButServesReads) {
  AdminHarness h;
  ASSERT_TRUE(h.start({}, /*no_tokens=*/true));
  EXPECT_EQ(error_of(h.post("/api/v1/kill-all", R"({"reason": "x"})"), 403),
            "no admin token file configured");
  EXPECT_EQ(error_of(h.post("/api/v1/sessions/LP1/disable", R"({"reason": "x"})", ""), 403),
            "no admin token file configured");
  EXPECT_TRUE(h.control.changes().empty());
  EXPECT_EQ(h.audit().size(), 2u);
  auto r = h.get("/api/v1/sessions");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(AdminServerNoTokenFile, ReadsNeedTokenWithoutTokenFileFailsToStart) {
  AdminHarness h;
  AdminServerOptions options;
  options.reads_need_token = true;
  Status s = h.start(options, /*no_tokens=*/true);
  EXPECT_FALSE(s);
  EXPECT_NE(s.message().find("token file"), std::string::npos) << s.message();
}

TEST(AdminServerStart, TokenFileReadableByOthersIsRefused) {
  for (mode_t mode : {0644, 0640, 0604, 0620, 0602, 0660}) {
    AdminHarness h;
    h.write_tokens();
    ASSERT_EQ(::chmod(h.token_file_path().c_str(), mode), 0);
    AdminServerOptions options;
    options.token_file = h.token_file_path();
    Status s = h.start(options);
    EXPECT_FALSE(s) << std::oct << mode;
    EXPECT_NE(s.message().find("0600"), std::string::npos) << s.message();
    EXPECT_EQ(h.port(), 0);
  }
  AdminHarness h;  // 0400 is stricter than 0600: fine
  h.write_tokens();
  ASSERT_EQ(::chmod(h.token_file_path().c_str(), 0400), 0);
  AdminServerOptions options;
  options.token_file = h.token_file_path();
  EXPECT_TRUE(h.start(options));
}

TEST(AdminServerStart, MissingOrMalformedTokenFileIsRefused) {
  AdminHarness h;
  AdminServerOptions options;
  options.token_file = h.dir.path + "/absent";
  Status s = h.start(options);
  EXPECT_FALSE(s);
  EXPECT_NE(s.message().find("absent"), std::string::npos) << s.message();

  AdminHarness h2;
  write_file(h2.token_file_path(), std::string("ops:") + kOpsToken + "\njust-a-token-no-name\n",
             0600);
  options.token_file = h2.token_file_path();
  s = h2.start(options);
  EXPECT_FALSE(s);
  EXPECT_NE(s.message().find(":2:"), std::string::npos) << s.message();
}

TEST(AdminServerStart, PortInUseFailsToStart) {
  AdminHarness first;
  ASSERT_TRUE(first.start());
  AdminHarness second;
  AdminServerOptions options;
  options.port = first.port();
  Status s = second.start(options);
  EXPECT_FALSE(s);
  EXPECT_NE(s.message().find(std::to_string(first.port())), std::string::npos) << s.message();
}

TEST(AdminServerStart, UnwritableAuditLogFailsToStart) {
  AdminHarness h;
  AdminServerOptions options;
  options.audit_log_path = h.dir.path + "/no/such/folder/audit.log";
  Status s = h.start(options);
  EXPECT_FALSE(s);
  EXPECT_NE(s.message().find("audit log"), std::string::npos) << s.message();
}

TEST(AdminServerStart, AuditLogIsAppendedAcrossRestarts) {
  AdminHarness h;
  ASSERT_TRUE(h.start());
  ASSERT_TRUE(h.post("/api/v1/sessions/LP1/logon", R"({"reason": "one"})"));
  h.server->stop();
  ASSERT_TRUE(h.start());  // a new server, the same audit log
  ASSERT_TRUE(h.post("/api/v1/sessions/LP1/logon", R"({"reason": "two"})"));
  auto lines = h.audit_file_lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json::parse(lines[0])["reason"], "one");
  EXPECT_EQ(json::parse(lines[1])["reason"], "two");
  struct stat st {};
  ASSERT_EQ(::stat(h.audit_log_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);  // created private
}

TEST(AdminServerStart, StopIsIdempotentAndClosesThePort) {
  AdminHarness h;
  ASSERT_TRUE(h.start());
  uint16_t port = h.port();
  ASSERT_NE(port, 0);
  h.server->stop();
  h.server->stop();
  EXPECT_EQ(h.port(), 0);
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2, 0);
  EXPECT_FALSE(c.Get("/healthz"));
  Status again = h.server->start();  // once only
  EXPECT_FALSE(again);
}

TEST(AdminServerStart, StopRightAfterStartReturns) {
  for (int i = 0; i < 20; ++i) {
    AdminHarness h;
    ASSERT_TRUE(h.start());
    h.server->stop();  // must not hang: the accept loop is running when start() returns
  }
}

TEST(AdminServerStart, StopWaitsForARequestInProgress) {
  // A keep-alive client holds a connection open; stop() still returns (bounded by io_timeout).
  AdminHarness h;
  AdminServerOptions options;
  options.io_timeout = std::chrono::seconds(1);
  ASSERT_TRUE(h.start(options));
  httplib::Client c("127.0.0.1", h.port());
  c.set_keep_alive(true);
  auto r = c.Get("/healthz");
  ASSERT_TRUE(r);
  auto t0 = std::chrono::steady_clock::now();
  h.server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
}

TEST(AdminServerStart, OnLogHearsTheStart) {
  AdminHarness h;
  std::vector<std::string> lines;
  AdminServerOptions options;
  options.on_log = [&](std::string_view line) { lines.emplace_back(line); };
  ASSERT_TRUE(h.start(options));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(std::to_string(h.port())), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("2 token(s)"), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace fixgate::testing
