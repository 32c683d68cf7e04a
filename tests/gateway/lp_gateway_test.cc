// The LP gateway end to end: rows in a real SQLite file or a real PostgreSQL server (started
// here), QuickFIX/C++ acceptors playing the LPs over loopback TCP, and the supervisor that runs
// fixgated's LP sessions. Every wait is for an event (a transition, a peer's line) with a deadline.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>
#include "../interop/quickfix_peer.h"
#include "../support/certificates.h"
#include "lp_rows.h"
#include "test_database.h"

#include "fixgate/gateway/lp_import.h"
#include "fixgate/gateway/lp_settings.h"
#include "fixgate/gateway/lp_supervisor.h"
#include "fixgate/gateway/sessions_db.h"

namespace fixgate::gateway {
namespace {

using namespace std::chrono_literals;
using testing::PeerOptions;
using testing::QuickFixPeer;

// Every transition the supervisor reports, and every log line, awaitable.
class Recorder {
 public:
  void add(const StatusTransition& t) {
    std::lock_guard lock(mu_);
    transitions_.push_back(t);
    cv_.notify_all();
  }
  void log(std::string_view line) {
    std::lock_guard lock(mu_);
    lines_.emplace_back(line);
    cv_.notify_all();
  }
  // Waits for a transition of `provider` to `status` after the first `from` transitions.
  std::optional<StatusTransition> await(const std::string& provider, LpStatus status,
                                        size_t from = 0, std::chrono::milliseconds timeout = 20s) {
    std::unique_lock lock(mu_);
    std::optional<StatusTransition> found;
    cv_.wait_for(lock, timeout, [&] {
      for (size_t i = from; i < transitions_.size(); ++i)
        if (transitions_[i].provider == provider && transitions_[i].new_status == status) {
          found = transitions_[i];
          return true;
        }
      return false;
    });
    return found;
  }
  bool await_line(std::string_view part, std::chrono::milliseconds timeout = 20s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      for (const auto& l : lines_)
        if (l.find(part) != std::string::npos) return true;
      return false;
    });
  }
  size_t mark() {
    std::lock_guard lock(mu_);
    return transitions_.size();
  }
  std::vector<StatusTransition> since(size_t from) {
    std::lock_guard lock(mu_);
    return {transitions_.begin() + static_cast<std::ptrdiff_t>(from), transitions_.end()};
  }
  std::string history() {
    std::lock_guard lock(mu_);
    std::string out;
    for (const auto& l : lines_) out += "\n  " + l;
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<StatusTransition> transitions_;
  std::vector<std::string> lines_;
};

class LpGatewayTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    database_.open(GetParam(), dir_.path);
    if (HasFatalFailure()) return;
    url_ = database_.url;
    pg_ = database_.server.get();
    db_ = database_.db.get();
  }
  void TearDown() override {
    if (sup_) sup_->stop(5s);
  }

  // An LP row for a QuickFIX acceptor on `port` whose CompID is `lp`.
  static LpRow row(const std::string& provider, const std::string& lp, uint16_t port) {
    LpRow r = testing::lp_test_row(provider, port, 5,
                                   R"({"ReconnectInterval": 1, "ReconnectMaxInterval": 2})", lp);
    r.data_dictionary = testing::dict_path("FIX44.xml");
    return r;
  }
  static PeerOptions lp_peer(const std::string& comp_id, uint16_t port = 0) {
    PeerOptions o;
    o.acceptor = true;
    o.sender = comp_id;
    o.target = "FG";
    o.port = port;
    o.trace = "admin";
    return o;
  }
  void start_supervisor() {
    LpSupervisorOptions o;
    o.database_url = url_;
    o.poll_interval = 200ms;
    o.logout_timeout = 3s;
    o.on_transition = [this](const StatusTransition& t) { rec_.add(t); };
    o.on_log = [this](std::string_view l) { rec_.log(l); };
    auto s = LpSupervisor::start(std::move(o));
    ASSERT_TRUE(s) << s.error();
    sup_ = std::move(*s);
  }
  // The status column as another reader of the table sees it.
  LpStatus db_status(const std::string& provider) {
    auto rows = db_->load();
    EXPECT_TRUE(rows) << rows.error();
    if (rows)
      for (const auto& r : *rows)
        if (r.row.provider == provider) return r.status.status;
    ADD_FAILURE() << "no row " << provider;
    return LpStatus::kInactive;
  }
  std::string db_reason(const std::string& provider) {
    auto rows = db_->load();
    if (rows)
      for (const auto& r : *rows)
        if (r.row.provider == provider) return r.status.status_reason;
    return "";
  }

  testing::TempDir dir_{"lp-gateway"};
  TestDatabase database_;
  store::testing::PgTestServer* pg_ = nullptr;
  std::string url_;
  SessionsDb* db_ = nullptr;
  Recorder rec_;
  std::unique_ptr<LpSupervisor> sup_;
};

