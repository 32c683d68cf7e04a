// Engine: many FIX sessions in one process. One event loop thread per core, each owning a set of
// sessions (a session never changes threads); acceptor ports shared by many sessions, each new
// connection routed to its session by the CompIDs of its Logon.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/codec/message.h"
#include "fixgate/codec/message_builder.h"
#include "fixgate/engine/file_log.h"
#include "fixgate/ordering/dispatcher_options.h"
#include "fixgate/ordering/fix_message_keys.h"
#include "fixgate/ordering/key_strategy.h"
#include "fixgate/session/config.h"
#include "fixgate/session/session.h"
#include "fixgate/session/store.h"
#include "fixgate/transport/endpoint.h"
#include "fixgate/transport/reconnect_policy.h"
#include "fixgate/transport/tls_config.h"

namespace fixgate::engine {

// The transport layer's configuration types, under the names the engine's users know.
using Endpoint = transport::Endpoint;
using ReconnectPolicy = transport::ReconnectPolicy;
using TlsConfig = transport::TlsConfig;
// What a send came to (session/send_result.h).
using SendCode = session::SendCode;
using SendResult = session::SendResult;

struct SessionOptions {
  session::SessionConfig session;
  std::vector<Endpoint> connect;  // initiator: tried in turn (primary, then alternates)
  Endpoint accept;                // acceptor: bind address and port (0 = any free port)
  ReconnectPolicy reconnect;
  // Initiator: a TCP connect (with its TLS handshake) that takes longer is abandoned and counts
  // as a failed attempt.
  std::chrono::milliseconds connect_timeout{10000};
  // Initiator: the local address (and port, 0 = any) to connect from, on multi-homed hosts.
  std::optional<Endpoint> source = {};
  bool tcp_nodelay = true;  // SocketNodelay: no Nagle delay on this session's socket
  // SocketReuseAddress: SO_REUSEADDR on the acceptor's listening socket (sessions sharing a port
  // must agree) or on the initiator's source-address bind.
  bool reuse_address = true;
  // SO_SNDBUF / SO_RCVBUF of the session's connection in bytes (QuickFIX's SocketSendBufferSize,
  // SocketReceiveBufferSize); 0 leaves the kernel's default and its auto-tuning alone.
  int socket_send_buffer_size = 0;
  int socket_receive_buffer_size = 0;
  // Received messages not yet taken by receive(). Once a read leaves this many queued,
  // reading pauses (TCP back-pressure: the counterparty's writes wait in the kernel) and logs
  // "receive queue full: reading paused"; it resumes once the application has taken the queue
  // down to half, logging "receive queue drained: reading resumed". A single read may queue more
  // than this: every message it brought is kept.
  size_t receive_queue_capacity = 1 << 16;
  // Outbound high-water mark in bytes (0: none). While the session's unwritten outbound bytes
  // (encoded, not yet taken by the socket) are at or above it, send() returns
  // kBackPressured, using no sequence number, instead of queueing more: a counterparty that does
  // not read costs at most this much memory, plus one message. A handler's replies, resends and
  // admin messages are not held back. OutboundHighWater in the settings.
  size_t outbound_high_water = 64 << 20;
  std::string log_directory;  // FileLogPath: message and event logs (file_log.h); empty = none
  FileLogRotation log_rotation = {};  // those logs rotated by size (LogFileMaxSize); off by default
  TlsConfig tls;
};

// An application message taken with receive() (pull delivery).
struct ReceivedMessage {
  session::SeqNum seq;
  bool poss_dup = false;
  std::string msg_type;
  std::string bytes;  // the whole message; parse with codec::Message for fields
  // The session's sequence epoch when it arrived (SessionHandle::sequence_epoch): sequence
  // numbers are unique only within one epoch, since every reset starts them again at 1.
  uint64_t epoch = 0;
};

// QuickFIX's Application callbacks, for code ported from QuickFIX. Every member is optional;
// all run on the session's event loop thread (from_app where on() handlers run). to_admin, to_app
// and an acceptor's Logon check in from_admin run inside the session: calling this session's
// API from them fails (it would deadlock).
struct Application {
  std::function<void(const session::SessionId&)> on_create = {};  // at set_application()
  std::function<void(const session::SessionId&)> on_logon = {};
  std::function<void(const session::SessionId&)> on_logout =
      {};  // logged out or lost, after a logon
  // An admin message about to be sent: add fields (say, credentials to the Logon).
  std::function<void(const session::SessionId&, std::string_view msg_type, codec::Encoder&)>
      to_admin = {};
  // An admin message received. For an acceptor's inbound Logon, a returned reason refuses it
  // with a Logout carrying that text (QuickFIX's RejectLogon); otherwise the result is ignored.
  std::function<std::optional<std::string>(const session::SessionId&, const codec::Message&)>
      from_admin = {};
  // An application message about to be sent, whole: false vetoes it (QuickFIX's DoNotSend) and
  // send() fails without using a sequence number; for a resend, false gap-fills it.
  std::function<bool(const session::SessionId&, const codec::Message&)> to_app = {};
  // Every application message whose type has no on() handler (QuickFIX's fromApp).
  std::function<void(const session::SessionId&, const codec::Message&)> from_app = {};
};

// The receive queue of one session (SessionOptions::receive_queue_capacity).
struct ReceiveQueueStats {
  size_t queued = 0;      // messages waiting for receive() now
  size_t high_water = 0;  // the most ever queued at once
  uint64_t pauses = 0;    // times reading paused because the queue was full
  bool paused = false;    // full now: reading waits until the queue has drained to half
};

// The unwritten outbound bytes of one session (SessionOptions::outbound_high_water).
struct OutboundStats {
  size_t queued_bytes = 0;      // encoded and not yet taken by the socket, now
  size_t peak_bytes = 0;        // the most ever queued at once
  uint64_t back_pressured = 0;  // sends refused with kBackPressured
};

class SessionRuntime;
class SessionHandle;
struct DeferredState;

// A handled mark left open by SessionHandle::defer(): the message counts as handled, and the
// inbound watermark moves past it, only once complete() is called, from any thread. Movable, not
// copyable; destroyed without complete(), the message stays unhandled and is delivered again
// after a restart (or a reset drops it).
class [[nodiscard]] Completion {
 public:
  Completion() = default;
  explicit Completion(std::shared_ptr<DeferredState> state) : state_(std::move(state)) {}
  Completion(Completion&&) noexcept = default;
  Completion& operator=(Completion&&) noexcept = default;
  ~Completion();

