// `fixgate sessions import FILE.cfg --db URL` and `fixgate sessions export --db URL [-o FILE]`:
// a QuickFIX settings file's sessions into the LP sessions table that fixgated --db runs, and back.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace fixgate::cli {

struct SessionsCli {
  CLI::App* command = nullptr;
  CLI::App* import = nullptr;
  CLI::App* export_ = nullptr;
  std::string db;
  std::string file;    // import: the settings file
  std::string output;  // export: "" = stdout
};

void add_sessions(CLI::App& app, SessionsCli& s);
// Exit code: 0 done, 1 the database refused, 2 a bad file (every problem printed).
int run_sessions(const SessionsCli& s);

}  // namespace fixgate::cli