TEST_P(LpGatewayTest, ThreeLpsReachActiveAndTheTableSaysSo) {
  QuickFixPeer a(lp_peer("LPA")), b(lp_peer("LPB")), c(lp_peer("LPC"));
  ASSERT_TRUE(db_->upsert(row("LPA", "LPA", a.port())));
  ASSERT_TRUE(db_->upsert(row("LPB", "LPB", b.port())));
  ASSERT_TRUE(db_->upsert(row("LPC", "LPC", c.port())));
  start_supervisor();
  for (const char* p : {"LPA", "LPB", "LPC"}) {
    auto t = rec_.await(p, LpStatus::kActive);
    ASSERT_TRUE(t) << p << rec_.history();
    EXPECT_EQ(t->old_status, LpStatus::kInactive);
    EXPECT_EQ(t->session_id, std::string("FIX.4.4:FG->") + p);
    EXPECT_GE(t->transition, 1u);
    EXPECT_EQ(db_status(p), LpStatus::kActive);
  }
  auto v = sup_->find("LPB");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, LpStatus::kActive);
  EXPECT_EQ(v->state, "active");
  EXPECT_EQ(v->port, b.port());
  EXPECT_GE(v->next_sender_seq, 2u);
  EXPECT_EQ(v->heartbeat_interval, 5s);
  EXPECT_EQ(v->transitions, 1u);  // 0 -> 1
  ASSERT_TRUE(v->stats) << "no counters from the running session";
  EXPECT_GE(v->stats->messages_received, 1u);  // the Logon
  EXPECT_EQ(v->stats->messages_received, v->messages_in);
  EXPECT_GT(v->stats->bytes_sent, 0u);
  EXPECT_EQ(sup_->list().size(), 3u);
  // Ready: the database answers, to concurrent probes too; not once the supervisor stops.
  std::vector<std::thread> probes;
  std::atomic<int> ready{0};
  for (int i = 0; i < 4; ++i)
    probes.emplace_back([&] { ready += sup_->ready(5s).is_ok() ? 1 : 0; });
  for (auto& t : probes) t.join();
  EXPECT_EQ(ready, 4);
  sup_->stop(5s);
  Status stopped = sup_->ready(1s);
  EXPECT_FALSE(stopped);
  EXPECT_NE(stopped.message().find("stopping"), std::string::npos) << stopped.message();
}

TEST_P(LpGatewayTest, DisableLogsOutStaysOffAndEnableBringsItBack) {
  QuickFixPeer a(lp_peer("LPA")), b(lp_peer("LPB"));
  ASSERT_TRUE(db_->upsert(row("LPA", "LPA", a.port())));
  ASSERT_TRUE(db_->upsert(row("LPB", "LPB", b.port())));
  start_supervisor();
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive)) << rec_.history();
  ASSERT_TRUE(rec_.await("LPB", LpStatus::kActive)) << rec_.history();

  size_t mark = rec_.mark();
  const size_t peer_mark = a.mark();
  AdminOutcome off = sup_->disable("LPA", {"ops", "LP maintenance"});
  ASSERT_TRUE(off.ok()) << off.message;
  EXPECT_FALSE(a.await("IN 35=5").empty()) << "no Logout at the LP" << a.history(peer_mark);
  auto t = rec_.await("LPA", LpStatus::kInactive, mark);
  ASSERT_TRUE(t) << rec_.history();
  EXPECT_NE(t->reason.find("disabled by ops: LP maintenance"), std::string::npos) << t->reason;
  EXPECT_EQ(db_status("LPA"), LpStatus::kInactive);
  // ReconnectInterval is 1 s: nothing may come back within 5 s.
  EXPECT_TRUE(a.await("IN 35=A", 5s).empty()) << "reconnected while disabled" << a.history();
  EXPECT_EQ(sup_->find("LPA")->enabled, false);
  EXPECT_EQ(sup_->find("LPB")->status, LpStatus::kActive);  // the other one untouched

  mark = rec_.mark();
  ASSERT_TRUE(sup_->enable("LPA", {"ops", "back"}).ok());
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive, mark)) << rec_.history();

  mark = rec_.mark();
  AdminOutcome all = sup_->kill_all({"ops", "panic"});
  ASSERT_TRUE(all.ok()) << all.message;
  EXPECT_EQ(all.message, "2 LP(s) disabled");
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kInactive, mark)) << rec_.history();
  ASSERT_TRUE(rec_.await("LPB", LpStatus::kInactive, mark)) << rec_.history();
  mark = rec_.mark();
  ASSERT_TRUE(sup_->enable("LPA", {"ops", "calm"}).ok());
  ASSERT_TRUE(sup_->enable("LPB", {"ops", "calm"}).ok());
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive, mark)) << rec_.history();
  ASSERT_TRUE(rec_.await("LPB", LpStatus::kActive, mark)) << rec_.history();
}

