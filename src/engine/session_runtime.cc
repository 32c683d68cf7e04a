// The session runtime: starting, stopping, waiting for state, the event log.
#include "session_runtime.h"

namespace fixgate::engine {

bool SessionRuntime::wait_until(const std::function<bool()>& done,
                                std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (loop.caller_driven && running && !loop.in_loop()) {
    // Stops driving when the session stops too (Engine::stop() from another thread).
    loop.drive_until(
        lock, cv, [&] { return done() || !running; }, deadline);
    return done();
  }
  return cv.wait_until(lock, deadline, done);
}

void SessionRuntime::start() {
  running = true;
  if (initiator) initiator->start();
  publish();
}

void SessionRuntime::stop() {
  // No more attempts, and the one in progress (the initiator's until connected) is dropped.
  if (initiator) initiator->stop();
  if (connected) on_transport_closed("session stopped");
  running = false;
  timer.cancel();
  flush_timer.cancel();
  flush_armed = false;
  if (Status f = flush_store(); !f) emit_log("store flush failed: " + f.message());
  if (socket) {
    socket->close();
    socket.reset();
  }
  publish();
}

void SessionRuntime::emit_log(std::string text) {
  if (log) {
    log->event(text, clock_now().utc);
    log->flush();
  }
  if (!listener) return;
  SessionEvent e;
  e.type = SessionEvent::Type::kLog;
  e.status = session ? locked()->status() : SessionStatus::kDisconnected;
  e.text = std::move(text);
  listener(e);
}

}  // namespace fixgate::engine
