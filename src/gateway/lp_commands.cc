// The LP supervisor's public side: start and stop, reads from the snapshot, and the operators'
// commands, each run on the supervisor thread (Impl::call) so that it never races the table's
// reconciliation.
#include <unistd.h>

#include "lp_supervisor_impl.h"

namespace fixgate::gateway {

using namespace std::chrono_literals;
using Code = AdminOutcome::Code;
using Lp = LpSupervisor::Impl::Lp;

namespace {

std::string owner_of_this_process() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
  return std::string(host) + ":" + std::to_string(::getpid());
}

std::string who(const AdminRequest& r, std::string_view verb) {
  return std::string(verb) + " by " + (r.actor.empty() ? "an operator" : r.actor) +
         (r.reason.empty() ? "" : ": " + r.reason);
}

}  // namespace

LpSupervisor::LpSupervisor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<LpSupervisor>> LpSupervisor::start(LpSupervisorOptions options) {
  auto impl = std::make_unique<Impl>();
  if (options.owner.empty()) options.owner = owner_of_this_process();
  impl->app = app_kind(options.app);
  impl->options = std::move(options);
  auto db = SessionsDb::open(impl->options.database_url);
  if (!db) return db.status();
  impl->db = std::move(*db);
  Impl& m = *impl;
  // Statuses left by a fixgated that died (kill -9) are corrected before anything connects.
  auto records = m.db->load();
  if (!records) return records.status();
  for (LpRecord& rec : *records) {
    const std::string provider = rec.row.provider;
    Lp& lp = m.lps[provider];
    lp.row = std::move(rec.row);
    lp.status = rec.status;
    if (lp.status.status != LpStatus::kInactive)
      m.set_status(provider, lp, LpStatus::kInactive,
                   "corrected at start: " +
                       (lp.status.owner.empty() ? std::string("a fixgated")
                                                : "fixgated " + lp.status.owner) +
                       " stopped without saying so");
  }
  const bool postgres = m.db->connection().dialect() == sql::Dialect::kPostgres;
  if (postgres) m.listener = std::thread([&m] { m.listen_loop(); });
  {
    std::lock_guard lock(m.q_mu);
    m.db_notified = true;  // the first reconciliation starts every enabled LP
  }
  m.thread = std::thread([&m] { m.run(); });
  return std::unique_ptr<LpSupervisor>(new LpSupervisor(std::move(impl)));
}

LpSupervisor::~LpSupervisor() { stop(impl_->options.logout_timeout); }

void LpSupervisor::stop(std::chrono::milliseconds timeout) {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.q_mu);
    if (m.quitting && !m.thread.joinable()) return;
    m.quitting = true;
    m.quit_timeout = timeout;
  }
  m.q_cv.notify_one();
  if (m.thread.joinable()) m.thread.join();
  m.listener_quit = true;
  if (m.listener.joinable()) m.listener.join();
  std::lock_guard lock(m.view_mu);
  m.shown.clear();
}

void LpSupervisor::add_audit(AuditRecord record) {
  Impl& m = *impl_;
  std::lock_guard lock(m.q_mu);
  if (m.quitting) return;
  m.commands.push_back([&m, r = std::move(record)] {
    if (Status s = m.db->add_audit(r); !s) m.log("audit: " + s.message());
  });
  m.q_cv.notify_one();
}

bool LpSupervisor::sync(std::chrono::milliseconds timeout) {
  Impl& m = *impl_;
  std::unique_lock lock(m.q_mu);
  const uint64_t ticket = ++m.sync_asked;
  m.q_cv.notify_one();
  return m.sync_cv.wait_for(lock, timeout, [&] { return m.sync_done >= ticket || m.quitting; }) &&
         m.sync_done >= ticket;
}

std::vector<std::string> LpSupervisor::store_problems() const {
  std::lock_guard lock(impl_->view_mu);
  std::vector<std::string> out;
  for (const auto& [provider, why] : impl_->store_errors) {
    auto shown = impl_->shown.find(provider);  // a disabled or deleted LP's store is not needed
    if (shown != impl_->shown.end() && shown->second.view.enabled)
      out.push_back(provider + ": " + why);
  }
  return out;
}

