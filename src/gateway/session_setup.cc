// From the keys of one [SESSION] to a SessionSetup: the keys that set one value are read by the
// key table's readers; here are the keys read together (roles, hosts, reconnects, schedules,
// dictionaries, TLS, stores). Every problem is collected, so one run lists them all.
#include <algorithm>
#include <optional>

#include "fixgate/dict/dictionary.h"
#include "fixgate/engine/time_zone.h"
#include "fixgate/gateway/setting_keys.h"
#include "fixgate/gateway/settings.h"
#include "text.h"

namespace fixgate::gateway {

const SessionSetup& session_defaults() {
  static const SessionSetup baseline = [] {
    SessionSetup s;
    using std::chrono::seconds;
    // QuickFIX's meanings, where a settings file should behave as it does there.
    s.manager.reconnect = {seconds(30), seconds(30), 1.0, 0.0};  // a fixed 30 s interval
    s.manager.accept.host = "0.0.0.0";                           // every address
    s.store.file.fsync = store::FsyncPolicy::kBatch;             // FileStore's throughput
    return s;
  }();
  return baseline;
}

Result<DaemonOptions> to_daemon_options(const Settings& settings) {
  DaemonOptions o;
  std::vector<std::string> errors;
  for (const KeyDef& k : setting_keys()) {
    auto it = settings.defaults().find(k.name);
    if (!k.daemon.read || it == settings.defaults().end()) continue;
    if (Status st = k.daemon.read(it->second, o); !st) errors.push_back(st.message());
  }
  if (!errors.empty()) return Status::error(join_lines(errors));
  return o;
}

namespace {

class Builder {
 public:
  explicit Builder(const SessionSettings& s) : s_(s), out_(session_defaults()) {
    out_.where = s.section_where();
  }

  Result<SessionSetup> build() {
    for (const KeyDef& k : setting_keys())
      if (const Setting* v = k.session.read ? s_.find(k.name) : nullptr)
        check(k.session.read(*v, out_));
    log_rotation();
    identity();
    validation();
    if (role_known()) {  // else the role's own keys are not checked: they would only add noise
      if (config().role == session::Role::kInitiator) {
        initiator();
      } else {
        need("SocketAcceptPort");
      }
    }
    schedule();
    tls();
    store();
    acceptor_template();
    if (!errors_.empty()) return Status::error(join_lines(errors_));
    return std::move(out_);
  }

 private:
  session::SessionConfig& config() { return out_.manager.session; }
  void check(const Status& st) {
    if (!st) errors_.push_back(st.message());
  }
  void error(std::string_view key, const std::string& why) { errors_.push_back(at(key) + why); }
  // "file:line: Key: " of a key that is set, else of the section.
  std::string at(std::string_view key) const {
    const Setting* v = s_.find(key);
    return (v ? v->where() : s_.section_where() + ": " + std::string(key)) + ": ";
  }
  bool need(std::string_view key) {
    if (s_.has(key)) return true;
    errors_.push_back(s_.section_where() + ": [SESSION] needs " + std::string(key));
    return false;
  }
  template <typename T>
  std::optional<T> take(Result<T> r) {
    if (r) return std::move(*r);
    errors_.push_back(r.error());
    return std::nullopt;
  }

  void identity() {
    for (std::string_view key : {"ConnectionType", "BeginString", "SenderCompID", "TargetCompID"})
      need(key);
    if (config().role == session::Role::kInitiator && role_known()) need("HeartBtInt");
  }

  bool role_known() const {
    const Setting* type = s_.find("ConnectionType");
    return type && (upper(type->value) == "INITIATOR" || upper(type->value) == "ACCEPTOR");
  }

  void validation() {
    session::SessionConfig& sc = config();
    // One switch in QuickFIX; the session and the framer each keep a copy.
    sc.validation.validate_length_and_checksum = sc.validate_length_and_checksum;
    if (s_.has("MillisecondsInTimeStamp") && !s_.has("TimeStampPrecision"))
      if (auto ms = take(read_bool(*s_.find("MillisecondsInTimeStamp"))))
        sc.timestamp_precision =
            *ms ? codec::TimePrecision::kMillis : codec::TimePrecision::kSeconds;
    const std::string& begin = sc.id.begin_string;
    if (!out_.use_data_dictionary || begin.empty()) return;
    if (begin == "FIXT.1.1") {
      sc.data_dictionary = s_.has("TransportDataDictionary") ? load("TransportDataDictionary")
                                                             : dict::Dictionary::builtin(begin);
      if (s_.has("AppDataDictionary")) sc.app_dictionary = load("AppDataDictionary");
      if (sc.role == session::Role::kInitiator && sc.default_appl_ver_id.empty())
        errors_.push_back(s_.section_where() + ": a FIXT.1.1 initiator needs DefaultApplVerID");
    } else if (s_.has("DataDictionary")) {
      sc.data_dictionary = load("DataDictionary");
      if (sc.data_dictionary && sc.data_dictionary->begin_string() != begin)
        error("DataDictionary", "dictionary is " + sc.data_dictionary->begin_string() +
                                    " but BeginString is " + begin);
    }
  }

