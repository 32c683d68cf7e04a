// The runtime of one engine session (internal to the engine): the session core with its store,
// its connection, timers, message log, application callbacks and the state API threads read.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "fixgate/codec/framer.h"
#include "fixgate/engine/engine.h"
#include "fixgate/engine/file_log.h"
#include "fixgate/ordering/keyed_dispatcher.h"
#include "fixgate/transport/connection.h"
#include "fixgate/transport/initiator.h"
#include "fixgate/transport/listener.h"
#include "fixgate/transport/loop.h"

namespace fixgate::engine {

using session::Now;
using session::SessionEvent;
using session::SessionStatus;
using transport::Connection;
using transport::DirectReader;
using transport::Loop;

inline Now clock_now() {
  return Now{std::chrono::steady_clock::now().time_since_epoch(),
             std::chrono::system_clock::now().time_since_epoch()};
}

class SessionRuntime;

// The handler running on this thread. send_message() on its session from inside it collects a
// reply, committed together with the handled mark of the message when the handler returns.
struct HandlerScope {
  // `storage` holds the replies: a buffer the caller reuses, whose strings keep their capacity
  // (only `count` of its entries are this handler's).
  HandlerScope(SessionRuntime* runtime, std::vector<session::Reply>& storage)
      : rt(runtime), replies(storage), previous(current) {
    current = this;
  }
  ~HandlerScope() { current = previous; }
  HandlerScope(const HandlerScope&) = delete;
  HandlerScope& operator=(const HandlerScope&) = delete;

  void add(std::string_view msg_type, std::string_view body) {
    if (count == replies.size()) replies.emplace_back();
    replies[count].msg_type.assign(msg_type);
    replies[count].body.assign(body);
    ++count;
  }
  std::span<const session::Reply> taken() const { return {replies.data(), count}; }