Status LpSupervisor::ready(std::chrono::milliseconds timeout) const {
  Impl& m = *impl_;
  std::shared_future<Status> probe;
  {
    std::lock_guard lock(m.q_mu);
    if (m.quitting) return Status::error("the LP supervisor is stopping");
    if (m.ready_probe.valid() &&
        m.ready_probe.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      probe = m.ready_probe;  // one query in flight at a time
    } else {
      auto promise = std::make_shared<std::promise<Status>>();
      probe = m.ready_probe = promise->get_future().share();
      m.commands.push_back([&m, promise] {
        auto version = m.db->schema_version();  // a read of the database itself
        promise->set_value(version ? Status::ok() : Status::error(version.error()));
      });
    }
  }
  m.q_cv.notify_one();
  if (probe.wait_for(timeout) != std::future_status::ready)
    return Status::error("the sessions database did not answer within " +
                         std::to_string(timeout.count()) + " ms");
  try {
    return probe.get();
  } catch (const std::future_error&) {  // the supervisor thread ended without running it
    return Status::error("the LP supervisor stopped");
  }
}

// ---- reads ------------------------------------------------------------------------------------

namespace {

// The snapshot's view with what the running session says now.
LpView with_live(LpView v, const LpRunner* runner) {
  if (!runner) return v;
  const LiveFields f = live_fields(runner->session());
  v.state = f.state;
  v.next_sender_seq = f.next_sender_seq;
  v.next_target_seq = f.next_target_seq;
  v.messages_in = f.messages_in;
  v.messages_out = f.messages_out;
  v.last_received_at = f.last_received_at;
  v.last_sent_at = f.last_sent_at;
  v.next_reconnect_at = f.next_reconnect_at;
  v.stats = f.stats;
  v.connect_attempts = f.connect.attempts;
  v.connect_failures = f.connect.failures;
  v.reconnect_backoff = f.connect.backoff;
  v.receive_queue_depth = f.receive_queue.queued;
  v.reading_paused = f.receive_queue.paused;
  v.loop_cpu_time = runner->loop_cpu_time();
  v.commit_latency = runner->commit_latency().snapshot();
  if (const LatencyHistogram* sync = runner->sync_latency()) v.sync_latency = sync->snapshot();
  return v;
}

}  // namespace

std::vector<LpView> LpSupervisor::list() const {
  std::vector<std::pair<LpView, std::shared_ptr<LpRunner>>> copy;
  {
    std::lock_guard lock(impl_->view_mu);
    for (const auto& [provider, s] : impl_->shown) copy.emplace_back(s.view, s.runner);
  }
  std::vector<LpView> out;
  for (auto& [v, r] : copy) out.push_back(with_live(std::move(v), r.get()));
  return out;
}

std::optional<LpView> LpSupervisor::find(std::string_view provider) const {
  std::pair<LpView, std::shared_ptr<LpRunner>> copy;
  {
    std::lock_guard lock(impl_->view_mu);
    auto it = impl_->shown.find(provider);
    if (it == impl_->shown.end()) return std::nullopt;
    copy = {it->second.view, it->second.runner};
  }
  return with_live(std::move(copy.first), copy.second.get());
}

// The database reads of the status page: run on the supervisor thread, which owns the
// connection (as ready() does), waited for at most kReadTimeout.
namespace {

constexpr auto kReadTimeout = 5s;

template <typename T>
Result<T> read_on_thread(LpSupervisor::Impl& m, std::function<Result<T>()> f) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto result = promise->get_future();
  {
    std::lock_guard lock(m.q_mu);
    if (m.quitting) return Status::error("the LP supervisor is stopping");
    m.commands.push_back([promise, f = std::move(f)] { promise->set_value(f()); });
  }
  m.q_cv.notify_one();
  if (result.wait_for(kReadTimeout) != std::future_status::ready)
    return Status::error("the sessions database did not answer within 5 s");
  try {
    return result.get();
  } catch (const std::future_error&) {  // the supervisor thread ended without running it
    return Status::error("the LP supervisor stopped");
  }
}

}  // namespace

