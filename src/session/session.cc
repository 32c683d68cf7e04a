#include "fixgate/session/session.h"

#include <algorithm>

#include "fixgate/codec/values.h"

namespace fixgate::session {

using codec::SessionRejectReason;

namespace {

constexpr std::string_view kLogon = "A", kHeartbeat = "0", kTestRequest = "1",
                           kResendRequest = "2", kReject = "3", kSequenceReset = "4",
                           kLogout = "5";

// FIX 4.0 and 4.1 have no RefTagID/RefMsgType/SessionRejectReason and use 999999 for "infinity".
bool is_fix40_or_41(std::string_view begin_string) {
  return begin_string == "FIX.4.0" || begin_string == "FIX.4.1";
}

}  // namespace

std::string SessionId::to_string() const {
  std::string s = begin_string + ":" + sender_comp_id;
  if (!sender_sub_id.empty()) s += "/" + sender_sub_id;
  if (!sender_location_id.empty()) s += "/" + sender_location_id;
  s += "->" + target_comp_id;
  if (!target_sub_id.empty()) s += "/" + target_sub_id;
  if (!target_location_id.empty()) s += "/" + target_location_id;
  if (!qualifier.empty()) s += ":" + qualifier;
  return s;
}

std::string_view to_string(SessionStatus s) {
  switch (s) {
    case SessionStatus::kDisconnected: return "Disconnected";
    case SessionStatus::kConnecting: return "Connecting";
    case SessionStatus::kConnected: return "Connected";
    case SessionStatus::kLoggingIn: return "LoggingIn";
    case SessionStatus::kLoggedIn: return "LoggedIn";
    case SessionStatus::kActive: return "Active";
    case SessionStatus::kLoggingOut: return "LoggingOut";
    case SessionStatus::kLoggedOut: return "LoggedOut";
    case SessionStatus::kError: return "Error";
  }
  return "?";
}

Session::Session(SessionConfig config, Store& store, SessionHooks hooks)
    : config_(std::move(config)),
      store_(store),
      hooks_(std::move(hooks)),
      reader_(codec::FramerOptions{config_.max_message_size, config_.validate_length_and_checksum,
                                   config_.validate_length_and_checksum}),
      heartbeat_interval_(config_.heartbeat_interval),
      next_sender_(store.next_sender_seq()),
      next_target_(store.next_target_seq()),
      committed_target_(store.next_target_seq()) {
  if (config_.data_dictionary) {
    validator_.emplace(config_.data_dictionary, config_.validation);
    if (config_.app_dictionary) {
      validator_->add_application(config_.app_dictionary);
      if (!config_.default_appl_ver_id.empty())
        validator_->set_default_appl_ver_id(config_.default_appl_ver_id);
    }
  }
}

// ---- transport events -------------------------------------------------------------------

void Session::on_connecting(Now) { set_status(SessionStatus::kConnecting); }

void Session::on_connected(Now now) {
  set_status(SessionStatus::kConnected);
  last_received_ = last_sent_ = now.mono;
  if (config_.role == Role::kInitiator) {
    if (config_.reset_on_logon) reset_sequences(now);
    send_logon(now);
    set_status(SessionStatus::kLoggingIn);
  }
  // Both roles: no Logon exchanged within the logon timeout drops the connection.
  arm(Timer::kLogon, now.mono + config_.logon_timeout);
  commit(now);
}

void Session::on_bytes(std::string_view bytes, Now now) {
  if (status_ == SessionStatus::kDisconnected || status_ == SessionStatus::kError) return;
  stats_.bytes_received += bytes.size();
  stats_.last_activity = now.utc;
  reader_.append(bytes);
  for (;;) {
    codec::Frame f = reader_.next();
    if (f.discarded > 0) {
      ++stats_.garbled;
      emit(SessionEvent::Type::kGarbled,
           "discarded " + std::to_string(f.discarded) + " bytes that are not a FIX message");
    }
    if (f.status == codec::FrameStatus::kNeedMore) break;
    if (f.status == codec::FrameStatus::kGarbled) {
      // Garbled messages are ignored without advancing the inbound sequence number.
      ++stats_.garbled;
      emit(SessionEvent::Type::kGarbled,
           "garbled message ignored: " + std::string(codec::to_string(f.error)));
      continue;
    }
    process_frame(f.bytes, now);
    if (status_ == SessionStatus::kError || status_ == SessionStatus::kLoggedOut ||
        status_ == SessionStatus::kDisconnected)
      break;
  }
  commit(now);
}

void Session::on_disconnected(Now now) {
  commit(now);
  if (config_.reset_on_disconnect || (config_.reset_on_logout && status_ == SessionStatus::kLoggedOut))
    reset_sequences(now);
  logon_received_ = logon_sent_ = logout_sent_ = reset_requested_ = false;
  queue_.clear();
  resend_end_.reset();
  test_req_id_.clear();
  for (auto& t : timers_) t.reset();
  reader_ = codec::FrameReader(reader_.options());
  output_.clear();
  output_committed_ = 0;
  set_status(SessionStatus::kDisconnected);
}

void Session::on_timeout(Now now) {
  auto due = [&](Timer t) {
    auto& d = timers_[static_cast<size_t>(t)];
    return d && *d <= now.mono;
  };
  if (due(Timer::kLogon)) {
    disarm(Timer::kLogon);
    disconnect("logon timeout: no Logon within " +
                   std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      config_.logon_timeout)
                                      .count()) +
                   " ms",
               now);
  }
  if (due(Timer::kLogout)) {
    disarm(Timer::kLogout);
    disconnect("logout timeout: no Logout reply", now);
  }
  if (due(Timer::kTestRequest)) {
    if (!test_req_id_.empty()) {
      disarm(Timer::kTestRequest);
      disconnect("heartbeat timeout: TestRequest " + test_req_id_ + " unanswered", now);
    } else if (is_logged_on()) {
      send_test_request("TEST" + std::to_string(++test_req_counter_), now);
    }
  }
  if (due(Timer::kHeartbeat) && is_logged_on()) send_heartbeat(now);
  commit(now);
}

