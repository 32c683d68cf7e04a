// The initiator side of a connection: resolving, connecting (with a timeout, from a source
// address, TLS with SNI and host name verification), the hosts in turn, and reconnect backoff.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "fixgate/transport/connection.h"
#include "fixgate/transport/endpoint.h"
#include "fixgate/transport/loop.h"
#include "fixgate/transport/reconnect_policy.h"

namespace fixgate::transport {

// Where and how an initiator connects (the engine's SessionOptions fields of the same names).
struct InitiatorOptions {
  std::vector<Endpoint> connect;  // tried in turn: the primary, then the alternates
  std::optional<Endpoint> source;
  bool reuse_address = true;  // SO_REUSEADDR on the source address's bind
  std::chrono::milliseconds connect_timeout{10000};
  ReconnectPolicy reconnect;
  std::shared_ptr<asio::ssl::context> tls;  // null: plain TCP
  bool verify_peer = true;                  // TLS: the acceptor's certificate names its host
};

// What an initiator tells the owner of the connections it makes (a session), on the loop thread.
class InitiatorOwner {
 public:
  // Asked before each attempt: how long to wait before connecting is allowed, if at all.
  virtual std::optional<std::chrono::milliseconds> connect_delay() = 0;
  virtual void on_connecting() = 0;  // an attempt starts
  // The connection is up (TLS handshake done): the owner's now.
  virtual void on_connected(std::shared_ptr<Connection> connection) = 0;
  virtual void on_connect_failed() = 0;  // the attempt failed (said in a log line before)
  virtual void on_log(std::string text) = 0;

 protected:
  ~InitiatorOwner() = default;
};

// Makes an owner's connections, one attempt at a time; after a failure or a lost connection the
// next attempt waits min(max, initial * multiplier^attempts) ± jitter, and each wait is logged.
// Loop thread only: every member function runs on the thread that runs `loop` (asserted).
class Initiator {
 public:
  Initiator(Loop& loop, InitiatorOptions options, InitiatorOwner& owner);
  Initiator(const Initiator&) = delete;
  Initiator& operator=(const Initiator&) = delete;

  void start();  // attempts from now on, the first at once, the backoff from its start
  // No more attempts: the timers stop and the attempt in progress is dropped.
  void stop();
  // No more attempts after this one (a logout): what is connected or connecting now stays.
  void stop_reconnecting() {
    loop_.assert_in_loop();
    enabled_ = false;
  }
  // The owner's connection was lost: the next attempt after the backoff's wait.
  void schedule_reconnect();
  // Logged on: the next wait starts from the initial delay again.
  void reset_backoff() {
    loop_.assert_in_loop();
    attempts_ = 0;
    backoff_ms_.store(0, std::memory_order_relaxed);
  }
  // Attempts, failures and the backoff so far. Any thread.
  ConnectStats stats() const {
    return {.attempts = attempts_total_.load(std::memory_order_relaxed),
            .failures = failures_total_.load(std::memory_order_relaxed),
            .backoff = std::chrono::milliseconds(backoff_ms_.load(std::memory_order_relaxed))};
  }
  // When the next attempt starts while one waits for its backoff (system clock); nullopt while
  // connecting, connected or stopped. Any thread.
  std::optional<std::chrono::system_clock::time_point> next_attempt_at() const {
    const int64_t ns = next_attempt_ns_.load(std::memory_order_relaxed);
    if (ns == 0) return std::nullopt;
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(ns)));
  }

 private:
  void connect();
  // A fresh attempt_ for `ep` (TLS set up, bound to the source address if any); false (failed,
  // reported) when the source address cannot be bound.
  bool open_attempt(const Endpoint& ep, asio::ip::tcp protocol);
  void fail(const std::string& why);
  void connected(const std::string& where);  // where: the "host:port" connected to

  Loop& loop_;
  const InitiatorOptions options_;
  InitiatorOwner& owner_;
  bool enabled_ = false;                 // started, not stopped: attempts may start
  std::shared_ptr<Connection> attempt_;  // the connection being made, until handed over
  uint32_t attempts_ = 0;                // reconnect attempts since the last logon
  size_t next_endpoint_ = 0;
  std::mt19937 rng_{std::random_device{}()};
  asio::steady_timer reconnect_timer_;
  asio::steady_timer connect_timer_;  // connect_timeout of the attempt in progress
  // next_attempt_at() and stats(): written on the loop, read by any thread (status reports).
  std::atomic<int64_t> next_attempt_ns_{0};
  std::atomic<uint64_t> attempts_total_{0}, failures_total_{0};
  std::atomic<int64_t> backoff_ms_{0};
};

}  // namespace fixgate::transport
