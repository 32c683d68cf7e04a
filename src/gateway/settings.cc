#include "fixgate/gateway/settings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fixgate/dict/dictionary.h"
#include "fixgate/engine/time_zone.h"
#include "fixgate/session/memory_store.h"
#include "fixgate/store/file_store.h"
#include "fixgate/store/pg_store.h"
#include "fixgate/store/sqlite_store.h"

namespace fixgate::gateway {
namespace {

using namespace std::chrono_literals;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "Mon, Tue,,Wed " -> {"Mon", "Tue", "", "Wed"}: the items of a comma-separated value, trimmed.
std::vector<std::string_view> comma_list(std::string_view list) {
  std::vector<std::string_view> items;
  while (!list.empty()) {
    size_t comma = list.find(',');
    items.push_back(trim(list.substr(0, comma)));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return items;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

constexpr std::string_view kKnownKeys[] = {
    // QuickFIX
    "ConnectionType", "BeginString", "SenderCompID", "SenderSubID", "SenderLocationID",
    "TargetCompID", "TargetSubID", "TargetLocationID", "SessionQualifier", "SocketAcceptPort",
    "SocketAcceptAddress", "SocketConnectHost", "SocketConnectPort", "SocketNodelay",
    "SocketReuseAddress", "HeartBtInt", "ReconnectInterval", "LogonTimeout", "LogoutTimeout",
    "StartTime", "EndTime", "StartDay", "EndDay", "TimeZone", "ResetOnLogon", "ResetOnLogout",
    "ResetOnDisconnect", "RefreshOnLogon", "PersistMessages", "FileStorePath", "FileLogPath",
    "DataDictionary", "TransportDataDictionary", "AppDataDictionary", "DefaultApplVerID",
    "UseDataDictionary", "ValidateFieldsOutOfOrder", "ValidateFieldsHaveValues",
    "ValidateUserDefinedFields", "AllowUnknownMessageFields", "ValidateLengthAndChecksum",
    "CheckLatency", "MaxLatency", "SendRedundantResendRequests", "TimeStampPrecision",
    "CheckCompID", "ResendRequestChunkSize", "EnableNextExpectedMsgSeqNum", "MaxMessageSize",
    "SSLProtocol", "SSLCipherSuite", "ServerCertificateFile", "ServerCertificateKeyFile",
    "ClientCertificateFile", "ClientCertificateKeyFile", "CertificateAuthoritiesFile",
    "CertificationAuthoritiesFile", "CertificateVerifyLevel", "SocketUseSSL", "NonStopSession",
    "UseLocalTime", "Weekdays", "SocketConnectSourceHost", "SocketConnectSourcePort",
    // fixgate's own
    "StoreType", "FsyncPolicy", "FsyncBatchMicros", "ReconnectMaxInterval", "ReconnectMultiplier",
    "ReconnectJitter", "TestRequestDelay", "MaxSequenceGap", "Username", "Password",
    "PostgresConnection", "SocketConnectTimeout", "AcceptorTemplate", "AllowedCompIDs",
    // fixgate's own, engine-wide: [DEFAULT] only (kEngineKeys)
    "EngineThreads", "BusyPollMicros", "BusyPollYield"};

// Keys that configure the engine, not a session.
constexpr std::string_view kEngineKeys[] = {"EngineThreads", "BusyPollMicros", "BusyPollYield"};

bool is_alternate(std::string_view key) {
  // SocketConnectHost1 / SocketConnectPort1 … name the alternate hosts.
  for (std::string_view base : {"SocketConnectHost", "SocketConnectPort"}) {
    if (key.size() > base.size() && key.substr(0, base.size()) == base &&
        std::all_of(key.begin() + static_cast<long>(base.size()), key.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return true;
  }
  return false;
}

}  // namespace

bool is_known_key(std::string_view key) {
  return is_alternate(key) ||
         std::find(std::begin(kKnownKeys), std::end(kKnownKeys), key) != std::end(kKnownKeys);
}

std::string Setting::where(std::string_view key) const {
  return file + ":" + std::to_string(line) + ": " + std::string(key);
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

Result<double> SessionSettings::get_number(std::string_view key, double min, double max) const {
  const Setting* s = find(key);
  if (!s) return Status::error(section_where() + ": [SESSION] needs " + std::string(key));
  double v = 0;
  const char* end = s->value.data() + s->value.size();
  auto [p, ec] = std::from_chars(s->value.data(), end, v, std::chars_format::fixed);
  if (ec != std::errc() || p != end || s->value.empty())
    return Status::error(s->where(key) + ": '" + s->value + "' is not a decimal number");
  if (!(v >= min && v <= max)) {
    auto text = [](double d) {
      std::string t = std::to_string(d);
      while (t.back() == '0') t.pop_back();
      if (t.back() == '.') t.pop_back();
      return t;
    };
    return Status::error(s->where(key) + ": " + s->value + " is outside " + text(min) + ".." +
                         text(max));
  }
  return v;
}

Result<long long> SessionSettings::get_int(std::string_view key, long long min,
                                           long long max) const {
  const Setting* s = find(key);
  if (!s) return Status::error(section_where() + ": [SESSION] needs " + std::string(key));
  long long v = 0;
  size_t used = 0;
  try {
    v = std::stoll(s->value, &used);
  } catch (...) {
    used = 0;
  }
  if (used == 0 || used != s->value.size())
    return Status::error(s->where(key) + ": '" + s->value + "' is not a whole number");
  if (v < min || v > max)
    return Status::error(s->where(key) + ": " + s->value + " is outside " + std::to_string(min) +
                         ".." + std::to_string(max));
  return v;
}

Result<bool> SessionSettings::get_bool(std::string_view key) const {
  const Setting* s = find(key);
  if (!s) return Status::error(section_where() + ": [SESSION] needs " + std::string(key));
  std::string v = upper(s->value);
  if (v == "Y" || v == "YES" || v == "TRUE") return true;
  if (v == "N" || v == "NO" || v == "FALSE") return false;
  return Status::error(s->where(key) + ": '" + s->value + "' is not Y or N");
}

Result<Settings> Settings::parse(std::string_view text, std::string file) {
  Settings out;
  enum { kNone, kDefault, kSession } section = kNone;
  bool seen_default = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    auto here = file + ":" + std::to_string(line_no);
    if (line.front() == '[') {
      std::string name = upper(
          trim(line.substr(1, line.find(']') == std::string_view::npos ? std::string_view::npos
                                                                       : line.find(']') - 1)));
      if (line.back() != ']') return Status::error(here + ": unterminated section header");
      if (name == "DEFAULT") {
        if (seen_default) return Status::error(here + ": a second [DEFAULT] section");
        seen_default = true;
        section = kDefault;
      } else if (name == "SESSION") {
        section = kSession;
        SessionSettings s;
        s.defaults = out.defaults_;
        s.file_ = file;
        s.section_line_ = line_no;
        out.sessions_.push_back(std::move(s));
      } else {
        return Status::error(here + ": unknown section [" + name + "]");
      }
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return Status::error(here + ": expected Key=Value");
    std::string key(trim(line.substr(0, eq)));
    std::string value(trim(line.substr(eq + 1)));
    if (key.empty()) return Status::error(here + ": empty key");
    if (!is_known_key(key)) return Status::error(here + ": " + key + ": unknown key");
    if (section == kNone) return Status::error(here + ": " + key + ": outside any section");
    auto& map = section == kDefault ? *out.defaults_ : out.sessions_.back().own;
    if (map.count(key)) return Status::error(here + ": " + key + ": set twice in one section");
    map.emplace(key, Setting{value, file, line_no});
  }
  if (out.sessions_.empty()) return Status::error(file + ": no [SESSION] section");
  return out;
}

Result<Settings> Settings::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::error(path + ": cannot open settings file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

namespace {

// Fails with the first error of any of these results.
#define FIXGATE_TRY(var, expr)                     \
  auto var##_result = (expr);                      \
  if (!var##_result) return var##_result.status(); \
  auto var = std::move(*var##_result)

Result<dict::Dictionary::Ptr> load_dictionary(const SessionSettings& s, std::string_view key) {
  const Setting* setting = s.find(key);
  if (!setting) return Status::error(s.section_where() + ": [SESSION] needs " + std::string(key));
  auto d = dict::Dictionary::load_file(setting->value);
  if (!d) return Status::error(setting->where(key) + ": " + d.error());
  return *d;
}

// StartTime/EndTime (daily), plus StartDay/EndDay (weekly) or Weekdays, in TimeZone (IANA),
// UseLocalTime=Y (the machine's zone) or UTC. No StartTime/EndTime, or NonStopSession=Y: none.
Result<std::optional<session::Schedule>> schedule_of(const SessionSettings& s) {
  using Out = std::optional<session::Schedule>;
  auto where = [&](std::string_view key) { return s.find(key)->where(key); };
  auto flag = [&](std::string_view key) -> Result<bool> {
    return s.has(key) ? s.get_bool(key) : Result<bool>(false);
  };
  FIXGATE_TRY(non_stop, flag("NonStopSession"));
  const bool timed = s.has("StartTime") || s.has("EndTime");
  if (non_stop || !timed) {
    for (std::string_view key : {"StartDay", "EndDay", "Weekdays"})
      if (s.has(key))
        return Status::error(where(key) + ": needs StartTime and EndTime" +
                             (non_stop ? " (and no NonStopSession=Y)" : ""));
    return Out();
  }
  std::chrono::seconds times[2];
  int k = 0;
  for (std::string_view key : {"StartTime", "EndTime"}) {
    FIXGATE_TRY(text, s.get_string(key));
    auto t = session::parse_time_of_day(text);
    if (!t) return Status::error(where(key) + ": '" + text + "' is not a time HH:MM:SS");
    times[k++] = *t;
  }
  FIXGATE_TRY(local, flag("UseLocalTime"));
  Result<session::TimeZone> zone = session::TimeZone::utc();
  if (s.has("TimeZone")) {
    if (local) return Status::error(where("UseLocalTime") + ": set together with TimeZone");
    zone = engine::load_time_zone(s.find("TimeZone")->value);
    if (!zone) return Status::error(where("TimeZone") + ": " + zone.error());
  } else if (local) {
    zone = engine::local_time_zone();
    if (!zone) return Status::error(where("UseLocalTime") + ": " + zone.error());
  }
  auto day = [&](std::string_view key) -> Result<int> {
    FIXGATE_TRY(text, s.get_string(key));
    auto d = session::parse_weekday(text);
    if (!d) return Status::error(where(key) + ": '" + text + "' is not a day of the week");
    return *d;
  };
  if (s.has("StartDay") || s.has("EndDay")) {
    if (s.has("Weekdays"))
      return Status::error(where("Weekdays") +
                           ": a weekly session (StartDay/EndDay) has no Weekdays");
    FIXGATE_TRY(start_day, day("StartDay"));
    FIXGATE_TRY(end_day, day("EndDay"));
    FIXGATE_TRY(weekly, session::Schedule::weekly(start_day, times[0], end_day, times[1], *zone));
    return Out(std::move(weekly));
  }
  std::vector<int> weekdays;
  if (const Setting* w = s.find("Weekdays")) {
    for (std::string_view name : comma_list(w->value)) {
      auto d = session::parse_weekday(name);
      if (!d)
        return Status::error(where("Weekdays") + ": '" + std::string(name) +
                             "' is not a day of the week");
      weekdays.push_back(*d);
    }
    if (weekdays.empty()) return Status::error(where("Weekdays") + ": names no day");
  }
  FIXGATE_TRY(daily, session::Schedule::daily(times[0], times[1], *zone, std::move(weekdays)));
  return Out(std::move(daily));
}

}  // namespace

Result<engine::EngineOptions> to_engine_options(const Settings& settings) {
  for (const SessionSettings& session : settings.sessions())
    for (std::string_view key : kEngineKeys)
      if (auto own = session.own.find(key); own != session.own.end())
        return Status::error(own->second.where(key) + ": engine-wide, set it in [DEFAULT]");
  SessionSettings d;  // the [DEFAULT] section on its own, for the typed getters
  d.defaults = std::make_shared<const SessionSettings::Map>(settings.defaults());
  engine::EngineOptions o;
  if (d.has("EngineThreads")) {
    FIXGATE_TRY(threads, d.get_int("EngineThreads", 0, 1024));
    o.threads = static_cast<unsigned>(threads);
  }
  if (d.has("BusyPollMicros")) {
    FIXGATE_TRY(us, d.get_int("BusyPollMicros", 0, 10'000'000));
    o.busy_poll = std::chrono::microseconds(us);
  }
  if (d.has("BusyPollYield")) {
    FIXGATE_TRY(yield, d.get_bool("BusyPollYield"));
    o.busy_poll_yield = yield;
  }
  return o;
}

Result<engine::ManagerConfig> to_manager_config(const SessionSettings& s) {
  engine::ManagerConfig c;
  session::SessionConfig& sc = c.session;

  FIXGATE_TRY(type, s.get_string("ConnectionType"));
  if (type == "initiator") {
    sc.role = session::Role::kInitiator;
  } else if (type == "acceptor") {
    sc.role = session::Role::kAcceptor;
  } else {
    return Status::error(s.find("ConnectionType")->where("ConnectionType") + ": '" + type +
                         "' is neither initiator nor acceptor");
  }
  FIXGATE_TRY(begin, s.get_string("BeginString"));
  static constexpr std::string_view kVersions[] = {"FIX.4.0", "FIX.4.1", "FIX.4.2",
                                                   "FIX.4.3", "FIX.4.4", "FIXT.1.1"};
  if (std::find(std::begin(kVersions), std::end(kVersions), begin) == std::end(kVersions))
    return Status::error(s.find("BeginString")->where("BeginString") + ": unknown version '" +
                         begin + "'");
  sc.id.begin_string = begin;
  FIXGATE_TRY(sender, s.get_string("SenderCompID"));
  FIXGATE_TRY(target, s.get_string("TargetCompID"));
  sc.id.sender_comp_id = sender;
  sc.id.target_comp_id = target;
  sc.id.sender_sub_id = s.get_string_or("SenderSubID", "");
  sc.id.sender_location_id = s.get_string_or("SenderLocationID", "");
  sc.id.target_sub_id = s.get_string_or("TargetSubID", "");
  sc.id.target_location_id = s.get_string_or("TargetLocationID", "");
  sc.id.qualifier = s.get_string_or("SessionQualifier", "");

  if (sc.role == session::Role::kInitiator || s.has("HeartBtInt")) {
    FIXGATE_TRY(hb, s.get_int("HeartBtInt", 1, 3600));
    sc.heartbeat_interval = std::chrono::seconds(hb);
  }
  auto seconds = [&](std::string_view key, long long fallback, long long max) -> Result<long long> {
    return s.has(key) ? s.get_int(key, 0, max) : Result<long long>(fallback);
  };
  auto flag = [&](std::string_view key, bool fallback) -> Result<bool> {
    return s.has(key) ? s.get_bool(key) : Result<bool>(fallback);
  };
  FIXGATE_TRY(logon_timeout, seconds("LogonTimeout", 10, 3600));
  FIXGATE_TRY(logout_timeout, seconds("LogoutTimeout", 2, 3600));
  sc.logon_timeout = std::chrono::seconds(logon_timeout);
  sc.logout_timeout = std::chrono::seconds(logout_timeout);
  FIXGATE_TRY(reset_on_logon, flag("ResetOnLogon", false));
  FIXGATE_TRY(reset_on_logout, flag("ResetOnLogout", false));
  FIXGATE_TRY(reset_on_disconnect, flag("ResetOnDisconnect", false));
  FIXGATE_TRY(refresh_on_logon, flag("RefreshOnLogon", false));
  FIXGATE_TRY(persist, flag("PersistMessages", true));
  FIXGATE_TRY(check_latency, flag("CheckLatency", true));
  FIXGATE_TRY(max_latency, seconds("MaxLatency", 120, 86400));
  FIXGATE_TRY(redundant, flag("SendRedundantResendRequests", false));
  FIXGATE_TRY(check_comp_id, flag("CheckCompID", true));
  FIXGATE_TRY(chunk, seconds("ResendRequestChunkSize", 0, 1'000'000'000));
  FIXGATE_TRY(max_gap, seconds("MaxSequenceGap", 0, 1'000'000'000));
  FIXGATE_TRY(next_expected, flag("EnableNextExpectedMsgSeqNum", false));
  FIXGATE_TRY(length_checksum, flag("ValidateLengthAndChecksum", true));
  sc.reset_on_logon = reset_on_logon;
  sc.reset_on_logout = reset_on_logout;
  sc.reset_on_disconnect = reset_on_disconnect;
  sc.refresh_on_logon = refresh_on_logon;
  FIXGATE_TRY(nodelay, flag("SocketNodelay", true));
  FIXGATE_TRY(reuse_address, flag("SocketReuseAddress", true));
  c.tcp_nodelay = nodelay;
  c.reuse_address = reuse_address;
  sc.persist_messages = persist;
  sc.check_latency = check_latency;
  sc.max_latency = std::chrono::seconds(max_latency);
  sc.send_redundant_resend_requests = redundant;
  sc.check_comp_id = check_comp_id;
  sc.resend_request_chunk_size = static_cast<uint64_t>(chunk);
  sc.max_sequence_gap = static_cast<uint64_t>(max_gap);
  sc.enable_next_expected_msg_seq_num = next_expected;
  sc.validate_length_and_checksum = length_checksum;
  if (s.has("TestRequestDelay")) {
    FIXGATE_TRY(delay, s.get_int("TestRequestDelay", 0, 3'600'000));
    sc.test_request_delay = std::chrono::milliseconds(delay);
  }
  if (s.has("MaxMessageSize")) {
    FIXGATE_TRY(max_size, s.get_int("MaxMessageSize", 64, 1LL << 30));
    sc.max_message_size = static_cast<size_t>(max_size);
  }
  if (s.has("TimeStampPrecision")) {
    FIXGATE_TRY(p, s.get_int("TimeStampPrecision", 0, 9));
    if (p != 0 && p != 3 && p != 6 && p != 9)
      return Status::error(s.find("TimeStampPrecision")->where("TimeStampPrecision") +
                           ": must be 0, 3, 6 or 9");
    sc.timestamp_precision = static_cast<codec::TimePrecision>(p);
  }
  c.log_directory = s.get_string_or("FileLogPath", "");
  sc.username = s.get_string_or("Username", "");
  sc.password = s.get_string_or("Password", "");

  // Validation.
  FIXGATE_TRY(use_dict, flag("UseDataDictionary", true));
  FIXGATE_TRY(out_of_order, flag("ValidateFieldsOutOfOrder", true));
  FIXGATE_TRY(have_values, flag("ValidateFieldsHaveValues", true));
  FIXGATE_TRY(user_defined, flag("ValidateUserDefinedFields", true));
  FIXGATE_TRY(allow_unknown, flag("AllowUnknownMessageFields", false));
  sc.validation = {out_of_order, have_values, user_defined, allow_unknown, length_checksum};
  if (use_dict) {
    if (begin == "FIXT.1.1") {
      if (s.has("TransportDataDictionary")) {
        FIXGATE_TRY(transport, load_dictionary(s, "TransportDataDictionary"));
        sc.data_dictionary = transport;
      } else {
        sc.data_dictionary = dict::Dictionary::builtin("FIXT.1.1");
      }
      if (s.has("AppDataDictionary")) {
        FIXGATE_TRY(app, load_dictionary(s, "AppDataDictionary"));
        sc.app_dictionary = app;
      }
      sc.default_appl_ver_id = s.get_string_or("DefaultApplVerID", "");
      if (sc.role == session::Role::kInitiator && sc.default_appl_ver_id.empty())
        return Status::error(s.section_where() + ": a FIXT.1.1 initiator needs DefaultApplVerID");
    } else if (s.has("DataDictionary")) {
      FIXGATE_TRY(d, load_dictionary(s, "DataDictionary"));
      if (d->begin_string() != begin)
        return Status::error(s.find("DataDictionary")->where("DataDictionary") +
                             ": dictionary is " + d->begin_string() + " but BeginString is " +
                             begin);
      sc.data_dictionary = d;
    }
  }

  // Transport.
  if (sc.role == session::Role::kInitiator) {
    FIXGATE_TRY(host, s.get_string("SocketConnectHost"));
    FIXGATE_TRY(port, s.get_int("SocketConnectPort", 1, 65535));
    c.connect.push_back({host, static_cast<uint16_t>(port)});
    for (int i = 1;; ++i) {
      std::string hk = "SocketConnectHost" + std::to_string(i);
      std::string pk = "SocketConnectPort" + std::to_string(i);
      if (!s.has(hk) && !s.has(pk)) break;
      FIXGATE_TRY(alt_host, s.get_string(hk));
      FIXGATE_TRY(alt_port, s.get_int(pk, 1, 65535));
      c.connect.push_back({alt_host, static_cast<uint16_t>(alt_port)});
    }
    if (s.has("SocketConnectSourceHost") || s.has("SocketConnectSourcePort")) {
      engine::Endpoint source{s.get_string_or("SocketConnectSourceHost", "0.0.0.0"), 0};
      if (s.has("SocketConnectSourcePort")) {
        FIXGATE_TRY(source_port, s.get_int("SocketConnectSourcePort", 0, 65535));
        source.port = static_cast<uint16_t>(source_port);
      }
      c.source = source;
    }
    if (s.has("SocketConnectTimeout")) {
      FIXGATE_TRY(timeout, s.get_int("SocketConnectTimeout", 1, 3600));
      c.connect_timeout = std::chrono::seconds(timeout);
    }
    FIXGATE_TRY(interval, seconds("ReconnectInterval", 30, 86400));
    c.reconnect.initial = std::chrono::seconds(interval);
    if (s.has("ReconnectMaxInterval")) {
      FIXGATE_TRY(max, s.get_int("ReconnectMaxInterval", 1, 86400));
      c.reconnect.max = std::chrono::seconds(max);
    } else {
      c.reconnect.max = std::max<std::chrono::milliseconds>(c.reconnect.initial, 30s);
    }
    if (s.has("ReconnectMultiplier")) {
      FIXGATE_TRY(multiplier, s.get_number("ReconnectMultiplier", 1, 10));
      c.reconnect.multiplier = multiplier;
    }
    if (s.has("ReconnectJitter")) {
      FIXGATE_TRY(jitter, s.get_number("ReconnectJitter", 0, 1));
      c.reconnect.jitter = jitter;
    }
  } else {
    FIXGATE_TRY(port, s.get_int("SocketAcceptPort", 0, 65535));
    c.accept = {s.get_string_or("SocketAcceptAddress", "0.0.0.0"), static_cast<uint16_t>(port)};
  }

  FIXGATE_TRY(schedule, schedule_of(s));
  sc.schedule = std::move(schedule);
  // TLS (QuickFIX/C++ SSL keys; SocketUseSSL=Y as in QuickFIX/J turns it on).
  FIXGATE_TRY(use_tls, flag("SocketUseSSL", false));
  if (use_tls) {
    engine::TlsConfig& t = c.tls;
    t.enabled = true;
    const bool acceptor = sc.role == session::Role::kAcceptor;
    const char* cert_key = acceptor ? "ServerCertificateFile" : "ClientCertificateFile";
    const char* key_key = acceptor ? "ServerCertificateKeyFile" : "ClientCertificateKeyFile";
    t.certificate_file = s.get_string_or(cert_key, "");
    t.private_key_file = s.get_string_or(key_key, t.certificate_file);
    if (acceptor && t.certificate_file.empty())
      return Status::error(s.section_where() + ": a TLS acceptor needs ServerCertificateFile");
    t.ca_file = s.get_string_or("CertificateAuthoritiesFile",
                                s.get_string_or("CertificationAuthoritiesFile", ""));
    if (s.has("CertificateVerifyLevel")) {
      FIXGATE_TRY(level, s.get_int("CertificateVerifyLevel", 0, 3));
      t.verify_peer = level > 0;
    }
    if (t.verify_peer && t.ca_file.empty())
      return Status::error(s.section_where() +
                           ": verifying TLS peers needs CertificateAuthoritiesFile "
                           "(or CertificateVerifyLevel=0)");
    const std::string protocol = s.get_string_or("SSLProtocol", "");
    t.min_protocol = protocol.find("TLSv1.3") != std::string::npos &&
                             protocol.find("TLSv1.2") == std::string::npos
                         ? "TLSv1.3"
                         : "TLSv1.2";
    t.cipher_list = s.get_string_or("SSLCipherSuite", "");
  } else {
    for (std::string_view key : {"ServerCertificateFile", "ClientCertificateFile",
                                 "CertificateAuthoritiesFile", "SSLProtocol"})
      if (const Setting* v = s.find(key))
        return Status::error(v->where(key) + ": set, but SocketUseSSL is not Y");
  }
  return c;
}

Result<std::optional<engine::AcceptorTemplate>> to_acceptor_template(const SessionSettings& s) {
  using Out = std::optional<engine::AcceptorTemplate>;
  auto where = [&](std::string_view key) { return s.find(key)->where(key); };
  bool is_template = false;
  if (s.has("AcceptorTemplate")) {
    FIXGATE_TRY(flag, s.get_bool("AcceptorTemplate"));
    is_template = flag;
  }
  if (!is_template) {
    if (s.has("AllowedCompIDs"))
      return Status::error(where("AllowedCompIDs") + ": only for AcceptorTemplate=Y");
    return Out();
  }
  FIXGATE_TRY(config, to_manager_config(s));
  if (config.session.role != session::Role::kAcceptor)
    return Status::error(where("AcceptorTemplate") + ": a template must be an acceptor");
  if (!s.has("AllowedCompIDs"))
    return Status::error(where("AcceptorTemplate") +
                         ": a template needs AllowedCompIDs (the CompIDs that may log on, or *)");
  engine::AcceptorTemplate t;
  t.config = std::move(config);
  for (std::string_view id : comma_list(s.find("AllowedCompIDs")->value))
    if (!id.empty()) t.allowed_comp_ids.emplace_back(id);
  if (t.allowed_comp_ids.empty())
    return Status::error(where("AllowedCompIDs") + ": names no CompID");
  t.store = [s](const session::SessionId& id) { return open_store(s, id); };
  return Out(std::move(t));
}

Result<std::unique_ptr<session::Store>> open_store(const SessionSettings& s,
                                                   const session::SessionId& id) {
  using StorePtr = std::unique_ptr<session::Store>;
  const std::string path = s.get_string_or("FileStorePath", "");
  const std::string type = s.get_string_or("StoreType", path.empty() ? "memory" : "sqlite");
  auto where = [&](std::string_view key) {
    const Setting* v = s.find(key);
    return v ? v->where(key) : s.section_where();
  };
  // A file-system-safe name for the session ("FIX.4.4-GW-CLIENT").
  std::string name = id.begin_string + "-" + id.sender_comp_id + "-" + id.target_comp_id +
                     (id.qualifier.empty() ? "" : "-" + id.qualifier);
  if (type == "memory") return StorePtr(std::make_unique<session::MemoryStore>());
  if (type == "file" || type == "sqlite") {
    if (path.empty())
      return Status::error(where("StoreType") + ": " + type + " needs FileStorePath");
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Status::error(where("FileStorePath") + ": " + path + ": " + ec.message());
  }
  if (type == "file") {
    store::FileStoreOptions o;
    if (const Setting* f = s.find("FsyncPolicy")) {
      auto policy = store::parse_fsync_policy(f->value);
      if (!policy) return Status::error(f->where("FsyncPolicy") + ": " + policy.error());
      o.fsync = *policy;
    }
    if (s.has("FsyncBatchMicros")) {
      FIXGATE_TRY(us, s.get_int("FsyncBatchMicros", 1, 10'000'000));
      o.batch_interval = std::chrono::microseconds(us);
    }
    auto st = store::FileStore::open(path + "/" + name, o);
    if (!st) return Status::error(where("FileStorePath") + ": " + st.error());
    return StorePtr(std::move(*st));
  }
  if (type == "sqlite") {
    store::SqliteStoreOptions o;
    o.session_id = name;
    auto st = store::SqliteStore::open(path + "/fixgate.db", o);
    if (!st) return Status::error(where("FileStorePath") + ": " + st.error());
    return StorePtr(std::move(*st));
  }
  if (type == "postgres") {
    FIXGATE_TRY(conninfo, s.get_string("PostgresConnection"));
    store::PgStoreOptions o;
    o.session_id = name;
    auto st = store::PgStore::open(conninfo, o);
    if (!st) return Status::error(where("PostgresConnection") + ": " + st.error());
    return StorePtr(std::move(*st));
  }
  return Status::error(where("StoreType") + ": '" + type +
                       "' is not one of memory, file, sqlite, postgres");
}

#undef FIXGATE_TRY

}  // namespace fixgate::gateway
