#include "fixgate/gateway/settings.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fixgate/codec/values.h"
#include "settings_test_util.h"

namespace fixgate::gateway {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kConfig = R"(# a comment
[DEFAULT]
ConnectionType=initiator
HeartBtInt=15
ReconnectInterval=5
StartTime=00:00:00
EndTime=00:00:00

[SESSION]
BeginString=FIX.4.4
SenderCompID=CLIENT
TargetCompID=LP1
SocketConnectHost=127.0.0.1
SocketConnectPort=9001
SocketConnectHost1=127.0.0.2
SocketConnectPort1=9002
SocketConnectSourceHost=127.0.0.3
SocketConnectTimeout=7
ResetOnLogon=Y
RefreshOnLogon=Y
SocketNodelay=N
ReconnectMaxInterval=60
ReconnectMultiplier=1.5
ReconnectJitter=0

[SESSION]
ConnectionType=acceptor
BeginString=FIX.4.2
SenderCompID=GW
TargetCompID=CLIENT2
SocketAcceptPort=9100
HeartBtInt=30
)";

TEST(SettingsTest, ParsesDefaultsAndSessions) {
  auto s = Settings::parse(kConfig, "gw.cfg");
  ASSERT_TRUE(s) << s.error();
  ASSERT_EQ(s->sessions().size(), 2u);
  EXPECT_EQ(*s->sessions()[0].get_string("ConnectionType"), "initiator");  // from [DEFAULT]
  EXPECT_EQ(*s->sessions()[1].get_string("ConnectionType"), "acceptor");   // own value wins
  EXPECT_EQ(s->sessions()[1].find("SocketAcceptPort")->line, 31);
}

TEST(SettingsTest, BuildsInitiatorConfigWithAlternateHosts) {
  auto s = Settings::parse(kConfig, "gw.cfg");
  ASSERT_TRUE(s);
  auto c = to_session_options(s->sessions()[0]);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->session.role, session::Role::kInitiator);
  EXPECT_EQ(c->session.id.to_string(), "FIX.4.4:CLIENT->LP1");
  EXPECT_EQ(c->session.heartbeat_interval, 15s);
  EXPECT_TRUE(c->session.reset_on_logon);
  EXPECT_TRUE(c->session.refresh_on_logon);
  EXPECT_FALSE(c->tcp_nodelay);
  EXPECT_TRUE(c->reuse_address);
  ASSERT_EQ(c->connect.size(), 2u);
  EXPECT_EQ(c->connect[1].host, "127.0.0.2");
  EXPECT_EQ(c->connect[1].port, 9002);
  EXPECT_EQ(c->reconnect.initial, 5s);
  EXPECT_EQ(c->reconnect.multiplier, 1.5);
  EXPECT_EQ(c->reconnect.jitter, 0.0);
  ASSERT_TRUE(c->source);
  EXPECT_EQ(c->source->host, "127.0.0.3");
  EXPECT_EQ(c->source->port, 0);
  EXPECT_EQ(c->connect_timeout, 7s);
  // StartTime == EndTime in [DEFAULT]: QuickFIX's 24-hour session, reset daily at midnight UTC.
  ASSERT_TRUE(c->session.schedule);
  EXPECT_EQ(c->session.schedule->describe(), "daily 00:00:00 - 00:00:00 UTC");
}

TEST(SettingsTest, BuildsAcceptorConfig) {
  auto s = Settings::parse(kConfig, "gw.cfg");
  ASSERT_TRUE(s);
  auto c = to_session_options(s->sessions()[1]);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->session.role, session::Role::kAcceptor);
  EXPECT_EQ(c->accept.port, 9100);
  EXPECT_EQ(c->accept.host, "0.0.0.0");
  EXPECT_FALSE(c->session.refresh_on_logon);
  EXPECT_TRUE(c->tcp_nodelay);
}

TEST(SettingsTest, UnknownKeyNamesFileLineAndKeyWithASuggestion) {
  auto s = Settings::parse("[SESSION]\nBeginString=FIX.4.4\nHeartBeatInt=30\n", "x.cfg");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), "x.cfg:3: HeartBeatInt: unknown key (did you mean HeartBtInt?)");
  auto far = Settings::parse("[SESSION]\nFrobnicate=30\n", "x.cfg");
  EXPECT_EQ(far.error(), "x.cfg:2: Frobnicate: unknown key");  // nothing close: no guess
}

