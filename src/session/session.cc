// The session state machine: transport events, timers, schedules and the event queue. What
// arrives is handled in session_inbound.cc; what the session writes (Logon, heartbeats, resends,
// rejects) and how it commits, in session_outbound.cc.
// Rules cite the FIX 4.4 Volume 2 session test cases by number ("2k", "13b").
#include "fixgate/session/session.h"

#include <algorithm>

#include "fixgate/codec/values.h"
#include "session_internal.h"

namespace fixgate::session {

using codec::SessionRejectReason;
using namespace internal;

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

std::string_view to_string(DisconnectCause c) {
  switch (c) {
    case DisconnectCause::kLogout:
      return "logout";
    case DisconnectCause::kSchedule:
      return "schedule";
    case DisconnectCause::kTimeout:
      return "timeout";
    case DisconnectCause::kLogonRefused:
      return "logon_refused";
    case DisconnectCause::kProtocol:
      return "protocol";
    case DisconnectCause::kStore:
      return "store";
    case DisconnectCause::kConnectionLost:
      break;
  }
  return "connection_lost";
}

std::string_view to_string(SessionStatus s) {
  switch (s) {
    case SessionStatus::kDisconnected:
      return "Disconnected";
    case SessionStatus::kConnecting:
      return "Connecting";
    case SessionStatus::kConnected:
      return "Connected";
    case SessionStatus::kLoggingIn:
      return "LoggingIn";
    case SessionStatus::kLoggedIn:
      return "LoggedIn";
    case SessionStatus::kActive:
      return "Active";
    case SessionStatus::kLoggingOut:
      return "LoggingOut";
    case SessionStatus::kLoggedOut:
      return "LoggedOut";
    case SessionStatus::kError:
      return "Error";
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
  // DefaultApplVerID goes on the wire as its code; settings may name the version instead.
  if (auto code = dict::appl_ver_id_code(config_.default_appl_ver_id); !code.empty())
    config_.default_appl_ver_id = std::string(code);
  supported_types_ = config_.supported_message_types;
  std::sort(supported_types_.begin(), supported_types_.end());
  if (config_.data_dictionary) {
    validator_.emplace(config_.data_dictionary, config_.validation);
    if (config_.app_dictionary) {
      validator_->add_application(config_.app_dictionary);
      if (!config_.default_appl_ver_id.empty())
        validator_->set_default_appl_ver_id(config_.default_appl_ver_id);
    }
    if (!supported_types_.empty()) validator_->set_supported_message_types(supported_types_);
  }
}

// ---- transport events -------------------------------------------------------------------

void Session::on_connecting(Now now) {
  set_status(SessionStatus::kConnecting);
  // Refreshed before the schedule is applied: a new period's reset depends on the store's
  // creation time, which the other engine of a failover pair may have moved on.
  if (config_.refresh_on_logon && !refresh_from_store(now)) return;
  check_schedule(now);
}

void Session::on_connected(Now now) {
  connected_ = true;
  disconnect_counted_ = false;
  set_status(SessionStatus::kConnected);
  last_received_ = last_sent_ = now.mono;
  // Again for an initiator (on_connecting() may have been long ago, or not at all).
  if (config_.refresh_on_logon && !refresh_from_store(now)) return;
  if (!check_schedule(now)) {
    disconnect("connection refused: outside the session schedule", now, DisconnectCause::kSchedule);
    return;
  }
  if (config_.role == Role::kInitiator) {
    if (config_.reset_on_logon) reset_sequences(now);
    // 141=Y where QuickFIX sends it: any reset configured and both numbers at 1 (after a
    // ResetOnLogout or ResetOnDisconnect too), so that the acceptor starts at 1 as well.
    reset_sent_ =
        !is_fix40(config_.id.begin_string) &&
        (config_.reset_on_logon || config_.reset_on_logout || config_.reset_on_disconnect) &&
        next_sender_ == SeqNum(1) && next_target_ == SeqNum(1);
    send_logon(reset_sent_, now);
    set_status(SessionStatus::kLoggingIn);
  }
  // Both roles: no Logon exchanged within the logon timeout drops the connection.
  arm(Timer::kLogon, now.mono + config_.logon_timeout);
  commit(now);
}

bool Session::refresh_from_store(Now now) {
  if (Status s = store_.refresh(); !s) {
    disconnect("refreshing from the store before logon failed: " + s.message(), now,
               DisconnectCause::kStore);
    return false;
  }
  const SeqNum sender = store_.next_sender_seq(), target = store_.next_target_seq();
  if (sender == next_sender_ && target == committed_target_) return true;
  emit(SessionEvent::Type::kLog,
       "refreshed from the store before logon: next sender seq " + std::to_string(sender.value) +
           " (was " + std::to_string(next_sender_.value) + "), next target seq " +
           std::to_string(target.value) + " (was " + std::to_string(committed_target_.value) + ")");
  next_sender_ = sender;
  if (target != committed_target_) {
    next_target_ = committed_target_ = target;
    // Messages still with the application belong to the inbound state the store has moved
    // past: their replies are dropped (handled() says so) rather than sent on stale numbers.
    unhandled_.clear();
    held_.reset();
    ++epoch_;
  }
  return true;
}

void Session::on_bytes(std::string_view bytes, Now now) {
  // Nothing more is read once the session failed or its Logout exchange is complete (13b: we
  // are only waiting for the counterparty to close).
  if (status_ == SessionStatus::kDisconnected || status_ == SessionStatus::kError ||
      status_ == SessionStatus::kLoggedOut)
    return;
  stats_.bytes_received += bytes.size();
  stats_.last_activity = now.utc;
  stats_.last_received = now.utc;
  reader_.append(bytes);
  process_input(now);
  commit(now);
}

void Session::process_input(Now now) {
  while (!held_) {
    codec::Frame f = reader_.next();
    if (f.discarded > 0) {
      ++stats_.garbled;
      emit(SessionEvent::Type::kGarbled,
           "discarded " + std::to_string(f.discarded) + " bytes that are not a FIX message");
    }
    if (f.status == codec::FrameStatus::kNeedMore) break;
    if (f.status == codec::FrameStatus::kGarbled) {
      // 2d, 2m, 2t, 3b, 3c: garbled messages are ignored without advancing the inbound number.
      ++stats_.garbled;
      std::string text = "garbled message ignored: " + std::string(codec::to_string(f.error));
      emit(SessionEvent::Type::kGarbled, text);
      if (!logon_received_) {
        // 1B(d), 1S: where the Logon is expected, a garbled message is an invalid Logon.
        disconnect("invalid Logon: " + text, now);
        break;
      }
      continue;
    }
    process_frame(f.bytes, now);
    if (status_ == SessionStatus::kError || status_ == SessionStatus::kLoggedOut ||
        status_ == SessionStatus::kDisconnected)
      break;
  }
}

void Session::on_disconnected(Now now) {
  if (connected_ && !disconnect_counted_) {
    // After a Logout (theirs answered, or ours sent) the close is the handshake's end.
    const bool logout = logout_sent_ || logout_received_;
    ++stats_.disconnects[static_cast<size_t>(logout ? DisconnectCause::kLogout
                                                    : DisconnectCause::kConnectionLost)];
  }
  connected_ = disconnect_counted_ = false;
  commit(now);
  // ResetOnLogout applies after a Logout exchange (sent and received), whoever started it.
  if (config_.reset_on_disconnect || (config_.reset_on_logout && logout_sent_ && logout_received_))
    reset_sequences(now);
  logon_received_ = logon_sent_ = logout_sent_ = logout_received_ = reset_sent_ = false;
  queue_.clear();
  held_.reset();
  resend_end_.reset();
  test_req_id_.clear();
  for (auto& t : timers_) t.reset();
  reader_ = codec::FrameReader(reader_.options());
  output_.clear();
  output_committed_ = 0;
  set_status(SessionStatus::kDisconnected);
  check_schedule(now);
}

bool Session::take_due(Timer t, Now now) {
  auto& d = timers_[static_cast<size_t>(t)];
  if (!d || *d > now.mono) return false;
  // A due timer fires once: whatever it does re-arms it. Leaving it armed in the past (say, a
  // heartbeat falling due while logging out) would make poll_timeout() report it forever.
  d.reset();
  return true;
}

void Session::on_timeout(Now now) {
  if (take_due(Timer::kLogon, now)) {
    disconnect("logon timeout: no Logon within " +
                   std::to_string(
                       std::chrono::duration_cast<std::chrono::milliseconds>(config_.logon_timeout)
                           .count()) +
                   " ms",
               now, DisconnectCause::kTimeout);
  }
  if (take_due(Timer::kLogout, now)) {
    if (status_ == SessionStatus::kLoggedOut) {
      // 13b: we answered the counterparty's Logout; it should have disconnected by now.
      disconnect("counterparty did not disconnect after the Logout exchange", now,
                 DisconnectCause::kTimeout);
    } else {
      disconnect("logout timeout: no Logout reply", now, DisconnectCause::kTimeout);  // 12
    }
  }
  if (take_due(Timer::kTestRequest, now) && is_logged_on()) {
    if (!test_req_id_.empty()) {
      disconnect("heartbeat timeout: TestRequest " + test_req_id_ + " unanswered", now,
                 DisconnectCause::kTimeout);  // 6
    } else {
      send_test_request("TEST" + std::to_string(++test_req_counter_), now);
    }
  }
  if (take_due(Timer::kHeartbeat, now) && is_logged_on()) send_heartbeat(now);  // 4a
  check_schedule(now);
  commit(now);
}

bool Session::check_schedule(Now now) {
  if (!config_.schedule) return true;
  const Schedule& schedule = *config_.schedule;
  const auto window = schedule.window_at(now.utc);
  const Duration boundary = window ? window->end : schedule.next_window(now.utc).start;
  arm(Timer::kSchedule, now.mono + (boundary - now.utc));
  const bool idle = status_ == SessionStatus::kDisconnected ||
                    status_ == SessionStatus::kConnecting || status_ == SessionStatus::kError;
  if (!window) {
    if (is_logged_on()) {
      std::string why = "end of the session schedule (" + schedule.describe() + ")";
      emit(SessionEvent::Type::kLog, why + ": logging out");
      logout(why, now);
    } else if (status_ == SessionStatus::kConnected || status_ == SessionStatus::kLoggingIn) {
      disconnect("outside the session schedule (" + schedule.describe() + ")", now,
                 DisconnectCause::kSchedule);
    }
    return false;
  }
  if (store_.creation_time() < window->start) {
    // The sequence numbers belong to an earlier window: a new session period starts at 1. A
    // connected session first logs out; the reset follows its disconnect.
    if (idle || (status_ == SessionStatus::kConnected && !logon_sent_ && !logon_received_)) {
      reset_sequences(now);
      emit(SessionEvent::Type::kLog,
           "new session period (" + schedule.describe() + "): sequence numbers reset");
    } else if (is_logged_on()) {
      std::string why = "new session period (" + schedule.describe() + ")";
      emit(SessionEvent::Type::kLog, why + ": logging out before the reset");
      logout(why, now);
      return false;
    }
  }
  return true;
}

SessionStats Session::stats() const {
  SessionStats s = stats_;
  // Missing: from the next expected up to the first message held back behind the gap, or else
  // to the end of our outstanding ResendRequest.
  uint64_t upper = next_target_.value;
  if (!queue_.empty()) {
    upper = queue_.begin()->first;
  } else if (resend_end_) {
    upper = resend_end_->value + 1;
  }
  s.current_gap = upper > next_target_.value ? upper - next_target_.value : 0;
  return s;
}

std::optional<Duration> Session::schedule_wait(Now now) const {
  if (!config_.schedule || config_.schedule->window_at(now.utc)) return std::nullopt;
  return config_.schedule->next_window(now.utc).start - now.utc;
}

std::optional<Duration> Session::poll_timeout() const {
  std::optional<Duration> next;
  for (const auto& t : timers_)
    if (t && (!next || *t < *next)) next = t;
  return next;
}

std::optional<SessionEvent> Session::poll_event() {
  SessionEvent e;
  if (!events_.pop(e)) return std::nullopt;
  return e;
}

SessionEvent& EventQueue::push() {
  if (size_ == slots_.size()) {
    // Full: unroll the ring so that a new slot can go at the end.
    std::rotate(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(head_), slots_.end());
    head_ = 0;
    slots_.emplace_back();
  }
  SessionEvent& e = slots_[(head_ + size_) % slots_.size()];
  ++size_;
  e.type = SessionEvent::Type::kLog;
  e.status = SessionStatus::kDisconnected;
  e.seq = SeqNum();
  e.epoch = 0;
  e.poss_dup = e.poss_resend = false;
  e.bytes.clear();
  e.clear_parsed();
  e.text.clear();
  return e;
}

bool EventQueue::pop(SessionEvent& out) {
  if (size_ == 0) return false;
  std::swap(out, slots_[head_]);
  head_ = (head_ + 1) % slots_.size();
  --size_;
  return true;
}

void Session::take_output(std::string& out) {
  out.clear();
  if (output_committed_ == output_.size()) {
    out.swap(output_);  // output_ keeps `out`'s capacity for what comes next
  } else {
    out.assign(output_, 0, output_committed_);
    output_.erase(0, output_committed_);
  }
  output_committed_ = 0;
}

void Session::consume_output(size_t n) {
  n = std::min(n, output_.size());
  output_.erase(0, n);
  output_committed_ -= std::min(n, output_committed_);
}

}  // namespace fixgate::session
