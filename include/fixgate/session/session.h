// The FIX session protocol as a pure state machine (FIX Session Layer spec; FIX 4.4 Vol. 2).
// No sockets, threads or clock: feed it events with the time, then poll output, events and the
// next deadline. Call order: feed (on_*, send, logout, handled), then poll until empty.
//
//   events in:  on_connected · on_bytes · on_timeout · send · logout · handled · on_disconnected
//   out:        pending_output() bytes to write · poll_event() · poll_timeout() next deadline
//
// Durability: everything in pending_output() has been committed to the Store before the call
// that produced it returned. The inbound position is committed as a watermark: a delivered
// application message counts only once handled(seq) says so.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"
#include "fixgate/dict/validator.h"
#include "fixgate/session/config.h"
#include "fixgate/session/send_result.h"
#include "fixgate/session/store.h"

namespace fixgate::session {

// Transitions (one table, here and in the README):
//   Disconnected --on_connecting--> Connecting --on_connected--> Connected
//   Connected --initiator sends Logon / acceptor receives Logon--> LoggingIn
//   LoggingIn --Logon exchanged--> LoggedIn --no gap outstanding--> Active
//   LoggedIn/Active --logout()--> LoggingOut --Logout reply (13a)--> LoggedOut, disconnect
//   LoggedIn/Active --Logout received (13b)--> LoggedOut: answered; the counterparty closes, or
//                                              we do after logout_timeout
//   any --on_disconnected--> Disconnected;  a protocol failure records an error, then Disconnected
enum class SessionStatus : uint8_t {
  kDisconnected,
  kConnecting,
  kConnected,
  kLoggingIn,
  kLoggedIn,
  kActive,
  kLoggingOut,
  kLoggedOut,
  kError,
};
std::string_view to_string(SessionStatus s);

struct SessionEvent {
  enum class Type : uint8_t {
    kStatus,        // `status` is the new status
    kAppMessage,    // application message `seq` in `bytes`: handle it, then call handled(seq)
    kAdminMessage,  // an admin message arrived (bytes), for logging and fromAdmin callbacks
    kDisconnect,    // write what is pending, then close the connection; `text` says why
    kRejectSent,    // we rejected inbound message `seq`: `text`
    kGarbled,       // inbound bytes ignored without advancing the sequence: `text`
    kLog,           // anything else worth an event-log line: `text`
  };
  Type type = Type::kLog;
  SessionStatus status = SessionStatus::kDisconnected;
  SeqNum seq;
  // kAppMessage: which delivery this is. Passed back to handled(), it keeps a late answer to a
  // message from before a sequence reset off a new message that now has the same number.
  uint64_t epoch = 0;
  bool poss_dup = false;
  // PossResend (97) = Y: the same content may have arrived under another MsgSeqNum; only the
  // application can tell, by the message's own ID (FIX 4.4 Vol. 2 test case 19).
  bool poss_resend = false;
  std::string bytes;
  std::string text;

  // kAppMessage: `bytes` as the session parsed them (saving the application a second parse), or
  // null: then parse `bytes`. Null also in a copy of the event, and once `bytes` moved away.
  const codec::Message* parsed() const {
    const codec::Message& m = parsed_.msg;
    return !m.empty() && m.bytes().data() == bytes.data() && m.bytes().size() == bytes.size()
               ? &m
               : nullptr;
  }
  // Sets `bytes` to a copy of `msg`'s bytes, and parsed() to `msg` over that copy.
  void set_parsed(const codec::Message& msg) {
    bytes.assign(msg.bytes());
    parsed_.msg.assign_copy(msg, bytes);
  }
  void clear_parsed() { parsed_.msg.clear(); }

 private:
  // Moves along with `bytes` (a std::string's heap buffer moves with it); a copy starts empty, as
  // its views would point into the bytes of the event copied from.
  struct Parsed {
    codec::Message msg;
    Parsed() = default;
    Parsed(const Parsed&) {}
    Parsed& operator=(const Parsed&) {
      msg.clear();
      return *this;
    }
    Parsed(Parsed&&) noexcept = default;
    Parsed& operator=(Parsed&&) noexcept = default;
  };
  Parsed parsed_;
};

// Events waiting for poll_event(), in a ring of slots that are reused: their strings keep their
// capacity, so a steady flow of events allocates nothing.
class EventQueue {
 public:
  bool empty() const { return size_ == 0; }
  // A cleared slot at the back.
  SessionEvent& push();
  SessionEvent& back() { return slots_[(head_ + size_ - 1) % slots_.size()]; }
  // The front event, swapped into `out` (whose old strings go to the freed slot); false if none.
  bool pop(SessionEvent& out);

