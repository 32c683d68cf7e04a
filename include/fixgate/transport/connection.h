// A connection: plain TCP or TLS over TCP behind one interface; the OpenSSL context for TLS.
// The engine's side of the transport layer: it includes asio, unlike the engine's public API.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "fixgate/base/result.h"
#include "fixgate/transport/tls_config.h"

namespace fixgate::transport {

// Socket options of one connection (the engine's SessionOptions fields of the same names).
struct SocketOptions {
  bool tcp_nodelay = true;
  int send_buffer_size = 0;  // SO_SNDBUF; 0 leaves the kernel's default and its auto-tuning
  int receive_buffer_size = 0;
};

// The remote end of `s` as "ip:port" ("[v6]:port"), for log lines; "?" once it is closed.
std::string peer_text(const asio::ip::tcp::socket& s);

// One TCP connection, plain or TLS; owned through a shared_ptr by whoever reads and writes it.
class Connection {
 public:
  explicit Connection(asio::ip::tcp::socket s) : plain_(std::move(s)) {}
  Connection(asio::ip::tcp::socket s, std::shared_ptr<asio::ssl::context> ctx)
      : ctx_(std::move(ctx)), tls_(std::in_place, std::move(s), *ctx_) {}

  bool is_tls() const { return tls_.has_value(); }
  // Sets `o`; a plain socket also becomes non-blocking, for write_some().
  void configure(const SocketOptions& o);
  asio::ip::tcp::socket& lowest() { return tls_ ? tls_->next_layer() : *plain_; }
  asio::ssl::stream<asio::ip::tcp::socket>& tls() { return *tls_; }

  template <typename Buffer, typename Handler>
  void async_read_some(const Buffer& b, Handler&& h) {
    if (tls_) {
      tls_->async_read_some(b, std::forward<Handler>(h));
    } else {
      plain_->async_read_some(b, std::forward<Handler>(h));
    }
  }
  template <typename Buffer, typename Handler>
  void async_write(const Buffer& b, Handler&& h) {
    if (tls_) {
      asio::async_write(*tls_, b, std::forward<Handler>(h));
    } else {
      asio::async_write(*plain_, b, std::forward<Handler>(h));
    }
  }
  // Plain TCP (configured): writes what the kernel takes now, without blocking (would_block or
  // try_again: nothing).
  size_t write_some(std::string_view bytes, asio::error_code& ec) {
    return plain_->write_some(asio::buffer(bytes.data(), bytes.size()), ec);
  }
  int native_handle() { return lowest().native_handle(); }
  std::string peer() { return peer_text(lowest()); }
  void close() {
    asio::error_code ignored;
    lowest().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    lowest().close(ignored);
  }

 private:
  std::shared_ptr<asio::ssl::context> ctx_;  // outlives the stream that uses it
  std::optional<asio::ip::tcp::socket> plain_;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
};

// An OpenSSL context for one side from TlsConfig; errors name the file that failed.
Result<std::shared_ptr<asio::ssl::context>> make_tls_context(const TlsConfig& config, bool server);

}  // namespace fixgate::transport
