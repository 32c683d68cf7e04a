// The NewOrderSingle the interop tests send: valid FIX 4.4 (QuickFIX validates it against its
// own FIX44.xml), told apart by ClOrdID.
#pragma once

#include <string>
#include <string_view>

namespace fixgate::engine {

inline std::string order_body(std::string_view clordid) {
  return std::string("11=").append(clordid).append(
      "\x01"
      "21=1\x01"
      "55=IBM\x01"
      "54=1\x01"
      "60=20261122-12:00:00.000\x01"
      "38=100\x01"
      "40=1\x01");
}

}  // namespace fixgate::engine
