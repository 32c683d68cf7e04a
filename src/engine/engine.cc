#include "fixgate/engine/engine.h"

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <span>
#include <thread>

#include <sys/socket.h>

#include "fixgate/codec/framer.h"
#include "fixgate/engine/file_log.h"
#include "fixgate/ordering/keyed_dispatcher.h"
#include "fixgate/session/memory_store.h"
#include "fixgate/transport/connection.h"
#include "fixgate/transport/loop.h"

namespace fixgate::engine {

using asio::ip::tcp;
using session::Now;
using session::SessionEvent;
using session::SessionStatus;
using transport::Connection;
using transport::DirectReader;
using transport::Loop;

namespace {

Now clock_now() {
  return Now{std::chrono::steady_clock::now().time_since_epoch(),
             std::chrono::system_clock::now().time_since_epoch()};
}

// "5 s", "0.25 s": a wait for a log line, in the unit settings files use.
std::string seconds_text(std::chrono::milliseconds wait) {
  std::string text = std::to_string(wait.count() / 1000);
  if (int64_t ms = wait.count() % 1000; ms != 0) {
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03d", static_cast<int>(ms));
    text += fraction;
    while (text.back() == '0') text.pop_back();
  }
  return text + " s";
}

}  // namespace

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
  static thread_local HandlerScope* current;
};
thread_local HandlerScope* HandlerScope::current = nullptr;

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
class SessionRuntime final : private DirectReader {
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
  std::shared_ptr<asio::ssl::context> tls;  // initiator TLS context, when enabled
  asio::steady_timer timer{io};
  bool timer_armed = false;
  session::Duration timer_deadline{0};
  uint64_t timer_generation = 0;
  asio::steady_timer reconnect_timer{io};
  asio::steady_timer connect_timer{io};  // connect_timeout of the attempt in progress
  asio::steady_timer flush_timer{io};    // the store's flush_deadline()
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
  bool reconnect = true;  // initiator: reconnect after a disconnect
  uint32_t attempt = 0;   // reconnect attempts since the last logon
  size_t next_endpoint = 0;
  std::mt19937 rng{std::random_device{}()};

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

  SessionRuntime(Loop& l, ManagerConfig c, std::unique_ptr<session::Store> s)
      : config(std::move(c)),
        store(std::move(s)),
        loop(l),
        io(l.io),
        id_text(config.session.id.to_string()) {
    session.emplace(config.session, *store);
  }
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
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
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

  // ---- I/O thread -------------------------------------------------------------------------

