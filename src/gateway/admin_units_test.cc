// The admin API's pure parts: routes, names, bearer headers, token comparison, the token file,
// times and audit lines.
#include <gtest/gtest.h>

#include "../../tests/support/admin_harness.h"
#include "admin_internal.h"

namespace fixgate::gateway::admin {
namespace {

using fixgate::testing::TempDir;
using fixgate::testing::write_file;

TEST(AdminRouteTest, MatchesEveryRouteOnTheRawTarget) {
  EXPECT_EQ(match_route("/healthz").kind, Route::Kind::kHealthz);
  EXPECT_EQ(match_route("/api/v1/sessions").kind, Route::Kind::kList);
  EXPECT_EQ(match_route("/api/v1/sessions?verbose=1").kind, Route::Kind::kList);
  Route show = match_route("/api/v1/sessions/LP1");
  EXPECT_EQ(show.kind, Route::Kind::kShow);
  EXPECT_EQ(show.provider, "LP1");
  Route seq = match_route("/api/v1/sessions/LP_2-x/sequences");
  EXPECT_EQ(seq.kind, Route::Kind::kChange);
  EXPECT_EQ(seq.action, Action::kSequences);
  EXPECT_EQ(seq.provider, "LP_2-x");
  EXPECT_EQ(match_route("/api/v1/sessions/LP1/test-request").action, Action::kTestRequest);
  EXPECT_EQ(match_route("/api/v1/kill-all").kind, Route::Kind::kKillAll);
  // The raw segment, undecoded, is what the name check sees.
  EXPECT_EQ(match_route("/api/v1/sessions/%2e%2e/disable").provider, "%2e%2e");
  EXPECT_EQ(match_route("/").kind, Route::Kind::kPage);
  EXPECT_EQ(match_route("/?x=1").kind, Route::Kind::kPage);
  Route events = match_route("/api/v1/sessions/LP1/events?limit=3");
  EXPECT_EQ(events.kind, Route::Kind::kEvents);
  EXPECT_EQ(events.provider, "LP1");
  EXPECT_EQ(match_route("/api/v1/sessions/LP1/availability").kind, Route::Kind::kAvailability);
  EXPECT_EQ(match_route("/api/v1/sessions/LP1/messages").kind, Route::Kind::kMessages);
  EXPECT_EQ(match_route("/api/v1/audit").kind, Route::Kind::kAudit);
  for (const char* t :
       {"", "healthz", "//", "/index.html", "/api/v1/audit/x", "/api/v1/sessions/LP1/events/x",
        "/api/v1/sessions/", "/api/v1//sessions", "/api/v1/sessions/LP1/disable/x",
        "/api/v1/sessions/LP1/Disable", "/api/v1/kill-all/x", "/api/v1/sessions/a/b/c/d/e/f/g"})
    EXPECT_EQ(match_route(t).kind, Route::Kind::kUnknown) << t;
}

TEST(AdminRouteTest, ActionNamesAreThePathSegments) {
  EXPECT_EQ(action_name(Action::kResetSequences), "reset-sequences");
  EXPECT_EQ(action_name(Action::kKillAll), "kill-all");
  EXPECT_EQ(action_name(Action::kDisable), "disable");
}

TEST(AdminRouteTest, ProviderNamesAreAsciiWordsUpTo64) {
  EXPECT_TRUE(valid_provider("LP1"));
  EXPECT_TRUE(valid_provider("a-b_C-9"));
  EXPECT_TRUE(valid_provider(std::string(64, 'x')));
  for (const std::string& bad :
       {std::string(), std::string(65, 'x'), std::string(".."), std::string("a.b"),
        std::string("a/b"), std::string("%2F"), std::string("a b"), std::string("\xc3\xa9"),
        std::string("a\0b", 3)})
    EXPECT_FALSE(valid_provider(bad)) << bad;
}

TEST(AdminBearerTest, ParsesTheBearerSchemeStrictly) {
  auto b = parse_bearer("Bearer abc.DEF_12-3~+/==", true);
  EXPECT_EQ(b.kind, Bearer::Kind::kToken);
  EXPECT_EQ(b.token, "abc.DEF_12-3~+/==");
  EXPECT_EQ(parse_bearer("BEARER  tok", true).token, "tok");
  EXPECT_EQ(parse_bearer("", false).kind, Bearer::Kind::kMissing);
  for (const char* bad :
       {"", "Bearer", "Bearer ", "Bearertok", "Bearer tok en", "Bearer tok ", "Bearer =tok",
        "Bearer t=k", "Bearer \"tok\"", "Basic dG9r", "Bearer\ttok", "Bearer tök"})
    EXPECT_EQ(parse_bearer(bad, true).kind, Bearer::Kind::kMalformed) << bad;
}

TEST(AdminBearerTest, ComparesTokensWhole) {
  EXPECT_TRUE(tokens_equal("secret-token", "secret-token"));
  EXPECT_FALSE(tokens_equal("secret-toke", "secret-token"));
  EXPECT_FALSE(tokens_equal("secret-token!", "secret-token"));
  EXPECT_FALSE(tokens_equal("secret-tokenX", "secret-token"));
  EXPECT_FALSE(tokens_equal("", "secret-token"));
  EXPECT_FALSE(tokens_equal("", ""));
  // A token repeating the stored one cyclically is still a different length.
  EXPECT_FALSE(tokens_equal("abcabc", "abc"));
  std::vector<AdminToken> tokens{{"ops", "aaaaaaaaaaaaaaaa"}, {"bot", "bbbbbbbbbbbbbbbb"}};
  EXPECT_EQ(token_owner(tokens, "bbbbbbbbbbbbbbbb"), "bot");
  EXPECT_EQ(token_owner(tokens, "cccccccccccccccc"), std::nullopt);
}

class AdminTokenFileTest : public ::testing::Test {
 protected:
  Result<std::vector<AdminToken>> read(const std::string& text, mode_t mode = 0600) {
    write_file(path_, text, mode);
    return read_admin_tokens(path_);
  }
  TempDir dir_{"fixgate-admin-tokens"};
  std::string path_ = dir_.path + "/tokens";
};

TEST_F(AdminTokenFileTest, ReadsNamesAndTokensSkippingCommentsAndBlankLines) {
  auto t = read(
      "# ops team\n\n  ops : 0123456789abcdef0123 \r\n\t# bot\nci-bot@host:ZZZZZZZZZZZZZZZZ==\n");
  ASSERT_TRUE(t) << t.error();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].name, "ops");
  EXPECT_EQ((*t)[0].token, "0123456789abcdef0123");
  EXPECT_EQ((*t)[1].name, "ci-bot@host");
  EXPECT_EQ((*t)[1].token, "ZZZZZZZZZZZZZZZZ==");
}

