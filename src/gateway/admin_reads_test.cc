// The status page and its reads over real loopback HTTP against an in-memory LpControl: GET /,
// an LP's status events and availability, the audit trail, and its message log decoded (a real
// log file), with every query parameter checked.
#include <fstream>

#include "../../tests/support/admin_harness.h"
#include "admin_internal.h"
#include "fixgate/codec/encoder.h"
#include "fixgate/codec/tags.h"

namespace fixgate::testing {
namespace {

using gateway::AdminServerOptions;
using gateway::LpStatus;
using gateway::LpStatusEvent;
using gateway::SystemTime;
using nlohmann::json;
using namespace std::chrono_literals;

LpStatusEvent event(SystemTime at, uint64_t transition, LpStatus from, LpStatus to,
                    std::string reason = "") {
  LpStatusEvent e;
  e.at = at;
  e.transition = transition;
  e.old_status = from;
  e.new_status = to;
  e.state = to == LpStatus::kActive ? "active" : "disconnected";
  e.reason = std::move(reason);
  e.owner = "gw1:42";
  return e;
}

class AdminReadsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h.start()) << "start failed"; }
  AdminHarness h;
};

TEST_F(AdminReadsTest, TheStatusPageIsOneSelfContainedHtmlFile) {
  auto r = h.get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(r->get_header_value("Content-Security-Policy").find("connect-src 'self'"),
            std::string::npos);
  EXPECT_NE(r->body.find("<title>fixgate LP gateway</title>"), std::string::npos);
  EXPECT_NE(r->body.find("/sessions"), std::string::npos);  // it reads the JSON API
  EXPECT_NE(r->body.find("</html>"), std::string::npos);    // whole, not cut
  // Nothing from elsewhere: no CDN, no external script, style or font.
  for (const char* outside : {"src=\"http", "href=\"http", "url(http", "import "})
    EXPECT_EQ(r->body.find(outside), std::string::npos) << outside;
  EXPECT_TRUE(h.control.calls().empty());  // serving the page reads nothing
  EXPECT_EQ(error_of(h.post("/", R"({"reason": "x"})"), 405), "POST is not allowed here");
}

TEST(AdminReadsTokenTest, ThePageLoadsWithoutATokenWhenReadsNeedOneAndItsReadsDoNot) {
  AdminHarness h;
  AdminServerOptions o;
  o.reads_need_token = true;
  ASSERT_TRUE(h.start(o));
  auto page = h.get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  for (const char* path : {"/api/v1/sessions/LP1/events", "/api/v1/sessions/LP1/availability",
                           "/api/v1/sessions/LP1/messages", "/api/v1/audit"}) {
    error_of(h.get(path), 401);
    error_of(h.get(path, "not-the-token-0123456789"), 403);
    auto ok = h.get(path, kOpsToken);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << path << ": " << ok->body;
  }
}

TEST_F(AdminReadsTest, StatusEventsNewestFirstBoundedByLimit) {
  const SystemTime t0 = at(1714564800000000000);
  h.control.add_event("LP1", event(t0, 1, LpStatus::kInactive, LpStatus::kActive));
  h.control.add_event("LP1", event(t0 + 60s, 2, LpStatus::kActive, LpStatus::kError, "lost"));
  h.control.add_event("LP1", event(t0 + 90s, 3, LpStatus::kError, LpStatus::kActive));
  auto r = h.get("/api/v1/sessions/LP1/events?limit=2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  json events = json_of(r);
  ASSERT_TRUE(events.is_array());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["transition"], 3);
  EXPECT_EQ(events[0]["time"], "2024-05-01T12:01:30.000000000Z");
  EXPECT_EQ(events[1]["transition"], 2);
  EXPECT_EQ(events[1]["old_status"], 1);
  EXPECT_EQ(events[1]["status"], 2);
  EXPECT_EQ(events[1]["status_text"], "error");
  EXPECT_EQ(events[1]["reason"], "lost");
  EXPECT_EQ(events[1]["owner"], "gw1:42");
  EXPECT_EQ(json_of(h.get("/api/v1/sessions/LP1/events")).size(), 3u);  // default limit 50
  EXPECT_EQ(json_of(h.get("/api/v1/sessions/LP2/events")), json::array());
  EXPECT_NE(error_of(h.get("/api/v1/sessions/NOPE/events"), 404).find("NOPE"), std::string::npos);
}

