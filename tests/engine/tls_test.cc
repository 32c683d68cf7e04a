// TLS: fixgate initiator and acceptor with mutual authentication over loopback; wrong
// certificates and plain TCP refused. Certificates are made fresh by the openssl CLI.
#include <gtest/gtest.h>

#include "../support/certificates.h"
#include "../support/process.h"
#include "../support/text_log.h"
#include "fixgate/engine/engine.h"
#include "fixgate/engine/session_manager.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using fixgate::testing::certs;
using session::SessionStatus;

TlsConfig server_tls() {
  return TlsConfig{.enabled = true,
                   .certificate_file = certs().path("server.pem"),
                   .private_key_file = certs().path("server.key"),
                   .ca_file = certs().path("ca.pem"),
                   .verify_peer = true,
                   .min_protocol = "TLSv1.2",
                   .cipher_list = ""};
}

TlsConfig client_tls(const std::string& who = "client", const std::string& ca = "ca.pem") {
  return TlsConfig{.enabled = true,
                   .certificate_file = certs().path(who + ".pem"),
                   .private_key_file = certs().path(who + ".key"),
                   .ca_file = certs().path(ca),
                   .verify_peer = true,
                   .min_protocol = "TLSv1.2",
                   .cipher_list = ""};
}

using fixgate::testing::TextLog;

struct TlsGateway {
  // `busy_poll`: its loop threads spin; TLS sessions are still read through the reactor.
  explicit TlsGateway(std::chrono::microseconds busy_poll = {})
      : engine(EngineOptions{.threads = 2, .busy_poll = busy_poll, .on_log = log.sink()}) {}
  TextLog log;
  Engine engine;
  SessionHandle* session = nullptr;

  void start(TlsConfig tls = server_tls()) {
    SessionOptions c;
    c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "GW", .target_comp_id = "C"};
    c.session.role = session::Role::kAcceptor;
    c.accept = {"127.0.0.1", 0};
    c.tls = std::move(tls);
    auto h = engine.add_session(c);
    ASSERT_TRUE(h) << h.error();
    session = *h;
    ASSERT_TRUE(engine.start().is_ok());
  }
  bool wait_log(std::string_view part) { return log.wait_for(part); }
};

SessionOptions client_config(uint16_t port, TlsConfig tls) {
  SessionOptions c;
  c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "C", .target_comp_id = "GW"};
  c.session.role = session::Role::kInitiator;
  c.connect = {{"127.0.0.1", port}};
  c.reconnect.initial = 200ms;
  c.tls = std::move(tls);
  return c;
}

// A client with the right certificate logs on to `gw` and sends 100 orders, which all arrive.
void logon_and_orders(TlsGateway& gw) {
  SessionManager client;
  ASSERT_TRUE(
      client.initialize_session(client_config(gw.session->local_port(), client_tls())).is_ok());
  ASSERT_TRUE(client.start_session().is_ok());
  ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 10s));
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(
        client->send("D", std::string("11=T").append(std::to_string(i)).append("\x01")).is_ok());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(gw.session->receive(5s)) << i;
  ASSERT_TRUE(client->logout("").wait(5s).is_ok());
}

TEST(TlsTest, MutualTlsLogonAndOrders) {
  TlsGateway gw;
  gw.start();
  logon_and_orders(gw);
}

TEST(TlsTest, MutualTlsOnABusyPollingLoop) {
  TlsGateway gw(60s);  // spins for the whole test, never blocking in the reactor
  gw.start();
  logon_and_orders(gw);
}

TEST(TlsTest, ClientWithCertificateFromAnotherCaIsRefused) {
  TlsGateway gw;
  gw.start();
  SessionManager rogue;
  ASSERT_TRUE(rogue.initialize_session(client_config(gw.session->local_port(), client_tls("rogue")))
                  .is_ok());
  ASSERT_TRUE(rogue.start_session().is_ok());
  EXPECT_TRUE(gw.wait_log("TLS handshake failed"));
  EXPECT_FALSE(rogue->is_logged_on());
  EXPECT_EQ(gw.session->status(), SessionStatus::kDisconnected);
}

