// The README's library example, compiled and run by ctest so it cannot rot.
#include <iostream>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/framer.h"
#include "fixgate/dict/validator.h"

using namespace fixgate;

int main(int argc, char** argv) {
  std::string dict_path = argc > 1 ? argv[1] : "third_party/dict/FIX44.xml";

  codec::Encoder enc;  // reusable buffer, no per-field allocation
  std::string_view wire = enc.begin("FIX.4.4", msg_type::NewOrderSingle)
                              .field(tag::SenderCompID, "CLIENT")
                              .field(tag::TargetCompID, "BROKER")
                              .field(tag::MsgSeqNum, 7)
                              .field(tag::SendingTime, "20261122-12:00:00.000")
                              .field(tag::ClOrdID, "ORD-1")
                              .field(tag::Side, '1')
                              .field(tag::Price, codec::Decimal(1250, 2))  // exact: 12.50
                              .finish();  // writes BodyLength and CheckSum

  codec::FrameReader reader;  // stream framing with resync on garbage
  reader.append(wire);
  codec::Frame frame = reader.next();  // kMessage, kNeedMore or kGarbled
  codec::Message msg;                  // zero-copy view; reuse it for every message
  if (!msg.parse(frame.bytes).ok()) return 1;

  auto dictionary = dict::Dictionary::load_file(dict_path);
  if (!dictionary) {
    std::cerr << dictionary.error() << '\n';
    return 1;
  }
  dict::Validator validator(*dictionary);
  if (auto reject = validator.validate(msg))  // SessionRejectReason + RefTagID
    std::cout << reject->text() << '\n';      // "Required tag missing, field=60"
  return 0;
}
