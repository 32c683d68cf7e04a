// The admin HTTP server: cpp-httplib's server, its pool of workers, and the glue from requests to
// LpControl calls (admin_internal.h holds the pure parts).
//
// How a request travels through httplib 0.11 here:
//  1. httplib parses the request line and headers (400 for garbage, 414 for a target over 8 KiB).
//  2. pre_route() sees every parsed request before its body is read. It answers those without a
//     body (every read, normally) and refuses chunked ones (httplib 0.11 would read a chunked body
//     whole, past any limit). A request with a Content-Length body goes on, so that its body is
//     consumed whatever the answer: a body left unread would be parsed as the next request.
//  3. httplib reads the body (413 beyond max_body_bytes, the body skipped) and matches the POST
//     pattern: post_change(). Anything else it answers 404 (no handler): on_error() then gives the
//     right answer (404, 405, a read, a change refused).
//  4. on_error() also gives httplib's own errors a JSON body, and audits a 413 change.
// Handler patterns are std::regex, which recurses per character matched (an 8 KiB target crashes
// a 2 MiB stack): the one pattern here is bounded, longer targets never match it.
#include "fixgate/gateway/admin_server.h"

#include <httplib.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "admin_internal.h"
#include "text.h"

namespace fixgate::gateway {

using admin::Action;
using admin::Route;
using json = nlohmann::json;
using HandlerResponse = httplib::Server::HandlerResponse;

namespace {

constexpr const char* kRealm = "Bearer realm=\"fixgate-admin\"";

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(admin::dump(body) + "\n", "application/json");
}

void reply_error(httplib::Response& res, int status, std::string_view message) {
  reply(res, status, json{{"error", message}});
}

std::string remote_of(const httplib::Request& req) {
  std::string port = std::to_string(req.remote_port);
  if (req.remote_addr.find(':') != std::string::npos) return "[" + req.remote_addr + "]:" + port;
  return req.remote_addr + ":" + port;
}

// The answers httplib gives by itself before any handler runs.
std::string status_text(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 404:
      return "no such route";
    case 413:
      return "the body is too large";
    case 414:
      return "the request target is too long";
    case 416:
      return "range not satisfiable";
    default:
      return "HTTP status " + std::to_string(status);
  }
}

// A body announced by Content-Length (chunked ones are refused before).
bool has_body(const httplib::Request& req) {
  return req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0";
}

int http_status(AdminOutcome::Code code) {
  switch (code) {
    case AdminOutcome::Code::kOk:
      return 200;
    case AdminOutcome::Code::kBadRequest:
      return 400;
    case AdminOutcome::Code::kNotFound:
      return 404;
    case AdminOutcome::Code::kConflict:
      return 409;
    case AdminOutcome::Code::kFailed:
      break;
  }
  return 500;
}

// A change's body, checked.
struct ChangeBody {
  std::string reason;                         // trimmed
  uint64_t next_sender = 0, next_target = 0;  // 0: leave as is
  bool force = false;
  std::string detail;  // for the audit
  std::string error;   // "" when good
};

std::string check_reason(const json& j, ChangeBody& out) {
  auto it = j.find("reason");
  if (it == j.end()) return "\"reason\" is required";
  if (!it->is_string()) return "\"reason\" must be a string";
  const std::string& given = it->get_ref<const std::string&>();
  out.reason = admin::clip(given, admin::kMaxReasonBytes);
  if (given.size() > admin::kMaxReasonBytes) return "\"reason\" is longer than 512 bytes";
  for (char c : given)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return "\"reason\" must not hold control characters";
  out.reason = std::string(trim(given));
  if (out.reason.empty()) return "\"reason\" must not be empty";
  return "";
}

// next_sender / next_target: a whole number >= 1 when present.
std::string check_seq(const json& j, const char* key, uint64_t& out) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (!it->is_number_unsigned() || it->get<uint64_t>() == 0)
    return std::string("\"") + key + "\" must be a whole number >= 1";
  out = it->get<uint64_t>();
  return "";
}

std::string check_sequences(const json& j, ChangeBody& out) {
  if (auto e = check_seq(j, "next_sender", out.next_sender); !e.empty()) return e;
  if (auto e = check_seq(j, "next_target", out.next_target); !e.empty()) return e;
  if (auto it = j.find("force"); it != j.end()) {
    if (!it->is_boolean()) return "\"force\" must be true or false";
    out.force = it->get<bool>();
  }
  auto text = [](uint64_t n) { return n ? std::to_string(n) : std::string("-"); };
  out.detail = "next_sender=" + text(out.next_sender) + " next_target=" + text(out.next_target) +
               " force=" + (out.force ? "true" : "false");
  if (!out.next_sender && !out.next_target) return "give \"next_sender\", \"next_target\" or both";
  return "";
}

