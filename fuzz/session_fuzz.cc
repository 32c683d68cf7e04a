// libFuzzer target: the session protocol core, logged on as an acceptor with the FIX 4.4
// dictionary and ordered delivery, fed the input as the counterparty's bytes (in two reads,
// split where the first byte says). Every application message is echoed. Whatever comes in,
// what the session writes must be whole FIX messages numbered one after another (resends and
// gap fills aside), and the store must agree with the session on the next outbound number.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"
#include "fixgate/session/memory_store.h"
#include "fixgate/session/session.h"

using namespace fixgate;

namespace {

dict::Dictionary::Ptr load() {
  auto d = dict::Dictionary::load_file(std::string(FIXGATE_DICT_DIR) + "/FIX44.xml");
  if (!d) abort();
  return *d;
}

// Checks every message written since the last call and drops it from `wire`.
void check_output(std::string& wire, uint64_t& last_seq) {
  for (;;) {
    codec::Frame f = codec::next_frame(wire);
    if (f.status == codec::FrameStatus::kNeedMore) break;
    if (f.status != codec::FrameStatus::kMessage) abort();  // we never write garbage
    codec::Message m;
    if (!m.parse(f.bytes).ok()) abort();
    const auto seq = m.seq_num();
    if (!seq) abort();
    if (!m.poss_dup()) {
      // A first transmission takes the next number; a Logon with ResetSeqNumFlag starts at 1.
      const bool reset = m.msg_type() == "A" && m.get(tag::ResetSeqNumFlag) == "Y";
      if (*seq != last_seq + 1 && !(reset && *seq == 1)) abort();
      last_seq = *seq;
    }
    wire.erase(0, f.consumed());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const dict::Dictionary::Ptr fix44 = load();
  session::SessionConfig c;
  c.id = {.begin_string = "FIX.4.4", .sender_comp_id = "US", .target_comp_id = "THEM"};
  c.role = session::Role::kAcceptor;
  c.data_dictionary = fix44;
  c.ordered_delivery = true;
  c.check_latency = false;  // the input cannot know the clock
  session::MemoryStore store;
  session::Session s(c, store);
  session::Now now{std::chrono::seconds(1000), std::chrono::seconds(1795348800)};
  std::string wire;
  uint64_t last_seq = 0;
  session::SessionEvent e;
  auto pump = [&] {
    std::string out;
    s.take_output(out);
    wire += out;
    while (s.poll_event(e)) {
      if (e.type != session::SessionEvent::Type::kAppMessage) continue;
      const codec::Message* m = e.parsed();
      const session::Reply echo{std::string(m ? m->msg_type() : "D"), "11=ECHO\x01"};
      s.handled(e.seq, now, std::span(&echo, 1), e.epoch);
      s.take_output(out);
      wire += out;
    }
    check_output(wire, last_seq);
  };

  s.on_connected(now);
  codec::Encoder logon;
  s.on_bytes(logon.begin("FIX.4.4", "A")
                 .field(tag::SenderCompID, "THEM")
                 .field(tag::TargetCompID, "US")
                 .field(tag::MsgSeqNum, 1)
                 .field(tag::SendingTime, "20261122-12:00:00.000")
                 .field(tag::EncryptMethod, 0)
                 .field(tag::HeartBtInt, 30)
                 .finish(),
             now);
  pump();
  if (!s.is_logged_on()) abort();

  std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t cut = size == 0 ? 0 : static_cast<size_t>(data[0]) * size / 256;
  s.on_bytes(in.substr(0, cut), now);
  pump();
  now.mono += std::chrono::seconds(31);
  now.utc += std::chrono::seconds(31);
  s.on_timeout(now);
  pump();
  s.on_bytes(in.substr(cut), now);
  pump();
  if (store.next_sender_seq() != s.next_sender_seq()) abort();
  return 0;
}
