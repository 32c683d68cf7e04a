// One LP's running session (internal to the LP supervisor): an engine of its own with one event
// loop thread, the session on it with its application, and an event listener that only queues
// events for the supervisor. The store belongs to the LP, not the runner: it stays open across
// restarts of the session, so an operator's sequence numbers set while it is down are the ones it
// starts with, even in memory.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "fixgate/base/result.h"
#include "fixgate/engine/engine.h"
#include "fixgate/gateway/applications.h"
#include "fixgate/gateway/settings.h"

namespace fixgate::gateway {

// A session event, as queued for the supervisor: which runner of which LP it came from.
struct LpEvent {
  std::string provider;
  uint64_t generation = 0;  // the runner's: events of a replaced runner are told apart
  session::SessionEvent::Type type = session::SessionEvent::Type::kLog;
  session::SessionStatus status = session::SessionStatus::kDisconnected;
  std::string text;
};

class LpRunner {
 public:
  struct Wiring {
    std::string provider;
    uint64_t generation = 0;
    AppKind app = AppKind::kNone;
    std::function<void(LpEvent)> post;          // from the session's loop thread
    std::function<void(std::string_view)> log;  // engine lines (refused connections …)
    std::function<void(const engine::EngineLogEntry&)> log_entry;  // instead of `log`, if set
  };
  // Creates and starts the session of `setup` over `store`.
  static Result<std::unique_ptr<LpRunner>> start(const SessionSetup& setup,
                                                 std::shared_ptr<session::Store> store,
                                                 Wiring wiring);
  ~LpRunner();  // drops the connection (no Logout) and joins the loop thread

  engine::SessionHandle& session() const { return *handle_; }
  // Its session's store commits, timed; and the store's own data syncs (FileStore), or nullptr.
  // Any thread.
  const LatencyHistogram& commit_latency() const { return *commit_latency_; }
  const LatencyHistogram* sync_latency() const { return store_->sync_latency(); }
  // The CPU time of the LP's loop thread so far (Engine::loop_cpu_time). Any thread.
  std::optional<std::chrono::nanoseconds> loop_cpu_time() const { return engine_->loop_cpu_time(); }
  uint64_t generation() const { return generation_; }
  // Drops the connection without a Logout and connects again (an acceptor: listens again).
  Status reconnect();
  // Drops the connection without a Logout and stops for good (the destructor's work, done when
  // the supervisor decides, whoever still holds the runner for a read).
  void halt() { engine_->stop(); }

 private:
  LpRunner() = default;
  uint64_t generation_ = 0;
  std::shared_ptr<session::Store> store_;
  // The engine gets the LP's store as a store::TimedStore that times its commits into this.
  std::shared_ptr<LatencyHistogram> commit_latency_ = std::make_shared<LatencyHistogram>();
  std::unique_ptr<engine::Engine> engine_;
  engine::SessionHandle* handle_ = nullptr;
};

// What a running session says about itself now, as the gateway shows it.
struct LiveFields {
  std::string state;  // the session's status in lower case: "active", "connecting" …
  uint64_t next_sender_seq = 0, next_target_seq = 0;
  uint64_t messages_in = 0, messages_out = 0;
  std::optional<std::chrono::system_clock::time_point> last_received_at, last_sent_at;
  std::optional<std::chrono::system_clock::time_point> next_reconnect_at;
  session::SessionStats stats;  // every counter, as of now
  transport::ConnectStats connect;
  engine::ReceiveQueueStats receive_queue;
};
LiveFields live_fields(const engine::SessionHandle& h);

// The store a SessionSetup names, shared: see LpRunner.
Result<std::shared_ptr<session::Store>> open_shared_store(const SessionSetup& setup);
// What identifies a setup's store: equal keys, the same store (kept open across a restart).
std::string store_key(const SessionSetup& setup);

}  // namespace fixgate::gateway
