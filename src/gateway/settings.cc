// Reading a QuickFIX-format settings file into sections of keys: syntax, known keys, where each
// key may appear. Values are checked later, by the session builder (session_setup.cc).
#include "fixgate/gateway/settings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "text.h"

namespace fixgate::gateway {

// Line 0: not from a file (an LP row of the sessions table), named by its column.
std::string Setting::where() const {
  return file + (line ? ":" + std::to_string(line) : "") + ": " + key;
}

Result<bool> read_bool(const Setting& s) {
  std::string v = upper(s.value);
  if (v == "Y" || v == "YES" || v == "TRUE") return true;
  if (v == "N" || v == "NO" || v == "FALSE") return false;
  return Status::error(s.where() + ": '" + s.value + "' is not Y or N");
}

Result<long long> read_int(const Setting& s, long long min, long long max) {
  long long v = 0;
  const char* end = s.value.data() + s.value.size();
  auto [p, ec] = std::from_chars(s.value.data(), end, v);
  if (ec != std::errc() || p != end || s.value.empty())
    return Status::error(s.where() + ": '" + s.value + "' is not a whole number");
  if (v < min || v > max)
    return Status::error(s.where() + ": " + s.value + " is outside " + std::to_string(min) + ".." +
                         std::to_string(max));
  return v;
}

Result<double> read_number(const Setting& s, double min, double max) {
  double v = 0;
  const char* end = s.value.data() + s.value.size();
  auto [p, ec] = std::from_chars(s.value.data(), end, v, std::chars_format::fixed);
  if (ec != std::errc() || p != end || s.value.empty())
    return Status::error(s.where() + ": '" + s.value + "' is not a decimal number");
  if (!(v >= min && v <= max))
    return Status::error(s.where() + ": " + s.value + " is outside " + number_text(min) + ".." +
                         number_text(max));
  return v;
}

const Setting* SessionSettings::find(std::string_view key) const {
  if (auto it = own.find(key); it != own.end()) return &it->second;
  if (defaults)
    if (auto it = defaults->find(key); it != defaults->end()) return &it->second;
  return nullptr;
}

Result<std::string> SessionSettings::get_string(std::string_view key) const {
  const Setting* s = find(key);
  if (!s) return Status::error(section_where() + ": [SESSION] needs " + std::string(key));
  return s->value;
}

std::string SessionSettings::get_string_or(std::string_view key, std::string fallback) const {
  const Setting* s = find(key);
  return s ? s->value : fallback;
}

Result<long long> SessionSettings::get_int(std::string_view key, long long min,
                                           long long max) const {
  const Setting* s = find(key);
  if (!s) return Status::error(section_where() + ": [SESSION] needs " + std::string(key));
  return read_int(*s, min, max);
}

Result<bool> SessionSettings::get_bool(std::string_view key) const {
  const Setting* s = find(key);
  if (!s) return Status::error(section_where() + ": [SESSION] needs " + std::string(key));
  return read_bool(*s);
}

Result<double> SessionSettings::get_number(std::string_view key, double min, double max) const {
  const Setting* s = find(key);
  if (!s) return Status::error(section_where() + ": [SESSION] needs " + std::string(key));
  return read_number(*s, min, max);
}

namespace {

// Reads the lines of one file into a Settings; the problems go to `errors` and `warnings`.
class Reader {
 public:
  Reader(std::string file, std::shared_ptr<SessionSettings::Map> defaults,
         std::vector<SessionSettings>& sessions, std::vector<std::string>& errors,
         std::vector<std::string>& warnings)
      : file_(std::move(file)),
        defaults_(std::move(defaults)),
        sessions_(sessions),
        errors_(errors),
        warnings_(warnings) {}

  void line(std::string_view raw, int line_no) {
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') return;
    here_ = file_ + ":" + std::to_string(line_no);
    if (line.front() == '[') {
      section_header(line, line_no);
    } else {
      key_value(line, line_no);
    }
  }

