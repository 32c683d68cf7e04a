#include "fixgate/gateway/daemon.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "daemon_log.h"
#include "fixgate/engine/file_log.h"
#include "fixgate/gateway/admin_server.h"
#include "fixgate/gateway/applications.h"
#include "fixgate/gateway/lp_supervisor.h"
#include "fixgate/gateway/nats_publisher.h"
#include "metrics.h"
#include "sd_notify.h"
#include "text.h"

namespace fixgate::gateway {
namespace {

using namespace std::chrono_literals;

// The line of "file:LINE: …", for putting a file's errors in its order; 0 for file-wide ones.
int line_of(const std::string& error, const std::string& file) {
  if (error.compare(0, file.size() + 1, file + ":") != 0) return 0;
  return std::atoi(error.c_str() + file.size() + 1);
}

// Errors of [DEFAULT] keys come once per session that reads them: keep one of each, in file order.
std::vector<std::string> in_file_order(std::vector<std::string> errors, const std::string& file) {
  std::set<std::string> seen;
  std::erase_if(errors, [&](const std::string& e) { return !seen.insert(e).second; });
  std::stable_sort(errors.begin(), errors.end(), [&](const std::string& a, const std::string& b) {
    return line_of(a, file) < line_of(b, file);
  });
  return errors;
}

void add_lines(std::vector<std::string>& to, const std::string& lines) {
  for (auto& line : split_lines(lines)) to.push_back(std::move(line));
}

std::string where_of(const SessionSettings& s, std::string_view key) {
  const Setting* v = s.find(key);
  return v ? v->where() : s.section_where();
}

// "HOST:PORT", ":PORT" or "PORT" (on 127.0.0.1: the admin API is local unless said otherwise).
Result<std::pair<std::string, uint16_t>> parse_admin_address(const std::string& text) {
  const size_t colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  const std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
  if (host.empty()) host = "127.0.0.1";
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  const long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535)
    return Status::error("'" + text + "' is not HOST:PORT");
  return std::pair{host, static_cast<uint16_t>(p)};
}

// A session event as a line of fixgated's log: a status change says the new status, the other
// events their text (a line never shows a status that is about to change).
LogLine event_line(const session::SessionEvent& e, std::string_view session, std::string& text) {
  using Type = session::SessionEvent::Type;
  LogLevel level = LogLevel::kInfo;
  switch (e.type) {
    case Type::kStatus:
      text = "status " + std::string(session::to_string(e.status));
      if (!e.text.empty()) text += " " + e.text;
      break;
    case Type::kRejectSent:
      level = LogLevel::kWarning;
      text = "reject sent: " + e.text;
      break;
    case Type::kGarbled:
      level = LogLevel::kWarning;
      text = "garbled: " + e.text;
      break;
    case Type::kDisconnect:
      text = "disconnecting: " + e.text;
      break;
    default:
      text = e.text;
      if (text.find("failed") != std::string::npos || text.find("refused") != std::string::npos)
        level = LogLevel::kWarning;
      break;
  }
  return {level, session, {}, text};
}

// Event lines in the log and the session's application.
Status attach(engine::SessionHandle& h, AppKind app, DaemonLog& out) {
  const std::string name = h.id().to_string();
  h.on_event([&out, name](const session::SessionEvent& e) {
    if (e.type == session::SessionEvent::Type::kAppMessage ||
        e.type == session::SessionEvent::Type::kAdminMessage)
      return;
    std::string text;
    out.write(event_line(e, name, text));
  });
  if (app == AppKind::kNone) {
    const bool before_42 = h.id().begin_string == "FIX.4.0" || h.id().begin_string == "FIX.4.1";
    out.info(name, "session " + name +
                       " has no application (no --app, no App=): application messages " +
                       (before_42 ? "get a session Reject" : "get BusinessMessageReject 4") +
                       " (application not available)");
  }
  return attach_application(app, h);
}

// The gateway's parts, stopped in order: no admin change while the LPs stop, the LPs logged out
// (bounded) with status 0, the last events out if NATS is there. Destroyed in the reverse order
// of the members: the admin server (which scrapes the metrics) first.
struct Gateway {
  std::unique_ptr<NatsPublisher> nats;
  std::unique_ptr<LpSupervisor> lps;
  std::unique_ptr<GatewayMetrics> metrics;
  std::unique_ptr<AdminServer> admin;
  void stop() {
    if (admin) admin->stop();
    if (lps) lps->stop(5s);
    if (nats) nats->flush(2s);
  }
};

Status start_gateway(const DaemonConfig& config, DaemonLog& out, Gateway& g) {
  const DaemonOptions& o = config.options;
  // Status events on NATS (nats_publisher.h): never waited for by a session.
  if (!o.nats_url.empty()) {
    NatsOptions no;
    no.url = o.nats_url;
    no.subject_prefix = o.nats_subject_prefix;
    no.jetstream = o.nats_jetstream;
    no.kv_bucket = o.nats_kv_bucket;
    no.on_log = [&out](std::string_view line) { out.info("nats " + std::string(line)); };
    auto started = NatsPublisher::start(std::move(no));
    if (!started) return Status::error("NatsUrl: " + started.error());
    g.nats = std::move(*started);
  }
  // LP sessions from the database, each on an engine of its own (lp_supervisor.h).
  if (!o.sessions_database.empty()) {
    LpSupervisorOptions lo;
    lo.database_url = o.sessions_database;
    lo.defaults = std::make_shared<const SessionSettings::Map>(config.settings.defaults());
    lo.app = config.default_app;
    lo.poll_interval = o.sessions_poll_interval;
    lo.on_log = [&out](std::string_view line) { out.info(line); };
    // The LPs' engines' lines through the same rate limit as the file's engine.
    lo.on_engine_log = [&out](const engine::EngineLogEntry& e) { out.engine(e); };
    if (g.nats) {
      // MsgId provider-transition: a JetStream replay of the same transition is stored once.
      lo.on_transition = [n = g.nats.get(),
                          kv = !o.nats_kv_bucket.empty()](const StatusTransition& t) {
        const std::string json = t.to_json();
        (void)n->publish("events.lpstatus", json, t.provider + "-" + std::to_string(t.transition));
        if (kv) (void)n->put_kv(t.provider, json);
      };
    }
    auto started = LpSupervisor::start(std::move(lo));
    if (!started) return Status::error("sessions database: " + started.error());
    g.lps = std::move(*started);
    out.info("fixgated: LP sessions from " + o.sessions_database);
  }
  // The admin API over the LP sessions (admin_server.h); the address was checked with the file.
  if (!o.admin_address.empty()) {
    auto where = *parse_admin_address(o.admin_address);
    AdminServerOptions ao;
    ao.host = where.first;
    ao.port = where.second;
    ao.token_file = o.admin_token_file;
    ao.reads_need_token = o.admin_reads_need_token;
    ao.audit_log_path = o.admin_audit_log;
    ao.on_log = [&out](std::string_view line) { out.info("admin " + std::string(line)); };
    // /metrics read at each scrape; /readyz: the database answers, and NATS (if configured) is
    // connected.
    g.metrics = std::make_unique<GatewayMetrics>(*g.lps, g.nats.get());
    ao.metrics = [m = g.metrics.get()] { return m->text(); };
    ao.readiness = [l = g.lps.get(), n = g.nats.get(), url = o.nats_url] {
      std::vector<ReadinessCheck> checks;
      Status db = l->ready(2s);
      checks.push_back({"database", db.is_ok(), db.message()});
      std::string stores;
      for (const std::string& problem : l->store_problems())
        stores += (stores.empty() ? "" : "; ") + problem;
      checks.push_back({"stores", stores.empty(), stores});
      if (n) {
        const bool up = n->stats().connected;
        checks.push_back({"nats", up, up ? "" : "not connected to " + url});
      }
      return checks;
    };
    ao.on_audit = [l = g.lps.get(), n = g.nats.get()](const AuditEntry& e) {
      l->add_audit({e.time, e.actor, e.action, e.provider, e.reason,
                    std::to_string(e.http_status) + " " + e.message, e.remote});
      if (n) (void)n->publish("events.audit", audit_json_line(e));
    };
    g.admin = std::make_unique<AdminServer>(*g.lps, std::move(ao));
    if (Status s = g.admin->start(); !s) return Status::error("admin API: " + s.message());
    out.info("fixgated: admin API on http://" + where.first + ":" +
             std::to_string(g.admin->port()) +
             (o.admin_token_file.empty() ? " (no AdminTokenFile: changes are refused)" : ""));
  }
  return Status::ok();
}

// fixgated's log: the console, and <[DEFAULT] FileLogPath>/fixgated.log when that is set.
DaemonLogOptions daemon_log_options(const DaemonConfig& config, std::ostream& console) {
  DaemonLogOptions o;
  o.console = &console;
  o.json = config.log_json;
  const auto& defaults = config.settings.defaults();
  if (auto dir = defaults.find("FileLogPath"); dir != defaults.end() && !dir->second.value.empty())
    o.file = dir->second.value + "/fixgated.log";
  o.max_size = config.options.log_file_max_size;
  o.max_files = config.options.log_file_max_files;
  return o;
}

}  // namespace