ChangeBody parse_change_body(std::string_view text, Action action) {
  ChangeBody out;
  if (trim(text).empty()) {
    out.error = "the body must be a JSON object such as {\"reason\": \"…\"}";
    return out;
  }
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    out.error = "the body is not valid JSON";
  } else if (!j.is_object()) {
    out.error = "the body must be a JSON object such as {\"reason\": \"…\"}";
  } else {
    out.error = check_reason(j, out);
    for (auto it = j.begin(); it != j.end() && out.error.empty(); ++it) {
      bool known =
          it.key() == "reason" ||
          (action == Action::kSequences &&
           (it.key() == "next_sender" || it.key() == "next_target" || it.key() == "force"));
      if (!known) out.error = "unknown field \"" + admin::clip(it.key(), 64) + "\"";
    }
    if (out.error.empty() && action == Action::kSequences) out.error = check_sequences(j, out);
  }
  return out;
}

// Who a request is: the token's name, or the answer to give (401/403).
struct Authn {
  int status = 0;  // 0: authenticated
  std::string actor = "-";
  std::string error;
  bool malformed = false;
};

}  // namespace

struct AdminServer::Impl {
  Impl(LpControl& c, AdminServerOptions o) : control(c), options(std::move(o)) {}

  LpControl& control;
  const AdminServerOptions options;
  std::vector<AdminToken> tokens;  // written by start() before any worker exists; then read-only
  int audit_fd = -1;
  std::mutex report_mutex;  // serialises on_audit, on_log and the audit file's lines
  httplib::Server http;
  std::thread listener;
  std::atomic<bool> listener_done{false};
  std::atomic<uint16_t> port{0};
  std::mutex lifecycle_mutex;
  bool started = false;

  Status start();
  void configure_http();
  HandlerResponse pre_route(const httplib::Request& req, httplib::Response& res);
  void answer(const httplib::Request& req, httplib::Response& res);
  HandlerResponse on_error(const httplib::Request& req, httplib::Response& res);
  void serve_read(const httplib::Request& req, httplib::Response& res, const Route& route);
  void serve_readyz(httplib::Response& res);
  void serve_page(httplib::Response& res);
  void serve_page_read(const httplib::Request& req, httplib::Response& res, const Route& route);
  void serve_metrics(httplib::Response& res);
  void serve_change(const httplib::Request& req, httplib::Response& res, const Route& route,
                    int refusal_status = 0, std::string_view refusal = {});
  AdminOutcome call_control(const Route& route, const ChangeBody& body, const AdminRequest& who);
  Authn authenticate(const httplib::Request& req) const;
  bool provider_ok(const httplib::Request& req, const Route& route) const;
  void audit(const AuditEntry& entry);
  void log(std::string_view line);
};

Authn AdminServer::Impl::authenticate(const httplib::Request& req) const {
  Authn a;
  if (tokens.empty()) {
    a.status = 403;
    a.error = "no admin token file configured";
    return a;
  }
  size_t count = req.get_header_value_count("Authorization");
  std::string header = req.get_header_value("Authorization");
  auto bearer = admin::parse_bearer(header, count > 0);
  if (count > 1) bearer.kind = admin::Bearer::Kind::kMalformed;
  if (bearer.kind == admin::Bearer::Kind::kMissing) {
    a.status = 401;
    a.error = "missing Authorization: Bearer <token>";
  } else if (bearer.kind == admin::Bearer::Kind::kMalformed) {
    a.status = 401;
    a.error = "malformed Authorization header: expected one \"Bearer <token>\"";
    a.malformed = true;
  } else if (auto owner = admin::token_owner(tokens, bearer.token)) {
    a.actor = *owner;
  } else {
    a.status = 403;
    a.error = "token not accepted";
  }
  return a;
}

// The provider segment is a valid name on the wire, and percent-decoding left the path alone.
bool AdminServer::Impl::provider_ok(const httplib::Request& req, const Route& route) const {
  return admin::valid_provider(route.provider) && req.path == admin::raw_path(req.target);
}

void AdminServer::Impl::log(std::string_view line) {
  if (!options.on_log) return;
  std::lock_guard lock(report_mutex);
  options.on_log(line);
}

