// NatsPublisher: the buffer, the publisher thread, core NATS and nats.c's callbacks (who owns
// what: the header). JetStream: nats_jetstream.cc. Options are checked first (nats_names.cc):
// nats.c itself takes almost any URL and retries it forever.
#include "fixgate/gateway/nats_publisher.h"

#include <nats/nats.h>

#include <algorithm>
#include <cassert>
#include <utility>

#include "nats_names.h"
#include "nats_publisher_impl.h"

namespace fixgate::gateway {

using namespace nats_detail;

namespace {

// nats.c's own reconnect buffer, as small as it goes (0 means its 8 MB default): the buffer here
// replaces it. Events it held would be sent first after a reconnect, ahead of the events this
// publisher sends again because they were never acknowledged, and so overtake them.
constexpr int kNatsReconnectBufferBytes = 1;
// How long the destructor waits for nats.c's closed callback (it needs no server to come).
constexpr auto kCloseWait = std::chrono::seconds(10);

NatsPublisher::Impl& impl_of(void* closure) { return *static_cast<NatsPublisher::Impl*>(closure); }

std::string connected_url(natsConnection* nc) {
  char url[256] = "";
  if (natsConnection_GetConnectedUrl(nc, url, sizeof url) != NATS_OK) return "?";
  return without_credentials(url);
}

void on_connected(natsConnection* nc, void* closure) {
  impl_of(closure).connection_changed(true, "nats: connected to " + connected_url(nc));
}
void on_reconnected(natsConnection* nc, void* closure) {
  impl_of(closure).connection_changed(true, "nats: reconnected to " + connected_url(nc));
}
void on_disconnected(natsConnection*, void* closure) {
  impl_of(closure).connection_changed(false, "nats: disconnected; events wait in the buffer");
}
void on_closed(natsConnection*, void* closure) {
  auto& impl = impl_of(closure);
  std::lock_guard lock(impl.mu);
  impl.closed = true;
  impl.connected = false;
  // Under the lock: the destructor may free impl as soon as it sees `closed`.
  impl.closed_cv.notify_all();
}
void on_error(natsConnection*, natsSubscription*, natsStatus s, void* closure) {
  impl_of(closure).log("nats: " + status_text(s));
}

}  // namespace

void NatsPublisher::Impl::connection_changed(bool up, const std::string& line) {
  bool stopping = false;
  {
    std::lock_guard lock(mu);
    connected = up;
    if (up) ++connection_epoch;
    stopping = stop;
  }
  wake.notify_all();
  if (!stopping) log(line);  // the destructor's own close is no news
}

Status NatsPublisher::Impl::connect() {
  natsOptions* o = nullptr;
  natsStatus s = natsOptions_Create(&o);
  nats_options = o;
  if (s == NATS_OK) s = natsOptions_SetURL(o, options.url.c_str());
  if (s == NATS_OK) s = natsOptions_SetName(o, options.connection_name.c_str());
  // Never give up: a connection that fails at start is retried (asynchronously, since a
  // connected callback is given) and a lost one is re-established, forever.
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(o, true, on_connected, this);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(o, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(o, to_ms(options.reconnect_wait));
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(o, kNatsReconnectBufferBytes);
  // A JetStream publish waiting for its ack when the connection drops fails then, rather than
  // after publish_timeout: it is sent again on the next connection (deduplicated by msg_id).
  if (s == NATS_OK) s = natsOptions_SetFailRequestsOnDisconnect(o, true);
  if (s == NATS_OK) s = natsOptions_SetTimeout(o, to_ms(options.publish_timeout));
  if (s == NATS_OK) s = natsOptions_SetPingInterval(o, to_ms(options.ping_interval));
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(o, on_disconnected, this);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(o, on_reconnected, this);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(o, on_closed, this);
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(o, on_error, this);
  if (s != NATS_OK) return Status::error("nats: options: " + status_text(s));

  s = natsConnection_Connect(&nc, o);
  const std::string url = without_credentials(options.url);
  if (s == NATS_OK) {
    connection_changed(true, "nats: connected to " + connected_url(nc));
  } else if (s == NATS_NOT_YET_CONNECTED) {
    log("nats: " + url + " not reachable yet; retrying every " +
        std::to_string(options.reconnect_wait.count()) + " ms, events wait in the buffer");
  } else {
    return Status::error("nats: " + url + ": " + status_text(s) + ": " +
                         nats_GetLastError(nullptr));
  }
  return Status::ok();
}

void NatsPublisher::Impl::run() {
  std::unique_lock lock(mu);
  while (!stop) {
    if (drop_report_due(Clock::now())) {
      const std::string line = drop_report(Clock::now());
      lock.unlock();
      log(line);
      lock.lock();
      continue;
    }
    if (connected && has_work()) {
      const uint64_t epoch = connection_epoch;
      lock.unlock();
      const bool sent = send_some();
      lock.lock();
      // After a failure, try again on a new connection, or after a while on this one.
      if (!sent)
        wake.wait_for(lock, options.reconnect_wait,
                      [&] { return stop || connection_epoch != epoch; });
      continue;
    }
    auto ready = [&] { return stop || (connected && has_work()) || drop_report_due(Clock::now()); };
    if (dropped.load() > drops_reported)
      wake.wait_until(lock, next_drop_report, ready);
    else
      wake.wait(lock, ready);
  }
}

std::string NatsPublisher::Impl::drop_report(Clock::time_point now) {
  const uint64_t total = dropped.load();
  const uint64_t now_dropped = total - drops_reported;
  drops_reported = total;
  next_drop_report = now + options.drop_log_interval;
  std::string line = "nats: buffer full (" + std::to_string(options.buffer_capacity) +
                     "): " + std::to_string(now_dropped) + " dropped";
  if (total != now_dropped) line += ", " + std::to_string(total) + " since start";
  return line;
}

bool NatsPublisher::Impl::send_some() {
  bool ok = true;
  bool has_events = false, has_kv = false;
  {
    std::lock_guard lock(mu);
    has_events = !events.empty();
    has_kv = !kv.empty();
  }
  if ((options.jetstream || !options.kv_bucket.empty()) && !ensure_jetstream()) return false;
  if (has_events) ok = send_events();
  if (has_kv) ok = send_kv() && ok;
  return ok;
}

bool NatsPublisher::Impl::send_events() {
  batch.clear();
  {
    std::lock_guard lock(mu);
    const size_t n = std::min(events.size(), kBatch);
    for (size_t i = 0; i < n; ++i) batch.push_back(&events[i]);
  }
  return options.jetstream ? send_jetstream(batch) : send_core(batch);
}

natsStatus NatsPublisher::Impl::publish_core(const Event& e) {
  const int size = static_cast<int>(e.payload.size());
  if (e.msg_id.empty())
    return natsConnection_Publish(nc, e.subject.c_str(), e.payload.data(), size);
  // The id goes along as JetStream's header, so that a subscriber can drop a repeat.
  natsMsg* msg = nullptr;
  natsStatus s = natsMsg_Create(&msg, e.subject.c_str(), nullptr, e.payload.data(), size);
  if (s == NATS_OK) s = natsMsgHeader_Set(msg, "Nats-Msg-Id", e.msg_id.c_str());
  if (s == NATS_OK) s = natsConnection_PublishMsg(nc, msg);
  natsMsg_Destroy(msg);
  return s;
}

bool NatsPublisher::Impl::send_core(const std::vector<const Event*>& sending) {
  size_t written = 0;
  natsStatus s = NATS_OK;
  for (const Event* e : sending) {
    // Not into nats.c's reconnect buffer (see kNatsReconnectBufferBytes).
    if (natsConnection_Status(nc) != NATS_CONN_STATUS_CONNECTED) {
      s = NATS_CONNECTION_DISCONNECTED;
      break;
    }
    if ((s = publish_core(*e)) != NATS_OK) break;
    ++written;
  }
  if (written > 0) {
    // The PONG comes once the server has processed every message before the PING.
    const natsStatus flushed = natsConnection_FlushTimeout(nc, to_ms(options.publish_timeout));
    if (flushed != NATS_OK) {
      note_failure("publish", flushed);
      return false;
    }
    acknowledge_events(written);
  }
  if (written == sending.size()) return true;
  if (s == NATS_MAX_PAYLOAD) {  // it never will fit: do not let it hold up the others
    reject_front_event("larger than the server's max_payload");
    return true;
  }
  note_failure("publish", s);
  return false;
}

void NatsPublisher::Impl::count_latency(Clock::time_point queued_at, Clock::time_point now) {
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - queued_at).count();
  total_latency_ns += ns;
  last_latency_ns = ns;
  ++published;
}

void NatsPublisher::Impl::acknowledge_events(size_t n) {
  const auto now = Clock::now();
  {
    std::lock_guard lock(mu);
    assert(n <= events.size());
    for (size_t i = 0; i < n; ++i) {
      count_latency(events.front().queued_at, now);
      events.pop_front();
      --buffered;
    }
    if (!has_work()) drained.notify_all();
  }
  last_failure.clear();
}

void NatsPublisher::Impl::reject_front_event(const std::string& why) {
  std::string subject;
  {
    std::lock_guard lock(mu);
    subject = events.front().subject;
    events.pop_front();
    --buffered;
    ++rejected;
    if (!has_work()) drained.notify_all();
  }
  log("nats: event on " + subject + " dropped: " + why);
}

void NatsPublisher::Impl::acknowledge_kv(const std::string& key, const KvValue& sent,
                                         bool was_rejected) {
  const auto now = Clock::now();
  std::lock_guard lock(mu);
  if (was_rejected)
    ++rejected;
  else
    count_latency(sent.queued_at, now);
  auto it = kv.find(key);
  if (it != kv.end() && it->second.version == sent.version) {  // else a newer value waits
    kv.erase(it);
    --buffered;
  }
  if (!has_work()) drained.notify_all();
  last_failure.clear();
}

void NatsPublisher::Impl::note_failure(const std::string& what, natsStatus s, jsErrCode js_error) {
  ++failed_attempts;
  std::string line = "nats: " + what + ": " + status_text(s, js_error) + "; will retry";
  if (line == last_failure) return;  // once per kind of trouble, not once per attempt
  last_failure = line;
  log(line);
}

void NatsPublisher::Impl::shutdown() {
  {
    std::lock_guard lock(mu);
    stop = true;
  }
  wake.notify_all();
  // Closing ends a flush or a JetStream ack wait at once, so the join below does not wait for
  // a timeout while NATS is down.
  if (nc != nullptr) natsConnection_Close(nc);
  if (thread.joinable()) thread.join();
  size_t left_events = 0, left_kv = 0;
  {
    std::lock_guard lock(mu);
    left_events = events.size();
    left_kv = kv.size();
  }
  if (left_events + left_kv > 0)
    log("nats: stopped with " + std::to_string(left_events) + " events and " +
        std::to_string(left_kv) + " KV values not delivered");
}

NatsPublisher::Impl::~Impl() {
  if (kv_store != nullptr) kvStore_Destroy(kv_store);
  if (js != nullptr) jsCtx_Destroy(js);
  if (nc != nullptr) natsConnection_Destroy(nc);
  if (nats_options != nullptr) natsOptions_Destroy(nats_options);
}

Result<std::unique_ptr<NatsPublisher>> NatsPublisher::start(NatsOptions options) {
  if (Status s = check_options(options); !s) return s;
  auto impl = std::make_unique<Impl>(std::move(options));
  if (Status s = impl->connect(); !s) return s;
  impl->thread = std::thread([p = impl.get()] { p->run(); });
  return std::unique_ptr<NatsPublisher>(new NatsPublisher(std::move(impl)));
}

NatsPublisher::NatsPublisher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

NatsPublisher::~NatsPublisher() {
  impl_->shutdown();
  if (impl_->nc == nullptr) return;
  // nats.c calls back on its own thread with impl_ as the closure; the closed callback is the
  // last. Freed before it ran, impl_ could be used after free: left allocated instead.
  std::unique_lock lock(impl_->mu);
  if (!impl_->closed_cv.wait_for(lock, kCloseWait, [&] { return impl_->closed; })) {
    lock.unlock();
    impl_->log("nats: no closed callback from nats.c; its state is left allocated");
    (void)impl_.release();
  }
}

bool NatsPublisher::publish(std::string_view subject_suffix, std::string payload,
                            std::string msg_id) {
  Impl& m = *impl_;
  // With JetStream the stream takes <prefix>.events.>: anything else would find no stream.
  if (!valid_subject(subject_suffix) ||
      (m.options.jetstream && !subject_suffix.starts_with("events."))) {
    ++m.rejected;
    return false;
  }
  Event e{m.prefix_dot + std::string(subject_suffix), std::move(payload), std::move(msg_id),
          Clock::now()};
  bool accepted = false, first_drop = false, was_idle = false;
  {
    std::lock_guard lock(m.mu);
    if (m.events.size() >= m.options.buffer_capacity) {
      first_drop = ++m.dropped == m.drops_reported + 1;
    } else {
      was_idle = !m.has_work();
      m.events.push_back(std::move(e));
      ++m.buffered;
      accepted = true;
    }
  }
  // A thread with work already needs no wake-up: it is sending, or waiting for a connection.
  if (first_drop || was_idle) m.wake.notify_one();
  return accepted;
}

bool NatsPublisher::put_kv(std::string_view key, std::string value) {
  Impl& m = *impl_;
  if (m.options.kv_bucket.empty() || !valid_kv_key(key)) {
    ++m.rejected;
    return false;
  }
  bool accepted = true, first_drop = false, was_idle = false;
  {
    std::lock_guard lock(m.mu);
    was_idle = !m.has_work();
    auto it = m.kv.find(key);
    if (it != m.kv.end()) {
      it->second = KvValue{std::move(value), ++m.kv_versions, Clock::now()};
    } else if (m.kv.size() >= m.options.buffer_capacity) {
      first_drop = ++m.dropped == m.drops_reported + 1;
      accepted = false;
    } else {
      m.kv.emplace(std::string(key), KvValue{std::move(value), ++m.kv_versions, Clock::now()});
      ++m.buffered;
    }
  }
  if (first_drop || (accepted && was_idle)) m.wake.notify_one();
  return accepted;
}

bool NatsPublisher::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  return impl_->drained.wait_for(lock, timeout, [&] { return !impl_->has_work(); });
}

NatsPublisher::Stats NatsPublisher::stats() const {
  const Impl& m = *impl_;
  Stats s;
  s.published = m.published.load();
  s.buffered = m.buffered.load();
  s.dropped = m.dropped.load();
  s.rejected = m.rejected.load();
  s.failed_attempts = m.failed_attempts.load();
  s.connected = m.connected.load();
  s.total_latency = std::chrono::nanoseconds(m.total_latency_ns.load());
  s.last_latency = std::chrono::nanoseconds(m.last_latency_ns.load());
  return s;
}

}  // namespace fixgate::gateway