TEST_P(LpGatewayTest, ChangedPortLogsOutAndConnectsToTheNewOneOnly) {
  QuickFixPeer old_lp(lp_peer("LPA")), new_lp(lp_peer("LPA"));
  ASSERT_TRUE(db_->upsert(row("LPA", "LPA", old_lp.port())));
  start_supervisor();
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive)) << rec_.history();
  const size_t mark = rec_.mark();
  ASSERT_TRUE(db_->upsert(row("LPA", "LPA", new_lp.port())));  // another writer's UPDATE
  EXPECT_FALSE(old_lp.await("IN 35=5").empty()) << "no Logout at the old port" << old_lp.history();
  EXPECT_FALSE(new_lp.await("IN 35=A").empty()) << "no Logon at the new port" << new_lp.history();
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive, mark)) << rec_.history();
  EXPECT_EQ(sup_->find("LPA")->port, new_lp.port());
  // One session: the old LP sees no new logon.
  EXPECT_TRUE(old_lp.await("IN 35=A", 2s).empty()) << old_lp.history();
}

TEST_P(LpGatewayTest, LostLpIsAnErrorWithTheReasonAndComesBack) {
  auto lp = std::make_unique<QuickFixPeer>(lp_peer("LPA"));
  const uint16_t port = lp->port();
  ASSERT_TRUE(db_->upsert(row("LPA", "LPA", port)));
  start_supervisor();
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive)) << rec_.history();
  size_t mark = rec_.mark();
  lp.reset();  // the LP goes away
  auto t = rec_.await("LPA", LpStatus::kError, mark);
  ASSERT_TRUE(t) << rec_.history();
  EXPECT_FALSE(t->reason.empty());
  EXPECT_EQ(db_status("LPA"), LpStatus::kError);
  EXPECT_TRUE(rec_.await_line("next attempt in")) << "no backoff in the log" << rec_.history();
  // While it waits, the view (and the table) say when the next attempt starts.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::optional<SystemTime> next;
  while (!next && std::chrono::steady_clock::now() < deadline) {
    next = sup_->find("LPA")->next_reconnect_at;
    if (!next) std::this_thread::sleep_for(10ms);  // a state to observe: no event announces it
  }
  ASSERT_TRUE(next) << "no next_reconnect_at while reconnecting";
  EXPECT_LT(*next, std::chrono::system_clock::now() + 5s);  // ReconnectMaxInterval is 2 s
  mark = rec_.mark();
  QuickFixPeer back(lp_peer("LPA", port));
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive, mark)) << rec_.history();
}