void AdminServer::Impl::audit(const AuditEntry& entry) {
  std::string line = audit_json_line(entry) + "\n";
  std::lock_guard lock(report_mutex);
  std::string failure;
  if (audit_fd >= 0) {
    for (size_t done = 0; done < line.size();) {
      ssize_t n = ::write(audit_fd, line.data() + done, line.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        failure = std::string("admin: audit log ") + options.audit_log_path + ": " +
                  (n < 0 ? std::strerror(errno) : "short write") + "; entry: " + line;
        break;
      }
      done += static_cast<size_t>(n);
    }
  }
  if (!failure.empty() && options.on_log) options.on_log(failure);
  if (!options.on_audit) return;
  try {
    options.on_audit(entry);
  } catch (const std::exception& e) {
    if (options.on_log) options.on_log(std::string("admin: on_audit threw: ") + e.what());
  }
}

void AdminServer::Impl::serve_read(const httplib::Request& req, httplib::Response& res,
                                   const Route& route) {
  if (route.kind == Route::Kind::kPage) return serve_page(res);
  if (route.kind == Route::Kind::kHealthz) return reply(res, 200, json{{"status", "ok"}});
  if (route.kind == Route::Kind::kReadyz) return serve_readyz(res);
  if (options.reads_need_token) {
    Authn a = authenticate(req);
    if (a.status == 401) res.set_header("WWW-Authenticate", kRealm);
    if (a.status) return reply_error(res, a.status, a.error);
  }
  if (route.kind == Route::Kind::kMetrics) return serve_metrics(res);
  try {
    if (route.kind == Route::Kind::kList) {
      json all = json::array();
      for (const auto& v : control.list()) all.push_back(admin::lp_view_json(v));
      return reply(res, 200, all);
    }
    if (route.kind == Route::Kind::kAudit) return serve_page_read(req, res, route);
    if (!provider_ok(req, route))
      return reply_error(res, 400, "invalid provider name: 1 to 64 of [A-Za-z0-9_-]");
    if (route.is_page_read()) return serve_page_read(req, res, route);
    auto view = control.find(route.provider);
    if (!view) return reply_error(res, 404, "no LP named " + std::string(route.provider));
    reply(res, 200, admin::lp_view_json(*view));
  } catch (const std::exception& e) {
    log(std::string("admin: reading the LPs failed: ") + e.what());
    reply_error(res, 500, std::string("reading the LPs failed: ") + e.what());
  }
}

// The status page: one self-contained file (its CSS and JavaScript inline), which reads the JSON
// API from the browser. It loads without a token; its reads then ask for one if they need it.
void AdminServer::Impl::serve_page(httplib::Response& res) {
  res.status = 200;
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                 "connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; "
                 "form-action 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_content(std::string(admin::status_page_html()), "text/html; charset=utf-8");
}

void AdminServer::Impl::serve_page_read(const httplib::Request& req, httplib::Response& res,
                                        const Route& route) {
  admin::ReadAnswer a =
      admin::answer_read(control, route, req.params, std::chrono::system_clock::now());
  if (a.status >= 500) log("admin: " + a.body.value("error", std::string("a read failed")));
  reply(res, a.status, a.body);
}

void AdminServer::Impl::serve_readyz(httplib::Response& res) {
  std::vector<ReadinessCheck> checks;
  try {
    if (options.readiness) checks = options.readiness();
  } catch (const std::exception& e) {
    checks.push_back({"readiness", false, std::string("the check failed: ") + e.what()});
  }
  json body = admin::readiness_json(checks);
  reply(res, body["not_ready"].empty() ? 200 : 503, body);
}

void AdminServer::Impl::serve_metrics(httplib::Response& res) {
  if (!options.metrics) return reply_error(res, 404, "no metrics on this server");
  try {
    res.status = 200;
    res.set_content(options.metrics(), "text/plain; version=0.0.4");
  } catch (const std::exception& e) {
    log(std::string("admin: collecting the metrics failed: ") + e.what());
    reply_error(res, 500, std::string("collecting the metrics failed: ") + e.what());
  }
}