  void start_initiator() {
    if (!running || !reconnect || config.connect.empty()) return;
    if (auto wait = locked()->schedule_wait(clock_now())) {
      // Outside the session's schedule: connect when the next window opens, not before.
      auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wait);
      emit_log("outside the session schedule: connecting in " + std::to_string(ms.count() / 1000) +
               " s, when the next window opens");
      attempt = 0;
      reconnect_timer.expires_after(ms);
      reconnect_timer.async_wait([this](const asio::error_code& e) {
        if (!e) start_initiator();
      });
      return;
    }
    const Endpoint& ep = config.connect[next_endpoint++ % config.connect.size()];
    locked()->on_connecting(clock_now());
    after_event();
    asio::error_code ec;
    auto address = asio::ip::make_address(ep.host, ec);
    std::vector<tcp::endpoint> endpoints;
    if (!ec) {
      endpoints.emplace_back(address, ep.port);
    } else {
      tcp::resolver resolver(io);
      for (const auto& r : resolver.resolve(ep.host, std::to_string(ep.port), ec))
        endpoints.push_back(r.endpoint());
    }
    if (endpoints.empty()) {
      emit_log("cannot resolve " + ep.host + ": " + ec.message());
      schedule_reconnect();
      return;
    }
    if (tls) {
      socket = std::make_shared<Connection>(tcp::socket(io), tls);
      if (config.tls.verify_peer)
        socket->tls().set_verify_callback(asio::ssl::host_name_verification(ep.host));
      SSL_set_tlsext_host_name(socket->tls().native_handle(), ep.host.c_str());  // SNI
    } else {
      socket = std::make_shared<Connection>(tcp::socket(io));
    }
    if (config.source) {
      asio::error_code bind_error;
      auto local = asio::ip::make_address(config.source->host, bind_error);
      tcp::socket& raw = socket->lowest();
      if (!bind_error) raw.open(endpoints.front().protocol(), bind_error);
      if (!bind_error)
        raw.set_option(asio::socket_base::reuse_address(config.reuse_address), bind_error);
      if (!bind_error) raw.bind(tcp::endpoint(local, config.source->port), bind_error);
      if (bind_error) {
        connect_failed("cannot connect from " + config.source->host + ":" +
                       std::to_string(config.source->port) + ": " + bind_error.message());
        return;
      }
    }
    connect_timer.expires_after(config.connect_timeout);
    connect_timer.async_wait([this, conn = socket, host = ep.host](const asio::error_code& e) {
      if (e || !running || conn != socket || connected) return;
      connect_failed("connect to " + host + " timed out after " +
                     std::to_string(config.connect_timeout.count()) + " ms");
    });
    socket->lowest().async_connect(
        endpoints.front(), [this, conn = socket](const asio::error_code& e) {
          if (!running || conn != socket) return;
          if (e) {
            connect_failed("connect failed: " + e.message());
            return;
          }
          if (!socket->is_tls()) {
            on_connected();
            return;
          }
          socket->tls().async_handshake(asio::ssl::stream_base::client,
                                        [this, conn](const asio::error_code& he) {
                                          if (!running || conn != socket) return;
                                          if (he) {
                                            connect_failed("TLS handshake failed: " + he.message());
                                            return;
                                          }
                                          on_connected();
                                        });
        });
  }

  void connect_failed(const std::string& why) {
    connect_timer.cancel();
    emit_log(why);
    if (socket) socket->close();
    socket.reset();
    locked()->on_disconnected(clock_now());
    after_event();
    schedule_reconnect();
  }

  void schedule_reconnect() {
    if (!running || !reconnect || config.session.role != session::Role::kInitiator) return;
    const auto& p = config.reconnect;
    double delay = static_cast<double>(p.initial.count());
    for (uint32_t i = 0; i < attempt && delay < static_cast<double>(p.max.count()); ++i)
      delay *= p.multiplier;
    delay = std::min(delay, static_cast<double>(p.max.count()));
    std::uniform_real_distribution<double> jitter(1.0 - p.jitter, 1.0 + p.jitter);
    delay *= jitter(rng);
    ++attempt;
    const auto wait = std::chrono::milliseconds(static_cast<int64_t>(delay));
    // Every wait is logged, so a silent initiator is never a mystery.
    emit_log("next attempt in " + seconds_text(wait));
    reconnect_timer.expires_after(wait);
    reconnect_timer.async_wait([this](const asio::error_code& e) {
      if (!e) start_initiator();
    });
  }

  // Takes over a connection the engine's listener accepted and routed here by its Logon;
  // `initial` holds the bytes the listener already read (the Logon itself).
  void adopt(Connection s, std::string initial) {
    if (!running || connected) {
      std::string why = connected ? "second connection refused: " + config.session.id.to_string() +
                                        " is already connected"
                                  : "connection refused: session stopped";
      emit_log(why);
      if (engine_log) engine_log(why);
      s.close();
      return;
    }
    socket = std::make_shared<Connection>(std::move(s));
    on_connected(initial);
  }

  void start() {
    running = true;
    reconnect = true;
    attempt = 0;
    if (config.session.role == session::Role::kInitiator) start_initiator();
    publish();
  }

  void stop() {
    reconnect = false;
    if (connected) on_transport_closed("session stopped");
    running = false;
    timer.cancel();
    reconnect_timer.cancel();
    connect_timer.cancel();
    flush_timer.cancel();
    flush_armed = false;
    if (Status f = flush_store(); !f) emit_log("store flush failed: " + f.message());
    if (socket) {
      socket->close();
      socket.reset();
    }
    publish();
  }

  void on_connected(std::string_view initial = {}) {
    connected = true;
    connect_timer.cancel();
    log_reader = codec::FrameReader(codec::FramerOptions{config.session.max_message_size});
    read_paused = false;
    close_after_write = false;
    asio::error_code ignored;
    socket->lowest().set_option(tcp::no_delay(config.tcp_nodelay), ignored);
    // Only when configured: setting a size turns off the kernel's buffer auto-tuning.
    if (config.socket_send_buffer_size > 0)
      socket->lowest().set_option(
          asio::socket_base::send_buffer_size(config.socket_send_buffer_size), ignored);
    if (config.socket_receive_buffer_size > 0)
      socket->lowest().set_option(
          asio::socket_base::receive_buffer_size(config.socket_receive_buffer_size), ignored);
    // flush() writes plain sockets directly first: it must get EAGAIN, never block.
    if (!socket->is_tls()) socket->lowest().non_blocking(true, ignored);
    const Now now = clock_now();
    if (log && !initial.empty()) log_inbound(initial, now);
    {
      auto s = locked();
      s->on_connected(now);
      if (!initial.empty()) s->on_bytes(initial, now);
    }
    after_event();
    if (socket && connected) start_read();
  }

  // Read by the busy-polling driver itself (Loop::read_direct) rather than through asio.
  bool read_directly() const { return loop.reads_directly() && socket && !socket->is_tls(); }

  void start_read() {
    if (!socket) return;
    if (read_directly()) {
      loop.add_direct(this);
      return;
    }
    arm_read();
  }

  void arm_read() override {
    socket->async_read_some(
        asio::buffer(read_buf), [this, conn = socket](const asio::error_code& e, size_t n) {
          if (!running || conn != socket) return;
          if (e) {
            on_transport_closed(e == asio::error::eof ? "connection closed by peer" : e.message());
            return;
          }
          on_read(n);
        });
  }

  // Busy-polling (Loop::read_direct).
  int direct_fd() override {
    const bool direct = running && connected && !read_paused && read_directly();
    return direct ? socket->lowest().native_handle() : -1;
  }
  std::span<char> direct_buffer() override { return read_buf; }
  void on_direct_read(ssize_t n, int error) override {
    if (n > 0) {
      on_read(static_cast<size_t>(n));
    } else {
      on_transport_closed(n == 0 ? "connection closed by peer"
                                 : std::error_code(error, std::system_category()).message());
    }
  }

  // `n` bytes arrived in read_buf.
  void on_read(size_t n) {
    const Now now = clock_now();
    if (log) log_inbound(std::string_view(read_buf.data(), n), now);
    {
      Locked s(*this);
      s->on_bytes(std::string_view(read_buf.data(), n), now);
      after_event(s, now, /*after_read=*/true);  // under the same lock; sets read_paused
    }
    if (!socket || !connected || read_paused) return;
    if (!loop.caller_driven || read_directly()) {
      start_read();
      return;
    }
    // Caller-driven: the next read starts on the driver's next turn, so that its first, usually
    // empty, attempt (a system call) is not paid between a message arriving and the caller
    // seeing it, but while the counterparty works on the caller's next message.
    asio::post(io, [this, conn = socket] {
      if (running && conn == socket && connected && !read_paused) start_read();
    });
  }

  void on_transport_closed(const std::string& why) {
    if (!connected) return;
    connected = false;
    writing = false;
    write_buf.clear();
    if (socket) {
      socket->close();
      socket.reset();
    }
    emit_log("disconnected: " + why);
    locked()->on_disconnected(clock_now());
    after_event();
    schedule_reconnect();
  }

  void close_socket() {
    if (!socket) return;
    on_transport_closed("closed by the session");
  }

  bool can_write() const { return !writing && socket && connected; }

  void flush() {
    if (!can_write()) return;
    // Everything the session has for the wire goes in one write, however many sends (from
    // however many threads) queued it.
    locked()->take_output(write_buf);
    write_out();
  }

  // Writes write_buf, just filled from the session's output (empty: nothing to write).
  void write_out() {
    if (write_buf.empty()) {
      if (close_after_write) close_socket();
      return;
    }
    if (log) {
      const Now now = clock_now();
      std::string_view rest = write_buf;
      for (codec::Frame f = codec::next_frame(rest); f.status == codec::FrameStatus::kMessage;
           f = codec::next_frame(rest)) {
        log->message(f.bytes, now.utc);
        rest.remove_prefix(f.consumed());
      }
      log->flush();
    }
    if (!socket->is_tls()) {
      // Write at once, on this thread: a whole write (the usual case) costs no asynchronous
      // operation and no completion to dispatch. Only what the kernel did not take waits for
      // the socket to become writable.
      asio::error_code e;
      size_t n = socket->lowest().write_some(asio::buffer(write_buf), e);
      if (e == asio::error::would_block || e == asio::error::try_again) {
        n = 0;
      } else if (e) {
        on_transport_closed("write failed: " + e.message());
        return;
      }
      if (n == write_buf.size()) {
        write_buf.clear();
        if (close_after_write) flush();  // closes once nothing more is queued
        return;
      }
      write_buf.erase(0, n);
    }
    writing = true;
    socket->async_write(asio::buffer(write_buf),
                        [this, conn = socket](const asio::error_code& e, size_t) {
                          if (conn != socket) return;  // a write of a connection already closed
                          writing = false;
                          if (!running) return;
                          if (e) {
                            on_transport_closed("write failed: " + e.message());
                            return;
                          }
                          flush();
                        });
  }

  void log_inbound(std::string_view bytes, Now now) {
    log_reader.append(bytes);
    for (codec::Frame f = log_reader.next(); f.status != codec::FrameStatus::kNeedMore;
         f = log_reader.next()) {
      if (f.status == codec::FrameStatus::kMessage) log->message(f.bytes, now.utc);
    }
  }

  // Takes the session's events and acts on them, calling the application without the lock;
  // then writes, re-arms the timers and publishes the state.
  // `at` is the time of the event when the caller has just read the clock. The clock is read
  // once per call, not per step: at 25 ns a reading, a handful per message is measurable.
  void after_event(std::optional<Now> at = std::nullopt) {
    const Now now = at ? *at : clock_now();
    Locked s(*this);
    after_event(s, now);
  }
  // `s` holds the session's lock. The burst's steps share it: it is let go only around calls out
  // (listener, application, handlers) and for the write, and released on return. `after_read`:
  // the burst of a read, which decides read_paused (with the inbox, under `mu` once anyway).
  void after_event(Locked& s, Now now, bool after_read = false) {
    const Now outer = burst_now;  // a listener may run the loop again, inside this call
    burst_now = now;
    // Events are polled into one SessionEvent taken from spare_events and given back, so its
    // strings keep their capacity (after_event may run again from inside a listener).
    SessionEvent event;
    if (!spare_events.empty()) {
      event = std::move(spare_events.back());
      spare_events.pop_back();
    }
    // The handled marks (and replies) of every message in this burst share one store commit.
    s->begin_batch();
    // What the burst leaves behind (state to publish, output, deadlines) is taken in the same
    // hold of the lock as the poll that finds no more events.
    bool took_output = false;
    std::optional<session::Duration> timer_due, store_due;
    QueueChange queue_change = QueueChange::kNone;
    for (;;) {
      if (!s.owns_lock()) s.lock();
      if (!s->poll_event(event)) {
        s->end_batch(now);
        if (s->has_events()) {  // a failed commit reports itself
          s->begin_batch();
          continue;
        }
        // Published before the write: whoever sees the peer react to these bytes sees this state.
        queue_change = publish_locked(*s, after_read);
        took_output = can_write();
        if (took_output) s->take_output(write_buf);
        timer_due = s->poll_timeout();
        if (!flush_armed) store_due = store->flush_deadline();
        break;
      }
      s.unlock();
      if (listener) listener(event);
      if (log && event.type != SessionEvent::Type::kAppMessage &&
          event.type != SessionEvent::Type::kAdminMessage) {
        std::string text(session::to_string(event.status));
        if (!event.text.empty()) text += ": " + event.text;
        log->event(text, clock_now().utc);
      }
      switch (event.type) {
        case SessionEvent::Type::kAppMessage:
          deliver(event, s);  // may leave the lock held, having marked the message handled
          break;
        case SessionEvent::Type::kDisconnect:
          close_after_write = true;
          break;
        case SessionEvent::Type::kStatus:
          if (event.status == SessionStatus::kActive || event.status == SessionStatus::kLoggedIn) {
            attempt = 0;
            if (!app_logged_on) {
              app_logged_on = true;
              if (app.on_logon) app.on_logon(config.session.id);
            }
          } else if (app_logged_on && event.status != SessionStatus::kLoggingOut) {
            app_logged_on = false;
            if (app.on_logout) app.on_logout(config.session.id);
          }
          break;
        case SessionEvent::Type::kAdminMessage:
          from_admin(event.bytes);
          break;
        default:
          break;
      }
    }
    s.unlock();
    spare_events.push_back(std::move(event));
    burst_now = outer;
    log_queue_change(queue_change);
    if (log) log->flush();
    if (took_output) write_out();
    arm_timer(timer_due);
    arm_store_flush(store_due);
  }

  // A store that deferred its fsync (FileStore batch) gets it when traffic stops, not later than
  // it asked.
  void arm_store_flush() {
    if (flush_armed) return;
    std::lock_guard lock(smu);
    arm_store_flush(store->flush_deadline());
  }
  // `deadline`: the store's flush_deadline(), read a moment ago.
  void arm_store_flush(std::optional<session::Duration> deadline) {
    if (flush_armed || !deadline) return;
    flush_armed = true;
    flush_timer.expires_at(std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(*deadline)));
    flush_timer.async_wait([this](const asio::error_code& e) {
      flush_armed = false;
      if (e || !running) return;
      std::optional<session::Duration> due;
      {
        std::lock_guard lock(smu);
        due = store->flush_deadline();
      }
      if (!due) return;  // synced meanwhile
      // The deadline moves on while commits flow (the store syncs those in the background):
      // flush here only once traffic has really stopped.
      if (*due > clock_now().mono) {
        arm_store_flush();
        return;
      }
      if (Status f = flush_store(); !f) emit_log("store flush failed: " + f.message());
    });
  }

  Status flush_store() {
    std::lock_guard lock(smu);  // the store is the session's: send() commits from other threads
    return store->flush();
  }

  // Application::from_admin for a received admin message. An acceptor's Logon went to it
  // already, through the session's Logon hook (which may refuse it).
  void from_admin(std::string_view bytes) {
    if (!app.from_admin) return;
    codec::Message msg;
    if (!msg.parse(bytes).ok()) return;
    if (msg.msg_type() == "A" && config.session.role == session::Role::kAcceptor) return;
    (void)app.from_admin(config.session.id, msg);
  }

  // `s`, released by the caller, is taken again to mark the message handled once its handler
  // ran, and left held: the caller's next poll needs it.
  void deliver(SessionEvent& e, Locked& s) {
    // The parsed message and the replies use buffers kept from one message to the next; a
    // nested delivery (a listener re-entering the loop) gets its own.
    std::optional<Reusable> nested;
    if (reusable_busy) nested.emplace();
    Reusable& r = nested ? *nested : reusable;
    reusable_busy = true;
    struct Release {
      bool& busy;
      bool nested;
      ~Release() {
        if (!nested) busy = false;
      }
    } release{reusable_busy, nested.has_value()};
    // The session parsed it already (with the dictionary's data fields); parsed only if not.
    const codec::Message* parsed = e.parsed();
    if (!parsed) {
      if (!r.msg.parse(e.bytes).ok()) {
        s.lock();
        s->handled(e.seq, burst_now, {}, e.epoch);
        return;
      }
      parsed = &r.msg;
    }
    const codec::Message& msg = *parsed;
    const SessionHandle::Handler* h = handler_for(msg.msg_type());
    if (h && dispatcher) {
      auto key = key_strategy->key_for(ordering::FixMessageKeys(msg, *key_fields, id_text));
      waiting.emplace_back(std::move(key), DispatchJob{this, e.seq, e.epoch, std::move(e.bytes)});
      submit_waiting();
      return;
    }
    if (h) {
      std::span<const session::Reply> replies;
      try {
        HandlerScope scope(this, r.replies);
        (*h)(msg);
        replies = scope.taken();
      } catch (const std::exception& ex) {
        emit_log("handler for " + std::string(msg.msg_type()) + " threw: " + ex.what() +
                 "; its replies are dropped");
      }
      // Replies are stamped after the handler ran; a message without any is done as of the burst.
      const Now at = replies.empty() ? burst_now : clock_now();
      s.lock();
      s->handled(e.seq, at, replies, e.epoch);
      return;
    }
    // Queued for receive_message() by publish(), together with the new sequence numbers, so a
    // caller who sees the message also sees the state it left behind. Its answers come from
    // another thread whenever they come: what was read after it goes on meanwhile.
    const session::SeqNum seq = e.seq;
    outbox.push_back(
        ReceivedMessage{seq, e.poss_dup, std::string(msg.msg_type()), std::move(e.bytes), e.epoch});
    s.lock();
    s->release(seq, burst_now);
  }

  // Hands waiting jobs to the dispatcher in order, without ever blocking the loop: a full
  // dispatcher leaves them waiting (and reading paused) until a handler finishes.
  void submit_waiting() {
    while (!waiting.empty()) {
      auto& [key, job] = waiting.front();
      if (dispatcher->try_submit(key, std::move(job)) != ordering::SubmitResult::kAccepted) break;
      waiting.pop_front();
    }
  }

  // On the loop, after a dispatcher worker ran the handler of `seq`.
  void dispatched(session::SeqNum seq, uint64_t epoch, std::vector<session::Reply> replies = {}) {
    locked()->handled(seq, clock_now(), replies, epoch);
    after_event();
    submit_waiting();
    resume_reading_if_drained();
  }

  // Loop thread, once the application took a message or a dispatcher handler returned: reading
  // paused for a full receive queue resumes once it has drained to half; for a full dispatcher,
  // once every waiting job is in.
  void resume_reading_if_drained() {
    bool drained, resume;
    {
      std::lock_guard lock(mu);
      drained = queue_drained_locked();
      resume = read_paused && !queue_full && waiting.empty();
      if (resume) read_paused = false;
    }
    if (drained) log_queue_change(QueueChange::kDrained);
    if (resume && socket && connected) start_read();
  }

  // The heartbeat deadline moves with every message sent, so re-arming the OS timer each time
  // would cost a timerfd_settime per message. Instead the timer is only moved earlier; when it
  // fires before the (since postponed) deadline, on_timeout() finds nothing due and we re-arm.
  // `deadline`: the session's poll_timeout(), read a moment ago. One read before a write that
  // closed the connection is earlier than the session's now: an armed timer firing with nothing
  // due is harmless.
  void arm_timer(std::optional<session::Duration> deadline) {
    if (!deadline) return;
    if (timer_armed && *deadline >= timer_deadline) return;
    timer_armed = true;
    timer_deadline = *deadline;
    const uint64_t generation = ++timer_generation;
    timer.expires_at(std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(*deadline)));
    timer.async_wait([this, generation](const asio::error_code& e) {
      if (generation != timer_generation) return;  // replaced by an earlier deadline
      timer_armed = false;
      if (e || !running) return;
      locked()->on_timeout(clock_now());
      after_event();
    });
  }

  // The state API threads read, and the messages for receive_message(). Loop thread only.
  void publish() { publish_locked(*locked()); }
  // publish(), with the session locked by the caller. `after_read` (loop thread): also pause
  // reading while the inbox is full or jobs wait for the dispatcher. Returns what happened to the
  // receive queue, for the caller to log once it has let go of the session's lock.
  QueueChange publish_locked(const session::Session& s, bool after_read = false) {
    std::lock_guard lock(mu);
    for (auto& r : outbox) inbox.push_back(std::move(r));
    outbox.clear();
    queue_high_water = std::max(queue_high_water, inbox.size());
    QueueChange change = QueueChange::kNone;
    if (after_read) {
      if (queue_drained_locked()) {
        change = QueueChange::kDrained;  // taken while no loop ran (the session was stopped)
      } else if (!queue_full && inbox.size() >= config.receive_queue_capacity) {
        queue_full = true;
        ++queue_pauses;
        change = QueueChange::kFull;
      }
      read_paused = queue_full || !waiting.empty();
    }
    publish_state(s);
    return change;
  }
  // Under `mu`: a full receive queue that the application has taken down to half is full no more.
  bool queue_drained_locked() {
    if (!queue_full || inbox.size() > config.receive_queue_capacity / 2) return false;
    queue_full = false;
    return true;
  }
  // Loop thread, without the session's lock.
  void log_queue_change(QueueChange change) {
    if (change == QueueChange::kFull) emit_log("receive queue full: reading paused");
    if (change == QueueChange::kDrained) emit_log("receive queue drained: reading resumed");
  }
  // The session's state for API threads; `s` is locked by the caller.
  void publish_state(const session::Session& s) {
    status = s.status();
    stats = s.stats();
    next_in = s.next_target_seq();
    next_out = s.next_sender_seq();
    cv.notify_all();
  }

  void emit_log(std::string text) {
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
};

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
    m.reconnect = false;
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

