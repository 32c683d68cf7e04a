// The LP supervisor's state (internal to lp_supervisor.cc and lp_commands.cc). Threads: what is
// under q_mu is how any thread hands work to the supervisor thread; the LPs themselves are the
// supervisor thread's alone; view_mu guards the snapshot that readers (the admin API) see.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "fixgate/gateway/lp_supervisor.h"
#include "lp_runner.h"

namespace fixgate::gateway {

using Clock = std::chrono::steady_clock;

inline AdminOutcome fail(AdminOutcome::Code code, std::string message) {
  return {code, std::move(message)};
}

struct LpSupervisor::Impl {
  // One LP: its row, its status, and its session (when running).
  struct Lp {
    LpRow row;
    bool in_table = true;
    LpStatusRow status;        // as written to the table
    LpStatusRow live_written;  // the live columns last written
    std::string session_id, host;
    uint16_t port = 0;
    std::string fingerprint;  // of the configuration running (or about to run)
    std::optional<SessionSetup> setup;
    std::shared_ptr<session::Store> store;
    std::string store_key;
    std::shared_ptr<LpRunner> runner;    // the session, while it should run
    std::shared_ptr<LpRunner> stopping;  // logging out, dropped when done or at stop_deadline
    Clock::time_point stop_deadline;
    std::optional<std::pair<LpStatus, std::string>> after_stop;  // the status once stopped
    bool restart_after_stop = false;
    bool held = false;         // logged out by an operator: stays down until logon or a change
    std::string last_problem;  // the latest failure the session reported
  };

  LpSupervisorOptions options;
  AppKind app = AppKind::kNone;
  std::unique_ptr<SessionsDb> db;

  // ---- any thread -> the supervisor thread, under q_mu ----------------------------------------
  std::mutex q_mu;
  std::condition_variable q_cv;
  std::deque<LpEvent> events;
  std::deque<std::function<void()>> commands;
  bool db_notified = false;
  bool quitting = false;
  std::chrono::milliseconds quit_timeout{0};
  uint64_t sync_asked = 0, sync_done = 0;
  std::condition_variable sync_cv;
  std::shared_future<Status> ready_probe;  // the database query of ready() in flight, if any

  // ---- the supervisor thread's ----------------------------------------------------------------
  std::map<std::string, Lp, std::less<>> lps;
  uint64_t next_generation = 1;
  std::string last_load_error;

  // ---- what readers see, under view_mu --------------------------------------------------------
  struct Shown {
    LpView view;
    std::shared_ptr<LpRunner> runner;  // for the live fields
    LpMessageLog message_log;          // from the configuration built last
  };
  mutable std::mutex view_mu;
  std::map<std::string, Shown, std::less<>> shown;
  // Why an LP's store did not open, by provider, until it opens (store_problems()).
  std::map<std::string, std::string, std::less<>> store_errors;

  std::thread thread;
  std::thread listener;  // PostgreSQL: LISTEN on a connection of its own
  std::atomic<bool> listener_quit{false};
  // Written by the listener thread, read by the supervisor: NOTIFYs arrive, no polling needed.
  std::atomic<bool> listener_ok{false};

  void log(const std::string& line) const {
    if (options.on_log) options.on_log(line);
  }

  // ---- threads --------------------------------------------------------------------------------
  void run();
  void listen_loop();
  void post(LpEvent e) {
    {
      std::lock_guard lock(q_mu);
      events.push_back(std::move(e));
    }
    q_cv.notify_one();
  }
  AdminOutcome call(std::function<AdminOutcome()> f);

  // ---- the supervisor thread's work -----------------------------------------------------------
  void reconcile();
  void apply(Lp& lp, const std::string& provider, std::map<std::string, std::string>& ids);
  Result<SessionSetup> build(const std::string& provider, const LpRow& row) const;
  void start_runner(const std::string& provider, Lp& lp);
  void begin_stop(Lp& lp, std::optional<std::pair<LpStatus, std::string>> after);
  void finish_stop(const std::string& provider, Lp& lp);
  void check_stopping(bool force);
  void handle(const LpEvent& e);
  void set_status(const std::string& provider, Lp& lp, LpStatus status, std::string reason);
  LpStatusRow live(const Lp& lp) const;
  void write_live();
  void publish(const std::string& provider, const Lp& lp);
  Lp* find(std::string_view provider, bool reload);
  Result<std::shared_ptr<session::Store>> store_of(const std::string& provider, Lp& lp);
  AdminOutcome disable_one(const std::string& provider, Lp& lp, const std::string& reason);
};

}  // namespace fixgate::gateway
