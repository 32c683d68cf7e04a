// `fixgate admin`: the real binary (a child process) against an AdminServer on a loopback port over
// an in-memory LpControl; and the client library's pieces (URL, token, table) directly.
#include "admin.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "../../tests/support/admin_harness.h"

namespace fixgate::cli {
namespace {

using fixgate::testing::AdminHarness;
using fixgate::testing::kBotToken;
using fixgate::testing::kOpsToken;
using nlohmann::json;

struct CliRun {
  int code = -1;
  std::string out;  // stdout
  std::string all;  // stdout, then stderr
};

// Runs `fixgate admin ARGS` once with FIXGATE_ADMIN_URL and FIXGATE_ADMIN_TOKEN unset unless `env`
// sets them ("NAME=value …", shell syntax).
CliRun run_admin(const std::string& args, const std::string& env = "") {
  fixgate::testing::TempDir dir("fixgate-admin-cli");
  const std::string err_path = dir.path + "/stderr";
  std::string cmd = "env -u FIXGATE_ADMIN_URL -u FIXGATE_ADMIN_TOKEN " + env + " " +
                    FIXGATE_CLI_PATH + " admin " + args + " 2>" + err_path;
  CliRun run;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[512];
  while (p && std::fgets(buf, sizeof buf, p)) run.out += buf;
  int status = p ? pclose(p) : -1;
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  run.all = run.out + std::string(std::istreambuf_iterator<char>(err), {});
  return run;
}

class AdminCliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h.start()); }
  std::string url() const { return "--url http://127.0.0.1:" + std::to_string(h.port()); }
  std::string with_token() const { return url() + " --token-file " + h.token_file_path(); }
  AdminHarness h;
};

TEST_F(AdminCliTest, ListPrintsATable) {
  CliRun r = run_admin(url() + " list");
  ASSERT_EQ(r.code, 0) << r.all;
  EXPECT_EQ(r.out,
            "PROVIDER  STATUS    STATE       HOST:PORT      SEQ OUT/IN  REASON\n"
            "LP1       active    active      10.0.0.1:9001  12/15\n"
            "LP2       error     connecting  10.0.0.2:9002  1/1         connection refused\n"
            "LP3       inactive  disabled    10.0.0.3:9003  0/0         disabled by ops\n");
}

TEST_F(AdminCliTest, ListJsonIsTheServersArray) {
  CliRun r = run_admin(url() + " --json list");
  ASSERT_EQ(r.code, 0) << r.all;
  json j = json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["provider"], "LP1");
  EXPECT_EQ(j[0]["status_changed_at"], "2024-05-01T12:00:00.123456789Z");
  // --json also after the command (options fall through to `admin`).
  CliRun after = run_admin("list --json " + url());
  ASSERT_EQ(after.code, 0) << after.all;
  EXPECT_EQ(json::parse(after.out), j);
}

TEST_F(AdminCliTest, ShowPrintsEveryField) {
  CliRun r = run_admin(url() + " show LP2");
  ASSERT_EQ(r.code, 0) << r.all;
  EXPECT_NE(r.out.find("provider:          LP2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("next_reconnect_at: 2024-05-01T12:01:00.000000000Z\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("last_sent_at:      -\n"), std::string::npos) << r.out;
}

TEST_F(AdminCliTest, DisableWithReasonReachesTheControlAsTheTokensName) {
  CliRun r = run_admin(with_token() + " disable LP1 --reason 'LP maintenance window'");
  ASSERT_EQ(r.code, 0) << r.all;
  EXPECT_EQ(r.out, "disable LP1: disable LP1: done\n");
  auto changes = h.control.changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].op, "disable");
  EXPECT_EQ(changes[0].provider, "LP1");
  EXPECT_EQ(changes[0].actor, "ops");  // the file's first token
  EXPECT_EQ(changes[0].reason, "LP maintenance window");
  EXPECT_EQ(h.audit().back().actor, "ops");
}

TEST_F(AdminCliTest, TokenNamePicksTheToken) {
  CliRun r = run_admin(with_token() + " --token-name bot enable LP3 --reason back");
  ASSERT_EQ(r.code, 0) << r.all;
  EXPECT_EQ(h.control.changes().back().actor, "bot");
  r = run_admin(with_token() + " --token-name nobody enable LP3 --reason back");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.all.find("no token named 'nobody'"), std::string::npos) << r.all;
}

TEST_F(AdminCliTest, TokenAndUrlFromTheEnvironment) {
  std::string env = "FIXGATE_ADMIN_URL=http://127.0.0.1:" + std::to_string(h.port()) +
                    " FIXGATE_ADMIN_TOKEN=" + kBotToken;
  CliRun r = run_admin("kill-all --reason 'market halt'", env);
  ASSERT_EQ(r.code, 0) << r.all;
  EXPECT_EQ(r.out, "kill-all: 3 LPs disabled\n");
  EXPECT_EQ(h.control.changes().back().op, "kill_all");
  EXPECT_EQ(h.control.changes().back().actor, "bot");
}

