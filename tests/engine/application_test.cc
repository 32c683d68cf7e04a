// QuickFIX-style Application callbacks over loopback TCP: on_create, on_logon, on_logout,
// to_admin, from_admin (refusing a Logon), to_app (veto), from_app (catch-all handler).
#include <gtest/gtest.h>

#include "../support/text_log.h"
#include "fixgate/engine/engine.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using session::SessionStatus;

using Calls = testing::TextLog;  // callback calls ("logon GW->ALICE" …), awaitable

std::string name(const session::SessionId& id) {
  return id.sender_comp_id + "->" + id.target_comp_id;
}

SessionOptions side(session::Role role, const std::string& us, const std::string& them,
                    uint16_t port) {
  SessionOptions c;
  c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = us, .target_comp_id = them};
  c.session.role = role;
  if (role == session::Role::kAcceptor) {
    c.accept = {"127.0.0.1", port};
  } else {
    c.connect = {{"127.0.0.1", port}};
    c.reconnect.initial = 50ms;
  }
  return c;
}

// The gateway: authenticates Logons by Username (from_admin), echoes every application message
// (from_app) and vetoes orders for the symbol BLOCKED (to_app).
Application gateway_app(Calls& calls) {
  Application app;
  app.on_create = [&](const session::SessionId& id) { calls.add("create " + name(id)); };
  app.on_logon = [&](const session::SessionId& id) { calls.add("logon " + name(id)); };
  app.on_logout = [&](const session::SessionId& id) { calls.add("logout " + name(id)); };
  app.from_admin = [&](const session::SessionId&,
                       const codec::Message& m) -> std::optional<std::string> {
    if (m.msg_type() == "A" && m.get(tag::Username) != "alice") return "unknown user";
    return std::nullopt;
  };
  app.to_app = [](const session::SessionId&, const codec::Message& m) {
    return m.get(tag::Symbol) != "BLOCKED";
  };
  return app;
}

// A client that puts `user` into its Logon with to_admin and records what it receives.
Application client_app(Calls& calls, std::string user) {
  Application app;
  app.to_admin = [user](const session::SessionId&, std::string_view type, codec::Encoder& e) {
    if (type == "A") e.field(tag::Username, user);
  };
  app.from_admin = [&](const session::SessionId&,
                       const codec::Message& m) -> std::optional<std::string> {
    if (m.msg_type() == "5")
      calls.add("client logout: " + std::string(m.get(tag::Text).value_or("")));
    return std::nullopt;
  };
  app.from_app = [&](const session::SessionId&, const codec::Message& m) {
    calls.add("client from_app " + std::string(m.msg_type()) + " " +
              std::string(m.get(tag::ClOrdID).value_or("")));
  };
  app.on_logout = [&](const session::SessionId& id) { calls.add("logout " + name(id)); };
  return app;
}

