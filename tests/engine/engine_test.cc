// Engine: many sessions on shared threads; one acceptor port for many sessions, routed by the
// CompIDs of each Logon; strangers refused. Real loopback TCP.
#include "fixgate/engine/engine.h"
#include "../support/text_log.h"

#include <gtest/gtest.h>

#include "fixgate/engine/session_manager.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using session::SessionStatus;

SessionOptions acceptor(const std::string& us, const std::string& them, uint16_t port) {
  SessionOptions c;
  c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = us, .target_comp_id = them};
  c.session.role = session::Role::kAcceptor;
  c.accept = {"127.0.0.1", port};
  return c;
}

SessionOptions initiator(const std::string& us, const std::string& them, uint16_t port) {
  SessionOptions c;
  c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = us, .target_comp_id = them};
  c.session.role = session::Role::kInitiator;
  c.connect = {{"127.0.0.1", port}};
  c.reconnect.initial = 50ms;
  c.reconnect.max = 500ms;
  return c;
}

// A port for a shared acceptor: bind the first session to 0, read back what it got.
struct Gateway {
  testing::TextLog log;  // before the engine, so it outlives its threads
  Engine engine{EngineOptions{.threads = 2, .on_log = log.sink()}};
  // True once the engine logged a line containing `part`, waiting up to 5 s (no polling).
  bool logged(std::string_view part) { return log.wait_for(part); }
};

TEST(EngineTest, OnePortServesManySessionsRoutedByCompIds) {
  constexpr int kSessions = 200;
  Gateway gw;
  // The first session picks a free port; the others share it.
  auto first = gw.engine.add_session(acceptor("GW", "C0", 0));
  ASSERT_TRUE(first);
  ASSERT_TRUE(gw.engine.start().is_ok());
  uint16_t port = (*first)->local_port();
  ASSERT_NE(port, 0);
  gw.engine.stop();
  for (int i = 1; i < kSessions; ++i)
    ASSERT_TRUE(
        gw.engine.add_session(acceptor("GW", std::string("C").append(std::to_string(i)), port)));
  ASSERT_TRUE(gw.engine.start().is_ok());

  Engine clients(EngineOptions{.threads = 2, .on_log = {}});
  std::vector<SessionHandle*> handles;
  for (int i = 0; i < kSessions; ++i) {
    auto h = clients.add_session(initiator(std::string("C").append(std::to_string(i)), "GW", port));
    ASSERT_TRUE(h);
    handles.push_back(*h);
  }
  ASSERT_TRUE(clients.start().is_ok());
  for (auto* h : handles)
    ASSERT_TRUE(h->wait_for_status(SessionStatus::kActive, 20s)) << h->id().to_string();
  // Each client's message reaches its own session on the gateway, and only that one.
  for (int i = 0; i < kSessions; ++i)
    ASSERT_TRUE(handles[static_cast<size_t>(i)]
                    ->send("D", std::string("11=FROM-C").append(std::to_string(i)).append("\x01"))
                    .is_ok());
  for (auto* g : gw.engine.sessions()) {
    auto m = g->receive(10s);
    ASSERT_TRUE(m) << g->id().to_string();
    codec::Message msg;
    ASSERT_TRUE(msg.parse(m->bytes).ok());
    EXPECT_EQ(msg.get(tag::ClOrdID).value_or(""),
              std::string("FROM-").append(g->id().target_comp_id));
  }
  clients.shutdown(10s);
  gw.engine.stop();
}

TEST(EngineTest, UnknownCompIdsAreRefusedAndLogged) {
  Gateway gw;
  auto h = gw.engine.add_session(acceptor("GW", "KNOWN", 0));
  ASSERT_TRUE(h);
  ASSERT_TRUE(gw.engine.start().is_ok());
  SessionManager stranger;
  ASSERT_TRUE(stranger.initialize_session(initiator("STRANGER", "GW", (*h)->local_port())).is_ok());
  ASSERT_TRUE(stranger.start_session().is_ok());
  EXPECT_TRUE(gw.logged("connection refused: no session for FIX.4.4:GW->STRANGER"));
  EXPECT_TRUE(gw.logged("(from 127.0.0.1:"));  // on_log's text names the peer
  EXPECT_FALSE(stranger->is_logged_on());
  EXPECT_EQ((*h)->status(), SessionStatus::kDisconnected);
}