TEST_P(LpGatewayTest, BadRowsAreErrorsWithReasonsAndTheOthersRun) {
  QuickFixPeer a(lp_peer("LPA"));
  ASSERT_TRUE(db_->upsert(row("LPA", "LPA", a.port())));
  LpRow version = row("BADVERSION", "X1", 9);
  version.begin_string = "FIX.9.9";
  ASSERT_TRUE(db_->upsert(version));
  LpRow port = row("NOPORT", "X2", 0);
  ASSERT_TRUE(db_->upsert(port));
  LpRow twin = row("TWIN", "LPA", a.port());  // the same CompIDs as LPA
  ASSERT_TRUE(db_->upsert(twin));
  LpRow cert = row("NOCERT", "X3", 9);
  cert.tls = true;
  cert.tls_certificate_file = dir_.path + "/missing.pem";
  cert.extra = R"({"CertificateVerifyLevel": 0})";
  ASSERT_TRUE(db_->upsert(cert));
  LpRow json = row("BADJSON", "X4", 9);
  json.extra = "{not json";
  ASSERT_TRUE(db_->upsert(json));
  LpRow store = row("BADSTORE", "X5", 9);  // a folder under a plain file: cannot be made
  std::ofstream(dir_.path + "/plain") << "x";
  store.store = "file:" + dir_.path + "/plain/store";
  ASSERT_TRUE(db_->upsert(store));
  start_supervisor();
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive)) << rec_.history();
  const std::pair<const char*, const char*> expected[] = {
      {"BADVERSION", "FIX.9.9"}, {"NOPORT", "port"},   {"TWIN", "also LP LPA's"},
      {"NOCERT", "missing.pem"}, {"BADJSON", "extra"}, {"BADSTORE", "plain"}};
  for (const auto& [provider, why] : expected) {
    auto t = rec_.await(provider, LpStatus::kError);
    ASSERT_TRUE(t) << provider << rec_.history();
    EXPECT_NE(t->reason.find(why), std::string::npos) << provider << ": " << t->reason;
    EXPECT_EQ(db_status(provider), LpStatus::kError);
    EXPECT_EQ(db_reason(provider), t->reason);
  }
  EXPECT_EQ(sup_->find("LPA")->status, LpStatus::kActive) << rec_.history();
  // Readiness names the store that did not open, and only it; not once the LP is disabled.
  const std::vector<std::string> stores = sup_->store_problems();
  ASSERT_EQ(stores.size(), 1u);
  EXPECT_TRUE(stores[0].starts_with("BADSTORE: ")) << stores[0];
  ASSERT_TRUE(sup_->disable("BADSTORE", {"ops", "test"}).ok());
  ASSERT_TRUE(rec_.await("BADSTORE", LpStatus::kInactive)) << rec_.history();
  EXPECT_TRUE(sup_->store_problems().empty());
}

TEST_P(LpGatewayTest, InsertAndDeleteWhileRunning) {
  QuickFixPeer a(lp_peer("LPA"));
  start_supervisor();
  ASSERT_TRUE(sup_->sync(10s));
  EXPECT_TRUE(sup_->list().empty());
  ASSERT_TRUE(db_->upsert(row("LPA", "LPA", a.port())));
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive)) << rec_.history();
  const size_t mark = rec_.mark();
  ASSERT_TRUE(*db_->remove("LPA"));
  EXPECT_FALSE(a.await("IN 35=5").empty()) << "no Logout" << a.history();
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kInactive, mark)) << rec_.history();
  ASSERT_TRUE(sup_->sync(10s));
  EXPECT_FALSE(sup_->find("LPA"));
}

TEST_P(LpGatewayTest, StaleStatusesAreCorrectedAndDisabledStaysDisabledAcrossARestart) {
  QuickFixPeer a(lp_peer("LPA"));
  ASSERT_TRUE(db_->upsert(row("LPA", "LPA", a.port())));
  LpRow off = row("OFF", "LPOFF", 9);
  off.enabled = false;
  ASSERT_TRUE(db_->upsert(off));
  // What a fixgated killed with -9 leaves: status 1 on both.
  for (const char* p : {"LPA", "OFF"}) {
    StatusTransition t;
    t.provider = p;
    t.new_status = LpStatus::kActive;
    t.owner = "gone:1";
    t.at = std::chrono::system_clock::now();
    LpStatusRow live;
    live.owner = "gone:1";
    ASSERT_TRUE(db_->write_transition(t, live));
  }
  start_supervisor();
  auto fixed = rec_.await("OFF", LpStatus::kInactive);
  ASSERT_TRUE(fixed) << rec_.history();
  EXPECT_NE(fixed->reason.find("gone:1"), std::string::npos) << fixed->reason;
  EXPECT_EQ(fixed->transition, 2u);  // numbering goes on from the table's
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kInactive)) << rec_.history();
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive)) << rec_.history();
  EXPECT_EQ(db_status("OFF"), LpStatus::kInactive);
  EXPECT_EQ(sup_->find("OFF")->enabled, false);
}