TEST_F(AdminReadsTest, QueryParametersAreCheckedAndLimitsBounded) {
  for (const char* path :
       {"/api/v1/sessions/LP1/events?limit=0", "/api/v1/sessions/LP1/events?limit=501",
        "/api/v1/sessions/LP1/events?limit=-1", "/api/v1/sessions/LP1/events?limit=1e3",
        "/api/v1/sessions/LP1/events?limit=",
        "/api/v1/sessions/LP1/events?limit=99999999999999999999",
        "/api/v1/sessions/LP1/events?limit=1&limit=2", "/api/v1/sessions/LP1/events?lmit=1",
        "/api/v1/sessions/LP1/availability?window=1", "/api/v1/audit?limit=1000",
        "/api/v1/sessions/LP1/messages?heartbeats=2", "/api/v1/sessions/LP1/messages?before=-5",
        "/api/v1/sessions/LP1/messages?type=3%3D",
        "/api/v1/sessions/LP1/messages?type=", "/api/v1/sessions/LP1/messages?type=ABCDEFGHI",
        "/api/v1/sessions/LP1/messages?q=a%01b", "/api/v1/sessions/LP1/messages?limit=501"})
    error_of(h.get(path), 400);
  const std::string long_q(129, 'x');
  error_of(h.get("/api/v1/sessions/LP1/messages?q=" + long_q), 400);
  // A bad provider name is refused before anything is looked up.
  for (const char* path : {"/api/v1/sessions/%2e%2e/events", "/api/v1/sessions/a.b/messages",
                           "/api/v1/sessions/%4C%50%31/availability"})
    error_of(h.get(path), 400);
  EXPECT_TRUE(h.control.calls().empty());
  // At the bounds: accepted.
  EXPECT_EQ(h.get("/api/v1/sessions/LP1/events?limit=500")->status, 200);
  EXPECT_EQ(h.get("/api/v1/audit?limit=1")->status, 200);
}

TEST_F(AdminReadsTest, AvailabilityIsTheActiveShareOfTheLast24Hours) {
  const SystemTime now = std::chrono::system_clock::now();
  // Active since before the window, in error from 12 h to 6 h ago, active since.
  h.control.add_event("LP1", event(now - 30h, 1, LpStatus::kInactive, LpStatus::kActive));
  h.control.add_event("LP1", event(now - 12h, 2, LpStatus::kActive, LpStatus::kError, "lost"));
  h.control.add_event("LP1", event(now - 6h, 3, LpStatus::kError, LpStatus::kActive));
  h.control.add_event("LP1", event(now - 40h, 0, LpStatus::kInactive, LpStatus::kInactive));
  auto r = h.get("/api/v1/sessions/LP1/availability");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json a = json_of(r);
  EXPECT_EQ(a["window_seconds"], 86400.0);
  EXPECT_NEAR(a["active_fraction"].get<double>(), 0.75, 0.001) << a;
  EXPECT_NEAR(a["active_seconds"].get<double>(), 18 * 3600.0, 60) << a;
  EXPECT_NEAR(a["known_seconds"].get<double>(), 86400.0, 60) << a;
  EXPECT_EQ(a["truncated"], false);
  ASSERT_EQ(a["intervals"].size(), 3u) << a;
  EXPECT_EQ(a["intervals"][0]["status_text"], "active");
  EXPECT_EQ(a["intervals"][0]["from"], a["from"]);
  EXPECT_EQ(a["intervals"][1]["status_text"], "error");
  EXPECT_EQ(a["intervals"][2]["status_text"], "active");
  EXPECT_EQ(a["intervals"][2]["to"], a["to"]);
  EXPECT_NE(error_of(h.get("/api/v1/sessions/NOPE/availability"), 404).find("NOPE"),
            std::string::npos);
}

