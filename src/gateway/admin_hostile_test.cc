// The admin API against hostile input: bad bodies, oversized bodies, path tricks in the LP name,
// unknown routes and methods, raw bytes no client library would send, and many clients at once.
// Whatever arrives, every answer is a well-formed JSON error and the control never sees a bad
// name.
#include <atomic>
#include <set>
#include <thread>

#include "../../tests/support/admin_harness.h"

namespace fixgate::testing {
namespace {

using gateway::AdminServerOptions;
using nlohmann::json;

class AdminHostileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h.start()) << "start failed"; }
  // A raw request with the ops token and "Connection: close".
  std::string raw(const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& extra_headers = "") {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" +
                      "Authorization: Bearer " + kOpsToken + "\r\nConnection: close\r\n" +
                      extra_headers;
    if (!body.empty() || method == "POST")
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    return raw_exchange(h.port(), req + "\r\n" + body);
  }
  AdminHarness h;
};

TEST_F(AdminHostileTest, BadJsonIs400) {
  for (const char* body :
       {"", "   ", "{", "{\"reason\": ", "reason=x", "{'reason': 'x'}",
        "{\"reason\": \"x\"} trailing", "\xff\xfe{}", "{\"reason\": \"\xc3\"}"}) {
    std::string message = error_of(h.post("/api/v1/sessions/LP1/disable", body), 400);
    EXPECT_FALSE(message.empty()) << body;
  }
  EXPECT_TRUE(h.control.changes().empty());
  EXPECT_EQ(h.audit().size(), 9u);
}

TEST_F(AdminHostileTest, JsonThatIsNotAnObjectIs400) {
  for (const char* body : {"[]", "[{\"reason\": \"x\"}]", "\"reason\"", "42", "null", "true"})
    EXPECT_NE(error_of(h.post("/api/v1/sessions/LP1/disable", body), 400).find("JSON object"),
              std::string::npos)
        << body;
  EXPECT_TRUE(h.control.changes().empty());
}

TEST_F(AdminHostileTest, MissingEmptyOrBadReasonIs400) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{}", "\"reason\" is required"},
      {R"({"why": "x"})", "\"reason\" is required"},
      {R"({"reason": ""})", "\"reason\" must not be empty"},
      {R"({"reason": "   "})", "\"reason\" must not be empty"},
      {R"({"reason": null})", "\"reason\" must be a string"},
      {R"({"reason": 5})", "\"reason\" must be a string"},
      {R"({"reason": ["x"]})", "\"reason\" must be a string"},
      {R"({"reason": {"a": 1}})", "\"reason\" must be a string"},
      {R"({"reason": "line\nbreak"})", "\"reason\" must not hold control characters"},
      {R"({"reason": "esc\u001b[31m"})", "\"reason\" must not hold control characters"},
      {R"({"reason": ")" + std::string(513, 'r') + "\"}", "\"reason\" is longer than 512 bytes"},
      {R"({"reason": "x", "provider": "LP2"})", "unknown field \"provider\""},
      {R"({"reason": "x", "next_sender": 3})", "unknown field \"next_sender\""},
  };
  for (const auto& [body, expected] : cases)
    EXPECT_EQ(error_of(h.post("/api/v1/sessions/LP1/disable", body), 400), expected) << body;
  EXPECT_TRUE(h.control.changes().empty());
  EXPECT_TRUE(h.control.get("LP1").enabled);
  // A reason of exactly 512 bytes is fine, and non-ASCII text too.
  auto r = h.post("/api/v1/sessions/LP1/disable",
                  R"({"reason": ")" + std::string(510, 'r') + "\xc3\xa9\"}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(AdminHostileTest, DeeplyNestedJsonIsRefusedWithoutCrashing) {
  std::string deep(30000, '[');
  error_of(h.post("/api/v1/sessions/LP1/disable", deep + std::string(30000, ']')), 400);
  error_of(h.post("/api/v1/sessions/LP1/disable", R"({"reason": "x", "a": )" + deep), 400);
  EXPECT_TRUE(h.control.changes().empty());
  auto r = h.get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(AdminHostileTest, HugeBodyIs413AndNeverReachesTheControl) {
  std::string huge = R"({"reason": ")" + std::string(70 * 1024, 'x') + "\"}";
  EXPECT_NE(error_of(h.post("/api/v1/sessions/LP1/disable", huge), 413).find("65536"),
            std::string::npos);
  error_of(h.post("/api/v1/kill-all", std::string(5 << 20, ' ')), 413);
  EXPECT_TRUE(h.control.calls().empty());
  ASSERT_EQ(h.audit().size(), 2u);  // audited, with who asked
  EXPECT_EQ(h.audit()[0].http_status, 413);
  EXPECT_EQ(h.audit()[0].actor, "ops");
  EXPECT_EQ(h.audit()[1].provider, "*");
  // Without a token, the huge body is refused as unauthenticated.
  error_of(h.post("/api/v1/kill-all", huge, ""), 401);
  EXPECT_TRUE(h.control.calls().empty());
}