TEST_P(LpGatewayTest, OperatorsCommands) {
  QuickFixPeer a(lp_peer("LPA"));
  ASSERT_TRUE(db_->upsert(row("LPA", "LPA", a.port())));
  start_supervisor();
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive)) << rec_.history();
  using Code = AdminOutcome::Code;
  EXPECT_EQ(sup_->disable("NOPE", {"ops", "x"}).code, Code::kNotFound);
  EXPECT_EQ(sup_->set_sequences("LPA", 10, 0, false, {"ops", "x"}).code, Code::kConflict);
  size_t peer_mark = a.mark();
  ASSERT_TRUE(sup_->test_request("LPA", {"ops", "ping"}).ok());
  EXPECT_FALSE(a.await("IN 35=1").empty()) << a.history(peer_mark);
  // Logged out by an operator: status 0, down until logon.
  size_t mark = rec_.mark();
  ASSERT_TRUE(sup_->logout("LPA", {"ops", "quiet"}).ok());
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kInactive, mark)) << rec_.history();
  EXPECT_EQ(sup_->logout("LPA", {"ops", "again"}).code, Code::kConflict);
  AdminOutcome set = sup_->set_sequences("LPA", 40, 0, false, {"ops", "agreed with the LP"});
  ASSERT_TRUE(set.ok()) << set.message;
  EXPECT_EQ(sup_->find("LPA")->next_sender_seq, 40u);
  mark = rec_.mark();
  peer_mark = a.mark();
  ASSERT_TRUE(sup_->logon("LPA", {"ops", "go"}).ok());
  std::string logon = a.await("IN 35=A");
  EXPECT_EQ(testing::field(logon, "34"), "40") << a.history(peer_mark);
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive, mark)) << rec_.history();
  EXPECT_EQ(sup_->logon("LPA", {"ops", "again"}).code, Code::kConflict);
}

TEST_P(LpGatewayTest, EachLpLogsUnderItsOwnFolder) {
  QuickFixPeer a(lp_peer("LPA"));
  LpRow r = row("LPA", "LPA", a.port());
  r.extra = R"({"ReconnectInterval": 1, "FileLogPath": ")" + dir_.path + R"(/logs"})";
  ASSERT_TRUE(db_->upsert(r));
  start_supervisor();
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive)) << rec_.history();
  const size_t peer_mark = a.mark();
  ASSERT_TRUE(sup_->test_request("LPA", {"ops", "ping"}).ok());
  EXPECT_FALSE(a.await("IN 35=1").empty()) << a.history(peer_mark);
  const size_t mark = rec_.mark();
  ASSERT_TRUE(sup_->disable("LPA", {"ops", "done"}).ok());
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kInactive, mark));
  sup_->stop(5s);  // the logs flushed and closed
  const std::string folder = dir_.path + "/logs/LPA/";
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string messages = read(folder + "FIX.4.4-FG-LPA.messages.current.log");
  const std::string events = read(folder + "FIX.4.4-FG-LPA.event.current.log");
  for (const char* type : {"\x01"
                           "35=A\x01",
                           "\x01"
                           "35=1\x01",
                           "\x01"
                           "35=0\x01",
                           "\x01"
                           "35=5\x01"})
    EXPECT_NE(messages.find(type), std::string::npos) << "no " << type + 1 << " in " << messages;
  EXPECT_NE(messages.find("\x01"
                          "34=1\x01"),
            std::string::npos);  // with its sequence number
  // Each line starts with its UTC timestamp: YYYYMMDD-HH:MM:SS.ssssss
  EXPECT_TRUE(std::regex_search(messages, std::regex(R"(^\d{8}-\d\d:\d\d:\d\d\.\d{6} : )")))
      << messages.substr(0, 80);
  EXPECT_FALSE(events.empty());
}

TEST_P(LpGatewayTest, ConcurrentDisableAndEnableOfOneLpEndConsistent) {
  QuickFixPeer a(lp_peer("LPA"));
  ASSERT_TRUE(db_->upsert(row("LPA", "LPA", a.port())));
  start_supervisor();
  ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive)) << rec_.history();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        AdminOutcome o = (t + i) % 2 ? sup_->disable("LPA", {"t" + std::to_string(t), "race"})
                                     : sup_->enable("LPA", {"t" + std::to_string(t), "race"});
        if (o.ok()) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 60);  // each answered, none lost
  // Whatever won, the table, the view and the session agree; enabling at the end brings it up.
  ASSERT_TRUE(sup_->sync(10s));
  auto rows = db_->load();
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].row.enabled, sup_->find("LPA")->enabled);
  const size_t mark = rec_.mark();
  ASSERT_TRUE(sup_->enable("LPA", {"ops", "settle"}).ok());
  if (sup_->find("LPA")->status != LpStatus::kActive) {
    ASSERT_TRUE(rec_.await("LPA", LpStatus::kActive, mark)) << rec_.history();
  }
  EXPECT_EQ(db_status("LPA"), LpStatus::kActive);
}

