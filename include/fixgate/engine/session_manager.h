// SessionManager: one FIX session over TCP, driven on its own I/O thread. The front door for
// applications: configure, start, send, receive, log off. Every call is thread-safe; the
// session state itself lives on the I/O thread only (see DESIGN.md, "Threads").
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/codec/message.h"
#include "fixgate/session/config.h"
#include "fixgate/session/session.h"
#include "fixgate/session/store.h"

namespace fixgate::engine {

struct Endpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
};

// Initiator reconnects: delay = min(max, initial * multiplier^attempt), ± jitter.
struct ReconnectPolicy {
  std::chrono::milliseconds initial{1000};  // QuickFIX ReconnectInterval
  std::chrono::milliseconds max{30000};
  double multiplier = 2.0;
  double jitter = 0.2;  // fraction of the delay, uniformly ±
};

struct ManagerConfig {
  session::SessionConfig session;
  std::vector<Endpoint> connect;  // initiator: tried in turn (primary, then alternates)
  Endpoint accept;                // acceptor: bind address and port (0 = any free port)
  ReconnectPolicy reconnect;
  size_t receive_queue_capacity = 1 << 16;  // received, not yet taken by receive_message()
  std::string log_directory;  // FileLogPath: message and event logs (file_log.h); empty = none
};

// An application message handed to receive_message().
struct ReceivedMessage {
  session::SeqNum seq;
  bool poss_dup = false;
  std::string msg_type;
  std::string bytes;  // the whole message; parse with codec::Message for fields
};

class SessionManager {
 public:
  using Handler = std::function<void(const codec::Message&)>;
  using EventListener = std::function<void(const session::SessionEvent&)>;

  SessionManager();
  ~SessionManager();  // stops the session without a logout
  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  // Configures the session; `store` defaults to a MemoryStore. Call before start_session().
  Status initialize_session(ManagerConfig config, std::unique_ptr<session::Store> store = nullptr);
  // Handlers by MsgType run on the I/O thread; a message with a handler is not queued for
  // receive_message(). A handler may call send_message() to reply. Register before
  // start_session().
  void on(std::string_view msg_type, Handler handler);
  // Every session event (status, disconnects, rejects, garbled input …), on the I/O thread.
  void on_event(EventListener listener);

  Status start_session();  // initiator: connect (and reconnect); acceptor: listen
  void stop_session();     // drops the connection at once, no logout; start_session() again works

  bool is_session_active() const;  // logged on
  session::SessionStatus session_status() const;
  // Waits until the status is `status` (an event, not a poll with sleeps); false on timeout.
  bool wait_for_status(session::SessionStatus status, std::chrono::milliseconds timeout) const;

  // Sends an application message; `body` holds the encoded body fields ("55=IBM\x01…").
  Status send_message(std::string_view msg_type, std::string_view body);
  // The next received application message, or nullopt after `timeout`. Taking a message is what
  // marks it handled: the inbound watermark advances past it.
  std::optional<ReceivedMessage> receive_message(std::chrono::milliseconds timeout);

  Status send_heartbeat();
  Status process_test_request(std::string_view test_req_id);  // sends a TestRequest
  Status process_sequence_reset(session::SeqNum new_seq);     // SequenceReset-Reset outbound
  Status resend_from_sequence(session::SeqNum from);          // asks the peer to resend
  Status logout(std::string_view reason);                     // starts the logout handshake
  // Logout handshake, then disconnect; waits up to `timeout`. No reconnect afterwards.
  Status request_logoff(std::chrono::milliseconds timeout);

  session::SessionStats session_stats() const;
  // (next expected incoming, next outgoing) sequence numbers.
  std::pair<session::SeqNum, session::SeqNum> sequence_numbers() const;
  uint16_t local_port() const;  // the acceptor's bound port, once started

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgate::engine