DaemonConfig load_daemon_config(const std::string& path, std::string_view default_app,
                                const DaemonOverrides& overrides) {
  DaemonConfig c;
  c.path = path;
  c.default_app = default_app == "echo" ? "echo" : "none";
  c.settings = path.empty() ? Settings() : Settings::read_file(path);
  c.warnings = c.settings.warnings();
  std::vector<std::string> errors = c.settings.errors();
  if (auto options = to_daemon_options(c.settings)) {
    c.options = *options;
  } else {
    add_lines(errors, options.error());
  }
  DaemonOptions& o = c.options;
  for (auto [value, into] : {std::pair{&overrides.db, &o.sessions_database},
                             std::pair{&overrides.admin, &o.admin_address},
                             std::pair{&overrides.admin_token_file, &o.admin_token_file},
                             std::pair{&overrides.nats, &o.nats_url}})
    if (!value->empty()) *into = *value;
  if (!o.admin_address.empty()) {
    if (auto where = parse_admin_address(o.admin_address); !where)
      errors.push_back("AdminAddress: " + where.error());
    if (o.sessions_database.empty())
      errors.push_back(
          "AdminAddress: the admin API serves the LP sessions of a database: give "
          "SessionsDatabase (--db) too");
  }
  // With a sessions table, a file of [DEFAULT] keys alone is a whole configuration.
  if (!o.sessions_database.empty()) std::erase(errors, path + ": no [SESSION] section");
  if (path.empty() && o.sessions_database.empty())
    errors.push_back("no sessions: give a settings file (--config) or a database (--db)");
  std::map<std::string, std::string> ids;  // session id -> where its [SESSION] starts
  for (const SessionSettings& s : c.settings.sessions()) {
    auto setup = to_session_setup(s);
    if (!setup) {
      add_lines(errors, setup.error());
      continue;
    }
    if (setup->app.empty()) setup->app = c.default_app;
    const std::string id = setup->manager.session.id.to_string();
    if (auto [it, fresh] = ids.emplace(id, s.section_where()); !fresh)
      errors.push_back(s.section_where() + ": session " + id + " is already defined at " +
                       it->second);
    c.sessions.push_back(std::move(*setup));
  }
  c.errors = in_file_order(std::move(errors), path);
  return c;
}

