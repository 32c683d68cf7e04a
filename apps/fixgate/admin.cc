// `fixgate admin`: the admin API's client (httplib's, over plain HTTP).
#include "admin.h"

#include <httplib.h>

#include <algorithm>
#include <array>
#include <ostream>
#include <vector>

#include "fixgate/gateway/admin_server.h"

namespace fixgate::cli {
namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 9> kChanges = {
    "disable",      "enable",          "logon",     "logout",  "disconnect",
    "test-request", "reset-sequences", "sequences", "kill-all"};

bool is_change(std::string_view name) {
  return std::find(kChanges.begin(), kChanges.end(), name) != kChanges.end();
}

bool valid_provider(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

bool valid_token(std::string_view token) {
  return !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("-._~+/=").find(c) != std::string_view::npos;
  });
}

// Server text for a terminal: control characters (escape sequences …) shown as '?'.
std::string printable(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

std::string text_of(const json& j) {
  if (j.is_string()) return printable(j.get<std::string>());
  if (j.is_null()) return "-";
  return printable(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string field(const json& row, const char* key) {
  return row.is_object() && row.contains(key) ? text_of(row[key]) : "-";
}

// "GET /api/v1/sessions" and friends: the request a command makes.
struct Request {
  std::string method;
  std::string path;
  json body;
};

std::string check_command(const AdminCommand& c) {
  bool named = c.name != "list" && c.name != "kill-all";
  if (c.name != "list" && c.name != "show" && !is_change(c.name))
    return "unknown command '" + c.name + "'";
  if (named && !valid_provider(c.provider))
    return "invalid provider name '" + printable(c.provider) + "': 1 to 64 of [A-Za-z0-9_-]";
  if (is_change(c.name) && c.reason.find_first_not_of(" \t") == std::string::npos)
    return c.name + " needs --reason";
  if (c.name == "sequences") {
    if (!c.next_sender && !c.next_target)
      return "sequences needs --next-sender, --next-target or both";
    if (c.next_sender == 0u || c.next_target == 0u) return "sequence numbers start at 1";
  }
  return "";
}

Request request_for(const AdminCommand& c) {
  if (c.name == "list") return {"GET", "/api/v1/sessions", nullptr};
  if (c.name == "show") return {"GET", "/api/v1/sessions/" + c.provider, nullptr};
  json body = {{"reason", c.reason}};
  if (c.name == "kill-all") return {"POST", "/api/v1/kill-all", body};
  if (c.name == "sequences") {
    if (c.next_sender) body["next_sender"] = *c.next_sender;
    if (c.next_target) body["next_target"] = *c.next_target;
    if (c.force) body["force"] = true;
  }
  return {"POST", "/api/v1/sessions/" + c.provider + "/" + c.name, body};
}

std::string transport_error(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
      return "connection refused or failed (is fixgated running with its admin API there?)";
    case httplib::Error::ConnectionTimeout:
      return "no connection within the timeout";
    case httplib::Error::Read:
      return "no answer (the read failed or timed out)";
    case httplib::Error::Write:
      return "the request could not be sent";
    default:
      return httplib::to_string(e);
  }
}

// What the server said went wrong: its {"error": …}, else the status line.
std::string server_error(const httplib::Response& r) {
  json j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_string())
    return printable(j["error"].get<std::string>());
  return "HTTP " + std::to_string(r.status);
}

void print_success(const AdminCommand& c, const httplib::Response& r, std::ostream& out) {
  json j = json::parse(r.body, nullptr, false);
  if (c.name == "list" && j.is_array()) {
    out << sessions_table(j);
  } else if (c.name == "show" && j.is_object()) {
    out << session_details(j);
  } else if (j.is_object() && j.contains("message")) {
    std::string who = c.name == "kill-all" ? "" : " " + c.provider;
    out << c.name << who << ": " << text_of(j["message"]) << '\n';
  } else {
    out << r.body;
  }
}

}  // namespace

