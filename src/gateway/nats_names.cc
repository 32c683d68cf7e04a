#include "nats_names.h"

#include <cctype>

namespace fixgate::gateway {
namespace {

bool is_blank_or_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= ' ' || u == 0x7f;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

Status check_url(std::string_view url) {
  const std::string bad = "nats: malformed URL '" + without_credentials(url) + "': ";
  if (url.empty()) return Status::error(bad + "empty");
  for (char c : url)
    if (is_blank_or_control(c)) return Status::error(bad + "a space or control character");
  std::string_view rest = url;
  if (const auto scheme_end = rest.find("://"); scheme_end != rest.npos) {
    const std::string_view scheme = rest.substr(0, scheme_end);
    if (scheme != "nats" && scheme != "tls")
      return Status::error(bad + "scheme '" + std::string(scheme) + "' (nats:// or tls://)");
    rest.remove_prefix(scheme_end + 3);
  }
  if (const auto at = rest.rfind('@'); at != rest.npos) rest.remove_prefix(at + 1);
  std::string_view host = rest, port;
  bool has_port = false;
  if (rest.starts_with('[')) {  // [::1]:4222
    const auto close = rest.find(']');
    if (close == rest.npos) return Status::error(bad + "no ']' after an IPv6 address");
    host = rest.substr(0, close + 1);
    rest.remove_prefix(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return Status::error(bad + "text after ']'");
    has_port = !rest.empty();
    if (has_port) port = rest.substr(1);
  } else if (const auto colon = rest.rfind(':'); colon != rest.npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    has_port = true;
    if (host.find(':') != host.npos) return Status::error(bad + "an IPv6 address needs [ ]");
  }
  if (host.empty()) return Status::error(bad + "no host");
  if (host.find('/') != host.npos || port.find('/') != port.npos)
    return Status::error(bad + "a path");
  if (has_port) {
    unsigned long value = 0;
    for (char c : port)
      value = std::isdigit(static_cast<unsigned char>(c)) && value <= 65535
                  ? value * 10 + static_cast<unsigned long>(c - '0')
                  : 0x10000;
    if (value == 0 || value > 65535) return Status::error(bad + "port '" + std::string(port) + "'");
  }
  return Status::ok();
}

}  // namespace

bool valid_subject(std::string_view subject) {
  if (subject.empty() || subject.front() == '.' || subject.back() == '.') return false;
  char previous = '.';
  for (char c : subject) {
    if (is_blank_or_control(c) || c == '*' || c == '>' || (c == '.' && previous == '.'))
      return false;
    previous = c;
  }
  return true;
}

bool valid_kv_key(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  for (char c : key)
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("-/_=.").find(c) == std::string_view::npos)
      return false;
  return true;
}

bool valid_bucket_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

bool valid_stream_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (is_blank_or_control(c) || std::string_view(".*>/\\").find(c) != std::string_view::npos)
      return false;
  return true;
}

std::string default_stream_name(std::string_view subject_prefix) {
  std::string name;
  for (char c : subject_prefix)
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-'
                ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                : '_';
  return name + "_EVENTS";
}

std::string without_credentials(std::string_view urls) {
  std::string out;
  while (true) {
    const auto comma = urls.find(',');
    std::string_view url = urls.substr(0, comma);
    const auto scheme_end = url.find("://");
    const size_t host_at = scheme_end == url.npos ? 0 : scheme_end + 3;
    const auto at = url.rfind('@');
    if (at != url.npos && at >= host_at) {
      out.append(url.substr(0, host_at));
      out.append(url.substr(at + 1));
    } else {
      out.append(url);
    }
    if (comma == urls.npos) return out;
    out += ',';
    urls.remove_prefix(comma + 1);
  }
}

Status check_urls(std::string_view urls) {
  if (trim(urls).empty()) return Status::error("nats: no URL");
  while (true) {
    const auto comma = urls.find(',');
    if (Status s = check_url(trim(urls.substr(0, comma))); !s) return s;
    if (comma == urls.npos) return Status::ok();
    urls.remove_prefix(comma + 1);
  }
}

Status check_options(const NatsOptions& o) {
  if (Status s = check_urls(o.url); !s) return s;
  if (!valid_subject(o.subject_prefix))
    return Status::error("nats: subject prefix '" + o.subject_prefix +
                         "': dot-separated tokens without spaces or wildcards");
  if (o.buffer_capacity == 0) return Status::error("nats: buffer capacity 0");
  if (!o.kv_bucket.empty() && !valid_bucket_name(o.kv_bucket))
    return Status::error("nats: KV bucket '" + o.kv_bucket + "': letters, digits, _ and - only");
  if (!o.stream_name.empty() && !valid_stream_name(o.stream_name))
    return Status::error("nats: stream name '" + o.stream_name + "'");
  if (o.reconnect_wait.count() <= 0 || o.publish_timeout.count() <= 0 ||
      o.ping_interval.count() <= 0 || o.drop_log_interval.count() < 0)
    return Status::error("nats: reconnect wait, publish timeout and ping interval must be > 0");
  return Status::ok();
}

}  // namespace fixgate::gateway
