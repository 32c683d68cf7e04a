// The session runtime's deliveries: a burst of session events, handlers inline or on the keyed
// dispatcher, the receive queue and the state published for API threads.
#include "session_runtime.h"

namespace fixgate::engine {

void SessionRuntime::after_event(std::optional<Now> at) {
  const Now now = at ? *at : clock_now();
  Locked s(*this);
  after_event(s, now);
}

void SessionRuntime::after_event(Locked& s, Now now, bool after_read) {
  const Now outer = burst_now;  // a listener may run the loop again, inside this call
  burst_now = now;
  // Events are polled into one SessionEvent taken from spare_events and given back, so its
  // strings keep their capacity (after_event may run again from inside a listener).
  SessionEvent event;
  if (!spare_events.empty()) {
    event = std::move(spare_events.back());
    spare_events.pop_back();
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
      // Published before the write: whoever sees the peer react to these bytes sees this state.
      queue_change = publish_locked(*s, after_read);
      took_output = can_write();
      if (took_output) s->take_output(write_buf);
      timer_due = s->poll_timeout();
      if (!flush_armed) store_due = store->flush_deadline();
      break;
    }
    s.unlock();
    if (listener) listener(event);
    if (log && event.type != SessionEvent::Type::kAppMessage &&
        event.type != SessionEvent::Type::kAdminMessage) {
      std::string text(session::to_string(event.status));
      if (!event.text.empty()) text += ": " + event.text;
      log->event(text, clock_now().utc);
    }
    switch (event.type) {
      case SessionEvent::Type::kAppMessage:
        deliver(event, s);  // may leave the lock held, having marked the message handled
        break;
      case SessionEvent::Type::kDisconnect:
        close_after_write = true;
        break;
      case SessionEvent::Type::kStatus:
        if (event.status == SessionStatus::kActive || event.status == SessionStatus::kLoggedIn) {
          if (initiator) initiator->reset_backoff();
          if (!app_logged_on) {
            app_logged_on = true;
            if (app.on_logon) app.on_logon(config.session.id);
          }
        } else if (app_logged_on && event.status != SessionStatus::kLoggingOut) {
          app_logged_on = false;
          if (app.on_logout) app.on_logout(config.session.id);
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
  spare_events.push_back(std::move(event));
  burst_now = outer;
  log_queue_change(queue_change);
  if (log) log->flush();
  if (took_output) write_out();
  arm_timer(timer_due);
  arm_store_flush(store_due);
}

void SessionRuntime::from_admin(std::string_view bytes) {
  if (!app.from_admin) return;
  codec::Message msg;
  if (!msg.parse(bytes).ok()) return;
  if (msg.msg_type() == "A" && config.session.role == session::Role::kAcceptor) return;
  (void)app.from_admin(config.session.id, msg);
}

void SessionRuntime::deliver(SessionEvent& e, Locked& s) {
  // The parsed message and the replies use buffers kept from one message to the next; a
  // nested delivery (a listener re-entering the loop) gets its own.
  std::optional<Reusable> nested;
  if (reusable_busy) nested.emplace();
  Reusable& r = nested ? *nested : reusable;
  reusable_busy = true;
  struct Release {
    bool& busy;
    bool nested;
    ~Release() {
      if (!nested) busy = false;
    }
  } release{reusable_busy, nested.has_value()};
  // The session parsed it already (with the dictionary's data fields); parsed only if not.
  const codec::Message* parsed = e.parsed();
  if (!parsed) {
    if (!r.msg.parse(e.bytes).ok()) {
      s.lock();
      s->handled(e.seq, burst_now, {}, e.epoch);
      return;
    }
    parsed = &r.msg;
  }
  const codec::Message& msg = *parsed;
  const SessionHandle::Handler* h = handler_for(msg.msg_type());
  if (h && dispatcher) {
    auto key = key_strategy->key_for(ordering::FixMessageKeys(msg, *key_fields, id_text));
    waiting.emplace_back(std::move(key), DispatchJob{this, e.seq, e.epoch, std::move(e.bytes)});
    submit_waiting();
    return;
  }
  if (h) {
    std::span<const session::Reply> replies;
    try {
      HandlerScope scope(this, r.replies);
      (*h)(msg);
      replies = scope.taken();
    } catch (const std::exception& ex) {
      emit_log("handler for " + std::string(msg.msg_type()) + " threw: " + ex.what() +
               "; its replies are dropped");
    }
    // Replies are stamped after the handler ran; a message without any is done as of the burst.
    const Now at = replies.empty() ? burst_now : clock_now();
    s.lock();
    s->handled(e.seq, at, replies, e.epoch);
    return;
  }
  // Queued for receive_message() by publish(), together with the new sequence numbers, so a
  // caller who sees the message also sees the state it left behind. Its answers come from
  // another thread whenever they come: what was read after it goes on meanwhile.
  const session::SeqNum seq = e.seq;
  outbox.push_back(
      ReceivedMessage{seq, e.poss_dup, std::string(msg.msg_type()), std::move(e.bytes), e.epoch});
  s.lock();
  s->release(seq, burst_now);
}

void SessionRuntime::submit_waiting() {
  while (!waiting.empty()) {
    auto& [key, job] = waiting.front();
    if (dispatcher->try_submit(key, std::move(job)) != ordering::SubmitResult::kAccepted) break;
    waiting.pop_front();
  }
}

void SessionRuntime::dispatched(session::SeqNum seq, uint64_t epoch,
                                std::vector<session::Reply> replies) {
  locked()->handled(seq, clock_now(), replies, epoch);
  after_event();
  submit_waiting();
  resume_reading_if_drained();
}

void SessionRuntime::resume_reading_if_drained() {
  bool drained, resume;
  {
    std::lock_guard lock(mu);
    drained = queue_drained_locked();
    resume = read_paused && !queue_full && waiting.empty();
    if (resume) read_paused = false;
  }
  if (drained) log_queue_change(QueueChange::kDrained);
  if (resume && socket && connected) start_read();
}

QueueChange SessionRuntime::publish_locked(const session::Session& s, bool after_read) {
  std::lock_guard lock(mu);
  for (auto& r : outbox) inbox.push_back(std::move(r));
  outbox.clear();
  queue_high_water = std::max(queue_high_water, inbox.size());
  QueueChange change = QueueChange::kNone;
  if (after_read) {
    if (queue_drained_locked()) {
      change = QueueChange::kDrained;  // taken while no loop ran (the session was stopped)
    } else if (!queue_full && inbox.size() >= config.receive_queue_capacity) {
      queue_full = true;
      ++queue_pauses;
      change = QueueChange::kFull;
    }
    read_paused = queue_full || !waiting.empty();
  }
  publish_state(s);
  return change;
}

void SessionRuntime::log_queue_change(QueueChange change) {
  if (change == QueueChange::kFull) emit_log("receive queue full: reading paused");
  if (change == QueueChange::kDrained) emit_log("receive queue drained: reading resumed");
}

}  // namespace fixgate::engine
