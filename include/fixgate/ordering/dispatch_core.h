// The message-type-independent engine of KeyedDispatcher<T>: key queues, the run queue, the
// worker pool, capacity, lifecycle tracking. Use KeyedDispatcher<T>; this is its implementation.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "fixgate/ordering/dispatcher_options.h"
#include "fixgate/ordering/session_key.h"

namespace fixgate::ordering::detail {

struct KeyState;
struct Shard;
struct WorkerSlot;

// One accepted message. The typed dispatcher derives from it to hold the payload; nodes are
// pooled, so steady-state dispatch does not allocate.
struct Node {
  Node* next = nullptr;      // the next node in its key's queue, or in the free list
  Node* run_next = nullptr;  // the next node in the run queue
  KeyState* key = nullptr;   // null: keyless
  uint64_t seq = 0;          // arrival order, dispatcher-wide
  bool in_run = false;       // in the run queue (guarded by its lock)
};

// Free nodes, guarded by whoever owns the pool: a shard's lock, the run queue's, or pool_mu_.
struct NodePool {
  Node* free = nullptr;
  size_t count = 0;
  void push(Node* n) {
    n->key = nullptr;
    n->next = free;
    free = n;
    ++count;
  }
  Node* pop() {
    Node* n = free;
    free = n->next;
    --count;
    return n;
  }
};

struct RunOutcome {
  uint32_t retries = 0;
  bool failed = false;             // dead-lettered
  bool dead_letter_threw = false;  // the dead-letter callback threw as well
};

// What the typed layer provides: payload storage and the handler call with retries.
class NodeOps {
 public:
  virtual Node* new_node() = 0;
  virtual void delete_node(Node* node) noexcept = 0;
  // Runs the handler (with retries and dead-lettering) and destroys the payload. Never throws.
  virtual RunOutcome execute(Node* node, std::string_view key) noexcept = 0;

 protected:
  ~NodeOps() = default;
};

// Keys are spread over shards by hash; each shard has its own lock, key table, idle list and
// node pool, so producers and workers on different keys rarely meet. The run queue (keys ready
// to run, and keyless messages) has a lock of its own, held only to link or unlink one node.
// Lock order: a shard's lock, then the run queue's, then wait_mu_; never two shards except in
// stop(); pool_mu_ and the worker slots' locks are taken last and alone.
class DispatchCore {
 public:
  using StallCallback = std::function<void(const StallReport&)>;
  // Writes the payload into a node; called under a shard lock once room is reserved.
  using Fill = void (*)(void* context, Node* node);

  DispatchCore(DispatcherOptions options, NodeOps& ops, StallCallback on_stall);
  ~DispatchCore();  // requires shutdown() to have returned
  DispatchCore(const DispatchCore&) = delete;
  DispatchCore& operator=(const DispatchCore&) = delete;

  void start();  // starts the workers and the monitor; the NodeOps must be fully constructed
  // `key` null: keyless. The key's text is copied only the first time the key is seen.
  SubmitResult submit(const SessionKey* key, bool wait, Fill fill, void* context);

  // Stops intake. kHandBack detaches the queued nodes and returns them (arrival order) with
  // their keys; kFinishQueued returns none. Running handlers are not interrupted.
  std::vector<std::pair<Node*, std::optional<SessionKey>>> stop(DrainPolicy policy);
  void join();  // after stop(): waits for the workers (so for every remaining message)
  // Gives a detached node back to the pool once the typed layer has taken its payload.
  void recycle(Node* node);

  void wait_idle();
  size_t check_stalls(TimePoint now);
  size_t expire_idle(TimePoint now);
  DispatcherStats stats() const;
  std::optional<KeyStats> key_stats(std::string_view key) const;
  std::vector<KeyStats> active_keys(size_t limit) const;
  const DispatcherOptions& options() const { return options_; }

 private:
  enum class State : uint8_t { kRunning, kStopping, kStopped };

  void worker_loop(size_t index);
  void monitor_loop();
  Node* next_runnable(WorkerSlot& slot);
  Node* start_keyed(WorkerSlot& slot, Node* n);
  Node* finish(WorkerSlot& slot, Node* n, const RunOutcome& outcome);
  [[nodiscard]] bool push_run(Node* node);  // true: a sleeping worker should be woken
  Node* take_node(NodePool& local);
  void give_node(NodePool& local, Node* n);
  SubmitResult submit_keyed(const SessionKey& key, Fill fill, void* context);
  SubmitResult submit_keyless(Fill fill, void* context);
  bool reserve(bool wait, SubmitResult& refusal);
  void unreserve();
  void release_room(size_t n);
  void occupy(WorkerSlot& slot, KeyState* k, TimePoint now);
  void done(size_t n);
  Shard& shard_of(size_t hash) const;
  void make_idle(Shard& s, KeyState& k, TimePoint now, uint64_t stamp);
  void settle_front(Shard& s);
  void publish_oldest(Shard& s);
  void forget_oldest(Shard& s);
  void bound_idle_keys();
  size_t expire_shard(Shard& s, TimePoint now, size_t budget);

  DispatcherOptions options_;
  NodeOps& ops_;
  StallCallback on_stall_;
  size_t shard_mask_ = 0;
  std::unique_ptr<Shard[]> shards_;
  std::unique_ptr<WorkerSlot[]> slots_;  // one per worker
  size_t resume_level_ = 0;              // blocked producers are woken once queued drops to this

  // The run queue.
  alignas(64) mutable std::mutex run_mu_;
  std::condition_variable work_cv_;  // run queue not empty, or stopping with nothing queued
  Node* run_head_ = nullptr;         // heads of runnable keys, and keyless nodes, in FIFO order
  Node* run_tail_ = nullptr;
  size_t sleeping_workers_ = 0;
  size_t spinning_workers_ = 0;      // watching runnable_ before sleeping: at most one
  std::atomic<size_t> runnable_{0};  // nodes in the run queue; read without the lock to spin on
  NodePool keyless_pool_;            // nodes of keyless messages
  uint64_t keyless_submitted_ = 0;

  // Nodes beyond what the shards keep at hand. The pool grows to at most capacity + workers
  // nodes plus what the shards keep (a bounded batch each): the queue bound is the memory bound.
  alignas(64) std::mutex pool_mu_;
  NodePool pool_;
  std::vector<Node*> all_nodes_;

  alignas(64) std::atomic<size_t> queued_{0};       // accepted, not started; never above capacity
  alignas(64) std::atomic<size_t> outstanding_{0};  // accepted, not finished
  std::atomic<uint64_t> next_seq_{0};
  std::atomic<State> state_{State::kRunning};

  // Slow paths: blocked producers, wait_idle(), the idle-key bound, the monitor, join().
  alignas(64) std::mutex wait_mu_;
  std::condition_variable space_cv_;    // room at or below resume_level_, or stopping
  std::condition_variable idle_cv_;     // nothing queued or running, or stopped
  std::condition_variable monitor_cv_;  // the monitor's stop signal
  std::atomic<size_t> waiting_producers_{0};
  std::atomic<size_t> idle_waiters_{0};
  std::atomic<size_t> idle_keys_{0};  // over all shards (see KeyState::counted_idle)
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> stalls_{0};
  bool monitor_stop_ = false;
  std::mutex join_mu_;  // serialises join(): only the last joiner may declare kStopped

  std::vector<std::thread> workers_;
  std::thread monitor_;
};

}  // namespace fixgate::ordering::detail
