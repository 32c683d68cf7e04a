// The readers of keys whose values need more than a type (see key_readers.h).
#include "key_readers.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "fixgate/dict/dictionary.h"
#include "text.h"

namespace fixgate::gateway::readers {
namespace {

// One value out of a few, spelled as listed (case-insensitively).
Status one_of(const Setting& s, std::initializer_list<std::string_view> choices) {
  std::string list;
  for (std::string_view c : choices) {
    if (upper(c) == upper(s.value)) return Status::ok();
    list += (list.empty() ? "" : ", ") + std::string(c);
  }
  return Status::error(s.where() + ": '" + s.value + "' is not one of " + list);
}

}  // namespace

Status read_connection_type(const Setting& s, S& t) {
  if (Status st = one_of(s, {"initiator", "acceptor"}); !st)
    return Status::error(s.where() + ": '" + s.value + "' is neither initiator nor acceptor");
  t.manager.session.role =
      upper(s.value) == "ACCEPTOR" ? session::Role::kAcceptor : session::Role::kInitiator;
  return Status::ok();
}

Status read_begin_string(const Setting& s, S& t) {
  static constexpr std::string_view kVersions[] = {"FIX.4.0", "FIX.4.1", "FIX.4.2",
                                                   "FIX.4.3", "FIX.4.4", "FIXT.1.1"};
  if (std::find(std::begin(kVersions), std::end(kVersions), s.value) == std::end(kVersions))
    return Status::error(s.where() + ": unknown version '" + s.value + "'");
  t.manager.session.id.begin_string = s.value;
  return Status::ok();
}

// The ApplVerID code ("9") or its name ("FIX.5.0SP2"), as QuickFIX takes it; kept as the code,
// which is what goes on the wire.
Status read_appl_ver_id(const Setting& s, S& t) {
  std::string_view code = dict::begin_string_for_appl_ver_id(s.value).empty()
                              ? dict::appl_ver_id_for(s.value)
                              : std::string_view(s.value);
  if (code.empty())
    return Status::error(s.where() + ": '" + s.value +
                         "' is neither an ApplVerID code (2-9) nor a version name (FIX.5.0SP2)");
  t.manager.session.default_appl_ver_id = std::string(code);
  return Status::ok();
}

Status read_precision(const Setting& s, S& t) {
  auto p = read_int(s, 0, 9);
  if (!p) return p.status();
  if (*p != 0 && *p != 3 && *p != 6 && *p != 9)
    return Status::error(s.where() + ": must be 0, 3, 6 or 9");
  t.manager.session.timestamp_precision = static_cast<codec::TimePrecision>(*p);
  return Status::ok();
}
std::string show_precision(const S& t) {
  return std::to_string(static_cast<int>(t.manager.session.timestamp_precision));
}

Status read_verify_level(const Setting& s, S& t) {
  auto level = read_int(s, 0, 3);
  if (!level) return level.status();
  t.manager.tls.verify_peer = *level > 0;
  return Status::ok();
}
std::string show_verify_level(const S& t) { return t.manager.tls.verify_peer ? "1" : "0"; }

// QuickFIX's Apache-style list ("all -SSLv2", "+TLSv1_2 +TLSv1_3"; TLSv1.3 also accepted). fixgate
// never negotiates below TLS 1.2, so what counts is whether 1.2 is enabled or only 1.3.
Status read_ssl_protocol(const Setting& s, S& t) {
  static constexpr std::string_view kKnown[] = {"SSLV2",   "SSLV3",   "TLSV1",
                                                "TLSV1.1", "TLSV1.2", "TLSV1.3"};
  std::vector<std::string> enabled;
  std::string value = upper(s.value);
  std::replace(value.begin(), value.end(), '_', '.');
  for (size_t pos = 0; pos < value.size();) {
    size_t end = value.find_first_of(" \t", pos);
    std::string word = value.substr(pos, end == std::string::npos ? end : end - pos);
    pos = end == std::string::npos ? value.size() : end + 1;
    if (word.empty()) continue;
    const char sign = word[0] == '-' || word[0] == '+' ? word[0] : '+';
    if (word[0] == '-' || word[0] == '+') word.erase(0, 1);
    std::vector<std::string> names;
    if (word == "ALL") {
      names.assign(std::begin(kKnown), std::end(kKnown));
    } else if (std::find(std::begin(kKnown), std::end(kKnown), word) != std::end(kKnown)) {
      names.push_back(word);
    } else {
      return Status::error(s.where() + ": unknown protocol '" + word + "'");
    }
    for (const auto& n : names) {
      std::erase(enabled, n);
      if (sign == '+') enabled.push_back(n);
    }
  }
  auto on = [&](std::string_view n) {
    return std::find(enabled.begin(), enabled.end(), n) != enabled.end();
  };
  if (!on("TLSV1.2") && !on("TLSV1.3"))
    return Status::error(s.where() + ": enables neither TLSv1.2 nor TLSv1.3 (fixgate's only)");
  t.manager.tls.min_protocol = on("TLSV1.2") ? "TLSv1.2" : "TLSv1.3";
  return Status::ok();
}

Status read_store_type(const Setting& s, S& t) {
  if (Status st = one_of(s, {"memory", "file", "sqlite", "postgres"}); !st) return st;
  t.store.type = s.value;
  for (char& c : t.store.type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return Status::ok();
}

Status read_fsync(const Setting& s, S& t) {
  auto policy = store::parse_fsync_policy(s.value);
  if (!policy) return Status::error(s.where() + ": " + policy.error());
  t.store.file.fsync = *policy;
  return Status::ok();
}
std::string show_fsync(const S& t) { return std::string(store::to_string(t.store.file.fsync)); }

Status read_app(const Setting& s, S& t) {
  if (Status st = one_of(s, {"echo", "none"}); !st) return st;
  t.app = upper(s.value) == "ECHO" ? "echo" : "none";
  return Status::ok();
}

Status read_allowed_comp_ids(const Setting& s, S& t) {
  t.allowed_comp_ids.clear();
  for (std::string_view id : comma_list(s.value))
    if (!id.empty()) t.allowed_comp_ids.emplace_back(id);
  if (t.allowed_comp_ids.empty()) return Status::error(s.where() + ": names no CompID");
  return Status::ok();
}

// QuickFIX/J's MINA transport may be TCP or VM_PIPE (in-process); fixgate's is TCP.
Status read_tcp_only(const Setting& s, S&) {
  if (upper(s.value) != "TCP") return Status::error(s.where() + ": only TCP is supported");
  return Status::ok();
}

std::string show_reconnect_interval(const S& t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(t.manager.reconnect.initial).count());
}
std::string show_multiplier(const S&) { return number_text(engine::ReconnectPolicy{}.multiplier); }
std::string show_jitter(const S&) { return number_text(engine::ReconnectPolicy{}.jitter); }

}  // namespace fixgate::gateway::readers
