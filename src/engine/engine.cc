#include "fixgate/engine/engine.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include <asio.hpp>
#include <asio/ssl.hpp>

#include "fixgate/session/memory_store.h"
#include "fixgate/transport/listener.h"
#include "fixgate/transport/loop.h"
#include "session_runtime.h"

namespace fixgate::engine {

using transport::Loop;

// The engine's own state is its owner's thread's (setup, start, stop), but for `mu`, which
// guards the sessions' list (`runtimes`, `handles`): a listener adds dynamic sessions on its
// loop's thread while API threads list them.
struct Engine::Impl {
  EngineOptions options;
  std::unique_ptr<Dispatcher> dispatcher;  // shut down first in ~Engine(): it calls the sessions
  std::vector<std::unique_ptr<Loop>> loops;
  std::vector<std::unique_ptr<SessionRuntime>> runtimes;
  std::vector<std::unique_ptr<SessionHandle>> handles;
  // One listening socket per acceptor address and port, and the templates that listen there.
  struct Port {
    std::unique_ptr<transport::Listener> listener;
    std::vector<const AcceptorTemplate*> templates;
  };
  std::vector<std::unique_ptr<Port>> ports;
  std::vector<std::unique_ptr<AcceptorTemplate>> templates;
  // Guards runtimes and handles: a listener adds dynamic sessions while API threads list them.
  mutable std::mutex mu;
  bool running = false;

