// The status page's reads: an LP's status events and availability, the audit trail, and (through
// admin_messages.cc) its message log. Query parameters are checked here: unknown, repeated or
// malformed ones are a 400 naming them, limits are bounded.
#include <algorithm>
#include <charconv>

#include "admin_internal.h"

namespace fixgate::gateway::admin {
namespace {

using json = nlohmann::json;
using Kind = Route::Kind;

ReadAnswer error(int status, std::string message) {
  return {status, json{{"error", std::move(message)}}};
}

// The parameters a route takes, checked; `why` says what is wrong with the first bad one.
struct Params {
  const QueryParams& query;
  std::string why;

  // Every parameter is one of `known`, given at most once.
  bool only(std::initializer_list<std::string_view> known) {
    for (auto it = query.begin(); it != query.end(); ++it) {
      if (std::find(known.begin(), known.end(), it->first) == known.end()) {
        why = "unknown query parameter \"" + clip(it->first, 32) + "\"";
        return false;
      }
      if (query.count(it->first) > 1) {
        why = "query parameter \"" + clip(it->first, 32) + "\" given more than once";
        return false;
      }
    }
    return true;
  }
  const std::string* get(const char* key) const {
    auto it = query.find(key);
    return it == query.end() ? nullptr : &it->second;
  }
  // A whole number in [low, high], or `fallback` when absent.
  bool number(const char* key, uint64_t low, uint64_t high, uint64_t fallback, uint64_t& out) {
    const std::string* v = get(key);
    out = fallback;
    if (!v) return true;
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (v->empty() || ec != std::errc() || end != v->data() + v->size() || n < low || n > high) {
      why = std::string("\"") + key + "\" must be a whole number from " + std::to_string(low) +
            " to " + std::to_string(high);
      return false;
    }
    out = n;
    return true;
  }
};

json status_event_json(const LpStatusEvent& e) {
  return {{"time", rfc3339(e.at)},
          {"transition", e.transition},
          {"old_status", static_cast<int>(e.old_status)},
          {"old_status_text", std::string(to_string(e.old_status))},
          {"status", static_cast<int>(e.new_status)},
          {"status_text", std::string(to_string(e.new_status))},
          {"state", e.state},
          {"reason", e.reason},
          {"owner", e.owner}};
}

json audit_record_json(const AuditRecord& a) {
  return {{"time", rfc3339(a.at)},  {"actor", a.actor},   {"action", a.action},
          {"provider", a.provider}, {"reason", a.reason}, {"result", a.result},
          {"remote", a.remote}};
}

bool printable(std::string_view s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

ReadAnswer messages(const LpControl& control, const Route& route, Params& p) {
  uint64_t limit = 0, heartbeats = 0, before = 0;
  if (!p.only({"before", "limit", "type", "q", "heartbeats"}) ||
      !p.number("limit", 1, kMaxReadLimit, 50, limit) ||
      !p.number("heartbeats", 0, 1, 0, heartbeats) ||
      !p.number("before", 0, uint64_t{1} << 53, 0, before))
    return error(400, p.why);
  MessageQuery q;
  q.limit = limit;
  q.heartbeats = heartbeats == 1;
  if (p.get("before")) q.before = before;
  if (const std::string* type = p.get("type")) {
    const bool ok =
        !type->empty() && type->size() <= 8 && std::all_of(type->begin(), type->end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        });
    if (!ok) return error(400, "\"type\" must be a MsgType: 1 to 8 of [A-Za-z0-9]");
    q.type = *type;
  }
  if (const std::string* text = p.get("q")) {
    if (text->size() > kMaxQueryTextBytes || !printable(*text))
      return error(400, "\"q\" must be at most 128 bytes, without control characters");
    q.text = *text;
  }
  auto log = control.message_log(route.provider);
  if (!log) return error(404, "no LP named " + std::string(route.provider));
  auto page = read_messages(*log, q);
  if (!page) return error(500, "reading the message log failed: " + page.error());
  return {200, std::move(*page)};
}

}  // namespace

json availability_json(std::vector<LpStatusEvent> events, SystemTime now,
                       std::chrono::seconds window, bool truncated) {
  using namespace std::chrono;
  const SystemTime from = now - window;
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return a.at != b.at ? a.at < b.at : a.transition < b.transition;
  });
  json intervals = json::array();
  double active = 0, known = 0;
  // The status in force from `start` on: -1 (unknown) until the first event.
  int status = -1;
  SystemTime start = from;
  auto close = [&](SystemTime end) {
    if (end <= start) return;
    const double secs = duration<double>(end - start).count();
    if (status >= 0) known += secs;
    if (status == static_cast<int>(LpStatus::kActive)) active += secs;
    if (!intervals.empty() && intervals.back()["status"] == status) {
      intervals.back()["to"] = rfc3339(end);
      return;
    }
    intervals.push_back(
        {{"from", rfc3339(start)},
         {"to", rfc3339(end)},
         {"status", status},
         {"status_text", status < 0 ? std::string("unknown")
                                    : std::string(to_string(static_cast<LpStatus>(status)))}});
  };
  for (const LpStatusEvent& e : events) {
    const SystemTime at = std::min(std::max(e.at, from), now);
    close(at);
    start = std::max(start, at);
    status = static_cast<int>(e.new_status);
  }
  close(now);
  const double window_secs = duration<double>(window).count();
  return {{"from", rfc3339(from)},
          {"to", rfc3339(now)},
          {"window_seconds", window_secs},
          {"active_seconds", active},
          {"known_seconds", known},
          {"active_fraction", window_secs > 0 ? active / window_secs : 0.0},
          {"truncated", truncated},
          {"intervals", intervals}};
}

ReadAnswer answer_read(const LpControl& control, const Route& route, const QueryParams& query,
                       SystemTime now) {
  Params p{query, {}};
  switch (route.kind) {
    case Kind::kEvents: {
      uint64_t limit = 0;
      if (!p.only({"limit"}) || !p.number("limit", 1, kMaxReadLimit, 50, limit))
        return error(400, p.why);
      if (!control.find(route.provider))
        return error(404, "no LP named " + std::string(route.provider));
      auto events = control.status_events(route.provider, limit, std::nullopt);
      if (!events) return error(500, "reading the status history failed: " + events.error());
      json out = json::array();
      for (const auto& e : *events) out.push_back(status_event_json(e));
      return {200, out};
    }
    case Kind::kAvailability: {
      if (!p.only({})) return error(400, p.why);
      if (!control.find(route.provider))
        return error(404, "no LP named " + std::string(route.provider));
      // Every change of a day: an LP flapping every 10 s makes 8640; beyond that the oldest go.
      constexpr size_t kMaxEvents = 10000;
      auto events = control.status_events(route.provider, kMaxEvents, now - kAvailabilityWindow);
      if (!events) return error(500, "reading the status history failed: " + events.error());
      const bool truncated = events->size() >= kMaxEvents;
      return {200, availability_json(std::move(*events), now,
                                     std::chrono::seconds(kAvailabilityWindow), truncated)};
    }
    case Kind::kMessages:
      return messages(control, route, p);
    case Kind::kAudit: {
      uint64_t limit = 0;
      if (!p.only({"limit"}) || !p.number("limit", 1, kMaxReadLimit, 50, limit))
        return error(400, p.why);
      auto audit = control.audit_log(limit);
      if (!audit) return error(500, "reading the audit trail failed: " + audit.error());
      json out = json::array();
      for (const auto& a : *audit) out.push_back(audit_record_json(a));
      return {200, out};
    }
    default:
      break;
  }
  return error(404, "no such route");
}

}  // namespace fixgate::gateway::admin