TEST(AdminAvailabilityTest, TimeBeforeTheFirstEventIsUnknownAndNeverActive) {
  const SystemTime now = at(1714564800000000000);
  json a = gateway::admin::availability_json(
      {event(now - 2h, 1, LpStatus::kInactive, LpStatus::kActive)}, now, 24h, false);
  EXPECT_NEAR(a["active_seconds"].get<double>(), 7200.0, 1e-6);
  EXPECT_NEAR(a["known_seconds"].get<double>(), 7200.0, 1e-6);
  EXPECT_NEAR(a["active_fraction"].get<double>(), 7200.0 / 86400, 1e-9);
  ASSERT_EQ(a["intervals"].size(), 2u);
  EXPECT_EQ(a["intervals"][0]["status"], -1);
  EXPECT_EQ(a["intervals"][0]["status_text"], "unknown");
  EXPECT_EQ(a["intervals"][1]["from"], "2024-05-01T10:00:00.000000000Z");
  // No event at all: all unknown.
  json none = gateway::admin::availability_json({}, now, 24h, false);
  EXPECT_EQ(none["active_seconds"], 0.0);
  ASSERT_EQ(none["intervals"].size(), 1u);
  EXPECT_EQ(none["intervals"][0]["status"], -1);
}

TEST_F(AdminReadsTest, TheAuditTrailNewestFirst) {
  for (int i = 1; i <= 3; ++i)
    h.control.add_audit({at(1714564800000000000 + i * 1000000000LL), "ops", "disable", "LP1",
                         "maintenance " + std::to_string(i), "ok", "127.0.0.1:5000"});
  json all = json_of(h.get("/api/v1/audit?limit=2"));
  ASSERT_EQ(all.size(), 2u) << all;
  EXPECT_EQ(all[0]["reason"], "maintenance 3");
  EXPECT_EQ(all[0]["time"], "2024-05-01T12:00:03.000000000Z");
  EXPECT_EQ(all[0]["actor"], "ops");
  EXPECT_EQ(all[0]["action"], "disable");
  EXPECT_EQ(all[0]["provider"], "LP1");
  EXPECT_EQ(all[0]["result"], "ok");
  EXPECT_EQ(all[0]["remote"], "127.0.0.1:5000");
  EXPECT_EQ(all[1]["reason"], "maintenance 2");
}

TEST_F(AdminReadsTest, AFailingDatabaseReadIs500WithWhy) {
  h.control.fail_reads_with("database is locked");
  EXPECT_NE(error_of(h.get("/api/v1/audit"), 500).find("database is locked"), std::string::npos);
  EXPECT_NE(error_of(h.get("/api/v1/sessions/LP1/events"), 500).find("database is locked"),
            std::string::npos);
}

// ---- the message log ----------------------------------------------------------------------------

// One whole FIX 4.4 message from `sender` to `target`.
std::string fix(const std::string& type, const std::string& sender, const std::string& target,
                int seq, std::vector<std::pair<Tag, std::string>> body = {}) {
  codec::Encoder enc;
  enc.begin("FIX.4.4", type)
      .field(tag::SenderCompID, sender)
      .field(tag::TargetCompID, target)
      .field(tag::MsgSeqNum, std::to_string(seq))
      .field(tag::SendingTime, "20240501-12:00:00.000");
  for (const auto& [tag, value] : body) enc.field(tag, value);
  return std::string(enc.finish());
}