std::vector<std::string> check_daemon_config(const DaemonConfig& config) {
  std::vector<std::string> problems;
  auto check = [&](const Status& st) {
    if (!st) problems.push_back(st.message());
  };
  for (size_t i = 0; i < config.sessions.size(); ++i) {
    const SessionSetup& s = config.sessions[i];
    const SessionSettings& keys = config.settings.sessions()[i];
    const engine::SessionOptions& m = s.manager;
    if (s.is_template) {
      // Each dynamic session gets its own store, in the template's directory.
      if (s.store.type == "file" || s.store.type == "sqlite")
        check(check_writable_directory(s.store.path, s.store.where));
    } else {
      check(check_store(s.store, m.session.id));
    }
    if (!m.log_directory.empty())
      check(check_writable_directory(m.log_directory, where_of(keys, "FileLogPath")));
    if (!m.tls.enabled) continue;
    const bool acceptor = m.session.role == session::Role::kAcceptor;
    const std::pair<std::string, std::string_view> files[] = {
        {m.tls.certificate_file, acceptor ? "ServerCertificateFile" : "ClientCertificateFile"},
        {m.tls.private_key_file,
         acceptor ? "ServerCertificateKeyFile" : "ClientCertificateKeyFile"},
        {m.tls.ca_file, "CertificationAuthoritiesFile"}};
    for (const auto& [file, key] : files)
      // A key file not set is the certificate file, already checked.
      if (!file.empty() && keys.has(key) && ::access(file.c_str(), R_OK) != 0)
        problems.push_back(where_of(keys, key) + ": " + file + " is not readable");
  }
  return in_file_order(std::move(problems), config.path);
}