// An LP reached over TLS (fixgate's own TLS acceptor plays it: QuickFIX's peer has none here):
// the row's TLS columns are all it takes, and a certificate from another CA is refused.
TEST_P(LpGatewayTest, TlsWhenTheRowSaysSo) {
  const auto& certs = testing::certs();
  engine::Engine lp_engine(engine::EngineOptions{.threads = 1});
  engine::SessionOptions lp;
  lp.session.id = {"FIX.4.4", "TLSLP", "FG"};
  lp.session.role = session::Role::kAcceptor;
  lp.accept = {"127.0.0.1", 0};
  lp.tls = {.enabled = true,
            .certificate_file = certs.path("server.pem"),
            .private_key_file = certs.path("server.key"),
            .ca_file = certs.path("ca.pem"),
            .verify_peer = true,
            .min_protocol = "TLSv1.2",
            .cipher_list = ""};
  auto h = lp_engine.add_session(lp);
  ASSERT_TRUE(h) << h.error();
  ASSERT_TRUE(lp_engine.start());
  LpRow r = row("TLSLP", "TLSLP", (*h)->local_port());
  r.tls = true;
  r.tls_ca_file = certs.path("ca.pem");
  r.tls_certificate_file = certs.path("client.pem");
  r.tls_private_key_file = certs.path("client.key");
  ASSERT_TRUE(db_->upsert(r));
  LpRow rogue = r;
  rogue.provider = "ROGUE";
  rogue.sender_comp_id = "FG2";
  rogue.tls_certificate_file = certs.path("rogue.pem");
  rogue.tls_private_key_file = certs.path("rogue.key");
  ASSERT_TRUE(db_->upsert(rogue));
  start_supervisor();
  ASSERT_TRUE(rec_.await("TLSLP", LpStatus::kActive)) << rec_.history();
  EXPECT_TRUE((*h)->wait_for_status(session::SessionStatus::kActive, 10s));
  auto refused = rec_.await("ROGUE", LpStatus::kError);
  ASSERT_TRUE(refused) << rec_.history();
  // The LP's TLS refused the certificate of another CA before any FIX was exchanged.
  EXPECT_NE(refused->reason.find("unknown ca"), std::string::npos) << refused->reason;
  sup_->stop(5s);
  lp_engine.stop();
}

// ---- the tables ---------------------------------------------------------------------------------

TEST_P(LpGatewayTest, MigratesFromEveryEarlierVersion) {
  for (int from = 0; from < SessionsDb::kSchemaVersion; ++from) {
    std::string url;
    if (GetParam() == Backend::kPostgres) {
      const std::string name = "migrate" + std::to_string(from);
      ASSERT_TRUE(db_->connection().exec_script("CREATE DATABASE " + name));
      url = "postgresql:" + pg_->conninfo();
      url.replace(url.find("dbname=postgres"), 15, "dbname=" + name);
    } else {
      url = "sqlite:" + dir_.path + "/migrate" + std::to_string(from) + ".db";
    }
    auto old = SessionsDb::open(url, from);
    ASSERT_TRUE(old) << old.error();
    EXPECT_EQ(*(*old)->schema_version(), from);
    if (from > 0) {
      ASSERT_TRUE((*old)->upsert(row("KEEP", "K", 9)));
    }
    old->reset();
    auto now = SessionsDb::open(url);
    ASSERT_TRUE(now) << now.error();
    EXPECT_EQ(*(*now)->schema_version(), SessionsDb::kSchemaVersion);
    auto rows = (*now)->load();
    ASSERT_TRUE(rows) << rows.error();
    EXPECT_EQ(rows->size(), from > 0 ? 1u : 0u);
  }
}

TEST_P(LpGatewayTest, RefusesATableFromANewerFixgated) {
  ASSERT_TRUE(db_->connection().exec_script(
      "INSERT INTO fixgate_schema_version(version, applied_at) VALUES (99, 'later')"));
  auto newer = SessionsDb::open(url_);
  ASSERT_FALSE(newer);
  EXPECT_NE(newer.error().find("schema version 99 is newer"), std::string::npos) << newer.error();
}

