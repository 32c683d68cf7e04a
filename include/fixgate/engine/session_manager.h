// SessionManager: one FIX session over TCP — an Engine with a single session and a single event
// loop thread. The front door for applications: configure, start, send, receive, log off.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fixgate/engine/engine.h"

namespace fixgate::engine {

class SessionManager {
 public:
  using Handler = SessionHandle::Handler;
  using EventListener = SessionHandle::EventListener;

  // `options` for its engine: caller_driven and busy_poll (threads is always 1).
  explicit SessionManager(EngineOptions options = {});
  ~SessionManager();  // stops the session without a logout

  // Configures the session; `store` defaults to a MemoryStore. Call before start_session().
  Status initialize_session(ManagerConfig config, std::unique_ptr<session::Store> store = nullptr);
  // See SessionHandle::on / on_event. Register before start_session().
  void on(std::string_view msg_type, Handler handler);
  void on_event(EventListener listener);

  Status start_session();  // initiator: connect (and reconnect); acceptor: listen
  void stop_session();     // drops the connection at once, no logout; start_session() again works

  // The rest is SessionHandle's API (engine.h); before initialize_session() calls fail cleanly.
  bool is_session_active() const;
  session::SessionStatus session_status() const;
  bool wait_for_status(session::SessionStatus status, std::chrono::milliseconds timeout) const;
  SendResult send_message(std::string_view msg_type, std::string_view body);
  SendResult send(const codec::MessageBuilder& message);
  std::optional<ReceivedMessage> receive_message(std::chrono::milliseconds timeout);
  Status send_heartbeat();
  Status process_test_request(std::string_view test_req_id);
  Status process_sequence_reset(session::SeqNum new_seq);
  Status resend_from_sequence(session::SeqNum from);
  Status reset_sequence_numbers();
  Status logout(std::string_view reason);
  Status request_logoff(std::chrono::milliseconds timeout);
  session::SessionStats session_stats() const;
  ReceiveQueueStats receive_queue_stats() const;
  OutboundStats outbound_stats() const;
  std::pair<session::SeqNum, session::SeqNum> sequence_numbers() const;
  uint16_t local_port() const;
  // Caller-driven: runs the session's event loop on this thread (Engine::run_once).
  size_t run_once(std::chrono::milliseconds timeout);

 private:
  EngineOptions options_;
  std::unique_ptr<Engine> engine_;
  SessionHandle* handle_ = nullptr;
  // Registered before initialize_session(); installed on the session when it is created.
  std::vector<std::pair<std::string, Handler>> pending_handlers_;
  EventListener pending_listener_;
};

}  // namespace fixgate::engine