// on_log_entry gets the refusal structured: refused, a warning, no session, the peer's address
// and port, which are the initiator's own ("connected to … from 127.0.0.1:PORT").
TEST(EngineTest, RefusalsReachOnLogEntryWithThePeersAddressAndPort) {
  testing::TextLog entries;
  Engine gw(EngineOptions{.threads = 1, .on_log_entry = [&entries](const EngineLogEntry& e) {
                            entries.add(
                                std::string(e.refused ? "refused " : "accepted ") +
                                (e.level == EngineLogEntry::Level::kWarning ? "warn " : "") +
                                "session=" + std::string(e.session) +
                                " peer=" + std::string(e.peer) + " " + std::string(e.text));
                          }});
  auto h = gw.add_session(acceptor("GW", "KNOWN", 0));
  ASSERT_TRUE(h);
  ASSERT_TRUE(gw.start().is_ok());
  testing::TextLog events;
  SessionManager stranger;
  ASSERT_TRUE(stranger.initialize_session(initiator("STRANGER", "GW", (*h)->local_port())).is_ok());
  stranger->on_event([&events](const session::SessionEvent& e) { events.add(e.text); });
  ASSERT_TRUE(stranger.start_session().is_ok());
  const std::string to = "connected to 127.0.0.1:" + std::to_string((*h)->local_port()) + " from ";
  ASSERT_TRUE(events.wait_for(to));
  const std::string connected = events.last_with(to);
  const std::string from = connected.substr(connected.find(" from ") + 6);  // 127.0.0.1:PORT
  ASSERT_TRUE(entries.wait_for("peer=" + from + " "));
  EXPECT_EQ(entries.last_with("peer=" + from + " "),
            "refused warn session= peer=" + from +
                " connection refused: no session for FIX.4.4:GW->STRANGER");
  stranger.stop_session();
  gw.stop();
}

TEST(EngineTest, SecondConnectionForALoggedOnSessionIsRefusedWithoutDisturbingTheFirst) {
  Gateway gw;
  auto h = gw.engine.add_session(acceptor("GW", "C", 0));
  ASSERT_TRUE(h);
  ASSERT_TRUE(gw.engine.start().is_ok());
  const uint16_t port = (*h)->local_port();
  SessionManager first, second;
  ASSERT_TRUE(first.initialize_session(initiator("C", "GW", port)).is_ok());
  ASSERT_TRUE(first.start_session().is_ok());
  ASSERT_TRUE(first->wait_for_status(SessionStatus::kActive, 5s));
  ASSERT_TRUE(second.initialize_session(initiator("C", "GW", port)).is_ok());
  ASSERT_TRUE(second.start_session().is_ok());
  EXPECT_TRUE(gw.logged("second connection refused: FIX.4.4:GW->C is already connected"));
  EXPECT_FALSE(second->is_logged_on());
  EXPECT_TRUE(first->is_logged_on());
  ASSERT_TRUE(first->send("D", "11=STILL-HERE\x01").is_ok());
  auto m = (*h)->receive(5s);
  ASSERT_TRUE(m);
}

TEST(EngineTest, DuplicateSessionIsRejectedAtConfiguration) {
  Engine e;
  ASSERT_TRUE(e.add_session(acceptor("GW", "C", 0)));
  auto again = e.add_session(acceptor("GW", "C", 0));
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().find("already exists"), std::string::npos);
}

// One listening socket serves every session on a port, so they cannot differ on its options.
TEST(EngineTest, SessionsSharingAPortMustAgreeOnSocketReuseAddress) {
  Engine e;
  auto first = e.add_session(acceptor("GW", "C0", 0));
  ASSERT_TRUE(first);
  ASSERT_TRUE(e.start().is_ok());
  const uint16_t port = (*first)->local_port();
  e.stop();
  SessionOptions other = acceptor("GW", "C1", port);
  other.reuse_address = false;
  ASSERT_TRUE(e.add_session(other));
  Status s = e.start();
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("SocketReuseAddress"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(std::to_string(port)), std::string::npos) << s.message();
}

// A daily UTC window from `from` to `to` seconds after the current second, and when it opens and
// closes today.
struct Window {
  session::Schedule schedule;
  std::chrono::system_clock::time_point opens, closes;
};
Window window_in(int from, int to) {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto tod = [&](int delta) {
    return std::chrono::seconds((now.time_since_epoch().count() + 86400 + delta) % 86400);
  };
  return {*session::Schedule::daily(tod(from), tod(to), session::TimeZone::utc()),
          now + std::chrono::seconds(from), now + std::chrono::seconds(to)};
}

// The N of the last "connecting in N s" an initiator logged; -1 if none.
int64_t connecting_in(const testing::TextLog& events) {
  const std::string line = events.last_with("connecting in ");
  if (line.empty()) return -1;
  return std::stoll(line.substr(line.find("connecting in ") + 14));
}

