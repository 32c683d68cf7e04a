// KeyedDispatcher<T>: runs a handler for messages on a pool of workers. Messages with the same
// key run one at a time in arrival order; different keys and keyless messages run concurrently.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/ordering/dispatch_core.h"
#include "fixgate/ordering/dispatcher_options.h"
#include "fixgate/ordering/session_key.h"

namespace fixgate::ordering {

// A message whose handler failed 1 + max_retries times.
template <typename T>
struct DeadLetter {
  std::string key;  // empty for a keyless message
  T message;
  std::exception_ptr error;  // what the last attempt threw
  uint32_t attempts = 0;
};

// A queued message handed back by shutdown(DrainPolicy::kHandBack).
template <typename T>
struct Pending {
  std::optional<SessionKey> key;
  T message;
};

// Thread-safe: any thread may submit, snapshot or shut down. Memory is bounded: at most
// `capacity` waiting messages, and idle keys expire (DispatcherOptions). T must be movable.
template <typename T>
class KeyedDispatcher final : private detail::NodeOps {
 public:
  // Called on a worker; `key` is empty for keyless messages. Throwing means "retry".
  using Handler = std::function<void(std::string_view key, T& message)>;
  using DeadLetterHandler = std::function<void(DeadLetter<T>&& letter)>;
  using StallHandler = std::function<void(const StallReport& report)>;

  // Starts the workers. `options` must pass options.validate() (asserted; use create() for
  // options from configuration). Callbacks may be empty: dead letters are then dropped (and
  // counted), stalls only counted.
  KeyedDispatcher(DispatcherOptions options, Handler handler, DeadLetterHandler on_dead_letter = {},
                  StallHandler on_stall = {})
      : handler_(std::move(handler)),
        on_dead_letter_(std::move(on_dead_letter)),
        core_(std::move(options), *this, std::move(on_stall)) {
    core_.start();
  }
  // The dispatcher, or why `options` cannot work.
  static Result<std::unique_ptr<KeyedDispatcher>> create(DispatcherOptions options, Handler handler,
                                                         DeadLetterHandler on_dead_letter = {},
                                                         StallHandler on_stall = {}) {
    Status s = options.validate();
    if (!s.is_ok()) return s;
    return std::make_unique<KeyedDispatcher>(std::move(options), std::move(handler),
                                             std::move(on_dead_letter), std::move(on_stall));
  }
  // Finishes every queued message (DrainPolicy::kFinishQueued) unless shutdown() ran already.
  ~KeyedDispatcher() { shutdown(DrainPolicy::kFinishQueued); }
  KeyedDispatcher(const KeyedDispatcher&) = delete;
  KeyedDispatcher& operator=(const KeyedDispatcher&) = delete;

  // Queues `message` under `key` (nullopt: no ordering). When the queue is full, blocks or
  // refuses by options().when_full. `message` is moved from only when kAccepted. The key is
  // copied only when the dispatcher does not track it yet.
  SubmitResult submit(const std::optional<SessionKey>& key, T&& message) {
    return core_.submit(key ? &*key : nullptr, blocks(), &fill, &message);
  }
  SubmitResult submit(const SessionKey& key, T&& message) {
    return core_.submit(&key, blocks(), &fill, &message);
  }
  // As submit(), but never blocks: kFull when there is no room.
  SubmitResult try_submit(const std::optional<SessionKey>& key, T&& message) {
    return core_.submit(key ? &*key : nullptr, false, &fill, &message);
  }
  SubmitResult try_submit(const SessionKey& key, T&& message) {
    return core_.submit(&key, false, &fill, &message);
  }

  // Stops intake (later submits give kStopped, blocked ones wake with kStopped), then drains by
  // `policy`, waits for running handlers, and returns what was handed back. Idempotent. Never
  // call it (or join()) from a handler: it waits for that handler's worker.
  std::vector<Pending<T>> shutdown(DrainPolicy policy) {
    std::vector<Pending<T>> back = stop(policy);
    join();
    return back;
  }
  // shutdown() in two steps, for owners that must act between them (e.g. release a handler
  // blocked on them): stop() returns at once with the handed-back messages; join() waits.
  std::vector<Pending<T>> stop(DrainPolicy policy) {
    std::vector<Pending<T>> back;
    for (auto& [node, key] : core_.stop(policy)) {
      auto* n = static_cast<TypedNode*>(node);
      back.push_back(Pending<T>{std::move(key), std::move(*n->value)});
      n->value.reset();
      core_.recycle(node);
    }
    return back;
  }
  void join() { core_.join(); }

  // Blocks until nothing is queued or running (or the dispatcher has stopped).
  void wait_idle() { core_.wait_idle(); }
  // Reports, once each, handlers running for at least stall_threshold at `now`. Returns the
  // number reported. The monitor thread calls this with the clock's now.
  size_t check_stalls(TimePoint now) { return core_.check_stalls(now); }
  // Forgets idle keys whose last activity is at least idle_timeout before `now`; returns how many.
  size_t expire_idle(TimePoint now) { return core_.expire_idle(now); }

  DispatcherStats stats() const { return core_.stats(); }
  // One key's lifecycle, or nullopt if the key is not tracked (never seen, or expired).
  std::optional<KeyStats> key_stats(std::string_view key) const { return core_.key_stats(key); }
  // Keys with a message queued or running, at most `limit` of them, in no particular order.
  std::vector<KeyStats> active_keys(size_t limit = SIZE_MAX) const {
    return core_.active_keys(limit);
  }
  const DispatcherOptions& options() const { return core_.options(); }

 private:
  struct TypedNode final : detail::Node {
    std::optional<T> value;
  };

  bool blocks() const { return core_.options().when_full == FullPolicy::kBlock; }
  static void fill(void* context, detail::Node* node) {
    static_cast<TypedNode*>(node)->value.emplace(std::move(*static_cast<T*>(context)));
  }

  detail::Node* new_node() override { return new TypedNode(); }
  void delete_node(detail::Node* node) noexcept override { delete static_cast<TypedNode*>(node); }

  detail::RunOutcome execute(detail::Node* node, std::string_view key) noexcept override {
    auto& n = *static_cast<TypedNode*>(node);
    detail::RunOutcome out;
    const RetryPolicy& retry = core_.options().retry;
    std::exception_ptr error;
    for (uint32_t attempt = 0;; ++attempt) {
      try {
        handler_(key, *n.value);
        break;
      } catch (...) {
        if (attempt >= retry.max_retries) {
          error = std::current_exception();
          out.failed = true;
          break;
        }
      }
      // The key stays blocked during the backoff: its next message must not overtake this one.
      ++out.retries;
      std::this_thread::sleep_for(retry.backoff(attempt));
    }
    if (out.failed && on_dead_letter_) {
      try {
        on_dead_letter_(DeadLetter<T>{std::string(key), std::move(*n.value), std::move(error),
                                      out.retries + 1});
      } catch (...) {
        out.dead_letter_threw = true;
      }
    }
    n.value.reset();
    return out;
  }

  Handler handler_;
  DeadLetterHandler on_dead_letter_;
  detail::DispatchCore core_;  // last: its workers use the members above
};

}  // namespace fixgate::ordering