class AdminMessagesTest : public AdminReadsTest {
 protected:
  // A log as FileLog writes it: out (DESK->LP1) and in (LP1->DESK).
  void write_log(const std::string& extra_tail = "") {
    std::ofstream out(path_, std::ios::trunc | std::ios::binary);
    auto line = [&](int second, const std::string& msg) {
      out << "20240501-12:00:0" << second << ".000001 : " << msg << "\n";
    };
    line(0, fix("A", "DESK", "LP1", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}}));
    line(1, fix("A", "LP1", "DESK", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}}));
    line(2, fix("0", "LP1", "DESK", 2));
    line(3, fix("D", "LP1", "DESK", 3,
                {{tag::ClOrdID, "ORD-7"},
                 {tag::Side, "1"},
                 {tag::Symbol, "EUR/USD"},
                 {tag::OrdType, "2"}}));
    line(4, fix("0", "DESK", "LP1", 2));
    out << extra_tail;  // e.g. a line being written
  }
  void SetUp() override {
    AdminReadsTest::SetUp();
    gateway::LpMessageLog log;
    log.path = path_;
    log.our_comp_id = "DESK";
    auto d = dict::Dictionary::load_file(std::string(FIXGATE_DICT_DIR) + "/FIX44.xml");
    ASSERT_TRUE(d) << d.error();
    log.dictionary = *d;
    h.control.set_message_log("LP1", log);
  }
  json page(const std::string& query = "") {
    auto r = h.get("/api/v1/sessions/LP1/messages" + query);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return json_of(r);
  }
  static std::vector<std::string> types(const json& p) {
    std::vector<std::string> out;
    for (const auto& m : p["messages"]) out.push_back(m["msg_type"]);
    return out;
  }
  const std::string path_ = h.dir.path + "/FIX.4.4-DESK-LP1.messages.current.log";
};

TEST_F(AdminMessagesTest, NewestFirstDecodedWithNamesHeartbeatsHidden) {
  write_log(
      "20240501-12:00:05.000001 : 8=FIX.4.4\x01"
      "9=5");  // still being written
  json p = page();
  EXPECT_EQ(p["log"], true);
  EXPECT_TRUE(p["next_before"].is_null());  // the whole file was read
  EXPECT_EQ(types(p), (std::vector<std::string>{"D", "A", "A"}));
  const json& order = p["messages"][0];
  EXPECT_EQ(order["msg_name"], "NewOrderSingle");
  EXPECT_EQ(order["direction"], "in");
  EXPECT_EQ(order["seq"], 3);
  EXPECT_EQ(order["time"], "20240501-12:00:03.000001");
  bool side = false, type = false;
  for (const json& f : order["fields"]) {
    if (f["tag"] == 54) {
      side = true;
      EXPECT_EQ(f["name"], "Side");
      EXPECT_EQ(f["value"], "1");
      EXPECT_EQ(f["enum_name"], "BUY");
    }
    if (f["tag"] == 35) {
      type = true;
      EXPECT_EQ(f["name"], "MsgType");
    }
  }
  EXPECT_TRUE(side && type) << order;
  const json& our_logon = p["messages"][2];
  EXPECT_EQ(our_logon["msg_name"], "Logon");
  EXPECT_EQ(our_logon["direction"], "out");
  EXPECT_EQ(our_logon["offset"], 0);

  EXPECT_EQ(types(page("?heartbeats=1")), (std::vector<std::string>{"0", "D", "0", "A", "A"}));
  EXPECT_EQ(types(page("?type=0")), (std::vector<std::string>{"0", "0"}));
  EXPECT_EQ(types(page("?type=A")), (std::vector<std::string>{"A", "A"}));
  EXPECT_EQ(types(page("?q=eur%2Fusd")), (std::vector<std::string>{"D"}));        // raw text
  EXPECT_EQ(types(page("?q=buy")), (std::vector<std::string>{"D"}));              // an enum's name
  EXPECT_EQ(types(page("?q=HeartBtInt")), (std::vector<std::string>{"A", "A"}));  // a field's
  EXPECT_TRUE(page("?q=nothing-like-it")["messages"].empty());
}