TEST(SettingsTest, SyntaxErrorsNameTheLine) {
  EXPECT_EQ(Settings::parse("[SESSION]\njust words\n", "x.cfg").error(),
            "x.cfg:2: expected Key=Value");
  EXPECT_EQ(Settings::parse("HeartBtInt=3\n[SESSION]\n", "x.cfg").error(),
            "x.cfg:1: HeartBtInt: outside any section");
  EXPECT_EQ(Settings::parse("[SESION]\n", "x.cfg").error(),
            "x.cfg:1: unknown section [SESION]\nx.cfg: no [SESSION] section");
  EXPECT_EQ(Settings::parse("[DEFAULT]\n", "x.cfg").error(), "x.cfg: no [SESSION] section");
  EXPECT_EQ(Settings::parse("[SESSION]\nHeartBtInt=1\nHeartBtInt=2\n", "x.cfg").error(),
            "x.cfg:3: HeartBtInt: set twice in one section");
}

TEST(SettingsTest, BadValuesNameFileLineAndKey) {
  auto s = Settings::parse(
      "[SESSION]\nConnectionType=initiator\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n"
      "HeartBtInt=soon\nSocketConnectHost=h\nSocketConnectPort=1\n",
      "x.cfg");
  ASSERT_TRUE(s);
  auto c = to_session_options(s->sessions()[0]);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error(), "x.cfg:6: HeartBtInt: 'soon' is not a whole number");
}

TEST(SettingsTest, MissingRequiredKeyNamesTheSection) {
  auto s = Settings::parse(
      "[SESSION]\nConnectionType=acceptor\nBeginString=FIX.4.4\nSenderCompID=A\n", "x.cfg");
  ASSERT_TRUE(s);
  auto c = to_session_options(s->sessions()[0]);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error(),
            "x.cfg:1: [SESSION] needs TargetCompID\nx.cfg:1: [SESSION] needs SocketAcceptPort");
}

TEST(SettingsTest, OutOfRangeAndWrongEnumValuesAreRefused) {
  auto base = std::string("[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n") +
              "SocketAcceptPort=1\n";
  auto c1 =
      to_session_options(Settings::parse(base + "ConnectionType=both\n", "x.cfg")->sessions()[0]);
  EXPECT_EQ(c1.error(), "x.cfg:6: ConnectionType: 'both' is neither initiator nor acceptor");
  auto c2 = to_session_options(
      Settings::parse(base + "ConnectionType=acceptor\nLogonTimeout=-1\n", "x.cfg")->sessions()[0]);
  EXPECT_EQ(c2.error(), "x.cfg:7: LogonTimeout: -1 is outside 0..3600");
  auto c3 = to_session_options(
      Settings::parse(base + "ConnectionType=acceptor\nResetOnLogon=maybe\n", "x.cfg")
          ->sessions()[0]);
  EXPECT_EQ(c3.error(), "x.cfg:7: ResetOnLogon: 'maybe' is not Y or N");
  auto initiator = std::string("[SESSION]\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n") +
                   "ConnectionType=initiator\nHeartBtInt=30\nSocketConnectHost=h\n" +
                   "SocketConnectPort=1\n";
  auto backoff = [&](std::string line) {
    return to_session_options(
               Settings::parse(initiator + "ReconnectMaxInterval=60\n" + line, "x.cfg")
                   ->sessions()[0])
        .error();
  };
  EXPECT_EQ(backoff("ReconnectMultiplier=0.5\n"),
            "x.cfg:10: ReconnectMultiplier: 0.5 is outside 1..10");
  EXPECT_EQ(backoff("ReconnectJitter=fast\n"),
            "x.cfg:10: ReconnectJitter: 'fast' is not a decimal number");
  // Socket switches are checked too, though most configurations leave them at Y.
  for (std::string key : {"SocketNodelay", "SocketReuseAddress", "RefreshOnLogon"}) {
    auto c = to_session_options(
        Settings::parse(base + "ConnectionType=acceptor\n" + key + "=yes please\n", "x.cfg")
            ->sessions()[0]);
    EXPECT_EQ(c.error(), "x.cfg:7: " + key + ": 'yes please' is not Y or N");
  }
}