TEST_P(LpGatewayTest, RowsRoundTripAndTransitionsAreNumberedWithHistory) {
  LpRow r = row("RT", "RTLP", 1234);
  r.alternate_hosts = "10.0.0.2:1235,backup:1236";
  r.tls = true;
  r.tls_ca_file = "/etc/ca.pem";
  r.reset_on_logon = true;
  r.store = "file:/var/lib/fix";
  r.start_time = "08:00:00";
  r.end_time = "17:00:00";
  r.time_zone = "Europe/London";
  r.sender_sub_id = "DESK";
  ASSERT_TRUE(db_->upsert(r));
  auto rows = db_->load();
  ASSERT_TRUE(rows) << rows.error();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].row.fingerprint(), r.fingerprint());
  EXPECT_TRUE((*rows)[0].row.enabled);
  EXPECT_TRUE(*db_->set_enabled("RT", false));
  EXPECT_FALSE(*db_->set_enabled("NOPE", false));
  EXPECT_FALSE((*db_->load())[0].row.enabled);

  for (uint64_t n = 1; n <= 2; ++n) {
    StatusTransition t;
    t.provider = "RT";
    t.new_status = n == 1 ? LpStatus::kActive : LpStatus::kError;
    t.reason = n == 1 ? "" : "lost";
    t.at = std::chrono::system_clock::now();
    ASSERT_TRUE(db_->write_transition(t, LpStatusRow{}));
    EXPECT_EQ(t.transition, n);
  }
  auto history = db_->connection().query(
      "SELECT transition, new_status FROM fixgate_status_history WHERE provider = 'RT' "
      "ORDER BY transition");
  ASSERT_TRUE(history) << history.error();
  ASSERT_EQ(history->rows.size(), 2u);
  EXPECT_EQ(history->rows[1][0], "2");
  EXPECT_EQ(history->rows[1][1], "2");
  EXPECT_EQ((*db_->load())[0].status.status, LpStatus::kError);
}

TEST_P(LpGatewayTest, ConfigurationChangesAreSeenStatusWritesAreNot) {
  auto other = sql::Connection::open(url_);
  ASSERT_TRUE(other) << other.error();
  SessionsDb watcher(std::move(*other));
  ASSERT_TRUE(watcher.connection().listen("fixgate_sessions"));
  (void)watcher.changed(0ms);  // SQLite: the first look only takes the version
  ASSERT_TRUE(db_->upsert(row("W", "WLP", 9)));
  EXPECT_TRUE(*watcher.changed(2s));
  EXPECT_FALSE(*watcher.changed(0ms));
  if (GetParam() == Backend::kPostgres) {  // our own status writes wake nobody
    LpStatusRow live;
    live.state = "active";
    ASSERT_TRUE(db_->write_live("W", live));
    EXPECT_FALSE(*watcher.changed(300ms));
  }
}

TEST(LpSettingsTest, ARowIsASessionWithEveryKey) {
  LpRow r;
  r.provider = "LP1";
  r.sender_comp_id = "FG";
  r.target_comp_id = "BANK";
  r.host = "127.0.0.1";
  r.port = 9000;
  r.alternate_hosts = "127.0.0.2:9001";
  r.heartbeat_interval = 15;
  r.extra = R"({"LogonTimeout": 7, "ResetOnLogon": true, "SenderSubID": "DESK"})";
  auto s = lp_settings(r, nullptr);
  ASSERT_TRUE(s) << s.error();
  auto setup = to_session_setup(*s);
  ASSERT_TRUE(setup) << setup.error();
  const engine::SessionOptions& m = setup->manager;
  EXPECT_EQ(m.session.id.to_string(), "FIX.4.4:FG/DESK->BANK");  // extra's SenderSubID
  ASSERT_EQ(m.connect.size(), 2u);
  EXPECT_EQ(m.connect[1].port, 9001);
  EXPECT_EQ(m.session.heartbeat_interval, 15s);
  EXPECT_EQ(m.session.logon_timeout, 7s);
  EXPECT_TRUE(m.session.reset_on_logon);
  // A database's sessions back off exponentially, with jitter.
  EXPECT_EQ(m.reconnect.initial, 1s);
  EXPECT_EQ(m.reconnect.max, 30s);
  EXPECT_GT(m.reconnect.jitter, 0.0);
}

