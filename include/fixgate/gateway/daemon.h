// fixgated itself: the sessions of a QuickFIX-format settings file on one engine, and the LP
// sessions of a database table (lp_supervisor.h), each with its built-in application
// (applications.h), until SIGTERM or SIGINT, which log every session out first. SIGHUP reopens the
// log files (rotation); SIGPIPE is ignored. apps/fixgated/main.cc only parses the command line.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/engine/engine.h"
#include "fixgate/gateway/settings.h"

namespace fixgate::gateway {

// What fixgated's command line sets over the settings file's [DEFAULT] keys; empty: the file's.
struct DaemonOverrides {
  std::string db;                // --db: SessionsDatabase
  std::string admin;             // --admin: AdminAddress
  std::string admin_token_file;  // --admin-token-file: AdminTokenFile
  std::string nats;              // --nats: NatsUrl
};

// A settings file read and every session built from it; nothing opened, nothing written.
struct DaemonConfig {
  std::string path;   // "" without a settings file (sessions from the database only)
  Settings settings;  // sessions[i] was built from settings.sessions()[i]
  DaemonOptions options;
  std::string default_app;             // --app: "echo" or "none"
  std::vector<SessionSetup> sessions;  // acceptor templates too (is_template); app resolved
  std::vector<std::string> errors;     // every error, in the file's order
  std::vector<std::string> warnings;   // ignored keys, once each
  bool log_json = false;               // --log-format json: fixgated's log lines as JSON objects
  bool ok() const { return errors.empty(); }
};

// Reads `path` ("": no file) with `overrides` over its [DEFAULT] keys. `default_app` (--app:
// "echo", or "" for none) is the application of each session without an App= key. A file needs a
// [SESSION] only when no sessions database is configured.
DaemonConfig load_daemon_config(const std::string& path, std::string_view default_app,
                                const DaemonOverrides& overrides = {});

// fixgated --check: what the configuration needs of the machine, checked without creating,
// opening for writing or locking anything, so it also works beside the running daemon: store
// and log directories writable (or creatable), TLS files readable. Every problem found.
std::vector<std::string> check_daemon_config(const DaemonConfig& config);

// Runs the daemon until SIGTERM or SIGINT: start-up and event lines on `out` and in
// <[DEFAULT] FileLogPath>/fixgated.log (daemon_log.h), start-up errors on `err`. Tells systemd
// READY=1 once every session is started and STOPPING=1 at the first SIGTERM or SIGINT, when
// $NOTIFY_SOCKET is set. Returns the exit code (0 after a clean stop, 2 when a session cannot
// start).
int run_daemon(const DaemonConfig& config, std::ostream& out, std::ostream& err);

}  // namespace fixgate::gateway
