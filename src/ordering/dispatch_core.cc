// The keyed dispatcher's engine. One mutex guards all state; handlers run outside it.
//
// Invariants (under mu_):
//  - A key with queued messages is either running (its head is not in the run queue) or its
//    head node is in the run queue; never both, so one key never runs on two workers.
//  - Nodes of a key are queued in arrival order and only the head is ever started.
//  - stats_.queued counts nodes accepted and not yet started; it never exceeds capacity.
//  - A key is in the idle list iff nothing of it is queued or running.
#include "fixgate/ordering/dispatch_core.h"

#include <algorithm>
#include <cassert>
#include <cmath>

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
      monitor_interval < Duration::zero())
    return Status::error("dispatcher: negative duration");
  return Status::ok();
}

namespace detail {

struct KeyState {
  std::string key;
  Node* head = nullptr;
  Node* tail = nullptr;
  size_t queued = 0;
  uint64_t processed = 0;
  uint64_t failed = 0;
  TimePoint last_activity;
  std::optional<TimePoint> running_since;
  bool idle = false;
  KeyState* idle_prev = nullptr;
  KeyState* idle_next = nullptr;
};

DispatchCore::DispatchCore(DispatcherOptions options, NodeOps& ops, StallCallback on_stall)
    : options_(std::move(options)), ops_(ops), on_stall_(std::move(on_stall)) {
  assert(options_.validate().is_ok());
  slots_.resize(options_.workers);
  stats_.workers = options_.workers;
  stats_.capacity = options_.capacity;
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

Node* DispatchCore::take_free_node() {
  if (free_) {
    Node* n = free_;
    free_ = n->next;
    return n;
  }
  // The pool grows to at most capacity + workers nodes: the queue bound is the memory bound.
  Node* n = ops_.new_node();
  all_nodes_.push_back(n);
  return n;
}

void DispatchCore::recycle(Node* node) {
  std::lock_guard lk(mu_);
  node->key = nullptr;
  node->next = free_;
  free_ = node;
}

void DispatchCore::push_run(Node* node) {
  node->run_next = nullptr;
  if (run_tail_) {
    run_tail_->run_next = node;
  } else {
    run_head_ = node;
  }
  run_tail_ = node;
  if (idle_workers_ > 0) work_cv_.notify_one();
}

Node* DispatchCore::pop_run() {
  Node* n = run_head_;
  run_head_ = n->run_next;
  if (!run_head_) run_tail_ = nullptr;
  return n;
}

KeyState& DispatchCore::key_state(SessionKey&& key) {
  auto it = keys_.find(key.view());
  if (it != keys_.end()) return *it->second;
  auto state = std::make_unique<KeyState>();
  state->key = std::move(key).release();
  KeyState& k = *state;
  keys_.emplace(std::string_view(k.key), std::move(state));
  return k;
}

SubmitResult DispatchCore::submit(std::optional<SessionKey>& key, bool wait, Fill fill,
                                  void* context) {
  std::unique_lock lk(mu_);
  if (state_ != State::kRunning) return SubmitResult::kStopped;
  if (stats_.queued >= options_.capacity) {
    if (!wait) {
      ++stats_.refused;
      return SubmitResult::kFull;
    }
    ++stats_.waiting_producers;
    space_cv_.wait(lk,
                   [&] { return stats_.queued < options_.capacity || state_ != State::kRunning; });
    --stats_.waiting_producers;
    if (state_ != State::kRunning) return SubmitResult::kStopped;
  }
  Node* n = take_free_node();
  fill(context, n);
  n->seq = next_seq_++;
  n->next = nullptr;
  n->run_next = nullptr;
  ++stats_.queued;
  ++stats_.submitted;
  if (!key) {
    n->key = nullptr;
    push_run(n);
    return SubmitResult::kAccepted;
  }
  KeyState& k = key_state(std::move(*key));
  n->key = &k;
  k.last_activity = options_.clock->now();
  if (k.idle) unlink_idle(k);
  bool was_active = k.head || k.running_since;
  if (!was_active) ++stats_.active_keys;
  if (k.tail) {
    k.tail->next = n;
  } else {
    k.head = n;
  }
  k.tail = n;
  ++k.queued;
  if (!k.running_since && k.head == n) push_run(n);
  return SubmitResult::kAccepted;
}

void DispatchCore::worker_loop(size_t index) {
  WorkerSlot& slot = slots_[index];
  std::unique_lock lk(mu_);
  for (;;) {
    if (!run_head_) {
      if (state_ != State::kRunning && stats_.queued == 0) break;
      ++idle_workers_;
      work_cv_.wait(lk,
                    [&] { return run_head_ || (state_ != State::kRunning && stats_.queued == 0); });
      --idle_workers_;
      continue;
    }
    Node* n = pop_run();
    KeyState* k = n->key;
    TimePoint now = options_.clock->now();
    if (k) {
      // Invariant: only a key's head is ever runnable.
      assert(k->head == n && !k->running_since);
      k->head = n->next;
      if (!k->head) k->tail = nullptr;
      --k->queued;
      k->running_since = now;
    }
    --stats_.queued;
    ++stats_.running;
    slot = WorkerSlot{true, false, k, now};
    if (stats_.waiting_producers > 0) space_cv_.notify_one();
    std::string_view key = k ? std::string_view(k->key) : std::string_view();
    lk.unlock();
    RunOutcome outcome = ops_.execute(n, key);
    lk.lock();
    finish(index, n, outcome);
  }
}

void DispatchCore::finish(size_t worker, Node* n, const RunOutcome& outcome) {
  TimePoint now = options_.clock->now();
  slots_[worker] = WorkerSlot{};
  --stats_.running;
  ++stats_.processed;
  stats_.retries += outcome.retries;
  if (outcome.failed) ++stats_.failed;
  if (outcome.dead_letter_threw) ++stats_.dead_letter_errors;
  if (KeyState* k = n->key) {
    k->running_since.reset();
    k->last_activity = now;
    ++k->processed;
    if (outcome.failed) ++k->failed;
    if (k->head) {
      push_run(k->head);  // behind the keys already waiting: one hot key cannot starve others
    } else {
      --stats_.active_keys;
      make_idle(*k, now);
    }
  }
  n->key = nullptr;
  n->next = free_;
  free_ = n;
  if (stats_.queued == 0 && stats_.running == 0) {
    if (idle_waiters_ > 0) idle_cv_.notify_all();
    if (state_ != State::kRunning) work_cv_.notify_all();  // let waiting workers exit
  }
}

void DispatchCore::make_idle(KeyState& k, TimePoint now) {
  assert(!k.idle && !k.head && !k.running_since);
  k.idle = true;
  k.idle_prev = idle_tail_;
  k.idle_next = nullptr;
  if (idle_tail_) {
    idle_tail_->idle_next = &k;
  } else {
    idle_head_ = &k;
  }
  idle_tail_ = &k;
  ++idle_count_;
  // Expire a little on every finish, so memory stays bounded without the monitor thread.
  expire_idle_locked(now, 2);
  while (idle_count_ > options_.max_idle_keys) {
    ++stats_.expired_keys;
    forget(*idle_head_);
  }
}

void DispatchCore::unlink_idle(KeyState& k) {
  assert(k.idle);
  (k.idle_prev ? k.idle_prev->idle_next : idle_head_) = k.idle_next;
  (k.idle_next ? k.idle_next->idle_prev : idle_tail_) = k.idle_prev;
  k.idle_prev = k.idle_next = nullptr;
  k.idle = false;
  --idle_count_;
}

void DispatchCore::forget(KeyState& k) {
  unlink_idle(k);
  auto it = keys_.find(std::string_view(k.key));
  assert(it != keys_.end());
  keys_.erase(it);  // destroys k
}

size_t DispatchCore::expire_idle_locked(TimePoint now, size_t budget) {
  size_t n = 0;
  // The idle list is in order of last activity, so the expired keys are a prefix of it.
  while (n < budget && idle_head_ && now - idle_head_->last_activity >= options_.idle_timeout) {
    forget(*idle_head_);
    ++n;
  }
  stats_.expired_keys += n;
  return n;
}

size_t DispatchCore::expire_idle(TimePoint now) {
  std::lock_guard lk(mu_);
  return expire_idle_locked(now, SIZE_MAX);
}

size_t DispatchCore::check_stalls(TimePoint now) {
  if (options_.stall_threshold <= Duration::zero()) return 0;
  std::vector<StallReport> reports;
  {
    std::lock_guard lk(mu_);
    for (size_t i = 0; i < slots_.size(); ++i) {
      WorkerSlot& s = slots_[i];
      if (!s.busy || s.stall_reported || now - s.started < options_.stall_threshold) continue;
      s.stall_reported = true;
      reports.push_back(
          StallReport{s.key ? s.key->key : std::string(), i, s.started, now - s.started});
    }
    stats_.stalls += reports.size();
  }
  // Outside the lock: the callback may log, snapshot, or even submit.
  if (on_stall_) {
    for (const StallReport& r : reports) on_stall_(r);
  }
  return reports.size();
}

std::vector<std::pair<Node*, std::optional<SessionKey>>> DispatchCore::stop(DrainPolicy policy) {
  std::vector<std::pair<Node*, std::optional<SessionKey>>> back;
  std::lock_guard lk(mu_);
  if (state_ != State::kRunning) return back;
  state_ = State::kStopping;
  stats_.accepting = false;
  if (policy == DrainPolicy::kHandBack) {
    std::vector<Node*> nodes;
    nodes.reserve(stats_.queued);
    for (Node* n = run_head_; n; n = n->run_next) {
      if (!n->key) nodes.push_back(n);
    }
    std::vector<KeyState*> emptied;
    for (auto& [name, k] : keys_) {
      if (!k->head) continue;
      for (Node* n = k->head; n; n = n->next) nodes.push_back(n);
      k->head = k->tail = nullptr;
      k->queued = 0;
      if (!k->running_since) emptied.push_back(k.get());
    }
    run_head_ = run_tail_ = nullptr;
    stats_.queued = 0;
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
    for (KeyState* k : emptied) {
      --stats_.active_keys;
      k->last_activity = now;
      make_idle(*k, now);  // may expire idle keys, but none of `emptied` not yet made idle
    }
  }
  work_cv_.notify_all();
  space_cv_.notify_all();
  idle_cv_.notify_all();
  return back;
}

void DispatchCore::join() {
  std::lock_guard join_lk(join_mu_);
  std::vector<std::thread> workers;
  std::thread monitor;
  {
    std::lock_guard lk(mu_);
    assert(state_ != State::kRunning);  // stop() first, or the workers never leave
    workers.swap(workers_);
    monitor.swap(monitor_);
    monitor_stop_ = true;
    monitor_cv_.notify_all();
  }
  for (std::thread& t : workers) t.join();
  if (monitor.joinable()) monitor.join();
  std::lock_guard lk(mu_);
  if (state_ == State::kStopping && workers_.empty()) state_ = State::kStopped;
}

void DispatchCore::monitor_loop() {
  std::unique_lock lk(mu_);
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
  std::unique_lock lk(mu_);
  ++idle_waiters_;
  idle_cv_.wait(
      lk, [&] { return (stats_.queued == 0 && stats_.running == 0) || state_ == State::kStopped; });
  --idle_waiters_;
}

KeyStats DispatchCore::stats_of(const KeyState& k) const {
  return KeyStats{k.key, k.queued, k.processed, k.failed, k.last_activity, k.running_since};
}

DispatcherStats DispatchCore::stats() const {
  std::lock_guard lk(mu_);
  DispatcherStats s = stats_;
  s.tracked_keys = keys_.size();
  return s;
}

std::optional<KeyStats> DispatchCore::key_stats(std::string_view key) const {
  std::lock_guard lk(mu_);
  auto it = keys_.find(key);
  if (it == keys_.end()) return std::nullopt;
  return stats_of(*it->second);
}

std::vector<KeyStats> DispatchCore::active_keys(size_t limit) const {
  std::vector<KeyStats> out;
  std::lock_guard lk(mu_);
  for (const auto& [name, k] : keys_) {
    if (out.size() >= limit) break;
    if (!k->idle) out.push_back(stats_of(*k));
  }
  return out;
}

}  // namespace detail
}  // namespace fixgate::ordering
