// The admin HTTP API: JSON over plain HTTP (loopback by default) that translates requests into
// LpControl calls; bearer tokens from a token file guard every change; every change attempt is
// audited. The HTTP library stays behind a pimpl: this header needs nothing but the standard one.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/gateway/lp_control.h"

namespace fixgate::gateway {

// One change attempt as the audit log records it: the successful ones and the refused ones alike
// (no token, wrong token, bad body, unknown LP …).
struct AuditEntry {
  SystemTime time;
  std::string actor;     // the token's name; "-" when the request did not authenticate
  std::string action;    // "disable", "enable", "logon", "logout", "disconnect", "test-request",
                         // "reset-sequences", "sequences", "kill-all"
  std::string provider;  // "*" for kill-all; a refused name as sent (raw, at most 80 bytes)
  std::string reason;    // as given, at most 512 bytes kept; "" when missing, not a string, or
                         // not read (a request that did not authenticate: its body is not parsed)
  std::string detail;    // sequences: "next_sender=5 next_target=- force=false"; else ""
  int http_status = 0;   // what the client was answered: 200, 400, 401, 403, 404, 409, 413 …
  std::string message;   // the LpControl's message, or why the request was refused
  std::string remote;    // "127.0.0.1:54321"
  bool ok() const { return http_status == 200; }
};

// {"time":"2024-05-01T12:00:00.123456789Z","actor":…,"action":…,"provider":…,"reason":…,
//  "detail":…,"status":200,"result":"ok","message":…,"remote":…} with no newline.
std::string audit_json_line(const AuditEntry& entry);

// An admin token: the name (which goes into the audit log) and the secret.
struct AdminToken {
  std::string name;   // [A-Za-z0-9_.@-]{1,64}
  std::string token;  // 16 to 512 characters of a Bearer token68: [A-Za-z0-9._~+/-] then '='s
};

// Reads a token file: one `name:token` per line, '#' comments and blank lines allowed. An error
// if the file is missing, not a regular file, readable or writable by group or others (it must be
// 0600 or stricter), has a malformed line, a duplicate name or token, or no token at all. Used by
// the server and by `fixgate admin` alike.
Result<std::vector<AdminToken>> read_admin_tokens(const std::string& path);

// One part the gateway needs, as GET /readyz reports it.
struct ReadinessCheck {
  std::string name;  // "database", "nats"
  bool ok = false;
  std::string detail;  // why not ready; or what was checked
};

struct AdminServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;       // 0: the kernel picks one (see AdminServer::port())
  std::string token_file;  // "": every change is refused (403); reads still work
  bool reads_need_token = false;
  size_t max_body_bytes = 64 * 1024;   // a larger body is answered 413, unread
  size_t threads = 4;                  // HTTP worker threads (each serves one connection at a time)
  std::chrono::seconds io_timeout{5};  // per read or write on a connection; bounds stop() too
  std::string audit_log_path;          // "": none; else one JSON line per change, appended
  // Called for every change attempt (AuditEntry), one call at a time, from a worker thread, before
  // the client gets its answer. Must not call AdminServer::stop().
  std::function<void(const AuditEntry&)> on_audit;
  // Start-up facts and problems (an audit line that could not be written …); one call at a time.
  std::function<void(std::string_view)> on_log;
  // GET /metrics: the Prometheus exposition text (format 0.0.4), made at each scrape; a read
  // (open unless reads_need_token). Unset: /metrics answers 404.
  std::function<std::string()> metrics;
  // GET /readyz: every check, 200 when all are ok (or none is set up), else 503 with a JSON body
  // naming those that are not. Never needs a token (service managers, load balancers). Should
  // return within a few seconds: the caller's probe waits for it.
  std::function<std::vector<ReadinessCheck>()> readiness;
  // metrics and readiness are called from the worker threads, concurrently with each other and
  // with themselves; an exception they throw is answered 500 (metrics) or 503 (readiness).
};

// Threads: start() and stop() belong to the owner. Requests are served by a pool of
// `options.threads` workers (plus one accepting thread); each request's LpControl calls, and the
// on_audit and on_log callbacks, run on the worker serving it, so the LpControl sees concurrent
// calls (its contract: thread-safe). on_audit and on_log are serialised by the server.
class AdminServer {
 public:
  AdminServer(LpControl& control, AdminServerOptions options);
  ~AdminServer();  // stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Reads the token file, opens the audit log, listens, starts the threads. Nothing is left
  // running after an error. Once only: a stopped server does not start again.
  Status start();
  // Stops accepting, lets the requests in progress finish (each bounded by io_timeout and its
  // LpControl call) and joins the threads. Idempotent; not from an on_audit/on_log callback.
  void stop();
  uint16_t port() const;  // the port listened on, after a successful start(); else 0

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgate::gateway
