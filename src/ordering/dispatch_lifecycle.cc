// The keyed dispatcher's lifecycle side: idle keys (expiry by time and by count), stalled
// handlers, stop and join, and the snapshots. dispatch_core.cc has the message path and the
// invariants both files keep.
#include <algorithm>
#include <cassert>

#include "dispatch_shard.h"
#include "fixgate/ordering/dispatch_core.h"  // IWYU pragma: associated

namespace fixgate::ordering::detail {

namespace {
bool live(const IdleRing<KeyState>::Entry& e) {
  return e.state->idle && e.state->idle_stamp == e.stamp;
}
}  // namespace

void DispatchCore::make_idle(Shard& s, KeyState& k, TimePoint now, uint64_t stamp) {
  assert(!k.idle && !k.head && !k.running_since);
  k.idle = true;
  k.idle_stamp = stamp;
  bool was_empty = s.idle.empty();
  s.idle.push_back({&k, stamp, now});
  ++s.idle_count;
  if (!k.counted_idle) {
    k.counted_idle = true;
    idle_keys_.fetch_add(1, std::memory_order_relaxed);
  }
  // Amortised O(1): at least idle_count + 64 pushes between two compactions.
  if (s.idle.size() > 2 * s.idle_count + 64) {
    s.idle.compact(live);
    publish_oldest(s);
  } else if (was_empty) {
    publish_oldest(s);
  }
  // Expire a little on every finish, so memory stays bounded without the monitor thread.
  expire_shard(s, now, 2);
}

// Publishes the front entry's stamp, live or stale (then older than the oldest live one).
void DispatchCore::publish_oldest(Shard& s) {
  s.oldest_idle.store(s.idle.empty() ? UINT64_MAX : s.idle.front().stamp,
                      std::memory_order_relaxed);
}

// Drops stale entries from the front of the idle ring, so the front is the oldest live key.
// Stale entries are safe to read: a key is destroyed only from the front of the ring, with its
// live entry, which is its latest, so its stale entries have gone before it.
void DispatchCore::settle_front(Shard& s) {
  while (!s.idle.empty() && !live(s.idle.front())) s.idle.pop_front();
  publish_oldest(s);
}

// Destroys the key at the front of the idle ring (settled: a live entry).
void DispatchCore::forget_oldest(Shard& s) {
  KeyState* k = s.idle.front().state;
  assert(live(s.idle.front()));
  s.idle.pop_front();
  --s.idle_count;
  if (k->counted_idle) idle_keys_.fetch_sub(1, std::memory_order_relaxed);
  ++s.expired;
  s.keys.erase(k);
  publish_oldest(s);
}

// Forgets the least recently active idle keys, across shards, while there are too many.
void DispatchCore::bound_idle_keys() {
  while (idle_keys_.load(std::memory_order_relaxed) > options_.max_idle_keys) {
    Shard* oldest = nullptr;
    uint64_t oldest_stamp = UINT64_MAX;
    for (size_t i = 0; i <= shard_mask_; ++i) {
      uint64_t stamp = shards_[i].oldest_idle.load(std::memory_order_relaxed);
      if (stamp < oldest_stamp) {
        oldest_stamp = stamp;
        oldest = &shards_[i];
      }
    }
    if (!oldest) return;  // the count is only of keys active again, not yet finished
    auto lk = lock_spinning(oldest->mu);
    settle_front(*oldest);
    // Another thread may have changed the front meanwhile; then look again.
    if (!oldest->idle.empty() && oldest->idle.front().stamp == oldest_stamp &&
        idle_keys_.load(std::memory_order_relaxed) > options_.max_idle_keys)
      forget_oldest(*oldest);
  }
}

size_t DispatchCore::expire_shard(Shard& s, TimePoint now, size_t budget) {
  size_t n = 0;
  // The ring is in the order keys went idle, so the expired ones are a prefix of it; a stale
  // entry is older than any live one behind it. Nothing expired: the key states go untouched.
  while (n < budget && !s.idle.empty() && now - s.idle.front().since >= options_.idle_timeout) {
    if (live(s.idle.front())) {
      forget_oldest(s);
      ++n;
    } else {
      s.idle.pop_front();
      publish_oldest(s);
    }
  }
  return n;
}

size_t DispatchCore::expire_idle(TimePoint now) {
  size_t n = 0;
  for (size_t i = 0; i <= shard_mask_; ++i) {
    auto lk = lock_spinning(shards_[i].mu);
    n += expire_shard(shards_[i], now, SIZE_MAX);
  }
  return n;
}

size_t DispatchCore::check_stalls(TimePoint now) {
  if (options_.stall_threshold <= Duration::zero()) return 0;
  std::vector<StallReport> reports;
  for (size_t i = 0; i < options_.workers; ++i) {
    WorkerSlot& s = slots_[i];
    std::lock_guard lk(s.mu);
    if (!s.busy || s.stall_reported || now - s.started < options_.stall_threshold) continue;
    s.stall_reported = true;
    reports.push_back(
        StallReport{s.key ? s.key->key : std::string(), i, s.started, now - s.started});
  }
  stalls_.fetch_add(reports.size(), std::memory_order_relaxed);
  // Outside the locks: the callback may log, snapshot, or even submit.
  if (on_stall_) {
    for (const StallReport& r : reports) on_stall_(r);
  }
  return reports.size();
}

std::vector<std::pair<Node*, std::optional<SessionKey>>> DispatchCore::stop(DrainPolicy policy) {
  std::vector<std::pair<Node*, std::optional<SessionKey>>> back;
  {
    // Every shard and the run queue: no submit is half done, no worker between two steps.
    std::vector<std::unique_lock<std::mutex>> locks;
    locks.reserve(shard_mask_ + 2);
    for (size_t i = 0; i <= shard_mask_; ++i) locks.emplace_back(shards_[i].mu);
    locks.emplace_back(run_mu_);
    if (state_.load() != State::kRunning) return back;
    state_.store(State::kStopping);
    if (policy == DrainPolicy::kHandBack) {
      std::vector<Node*> nodes;
      nodes.reserve(queued_.load());
      std::vector<std::pair<KeyState*, uint64_t>> emptied;  // with their last message's number
      for (size_t i = 0; i <= shard_mask_; ++i) {
        Shard& s = shards_[i];
        s.keys.for_each([&](KeyState& k) {
          if (!k.head) return true;
          // A head neither running nor in the run queue is a worker's, about to start: it runs.
          Node* keep = !k.running_since && !k.head->in_run ? k.head : nullptr;
          Node* first = keep ? keep->next : k.head;
          if (!first) return true;
          for (Node* n = first; n; n = n->next) nodes.push_back(n);
          uint64_t last = k.tail->seq;
          if (keep) {
            keep->next = nullptr;
            k.tail = keep;
            k.queued = 1;
          } else {
            k.head = k.tail = nullptr;
            k.queued = 0;
            if (!k.running_since) emptied.emplace_back(&k, last);
          }
          return true;
        });
      }
      // After the keys: their walk reads in_run.
      for (Node* n = run_head_; n; n = n->run_next) {
        n->in_run = false;
        if (!n->key) nodes.push_back(n);
      }
      run_head_ = run_tail_ = nullptr;
      runnable_.store(0, std::memory_order_relaxed);
      std::sort(nodes.begin(), nodes.end(), [](Node* a, Node* b) { return a->seq < b->seq; });
      back.reserve(nodes.size());
      // Keys are copied out before any key state can be expired below.
      for (Node* n : nodes) {
        std::optional<SessionKey> key;
        if (n->key) key = SessionKey::make(n->key->key).value();
        n->key = nullptr;
        back.emplace_back(n, std::move(key));
      }
      TimePoint now = options_.clock->now();
      for (auto [k, stamp] : emptied) {
        --k->shard->active_keys;
        k->last_activity = now;
        make_idle(*k->shard, *k, now, stamp);  // may expire keys idle before, not `emptied`
      }
    }
    work_cv_.notify_all();
  }
  if (!back.empty()) {
    release_room(back.size());
    done(back.size());
  }
  {
    std::lock_guard lk(wait_mu_);
    space_cv_.notify_all();
    idle_cv_.notify_all();
  }
  if (idle_keys_.load(std::memory_order_relaxed) > options_.max_idle_keys) bound_idle_keys();
  return back;
}

void DispatchCore::join() {
  std::lock_guard join_lk(join_mu_);
  assert(state_.load() != State::kRunning);  // stop() first, or the workers never leave
  std::vector<std::thread> workers;
  std::thread monitor;
  workers.swap(workers_);
  monitor.swap(monitor_);
  {
    std::lock_guard lk(wait_mu_);
    monitor_stop_ = true;
    monitor_cv_.notify_all();
  }
  for (std::thread& t : workers) t.join();
  if (monitor.joinable()) monitor.join();
  if (state_.load() == State::kStopping && workers_.empty()) {
    std::lock_guard lk(wait_mu_);
    state_.store(State::kStopped);
    idle_cv_.notify_all();
  }
}

void DispatchCore::monitor_loop() {
  std::unique_lock lk(wait_mu_);
  while (!monitor_stop_) {
    monitor_cv_.wait_for(lk, options_.monitor_interval, [&] { return monitor_stop_; });
    if (monitor_stop_) break;
    lk.unlock();
    TimePoint now = options_.clock->now();
    check_stalls(now);
    expire_idle(now);
    lk.lock();
  }
}

void DispatchCore::wait_idle() {
  idle_waiters_.fetch_add(1);
  {
    std::unique_lock lk(wait_mu_);
    // Pairs with done(): it lowers outstanding_ before it reads idle_waiters_.
    idle_cv_.wait(lk, [&] { return outstanding_.load() == 0 || state_.load() == State::kStopped; });
  }
  idle_waiters_.fetch_sub(1);
}

namespace {
KeyStats stats_of(const KeyState& k) {
  return KeyStats{k.key, k.queued, k.processed, k.failed, k.last_activity, k.running_since};
}
}  // namespace

DispatcherStats DispatchCore::stats() const {
  DispatcherStats st;
  st.workers = options_.workers;
  st.capacity = options_.capacity;
  for (size_t i = 0; i <= shard_mask_; ++i) {
    Shard& s = shards_[i];
    auto lk = lock_spinning(s.mu);
    st.active_keys += s.active_keys;
    st.tracked_keys += s.keys.size();
    st.submitted += s.submitted;
    st.expired_keys += s.expired;
  }
  {
    auto lk = lock_spinning(run_mu_);
    st.submitted += keyless_submitted_;
  }
  for (size_t i = 0; i < options_.workers; ++i) {
    WorkerSlot& w = slots_[i];
    std::lock_guard lk(w.mu);
    if (w.busy) ++st.running;
    st.processed += w.processed;
    st.failed += w.failed;
    st.retries += w.retries;
    st.dead_letter_errors += w.dead_letter_errors;
  }
  st.queued = queued_.load();
  st.waiting_producers = waiting_producers_.load();
  st.accepting = state_.load() == State::kRunning;
  st.refused = refused_.load();
  st.stalls = stalls_.load();
  return st;
}

std::optional<KeyStats> DispatchCore::key_stats(std::string_view key) const {
  size_t hash = hash_key(key);
  Shard& s = shard_of(hash);
  auto lk = lock_spinning(s.mu);
  const KeyState* k = s.keys.find(key, hash);
  if (!k) return std::nullopt;
  return stats_of(*k);
}

std::vector<KeyStats> DispatchCore::active_keys(size_t limit) const {
  std::vector<KeyStats> out;
  for (size_t i = 0; i <= shard_mask_ && out.size() < limit; ++i) {
    Shard& s = shards_[i];
    auto lk = lock_spinning(s.mu);
    s.keys.for_each([&](const KeyState& k) {
      if (out.size() >= limit) return false;
      if (!k.head && !k.running_since) return true;
      out.push_back(stats_of(k));
      return true;
    });
  }
  return out;
}

}  // namespace fixgate::ordering::detail
