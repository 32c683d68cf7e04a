// fixgated: runs the FIX sessions of a QuickFIX-format settings file and of an LP sessions table
// (gateway/daemon.h).
//   fixgated [--config FILE] [--db URL] [--admin HOST:PORT --admin-token-file FILE] [--nats URL]
//            [--app echo|none] [--log-format text|json] [--check]
//   fixgated --list-keys
// Exit codes: 0 after a clean stop (SIGTERM/SIGINT, every session logged out) or a passing
// --check; 2 for configuration errors, every one printed as file:line: Key: why, and for what
// cannot start (a session, store, port or log file); CLI11's codes (100 and above) for a bad
// command line.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "fixgate/gateway/daemon.h"
#include "fixgate/gateway/setting_keys.h"

int main(int argc, char** argv) {
  using namespace fixgate;
  CLI::App cli{"fixgated: FIX sessions from a QuickFIX-format settings file and a database"};
  cli.set_version_flag("--version", "fixgated " FIXGATE_VERSION);
  std::string config_path, app_name, log_format = "text";
  gateway::DaemonOverrides overrides;
  bool check_only = false, list_keys = false;
  cli.add_option("-c,--config", config_path, "Settings file");
  cli.add_option("--db", overrides.db,
                 "LP sessions table (SessionsDatabase): sqlite:PATH or postgresql://...");
  cli.add_option("--admin", overrides.admin, "Admin HTTP API on HOST:PORT (AdminAddress)");
  cli.add_option("--admin-token-file", overrides.admin_token_file,
                 "Admin tokens, name:token per line, mode 0600 (AdminTokenFile)");
  cli.add_option("--nats", overrides.nats, "NATS server for status events (NatsUrl)");
  cli.add_option("--app", app_name,
                 "Application of every session without App=: echo (reflects D, C, d) or none")
      ->check(CLI::IsMember({"echo", "none"}));
  cli.add_option("--log-format", log_format,
                 "fixgated's log lines: text, or json (one object a line: time, level, session, "
                 "peer, message)")
      ->check(CLI::IsMember({"text", "json"}));
  cli.add_flag("--check", check_only,
               "Check the settings file and what it names, writing nothing, then exit");
  cli.add_flag("--list-keys", list_keys, "Print every settings key as a Markdown table, then exit");
  CLI11_PARSE(cli, argc, argv);

  if (list_keys) {
    std::cout << gateway::keys_markdown();
    return 0;
  }
  if (config_path.empty() && overrides.db.empty()) {
    std::cerr << "fixgated: --config or --db is required\n" << cli.help();
    return 2;
  }
  gateway::DaemonConfig config = gateway::load_daemon_config(config_path, app_name, overrides);
  config.log_json = log_format == "json";
  const std::string what = config_path.empty() ? "configuration" : config_path;
  for (const auto& w : config.warnings) std::cerr << "fixgated: warning: " << w << '\n';
  std::vector<std::string> errors = config.errors;
  if (config.ok() && check_only) errors = gateway::check_daemon_config(config);
  for (const auto& e : errors) std::cerr << "fixgated: " << e << '\n';
  if (!errors.empty()) {
    std::cerr << "fixgated: " << what << ": " << errors.size() << " error(s)\n";
    return 2;
  }
  if (check_only) {
    size_t templates = 0;
    for (const auto& s : config.sessions) templates += s.is_template ? 1 : 0;
    std::cout << "fixgated: " << what << ": " << config.sessions.size() - templates
              << " session(s)";
    if (templates) std::cout << ", " << templates << " acceptor template(s)";
    if (!config.options.sessions_database.empty())
      std::cout << ", LP sessions from " << config.options.sessions_database;
    std::cout << ", OK" << std::endl;
    return 0;
  }
  return gateway::run_daemon(config, std::cout, std::cerr);
}
