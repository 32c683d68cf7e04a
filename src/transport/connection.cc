#include "fixgate/transport/connection.h"

namespace fixgate::transport {

std::string peer_text(const asio::ip::tcp::socket& s) {
  asio::error_code ec;
  const asio::ip::tcp::endpoint remote = s.remote_endpoint(ec);
  if (ec) return "?";
  const asio::ip::address a = remote.address();
  // An IPv6 address is bracketed so that its port reads apart from it.
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" +
         std::to_string(remote.port());
}

void Connection::configure(const SocketOptions& o) {
  asio::error_code ignored;
  lowest().set_option(asio::ip::tcp::no_delay(o.tcp_nodelay), ignored);
  // Only when configured: setting a size turns off the kernel's buffer auto-tuning.
  if (o.send_buffer_size > 0)
    lowest().set_option(asio::socket_base::send_buffer_size(o.send_buffer_size), ignored);
  if (o.receive_buffer_size > 0)
    lowest().set_option(asio::socket_base::receive_buffer_size(o.receive_buffer_size), ignored);
  // The owner writes plain sockets directly first (write_some): a write must get EAGAIN, never
  // block.
  if (!is_tls()) lowest().non_blocking(true, ignored);
}

}  // namespace fixgate::transport