  dict::Dictionary::Ptr load(std::string_view key) {
    auto d = dict::Dictionary::load_file(s_.find(key)->value);
    if (!d) error(key, d.error());
    return d ? *d : nullptr;
  }

  void initiator() {
    engine::SessionOptions& c = out_.manager;
    if (need("SocketConnectHost") && need("SocketConnectPort"))
      if (auto port = take(s_.get_int("SocketConnectPort", 1, 65535)))
        c.connect.push_back({s_.find("SocketConnectHost")->value, static_cast<uint16_t>(*port)});
    for (int i = 1;; ++i) {
      std::string host = "SocketConnectHost" + std::to_string(i);
      std::string port = "SocketConnectPort" + std::to_string(i);
      if (!s_.has(host) && !s_.has(port)) break;
      if (need(host) && need(port))
        if (auto p = take(s_.get_int(port, 1, 65535)))
          c.connect.push_back({s_.find(host)->value, static_cast<uint16_t>(*p)});
    }
    if (s_.has("SocketConnectSourceHost") || s_.has("SocketConnectSourcePort")) {
      engine::Endpoint source{s_.get_string_or("SocketConnectSourceHost", "0.0.0.0"), 0};
      if (s_.has("SocketConnectSourcePort"))
        if (auto p = take(s_.get_int("SocketConnectSourcePort", 0, 65535)))
          source.port = static_cast<uint16_t>(*p);
      c.source = source;
    }
    reconnect();
  }

  // QuickFIX's ReconnectInterval alone is a fixed interval; ReconnectMaxInterval turns it into
  // the first step of an exponential backoff (ReconnectPolicy's multiplier and jitter).
  void reconnect() {
    engine::ReconnectPolicy& r = out_.manager.reconnect;
    if (s_.has("ReconnectInterval"))
      if (auto s = take(s_.get_int("ReconnectInterval", 1, 86400)))
        r.initial = std::chrono::seconds(*s);
    if (!s_.has("ReconnectMaxInterval")) {
      r.max = r.initial;
      for (std::string_view key : {"ReconnectMultiplier", "ReconnectJitter"})
        if (s_.has(key))
          error(key,
                "only with ReconnectMaxInterval (ReconnectInterval alone is a fixed interval)");
      return;
    }
    const engine::ReconnectPolicy backoff;
    if (auto max = take(s_.get_int("ReconnectMaxInterval", 1, 86400))) {
      r.max = std::chrono::seconds(*max);
      if (r.max < r.initial) error("ReconnectMaxInterval", "is below ReconnectInterval");
    }
    r.multiplier = backoff.multiplier;
    r.jitter = backoff.jitter;
    if (s_.has("ReconnectMultiplier"))
      if (auto m = take(s_.get_number("ReconnectMultiplier", 1, 10))) r.multiplier = *m;
    if (s_.has("ReconnectJitter"))
      if (auto j = take(s_.get_number("ReconnectJitter", 0, 1))) r.jitter = *j;
  }

  // StartTime/EndTime (daily), plus StartDay/EndDay (weekly) or Weekdays, in TimeZone (IANA),
  // UseLocalTime=Y (the machine's zone) or UTC. No StartTime/EndTime, or NonStopSession=Y: none.
  void schedule() {
    const bool timed = s_.has("StartTime") || s_.has("EndTime");
    if (out_.non_stop_session || !timed) {
      for (std::string_view key : {"StartDay", "EndDay", "Weekdays"})
        if (s_.has(key))
          error(key, std::string("needs StartTime and EndTime") +
                         (out_.non_stop_session ? " (and no NonStopSession=Y)" : ""));
      return;
    }
    std::chrono::seconds times[2];
    int k = 0;
    for (std::string_view key : {"StartTime", "EndTime"}) {
      if (!need(key)) return;
      auto t = session::parse_time_of_day(s_.find(key)->value);
      if (!t) return error(key, "'" + s_.find(key)->value + "' is not a time HH:MM:SS");
      times[k++] = *t;
    }
    Result<session::TimeZone> zone = session::TimeZone::utc();
    if (s_.has("TimeZone")) {
      if (out_.use_local_time) return error("UseLocalTime", "set together with TimeZone");
      zone = engine::load_time_zone(s_.find("TimeZone")->value);
      if (!zone) return error("TimeZone", zone.error());
    } else if (out_.use_local_time) {
      zone = engine::local_time_zone();
      if (!zone) return error("UseLocalTime", zone.error());
    }
    if (s_.has("StartDay") || s_.has("EndDay")) {
      if (s_.has("Weekdays"))
        return error("Weekdays", "a weekly session (StartDay/EndDay) has no Weekdays");
      auto start_day = day("StartDay");
      auto end_day = day("EndDay");
      if (!start_day || !end_day) return;
      if (auto w = take(session::Schedule::weekly(*start_day, times[0], *end_day, times[1], *zone)))
        config().schedule = std::move(*w);
      return;
    }
    std::vector<int> weekdays;
    if (const Setting* w = s_.find("Weekdays")) {
      for (std::string_view name : comma_list(w->value)) {
        auto d = session::parse_weekday(name);
        if (!d) return error("Weekdays", "'" + std::string(name) + "' is not a day of the week");
        weekdays.push_back(*d);
      }
      if (weekdays.empty()) return error("Weekdays", "names no day");
    }
    if (auto d = take(session::Schedule::daily(times[0], times[1], *zone, std::move(weekdays))))
      config().schedule = std::move(*d);
  }

