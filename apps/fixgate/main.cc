// fixgate: the command-line tool. Subcommands: decode, bench, dict generate, admin, top, sessions.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "admin.h"
#include "bench.h"
#include "decode.h"
#include "dict_generate.h"
#include "sessions_cmd.h"
#include "top.h"

namespace {

// `fixgate admin [--url URL] [--token-file FILE [--token-name NAME]] [--json] COMMAND …`
struct AdminCli {
  AdminCli() = default;
  AdminCli(const AdminCli&) = delete;  // CLI11 holds pointers into it
  AdminCli& operator=(const AdminCli&) = delete;
  CLI::App* command = nullptr;
  std::string url, token_file, token_name;
  fixgate::cli::AdminClientOptions options;
  fixgate::cli::AdminCommand cmd;
  uint64_t next_sender = 0, next_target = 0;
};

// CLI11 writes into `a`'s members: `a` must outlive the parse.
void add_admin(CLI::App& app, AdminCli& a) {
  a.command = app.add_subcommand(
      "admin", "Talk to fixgated's admin HTTP API: list and show the LP sessions, change them");
  auto* admin = a.command;
  admin->require_subcommand(1);
  admin->fallthrough();
  admin->add_option("--url", a.url, "http://HOST:PORT of the admin API (else FIXGATE_ADMIN_URL)");
  auto* file = admin->add_option("--token-file", a.token_file,
                                 "name:token lines, mode 0600 (else FIXGATE_ADMIN_TOKEN)");
  admin->add_option("--token-name", a.token_name, "The token to use (default: the first)")
      ->needs(file);
  admin->add_flag("--json", a.options.json, "Print the server's JSON as it is");
  admin->add_subcommand("list", "Every LP session: a table");
  admin->add_subcommand("show", "One LP session")
      ->add_option("provider", a.cmd.provider, "The LP's name")
      ->required();
  const std::vector<std::pair<const char*, const char*>> changes = {
      {"disable", "The kill switch: log out, stop reconnecting, status 0 (stays off)"},
      {"enable", "Undo disable: the LP connects again"},
      {"logon", "Connect now, skipping the backoff wait"},
      {"logout", "Log out without disabling (it reconnects per its schedule)"},
      {"disconnect", "Drop the connection without a Logout"},
      {"test-request", "Send a TestRequest"},
      {"reset-sequences", "Logon with ResetSeqNumFlag=Y: both sides back to 1"},
      {"sequences", "Set the next sequence numbers (refused while logged on unless --force)"},
      {"kill-all", "Disable every LP"}};
  for (const auto& [name, help] : changes) {
    auto* sub = admin->add_subcommand(name, help);
    if (std::string_view(name) != "kill-all")
      sub->add_option("provider", a.cmd.provider, "The LP's name")->required();
    sub->add_option("--reason", a.cmd.reason, "Why (goes into the audit log)")->required();
  }
  auto* seq = admin->get_subcommand("sequences");
  seq->add_option("--next-sender", a.next_sender, "MsgSeqNum of our next message")
      ->check(CLI::Range(uint64_t{1}, UINT64_MAX));
  seq->add_option("--next-target", a.next_target, "MsgSeqNum expected from the LP next")
      ->check(CLI::Range(uint64_t{1}, UINT64_MAX));
  seq->add_flag("--force", a.cmd.force, "Even while logged on");
}

// `fixgate top [--url URL] [--token-file FILE [--token-name NAME]] [--interval MS] [--once]`
struct TopCli {
  TopCli() = default;
  TopCli(const TopCli&) = delete;  // CLI11 holds pointers into it
  TopCli& operator=(const TopCli&) = delete;
  CLI::App* command = nullptr;
  std::string url, token_file, token_name;
  int64_t interval_ms = 1000;
  bool no_color = false;
  fixgate::cli::TopOptions options;
};

void add_top(CLI::App& app, TopCli& t) {
  t.command = app.add_subcommand(
      "top", "The LP sessions live in the terminal (the status page's table); q quits");
  t.command->add_option("--url", t.url,
                        "http://HOST:PORT of the admin API (else FIXGATE_ADMIN_URL)");
  auto* file = t.command->add_option("--token-file", t.token_file,
                                     "name:token lines, mode 0600 (else FIXGATE_ADMIN_TOKEN); "
                                     "needed with AdminReadsNeedToken=Y");
  t.command->add_option("--token-name", t.token_name, "The token to use (default: the first)")
      ->needs(file);
  t.command->add_option("--interval", t.interval_ms, "Milliseconds between refreshes")
      ->capture_default_str();
  t.command->add_flag("--once", t.options.once, "Print the table once and exit");
  t.command->add_flag("--no-color", t.no_color, "No colours (also when NO_COLOR is set)");
}

int run_top(TopCli& t) {
  std::string url = t.url;
  if (url.empty()) url = std::getenv("FIXGATE_ADMIN_URL") ? std::getenv("FIXGATE_ADMIN_URL") : "";
  if (url.empty()) {
    std::cerr << "fixgate top: no admin URL: --url http://HOST:PORT or FIXGATE_ADMIN_URL\n";
    return 2;
  }
  auto token =
      fixgate::cli::admin_token(t.token_file, t.token_name, std::getenv("FIXGATE_ADMIN_TOKEN"));
  if (!token) {
    std::cerr << "fixgate top: " << token.error() << '\n';
    return 2;
  }
  fixgate::cli::AdminClientOptions client;
  client.url = url;
  client.token = *token;
  t.options.interval = std::chrono::milliseconds(t.interval_ms);
  t.options.color = !t.no_color && std::getenv("NO_COLOR") == nullptr;
  return fixgate::cli::top(client, t.options, std::cout, std::cerr);
}

int run_admin(AdminCli& a) {
  for (auto* sub : a.command->get_subcommands())
    if (sub->parsed()) a.cmd.name = sub->get_name();
  if (a.next_sender) a.cmd.next_sender = a.next_sender;
  if (a.next_target) a.cmd.next_target = a.next_target;
  a.options.url = a.url;
  if (a.options.url.empty()) {
    const char* env = std::getenv("FIXGATE_ADMIN_URL");
    a.options.url = env ? env : "";
  }
  if (a.options.url.empty()) {
    std::cerr << "fixgate admin: no admin URL: --url http://HOST:PORT or FIXGATE_ADMIN_URL\n";
    return 2;
  }
  auto token =
      fixgate::cli::admin_token(a.token_file, a.token_name, std::getenv("FIXGATE_ADMIN_TOKEN"));
  if (!token) {
    std::cerr << "fixgate admin: " << token.error() << '\n';
    return 2;
  }
  a.options.token = *token;
  return fixgate::cli::admin(a.options, a.cmd, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fixgate: FIX tools"};
  app.set_version_flag("--version", "fixgate " FIXGATE_VERSION);
  app.require_subcommand(1);

  auto* decode = app.add_subcommand(
      "decode",
      "Print FIX messages (raw or QuickFIX/fixgated message logs) with field and enum names");
  std::string input = "-";
  std::string dict_path;
  fixgate::cli::DecodeOptions opt;
  decode->add_option("file", input, "Input file, or - for stdin")->capture_default_str();
  decode->add_option("-d,--dict", dict_path, "QuickFIX-format XML dictionary");
  decode->add_flag("--json", opt.json, "One JSON object per message (JSON Lines)");
  decode->add_flag("-c,--compact", opt.compact, "One line per message");
  decode->add_flag("--validate", opt.validate, "Report the session reject reason, if any");

  auto* bench = app.add_subcommand(
      "bench", "Load-test a FIX acceptor with NewOrderSingles: throughput or round-trip latency");
  std::string connect;
  std::string mode = "throughput";
  fixgate::cli::BenchOptions bench_opt;
  int64_t timeout_ms = bench_opt.timeout.count();
  bool no_reset = false;
  bench->add_option("--connect", connect, "HOST:PORT of the acceptor")->required();
  bench->add_option("--sender", bench_opt.sender_comp_id, "Our SenderCompID")->required();
  bench->add_option("--target", bench_opt.target_comp_id, "The acceptor's CompID")->required();
  bench->add_option("--mode", mode, "throughput: n orders back to back; latency: n ping-pongs")
      ->check(CLI::IsMember({"throughput", "latency"}))
      ->capture_default_str();
  bench->add_option("-n", bench_opt.n, "Orders (round trips) measured")->capture_default_str();
  bench->add_option("--warmup", bench_opt.warmup, "Untimed round trips first")
      ->capture_default_str();
  bench
      ->add_option("--replies", bench_opt.replies_per_order,
                   "Application messages the acceptor sends back per order")
      ->capture_default_str();
  bench->add_option("--begin-string", bench_opt.begin_string)->capture_default_str();
  bench->add_option("--timeout-ms", timeout_ms, "For the logon and for each awaited reply")
      ->capture_default_str();
  bench->add_flag("--no-reset", no_reset, "Log on without ResetSeqNumFlag=Y");

  auto* dict = app.add_subcommand("dict", "FIX dictionaries");
  dict->require_subcommand(1);
  auto* generate = dict->add_subcommand(
      "generate", "Convert the FIX Repository into a QuickFIX-format dictionary on stdout");
  std::string repo_dir, version;
  generate->add_option("--repo", repo_dir, "Folder holding FIX.4.0 … FIX.5.0SP2")->required();
  generate->add_option("--version", version, "FIX.4.0 … FIX.5.0SP2, or FIXT.1.1")->required();

  AdminCli admin;
  add_admin(app, admin);
  TopCli top;
  add_top(app, top);
  fixgate::cli::SessionsCli sessions;
  fixgate::cli::add_sessions(app, sessions);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // `fixgate admin` promises exit code 2 for a bad command line.
    return rc != 0 && argc > 1 && std::string_view(argv[1]) == "admin" ? 2 : rc;
  }

  if (admin.command->parsed()) return run_admin(admin);
  if (top.command->parsed()) return run_top(top);
  if (sessions.command->parsed()) return fixgate::cli::run_sessions(sessions);

  if (generate->parsed()) {
    auto xml = fixgate::cli::generate_dictionary(repo_dir, version);
    if (!xml) {
      std::cerr << "fixgate dict generate: " << xml.error() << '\n';
      return 2;
    }
    std::cout << *xml;
    return std::cout.flush() ? 0 : 1;
  }

  if (bench->parsed()) {
    auto endpoint = fixgate::cli::parse_host_port(connect);
    if (!endpoint) {
      std::cerr << "fixgate bench: --connect: " << endpoint.error() << '\n';
      return 2;
    }
    bench_opt.host = endpoint->first;
    bench_opt.port = endpoint->second;
    bench_opt.mode = mode == "latency" ? fixgate::cli::BenchMode::kLatency
                                       : fixgate::cli::BenchMode::kThroughput;
    bench_opt.timeout = std::chrono::milliseconds(timeout_ms);
    bench_opt.reset_on_logon = !no_reset;
    return fixgate::cli::bench(bench_opt, std::cout, std::cerr);
  }

  if (decode->parsed()) {
    if (!dict_path.empty()) {
      auto d = fixgate::dict::Dictionary::load_file(dict_path);
      if (!d) {
        std::cerr << "fixgate decode: " << d.error() << '\n';
        return 2;
      }
      opt.dictionary = *d;
    }
    std::string text;
    if (input == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else {
      std::ifstream in(input, std::ios::binary);
      if (!in) {
        std::cerr << "fixgate decode: cannot open " << input << '\n';
        return 2;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    return fixgate::cli::decode(text, opt, std::cout, std::cerr);
  }
  return 0;
}