TEST(TlsTest, ClientWithoutCertificateIsRefused) {
  TlsGateway gw;
  gw.start();
  TlsConfig no_cert = client_tls();
  no_cert.certificate_file.clear();
  no_cert.private_key_file.clear();
  SessionManager anonymous;
  ASSERT_TRUE(
      anonymous.initialize_session(client_config(gw.session->local_port(), no_cert)).is_ok());
  ASSERT_TRUE(anonymous.start_session().is_ok());
  EXPECT_TRUE(gw.wait_log("TLS handshake failed"));
  EXPECT_FALSE(anonymous->is_logged_on());
}

TEST(TlsTest, PlainTcpClientToATlsPortIsRefused) {
  TlsGateway gw;
  gw.start();
  SessionManager plain;
  ASSERT_TRUE(
      plain.initialize_session(client_config(gw.session->local_port(), TlsConfig{})).is_ok());
  ASSERT_TRUE(plain.start_session().is_ok());
  EXPECT_TRUE(gw.wait_log("TLS handshake failed"));
  EXPECT_FALSE(plain->is_logged_on());
}

TEST(TlsTest, InitiatorRefusesAServerItCannotVerify) {
  TlsGateway gw;
  gw.start();
  TextLog events;
  SessionManager client;
  // Trusting only the rogue CA, the client cannot verify the gateway's certificate.
  ASSERT_TRUE(client
                  .initialize_session(
                      client_config(gw.session->local_port(), client_tls("client", "rogue-ca.pem")))
                  .is_ok());
  client->on_event(events.listener());
  ASSERT_TRUE(client.start_session().is_ok());
  EXPECT_TRUE(events.wait_for("TLS handshake failed"));
  EXPECT_FALSE(client->is_logged_on());
}

TEST(TlsTest, InitiatorChecksTheServerNameAgainstItsCertificate) {
  TlsGateway gw;
  gw.start();
  // The certificate names 127.0.0.1 and localhost: connecting by name verifies the DNS entry.
  SessionOptions c = client_config(gw.session->local_port(), client_tls());
  c.connect = {{"localhost", gw.session->local_port()}};
  SessionManager by_name;
  ASSERT_TRUE(by_name.initialize_session(c).is_ok());
  ASSERT_TRUE(by_name.start_session().is_ok());
  EXPECT_TRUE(by_name->wait_for_status(SessionStatus::kActive, 10s));  // DNS:localhost matches
}

TEST(TlsTest, InitiatorRefusesACertificateIssuedToAnotherName) {
  TlsGateway gw;
  TlsConfig wrong_name = server_tls();  // a valid chain, but issued to "client", not 127.0.0.1
  wrong_name.certificate_file = certs().path("client.pem");
  wrong_name.private_key_file = certs().path("client.key");
  gw.start(wrong_name);
  TextLog events;  // declared first: it must outlive the session that writes to it
  SessionManager client;
  ASSERT_TRUE(
      client.initialize_session(client_config(gw.session->local_port(), client_tls())).is_ok());
  client->on_event(events.listener());
  ASSERT_TRUE(client.start_session().is_ok());
  EXPECT_TRUE(events.wait_for("certificate verify failed"));
  EXPECT_FALSE(client->is_logged_on());
}

TEST(TlsTest, BadCertificatePathIsAConfigurationError) {
  Engine e;
  SessionOptions c = client_config(1, client_tls());
  c.tls.certificate_file = "/nonexistent/cert.pem";
  auto h = e.add_session(c);
  ASSERT_FALSE(h);
  EXPECT_NE(h.error().find("/nonexistent/cert.pem: cannot use certificate"), std::string::npos)
      << h.error();
}

}  // namespace
}  // namespace fixgate::engine
