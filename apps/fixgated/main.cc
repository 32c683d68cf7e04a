// fixgated: runs the FIX sessions of a QuickFIX-format settings file.
//   fixgated --config FILE [--app echo]
// Prints one start-up line per session, runs until SIGTERM/SIGINT, then logs every session out
// with the logout handshake (bounded) and exits 0. A configuration error exits 2 naming the
// file, line and key.
#include <CLI/CLI.hpp>

#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fixgate/codec/message.h"
#include "fixgate/dict/dictionary.h"
#include "fixgate/engine/engine.h"
#include "fixgate/gateway/settings.h"

namespace {

using namespace fixgate;
using namespace std::chrono_literals;

// The reflector: echoes every application message back on its session, except a
// NewOrderSingle with PossResend=Y whose ClOrdID this session has already seen.
void install_echo(engine::SessionHandle& m, std::set<std::string>& seen_clordids) {
  auto echo = [&m, &seen_clordids](const codec::Message& msg) {
    if (msg.msg_type() == "D") {
      std::string clordid(msg.get(tag::ClOrdID).value_or(""));
      bool first = seen_clordids.insert(clordid).second;
      if (!first && msg.poss_resend()) return;
    }
    (void)m.send_message(msg.msg_type(), dict::body_fields(msg));
  };
  // Every application message type of FIX 4.0-5.0 SP2, so nothing reaches receive_message().
  for (std::string_view type :
       {"6",  "7",  "8",  "9",  "B",  "C",  "D",  "E",  "F",  "G",  "H",  "J",  "K",  "L",  "M",
        "N",  "P",  "Q",  "R",  "S",  "T",  "V",  "W",  "X",  "Y",  "Z",  "a",  "b",  "c",  "d",
        "e",  "f",  "g",  "h",  "i",  "j",  "k",  "l",  "m",  "n",  "o",  "p",  "q",  "r",  "s",
        "t",  "u",  "v",  "w",  "x",  "y",  "z",  "AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH",
        "AI", "AJ", "AK", "AL", "AM", "AN", "AO", "AP", "AQ", "AR", "AS", "AT", "AU", "AV"})
    m.on(type, echo);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"fixgated: FIX sessions from a QuickFIX-format settings file"};
  cli.set_version_flag("--version", "fixgated " FIXGATE_VERSION);
  std::string config_path, app_name;
  cli.add_option("-c,--config", config_path, "Settings file")->required();
  cli.add_option("--app", app_name, "Built-in application: echo")->check(CLI::IsMember({"echo"}));
  bool check_only = false;
  cli.add_flag("--check", check_only, "Check the settings file (and open the stores), then exit");
  CLI11_PARSE(cli, argc, argv);

  auto settings = gateway::Settings::load_file(config_path);
  if (!settings) {
    std::cerr << "fixgated: " << settings.error() << '\n';
    return 2;
  }
  auto engine_options = gateway::to_engine_options(*settings);
  if (!engine_options) {
    std::cerr << "fixgated: " << engine_options.error() << '\n';
    return 2;
  }
  std::vector<engine::ManagerConfig> configs;
  std::vector<engine::AcceptorTemplate> templates;
  std::vector<const gateway::SessionSettings*> session_settings;  // of configs, by index
  for (const auto& s : settings->sessions()) {
    auto t = gateway::to_acceptor_template(s);
    if (!t) {
      std::cerr << "fixgated: " << t.error() << '\n';
      return 2;
    }
    if (*t) {
      templates.push_back(std::move(**t));
      continue;
    }
    session_settings.push_back(&s);
    auto c = gateway::to_manager_config(s);
    if (!c) {
      std::cerr << "fixgated: " << c.error() << '\n';
      return 2;
    }
    configs.push_back(std::move(*c));
  }

  if (check_only) {
    for (size_t i = 0; i < configs.size(); ++i) {
      auto store = gateway::open_store(*session_settings[i], configs[i].session.id);
      if (!store) {
        std::cerr << "fixgated: " << store.error() << '\n';
        return 2;
      }
    }
    std::cout << "fixgated: " << config_path << ": " << configs.size() << " session(s)";
    if (!templates.empty()) std::cout << ", " << templates.size() << " acceptor template(s)";
    std::cout << ", OK" << std::endl;
    return 0;
  }