AdminOutcome AdminServer::Impl::call_control(const Route& route, const ChangeBody& body,
                                             const AdminRequest& who) {
  std::string_view p = route.provider;
  try {
    switch (route.action) {
      case Action::kDisable:
        return control.disable(p, who);
      case Action::kEnable:
        return control.enable(p, who);
      case Action::kLogon:
        return control.logon(p, who);
      case Action::kLogout:
        return control.logout(p, who);
      case Action::kDisconnect:
        return control.disconnect(p, who);
      case Action::kTestRequest:
        return control.test_request(p, who);
      case Action::kResetSequences:
        return control.reset_sequences(p, who);
      case Action::kSequences:
        return control.set_sequences(p, body.next_sender, body.next_target, body.force, who);
      case Action::kKillAll:
        return control.kill_all(who);
    }
  } catch (const std::exception& e) {
    return {AdminOutcome::Code::kFailed, std::string("failed: ") + e.what()};
  } catch (...) {
    return {AdminOutcome::Code::kFailed, "failed: unknown exception"};
  }
  return {AdminOutcome::Code::kFailed, "unknown action"};
}

// Every change attempt ends here once, and is audited once, whatever the answer. `refusal_status`
// (411, 413): the body cannot be had; said once the request has authenticated.
void AdminServer::Impl::serve_change(const httplib::Request& req, httplib::Response& res,
                                     const Route& route, int refusal_status,
                                     std::string_view refusal) {
  AuditEntry e;
  e.time = std::chrono::system_clock::now();
  e.action = admin::action_name(route.action);
  e.provider = route.kind == Route::Kind::kKillAll
                   ? "*"
                   : admin::clip(route.provider, admin::kMaxAuditProviderBytes);
  e.remote = remote_of(req);
  e.actor = "-";
  auto finish = [&](int status, std::string message) {
    e.http_status = status;
    e.message = std::move(message);
    audit(e);
    if (status == 200) {
      reply(res, 200,
            json{{"action", e.action},
                 {"provider", e.provider},
                 {"result", "ok"},
                 {"message", e.message}});
    } else {
      reply_error(res, status, e.message);
    }
  };

  Authn a = authenticate(req);
  if (a.status) {
    if (a.status == 401)
      res.set_header("WWW-Authenticate",
                     a.malformed ? std::string(kRealm) + ", error=\"invalid_request\"" : kRealm);
    return finish(a.status, a.error);
  }
  e.actor = a.actor;
  if (route.kind == Route::Kind::kChange && !provider_ok(req, route))
    return finish(400, "invalid provider name: 1 to 64 of [A-Za-z0-9_-]");
  if (refusal_status) return finish(refusal_status, std::string(refusal));
  if (req.body.size() > options.max_body_bytes)
    return finish(413, "the body is over " + std::to_string(options.max_body_bytes) + " bytes");
  ChangeBody body = parse_change_body(req.body, route.action);
  e.reason = body.reason;
  e.detail = body.detail;
  if (!body.error.empty()) return finish(400, body.error);
  AdminOutcome out = call_control(route, body, AdminRequest{e.actor, body.reason});
  finish(http_status(out.code), out.message);
}

// Unknown routes, wrong methods, reads and changes: the answer to any request whose body (if any)
// has been consumed.
void AdminServer::Impl::answer(const httplib::Request& req, httplib::Response& res) {
  Route route = admin::match_route(req.target);
  if (route.kind == Route::Kind::kUnknown) {
    return reply_error(
        res, 404,
        "no such route: " + req.method + " " + admin::clip(admin::raw_path(req.target), 200));
  }
  bool get = req.method == "GET" || req.method == "HEAD";
  if (route.is_read() ? !get : req.method != "POST") {
    res.set_header("Allow", route.is_read() ? "GET, HEAD" : "POST");
    return reply_error(res, 405, req.method + " is not allowed here");
  }
  if (route.is_read()) return serve_read(req, res, route);
  serve_change(req, res, route);
}

HandlerResponse AdminServer::Impl::pre_route(const httplib::Request& req, httplib::Response& res) {
  if (req.has_header("Transfer-Encoding")) {
    Route route = admin::match_route(req.target);
    std::string why = "send the body with a Content-Length (no chunked transfer)";
    if (req.method == "POST" && route.is_change())
      serve_change(req, res, route, 411, why);
    else
      reply_error(res, 411, why);
    return HandlerResponse::Handled;
  }
  if (has_body(req)) return HandlerResponse::Unhandled;  // answered once the body is read
  answer(req, res);
  return HandlerResponse::Handled;
}

HandlerResponse AdminServer::Impl::on_error(const httplib::Request& req, httplib::Response& res) {
  if (!res.body.empty()) return HandlerResponse::Unhandled;  // one of ours
  if (res.status == 404 && has_body(req)) {  // no handler matched: ours to answer after all
    res.status = 200;
    answer(req, res);
    return HandlerResponse::Handled;
  }
  if (res.status == 413 && req.method == "POST") {
    Route route = admin::match_route(req.target);
    if (route.is_change()) {
      serve_change(req, res, route, 413,
                   "the body is over " + std::to_string(options.max_body_bytes) + " bytes");
      return HandlerResponse::Handled;
    }
  }
  reply_error(res, res.status, status_text(res.status));
  return HandlerResponse::Handled;
}