TEST_F(AdminMessagesTest, WithoutADictionaryTheSessionLevelNamesRemain) {
  write_log();
  gateway::LpMessageLog log;
  log.path = path_;
  log.our_comp_id = "DESK";
  h.control.set_message_log("LP1", log);
  json p = page();
  ASSERT_EQ(types(p), (std::vector<std::string>{"D", "A", "A"}));
  EXPECT_EQ(p["messages"][0]["msg_name"], "");  // an application message: no names
  EXPECT_EQ(p["messages"][1]["msg_name"], "Logon");
  bool named = false;
  for (const json& f : p["messages"][1]["fields"])
    named = named || (f["tag"] == 108 && f["name"] == "HeartBtInt");
  EXPECT_TRUE(named) << p["messages"][1];
}

TEST_F(AdminMessagesTest, PagesBackByOffset) {
  write_log();
  json first = page("?limit=2&heartbeats=1");
  EXPECT_EQ(types(first), (std::vector<std::string>{"0", "D"}));
  ASSERT_TRUE(first["next_before"].is_number()) << first;
  json second = page("?limit=2&heartbeats=1&before=" + first["next_before"].dump());
  EXPECT_EQ(types(second), (std::vector<std::string>{"0", "A"}));
  json third = page("?limit=2&heartbeats=1&before=" + second["next_before"].dump());
  EXPECT_EQ(types(third), (std::vector<std::string>{"A"}));
  EXPECT_EQ(third["messages"][0]["direction"], "out");
  EXPECT_TRUE(third["next_before"].is_null()) << third;  // the start of the file
}

TEST_F(AdminMessagesTest, AnAnswerReadsAtMostOneMebibyteAndPagesOnFromThere) {
  {
    std::ofstream out(path_, std::ios::trunc | std::ios::binary);
    out << "20240501-11:59:59.000000 : "
        << fix("A", "DESK", "LP1", 1, {{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}}) << "\n";
    const std::string hb = "20240501-12:00:00.000000 : " + fix("0", "LP1", "DESK", 2) + "\n";
    for (size_t written = 0; written < gateway::admin::kMaxLogBytesPerRead * 3 / 2;
         written += hb.size())
      out << hb;
  }
  json p = page();  // heartbeats hidden: the first mebibyte holds nothing to show
  EXPECT_TRUE(p["messages"].empty());
  ASSERT_TRUE(p["next_before"].is_number()) << p["next_before"];
  const uint64_t size = p["file_size"];
  EXPECT_LE(size - p["next_before"].get<uint64_t>(), gateway::admin::kMaxLogBytesPerRead);
  json older = page("?before=" + p["next_before"].dump());
  ASSERT_EQ(types(older), (std::vector<std::string>{"A"}));
  EXPECT_TRUE(older["next_before"].is_null());
}

TEST_F(AdminMessagesTest, LinesThatHoldNoMessageAreSkipped) {
  {
    std::ofstream out(path_, std::ios::trunc | std::ios::binary);
    out << "20240501-11:59:59.000000 : " << fix("A", "DESK", "LP1", 1) << "\n"
        << "\n"
        << "not a log line at all\n"
        << "20240501-12:00:00.000000 : 8=FIX.4.4\x01"
           "35\x01garbage\n"
        << std::string("\x00\xff\xfe\x01\x01=", 7) << "\n"
        << "20240501-12:00:00.000000 : " << std::string(70000, 'x') << "\n"
        << "20240501-12:00:01.000000 : " << fix("5", "LP1", "DESK", 2) << "\r\n";
  }
  json p = page();
  EXPECT_EQ(types(p), (std::vector<std::string>{"5", "A"}));
  EXPECT_EQ(p["messages"][0]["msg_name"], "Logout");
}

TEST_F(AdminMessagesTest, NoLogIsAnEmptyPageNotAnError) {
  json p = page();  // the file does not exist yet
  EXPECT_TRUE(p["messages"].empty());
  h.control.set_message_log("LP2", {});  // no FileLogPath
  json none = json_of(h.get("/api/v1/sessions/LP2/messages"));
  EXPECT_EQ(none["log"], false);
  EXPECT_TRUE(none["messages"].empty());
  error_of(h.get("/api/v1/sessions/NOPE/messages"), 404);
}

}  // namespace
}  // namespace fixgate::testing
