// The runtime of one engine session (internal to the engine): the session core with its store,
// its connection, timers, message log, application callbacks and the state API threads read.
#pragma once

#include <array>
#include <atomic>
#include <cassert>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <asio.hpp>
#include <asio/ssl.hpp>

#include "checked_mutex.h"
#include "dispatch.h"
#include "fixgate/codec/framer.h"
#include "fixgate/engine/engine.h"
#include "fixgate/engine/file_log.h"
#include "fixgate/transport/connection.h"
#include "fixgate/transport/initiator.h"
#include "fixgate/transport/listener.h"
#include "fixgate/transport/loop.h"

namespace fixgate::engine {

using session::Now;
using session::SessionEvent;
using session::SessionStatus;

// The time as the session core takes it: the monotonic clock for timers, UTC for SendingTime.
inline Now clock_now() {
  return Now{std::chrono::steady_clock::now().time_since_epoch(),
             std::chrono::system_clock::now().time_since_epoch()};
}

// What a publish did to the receive queue: filled it (reading pauses) or saw it drained.
enum class QueueChange : uint8_t { kNone, kFull, kDrained };

// What the engine hands a session's runtime besides its configuration and store.
struct RuntimeWiring {
  std::shared_ptr<asio::ssl::context> tls;  // the session's TLS context, when enabled
  std::unique_ptr<FileLog> log;             // message and event logs (FileLogPath), or null
  std::function<void(const EngineLogEntry&)> engine_log;  // EngineOptions::on_log(_entry)
  // Keyed dispatch (EngineOptions::key_strategy); null when handlers run on the loop.
  Dispatcher* dispatcher = nullptr;
  const ordering::KeyStrategy* key_strategy = nullptr;
  const ordering::FieldNames* key_fields = nullptr;
};

// Everything about one session: the session core and its store, the connection, the timers, the
// message log, the application's callbacks and the state API threads read.
//
// Threads and locks: the engine's rules, here once, asserted in debug builds.
// - Loop thread (the thread running `loop_` now: its own, or a caller-driven driver; see Loop):
//   the connection, reading and writing, the timers, the initiator, each burst of session events
//   (after_event) with its reused buffers, the receive queue's hand-over (outbox_). Every member
//   function marked [loop] asserts Loop::assert_in_loop() (before start and after stop the
//   engine's thread stands in for the loop's).
// - Session lock (`smu_`, only through Locked): the session core and its store. The loop thread
//   takes it around each call into the session; send() takes it on the caller's thread, so a
//   send is encoded and committed there, not on the loop. Never held while application code runs,
//   but for the session's own hooks (to_admin, to_app, an acceptor's Logon check): in_hook() tells,
//   and the API refuses calls from there (they would deadlock). Locked asserts that it holds the
//   lock whenever it hands out the session or the store, and that this thread did not hold it.
// - State lock (`mu_`, a CheckedMutex): Published, what API threads read (status, statistics,
//   sequence numbers, the receive queue, the bound port), with `cv_` for those who wait on it.
//   published() asserts that `mu_` is held.
// - Lock order: a Loop::Drive (send() as a caller-driven loop's driver), then the session lock,
//   then the state lock (publishing holds both); never the other way round: taking the session
//   lock asserts that this thread does not hold the state lock. Neither lock is held across
//   Loop::call() or while this thread drives the loop (wait_until lets the state lock go first).
// - Fixed before start: the configuration, the engine's wiring, handlers, the application and the
//   event listener. Written only while not running (asserted), then read from any thread (the
//   handlers by dispatcher workers too).
// - Atomics, any thread: running_ (started, not stopped), flush_posted_ (a send's write is queued
//   on the loop), and the outbound backlog that send() holds against the high-water mark:
//   outbound_unwritten_ (write_buf_'s bytes the socket has not taken) is written on the loop
//   thread only, raised only with the session lock held, in the same hold as the take_output()
//   that filled write_buf_, so send(), reading it under that lock, never misses bytes moved out
//   of the session (a decrease seen late only holds a sender back a moment longer);
//   outbound_queued_ (the session's output plus outbound_unwritten_) changes only by deltas
//   (fetch_add), so the loop's writes and the senders' notes never overwrite each other.
class SessionRuntime final : private transport::DirectReader,
                             private transport::InitiatorOwner,
                             private transport::Adopter {
 public:
  SessionRuntime(transport::Loop& loop, SessionOptions config,
                 std::unique_ptr<session::Store> store, RuntimeWiring wiring);
  SessionRuntime(const SessionRuntime&) = delete;
  SessionRuntime& operator=(const SessionRuntime&) = delete;

  // ---- any thread ---------------------------------------------------------------------------
  const SessionOptions& config() const { return config_; }
  const std::string& id_text() const { return id_text_; }  // "FIX.4.4:US->THEM"
  const std::shared_ptr<asio::ssl::context>& tls() const { return tls_; }
  // A line of the engine's log about this session (and `peer`, a connection of it).
  void log_to_engine(EngineLogEntry::Level level, const std::string& text,
                     std::string_view peer = {}) const {
    if (engine_log_)
      engine_log_(
          {.level = level, .refused = false, .session = id_text_, .peer = peer, .text = text});
  }
  // The handler for `msg_type`: its own, or Application::from_app's; null if neither.
  const SessionHandle::Handler* handler_for(std::string_view msg_type) const {
    auto h = handlers_.find(msg_type);
    if (h != handlers_.end()) return &h->second;
    return fallback_handler_ ? &fallback_handler_ : nullptr;
  }
  // The listener's side of an acceptor session: connections routed here by their Logon.
  transport::Adopter& adopter() { return *this; }

  // ---- setup, before start ------------------------------------------------------------------
  void on(std::string_view msg_type, SessionHandle::Handler handler);
  void on_event(SessionHandle::EventListener listener);
  Status set_application(Application app);
  // An acceptor's bound port: its configuration's from now on (a restart listens there again),
  // and local_port()'s.
  void bind_to(uint16_t port);

  // ---- the engine's thread ------------------------------------------------------------------
  void post_start();  // running from now on; the loop starts the session
  void post_stop();   // the loop stops it: the connection drops, no logout
  // From a dispatcher worker: the handler of `seq` ran (with `replies`); the loop marks it.
  void post_dispatched(session::SeqNum seq, uint64_t epoch,
                       std::vector<session::Reply> replies = {});
  // [loop] The state API threads read, and the messages for receive().
  void publish() { publish_locked(*locked()); }

  // ---- the handle's API: any thread, but not from inside the session's hooks ----------------
  // kBackPressured once the session's output and write_buf_'s unwritten bytes reach
  // SessionOptions::outbound_high_water; a handler's reply (HandlerScope) never is.
  SendResult send(std::string_view msg_type, std::string_view body);
  std::optional<ReceivedMessage> receive(std::chrono::milliseconds timeout);
  // An API call named `what` acting on the session: `fn(session)` runs on the loop with the
  // session locked, then the loop handles the burst it caused. With `needs_logon`, fails without
  // calling `fn` unless logged on.
  template <typename F>
  Status command(std::string_view what, bool needs_logon, F fn);
  Status logout(std::string_view reason);  // no reconnect after it
  bool wait_for_status(SessionStatus status, std::chrono::milliseconds timeout);
  SessionStatus status() const;
  session::SessionStats stats() const;
  ReceiveQueueStats queue_stats() const;
  OutboundStats outbound_stats() const;
  std::pair<session::SeqNum, session::SeqNum> sequence_numbers() const;
  uint64_t sequence_epoch() const;
  // When an initiator's next connection attempt starts, while it waits; any thread.
  std::optional<std::chrono::system_clock::time_point> next_reconnect_at() const {
    return initiator_ ? initiator_->next_attempt_at() : std::nullopt;
  }
  transport::ConnectStats connect_stats() const {
    return initiator_ ? initiator_->stats() : transport::ConnectStats{};
  }
  uint16_t local_port() const;
  // Inside a handler of this session: its message stays unhandled until the Completion completes.
  Completion defer();

 private:
  // The session, locked while this object lives: `locked()->send(…)`. after_event holds one
  // across the steps of a burst, unlocking it only around calls out of the session.
  class Locked {
   public:
    explicit Locked(SessionRuntime& rt) : rt_(rt), lock_(rt.smu_, std::defer_lock) { lock(); }
    ~Locked() {
      if (lock_.owns_lock()) disown();
    }
    Locked(const Locked&) = delete;
    Locked& operator=(const Locked&) = delete;
    session::Session* operator->() { return &**this; }
    session::Session& operator*() {
      assert(lock_.owns_lock());
      return *rt_.session_;
    }
    session::Store& store() {
      assert(lock_.owns_lock());
      return *rt_.store_;
    }
    bool owns_lock() const { return lock_.owns_lock(); }
    void lock() {
      assert(!rt_.in_hook());     // held by this thread already: it would deadlock
      rt_.mu_.assert_not_held();  // lock order: the session lock first
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
    void own() { rt_.smu_owner_.store(std::this_thread::get_id(), std::memory_order_relaxed); }
    void disown() { rt_.smu_owner_.store(std::thread::id(), std::memory_order_relaxed); }
    SessionRuntime& rt_;
    std::unique_lock<std::mutex> lock_;
  };

  // What API threads read, under `mu_`.
  struct Published {
    SessionStatus status = SessionStatus::kDisconnected;
    session::SessionStats stats;
    session::SeqNum next_in{1}, next_out{1};
    uint64_t epoch = 0;
    std::deque<ReceivedMessage> inbox;  // the receive queue
    // The receive queue's state for receive_queue_stats(), changed on the loop thread. Invariant:
    // queue_full from a read that left `inbox` at receive_queue_capacity until it is back to half.
    size_t queue_high_water = 0;
    uint64_t queue_pauses = 0;
    bool queue_full = false;
    uint16_t bound_port = 0;
  };

  // The loop thread's buffers, reused from one message to the next (deliver, after_event).
  struct Reusable {
    codec::Message msg;
    std::vector<session::Reply> replies;
  };

  Locked locked() { return Locked(*this); }
  // True inside one of the session's hooks on this thread: calling the session would deadlock.
  bool in_hook() const {
    return smu_owner_.load(std::memory_order_relaxed) == std::this_thread::get_id();
  }
  Published& published() {
    mu_.assert_held();
    return published_;
  }
  const Published& published() const {
    mu_.assert_held();
    return published_;
  }
  void assert_loop() const { loop_.assert_in_loop(); }

  // [session lock] Counts the session's output as it is now in outbound_queued_, with `taken`
  // bytes just moved from it into write_buf_ (their outbound_unwritten_ raised by the caller in
  // the same hold of the lock), in one delta; records the peak. Called after every call that
  // adds output (send, each burst) and every take.
  void note_output(const session::Session& s, size_t taken = 0) {
    const size_t core = s.output_size();
    const size_t delta = core - output_noted_ + taken;  // modulo 2^64: a shrink is a subtraction
    output_noted_ = core;
    const size_t queued = outbound_queued_.fetch_add(delta, std::memory_order_relaxed) + delta;
    if (queued > outbound_peak_.load(std::memory_order_relaxed))
      outbound_peak_.store(queued, std::memory_order_relaxed);
  }
  // [loop] `s` locked: the session's output into write_buf_, whose earlier bytes are all written.
  void take_output(Locked& s) {
    assert(outbound_unwritten_.load(std::memory_order_relaxed) == 0);
    s->take_output(write_buf_);
    outbound_unwritten_.store(write_buf_.size(), std::memory_order_relaxed);
    note_output(*s, write_buf_.size());
  }
  // [loop] Only `left` bytes of write_buf_ are still unwritten: the socket took the others, or
  // they were dropped with the connection.
  // outbound_queued_ goes down first, and the release store publishes that: a sender whose
  // acquire load sees the lower outbound_unwritten_ adds its message to the lower total too, so
  // the peak never counts bytes already written.
  void note_unwritten(size_t left) {
    const size_t before = outbound_unwritten_.load(std::memory_order_relaxed);
    assert(left <= before);
    outbound_queued_.fetch_sub(before - left, std::memory_order_relaxed);
    outbound_unwritten_.store(left, std::memory_order_release);
  }
  void assert_not_running() const { assert(!running_); }

  // Runs `fn` on the session's loop and returns its result (see Loop::call).
  template <typename F>
  auto call(F fn) -> decltype(fn()) {
    return loop_.call(std::move(fn), running_);
  }
  // Blocks until `done(published)` (called under `mu_`) or `timeout`: waits for the loop's thread,
  // or, on a caller-driven loop, runs the loop meanwhile. True if done.
  bool wait_until(const std::function<bool(const Published&)>& done,
                  std::chrono::milliseconds timeout);

  // ---- [loop] starting, stopping, the event log (session_runtime.cc) --------------------------
  void start();
  void stop();
  void emit_log(std::string text);

  // ---- [loop] connections, reading, writing, timers (runtime_io.cc) ---------------------------
  // transport::InitiatorOwner: the session hears of its initiator's attempts.
  std::optional<std::chrono::milliseconds> connect_delay() override;
  void on_connecting() override;
  void on_connected(std::shared_ptr<transport::Connection> connection) override;
  void on_connect_failed() override;
  void on_log(std::string text) override { emit_log(std::move(text)); }
  // transport::Adopter: takes over a connection the engine's listener accepted and routed here
  // by its Logon; `initial` holds the bytes the listener already read (the Logon itself).
  transport::Loop& adopter_loop() override { return loop_; }
  void adopt(transport::Connection s, std::string initial) override;
  // `socket_` is up: the session hears of it, then of `initial` (bytes already read).
  void on_connected(std::string_view initial = {});

  // Read by the busy-polling driver itself (Loop::read_direct) rather than through asio.
  bool read_directly() const { return loop_.reads_directly() && socket_ && !socket_->is_tls(); }
  void start_read();
  void arm_read() override;
  // transport::DirectReader: busy-polling (Loop::read_direct).
  int direct_fd() override;
  std::span<char> direct_buffer() override { return read_buf_; }
  void on_direct_read(ssize_t n, int error) override;
  // `n` bytes arrived in read_buf_.
  void on_read(size_t n);
  void log_inbound(std::string_view bytes, Now now);

  bool can_write() const { return !writing_ && socket_ && connected_; }
  void flush();
  // Writes write_buf_, just filled from the session's output (empty: nothing to write).
  void write_out();
  void on_transport_closed(const std::string& why);
  void close_socket();

  // The heartbeat deadline moves with every message sent, so re-arming the OS timer each time
  // would cost a timerfd_settime per message. Instead the timer is only moved earlier; when it
  // fires before the (since postponed) deadline, on_timeout() finds nothing due and we re-arm.
  // `deadline`: the session's poll_timeout(), read a moment ago. One read before a write that
  // closed the connection is earlier than the session's now: an armed timer firing with nothing
  // due is harmless.
  void arm_timer(std::optional<session::Duration> deadline) {
    if (!deadline || (timer_armed_ && *deadline >= timer_deadline_)) return;
    rearm_timer(*deadline);
  }
  void rearm_timer(session::Duration deadline);
  // A store that deferred its fsync (FileStore batch) gets it when traffic stops, not later than
  // it asked.
  void arm_store_flush();
  // `deadline`: the store's flush_deadline(), read a moment ago.
  void arm_store_flush(std::optional<session::Duration> deadline) {
    if (flush_armed_ || !deadline) return;
    start_flush_timer(*deadline);
  }
  void start_flush_timer(session::Duration deadline);
  Status flush_store();

  // ---- [loop] deliveries (runtime_delivery.cc) -----------------------------------------------
  // Takes the session's events and acts on them, calling the application without the lock;
  // then writes, re-arms the timers and publishes the state.
  // `at` is the time of the event when the caller has just read the clock. The clock is read
  // once per call, not per step: at 25 ns a reading, a handful per message is measurable.
  void after_event(std::optional<Now> at = std::nullopt);
  // `s` holds the session's lock. The burst's steps share it: it is let go only around calls out
  // (listener, application, handlers) and for the write, and released on return. `after_read`:
  // the burst of a read, which decides read_paused_ (with the inbox, under `mu_` once anyway).
  void after_event(Locked& s, Now now, bool after_read = false);
  // Application::from_admin for a received admin message. An acceptor's Logon went to it
  // already, through the session's Logon hook (which may refuse it).
  void from_admin(std::string_view bytes);
  // `s`, released by the caller, is taken again to mark the message handled once its handler
  // ran, and left held: the caller's next poll needs it.
  void deliver(SessionEvent& e, Locked& s);
  // Hands waiting jobs to the dispatcher in order, without ever blocking the loop: a full
  // dispatcher leaves them waiting (and reading paused) until a handler finishes.
  void submit_waiting();
  // After a dispatcher worker ran the handler of `seq`.
  void dispatched(session::SeqNum seq, uint64_t epoch, std::vector<session::Reply> replies);
  // Once the application took a message or a dispatcher handler returned: reading paused for a
  // full receive queue resumes once it has drained to half; for a full dispatcher, once every
  // waiting job is in.
  void resume_reading_if_drained();
  // publish(), with the session locked by the caller. `after_read`: also pause reading while the
  // inbox is full or jobs wait for the dispatcher. Returns what happened to the receive queue,
  // for the caller to log once it has let go of the session's lock.
  QueueChange publish_locked(const session::Session& s, bool after_read = false);
  // Under `mu_`: a full receive queue that the application has taken down to half is full no more.
  bool queue_drained_locked() {
    Published& p = published();
    if (!p.queue_full || p.inbox.size() > config_.receive_queue_capacity / 2) return false;
    p.queue_full = false;
    return true;
  }
  // Without the session's lock.
  void log_queue_change(QueueChange change);
  // The session's state for API threads; `s` is locked by the caller, and so is `mu_`.
  void publish_state(const session::Session& s) {
    Published& p = published();
    p.status = s.status();
    p.stats = s.stats();
    p.next_in = s.next_target_seq();
    p.next_out = s.next_sender_seq();
    p.epoch = s.sequence_epoch();
    cv_.notify_all();
  }

  // ---- fixed before start ---------------------------------------------------------------------
  SessionOptions config_;
  const std::string id_text_;  // "FIX.4.4:US->THEM", the `session` key of a key strategy
  transport::Loop& loop_;
  const std::shared_ptr<asio::ssl::context> tls_;
  const std::unique_ptr<FileLog> log_;
  const std::function<void(const EngineLogEntry&)> engine_log_;
  Dispatcher* const dispatcher_;
  const ordering::KeyStrategy* const key_strategy_;
  const ordering::FieldNames* const key_fields_;
  std::map<std::string, SessionHandle::Handler, std::less<>> handlers_;
  SessionHandle::Handler fallback_handler_;  // Application::from_app: types without a handler
  Application app_;
  SessionHandle::EventListener listener_;

  // ---- the session lock -----------------------------------------------------------------------
  // Guards `session_` and the store between the loop thread and send() on other threads.
  std::mutex smu_;
  std::atomic<std::thread::id> smu_owner_{};
  const std::unique_ptr<session::Store> store_;
  std::optional<session::Session> session_;  // engaged from construction on
  size_t output_noted_ = 0;  // session_'s output_size() as last counted in outbound_queued_

  // ---- the state lock -------------------------------------------------------------------------
  mutable CheckedMutex mu_;
  mutable std::condition_variable cv_;  // notified on each publish
  Published published_;

  // ---- atomics --------------------------------------------------------------------------------
  std::atomic<bool> running_{false};       // started and not stopped
  std::atomic<bool> flush_posted_{false};  // a send's after_event() is queued on the loop
  // The outbound backlog (see the rules above): write_buf_'s bytes not yet taken by the socket;
  // those and the session's output; the most of both at once; sends refused for it.
  std::atomic<size_t> outbound_unwritten_{0};
  std::atomic<size_t> outbound_queued_{0};
  std::atomic<size_t> outbound_peak_{0};       // written under the session lock
  std::atomic<uint64_t> outbound_refused_{0};  // sends back-pressured

  // ---- the loop thread ------------------------------------------------------------------------
  std::optional<transport::Initiator> initiator_;  // an initiator's connecting and reconnecting
  // Shared so that an operation still in flight keeps its stream alive after a close: a TLS
  // stream destroyed under a pending read is a use-after-free. Handlers hold their own copy and
  // ignore completions for a connection that is no longer current.
  std::shared_ptr<transport::Connection> socket_;
  bool connected_ = false;
  std::string peer_;  // the remote "ip:port" of the connection, for its disconnect line
  // Per-session read buffer: 16 KiB holds dozens of typical messages per read while keeping an
  // idle session small (1,000 sessions cost 16 MB here, not 64).
  std::array<char, 16 * 1024> read_buf_{};
  // The receive queue or the dispatcher is full: TCP back-pressure until the app catches up.
  // Decided under `mu_` with the queue's state (publish_locked), but only ever read here.
  bool read_paused_ = false;
  codec::FrameReader log_reader_;  // frames inbound bytes again for the message log
  std::string write_buf_;
  bool writing_ = false;
  bool close_after_write_ = false;
  asio::steady_timer timer_;  // the session's poll_timeout()
  bool timer_armed_ = false;
  session::Duration timer_deadline_{0};
  uint64_t timer_generation_ = 0;
  asio::steady_timer flush_timer_;  // the store's flush_deadline()
  bool flush_armed_ = false;
  bool app_logged_on_ = false;  // on_logon called, on_logout not yet
  // Jobs the dispatcher had no room for, in arrival order; reading pauses until they are in.
  std::deque<std::pair<std::optional<ordering::SessionKey>, DispatchJob>> waiting_;
  std::vector<ReceivedMessage> outbox_;  // delivered since the last publish()
  Reusable reusable_;
  bool reusable_busy_ = false;
  Now burst_now_{};  // the time of the event after_event() is handling
  std::vector<SessionEvent> spare_events_;
};

template <typename F>
Status SessionRuntime::command(std::string_view what, bool needs_logon, F fn) {
  if (!running_) return Status::error(std::string(what) + ": session not started");
  if (in_hook()) return Status::error(std::string(what) + ": not from inside a session hook");
  return call([&]() -> Status {
    Status result;
    {
      auto s = locked();
      if (needs_logon && !s->is_logged_on())
        return Status::error(std::string(what) + ": not logged on");
      result = fn(*s);
    }
    after_event();
    return result;
  });
}

}  // namespace fixgate::engine
