#include "fixgate/transport/connection.h"

namespace fixgate::transport {

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