  // A runtime for `config` on its thread (not started); add_session and dynamic sessions.
  Result<SessionHandle*> make_runtime(SessionOptions config, std::unique_ptr<session::Store> store);
  // A session from template `t` for `logon` from `peer`, started on its thread; null (logged) on
  // failure.
  SessionRuntime* create_dynamic(const AcceptorTemplate& t, const codec::Message& logon,
                                 std::string_view peer);
  // The session one of `templates` (a port's) makes for `logon` from `peer`, or null (logged)
  // when none may be made. On the listeners' loop thread.
  SessionRuntime* from_template(const std::vector<const AcceptorTemplate*>& templates,
                                const codec::Message& logon, std::string_view peer);
  // Binds a listener for every acceptor session and template (sessions with the same address
  // and port share it); on failure the ports opened so far are the caller's to clear.
  Status open_ports();
  using PortsByEndpoint = std::map<std::pair<std::string, uint16_t>, Port*>;
  // The port at `ep` (made and bound if new), for `who`; an error when the sessions sharing it
  // disagree on TLS or SO_REUSEADDR.
  Result<Port*> port_for(PortsByEndpoint& by_endpoint, const std::string& who, const Endpoint& ep,
                         const std::shared_ptr<asio::ssl::context>& tls, bool reuse_address);
  void log(const EngineLogEntry& entry) const { log_entry(options, entry); }
  // The engine's log as its sessions and listeners call it.
  static void log_entry(const EngineOptions& o, const EngineLogEntry& entry) {
    if (o.on_log_entry) {
      o.on_log_entry(entry);
    } else if (o.on_log) {
      std::string text(entry.text);
      if (!entry.peer.empty()) text.append(" (from ").append(entry.peer).append(")");
      o.on_log(text);
    }
  }
  // A connection refused before any session took it.
  void refused(std::string_view peer, std::string_view text) const {
    log({.level = EngineLogEntry::Level::kWarning,
         .refused = true,
         .session = {},
         .peer = peer,
         .text = text});
  }
};

Result<SessionHandle*> Engine::Impl::make_runtime(SessionOptions config,
                                                  std::unique_ptr<session::Store> store) {
  // Handlers on the loop take each message in turn, so the session's own answers (a Reject, a
  // BusinessMessageReject) keep their place among the handlers' replies; handlers on the
  // dispatcher's workers run concurrently by key, and must not wait on one another.
  config.session.ordered_delivery = dispatcher == nullptr;
  const auto& id = config.session.id;
  std::unique_ptr<FileLog> log;
  if (!config.log_directory.empty()) {
    auto opened = FileLog::open(config.log_directory, id, config.log_rotation);
    if (!opened) return opened.status();
    log = std::move(*opened);
  }
  std::shared_ptr<asio::ssl::context> tls;
  if (config.tls.enabled) {
    auto ctx =
        transport::make_tls_context(config.tls, config.session.role == session::Role::kAcceptor);
    if (!ctx) return Status::error(id.to_string() + ": " + ctx.error());
    tls = *ctx;
  }
  // Sessions are spread over the threads round-robin and stay on theirs; TLS acceptor sessions
  // live on the listeners' thread (a TLS stream cannot move between threads).
  std::lock_guard lock(mu);
  const bool tls_acceptor = tls && config.session.role == session::Role::kAcceptor;
  Loop& loop = tls_acceptor ? *loops[0] : *loops[runtimes.size() % loops.size()];
  RuntimeWiring wiring{.tls = std::move(tls), .log = std::move(log), .engine_log = {}};
  if (options.on_log_entry || options.on_log)
    wiring.engine_log = [this](const EngineLogEntry& entry) { this->log(entry); };
  if (dispatcher) {
    wiring.dispatcher = dispatcher.get();
    wiring.key_strategy = options.key_strategy.get();
    wiring.key_fields = &options.key_fields;
  }
  auto rt = std::make_unique<SessionRuntime>(
      loop, std::move(config), store ? std::move(store) : std::make_unique<session::MemoryStore>(),
      std::move(wiring));
  handles.push_back(std::unique_ptr<SessionHandle>(new SessionHandle(*rt)));
  runtimes.push_back(std::move(rt));
  return handles.back().get();
}

SessionRuntime* Engine::Impl::create_dynamic(const AcceptorTemplate& t, const codec::Message& logon,
                                             std::string_view peer) {
  SessionOptions c = t.config;
  c.session.id.begin_string = std::string(logon.begin_string());
  c.session.id.sender_comp_id = std::string(logon.target_comp_id());
  c.session.id.target_comp_id = std::string(logon.sender_comp_id());
  const std::string name = c.session.id.to_string();
  auto fail = [&](const std::string& why) -> SessionRuntime* {
    refused(peer, "connection refused: cannot create " + name + ": " + why);
    return nullptr;
  };
  std::unique_ptr<session::Store> store;
  if (t.store) {
    auto made = t.store(c.session.id);
    if (!made) return fail(made.error());
    store = std::move(*made);
  }
  auto made = make_runtime(std::move(c), std::move(store));
  if (!made) return fail(made.error());
  SessionHandle& handle = **made;
  SessionRuntime* r = &handle.rt_;
  r->bind_to(r->config().accept.port);
  if (t.on_session) t.on_session(handle);
  r->post_start();  // before the hand-off the caller posts next
  return r;
}

SessionRuntime* Engine::Impl::from_template(const std::vector<const AcceptorTemplate*>& templates,
                                            const codec::Message& logon, std::string_view peer) {
  const std::string who = std::string(logon.begin_string()) + ":" +
                          std::string(logon.target_comp_id()) + "->" +
                          std::string(logon.sender_comp_id());
  auto matches = [](const std::string& pattern, std::string_view value) {
    return pattern == "*" || pattern == value;
  };
  for (const AcceptorTemplate* t : templates) {
    const auto& id = t->config.session.id;
    if (!matches(id.begin_string, logon.begin_string()) ||
        !matches(id.sender_comp_id, logon.target_comp_id()))
      continue;
    const auto& allowed = t->allowed_comp_ids;
    if (std::none_of(allowed.begin(), allowed.end(),
                     [&](const std::string& a) { return matches(a, logon.sender_comp_id()); })) {
      refused(peer, "connection refused: no session for " + who + ", and " +
                        std::string(logon.sender_comp_id()) +
                        " is not on the acceptor template's allow-list");
      return nullptr;
    }
    SessionRuntime* rt = create_dynamic(*t, logon, peer);
    if (rt)
      log({.level = EngineLogEntry::Level::kInfo,
           .refused = false,
           .session = who,
           .peer = peer,
           .text = "session " + who + " created from the acceptor template"});
    return rt;
  }
  refused(peer, "connection refused: no session for " + who);
  return nullptr;
}

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.key_strategy) {
    impl_->dispatcher = std::make_unique<Dispatcher>(
        impl_->options.dispatcher,
        [](std::string_view, DispatchJob& job) {
          SessionRuntime* rt = job.rt;
          std::vector<session::Reply> replies;
          codec::Message msg;
          if (msg.parse(job.bytes).ok()) {
            if (const auto* h = rt->handler_for(msg.msg_type())) {
              // A throw is retried, then dead-lettered; the failed attempt's replies go with it.
              HandlerScope scope(rt, replies, job.seq, job.epoch);
              (*h)(msg);
              replies.resize(scope.count);
              if (!scope.finish()) return;  // deferred: its Completion marks it
            }
          }
          rt->post_dispatched(job.seq, job.epoch, std::move(replies));
        },
        [](ordering::DeadLetter<DispatchJob>&& letter) {
          // Out of retries: counted by the dispatcher; the message still counts as handled so
          // the watermark moves on (it is in the message log for follow-up).
          SessionRuntime* rt = letter.message.rt;
          rt->log_to_engine(EngineLogEntry::Level::kError,
                            rt->id_text() + ": handler failed for seq " +
                                std::to_string(letter.message.seq.value) + " after " +
                                std::to_string(letter.attempts) + " attempts");
          rt->post_dispatched(letter.message.seq, letter.message.epoch);
        });
  }
  unsigned n =
      impl_->options.threads ? impl_->options.threads : std::thread::hardware_concurrency();
  if (impl_->options.caller_driven) n = 1;
  for (unsigned i = 0; i < std::max(1u, n); ++i)
    impl_->loops.push_back(std::make_unique<Loop>(
        transport::LoopOptions{.caller_driven = impl_->options.caller_driven,
                               .busy_poll = impl_->options.busy_poll,
                               .busy_poll_yield = impl_->options.busy_poll_yield}));
}

