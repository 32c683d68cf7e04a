#include "fixgate/engine/session_manager.h"

#include <stdexcept>

namespace fixgate::engine {

SessionManager::SessionManager(EngineOptions options) : options_(std::move(options)) {
  options_.threads = 1;
}
SessionManager::~SessionManager() { stop_session(); }

Status SessionManager::initialize_session(SessionOptions options,
                                          std::unique_ptr<session::Store> store) {
  if (engine_ && engine_->running())
    return Status::error("initialize_session: the session is running");
  auto engine = std::make_unique<Engine>(options_);
  auto handle = engine->add_session(std::move(options), std::move(store));
  if (!handle) return handle.status();
  engine_ = std::move(engine);
  handle_ = *handle;
  return Status::ok();
}

Status SessionManager::start_session() {
  if (!engine_) return Status::error("start_session: initialize_session first");
  return engine_->start();
}

void SessionManager::stop_session() {
  if (engine_) engine_->stop();
}

size_t SessionManager::run_once(std::chrono::milliseconds timeout) {
  return engine_ ? engine_->run_once(timeout) : 0;
}

SessionHandle& SessionManager::session() const {
  // A programming error, not a runtime condition: no session exists to fail a call cleanly.
  if (!handle_) throw std::logic_error("SessionManager: initialize_session() first");
  return *handle_;
}

}  // namespace fixgate::engine