 private:
  void error(const std::string& text) { errors_.push_back(here_ + ": " + text); }

  void section_header(std::string_view line, int line_no) {
    if (line.back() != ']') {
      error("unterminated section header");
      section_ = kBroken;
      return;
    }
    std::string name = upper(trim(line.substr(1, line.size() - 2)));
    if (name == "DEFAULT") {
      if (seen_default_) error("a second [DEFAULT] section");
      seen_default_ = true;
      section_ = kDefault;
    } else if (name == "SESSION") {
      section_ = kSession;
      SessionSettings s;
      s.defaults = defaults_;
      s.file_ = file_;
      s.section_line_ = line_no;
      sessions_.push_back(std::move(s));
    } else {
      error("unknown section [" + name + "]");
      section_ = kBroken;  // its keys would only add noise
    }
  }

  void key_value(std::string_view line, int line_no) {
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return error("expected Key=Value");
    std::string key(trim(line.substr(0, eq)));
    std::string value(trim(line.substr(eq + 1)));
    if (key.empty()) return error("empty key");
    const KeyDef* def = find_key(key);
    if (!def) {
      std::string_view near = closest_key(key);
      return error(key + ": unknown key" +
                   (near.empty() ? "" : " (did you mean " + std::string(near) + "?)"));
    }
    if (section_ == kBroken) return;
    if (section_ == kNone) return error(key + ": outside any section");
    if (def->scope == Scope::kEngine && section_ == kSession)
      return error(key + ": engine-wide, set it in [DEFAULT]");
    if (def->effect == Effect::kIgnored && warned_.insert(def->name).second)
      warnings_.push_back(here_ + ": " + key + ": no effect: " + std::string(def->doc));
    // The map holds the table's spelling: another case, or the other engine's name for the same
    // key, is the same key. Numbered alternates keep their number.
    std::string name = def->same_as.empty() ? std::string(def->name) : std::string(def->same_as);
    if (key.size() > def->name.size()) name += key.substr(def->name.size());
    auto& map = section_ == kDefault ? *defaults_ : sessions_.back().own;
    if (auto it = map.find(name); it != map.end()) {
      bool same_spelling = it->second.key == key;
      return error(key + ": set twice in one section" +
                   (same_spelling ? ""
                                  : " (as " + it->second.key + " on line " +
                                        std::to_string(it->second.line) + ")"));
    }
    map.emplace(std::move(name), Setting{std::move(value), file_, line_no, std::move(key)});
  }

  enum { kNone, kDefault, kSession, kBroken } section_ = kNone;
  std::string file_, here_;
  std::shared_ptr<SessionSettings::Map> defaults_;
  std::vector<SessionSettings>& sessions_;
  std::vector<std::string>& errors_;
  std::vector<std::string>& warnings_;
  std::set<std::string_view> warned_;  // ignored keys already warned about
  bool seen_default_ = false;
};

}  // namespace

Settings Settings::read(std::string_view text, std::string file) {
  Settings out;
  out.file_ = file;
  Reader reader(file, out.defaults_, out.sessions_, out.errors_, out.warnings_);
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    reader.line(raw, ++line_no);
  }
  if (out.sessions_.empty()) out.errors_.push_back(file + ": no [SESSION] section");
  return out;
}

Settings Settings::read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    Settings out;
    out.file_ = path;
    out.errors_.push_back(path + ": cannot open settings file");
    return out;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return read(ss.str(), path);
}

Result<Settings> Settings::parse(std::string_view text, std::string file) {
  Settings s = read(text, std::move(file));
  if (!s.errors_.empty()) return Status::error(join_lines(s.errors_));
  return s;
}

Result<Settings> Settings::load_file(const std::string& path) {
  Settings s = read_file(path);
  if (!s.errors_.empty()) return Status::error(join_lines(s.errors_));
  return s;
}

}  // namespace fixgate::gateway
