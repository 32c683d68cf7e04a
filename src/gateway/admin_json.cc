// The admin API's JSON: LP views, audit lines, RFC 3339 times.
#include <cstdio>
#include <ctime>

#include "admin_internal.h"

namespace fixgate::gateway {

std::string audit_json_line(const AuditEntry& e) {
  nlohmann::json j = {
      {"time", rfc3339(e.time)}, {"actor", e.actor},
      {"action", e.action},      {"provider", e.provider},
      {"reason", e.reason},      {"detail", e.detail},
      {"status", e.http_status}, {"result", admin::result_name(e.http_status)},
      {"message", e.message},    {"remote", e.remote},
  };
  return admin::dump(j);
}

namespace admin {
namespace {

nlohmann::json time_or_null(const std::optional<SystemTime>& t) {
  return t ? nlohmann::json(rfc3339(*t)) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json lp_view_json(const LpView& v) {
  nlohmann::json j = nlohmann::json::object();
  j["provider"] = v.provider;
  j["session_id"] = v.session_id;
  j["enabled"] = v.enabled;
  j["status"] = static_cast<int>(v.status);
  j["status_text"] = std::string(to_string(v.status));
  j["state"] = v.state;
  j["status_reason"] = v.status_reason;
  j["host"] = v.host;
  j["port"] = v.port;
  j["next_sender_seq"] = v.next_sender_seq;
  j["next_target_seq"] = v.next_target_seq;
  j["messages_in"] = v.messages_in;
  j["messages_out"] = v.messages_out;
  j["status_changed_at"] = time_or_null(v.status_changed_at);
  j["last_received_at"] = time_or_null(v.last_received_at);
  j["last_sent_at"] = time_or_null(v.last_sent_at);
  j["next_reconnect_at"] = time_or_null(v.next_reconnect_at);
  return j;
}

nlohmann::json readiness_json(const std::vector<ReadinessCheck>& checks) {
  nlohmann::json all = nlohmann::json::object();
  nlohmann::json not_ready = nlohmann::json::array();
  for (const ReadinessCheck& c : checks) {
    all[c.name] = {{"ok", c.ok}, {"detail", c.detail}};
    if (!c.ok) not_ready.push_back(c.name);
  }
  return {{"status", not_ready.empty() ? "ready" : "not ready"},
          {"not_ready", not_ready},
          {"checks", all}};
}

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string_view result_name(int http_status) {
  switch (http_status) {
    case 200:
      return "ok";
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 411:
      return "length_required";
    case 413:
      return "too_large";
    default:
      return "failed";
  }
}

std::string clip(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t end = max;
  // Back off continuation bytes (10xxxxxx) so that a multi-byte character is not cut in two.
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return std::string(s.substr(0, end));
}

}  // namespace admin
}  // namespace fixgate::gateway
