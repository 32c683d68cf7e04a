// Sending a codec::MessageBuilder: its body through send, once the builder says it is
// whole. A file of its own so that engine.cc need not change for it.
#include "fixgate/engine/engine.h"

namespace fixgate::engine {

Status SessionHandle::send(const codec::MessageBuilder& message) {
  if (!message.ok()) return message.status();  // never a half-built message on the wire
  return send(message.msg_type(), message.body());
}

}  // namespace fixgate::engine
