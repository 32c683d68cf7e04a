// The session runtime: its making and setup, starting and stopping, waits, the event log.
#include "session_runtime.h"

namespace fixgate::engine {

SessionRuntime::SessionRuntime(transport::Loop& loop, SessionOptions config,
                               std::unique_ptr<session::Store> store, RuntimeWiring wiring)
    : config_(std::move(config)),
      id_text_(config_.session.id.to_string()),
      loop_(loop),
      tls_(std::move(wiring.tls)),
      log_(std::move(wiring.log)),
      engine_log_(std::move(wiring.engine_log)),
      dispatcher_(wiring.dispatcher),
      key_strategy_(wiring.key_strategy),
      key_fields_(wiring.key_fields),
      store_(std::move(store)),
      timer_(loop.io()),
      flush_timer_(loop.io()) {
  session_.emplace(config_.session, *store_);
  if (config_.session.role == session::Role::kInitiator)
    initiator_.emplace(loop_,
                       transport::InitiatorOptions{.connect = config_.connect,
                                                   .source = config_.source,
                                                   .reuse_address = config_.reuse_address,
                                                   .connect_timeout = config_.connect_timeout,
                                                   .reconnect = config_.reconnect,
                                                   .tls = tls_,
                                                   .verify_peer = config_.tls.verify_peer},
                       static_cast<transport::InitiatorOwner&>(*this));
}

// ---- setup, before start ----------------------------------------------------------------------

void SessionRuntime::on(std::string_view msg_type, SessionHandle::Handler handler) {
  assert_not_running();
  handlers_[std::string(msg_type)] = std::move(handler);
}

void SessionRuntime::on_event(SessionHandle::EventListener listener) {
  assert_not_running();
  listener_ = std::move(listener);
}

Status SessionRuntime::set_application(Application app) {
  if (running_) return Status::error("set_application: the session is already started");
  const session::SessionId id = config_.session.id;
  session::SessionHooks hooks;
  if (app.to_admin)
    hooks.to_admin = [this](std::string_view type, codec::Encoder& e) {
      app_.to_admin(config_.session.id, type, e);
    };
  if (app.to_app) {
    hooks.to_app = [this](const codec::Message& msg) {
      return app_.to_app(config_.session.id, msg);
    };
    hooks.allow_resend = hooks.to_app;
  }
  if (app.from_admin && config_.session.role == session::Role::kAcceptor)
    hooks.on_logon = [this](const codec::Message& logon) {
      return app_.from_admin(config_.session.id, logon);
    };
  if (app.from_app)
    fallback_handler_ = [this](const codec::Message& msg) {
      app_.from_app(config_.session.id, msg);
    };
  app_ = std::move(app);
  // Hooks are fixed when a session is made; nothing has happened to this one yet (and nothing
  // else touches it before start: the session lock is not needed).
  session_.emplace(config_.session, *store_, std::move(hooks));
  if (app_.on_create) app_.on_create(id);
  return Status::ok();
}

void SessionRuntime::bind_to(uint16_t port) {
  assert_not_running();
  config_.accept.port = port;
  std::lock_guard lock(mu_);
  published().bound_port = port;
}

// ---- the engine's thread ----------------------------------------------------------------------

void SessionRuntime::post_start() {
  running_ = true;
  asio::post(loop_.io(), [this] { start(); });
}

void SessionRuntime::post_stop() {
  asio::post(loop_.io(), [this] { stop(); });
}

void SessionRuntime::post_dispatched(session::SeqNum seq, uint64_t epoch,
                                     std::vector<session::Reply> replies) {
  asio::post(loop_.io(), [this, seq, epoch, replies = std::move(replies)]() mutable {
    dispatched(seq, epoch, std::move(replies));
  });
}

// ---- [loop] -----------------------------------------------------------------------------------

void SessionRuntime::start() {
  assert_loop();
  running_ = true;
  if (initiator_) initiator_->start();
  publish();
}

void SessionRuntime::stop() {
  assert_loop();
  // No more attempts, and the one in progress (the initiator's until connected) is dropped.
  if (initiator_) initiator_->stop();
  if (connected_) on_transport_closed("session stopped");
  running_ = false;
  timer_.cancel();
  flush_timer_.cancel();
  flush_armed_ = false;
  if (Status f = flush_store(); !f) emit_log("store flush failed: " + f.message());
  if (socket_) {
    socket_->close();
    socket_.reset();
  }
  publish();
}

void SessionRuntime::emit_log(std::string text) {
  assert_loop();
  if (log_) {
    log_->event(text, clock_now().utc);
    log_->flush();
  }
  if (!listener_) return;
  SessionEvent e;
  e.type = SessionEvent::Type::kLog;
  e.status = locked()->status();
  e.text = std::move(text);
  listener_(e);
}

// ---- waits ------------------------------------------------------------------------------------

bool SessionRuntime::wait_until(const std::function<bool(const Published&)>& done,
                                std::chrono::milliseconds timeout) {
  CheckedMutex::WaitLock lock(mu_);
  auto ready = [&] { return done(published()); };
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (loop_.caller_driven() && running_ && !loop_.in_loop()) {
    // Stops driving when the session stops too (Engine::stop() from another thread).
    auto ready_or_stopped = [&] { return ready() || !running_; };
    loop_.drive_until(lock.native(), cv_, lock.held(ready_or_stopped), deadline);
    lock.back();
    return ready();
  }
  return lock.wait_until(cv_, deadline, ready);
}

}  // namespace fixgate::engine