  std::optional<int> day(std::string_view key) {
    if (!need(key)) return std::nullopt;
    auto d = session::parse_weekday(s_.find(key)->value);
    if (!d) error(key, "'" + s_.find(key)->value + "' is not a day of the week");
    return d;
  }

  // TLS: the QuickFIX/C++ certificate keys, turned on by QuickFIX/J's SocketUseSSL=Y.
  void tls() {
    engine::TlsConfig& t = out_.manager.tls;
    if (!t.enabled) {
      for (std::string_view key : {"ServerCertificateFile", "ClientCertificateFile",
                                   "CertificationAuthoritiesFile", "SSLProtocol"})
        if (s_.has(key))
          error(key,
                "set, but SocketUseSSL is not Y (QuickFIX/C++ turns TLS on in code; "
                "fixgate with SocketUseSSL=Y)");
      return;
    }
    const bool acceptor = config().role == session::Role::kAcceptor;
    const char* cert_key = acceptor ? "ServerCertificateFile" : "ClientCertificateFile";
    const char* key_key = acceptor ? "ServerCertificateKeyFile" : "ClientCertificateKeyFile";
    t.certificate_file = s_.get_string_or(cert_key, "");
    t.private_key_file = s_.get_string_or(key_key, t.certificate_file);
    if (acceptor && t.certificate_file.empty())
      errors_.push_back(s_.section_where() + ": a TLS acceptor needs ServerCertificateFile");
    if (t.verify_peer && t.ca_file.empty())
      errors_.push_back(s_.section_where() +
                        ": verifying TLS peers needs CertificationAuthoritiesFile "
                        "(or CertificateVerifyLevel=0)");
  }

  void store() {
    StoreSetup& st = out_.store;
    const bool chosen = s_.has("StoreType");
    if (!chosen) st.type = st.path.empty() ? "memory" : "file";
    st.where = at(chosen ? "StoreType" : "FileStorePath");
    st.where.resize(st.where.size() - 2);  // without the ": "
    if ((st.type == "file" || st.type == "sqlite") && st.path.empty())
      error("StoreType", st.type + " needs FileStorePath");
    if (st.type == "postgres") {
      if (need("PostgresConnection")) st.where = s_.find("PostgresConnection")->where();
    }
    if (out_.file_store_sync && !s_.has("FsyncPolicy")) st.file.fsync = store::FsyncPolicy::kAlways;
  }

  // LogFileMaxSize and LogFileMaxFiles, [DEFAULT] keys of the daemon (checked, with their
  // errors, by to_daemon_options), rotate every session's message and event logs too: those of
  // the file's sessions, its templates' and the LPs'.
  void log_rotation() {
    DaemonOptions d;
    for (std::string_view key : {"LogFileMaxSize", "LogFileMaxFiles"})
      if (const Setting* v = s_.find(key)) (void)find_key(key)->daemon.read(*v, d);
    out_.manager.log_rotation = {d.log_file_max_size, d.log_file_max_files};
  }

  void acceptor_template() {
    if (!out_.is_template) {
      if (s_.has("AllowedCompIDs")) error("AllowedCompIDs", "only for AcceptorTemplate=Y");
      return;
    }
    if (config().role != session::Role::kAcceptor)
      error("AcceptorTemplate", "a template must be an acceptor");
    if (!s_.has("AllowedCompIDs"))
      error("AcceptorTemplate",
            "a template needs AllowedCompIDs (the CompIDs that may log on, or *)");
  }

  const SessionSettings& s_;
  SessionSetup out_;
  std::vector<std::string> errors_;
};

}  // namespace

Result<SessionSetup> to_session_setup(const SessionSettings& s) { return Builder(s).build(); }

Result<engine::SessionOptions> to_session_options(const SessionSettings& s) {
  auto setup = to_session_setup(s);
  if (!setup) return setup.status();
  return std::move(setup->manager);
}

engine::AcceptorTemplate to_acceptor_template(const SessionSetup& s) {
  engine::AcceptorTemplate t;
  t.config = s.manager;
  t.allowed_comp_ids = s.allowed_comp_ids;
  t.store = [store = s.store](const session::SessionId& id) { return open_store(store, id); };
  return t;
}

}  // namespace fixgate::gateway