Engine::~Engine() {
  // Handlers still queued finish first, while the sessions they report to exist.
  if (impl_->dispatcher) impl_->dispatcher->shutdown(ordering::DrainPolicy::kFinishQueued);
  stop();
}

Result<SessionHandle*> Engine::add_session(SessionOptions config,
                                           std::unique_ptr<session::Store> store) {
  Impl& e = *impl_;
  if (e.running) return Status::error("add_session: the engine is running");
  const auto& id = config.session.id;
  if (id.begin_string.empty() || id.sender_comp_id.empty() || id.target_comp_id.empty())
    return Status::error("add_session: BeginString, SenderCompID and TargetCompID are required");
  if (config.session.role == session::Role::kInitiator && config.connect.empty())
    return Status::error("add_session: an initiator needs at least one connect endpoint");
  if (find(id)) return Status::error("add_session: " + id.to_string() + " already exists");
  return e.make_runtime(std::move(config), std::move(store));
}

std::vector<Endpoint> Engine::template_endpoints() const {
  std::lock_guard lock(impl_->mu);
  std::vector<Endpoint> out;
  for (const auto& t : impl_->templates) out.push_back(t->config.accept);
  return out;
}

Status Engine::add_acceptor_template(AcceptorTemplate t) {
  Impl& e = *impl_;
  if (e.running) return Status::error("add_acceptor_template: the engine is running");
  if (t.config.session.role != session::Role::kAcceptor)
    return Status::error("add_acceptor_template: the template must be an acceptor");
  const auto& id = t.config.session.id;
  if (id.begin_string.empty() || id.sender_comp_id.empty())
    return Status::error("add_acceptor_template: BeginString and SenderCompID are required");
  if (t.config.tls.enabled) {
    auto ctx = transport::make_tls_context(t.config.tls, true);
    if (!ctx) return Status::error("add_acceptor_template: " + ctx.error());
  }
  e.templates.push_back(std::make_unique<AcceptorTemplate>(std::move(t)));
  return Status::ok();
}

Result<Engine::Impl::Port*> Engine::Impl::port_for(PortsByEndpoint& by_endpoint,
                                                   const std::string& who, const Endpoint& ep,
                                                   const std::shared_ptr<asio::ssl::context>& tls,
                                                   bool reuse_address) {
  auto found = by_endpoint.find({ep.host, ep.port});
  if (found != by_endpoint.end() && ep.port != 0) {
    const transport::Listener& l = *found->second->listener;
    const char* differs = l.is_tls() != static_cast<bool>(tls) ? "the TLS setting"
                          : l.reuse_address() != reuse_address ? "SocketReuseAddress"
                                                               : nullptr;
    if (differs)
      return Status::error("start: " + who + " and another session share " + ep.host + ":" +
                           std::to_string(ep.port) + " but not " + differs);
    return found->second;
  }
  auto port = std::make_unique<Port>();
  port->listener = std::make_unique<transport::Listener>(*loops[0], tls, reuse_address);
  port->listener->set_log(
      [this](std::string_view peer, std::string_view text) { refused(peer, text); });
  port->listener->set_unrouted(
      [this, p = port.get()](const codec::Message& logon,
                             std::string_view peer) -> transport::Adopter* {
        SessionRuntime* rt = from_template(p->templates, logon, peer);
        return rt ? &rt->adopter() : nullptr;
      });
  if (Status listening = port->listener->listen(ep); !listening)
    return Status::error("start: " + listening.message());
  Port* p = port.get();
  by_endpoint[{ep.host, ep.port}] = p;
  by_endpoint[{ep.host, p->listener->port()}] = p;
  ports.push_back(std::move(port));
  return p;
}

