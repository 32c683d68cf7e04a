// SessionManager: one FIX session over TCP — an Engine with a single session and a single event
// loop thread, and that session's handle. The front door for applications: configure, start,
// then everything else through the handle (manager->send(…), manager->receive(…) …).
#pragma once

#include <memory>

#include "fixgate/engine/engine.h"

namespace fixgate::engine {

// Owns the engine of one session and gives its SessionHandle: the session's whole API is the
// handle's (engine.h), reached with -> or session() once initialize_session() has made it.
class SessionManager {
 public:
  // `options` for its engine: caller_driven and busy_poll (threads is always 1).
  explicit SessionManager(EngineOptions options = {});
  ~SessionManager();  // stops the session without a logout

  // Makes the session; `store` defaults to a MemoryStore. Again (while stopped) to start over
  // with another configuration: the old session and its handle are gone.
  Status initialize_session(SessionOptions options,
                            std::unique_ptr<session::Store> store = nullptr);
  bool initialized() const { return handle_ != nullptr; }

  Status start_session();  // initiator: connect (and reconnect); acceptor: listen
  void stop_session();     // drops the connection at once, no logout; start_session() again works
  // Caller-driven (EngineOptions::caller_driven): runs the session's loop on this thread until
  // one handler ran or `timeout` passed (Engine::run_once).
  size_t run_once(std::chrono::milliseconds timeout);

  // The session. Before initialize_session() there is none: throws std::logic_error.
  SessionHandle& session() const;
  SessionHandle* operator->() const { return &session(); }

 private:
  EngineOptions options_;
  std::unique_ptr<Engine> engine_;
  SessionHandle* handle_ = nullptr;
};

}  // namespace fixgate::engine