TEST(SettingsTest, DictionaryIsLoadedAndMustMatchTheBeginString) {
  std::string base =
      "[SESSION]\nConnectionType=acceptor\nSenderCompID=A\nTargetCompID=B\n"
      "SocketAcceptPort=1\nDataDictionary=" +
      std::string(FIXGATE_DICT_DIR) + "/FIX44.xml\n";
  auto ok =
      to_session_options(Settings::parse(base + "BeginString=FIX.4.4\n", "x.cfg")->sessions()[0]);
  ASSERT_TRUE(ok) << ok.error();
  ASSERT_TRUE(ok->session.data_dictionary);
  EXPECT_EQ(ok->session.data_dictionary->begin_string(), "FIX.4.4");
  auto bad =
      to_session_options(Settings::parse(base + "BeginString=FIX.4.2\n", "x.cfg")->sessions()[0]);
  ASSERT_FALSE(bad);
  EXPECT_NE(
      bad.error().find("x.cfg:6: DataDictionary: dictionary is FIX.4.4 but BeginString is FIX.4.2"),
      std::string::npos)
      << bad.error();
  auto missing = to_session_options(
      Settings::parse("[SESSION]\nConnectionType=acceptor\nSenderCompID=A\nTargetCompID=B\n"
                      "SocketAcceptPort=1\nBeginString=FIX.4.4\nDataDictionary=/nope.xml\n",
                      "x.cfg")
          ->sessions()[0]);
  EXPECT_EQ(missing.error(), "x.cfg:7: DataDictionary: /nope.xml: cannot open dictionary file");
}

// The engine configuration of an acceptor with `extra` keys from line 7 of x.cfg.
Result<engine::SessionOptions> schedule_config(const std::string& extra) {
  auto s = acceptor_with(extra);
  if (!s) return s.status();
  return s->manager;
}

int64_t utc_of(int y, int mo, int d, int h) {
  return (codec::Date{static_cast<uint16_t>(y), static_cast<uint8_t>(mo), static_cast<uint8_t>(d)}
                  .days_since_epoch() *
              24 +
          h) *
         3600;
}
session::Duration at(int y, int mo, int d, int h) {
  return std::chrono::seconds(utc_of(y, mo, d, h));
}

TEST(SettingsTest, ScheduleKeysBuildTheSchedule) {
  auto none = schedule_config("");
  ASSERT_TRUE(none) << none.error();
  EXPECT_FALSE(none->session.schedule);
  auto non_stop = schedule_config("NonStopSession=Y\nStartTime=08:00:00\nEndTime=17:00:00\n");
  ASSERT_TRUE(non_stop) << non_stop.error();
  EXPECT_FALSE(non_stop->session.schedule);

  auto daily = schedule_config("StartTime=08:00:00\nEndTime=17:00:00\nTimeZone=America/New_York\n");
  ASSERT_TRUE(daily) << daily.error();
  ASSERT_TRUE(daily->session.schedule);
  EXPECT_EQ(daily->session.schedule->describe(), "daily 08:00:00 - 17:00:00 America/New_York");
  EXPECT_EQ(daily->session.schedule->window_at(at(2026, 11, 23, 14))->start, at(2026, 11, 23, 13));

  auto weekly = schedule_config(
      "StartTime=17:00:00\nEndTime=17:00:00\nStartDay=sun\nEndDay=Friday\nTimeZone=America/"
      "New_York\n");
  ASSERT_TRUE(weekly) << weekly.error();
  EXPECT_EQ(weekly->session.schedule->describe(),
            "weekly Sunday 17:00:00 - Friday 17:00:00 America/New_York");

  auto weekdays = schedule_config("StartTime=07:00:00\nEndTime=19:00:00\nWeekdays=Mon, Tue,Wed\n");
  ASSERT_TRUE(weekdays) << weekdays.error();
  EXPECT_EQ(weekdays->session.schedule->describe(), "daily 07:00:00 - 19:00:00 on Mon Tue Wed UTC");

  auto local = schedule_config("StartTime=07:00:00\nEndTime=19:00:00\nUseLocalTime=Y\n");
  ASSERT_TRUE(local) << local.error();
  EXPECT_EQ(local->session.schedule->zone().name(), "localtime");
}

