// fixgate against jspurefix (npm, TypeScript), over real loopback TCP: a jspurefix initiator
// sends 1,000 NewOrderSingles to a fixgate acceptor that validates them against FIX44.xml and
// echoes them; jspurefix checks every echo in order, then logs out.
#include <gtest/gtest.h>

#include "../support/process.h"
#include "fixgate/dict/groups.h"
#include "fixgate/engine/session_manager.h"

namespace fixgate::engine {
namespace {

using fixgate::testing::Child;
using namespace std::chrono_literals;
using session::SessionStatus;

constexpr int kOrders = 1000;

TEST(JspurefixInterop, JspurefixInitiatorAgainstFixgateAcceptor) {
  const std::string dict_path = std::string(FIXGATE_DICT_DIR) + "/FIX44.xml";
  auto dictionary = dict::Dictionary::load_file(dict_path);
  ASSERT_TRUE(dictionary) << dictionary.error();
  SessionManager fg;
  SessionOptions c;
  c.session.id = {"FIX.4.4", "FG", "JS"};
  c.session.role = session::Role::kAcceptor;
  c.session.data_dictionary = *dictionary;  // every order is validated
  c.accept = {"127.0.0.1", 0};
  ASSERT_TRUE(fg.initialize_session(c).is_ok());
  fg->on("D", [&fg](const codec::Message& m) { (void)fg->send("D", dict::body_fields(m)); });
  ASSERT_TRUE(fg.start_session().is_ok());

  Child js({FIXGATE_NODE, FIXGATE_JSPUREFIX_PEER, FIXGATE_JSPUREFIX_MODULES,
            std::to_string(fg->local_port()), dict_path, "JS", "FG", std::to_string(kOrders)});
  EXPECT_EQ(js.read_line(90s), "DONE " + std::to_string(kOrders));
  EXPECT_EQ(js.wait(30s), 0);  // jspurefix checked every echo, in order, and logged out
  EXPECT_TRUE(fg->wait_for_status(SessionStatus::kDisconnected, 10s));
  const auto stats = fg->stats();
  EXPECT_EQ(stats.rejects_sent, 0u);  // jspurefix's orders are valid FIX 4.4 to fixgate
  EXPECT_EQ(stats.logouts, 1u);
  EXPECT_GE(stats.messages_received, static_cast<uint64_t>(kOrders));
}

}  // namespace
}  // namespace fixgate::engine
