// fixgated and the signals a service manager sends: SIGHUP reopens the log files (rotation),
// SIGPIPE does not kill it. (SIGTERM and SIGINT log out: fixgated_test.cc.)
#include <gtest/gtest.h>

#include "fixgated_helpers.h"

namespace fixgate {
namespace {

using namespace std::chrono_literals;

using namespace fixgate::testing;  // the helpers of fixgated_helpers.h
using session::SessionStatus;

std::string config_logging_to(const std::string& log_dir) {
  return "[DEFAULT]\nConnectionType=acceptor\nHeartBtInt=30\nSocketAcceptAddress=127.0.0.1\n"
         "SocketAcceptPort=0\nFileLogPath=" +
         log_dir + "\n\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=GW\nTargetCompID=CLIENT\n";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Sends an order and waits for its echo, which fixgated logs (inbound and outbound) before it
// writes the echo to the socket.
::testing::AssertionResult echoed(engine::SessionManager& client, const std::string& clordid) {
  if (!client->send("D", "11=" + clordid + "\x01" + "55=IBM\x01").is_ok())
    return ::testing::AssertionFailure() << "not sent";
  auto echo = client->receive(10s);
  if (!echo || field(*echo, tag::ClOrdID) != clordid)
    return ::testing::AssertionFailure() << "no echo of " << clordid;
  return ::testing::AssertionSuccess();
}

TEST(FixgatedSignals, SighupReopensTheLogFilesAfterRotation) {
  TempDir dir("fixgated-sighup");
  const std::string logs = dir.path + "/log";
  Child d(fixgated(
      {"--config", write_file(dir.path + "/f.cfg", config_logging_to(logs)), "--app", "echo"}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  engine::SessionManager client;
  ASSERT_TRUE(log_on(client, client_config(startup.ports["FIX.4.4:GW->CLIENT"])));
  ASSERT_TRUE(echoed(client, "BEFORE"));

  // logrotate's way: rename, then SIGHUP.
  const std::string messages = logs + "/FIX.4.4-GW-CLIENT.messages.current.log";
  const std::string events = logs + "/FIX.4.4-GW-CLIENT.event.current.log";
  std::filesystem::rename(messages, messages + ".1");
  std::filesystem::rename(events, events + ".1");
  d.signal(SIGHUP);
  ASSERT_TRUE(saw_line(d, "fixgated: SIGHUP: reopening log files"));
  ASSERT_TRUE(echoed(client, "AFTER"));

  const std::string old_messages = read_file(messages + ".1");
  const std::string new_messages = read_file(messages);
  EXPECT_NE(old_messages.find("11=BEFORE\x01"), std::string::npos);
  EXPECT_EQ(old_messages.find("11=AFTER\x01"), std::string::npos);
  // The order and its echo, each a line in the fresh file.
  EXPECT_EQ(std::count(new_messages.begin(), new_messages.end(), '\n'), 2) << new_messages;
  EXPECT_NE(new_messages.find("11=AFTER\x01"), std::string::npos);
  EXPECT_EQ(new_messages.find("11=BEFORE\x01"), std::string::npos);

  d.signal(SIGTERM);  // the logout's event lines go to the fresh event log
  EXPECT_TRUE(client->wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(d.wait(10s), 0);
  EXPECT_NE(read_file(events).find("LoggedOut"), std::string::npos);
  EXPECT_EQ(read_file(events + ".1").find("LoggedOut"), std::string::npos);
}

TEST(FixgatedSignals, ClosedStdoutDoesNotKillTheDaemon) {
  TempDir dir("fixgated-sigpipe");
  Child d(fixgated(
      {"--config", write_file(dir.path + "/f.cfg", config_logging_to(dir.path)), "--app", "echo"}));
  auto startup = read_startup(d);
  ASSERT_TRUE(startup.running) << startup.text();
  // Nobody reads fixgated's output any more (a log pipe that died); the logon below makes it
  // print event lines into the closed pipe: SIGPIPE, unless it is ignored.
  d.close_stdout();
  engine::SessionManager client;
  ASSERT_TRUE(log_on(client, client_config(startup.ports["FIX.4.4:GW->CLIENT"])));
  ASSERT_TRUE(echoed(client, "STILL-HERE"));
  ASSERT_TRUE(client->logout("").wait(10s).is_ok());  // more event lines
  client.stop_session();
  ASSERT_TRUE(client.start_session().is_ok());
  ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 10s));
  ASSERT_TRUE(echoed(client, "AND-STILL"));
  d.signal(SIGTERM);
  EXPECT_TRUE(client->wait_for_status(SessionStatus::kDisconnected, 10s));
  EXPECT_EQ(d.wait(10s), 0);  // a clean stop, not 128 + SIGPIPE
}

}  // namespace
}  // namespace fixgate
