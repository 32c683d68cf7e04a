// fixgated and QuickFIX settings files: a file with every QuickFIX/C++ key runs (TLS both ways,
// warnings for the keys without effect), typos are all reported at once, --check writes nothing
// and works beside the running daemon, every reconnect wait is logged.
#include <gtest/gtest.h>

#include <sstream>

#include "../support/certificates.h"
#include "fixgate/gateway/setting_keys.h"
#include "fixgated_helpers.h"

namespace fixgate {
namespace {

using namespace std::chrono_literals;

using namespace fixgate::testing;  // the helpers of fixgated_helpers.h
using session::SessionStatus;

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + 1))
    text.replace(pos, from.size(), to);
  return text;
}

// The keys QuickFIX/C++ defines (the list in the repository, from its SessionSettings.h).
std::vector<std::string> quickfix_cpp_keys() {
  std::ifstream in(std::string(FIXGATE_SOURCE_DIR) + "/src/gateway/quickfix_settings_keys.txt");
  std::vector<std::string> keys;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string key, engines;
    words >> key >> engines;
    if (!key.empty() && key[0] != '#' && engines.find("C++") != std::string::npos)
      keys.push_back(key);
  }
  return keys;
}

// "Sun" … "Sat" of today (UTC) plus `days`.
std::string weekday(int days) {
  static const char* kNames[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  int64_t n = today.time_since_epoch().count() + days + 4;  // 1970-01-01 was a Thursday
  return kNames[((n % 7) + 7) % 7];
}

// A QuickFIX/C++ settings file using every key QuickFIX/C++ defines, plus SocketUseSSL=Y (QuickFIX
// /C++ turns TLS on in code, fixgate with that QuickFIX/J key). A TLS acceptor (FIX.4.4) and a TLS
// initiator (FIXT.1.1 with FIX 5.0 SP2); the rest takes its QuickFIX defaults or has no effect.
constexpr const char* kEveryCppKey = R"(# Every QuickFIX/C++ key.
[DEFAULT]
ConnectionType=acceptor
HeartBtInt=30
SocketUseSSL=Y
ServerCertificateFile=@CERTS@/server.pem
ServerCertificateKeyFile=@CERTS@/server.key
ClientCertificateFile=@CERTS@/client.pem
ClientCertificateKeyFile=@CERTS@/client.key
CertificationAuthoritiesFile=@CERTS@/ca.pem
CertificationAuthoritiesDirectory=@CERTS@
CertificateRevocationListFile=@CERTS@/revoked.crl
CertificateRevocationListDirectory=@CERTS@
CertificateVerifyLevel=1
SSLProtocol=all -SSLv2 -SSLv3
SSLCipherSuite=HIGH:!aNULL
TLSCipherSuites=TLS_AES_256_GCM_SHA384
FileStorePath=@DIR@/store
FileLogPath=@DIR@/log
FileLogBackupPath=@DIR@/log-backup
UseDataDictionary=Y
ValidateLengthAndChecksum=Y
ValidateFieldsOutOfOrder=Y
ValidateFieldsHaveValues=Y
ValidateUserDefinedFields=N
AllowUnknownMsgFields=N
PreserveMessageFieldsOrder=Y
CheckCompID=Y
CheckLatency=Y
MaxLatency=120
LogonTimeout=10
LogoutTimeout=2
ResetOnLogon=N
ResetOnLogout=N
ResetOnDisconnect=N
RefreshOnLogon=N
PersistMessages=Y
SendRedundantResendRequests=N
SendResetSeqNumFlag=N
SendNextExpectedMsgSeqNum=N
MillisecondsInTimeStamp=Y
TimestampPrecision=6
UseLocalTime=N
SocketNodelay=Y
SocketReuseAddress=Y
SocketSendBufferSize=262144
SocketReceiveBufferSize=262144
HttpAcceptPort=9911
ScreenLogShowIncoming=N
ScreenLogShowOutgoing=N
ScreenLogShowEvents=Y
LogonTime=00:00:00
LogoutTime=23:59:59
LogonDay=Sun
LogoutDay=Sat
HostSelectionPolicy=ROUND_ROBIN
HostSelectionPolicyPriorityStartOverInterval=30
AllowedRemoteAddresses=127.0.0.1
MySQLStoreDatabase=quickfix
MySQLStoreUser=fix
MySQLStorePassword=secret
MySQLStoreHost=db
MySQLStorePort=3306
MySQLStoreUseConnectionPool=N
MySQLLogDatabase=quickfix
MySQLLogUser=fix
MySQLLogPassword=secret
MySQLLogHost=db
MySQLLogPort=3306
MySQLLogUseConnectionPool=N
MySQLLogIncomingTable=messages_log
MySQLLogOutgoingTable=messages_log
MySQLLogEventTable=event_log
OdbcStoreUser=fix
OdbcStorePassword=secret
OdbcStoreConnectionString=DSN=quickfix
OdbcLogUser=fix
OdbcLogPassword=secret
OdbcLogConnectionString=DSN=quickfix
OdbcLogIncomingTable=messages_log
OdbcLogOutgoingTable=messages_log
OdbcLogEventTable=event_log
PostgreSQLStoreDatabase=quickfix
PostgreSQLStoreUser=fix
PostgreSQLStorePassword=secret
PostgreSQLStoreHost=db
PostgreSQLStorePort=5432
PostgreSQLStoreUseConnectionPool=N
PostgreSQLLogDatabase=quickfix
PostgreSQLLogUser=fix
PostgreSQLLogPassword=secret
PostgreSQLLogHost=db
PostgreSQLLogPort=5432
PostgreSQLLogUseConnectionPool=N
PostgreSQLLogIncomingTable=messages_log
PostgreSQLLogOutgoingTable=messages_log
PostgreSQLLogEventTable=event_log

[SESSION]
BeginString=FIX.4.4
SenderCompID=GW
TargetCompID=CLIENT
DataDictionary=@DICT@/FIX44.xml
SocketAcceptPort=0
NonStopSession=Y

[SESSION]
ConnectionType=initiator
BeginString=FIXT.1.1
SenderCompID=GW2
TargetCompID=LP
SessionQualifier=Q1
DefaultApplVerID=FIX.5.0SP2
TransportDataDictionary=@DICT@/FIX50SP2.xml
AppDataDictionary=@DICT@/FIX50SP2.xml
SocketConnectHost=127.0.0.1
SocketConnectPort=@PEER_PORT@
SocketConnectSourceHost=127.0.0.1
SocketConnectSourcePort=0
ReconnectInterval=1
NonStopSession=N
StartTime=00:00:00
EndTime=23:59:59
StartDay=@START_DAY@
EndDay=@END_DAY@
)";