TEST_F(AdminCliTest, SequencesSendsTheNumbersAndForce) {
  CliRun r = run_admin(with_token() +
                       " sequences LP1 --next-sender 40 --next-target 41 --force --reason resync");
  ASSERT_EQ(r.code, 0) << r.all;
  auto c = h.control.changes().back();
  EXPECT_EQ(c.op, "set_sequences");
  EXPECT_EQ(c.next_sender, 40u);
  EXPECT_EQ(c.next_target, 41u);
  EXPECT_TRUE(c.force);
  // Without --force while LP1 is logged on: the server's 409 and exit code 1.
  r = run_admin(with_token() + " sequences LP1 --next-sender 50 --reason resync");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.all.find("HTTP 409: logged on: log out first, or force"), std::string::npos) << r.all;
}

TEST_F(AdminCliTest, UnknownLpExits1WithTheServersError) {
  CliRun r = run_admin(with_token() + " disable LP9 --reason x");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.all.find("HTTP 404: no LP named LP9"), std::string::npos) << r.all;
  r = run_admin(url() + " show LP9");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.all.find("HTTP 404: no LP named LP9"), std::string::npos) << r.all;
}

TEST_F(AdminCliTest, ChangeWithoutTokenExits1WithThe401) {
  CliRun r = run_admin(url() + " disable LP1 --reason x");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.all.find("HTTP 401: missing Authorization: Bearer <token>"), std::string::npos)
      << r.all;
  EXPECT_NE(r.all.find("FIXGATE_ADMIN_TOKEN"), std::string::npos) << r.all;  // the hint
  EXPECT_TRUE(h.control.changes().empty());
  r = run_admin(url() + " disable LP1 --reason x", "FIXGATE_ADMIN_TOKEN=wrong-token-0000000000");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.all.find("HTTP 403: token not accepted"), std::string::npos) << r.all;
}

TEST_F(AdminCliTest, BadCommandLinesExit2WithoutSendingAnything) {
  for (const std::string& args :
       {url() + " disable LP1",                     // no --reason
        url() + " disable --reason x",              // no provider
        url() + " disable ../kill-all --reason x",  // not a provider name
        url() + " sequences LP1 --reason x",        // no number
        url() + " sequences LP1 --next-sender 0 --reason x", url() + " explode LP1",
        url() + "",  // no such command, no command
        std::string("--url ftp://x:1 list"), std::string("--url http://127.0.0.1 list"),
        std::string("list"),                  // no URL at all
        url() + " --token-name ops list"}) {  // --token-name without --token-file
    CliRun r = run_admin(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.all;
    EXPECT_FALSE(r.all.empty()) << args;
  }
  EXPECT_TRUE(h.control.calls().empty());
}

TEST_F(AdminCliTest, TokenFileReadableByOthersIsRefused) {
  ASSERT_EQ(::chmod(h.token_file_path().c_str(), 0644), 0);
  CliRun r = run_admin(with_token() + " list");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.all.find("chmod 600"), std::string::npos) << r.all;
}

TEST(AdminCliNoServer, UnreachableServerExits1) {
  fixgate::testing::ReservedPort port;  // bound, never listening: connections are refused
  CliRun r = run_admin("--url http://127.0.0.1:" + std::to_string(port.port()) + " list");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.all.find("cannot reach"), std::string::npos) << r.all;
}

TEST(AdminClientTest, ParsesHttpUrls) {
  auto u = parse_admin_url("http://127.0.0.1:8089");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8089);
  u = parse_admin_url("http://[::1]:9/");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9);
  for (const char* bad :
       {"", "127.0.0.1:80", "https://h:443", "http://h", "http://h:0", "http://h:65536",
        "http://h:80/api", "http://u@h:80", "http://:80", "http://[::1]80", "http://h:8x"})
    EXPECT_FALSE(parse_admin_url(bad)) << bad;
}

TEST(AdminClientTest, TableShowsMissingFieldsAsDashesAndNeutralisesControlCharacters) {
  json sessions = json::parse(
      R"([{"provider": "LP1", "status_text": "error", "state": "x\u001b[2Jy", "host": "::1",
           "port": 5, "next_sender_seq": 2, "next_target_seq": 3, "status_reason": "a\nb"},
          {"provider": "LP2"}])");
  EXPECT_EQ(sessions_table(sessions),
            "PROVIDER  STATUS  STATE   HOST:PORT  SEQ OUT/IN  REASON\n"
            "LP1       error   x?[2Jy  [::1]:5    2/3         a?b\n"
            "LP2       -       -       -:-        -/-         -\n");
}

}  // namespace
}  // namespace fixgate::cli
