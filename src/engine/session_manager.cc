#include "fixgate/engine/session_manager.h"

#include <asio.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "fixgate/codec/framer.h"
#include "fixgate/engine/file_log.h"
#include "fixgate/session/memory_store.h"

namespace fixgate::engine {

using asio::ip::tcp;
using session::Now;
using session::SessionEvent;
using session::SessionStatus;

namespace {

Now clock_now() {
  return Now{std::chrono::steady_clock::now().time_since_epoch(),
             std::chrono::system_clock::now().time_since_epoch()};
}

}  // namespace

struct SessionManager::Impl {
  ManagerConfig config;
  std::unique_ptr<session::Store> store;
  std::optional<session::Session> session;
  std::map<std::string, Handler, std::less<>> handlers;
  EventListener listener;
  std::unique_ptr<FileLog> log;
  codec::FrameReader log_reader;  // frames inbound bytes again for the message log

  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  std::optional<tcp::socket> socket;
  std::optional<tcp::acceptor> acceptor;
  asio::steady_timer timer{io};
  asio::steady_timer reconnect_timer{io};
  std::array<char, 64 * 1024> read_buf{};
  std::string write_buf;
  bool writing = false;
  bool close_after_write = false;
  bool connected = false;
  bool running = false;       // I/O thread: started and not stopped
  bool read_paused = false;   // the inbox is full: TCP back-pressure until the app catches up
  bool reconnect = true;      // initiator: reconnect after a disconnect
  uint32_t attempt = 0;       // reconnect attempts since the last logon
  size_t next_endpoint = 0;
  std::mt19937 rng{std::random_device{}()};

  // Shared with API threads.
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  SessionStatus status = SessionStatus::kDisconnected;
  session::SessionStats stats;
  session::SeqNum next_in{1}, next_out{1};
  std::deque<ReceivedMessage> inbox;
  uint16_t bound_port = 0;

  // Runs `fn` on the I/O thread and returns its result; directly when already on it (a handler
  // replying from inside its callback).
  template <typename F>
  auto call(F fn) -> decltype(fn()) {
    using R = decltype(fn());
    if (std::this_thread::get_id() == thread.get_id()) return fn();
    std::packaged_task<R()> task(std::move(fn));
    auto result = task.get_future();
    asio::post(io, [&task] { task(); });
    return result.get();
  }

  // ---- I/O thread -------------------------------------------------------------------------

  void start_initiator() {
    if (!running || !reconnect || config.connect.empty()) return;
    const Endpoint& ep = config.connect[next_endpoint++ % config.connect.size()];
    session->on_connecting(clock_now());
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
    socket.emplace(io);
    socket->async_connect(endpoints.front(), [this](const asio::error_code& e) {
      if (!running) return;
      if (e) {
        emit_log("connect failed: " + e.message());
        socket.reset();
        session->on_disconnected(clock_now());
        after_event();
        schedule_reconnect();
        return;
      }
      on_connected();
    });
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
    reconnect_timer.expires_after(std::chrono::milliseconds(static_cast<int64_t>(delay)));
    reconnect_timer.async_wait([this](const asio::error_code& e) {
      if (!e) start_initiator();
    });
  }

  void start_accept() {
    if (!acceptor) return;
    acceptor->async_accept([this](const asio::error_code& e, tcp::socket s) {
      if (!running) return;
      if (!e) {
        if (connected) {
          // One connection per session: a second one is refused, the first left alone.
          emit_log("second connection refused: session already connected");
          asio::error_code ignored;
          s.close(ignored);
        } else {
          socket.emplace(std::move(s));
          on_connected();
        }
      }
      start_accept();
    });
  }

  void on_connected() {
    connected = true;
    log_reader = codec::FrameReader(codec::FramerOptions{config.session.max_message_size});
    read_paused = false;
    close_after_write = false;
    asio::error_code ignored;
    socket->set_option(tcp::no_delay(true), ignored);
    session->on_connected(clock_now());
    after_event();
    start_read();
  }