TEST(SettingsTest, BadScheduleKeysNameFileLineAndKey) {
  struct Case {
    const char* extra;
    const char* error;
  } cases[] = {
      {"StartTime=8:00\nEndTime=17:00:00\n", "x.cfg:7: StartTime: '8:00' is not a time HH:MM:SS"},
      {"StartTime=08:00:00\n", "EndTime"},
      {"StartTime=08:00:00\nEndTime=17:00:00\nTimeZone=Mars/Olympus\n",
       "x.cfg:9: TimeZone: time zone 'Mars/Olympus': no such zone"},
      {"StartTime=08:00:00\nEndTime=17:00:00\nTimeZone=../../etc/passwd\n",
       "x.cfg:9: TimeZone: time zone '../../etc/passwd': not a zone name"},
      {"StartTime=08:00:00\nEndTime=17:00:00\nStartDay=Funday\nEndDay=Fri\n",
       "x.cfg:9: StartDay: 'Funday' is not a day of the week"},
      {"StartTime=08:00:00\nEndTime=17:00:00\nStartDay=Mon\n", "EndDay"},
      {"StartTime=08:00:00\nEndTime=17:00:00\nWeekdays=Mon,Xyz\n",
       "x.cfg:9: Weekdays: 'Xyz' is not a day of the week"},
      {"StartDay=Mon\nEndDay=Fri\n", "x.cfg:7: StartDay: needs StartTime and EndTime"},
      {"StartTime=08:00:00\nEndTime=17:00:00\nTimeZone=UTC\nUseLocalTime=Y\n",
       "x.cfg:10: UseLocalTime: set together with TimeZone"},
  };
  for (const auto& c : cases) {
    auto r = schedule_config(c.extra);
    ASSERT_FALSE(r) << c.extra;
    EXPECT_NE(r.error().find(c.error), std::string::npos) << r.error();
  }
}

TEST(SettingsTest, AcceptorTemplateNeedsAnAllowList) {
  auto parse = [](std::string_view extra) {
    std::string text =
        "[SESSION]\nConnectionType=acceptor\nBeginString=FIX.4.4\nSenderCompID=GW\n"
        "TargetCompID=*\nSocketAcceptPort=1\n" +
        std::string(extra);
    return to_session_setup(Settings::parse(text, "x.cfg")->sessions()[0]);
  };
  auto ok = parse("AcceptorTemplate=Y\nAllowedCompIDs=ALICE, BOB ,*\n");
  ASSERT_TRUE(ok) << ok.error();
  ASSERT_TRUE(ok->is_template);
  engine::AcceptorTemplate t = to_acceptor_template(*ok);
  EXPECT_EQ(t.allowed_comp_ids, (std::vector<std::string>{"ALICE", "BOB", "*"}));
  EXPECT_EQ(t.config.session.id.target_comp_id, "*");
  ASSERT_TRUE(t.store);
  auto plain = parse("");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->is_template);
  EXPECT_EQ(parse("AcceptorTemplate=Y\n").error(),
            "x.cfg:7: AcceptorTemplate: a template needs AllowedCompIDs (the CompIDs that may log "
            "on, or *)");
  EXPECT_EQ(parse("AllowedCompIDs=ALICE\n").error(),
            "x.cfg:7: AllowedCompIDs: only for AcceptorTemplate=Y");
  EXPECT_EQ(parse("AcceptorTemplate=Y\nAllowedCompIDs= , \n").error(),
            "x.cfg:8: AllowedCompIDs: names no CompID");
}

TEST(SettingsTest, TlsKeysBuildTheTlsConfiguration) {
  std::string base =
      "[SESSION]\nConnectionType=acceptor\nBeginString=FIX.4.4\nSenderCompID=A\n"
      "TargetCompID=B\nSocketAcceptPort=1\n";
  auto tls = to_session_options(
      Settings::parse(
          base + "SocketUseSSL=Y\nServerCertificateFile=/s.pem\nServerCertificateKeyFile=/s.key\n"
                 "CertificateAuthoritiesFile=/ca.pem\nSSLProtocol=+TLSv1.3\n",
          "x.cfg")
          ->sessions()[0]);
  ASSERT_TRUE(tls) << tls.error();
  EXPECT_TRUE(tls->tls.enabled);
  EXPECT_EQ(tls->tls.certificate_file, "/s.pem");
  EXPECT_EQ(tls->tls.private_key_file, "/s.key");
  EXPECT_EQ(tls->tls.ca_file, "/ca.pem");
  EXPECT_TRUE(tls->tls.verify_peer);
  EXPECT_EQ(tls->tls.min_protocol, "TLSv1.3");
  auto forgotten = to_session_options(
      Settings::parse(base + "ServerCertificateFile=/c.pem\n", "x.cfg")->sessions()[0]);
  EXPECT_EQ(
      forgotten.error().rfind("x.cfg:7: ServerCertificateFile: set, but SocketUseSSL is not Y", 0),
      0u)
      << forgotten.error();
  auto no_ca = to_session_options(
      Settings::parse(base + "SocketUseSSL=Y\nServerCertificateFile=/s.pem\n", "x.cfg")
          ->sessions()[0]);
  EXPECT_NE(no_ca.error().find("needs CertificationAuthoritiesFile"), std::string::npos)
      << no_ca.error();
}