void AdminServer::Impl::configure_http() {
  size_t threads = options.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // httplib's default sets SO_REUSEPORT, which would let a second daemon listen on our port
  // beside us; SO_REUSEADDR alone restarts quickly and still refuses a port in use.
  http.set_socket_options([](socket_t sock) {
    int one = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  });
  auto io = static_cast<time_t>(options.io_timeout.count());
  http.set_read_timeout(io, 0);
  http.set_write_timeout(io, 0);
  // One request per connection: httplib serves a connection on one worker for as long as it is
  // kept alive, so ten status pages polling over kept-alive connections would hold every worker
  // and leave the API (and /metrics, /readyz) waiting. Loopback and LAN reconnects cost little.
  http.set_keep_alive_max_count(1);
  http.set_payload_max_length(options.max_body_bytes);
  http.set_default_headers({{"Cache-Control", "no-store"}});
  http.set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return pre_route(req, res); });
  http.Post("/api/v1/.{1,300}",
            [this](const httplib::Request& req, httplib::Response& res) { answer(req, res); });
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) { return on_error(req, res); }));
  http.set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log("admin: a request failed: " + what);
        reply_error(res, 500, "internal error");
      });
}

Status AdminServer::Impl::start() {
  std::lock_guard lock(lifecycle_mutex);
  if (started) return Status::error("admin: already started (a stopped server does not restart)");
  started = true;
  if (options.threads == 0 || options.max_body_bytes == 0 || options.io_timeout.count() <= 0)
    return Status::error("admin: threads, max_body_bytes and io_timeout must be positive");
  if (!options.token_file.empty()) {
    auto t = read_admin_tokens(options.token_file);
    if (!t) return Status::error("admin: token file: " + t.error());
    tokens = std::move(*t);
  } else if (options.reads_need_token) {
    return Status::error("admin: reads_need_token needs a token file");
  }
  if (!options.audit_log_path.empty()) {
    audit_fd = ::open(options.audit_log_path.c_str(),
                      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    if (audit_fd < 0)
      return Status::error("admin: audit log " + options.audit_log_path + ": " +
                           std::strerror(errno));
  }
  configure_http();
  errno = 0;
  int bound = options.port == 0
                  ? http.bind_to_any_port(options.host)
                  : (http.bind_to_port(options.host, options.port) ? options.port : -1);
  if (bound <= 0) {
    std::string why = errno ? std::string(" (") + std::strerror(errno) + ")" : "";
    if (audit_fd >= 0) ::close(audit_fd);
    audit_fd = -1;
    return Status::error("admin: cannot listen on " + options.host + ":" +
                         std::to_string(options.port) + why);
  }
  listener = std::thread([this] {
    http.listen_after_bind();
    listener_done = true;
  });
  // httplib's stop() only reaches a server whose accept loop runs: wait for it (microseconds).
  while (!http.is_running() && !listener_done) std::this_thread::yield();
  port = static_cast<uint16_t>(bound);
  log("admin: HTTP API on " + options.host + ":" + std::to_string(bound) + ", " +
      std::to_string(tokens.size()) + " token(s), reads " +
      (options.reads_need_token ? "need a token" : "open") + ", audit log " +
      (options.audit_log_path.empty() ? std::string("none") : options.audit_log_path));
  bool loopback =
      options.host == "127.0.0.1" || options.host == "::1" || options.host == "localhost";
  if (!loopback && !options.reads_need_token)
    log("admin: warning: listening on " + options.host +
        " beyond loopback with open reads (plain HTTP: tokens cross the network in clear text)");
  return Status::ok();
}

AdminServer::AdminServer(LpControl& control, AdminServerOptions options)
    : impl_(std::make_unique<Impl>(control, std::move(options))) {}

AdminServer::~AdminServer() { stop(); }

Status AdminServer::start() { return impl_->start(); }

void AdminServer::stop() {
  std::lock_guard lock(impl_->lifecycle_mutex);
  if (!impl_->listener.joinable()) return;
  impl_->http.stop();
  impl_->listener.join();
  impl_->port = 0;
  if (impl_->audit_fd >= 0) ::close(impl_->audit_fd);
  impl_->audit_fd = -1;
}

uint16_t AdminServer::port() const { return impl_->port; }

}  // namespace fixgate::gateway