  void start_read() {
    if (!socket) return;
    socket->async_read_some(asio::buffer(read_buf), [this](const asio::error_code& e, size_t n) {
      if (!running || !socket) return;
      if (e) {
        on_transport_closed(e == asio::error::eof ? "connection closed by peer" : e.message());
        return;
      }
      const Now now = clock_now();
      if (log) log_inbound(std::string_view(read_buf.data(), n), now);
      session->on_bytes(std::string_view(read_buf.data(), n), now);
      after_event();
      if (!socket || !connected) return;
      {
        std::lock_guard lock(mu);
        read_paused = inbox.size() >= config.receive_queue_capacity;
      }
      if (!read_paused) start_read();
    });
  }

  void on_transport_closed(const std::string& why) {
    if (!connected) return;
    connected = false;
    writing = false;
    write_buf.clear();
    if (socket) {
      asio::error_code ignored;
      socket->close(ignored);
      socket.reset();
    }
    emit_log("disconnected: " + why);
    session->on_disconnected(clock_now());
    after_event();
    schedule_reconnect();
  }

  void close_socket() {
    if (!socket) return;
    asio::error_code ignored;
    socket->shutdown(tcp::socket::shutdown_both, ignored);
    on_transport_closed("closed by the session");
  }

  void flush() {
    if (writing || !socket || !connected) return;
    std::string_view out = session->pending_output();
    if (out.empty()) {
      if (close_after_write) close_socket();
      return;
    }
    write_buf.assign(out);
    session->consume_output(out.size());
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
    writing = true;
    asio::async_write(*socket, asio::buffer(write_buf), [this](const asio::error_code& e, size_t) {
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

  void after_event() {
    while (auto e = session->poll_event()) {
      if (listener) listener(*e);
      if (log && e->type != SessionEvent::Type::kAppMessage &&
          e->type != SessionEvent::Type::kAdminMessage) {
        std::string text(session::to_string(e->status));
        if (!e->text.empty()) text += ": " + e->text;
        log->event(text, clock_now().utc);
      }
      switch (e->type) {
        case SessionEvent::Type::kAppMessage: deliver(std::move(*e)); break;
        case SessionEvent::Type::kDisconnect: close_after_write = true; break;
        case SessionEvent::Type::kStatus:
          if (e->status == SessionStatus::kActive || e->status == SessionStatus::kLoggedIn)
            attempt = 0;
          break;
        default: break;
      }
    }
    if (log) log->flush();
    flush();
    arm_timer();
    publish();
  }

  void deliver(SessionEvent&& e) {
    codec::Message msg;
    if (!msg.parse(e.bytes).ok()) {
      session->handled(e.seq, clock_now());
      return;
    }
    auto h = handlers.find(msg.msg_type());
    if (h != handlers.end()) {
      try {
        h->second(msg);
      } catch (const std::exception& ex) {
        emit_log("handler for " + std::string(msg.msg_type()) + " threw: " + ex.what());
      }
      session->handled(e.seq, clock_now());
      return;
    }
    ReceivedMessage r{e.seq, e.poss_dup, std::string(msg.msg_type()), std::move(e.bytes)};
    std::lock_guard lock(mu);
    inbox.push_back(std::move(r));
    cv.notify_all();
  }

  void arm_timer() {
    auto deadline = session->poll_timeout();
    if (!deadline) {
      timer.cancel();
      return;
    }
    timer.expires_at(std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(*deadline)));
    timer.async_wait([this](const asio::error_code& e) {
      if (e || !running) return;
      session->on_timeout(clock_now());
      after_event();
    });
  }

  void publish() {
    std::lock_guard lock(mu);
    status = session->status();
    stats = session->stats();
    next_in = session->next_target_seq();
    next_out = session->next_sender_seq();
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
    e.status = session ? session->status() : SessionStatus::kDisconnected;
    e.text = std::move(text);
    listener(e);
  }
};

SessionManager::SessionManager() : impl_(std::make_unique<Impl>()) {}

SessionManager::~SessionManager() { stop_session(); }

Status SessionManager::initialize_session(ManagerConfig config,
                                          std::unique_ptr<session::Store> store) {
  if (impl_->running) return Status::error("initialize_session: the session is running");
  const auto& id = config.session.id;
  if (id.begin_string.empty() || id.sender_comp_id.empty() || id.target_comp_id.empty())
    return Status::error("initialize_session: BeginString, SenderCompID and TargetCompID are required");
  if (config.session.role == session::Role::kInitiator && config.connect.empty())
    return Status::error("initialize_session: an initiator needs at least one connect endpoint");
  impl_->config = std::move(config);
  impl_->store = store ? std::move(store) : std::make_unique<session::MemoryStore>();
  impl_->session.emplace(impl_->config.session, *impl_->store);
  impl_->log.reset();
  if (!impl_->config.log_directory.empty()) {
    auto log = FileLog::open(impl_->config.log_directory, impl_->config.session.id);
    if (!log) return log.status();
    impl_->log = std::move(*log);
  }
  return Status::ok();
}

void SessionManager::on(std::string_view msg_type, Handler handler) {
  impl_->handlers[std::string(msg_type)] = std::move(handler);
}

void SessionManager::on_event(EventListener listener) { impl_->listener = std::move(listener); }

Status SessionManager::start_session() {
  Impl& m = *impl_;
  if (!m.session) return Status::error("start_session: initialize_session first");
  if (m.running) return Status::error("start_session: already started");
  m.io.restart();
  m.running = true;
  m.reconnect = true;
  m.attempt = 0;
  if (m.config.session.role == session::Role::kAcceptor) {
    asio::error_code ec;
    auto address = asio::ip::make_address(m.config.accept.host, ec);
    if (ec) return Status::error("start_session: bad accept address " + m.config.accept.host);
    tcp::endpoint ep(address, m.config.accept.port);
    m.acceptor.emplace(m.io);
    m.acceptor->open(ep.protocol(), ec);
    if (!ec) m.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) m.acceptor->bind(ep, ec);
    if (!ec) m.acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      m.acceptor.reset();
      m.running = false;
      return Status::error("start_session: cannot listen on " + m.config.accept.host + ":" +
                           std::to_string(m.config.accept.port) + ": " + ec.message());
    }
    std::lock_guard lock(m.mu);
    m.bound_port = m.acceptor->local_endpoint().port();
    // A restarted acceptor listens where it listened before, so initiators find it again.
    m.config.accept.port = m.bound_port;
  }
  m.work.emplace(m.io.get_executor());
  m.thread = std::thread([&m] { m.io.run(); });
  asio::post(m.io, [&m] {
    if (m.config.session.role == session::Role::kInitiator) {
      m.start_initiator();
    } else {
      m.start_accept();
    }
  });
  return Status::ok();
}

void SessionManager::stop_session() {
  Impl& m = *impl_;
  if (!m.running) return;
  asio::post(m.io, [&m] {
    m.reconnect = false;
    if (m.connected) m.on_transport_closed("session stopped");
    m.running = false;
    m.timer.cancel();
    m.reconnect_timer.cancel();
    if (m.acceptor) {
      asio::error_code ignored;
      m.acceptor->close(ignored);
    }
    if (m.socket) {
      asio::error_code ignored;
      m.socket->close(ignored);
    }
    m.work.reset();
  });
  m.thread.join();
  m.socket.reset();
  m.acceptor.reset();
  m.io.restart();
  m.io.run();  // drain handlers cancelled above
  m.publish();
}

bool SessionManager::is_session_active() const {
  auto s = session_status();
  return s == SessionStatus::kLoggedIn || s == SessionStatus::kActive;
}

SessionStatus SessionManager::session_status() const {
  std::lock_guard lock(impl_->mu);
  return impl_->status;
}

bool SessionManager::wait_for_status(SessionStatus status, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->status == status; });
}

