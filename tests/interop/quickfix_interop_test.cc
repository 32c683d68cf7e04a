// fixgate against QuickFIX/C++ 1.15 (Debian's libquickfix), over real loopback TCP, both ways:
// 10,000 orders each way with every echo checked, then the logout handshake.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "../support/process.h"
#include "fixgate/codec/encoder.h"
#include "fixgate/dict/dictionary.h"
#include "fixgate/engine/session_manager.h"
#include "orders.h"

namespace fixgate::engine {
namespace {

using fixgate::testing::Child;
using fixgate::testing::free_port;
using fixgate::testing::TempDir;

using namespace std::chrono_literals;
using session::SessionStatus;

constexpr int kOrders = 10000;
const std::string kDict = std::string(FIXGATE_DICT_DIR) + "/FIX44.xml";

TEST(QuickFixInterop, FixgateInitiatorAgainstQuickFixAcceptor) {
  const uint16_t port = free_port();
  TempDir dir("qf-acceptor");
  Child qf({FIXGATE_QUICKFIX_PEER, "acceptor", std::to_string(port), dir.path, kDict, "QF", "FG"});
  ASSERT_EQ(qf.read_line(10s), "READY");

  SessionManager fg;
  ManagerConfig c;
  c.session.id = {"FIX.4.4", "FG", "QF"};
  c.session.role = session::Role::kInitiator;
  c.connect = {{"127.0.0.1", port}};
  c.reconnect.initial = 100ms;
  ASSERT_TRUE(fg.initialize_session(c).is_ok());
  ASSERT_TRUE(fg.start_session().is_ok());
  ASSERT_TRUE(fg.wait_for_status(SessionStatus::kActive, 10s));
  for (int i = 0; i < kOrders; ++i)
    ASSERT_TRUE(fg.send_message("D", order_body("ORD-" + std::to_string(i))).is_ok());
  for (int i = 0; i < kOrders; ++i) {
    auto echo = fg.receive_message(10s);
    ASSERT_TRUE(echo) << "echo " << i << " missing";
    codec::Message m;
    ASSERT_TRUE(m.parse(echo->bytes).ok());
    ASSERT_EQ(m.get(tag::ClOrdID).value_or(""), "ORD-" + std::to_string(i));
    ASSERT_EQ(m.msg_type(), "D");
  }
  EXPECT_EQ(fg.session_stats().rejects_received, 0u);
  ASSERT_TRUE(fg.request_logoff(5s).is_ok());  // QuickFIX answers our Logout
  EXPECT_EQ(fg.session_status(), SessionStatus::kDisconnected);
  qf.close_stdin();
  EXPECT_EQ(qf.wait(10s), 0);
}

TEST(QuickFixInterop, QuickFixInitiatorAgainstFixgateAcceptor) {
  SessionManager fg;
  ManagerConfig c;
  c.session.id = {"FIX.4.4", "FG", "QF"};
  c.session.role = session::Role::kAcceptor;
  c.accept = {"127.0.0.1", 0};
  ASSERT_TRUE(fg.initialize_session(c).is_ok());
  fg.on("D", [&fg](const codec::Message& m) { (void)fg.send_message("D", dict::body_fields(m)); });
  ASSERT_TRUE(fg.start_session().is_ok());

  TempDir dir("qf-initiator");
  Child qf({FIXGATE_QUICKFIX_PEER, "initiator", std::to_string(fg.local_port()), dir.path, kDict,
            "QF", "FG", std::to_string(kOrders)});
  EXPECT_EQ(qf.read_line(90s), "DONE " + std::to_string(kOrders));
  EXPECT_EQ(qf.wait(30s), 0);  // QuickFIX checked every echo, in order
  EXPECT_TRUE(fg.wait_for_status(SessionStatus::kDisconnected, 10s));  // it logged out
  EXPECT_EQ(fg.session_stats().rejects_sent, 0u);
  EXPECT_GE(fg.session_stats().messages_received, static_cast<uint64_t>(kOrders));
}

}  // namespace
}  // namespace fixgate::engine