 private:
  std::vector<SessionEvent> slots_;
  size_t head_ = 0, size_ = 0;
};

// Why a connection ended, as SessionStats::disconnects counts it.
enum class DisconnectCause : uint8_t {
  kLogout,          // the Logout handshake (either side started it), or a logout before logon
  kSchedule,        // outside the session's schedule
  kTimeout,         // no Logon, no Logout reply, or a TestRequest unanswered (heartbeat timeout)
  kLogonRefused,    // our Logon refused by the counterparty, or theirs by us (on_logon)
  kProtocol,        // a session-level violation: MsgSeqNum too low, CompIDs, SendingTime …
  kStore,           // the store failed
  kConnectionLost,  // closed under the session: the peer, a network error, an operator's drop
};
inline constexpr size_t kDisconnectCauses = 7;
// "logout", "schedule", "timeout", "logon_refused", "protocol", "store", "connection_lost"
std::string_view to_string(DisconnectCause c);

// SessionStats counts Session Rejects by SessionRejectReason (373) in slots: reasons 0 to 17 in
// slots 0 to 17, every other value (99 "Other", one a newer FIX defines, none given) in slot 18.
inline constexpr size_t kRejectReasonSlots = 19;
inline constexpr size_t reject_reason_slot(uint64_t reason) {
  return reason < kRejectReasonSlots - 1 ? static_cast<size_t>(reason) : kRejectReasonSlots - 1;
}

struct SessionStats {
  Duration session_start{0};  // UTC of the last logon
  uint64_t messages_sent = 0, messages_received = 0;
  uint64_t bytes_sent = 0, bytes_received = 0;
  uint64_t heartbeats_sent = 0, heartbeats_received = 0;
  uint64_t test_requests_sent = 0, test_requests_received = 0;
  uint64_t resend_requests_sent = 0, resend_requests_received = 0;
  uint64_t sequence_resets_received = 0;
  uint64_t rejects_sent = 0, rejects_received = 0;
  uint64_t logouts = 0, errors = 0, garbled = 0;
  // Of the messages and bytes above, the application's (the rest are admin messages; bytes
  // received also counts garbled input). Resends of application messages count again.
  uint64_t app_messages_sent = 0, app_messages_received = 0;
  uint64_t app_bytes_sent = 0, app_bytes_received = 0;
  uint64_t logons = 0;                                  // Logon exchanges completed
  uint64_t gap_fills_sent = 0, gap_fills_received = 0;  // SequenceReset with GapFillFlag=Y
  // Session Rejects (35=3) by reason slot (reject_reason_slot); rejects_sent and rejects_received
  // count these and the BusinessMessageRejects (35=j) too.
  std::array<uint64_t, kRejectReasonSlots> session_rejects_sent{};
  std::array<uint64_t, kRejectReasonSlots> session_rejects_received{};
  std::array<uint64_t, kDisconnectCauses> disconnects{};  // by DisconnectCause
  Duration last_activity{0};                              // UTC of the last byte in or out
  Duration last_received{0};                              // UTC of the last byte in
  Duration last_sent{0};                                  // UTC of the last message out
  uint64_t current_gap = 0;  // inbound messages missing now (asked for, not yet arrived)
};

// Hooks into the application, all optional.
struct SessionHooks {
  // Inspect a counterparty's Logon (Username/Password …); return a reason to refuse it.
  std::function<std::optional<std::string>(const codec::Message& logon)> on_logon;
  // Add fields to the Logon we send (after the standard ones).
  std::function<void(codec::Encoder& logon)> add_logon_fields;
  // Whether stored application message `stored` may be resent; false turns it into a gap fill.
  std::function<bool(const codec::Message& stored)> allow_resend;
  // An admin message (Logon, Heartbeat, Logout …) about to be encoded: add fields (QuickFIX's
  // toAdmin). For the Logon it runs after add_logon_fields.
  std::function<void(std::string_view msg_type, codec::Encoder& message)> to_admin;
  // An application message about to be sent, whole: false vetoes it before it takes a sequence
  // number (QuickFIX's toApp throwing DoNotSend). Resends ask allow_resend instead.
  std::function<bool(const codec::Message& message)> to_app;
};

// Back-pressure for Session::send(): the most unwritten output the caller allows, and how much of
// it the caller holds itself (bytes it took from the session that the socket has not accepted).
struct OutboundLimit {
  size_t high_water = 0;       // bytes; 0: no limit
  size_t taken_unwritten = 0;  // bytes taken with take_output() and not yet written
};

// An application message sent in answer to an inbound one: see Session::handled().
struct Reply {
  std::string msg_type;
  std::string body;  // encoded body fields, as for send()
};

class Session {
 public:
  Session(SessionConfig config, Store& store, SessionHooks hooks = {});

