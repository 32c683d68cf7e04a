#include "top.h"

#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <ostream>
#include <vector>

#include "fixgate/gateway/sessions_db.h"

namespace fixgate::cli {
namespace {

using nlohmann::json;

std::string text(const json& row, const char* key) {
  if (!row.is_object() || !row.contains(key) || row[key].is_null()) return "";
  const json& v = row[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

uint64_t number(const json& row, const char* key) {
  if (!row.is_object() || !row.contains(key) || !row[key].is_number_integer()) return 0;
  return row[key].is_number_unsigned() ? row[key].get<uint64_t>()
                                       : static_cast<uint64_t>(std::max<int64_t>(0, row[key]));
}

std::optional<gateway::SystemTime> time_of(const json& row, const char* key) {
  return gateway::parse_rfc3339(text(row, key));
}

// "0.4s", "12s", "3m05s", "2h07m".
std::string duration_text(double s) {
  char buf[32];
  if (s < 10) {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  } else if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600,
                  static_cast<int>(s) / 60 % 60);
  }
  return buf;
}

double seconds_between(gateway::SystemTime from, gateway::SystemTime to) {
  return std::max(0.0, std::chrono::duration<double>(to - from).count());
}

std::string rate_text(uint64_t now, uint64_t before, double seconds) {
  if (seconds <= 0 || now < before) return "-";  // no earlier list, or a new session's counters
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", static_cast<double>(now - before) / seconds);
  return buf;
}

const char* colour_of(const std::string& status) {
  if (status == "active") return "\x1b[32m";  // green
  if (status == "error") return "\x1b[31m";   // red
  return "\x1b[33m";                          // yellow: inactive
}

std::string clock_text(gateway::SystemTime t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&s, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return buf;
}

// A screen drawn over the last one: each line clears what the last one left beyond it.
std::string over_last(const std::string& screen) {
  std::string out = "\x1b[H";
  for (char c : screen) {
    if (c == '\n') out += "\x1b[K";
    out += c;
  }
  return out + "\x1b[J";  // and below the last line
}

// Set once SIGINT or SIGTERM arrives; the loop restores the terminal and ends.
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

// The terminal in raw input mode (no line buffering, no echo) for the object's life, the screen
// on the alternate buffer with the cursor hidden; all restored on destruction.
class RawTerminal {
 public:
  explicit RawTerminal(std::ostream& out) : out_(out) {
    if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    active_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    out_ << "\x1b[?1049h\x1b[?25l" << std::flush;
  }
  ~RawTerminal() {
    out_ << "\x1b[?25h\x1b[?1049l" << std::flush;
    if (active_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  std::ostream& out_;
  termios saved_{};
  bool active_ = false;
};

// Waits up to `timeout` for a key; true when the user asked to quit (q, Q, Ctrl-C as a byte, or
// the end of input on a terminal).
bool quit_pressed(bool keyboard, std::chrono::milliseconds timeout) {
  pollfd fd{keyboard ? STDIN_FILENO : -1, POLLIN, 0};
  if (poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return false;  // timeout, or a signal
  char keys[64];
  const ssize_t n = read(STDIN_FILENO, keys, sizeof keys);
  if (n == 0) return true;
  for (ssize_t i = 0; i < n; ++i)
    if (keys[i] == 'q' || keys[i] == 'Q' || keys[i] == 3) return true;
  return false;
}

}  // namespace

std::string top_screen(const json& sessions, const json* previous, double seconds,
                       gateway::SystemTime now, const TopOptions& options,
                       const std::string& error) {
  std::map<std::string, const json*> before;
  if (previous && previous->is_array())
    for (const json& p : *previous) before[text(p, "provider")] = &p;

  std::map<std::string, int> by_status;
  std::vector<std::array<std::string, 10>> rows = {{"PROVIDER", "STATUS", "STATE", "HOST:PORT",
                                                    "SEQ OUT/IN", "IN/S", "OUT/S", "LAST IN",
                                                    "RECONNECT", "REASON"}};
  const json empty = json::array();
  for (const json& s : sessions.is_array() ? sessions : empty) {
    const std::string provider = text(s, "provider");
    const std::string status = text(s, "status_text");
    ++by_status[status];
    auto it = before.find(provider);
    const json* p = it == before.end() ? nullptr : it->second;
    std::string host = text(s, "host");
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    std::string last_in = "-";
    if (auto t = time_of(s, "last_received_at")) last_in = duration_text(seconds_between(*t, now));
    std::string reconnect;
    if (auto t = time_of(s, "next_reconnect_at"))
      reconnect = "in " + duration_text(seconds_between(now, *t));
    rows.push_back(
        {provider, status, text(s, "state"), host + ":" + text(s, "port"),
         text(s, "next_sender_seq") + "/" + text(s, "next_target_seq"),
         p ? rate_text(number(s, "messages_in"), number(*p, "messages_in"), seconds) : "-",
         p ? rate_text(number(s, "messages_out"), number(*p, "messages_out"), seconds) : "-",
         last_in, reconnect, text(s, "status_reason")});
  }
  std::array<size_t, 10> width{};
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());

  std::string out =
      "fixgate top  " + clock_text(now) + "  " + std::to_string(rows.size() - 1) + " LPs:";
  for (const char* s : {"active", "error", "inactive"})
    out += std::string(" ") + std::to_string(by_status[s]) + " " + s + (s[0] == 'i' ? "" : ",");
  out += options.once ? "\n" : "   q: quit\n";
  if (!error.empty()) out += "! " + error + "\n";
  out += '\n';
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    std::string line;
    size_t visible = 0;
    for (size_t i = 0; i < row.size(); ++i) {
      std::string cell = row[i];
      const bool last = i + 1 == row.size();
      if (last && visible + cell.size() > options.width)  // the reason is cut to the width
        cell = cell.substr(0, options.width > visible ? options.width - visible : 0);
      const size_t pad = last ? 0 : width[i] - cell.size() + 2;
      if (i == 1 && r > 0 && options.color)
        line += std::string(colour_of(cell)) + cell + "\x1b[0m";
      else
        line += cell;
      line += std::string(pad, ' ');
      visible += cell.size() + pad;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + '\n';
  }
  return out;
}

int top(const AdminClientOptions& client, TopOptions options, std::ostream& out,
        std::ostream& err) {
  auto url = parse_admin_url(client.url);
  if (!url) return err << "fixgate top: --url: " << url.error() << '\n', 2;
  if (options.interval < std::chrono::milliseconds(100))
    return err << "fixgate top: --interval: at least 100 ms\n", 2;

  httplib::Client http(url->host, url->port);
  const auto timeout = std::min<std::chrono::milliseconds>(client.timeout, 5 * options.interval);
  http.set_connection_timeout(timeout);
  http.set_read_timeout(timeout);
  httplib::Headers headers;
  if (!client.token.empty()) headers.emplace("Authorization", "Bearer " + client.token);
  // The list, or why not.
  auto fetch = [&]() -> Result<json> {
    auto r = http.Get("/api/v1/sessions", headers);
    if (!r)
      return Status::error("cannot reach " + client.url + ": " + httplib::to_string(r.error()));
    if (r->status != 200)
      return Status::error("HTTP " + std::to_string(r->status) +
                           (r->status == 401 ? " (a token is needed: --token-file)" : ""));
    json j = json::parse(r->body, nullptr, false);
    if (!j.is_array()) return Status::error("the server's answer is not a list of sessions");
    return j;
  };

  if (options.once) {
    auto list = fetch();
    if (!list) return err << "fixgate top: " << list.error() << '\n', 1;
    out << top_screen(*list, nullptr, 0, std::chrono::system_clock::now(), options);
    return out.flush() ? 0 : 1;
  }

  const bool keyboard = isatty(STDIN_FILENO) == 1;
  if (winsize ws{};
      isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    options.width = ws.ws_col;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;  // no SA_RESTART: a signal ends the wait in poll()
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  RawTerminal terminal(out);

  json shown = json::array(), previous;
  gateway::SystemTime shown_at{};
  bool have_previous = false;
  while (!g_stop) {
    const auto started = std::chrono::steady_clock::now();
    const gateway::SystemTime now = std::chrono::system_clock::now();
    std::string error;
    if (auto list = fetch()) {
      previous = std::move(shown);
      have_previous = shown_at != gateway::SystemTime{};
      const double seconds = have_previous ? seconds_between(shown_at, now) : 0;
      shown = std::move(*list);
      out << over_last(
                 top_screen(shown, have_previous ? &previous : nullptr, seconds, now, options))
          << std::flush;
      shown_at = now;
    } else {
      error = list.error() + " (retrying)";
      out << over_last(top_screen(shown, nullptr, 0, now, options, error)) << std::flush;
    }
    const auto left = options.interval - std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - started);
    if (quit_pressed(keyboard, std::max(left, std::chrono::milliseconds(0)))) break;
  }
  return 0;
}

}  // namespace fixgate::cli