Status Engine::Impl::open_ports() {
  ports.clear();
  PortsByEndpoint by_endpoint;
  for (auto& rt : runtimes) {
    const SessionOptions& config = rt->config();
    if (config.session.role != session::Role::kAcceptor) continue;
    auto found =
        port_for(by_endpoint, rt->id_text(), config.accept, rt->tls(), config.reuse_address);
    if (!found) return found.status();
    transport::Listener& l = *(*found)->listener;
    l.allow_first_message(
        std::chrono::duration_cast<std::chrono::milliseconds>(config.session.logon_timeout));
    const auto& id = config.session.id;
    l.add_route(id.begin_string, id.sender_comp_id, id.target_comp_id, &rt->adopter());
    // A restarted engine listens where it listened before, so initiators find it again.
    rt->bind_to(l.port());
  }
  for (auto& t : templates) {
    std::shared_ptr<asio::ssl::context> tls;
    if (t->config.tls.enabled)
      tls = *transport::make_tls_context(t->config.tls, true);  // checked when added
    auto found = port_for(by_endpoint, "the acceptor template", t->config.accept, tls,
                          t->config.reuse_address);
    if (!found) return found.status();
    (*found)->templates.push_back(t.get());
    t->config.accept.port = (*found)->listener->port();
  }
  return Status::ok();
}

Status Engine::start() {
  Impl& e = *impl_;
  if (e.running) return Status::error("start: already running");
  // One listener per acceptor address:port; sessions on it are told apart by their Logon.
  if (Status opened = e.open_ports(); !opened) {
    e.ports.clear();
    return opened;
  }
  for (auto& loop : e.loops) loop->start();
  for (auto& rt : e.runtimes) rt->post_start();
  for (auto& p : e.ports) p->listener->start();
  e.running = true;
  return Status::ok();
}

void Engine::stop() {
  Impl& e = *impl_;
  if (!e.running) return;
  // Handlers on the dispatcher report back to the loops: let them finish while the loops run.
  if (e.dispatcher) e.dispatcher->wait_idle();
  // Listeners close first and for good: none may add a dynamic session behind our back.
  for (auto& p : e.ports) {
    e.loops[0]->call(
        [l = p->listener.get()] {
          l->close();
          return true;
        },
        true);
  }
  {
    std::lock_guard lock(e.mu);
    for (auto& rt : e.runtimes) rt->post_stop();
  }
  for (auto& loop : e.loops) loop->release();
  for (auto& loop : e.loops) loop->join();
  // Run what the stops cancelled, so no handler outlives its objects.
  for (auto& loop : e.loops) loop->drain();
  e.ports.clear();
  for (auto& rt : e.runtimes) rt->publish();
  e.running = false;
}

void Engine::shutdown(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto* h : sessions())
    if (h->is_logged_on()) (void)h->logout("shutting down");
  for (auto* h : sessions()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() > 0) h->wait_for_status(SessionStatus::kDisconnected, left);
  }
  stop();
}

size_t Engine::run_once(std::chrono::milliseconds timeout) {
  Impl& e = *impl_;
  Loop& loop = *e.loops[0];
  if (!loop.caller_driven() || !e.running) return 0;
  if (loop.in_loop()) return 0;  // called from a handler: the loop is already running
  return loop.run_once(timeout);
}

bool Engine::running() const { return impl_->running; }

std::optional<ordering::DispatcherStats> Engine::dispatcher_stats() const {
  if (!impl_->dispatcher) return std::nullopt;  // made by the constructor, never changed after
  return impl_->dispatcher->stats();
}

std::optional<std::chrono::nanoseconds> Engine::loop_cpu_time() const {
  std::optional<std::chrono::nanoseconds> sum;
  for (const auto& loop : impl_->loops)  // made by the constructor, never changed after
    if (auto t = loop->cpu_time()) sum = sum.value_or(std::chrono::nanoseconds(0)) + *t;
  return sum;
}

std::vector<SessionHandle*> Engine::sessions() const {
  std::lock_guard lock(impl_->mu);
  std::vector<SessionHandle*> out;
  for (auto& h : impl_->handles) out.push_back(h.get());
  return out;
}

SessionHandle* Engine::find(const session::SessionId& id) const {
  std::lock_guard lock(impl_->mu);
  for (auto& h : impl_->handles)
    if (h->id() == id) return h.get();
  return nullptr;
}

}  // namespace fixgate::engine