std::optional<Duration> Session::poll_timeout() const {
  std::optional<Duration> next;
  for (const auto& t : timers_)
    if (t && (!next || *t < *next)) next = t;
  return next;
}

std::optional<SessionEvent> Session::poll_event() {
  if (events_.empty()) return std::nullopt;
  SessionEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

void Session::consume_output(size_t n) {
  n = std::min(n, output_.size());
  output_.erase(0, n);
  output_committed_ -= std::min(n, output_committed_);
}

// ---- inbound ------------------------------------------------------------------------------

void Session::process_frame(std::string_view frame, Now now) {
  const auto& data_fields = config_.data_dictionary ? config_.data_dictionary->data_fields()
                                                    : codec::DataFieldTable::standard();
  auto r = msg_.parse(frame, data_fields);
  if (!r.ok()) {
    ++stats_.garbled;
    emit(SessionEvent::Type::kGarbled, "malformed message ignored at offset " +
                                           std::to_string(r.offset) + ": " +
                                           std::string(codec::to_string(r.error)));
    return;
  }
  process(msg_, frame, now);
  process_queued(now);
}

void Session::process(const codec::Message& msg, std::string_view bytes, Now now) {
  ++stats_.messages_received;
  last_received_ = now.mono;
  test_req_id_.clear();  // any message proves the counterparty alive
  if (logon_received_)
    arm(Timer::kTestRequest, now.mono + heartbeat_interval_ + config_.test_request_delay);
  const std::string_view type = msg.msg_type();

  if (!logon_received_ && type != kLogon) {
    // The first message must be a Logon: anything else is dropped with the connection, no reply.
    if (type == kLogout && logon_sent_) {
      emit(SessionEvent::Type::kAdminMessage, std::string(msg.get(tag::Text).value_or("")),
           msg.seq_num().value_or(0) ? SeqNum(*msg.seq_num()) : SeqNum());
      disconnect("Logon refused by counterparty: " + std::string(msg.get(tag::Text).value_or("")),
                 now);
    } else {
      disconnect("first message is not a Logon (MsgType " + std::string(type) + ")", now);
    }
    return;
  }
  if (!verify_header(msg, now)) return;
  const SeqNum seq(*msg.seq_num());

  // SequenceReset-Reset ignores MsgSeqNum entirely (FIX 4.4 Vol. 2 test case 11).
  if (type == kSequenceReset && msg.get(tag::GapFillFlag).value_or("N") != "Y") {
    on_sequence_reset(msg, now);
    return;
  }
  if (type == kLogon) {
    on_logon(msg, now);
    return;
  }
  if (seq > next_target_) {
    if (type == kResendRequest) on_resend_request(msg, now);  // answer it before asking ours
    if (type == kLogout) {
      on_logout_message(msg, now);
      return;
    }
    handle_gap(msg, bytes, seq, now);
    return;
  }
  if (seq < next_target_) {
    if (msg.poss_dup()) {
      // A duplicate: ignored once its OrigSendingTime is sane.
      auto orig = codec::UtcTimestamp::parse(msg.header(codec::HeaderSlot::kOrigSendingTime));
      auto sent = codec::UtcTimestamp::parse(msg.sending_time());
      if (orig && sent && orig->nanos > sent->nanos) {
        reject(msg, SessionRejectReason::kSendingTimeAccuracyProblem, tag::OrigSendingTime,
               "OrigSendingTime is later than SendingTime", now);
        send_logout("OrigSendingTime is later than SendingTime", now);
        disconnect("OrigSendingTime is later than SendingTime", now);
        return;
      }
      emit(SessionEvent::Type::kLog, "duplicate message ignored", seq);
      return;
    }
    std::string text = "MsgSeqNum too low, expecting " + std::to_string(next_target_.value) +
                       " but received " + std::to_string(seq.value);
    send_logout(text, now);
    disconnect(text, now);
    return;
  }

  // In sequence.
  if (msg.poss_dup() && type != kSequenceReset) {
    std::string_view orig_text = msg.header(codec::HeaderSlot::kOrigSendingTime);
    if (orig_text.empty()) {
      reject(msg, SessionRejectReason::kRequiredTagMissing, tag::OrigSendingTime,
             "PossDupFlag=Y without OrigSendingTime", now);
      advance_target(seq);
      return;
    }
    auto orig = codec::UtcTimestamp::parse(orig_text);
    auto sent = codec::UtcTimestamp::parse(msg.sending_time());
    if (orig && sent && orig->nanos > sent->nanos) {
      reject(msg, SessionRejectReason::kSendingTimeAccuracyProblem, tag::OrigSendingTime,
             "OrigSendingTime is later than SendingTime", now);
      send_logout("OrigSendingTime is later than SendingTime", now);
      disconnect("OrigSendingTime is later than SendingTime", now);
      return;
    }
  }
  if (validator_) {
    if (auto err = validator_->validate(msg)) {
      // An invalid message is rejected and still consumes its sequence number.
      if (err->business) {
        business_reject(msg, err->business_reason, err->tag, err->text(), now);
      } else {
        reject(msg, err->reason, err->tag, err->text(), now);
      }
      advance_target(seq);
      return;
    }
  }

  if (type == kHeartbeat) {
    on_heartbeat(msg);
  } else if (type == kTestRequest) {
    on_test_request(msg, now);
  } else if (type == kResendRequest) {
    on_resend_request(msg, now);
  } else if (type == kReject) {
    ++stats_.rejects_received;
    emit(SessionEvent::Type::kAdminMessage, std::string(bytes), seq);
  } else if (type == kSequenceReset) {
    on_sequence_reset(msg, now);
    return;  // sets next_target_ itself
  } else if (type == kLogout) {
    advance_target(seq);
    on_logout_message(msg, now);
    return;
  } else {
    on_app_message(msg, bytes);
  }
  advance_target(seq);
}

bool Session::verify_header(const codec::Message& msg, Now now) {
  if (msg.begin_string() != config_.id.begin_string) {
    std::string text = "Incorrect BeginString " + std::string(msg.begin_string()) + ", expected " +
                       config_.id.begin_string;
    send_logout(text, now);
    disconnect(text, now);
    return false;
  }
  if (!msg.seq_num()) {
    send_logout("MsgSeqNum (34) missing or invalid", now);
    disconnect("MsgSeqNum (34) missing or invalid", now);
    return false;
  }
  if (config_.check_comp_id && (msg.sender_comp_id() != config_.id.target_comp_id ||
                                msg.target_comp_id() != config_.id.sender_comp_id)) {
    Tag bad = msg.sender_comp_id() != config_.id.target_comp_id ? tag::SenderCompID
                                                                : tag::TargetCompID;
    reject(msg, SessionRejectReason::kCompIdProblem, bad, "CompID problem", now);
    send_logout("CompID problem", now);
    disconnect("CompID problem: message from " + std::string(msg.sender_comp_id()) + " to " +
                   std::string(msg.target_comp_id()),
               now);
    return false;
  }
  if (msg.sending_time().empty()) {
    reject(msg, SessionRejectReason::kRequiredTagMissing, tag::SendingTime,
           "Required tag missing", now);
    advance_target(SeqNum(*msg.seq_num()));
    return false;
  }
  if (config_.check_latency) {
    auto sent = codec::UtcTimestamp::parse(msg.sending_time());
    if (!sent || std::chrono::abs(Duration(sent->nanos) - now.utc) > config_.max_latency) {
      reject(msg, SessionRejectReason::kSendingTimeAccuracyProblem, tag::SendingTime,
             "SendingTime accuracy problem", now);
      send_logout("SendingTime accuracy problem", now);
      disconnect("SendingTime accuracy problem: " + std::string(msg.sending_time()), now);
      return false;
    }
  }
  return true;
}

void Session::on_logon(const codec::Message& msg, Now now) {
  const SeqNum seq(*msg.seq_num());
  if (logon_received_) {
    emit(SessionEvent::Type::kLog, "Logon received on a logged-on session ignored", seq);
    if (seq == next_target_) advance_target(seq);
    return;
  }
  if (config_.role == Role::kInitiator && !logon_sent_) {
    disconnect("unexpected Logon", now);
    return;
  }
  auto heart_bt_int = codec::parse_uint(msg.get(tag::HeartBtInt).value_or(""));
  if (!heart_bt_int) {
    send_logout("HeartBtInt (108) missing or invalid", now);
    disconnect("Logon without a valid HeartBtInt (108)", now);
    return;
  }
  if (validator_) {
    if (auto err = validator_->validate(msg)) {
      send_logout("invalid Logon: " + err->text(), now);
      disconnect("invalid Logon: " + err->text(), now);
      return;
    }
  }
  if (config_.role == Role::kAcceptor && hooks_.on_logon) {
    if (auto refusal = hooks_.on_logon(msg)) {
      send_logout(*refusal, now);
      disconnect("Logon refused: " + *refusal, now);
      return;
    }
  }
  const bool reset = msg.get(tag::ResetSeqNumFlag).value_or("N") == "Y";
  if (reset && !reset_requested_) {
    // The counterparty starts both directions again at 1 (we reply with 141=Y at 1).
    reset_sequences(now);
    reset_requested_ = config_.role == Role::kAcceptor;
  } else if (config_.role == Role::kAcceptor && config_.reset_on_logon) {
    reset_sequences(now);
    reset_requested_ = true;
  }
  if (seq < next_target_) {
    std::string text = "MsgSeqNum too low, expecting " + std::to_string(next_target_.value) +
                       " but received " + std::to_string(seq.value);
    send_logout(text, now);
    disconnect(text, now);
    return;
  }
  logon_received_ = true;
  disarm(Timer::kLogon);
  if (config_.role == Role::kAcceptor) {
    heartbeat_interval_ = std::chrono::seconds(*heart_bt_int);
    set_status(SessionStatus::kLoggingIn);
    send_logon(now);
  }
  stats_.session_start = now.utc;
  set_status(SessionStatus::kLoggedIn);
  emit(SessionEvent::Type::kAdminMessage, std::string(msg.bytes()), seq);
  arm(Timer::kTestRequest, now.mono + heartbeat_interval_ + config_.test_request_delay);
  arm(Timer::kHeartbeat, last_sent_ + heartbeat_interval_);

  // NextExpectedMsgSeqNum (789): the counterparty says what it expects from us.
  if (config_.enable_next_expected_msg_seq_num) {
    if (auto expected = codec::parse_uint(msg.get(tag::NextExpectedMsgSeqNum).value_or(""))) {
      if (*expected > next_sender_.value) {
        std::string text = "NextExpectedMsgSeqNum " + std::to_string(*expected) +
                           " is higher than our next MsgSeqNum " +
                           std::to_string(next_sender_.value);
        send_logout(text, now);
        disconnect(text, now);
        return;
      }
      if (*expected > 0 && *expected < next_sender_.value)
        resend(SeqNum(*expected), SeqNum(next_sender_.value - 1), now);
    }
  }
  if (seq > next_target_) {
    // Too high: ask for the gap after our Logon reply; the Logon itself counts as received.
    SeqNum begin = next_target_;
    resend_end_ = seq;
    send_resend_request(begin, config_.resend_request_chunk_size
                                   ? SeqNum(std::min(seq.value, begin.value +
                                                                    config_.resend_request_chunk_size - 1))
                                   : SeqNum(0),
                        now);
    return;
  }
  advance_target(seq);
  if (!gap_outstanding()) set_status(SessionStatus::kActive);
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
  auto new_seq = codec::parse_uint(msg.get(tag::NewSeqNo).value_or(""));
  const SeqNum seq(msg.seq_num().value_or(0));
  if (!new_seq) {
    reject(msg, SessionRejectReason::kRequiredTagMissing, tag::NewSeqNo, "NewSeqNo missing", now);
    if (gap_fill && seq == next_target_) advance_target(seq);
    return;
  }
  if (*new_seq > next_target_.value) {
    emit(SessionEvent::Type::kLog, std::string(gap_fill ? "GapFill" : "Reset") + " from " +
                                       std::to_string(next_target_.value) + " to " +
                                       std::to_string(*new_seq));
    next_target_ = SeqNum(*new_seq);
    // Messages queued below the new number will never be needed.
    queue_.erase(queue_.begin(), queue_.lower_bound(*new_seq));
  } else if (*new_seq == next_target_.value && !gap_fill) {
    emit(SessionEvent::Type::kLog, "SequenceReset to the expected MsgSeqNum: nothing to do");
  } else {
    reject(msg, SessionRejectReason::kValueIsIncorrect, tag::NewSeqNo,
           "attempt to lower sequence number, invalid value NewSeqNo=" + std::to_string(*new_seq),
           now);
    if (gap_fill) advance_target(seq);
  }
}

void Session::on_logout_message(const codec::Message& msg, Now now) {
  ++stats_.logouts;
  std::string text(msg.get(tag::Text).value_or(""));
  emit(SessionEvent::Type::kAdminMessage, std::string(msg.bytes()),
       SeqNum(msg.seq_num().value_or(0)));
  if (!logout_sent_) send_logout("", now);  // answer an unsolicited Logout
  set_status(SessionStatus::kLoggedOut);
  disconnect(text.empty() ? "logged out" : "logged out: " + text, now, /*error=*/false);
}

void Session::on_app_message(const codec::Message& msg, std::string_view bytes) {
  if (!is_logged_on()) return;
  const SeqNum seq(*msg.seq_num());
  unhandled_.insert(seq.value);
  SessionEvent e;
  e.type = SessionEvent::Type::kAppMessage;
  e.status = status_;
  e.seq = seq;
  e.poss_dup = msg.poss_dup();
  e.bytes.assign(bytes);
  events_.push_back(std::move(e));
}

void Session::advance_target(SeqNum seq) {
  if (seq >= next_target_) next_target_ = seq.next();
}

void Session::handle_gap(const codec::Message& msg, std::string_view bytes, SeqNum seq, Now now) {
  if (config_.max_sequence_gap && seq.value - next_target_.value > config_.max_sequence_gap) {
    std::string text = "sequence gap " + std::to_string(next_target_.value) + ".." +
                       std::to_string(seq.value - 1) + " exceeds the maximum of " +
                       std::to_string(config_.max_sequence_gap);
    send_logout(text, now);
    disconnect(text, now);
    return;
  }
  queue_.emplace(seq.value, std::string(bytes));
  (void)msg;
  if (resend_end_ && !config_.send_redundant_resend_requests) return;
  SeqNum begin = next_target_;
  SeqNum end(0);
  if (config_.resend_request_chunk_size)
    end = SeqNum(std::min(seq.value - 1, begin.value + config_.resend_request_chunk_size - 1));
  resend_end_ = end.value ? end : SeqNum(seq.value - 1);
  send_resend_request(begin, end, now);
  if (status_ == SessionStatus::kActive) set_status(SessionStatus::kLoggedIn);
}

void Session::process_queued(Now now) {
  while (!queue_.empty() && queue_.begin()->first <= next_target_.value &&
         status_ != SessionStatus::kError && status_ != SessionStatus::kDisconnected &&
         status_ != SessionStatus::kLoggedOut) {
    auto node = queue_.extract(queue_.begin());
    if (node.key() < next_target_.value) continue;  // filled by a resend meanwhile
    const std::string bytes = std::move(node.mapped());
    if (!scratch_.parse(bytes).ok()) continue;
    process(scratch_, bytes, now);
  }
  if (resend_end_ && next_target_ > *resend_end_) {
    resend_end_.reset();
    if (!queue_.empty() && queue_.begin()->first > next_target_.value) {
      // Chunked resend: ask for the next part of the gap.
      SeqNum begin = next_target_;
      uint64_t last = queue_.begin()->first - 1;
      SeqNum end(config_.resend_request_chunk_size
                     ? std::min(last, begin.value + config_.resend_request_chunk_size - 1)
                     : 0);
      resend_end_ = end.value ? end : SeqNum(last);
      send_resend_request(begin, end, now);
    }
  }
  if (status_ == SessionStatus::kLoggedIn && !gap_outstanding()) set_status(SessionStatus::kActive);
}

void Session::handled(SeqNum seq, Now now) {
  unhandled_.erase(seq.value);
  commit(now);
}

// ---- outbound -----------------------------------------------------------------------------

codec::Encoder& Session::start(std::string_view msg_type, Now now, SeqNum seq, bool poss_dup) {
  const SessionId& id = config_.id;
  enc_.begin(id.begin_string, msg_type);
  enc_.field(tag::SenderCompID, id.sender_comp_id);
  if (!id.sender_sub_id.empty()) enc_.field(tag::SenderSubID, id.sender_sub_id);
  if (!id.sender_location_id.empty()) enc_.field(tag::SenderLocationID, id.sender_location_id);
  enc_.field(tag::TargetCompID, id.target_comp_id);
  if (!id.target_sub_id.empty()) enc_.field(tag::TargetSubID, id.target_sub_id);
  if (!id.target_location_id.empty()) enc_.field(tag::TargetLocationID, id.target_location_id);
  enc_.field(tag::MsgSeqNum, seq.value);
  if (poss_dup) enc_.field(tag::PossDupFlag, 'Y');
  enc_.field(tag::SendingTime, codec::UtcTimestamp{now.utc.count(), config_.timestamp_precision});
  return enc_;
}

void Session::finish_admin(Now now) {
  std::string_view bytes = enc_.finish();
  // Admin messages are never resent, so only their sequence number is stored.
  batch_.sent.push_back({next_sender_, {}});
  next_sender_ = next_sender_.next();
  batch_.next_sender = next_sender_;
  output_.append(bytes);
  ++stats_.messages_sent;
  stats_.bytes_sent += bytes.size();
  stats_.last_activity = now.utc;
  last_sent_ = now.mono;
  if (logon_received_ || logon_sent_) arm(Timer::kHeartbeat, now.mono + heartbeat_interval_);
}

bool Session::finish_app(Now now) {
  std::string_view bytes = enc_.finish();
  batch_.sent.push_back({next_sender_, config_.persist_messages ? std::string(bytes) : std::string()});
  next_sender_ = next_sender_.next();
  batch_.next_sender = next_sender_;
  output_.append(bytes);
  ++stats_.messages_sent;
  stats_.bytes_sent += bytes.size();
  stats_.last_activity = now.utc;
  last_sent_ = now.mono;
  arm(Timer::kHeartbeat, now.mono + heartbeat_interval_);
  return true;
}

void Session::send_logon(Now now) {
  auto& e = start(kLogon, now, next_sender_);
  e.field(tag::EncryptMethod, 0).field(tag::HeartBtInt, static_cast<int64_t>(heartbeat_interval_.count()));
  if (reset_requested_ || (config_.role == Role::kInitiator && config_.reset_on_logon)) {
    e.field(tag::ResetSeqNumFlag, 'Y');
    reset_requested_ = true;
  }
  if (config_.enable_next_expected_msg_seq_num)
    e.field(tag::NextExpectedMsgSeqNum, next_target_.value);
  if (!config_.username.empty()) e.field(tag::Username, config_.username);
  if (!config_.password.empty()) e.field(tag::Password, config_.password);
  if (config_.id.begin_string == "FIXT.1.1" && !config_.default_appl_ver_id.empty())
    e.field(tag::DefaultApplVerID, config_.default_appl_ver_id);
  if (hooks_.add_logon_fields) hooks_.add_logon_fields(e);
  finish_admin(now);
  logon_sent_ = true;
}

void Session::send_logout(std::string_view text, Now now) {
  auto& e = start(kLogout, now, next_sender_);
  if (!text.empty()) e.field(tag::Text, text);
  finish_admin(now);
  logout_sent_ = true;
}

void Session::send_heartbeat(Now now) {
  start(kHeartbeat, now, next_sender_);
  ++stats_.heartbeats_sent;
  finish_admin(now);
  commit(now);
}

void Session::send_test_request(std::string_view test_req_id, Now now) {
  start(kTestRequest, now, next_sender_).field(tag::TestReqID, test_req_id);
  ++stats_.test_requests_sent;
  test_req_id_ = std::string(test_req_id);
  finish_admin(now);
  // Unanswered after another interval: the connection is dead.
  arm(Timer::kTestRequest, now.mono + heartbeat_interval_ + config_.test_request_delay);
  commit(now);
}

void Session::send_resend_request(SeqNum begin, SeqNum end, Now now) {
  uint64_t end_value = end.value;
  if (end_value == 0 && is_fix40_or_41(config_.id.begin_string)) end_value = 999999;
  start(kResendRequest, now, next_sender_)
      .field(tag::BeginSeqNo, begin.value)
      .field(tag::EndSeqNo, end_value);
  ++stats_.resend_requests_sent;
  finish_admin(now);
  emit(SessionEvent::Type::kLog, "ResendRequest " + std::to_string(begin.value) + ".." +
                                     std::to_string(end_value) + " sent");
}

void Session::request_resend(SeqNum begin, Now now) {
  if (!is_logged_on()) return;
  resend_end_ = SeqNum(next_target_.value > 0 ? next_target_.value - 1 : 0);
  send_resend_request(begin, SeqNum(0), now);
  commit(now);
}

void Session::send_gap_fill(SeqNum begin, SeqNum new_seq, Now now) {
  // A gap fill reuses the sequence number it replaces: it is not a new message.
  auto& e = start(kSequenceReset, now, begin, /*poss_dup=*/true);
  e.field(tag::OrigSendingTime, codec::UtcTimestamp{now.utc.count(), config_.timestamp_precision})
      .field(tag::GapFillFlag, 'Y')
      .field(tag::NewSeqNo, new_seq.value);
  std::string_view bytes = enc_.finish();
  output_.append(bytes);
  stats_.bytes_sent += bytes.size();
  last_sent_ = now.mono;
}

Status Session::reset_outbound_sequence(SeqNum new_seq, Now now) {
  if (!is_logged_on()) return Status::error("not logged on");
  if (new_seq <= next_sender_) return Status::error("SequenceReset can only move forward");
  start(kSequenceReset, now, next_sender_).field(tag::NewSeqNo, new_seq.value);
  std::string_view bytes = enc_.finish();
  output_.append(bytes);
  next_sender_ = new_seq;
  batch_.next_sender = next_sender_;
  commit(now);
  return Status::ok();
}

void Session::resend(SeqNum begin, SeqNum end, Now now) {
  // Replays stored application messages with PossDupFlag=Y and OrigSendingTime; everything else
  // (admin messages, vetoed or unstored ones) collapses into SequenceReset-GapFill.
  std::vector<std::pair<SeqNum, std::string>> stored;
  if (config_.persist_messages) {
    Status s = store_.read(begin, end, [&](SeqNum seq, std::string_view bytes) {
      stored.emplace_back(seq, std::string(bytes));
    });
    if (!s) {
      emit(SessionEvent::Type::kLog, "store read failed, gap filling instead: " + s.message());
      stored.clear();
    }
  }
  SeqNum gap_begin = begin;
  bool in_gap = false;
  auto flush_gap = [&](SeqNum upto) {
    if (in_gap && gap_begin < upto) send_gap_fill(gap_begin, upto, now);
    in_gap = false;
  };
  SeqNum cursor = begin;
  for (auto& [seq, bytes] : stored) {
    if (seq > cursor && !in_gap) {
      gap_begin = cursor;
      in_gap = true;
    }
    if (!scratch_.parse(bytes).ok() || scratch_.is_admin() ||
        (hooks_.allow_resend && !hooks_.allow_resend(scratch_))) {
      if (!in_gap) {
        gap_begin = seq;
        in_gap = true;
      }
      cursor = seq.next();
      continue;
    }
    flush_gap(seq);
    enc_.begin(scratch_.begin_string(), scratch_.msg_type());
    for (size_t i = 3; i < scratch_.size(); ++i) {
      const codec::Field& f = scratch_[i];
      if (f.tag == tag::PossDupFlag || f.tag == tag::OrigSendingTime || f.tag == tag::CheckSum)
        continue;
      if (f.tag == tag::SendingTime) {
        enc_.field(tag::PossDupFlag, 'Y');
        enc_.field(tag::SendingTime, codec::UtcTimestamp{now.utc.count(), config_.timestamp_precision});
        enc_.field(tag::OrigSendingTime, f.value);
        continue;
      }
      enc_.field(f.tag, f.value);
    }
    std::string_view out = enc_.finish();
    output_.append(out);
    stats_.bytes_sent += out.size();
    cursor = seq.next();
  }
  if (cursor <= end && !in_gap) {
    gap_begin = cursor;
    in_gap = true;
  }
  flush_gap(end.next());
  last_sent_ = now.mono;
}

Status Session::send(std::string_view msg_type, std::string_view body, Now now) {
  if (!is_logged_on()) return Status::error("session " + config_.id.to_string() + " is not logged on");
  start(msg_type, now, next_sender_).raw(body);
  finish_app(now);
  commit(now);
  if (status_ == SessionStatus::kError) return Status::error(last_error_);
  return Status::ok();
}

void Session::logout(std::string_view reason, Now now) {
  if (!is_logged_on()) {
    if (status_ != SessionStatus::kDisconnected) disconnect("logout before logon", now, false);
    return;
  }
  send_logout(reason, now);
  set_status(SessionStatus::kLoggingOut);
  arm(Timer::kLogout, now.mono + config_.logout_timeout);
  commit(now);
}

void Session::reject(const codec::Message& msg, SessionRejectReason reason, Tag ref_tag,
                     std::string_view text, Now now) {
  const SeqNum ref(msg.seq_num().value_or(0));
  auto& e = start(kReject, now, next_sender_);
  e.field(tag::RefSeqNum, ref.value);
  if (!is_fix40_or_41(config_.id.begin_string)) {
    if (ref_tag) e.field(tag::RefTagID, static_cast<uint64_t>(ref_tag));
    e.field(tag::RefMsgType, msg.msg_type());
    e.field(tag::SessionRejectReason, static_cast<int64_t>(reason));
  }
  if (!text.empty()) e.field(tag::Text, text);
  ++stats_.rejects_sent;
  finish_admin(now);
  emit(SessionEvent::Type::kRejectSent, std::string(text), ref);
}

void Session::business_reject(const codec::Message& msg, codec::BusinessRejectReason reason,
                              Tag ref_tag, std::string_view text, Now now) {
  if (is_fix40_or_41(config_.id.begin_string)) {
    reject(msg, SessionRejectReason::kInvalidMsgType, ref_tag, text, now);
    return;
  }
  const SeqNum ref(msg.seq_num().value_or(0));
  auto& e = start("j", now, next_sender_);
  e.field(tag::RefSeqNum, ref.value)
      .field(tag::RefMsgType, msg.msg_type())
      .field(tag::BusinessRejectReason, static_cast<int64_t>(reason));
  if (!text.empty()) e.field(tag::Text, text);
  ++stats_.rejects_sent;
  // A BusinessMessageReject is an application message: stored for resend.
  finish_app(now);
  emit(SessionEvent::Type::kRejectSent, std::string(text), ref);
}

// ---- state --------------------------------------------------------------------------------

void Session::commit(Now now) {
  SeqNum watermark = unhandled_.empty() ? next_target_ : SeqNum(*unhandled_.begin());
  if (watermark != committed_target_) batch_.next_target = watermark;
  if (batch_.empty()) return;
  Status s = store_.commit(batch_);
  batch_.clear();
  if (!s) {
    // Nothing uncommitted may reach the wire: drop it and stop the session.
    output_.resize(output_committed_);
    next_sender_ = store_.next_sender_seq();
    last_error_ = "store failure: " + s.message();
    ++stats_.errors;
    emit(SessionEvent::Type::kDisconnect, last_error_);
    set_status(SessionStatus::kError);
    (void)now;
    return;
  }
  committed_target_ = store_.next_target_seq();
  output_committed_ = output_.size();
}

void Session::reset_sequences(Now now) {
  commit(now);
  Status s = store_.reset(now.utc);
  if (!s) {
    disconnect("store reset failed: " + s.message(), now);
    return;
  }
  next_sender_ = next_target_ = committed_target_ = SeqNum(1);
  queue_.clear();
  unhandled_.clear();
  resend_end_.reset();
  emit(SessionEvent::Type::kLog, "sequence numbers reset to 1");
}

void Session::set_status(SessionStatus s) {
  if (s == status_) return;
  status_ = s;
  SessionEvent e;
  e.type = SessionEvent::Type::kStatus;
  e.status = s;
  events_.push_back(std::move(e));
}

void Session::disconnect(std::string_view reason, Now now, bool error) {
  if (error) {
    last_error_ = std::string(reason);
    ++stats_.errors;
  }
  for (auto& t : timers_) t.reset();
  emit(SessionEvent::Type::kDisconnect, std::string(reason));
  set_status(error ? SessionStatus::kError : SessionStatus::kLoggedOut);
  (void)now;
}

void Session::emit(SessionEvent::Type type, std::string text, SeqNum seq) {
  SessionEvent e;
  e.type = type;
  e.status = status_;
  e.seq = seq;
  e.text = std::move(text);
  events_.push_back(std::move(e));
}

}  // namespace fixgate::session
