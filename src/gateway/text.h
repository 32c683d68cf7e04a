// Small text helpers shared by the gateway's settings code (internal header).
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace fixgate::gateway {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

inline std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// "Mon, Tue,,Wed " -> {"Mon", "Tue", "", "Wed"}: the items of a comma-separated value, trimmed.
inline std::vector<std::string_view> comma_list(std::string_view list) {
  std::vector<std::string_view> items;
  while (!list.empty()) {
    size_t comma = list.find(',');
    items.push_back(trim(list.substr(0, comma)));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return items;
}

// 1.5 -> "1.5", 10.0 -> "10": a number as a settings file would write it.
inline std::string number_text(double d) {
  std::string t = std::to_string(d);
  while (t.back() == '0') t.pop_back();
  if (t.back() == '.') t.pop_back();
  return t;
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    out.push_back(text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  return out;
}

inline std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

}  // namespace fixgate::gateway
