// Private to dispatch_core.cc: the per-key state, the shards that own it, node pools and the
// worker slots. Each struct names the lock that guards it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "fixgate/ordering/dispatch_core.h"
#include "key_table.h"

namespace fixgate::ordering::detail {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
// Spin briefly before sleeping on a mutex: its holders keep it for a few pointer moves, while a
// futex sleep and wake-up costs microseconds.
inline void relock_spinning(std::unique_lock<std::mutex>& lk) {
  for (int i = 0; i < 32; ++i) {
    if (lk.try_lock()) return;
    cpu_relax();
  }
  lk.lock();
}
inline std::unique_lock<std::mutex> lock_spinning(std::mutex& mu) {
  std::unique_lock<std::mutex> lk(mu, std::defer_lock);
  relock_spinning(lk);
  return lk;
}

// Guarded by its shard's lock, except `key`, `hash` and `shard`, which never change.
struct KeyState {
  std::string key;
  size_t hash = 0;
  Shard* shard = nullptr;
  Node* head = nullptr;
  Node* tail = nullptr;
  size_t queued = 0;
  uint64_t processed = 0;
  uint64_t failed = 0;
  TimePoint last_activity;
  std::optional<TimePoint> running_since;
  bool idle = false;  // nothing queued or running; its live entry in the idle ring has idle_stamp
  // Counted in DispatchCore::idle_keys_: idle, or active again with no message finished since.
  // Only workers move the count, so a producer touches nothing shared but the key's shard.
  bool counted_idle = false;
  uint64_t idle_stamp = 0;  // arrival number of its last message: the LRU order across shards
};

inline size_t hash_key(std::string_view key) { return std::hash<std::string_view>()(key); }

struct alignas(64) Shard {
  std::mutex mu;  // guards everything below except oldest_idle
  KeyTable<KeyState> keys;
  IdleRing<KeyState> idle;  // least recently active first; entries may be stale
  size_t idle_count = 0;    // live entries in `idle`
  // The stamp of the front live idle entry, or an older one (UINT64_MAX: none). Read without
  // the lock to choose which shard gives up a key when there are too many.
  std::atomic<uint64_t> oldest_idle{UINT64_MAX};
  size_t active_keys = 0;  // with a message queued or running
  uint64_t submitted = 0;
  uint64_t expired = 0;
  NodePool pool;
};

// One worker's current run and its counters; `mu` guards them against check_stalls and stats().
struct alignas(64) WorkerSlot {
  std::mutex mu;
  bool busy = false;
  bool stall_reported = false;
  KeyState* key = nullptr;  // cannot expire while set: its key is running
  TimePoint started;
  uint64_t processed = 0;
  uint64_t failed = 0;
  uint64_t retries = 0;
  uint64_t dead_letter_errors = 0;
};

}  // namespace fixgate::ordering::detail
