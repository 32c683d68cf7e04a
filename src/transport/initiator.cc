#include "fixgate/transport/initiator.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace fixgate::transport {

using asio::ip::tcp;

namespace {

// "5 s", "0.25 s": a wait for a log line, in the unit settings files use.
std::string seconds_text(std::chrono::milliseconds wait) {
  std::string text = std::to_string(wait.count() / 1000);
  if (int64_t ms = wait.count() % 1000; ms != 0) {
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03d", static_cast<int>(ms));
    text += fraction;
    while (text.back() == '0') text.pop_back();
  }
  return text + " s";
}

// `ep`'s addresses: itself when it is an IP address, else what the resolver finds (a blocking
// lookup, as before every attempt).
std::vector<tcp::endpoint> resolve(asio::io_context& io, const Endpoint& ep, asio::error_code& ec) {
  std::vector<tcp::endpoint> endpoints;
  auto address = asio::ip::make_address(ep.host, ec);
  if (!ec) {
    endpoints.emplace_back(address, ep.port);
    return endpoints;
  }
  tcp::resolver resolver(io);
  for (const auto& r : resolver.resolve(ep.host, std::to_string(ep.port), ec))
    endpoints.push_back(r.endpoint());
  return endpoints;
}

// The local end of a connected socket, "ip:port": the port tells the connection apart in the
// peer's logs.
std::string local_text(const tcp::socket& s) {
  asio::error_code ec;
  const tcp::endpoint local = s.local_endpoint(ec);
  if (ec) return "?";
  return local.address().to_string() + ":" + std::to_string(local.port());
}

}  // namespace

Initiator::Initiator(Loop& loop, InitiatorOptions options, InitiatorOwner& owner)
    : loop_(loop),
      options_(std::move(options)),
      owner_(owner),
      reconnect_timer_(loop.io()),
      connect_timer_(loop.io()) {}

void Initiator::start() {
  loop_.assert_in_loop();
  enabled_ = true;
  attempts_ = 0;
  connect();
}

void Initiator::stop() {
  loop_.assert_in_loop();
  enabled_ = false;
  next_attempt_ns_.store(0, std::memory_order_relaxed);
  reconnect_timer_.cancel();
  connect_timer_.cancel();
  if (attempt_) {
    attempt_->close();
    attempt_.reset();
  }
}

void Initiator::connect() {
  loop_.assert_in_loop();
  next_attempt_ns_.store(0, std::memory_order_relaxed);
  if (!enabled_ || options_.connect.empty()) return;
  if (auto wait = owner_.connect_delay()) {
    attempts_ = 0;
    reconnect_timer_.expires_after(*wait);
    reconnect_timer_.async_wait([this](const asio::error_code& e) {
      if (!e) connect();
    });
    return;
  }
  const Endpoint& ep = options_.connect[next_endpoint_++ % options_.connect.size()];
  owner_.on_connecting();
  attempts_total_.fetch_add(1, std::memory_order_relaxed);
  asio::error_code ec;
  const std::vector<tcp::endpoint> endpoints = resolve(loop_.io(), ep, ec);
  if (endpoints.empty()) {
    failures_total_.fetch_add(1, std::memory_order_relaxed);
    owner_.on_log("cannot resolve " + ep.host + ": " + ec.message());
    schedule_reconnect();
    return;
  }
  if (!open_attempt(ep, endpoints.front().protocol())) return;
  // Handlers hold the attempt they belong to and ignore completions once it is not current
  // (handed over, failed, or dropped by stop()).
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait(
      [this, conn = attempt_, host = ep.host, port = ep.port](const asio::error_code& e) {
        if (e || conn != attempt_) return;
        fail("connect to " + host + ":" + std::to_string(port) + " timed out after " +
             std::to_string(options_.connect_timeout.count()) + " ms");
      });
  // Every attempt's outcome names where it went: "connected to HOST:PORT", "connect to … failed".
  std::string where = ep.host + ":" + std::to_string(ep.port);
  attempt_->lowest().async_connect(
      endpoints.front(),
      [this, conn = attempt_, where = std::move(where)](const asio::error_code& e) {
        if (conn != attempt_) return;
        if (e) {
          fail("connect to " + where + " failed: " + e.message());
          return;
        }
        if (!conn->is_tls()) {
          connected(where);
          return;
        }
        conn->tls().async_handshake(
            asio::ssl::stream_base::client, [this, conn, where](const asio::error_code& he) {
              if (conn != attempt_) return;
              if (he) {
                fail("TLS handshake failed with " + where + ": " + he.message());
                return;
              }
              connected(where);
            });
      });
}

bool Initiator::open_attempt(const Endpoint& ep, tcp protocol) {
  if (options_.tls) {
    attempt_ = std::make_shared<Connection>(tcp::socket(loop_.io()), options_.tls);
    if (options_.verify_peer)
      attempt_->tls().set_verify_callback(asio::ssl::host_name_verification(ep.host));
    SSL_set_tlsext_host_name(attempt_->tls().native_handle(), ep.host.c_str());  // SNI
  } else {
    attempt_ = std::make_shared<Connection>(tcp::socket(loop_.io()));
  }
  const auto& source = options_.source;
  if (!source) return true;
  asio::error_code bind_error;
  auto local = asio::ip::make_address(source->host, bind_error);
  tcp::socket& raw = attempt_->lowest();
  if (!bind_error) raw.open(protocol, bind_error);
  if (!bind_error)
    raw.set_option(asio::socket_base::reuse_address(options_.reuse_address), bind_error);
  if (!bind_error) raw.bind(tcp::endpoint(local, source->port), bind_error);
  if (bind_error) {
    fail("cannot connect from " + source->host + ":" + std::to_string(source->port) + ": " +
         bind_error.message());
    return false;
  }
  return true;
}

void Initiator::connected(const std::string& where) {
  loop_.assert_in_loop();
  connect_timer_.cancel();
  owner_.on_log("connected to " + where + " from " + local_text(attempt_->lowest()));
  std::shared_ptr<Connection> conn = std::move(attempt_);  // the owner's from here on
  owner_.on_connected(std::move(conn));
}

void Initiator::fail(const std::string& why) {
  loop_.assert_in_loop();
  connect_timer_.cancel();
  failures_total_.fetch_add(1, std::memory_order_relaxed);
  owner_.on_log(why);
  if (attempt_) attempt_->close();
  attempt_.reset();
  owner_.on_connect_failed();
  schedule_reconnect();
}

void Initiator::schedule_reconnect() {
  loop_.assert_in_loop();
  if (!enabled_) return;
  const auto& p = options_.reconnect;
  double delay = static_cast<double>(p.initial.count());
  for (uint32_t i = 0; i < attempts_ && delay < static_cast<double>(p.max.count()); ++i)
    delay *= p.multiplier;
  delay = std::min(delay, static_cast<double>(p.max.count()));
  std::uniform_real_distribution<double> jitter(1.0 - p.jitter, 1.0 + p.jitter);
  delay *= jitter(rng_);
  ++attempts_;
  const auto wait = std::chrono::milliseconds(static_cast<int64_t>(delay));
  backoff_ms_.store(wait.count(), std::memory_order_relaxed);
  // Every wait is logged, so a silent initiator is never a mystery.
  owner_.on_log("next attempt in " + seconds_text(wait));
  next_attempt_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             (std::chrono::system_clock::now() + wait).time_since_epoch())
                             .count(),
                         std::memory_order_relaxed);
  reconnect_timer_.expires_after(wait);
  reconnect_timer_.async_wait([this](const asio::error_code& e) {
    if (!e) connect();
  });
}

}  // namespace fixgate::transport