  // Block SIGTERM/SIGINT before any thread starts (threads inherit the mask); the main thread
  // then takes them synchronously with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::mutex log_mu;
  engine::EngineOptions options = *engine_options;
  options.on_log = [&log_mu](std::string_view text) {
    std::lock_guard lock(log_mu);
    std::cout << "engine " << text << std::endl;
  };
  const unsigned loop_threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  const auto busy_poll = options.busy_poll;
  const bool busy_poll_yield = options.busy_poll_yield;
  engine::Engine engine(std::move(options));
  // Event lines on stdout and, with --app echo, the reflector; for configured sessions and for
  // those the acceptor templates create while running (on an engine thread).
  std::list<std::set<std::string>> seen;  // ClOrdIDs per session, for the echo app
  std::mutex seen_mu;
  auto attach = [&](engine::SessionHandle& h) {
    const std::string name = h.id().to_string();
    h.on_event([&log_mu, name](const session::SessionEvent& e) {
      if (e.type == session::SessionEvent::Type::kAppMessage ||
          e.type == session::SessionEvent::Type::kAdminMessage)
        return;
      std::lock_guard lock(log_mu);
      std::cout << "event " << name << " " << session::to_string(e.status);
      if (!e.text.empty()) std::cout << " " << e.text;
      std::cout << std::endl;
    });
    if (app_name != "echo") return;
    std::set<std::string>* ids;
    {
      std::lock_guard lock(seen_mu);
      ids = &seen.emplace_back();
    }
    install_echo(h, *ids);
  };
  for (size_t i = 0; i < configs.size(); ++i) {
    auto store = gateway::open_store(*session_settings[i], configs[i].session.id);
    if (!store) {
      std::cerr << "fixgated: " << store.error() << '\n';
      return 2;
    }
    auto h = engine.add_session(configs[i], std::move(*store));
    if (!h) {
      std::cerr << "fixgated: " << session_settings[i]->section_where() << ": " << h.error()
                << '\n';
      return 2;
    }
    attach(**h);
  }
  for (auto& t : templates) {
    t.on_session = attach;
    std::string allowed;
    for (const auto& id : t.allowed_comp_ids) allowed += (allowed.empty() ? "" : ",") + id;
    std::string line = "template " + t.config.session.id.to_string() + " acceptor on " +
                       t.config.accept.host + ":" + std::to_string(t.config.accept.port) +
                       " allows " + allowed;
    if (Status st = engine.add_acceptor_template(std::move(t)); !st) {
      std::cerr << "fixgated: " << st.message() << '\n';
      return 2;
    }
    std::cout << line << std::endl;
  }
  if (Status s = engine.start(); !s) {
    std::cerr << "fixgated: " << s.message() << '\n';
    return 2;
  }
  {
    std::lock_guard lock(log_mu);
    size_t i = 0;
    for (auto* h : engine.sessions()) {
      const auto& c = configs[i++];
      if (c.session.role == session::Role::kAcceptor) {
        std::cout << "session " << h->id().to_string() << " acceptor listening " << c.accept.host
                  << ":" << h->local_port() << std::endl;
      } else {
        std::cout << "session " << h->id().to_string() << " initiator connecting "
                  << c.connect[0].host << ":" << c.connect[0].port << std::endl;
      }
      if (c.session.schedule)
        std::cout << "session " << h->id().to_string() << " schedule "
                  << c.session.schedule->describe() << std::endl;
    }
    std::cout << "engine " << loop_threads << " loop thread(s)";
    if (busy_poll.count() > 0)
      std::cout << ", busy-poll " << busy_poll.count() << " us"
                << (busy_poll_yield ? ", yielding" : ", not yielding");
    std::cout << std::endl;
    std::cout << "fixgated: running " << configs.size() << " session(s)" << std::endl;
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);

  engine.shutdown(5s);  // Logout handshake everywhere (bounded), then stop
  std::lock_guard lock(log_mu);
  std::cout << "fixgated: stopped" << std::endl;
  return 0;
}
