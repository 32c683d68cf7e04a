// `fixgate admin`: a client of fixgated's admin HTTP API (gateway/admin_server.h). Lists and shows
// the LP sessions as a table or as the server's JSON; sends the changes with their reason.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "fixgate/base/result.h"

namespace fixgate::cli {

struct AdminClientOptions {
  std::string url;    // http://HOST:PORT
  std::string token;  // "": no Authorization header (reads may not need one)
  bool json = false;  // print the server's JSON as it came
  std::chrono::seconds timeout{10};
};

struct AdminCommand {
  // list, show, disable, enable, logon, logout, disconnect, test-request, reset-sequences,
  // sequences, kill-all
  std::string name;
  std::string provider;                              // every command but list and kill-all
  std::string reason;                                // every change
  std::optional<uint64_t> next_sender, next_target;  // sequences
  bool force = false;                                // sequences
};

// Runs one command. Exit code: 0 done, 1 the server refused (its error on `err`) or could not be
// reached, 2 a bad command (checked before anything is sent).
int admin(const AdminClientOptions& options, const AdminCommand& command, std::ostream& out,
          std::ostream& err);

struct AdminUrl {
  std::string host;  // without brackets for IPv6
  uint16_t port = 0;
};
// "http://127.0.0.1:8089", "http://[::1]:8089/" -> host and port. Plain HTTP only.
Result<AdminUrl> parse_admin_url(std::string_view url);

// The token to send: from `token_file` (the server's format: the line named `token_name`, or the
// first), else `env_token` (FIXGATE_ADMIN_TOKEN; may be null); "" when neither is given.
Result<std::string> admin_token(const std::string& token_file, const std::string& token_name,
                                const char* env_token);

// The table `fixgate admin list` prints: provider, status, state, host:port, seq out/in, reason.
std::string sessions_table(const nlohmann::json& sessions);
// `fixgate admin show`: one "field: value" line per field.
std::string session_details(const nlohmann::json& session);

}  // namespace fixgate::cli
