// The session runtime's I/O side, all on its loop thread: connections, reading, writing, timers.
#include "session_runtime.h"

namespace fixgate::engine {

std::optional<std::chrono::milliseconds> SessionRuntime::connect_delay() {
  assert_loop();
  auto wait = locked()->schedule_wait(clock_now());
  if (!wait) return std::nullopt;
  // Outside the session's schedule: connect when the next window opens, not before.
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wait);
  emit_log("outside the session schedule: connecting in " + std::to_string(ms.count() / 1000) +
           " s, when the next window opens");
  return ms;
}

void SessionRuntime::on_connecting() {
  assert_loop();
  locked()->on_connecting(clock_now());
  after_event();
}

void SessionRuntime::on_connected(std::shared_ptr<transport::Connection> connection) {
  assert_loop();
  socket_ = std::move(connection);
  peer_ = socket_->peer();  // "connected to …" was the initiator's line
  on_connected();
}

void SessionRuntime::on_connect_failed() {
  assert_loop();
  locked()->on_disconnected(clock_now());
  after_event();
}

void SessionRuntime::adopt(transport::Connection s, std::string initial) {
  assert_loop();
  const std::string peer = s.peer();
  if (!running_ || connected_) {
    std::string why = connected_ ? "second connection refused: " + config_.session.id.to_string() +
                                       " is already connected"
                                 : "connection refused: session stopped";
    emit_log(why + " (from " + peer + ")");
    if (engine_log_)
      engine_log_({.level = EngineLogEntry::Level::kWarning,
                   .refused = true,
                   .session = id_text_,
                   .peer = peer,
                   .text = why});
    s.close();
    return;
  }
  socket_ = std::make_shared<transport::Connection>(std::move(s));
  peer_ = peer;
  emit_log("connected from " + peer);
  on_connected(initial);
}

void SessionRuntime::on_connected(std::string_view initial) {
  assert_loop();
  connected_ = true;
  log_reader_ = codec::FrameReader(codec::FramerOptions{config_.session.max_message_size});
  read_paused_ = false;
  close_after_write_ = false;
  // flush() writes plain sockets directly first (configure makes them non-blocking).
  socket_->configure({.tcp_nodelay = config_.tcp_nodelay,
                      .send_buffer_size = config_.socket_send_buffer_size,
                      .receive_buffer_size = config_.socket_receive_buffer_size});
  const Now now = clock_now();
  if (log_ && !initial.empty()) log_inbound(initial, now);
  {
    auto s = locked();
    s->on_connected(now);
    if (!initial.empty()) s->on_bytes(initial, now);
  }
  after_event();
  if (socket_ && connected_) start_read();
}

void SessionRuntime::start_read() {
  assert_loop();
  if (!socket_) return;
  if (read_directly()) {
    loop_.add_direct(this);
    return;
  }
  arm_read();
}

void SessionRuntime::arm_read() {
  assert_loop();
  socket_->async_read_some(
      asio::buffer(read_buf_), [this, conn = socket_](const asio::error_code& e, size_t n) {
        if (!running_ || conn != socket_) return;
        if (e) {
          on_transport_closed(e == asio::error::eof ? "connection closed by peer" : e.message());
          return;
        }
        on_read(n);
      });
}

int SessionRuntime::direct_fd() {
  assert_loop();
  const bool direct = running_ && connected_ && !read_paused_ && read_directly();
  return direct ? socket_->native_handle() : -1;
}

void SessionRuntime::on_direct_read(ssize_t n, int error) {
  assert_loop();
  if (n > 0) {
    on_read(static_cast<size_t>(n));
  } else {
    on_transport_closed(n == 0 ? "connection closed by peer"
                               : std::error_code(error, std::system_category()).message());
  }
}

void SessionRuntime::on_read(size_t n) {
  assert_loop();
  const Now now = clock_now();
  if (log_) log_inbound(std::string_view(read_buf_.data(), n), now);
  {
    Locked s(*this);
    s->on_bytes(std::string_view(read_buf_.data(), n), now);
    after_event(s, now, /*after_read=*/true);  // under the same lock; sets read_paused_
  }
  if (!socket_ || !connected_ || read_paused_) return;
  if (!loop_.caller_driven() || read_directly()) {
    start_read();
    return;
  }
  // Caller-driven: the next read starts on the driver's next turn, so that its first, usually
  // empty, attempt (a system call) is not paid between a message arriving and the caller
  // seeing it, but while the counterparty works on the caller's next message.
  asio::post(loop_.io(), [this, conn = socket_] {
    if (running_ && conn == socket_ && connected_ && !read_paused_) start_read();
  });
}