  // Transport events.
  void on_connecting(Now now);
  void on_connected(Now now);
  void on_bytes(std::string_view bytes, Now now);
  void on_disconnected(Now now);
  void on_timeout(Now now);

  // Sends an application message: `body` is its pre-encoded body fields ("55=IBM\x0154=1\x01").
  // kSent once committed, and in pending_output(). Otherwise nothing is sent and no sequence
  // number used: kNotLoggedOn; kBackPressured when the unwritten output (output_size() plus
  // `limit.taken_unwritten`) is at `limit.high_water` or above, checked before encoding;
  // kVetoed by the to_app hook; kStoreFailed when the commit fails (the session stops, kError).
  // Only send() is held back by the limit: replies (handled()), resends and admin messages are
  // not, as the counterparty's own traffic or the protocol makes them.
  SendResult send(std::string_view msg_type, std::string_view body, Now now,
                  OutboundLimit limit = {});
  // Starts the logout handshake: Logout now, disconnect on the reply or after logout_timeout.
  void logout(std::string_view reason, Now now);
  // The application finished handling inbound message `seq`, answering with `replies`. The
  // replies and the watermark's advance are committed to the store in one batch: after a crash
  // either both happened or neither did (then the message is delivered again and the replies
  // were never sent), so a handler's work is neither lost nor done twice. Replies made while
  // not logged on are stored under their sequence numbers and reach the counterparty through
  // its ResendRequest after the next Logon. A message no longer pending (the sequence numbers
  // were reset, or a failed commit put it up for redelivery) has its replies dropped; events
  // (kLog) say so, and so they do for replies the to_app hook vetoes.
  // `epoch` (the event's) makes a message delivered before the numbers were reset or refreshed
  // count as no longer pending, whatever its number.
  void handled(SeqNum seq, Now now, std::span<const Reply> replies = {},
               std::optional<uint64_t> epoch = std::nullopt);
  // Ordered delivery (SessionConfig::ordered_delivery): message `seq` went to the application
  // some other way (a queue another thread takes from): go on with what came after it, without
  // waiting for handled().
  void release(SeqNum seq, Now now);
  // Group commit: handled() calls between begin_batch() and end_batch() share one store commit,
  // made at end_batch() (or by any other call in between, which commits everything pending);
  // their replies are output only once it is made. The engine brackets each burst of inbound
  // messages with them, so a read of fifty orders costs one store write, not fifty.
  void begin_batch() { ++batch_depth_; }
  void end_batch(Now now) {
    if (batch_depth_ > 0 && --batch_depth_ == 0) commit(now);
  }
  // Sends a Heartbeat / TestRequest now (admin API).
  void send_heartbeat(Now now);
  void send_test_request(std::string_view test_req_id, Now now);
  // Asks the counterparty to resend from `begin` (admin API).
  void request_resend(SeqNum begin, Now now);
  // Sends SequenceReset-Reset moving our outbound sequence to `new_seq` (admin API).
  Status reset_outbound_sequence(SeqNum new_seq, Now now);
  // Starts both directions again at 1 while logged on: a Logon with ResetSeqNumFlag=Y at 1,
  // which the counterparty answers with its own (admin API; FIX 4.1 and later).
  Status reset_sequence_numbers(Now now);

  // Output.
  // Only what a store commit covers: output made inside begin_batch()/end_batch() waits for it.
  std::string_view pending_output() const {
    return std::string_view(output_).substr(0, output_committed_);
  }
  // Every byte of output not yet taken, committed or not: what back-pressure counts.
  size_t output_size() const { return output_.size(); }
  void consume_output(size_t n);
  // pending_output() then consume_output() of all of it, into `out` (its old contents dropped).
  // Swaps buffers when everything is committed, so a writer's loop copies nothing.
  void take_output(std::string& out);
  std::optional<SessionEvent> poll_event();
  // The next event into `out`, reusing its strings' capacity (the allocation-free form for a
  // loop that keeps one SessionEvent); false if there is none.
  bool poll_event(SessionEvent& out) { return events_.pop(out); }
  bool has_events() const { return !events_.empty(); }
  std::optional<Duration> poll_timeout() const;  // monotonic deadline of the next timer