TEST(ApplicationTest, CallbacksFollowTheSessionLifecycle) {
  Calls calls;  // before the engines: they call into it until stopped
  Engine gw(EngineOptions{.threads = 1, .on_log = {}});
  auto g = gw.add_session(side(session::Role::kAcceptor, "GW", "ALICE", 0));
  ASSERT_TRUE(g);
  ASSERT_TRUE((*g)->set_application(gateway_app(calls)));
  EXPECT_EQ(calls.count("create GW->ALICE"), 1u);
  // from_app echoes: inside the callback, send() is a reply committed with the order.
  Application app = gateway_app(calls);
  SessionHandle* gh = *g;
  app.from_app = [&calls, gh](const session::SessionId&, const codec::Message& m) {
    calls.add("from_app " + std::string(m.msg_type()));
    std::string body = "11=" + std::string(m.get(tag::ClOrdID).value_or("")) + "\x01" +
                       "55=" + std::string(m.get(tag::Symbol).value_or("")) + "\x01";
    EXPECT_TRUE(gh->send("8", body));
  };
  ASSERT_TRUE(gh->set_application(app));
  ASSERT_TRUE(gw.start());
  EXPECT_FALSE(gh->set_application(app));  // started: too late

  Engine client(EngineOptions{.threads = 1, .on_log = {}});
  auto c = client.add_session(side(session::Role::kInitiator, "ALICE", "GW", gh->local_port()));
  ASSERT_TRUE(c);
  ASSERT_TRUE((*c)->set_application(client_app(calls, "alice")));
  ASSERT_TRUE(client.start());
  ASSERT_TRUE(calls.wait_for("logon GW->ALICE"));
  ASSERT_TRUE((*c)->wait_for_status(SessionStatus::kActive, 5s));

  ASSERT_TRUE((*c)->send("D",
                         "11=ORD-1\x01"
                         "55=IBM\x01"));
  EXPECT_TRUE(calls.wait_for("from_app D"));
  EXPECT_TRUE(calls.wait_for("client from_app 8 ORD-1"));
  // The gateway's to_app vetoes the echo of a BLOCKED order; the next one still goes through.
  ASSERT_TRUE((*c)->send("D",
                         "11=ORD-2\x01"
                         "55=BLOCKED\x01"));
  ASSERT_TRUE((*c)->send("D",
                         "11=ORD-3\x01"
                         "55=IBM\x01"));
  EXPECT_TRUE(calls.wait_for("client from_app 8 ORD-3"));
  EXPECT_EQ(calls.count("client from_app 8 ORD-2"), 0u);
  Status vetoed = gh->send("8",
                           "11=X\x01"
                           "55=BLOCKED\x01");
  EXPECT_FALSE(vetoed);
  EXPECT_NE(vetoed.message().find("vetoed"), std::string::npos);

  ASSERT_TRUE((*c)->logout("").wait(5s));
  EXPECT_TRUE(calls.wait_for("logout GW->ALICE"));
  EXPECT_TRUE(calls.wait_for("logout ALICE->GW"));
  EXPECT_EQ(calls.count("logon GW->ALICE"), 1u);
  client.stop();
  gw.stop();
}

TEST(ApplicationTest, FromAdminRefusesALogonWithAReason) {
  Calls calls;
  Engine gw(EngineOptions{.threads = 1, .on_log = {}});
  auto g = gw.add_session(side(session::Role::kAcceptor, "GW", "MALLORY", 0));
  ASSERT_TRUE(g);
  ASSERT_TRUE((*g)->set_application(gateway_app(calls)));
  ASSERT_TRUE(gw.start());
  Engine client(EngineOptions{.threads = 1, .on_log = {}});
  auto c = client.add_session(side(session::Role::kInitiator, "MALLORY", "GW", (*g)->local_port()));
  ASSERT_TRUE(c);
  ASSERT_TRUE((*c)->set_application(client_app(calls, "mallory")));
  ASSERT_TRUE(client.start());
  EXPECT_TRUE(calls.wait_for("client logout: unknown user"));
  EXPECT_EQ(calls.count("logon GW->MALLORY"), 0u);
  EXPECT_FALSE((*c)->is_logged_on());
  client.stop();
  gw.stop();
}

TEST(ApplicationTest, CallingTheSessionFromInsideItsHookFailsInsteadOfDeadlocking) {
  Calls calls;
  Engine gw(EngineOptions{.threads = 1, .on_log = {}});
  auto g = gw.add_session(side(session::Role::kAcceptor, "GW", "ALICE", 0));
  ASSERT_TRUE(g);
  SessionHandle* gh = *g;
  Application app;
  // An acceptor's Logon check runs inside the session: it may not call the session back.
  app.from_admin = [&calls, gh](const session::SessionId&,
                                const codec::Message&) -> std::optional<std::string> {
    calls.add("hook send: " + gh->send("8", "11=X\x01").message());
    return std::nullopt;
  };
  ASSERT_TRUE(gh->set_application(app));
  ASSERT_TRUE(gw.start());
  Engine client(EngineOptions{.threads = 1, .on_log = {}});
  auto c = client.add_session(side(session::Role::kInitiator, "ALICE", "GW", gh->local_port()));
  ASSERT_TRUE(c);
  ASSERT_TRUE(client.start());
  EXPECT_TRUE(calls.wait_for("hook send: send: not from inside a session hook"));
  EXPECT_TRUE((*c)->wait_for_status(SessionStatus::kActive, 5s));  // and the Logon went on
  client.stop();
  gw.stop();
}

}  // namespace
}  // namespace fixgate::engine