  // Marks the message handled: its replies made inside the handler and the mark are committed
  // together, on the session's loop. Once only; later calls (and calls on an empty one) do nothing.
  void complete();
  bool pending() const { return state_ != nullptr; }  // neither completed nor empty

 private:
  std::shared_ptr<DeferredState> state_;
};

// What logout() started: the Logout handshake runs on the session's loop; wait() for its end.
class [[nodiscard]] LogoutRequest {
 public:
  LogoutRequest(Status started, const SessionHandle* handle)
      : started_(std::move(started)), handle_(handle) {}
  bool is_ok() const { return started_.is_ok(); }  // the handshake started
  explicit operator bool() const { return is_ok(); }
  const std::string& message() const { return started_.message(); }
  // Waits until the session is disconnected (the counterparty answered, or the session's
  // logout timeout passed): ok then, an error if `timeout` passed first or it never started.
  Status wait(std::chrono::milliseconds timeout) const;

 private:
  Status started_;
  const SessionHandle* handle_;
};

// One session of an Engine. Every call is thread-safe. The session's socket, timers and
// callbacks live on its event loop thread; the protocol state is shared with send() callers
// under a lock, so a send does not wait for that thread.
//
// Inbound application messages reach the application one of two ways, chosen per MsgType:
// - Handler delivery (on(), or Application::from_app for every type without one): exactly once
//   with replies. What a handler sends on its own session is committed with the mark that its
//   message was handled, when the handler returns (or when it completes a defer()); after a
//   crash either both happened or neither did, and the message is delivered again.
// - Pull delivery (receive(), for the types without a handler when no from_app is set): at least
//   once per epoch until taken. Taking a message marks it handled; a message queued but not yet
//   taken when the process dies is delivered again after the restart.
class SessionHandle {
 public:
  using Handler = std::function<void(const codec::Message&)>;
  using EventListener = std::function<void(const session::SessionEvent&)>;

  // ---- set-up, before the engine starts -----------------------------------------------------
  // The handler of one MsgType: runs on the session's loop thread (or a keyed dispatcher's
  // worker). A handler that throws has its replies dropped (and is retried by a dispatcher).
  void on(std::string_view msg_type, Handler handler);
  // QuickFIX-style callbacks (see Application). Calls on_create at once.
  Status set_application(Application app);
  // Every session event (status, disconnects, rejects, garbled input …), on the session's thread.
  void on_event(EventListener listener);