// ---- Engine -------------------------------------------------------------------------------

namespace {

// The routing key of an acceptor session, as seen from the counterparty's Logon:
// their SenderCompID is our TargetCompID and vice versa.
std::string route_key(std::string_view begin, std::string_view their_sender,
                      std::string_view their_target) {
  std::string k(begin);
  k += '\x01';
  k += their_sender;
  k += '\x01';
  k += their_target;
  return k;
}

}  // namespace

// One listening socket shared by the acceptor sessions bound to its address and port. A new
// connection is read until its first message, which must be a Logon naming a session here.
struct Listener {
  asio::io_context& io;
  tcp::acceptor acceptor;
  std::map<std::string, SessionRuntime*> routes;
  std::chrono::milliseconds first_message_timeout{10000};
  std::function<void(std::string_view)> on_log;
  std::shared_ptr<asio::ssl::context> tls;  // TLS port: handshake before the Logon
  bool reuse_address = true;
  std::atomic<bool> open{false};
  // Dynamic sessions: templates on this port, and the engine's factory for their sessions.
  std::vector<const AcceptorTemplate*> templates;
  std::function<SessionRuntime*(const AcceptorTemplate&, const codec::Message& logon)> create;

  explicit Listener(asio::io_context& context) : io(context), acceptor(context) {}

