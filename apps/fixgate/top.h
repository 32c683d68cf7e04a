// `fixgate top`: the status page's live table in a terminal, for a server without a browser. It
// polls fixgated's admin API (GET /api/v1/sessions) and redraws once per interval; q quits.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>

#include "admin.h"
#include "fixgate/gateway/lp_control.h"

namespace fixgate::cli {

struct TopOptions {
  std::chrono::milliseconds interval{1000};
  bool once = false;   // one table, no screen control, then exit (scripts; no terminal needed)
  bool color = true;   // ANSI colours for the status (off with --no-color or NO_COLOR)
  size_t width = 120;  // columns; the terminal's own when it is one
};

// One screen: a title line (the time, the LPs by status), then one row per LP: provider, status
// (coloured), state, host:port, next sequence numbers out/in, messages per second in and out
// (from `previous`, the list `seconds` earlier; "-" without it), the age of the last message
// received, the reconnect countdown and the reason, cut to `width`. `error`: shown under the
// title (the last fetch failed: the table is the last one that came).
std::string top_screen(const nlohmann::json& sessions, const nlohmann::json* previous,
                       double seconds, gateway::SystemTime now, const TopOptions& options,
                       const std::string& error = "");

// Runs until q (or Q, or Ctrl-C, or end of input) is read from the terminal, or once with
// --once. Exit code: 0, 1 the server could not be read (--once), 2 bad options.
int top(const AdminClientOptions& client, TopOptions options, std::ostream& out, std::ostream& err);

}  // namespace fixgate::cli
