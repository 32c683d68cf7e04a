// The status page's reads from the real LP supervisor, on SQLite and PostgreSQL: an LP's status
// history (newest first, and from a point in time), the audit trail with its times, and where its
// messages are logged, read back through the admin server's decoder.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../../src/gateway/admin_internal.h"
#include "../interop/quickfix_peer.h"
#include "../support/nats_client.h"
#include "fixgate/gateway/lp_supervisor.h"
#include "lp_rows.h"
#include "test_database.h"

namespace fixgate::gateway {
namespace {

using namespace std::chrono_literals;
using testing::PeerOptions;
using testing::QuickFixPeer;

class LpReadsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    database_.open(GetParam(), dir_.path);
    if (HasFatalFailure()) return;
    db_ = database_.db.get();
  }
  void TearDown() override {
    if (sup_) sup_->stop(5s);
  }
  LpRow row(const std::string& provider, uint16_t port) {
    LpRow r = testing::lp_test_row(
        provider, port, 5,
        R"({"ReconnectInterval": 1, "FileLogPath": ")" + dir_.path + R"(/logs"})");
    r.data_dictionary = testing::dict_path("FIX44.xml");
    return r;
  }
  static PeerOptions lp_peer(const std::string& comp_id) {
    PeerOptions o;
    o.acceptor = true;
    o.sender = comp_id;
    o.target = "FG";
    o.trace = "admin";
    return o;
  }
  void start_supervisor() {
    LpSupervisorOptions o;
    o.database_url = database_.url;
    o.poll_interval = 200ms;
    o.logout_timeout = 3s;
    auto s = LpSupervisor::start(std::move(o));
    ASSERT_TRUE(s) << s.error();
    sup_ = std::move(*s);
  }
  bool await_status(const std::string& provider, LpStatus status) {
    return testing::await([&] {
      auto v = sup_->find(provider);
      return v && v->status == status;
    });
  }

  testing::TempDir dir_{"lp-reads"};
  TestDatabase database_;
  SessionsDb* db_ = nullptr;
  std::unique_ptr<LpSupervisor> sup_;
};

TEST_P(LpReadsTest, StatusHistoryNewestFirstAndFromAPointInTime) {
  QuickFixPeer a(lp_peer("LPA"));
  ASSERT_TRUE(db_->upsert(row("LPA", a.port())));
  start_supervisor();
  ASSERT_TRUE(await_status("LPA", LpStatus::kActive));
  const SystemTime between = std::chrono::system_clock::now();
  ASSERT_TRUE(sup_->disable("LPA", {"ops", "maintenance"}).ok());
  ASSERT_TRUE(await_status("LPA", LpStatus::kInactive));
  // The transition is written before the view changes: both are there now.
  auto all = sup_->status_events("LPA", 10, std::nullopt);
  ASSERT_TRUE(all) << all.error();
  ASSERT_EQ(all->size(), 2u);
  const LpStatusEvent& off = (*all)[0];
  EXPECT_EQ(off.old_status, LpStatus::kActive);
  EXPECT_EQ(off.new_status, LpStatus::kInactive);
  EXPECT_EQ(off.transition, 2u);
  EXPECT_NE(off.reason.find("maintenance"), std::string::npos) << off.reason;
  EXPECT_FALSE(off.owner.empty());
  EXPECT_EQ((*all)[1].new_status, LpStatus::kActive);
  EXPECT_EQ((*all)[1].transition, 1u);
  // Times come back as written (microseconds at least, whatever the database).
  EXPECT_LE((*all)[1].at, between);
  EXPECT_GE(off.at, between);
  EXPECT_LT(std::chrono::system_clock::now() - off.at, 60s);
  auto one = sup_->status_events("LPA", 1, std::nullopt);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].transition, 2u);
  // Since `between`: the disable, and the activation in force at `between`.
  auto since = sup_->status_events("LPA", 10, between);
  ASSERT_TRUE(since);
  ASSERT_EQ(since->size(), 2u);
  EXPECT_EQ((*since)[0].transition, 2u);
  EXPECT_EQ((*since)[1].transition, 1u);
  // From after both: only the one in force.
  auto later = sup_->status_events("LPA", 10, std::chrono::system_clock::now() + 1h);
  ASSERT_TRUE(later);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].transition, 2u);
  // Availability over those: about all the time since the first event was active.
  auto events = sup_->status_events("LPA", 100, std::chrono::system_clock::now() - 24h);
  ASSERT_TRUE(events);
  nlohmann::json avail =
      admin::availability_json(*events, std::chrono::system_clock::now(), 24h, false);
  EXPECT_GT(avail["active_seconds"].get<double>(), 0.0) << avail;
  EXPECT_LT(avail["active_seconds"].get<double>(), 60.0) << avail;
  auto none = sup_->status_events("NOPE", 10, std::nullopt);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(LpReadsTest, TheAuditTrailWithItsTimesNewestFirst) {
  start_supervisor();
  const SystemTime t0 = std::chrono::system_clock::now();
  sup_->add_audit({t0, "ops", "disable", "LPA", "first", "ok", "127.0.0.1:1"});
  sup_->add_audit({t0 + 1s, "bot", "enable", "LPA", "second", "forbidden", "127.0.0.1:2"});
  auto audit = sup_->audit_log(10);
  ASSERT_TRUE(audit) << audit.error();  // queued after both writes on the same thread
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].reason, "second");
  EXPECT_EQ((*audit)[0].actor, "bot");
  EXPECT_EQ((*audit)[0].result, "forbidden");
  EXPECT_LT(std::chrono::abs((*audit)[0].at - (t0 + 1s)), 1ms);
  EXPECT_EQ((*audit)[1].reason, "first");
  EXPECT_LT(std::chrono::abs((*audit)[1].at - t0), 1ms);
  auto last = sup_->audit_log(1);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->size(), 1u);
}

