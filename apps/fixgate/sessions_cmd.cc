#include "sessions_cmd.h"

#include <fstream>
#include <iostream>

#include "fixgate/gateway/lp_import.h"

namespace fixgate::cli {

void add_sessions(CLI::App& app, SessionsCli& s) {
  s.command = app.add_subcommand("sessions", "The LP sessions table of fixgated --db");
  s.command->require_subcommand(1);
  s.import = s.command->add_subcommand(
      "import", "Insert (or update) one row per [SESSION] of a QuickFIX settings file");
  s.import->add_option("file", s.file, "Settings file")->required();
  s.import->add_option("--db", s.db, "sqlite:PATH or postgresql://…")->required();
  s.export_ = s.command->add_subcommand("export", "Write the table as a settings file");
  s.export_->add_option("--db", s.db, "sqlite:PATH or postgresql://…")->required();
  s.export_->add_option("-o,--output", s.output, "File to write (default: stdout)");
}

int run_sessions(const SessionsCli& s) {
  auto db = gateway::SessionsDb::open(s.db);
  if (!db) {
    std::cerr << "fixgate sessions: " << db.error() << '\n';
    return 1;
  }
  if (s.import->parsed()) {
    gateway::Settings settings = gateway::Settings::read_file(s.file);
    std::vector<std::string> errors = settings.errors();
    auto rows = gateway::rows_from_settings(settings);
    if (!rows) errors.push_back(rows.error());
    if (!errors.empty()) {
      for (const auto& e : errors) std::cerr << "fixgate sessions import: " << e << '\n';
      return 2;
    }
    // One transaction: a file is imported whole or not at all.
    gateway::sql::Transaction tx((*db)->connection());
    for (const gateway::LpRow& r : *rows) {
      if (Status st = (*db)->upsert(r); !st) {
        std::cerr << "fixgate sessions import: " << r.provider << ": " << st.message() << '\n';
        return 1;
      }
    }
    if (Status st = tx.commit(); !st) {
      std::cerr << "fixgate sessions import: " << st.message() << '\n';
      return 1;
    }
    std::cout << "fixgate sessions import: " << rows->size() << " LP(s) written to "
              << (*db)->connection().describe() << '\n';
    return 0;
  }
  auto records = (*db)->load();
  if (!records) {
    std::cerr << "fixgate sessions export: " << records.error() << '\n';
    return 1;
  }
  std::vector<gateway::LpRow> rows;
  for (auto& r : *records) rows.push_back(std::move(r.row));
  const std::string text = "# fixgate sessions export: " + std::to_string(rows.size()) +
                           " LP(s) from " + (*db)->connection().describe() + "\n" +
                           gateway::settings_from_rows(rows);
  if (s.output.empty()) {
    std::cout << text;
    return std::cout.flush() ? 0 : 1;
  }
  std::ofstream out(s.output);
  out << text;
  return out.flush() ? 0 : 1;
}

}  // namespace fixgate::cli