  // State.
  SessionStatus status() const { return status_; }
  bool is_logged_on() const {
    return status_ == SessionStatus::kLoggedIn || status_ == SessionStatus::kActive;
  }
  SeqNum next_sender_seq() const { return next_sender_; }
  SeqNum next_target_seq() const { return next_target_; }
  // Bumped whenever the inbound numbers start again or fall back (a reset, a refresh from the
  // store, a failed commit); an event's `epoch` is the one it was delivered in.
  uint64_t sequence_epoch() const { return epoch_; }
  SessionStats stats() const;
  const SessionConfig& config() const { return config_; }
  std::chrono::seconds heartbeat_interval() const { return heartbeat_interval_; }
  const std::string& last_error() const { return last_error_; }
  // FIXT.1.1: the DefaultApplVerID (1137) the counterparty announced in its Logon.
  const std::string& counterparty_default_appl_ver_id() const { return peer_appl_ver_id_; }
  // How long until the schedule lets the session log on; nullopt when it may now (or has none).
  std::optional<Duration> schedule_wait(Now now) const;

 private:
  enum class Timer : uint8_t { kHeartbeat, kTestRequest, kLogon, kLogout, kSchedule, kCount };

  // Inbound.
  // Processes what was read and what waits behind a gap, until more bytes are needed, the
  // session stops, or (ordered delivery) a delivered message awaits the application.
  void process_input(Now now);
  void process_frame(std::string_view frame, Now now);
  // Parses `frame` into `msg`; a field with an impossible tag number ("0=", "-5=") is cut out
  // (into `copy`, which `msg` then views) and named in `invalid_tag` for a Reject, reason 0.
  codec::ParseResult parse_frame(std::string_view frame, codec::Message& msg, std::string& copy,
                                 std::string& invalid_tag);
  // `bytes`: the frame as received. `from_queue`: a message held back behind a gap, already
  // verified when it arrived. `invalid_tag`: see parse_frame().
  void process(const codec::Message& msg, std::string_view bytes, Now now, bool from_queue,
               std::string_view invalid_tag);
  // The checks every message passes before its number counts; `seq` gets its MsgSeqNum.
  bool verify_header(const codec::Message& msg, SeqNum& seq, Now now);
  bool check_required_header(const codec::Message& msg, SeqNum seq, Now now);
  bool check_poss_dup(const codec::Message& msg, SeqNum seq, Now now);
  void on_logon(const codec::Message& msg, SeqNum seq, std::string_view invalid_tag, Now now);
  void on_reset_logon(const codec::Message& msg, SeqNum seq, Now now);
  std::optional<std::string> check_logon(const codec::Message& msg, std::string_view invalid_tag);
  void on_test_request(const codec::Message& msg, Now now);
  void on_heartbeat(const codec::Message& msg);
  void on_resend_request(const codec::Message& msg, Now now);
  void on_sequence_reset(const codec::Message& msg, Now now);
  void on_logout_message(const codec::Message& msg, Now now);
  // `seq`: the MsgSeqNum of `msg`, whose bytes() are the message as received.
  void on_app_message(const codec::Message& msg, SeqNum seq);
  void process_queued(Now now);
  void advance_target(SeqNum seq);
  // A message that was rejected still uses up its sequence number, if it was the expected one.
  void consume(SeqNum seq) {
    if (seq == next_target_) next_target_ = seq.next();
  }
  void handle_gap(std::string_view bytes, SeqNum seq, Now now);
  void request_gap(SeqNum seq, Now now);  // ResendRequest for [next_target_, seq - 1], chunked
  void add_reply_routing(const codec::Message& msg);
  void reject(const codec::Message& msg, codec::SessionRejectReason reason, Tag ref_tag,
              std::string_view text, Now now);
  // `ref_tag` as written, for a tag that is no number a Tag can hold ("-5").
  void reject(const codec::Message& msg, codec::SessionRejectReason reason,
              std::string_view ref_tag, std::string_view text, Now now);
  void business_reject(const codec::Message& msg, codec::BusinessRejectReason reason, Tag ref_tag,
                       std::string_view text, Now now);

  // Outbound.
  codec::Encoder& start(std::string_view msg_type, Now now, SeqNum seq, bool poss_dup = false);
  void finish_admin(Now now);
  void finish_app(Now now) { record_app(enc_.finish(), now, true); }
  // Stores application message `bytes` under the next sequence number; `write`: also send it.
  void record_app(std::string_view bytes, Now now, bool write);
  // Whether the to_app hook lets `bytes` go out.
  bool app_allowed(std::string_view bytes);
  // `reset_flag`: with ResetSeqNumFlag=Y (never in FIX 4.0, which has no such field).
  void send_logon(bool reset_flag, Now now);
  void send_logout(std::string_view text, Now now);
  void send_resend_request(SeqNum begin, SeqNum end, Now now);
  void send_gap_fill(SeqNum begin, SeqNum new_seq, Now now);
  void resend(SeqNum begin, SeqNum end, Now now);
  void commit(Now now);

