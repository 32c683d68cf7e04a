// Configuration, results and statistics of the keyed dispatcher (keyed_dispatcher.h). Plain
// data: the admin API and metrics read these without knowing the message type.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fixgate/base/result.h"
#include "fixgate/ordering/clock.h"

namespace fixgate::ordering {

// What submit() does when `capacity` messages are already waiting.
enum class FullPolicy : uint8_t {
  kBlock,   // wait for room: backpressure reaches the producer. A blocked producer resumes
            // once a quarter of the capacity is free, or when a worker runs out of work
  kRefuse,  // return SubmitResult::kFull at once; the caller keeps the message
};

// What shutdown() does with messages that have not started.
enum class DrainPolicy : uint8_t {
  kFinishQueued,  // run every queued message, in order, then stop
  kHandBack,      // run none of them: return them to the caller in arrival order
};

enum class [[nodiscard]] SubmitResult : uint8_t{
    kAccepted,
    kFull,     // refused: the queue is at capacity (kRefuse, or try_submit)
    kStopped,  // refused: the dispatcher is shutting down
};
std::string_view to_string(SubmitResult r);

// A throwing handler runs again after initial_backoff, then backoff * multiplier each time, up
// to max_backoff; after max_retries retries the message goes to the dead-letter callback.
struct RetryPolicy {
  uint32_t max_retries = 3;
  Duration initial_backoff = std::chrono::milliseconds(1);
  double multiplier = 2.0;
  Duration max_backoff = std::chrono::milliseconds(100);

  // The wait before retry number `retry` (0-based).
  Duration backoff(uint32_t retry) const;
};

struct DispatcherOptions {
  size_t workers = 4;
  // Messages waiting (accepted, not yet started) across all keys. Never unbounded.
  size_t capacity = 65536;
  FullPolicy when_full = FullPolicy::kBlock;
  RetryPolicy retry;
  // A handler running this long is reported once through on_stall. Zero disables detection.
  Duration stall_threshold = std::chrono::seconds(5);
  // A key with nothing queued or running is forgotten this long after its last activity.
  Duration idle_timeout = std::chrono::seconds(60);
  // At most this many idle keys are remembered; the least recently active go first.
  size_t max_idle_keys = 1'000'000;
  // How often a monitor thread runs check_stalls() and expire_idle(). Zero: no monitor thread;
  // the owner calls them (tests do, with a ManualClock).
  Duration monitor_interval = std::chrono::milliseconds(100);
  // How long one worker that ran out of work watches for more before it sleeps: a message
  // arriving meanwhile starts without a futex wake-up (microseconds). It burns that much CPU
  // each time work runs out; zero disables it (hosts with more busy threads than cores).
  Duration idle_spin = std::chrono::microseconds(20);
  std::shared_ptr<const Clock> clock = Clock::steady();

  // Why these options cannot run (zero workers, zero capacity, a null clock …), or ok.
  Status validate() const;
};

// A handler that has been running for longer than the stall threshold.
struct StallReport {
  std::string key;  // empty for a keyless message
  size_t worker = 0;
  TimePoint started;
  Duration running_for{};
};

// One key's lifecycle, as seen at snapshot time.
struct KeyStats {
  std::string key;
  size_t queued = 0;                       // waiting, not started
  uint64_t processed = 0;                  // finished: handled, or dead-lettered
  uint64_t failed = 0;                     // dead-lettered (a subset of processed)
  TimePoint last_activity;                 // last submit or finish
  std::optional<TimePoint> running_since;  // a handler for this key started then and still runs
};

// Totals over the dispatcher's lifetime (counters) and at snapshot time (gauges).
struct DispatcherStats {
  size_t workers = 0;
  size_t capacity = 0;
  size_t queued = 0;             // gauge: waiting, not started
  size_t running = 0;            // gauge: handlers running now
  size_t active_keys = 0;        // gauge: keys with a message queued or running
  size_t tracked_keys = 0;       // gauge: active plus idle keys not yet expired
  size_t waiting_producers = 0;  // gauge: submit() calls blocked on a full queue
  bool accepting = true;
  uint64_t submitted = 0;
  uint64_t processed = 0;
  uint64_t failed = 0;  // dead-lettered after all retries
  uint64_t retries = 0;
  uint64_t refused = 0;  // kFull results
  uint64_t stalls = 0;   // stall reports made
  uint64_t expired_keys = 0;
  uint64_t dead_letter_errors = 0;  // the dead-letter callback itself threw
};

}  // namespace fixgate::ordering