Status SessionManager::send_message(std::string_view msg_type, std::string_view body) {
  Impl& m = *impl_;
  if (!m.running) return Status::error("send_message: session not started");
  std::string type(msg_type), b(body);
  return m.call([&m, type, b]() -> Status {
    Status s = m.session->send(type, b, clock_now());
    m.after_event();
    return s;
  });
}

std::optional<ReceivedMessage> SessionManager::receive_message(std::chrono::milliseconds timeout) {
  Impl& m = *impl_;
  std::unique_lock lock(m.mu);
  if (!m.cv.wait_for(lock, timeout, [&] { return !m.inbox.empty(); })) return std::nullopt;
  ReceivedMessage r = std::move(m.inbox.front());
  m.inbox.pop_front();
  lock.unlock();
  const session::SeqNum seq = r.seq;
  if (m.running) {
    asio::post(m.io, [&m, seq] {
      m.session->handled(seq, clock_now());
      m.after_event();
      bool resume;
      {
        std::lock_guard inner(m.mu);
        resume = m.read_paused && m.inbox.size() < m.config.receive_queue_capacity;
        if (resume) m.read_paused = false;
      }
      if (resume) m.start_read();
    });
  } else {
    m.session->handled(seq, clock_now());
  }
  return r;
}

Status SessionManager::send_heartbeat() {
  Impl& m = *impl_;
  if (!m.running) return Status::error("send_heartbeat: session not started");
  return m.call([&m]() -> Status {
    if (!m.session->is_logged_on()) return Status::error("send_heartbeat: not logged on");
    m.session->send_heartbeat(clock_now());
    m.after_event();
    return Status::ok();
  });
}