TEST_F(AdminTokenFileTest, RefusesAFileOthersOrTheGroupCanReadOrWrite) {
  for (mode_t mode : {0644, 0640, 0604, 0660, 0606, 0622, 0666, 0610}) {
    auto t = read("ops:0123456789abcdef\n", mode);
    EXPECT_FALSE(t) << std::oct << mode;
    EXPECT_NE(t.error().find("chmod 600"), std::string::npos) << t.error();
  }
  EXPECT_TRUE(read("ops:0123456789abcdef\n", 0600));
  EXPECT_TRUE(read("ops:0123456789abcdef\n", 0400));
}

TEST_F(AdminTokenFileTest, RefusesMalformedLinesWithTheLineNumber) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ops:0123456789abcdef\nno colon here\n", ":2: expected name:token"},
      {":0123456789abcdef\n", ":1: the name"},
      {"o p s:0123456789abcdef\n", ":1: the name"},
      {"ops:short\n", ":1: the token must be 16 to 512"},
      {"ops:\n", ":1: the token must be 16 to 512"},
      {"ops:0123456789abcdef with space\n", ":1: the token may hold only"},
      {"ops:0123456789ab:cdef\n", ":1: the token may hold only"},
      {"ops:0123456789abcdef\nops:fedcba9876543210\n", ":2: the name 'ops' is used twice"},
      {"ops:0123456789abcdef\nbot:0123456789abcdef\n", ":2: the same token"},
      {"# nothing\n\n", "no name:token line"},
      {"", "no name:token line"},
  };
  for (const auto& [text, expected] : cases) {
    auto t = read(text);
    ASSERT_FALSE(t) << text;
    EXPECT_NE(t.error().find(expected), std::string::npos) << text << " -> " << t.error();
  }
}

TEST_F(AdminTokenFileTest, RefusesAMissingFileOrADirectory) {
  auto t = read_admin_tokens(dir_.path + "/absent");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().find("No such file"), std::string::npos) << t.error();
  ASSERT_EQ(::chmod(dir_.path.c_str(), 0700), 0);
  t = read_admin_tokens(dir_.path);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().find("not a regular file"), std::string::npos) << t.error();
}

TEST(AdminJsonTest, FormatsRfc3339InUtcWithNanoseconds) {
  EXPECT_EQ(rfc3339(fixgate::testing::at(0)), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(rfc3339(fixgate::testing::at(1714564800123456789)), "2024-05-01T12:00:00.123456789Z");
  EXPECT_EQ(rfc3339(fixgate::testing::at(-1)), "1969-12-31T23:59:59.999999999Z");
}

TEST(AdminJsonTest, AuditLineIsOneJsonObjectEvenForHostileText) {
  AuditEntry e;
  e.time = fixgate::testing::at(1714564800000000000);
  e.actor = "ops";
  e.action = "disable";
  e.provider = "LP\xff\n1";
  e.reason = "a \"quoted\"\nreason";
  e.http_status = 400;
  e.message = "bad";
  e.remote = "127.0.0.1:1";
  std::string line = audit_json_line(e);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["time"], "2024-05-01T12:00:00.000000000Z");
  EXPECT_EQ(j["result"], "bad_request");
  EXPECT_EQ(j["status"], 400);
  EXPECT_EQ(j["reason"], "a \"quoted\"\nreason");
  EXPECT_EQ(j["provider"], "LP\xef\xbf\xbd\n1");  // the invalid byte became U+FFFD
}

TEST(AdminJsonTest, ClipCutsAtACharacterBoundary) {
  EXPECT_EQ(clip("abc", 5), "abc");
  EXPECT_EQ(clip("abcdef", 3), "abc");
  EXPECT_EQ(clip("a\xc3\xa9z", 2), "a");  // not half of the é
  EXPECT_EQ(clip("a\xc3\xa9z", 3), "a\xc3\xa9");
}

}  // namespace
}  // namespace fixgate::gateway::admin