TEST_F(AdminHostileTest, ChunkedBodyIs411AndNeverReachesTheControl) {
  std::string answer = raw_exchange(
      h.port(), std::string("POST /api/v1/kill-all HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") +
                    kOpsToken +
                    "\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "10\r\n{\"reason\": \"x\"}\r\n0\r\n\r\n");
  EXPECT_EQ(raw_status(answer), 411) << answer;
  EXPECT_NE(answer.find("Content-Length"), std::string::npos);
  EXPECT_TRUE(h.control.calls().empty());
  ASSERT_EQ(h.audit().size(), 1u);
  EXPECT_EQ(h.audit()[0].http_status, 411);
}

// Each hostile name, as a read and as a change: 400 or 404, a JSON error, the control untouched.
TEST_F(AdminHostileTest, HostileProviderNamesNeverReachTheControl) {
  const std::vector<std::string> names = {"..",
                                          "%2e%2e",
                                          "%2E%2E",
                                          ".",
                                          "%2F",
                                          "a%2Fb",
                                          "..%2F..%2Fetc",
                                          "%00",
                                          "LP1%00",
                                          "LP1%00.json",
                                          "%252e%252e",
                                          "LP%31",
                                          "LP1%20",
                                          "LP+1",
                                          "LP1;x",
                                          "LP1.json",
                                          "~root",
                                          "%C3%A9",
                                          "L%C3%A9P",
                                          "%E2%80%AE1PL",
                                          "%EF%BC%8E%EF%BC%8E",
                                          std::string(65, 'A'),
                                          std::string(5000, 'B'),
                                          "*",
                                          "LP1'--",
                                          "%u002e%u002e",
                                          "LP1%0d%0aX-Injected:%201"};
  httplib::Client c("127.0.0.1", h.port());
  c.set_url_encode(false);  // the bytes as written above
  httplib::Headers auth{{"Authorization", std::string("Bearer ") + kOpsToken}};
  for (const auto& name : names) {
    auto r = c.Get(("/api/v1/sessions/" + name).c_str(), auth);
    ASSERT_TRUE(r) << name;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << name << ": " << r->status;
    error_of(r, r->status);
    r = c.Post(("/api/v1/sessions/" + name + "/disable").c_str(), auth, R"({"reason": "x"})",
               "application/json");
    ASSERT_TRUE(r) << name;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << name << ": " << r->status;
    error_of(r, r->status);
  }
  EXPECT_TRUE(h.control.calls().empty());
  for (const auto& e : h.audit()) {
    EXPECT_EQ(e.http_status, 400);
    EXPECT_LE(e.provider.size(), 80u);
  }
  for (const auto& line : h.audit_file_lines()) EXPECT_FALSE(json::parse(line).is_discarded());
}

TEST_F(AdminHostileTest, PathTraversalToAnotherRouteIsRefused) {
  // A client that does not normalise dot segments: the server must not either.
  httplib::Client c("127.0.0.1", h.port());
  c.set_url_encode(false);
  httplib::Headers auth{{"Authorization", std::string("Bearer ") + kOpsToken}};
  for (const char* target :
       {"/api/v1/sessions/../kill-all", "/api/v1/sessions/LP1/../../kill-all",
        "/api/v1/sessions/%2e%2e/kill-all", "/api/v1/sessions/LP1/%2e%2e/disable",
        "/api/v1/./kill-all", "/api/v1/kill-all/.", "/api/v1/kill%2Dall"}) {
    auto r = c.Post(target, auth, R"({"reason": "x"})", "application/json");
    ASSERT_TRUE(r) << target;
    EXPECT_TRUE(r->status == 400 || r->status == 404) << target << ": " << r->status;
    error_of(r, r->status);
  }
  EXPECT_TRUE(h.control.calls().empty());
  for (const char* lp : {"LP1", "LP2"}) EXPECT_TRUE(h.control.get(lp).enabled);
}

TEST_F(AdminHostileTest, RawUnicodeAndNulBytesInTheTargetAreRefused) {
  for (const std::string& name :
       {std::string("L\xc3\xa9P"), std::string("LP1\xff"), std::string("LP1\0x", 5),
        std::string("\xe2\x80\xae"), std::string("LP1\x7f"), std::string("LP1\x01")}) {
    for (const auto& [method, target] :
         {std::pair<std::string, std::string>{"GET", "/api/v1/sessions/" + name},
          std::pair<std::string, std::string>{"POST", "/api/v1/sessions/" + name + "/disable"}}) {
      std::string answer = raw(method, target, method == "POST" ? R"({"reason": "x"})" : "");
      int status = raw_status(answer);
      EXPECT_TRUE(status == 400 || status == 404) << method << " " << target << ": " << answer;
      EXPECT_NE(answer.find("{\"error\":"), std::string::npos) << answer;
    }
  }
  EXPECT_TRUE(h.control.calls().empty());
}

TEST_F(AdminHostileTest, VeryLongTargetIsRefused) {
  std::string answer =
      raw("POST", "/api/v1/sessions/" + std::string(20000, 'A') + "/disable", R"({"reason": "x"})");
  EXPECT_EQ(raw_status(answer), 414) << answer.substr(0, 200);
  EXPECT_NE(answer.find("{\"error\":"), std::string::npos);
  EXPECT_TRUE(h.control.calls().empty());
}

TEST_F(AdminHostileTest, UnknownRoutesAre404) {
  for (const char* path : {"/api", "/api/v1", "/api/v2/sessions", "/api/v1/nope",
                           "/api/v1/sessions/", "/api/v1/sessions//disable", "//api/v1/sessions",
                           "/api/v1/sessions/LP1/explode", "/api/v1/sessions/LP1/disable/now",
                           "/API/V1/SESSIONS", "/healthz/", "/index.html", "/.env"}) {
    error_of(h.get(path), 404);
    error_of(h.post(path, R"({"reason": "x"})"), 404);
  }
  EXPECT_TRUE(h.control.calls().empty());
  EXPECT_TRUE(h.audit().empty());
}

TEST_F(AdminHostileTest, WrongMethodsAre405WithAllow) {
  auto c = h.client();
  httplib::Headers auth{{"Authorization", std::string("Bearer ") + kOpsToken}};
  auto r = c->Delete("/api/v1/sessions/LP1", auth);
  EXPECT_NE(error_of(r, 405).find("DELETE"), std::string::npos);
  EXPECT_EQ(r->get_header_value("Allow"), "GET, HEAD");
  r = c->Get("/api/v1/sessions/LP1/disable", auth);
  error_of(r, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  r = c->Put("/api/v1/kill-all", auth, R"({"reason": "x"})", "application/json");
  error_of(r, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
  error_of(c->Post("/api/v1/sessions", auth, R"({"reason": "x"})", "application/json"), 405);
  error_of(c->Patch("/api/v1/sessions/LP1/enable", auth, R"({"reason": "x"})", "application/json"),
           405);
  error_of(c->Options("/api/v1/kill-all", auth), 405);
  error_of(c->Post("/healthz", auth, "", "application/json"), 405);
  EXPECT_TRUE(h.control.calls().empty());
  // HEAD is a GET without the body.
  r = c->Head("/api/v1/sessions/LP1", auth);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(AdminHostileTest, GarbageRequestLinesGetAJsonError) {
  for (const std::string& request :
       {std::string("FOO /api/v1/kill-all HTTP/1.1\r\nHost: x\r\n\r\n"), std::string("GET\r\n\r\n"),
        std::string("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n"),
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)}) {
    std::string answer = raw_exchange(h.port(), request);
    if (answer.empty()) continue;  // closing without an answer is fine too
    EXPECT_EQ(raw_status(answer) / 100, 4) << answer;
  }
  EXPECT_TRUE(h.control.calls().empty());
  auto r = h.get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// A refused request's body is consumed, never parsed as a request of its own. Here each body
// carries a complete, authorised kill-all placed where httplib would look for the next request if
// the body were left unread: right after the first read buffer (4096 bytes), since httplib 0.11
// drops what it buffered beyond a request it answered and reads on from the socket.
TEST(AdminSmugglingTest, BodyOfARefusedRequestIsNeverRunAsARequest) {
  AdminHarness h;
  AdminServerOptions options;
  options.io_timeout = std::chrono::seconds(1);  // how long an idle connection is kept
  ASSERT_TRUE(h.start(options));
  const std::string smuggled =
      std::string("POST /api/v1/kill-all HTTP/1.1\r\nHost: x\r\n") + "Authorization: Bearer " +
      kOpsToken + "\r\nConnection: close\r\nContent-Length: 16\r\n\r\n" + "{\"reason\": \"x\"}";
  auto carrier = [&](const std::string& method, const std::string& target, bool auth) {
    std::string head = method + " " + target + " HTTP/1.1\r\nHost: x\r\n" +
                       (auth ? std::string("Authorization: Bearer ") + kOpsToken + "\r\n" : "") +
                       "Content-Length: 0000\r\n\r\n";
    std::string body = std::string(4096 - head.size(), ' ') + smuggled;
    std::string length = std::to_string(body.size());
    head.replace(head.find("0000"), 4, std::string(4 - length.size(), '0') + length);
    return head + body;
  };
  const std::vector<std::pair<std::string, int>> cases = {
      {carrier("POST", "/api/v1/sessions/LP1/disable", false), 401},    // unauthenticated
      {carrier("POST", "/api/v1/sessions/%2e%2e/disable", true), 400},  // bad name
      {carrier("POST", "/api/v1/sessions/" + std::string(400, 'A') + "/disable", true), 400},
      {carrier("POST", "/api/v1/nowhere", true), 404},
      {carrier("PUT", "/api/v1/kill-all", true), 405},
      {carrier("DELETE", "/api/v1/sessions/LP1", true), 405},
      {carrier("POST", "/api/v1/sessions/LP1/disable", true), 400},  // the body is no JSON
  };
  for (const auto& [request, status] : cases) {
    ASSERT_EQ(request.find("POST /api/v1/kill-all"), 4096u);
    std::string answer = raw_exchange(h.port(), request, /*until_close=*/true);
    EXPECT_EQ(raw_status(answer), status) << answer.substr(0, 300);
    EXPECT_EQ(answer.find("HTTP/1.1 ", 1), std::string::npos) << answer;  // one answer only
  }
  EXPECT_TRUE(h.control.changes().empty());
  for (const char* lp : {"LP1", "LP2"}) EXPECT_TRUE(h.control.get(lp).enabled);
}

TEST_F(AdminHostileTest, ReadWithABodyIsStillAnsweredAsARead) {
  std::string answer = raw("GET", "/api/v1/sessions/LP1", "ignored body");
  EXPECT_EQ(raw_status(answer), 200) << answer;
  EXPECT_NE(answer.find("\"provider\":\"LP1\""), std::string::npos) << answer;
}

TEST_F(AdminHostileTest, ConcurrentDisableAndEnableOfOneLpAreEachAppliedOnceAndAudited) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string action = (t + i) % 2 ? "enable" : "disable";
        std::string reason = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto r = h.post("/api/v1/sessions/LP2/" + action, R"({"reason": ")" + reason + "\"}",
                        t % 2 ? kOpsToken : kBotToken);
        auto j = r ? json::parse(r->body, nullptr, false) : json();
        bool good =
            r && r->status == 200 && j.is_object() && j["result"] == "ok" && j["action"] == action;
        (good ? ok : bad)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  constexpr size_t kTotal = kThreads * kPerThread;
  EXPECT_EQ(ok.load(), static_cast<int>(kTotal));
  EXPECT_EQ(bad.load(), 0);
  auto changes = h.control.changes();
  ASSERT_EQ(changes.size(), kTotal);
  std::set<std::string> reasons;
  for (const auto& c : changes) {
    EXPECT_EQ(c.provider, "LP2");
    reasons.insert(c.reason);
  }
  EXPECT_EQ(reasons.size(), kTotal);  // each request exactly once
  EXPECT_EQ(h.audit().size(), kTotal);
  auto lines = h.audit_file_lines();
  ASSERT_EQ(lines.size(), kTotal);
  std::set<std::string> audited;
  for (const auto& line : lines) {
    json j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    audited.insert(j["reason"].get<std::string>());
  }
  EXPECT_EQ(audited, reasons);
}

}  // namespace
}  // namespace fixgate::testing
