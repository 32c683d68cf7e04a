// The admin API's pure parts (internal header): routes, provider names, bearer headers, token
// comparison, JSON. No sockets, no HTTP library: the server (admin_server.cc) glues them together.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
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
  enum class Kind {
    kUnknown,
    kPage,  // GET /: the status page, never behind a token
    kHealthz,
    kReadyz,
    kMetrics,
    kList,
    kShow,
    kEvents,        // GET /api/v1/sessions/{provider}/events
    kAvailability,  // GET /api/v1/sessions/{provider}/availability
    kMessages,      // GET /api/v1/sessions/{provider}/messages
    kAudit,         // GET /api/v1/audit
    kChange,
    kKillAll,
  };
  Kind kind = Kind::kUnknown;
  // kShow, kEvents, kAvailability, kMessages, kChange: the raw (undecoded) path segment, unchecked
  std::string_view provider;
  Action action = Action::kKillAll;
  bool is_read() const { return kind != Kind::kUnknown && !is_change(); }
  // The reads that take query parameters (answer_read() serves them).
  bool is_page_read() const {
    return kind == Kind::kEvents || kind == Kind::kAvailability || kind == Kind::kMessages ||
           kind == Kind::kAudit;
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

// ---- the status page's reads (admin_reads.cc, admin_messages.cc) -----------------------------

inline constexpr size_t kMaxReadLimit = 500;  // events, audit entries, messages per answer
inline constexpr size_t kMaxLogBytesPerRead = 1 << 20;  // of a message log, per answer
inline constexpr size_t kMaxQueryTextBytes = 128;       // the messages' text filter
inline constexpr std::chrono::hours kAvailabilityWindow{24};

// The status page's HTML (status_page.html, compiled in by CMake).
std::string_view status_page_html();

// An answer: the HTTP status and its JSON body.
struct ReadAnswer {
  int status = 200;
  nlohmann::json body;
};
using QueryParams = std::multimap<std::string, std::string>;  // decoded, as httplib gives them

// GET events / availability / messages / audit, the query checked (400 with why for an unknown,
// repeated or bad parameter); 404 for an unknown LP. `route.provider` must have been checked.
ReadAnswer answer_read(const LpControl& control, const Route& route, const QueryParams& query,
                       SystemTime now);

// Availability over [now - window, now] from status events (any order, as status_events gives
// them with since = now - window): the status in force through time, active seconds, intervals.
nlohmann::json availability_json(std::vector<LpStatusEvent> events, SystemTime now,
                                 std::chrono::seconds window, bool truncated);

struct MessageQuery {
  std::optional<uint64_t> before;  // a byte offset of the log: messages that start before it
  size_t limit = 50;
  std::string type;         // MsgType; "" for any
  std::string text;         // case-insensitive, in the raw message or its field and enum names
  bool heartbeats = false;  // Heartbeats (35=0) are left out unless asked for or typed
};
// The newest messages of the log matching `q`, newest first, each decoded with the log's
// dictionary: {"messages": […], "next_before": offset or null, "file_size": n, "log": bool}.
// Reads at most kMaxLogBytesPerRead bytes, ending at q.before (or the end of the file).
Result<nlohmann::json> read_messages(const LpMessageLog& log, const MessageQuery& q);
// One line of a message log ("YYYYMMDD-HH:MM:SS.ffffff : 8=FIX…") decoded, or null json when it
// holds no parseable message.
nlohmann::json decode_log_line(std::string_view line, uint64_t offset, const LpMessageLog& log);

// A string for the audit log: at most `max` bytes of `s` (cut at a UTF-8 boundary).
std::string clip(std::string_view s, size_t max);

}  // namespace fixgate::gateway::admin
