#include "session_runtime.h"

namespace fixgate::engine {

// ---- SessionHandle ------------------------------------------------------------------------

void SessionHandle::on(std::string_view msg_type, Handler handler) {
  rt_.handlers[std::string(msg_type)] = std::move(handler);
}

void SessionHandle::on_event(EventListener listener) { rt_.listener = std::move(listener); }

const session::SessionId& SessionHandle::id() const { return rt_.config.session.id; }

bool SessionHandle::is_session_active() const {
  auto s = session_status();
  return s == SessionStatus::kLoggedIn || s == SessionStatus::kActive;
}

SessionStatus SessionHandle::session_status() const {
  std::lock_guard lock(rt_.mu);
  return rt_.status;
}

bool SessionHandle::wait_for_status(SessionStatus status, std::chrono::milliseconds timeout) const {
  return rt_.wait_until([&] { return rt_.status == status; }, timeout);
}

Status SessionHandle::set_application(Application app) {
  SessionRuntime& m = rt_;
  if (m.running) return Status::error("set_application: the session is already started");
  const session::SessionId id = m.config.session.id;
  session::SessionHooks hooks;
  if (app.to_admin)
    hooks.to_admin = [&m](std::string_view type, codec::Encoder& e) {
      m.app.to_admin(m.config.session.id, type, e);
    };
  if (app.to_app) {
    hooks.to_app = [&m](const codec::Message& msg) {
      return m.app.to_app(m.config.session.id, msg);
    };
    hooks.allow_resend = hooks.to_app;
  }
  if (app.from_admin && m.config.session.role == session::Role::kAcceptor)
    hooks.on_logon = [&m](const codec::Message& logon) {
      return m.app.from_admin(m.config.session.id, logon);
    };
  if (app.from_app)
    m.fallback_handler = [&m](const codec::Message& msg) {
      m.app.from_app(m.config.session.id, msg);
    };
  m.app = std::move(app);
  // Hooks are fixed when a session is made; nothing has happened to this one yet.
  m.session.emplace(m.config.session, *m.store, std::move(hooks));
  if (m.app.on_create) m.app.on_create(id);
  return Status::ok();
}

Status SessionHandle::send_message(std::string_view msg_type, std::string_view body) {
  SessionRuntime& m = rt_;
  if (HandlerScope* scope = HandlerScope::current; scope && scope->rt == &m) {
    scope->add(msg_type, body);
    return Status::ok();
  }
  if (!m.running) return Status::error("send_message: session not started");
  if (m.in_hook()) return Status::error("send_message: not from inside a session hook");
  // On the caller's thread: encoded and committed to the store under the session's lock, so the
  // result is known at once. The loop thread writes it, together with whatever else is queued
  // by then: pipelined sends cost one wake-up and one write per batch, not a thread hop each.
  // Caller-driven, when nobody runs the loop (or someone blocked in it): as its driver for a
  // moment, this thread writes at once, in the same hold of the session lock as the send.
  std::optional<Loop::Drive> drive;
  if (m.loop.caller_driven && !m.loop.in_loop()) {
    drive.emplace(m.loop, false);
    if (!*drive) drive.reset();
  }
  Status sent;
  {
    auto s = m.locked();
    const Now now = clock_now();  // under the lock: concurrent senders stamp SendingTime in order
    sent = s->send(msg_type, body, now);
    if (drive) {
      m.after_event(s, now);
      return sent;
    }
    std::lock_guard lock(m.mu);
    m.publish_state(*s);
  }
  if (!m.flush_posted.exchange(true))
    asio::post(m.io, [&m] {
      m.flush_posted = false;
      m.after_event();
    });
  if (m.loop.caller_driven && !m.loop.in_loop()) m.loop.see_posted(m.flush_posted);
  return sent;
}

std::optional<ReceivedMessage> SessionHandle::receive_message(std::chrono::milliseconds timeout) {
  SessionRuntime& m = rt_;
  if (!m.wait_until([&] { return !m.inbox.empty(); }, timeout)) return std::nullopt;
  std::unique_lock lock(m.mu);
  if (m.inbox.empty()) return std::nullopt;  // another receiver took it
  ReceivedMessage r = std::move(m.inbox.front());
  m.inbox.pop_front();
  lock.unlock();
  const session::SeqNum seq = r.seq;
  const uint64_t epoch = r.epoch;
  auto mark_handled = [&m, seq, epoch] {
    m.locked()->handled(seq, clock_now(), {}, epoch);
    m.after_event();
    m.resume_reading_if_drained();
  };
  if (!m.running) {
    m.locked()->handled(seq, clock_now(), {}, epoch);
  } else if (m.loop.caller_driven || m.loop.in_loop()) {
    m.call([&] {
      mark_handled();
      return true;
    });
  } else {
    asio::post(m.io, mark_handled);
  }
  return r;
}

Status SessionHandle::send_heartbeat() {
  SessionRuntime& m = rt_;
  if (!m.running) return Status::error("send_heartbeat: session not started");
  if (m.in_hook()) return Status::error("send_heartbeat: not from inside a session hook");
  return m.call([&m]() -> Status {
    {
      auto s = m.locked();
      if (!s->is_logged_on()) return Status::error("send_heartbeat: not logged on");
      s->send_heartbeat(clock_now());
    }
    m.after_event();
    return Status::ok();
  });
}

Status SessionHandle::process_test_request(std::string_view test_req_id) {
  SessionRuntime& m = rt_;
  if (!m.running) return Status::error("process_test_request: session not started");
  std::string id(test_req_id);
  if (m.in_hook()) return Status::error("process_test_request: not from inside a session hook");
  return m.call([&m, id]() -> Status {
    {
      auto s = m.locked();
      if (!s->is_logged_on()) return Status::error("process_test_request: not logged on");
      s->send_test_request(id, clock_now());
    }
    m.after_event();
    return Status::ok();
  });
}

Status SessionHandle::process_sequence_reset(session::SeqNum new_seq) {
  SessionRuntime& m = rt_;
  if (!m.running) return Status::error("process_sequence_reset: session not started");
  if (m.in_hook()) return Status::error("process_sequence_reset: not from inside a session hook");
  return m.call([&m, new_seq]() -> Status {
    Status s = m.locked()->reset_outbound_sequence(new_seq, clock_now());
    m.after_event();
    return s;
  });
}

Status SessionHandle::reset_sequence_numbers() {
  SessionRuntime& m = rt_;
  if (!m.running) return Status::error("reset_sequence_numbers: session not started");
  if (m.in_hook()) return Status::error("reset_sequence_numbers: not from inside a session hook");
  return m.call([&m]() -> Status {
    Status s = m.locked()->reset_sequence_numbers(clock_now());
    m.after_event();
    return s;
  });
}

Status SessionHandle::resend_from_sequence(session::SeqNum from) {
  SessionRuntime& m = rt_;
  if (!m.running) return Status::error("resend_from_sequence: session not started");
  if (m.in_hook()) return Status::error("resend_from_sequence: not from inside a session hook");
  return m.call([&m, from]() -> Status {
    {
      auto s = m.locked();
      if (!s->is_logged_on()) return Status::error("resend_from_sequence: not logged on");
      s->request_resend(from, clock_now());
    }
    m.after_event();
    return Status::ok();
  });
}

Status SessionHandle::logout(std::string_view reason) {
  SessionRuntime& m = rt_;
  if (!m.running) return Status::error("logout: session not started");
  std::string r(reason);
  if (m.in_hook()) return Status::error("logout: not from inside a session hook");
  return m.call([&m, r]() -> Status {
    if (m.initiator) m.initiator->stop_reconnecting();
    m.locked()->logout(r, clock_now());
    m.after_event();
    return Status::ok();
  });
}

Status SessionHandle::request_logoff(std::chrono::milliseconds timeout) {
  if (Status s = logout(""); !s) return s;
  bool done = rt_.wait_until([&] { return rt_.status == SessionStatus::kDisconnected; }, timeout);
  return done ? Status::ok() : Status::error("request_logoff: no Logout reply within the timeout");
}

session::SessionStats SessionHandle::session_stats() const {
  std::lock_guard lock(rt_.mu);
  return rt_.stats;
}

ReceiveQueueStats SessionHandle::receive_queue_stats() const {
  std::lock_guard lock(rt_.mu);
  return {.queued = rt_.inbox.size(),
          .high_water = rt_.queue_high_water,
          .pauses = rt_.queue_pauses,
          .paused = rt_.queue_full};
}

std::pair<session::SeqNum, session::SeqNum> SessionHandle::sequence_numbers() const {
  std::lock_guard lock(rt_.mu);
  return {rt_.next_in, rt_.next_out};
}

uint16_t SessionHandle::local_port() const {
  std::lock_guard lock(rt_.mu);
  return rt_.bound_port;
}

}  // namespace fixgate::engine