  // ---- state --------------------------------------------------------------------------------
  const session::SessionId& id() const;
  bool is_logged_on() const;  // Logon exchanged (LoggedIn or Active): send() may succeed
  session::SessionStatus status() const;
  // Waits until the status is `status` (an event, not a poll with sleeps); false on timeout.
  bool wait_for_status(session::SessionStatus status, std::chrono::milliseconds timeout) const;
  session::SessionStats stats() const;
  ReceiveQueueStats receive_queue_stats() const;
  OutboundStats outbound_stats() const;
  // (next expected incoming, next outgoing) sequence numbers.
  std::pair<session::SeqNum, session::SeqNum> sequence_numbers() const;
  // Starts at 0 with the process; bumped whenever the session's numbers start again (a reset: a
  // Logon with ResetSeqNumFlag, a new day, reset_sequence_numbers()), move under it (a refresh
  // from the store) or fall back (a failed store commit). (epoch, MsgSeqNum) names one message.
  uint64_t sequence_epoch() const;
  uint16_t local_port() const;  // an acceptor's bound port, once started
  // An initiator waiting to reconnect (its backoff): when the next attempt starts; else nullopt.
  std::optional<std::chrono::system_clock::time_point> next_reconnect_at() const;
  // An initiator's connection attempts, failures and current backoff; zeros for an acceptor.
  transport::ConnectStats connect_stats() const;

  // ---- sending ------------------------------------------------------------------------------
  // Sends an application message; `body` holds the encoded body fields ("55=IBM\x01…"). It is
  // encoded and committed to the store on the calling thread; kSent means committed, and the
  // event loop writes it (with whatever else is queued) without the caller waiting for that.
  // Otherwise nothing was sent and no sequence number used, and the code says why:
  // kNotLoggedOn, kVetoed (Application::to_app), kBackPressured (outbound_high_water reached:
  // try again once the counterparty reads; outbound_stats()), kStoreFailed (the session stops),
  // kRefused (not started, or called from inside a session hook). Inside a handler of this
  // session, the message is a reply: it goes out when the handler returns (or its defer()
  // completes), in one commit with the handled mark, never back-pressured, and kSent means only
  // that it was taken. A SendResult converts to a Status.
  SendResult send(std::string_view msg_type, std::string_view body);
  // A built message; kRefused, with the builder's error, unless it is ok().
  SendResult send(const codec::MessageBuilder& message);

  // ---- receiving ----------------------------------------------------------------------------
  // Pull delivery: the next received application message, or nullopt after `timeout`.
  std::optional<ReceivedMessage> receive(std::chrono::milliseconds timeout);
  // Inside a handler of this session (on its thread): the message it handles stays unhandled
  // when the handler returns, until the Completion is completed (from any thread). Later
  // messages are delivered meanwhile. An empty Completion outside a handler of this session.
  Completion defer();

  // ---- the session protocol's verbs (the core's: session::Session) -------------------------
  Status send_heartbeat();
  Status send_test_request(std::string_view test_req_id);
  Status request_resend(session::SeqNum from);  // a ResendRequest from `from` to infinity
  Status reset_outbound_sequence(session::SeqNum new_seq);  // SequenceReset-Reset outbound
  // Both directions start again at 1 during the session (Logon with ResetSeqNumFlag=Y).
  Status reset_sequence_numbers();
  // Starts the logout handshake; no reconnect after it. wait() on the result for its end.
  LogoutRequest logout(std::string_view reason = {});

