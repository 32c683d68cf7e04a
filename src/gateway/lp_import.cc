// Settings file <-> LP rows. Export writes what lp_settings() makes of a row; import is its
// inverse, column by column, with what no column holds kept in `extra`.
#include "fixgate/gateway/lp_import.h"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

#include "fixgate/gateway/lp_settings.h"
#include "text.h"

namespace fixgate::gateway {
namespace {

using Map = std::map<std::string, const Setting*, std::less<>>;

// A session's keys: its own over [DEFAULT], the [DEFAULT]-only ones left out (they configure
// fixgated, not an LP).
Map effective(const SessionSettings& s) {
  Map m;
  for (const auto* map : {s.defaults.get(), &s.own}) {
    if (!map) continue;
    for (const auto& [key, value] : *map) {
      const KeyDef* def = find_key(key);
      if (def && def->scope == Scope::kEngine) continue;
      m[key] = &value;
    }
  }
  return m;
}

class RowBuilder {
 public:
  explicit RowBuilder(const SessionSettings& s) : keys_(effective(s)) {}

  LpRow build() {
    LpRow r;
    r.role = lower(take("ConnectionType"));
    for (const TextColumn& c : kTextColumns) r.*c.member = take(c.key);
    for (const FlagColumn& c : kFlagColumns) {
      const std::string v = upper(take(c.key));
      r.*c.member = v == "Y" || v == "YES" || v == "TRUE";
    }
    if (has("HeartBtInt")) r.heartbeat_interval = number(take("HeartBtInt"));
    const bool acceptor = r.role == "acceptor";
    r.host = take(acceptor ? "SocketAcceptAddress" : "SocketConnectHost");
    r.port = number(take(acceptor ? "SocketAcceptPort" : "SocketConnectPort"));
    for (int i = 1; has("SocketConnectHost" + std::to_string(i)); ++i) {
      const std::string n = std::to_string(i);
      r.alternate_hosts +=
          (i > 1 ? "," : "") + take("SocketConnectHost" + n) + ":" + take("SocketConnectPort" + n);
    }
    const std::string ssl = upper(take("SocketUseSSL"));
    r.tls = ssl == "Y" || ssl == "YES" || ssl == "TRUE";
    if (r.tls) {
      r.tls_ca_file = take("CertificationAuthoritiesFile");
      r.tls_certificate_file = take(acceptor ? "ServerCertificateFile" : "ClientCertificateFile");
      r.tls_private_key_file =
          take(acceptor ? "ServerCertificateKeyFile" : "ClientCertificateKeyFile");
    }
    std::string type = lower(take("StoreType"));
    const std::string path = take("FileStorePath");
    if (type.empty() && !path.empty()) type = "file";
    if (type == "memory") r.store = "memory";
    if (type == "file" || type == "sqlite") r.store = type + ":" + path;
    if (type == "postgres") r.store = "postgresql:" + take("PostgresConnection");
    take("Provider");
    nlohmann::json extra = nlohmann::json::object();
    for (const auto& [key, setting] : keys_)
      if (!taken_.count(key)) extra[key] = setting->value;
    if (!extra.empty()) r.extra = extra.dump();
    return r;
  }

 private:
  bool has(std::string_view key) const { return keys_.count(key) > 0; }
  std::string take(std::string_view key) {
    auto it = keys_.find(key);
    if (it == keys_.end()) return "";
    taken_.insert(it->first);
    return it->second->value;
  }
  static int64_t number(const std::string& v) {
    try {
      return v.empty() ? 0 : std::stoll(v);
    } catch (const std::exception&) {
      return -1;  // refused by the check that follows, naming the column
    }
  }

  Map keys_;
  std::set<std::string, std::less<>> taken_;
};

}  // namespace

Result<std::vector<LpRow>> rows_from_settings(const Settings& settings) {
  std::vector<LpRow> rows;
  std::vector<std::string> errors;
  std::map<std::string, std::string> providers;  // name -> where its [SESSION] starts
  for (const SessionSettings& s : settings.sessions()) {
    const std::string where = s.section_where();
    if (s.has("AcceptorTemplate") && upper(s.find("AcceptorTemplate")->value) == "Y") {
      errors.push_back(where + ": an acceptor template is not an LP (keep it in the file)");
      continue;
    }
    LpRow r = RowBuilder(s).build();
    r.provider = s.get_string_or("Provider", provider_from(r.target_comp_id));
    if (!valid_provider(r.provider)) {
      errors.push_back(where + ": Provider '" + r.provider +
                       "': only A-Z a-z 0-9 _ - (1 to 64 characters)");
      continue;
    }
    if (auto [it, fresh] = providers.emplace(r.provider, where); !fresh) {
      errors.push_back(where + ": provider " + r.provider + " is also the session's at " +
                       it->second + " (set Provider= to tell them apart)");
      continue;
    }
    auto checked = lp_settings(r, nullptr);
    Result<SessionSetup> setup =
        checked ? to_session_setup(*checked) : Result<SessionSetup>(checked.status());
    if (!setup) {
      errors.push_back(where + ": " + setup.error());
      continue;
    }
    rows.push_back(std::move(r));
  }
  if (!errors.empty()) return Status::error(join_lines(errors));
  return rows;
}

std::string settings_from_rows(const std::vector<LpRow>& rows) {
  std::string out;
  for (const LpRow& r : rows) {
    out += "\n[SESSION]\n";
    if (!r.enabled) out += "# disabled in the sessions table\n";
    out += "Provider=" + r.provider + "\n";
    auto settings = lp_settings(r, nullptr);
    if (!settings) {  // exported as it is; import will say what is wrong
      for (const auto& line : split_lines(settings.error())) out += "# " + line + "\n";
      continue;
    }
    for (const auto& [key, setting] : settings->own)
      if (setting.key != "(default)") out += key + "=" + setting.value + "\n";
  }
  return out;
}

}  // namespace fixgate::gateway