  struct Pending {
    Connection conn;
    asio::steady_timer deadline;
    codec::FrameReader reader;
    std::array<char, 4096> buf{};
    Pending(Connection c, asio::io_context& io) : conn(std::move(c)), deadline(io) {}
  };

  // Connections still opening (TLS handshake, waiting for the Logon). Closed by close(), so that
  // no handler outlives the listener.
  std::set<std::shared_ptr<Pending>> pending;

  void log(const std::string& text) {
    if (on_log) on_log(text);
  }

  void close() {
    open = false;
    asio::error_code ignored;
    acceptor.close(ignored);
    for (auto& p : pending) {
      p->deadline.cancel();
      p->conn.close();
    }
    pending.clear();
  }

  void done(const std::shared_ptr<Pending>& p) {
    p->deadline.cancel();
    pending.erase(p);
  }

  void accept() {
    acceptor.async_accept([this](const asio::error_code& e, tcp::socket s) {
      if (!open) return;
      if (!e) {
        asio::error_code ignored;
        s.set_option(tcp::no_delay(true), ignored);
        auto p = std::make_shared<Pending>(
            tls ? Connection(std::move(s), tls) : Connection(std::move(s)), io);
        pending.insert(p);
        // The whole opening (TLS handshake and Logon) must fit in the logon timeout.
        p->deadline.expires_after(first_message_timeout);
        p->deadline.async_wait([p, this](const asio::error_code& te) {
          if (te || !open) return;
          log("connection closed: no Logon within the logon timeout");
          p->conn.close();
          pending.erase(p);
        });
        if (p->conn.is_tls()) {
          p->conn.tls().async_handshake(
              asio::ssl::stream_base::server, [this, p](const asio::error_code& he) {
                if (!open) return;
                if (he) {
                  done(p);
                  log("connection refused: TLS handshake failed: " + he.message());
                  p->conn.close();
                  return;
                }
                read_first(p);
              });
        } else {
          read_first(p);
        }
      }
      accept();
    });
  }

