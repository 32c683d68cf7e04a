// A host and port: where an initiator connects, where an acceptor listens, an initiator's source.
#pragma once

#include <cstdint>
#include <string>

namespace fixgate::transport {

// A host name or IP address and a TCP port (0: any free port, for a listener or a source).
struct Endpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
};

}  // namespace fixgate::transport