TEST(SettingsTest, FileStorePathSelectsTheFileStoreAsInQuickFix) {
  auto with_path = acceptor_with("FileStorePath=/var/fix\n");
  ASSERT_TRUE(with_path) << with_path.error();
  EXPECT_EQ(with_path->store.type, "file");
  EXPECT_EQ(with_path->store.file.fsync, store::FsyncPolicy::kBatch);
  EXPECT_EQ(with_path->store.where, "x.cfg:7: FileStorePath");
  auto none = acceptor_with("");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->store.type, "memory");
  auto sqlite = acceptor_with("FileStorePath=/var/fix\nStoreType=sqlite\n");
  ASSERT_TRUE(sqlite);
  EXPECT_EQ(sqlite->store.type, "sqlite");
  auto sync = acceptor_with("FileStorePath=/var/fix\nFileStoreSync=Y\n");  // QuickFIX/J's key
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->store.file.fsync, store::FsyncPolicy::kAlways);
  auto policy_wins = acceptor_with("FileStorePath=/var/fix\nFileStoreSync=Y\nFsyncPolicy=never\n");
  ASSERT_TRUE(policy_wins);
  EXPECT_EQ(policy_wins->store.file.fsync, store::FsyncPolicy::kNever);
  EXPECT_EQ(acceptor_with("StoreType=tape\n").error(),
            "x.cfg:7: StoreType: 'tape' is not one of memory, file, sqlite, postgres");
  EXPECT_EQ(acceptor_with("StoreType=sqlite\n").error(),
            "x.cfg:7: StoreType: sqlite needs FileStorePath");
  EXPECT_NE(acceptor_with("FileStorePath=/f\nFsyncPolicy=sometimes\n")
                .error()
                .find("x.cfg:8: FsyncPolicy"),
            std::string::npos);
}

TEST(SettingsTest, OpensTheConfiguredStore) {
  std::string dir = ::testing::TempDir() + "/fixgate-settings-store-" + std::to_string(getpid());
  session::SessionId id{.begin_string = "FIX.4.4", .sender_comp_id = "A", .target_comp_id = "B"};
  for (std::string type : {"sqlite", "file", "memory"}) {
    auto s = acceptor_with("StoreType=" + type + "\nFileStorePath=" + dir + "\n");
    ASSERT_TRUE(s) << s.error();
    auto st = open_store(s->store, id);
    ASSERT_TRUE(st) << type << ": " << st.error();
    session::StoreBatch b;
    b.next_sender = session::SeqNum(5);
    ASSERT_TRUE((*st)->commit(b).is_ok());
    EXPECT_EQ((*st)->next_sender_seq(), session::SeqNum(5));
  }
  // Reopened, the durable one remembers.
  auto again = open_store(acceptor_with("FileStorePath=" + dir + "\n")->store, id);  // file
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ((*again)->next_sender_seq(), session::SeqNum(5));
  std::filesystem::remove_all(dir);
}

TEST(SettingsTest, CheckingAStoreCreatesNothing) {
  std::string dir = ::testing::TempDir() + "/fixgate-check-store-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  session::SessionId id{.begin_string = "FIX.4.4", .sender_comp_id = "A", .target_comp_id = "B"};
  for (std::string type : {"sqlite", "file"}) {
    auto s = acceptor_with("StoreType=" + type + "\nFileStorePath=" + dir + "/deeper\n");
    ASSERT_TRUE(s) << s.error();
    // The directory does not exist, its parent (the temp dir) is writable: fine, and still absent.
    EXPECT_TRUE(check_store(s->store, id)) << check_store(s->store, id).message();
    EXPECT_FALSE(std::filesystem::exists(dir));
  }
  // A file where the directory should be.
  std::ofstream(dir) << "not a directory";
  auto blocked = acceptor_with("FileStorePath=" + dir + "/store\n");
  Status st = check_store(blocked->store, id);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.message(), "x.cfg:7: FileStorePath: " + dir + " is not a directory");
  std::filesystem::remove(dir);
}