int run_daemon(const DaemonConfig& config, std::ostream& out_stream, std::ostream& err) {
  // A write to a closed pipe or socket fails with EPIPE instead of killing the daemon.
  std::signal(SIGPIPE, SIG_IGN);
  // Blocked before any thread starts (threads inherit the mask); the main thread takes them
  // synchronously with sigwait, so no handler runs at an arbitrary point.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto opened = DaemonLog::open(daemon_log_options(config, out_stream));
  if (!opened) {
    err << "fixgated: " << opened.error() << '\n';
    return 2;
  }
  DaemonLog& out = **opened;
  engine::EngineOptions options = config.options.engine;
  options.on_log_entry = [&out](const engine::EngineLogEntry& e) { out.engine(e); };
  const unsigned loop_threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  engine::Engine engine(std::move(options));

  std::vector<std::pair<engine::SessionHandle*, const SessionSetup*>> started;
  std::vector<std::string> templates;  // "template ID acceptor on", "allows …" around the port
  for (const SessionSetup& s : config.sessions) {
    const AppKind app = app_kind(s.app);
    if (s.is_template) {
      engine::AcceptorTemplate t = to_acceptor_template(s);
      configure_application(app, t.config);
      t.on_session = [&out, app](engine::SessionHandle& h) {
        if (Status st = attach(h, app, out); !st)
          out.write({LogLevel::kError, h.id().to_string(), {}, st.message()});
      };
      std::string allowed;
      for (const auto& id : t.allowed_comp_ids) allowed += (allowed.empty() ? "" : ",") + id;
      templates.push_back("template " + t.config.session.id.to_string() + " acceptor on ");
      templates.back().append("\n allows ").append(allowed);
      if (Status st = engine.add_acceptor_template(std::move(t)); !st) {
        err << "fixgated: " << s.where << ": " << st.message() << '\n';
        return 2;
      }
      continue;
    }
    engine::SessionOptions m = s.manager;
    configure_application(app, m);
    auto store = open_store(s.store, m.session.id);
    if (!store) {
      err << "fixgated: " << store.error() << '\n';
      return 2;
    }
    auto h = engine.add_session(std::move(m), std::move(*store));
    if (!h) {
      err << "fixgated: " << s.where << ": " << h.error() << '\n';
      return 2;
    }
    if (Status st = attach(**h, app, out); !st) {
      err << "fixgated: " << s.where << ": " << st.message() << '\n';
      return 2;
    }
    started.emplace_back(*h, &s);
  }
  if (!config.sessions.empty()) {
    if (Status s = engine.start(); !s) {
      err << "fixgated: " << s.message() << '\n';
      return 2;
    }
  }
  for (const auto& [h, s] : started) {
    const engine::SessionOptions& c = s->manager;
    const std::string name = "session " + h->id().to_string();
    if (c.session.role == session::Role::kAcceptor) {
      out.info(h->id().to_string(), name + " acceptor listening " + c.accept.host + ":" +
                                        std::to_string(h->local_port()));
    } else {
      out.info(h->id().to_string(), name + " initiator connecting " + c.connect[0].host + ":" +
                                        std::to_string(c.connect[0].port));
    }
    if (c.session.schedule)
      out.info(h->id().to_string(), name + " schedule " + c.session.schedule->describe());
  }
  // Printed once started: a template on port 0 listens where the kernel put it.
  const std::vector<engine::Endpoint> template_endpoints = engine.template_endpoints();
  for (size_t i = 0; i < templates.size(); ++i) {
    std::string line = templates[i];
    const engine::Endpoint& ep = template_endpoints[i];
    line.replace(line.find('\n'), 1, ep.host + ":" + std::to_string(ep.port));
    out.info(line);
  }
  std::string engine_line = "engine " + std::to_string(loop_threads) + " loop thread(s)";
  if (config.options.engine.busy_poll.count() > 0)
    engine_line += ", busy-poll " + std::to_string(config.options.engine.busy_poll.count()) +
                   " us" +
                   (config.options.engine.busy_poll_yield ? ", yielding" : ", not yielding");
  out.info(engine_line);
  // The LP gateway around the engine: NATS, the sessions table, the admin API.
  Gateway gateway;
  if (Status st = start_gateway(config, out, gateway); !st) {
    err << "fixgated: " << st.message() << '\n';
    return 2;
  }
  out.info(
      "fixgated: running " + std::to_string(started.size()) + " session(s)" +
      (templates.empty() ? "" : ", " + std::to_string(templates.size()) + " acceptor template(s)"));

  // systemd (Type=notify): every session is started and listening or connecting.
  if (Status st = sd_notify("READY=1"); !st) out.write({LogLevel::kWarning, {}, {}, st.message()});

  const timespec tick{.tv_sec = 1, .tv_nsec = 0};
  for (;;) {
    // Woken every second: the refused connections' summary comes out when a flood stops too.
    const int signal_number = sigtimedwait(&signals, nullptr, &tick);
    out.tick();
    if (signal_number < 0) continue;  // the second passed (EAGAIN) or EINTR
    if (signal_number != SIGHUP) break;
    // Log rotation: the files were renamed; the next line of each log goes to a new file.
    engine::FileLog::reopen_all();
    out.reopen();
    out.info("fixgated: SIGHUP: reopening log files");
  }
  (void)sd_notify("STOPPING=1");
  out.info("fixgated: stopping");
  gateway.stop();       // every LP logged out (bounded), status 0
  engine.shutdown(5s);  // Logout handshake everywhere (bounded), then stop
  out.flush_refused();
  out.info("fixgated: stopped");
  return 0;
}

}  // namespace fixgate::gateway
