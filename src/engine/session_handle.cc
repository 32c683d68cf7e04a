// The handle's API, on the callers' threads: sends, receives, commands run on the loop, waits
// and the published state; SessionHandle forwards to its session's runtime.
#include "session_runtime.h"

namespace fixgate::engine {

// ---- SessionRuntime: the handle's API ---------------------------------------------------------

SendResult SessionRuntime::send(std::string_view msg_type, std::string_view body) {
  // A reply: committed with its message's handled mark, whatever the backlog (the counterparty's
  // own traffic makes it, and refusing it would leave the message handled but unanswered).
  if (HandlerScope* scope = HandlerScope::current; scope && scope->rt == this) {
    scope->add(msg_type, body);
    return SendResult::sent();
  }
  if (!running_) return SendResult::failed(SendCode::kRefused, "send: session not started");
  if (in_hook())
    return SendResult::failed(SendCode::kRefused, "send: not from inside a session hook");
  // On the caller's thread: encoded and committed to the store under the session's lock, so the
  // result is known at once. The loop thread writes it, together with whatever else is queued
  // by then: pipelined sends cost one wake-up and one write per batch, not a thread hop each.
  // Caller-driven, when nobody runs the loop (or someone blocked in it): as its driver for a
  // moment, this thread writes at once, in the same hold of the session lock as the send.
  std::optional<transport::Loop::Drive> drive;
  if (loop_.caller_driven() && !loop_.in_loop()) {
    drive.emplace(loop_, false);
    if (!*drive) drive.reset();
  }
  SendResult sent;
  {
    auto s = locked();
    const Now now = clock_now();  // under the lock: concurrent senders stamp SendingTime in order
    // Back-pressure counts what the loop took from the session and the socket has not taken yet:
    // raised under this lock when taken (session_runtime.h), so no byte is missed.
    sent = s->send(msg_type, body, now,
                   {.high_water = config_.outbound_high_water,
                    .taken_unwritten = outbound_unwritten_.load(std::memory_order_acquire)});
    if (sent.code() == SendCode::kBackPressured) {
      // Nothing changed: no state to publish, no write to ask for (the one under way, or the
      // next caller-driven turn, drains the backlog).
      outbound_refused_.fetch_add(1, std::memory_order_relaxed);
      return sent;
    }
    note_output(*s);
    if (drive) {
      after_event(s, now);
      return sent;
    }
    std::lock_guard lock(mu_);
    publish_state(*s);
  }
  if (!flush_posted_.exchange(true))
    asio::post(loop_.io(), [this] {
      flush_posted_ = false;
      after_event();
    });
  if (loop_.caller_driven() && !loop_.in_loop()) loop_.see_posted(flush_posted_);
  return sent;
}

std::optional<ReceivedMessage> SessionRuntime::receive(std::chrono::milliseconds timeout) {
  if (!wait_until([](const Published& p) { return !p.inbox.empty(); }, timeout))
    return std::nullopt;
  std::unique_lock lock(mu_);
  std::deque<ReceivedMessage>& inbox = published().inbox;
  if (inbox.empty()) return std::nullopt;  // another receiver took it
  ReceivedMessage r = std::move(inbox.front());
  inbox.pop_front();
  lock.unlock();
  const session::SeqNum seq = r.seq;
  const uint64_t epoch = r.epoch;
  auto mark_handled = [this, seq, epoch] {
    locked()->handled(seq, clock_now(), {}, epoch);
    after_event();
    resume_reading_if_drained();
  };
  if (!running_) {
    locked()->handled(seq, clock_now(), {}, epoch);
  } else if (loop_.caller_driven() || loop_.in_loop()) {
    call([&] {
      mark_handled();
      return true;
    });
  } else {
    asio::post(loop_.io(), mark_handled);
  }
  return r;
}

Status SessionRuntime::logout(std::string_view reason) {
  return command("logout", false, [&](session::Session& s) {
    if (initiator_) initiator_->stop_reconnecting();
    s.logout(reason, clock_now());
    return Status::ok();
  });
}

bool SessionRuntime::wait_for_status(SessionStatus status, std::chrono::milliseconds timeout) {
  return wait_until([status](const Published& p) { return p.status == status; }, timeout);
}

SessionStatus SessionRuntime::status() const {
  std::lock_guard lock(mu_);
  return published().status;
}

session::SessionStats SessionRuntime::stats() const {
  std::lock_guard lock(mu_);
  return published().stats;
}

OutboundStats SessionRuntime::outbound_stats() const {
  return {.queued_bytes = outbound_queued_.load(std::memory_order_relaxed),
          .peak_bytes = outbound_peak_.load(std::memory_order_relaxed),
          .back_pressured = outbound_refused_.load(std::memory_order_relaxed)};
}

ReceiveQueueStats SessionRuntime::queue_stats() const {
  std::lock_guard lock(mu_);
  const Published& p = published();
  return {.queued = p.inbox.size(),
          .high_water = p.queue_high_water,
          .pauses = p.queue_pauses,
          .paused = p.queue_full};
}

std::pair<session::SeqNum, session::SeqNum> SessionRuntime::sequence_numbers() const {
  std::lock_guard lock(mu_);
  return {published().next_in, published().next_out};
}

uint64_t SessionRuntime::sequence_epoch() const {
  std::lock_guard lock(mu_);
  return published().epoch;
}

Completion SessionRuntime::defer() {
  HandlerScope* scope = HandlerScope::current;
  if (!scope || scope->rt != this) return Completion();  // not inside a handler of this session
  if (!scope->deferred) {
    scope->deferred = std::make_shared<DeferredState>();
    scope->deferred->rt = this;
    scope->deferred->seq = scope->seq;
    scope->deferred->epoch = scope->epoch;
  }
  return Completion(scope->deferred);
}

// ---- deferred completion ----------------------------------------------------------------------

void DeferredState::handler_returned_with(std::span<const session::Reply> taken) {
  std::unique_lock lock(mu);
  replies.assign(taken.begin(), taken.end());
  handler_returned = true;
  if (!completed) return;
  lock.unlock();
  rt->post_dispatched(seq, epoch, std::move(replies));
}

void DeferredState::complete() {
  std::unique_lock lock(mu);
  if (completed) return;
  completed = true;
  if (!handler_returned) return;  // the handler's return hands the mark on
  lock.unlock();
  rt->post_dispatched(seq, epoch, std::move(replies));
}

Completion::~Completion() = default;

void Completion::complete() {
  if (!state_) return;
  state_->complete();
  state_.reset();
}

uint16_t SessionRuntime::local_port() const {
  std::lock_guard lock(mu_);
  return published().bound_port;
}

// ---- SessionHandle ----------------------------------------------------------------------------

void SessionHandle::on(std::string_view msg_type, Handler handler) {
  rt_.on(msg_type, std::move(handler));
}
void SessionHandle::on_event(EventListener listener) { rt_.on_event(std::move(listener)); }
Status SessionHandle::set_application(Application app) {
  return rt_.set_application(std::move(app));
}

const session::SessionId& SessionHandle::id() const { return rt_.config().session.id; }
bool SessionHandle::is_logged_on() const {
  auto s = status();
  return s == SessionStatus::kLoggedIn || s == SessionStatus::kActive;
}
SessionStatus SessionHandle::status() const { return rt_.status(); }
bool SessionHandle::wait_for_status(SessionStatus status, std::chrono::milliseconds timeout) const {
  return rt_.wait_for_status(status, timeout);
}

SendResult SessionHandle::send(std::string_view msg_type, std::string_view body) {
  return rt_.send(msg_type, body);
}
SendResult SessionHandle::send(const codec::MessageBuilder& message) {
  // Never a half-built message on the wire.
  if (!message.ok()) return SendResult::failed(SendCode::kRefused, message.status().message());
  return send(message.msg_type(), message.body());
}
std::optional<ReceivedMessage> SessionHandle::receive(std::chrono::milliseconds timeout) {
  return rt_.receive(timeout);
}

Status SessionHandle::send_heartbeat() {
  return rt_.command("send_heartbeat", true, [](session::Session& s) {
    s.send_heartbeat(clock_now());
    return Status::ok();
  });
}

Status SessionHandle::send_test_request(std::string_view test_req_id) {
  return rt_.command("send_test_request", true, [&](session::Session& s) {
    s.send_test_request(test_req_id, clock_now());
    return Status::ok();
  });
}

Status SessionHandle::reset_outbound_sequence(session::SeqNum new_seq) {
  return rt_.command("reset_outbound_sequence", false, [&](session::Session& s) {
    return s.reset_outbound_sequence(new_seq, clock_now());
  });
}

Status SessionHandle::reset_sequence_numbers() {
  return rt_.command("reset_sequence_numbers", false,
                     [](session::Session& s) { return s.reset_sequence_numbers(clock_now()); });
}

Status SessionHandle::request_resend(session::SeqNum from) {
  return rt_.command("request_resend", true, [&](session::Session& s) {
    s.request_resend(from, clock_now());
    return Status::ok();
  });
}

LogoutRequest SessionHandle::logout(std::string_view reason) {
  return LogoutRequest(rt_.logout(reason), this);
}

Status LogoutRequest::wait(std::chrono::milliseconds timeout) const {
  if (!started_) return started_;
  if (handle_->wait_for_status(SessionStatus::kDisconnected, timeout)) return Status::ok();
  return Status::error("logout: still " + std::string(session::to_string(handle_->status())) +
                       " after the wait");
}

Completion SessionHandle::defer() { return rt_.defer(); }

session::SessionStats SessionHandle::stats() const { return rt_.stats(); }
ReceiveQueueStats SessionHandle::receive_queue_stats() const { return rt_.queue_stats(); }
OutboundStats SessionHandle::outbound_stats() const { return rt_.outbound_stats(); }
std::pair<session::SeqNum, session::SeqNum> SessionHandle::sequence_numbers() const {
  return rt_.sequence_numbers();
}
uint64_t SessionHandle::sequence_epoch() const { return rt_.sequence_epoch(); }
uint16_t SessionHandle::local_port() const { return rt_.local_port(); }

std::optional<std::chrono::system_clock::time_point> SessionHandle::next_reconnect_at() const {
  return rt_.next_reconnect_at();
}

transport::ConnectStats SessionHandle::connect_stats() const { return rt_.connect_stats(); }

}  // namespace fixgate::engine
