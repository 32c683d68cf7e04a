// The NewOrderSingle the interop tests send, told apart by ClOrdID: valid in every version's
// dictionary (QuickFIX validates it against its own). FIX 4.0 requires OrderQty; TransactTime
// exists only from FIX 4.2 on, where it is required.
#pragma once

#include <string>
#include <string_view>

namespace fixgate::engine {

inline std::string order_body(std::string_view clordid, std::string_view begin_string = "FIX.4.4") {
  const bool transact_time = begin_string != "FIX.4.0" && begin_string != "FIX.4.1";
  return std::string("11=")
      .append(clordid)
      .append(
          "\x01"
          "21=1\x01"
          "55=IBM\x01"
          "54=1\x01")
      .append(transact_time ? "60=20261122-12:00:00.000\x01" : "")
      .append(
          "38=100\x01"
          "40=1\x01");
}

}  // namespace fixgate::engine
