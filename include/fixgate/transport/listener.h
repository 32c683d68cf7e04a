// A listening socket shared by the acceptor sessions on one address and port: it accepts, runs
// the TLS handshake, reads the first message (a Logon, within a timeout) and hands the connection
// to the session the Logon's CompIDs name.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "fixgate/base/result.h"
#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"
#include "fixgate/transport/connection.h"
#include "fixgate/transport/endpoint.h"
#include "fixgate/transport/loop.h"

namespace fixgate::transport {

// Takes over the connections a listener routes to it (an acceptor session).
class Adopter {
 public:
  virtual Loop& adopter_loop() = 0;  // the loop the connection moves to
  // On adopter_loop()'s thread; `initial` holds the bytes read so far (the Logon, and any more).
  virtual void adopt(Connection connection, std::string initial) = 0;

 protected:
  ~Adopter() = default;
};

// One listening socket. Set up (listen, routes, callbacks) on one thread before start(); from
// then on its loop's thread only (asserted), but for start() itself.
class Listener {
 public:
  // A Logon no route names: the adopter for it (a session made for it), or null to refuse it.
  // Says itself, through the log, why it refused. `peer`: the connection's "ip:port".
  using Unrouted = std::function<Adopter*(const codec::Message& logon, std::string_view peer)>;
  // A connection refused or closed before its Logon was routed: the remote "ip:port" and why.
  using Log = std::function<void(std::string_view peer, std::string_view text)>;

  // `tls`: a TLS port (handshake before the Logon); null for plain TCP.
  Listener(Loop& loop, std::shared_ptr<asio::ssl::context> tls, bool reuse_address);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Opens, binds (SO_REUSEADDR as constructed) and listens; errors name the address.
  Status listen(const Endpoint& at);
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  bool is_tls() const { return tls_ != nullptr; }
  bool reuse_address() const { return reuse_address_; }

  // Connections go to `to` when their Logon names our session `sender` -> `target` (their
  // SenderCompID is our TargetCompID and the other way round).
  void add_route(std::string_view begin_string, std::string_view sender, std::string_view target,
                 Adopter* to);
  void set_unrouted(Unrouted unrouted) { unrouted_ = std::move(unrouted); }
  void set_log(Log log) { on_log_ = std::move(log); }
  // The whole opening (TLS handshake and Logon) must fit in the longest logon timeout of the
  // sessions here (10 s at least).
  void allow_first_message(std::chrono::milliseconds timeout) {
    first_message_timeout_ = std::max(first_message_timeout_, timeout);
  }

  void start();  // any thread: accepting starts on the loop's thread
  // Closes the socket and every connection still opening, so that no handler outlives this.
  void close();

 private:
  struct Pending {
    Connection conn;
    asio::steady_timer deadline;
    codec::FrameReader reader;
    std::array<char, 4096> buf{};
    std::string peer;  // the remote "ip:port", for the log
    Pending(Connection c, asio::io_context& io, std::string remote)
        : conn(std::move(c)), deadline(io), peer(std::move(remote)) {}
  };

  void log(const Pending& p, const std::string& text) {
    if (on_log_) on_log_(p.peer, text);
  }
  void accept();
  void read_first(const std::shared_ptr<Pending>& p);
  void done(const std::shared_ptr<Pending>& p);
  void route(std::shared_ptr<Pending> p, const codec::Frame& logon_frame);

  Loop& loop_;
  asio::ip::tcp::acceptor acceptor_;
  const std::shared_ptr<asio::ssl::context> tls_;
  const bool reuse_address_;
  // Set up before start(), then the loop's: routes by route key (begin, their sender, their
  // target), the first message's timeout, the callbacks.
  std::map<std::string, Adopter*> routes_;
  std::chrono::milliseconds first_message_timeout_{10000};
  Log on_log_;
  Unrouted unrouted_;
  std::atomic<bool> open_{false};  // set by start() on its caller's thread, cleared by close()
  // Connections still opening (TLS handshake, waiting for the Logon). Closed by close(), so that
  // no handler outlives the listener.
  std::set<std::shared_ptr<Pending>> pending_;
};

}  // namespace fixgate::transport
