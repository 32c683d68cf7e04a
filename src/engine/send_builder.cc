// Sending a codec::MessageBuilder: its body through send_message, once the builder says it is
// whole. A file of its own so that engine.cc need not change for it.
#include "fixgate/engine/session_manager.h"

namespace fixgate::engine {

SendResult SessionHandle::send(const codec::MessageBuilder& message) {
  // Never a half-built message on the wire.
  if (!message.ok()) return SendResult::failed(SendCode::kRefused, message.status().message());
  return send_message(message.msg_type(), message.body());
}

SendResult SessionManager::send(const codec::MessageBuilder& message) {
  if (!handle_) return send_message(message.msg_type(), message.body());  // initialize first
  return handle_->send(message);
}

}  // namespace fixgate::engine