Result<AdminUrl> parse_admin_url(std::string_view url) {
  const Status bad = Status::error("expected http://HOST:PORT, got '" + printable(url) + "'");
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return bad;
  url.remove_prefix(kScheme.size());
  if (url.ends_with('/')) url.remove_suffix(1);
  AdminUrl out;
  size_t colon;
  if (url.starts_with('[')) {
    size_t close = url.find(']');
    if (close == std::string_view::npos || close + 1 >= url.size() || url[close + 1] != ':')
      return bad;
    out.host = url.substr(1, close - 1);
    colon = close + 1;
  } else {
    colon = url.rfind(':');
    if (colon == std::string_view::npos) return bad;
    out.host = url.substr(0, colon);
    if (out.host.find_first_of(":/@?#") != std::string::npos) return bad;
  }
  std::string_view port = url.substr(colon + 1);
  if (out.host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string_view::npos)
    return bad;
  unsigned long p = std::stoul(std::string(port));
  if (p == 0 || p > 65535) return bad;
  out.port = static_cast<uint16_t>(p);
  return out;
}

Result<std::string> admin_token(const std::string& token_file, const std::string& token_name,
                                const char* env_token) {
  if (token_file.empty()) {
    if (!token_name.empty()) return Status::error("--token-name needs --token-file");
    std::string token = env_token ? env_token : "";
    if (!token.empty() && !valid_token(token))
      return Status::error("FIXGATE_ADMIN_TOKEN is not a bearer token");
    return token;
  }
  auto tokens = gateway::read_admin_tokens(token_file);
  if (!tokens) return tokens.status();
  if (token_name.empty()) return tokens->front().token;
  for (const auto& t : *tokens)
    if (t.name == token_name) return t.token;
  return Status::error(token_file + ": no token named '" + token_name + "'");
}

std::string sessions_table(const json& sessions) {
  std::vector<std::array<std::string, 6>> rows = {
      {"PROVIDER", "STATUS", "STATE", "HOST:PORT", "SEQ OUT/IN", "REASON"}};
  for (const auto& s : sessions) {
    std::string host = field(s, "host");
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    rows.push_back({field(s, "provider"), field(s, "status_text"), field(s, "state"),
                    host + ":" + field(s, "port"),
                    field(s, "next_sender_seq") + "/" + field(s, "next_target_seq"),
                    s.is_object() && s.contains("status_reason") && s["status_reason"] == ""
                        ? ""
                        : field(s, "status_reason")});
  }
  std::array<size_t, 6> width{};
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + '\n';
  }
  return out;
}

std::string session_details(const json& session) {
  size_t width = 0;
  for (const auto& [key, value] : session.items()) width = std::max(width, key.size());
  std::string out;
  for (const auto& [key, value] : session.items())
    out += printable(key) + ":" + std::string(width - key.size() + 1, ' ') + text_of(value) + '\n';
  return out;
}

int admin(const AdminClientOptions& options, const AdminCommand& command, std::ostream& out,
          std::ostream& err) {
  auto url = parse_admin_url(options.url);
  if (!url) return err << "fixgate admin: --url: " << url.error() << '\n', 2;
  if (std::string why = check_command(command); !why.empty())
    return err << "fixgate admin: " << why << '\n', 2;

  httplib::Client client(url->host, url->port);
  client.set_connection_timeout(options.timeout);
  client.set_read_timeout(options.timeout);
  client.set_write_timeout(options.timeout);
  httplib::Headers headers;
  if (!options.token.empty()) headers.emplace("Authorization", "Bearer " + options.token);
  Request req = request_for(command);
  auto result = req.method == "GET"
                    ? client.Get(req.path.c_str(), headers)
                    : client.Post(req.path.c_str(), headers, req.body.dump(), "application/json");
  if (!result) {
    err << "fixgate admin: cannot reach " << options.url << ": " << transport_error(result.error())
        << '\n';
    return 1;
  }
  if (result->status != 200) {
    err << "fixgate admin: " << command.name << ": HTTP " << result->status << ": "
        << server_error(*result);
    if (result->status == 401 && options.token.empty())
      err << " (no token given: --token-file FILE or FIXGATE_ADMIN_TOKEN)";
    err << '\n';
    if (options.json) out << result->body;
    return 1;
  }
  if (options.json)
    out << result->body;
  else
    print_success(command, *result, out);
  return out.flush() ? 0 : 1;
}

}  // namespace fixgate::cli
