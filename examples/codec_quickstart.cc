// The README's library example, compiled and run by ctest so it cannot rot.
#include <iostream>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/framer.h"
#include "fixgate/codec/message_builder.h"
#include "fixgate/dict/validator.h"

using namespace fixgate;

int main(int argc, char** argv) {
  std::string dict_path = argc > 1 ? argv[1] : "third_party/dict/FIX44.xml";

  codec::MessageBuilder order(msg_type::NewOrderSingle);  // typed fields; reuse it per message
  order.set(tag::ClOrdID, "ORD-1")
      .set(tag::Side, '1')
      .set(tag::Price, codec::Decimal(1250, 2))  // exact: 12.50
      .begin_group(tag::NoPartyIDs, 1)           // the count is checked against the entries
      .entry()
      .set(tag::PartyID, "ACME")
      .set(tag::PartyRole, 3)
      .end_group();
  if (!order.ok()) {  // a misuse (a count that does not match …) says what and where
    std::cerr << order.status().message() << '\n';
    return 1;
  }

  codec::Encoder enc;  // a whole message: header, the builder's body, BodyLength and CheckSum
  std::string_view wire = enc.begin("FIX.4.4", order.msg_type())
                              .field(tag::SenderCompID, "CLIENT")
                              .field(tag::TargetCompID, "BROKER")
                              .field(tag::MsgSeqNum, 7)
                              .field(tag::SendingTime, "20261122-12:00:00.000")
                              .raw(order.body())
                              .finish();

  codec::FrameReader reader;  // stream framing with resync on garbage
  reader.append(wire);
  codec::Frame frame = reader.next();  // kMessage, kNeedMore or kGarbled
  codec::Message msg;                  // zero-copy view; reuse it for every message
  if (!msg.parse(frame.bytes).ok()) return 1;

  auto price = msg.get<codec::Decimal>(tag::Price);  // typed: absent and malformed told apart
  if (!price) return 1;
  std::cout << "price " << price->to_string() << '\n';  // price 12.50
  for (codec::FieldRange party : msg.group(tag::NoPartyIDs, tag::PartyID))
    std::cout << "party " << party.get<std::string_view>(tag::PartyID).value_or("?") << " role "
              << party.get<int>(tag::PartyRole).value_or(0) << '\n';  // party ACME role 3

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