Result<std::vector<LpStatusEvent>> LpSupervisor::status_events(
    std::string_view provider, size_t limit, std::optional<SystemTime> since) const {
  Impl& m = *impl_;
  return read_on_thread<std::vector<LpStatusEvent>>(
      m, [&m, p = std::string(provider), limit, since] { return m.db->history(p, limit, since); });
}

Result<std::vector<AuditRecord>> LpSupervisor::audit_log(size_t limit) const {
  Impl& m = *impl_;
  return read_on_thread<std::vector<AuditRecord>>(m, [&m, limit] { return m.db->audit(limit); });
}

std::optional<LpMessageLog> LpSupervisor::message_log(std::string_view provider) const {
  std::lock_guard lock(impl_->view_mu);
  auto it = impl_->shown.find(provider);
  if (it == impl_->shown.end()) return std::nullopt;
  return it->second.message_log;
}

// ---- changes ----------------------------------------------------------------------------------

namespace {

AdminOutcome not_found(std::string_view provider) {
  return fail(Code::kNotFound, "no LP named '" + std::string(provider) + "'");
}

bool logged_on(const Lp& lp) { return lp.runner && lp.runner->session().is_logged_on(); }

AdminOutcome not_logged_on(const std::string& provider, std::string_view hint = {}) {
  return fail(Code::kConflict, provider + " is not logged on" + std::string(hint));
}

// Runs `f` on the supervisor thread with the LP named `provider`; 404 when there is none.
template <typename F>
AdminOutcome on_lp(LpSupervisor::Impl& m, std::string_view provider, F f) {
  return m.call([&m, p = std::string(provider), f = std::move(f)]() mutable {
    Lp* lp = m.find(p, true);
    return lp ? f(p, *lp) : not_found(p);
  });
}

}  // namespace

AdminOutcome LpSupervisor::disable(std::string_view provider, const AdminRequest& request) {
  Impl& m = *impl_;
  return on_lp(m, provider, [&m, request](const std::string& p, Lp& lp) {
    auto changed = m.db->set_enabled(p, false);
    if (!changed) return fail(Code::kFailed, changed.error());
    if (!*changed) return not_found(p);
    return m.disable_one(p, lp, who(request, "disabled"));
  });
}

AdminOutcome LpSupervisor::enable(std::string_view provider, const AdminRequest& request) {
  Impl& m = *impl_;
  return m.call([&m, p = std::string(provider), request] {
    if (!m.find(p, true)) return not_found(p);
    auto changed = m.db->set_enabled(p, true);
    if (!changed) return fail(Code::kFailed, changed.error());
    if (!*changed) return not_found(p);
    m.log("lp " + p + ": " + who(request, "enabled"));
    m.reconcile();  // starts it, with every check a row gets
    Lp* lp = m.find(p, false);
    if (lp && lp->status.status == LpStatus::kError)
      return AdminOutcome::done("enabled, but it cannot start: " + lp->status.status_reason);
    return AdminOutcome::done("enabled: connecting");
  });
}

AdminOutcome LpSupervisor::kill_all(const AdminRequest& request) {
  Impl& m = *impl_;
  return m.call([&m, request] {
    m.reconcile();
    size_t n = 0;
    for (auto& [provider, lp] : m.lps) {
      if (!lp.in_table || !lp.row.enabled) continue;
      auto changed = m.db->set_enabled(provider, false);
      if (!changed)
        return fail(Code::kFailed,
                    changed.error() + " (after " + std::to_string(n) + " LP(s) disabled)");
      (void)m.disable_one(provider, lp, who(request, "disabled (kill-all)"));
      ++n;
    }
    return AdminOutcome::done(std::to_string(n) + " LP(s) disabled");
  });
}

AdminOutcome LpSupervisor::logon(std::string_view provider, const AdminRequest& request) {
  Impl& m = *impl_;
  return on_lp(m, provider, [&m, request](const std::string& p, Lp& lp) {
    if (!lp.row.enabled) return fail(Code::kConflict, p + " is disabled: enable it");
    if (logged_on(lp)) return fail(Code::kConflict, p + " is already logged on");
    m.log("lp " + p + ": " + who(request, "logon asked"));
    lp.held = false;
    if (lp.runner) {
      if (Status s = lp.runner->reconnect(); !s) return fail(Code::kFailed, s.message());
      return AdminOutcome::done("connecting now");
    }
    if (lp.stopping) {
      lp.restart_after_stop = true;
      return AdminOutcome::done("connecting once its logout ends");
    }
    lp.fingerprint.clear();  // built and started as a changed row is
    m.reconcile();
    return AdminOutcome::done("connecting");
  });
}

