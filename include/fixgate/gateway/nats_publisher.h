// The gateway's NATS publisher: status events on `<prefix>.<suffix>` and each LP's current status
// in a JetStream KV bucket, sent by one thread of its own from a bounded in-memory buffer, so that
// a FIX session thread never waits for NATS and the gateway runs while NATS is down.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "fixgate/base/result.h"

namespace fixgate::gateway {

struct NatsOptions {
  std::string url;                         // "nats://host:port", or several comma-separated
  std::string subject_prefix = "fixgate";  // first subject tokens: "fixgate", "vfxlp", "a.b"
  size_t buffer_capacity = 10000;          // events waiting (and, apart, KV keys); more are dropped
  bool jetstream = false;   // publish events to a JetStream stream, deduplicated by msg_id
  std::string stream_name;  // the stream; "" = upper-cased prefix + "_EVENTS" ("VFXLP_EVENTS")
  std::string kv_bucket;    // JetStream KV bucket for put_kv (created if missing); "" = no KV
  std::string connection_name = "fixgate";          // how the server lists this client
  std::chrono::milliseconds reconnect_wait{1000};   // between connection attempts
  std::chrono::milliseconds publish_timeout{2000};  // for an acknowledgement, then a retry
  std::chrono::milliseconds ping_interval{10000};   // a silent dead server: lost after 2 PINGs
  std::chrono::seconds drop_log_interval{10};       // at most one drop line per interval
  // Connection changes, failures and drops, one line each; called from the publisher's and
  // nats.c's threads, never from publish(), so it must be thread-safe but may be slow.
  std::function<void(std::string_view)> on_log;
};

// Threads and ownership:
// - publish() and put_kv() may be called from any thread. They only take the buffer's lock to
//   append (no I/O, no wait for NATS) and read a clock: the FIX session threads call them.
// - One publisher thread owns the NATS side: it alone calls nats.c to publish, and it alone
//   removes from the buffer, an item only once NATS acknowledged it (a flush round trip, or the
//   JetStream ack), so while NATS is down items stay buffered, in order, and are retried.
// - nats.c's own threads connect and reconnect (forever) and call back on connection changes;
//   the callbacks only wake the publisher thread and log.
// - stats() reads atomics only. The destructor stops and joins the thread (bounded even when
//   NATS is down) and logs what was left undelivered; call flush() first to deliver it.
//
// Delivery: core NATS is at-least-once from the buffer. After a connection is lost mid-batch the
// unacknowledged batch is sent again, so a subscriber may see an event twice (msg_id travels in
// the Nats-Msg-Id header to tell), and an event published at the very moment the connection
// dropped may arrive ahead of the batch's others; events buffered while NATS was down arrive in
// order. With `jetstream`, events go one at a time and JetStream drops a repeated msg_id within
// the stream's duplicate window (two minutes by default): each stored once, in order.
class NatsPublisher {
 public:
  struct Stats {
    uint64_t published = 0;        // events and KV values acknowledged by NATS
    uint64_t buffered = 0;         // events and KV values waiting now (those in flight included)
    uint64_t dropped = 0;          // refused because the buffer was full
    uint64_t rejected = 0;         // refused for good: bad subject or key, or refused by server
    uint64_t failed_attempts = 0;  // sends that failed and will be retried (NATS down, timeout)
    bool connected = false;
    // From publish()/put_kv() to NATS's acknowledgement, time in the buffer included.
    std::chrono::nanoseconds total_latency{0};  // over all `published`
    std::chrono::nanoseconds last_latency{0};
  };

  // Fails only for options that can never work (a malformed URL, prefix, bucket or stream
  // name, no capacity); NATS being down is not a failure: it keeps trying to connect.
  static Result<std::unique_ptr<NatsPublisher>> start(NatsOptions options);
  ~NatsPublisher();
  NatsPublisher(const NatsPublisher&) = delete;
  NatsPublisher& operator=(const NatsPublisher&) = delete;

  // Queues `payload` for `<prefix>.<subject_suffix>` ("events.lpstatus"); with `jetstream`,
  // `msg_id` is the JetStream Nats-Msg-Id ("" = no deduplication). Never blocks. False when
  // the buffer is full (counted in `dropped`) or the suffix is not a valid subject (`rejected`).
  bool publish(std::string_view subject_suffix, std::string payload, std::string msg_id = {});

  // Queues `value` as the current value of `key` in the KV bucket; a newer value for a key still
  // waiting replaces it (only the latest value matters). False without a bucket, for a bad key
  // (`rejected`), or when `buffer_capacity` other keys are already waiting (`dropped`).
  bool put_kv(std::string_view key, std::string value);

  // Waits until the buffer is empty (everything acknowledged) or `timeout` passed; true if empty.
  bool flush(std::chrono::milliseconds timeout);

  Stats stats() const;

  struct Impl;  // src/gateway/nats_publisher_impl.h

 private:
  explicit NatsPublisher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgate::gateway