TEST_P(LpReadsTest, TheMessageLogIsTheLpsOwnAndDecodesWithItsDictionary) {
  QuickFixPeer a(lp_peer("LPA"));
  ASSERT_TRUE(db_->upsert(row("LPA", a.port())));
  LpRow quiet = row("OFF", 9);
  quiet.enabled = false;
  ASSERT_TRUE(db_->upsert(quiet));
  start_supervisor();
  ASSERT_TRUE(await_status("LPA", LpStatus::kActive));
  ASSERT_TRUE(sup_->test_request("LPA", {"ops", "ping"}).ok());
  EXPECT_FALSE(a.await("IN 35=1").empty());
  auto log = sup_->message_log("LPA");
  ASSERT_TRUE(log);
  EXPECT_EQ(log->path, dir_.path + "/logs/LPA/FIX.4.4-FG-LPA.messages.current.log");
  EXPECT_EQ(log->our_comp_id, "FG");
  ASSERT_NE(log->dictionary, nullptr);  // the row's data_dictionary
  EXPECT_FALSE(sup_->message_log("NOPE"));
  admin::MessageQuery q;
  q.limit = 10;
  nlohmann::json page;
  // The log is flushed as the session writes; the TestRequest's answer arrives soon after.
  ASSERT_TRUE(testing::await([&] {
    auto p = admin::read_messages(*log, q);
    if (!p) return false;
    page = *p;
    bool test_request = false, logon_in = false;
    for (const auto& m : page["messages"]) {
      test_request = test_request || (m["msg_type"] == "1" && m["direction"] == "out");
      logon_in = logon_in || (m["msg_name"] == "Logon" && m["direction"] == "in");
    }
    return test_request && logon_in;
  })) << page.dump(1);
  for (const auto& m : page["messages"]) EXPECT_NE(m["msg_type"], "0") << "a Heartbeat shown";
  const auto& newest_logon = *std::find_if(page["messages"].begin(), page["messages"].end(),
                                           [](const auto& m) { return m["msg_type"] == "A"; });
  bool heartbeat_named = false;
  for (const auto& f : newest_logon["fields"])
    heartbeat_named = heartbeat_named || (f["tag"] == 108 && f["name"] == "HeartBtInt");
  EXPECT_TRUE(heartbeat_named) << newest_logon;
}

INSTANTIATE_TEST_SUITE_P(Db, LpReadsTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_name);

}  // namespace
}  // namespace fixgate::gateway