TEST(SettingsTest, EngineKeysComeFromDefault) {
  auto s = Settings::parse(
      "[DEFAULT]\nEngineThreads=2\nBusyPollMicros=200\nBusyPollYield=N\n"
      "[SESSION]\nBeginString=FIX.4.4\n",
      "x.cfg");
  ASSERT_TRUE(s) << s.error();
  auto o = to_daemon_options(*s);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->engine.threads, 2u);
  EXPECT_EQ(o->engine.busy_poll, 200us);
  EXPECT_FALSE(o->engine.busy_poll_yield);

  auto plain = to_daemon_options(*Settings::parse("[SESSION]\nBeginString=FIX.4.4\n"));
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_EQ(plain->engine.threads, 0u);  // one per core
  EXPECT_EQ(plain->engine.busy_poll, 0us);
  EXPECT_TRUE(plain->engine.busy_poll_yield);
}

TEST(SettingsTest, LogRotationKeysOfDefaultReachEverySessionsLogs) {
  auto s = Settings::parse(
      "[DEFAULT]\nLogFileMaxSize=4096\nLogFileMaxFiles=3\nConnectionType=acceptor\n"
      "SocketAcceptPort=0\nBeginString=FIX.4.4\nSenderCompID=GW\n"
      "[SESSION]\nTargetCompID=A\n[SESSION]\nTargetCompID=B\n",
      "x.cfg");
  ASSERT_TRUE(s) << s.error();
  auto o = to_daemon_options(*s);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->log_file_max_size, 4096u);
  EXPECT_EQ(o->log_file_max_files, 3u);
  for (const auto& session : s->sessions()) {
    auto setup = to_session_setup(session);
    ASSERT_TRUE(setup) << setup.error();
    EXPECT_EQ(setup->manager.log_rotation.max_size, 4096u);
    EXPECT_EQ(setup->manager.log_rotation.max_files, 3u);
  }
  // Without them: no rotation by size.
  auto plain = Settings::parse(
      "[SESSION]\nConnectionType=acceptor\nSocketAcceptPort=0\nBeginString=FIX.4.4\n"
      "SenderCompID=GW\nTargetCompID=A\n",
      "x.cfg");
  ASSERT_TRUE(plain) << plain.error();
  auto setup = to_session_setup(plain->sessions()[0]);
  ASSERT_TRUE(setup) << setup.error();
  EXPECT_EQ(setup->manager.log_rotation.max_size, 0u);
  // Refused in a [SESSION], like every engine-wide key.
  EXPECT_EQ(
      Settings::parse("[DEFAULT]\nHeartBtInt=30\n[SESSION]\nLogFileMaxSize=10\n", "y.cfg").error(),
      "y.cfg:4: LogFileMaxSize: engine-wide, set it in [DEFAULT]");
}

TEST(SettingsTest, EngineKeysAreRefusedInASessionAndCheckedInDefault) {
  auto in_session = Settings::parse(
      "[DEFAULT]\nHeartBtInt=30\n[SESSION]\nBeginString=FIX.4.4\nBusyPollMicros=200\n", "x.cfg");
  EXPECT_EQ(in_session.error(), "x.cfg:5: BusyPollMicros: engine-wide, set it in [DEFAULT]");
  auto bad =
      Settings::parse("[DEFAULT]\nBusyPollMicros=fast\n[SESSION]\nBeginString=FIX.4.4\n", "x.cfg");
  ASSERT_TRUE(bad);
  EXPECT_EQ(to_daemon_options(*bad).error(),
            "x.cfg:2: BusyPollMicros: 'fast' is not a whole number");
  auto yield =
      Settings::parse("[DEFAULT]\nBusyPollYield=maybe\n[SESSION]\nBeginString=FIX.4.4\n", "x.cfg");
  ASSERT_TRUE(yield);
  EXPECT_FALSE(to_daemon_options(*yield));
  EXPECT_NE(to_daemon_options(*yield).error().find("x.cfg:2: BusyPollYield"), std::string::npos);
  auto threads =
      Settings::parse("[DEFAULT]\nEngineThreads=-1\n[SESSION]\nBeginString=FIX.4.4\n", "x.cfg");
  ASSERT_TRUE(threads);
  EXPECT_EQ(to_daemon_options(*threads).error(), "x.cfg:2: EngineThreads: -1 is outside 0..1024");
}

TEST(SettingsTest, LoadFileReportsAMissingFile) {
  auto s = Settings::load_file("/nonexistent/gw.cfg");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), "/nonexistent/gw.cfg: cannot open settings file");
}

}  // namespace
}  // namespace fixgate::gateway
