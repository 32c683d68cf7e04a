// TLS settings of one connection's side (OpenSSL): files, verification, protocol floor, ciphers.
#pragma once

#include <string>

namespace fixgate::transport {

// TLS for one session (OpenSSL). Plain TCP stays the default, so a local stunnel keeps working.
struct TlsConfig {
  bool enabled = false;
  std::string certificate_file;  // PEM chain: required for an acceptor, optional for an initiator
  std::string private_key_file;  // PEM
  std::string ca_file;           // PEM CAs that may sign the peer's certificate
  // Initiator: verify the acceptor's chain and its host name (or IP). Acceptor: require and
  // verify a client certificate (mutual TLS).
  bool verify_peer = true;
  std::string min_protocol = "TLSv1.2";  // or "TLSv1.3"
  std::string cipher_list;               // OpenSSL syntax; empty = OpenSSL's default
};

}  // namespace fixgate::transport
