// Shared by the two halves of the session implementation (session.cc, session_outbound.cc).
// Not a public header.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fixgate/codec/message.h"
#include "fixgate/session/types.h"

namespace fixgate::session::internal {

// A one-character MsgType. Compared with a received MsgType inline: Session::process makes about
// ten such comparisons per message, and std::string_view's == calls memcmp for each one.
struct MsgTypeCode {
  char code;
  // Views the constant itself: use it on the constants below, not on a copy that may go away.
  operator std::string_view() const { return {&code, 1}; }  // NOLINT: implicit by design
  friend bool operator==(std::string_view type, MsgTypeCode c) {
    return type.size() == 1 && type[0] == c.code;
  }
};

inline constexpr MsgTypeCode kLogon{'A'}, kHeartbeat{'0'}, kTestRequest{'1'}, kResendRequest{'2'},
    kReject{'3'}, kSequenceReset{'4'}, kLogout{'5'}, kBusinessMessageReject{'j'};

// SequenceReset with GapFillFlag absent or N: its own MsgSeqNum means nothing (Vol. 2, 11).
inline bool is_sequence_reset_reset(const codec::Message& msg) {
  return msg.msg_type() == kSequenceReset && msg.get(tag::GapFillFlag).value_or("N") != "Y";
}

inline bool has_reset_flag(const codec::Message& msg) {
  return msg.get(tag::ResetSeqNumFlag).value_or("N") == "Y";
}

// FIX 4.0 and 4.1 have no RefTagID/RefMsgType/SessionRejectReason, no BusinessMessageReject, and
// use 999999 for "infinity" in ResendRequest.
inline bool is_fix40(std::string_view begin_string) { return begin_string == "FIX.4.0"; }
inline bool is_fix40_or_41(std::string_view begin_string) {
  return begin_string == "FIX.4.0" || begin_string == "FIX.4.1";
}

inline std::string gap_too_large(SeqNum expected, SeqNum received, uint64_t max_gap) {
  return "sequence gap " + std::to_string(expected.value) + ".." +
         std::to_string(received.value - 1) + " exceeds the maximum of " + std::to_string(max_gap);
}

}  // namespace fixgate::session::internal