  SessionRuntime* from_template(const codec::Message& logon);

  void read_first(const std::shared_ptr<Pending>& p) {
    p->conn.async_read_some(asio::buffer(p->buf), [this, p](const asio::error_code& e, size_t n) {
      if (!open) return;
      if (e) {
        done(p);
        return;
      }
      p->reader.append(std::string_view(p->buf.data(), n));
      codec::Frame f = p->reader.next();
      if (f.status == codec::FrameStatus::kNeedMore) {
        read_first(p);
        return;
      }
      done(p);
      codec::Message m;
      if (f.status != codec::FrameStatus::kMessage || !m.parse(f.bytes).ok() ||
          m.msg_type() != "A") {
        log("connection closed: the first message is not a Logon");
        p->conn.close();
        return;
      }
      const std::string key = route_key(m.begin_string(), m.sender_comp_id(), m.target_comp_id());
      auto it = routes.find(key);
      SessionRuntime* rt = it != routes.end() ? it->second : from_template(m);
      if (!rt) {
        p->conn.close();
        return;
      }
      routes[key] = rt;
      // Hand the connection and everything read so far to the session's own thread.
      std::string initial(f.bytes);
      while (true) {
        codec::Frame more = p->reader.next();
        if (more.status == codec::FrameStatus::kNeedMore) break;
        initial.append(more.bytes);
      }
      if (p->conn.is_tls()) {
        // A TLS stream cannot change threads: TLS sessions live on their listener's thread.
        asio::post(rt->io, [rt, p, initial = std::move(initial)]() mutable {
          rt->adopt(std::move(p->conn), std::move(initial));
        });
        return;
      }
      tcp::socket moved(rt->io);
      asio::error_code ec;
      auto protocol = p->conn.lowest().local_endpoint(ec).protocol();
      moved.assign(protocol, p->conn.lowest().release(ec), ec);
      if (ec) {
        log("connection hand-off failed: " + ec.message());
        return;
      }
      asio::post(rt->io, [rt, s = std::move(moved), initial = std::move(initial)]() mutable {
        rt->adopt(Connection(std::move(s)), std::move(initial));
      });
    });
  }
};

