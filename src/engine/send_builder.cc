// Sending a codec::MessageBuilder: its body through send, once the builder says it is
// whole. A file of its own so that engine.cc need not change for it.
#include "fixgate/engine/engine.h"

namespace fixgate::engine {

SendResult SessionHandle::send(const codec::MessageBuilder& message) {
  // Never a half-built message on the wire.
  if (!message.ok()) return SendResult::failed(SendCode::kRefused, message.status().message());
  return send(message.msg_type(), message.body());
}

}  // namespace fixgate::engine
