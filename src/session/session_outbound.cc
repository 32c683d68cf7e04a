// The session's output: the messages it writes (Logon, Logout, heartbeats, test requests,
// resend requests, gap fills, resends, rejects, application messages) and the store commits
// that must precede them on the wire.
#include <algorithm>
#include <charconv>
#include <utility>
#include <vector>

#include "fixgate/codec/values.h"
#include "fixgate/session/session.h"
#include "session_internal.h"

namespace fixgate::session {

using codec::SessionRejectReason;
using namespace internal;

codec::Encoder& Session::start(std::string_view msg_type, Now now, SeqNum seq, bool poss_dup) {
  const SessionId& id = config_.id;
  encoding_type_ = msg_type;
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
  if (hooks_.to_admin) hooks_.to_admin(encoding_type_, enc_);
  std::string_view bytes = enc_.finish();
  // Admin messages are never resent, so only their sequence number is stored.
  batch_.add_sent(next_sender_, {});
  next_sender_ = next_sender_.next();
  batch_.next_sender = next_sender_;
  output_.append(bytes);
  ++stats_.messages_sent;
  stats_.bytes_sent += bytes.size();
  stats_.last_activity = now.utc;
  stats_.last_sent = now.utc;
  last_sent_ = now.mono;
  if (logon_received_ || logon_sent_) arm_heartbeat(now.mono);
}

void Session::record_app(std::string_view bytes, Now now, bool write) {
  batch_.add_sent(next_sender_, config_.persist_messages ? bytes : std::string_view());
  next_sender_ = next_sender_.next();
  batch_.next_sender = next_sender_;
  if (!write) return;
  output_.append(bytes);
  ++stats_.messages_sent;
  stats_.bytes_sent += bytes.size();
  ++stats_.app_messages_sent;
  stats_.app_bytes_sent += bytes.size();
  stats_.last_activity = now.utc;
  stats_.last_sent = now.utc;
  last_sent_ = now.mono;
  arm_heartbeat(now.mono);
}

bool Session::app_allowed(std::string_view bytes) {
  if (!hooks_.to_app) return true;
  return scratch_.parse(bytes).ok() && hooks_.to_app(scratch_);
}

void Session::send_logon(bool reset_flag, Now now) {
  auto& e = start(kLogon, now, next_sender_);
  e.field(tag::EncryptMethod, 0)
      .field(tag::HeartBtInt, static_cast<int64_t>(heartbeat_interval_.count()));
  if (reset_flag && !is_fix40(config_.id.begin_string)) e.field(tag::ResetSeqNumFlag, 'Y');
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
  // 6: unanswered after another interval, the connection is dead.
  arm_test_request(now.mono);
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
  emit(SessionEvent::Type::kLog,
       "ResendRequest " + std::to_string(begin.value) + ".." + std::to_string(end_value) + " sent");
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
  ++stats_.gap_fills_sent;
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

Status Session::reset_sequence_numbers(Now now) {
  if (!is_logged_on()) return Status::error("not logged on");
  if (is_fix40(config_.id.begin_string)) return Status::error("FIX 4.0 has no ResetSeqNumFlag");
  emit(SessionEvent::Type::kLog, "resetting the sequence numbers: Logon with ResetSeqNumFlag=Y");
  reset_sequences(now);
  if (status_ == SessionStatus::kError) return Status::error(last_error_);
  send_logon(/*reset_flag=*/true, now);
  reset_sent_ = true;
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
        enc_.field(tag::SendingTime,
                   codec::UtcTimestamp{now.utc.count(), config_.timestamp_precision});
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

SendResult Session::send(std::string_view msg_type, std::string_view body, Now now,
                         OutboundLimit limit) {
  if (!is_logged_on())
    return SendResult::failed(SendCode::kNotLoggedOn,
                              "session " + config_.id.to_string() + " is not logged on");
  // Before encoding: a sender held back costs no work, and its text is the code's (no
  // allocation), as a busy sender may be told this many times over.
  if (limit.high_water != 0 && output_.size() + limit.taken_unwritten >= limit.high_water)
    return SendResult::failed(SendCode::kBackPressured);
  start(msg_type, now, next_sender_).raw(body);
  std::string_view bytes = enc_.finish();
  if (!app_allowed(bytes))
    return SendResult::failed(SendCode::kVetoed, "message vetoed by the application (to_app)");
  record_app(bytes, now, true);
  commit(now);
  if (status_ == SessionStatus::kError)
    return SendResult::failed(SendCode::kStoreFailed, last_error_);
  return SendResult::sent();
}

void Session::handled(SeqNum seq, Now now, std::span<const Reply> replies,
                      std::optional<uint64_t> epoch) {
  auto pending = std::lower_bound(unhandled_.begin(), unhandled_.end(), seq.value);
  if (pending == unhandled_.end() || *pending != seq.value || (epoch && *epoch != epoch_)) {
    if (!replies.empty())
      emit(SessionEvent::Type::kLog, std::to_string(replies.size()) + " replies to message " +
                                         std::to_string(seq.value) +
                                         " dropped: it is no longer pending");
    return;
  }
  unhandled_.erase(pending);
  // Logged on: the replies go out now. Otherwise (disconnected, logging out) they are only
  // stored, and the counterparty's ResendRequest after the next Logon brings them.
  const bool write = is_logged_on();
  size_t vetoed = 0;
  for (const Reply& r : replies) {
    start(r.msg_type, now, next_sender_).raw(r.body);
    std::string_view bytes = enc_.finish();
    if (!app_allowed(bytes)) {
      ++vetoed;
      continue;
    }
    record_app(bytes, now, write);
  }
  if (vetoed > 0)
    emit(SessionEvent::Type::kLog, std::to_string(vetoed) + " replies to message " +
                                       std::to_string(seq.value) + " vetoed by the application");
  release(seq, now);
  if (batch_depth_ == 0) commit(now);
}

void Session::release(SeqNum seq, Now now) {
  if (!held_ || *held_ != seq.value) return;
  held_.reset();
  // What waits behind a gap first (it comes before anything read after it), then the rest read.
  process_queued(now);
  process_input(now);
  if (batch_depth_ == 0) commit(now);
}

void Session::logout(std::string_view reason, Now now) {
  if (!is_logged_on()) {
    if (status_ != SessionStatus::kDisconnected)
      disconnect("logout before logon", now, DisconnectCause::kLogout);
    return;
  }
  send_logout(reason, now);
  set_status(SessionStatus::kLoggingOut);
  arm(Timer::kLogout, now.mono + config_.logout_timeout);
  commit(now);
}

// 18: a reply to a message sent on behalf of a third party goes back to that party:
// OnBehalfOf* of the message becomes DeliverTo* of the reply, and DeliverTo* becomes OnBehalfOf*.
void Session::add_reply_routing(const codec::Message& msg) {
  static constexpr std::pair<Tag, Tag> kSwap[] = {
      {tag::OnBehalfOfCompID, tag::DeliverToCompID},
      {tag::OnBehalfOfSubID, tag::DeliverToSubID},
      {tag::OnBehalfOfLocationID, tag::DeliverToLocationID},
      {tag::DeliverToCompID, tag::OnBehalfOfCompID},
      {tag::DeliverToSubID, tag::OnBehalfOfSubID},
      {tag::DeliverToLocationID, tag::OnBehalfOfLocationID},
  };
  for (auto [from, to] : kSwap)
    if (auto v = msg.get(from)) enc_.field(to, *v);
}

void Session::reject(const codec::Message& msg, SessionRejectReason reason, Tag ref_tag,
                     std::string_view text, Now now) {
  char digits[16];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, ref_tag);
  (void)ec;  // 16 bytes hold any Tag
  reject(msg, reason, ref_tag ? std::string_view(digits, end) : std::string_view(), text, now);
}

void Session::reject(const codec::Message& msg, SessionRejectReason reason,
                     std::string_view ref_tag, std::string_view text, Now now) {
  const SeqNum ref(msg.seq_num().value_or(0));
  auto& e = start(kReject, now, next_sender_);
  add_reply_routing(msg);
  e.field(tag::RefSeqNum, ref.value);
  // FIX 4.0 and 4.1 have only RefSeqNum and Text; FIX 4.2's SessionRejectReason stops at 11.
  if (!is_fix40_or_41(config_.id.begin_string)) {
    if (!ref_tag.empty()) e.field(tag::RefTagID, ref_tag);
    e.field(tag::RefMsgType, msg.msg_type());
    if (config_.id.begin_string != "FIX.4.2" || reason <= SessionRejectReason::kInvalidMsgType)
      e.field(tag::SessionRejectReason, static_cast<int64_t>(reason));
  }
  if (!text.empty()) e.field(tag::Text, text);
  ++stats_.rejects_sent;
  ++stats_.session_rejects_sent[reject_reason_slot(static_cast<uint64_t>(reason))];
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
  auto& e = start(kBusinessMessageReject, now, next_sender_);
  add_reply_routing(msg);
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
  SeqNum watermark = unhandled_.empty() ? next_target_ : SeqNum(unhandled_.front());
  if (watermark != committed_target_) batch_.next_target = watermark;
  if (batch_.empty()) {
    output_committed_ = output_.size();  // resends: stored long ago, nothing new to commit
    return;
  }
  Status s = store_.commit(batch_);
  batch_.clear();
  if (!s) {
    // Nothing uncommitted may reach the wire: drop it and stop the session. Back to what the
    // store holds: messages handled since the last commit are delivered again, their replies
    // (already dropped with the output) made anew.
    output_.resize(output_committed_);
    next_sender_ = store_.next_sender_seq();
    next_target_ = committed_target_;
    unhandled_.clear();
    held_.reset();
    ++epoch_;
    queue_.clear();
    last_error_ = "store failure: " + s.message();
    ++stats_.errors;
    if (!disconnect_counted_) {
      ++stats_.disconnects[static_cast<size_t>(DisconnectCause::kStore)];
      disconnect_counted_ = true;
    }
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
    disconnect("store reset failed: " + s.message(), now, DisconnectCause::kStore);
    return;
  }
  next_sender_ = next_target_ = committed_target_ = SeqNum(1);
  queue_.clear();
  unhandled_.clear();
  held_.reset();
  ++epoch_;
  resend_end_.reset();
  emit(SessionEvent::Type::kLog, "sequence numbers reset to 1");
}

void Session::set_status(SessionStatus s) {
  if (s == status_) return;
  status_ = s;
  SessionEvent& e = events_.push();
  e.type = SessionEvent::Type::kStatus;
  e.status = s;
}

void Session::disconnect(std::string_view reason, Now now, DisconnectCause cause) {
  const bool error = cause != DisconnectCause::kLogout && cause != DisconnectCause::kSchedule;
  if (!disconnect_counted_) {
    ++stats_.disconnects[static_cast<size_t>(cause)];
    disconnect_counted_ = true;
  }
  if (error) {
    last_error_ = std::string(reason);
    ++stats_.errors;
  }
  for (auto& t : timers_) t.reset();
  emit(SessionEvent::Type::kDisconnect, std::string(reason));
  set_status(error ? SessionStatus::kError : SessionStatus::kLoggedOut);
  (void)now;
}

void Session::emit_admin(std::string_view bytes, SeqNum seq) {
  emit(SessionEvent::Type::kAdminMessage, {}, seq);
  events_.back().bytes.assign(bytes);
}

void Session::emit(SessionEvent::Type type, std::string text, SeqNum seq) {
  SessionEvent& e = events_.push();
  e.type = type;
  e.status = status_;
  e.seq = seq;
  e.text = std::move(text);
}

}  // namespace fixgate::session