engine::TlsConfig tls(const std::string& who) {
  return engine::TlsConfig{.enabled = true,
                           .certificate_file = certs().path(who + ".pem"),
                           .private_key_file = certs().path(who + ".key"),
                           .ca_file = certs().path("ca.pem"),
                           .verify_peer = true,
                           .min_protocol = "TLSv1.2",
                           .cipher_list = ""};
}

TEST(FixgatedSettings, AFileWithEveryQuickFixCppKeyRunsAndWarnsOncePerIgnoredKey) {
  TempDir dir("fixgated-every-key");
  // fixgated's initiator logs on to this TLS acceptor.
  engine::SessionManager peer;
  engine::SessionOptions pc;
  pc.session.id = {.begin_string = "FIXT.1.1", .sender_comp_id = "LP", .target_comp_id = "GW2"};
  pc.session.role = session::Role::kAcceptor;
  pc.accept = {"127.0.0.1", 0};
  pc.tls = tls("server");
  ASSERT_TRUE(peer.initialize_session(pc).is_ok());
  ASSERT_TRUE(peer.start_session().is_ok());

  std::string config = kEveryCppKey;
  for (auto [from, to] : {std::pair<std::string, std::string>{"@CERTS@", certs().dir()},
                          {"@DIR@", dir.path},
                          {"@DICT@", FIXGATE_DICT_DIR},
                          {"@PEER_PORT@", std::to_string(peer->local_port())},
                          {"@START_DAY@", weekday(-1)},
                          {"@END_DAY@", weekday(1)}})
    config = replace_all(config, from, to);
  // The file really has every QuickFIX/C++ key.
  const auto cpp_keys = quickfix_cpp_keys();
  ASSERT_GT(cpp_keys.size(), 100u);
  for (const auto& key : cpp_keys)
    EXPECT_NE(config.find("\n" + key + "="), std::string::npos) << key << " missing from the file";

  Child d(fixgated({"--config", write_file(dir.path + "/quickfix.cfg", config), "--app", "echo"}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  // One warning per key that has no effect, naming it; nothing else is warned about.
  size_t ignored = 0;
  for (const auto& key : cpp_keys) {
    const bool no_effect = gateway::find_key(key)->effect == gateway::Effect::kIgnored;
    ignored += no_effect;
    EXPECT_EQ(startup.count(": " + key + ": no effect: "), no_effect ? 1u : 0u) << key;
  }
  EXPECT_GT(ignored, 40u);
  EXPECT_EQ(startup.count("fixgated: warning: "), ignored) << startup.text();

  // Both sessions log on over TLS; the acceptor validates with FIX44.xml and echoes.
  EXPECT_TRUE(peer->wait_for_status(SessionStatus::kActive, 10s));
  engine::SessionManager client;
  engine::SessionOptions cc = client_config(startup.ports["FIX.4.4:GW->CLIENT"]);
  cc.tls = tls("client");
  ASSERT_TRUE(log_on(client, cc));
  ASSERT_TRUE(client
                  ->send("D",
                                "11=ALL-KEYS\x01"
                                "21=1\x01"
                                "55=IBM\x01"
                                "54=1\x01"
                                "60=20260101-12:00:00\x01"
                                "38=100\x01"
                                "40=1\x01")
                  .is_ok());
  auto echo = client->receive(10s);
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->msg_type, "D");
  EXPECT_EQ(field(*echo, tag::ClOrdID), "ALL-KEYS");
  // SendingTime in microseconds: TimestampPrecision=6 won over MillisecondsInTimeStamp=Y.
  EXPECT_EQ(field(*echo, tag::SendingTime).size(), std::string("20260101-12:00:00.000000").size());
  // The file store and the logs are where the file says.
  EXPECT_TRUE(std::filesystem::is_directory(dir.path + "/store/FIX.4.4-GW-CLIENT"));
  EXPECT_TRUE(std::filesystem::exists(dir.path + "/log/FIX.4.4-GW-CLIENT.messages.current.log"));

  d.signal(SIGTERM);
  EXPECT_TRUE(client->wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_TRUE(peer->wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(client->stats().logouts, 1u);
  EXPECT_EQ(d.wait(10s), 0);
}

constexpr const char* kAcceptor = R"([DEFAULT]
ConnectionType=acceptor
HeartBtInt=30
SocketAcceptAddress=127.0.0.1
SocketAcceptPort=0
FileStorePath=@DIR@/store
FileLogPath=@DIR@/log

[SESSION]
BeginString=FIX.4.4
SenderCompID=GW
TargetCompID=CLIENT
)";

TEST(FixgatedSettings, ThreeTyposAreAllReportedWithSuggestionsInOneRun) {
  TempDir dir("fixgated-typos");
  std::string config = replace_all(kAcceptor, "@DIR@", dir.path);
  config = replace_all(config, "HeartBtInt=30", "HeartBeatInt=30");  // line 3
  config = replace_all(config, "FileLogPath=", "FileLogPth=");       // line 7
  config += "ResetOnLogin=Y\n";                                      // line 13
  const std::string path = write_file(dir.path + "/typos.cfg", config);
  Child d(fixgated({"--config", path}));
  std::vector<std::string> lines;
  for (std::string line = d.read_line(10s); !line.empty(); line = d.read_line(10s))
    lines.push_back(line);
  EXPECT_EQ(lines,
            (std::vector<std::string>{
                "fixgated: " + path + ":3: HeartBeatInt: unknown key (did you mean HeartBtInt?)",
                "fixgated: " + path + ":7: FileLogPth: unknown key (did you mean FileLogPath?)",
                "fixgated: " + path + ":13: ResetOnLogin: unknown key (did you mean ResetOnLogon?)",
                "fixgated: " + path + ": 3 error(s)"}));
  EXPECT_EQ(d.wait(10s), 2);
  EXPECT_EQ(tree(dir.path).size(), 1u);  // nothing but the settings file
}

// fixgated --check on `path`: its exit code and lines.
std::pair<int, std::vector<std::string>> check(const std::string& path) {
  Child c(fixgated({"--config", path, "--check"}));
  std::vector<std::string> lines;
  for (std::string line = c.read_line(10s); !line.empty(); line = c.read_line(10s))
    lines.push_back(line);
  return {c.wait(10s), lines};
}

TEST(FixgatedSettings, CheckCreatesNothingAndWorksWhileTheDaemonRuns) {
  TempDir dir("fixgated-check");
  for (std::string store : {"file", "sqlite"}) {
    std::filesystem::remove_all(dir.path + "/store");
    std::filesystem::remove_all(dir.path + "/log");
    const std::string path =
        write_file(dir.path + "/f.cfg",
                   replace_all(kAcceptor, "@DIR@", dir.path) + "StoreType=" + store + "\n");
    const auto before = tree(dir.path);
    auto [rc, lines] = check(path);
    EXPECT_EQ(rc, 0) << store;
    EXPECT_EQ(lines, std::vector<std::string>{"fixgated: " + path + ": 1 session(s), OK"});
    EXPECT_EQ(tree(dir.path), before) << store << ": --check created files";

    // Beside the running daemon, which holds its stores open.
    Child d(fixgated({"--config", path, "--app", "echo"}));
    auto startup = read_startup(d);
    ASSERT_TRUE(startup.running) << startup.text();
    engine::SessionManager client;
    ASSERT_TRUE(log_on(client, client_config(startup.ports["FIX.4.4:GW->CLIENT"])));
    const auto running = tree(dir.path);
    EXPECT_GT(running.size(), before.size());  // the daemon made its store and logs
    auto [rc_running, lines_running] = check(path);
    EXPECT_EQ(rc_running, 0) << store;
    EXPECT_EQ(lines_running.size(), 1u);
    EXPECT_EQ(tree(dir.path), running) << store;
    // And the daemon did not notice.
    ASSERT_TRUE(client
                    ->send("D",
                                  "11=AFTER-CHECK\x01"
                                  "55=IBM\x01")
                    .is_ok());
    auto echo = client->receive(10s);
    ASSERT_TRUE(echo);
    EXPECT_EQ(field(*echo, tag::ClOrdID), "AFTER-CHECK");
    d.signal(SIGTERM);
    EXPECT_EQ(d.wait(10s), 0);
  }
}

TEST(FixgatedSettings, CheckReportsEveryProblemOfTheMachineWithoutCreatingAnything) {
  TempDir dir("fixgated-check-bad");
  write_file(dir.path + "/plain-file", "in the way");
  std::string config = replace_all(kAcceptor, "@DIR@/store", dir.path + "/plain-file/store");
  config = replace_all(config, "@DIR@/log", dir.path + "/plain-file/log");
  config += "SocketUseSSL=Y\nServerCertificateFile=" + dir.path + "/missing.pem\n" +
            "CertificateVerifyLevel=0\n";
  const std::string path = write_file(dir.path + "/f.cfg", config);
  const auto before = tree(dir.path);
  auto [rc, lines] = check(path);
  EXPECT_EQ(rc, 2);
  const std::string not_dir = dir.path + "/plain-file is not a directory";
  EXPECT_EQ(lines, (std::vector<std::string>{"fixgated: " + path + ":6: FileStorePath: " + not_dir,
                                             "fixgated: " + path + ":7: FileLogPath: " + not_dir,
                                             "fixgated: " + path + ":14: ServerCertificateFile: " +
                                                 dir.path + "/missing.pem is not readable",
                                             "fixgated: " + path + ": 3 error(s)"}));
  EXPECT_EQ(tree(dir.path), before);
}

TEST(FixgatedSettings, ReconnectIntervalIsFixedAndEveryWaitIsLogged) {
  TempDir dir("fixgated-reconnect");
  // Port 1 on loopback: nothing listens there, every attempt is refused at once.
  const std::string config =
      "[SESSION]\nConnectionType=initiator\nBeginString=FIX.4.4\nSenderCompID=A\n"
      "TargetCompID=B\nHeartBtInt=30\nSocketConnectHost=127.0.0.1\nSocketConnectPort=1\n"
      "ReconnectInterval=1\n";
  Child d(fixgated({"--config", write_file(dir.path + "/f.cfg", config)}));
  // QuickFIX's meaning: ReconnectInterval alone is a fixed interval, no backoff, no jitter.
  EXPECT_TRUE(saw_line(d, "[FIX.4.4:A->B] next attempt in 1 s"));
  EXPECT_TRUE(saw_line(d, "[FIX.4.4:A->B] next attempt in 1 s"));
  d.signal(SIGTERM);
  EXPECT_EQ(d.wait(10s), 0);
}

TEST(FixgatedSettings, ListKeysPrintsTheKeyTable) {
  Child d(fixgated({"--list-keys"}));
  size_t rows = 0;
  bool cpp_spelling = false, j_spelling = false;
  for (std::string line = d.read_line(10s); !line.empty(); line = d.read_line(10s)) {
    rows += line.rfind("| `", 0) == 0;
    cpp_spelling |= line.rfind("| `TimestampPrecision` | C++ |", 0) == 0;
    j_spelling |= line.rfind("| `TimeStampPrecision` | J |", 0) == 0;
  }
  EXPECT_EQ(rows, gateway::setting_keys().size());
  EXPECT_TRUE(cpp_spelling);
  EXPECT_TRUE(j_spelling);
  EXPECT_EQ(d.wait(10s), 0);
}

}  // namespace
}  // namespace fixgate
