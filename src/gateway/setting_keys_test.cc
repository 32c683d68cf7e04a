// The key table: every QuickFIX key known, defaults that agree with the structs, typos found,
// every error of a file in one run, QuickFIX's spellings and meanings.
#include "fixgate/gateway/setting_keys.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fixgate/gateway/settings.h"
#include "settings_test_util.h"

namespace fixgate::gateway {
namespace {

using namespace std::chrono_literals;

// quickfix_settings_keys.txt: "Key  C++,J" lines, collected from both QuickFIX sources.
std::vector<std::pair<std::string, std::string>> quickfix_keys() {
  std::ifstream in(std::string(FIXGATE_SOURCE_DIR) + "/src/gateway/quickfix_settings_keys.txt");
  std::vector<std::pair<std::string, std::string>> keys;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string key, engines;
    words >> key >> engines;
    keys.emplace_back(key, engines);
  }
  return keys;
}

TEST(SettingKeysTest, TableIsInOrderWithoutDuplicates) {
  auto keys = setting_keys();
  for (size_t i = 1; i < keys.size(); ++i)
    EXPECT_LT(keys[i - 1].name, keys[i].name) << "out of order or twice: " << keys[i].name;
}

TEST(SettingKeysTest, EveryQuickFixKeyIsKnownWithWhoDefinesIt) {
  auto keys = quickfix_keys();
  ASSERT_GT(keys.size(), 200u);  // the list was read
  for (const auto& [name, engines] : keys) {
    const KeyDef* k = find_key(name);
    ASSERT_NE(k, nullptr) << name;
    EXPECT_EQ(k->name, name);
    EXPECT_EQ((k->origin & kQuickFixCpp) != 0, engines.find("C++") != std::string::npos) << name;
    EXPECT_EQ((k->origin & kQuickFixJ) != 0, engines.find('J') != std::string::npos) << name;
  }
}

TEST(SettingKeysTest, EveryEntryExplainsItselfAndSpellingsPointAtRealKeys) {
  for (const KeyDef& k : setting_keys()) {
    EXPECT_FALSE(k.doc.empty()) << k.name;
    EXPECT_NE(k.origin, 0) << k.name;
    if (k.same_as.empty()) continue;
    const KeyDef* target = find_key(k.same_as);
    ASSERT_NE(target, nullptr) << k.name;
    EXPECT_TRUE(target->same_as.empty()) << k.name << ": a spelling of a spelling";
    EXPECT_FALSE(k.session.read) << k.name << ": read as " << k.same_as << ", not itself";
  }
}

// A default shown in the table is what the key's reader would store: reading it back into the
// baseline changes nothing.
TEST(SettingKeysTest, ShownDefaultsReadBackToTheStructDefaults) {
  const SessionSetup& baseline = session_defaults();
  const DaemonOptions daemon_baseline;
  int checked = 0;
  for (const KeyDef& k : setting_keys()) {
    if (k.session.read && k.session.show) {
      SessionSetup copy = baseline;
      Setting s{k.session.show(baseline), "x.cfg", 1, std::string(k.name)};
      ASSERT_TRUE(k.session.read(s, copy)) << k.name << "=" << s.value;
      EXPECT_EQ(k.session.show(copy), s.value) << k.name;
      ++checked;
    }
    if (k.daemon.read && k.daemon.show) {
      DaemonOptions copy = daemon_baseline;
      Setting s{k.daemon.show(daemon_baseline), "x.cfg", 1, std::string(k.name)};
      ASSERT_TRUE(k.daemon.read(s, copy)) << k.name;
      EXPECT_EQ(k.daemon.show(copy), s.value) << k.name;
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);
  // The defaults are the structs' (QuickFIX's where they differ, in session_defaults()).
  EXPECT_EQ(find_key("HeartBtInt")->session.show(baseline), "30");
  EXPECT_EQ(find_key("LogonTimeout")->session.show(baseline), "10");
  EXPECT_EQ(find_key("ReconnectInterval")->session.show(baseline), "30");
  EXPECT_EQ(find_key("TimeStampPrecision")->session.show(baseline), "3");
  EXPECT_EQ(find_key("FsyncPolicy")->session.show(baseline), "batch");
}

TEST(SettingKeysTest, FindsKeysInAnyCaseAndNumberedAlternates) {
  EXPECT_EQ(find_key("socketnodelay")->name, "SocketNodelay");  // QuickFIX/C++ ignores case
  EXPECT_EQ(find_key("SocketConnectHost2")->name, "SocketConnectHost");
  EXPECT_EQ(find_key("SocketConnectHostX"), nullptr);
  EXPECT_EQ(find_key("NoSuchKey"), nullptr);
  EXPECT_EQ(closest_key("HeartBeatInt"), "HeartBtInt");
  EXPECT_EQ(closest_key("SocketAcceptPrt"), "SocketAcceptPort");
  EXPECT_EQ(closest_key("ResetOnLogin"), "ResetOnLogon");
  EXPECT_EQ(closest_key("FileStorPath"), "FileStorePath");
  EXPECT_EQ(closest_key("Frobnicate"), "");
}

TEST(SettingKeysTest, MarkdownHasARowPerKeyWithItsDefault) {
  const std::string md = keys_markdown();
  size_t rows = 0;
  for (char c : md) rows += c == '\n';
  EXPECT_EQ(rows, setting_keys().size() + 2);  // header and rule
  EXPECT_NE(md.find("| `HeartBtInt` | C++, J | any | honoured: "), std::string::npos);
  EXPECT_NE(md.find("| `EngineThreads` | fixgate | [DEFAULT] only | honoured: "),
            std::string::npos);
  EXPECT_NE(md.find("| `ScreenLogShowIncoming` | C++, J | any | ignored, with a warning: "),
            std::string::npos);
  // "<FileStorePath>" would vanish as an HTML tag.
  EXPECT_NE(md.find("sqlite (&lt;FileStorePath&gt;/fixgate.db)"), std::string::npos);
  EXPECT_EQ(md.find("<"), std::string::npos);
}

TEST(SettingKeysTest, IgnoredKeysWarnOncePerFileNamingLineAndReason) {
  auto s = Settings::parse(
      "[DEFAULT]\nScreenLogShowIncoming=Y\n[SESSION]\nBeginString=FIX.4.4\n"
      "ScreenLogShowIncoming=N\nHttpAcceptPort=8080\n",
      "x.cfg");
  ASSERT_TRUE(s) << s.error();
  ASSERT_EQ(s->warnings().size(), 2u);
  EXPECT_EQ(s->warnings()[0].rfind("x.cfg:2: ScreenLogShowIncoming: no effect: fixgated prints", 0),
            0u)
      << s->warnings()[0];
  EXPECT_EQ(s->warnings()[1].rfind("x.cfg:6: HttpAcceptPort: no effect: ", 0), 0u);
}

TEST(SettingKeysTest, EveryErrorOfAFileIsReportedInOneRun) {
  Settings s = Settings::read(
      "[DEFAULT]\nHeartBeatInt=30\nSocketAcceptPrt=0\n[SESSION]\nResetOnLogin=Y\n"
      "just words\nBusyPollMicros=5\n",
      "x.cfg");
  EXPECT_EQ(s.errors(),
            (std::vector<std::string>{
                "x.cfg:2: HeartBeatInt: unknown key (did you mean HeartBtInt?)",
                "x.cfg:3: SocketAcceptPrt: unknown key (did you mean SocketAcceptPort?)",
                "x.cfg:5: ResetOnLogin: unknown key (did you mean ResetOnLogon?)",
                "x.cfg:6: expected Key=Value",
                "x.cfg:7: BusyPollMicros: engine-wide, set it in [DEFAULT]",
            }));
  // Values too: each bad one of a session, not only the first.
  auto bad = Settings::parse(
      "[SESSION]\nConnectionType=acceptor\nBeginString=FIX.4.4\nSenderCompID=A\nTargetCompID=B\n"
      "SocketAcceptPort=70000\nHeartBtInt=soon\nResetOnLogon=maybe\n",
      "x.cfg");
  ASSERT_TRUE(bad);
  EXPECT_EQ(to_session_setup(bad->sessions()[0]).error(),
            "x.cfg:7: HeartBtInt: 'soon' is not a whole number\n"
            "x.cfg:8: ResetOnLogon: 'maybe' is not Y or N\n"
            "x.cfg:6: SocketAcceptPort: 70000 is outside 0..65535");
}

TEST(SettingKeysTest, BothEnginesSpellingsOfAKeyAreOneKey) {
  EXPECT_EQ(acceptor_with("TimestampPrecision=6\n")->manager.session.timestamp_precision,
            codec::TimePrecision::kMicros);  // QuickFIX/C++
  EXPECT_EQ(acceptor_with("TimeStampPrecision=9\n")->manager.session.timestamp_precision,
            codec::TimePrecision::kNanos);  // QuickFIX/J
  EXPECT_FALSE(acceptor_with("SocketTcpNoDelay=N\n")->manager.tcp_nodelay);
  EXPECT_TRUE(acceptor_with("SendNextExpectedMsgSeqNum=Y\n")
                  ->manager.session.enable_next_expected_msg_seq_num);
  auto both = Settings::parse("[SESSION]\nTimestampPrecision=6\nTimeStampPrecision=9\n", "x.cfg");
  EXPECT_EQ(both.error(),
            "x.cfg:3: TimeStampPrecision: set twice in one section (as TimestampPrecision on line "
            "2)");
  // MillisecondsInTimeStamp, QuickFIX/C++'s older key, unless TimestampPrecision is set.
  EXPECT_EQ(acceptor_with("MillisecondsInTimeStamp=N\n")->manager.session.timestamp_precision,
            codec::TimePrecision::kSeconds);
  EXPECT_EQ(acceptor_with("MillisecondsInTimeStamp=N\nTimestampPrecision=6\n")
                ->manager.session.timestamp_precision,
            codec::TimePrecision::kMicros);
}

TEST(SettingKeysTest, SocketBufferSizesAreHonoured) {
  auto s = acceptor_with("SocketSendBufferSize=262144\nSocketReceiveBufferSize=131072\n");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->manager.socket_send_buffer_size, 262144);
  EXPECT_EQ(s->manager.socket_receive_buffer_size, 131072);
  EXPECT_EQ(acceptor_with("")->manager.socket_send_buffer_size, 0);  // the kernel's
}

TEST(SettingKeysTest, DefaultApplVerIdTakesTheCodeOrTheNameAndKeepsTheCode) {
  EXPECT_EQ(acceptor_with("DefaultApplVerID=9\n", "FIXT.1.1")->manager.session.default_appl_ver_id,
            "9");
  EXPECT_EQ(acceptor_with("DefaultApplVerID=FIX.5.0SP2\n", "FIXT.1.1")
                ->manager.session.default_appl_ver_id,
            "9");
  EXPECT_EQ(
      acceptor_with("DefaultApplVerID=FIX.4.4\n", "FIXT.1.1")->manager.session.default_appl_ver_id,
      "6");
  EXPECT_EQ(acceptor_with("DefaultApplVerID=FIX.5.0SP9\n", "FIXT.1.1").error(),
            "x.cfg:7: DefaultApplVerID: 'FIX.5.0SP9' is neither an ApplVerID code (2-9) nor a "
            "version name (FIX.5.0SP2)");
}

TEST(SettingKeysTest, ReconnectIntervalAloneIsFixedAsInQuickFix) {
  auto quickfix_default = initiator_with("");
  ASSERT_TRUE(quickfix_default) << quickfix_default.error();
  const engine::ReconnectPolicy& d = quickfix_default->manager.reconnect;
  EXPECT_EQ(d.initial, 30s);
  EXPECT_EQ(d.max, 30s);
  EXPECT_EQ(d.multiplier, 1.0);
  EXPECT_EQ(d.jitter, 0.0);
  auto fixed = initiator_with("ReconnectInterval=5\n");
  EXPECT_EQ(fixed->manager.reconnect.initial, 5s);
  EXPECT_EQ(fixed->manager.reconnect.max, 5s);
  // Backoff only with ReconnectMaxInterval, with the engine's multiplier and jitter.
  auto backoff = initiator_with("ReconnectInterval=1\nReconnectMaxInterval=60\n");
  const engine::ReconnectPolicy& b = backoff->manager.reconnect;
  EXPECT_EQ(b.initial, 1s);
  EXPECT_EQ(b.max, 60s);
  EXPECT_EQ(b.multiplier, engine::ReconnectPolicy{}.multiplier);
  EXPECT_EQ(b.jitter, engine::ReconnectPolicy{}.jitter);
  EXPECT_EQ(initiator_with("ReconnectMultiplier=3\n").error(),
            "x.cfg:9: ReconnectMultiplier: only with ReconnectMaxInterval (ReconnectInterval alone "
            "is a fixed interval)");
  EXPECT_EQ(initiator_with("ReconnectInterval=10\nReconnectMaxInterval=5\n").error(),
            "x.cfg:10: ReconnectMaxInterval: is below ReconnectInterval");
}

TEST(SettingKeysTest, SslProtocolTakesQuickFixLists) {
  auto min_of = [](const std::string& value) {
    auto s = acceptor_with(
        "SocketUseSSL=Y\nServerCertificateFile=/s.pem\nCertificateVerifyLevel=0\n"
        "SSLProtocol=" +
        value + "\n");
    return s ? s->manager.tls.min_protocol : s.error();
  };
  EXPECT_EQ(min_of("all -SSLv2"), "TLSv1.2");
  EXPECT_EQ(min_of("+TLSv1_3"), "TLSv1.3");
  EXPECT_EQ(min_of("TLSv1.2 TLSv1.3"), "TLSv1.2");
  EXPECT_EQ(min_of("all -TLSv1_2"), "TLSv1.3");
  EXPECT_EQ(min_of("+SSLv3 +TLSv1"),
            "x.cfg:10: SSLProtocol: enables neither TLSv1.2 nor TLSv1.3 (fixgate's only)");
  EXPECT_EQ(min_of("TLSv9"), "x.cfg:10: SSLProtocol: unknown protocol 'TLSV9'");
}

TEST(SettingKeysTest, AppKeyChoosesTheSessionsApplication) {
  EXPECT_EQ(acceptor_with("App=echo\n")->app, "echo");
  EXPECT_EQ(acceptor_with("App=none\n")->app, "none");
  EXPECT_EQ(acceptor_with("")->app, "");  // fixgated's --app decides
  EXPECT_EQ(acceptor_with("App=reflect\n").error(),
            "x.cfg:7: App: 'reflect' is not one of echo, none");
}

}  // namespace
}  // namespace fixgate::gateway