void SessionRuntime::on_transport_closed(const std::string& why) {
  assert_loop();
  if (!connected_) return;
  connected_ = false;
  writing_ = false;
  write_buf_.clear();
  note_unwritten(0);
  if (socket_) {
    socket_->close();
    socket_.reset();
  }
  emit_log("disconnected: " + why + (peer_.empty() ? "" : " (peer " + peer_ + ")"));
  locked()->on_disconnected(clock_now());
  after_event();
  if (initiator_) initiator_->schedule_reconnect();
}

void SessionRuntime::close_socket() {
  assert_loop();
  if (!socket_) return;
  on_transport_closed("closed by the session");
}

void SessionRuntime::flush() {
  assert_loop();
  if (!can_write()) return;
  // Everything the session has for the wire goes in one write, however many sends (from
  // however many threads) queued it.
  {
    Locked s(*this);
    take_output(s);
  }
  write_out();
}

void SessionRuntime::write_out() {
  assert_loop();
  if (write_buf_.empty()) {
    if (close_after_write_) close_socket();
    return;
  }
  if (log_) {
    const Now now = clock_now();
    std::string_view rest = write_buf_;
    for (codec::Frame f = codec::next_frame(rest); f.status == codec::FrameStatus::kMessage;
         f = codec::next_frame(rest)) {
      log_->message(f.bytes, now.utc);
      rest.remove_prefix(f.consumed());
    }
    log_->flush();
  }
  if (!socket_->is_tls()) {
    // Write at once, on this thread: a whole write (the usual case) costs no asynchronous
    // operation and no completion to dispatch. Only what the kernel did not take waits for
    // the socket to become writable.
    asio::error_code e;
    size_t n = socket_->write_some(write_buf_, e);
    if (e == asio::error::would_block || e == asio::error::try_again) {
      n = 0;
    } else if (e) {
      on_transport_closed("write failed: " + e.message());
      return;
    }
    if (n == write_buf_.size()) {
      write_buf_.clear();
      note_unwritten(0);
      if (close_after_write_) flush();  // closes once nothing more is queued
      return;
    }
    write_buf_.erase(0, n);
    note_unwritten(write_buf_.size());
  }
  writing_ = true;
  socket_->async_write(asio::buffer(write_buf_),
                       [this, conn = socket_](const asio::error_code& e, size_t) {
                         if (conn != socket_) return;  // a write of a connection already closed
                         writing_ = false;
                         if (!running_) return;
                         if (e) {
                           on_transport_closed("write failed: " + e.message());
                           return;
                         }
                         note_unwritten(0);  // async_write took all of write_buf_
                         flush();
                       });
}

void SessionRuntime::log_inbound(std::string_view bytes, Now now) {
  assert_loop();
  log_reader_.append(bytes);
  for (codec::Frame f = log_reader_.next(); f.status != codec::FrameStatus::kNeedMore;
       f = log_reader_.next()) {
    if (f.status == codec::FrameStatus::kMessage) log_->message(f.bytes, now.utc);
  }
}

void SessionRuntime::arm_store_flush() {
  assert_loop();
  if (flush_armed_) return;
  arm_store_flush(locked().store().flush_deadline());
}

void SessionRuntime::start_flush_timer(session::Duration deadline) {
  assert_loop();
  flush_armed_ = true;
  flush_timer_.expires_at(std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(deadline)));
  flush_timer_.async_wait([this](const asio::error_code& e) {
    flush_armed_ = false;
    if (e || !running_) return;
    const std::optional<session::Duration> due = locked().store().flush_deadline();
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
  assert_loop();
  return locked().store().flush();  // the store is the session's: send() commits from others
}

void SessionRuntime::rearm_timer(session::Duration deadline) {
  assert_loop();
  timer_armed_ = true;
  timer_deadline_ = deadline;
  const uint64_t generation = ++timer_generation_;
  timer_.expires_at(std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(deadline)));
  timer_.async_wait([this, generation](const asio::error_code& e) {
    if (generation != timer_generation_) return;  // replaced by an earlier deadline
    timer_armed_ = false;
    if (e || !running_) return;
    locked()->on_timeout(clock_now());
    after_event();
  });
}

}  // namespace fixgate::engine