TEST(LpSettingsTest, EveryProblemOfARowIsNamedByItsColumn) {
  LpRow r;
  r.provider = "LP1";
  r.sender_comp_id = "FG";
  r.target_comp_id = "BANK";
  r.port = 0;
  r.alternate_hosts = "nocolon";
  r.extra = R"({"HeartBeatInt": 5, "EngineThreads": 2, "LogonTimeout": [1]})";
  auto s = lp_settings(r, nullptr);
  ASSERT_FALSE(s);
  const std::string& e = s.error();
  EXPECT_NE(e.find("fixgate_sessions[LP1]: port:"), std::string::npos) << e;
  EXPECT_NE(e.find("alternate_hosts: 'nocolon' is not host:port"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean HeartBtInt?"), std::string::npos) << e;
  EXPECT_NE(e.find("EngineThreads: engine-wide"), std::string::npos) << e;
  EXPECT_NE(e.find("LogonTimeout: not a string, number or boolean"), std::string::npos) << e;
  r = LpRow{};
  r.provider = "LP1";
  r.sender_comp_id = "FG";
  r.target_comp_id = "BANK";
  r.port = 9000;
  r.heartbeat_interval = -3;
  auto bad = to_session_setup(*lp_settings(r, nullptr));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("fixgate_sessions[LP1]: heartbeat_interval:"), std::string::npos)
      << bad.error();
}

TEST(LpImportTest, ASettingsFileBecomesRowsAndComesBackTheSame) {
  Settings file = Settings::read(
      "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=20\nReconnectInterval=5\n"
      "FileStorePath=/var/lib/fix\nSessionsDatabase=sqlite:/tmp/x.db\n"
      "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=FG\nTargetCompID=BANK.ONE\n"
      "SocketConnectHost=10.0.0.1\nSocketConnectPort=9000\nSocketConnectHost1=10.0.0.2\n"
      "SocketConnectPort1=9001\nResetOnLogon=Y\nLogonTimeout=7\n"
      "[SESSION]\nProvider=LP2\nBeginString=FIX.4.2\nSenderCompID=FG\nTargetCompID=LP2X\n"
      "SocketConnectHost=h\nSocketConnectPort=1\n",
      "lps.cfg");
  ASSERT_TRUE(file.errors().empty());
  auto rows = rows_from_settings(file);
  ASSERT_TRUE(rows) << rows.error();
  ASSERT_EQ(rows->size(), 2u);
  const LpRow& bank = (*rows)[0];
  EXPECT_EQ(bank.provider, "BANK_ONE");  // TargetCompID, '.' made '_'
  EXPECT_EQ(bank.host, "10.0.0.1");
  EXPECT_EQ(bank.port, 9000);
  EXPECT_EQ(bank.alternate_hosts, "10.0.0.2:9001");
  EXPECT_EQ(bank.heartbeat_interval, 20);
  EXPECT_TRUE(bank.reset_on_logon);
  EXPECT_EQ(bank.store, "file:/var/lib/fix");
  auto extra = nlohmann::json::parse(bank.extra);
  EXPECT_EQ(extra["LogonTimeout"], "7");
  EXPECT_EQ(extra["ReconnectInterval"], "5");
  EXPECT_FALSE(extra.contains("SessionsDatabase"));  // fixgated's, not the LP's
  EXPECT_EQ((*rows)[1].provider, "LP2");

  const std::string exported = settings_from_rows(*rows);
  auto again = rows_from_settings(Settings::read(exported, "exported.cfg"));
  ASSERT_TRUE(again) << again.error() << "\n" << exported;
  ASSERT_EQ(again->size(), 2u);
  for (size_t i = 0; i < 2; ++i)
    EXPECT_EQ((*again)[i].fingerprint(), (*rows)[i].fingerprint()) << exported;
}

TEST(LpImportTest, EveryProblemOfAFileIsReported) {
  auto rows = rows_from_settings(Settings::read(
      "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=FG\nTargetCompID=A\nConnectionType=initiator\n"
      "SocketConnectHost=h\nSocketConnectPort=1\nHeartBtInt=30\n"
      "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=FG2\nTargetCompID=A\n"
      "ConnectionType=initiator\nSocketConnectHost=h\nSocketConnectPort=2\nHeartBtInt=30\n"
      "[SESSION]\nProvider=bad/name\nBeginString=FIX.4.4\nSenderCompID=FG\nTargetCompID=C\n"
      "ConnectionType=initiator\nSocketConnectHost=h\nSocketConnectPort=3\nHeartBtInt=30\n"
      "[SESSION]\nAcceptorTemplate=Y\nConnectionType=acceptor\nBeginString=FIX.4.4\n"
      "SenderCompID=FG\nTargetCompID=*\nSocketAcceptPort=5\n",
      "x.cfg"));
  ASSERT_FALSE(rows);
  EXPECT_NE(rows.error().find("x.cfg:9: provider A is also the session's at x.cfg:1"),
            std::string::npos)
      << rows.error();
  EXPECT_NE(rows.error().find("Provider 'bad/name'"), std::string::npos) << rows.error();
  EXPECT_NE(rows.error().find("acceptor template"), std::string::npos) << rows.error();
}

INSTANTIATE_TEST_SUITE_P(Db, LpGatewayTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_name);

}  // namespace
}  // namespace fixgate::gateway
