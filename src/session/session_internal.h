// Shared by the two halves of the session implementation (session.cc, session_outbound.cc).
// Not a public header.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fixgate/session/types.h"

namespace fixgate::session::internal {

inline constexpr std::string_view kLogon = "A", kHeartbeat = "0", kTestRequest = "1",
                                  kResendRequest = "2", kReject = "3", kSequenceReset = "4",
                                  kLogout = "5", kBusinessMessageReject = "j";

// FIX 4.0 and 4.1 have no RefTagID/RefMsgType/SessionRejectReason, no BusinessMessageReject, and
// use 999999 for "infinity" in ResendRequest.
inline bool is_fix40_or_41(std::string_view begin_string) {
  return begin_string == "FIX.4.0" || begin_string == "FIX.4.1";
}

inline std::string gap_too_large(SeqNum expected, SeqNum received, uint64_t max_gap) {
  return "sequence gap " + std::to_string(expected.value) + ".." +
         std::to_string(received.value - 1) + " exceeds the maximum of " + std::to_string(max_gap);
}

}  // namespace fixgate::session::internal
