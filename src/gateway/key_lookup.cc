// Finding keys in the table (any case, numbered alternates, the closest to a typo) and printing
// it as Markdown.
#include <algorithm>
#include <cctype>
#include <vector>

#include "fixgate/gateway/setting_keys.h"
#include "fixgate/gateway/settings.h"
#include "text.h"

namespace fixgate::gateway {

const KeyDef* find_key(std::string_view name) {
  const auto keys = setting_keys();  // in order of name
  auto by_name = [](const KeyDef& k, std::string_view n) { return k.name < n; };
  auto it = std::lower_bound(keys.begin(), keys.end(), name, by_name);
  if (it != keys.end() && it->name == name) return &*it;
  const std::string wanted = upper(name);
  for (const KeyDef& k : keys)
    if (upper(k.name) == wanted) return &k;
  // SocketConnectHost1 / SocketConnectPort1 … name the alternate hosts.
  for (std::string_view base : {"SocketConnectHost", "SocketConnectPort"}) {
    if (name.size() <= base.size() || upper(name.substr(0, base.size())) != upper(base)) continue;
    std::string_view number = name.substr(base.size());
    if (std::all_of(number.begin(), number.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return find_key(base);
  }
  return nullptr;
}

namespace {

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), ignoring case.
size_t edit_distance(std::string_view a_in, std::string_view b_in) {
  const std::string a = upper(a_in), b = upper(b_in);
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string_view closest_key(std::string_view unknown) {
  // A typo, not another word: up to a third of the name, at most 3 edits.
  const size_t allowed = std::clamp<size_t>(unknown.size() / 3, 1, 3);
  std::string_view best;
  size_t best_distance = allowed + 1;
  for (const KeyDef& k : setting_keys()) {
    const size_t d = edit_distance(unknown, k.name);
    if (d < best_distance) {
      best = k.name;
      best_distance = d;
    }
  }
  return best;
}

namespace {

// Text for a Markdown table cell: "<path>" would read as an HTML tag, "|" as a cell border.
std::string markdown_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '|') {
      out += "\\|";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string keys_markdown() {
  const SessionSetup& session = session_defaults();
  const DaemonOptions daemon;
  std::string out =
      "| Key | QuickFIX | Where | fixgate | Default |\n| --- | --- | --- | --- | --- |\n";
  for (const KeyDef& k : setting_keys()) {
    std::string origin = (k.origin & kQuickFixCpp) && (k.origin & kQuickFixJ) ? "C++, J"
                         : (k.origin & kQuickFixCpp)                          ? "C++"
                         : (k.origin & kQuickFixJ)                            ? "J"
                                                                              : "fixgate";
    std::string effect = k.effect == Effect::kHonoured    ? "honoured"
                         : k.effect == Effect::kDifferent ? "**different**"
                                                          : "ignored, with a warning";
    std::string doc = markdown_text(k.doc);
    if (!k.same_as.empty()) doc = "same as `" + std::string(k.same_as) + "`: " + doc;
    std::string fallback = k.session.show  ? k.session.show(session)
                           : k.daemon.show ? k.daemon.show(daemon)
                                           : "";
    out += "| `" + std::string(k.name) + "` | " + origin + " | " +
           (k.scope == Scope::kEngine ? "[DEFAULT] only" : "any") + " | " + effect + ": " + doc +
           " | " + (fallback.empty() ? "" : "`" + fallback + "`") + " |\n";
  }
  return out;
}

}  // namespace fixgate::gateway
