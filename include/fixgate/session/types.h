// Vocabulary of the session layer: sequence numbers, time as it is passed in, session identity.
// The core never reads a clock: every call carries a Now.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace fixgate::session {

// A FIX MsgSeqNum. Strong type so it is never confused with a count or an index.
struct SeqNum {
  uint64_t value = 0;
  constexpr SeqNum() = default;
  constexpr explicit SeqNum(uint64_t v) : value(v) {}
  constexpr SeqNum next() const { return SeqNum(value + 1); }
  friend constexpr auto operator<=>(SeqNum, SeqNum) = default;
};

using Duration = std::chrono::nanoseconds;

// The caller's idea of time: `mono` drives timers (any epoch, never jumps backwards); `utc` is
// nanoseconds since the Unix epoch, for SendingTime and schedules.
struct Now {
  Duration mono{0};
  Duration utc{0};
};

// Who the session is: BeginString plus our and the counterparty's CompIDs (and optional
// Sub/Location IDs), plus a qualifier to tell apart two sessions with the same IDs.
struct SessionId {
  std::string begin_string = {};
  std::string sender_comp_id = {};
  std::string target_comp_id = {};
  std::string sender_sub_id = {};
  std::string sender_location_id = {};
  std::string target_sub_id = {};
  std::string target_location_id = {};
  std::string qualifier = {};

  // "FIX.4.4:SENDER->TARGET" (with ":qualifier" when set).
  std::string to_string() const;
  friend bool operator==(const SessionId&, const SessionId&) = default;
};

}  // namespace fixgate::session