AdminOutcome LpSupervisor::logout(std::string_view provider, const AdminRequest& request) {
  Impl& m = *impl_;
  return on_lp(m, provider, [&m, request](const std::string& p, Lp& lp) {
    if (!logged_on(lp)) return not_logged_on(p);
    lp.held = true;
    m.begin_stop(lp, std::pair{LpStatus::kInactive, who(request, "logged out")});
    return AdminOutcome::done(
        "logging out; it stays out until logon, enable or a change of its row");
  });
}

AdminOutcome LpSupervisor::disconnect(std::string_view provider, const AdminRequest& request) {
  return on_lp(*impl_, provider, [request](const std::string& p, Lp& lp) {
    if (!lp.runner) return fail(Code::kConflict, p + " is not running");
    lp.last_problem = who(request, "disconnected");
    if (Status s = lp.runner->reconnect(); !s) return fail(Code::kFailed, s.message());
    return AdminOutcome::done("disconnected; reconnecting");
  });
}

AdminOutcome LpSupervisor::test_request(std::string_view provider, const AdminRequest& request) {
  Impl& m = *impl_;
  return on_lp(m, provider, [&m, request](const std::string& p, Lp& lp) {
    if (!logged_on(lp)) return not_logged_on(p);
    const std::string id =
        "ADMIN-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
    if (Status s = lp.runner->session().send_test_request(id); !s)
      return fail(Code::kFailed, s.message());
    m.log("lp " + p + ": " + who(request, "TestRequest " + id + " sent"));
    return AdminOutcome::done("TestRequest " + id + " sent");
  });
}

AdminOutcome LpSupervisor::reset_sequences(std::string_view provider, const AdminRequest& request) {
  Impl& m = *impl_;
  return on_lp(m, provider, [&m, request](const std::string& p, Lp& lp) {
    if (!logged_on(lp)) return not_logged_on(p, ": set the numbers with sequences");
    if (Status s = lp.runner->session().reset_sequence_numbers(); !s)
      return fail(Code::kFailed, s.message());
    m.log("lp " + p + ": " + who(request, "sequence numbers reset"));
    return AdminOutcome::done("Logon with ResetSeqNumFlag=Y sent");
  });
}

AdminOutcome LpSupervisor::set_sequences(std::string_view provider, uint64_t next_sender,
                                         uint64_t next_target, bool force,
                                         const AdminRequest& request) {
  if (next_sender == 0 && next_target == 0)
    return fail(Code::kBadRequest, "give next_sender, next_target or both (1 or more)");
  Impl& m = *impl_;
  return on_lp(m, provider,
               [&m, next_sender, next_target, force, request](const std::string& p, Lp& lp) {
                 if (logged_on(lp) && !force)
                   return fail(Code::kConflict, p + " is logged on: log it out first, or force");
                 if (lp.stopping) return fail(Code::kConflict, p + " is logging out: try again");
                 auto store = m.store_of(p, lp);
                 if (!store) return fail(Code::kFailed, store.error());
                 // The session lets go of the store first (dropped without a Logout), then starts
                 // again.
                 const bool was_running = lp.runner != nullptr;
                 if (was_running) {
                   lp.runner->halt();
                   lp.runner.reset();
                 }
                 session::StoreBatch batch;
                 if (next_sender) batch.next_sender = session::SeqNum{next_sender};
                 if (next_target) batch.next_target = session::SeqNum{next_target};
                 Status committed = (*store)->commit(batch);
                 if (was_running) m.start_runner(p, lp);
                 if (!committed) return fail(Code::kFailed, committed.message());
                 m.publish(p, lp);
                 m.log("lp " + p + ": " + who(request, "sequence numbers set"));
                 return AdminOutcome::done(
                     "next sender " + std::to_string((*store)->next_sender_seq().value) +
                     ", next target " + std::to_string((*store)->next_target_seq().value));
               });
}

}  // namespace fixgate::gateway
