// The message-type-independent engine of KeyedDispatcher<T>: key queues, the run queue, the
// worker pool, capacity, lifecycle tracking. Use KeyedDispatcher<T>; this is its implementation.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fixgate/ordering/dispatcher_options.h"
#include "fixgate/ordering/session_key.h"

namespace fixgate::ordering::detail {

struct KeyState;

// One accepted message. The typed dispatcher derives from it to hold the payload; nodes are
// pooled, so steady-state dispatch does not allocate.
struct Node {
  Node* next = nullptr;      // the next node in its key's queue, or in the free list
  Node* run_next = nullptr;  // the next node in the run queue
  KeyState* key = nullptr;   // null: keyless
  uint64_t seq = 0;          // arrival order, dispatcher-wide
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

class DispatchCore {
 public:
  using StallCallback = std::function<void(const StallReport&)>;
  // Writes the payload into a node; called under the lock once room is reserved.
  using Fill = void (*)(void* context, Node* node);

  DispatchCore(DispatcherOptions options, NodeOps& ops, StallCallback on_stall);
  ~DispatchCore();  // requires shutdown() to have returned
  DispatchCore(const DispatchCore&) = delete;
  DispatchCore& operator=(const DispatchCore&) = delete;

  void start();  // starts the workers and the monitor; the NodeOps must be fully constructed
  SubmitResult submit(std::optional<SessionKey>& key, bool wait, Fill fill, void* context);

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
  struct WorkerSlot {
    bool busy = false;
    bool stall_reported = false;
    KeyState* key = nullptr;
    TimePoint started;
  };
  enum class State : uint8_t { kRunning, kStopping, kStopped };

  void worker_loop(size_t index);
  void monitor_loop();
  Node* take_free_node();
  void push_run(Node* node);
  Node* pop_run();
  KeyState& key_state(SessionKey&& key);
  void finish(size_t worker, Node* node, const RunOutcome& outcome);
  void make_idle(KeyState& k, TimePoint now);
  void unlink_idle(KeyState& k);
  void forget(KeyState& k);
  size_t expire_idle_locked(TimePoint now, size_t budget);
  KeyStats stats_of(const KeyState& k) const;

  DispatcherOptions options_;
  NodeOps& ops_;
  StallCallback on_stall_;

  std::mutex join_mu_;  // serialises join(): only the last joiner may declare kStopped
  mutable std::mutex mu_;
  std::condition_variable work_cv_;     // run queue not empty, or stopping
  std::condition_variable space_cv_;    // room below capacity, or stopping
  std::condition_variable idle_cv_;     // nothing queued or running
  std::condition_variable monitor_cv_;  // the monitor's stop signal
  State state_ = State::kRunning;
  std::unordered_map<std::string_view, std::unique_ptr<KeyState>> keys_;  // views into KeyState
  Node* run_head_ = nullptr;  // heads of runnable keys, and keyless nodes, in FIFO order
  Node* run_tail_ = nullptr;
  Node* free_ = nullptr;
  std::vector<Node*> all_nodes_;
  KeyState* idle_head_ = nullptr;  // least recently active first
  KeyState* idle_tail_ = nullptr;
  size_t idle_count_ = 0;
  size_t idle_workers_ = 0;
  size_t idle_waiters_ = 0;
  uint64_t next_seq_ = 0;
  std::vector<WorkerSlot> slots_;
  DispatcherStats stats_;
  bool monitor_stop_ = false;

  std::vector<std::thread> workers_;
  std::thread monitor_;
};

}  // namespace fixgate::ordering::detail