// The session a template makes for `logon`, or null (logged) when none may be made.
SessionRuntime* Listener::from_template(const codec::Message& logon) {
  const std::string who = std::string(logon.begin_string()) + ":" +
                          std::string(logon.target_comp_id()) + "->" +
                          std::string(logon.sender_comp_id());
  auto matches = [](const std::string& pattern, std::string_view value) {
    return pattern == "*" || pattern == value;
  };
  for (const AcceptorTemplate* t : templates) {
    const auto& id = t->config.session.id;
    if (!matches(id.begin_string, logon.begin_string()) ||
        !matches(id.sender_comp_id, logon.target_comp_id()))
      continue;
    const auto& allowed = t->allowed_comp_ids;
    if (std::none_of(allowed.begin(), allowed.end(),
                     [&](const std::string& a) { return matches(a, logon.sender_comp_id()); })) {
      log("connection refused: no session for " + who + ", and " +
          std::string(logon.sender_comp_id()) + " is not on the acceptor template's allow-list");
      return nullptr;
    }
    SessionRuntime* rt = create ? create(*t, logon) : nullptr;
    if (rt) log("session " + who + " created from the acceptor template");
    return rt;
  }
  log("connection refused: no session for " + who);
  return nullptr;
}

struct Engine::Impl {
  EngineOptions options;
  std::unique_ptr<Dispatcher> dispatcher;  // shut down first in ~Engine(): it calls the sessions
  std::vector<std::unique_ptr<Loop>> loops;
  std::vector<std::optional<asio::executor_work_guard<asio::io_context::executor_type>>> guards;
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<SessionRuntime>> runtimes;
  std::vector<std::unique_ptr<SessionHandle>> handles;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::vector<std::unique_ptr<AcceptorTemplate>> templates;
  // Guards runtimes and handles: a listener adds dynamic sessions while API threads list them.
  mutable std::mutex mu;
  bool running = false;

  // A runtime for `config` on its thread (not started); add_session and dynamic sessions.
  Result<SessionHandle*> make_runtime(ManagerConfig config, std::unique_ptr<session::Store> store);
  // A session from template `t` for `logon`, started on its thread; null (logged) on failure.
  SessionRuntime* create_dynamic(const AcceptorTemplate& t, const codec::Message& logon);
};

Result<SessionHandle*> Engine::Impl::make_runtime(ManagerConfig config,
                                                  std::unique_ptr<session::Store> store) {
  // Handlers on the loop take each message in turn, so the session's own answers (a Reject, a
  // BusinessMessageReject) keep their place among the handlers' replies; handlers on the
  // dispatcher's workers run concurrently by key, and must not wait on one another.
  config.session.ordered_delivery = dispatcher == nullptr;
  const auto& id = config.session.id;
  std::unique_ptr<FileLog> log;
  if (!config.log_directory.empty()) {
    auto opened = FileLog::open(config.log_directory, id);
    if (!opened) return opened.status();
    log = std::move(*opened);
  }
  std::shared_ptr<asio::ssl::context> tls;
  if (config.tls.enabled) {
    auto ctx =
        transport::make_tls_context(config.tls, config.session.role == session::Role::kAcceptor);
    if (!ctx) return Status::error(id.to_string() + ": " + ctx.error());
    tls = *ctx;
  }
  // Sessions are spread over the threads round-robin and stay on theirs; TLS acceptor sessions
  // live on the listeners' thread (a TLS stream cannot move between threads).
  std::lock_guard lock(mu);
  const bool tls_acceptor = tls && config.session.role == session::Role::kAcceptor;
  Loop& loop = tls_acceptor ? *loops[0] : *loops[runtimes.size() % loops.size()];
  auto rt = std::make_unique<SessionRuntime>(
      loop, std::move(config), store ? std::move(store) : std::make_unique<session::MemoryStore>());
  rt->log = std::move(log);
  rt->engine_log = options.on_log;
  if (dispatcher) {
    rt->dispatcher = dispatcher.get();
    rt->key_strategy = options.key_strategy.get();
    rt->key_fields = &options.key_fields;
  }
  rt->tls = std::move(tls);
  handles.push_back(std::unique_ptr<SessionHandle>(new SessionHandle(*rt)));
  runtimes.push_back(std::move(rt));
  return handles.back().get();
}

