// The LP supervisor's thread: reloads the sessions table, reconciles the running sessions with it,
// turns session events into statuses, and runs the operators' commands (lp_commands.cc).
#include "fixgate/gateway/lp_supervisor.h"

#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "fixgate/engine/file_log.h"
#include "fixgate/gateway/lp_settings.h"
#include "lp_supervisor_impl.h"

namespace fixgate::gateway {

using namespace std::chrono_literals;
using session::SessionStatus;

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

// ---- threads ----------------------------------------------------------------------------------

void LpSupervisor::Impl::run() {
  auto next_poll = Clock::now();
  for (;;) {
    std::deque<LpEvent> got_events;
    std::deque<std::function<void()>> got_commands;
    bool notified = false, quit = false;
    uint64_t sync_wanted = 0;
    {
      std::unique_lock lock(q_mu);
      // A session logging out is looked at often: its end starts what waits for it.
      bool any_stopping = false;
      for (const auto& [provider, lp] : lps) any_stopping = any_stopping || lp.stopping;
      const auto wake = any_stopping ? std::min(next_poll, Clock::now() + 20ms) : next_poll;
      q_cv.wait_until(lock, wake, [&] {
        return !events.empty() || !commands.empty() || db_notified || quitting ||
               sync_asked > sync_done;
      });
      got_events.swap(events);
      got_commands.swap(commands);
      notified = std::exchange(db_notified, false);
      quit = quitting;
      sync_wanted = sync_asked;
    }
    for (const LpEvent& e : got_events) handle(e);
    for (auto& c : got_commands) c();
    if (quit) break;
    const bool poll_due = Clock::now() >= next_poll;
    bool reload = notified || sync_wanted > sync_done;
    if (poll_due) {
      next_poll = Clock::now() + options.poll_interval;
      if (!listener_ok) {
        auto changed = db->changed(0ms);
        reload =
            reload || !changed || *changed || db->connection().dialect() == sql::Dialect::kPostgres;
      }
      write_live();
    }
    if (reload) reconcile();
    check_stopping(false);
    if (sync_wanted > sync_done) {
      std::lock_guard lock(q_mu);
      sync_done = sync_wanted;
      sync_cv.notify_all();
    }
  }
  // Stopping: every LP logs out, within the time given.
  const auto deadline = Clock::now() + quit_timeout;
  for (auto& [provider, lp] : lps) {
    if (lp.runner) begin_stop(lp, std::pair{LpStatus::kInactive, std::string("fixgated stopped")});
  }
  for (;;) {
    check_stopping(Clock::now() >= deadline);
    bool any = false;
    for (auto& [provider, lp] : lps) any = any || lp.stopping;
    if (!any) break;
    std::unique_lock lock(q_mu);
    q_cv.wait_for(lock, 20ms, [&] { return !events.empty(); });
    events.clear();
  }
  for (auto& [provider, lp] : lps)
    if (lp.in_table && lp.status.status != LpStatus::kInactive)
      set_status(provider, lp, LpStatus::kInactive, "fixgated stopped");
  write_live();
}

void LpSupervisor::Impl::listen_loop() {
  std::unique_ptr<sql::Connection> c;
  while (!listener_quit) {
    if (!c) {
      auto opened = sql::Connection::open(options.database_url);
      if (opened && (*opened)->listen("fixgate_sessions")) c = std::move(*opened);
      if (!c) {
        std::this_thread::sleep_for(200ms);  // the server is down: try again (bounded by quit)
        continue;
      }
      listener_ok = true;
      {
        std::lock_guard lock(q_mu);
        db_notified = true;  // changes while not listening: reload once
      }
      q_cv.notify_one();
    }
    auto changed = c->changed(250ms);
    if (!changed) {  // the connection is lost: poll until it is back
      listener_ok = false;
      c.reset();
      continue;
    }
    if (*changed) {
      std::lock_guard lock(q_mu);
      db_notified = true;
    }
    if (*changed) q_cv.notify_one();
  }
}

AdminOutcome LpSupervisor::Impl::call(std::function<AdminOutcome()> f) {
  auto promise = std::make_shared<std::promise<AdminOutcome>>();
  auto result = promise->get_future();
  {
    std::lock_guard lock(q_mu);
    if (quitting) return fail(AdminOutcome::Code::kConflict, "fixgated is stopping");
    commands.push_back([promise, f = std::move(f)] { promise->set_value(f()); });
  }
  q_cv.notify_one();
  if (result.wait_for(30s) != std::future_status::ready)
    return fail(AdminOutcome::Code::kFailed, "the gateway did not answer within 30 s");
  return result.get();
}

// ---- reconciling with the table ---------------------------------------------------------------

void LpSupervisor::Impl::reconcile() {
  auto records = db->load();
  if (!records) {
    if (records.error() != last_load_error) log("sessions table: " + records.error());
    last_load_error = records.error();
    return;
  }
  last_load_error.clear();
  std::set<std::string> seen;
  std::map<std::string, std::string> ids;  // session ID -> the provider that has it
  for (LpRecord& rec : *records) {
    const std::string provider = rec.row.provider;
    seen.insert(provider);
    auto [it, fresh] = lps.try_emplace(provider);
    Lp& lp = it->second;
    if (fresh) lp.status = rec.status;
    lp.row = std::move(rec.row);
    lp.in_table = true;
    apply(lp, provider, ids);
    publish(provider, lp);
  }
  for (auto it = lps.begin(); it != lps.end();) {
    Lp& lp = it->second;
    if (seen.count(it->first) || !lp.in_table) {
      ++it;
      continue;
    }
    lp.in_table = false;
    log("lp " + it->first + ": deleted from fixgate_sessions: stopping");
    if (lp.runner) begin_stop(lp, std::pair{LpStatus::kInactive, std::string("deleted")});
    lp.restart_after_stop = false;
    if (!lp.runner && !lp.stopping) {
      std::lock_guard lock(view_mu);
      shown.erase(it->first);
      it = lps.erase(it);
    } else {
      ++it;
    }
  }
}

Result<SessionSetup> LpSupervisor::Impl::build(const std::string& provider,
                                               const LpRow& row) const {
  auto settings = lp_settings(row, options.defaults);
  if (!settings) return settings.status();
  auto setup = to_session_setup(*settings);
  if (!setup) return setup.status();
  if (setup->is_template) return Status::error("an LP row cannot be an acceptor template");
  if (!setup->manager.log_directory.empty()) setup->manager.log_directory += "/" + provider;
  if (setup->app.empty()) setup->app = options.app;
  return setup;
}

void LpSupervisor::Impl::apply(Lp& lp, const std::string& provider,
                               std::map<std::string, std::string>& ids) {
  auto refuse = [&](const std::string& why) {
    if (lp.runner) begin_stop(lp, std::pair{LpStatus::kError, why});
    lp.restart_after_stop = false;
    lp.fingerprint.clear();
    if (!lp.stopping) set_status(provider, lp, LpStatus::kError, why);
  };
  if (!valid_provider(provider))
    return refuse("provider '" + provider + "': only A-Z a-z 0-9 _ - (1 to 64 characters)");
  if (!lp.row.enabled) {
    lp.restart_after_stop = false;
    lp.held = false;
    if (lp.runner) {
      begin_stop(lp, std::pair{LpStatus::kInactive, std::string("disabled")});
    } else if (!lp.stopping && lp.status.status != LpStatus::kInactive) {
      set_status(provider, lp, LpStatus::kInactive, "disabled");
    }
    return;
  }
  auto setup = build(provider, lp.row);
  if (!setup) return refuse(setup.error());
  const std::string id = setup->manager.session.id.to_string();
  if (auto [at, fresh] = ids.emplace(id, provider); !fresh)
    return refuse("session " + id + " is also LP " + at->second + "'s: CompIDs must differ");
  const std::string fingerprint = lp.row.fingerprint();
  if ((lp.runner || lp.stopping || lp.held) && fingerprint == lp.fingerprint) {
    // Disabled (or deleted) and back while its logout still runs: it starts again once stopped.
    // An operator's logout (held) keeps it out.
    if (lp.stopping && !lp.runner && !lp.held) lp.restart_after_stop = true;
    return;
  }
  lp.held = false;
  lp.setup = std::move(*setup);
  lp.fingerprint = fingerprint;
  if (lp.runner) {
    log("lp " + provider + ": configuration changed: logging out, then starting again");
    begin_stop(lp, std::nullopt);
  }
  if (lp.stopping) {
    lp.restart_after_stop = true;
    return;
  }
  start_runner(provider, lp);
}

Result<std::shared_ptr<session::Store>> LpSupervisor::Impl::store_of(const std::string& provider,
                                                                     Lp& lp) {
  if (!lp.setup) {
    auto setup = build(provider, lp.row);
    if (!setup) return setup.status();
    lp.setup = std::move(*setup);
  }
  const std::string key = store_key(*lp.setup);
  if (lp.store && key == lp.store_key) return lp.store;
  lp.store.reset();  // closed (its lock released) before the new one opens
  auto opened = open_shared_store(*lp.setup);
  if (!opened) return opened.status();
  lp.store = *opened;
  lp.store_key = key;
  return lp.store;
}

void LpSupervisor::Impl::start_runner(const std::string& provider, Lp& lp) {
  auto store = store_of(provider, lp);
  {
    std::lock_guard lock(view_mu);
    if (store)
      store_errors.erase(provider);
    else
      store_errors[provider] = store.error();
  }
  if (!store) return set_status(provider, lp, LpStatus::kError, store.error());
  const SessionSetup& setup = *lp.setup;
  LpRunner::Wiring wiring{.provider = provider,
                          .generation = next_generation++,
                          .app = app_kind(setup.app),
                          .post = [this](LpEvent e) { post(std::move(e)); },
                          .log =
                              [this, provider](std::string_view text) {
                                log("lp " + provider + ": engine: " + std::string(text));
                              },
                          .log_entry = options.on_engine_log};
  auto runner = LpRunner::start(setup, *store, std::move(wiring));
  if (!runner) return set_status(provider, lp, LpStatus::kError, runner.error());
  lp.runner = std::move(*runner);
  lp.last_problem.clear();
  lp.session_id = setup.manager.session.id.to_string();
  const bool acceptor = setup.manager.session.role == session::Role::kAcceptor;
  lp.host = acceptor ? setup.manager.accept.host : setup.manager.connect.at(0).host;
  lp.port = acceptor ? lp.runner->session().local_port() : setup.manager.connect.at(0).port;
  log("lp " + provider + ": session " + lp.session_id + (acceptor ? " listening on " : " to ") +
      lp.host + ":" + std::to_string(lp.port));
  if (lp.status.status == LpStatus::kInactive) lp.status.status_reason = "starting";
  publish(provider, lp);
}

void LpSupervisor::Impl::begin_stop(Lp& lp, std::optional<std::pair<LpStatus, std::string>> after) {
  lp.after_stop = std::move(after);
  std::shared_ptr<LpRunner> r = std::move(lp.runner);
  if (!r) return;
  lp.stopping = r;
  lp.stop_deadline = Clock::now() + options.logout_timeout;
  // Logged on: the Logout handshake, then the connection ends. Otherwise dropped at once.
  if (r->session().is_logged_on())
    (void)r->session().logout(lp.after_stop ? lp.after_stop->second : "configuration changed");
  else
    lp.stop_deadline = Clock::now();
}

void LpSupervisor::Impl::check_stopping(bool force) {
  for (auto it = lps.begin(); it != lps.end();) {
    Lp& lp = it->second;
    const std::string provider = it->first;
    ++it;  // finish_stop may erase this LP
    if (!lp.stopping) continue;
    const SessionStatus s = lp.stopping->session().status();
    const bool ended = s == SessionStatus::kDisconnected || s == SessionStatus::kError ||
                       s == SessionStatus::kConnecting;
    if (ended || force || Clock::now() >= lp.stop_deadline) finish_stop(provider, lp);
  }
}

void LpSupervisor::Impl::finish_stop(const std::string& provider, Lp& lp) {
  lp.stopping->halt();
  lp.stopping.reset();
  if (lp.after_stop) set_status(provider, lp, lp.after_stop->first, lp.after_stop->second);
  lp.after_stop.reset();
  if (lp.restart_after_stop && lp.in_table) {
    lp.restart_after_stop = false;
    start_runner(provider, lp);
  }
  publish(provider, lp);
  if (!lp.in_table && !lp.runner) {
    std::lock_guard lock(view_mu);
    shown.erase(provider);
    lps.erase(lps.find(provider));
  }
}

// ---- statuses ---------------------------------------------------------------------------------

void LpSupervisor::Impl::handle(const LpEvent& e) {
  auto it = lps.find(e.provider);
  if (it == lps.end()) return;
  Lp& lp = it->second;
  using T = session::SessionEvent::Type;
  if (e.type == T::kStatus) {
    log("lp " + e.provider + ": " + std::string(session::to_string(e.status)));
  } else if (!e.text.empty()) {
    log("lp " + e.provider + ": " + e.text);
  }
  // A replaced session's events: its end is noticed by check_stopping.
  if (!lp.runner || lp.runner->generation() != e.generation) return;
  if (e.type == T::kLog || e.type == T::kDisconnect) {
    if (starts_with(e.text, "next attempt in")) return publish(e.provider, lp);
    if (starts_with(e.text, "outside the session schedule"))
      return set_status(e.provider, lp, LpStatus::kInactive, e.text);
    lp.last_problem = e.text;
    return;
  }
  if (e.type != T::kStatus) return;
  switch (e.status) {
    case SessionStatus::kActive:
      lp.last_problem.clear();
      return set_status(e.provider, lp, LpStatus::kActive, "");
    case SessionStatus::kDisconnected:
    case SessionStatus::kError:
      return set_status(e.provider, lp, LpStatus::kError,
                        lp.last_problem.empty() ? "disconnected" : lp.last_problem);
    default:
      return publish(e.provider, lp);
  }
}

LpStatusRow LpSupervisor::Impl::live(const Lp& lp) const {
  LpStatusRow r = lp.status;
  r.owner = options.owner;
  const LpRunner* runner = lp.runner ? lp.runner.get() : lp.stopping.get();
  if (!runner) {
    r.state = lp.row.enabled ? "stopped" : "disabled";
    r.next_reconnect_at.reset();
    if (lp.store) {  // what the session will start from
      r.next_sender_seq = lp.store->next_sender_seq().value;
      r.next_target_seq = lp.store->next_target_seq().value;
    }
    return r;
  }
  const LiveFields f = live_fields(runner->session());
  r.state = f.state;
  r.next_sender_seq = f.next_sender_seq;
  r.next_target_seq = f.next_target_seq;
  r.last_received_at = f.last_received_at;
  r.last_sent_at = f.last_sent_at;
  r.next_reconnect_at = f.next_reconnect_at;
  return r;
}

void LpSupervisor::Impl::write_live() {
  for (auto& [provider, lp] : lps) {
    if (!lp.in_table) continue;
    LpStatusRow now = live(lp);
    const LpStatusRow& w = lp.live_written;
    if (now.state == w.state && now.status_reason == w.status_reason &&
        now.next_sender_seq == w.next_sender_seq && now.next_target_seq == w.next_target_seq &&
        now.last_received_at == w.last_received_at && now.last_sent_at == w.last_sent_at &&
        now.next_reconnect_at == w.next_reconnect_at && now.owner == w.owner)
      continue;
    if (Status s = db->write_live(provider, now); !s) {
      log("lp " + provider + ": writing its status: " + s.message());
      continue;
    }
    lp.live_written = now;
  }
}

void LpSupervisor::Impl::set_status(const std::string& provider, Lp& lp, LpStatus status,
                                    std::string reason) {
  if (status == lp.status.status) {
    if (reason != lp.status.status_reason) {
      lp.status.status_reason = std::move(reason);
      if (lp.in_table) (void)db->write_live(provider, live(lp));
    }
    return publish(provider, lp);
  }
  StatusTransition t;
  t.provider = provider;
  t.session_id = lp.session_id;
  t.old_status = lp.status.status;
  t.new_status = status;
  t.reason = reason;
  t.owner = options.owner;
  t.at = std::chrono::system_clock::now();
  lp.status.status = status;
  lp.status.status_reason = std::move(reason);
  lp.status.status_changed_at = t.at;
  LpStatusRow now = live(lp);
  t.state = now.state;
  t.next_sender_seq = now.next_sender_seq;
  t.next_target_seq = now.next_target_seq;
  if (lp.in_table) {
    if (Status s = db->write_transition(t, now); !s) {
      log("lp " + provider + ": writing its status: " + s.message());
      t.transition = ++lp.status.transition;  // published all the same, numbered in memory
    } else {
      lp.status.transition = t.transition;
      lp.live_written = now;
    }
  } else {
    t.transition = ++lp.status.transition;
  }
  log("lp " + provider + ": status " + std::string(to_string(t.old_status)) + " -> " +
      std::string(to_string(status)) + (t.reason.empty() ? "" : ": " + t.reason));
  publish(provider, lp);  // readers see the new status before the event goes out
  if (options.on_transition) options.on_transition(t);
}

void LpSupervisor::Impl::publish(const std::string& provider, const Lp& lp) {
  LpView v;
  v.provider = provider;
  v.session_id = lp.session_id;
  v.enabled = lp.row.enabled;
  v.status = lp.status.status;
  v.status_reason = lp.status.status_reason;
  v.status_changed_at = lp.status.status_changed_at;
  v.host = lp.host.empty() ? lp.row.host : lp.host;
  v.port = lp.port ? lp.port : static_cast<uint16_t>(lp.row.port);
  v.heartbeat_interval = lp.setup ? lp.setup->manager.session.heartbeat_interval
                                  : std::chrono::seconds(lp.row.heartbeat_interval);
  v.transitions = lp.status.transition;
  const LpStatusRow now = live(lp);
  v.state = now.state;
  v.next_sender_seq = now.next_sender_seq;
  v.next_target_seq = now.next_target_seq;
  LpMessageLog log;
  if (lp.setup) {
    const engine::SessionOptions& o = lp.setup->manager;
    if (!o.log_directory.empty())
      log.path =
          engine::FileLog::path_prefix(o.log_directory, o.session.id) + ".messages.current.log";
    log.our_comp_id = o.session.id.sender_comp_id;
    log.dictionary = o.session.data_dictionary;
    log.app_dictionary = o.session.app_dictionary;
  }
  std::lock_guard lock(view_mu);
  shown[provider] = Shown{std::move(v), lp.runner ? lp.runner : lp.stopping, std::move(log)};
}

LpSupervisor::Impl::Lp* LpSupervisor::Impl::find(std::string_view provider, bool reload) {
  auto it = lps.find(provider);
  if (it == lps.end() && reload) {  // inserted a moment ago, not yet seen
    reconcile();
    it = lps.find(provider);
  }
  return it == lps.end() || !it->second.in_table ? nullptr : &it->second;
}

AdminOutcome LpSupervisor::Impl::disable_one(const std::string& provider, Lp& lp,
                                             const std::string& reason) {
  lp.row.enabled = false;
  lp.held = false;
  lp.restart_after_stop = false;
  const bool running = lp.runner != nullptr;
  if (running) {
    begin_stop(lp, std::pair{LpStatus::kInactive, reason});
  } else if (lp.stopping) {
    lp.after_stop = std::pair{LpStatus::kInactive, reason};
  } else {
    set_status(provider, lp, LpStatus::kInactive, reason);
  }
  check_stopping(false);
  return AdminOutcome::done(running ? "disabled: logging out" : "disabled");
}

}  // namespace fixgate::gateway