// The gateway's session GW->C, and its initiator C->GW on an engine of its own, started with a
// schedule; the initiator's events in `events`.
struct ScheduledInitiator {
  Gateway gw;
  testing::TextLog events;  // before the engine whose session writes into it
  Engine client{EngineOptions{.threads = 1, .on_log = {}}};
  SessionHandle* server = nullptr;
  SessionHandle* scheduled = nullptr;  // the initiator
  void start(session::Schedule schedule) {
    auto h = gw.engine.add_session(acceptor("GW", "C", 0));
    ASSERT_TRUE(h);
    server = *h;
    ASSERT_TRUE(gw.engine.start().is_ok());
    SessionOptions c = initiator("C", "GW", server->local_port());
    c.session.schedule = std::move(schedule);
    auto ch = client.add_session(c);
    ASSERT_TRUE(ch);
    scheduled = *ch;
    scheduled->on_event(events.listener());
    ASSERT_TRUE(client.start().is_ok());
  }
};

TEST(EngineTest, InitiatorConnectsOnlyOnceItsWindowOpens) {
  ScheduledInitiator p;
  const Window w = window_in(2, 3600);
  p.start(w.schedule);
  // It waits out what is left until the window, without a connection attempt meanwhile: the
  // logon comes no earlier than the window (however late a busy machine makes it).
  ASSERT_TRUE(p.events.wait_for("outside the session schedule: connecting in "));
  EXPECT_GE(connecting_in(p.events), 0);
  EXPECT_LE(connecting_in(p.events), 2);
  ASSERT_TRUE(p.scheduled->wait_for_status(SessionStatus::kActive, 30s));
  EXPECT_GE(std::chrono::system_clock::now(), w.opens);
}

TEST(EngineTest, InitiatorLogsOutWhenItsWindowClosesAndWaitsForTheNextOne) {
  // What is asserted starts at a session logged on in its window. On a machine that stalls past
  // the window's end before the logon is done, that has not happened: the setup is tried again
  // with the next window (a session that never logs on fails all three).
  for (int attempt = 0;; ++attempt) {
    ASSERT_LT(attempt, 3) << "never logged on before its window closed";
    ScheduledInitiator p;
    const Window w = window_in(-60, 3);  // open since a minute, closing within 3 s
    p.start(w.schedule);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        w.closes - std::chrono::system_clock::now());
    if (!p.scheduled->wait_for_status(SessionStatus::kActive, left)) continue;
    // At the window's end: the Logout handshake, not a dropped connection.
    ASSERT_TRUE(p.events.wait_for("end of the session schedule", 30s));
    ASSERT_TRUE(p.server->wait_for_status(SessionStatus::kDisconnected, 10s));
    EXPECT_GE(std::chrono::system_clock::now(), w.closes);
    EXPECT_EQ(p.server->stats().logouts, 1u);
    // Then no reconnect until tomorrow's window: the wait it logs ends when that one opens.
    ASSERT_TRUE(p.events.wait_for("outside the session schedule: connecting in ", 10s));
    const auto next = w.opens + std::chrono::hours(24);
    const auto wait_at_least =
        std::chrono::duration_cast<std::chrono::seconds>(next - std::chrono::system_clock::now());
    const auto wait_at_most = std::chrono::duration_cast<std::chrono::seconds>(next - w.closes);
    EXPECT_GE(connecting_in(p.events), wait_at_least.count() - 1);
    EXPECT_LE(connecting_in(p.events), wait_at_most.count() + 1);
    EXPECT_FALSE(p.scheduled->is_logged_on());
    return;
  }
}

TEST(EngineTest, AcceptorRefusesALogonOutsideItsWindow) {
  testing::TextLog events;  // before the engine whose session writes into it
  Gateway gw;
  SessionOptions a = acceptor("GW", "C", 0);
  a.session.schedule = window_in(3600, 7200).schedule;
  auto h = gw.engine.add_session(a);
  ASSERT_TRUE(h);
  (*h)->on_event(events.listener());
  ASSERT_TRUE(gw.engine.start().is_ok());
  SessionManager client;
  ASSERT_TRUE(client.initialize_session(initiator("C", "GW", (*h)->local_port())).is_ok());
  ASSERT_TRUE(client.start_session().is_ok());
  EXPECT_TRUE(events.wait_for("connection refused: outside the session schedule", 5s));
  EXPECT_FALSE(client->is_logged_on());
  EXPECT_EQ((*h)->sequence_numbers().second, session::SeqNum(1));  // nothing was sent
}

}  // namespace
}  // namespace fixgate::engine
