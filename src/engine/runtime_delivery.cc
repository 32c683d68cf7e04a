// The session runtime's deliveries: a burst of session events, handlers inline or on the keyed
// dispatcher, the receive queue and the state published for API threads.
#include "session_runtime.h"

namespace fixgate::engine {

void SessionRuntime::after_event(std::optional<Now> at) {
  assert_loop();
  const Now now = at ? *at : clock_now();
  Locked s(*this);
  after_event(s, now);
}

void SessionRuntime::after_event(Locked& s, Now now, bool after_read) {
  assert_loop();
  const Now outer = burst_now_;  // a listener may run the loop again, inside this call
  burst_now_ = now;
  // Events are polled into one SessionEvent taken from spare_events_ and given back, so its
  // strings keep their capacity (after_event may run again from inside a listener).
  SessionEvent event;
  if (!spare_events_.empty()) {
    event = std::move(spare_events_.back());
    spare_events_.pop_back();
  }
  // The handled marks (and replies) of every message in this burst share one store commit.
  s->begin_batch();
  // What the burst leaves behind (state to publish, output, deadlines) is taken in the same
  // hold of the lock as the poll that finds no more events.
  bool took_output = false;
  std::optional<session::Duration> timer_due, store_due;
  QueueChange queue_change = QueueChange::kNone;
  for (;;) {
    if (!s.owns_lock()) s.lock();
    if (!s->poll_event(event)) {
      s->end_batch(now);
      if (s->has_events()) {  // a failed commit reports itself
        s->begin_batch();
        continue;
      }
      // The output counted (outbound_stats()) before the state is published, so whoever sees
      // the state sees the backlog it left.
      took_output = can_write();
      if (took_output) {
        take_output(s);
      } else {
        note_output(*s);  // waits in the session for the write under way, or for a connection
      }
      // Published before the write: whoever sees the peer react to these bytes sees this state.
      queue_change = publish_locked(*s, after_read);
      timer_due = s->poll_timeout();
      if (!flush_armed_) store_due = s.store().flush_deadline();
      break;
    }
    s.unlock();
    if (listener_) listener_(event);
    if (log_ && event.type != SessionEvent::Type::kAppMessage &&
        event.type != SessionEvent::Type::kAdminMessage) {
      std::string text(session::to_string(event.status));
      if (!event.text.empty()) text += ": " + event.text;
      log_->event(text, clock_now().utc);
    }
    switch (event.type) {
      case SessionEvent::Type::kAppMessage:
        deliver(event, s);  // may leave the lock held, having marked the message handled
        break;
      case SessionEvent::Type::kDisconnect:
        close_after_write_ = true;
        break;
      case SessionEvent::Type::kStatus:
        if (event.status == SessionStatus::kActive || event.status == SessionStatus::kLoggedIn) {
          if (initiator_) initiator_->reset_backoff();
          if (!app_logged_on_) {
            app_logged_on_ = true;
            if (app_.on_logon) app_.on_logon(config_.session.id);
          }
        } else if (app_logged_on_ && event.status != SessionStatus::kLoggingOut) {
          app_logged_on_ = false;
          if (app_.on_logout) app_.on_logout(config_.session.id);
        }
        break;
      case SessionEvent::Type::kAdminMessage:
        from_admin(event.bytes);
        break;
      default:
        break;
    }
  }
  s.unlock();
  spare_events_.push_back(std::move(event));
  burst_now_ = outer;
  log_queue_change(queue_change);
  if (log_) log_->flush();
  if (took_output) write_out();
  arm_timer(timer_due);
  arm_store_flush(store_due);
}

void SessionRuntime::from_admin(std::string_view bytes) {
  assert_loop();
  if (!app_.from_admin) return;
  codec::Message msg;
  if (!msg.parse(bytes).ok()) return;
  if (msg.msg_type() == "A" && config_.session.role == session::Role::kAcceptor) return;
  (void)app_.from_admin(config_.session.id, msg);
}

void SessionRuntime::deliver(SessionEvent& e, Locked& s) {
  assert_loop();
  // The parsed message and the replies use buffers kept from one message to the next; a
  // nested delivery (a listener re-entering the loop) gets its own.
  std::optional<Reusable> nested;
  if (reusable_busy_) nested.emplace();
  Reusable& r = nested ? *nested : reusable_;
  reusable_busy_ = true;
  struct Release {
    bool& busy;
    bool nested;
    ~Release() {
      if (!nested) busy = false;
    }
  } release{reusable_busy_, nested.has_value()};
  // The session parsed it already (with the dictionary's data fields); parsed only if not.
  const codec::Message* parsed = e.parsed();
  if (!parsed) {
    if (!r.msg.parse(e.bytes).ok()) {
      s.lock();
      s->handled(e.seq, burst_now_, {}, e.epoch);
      return;
    }
    parsed = &r.msg;
  }
  const codec::Message& msg = *parsed;
  const SessionHandle::Handler* h = handler_for(msg.msg_type());
  if (h && dispatcher_) {
    auto key = key_strategy_->key_for(ordering::FixMessageKeys(msg, *key_fields_, id_text_));
    waiting_.emplace_back(std::move(key), DispatchJob{this, e.seq, e.epoch, std::move(e.bytes)});
    submit_waiting();
    return;
  }
  if (h) {
    std::span<const session::Reply> replies;
    bool deferred = false;
    {
      HandlerScope scope(this, r.replies, e.seq, e.epoch);
      try {
        (*h)(msg);
      } catch (const std::exception& ex) {
        scope.count = 0;
        emit_log("handler for " + std::string(msg.msg_type()) + " threw: " + ex.what() +
                 "; its replies are dropped");
      }
      deferred = !scope.finish();
      replies = scope.taken();
    }
    s.lock();
    if (deferred) {  // handled once its Completion completes; what came after it goes on now
      s->release(e.seq, burst_now_);
      return;
    }
    // Replies are stamped after the handler ran; a message without any is done as of the burst.
    const Now at = replies.empty() ? burst_now_ : clock_now();
    s->handled(e.seq, at, replies, e.epoch);
    return;
  }
  // Queued for receive() by publish(), together with the new sequence numbers, so a
  // caller who sees the message also sees the state it left behind. Its answers come from
  // another thread whenever they come: what was read after it goes on meanwhile.
  const session::SeqNum seq = e.seq;
  outbox_.push_back(
      ReceivedMessage{seq, e.poss_dup, std::string(msg.msg_type()), std::move(e.bytes), e.epoch});
  s.lock();
  s->release(seq, burst_now_);
}

void SessionRuntime::submit_waiting() {
  assert_loop();
  while (!waiting_.empty()) {
    auto& [key, job] = waiting_.front();
    if (dispatcher_->try_submit(key, std::move(job)) != ordering::SubmitResult::kAccepted) break;
    waiting_.pop_front();
  }
}

void SessionRuntime::dispatched(session::SeqNum seq, uint64_t epoch,
                                std::vector<session::Reply> replies) {
  assert_loop();
  locked()->handled(seq, clock_now(), replies, epoch);
  after_event();
  submit_waiting();
  resume_reading_if_drained();
}

void SessionRuntime::resume_reading_if_drained() {
  assert_loop();
  bool drained, resume;
  {
    std::lock_guard lock(mu_);
    drained = queue_drained_locked();
    resume = read_paused_ && !published().queue_full && waiting_.empty();
    if (resume) read_paused_ = false;
  }
  if (drained) log_queue_change(QueueChange::kDrained);
  if (resume && socket_ && connected_) start_read();
}

QueueChange SessionRuntime::publish_locked(const session::Session& s, bool after_read) {
  assert_loop();
  std::lock_guard lock(mu_);
  Published& p = published();
  for (auto& r : outbox_) p.inbox.push_back(std::move(r));
  outbox_.clear();
  p.queue_high_water = std::max(p.queue_high_water, p.inbox.size());
  QueueChange change = QueueChange::kNone;
  if (after_read) {
    if (queue_drained_locked()) {
      change = QueueChange::kDrained;  // taken while no loop ran (the session was stopped)
    } else if (!p.queue_full && p.inbox.size() >= config_.receive_queue_capacity) {
      p.queue_full = true;
      ++p.queue_pauses;
      change = QueueChange::kFull;
    }
    read_paused_ = p.queue_full || !waiting_.empty();
  }
  publish_state(s);
  return change;
}

void SessionRuntime::log_queue_change(QueueChange change) {
  if (change == QueueChange::kFull) emit_log("receive queue full: reading paused");
  if (change == QueueChange::kDrained) emit_log("receive queue drained: reading resumed");
}

}  // namespace fixgate::engine
