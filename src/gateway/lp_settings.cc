// An LP row as settings keys: its columns and its `extra` JSON become the keys of a [SESSION]
// over the settings file's [DEFAULT], and the one session builder (session_setup.cc) reads them,
// so a row accepts every key a settings file does and is checked the same way.
#include "fixgate/gateway/lp_settings.h"

#include <nlohmann/json.hpp>

#include "text.h"

namespace fixgate::gateway {
namespace {

std::string yn(bool v) { return v ? "Y" : "N"; }

}  // namespace

// The columns that are one settings key each, whatever the role.
const TextColumn kTextColumns[] = {
    {"BeginString", &LpRow::begin_string, "begin_string"},
    {"SenderCompID", &LpRow::sender_comp_id, "sender_comp_id"},
    {"SenderSubID", &LpRow::sender_sub_id, "sender_sub_id"},
    {"SenderLocationID", &LpRow::sender_location_id, "sender_location_id"},
    {"TargetCompID", &LpRow::target_comp_id, "target_comp_id"},
    {"TargetSubID", &LpRow::target_sub_id, "target_sub_id"},
    {"TargetLocationID", &LpRow::target_location_id, "target_location_id"},
    {"StartTime", &LpRow::start_time, "start_time"},
    {"EndTime", &LpRow::end_time, "end_time"},
    {"StartDay", &LpRow::start_day, "start_day"},
    {"EndDay", &LpRow::end_day, "end_day"},
    {"TimeZone", &LpRow::time_zone, "time_zone"},
    {"DataDictionary", &LpRow::data_dictionary, "data_dictionary"},
    {"DefaultApplVerID", &LpRow::default_appl_ver_id, "default_appl_ver_id"},
};
const FlagColumn kFlagColumns[] = {
    {"ResetOnLogon", &LpRow::reset_on_logon, "reset_on_logon"},
    {"ResetOnLogout", &LpRow::reset_on_logout, "reset_on_logout"},
    {"ResetOnDisconnect", &LpRow::reset_on_disconnect, "reset_on_disconnect"},
};

namespace {

// "host:port,host:port" → pairs; an error names the bad entry.
Result<std::vector<std::pair<std::string, std::string>>> endpoints(std::string_view list) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    std::string_view item =
        list.substr(pos, comma == std::string_view::npos ? list.npos : comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      const size_t colon = item.rfind(':');
      if (colon == std::string_view::npos || colon == 0 || colon + 1 == item.size())
        return Status::error("alternate_hosts: '" + std::string(item) + "' is not host:port");
      out.emplace_back(std::string(item.substr(0, colon)), std::string(item.substr(colon + 1)));
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

}  // namespace

Result<SessionSettings> lp_settings(const LpRow& row,
                                    std::shared_ptr<const SessionSettings::Map> defaults) {
  SessionSettings s;
  s.file_ = "fixgate_sessions[" + row.provider + "]";
  s.defaults = defaults ? std::move(defaults) : std::make_shared<const SessionSettings::Map>();
  std::vector<std::string> errors;
  // Keys are stored under the table's spelling, as Settings::read stores them.
  auto put = [&](std::string_view key, std::string value, std::string_view column) {
    const KeyDef* def = find_key(key);
    if (!def) {
      std::string hint(closest_key(key));
      errors.push_back(s.file_ + ": " + std::string(column) + ": '" + std::string(key) +
                       "' is not a settings key" +
                       (hint.empty() ? "" : " (did you mean " + hint + "?)"));
      return;
    }
    // The table's spelling, numbered alternates keeping their number (as Settings::read).
    std::string name(def->same_as.empty() ? def->name : def->same_as);
    if (key.size() > def->name.size()) name += key.substr(def->name.size());
    s.own[name] = Setting{std::move(value), s.file_, 0, std::string(column)};
  };
  auto put_text = [&](std::string_view key, const std::string& value, std::string_view column) {
    if (!value.empty()) put(key, value, column);
  };

  const bool acceptor = row.role == "acceptor";
  put("ConnectionType", row.role, "role");
  for (const TextColumn& c : kTextColumns) put_text(c.key, row.*c.member, c.column);
  for (const FlagColumn& c : kFlagColumns) put(c.key, yn(row.*c.member), c.column);
  if (acceptor) {
    put_text("SocketAcceptAddress", row.host, "host");
    put("SocketAcceptPort", std::to_string(row.port), "port");
  } else {
    put_text("SocketConnectHost", row.host, "host");
    put("SocketConnectPort", std::to_string(row.port), "port");
    if (row.port == 0) errors.push_back(s.file_ + ": port: an initiator needs a port (1..65535)");
    auto alternates = endpoints(row.alternate_hosts);
    if (!alternates) {
      errors.push_back(s.file_ + ": " + alternates.error());
    } else {
      for (size_t i = 0; i < alternates->size(); ++i) {
        const std::string n = std::to_string(i + 1);
        put("SocketConnectHost" + n, (*alternates)[i].first, "alternate_hosts");
        put("SocketConnectPort" + n, (*alternates)[i].second, "alternate_hosts");
      }
    }
  }
  put("HeartBtInt", std::to_string(row.heartbeat_interval), "heartbeat_interval");
  if (row.tls) {
    put("SocketUseSSL", "Y", "tls");
    put_text("CertificationAuthoritiesFile", row.tls_ca_file, "tls_ca_file");
    put_text(acceptor ? "ServerCertificateFile" : "ClientCertificateFile", row.tls_certificate_file,
             "tls_certificate_file");
    put_text(acceptor ? "ServerCertificateKeyFile" : "ClientCertificateKeyFile",
             row.tls_private_key_file, "tls_private_key_file");
  }
  if (!row.store.empty()) {
    const std::string& st = row.store;
    const size_t colon = st.find(':');
    const std::string kind = st.substr(0, colon);
    const std::string rest = colon == std::string::npos ? "" : st.substr(colon + 1);
    if (kind == "memory") {
      put("StoreType", "memory", "store");
    } else if (kind == "file" || kind == "sqlite") {
      put("StoreType", kind, "store");
      put_text("FileStorePath", rest, "store");
    } else if (kind == "postgresql" || kind == "postgres") {
      put("StoreType", "postgres", "store");
      put("PostgresConnection", rest.rfind("//", 0) == 0 ? st : rest, "store");
    } else {
      errors.push_back(s.file_ + ": store: '" + st +
                       "' is not memory, file:DIR, sqlite:DIR or postgresql:CONNINFO");
    }
  }

  if (!row.extra.empty()) {
    nlohmann::json extra = nlohmann::json::parse(row.extra, nullptr, false);
    if (extra.is_discarded() || !extra.is_object()) {
      errors.push_back(s.file_ + ": extra: not a JSON object of settings keys and values");
    } else {
      for (const auto& [key, value] : extra.items()) {
        std::string text;
        if (value.is_string()) {
          text = value.get<std::string>();
        } else if (value.is_boolean()) {
          text = yn(value.get<bool>());
        } else if (value.is_number()) {
          text = value.dump();
        } else {
          errors.push_back(s.file_ + ": extra: " + key + ": not a string, number or boolean");
          continue;
        }
        const KeyDef* def = find_key(key);
        if (def && def->scope == Scope::kEngine) {
          errors.push_back(s.file_ + ": extra: " + key + ": engine-wide, set it in [DEFAULT]");
          continue;
        }
        put(key, std::move(text), "extra." + key);
      }
    }
  }
  // A database's sessions back off exponentially with jitter unless the row or the file says
  // otherwise (a settings file's ReconnectInterval alone is QuickFIX's fixed interval).
  if (!s.has("ReconnectInterval") && !s.has("ReconnectMaxInterval")) {
    const engine::ReconnectPolicy backoff;
    put("ReconnectInterval",
        std::to_string(std::max<int64_t>(
            1, std::chrono::duration_cast<std::chrono::seconds>(backoff.initial).count())),
        "(default)");
    put("ReconnectMaxInterval",
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(backoff.max).count()),
        "(default)");
  }
  if (!errors.empty()) return Status::error(join_lines(errors));
  return s;
}

}  // namespace fixgate::gateway
