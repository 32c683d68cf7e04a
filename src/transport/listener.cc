#include "fixgate/transport/listener.h"

#include <cassert>
#include <utility>

namespace fixgate::transport {

using asio::ip::tcp;

namespace {

// The routing key of an acceptor session, as seen from the counterparty's Logon:
// their SenderCompID is our TargetCompID and vice versa.
std::string route_key(std::string_view begin, std::string_view their_sender,
                      std::string_view their_target) {
  std::string k(begin);
  k += '\x01';
  k += their_sender;
  k += '\x01';
  k += their_target;
  return k;
}

}  // namespace

Listener::Listener(Loop& loop, std::shared_ptr<asio::ssl::context> tls, bool reuse_address)
    : loop_(loop), acceptor_(loop.io()), tls_(std::move(tls)), reuse_address_(reuse_address) {}

Status Listener::listen(const Endpoint& at) {
  assert(!open_);  // set up before start()
  asio::error_code ec;
  auto address = asio::ip::make_address(at.host, ec);
  if (ec) return Status::error("bad accept address " + at.host);
  tcp::endpoint endpoint(address, at.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(reuse_address_), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Status::error("cannot listen on " + at.host + ":" + std::to_string(at.port) + ": " +
                         ec.message());
  return Status::ok();
}

void Listener::add_route(std::string_view begin_string, std::string_view sender,
                         std::string_view target, Adopter* to) {
  assert(!open_);  // set up before start()
  routes_[route_key(begin_string, target, sender)] = to;
}

void Listener::start() {
  open_ = true;
  asio::post(loop_.io(), [this] { accept(); });
}

void Listener::close() {
  loop_.assert_in_loop();
  open_ = false;
  asio::error_code ignored;
  acceptor_.close(ignored);
  for (auto& p : pending_) {
    p->deadline.cancel();
    p->conn.close();
  }
  pending_.clear();
}

void Listener::done(const std::shared_ptr<Pending>& p) {
  loop_.assert_in_loop();
  p->deadline.cancel();
  pending_.erase(p);
}

void Listener::accept() {
  loop_.assert_in_loop();
  acceptor_.async_accept([this](const asio::error_code& e, tcp::socket s) {
    if (!open_) return;
    if (!e) {
      asio::error_code ignored;
      s.set_option(tcp::no_delay(true), ignored);
      std::string peer = peer_text(s);
      auto p = std::make_shared<Pending>(
          tls_ ? Connection(std::move(s), tls_) : Connection(std::move(s)), loop_.io(),
          std::move(peer));
      pending_.insert(p);
      // The whole opening (TLS handshake and Logon) must fit in the logon timeout.
      p->deadline.expires_after(first_message_timeout_);
      p->deadline.async_wait([p, this](const asio::error_code& te) {
        if (te || !open_) return;
        log(*p, "connection closed: no Logon within the logon timeout");
        p->conn.close();
        pending_.erase(p);
      });
      if (p->conn.is_tls()) {
        p->conn.tls().async_handshake(
            asio::ssl::stream_base::server, [this, p](const asio::error_code& he) {
              if (!open_) return;
              if (he) {
                done(p);
                log(*p, "connection refused: TLS handshake failed: " + he.message());
                p->conn.close();
                return;
              }
              read_first(p);
            });
      } else {
        read_first(p);
      }
    }
    accept();
  });
}

void Listener::read_first(const std::shared_ptr<Pending>& p) {
  p->conn.async_read_some(asio::buffer(p->buf), [this, p](const asio::error_code& e, size_t n) {
    if (!open_) return;
    if (e) {
      done(p);
      log(*p, e == asio::error::eof ? "connection closed by the peer before its Logon"
                                    : "connection lost before its Logon: " + e.message());
      return;
    }
    p->reader.append(std::string_view(p->buf.data(), n));
    codec::Frame f = p->reader.next();
    if (f.status == codec::FrameStatus::kNeedMore) {
      read_first(p);
      return;
    }
    done(p);
    route(p, f);
  });
}

// `logon_frame`: the first message of `p`, complete.
void Listener::route(std::shared_ptr<Pending> p, const codec::Frame& logon_frame) {
  loop_.assert_in_loop();
  codec::Message m;
  if (logon_frame.status != codec::FrameStatus::kMessage || !m.parse(logon_frame.bytes).ok() ||
      m.msg_type() != "A") {
    log(*p, "connection closed: the first message is not a Logon");
    p->conn.close();
    return;
  }
  const std::string key = route_key(m.begin_string(), m.sender_comp_id(), m.target_comp_id());
  Adopter* to = nullptr;
  if (auto it = routes_.find(key); it != routes_.end()) {
    to = it->second;
  } else if (unrouted_) {
    to = unrouted_(m, p->peer);
  }
  if (!to) {
    p->conn.close();
    return;
  }
  routes_[key] = to;
  // Hand the connection and everything read so far to the adopter's own thread.
  std::string initial(logon_frame.bytes);
  while (true) {
    codec::Frame more = p->reader.next();
    if (more.status == codec::FrameStatus::kNeedMore) break;
    initial.append(more.bytes);
  }
  asio::io_context& io = to->adopter_loop().io();
  if (p->conn.is_tls()) {
    // A TLS stream cannot change threads: TLS sessions live on their listener's thread.
    asio::post(io, [to, p, initial = std::move(initial)]() mutable {
      to->adopt(std::move(p->conn), std::move(initial));
    });
    return;
  }
  tcp::socket moved(io);
  asio::error_code ec;
  auto protocol = p->conn.lowest().local_endpoint(ec).protocol();
  moved.assign(protocol, p->conn.lowest().release(ec), ec);
  if (ec) {
    log(*p, "connection hand-off failed: " + ec.message());
    return;
  }
  asio::post(io, [to, s = std::move(moved), initial = std::move(initial)]() mutable {
    to->adopt(Connection(std::move(s)), std::move(initial));
  });
}

}  // namespace fixgate::transport
