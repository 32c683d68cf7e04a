// The admin API's pure parts (internal header): routes, provider names, bearer headers, token
// comparison, JSON. No sockets, no HTTP library: the server (admin_server.cc) glues them together.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/gateway/admin_server.h"
#include "fixgate/gateway/lp_control.h"

namespace fixgate::gateway::admin {

inline constexpr size_t kMaxProviderBytes = 64;
inline constexpr size_t kMaxReasonBytes = 512;
inline constexpr size_t kMaxAuditProviderBytes = 80;

// What a change route asks for; the names are the last path segment (kill-all: its own route).
enum class Action {
  kDisable,
  kEnable,
  kLogon,
  kLogout,
  kDisconnect,
  kTestRequest,
  kResetSequences,
  kSequences,
  kKillAll,
};
std::string_view action_name(Action a);

struct Route {
  enum class Kind { kUnknown, kHealthz, kReadyz, kMetrics, kList, kShow, kChange, kKillAll };
  Kind kind = Kind::kUnknown;
  std::string_view provider;  // kShow, kChange: the raw (undecoded) path segment, unchecked
  Action action = Action::kKillAll;
  bool is_read() const {
    return kind == Kind::kHealthz || kind == Kind::kReadyz || kind == Kind::kMetrics ||
           kind == Kind::kList || kind == Kind::kShow;
  }
  bool is_change() const { return kind == Kind::kChange || kind == Kind::kKillAll; }
};

// The raw request target ("/api/v1/sessions/LP1/disable?x=1") -> its route, matched on the raw
// bytes before any percent-decoding; the query is ignored. Empty segments ("//", a trailing '/')
// match no route.
Route match_route(std::string_view target);
// The path part of a raw request target (up to '?').
std::string_view raw_path(std::string_view target);

// [A-Za-z0-9_-]{1,64}
bool valid_provider(std::string_view name);

// An Authorization header's bearer token, or why there is none.
struct Bearer {
  enum class Kind { kMissing, kMalformed, kToken };
  Kind kind = Kind::kMissing;
  std::string_view token;
};
// `header` is the Authorization value ("" when absent): "Bearer <token68>", the scheme
// case-insensitive, one or more spaces, nothing after the token.
Bearer parse_bearer(std::string_view header, bool present);
bool valid_token68(std::string_view token);

// Compares in time that depends only on the length of `given` (the client's), never on where the
// two differ or on the stored token's length.
bool tokens_equal(std::string_view given, std::string_view stored);
// The name of the token equal to `given`, checking every token (no early exit), or nullopt.
std::optional<std::string> token_owner(const std::vector<AdminToken>& tokens,
                                       std::string_view given);

// One LP as the API shows it.
nlohmann::json lp_view_json(const LpView& view);
// GET /readyz's body: {"status": "ready" | "not ready", "not_ready": [names],
// "checks": {name: {"ok": …, "detail": …}}}; ready when every check is ok.
nlohmann::json readiness_json(const std::vector<ReadinessCheck>& checks);
// JSON text; invalid UTF-8 in any string becomes U+FFFD instead of an exception.
std::string dump(const nlohmann::json& j);
// "ok", "bad_request", "unauthorized", "forbidden", "not_found", "conflict", "length_required",
// "too_large", "failed"
std::string_view result_name(int http_status);

// A string for the audit log: at most `max` bytes of `s` (cut at a UTF-8 boundary).
std::string clip(std::string_view s, size_t max);

}  // namespace fixgate::gateway::admin