  SessionRuntime* rt;
  std::vector<session::Reply>& replies;
  size_t count = 0;
  HandlerScope* previous;
  // Inline, so that every file reaches it directly, without a call to its initializer.
  static inline thread_local HandlerScope* current = nullptr;
};

// An application message on its way to a handler on a dispatcher worker.
struct DispatchJob {
  SessionRuntime* rt = nullptr;
  session::SeqNum seq;
  uint64_t epoch = 0;  // the delivery's (SessionEvent::epoch), for handled()
  std::string bytes;
};
using Dispatcher = ordering::KeyedDispatcher<DispatchJob>;

// What a publish did to the receive queue: filled it (reading pauses) or saw it drained.
enum class QueueChange : uint8_t { kNone, kFull, kDrained };

// Everything about one session, driven on one io_context's thread.
// Everything about one session, driven on one io_context's thread.
class SessionRuntime final : private DirectReader,
                             private transport::InitiatorOwner,
                             private transport::Adopter {
 public:
  ManagerConfig config;
  std::unique_ptr<session::Store> store;
  std::optional<session::Session> session;  // touch it through locked()
  // Guards `session` and the store between the loop thread and send_message() on other threads.
  // Held only around calls into the session, never while application code runs (except the
  // session's own hooks: to_admin, to_app, an acceptor's Logon check).
  std::mutex smu;
  std::atomic<std::thread::id> smu_owner{};
  std::atomic<bool> flush_posted{false};  // a send's after_event() is queued on the loop

  // The session, locked while this object lives: `locked()->send(…)`. after_event holds one
  // across the steps of a burst, unlocking it only around calls out of the session.
  class Locked {
   public:
    explicit Locked(SessionRuntime& rt) : rt_(rt), lock_(rt.smu) { own(); }
    ~Locked() {
      if (lock_.owns_lock()) disown();
    }
    Locked(const Locked&) = delete;
    Locked& operator=(const Locked&) = delete;
    session::Session* operator->() { return &*rt_.session; }
    session::Session& operator*() { return *rt_.session; }
    bool owns_lock() const { return lock_.owns_lock(); }
    void lock() {
      lock_.lock();
      own();
    }
    void unlock() {
      disown();
      lock_.unlock();
    }

   private:
    // Relaxed: only the owning thread compares it with itself (in_hook); the lock orders
    // everything else.
    void own() { rt_.smu_owner.store(std::this_thread::get_id(), std::memory_order_relaxed); }
    void disown() { rt_.smu_owner.store(std::thread::id(), std::memory_order_relaxed); }
    SessionRuntime& rt_;
    std::unique_lock<std::mutex> lock_;
  };
  Locked locked() { return Locked(*this); }
  // True inside one of the session's hooks on this thread: calling the session would deadlock.
  bool in_hook() const {
    return smu_owner.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }
  std::map<std::string, SessionHandle::Handler, std::less<>> handlers;
  SessionHandle::Handler fallback_handler;  // Application::from_app: types without a handler
  Application app;
  bool app_logged_on = false;  // on_logon called, on_logout not yet
  SessionHandle::EventListener listener;
  std::unique_ptr<FileLog> log;
  codec::FrameReader log_reader;  // frames inbound bytes again for the message log

  Loop& loop;
  asio::io_context& io;                              // loop.io
  std::function<void(std::string_view)> engine_log;  // EngineOptions::on_log
  // Keyed dispatch (EngineOptions::key_strategy); null when handlers run on the loop.
  Dispatcher* dispatcher = nullptr;
  const ordering::KeyStrategy* key_strategy = nullptr;
  const ordering::FieldNames* key_fields = nullptr;
  // Jobs the dispatcher had no room for, in arrival order; reading pauses until they are in.
  std::deque<std::pair<std::optional<ordering::SessionKey>, DispatchJob>> waiting;
  // Shared so that an operation still in flight keeps its stream alive after a close: a TLS
  // stream destroyed under a pending read is a use-after-free. Handlers hold their own copy and
  // ignore completions for a connection that is no longer current.
  std::shared_ptr<Connection> socket;
  std::shared_ptr<asio::ssl::context> tls;        // the session's TLS context, when enabled
  std::optional<transport::Initiator> initiator;  // an initiator's connecting and reconnecting
  asio::steady_timer timer{io};
  bool timer_armed = false;
  session::Duration timer_deadline{0};
  uint64_t timer_generation = 0;
  asio::steady_timer flush_timer{io};  // the store's flush_deadline()
  bool flush_armed = false;
  // Per-session read buffer: 16 KiB holds dozens of typical messages per read while keeping an
  // idle session small (1,000 sessions cost 16 MB here, not 64).
  std::array<char, 16 * 1024> read_buf{};
  std::string write_buf;
  bool writing = false;
  bool close_after_write = false;
  bool connected = false;
  std::atomic<bool> running{false};  // started and not stopped
  // The inbox or the dispatcher is full: TCP back-pressure until the app catches up.
  bool read_paused = false;

  // Shared with API threads.
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  SessionStatus status = SessionStatus::kDisconnected;
  session::SessionStats stats;
  session::SeqNum next_in{1}, next_out{1};
  std::deque<ReceivedMessage> inbox;
  // The receive queue's state for receive_queue_stats(), changed on the loop thread. Invariant:
  // queue_full from a read that left `inbox` at receive_queue_capacity until it is back to half.
  size_t queue_high_water = 0;
  uint64_t queue_pauses = 0;
  bool queue_full = false;
  std::vector<ReceivedMessage> outbox;  // I/O thread only: delivered since the last publish()
  // Loop thread only: buffers reused from one message to the next (deliver, after_event).
  struct Reusable {
    codec::Message msg;
    std::vector<session::Reply> replies;
  };
  Reusable reusable;
  Now burst_now{};  // the time of the event after_event() is handling
  bool reusable_busy = false;
  std::vector<SessionEvent> spare_events;
  uint16_t bound_port = 0;

  // `tls`: the session's TLS context, when enabled.
  SessionRuntime(Loop& l, ManagerConfig c, std::unique_ptr<session::Store> s,
                 std::shared_ptr<asio::ssl::context> tls_context);
  std::string id_text;  // "FIX.4.4:US->THEM", the `session` key of a key strategy

  const SessionHandle::Handler* handler_for(std::string_view msg_type) const {
    auto h = handlers.find(msg_type);
    if (h != handlers.end()) return &h->second;
    return fallback_handler ? &fallback_handler : nullptr;
  }

  // Runs `fn` on the session's loop and returns its result (see Loop::call).
  template <typename F>
  auto call(F fn) -> decltype(fn()) {
    return loop.call(std::move(fn), running);
  }

  // Blocks until `done()` (read under `mu`) or `timeout`: waits for the loop's thread, or, on a
  // caller-driven loop, runs the loop meanwhile. True if done().
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

  // ---- I/O thread -------------------------------------------------------------------------

  // The listener's side of an acceptor session: connections routed here by their Logon.
  transport::Adopter& adopter() { return *this; }
  Loop& adopter_loop() override { return loop; }

  // transport::InitiatorOwner: the session hears of the initiator's attempts.
  std::optional<std::chrono::milliseconds> connect_delay() override;
  void on_connecting() override;
  void on_connected(std::shared_ptr<Connection> connection) override;
  void on_connect_failed() override;
  void on_log(std::string text) override { emit_log(std::move(text)); }

  // Takes over a connection the engine's listener accepted and routed here by its Logon;
  // `initial` holds the bytes the listener already read (the Logon itself).
  void adopt(Connection s, std::string initial) override;

  void start();

  void stop();

  void on_connected(std::string_view initial = {});

  // Read by the busy-polling driver itself (Loop::read_direct) rather than through asio.
  bool read_directly() const { return loop.reads_directly() && socket && !socket->is_tls(); }

  void start_read();

  void arm_read() override;

  // Busy-polling (Loop::read_direct).
  int direct_fd() override;
  std::span<char> direct_buffer() override { return read_buf; }
  void on_direct_read(ssize_t n, int error) override;

  // `n` bytes arrived in read_buf.
  void on_read(size_t n);

  void on_transport_closed(const std::string& why);

  void close_socket();

  bool can_write() const { return !writing && socket && connected; }

  void flush();

  // Writes write_buf, just filled from the session's output (empty: nothing to write).
  void write_out();

  void log_inbound(std::string_view bytes, Now now);

  // Takes the session's events and acts on them, calling the application without the lock;
  // then writes, re-arms the timers and publishes the state.
  // `at` is the time of the event when the caller has just read the clock. The clock is read
  // once per call, not per step: at 25 ns a reading, a handful per message is measurable.
  void after_event(std::optional<Now> at = std::nullopt);
  // `s` holds the session's lock. The burst's steps share it: it is let go only around calls out
  // (listener, application, handlers) and for the write, and released on return. `after_read`:
  // the burst of a read, which decides read_paused (with the inbox, under `mu` once anyway).
  void after_event(Locked& s, Now now, bool after_read = false);

  // A store that deferred its fsync (FileStore batch) gets it when traffic stops, not later than
  // it asked.
  void arm_store_flush();
  // `deadline`: the store's flush_deadline(), read a moment ago.
  void arm_store_flush(std::optional<session::Duration> deadline);

  Status flush_store();

  // Application::from_admin for a received admin message. An acceptor's Logon went to it
  // already, through the session's Logon hook (which may refuse it).
  void from_admin(std::string_view bytes);

  // `s`, released by the caller, is taken again to mark the message handled once its handler
  // ran, and left held: the caller's next poll needs it.
  void deliver(SessionEvent& e, Locked& s);

  // Hands waiting jobs to the dispatcher in order, without ever blocking the loop: a full
  // dispatcher leaves them waiting (and reading paused) until a handler finishes.
  void submit_waiting();

  // On the loop, after a dispatcher worker ran the handler of `seq`.
  void dispatched(session::SeqNum seq, uint64_t epoch, std::vector<session::Reply> replies = {});

  // Loop thread, once the application took a message or a dispatcher handler returned: reading
  // paused for a full receive queue resumes once it has drained to half; for a full dispatcher,
  // once every waiting job is in.
  void resume_reading_if_drained();

  // The heartbeat deadline moves with every message sent, so re-arming the OS timer each time
  // would cost a timerfd_settime per message. Instead the timer is only moved earlier; when it
  // fires before the (since postponed) deadline, on_timeout() finds nothing due and we re-arm.
  // `deadline`: the session's poll_timeout(), read a moment ago. One read before a write that
  // closed the connection is earlier than the session's now: an armed timer firing with nothing
  // due is harmless.
  void arm_timer(std::optional<session::Duration> deadline);

  // The state API threads read, and the messages for receive_message(). Loop thread only.
  void publish() { publish_locked(*locked()); }
  // publish(), with the session locked by the caller. `after_read` (loop thread): also pause
  // reading while the inbox is full or jobs wait for the dispatcher. Returns what happened to the
  // receive queue, for the caller to log once it has let go of the session's lock.
  QueueChange publish_locked(const session::Session& s, bool after_read = false);
  // Under `mu`: a full receive queue that the application has taken down to half is full no more.
  bool queue_drained_locked() {
    if (!queue_full || inbox.size() > config.receive_queue_capacity / 2) return false;
    queue_full = false;
    return true;
  }
  // Loop thread, without the session's lock.
  void log_queue_change(QueueChange change);
  // The session's state for API threads; `s` is locked by the caller.
  void publish_state(const session::Session& s) {
    status = s.status();
    stats = s.stats();
    next_in = s.next_target_seq();
    next_out = s.next_sender_seq();
    cv.notify_all();
  }

  void emit_log(std::string text);
};

}  // namespace fixgate::engine
