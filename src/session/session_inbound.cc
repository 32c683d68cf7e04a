// The session's inbound side: each frame read from the transport is parsed, its header checked
// (BeginString, MsgSeqNum, CompIDs, SendingTime), then handled by type or delivered, with gaps
// queued behind a ResendRequest. Rules cite the FIX 4.4 Volume 2 session test cases by number.
#include <algorithm>

#include "fixgate/codec/values.h"
#include "fixgate/session/session.h"
#include "session_internal.h"

namespace fixgate::session {

using codec::SessionRejectReason;
using namespace internal;

void Session::process_frame(std::string_view frame, Now now) {
  std::string& invalid_tag = invalid_tag_;
  auto r = parse_frame(frame, msg_, frame_copy_, invalid_tag);
  if (!r.ok()) {
    ++stats_.garbled;
    std::string text = "malformed message ignored at offset " + std::to_string(r.offset) + ": " +
                       std::string(codec::to_string(r.error));
    emit(SessionEvent::Type::kGarbled, text);
    if (!logon_received_) disconnect("invalid Logon: " + text, now);  // 1B(d), 1S
    return;
  }
  process(msg_, frame, now, /*from_queue=*/false, invalid_tag);
  process_queued(now);
}

namespace {

// "0", "-5", "0055", "1234567890": a number, but no tag (14a's impossible tag numbers). What is
// not a number at all ("3a", "") leaves the message garbled.
bool is_impossible_tag(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

codec::ParseResult Session::parse_frame(std::string_view frame, codec::Message& msg,
                                        std::string& copy, std::string& invalid_tag) {
  const auto& data_fields = config_.data_dictionary ? config_.data_dictionary->data_fields()
                                                    : codec::DataFieldTable::standard();
  invalid_tag.clear();
  codec::ParseResult r = msg.parse(frame, data_fields);
  if (r.ok() || r.error != codec::ParseError::kBadTag) [[likely]]
    return r;
  // A field whose tag is a number no field can have does not garble the message: QuickFIX
  // answers it with a Reject (reason 0) naming the tag as written, and so do we. The message is
  // read from a copy without such fields; the first one is the one rejected.
  copy.assign(frame);
  for (;;) {
    const size_t eq = copy.find('=', r.offset);
    const size_t soh = copy.find(codec::kSoh, eq);
    if (eq == std::string::npos || soh == std::string::npos) return r;
    const std::string_view text(copy.data() + r.offset, eq - r.offset);
    if (!is_impossible_tag(text)) return r;
    if (invalid_tag.empty()) invalid_tag = text;
    copy.erase(r.offset, soh + 1 - r.offset);
    r = msg.parse(copy, data_fields);
    if (r.ok() || r.error != codec::ParseError::kBadTag) return r;
  }
}

void Session::process(const codec::Message& msg, std::string_view bytes, Now now, bool from_queue,
                      std::string_view invalid_tag) {
  const std::string_view type = msg.msg_type();
  if (!from_queue) {
    ++stats_.messages_received;
    if (!msg.is_admin()) {
      ++stats_.app_messages_received;
      stats_.app_bytes_received += bytes.size();
      if (type == kBusinessMessageReject) ++stats_.rejects_received;
    }
    last_received_ = now.mono;
    test_req_id_.clear();  // any message proves the counterparty alive
    if (logon_received_) arm_test_request(now.mono);
  }

  if (!logon_received_ && type != kLogon) {
    // 1B(e), 1S: the first message must be a Logon: anything else drops the connection, no reply.
    if (type == kLogout && logon_sent_) {
      ++stats_.logouts;
      emit_admin(bytes, SeqNum(msg.seq_num().value_or(0)));
      disconnect("Logon refused by counterparty: " + std::string(msg.get(tag::Text).value_or("")),
                 now, DisconnectCause::kLogonRefused);
    } else {
      disconnect("first message is not a Logon (MsgType " + std::string(type) + ")", now);
    }
    return;
  }
  // A queued message was verified when it arrived; its SendingTime was accurate then, and the
  // time spent waiting for the gap to be filled is ours, not the sender's.
  SeqNum seq;
  if (from_queue) {
    seq = SeqNum(*msg.seq_num());
  } else if (!verify_header(msg, seq, now)) {
    return;
  }

  // 11: SequenceReset-Reset ignores MsgSeqNum entirely.
  if (is_sequence_reset_reset(msg)) {
    emit_admin(bytes, seq);
    on_sequence_reset(msg, now);
    return;
  }
  if (type == kLogon) {
    if (from_queue) {
      advance_target(seq);  // a too-high Logon, processed when it arrived: now only counted
    } else {
      on_logon(msg, seq, invalid_tag, now);
    }
    return;
  }
  if (seq > next_target_) {
    // 20: a ResendRequest is answered at once, even while we wait for our own gap to be filled;
    // when its turn comes in the queue it is only counted.
    if (type == kResendRequest) on_resend_request(msg, now);
    if (type == kLogout) {
      on_logout_message(msg, now);
      return;
    }
    handle_gap(bytes, seq, now);  // 2b
    return;
  }
  if (seq < next_target_) {
    if (type == kResendRequest) {
      // A ResendRequest is answered whatever its own number, so that two sides whose numbers
      // disagree can still recover (as QuickFIX does); it uses up no number.
      emit_admin(bytes, seq);
      on_resend_request(msg, now);
      return;
    }
    if (msg.poss_dup()) {
      // 2e: a duplicate, ignored once its OrigSendingTime passed the PossDup checks (2g, 2h).
      if (!check_poss_dup(msg, seq, now)) return;
      emit(SessionEvent::Type::kLog, "duplicate message ignored", seq);
      return;
    }
    // 2c (and 10 for a GapFill without PossDupFlag): Logout, then disconnect.
    std::string text = "MsgSeqNum too low, expecting " + std::to_string(next_target_.value) +
                       " but received " + std::to_string(seq.value);
    send_logout(text, now);
    disconnect(text, now);
    return;
  }

  // In sequence.
  if (!check_poss_dup(msg, seq, now)) return;
  if (!invalid_tag.empty()) [[unlikely]] {
    // 14a: a tag no field can have is rejected, reason 0, and the message counts.
    reject(msg, SessionRejectReason::kInvalidTagNumber, invalid_tag,
           "Invalid tag number, field=" + std::string(invalid_tag), now);
    advance_target(seq);
    return;
  }
  if (validator_) {
    if (auto err = validator_->validate(msg)) {
      // 14a-i, 2q, 2r: an invalid message is rejected and still consumes its sequence number.
      if (err->business) {
        business_reject(msg, err->business_reason, err->tag, err->text(), now);
      } else {
        reject(msg, err->reason, err->tag, err->text(), now);
      }
      advance_target(seq);
      return;
    }
  } else if (!supported_types_.empty() && !msg.is_admin() &&
             !std::binary_search(supported_types_.begin(), supported_types_.end(), type)) {
    // 2r without a dictionary: the supported list alone decides.
    auto reason = codec::BusinessRejectReason::kUnsupportedMessageType;
    business_reject(msg, reason, tag::MsgType, std::string(codec::to_string(reason)), now);
    advance_target(seq);
    return;
  }
  if (!config_.application_available && !msg.is_admin()) {
    auto reason = codec::BusinessRejectReason::kApplicationNotAvailable;
    business_reject(msg, reason, tag::MsgType, std::string(codec::to_string(reason)), now);
    advance_target(seq);
    return;
  }

  if (msg.is_admin() && type != kLogout) emit_admin(bytes, seq);  // Logout: below
  if (type == kHeartbeat) {
    on_heartbeat(msg);  // 5
  } else if (type == kTestRequest) {
    on_test_request(msg, now);  // 4b
  } else if (type == kResendRequest) {
    if (!from_queue) on_resend_request(msg, now);  // 8 (a queued one was answered on arrival)
  } else if (type == kReject) {
    ++stats_.rejects_received;  // 7
    ++stats_.session_rejects_received[reject_reason_slot(
        codec::parse_uint(msg.get(tag::SessionRejectReason).value_or("")).value_or(99))];
  } else if (type == kSequenceReset) {
    on_sequence_reset(msg, now);  // 10
    return;                       // sets next_target_ itself
  } else if (type == kLogout) {
    advance_target(seq);
    on_logout_message(msg, now);  // 13
    return;
  } else {
    on_app_message(msg, seq);
  }
  advance_target(seq);
}

bool Session::verify_header(const codec::Message& msg, SeqNum& seq, Now now) {
  if (msg.begin_string() != config_.id.begin_string) {
    // 2i, 1B(d): Logout naming the BeginString, then disconnect.
    std::string text = "Incorrect BeginString " + std::string(msg.begin_string()) + ", expected " +
                       config_.id.begin_string;
    send_logout(text, now);
    disconnect(text, now);
    return false;
  }
  // 11: a SequenceReset-Reset's own MsgSeqNum means nothing, so any number will do, even 0.
  const std::optional<uint64_t> seq_num =
      is_sequence_reset_reset(msg) ? codec::parse_uint(msg.header(codec::HeaderSlot::kMsgSeqNum))
                                   : msg.seq_num();
  if (!seq_num) {
    // Vol. 2 "MsgSeqNum": a message without one is a serious error: Logout, then disconnect.
    send_logout("MsgSeqNum (34) missing or invalid", now);
    disconnect("MsgSeqNum (34) missing or invalid", now);
    return false;
  }
  seq = SeqNum(*seq_num);
  if (!check_required_header(msg, seq, now)) return false;
  if (config_.check_comp_id && (msg.sender_comp_id() != config_.id.target_comp_id ||
                                msg.target_comp_id() != config_.id.sender_comp_id)) {
    // 2k, 1B(c): Reject (CompID problem), increment the inbound number, Logout, disconnect.
    Tag bad =
        msg.sender_comp_id() != config_.id.target_comp_id ? tag::SenderCompID : tag::TargetCompID;
    reject(msg, SessionRejectReason::kCompIdProblem, bad, "CompID problem", now);
    if (logon_received_) consume(seq);
    send_logout("CompID problem", now);
    disconnect("CompID problem: message from " + std::string(msg.sender_comp_id()) + " to " +
                   std::string(msg.target_comp_id()),
               now);
    return false;
  }
  if (config_.check_latency) {
    auto sent = codec::UtcTimestamp::parse(msg.sending_time());
    if (!sent || std::chrono::abs(Duration(sent->nanos) - now.utc) > config_.max_latency) {
      const std::string why = "SendingTime accuracy problem";
      if (logon_received_) {
        // 2o: Reject (SendingTime accuracy problem), increment, Logout, disconnect.
        reject(msg, SessionRejectReason::kSendingTimeAccuracyProblem, tag::SendingTime, why, now);
        consume(seq);
      }
      // 1B(d): a Logon outside the window is refused; there is no session to send a Reject in.
      send_logout(why, now);
      disconnect(why + ": " + std::string(msg.sending_time()), now);
      return false;
    }
  }
  return true;
}

// The header fields every message needs, before their values are compared: one missing is a
// Reject with reason 1, one present without a value reason 4 (with ValidateFieldsHaveValues),
// naming it (RefTagID). A Logon with either is invalid: Logout and disconnect (1B(d)).
bool Session::check_required_header(const codec::Message& msg, SeqNum seq, Now now) {
  static constexpr std::pair<codec::HeaderSlot, Tag> kRequired[] = {
      {codec::HeaderSlot::kSenderCompID, tag::SenderCompID},
      {codec::HeaderSlot::kTargetCompID, tag::TargetCompID},
      {codec::HeaderSlot::kSendingTime, tag::SendingTime},
  };
  for (auto [slot, field] : kRequired) {
    SessionRejectReason reason;
    if (!msg.has_header(slot)) [[unlikely]] {
      reason = SessionRejectReason::kRequiredTagMissing;
    } else if (msg.header(slot).empty() && config_.validation.validate_fields_have_values)
        [[unlikely]] {
      reason = SessionRejectReason::kTagSpecifiedWithoutValue;
    } else {
      continue;
    }
    const std::string text =
        std::string(codec::to_string(reason)) + ", field=" + std::to_string(field);
    if (!logon_received_) {
      send_logout(text, now);
      disconnect("invalid Logon: " + text, now);
      return false;
    }
    reject(msg, reason, field, text, now);
    consume(seq);
    return false;
  }
  return true;
}

// 2g, 2h: PossDupFlag=Y needs an OrigSendingTime no later than SendingTime. Checked before the
// duplicate test (2e), so a too-low duplicate is rejected too, without consuming a number.
// SequenceReset-GapFill is exempt: the counterparty sends it PossDup and it carries no content.
bool Session::check_poss_dup(const codec::Message& msg, SeqNum seq, Now now) {
  if (!msg.poss_dup() || msg.msg_type() == kSequenceReset) return true;
  std::string_view orig_text = msg.header(codec::HeaderSlot::kOrigSendingTime);
  if (orig_text.empty()) {
    reject(msg, SessionRejectReason::kRequiredTagMissing, tag::OrigSendingTime,
           "PossDupFlag=Y without OrigSendingTime", now);
    consume(seq);
    return false;
  }
  auto orig = codec::UtcTimestamp::parse(orig_text);
  if (!orig) {
    reject(msg, SessionRejectReason::kIncorrectDataFormat, tag::OrigSendingTime,
           "Incorrect data format for value, field=122", now);
    consume(seq);
    return false;
  }
  auto sent = codec::UtcTimestamp::parse(msg.sending_time());
  if (sent && orig->nanos > sent->nanos) {
    reject(msg, SessionRejectReason::kSendingTimeAccuracyProblem, tag::OrigSendingTime,
           "OrigSendingTime is later than SendingTime", now);
    consume(seq);
    send_logout("OrigSendingTime is later than SendingTime", now);
    disconnect("OrigSendingTime is later than SendingTime", now);
    return false;
  }
  return true;
}

void Session::on_heartbeat(const codec::Message& msg) {
  ++stats_.heartbeats_received;
  (void)msg;
}

void Session::on_test_request(const codec::Message& msg, Now now) {
  ++stats_.test_requests_received;
  std::string id(msg.get(tag::TestReqID).value_or(""));
  start(kHeartbeat, now, next_sender_).field(tag::TestReqID, id);
  ++stats_.heartbeats_sent;
  finish_admin(now);
}

void Session::on_resend_request(const codec::Message& msg, Now now) {
  ++stats_.resend_requests_received;
  auto begin = codec::parse_uint(msg.get(tag::BeginSeqNo).value_or(""));
  auto end = codec::parse_uint(msg.get(tag::EndSeqNo).value_or(""));
  if (!begin || !end) {
    reject(msg, SessionRejectReason::kRequiredTagMissing, begin ? tag::EndSeqNo : tag::BeginSeqNo,
           "ResendRequest without BeginSeqNo/EndSeqNo", now);
    return;
  }
  // EndSeqNo 0 (FIX 4.2+) and 999999 (FIX 4.0/4.1) both mean "everything you sent".
  const uint64_t last = next_sender_.value - 1;
  uint64_t e = (*end == 0 || *end >= 999999 || *end > last) ? last : *end;
  emit(SessionEvent::Type::kLog,
       "ResendRequest " + std::to_string(*begin) + ".." + std::to_string(*end) + " received");
  if (*begin == 0 || *begin > e) return;
  resend(SeqNum(*begin), SeqNum(e), now);
}

void Session::on_sequence_reset(const codec::Message& msg, Now now) {
  ++stats_.sequence_resets_received;
  const bool gap_fill = msg.get(tag::GapFillFlag).value_or("N") == "Y";
  if (gap_fill) ++stats_.gap_fills_received;
  auto new_seq = codec::parse_uint(msg.get(tag::NewSeqNo).value_or(""));
  const SeqNum seq(msg.seq_num().value_or(0));
  if (!new_seq) {
    reject(msg, SessionRejectReason::kRequiredTagMissing, tag::NewSeqNo, "NewSeqNo missing", now);
    if (gap_fill) consume(seq);
    return;
  }
  if (*new_seq > next_target_.value) {
    // 10 (GapFill in sequence), 11a (Reset, whatever its MsgSeqNum).
    emit(SessionEvent::Type::kLog, std::string(gap_fill ? "GapFill" : "Reset") + " from " +
                                       std::to_string(next_target_.value) + " to " +
                                       std::to_string(*new_seq));
    next_target_ = SeqNum(*new_seq);
    // Messages queued below the new number will never be needed.
    queue_.erase(queue_.begin(), queue_.lower_bound(*new_seq));
  } else if (*new_seq == next_target_.value && !gap_fill) {
    emit(SessionEvent::Type::kLog,
         "SequenceReset to the expected MsgSeqNum: nothing to do");  // 11b
  } else {
    // 10 (NewSeqNo <= MsgSeqNum), 11c: Reject, reason 5.
    reject(msg, SessionRejectReason::kValueIsIncorrect, tag::NewSeqNo,
           "attempt to lower sequence number, invalid value NewSeqNo=" + std::to_string(*new_seq),
           now);
    if (gap_fill) consume(seq);
  }
}

void Session::on_logout_message(const codec::Message& msg, Now now) {
  ++stats_.logouts;
  logout_received_ = true;
  std::string text(msg.get(tag::Text).value_or(""));
  emit_admin(msg.bytes(), SeqNum(msg.seq_num().value_or(0)));
  if (logout_sent_) {
    // 13a: the reply to our Logout. Disconnect without sending anything.
    set_status(SessionStatus::kLoggedOut);
    disconnect(text.empty() ? "logged out" : "logged out: " + text, now, DisconnectCause::kLogout);
    return;
  }
  // 13b: an unsolicited Logout is answered; then the counterparty disconnects. If it has not
  // within logout_timeout, we do (on_timeout).
  send_logout("", now);
  for (auto& t : timers_) t.reset();
  arm(Timer::kLogout, now.mono + config_.logout_timeout);
  set_status(SessionStatus::kLoggedOut);
  emit(SessionEvent::Type::kLog, text.empty()
                                     ? "Logout answered; waiting for disconnect"
                                     : "Logout answered (" + text + "); waiting for disconnect");
}

void Session::on_app_message(const codec::Message& msg, SeqNum seq) {
  // Delivered in every logged-on state, LoggingOut included: the counterparty may have sent it
  // before it saw our Logout, and it has used up its sequence number.
  if (unhandled_.empty() || seq.value > unhandled_.back()) {
    unhandled_.push_back(seq.value);
  } else if (auto at = std::lower_bound(unhandled_.begin(), unhandled_.end(), seq.value);
             *at != seq.value) {
    unhandled_.insert(at, seq.value);
  }
  SessionEvent& e = events_.push();
  e.type = SessionEvent::Type::kAppMessage;
  e.status = status_;
  e.seq = seq;
  e.epoch = epoch_;
  e.poss_dup = msg.poss_dup();
  e.poss_resend = msg.poss_resend();
  e.set_parsed(msg);
  if (config_.ordered_delivery) held_ = seq.value;
}

void Session::advance_target(SeqNum seq) {
  if (seq >= next_target_) next_target_ = seq.next();
}

void Session::handle_gap(std::string_view bytes, SeqNum seq, Now now) {
  if (config_.max_sequence_gap && seq.value - next_target_.value > config_.max_sequence_gap) {
    std::string text = gap_too_large(next_target_, seq, config_.max_sequence_gap);
    send_logout(text, now);
    disconnect(text, now);
    return;
  }
  queue_.emplace(seq.value, std::string(bytes));
  // One ResendRequest at a time unless SendRedundantResendRequests: the outstanding one
  // already covers this gap (EndSeqNo 0), or its next chunk is asked for when it is filled.
  if (resend_end_ && !config_.send_redundant_resend_requests) return;
  request_gap(seq, now);
}

void Session::request_gap(SeqNum seq, Now now) {
  const SeqNum begin = next_target_;
  const uint64_t last = seq.value - 1;
  SeqNum end(0);  // 0: everything (999999 in FIX 4.0/4.1, see send_resend_request)
  if (config_.resend_request_chunk_size)
    end = SeqNum(std::min(last, begin.value + config_.resend_request_chunk_size - 1));
  resend_end_ = end.value ? end : SeqNum(last);
  send_resend_request(begin, end, now);
  if (status_ == SessionStatus::kActive) set_status(SessionStatus::kLoggedIn);
}

void Session::process_queued(Now now) {
  while (!held_ && !queue_.empty() && queue_.begin()->first <= next_target_.value &&
         status_ != SessionStatus::kError && status_ != SessionStatus::kDisconnected &&
         status_ != SessionStatus::kLoggedOut) {
    auto node = queue_.extract(queue_.begin());
    if (node.key() < next_target_.value) continue;  // filled by a resend meanwhile
    const std::string bytes = std::move(node.mapped());
    std::string copy, invalid_tag;
    if (!parse_frame(bytes, scratch_, copy, invalid_tag).ok()) continue;  // parsed on arrival
    process(scratch_, bytes, now, /*from_queue=*/true, invalid_tag);
  }
  if (status_ == SessionStatus::kError || status_ == SessionStatus::kDisconnected ||
      status_ == SessionStatus::kLoggedOut)
    return;
  if (resend_end_ && next_target_ > *resend_end_) {
    resend_end_.reset();
    // Chunked resend, or part of the answer lost: ask for what is still missing.
    if (!queue_.empty() && queue_.begin()->first > next_target_.value)
      request_gap(SeqNum(queue_.begin()->first), now);
  }
  if (status_ == SessionStatus::kLoggedIn && !gap_outstanding()) set_status(SessionStatus::kActive);
}

}  // namespace fixgate::session
