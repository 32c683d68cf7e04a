// Everything a session needs to know about itself: identity, role, timers, sequence number
// policy and validation. Plain data, validated by the engine at start-up.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fixgate/codec/values.h"
#include "fixgate/dict/dictionary.h"
#include "fixgate/dict/validator.h"
#include "fixgate/session/schedule.h"
#include "fixgate/session/types.h"

namespace fixgate::session {

enum class Role : uint8_t { kInitiator, kAcceptor };

struct SessionConfig {
  SessionId id;  // from our side: sender = us, target = the counterparty
  Role role = Role::kInitiator;

  // Timers.
  std::chrono::seconds heartbeat_interval{30};  // HeartBtInt we send (initiator) or default
  // Inbound silence beyond HeartBtInt + this sends a TestRequest; if that too goes unanswered
  // for another HeartBtInt + this, the connection is dropped.
  Duration test_request_delay = std::chrono::milliseconds(200);
  Duration logon_timeout = std::chrono::seconds(10);
  Duration logout_timeout = std::chrono::seconds(2);

  // Sequence numbers.
  bool reset_on_logon = false;       // send ResetSeqNumFlag=Y and start both sides from 1
  bool reset_on_logout = false;      // after a logout handshake
  bool reset_on_disconnect = false;  // after any disconnect
  // Before each logon, take the sequence numbers from the store (Store::refresh()): another
  // engine sharing it (a failover pair) may have moved them on.
  bool refresh_on_logon = false;
  bool send_redundant_resend_requests = false;
  uint64_t resend_request_chunk_size = 0;         // 0: ask for everything at once
  uint64_t max_sequence_gap = 0;                  // 0: no limit; a larger gap logs the session out
  bool enable_next_expected_msg_seq_num = false;  // tag 789 in Logon (FIX 4.4+)
  bool persist_messages = true;  // false: resend requests are answered with gap fills only

  // Checks on inbound messages.
  bool check_comp_id = true;
  bool check_latency = true;
  Duration max_latency = std::chrono::seconds(120);  // SendingTime accuracy
  size_t max_message_size = 1 << 20;
  bool validate_length_and_checksum = true;
  // Optional dictionaries: without them, only the session layer's own rules apply.
  dict::Dictionary::Ptr data_dictionary;  // FIX 4.x, or the FIXT transport dictionary
  dict::Dictionary::Ptr app_dictionary;   // FIXT.1.1 application dictionary
  dict::ValidationOptions validation;
  // Application message types we handle; any other (valid) type is answered with
  // BusinessMessageReject "Unsupported Message Type" (Reject before FIX 4.2). Empty: all types.
  // FIX 4.4 Vol. 2 test case 2r.
  std::vector<std::string> supported_message_types;
  // False: no application stands behind the session, so every valid application message is
  // answered with BusinessMessageReject "Application not available" (4); a session Reject with
  // that text before FIX 4.2. A counterparty then knows at once instead of waiting on a silence.
  bool application_available = true;
  // Deliver application messages one at a time: once one is delivered, nothing more inbound is
  // processed until it is handled (or released). What the session answers itself (a Reject, a
  // BusinessMessageReject, a Heartbeat) then follows the replies to the messages before it, as
  // when each message is processed in turn, QuickFIX's way. The engine sets it when handlers run
  // on the event loop; handlers on other threads (a keyed dispatcher) need it off.
  bool ordered_delivery = false;
  std::string default_appl_ver_id;  // FIXT.1.1: sent in Logon (1137), e.g. "9" for FIX 5.0 SP2

  codec::TimePrecision timestamp_precision = codec::TimePrecision::kMillis;
  std::string username;  // Username (553) in our Logon, if set
  std::string password;  // Password (554) in our Logon, if set

  // When the session may be logged on; none: always. Outside its windows the session logs out
  // and refuses Logons; a window that opens after the sequence numbers were last reset (the
  // store's creation time) resets them: QuickFIX's daily reset.
  std::optional<Schedule> schedule;
};

}  // namespace fixgate::session
