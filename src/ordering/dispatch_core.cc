// The keyed dispatcher's engine. Keys are spread over shards by hash, each with its own lock;
// the run queue has its own; counters a producer and a worker would both write are atomics or
// per worker. Handlers run outside every lock.
//
// Invariants:
//  - A key with queued messages is either running (its head is not in the run queue) or its
//    head node is in the run queue; never both, so one key never runs on two workers. Both
//    changes happen under the key's shard lock (the run queue is pushed with it held).
//  - Nodes of a key are queued in arrival order and only the head is ever started.
//  - queued_ counts nodes accepted and not yet started; it never exceeds capacity.
//  - outstanding_ counts nodes accepted and not yet finished; it reaches zero only after the
//    finished message's bookkeeping, so wait_idle() returns to consistent statistics.
//  - A key is idle, with one live entry in its shard's idle ring, iff nothing of it is queued
//    or running.
//  - A key's head that is neither running nor in the run queue has been popped by a worker
//    that is about to start it; stop() leaves it to that worker.
#include "fixgate/ordering/dispatch_core.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>

#include "dispatch_shard.h"

namespace fixgate::ordering {

std::string_view to_string(SubmitResult r) {
  switch (r) {
    case SubmitResult::kAccepted:
      return "accepted";
    case SubmitResult::kFull:
      return "refused: queue full";
    case SubmitResult::kStopped:
      return "refused: dispatcher stopped";
  }
  return "unknown";
}

Duration RetryPolicy::backoff(uint32_t retry) const {
  double scaled = static_cast<double>(initial_backoff.count()) *
                  std::pow(std::max(multiplier, 1.0), static_cast<double>(retry));
  double cap = static_cast<double>(max_backoff.count());
  return Duration(static_cast<Duration::rep>(std::min(scaled, cap)));
}

Status DispatcherOptions::validate() const {
  if (workers == 0) return Status::error("dispatcher: workers must be at least 1");
  if (capacity == 0) return Status::error("dispatcher: capacity must be at least 1");
  if (!clock) return Status::error("dispatcher: null clock");
  if (retry.initial_backoff < Duration::zero() || retry.max_backoff < Duration::zero())
    return Status::error("dispatcher: negative retry backoff");
  if (stall_threshold < Duration::zero() || idle_timeout < Duration::zero() ||
      monitor_interval < Duration::zero() || idle_spin < Duration::zero())
    return Status::error("dispatcher: negative duration");
  return Status::ok();
}

namespace detail {
namespace {

constexpr size_t kLocalNodes = 64;  // a pool keeps at most this many free nodes at hand
constexpr size_t kNodeBatch = 32;   // moved to or from the shared pool at once

size_t shard_count(size_t workers) {
  return std::clamp<size_t>(std::bit_ceil(workers * 4), 16, 256);
}

}  // namespace

DispatchCore::DispatchCore(DispatcherOptions options, NodeOps& ops, StallCallback on_stall)
    : options_(std::move(options)), ops_(ops), on_stall_(std::move(on_stall)) {
  assert(options_.validate().is_ok());
  size_t shards = shard_count(options_.workers);
  shard_mask_ = shards - 1;
  shards_ = std::make_unique<Shard[]>(shards);
  slots_ = std::make_unique<WorkerSlot[]>(options_.workers);
  // A blocked producer resumes once a quarter of the queue has drained, not on every start:
  // waking it per message would cost a futex round trip per message.
  resume_level_ = options_.capacity - std::max<size_t>(1, options_.capacity / 4);
}

DispatchCore::~DispatchCore() {
  assert(state_ == State::kStopped && workers_.empty());
  for (Node* n : all_nodes_) ops_.delete_node(n);
}

void DispatchCore::start() {
  workers_.reserve(options_.workers);
  for (size_t i = 0; i < options_.workers; ++i)
    workers_.emplace_back([this, i] { worker_loop(i); });
  if (options_.monitor_interval > Duration::zero())
    monitor_ = std::thread([this] { monitor_loop(); });
}

Shard& DispatchCore::shard_of(size_t hash) const {
  // The table inside the shard uses the hash's low bits; the shard, bits it does not favour.
  return shards_[(hash >> 17 ^ hash >> 41) & shard_mask_];
}

Node* DispatchCore::take_node(NodePool& local) {
  if (local.count == 0) {
    std::lock_guard lk(pool_mu_);
    while (pool_.count > 0 && local.count < kNodeBatch) local.push(pool_.pop());
    if (local.count == 0) {
      Node* n = ops_.new_node();
      all_nodes_.push_back(n);
      return n;
    }
  }
  return local.pop();
}

void DispatchCore::give_node(NodePool& local, Node* n) {
  local.push(n);
  if (local.count <= kLocalNodes) return;
  std::lock_guard lk(pool_mu_);
  while (local.count > kLocalNodes - kNodeBatch) pool_.push(local.pop());
}

void DispatchCore::recycle(Node* node) {
  std::lock_guard lk(pool_mu_);
  pool_.push(node);
}

// Takes room for one message, waiting for it when `wait`; false (and why) when refused.
bool DispatchCore::reserve(bool wait, SubmitResult& refusal) {
  size_t q = queued_.load(std::memory_order_relaxed);
  for (;;) {
    while (q < options_.capacity) {
      if (queued_.compare_exchange_weak(q, q + 1)) return true;
    }
    if (state_.load() != State::kRunning) {
      refusal = SubmitResult::kStopped;
      return false;
    }
    if (!wait) {
      refused_.fetch_add(1, std::memory_order_relaxed);
      refusal = SubmitResult::kFull;
      return false;
    }
    std::unique_lock lk(wait_mu_);
    waiting_producers_.fetch_add(1);
    // Pairs with release_room(): it lowers queued_ before it reads waiting_producers_.
    space_cv_.wait(
        lk, [&] { return queued_.load() < options_.capacity || state_.load() != State::kRunning; });
    waiting_producers_.fetch_sub(1);
    q = queued_.load(std::memory_order_relaxed);
  }
}

void DispatchCore::unreserve() { release_room(1); }

// `n` reserved messages left the queue: started, or handed back.
void DispatchCore::release_room(size_t n) {
  size_t after = queued_.fetch_sub(n) - n;
  if (after <= resume_level_ && waiting_producers_.load() > 0) {
    std::lock_guard lk(wait_mu_);
    space_cv_.notify_all();
  }
  if (after == 0 && state_.load() != State::kRunning) {
    auto lk = lock_spinning(run_mu_);
    work_cv_.notify_all();  // stopping and nothing left: let waiting workers exit
  }
}

// `n` accepted messages will never be touched again (finished, or handed back).
void DispatchCore::done(size_t n) {
  if (outstanding_.fetch_sub(n) == n && idle_waiters_.load() > 0) {
    std::lock_guard lk(wait_mu_);
    idle_cv_.notify_all();
  }
}

// Under run_mu_ and, for a key's head, under that key's shard lock. The caller notifies
// work_cv_ after releasing its locks when this returns true, so the woken worker does not
// block on them at once.
bool DispatchCore::push_run(Node* node) {
  node->run_next = nullptr;
  if (run_tail_) {
    run_tail_->run_next = node;
  } else {
    run_head_ = node;
  }
  run_tail_ = node;
  node->in_run = true;
  runnable_.store(runnable_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  // A spinning worker takes it without the futex wake-up, which costs the producer microseconds.
  return sleeping_workers_ > 0 && spinning_workers_ == 0;
}

SubmitResult DispatchCore::submit(const SessionKey* key, bool wait, Fill fill, void* context) {
  if (state_.load(std::memory_order_relaxed) != State::kRunning) return SubmitResult::kStopped;
  SubmitResult refusal;
  if (!reserve(wait, refusal)) return refusal;
  // Counted before any worker can see the node, so outstanding_ never goes below zero.
  outstanding_.fetch_add(1);
  SubmitResult r = key ? submit_keyed(*key, fill, context) : submit_keyless(fill, context);
  if (r != SubmitResult::kAccepted) {
    unreserve();
    done(1);
  }
  return r;
}

SubmitResult DispatchCore::submit_keyless(Fill fill, void* context) {
  auto lk = lock_spinning(run_mu_);
  // Checked under the lock stop() takes: a message is accepted entirely before or after it.
  if (state_.load(std::memory_order_relaxed) != State::kRunning) return SubmitResult::kStopped;
  Node* n = take_node(keyless_pool_);
  fill(context, n);
  n->key = nullptr;
  n->next = nullptr;
  n->seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
  ++keyless_submitted_;
  bool wake = push_run(n);
  lk.unlock();
  if (wake) work_cv_.notify_one();
  return SubmitResult::kAccepted;
}

SubmitResult DispatchCore::submit_keyed(const SessionKey& key, Fill fill, void* context) {
  size_t hash = hash_key(key.view());
  Shard& s = shard_of(hash);
  TimePoint now = options_.clock->now();
  auto lk = lock_spinning(s.mu);
  if (state_.load(std::memory_order_relaxed) != State::kRunning) return SubmitResult::kStopped;
  KeyState* k = s.keys.find(key.view(), hash);
  if (!k) {
    k = new KeyState();
    k->key = key.str();
    k->hash = hash;
    k->shard = &s;
    s.keys.insert(k);
  }
  Node* n = take_node(s.pool);
  fill(context, n);
  n->key = k;
  n->next = nullptr;
  n->seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
  ++s.submitted;
  k->last_activity = now;
  if (k->idle) {
    k->idle = false;  // its idle entry goes stale
    --s.idle_count;
  }
  if (!k->head && !k->running_since) ++s.active_keys;
  if (k->tail) {
    k->tail->next = n;
  } else {
    k->head = n;
  }
  k->tail = n;
  ++k->queued;
  bool wake = false;
  if (!k->running_since && k->head == n) {
    auto run_lk = lock_spinning(run_mu_);
    wake = push_run(n);
  }
  lk.unlock();
  if (wake) work_cv_.notify_one();
  return SubmitResult::kAccepted;
}

void DispatchCore::worker_loop(size_t index) {
  WorkerSlot& slot = slots_[index];
  for (Node* n = next_runnable(slot); n;) {
    std::string_view key = n->key ? std::string_view(n->key->key) : std::string_view();
    RunOutcome outcome = ops_.execute(n, key);
    n = finish(slot, n, outcome);
    if (!n) n = next_runnable(slot);
  }
}

// Pops the run queue, waiting for work, and starts what it popped. Null: time to exit.
Node* DispatchCore::next_runnable(WorkerSlot& slot) {
  auto stopping_and_empty = [&] { return state_.load() != State::kRunning && queued_.load() == 0; };
  bool spun = false;
  Node* n = nullptr;
  auto lk = lock_spinning(run_mu_);
  for (;;) {
    if (run_head_) {
      n = run_head_;
      run_head_ = n->run_next;
      if (!run_head_) run_tail_ = nullptr;
      n->in_run = false;
      runnable_.store(runnable_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
      // Pushes seen by a spinner wake no one: pass the rest on to a sleeping worker.
      if (run_head_ && sleeping_workers_ > 0 && spinning_workers_ == 0) work_cv_.notify_one();
      break;
    }
    if (stopping_and_empty()) return nullptr;
    // Out of work: a producer held back until a quarter of the queue is free may use what room
    // there is (the rest may belong to a key whose handler hangs).
    if (waiting_producers_.load() > 0) {
      std::lock_guard wait_lk(wait_mu_);
      space_cv_.notify_all();
    }
    // One worker at a time watches the queue before sleeping; more would take the CPU from
    // the producers and the running handlers.
    if (spun || spinning_workers_ > 0 || options_.idle_spin == Duration::zero()) {
      ++sleeping_workers_;
      work_cv_.wait(lk, [&] { return run_head_ || stopping_and_empty(); });
      --sleeping_workers_;
      spun = false;
      continue;
    }
    ++spinning_workers_;
    lk.unlock();
    // Watches without the lock; the clock is read only now and then.
    auto until = std::chrono::steady_clock::now() + options_.idle_spin;
    for (int i = 1; runnable_.load(std::memory_order_relaxed) == 0; ++i) {
      cpu_relax();
      if (i % 64 == 0 && std::chrono::steady_clock::now() >= until) break;
    }
    relock_spinning(lk);
    --spinning_workers_;
    spun = true;
  }
  lk.unlock();
  if (n->key) return start_keyed(slot, n);
  occupy(slot, nullptr, options_.clock->now());
  return n;
}

// Worker `slot` starts a message of key `k` (null: keyless): its queue room is freed, and the
// slot tells stall detection since when it runs.
void DispatchCore::occupy(WorkerSlot& slot, KeyState* k, TimePoint now) {
  release_room(1);
  std::lock_guard slot_lk(slot.mu);
  slot.busy = true;
  slot.stall_reported = false;
  slot.key = k;
  slot.started = now;
}

// Marks the key of run-queue node `n` running, with `n` its running message.
Node* DispatchCore::start_keyed(WorkerSlot& slot, Node* n) {
  KeyState* k = n->key;
  TimePoint now = options_.clock->now();
  {
    auto lk = lock_spinning(k->shard->mu);
    // Invariant: only a key's head is ever runnable.
    assert(k->head == n && !k->running_since);
    k->head = n->next;
    if (!k->head) k->tail = nullptr;
    --k->queued;
    k->running_since = now;
  }
  occupy(slot, k, now);
  return n;
}

// Records `n` as finished. Returns the key's next message, already started, when the worker
// should run it at once (nothing else waits to run), else null.
Node* DispatchCore::finish(WorkerSlot& slot, Node* n, const RunOutcome& outcome) {
  TimePoint now = options_.clock->now();
  {
    std::lock_guard slot_lk(slot.mu);  // cleared before the key may go idle and expire
    slot.busy = false;
    slot.key = nullptr;
    ++slot.processed;
    slot.retries += outcome.retries;
    if (outcome.failed) ++slot.failed;
    if (outcome.dead_letter_threw) ++slot.dead_letter_errors;
  }
  KeyState* k = n->key;
  if (!k) {
    {
      auto lk = lock_spinning(run_mu_);
      give_node(keyless_pool_, n);
    }
    done(1);
    return nullptr;
  }
  Shard& s = *k->shard;
  Node* next = nullptr;
  bool went_idle = false;
  bool wake = false;
  {
    auto lk = lock_spinning(s.mu);
    k->running_since.reset();
    k->last_activity = now;
    ++k->processed;
    if (outcome.failed) ++k->failed;
    uint64_t stamp = n->seq;
    give_node(s.pool, n);
    if (!k->head) {
      --s.active_keys;
      make_idle(s, *k, now, stamp);  // may destroy k once idle_timeout has passed
      went_idle = true;
    } else {
      if (k->counted_idle) {
        k->counted_idle = false;
        idle_keys_.fetch_sub(1, std::memory_order_relaxed);
      }
      if (runnable_.load(std::memory_order_relaxed) == 0) {
        // Nothing else waits to run, so no other key is overtaken: run the next one here.
        next = k->head;
        k->head = next->next;
        if (!k->head) k->tail = nullptr;
        --k->queued;
        k->running_since = now;
      } else {
        auto run_lk = lock_spinning(run_mu_);
        // Behind the keys already waiting: one hot key cannot starve others.
        wake = push_run(k->head);
      }
    }
  }
  if (wake) work_cv_.notify_one();
  if (next) occupy(slot, k, now);
  if (went_idle && idle_keys_.load(std::memory_order_relaxed) > options_.max_idle_keys)
    bound_idle_keys();
  done(1);
  return next;
}

}  // namespace detail
}  // namespace fixgate::ordering
