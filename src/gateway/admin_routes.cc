// The admin API's routes, matched on the raw request target.
#include <array>
#include <utility>

#include "admin_internal.h"

namespace fixgate::gateway::admin {
namespace {

constexpr std::array<std::pair<std::string_view, Action>, 8> kSessionActions{{
    {"disable", Action::kDisable},
    {"enable", Action::kEnable},
    {"logon", Action::kLogon},
    {"logout", Action::kLogout},
    {"disconnect", Action::kDisconnect},
    {"test-request", Action::kTestRequest},
    {"reset-sequences", Action::kResetSequences},
    {"sequences", Action::kSequences},
}};

// "/a/b/c" -> {"a", "b", "c"}; nullopt for a path not starting with '/' or with an empty segment.
// At most 6 segments are looked at (no route has more).
std::optional<std::vector<std::string_view>> segments(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  while (out.size() <= 5) {
    size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (seg.empty()) return std::nullopt;
    out.push_back(seg);
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
  return std::nullopt;  // deeper than any route
}

}  // namespace

std::string_view action_name(Action a) {
  if (a == Action::kKillAll) return "kill-all";
  for (const auto& [name, action] : kSessionActions)
    if (action == a) return name;
  return "?";
}

std::string_view raw_path(std::string_view target) { return target.substr(0, target.find('?')); }

Route match_route(std::string_view target) {
  Route r;
  if (raw_path(target) == "/") {
    r.kind = Route::Kind::kPage;
    return r;
  }
  auto segs = segments(raw_path(target));
  if (!segs) return r;
  const auto& s = *segs;
  if (s.size() == 1) {
    if (s[0] == "healthz") r.kind = Route::Kind::kHealthz;
    if (s[0] == "readyz") r.kind = Route::Kind::kReadyz;
    if (s[0] == "metrics") r.kind = Route::Kind::kMetrics;
    return r;
  }
  if (s.size() < 3 || s[0] != "api" || s[1] != "v1") return r;
  if (s.size() == 3 && s[2] == "kill-all") {
    r.kind = Route::Kind::kKillAll;
    r.action = Action::kKillAll;
  } else if (s.size() == 3 && s[2] == "audit") {
    r.kind = Route::Kind::kAudit;
  } else if (s[2] != "sessions") {
    return r;
  } else if (s.size() == 3) {
    r.kind = Route::Kind::kList;
  } else if (s.size() == 4) {
    r.kind = Route::Kind::kShow;
    r.provider = s[3];
  } else if (s.size() == 5) {
    constexpr std::pair<std::string_view, Route::Kind> kReads[] = {
        {"events", Route::Kind::kEvents},
        {"availability", Route::Kind::kAvailability},
        {"messages", Route::Kind::kMessages},
    };
    for (const auto& [name, kind] : kReads) {
      if (s[4] != name) continue;
      r.kind = kind;
      r.provider = s[3];
    }
    for (const auto& [name, action] : kSessionActions) {
      if (s[4] != name) continue;
      r.kind = Route::Kind::kChange;
      r.provider = s[3];
      r.action = action;
    }
  }
  return r;
}

bool valid_provider(std::string_view name) {
  if (name.empty() || name.size() > kMaxProviderBytes) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace fixgate::gateway::admin