SessionRuntime* Engine::Impl::create_dynamic(const AcceptorTemplate& t,
                                             const codec::Message& logon) {
  ManagerConfig c = t.config;
  c.session.id.begin_string = std::string(logon.begin_string());
  c.session.id.sender_comp_id = std::string(logon.target_comp_id());
  c.session.id.target_comp_id = std::string(logon.sender_comp_id());
  const std::string name = c.session.id.to_string();
  auto fail = [&](const std::string& why) -> SessionRuntime* {
    if (options.on_log) options.on_log("connection refused: cannot create " + name + ": " + why);
    return nullptr;
  };
  std::unique_ptr<session::Store> store;
  if (t.store) {
    auto made = t.store(c.session.id);
    if (!made) return fail(made.error());
    store = std::move(*made);
  }
  auto made = make_runtime(std::move(c), std::move(store));
  if (!made) return fail(made.error());
  SessionHandle& handle = **made;
  SessionRuntime* r = &handle.rt_;
  {
    std::lock_guard lock(r->mu);
    r->bound_port = static_cast<uint16_t>(r->config.accept.port);
  }
  if (t.on_session) t.on_session(handle);
  r->running = true;
  asio::post(r->io, [r] { r->start(); });  // before the hand-off the caller posts next
  return r;
}

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.key_strategy) {
    impl_->dispatcher = std::make_unique<Dispatcher>(
        impl_->options.dispatcher,
        [](std::string_view, DispatchJob& job) {
          SessionRuntime* rt = job.rt;
          std::vector<session::Reply> replies;
          codec::Message msg;
          if (msg.parse(job.bytes).ok()) {
            if (const auto* h = rt->handler_for(msg.msg_type())) {
              // A throw is retried, then dead-lettered; the failed attempt's replies go with it.
              HandlerScope scope(rt, replies);
              (*h)(msg);
              replies.resize(scope.count);
            }
          }
          asio::post(rt->io, [rt, seq = job.seq, epoch = job.epoch,
                              replies = std::move(replies)]() mutable {
            rt->dispatched(seq, epoch, std::move(replies));
          });
        },
        [](ordering::DeadLetter<DispatchJob>&& letter) {
          // Out of retries: counted by the dispatcher; the message still counts as handled so
          // the watermark moves on (it is in the message log for follow-up).
          SessionRuntime* rt = letter.message.rt;
          if (rt->engine_log)
            rt->engine_log(rt->id_text + ": handler failed for seq " +
                           std::to_string(letter.message.seq.value) + " after " +
                           std::to_string(letter.attempts) + " attempts");
          asio::post(rt->io, [rt, seq = letter.message.seq, epoch = letter.message.epoch] {
            rt->dispatched(seq, epoch);
          });
        });
  }
  unsigned n =
      impl_->options.threads ? impl_->options.threads : std::thread::hardware_concurrency();
  if (impl_->options.caller_driven) n = 1;
  for (unsigned i = 0; i < std::max(1u, n); ++i)
    impl_->loops.push_back(std::make_unique<Loop>(
        transport::LoopOptions{.caller_driven = impl_->options.caller_driven,
                               .busy_poll = impl_->options.busy_poll,
                               .busy_poll_yield = impl_->options.busy_poll_yield}));
  impl_->guards.resize(impl_->loops.size());
}

Engine::~Engine() {
  // Handlers still queued finish first, while the sessions they report to exist.
  if (impl_->dispatcher) impl_->dispatcher->shutdown(ordering::DrainPolicy::kFinishQueued);
  stop();
}

Result<SessionHandle*> Engine::add_session(ManagerConfig config,
                                           std::unique_ptr<session::Store> store) {
  Impl& e = *impl_;
  if (e.running) return Status::error("add_session: the engine is running");
  const auto& id = config.session.id;
  if (id.begin_string.empty() || id.sender_comp_id.empty() || id.target_comp_id.empty())
    return Status::error("add_session: BeginString, SenderCompID and TargetCompID are required");
  if (config.session.role == session::Role::kInitiator && config.connect.empty())
    return Status::error("add_session: an initiator needs at least one connect endpoint");
  if (find(id)) return Status::error("add_session: " + id.to_string() + " already exists");
  return e.make_runtime(std::move(config), std::move(store));
}

std::vector<Endpoint> Engine::template_endpoints() const {
  std::lock_guard lock(impl_->mu);
  std::vector<Endpoint> out;
  for (const auto& t : impl_->templates) out.push_back(t->config.accept);
  return out;
}

Status Engine::add_acceptor_template(AcceptorTemplate t) {
  Impl& e = *impl_;
  if (e.running) return Status::error("add_acceptor_template: the engine is running");
  if (t.config.session.role != session::Role::kAcceptor)
    return Status::error("add_acceptor_template: the template must be an acceptor");
  const auto& id = t.config.session.id;
  if (id.begin_string.empty() || id.sender_comp_id.empty())
    return Status::error("add_acceptor_template: BeginString and SenderCompID are required");
  if (t.config.tls.enabled) {
    auto ctx = transport::make_tls_context(t.config.tls, true);
    if (!ctx) return Status::error("add_acceptor_template: " + ctx.error());
  }
  e.templates.push_back(std::make_unique<AcceptorTemplate>(std::move(t)));
  return Status::ok();
}

