#include <openssl/ssl.h>

#include "fixgate/transport/connection.h"

namespace fixgate::transport {

Result<std::shared_ptr<asio::ssl::context>> make_tls_context(const TlsConfig& c, bool server) {
  auto ctx = std::make_shared<asio::ssl::context>(server ? asio::ssl::context::tls_server
                                                         : asio::ssl::context::tls_client);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::single_dh_use);
  int min_version = c.min_protocol == "TLSv1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (c.min_protocol != "TLSv1.2" && c.min_protocol != "TLSv1.3")
    return Status::error("tls: minimum protocol must be TLSv1.2 or TLSv1.3, not '" +
                         c.min_protocol + "'");
  SSL_CTX_set_min_proto_version(ctx->native_handle(), min_version);
  asio::error_code ec;
  if (!c.certificate_file.empty()) {
    ctx->use_certificate_chain_file(c.certificate_file, ec);
    if (ec) return Status::error(c.certificate_file + ": cannot use certificate: " + ec.message());
    ctx->use_private_key_file(c.private_key_file, asio::ssl::context::pem, ec);
    if (ec) return Status::error(c.private_key_file + ": cannot use private key: " + ec.message());
  } else if (server) {
    return Status::error("tls: an acceptor needs a certificate and a private key");
  }
  if (!c.ca_file.empty()) {
    ctx->load_verify_file(c.ca_file, ec);
    if (ec) return Status::error(c.ca_file + ": cannot load CA certificates: " + ec.message());
  }
  if (c.verify_peer) {
    if (c.ca_file.empty()) return Status::error("tls: verifying the peer needs a CA file");
    // An acceptor that verifies requires a client certificate: mutual TLS.
    ctx->set_verify_mode(asio::ssl::verify_peer |
                         (server ? asio::ssl::verify_fail_if_no_peer_cert : 0));
  } else {
    ctx->set_verify_mode(asio::ssl::verify_none);
  }
  if (!c.cipher_list.empty() &&
      SSL_CTX_set_cipher_list(ctx->native_handle(), c.cipher_list.c_str()) != 1)
    return Status::error("tls: no usable cipher in '" + c.cipher_list + "'");
  return ctx;
}

}  // namespace fixgate::transport
