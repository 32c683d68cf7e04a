// Test support: a small reader of the Prometheus text format (0.0.4) as a scraper reads the
// gateway's /metrics: `# HELP name text`, `# TYPE name type`, and `name{label="value",…} value`
// samples. Strict enough to catch a malformed exposition: a line it cannot read, a sample of a
// family without TYPE and HELP, or a family declared twice is an error.
#pragma once

#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace fixgate::testing {

using Labels = std::map<std::string, std::string>;

class Exposition {
 public:
  struct Sample {
    std::string name;
    Labels labels;
    double value = 0;
  };

  explicit Exposition(std::string_view text) {
    std::istringstream in{std::string(text)};
    int number = 0;
    for (std::string line; std::getline(in, line);) {
      ++number;
      if (line.empty()) continue;
      if (!read_line(line)) errors.push_back("line " + std::to_string(number) + ": " + line);
    }
    for (const auto& [family, type] : types)
      if (!help.count(family)) errors.push_back(family + ": TYPE without HELP");
  }

  // The value of the one sample `name` whose labels include `labels`; nullopt if there is none,
  // or more than one.
  std::optional<double> value(std::string_view name, const Labels& labels = {}) const {
    std::optional<double> found;
    for (const Sample& s : samples) {
      if (s.name != name || !includes(s.labels, labels)) continue;
      if (found) return std::nullopt;
      found = s.value;
    }
    return found;
  }
  // How many samples `name` have labels including `labels`.
  size_t count(std::string_view name, const Labels& labels = {}) const {
    size_t n = 0;
    for (const Sample& s : samples) n += s.name == name && includes(s.labels, labels);
    return n;
  }
  // Every family declared (TYPE), in order.
  std::vector<std::string> families() const { return order_; }

  std::vector<Sample> samples;
  std::map<std::string, std::string> help, types;  // family -> HELP text, TYPE
  std::vector<std::string> errors;                 // empty for a well-formed exposition

 private:
  static bool includes(const Labels& all, const Labels& some) {
    for (const auto& [k, v] : some) {
      auto it = all.find(k);
      if (it == all.end() || it->second != v) return false;
    }
    return true;
  }
  static bool name_char(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && c >= '0' && c <= '9');
  }
  static std::string read_name(std::string_view& s) {
    size_t n = 0;
    while (n < s.size() && name_char(s[n], n == 0)) ++n;
    std::string name(s.substr(0, n));
    s.remove_prefix(n);
    return name;
  }
  // The family a sample belongs to: itself, or a summary's or histogram's without the suffix.
  std::string family_of(const std::string& name) const {
    if (types.count(name)) return name;
    for (std::string_view suffix : {"_sum", "_count", "_bucket"}) {
      if (name.size() <= suffix.size() || !name.ends_with(suffix)) continue;
      std::string base = name.substr(0, name.size() - suffix.size());
      auto it = types.find(base);
      if (it != types.end() && (it->second == "summary" || it->second == "histogram")) return base;
    }
    return "";
  }
  bool read_comment(std::string_view line) {
    const bool is_help = line.starts_with("# HELP ");
    if (!is_help && !line.starts_with("# TYPE ")) return line.starts_with("#");
    line.remove_prefix(7);
    std::string name = read_name(line);
    if (name.empty() || !line.starts_with(" ")) return false;
    line.remove_prefix(1);
    if (is_help) return help.emplace(name, std::string(line)).second;
    static const std::set<std::string_view> kTypes = {"counter", "gauge", "summary", "histogram",
                                                      "untyped"};
    if (!kTypes.count(line) || !types.emplace(name, std::string(line)).second) return false;
    order_.push_back(name);
    return true;
  }
  bool read_labels(std::string_view& s, Labels& labels) {
    s.remove_prefix(1);  // '{'
    while (!s.starts_with("}")) {
      std::string key = read_name(s);
      if (key.empty() || !s.starts_with("=\"")) return false;
      s.remove_prefix(2);
      std::string value;
      while (!s.empty() && s.front() != '"') {
        char c = s.front();
        s.remove_prefix(1);
        if (c == '\\' && !s.empty()) {
          c = s.front() == 'n' ? '\n' : s.front();
          s.remove_prefix(1);
        }
        value += c;
      }
      if (s.empty() || !labels.emplace(key, value).second) return false;
      s.remove_prefix(1);  // '"'
      if (s.starts_with(",")) s.remove_prefix(1);
    }
    s.remove_prefix(1);  // '}'
    return true;
  }
  bool read_line(std::string_view line) {
    if (line.starts_with("#")) return read_comment(line);
    Sample sample;
    sample.name = read_name(line);
    if (sample.name.empty() || family_of(sample.name).empty()) return false;
    if (line.starts_with("{") && !read_labels(line, sample.labels)) return false;
    if (!line.starts_with(" ")) return false;
    std::string number(line.substr(1));
    char* end = nullptr;
    sample.value = std::strtod(number.c_str(), &end);
    if (number.empty() || (*end != '\0' && *end != ' ')) return false;
    samples.push_back(std::move(sample));
    return true;
  }

  std::vector<std::string> order_;
};

}  // namespace fixgate::testing
