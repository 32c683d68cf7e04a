// The session runtime's I/O side, on its loop thread: connecting, reading, writing, timers.
#include "session_runtime.h"

namespace fixgate::engine {

using asio::ip::tcp;

SessionRuntime::SessionRuntime(Loop& l, ManagerConfig c, std::unique_ptr<session::Store> s,
                               std::shared_ptr<asio::ssl::context> tls_context)
    : config(std::move(c)),
      store(std::move(s)),
      loop(l),
      io(l.io),
      tls(std::move(tls_context)),
      id_text(config.session.id.to_string()) {
  session.emplace(config.session, *store);
  if (config.session.role == session::Role::kInitiator)
    initiator.emplace(loop,
                      transport::InitiatorOptions{.connect = config.connect,
                                                  .source = config.source,
                                                  .reuse_address = config.reuse_address,
                                                  .connect_timeout = config.connect_timeout,
                                                  .reconnect = config.reconnect,
                                                  .tls = tls,
                                                  .verify_peer = config.tls.verify_peer},
                      static_cast<transport::InitiatorOwner&>(*this));
}

std::optional<std::chrono::milliseconds> SessionRuntime::connect_delay() {
  auto wait = locked()->schedule_wait(clock_now());
  if (!wait) return std::nullopt;
  // Outside the session's schedule: connect when the next window opens, not before.
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wait);
  emit_log("outside the session schedule: connecting in " + std::to_string(ms.count() / 1000) +
           " s, when the next window opens");
  return ms;
}

void SessionRuntime::on_connecting() {
  locked()->on_connecting(clock_now());
  after_event();
}

void SessionRuntime::on_connected(std::shared_ptr<Connection> connection) {
  socket = std::move(connection);
  on_connected();
}

void SessionRuntime::on_connect_failed() {
  locked()->on_disconnected(clock_now());
  after_event();
}

void SessionRuntime::adopt(Connection s, std::string initial) {
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

void SessionRuntime::on_connected(std::string_view initial) {
  connected = true;
  log_reader = codec::FrameReader(codec::FramerOptions{config.session.max_message_size});
  read_paused = false;
  close_after_write = false;
  // flush() writes plain sockets directly first (configure makes them non-blocking).
  socket->configure({.tcp_nodelay = config.tcp_nodelay,
                     .send_buffer_size = config.socket_send_buffer_size,
                     .receive_buffer_size = config.socket_receive_buffer_size});
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

void SessionRuntime::start_read() {
  if (!socket) return;
  if (read_directly()) {
    loop.add_direct(this);
    return;
  }
  arm_read();
}

void SessionRuntime::arm_read() {
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

int SessionRuntime::direct_fd() {
  const bool direct = running && connected && !read_paused && read_directly();
  return direct ? socket->native_handle() : -1;
}

void SessionRuntime::on_direct_read(ssize_t n, int error) {
  if (n > 0) {
    on_read(static_cast<size_t>(n));
  } else {
    on_transport_closed(n == 0 ? "connection closed by peer"
                               : std::error_code(error, std::system_category()).message());
  }
}

void SessionRuntime::on_read(size_t n) {
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

void SessionRuntime::on_transport_closed(const std::string& why) {
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
  if (initiator) initiator->schedule_reconnect();
}

void SessionRuntime::close_socket() {
  if (!socket) return;
  on_transport_closed("closed by the session");
}

void SessionRuntime::flush() {
  if (!can_write()) return;
  // Everything the session has for the wire goes in one write, however many sends (from
  // however many threads) queued it.
  locked()->take_output(write_buf);
  write_out();
}

void SessionRuntime::write_out() {
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
    size_t n = socket->write_some(write_buf, e);
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

void SessionRuntime::log_inbound(std::string_view bytes, Now now) {
  log_reader.append(bytes);
  for (codec::Frame f = log_reader.next(); f.status != codec::FrameStatus::kNeedMore;
       f = log_reader.next()) {
    if (f.status == codec::FrameStatus::kMessage) log->message(f.bytes, now.utc);
  }
}

void SessionRuntime::arm_store_flush() {
  if (flush_armed) return;
  std::lock_guard lock(smu);
  arm_store_flush(store->flush_deadline());
}

void SessionRuntime::arm_store_flush(std::optional<session::Duration> deadline) {
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

Status SessionRuntime::flush_store() {
  std::lock_guard lock(smu);  // the store is the session's: send() commits from other threads
  return store->flush();
}

void SessionRuntime::arm_timer(std::optional<session::Duration> deadline) {
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

}  // namespace fixgate::engine