  // State changes.
  void set_status(SessionStatus s);
  // Ends the connection: status Error, or LoggedOut for kLogout and kSchedule.
  void disconnect(std::string_view reason, Now now,
                  DisconnectCause cause = DisconnectCause::kProtocol);
  void emit(SessionEvent::Type type, std::string text = {}, SeqNum seq = {});
  void emit_admin(std::string_view bytes, SeqNum seq);  // kAdminMessage, the message in `bytes`
  void arm(Timer t, Duration deadline) { timers_[static_cast<size_t>(t)] = deadline; }
  void disarm(Timer t) { timers_[static_cast<size_t>(t)].reset(); }
  // HeartBtInt 0 means no heartbeats and no test requests.
  void arm_heartbeat(Duration from) {
    if (heartbeat_interval_.count() > 0) arm(Timer::kHeartbeat, from + heartbeat_interval_);
  }
  void arm_test_request(Duration from) {
    if (heartbeat_interval_.count() > 0)
      arm(Timer::kTestRequest, from + heartbeat_interval_ + config_.test_request_delay);
  }
  bool take_due(Timer t, Now now);
  // RefreshOnLogon: adopts the store's sequence numbers; false (and disconnected) on failure.
  bool refresh_from_store(Now now);
  // Applies the schedule at `now`: logout when a window closes, the reset when one opens, and
  // the timer for the next boundary. False when the session may not log on now.
  bool check_schedule(Now now);
  void reset_sequences(Now now);
  bool gap_outstanding() const { return resend_end_.has_value() || !queue_.empty(); }

  SessionConfig config_;
  Store& store_;
  SessionHooks hooks_;
  std::optional<dict::Validator> validator_;
  codec::FrameReader reader_;
  codec::Message msg_;
  codec::Message scratch_;   // for queued and stored messages
  std::string frame_copy_;   // a frame with impossible tags cut out, which msg_ may view
  std::string invalid_tag_;  // the first of those tags, as written
  codec::Encoder enc_;
  std::string_view encoding_type_;  // MsgType of the message in enc_, for the to_admin hook

  SessionStatus status_ = SessionStatus::kDisconnected;
  std::chrono::seconds heartbeat_interval_;
  SeqNum next_sender_{1};
  SeqNum next_target_{1};       // next expected inbound (processed in memory)
  SeqNum committed_target_{1};  // the watermark as last committed
  // Delivered application messages not yet handled, ascending: a sorted vector, as there are
  // rarely more than a few (a set would allocate a node per message).
  std::vector<uint64_t> unhandled_;
  // Ordered delivery: the application message delivered and not yet handled or released.
  std::optional<uint64_t> held_;
  uint64_t epoch_ = 0;  // bumped whenever unhandled_ is emptied by force (see handled())
  std::map<uint64_t, std::string> queue_;  // received ahead of a gap, in sequence order
  std::optional<SeqNum> resend_end_;       // our outstanding ResendRequest covers up to this
  // Disconnects are counted once per connection: by disconnect(), else by on_disconnected().
  bool connected_ = false, disconnect_counted_ = false;
  bool logon_received_ = false;
  bool logon_sent_ = false;
  bool logout_sent_ = false;
  bool logout_received_ = false;
  bool reset_sent_ = false;       // we sent a Logon with ResetSeqNumFlag=Y; its answer is due
  std::string peer_appl_ver_id_;  // FIXT.1.1: DefaultApplVerID from the counterparty's Logon
  std::vector<std::string> supported_types_;  // sorted; empty: every type
  std::string test_req_id_;                   // outstanding TestRequest we sent, empty if none
  uint64_t test_req_counter_ = 0;
  Duration last_sent_{0}, last_received_{0};
  std::optional<Duration> timers_[static_cast<size_t>(Timer::kCount)];

  StoreBatch batch_;
  std::string output_;
  size_t output_committed_ = 0;  // bytes of output_ already covered by a store commit
  int batch_depth_ = 0;          // begin_batch() nesting: handled() defers its commit
  EventQueue events_;
  SessionStats stats_;
  std::string last_error_;
};

}  // namespace fixgate::session