Status SessionManager::process_test_request(std::string_view test_req_id) {
  Impl& m = *impl_;
  if (!m.running) return Status::error("process_test_request: session not started");
  std::string id(test_req_id);
  return m.call([&m, id]() -> Status {
    if (!m.session->is_logged_on()) return Status::error("process_test_request: not logged on");
    m.session->send_test_request(id, clock_now());
    m.after_event();
    return Status::ok();
  });
}

Status SessionManager::process_sequence_reset(session::SeqNum new_seq) {
  Impl& m = *impl_;
  if (!m.running) return Status::error("process_sequence_reset: session not started");
  return m.call([&m, new_seq]() -> Status {
    Status s = m.session->reset_outbound_sequence(new_seq, clock_now());
    m.after_event();
    return s;
  });
}

Status SessionManager::resend_from_sequence(session::SeqNum from) {
  Impl& m = *impl_;
  if (!m.running) return Status::error("resend_from_sequence: session not started");
  return m.call([&m, from]() -> Status {
    if (!m.session->is_logged_on()) return Status::error("resend_from_sequence: not logged on");
    m.session->request_resend(from, clock_now());
    m.after_event();
    return Status::ok();
  });
}

Status SessionManager::logout(std::string_view reason) {
  Impl& m = *impl_;
  if (!m.running) return Status::error("logout: session not started");
  std::string r(reason);
  return m.call([&m, r]() -> Status {
    m.reconnect = false;
    m.session->logout(r, clock_now());
    m.after_event();
    return Status::ok();
  });
}

Status SessionManager::request_logoff(std::chrono::milliseconds timeout) {
  if (Status s = logout(""); !s) return s;
  std::unique_lock lock(impl_->mu);
  bool done = impl_->cv.wait_for(lock, timeout, [&] {
    return impl_->status == SessionStatus::kDisconnected;
  });
  return done ? Status::ok() : Status::error("request_logoff: no Logout reply within the timeout");
}

session::SessionStats SessionManager::session_stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

std::pair<session::SeqNum, session::SeqNum> SessionManager::sequence_numbers() const {
  std::lock_guard lock(impl_->mu);
  return {impl_->next_in, impl_->next_out};
}

uint16_t SessionManager::local_port() const {
  std::lock_guard lock(impl_->mu);
  return impl_->bound_port;
}

}  // namespace fixgate::engine
