// The inside of NatsPublisher, shared by nats_publisher.cc (the buffer, the thread, core NATS)
// and nats_jetstream.cc (the stream and the KV bucket). Who owns what: nats_publisher.h.
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fixgate/gateway/nats_publisher.h"
#include "nats_names.h"

namespace fixgate::gateway::nats_detail {

using Clock = std::chrono::steady_clock;

// Events taken from the buffer per round: one flush round trip acknowledges them all.
constexpr size_t kBatch = 256;
struct Event {
  std::string subject;  // prefix included
  std::string payload;
  std::string msg_id;
  Clock::time_point queued_at;
};

struct KvValue {
  std::string value;
  uint64_t version = 0;  // which put_kv() this is; a newer one for the same key replaces it
  Clock::time_point queued_at;
};

inline int64_t to_ms(std::chrono::milliseconds d) { return static_cast<int64_t>(d.count()); }

inline std::string status_text(natsStatus s, jsErrCode js_error = static_cast<jsErrCode>(0)) {
  std::string text = natsStatus_GetText(s);
  if (js_error != 0) text += " (JetStream error " + std::to_string(js_error) + ")";
  return text;
}

}  // namespace fixgate::gateway::nats_detail

namespace fixgate::gateway {

struct NatsPublisher::Impl {
  using Clock = nats_detail::Clock;
  using Event = nats_detail::Event;
  using KvValue = nats_detail::KvValue;

  explicit Impl(NatsOptions o)
      : options(std::move(o)),
        prefix_dot(options.subject_prefix + "."),
        stream(options.stream_name.empty() ? default_stream_name(options.subject_prefix)
                                           : options.stream_name) {}
  ~Impl();

  Status connect();
  void run();
  void shutdown();

  // Publisher thread: one round of sending; false when something failed and must wait.
  bool send_some();
  bool send_events();
  bool send_core(const std::vector<const Event*>& batch);
  natsStatus publish_core(const Event& e);
  bool send_jetstream(const std::vector<const Event*>& batch);
  bool send_kv();
  bool ensure_jetstream();
  bool ensure_stream();
  bool ensure_kv();
  void acknowledge_events(size_t n);
  void reject_front_event(const std::string& why);
  void acknowledge_kv(const std::string& key, const KvValue& sent, bool rejected);
  void note_failure(const std::string& what, natsStatus s, jsErrCode js_error = {});
  void count_latency(Clock::time_point queued_at, Clock::time_point now);

  // Under mu.
  bool has_work() const { return !events.empty() || !kv.empty(); }
  bool drop_report_due(Clock::time_point now) const {
    return dropped.load() > drops_reported && now >= next_drop_report;
  }
  std::string drop_report(Clock::time_point now);

  void connection_changed(bool up, const std::string& line);
  void log(const std::string& line) const {
    if (options.on_log) options.on_log(line);
  }

  const NatsOptions options;
  const std::string prefix_dot;  // "fixgate."
  const std::string stream;      // the JetStream stream of the events

  // mu guards everything from here to the counters. The publisher thread holds it only to look
  // at or change the buffer, never across a nats.c call or on_log.
  mutable std::mutex mu;
  std::condition_variable wake;     // the thread: work, connection change, drop to report, stop
  std::condition_variable drained;  // flush(): the buffer became empty
  std::condition_variable closed_cv;
  // Invariant: only the publisher thread removes events, from the front. std::deque keeps
  // references to its elements valid across push_back, so the thread sends from pointers to the
  // front events without holding mu while publish() appends.
  std::deque<Event> events;
  std::map<std::string, KvValue, std::less<>> kv;
  uint64_t kv_versions = 0;
  bool stop = false;
  bool closed = false;            // nats.c's closed callback ran: no callback comes after it
  uint64_t connection_epoch = 0;  // +1 at every (re)connection
  uint64_t drops_reported = 0;
  Clock::time_point next_drop_report = Clock::time_point::min();

  // Read by stats() without mu.
  std::atomic<bool> connected{false};  // written under mu (so that waits see it change)
  std::atomic<uint64_t> published{0}, buffered{0}, dropped{0}, rejected{0}, failed_attempts{0};
  std::atomic<int64_t> total_latency_ns{0}, last_latency_ns{0};

  natsOptions* nats_options = nullptr;
  natsConnection* nc = nullptr;  // made by connect(), destroyed by ~Impl after the thread ended
  // The publisher thread's own.
  jsCtx* js = nullptr;
  kvStore* kv_store = nullptr;
  bool stream_ready = false;
  std::string last_failure;  // logged once until something is acknowledged again
  std::vector<const Event*> batch;

  std::thread thread;
};

}  // namespace fixgate::gateway