 private:
  friend class Engine;
  explicit SessionHandle(SessionRuntime& runtime) : rt_(runtime) {}
  SessionRuntime& rt_;
};

// One line of the engine's own log (EngineOptions::on_log_entry): what happened, to which
// session, and with which remote end. The views are valid during the call only.
struct EngineLogEntry {
  enum class Level : uint8_t { kInfo, kWarning, kError };
  Level level = Level::kInfo;
  // A connection refused or closed before a session took it (an unknown session's Logon, no Logon
  // in time, a TLS handshake that failed …): what a flood of connections is made of.
  bool refused = false;
  std::string_view session = {};  // "FIX.4.4:GW->CLIENT" when the line is about one; else empty
  std::string_view peer = {};     // the remote "ip:port" when there is one; else empty
  std::string_view text = {};
};

struct EngineOptions {
  unsigned threads = 0;  // event loop threads; 0 = one per core
  // No loop thread at all: the application's own thread runs the one event loop, inside
  // run_once() and inside the session calls that wait (receive, wait_for_status,
  // LogoutRequest::wait …), one thread at a time. A send made while no thread runs the loop writes
  // the socket on the caller's thread. The lowest latency (no thread hand-off on either path), for
  // an application that owns a thread per engine; handlers and timers run only while some
  // thread drives the loop, so drive it at least every heartbeat interval. `threads` is ignored.
  bool caller_driven = false;
  // How long a loop (its own thread, or a caller-driven driver) spins, polling its sockets, before
  // it blocks in the kernel. Spinning trades a CPU for the wake-up latency of a sleeping thread.
  // While it spins, the loop reads plain TCP sockets with recv itself: one system call per
  // message, where the reactor makes three.
  std::chrono::microseconds busy_poll{0};
  // While spinning, give the CPU to other runnable threads between looks (sched_yield). Right when
  // a spinner shares its CPU with the peer it waits for. Wrong when it has a CPU of its own: a
  // yield may let another process (any busy one) run out a whole time slice, milliseconds, before
  // the spinner looks again. Spinners that do not yield need a CPU each, or they starve each other.
  bool busy_poll_yield = true;
  // Engine-level events: connections refused by routing, listener errors. The text names the
  // peer ("… (from 127.0.0.1:51234)"); on_log_entry, when set, gets them instead, structured.
  std::function<void(std::string_view)> on_log = {};
  std::function<void(const EngineLogEntry&)> on_log_entry = {};
  // Where handlers registered with on() run. Without a key strategy: on the session's event
  // loop. With one: on a keyed dispatcher's workers, so that messages with the same key (order,
  // account, symbol …) run one at a time in arrival order and different keys run concurrently.
  // A message counts as handled (the inbound watermark) only once its handler has returned.
  ordering::StrategyPtr key_strategy = {};
  ordering::FieldNames key_fields = {};  // names a strategy may use besides tag numbers and header
  ordering::DispatcherOptions dispatcher = {};
};

// Acceptor sessions made on demand (QuickFIX/J's AcceptorTemplate): a Logon on the template's
// port naming CompIDs that no configured session has creates a session from the template, if
// the counterparty is on the allow-list.
struct AcceptorTemplate {
  // Role acceptor; `accept` is the port (shared with configured sessions, or its own). BeginString
  // and SenderCompID must match the Logon's ("*" matches any); TargetCompID is the caller's.
  SessionOptions config;
  // Counterparty CompIDs (their SenderCompID) allowed to create a session; "*" allows anyone.
  // Empty allows no one: dynamic sessions are off unless listed.
  std::vector<std::string> allowed_comp_ids = {};
  // The store of a new session; a MemoryStore when not set or when it returns null.
  std::function<Result<std::unique_ptr<session::Store>>(const session::SessionId&)> store = {};
  // Called with each new session before its first connection is handed over (on an engine
  // thread): register handlers, set_application, on_event.
  std::function<void(SessionHandle&)> on_session = {};
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();  // stops without logouts
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Adds a session (before start()); `store` defaults to a MemoryStore.
  Result<SessionHandle*> add_session(SessionOptions config,
                                     std::unique_ptr<session::Store> store = nullptr);
  // Adds a template for dynamic acceptor sessions (before start()).
  Status add_acceptor_template(AcceptorTemplate t);
  // Binds every acceptor port (sessions with the same address and port share it), starts the
  // threads, and starts every initiator connecting.
  Status start();
  // Drops every connection at once, no logout. start() again works (same ports).
  void stop();
  // Logout handshake on every logged-on session, waiting up to `timeout` in all, then stop().
  void shutdown(std::chrono::milliseconds timeout);

  // Caller-driven engine (EngineOptions::caller_driven): runs the event loop on this thread until
  // one handler (a read, a timer, a queued send …) ran or `timeout` passed; returns 1 or 0. Call
  // it in a loop. Waits its turn while another thread drives. 0 at once on an engine with loop
  // threads of its own.
  size_t run_once(std::chrono::milliseconds timeout);

  bool running() const;
  // CPU time the engine's loop threads used so far. Its rate is how busy the loops are (up to
  // the number of loops; a busy-polling loop spins, near 1 even when idle). Caller-driven
  // engines have no loop threads: nullopt. Any thread.
  std::optional<std::chrono::nanoseconds> loop_cpu_time() const;
  // The keyed dispatcher's figures (queue depth, running handlers, dead letters …) when a key
  // strategy is set (EngineOptions::key_strategy); else nullopt. Any thread.
  std::optional<ordering::DispatcherStats> dispatcher_stats() const;
  std::vector<SessionHandle*> sessions() const;
  // Where each acceptor template listens, in the order added: the bound port once started (a
  // template configured on port 0 gets one from the kernel).
  std::vector<Endpoint> template_endpoints() const;
  SessionHandle* find(const session::SessionId& id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgate::engine