Status Engine::start() {
  Impl& e = *impl_;
  if (e.running) return Status::error("start: already running");
  // One listener per acceptor address:port; sessions on it are told apart by their Logon.
  e.listeners.clear();
  std::map<std::pair<std::string, uint16_t>, Listener*> by_endpoint;
  auto listener_for = [&](const std::string& who, const Endpoint& ep,
                          const std::shared_ptr<asio::ssl::context>& tls,
                          bool reuse_address) -> Result<Listener*> {
    auto found = by_endpoint.find({ep.host, ep.port});
    if (found != by_endpoint.end() && ep.port != 0) {
      const char* differs = static_cast<bool>(found->second->tls) != static_cast<bool>(tls)
                                ? "the TLS setting"
                            : found->second->reuse_address != reuse_address ? "SocketReuseAddress"
                                                                            : nullptr;
      if (differs)
        return Status::error("start: " + who + " and another session share " + ep.host + ":" +
                             std::to_string(ep.port) + " but not " + differs);
      return found->second;
    }
    auto fresh = std::make_unique<Listener>(e.loops[0]->io);
    fresh->on_log = e.options.on_log;
    fresh->tls = tls;
    fresh->reuse_address = reuse_address;
    fresh->create = [&e](const AcceptorTemplate& t, const codec::Message& logon) {
      return e.create_dynamic(t, logon);
    };
    asio::error_code ec;
    auto address = asio::ip::make_address(ep.host, ec);
    if (ec) return Status::error("start: bad accept address " + ep.host);
    tcp::endpoint endpoint(address, ep.port);
    fresh->acceptor.open(endpoint.protocol(), ec);
    if (!ec) fresh->acceptor.set_option(tcp::acceptor::reuse_address(reuse_address), ec);
    if (!ec) fresh->acceptor.bind(endpoint, ec);
    if (!ec) fresh->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return Status::error("start: cannot listen on " + ep.host + ":" + std::to_string(ep.port) +
                           ": " + ec.message());
    Listener* l = fresh.get();
    by_endpoint[{ep.host, ep.port}] = l;
    by_endpoint[{ep.host, l->acceptor.local_endpoint().port()}] = l;
    e.listeners.push_back(std::move(fresh));
    return l;
  };
  for (auto& rt : e.runtimes) {
    if (rt->config.session.role != session::Role::kAcceptor) continue;
    auto found = listener_for(rt->config.session.id.to_string(), rt->config.accept, rt->tls,
                              rt->config.reuse_address);
    if (!found) {
      e.listeners.clear();
      return found.status();
    }
    Listener* l = *found;
    uint16_t port = l->acceptor.local_endpoint().port();
    // A restarted engine listens where it listened before, so initiators find it again.
    rt->config.accept.port = port;
    l->first_message_timeout = std::max(
        l->first_message_timeout,
        std::chrono::duration_cast<std::chrono::milliseconds>(rt->config.session.logon_timeout));
    const auto& id = rt->config.session.id;
    l->routes[route_key(id.begin_string, id.target_comp_id, id.sender_comp_id)] = rt.get();
    std::lock_guard lock(rt->mu);
    rt->bound_port = port;
  }
  for (auto& t : e.templates) {
    std::shared_ptr<asio::ssl::context> tls;
    if (t->config.tls.enabled)
      tls = *transport::make_tls_context(t->config.tls, true);  // checked when added
    auto found =
        listener_for("the acceptor template", t->config.accept, tls, t->config.reuse_address);
    if (!found) {
      e.listeners.clear();
      return found.status();
    }
    (*found)->templates.push_back(t.get());
    t->config.accept.port = (*found)->acceptor.local_endpoint().port();
  }
  for (size_t i = 0; i < e.loops.size(); ++i) {
    Loop& loop = *e.loops[i];
    loop.io.restart();
    // Kept even when caller-driven, so that a driver blocks for work instead of returning.
    e.guards[i].emplace(loop.io.get_executor());
    if (loop.caller_driven) continue;
    e.threads.emplace_back([&loop] { loop.run_thread(); });
    loop.thread = e.threads.back().get_id();
  }
  for (auto& rt : e.runtimes) {
    rt->running = true;
    asio::post(rt->io, [r = rt.get()] { r->start(); });
  }
  for (auto& l : e.listeners) {
    l->open = true;
    asio::post(l->io, [lp = l.get()] { lp->accept(); });
  }
  e.running = true;
  return Status::ok();
}

void Engine::stop() {
  Impl& e = *impl_;
  if (!e.running) return;
  // Handlers on the dispatcher report back to the loops: let them finish while the loops run.
  if (e.dispatcher) e.dispatcher->wait_idle();
  // Listeners close first and for good: none may add a dynamic session behind our back.
  for (auto& l : e.listeners) {
    e.loops[0]->call(
        [lp = l.get()] {
          lp->close();
          return true;
        },
        true);
  }
  {
    std::lock_guard lock(e.mu);
    for (auto& rt : e.runtimes) asio::post(rt->io, [r = rt.get()] { r->stop(); });
  }
  for (auto& g : e.guards) g.reset();
  for (auto& t : e.threads) t.join();
  e.threads.clear();
  // Run what the stops cancelled, so no handler outlives its objects.
  for (auto& loop : e.loops) {
    loop->thread = std::thread::id();
    std::optional<Loop::Drive> d;
    if (loop->caller_driven && !loop->in_loop()) d.emplace(*loop, true);
    loop->io.restart();
    loop->io.run();
  }
  e.listeners.clear();
  for (auto& rt : e.runtimes) rt->publish();
  e.running = false;
}

void Engine::shutdown(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto* h : sessions())
    if (h->is_session_active()) (void)h->logout("shutting down");
  for (auto* h : sessions()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() > 0) h->wait_for_status(SessionStatus::kDisconnected, left);
  }
  stop();
}

size_t Engine::run_once(std::chrono::milliseconds timeout) {
  Impl& e = *impl_;
  Loop& loop = *e.loops[0];
  if (!loop.caller_driven || !e.running) return 0;
  if (loop.in_loop()) return 0;  // called from a handler: the loop is already running
  Loop::Drive d(loop, true);
  return loop.run_once_until(std::chrono::steady_clock::now() + timeout);
}

bool Engine::running() const { return impl_->running; }

std::vector<SessionHandle*> Engine::sessions() const {
  std::lock_guard lock(impl_->mu);
  std::vector<SessionHandle*> out;
  for (auto& h : impl_->handles) out.push_back(h.get());
  return out;
}

SessionHandle* Engine::find(const session::SessionId& id) const {
  std::lock_guard lock(impl_->mu);
  for (auto& h : impl_->handles)
    if (h->id() == id) return h.get();
  return nullptr;
}

}  // namespace fixgate::engine
