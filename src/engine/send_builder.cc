// Sending a codec::MessageBuilder: its body through send_message, once the builder says it is
// whole. A file of its own so that engine.cc need not change for it.
#include "fixgate/engine/session_manager.h"

namespace fixgate::engine {

Status SessionHandle::send(const codec::MessageBuilder& message) {
  if (!message.ok()) return message.status();  // never a half-built message on the wire
  return send_message(message.msg_type(), message.body());
}

Status SessionManager::send(const codec::MessageBuilder& message) {
  if (!handle_) return send_message(message.msg_type(), message.body());  // initialize first
  return handle_->send(message);
}

}  // namespace fixgate::engine
