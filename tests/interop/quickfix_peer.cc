// A scriptable QuickFIX/C++ 1.15 peer for the interop tests: one session, either role, any
// version, driven by commands on stdin and reporting events on stdout (one line each), so that a
// test awaits what happened instead of sleeping. Built as C++14 with -w: QuickFIX 1.15's headers
// use dynamic exception specifications, which C++17 removed.
//
//   quickfix_peer role=acceptor|initiator dir=DIR [port=N] [begin=FIX.4.4] [dict=FIX44.xml]
//                 [transport_dict=FIXT11.xml app_dict=FIX50SP2.xml appl_ver_id=9]
//                 [sender=QF] [target=FG] [reset_on_logon=N] [echo=N] [trace=none|admin|all]
//                 [logon=auto|manual] [heartbeat=30]
//
// port: an initiator's counterparty; an acceptor's port, 0 (the default) for any free one.
// begin=FIXT.1.1 takes transport_dict, app_dict and appl_ver_id (DefaultApplVerID); every other
// version takes dict. echo=Y sends every application message back. logon=manual: an initiator
// connects only after a `logon` command, and again only after the next one (a test then drives
// each logon cycle itself; QuickFIX would reconnect on its own).
//
// Commands, one a line:
//   order ID            a NewOrderSingle with ClOrdID ID and the version's required fields
//   orders N PREFIX     N orders PREFIX0 … PREFIX<N-1>, whose echoes must come back in order
//   logon               Session::logon(): enable the session (an initiator then connects)
//   logout [TEXT]       Session::logout(TEXT): log out (Logout with TEXT) and disable
//   reset               a Logon with ResetSeqNumFlag=Y through Session::sendToTarget: how a
//                       QuickFIX application resets the sequence numbers during the session
//   seq                 answers SEQ <next sender> <next target>
//   quit                (or the end of stdin) stops and exits: 0 unless an echo was wrong
// Events, one a line:
//   READY [PORT]        started; an acceptor names the port it listens on
//   LOGON, LOGOUT       Application::onLogon, onLogout
//   IN F.., OUT F..     a message QuickFIX read or wrote (trace=admin: admin messages only)
//   APP F..             an application message delivered to fromApp (trace=all)
//   SENT ID SEQ         an `order` taken by Session::sendToTarget, under MsgSeqNum SEQ
//   DONE N, BAD TEXT    an `orders` batch: all N echoes came back in order / one did not
//   SEQ S T, ERROR TEXT
// F.. are the fields that tell messages apart, as TAG=VALUE in a fixed order, Text (58) last.
#include <poll.h>
#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/FileStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketAcceptor.h>
#include <quickfix/SocketInitiator.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

namespace {

void emit(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// The fields that tell messages apart, from a message as it is on the wire.
std::string describe(const std::string& raw) {
  static const char* const kTags[] = {"35", "34", "43", "97", "141", "1137", "1128", "123", "36",
                                      "7",  "16", "45", "11", "55",  "54",   "38",   "40"};
  auto value = [&raw](const std::string& tag) -> std::string {
    const std::string key = "\x01" + tag + "=";
    auto at = raw.find(key);
    if (at == std::string::npos) return "";
    at += key.size();
    return raw.substr(at, raw.find('\x01', at) - at);
  };
  std::string out;
  for (const char* tag : kTags) {
    std::string v = value(tag);
    if (!v.empty()) out += std::string(out.empty() ? "" : " ") + tag + "=" + v;
  }
  std::string text = value("58");
  if (!text.empty()) out += " 58=" + text;
  return out;
}

bool is_admin(const std::string& raw) {
  auto at = raw.find(
      "\x01"
      "35=");
  if (at == std::string::npos) return true;
  const std::string type = raw.substr(at + 4, raw.find('\x01', at + 4) - at - 4);
  return type.size() == 1 && std::string("0A12345").find(type) != std::string::npos;
}

struct Options {
  std::map<std::string, std::string> values;
  std::string get(const std::string& key, const std::string& fallback = "") const {
    auto i = values.find(key);
    return i == values.end() ? fallback : i->second;
  }
  bool yes(const std::string& key) const { return get(key, "N") == "Y"; }
};

enum class Trace { kNone, kAdmin, kAll };

// Reports each message on stdout (per the trace level) and keeps QuickFIX's own file log.
class TraceLog : public FIX::Log {
 public:
  TraceLog(FIX::Log* file, Trace trace, bool* activity)
      : file_(file), trace_(trace), activity_(activity) {}
  void clear() override { file_->clear(); }
  void backup() override { file_->backup(); }
  void onIncoming(const std::string& s) override { message("IN ", s, &FIX::Log::onIncoming); }
  void onOutgoing(const std::string& s) override { message("OUT ", s, &FIX::Log::onOutgoing); }
  void onEvent(const std::string& s) override { file_->onEvent(s); }
  FIX::Log* file() { return file_; }

 private:
  void message(const char* what, const std::string& s, void (FIX::Log::*log)(const std::string&)) {
    (file_->*log)(s);
    *activity_ = true;
    if (trace_ == Trace::kAll || (trace_ == Trace::kAdmin && is_admin(s))) emit(what + describe(s));
  }
  FIX::Log* file_;
  Trace trace_;
  bool* activity_;
};

class TraceLogFactory : public FIX::LogFactory {
 public:
  TraceLogFactory(const FIX::SessionSettings& settings, Trace trace, bool* activity)
      : files_(settings), trace_(trace), activity_(activity) {}
  FIX::Log* create() override { return new TraceLog(files_.create(), Trace::kNone, activity_); }
  FIX::Log* create(const FIX::SessionID& id) override {
    return new TraceLog(files_.create(id), trace_, activity_);
  }
  void destroy(FIX::Log* log) override {
    TraceLog* t = static_cast<TraceLog*>(log);
    files_.destroy(t->file());
    delete t;
  }

 private:
  FIX::FileLogFactory files_;
  Trace trace_;
  bool* activity_;
};

class Peer : public FIX::Application {
 public:
  Peer(const Options& o, const FIX::SessionID& id)
      : id_(id),
        begin_(o.get("begin", "FIX.4.4")),
        echo_(o.yes("echo")),
        manual_(o.get("logon") == "manual"),
        trace_all_(o.get("trace") == "all") {}

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override { emit("LOGON"); }
  void onLogout(const FIX::SessionID&) override {
    emit("LOGOUT");
    // Manual logons: no reconnect until the next `logon` command.
    if (manual_) session()->logout();
  }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&,
                 const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                              FIX::IncorrectTagValue, FIX::RejectLogon) override {}
  void fromApp(const FIX::Message& message,
               const FIX::SessionID& id) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                               FIX::IncorrectTagValue,
                                               FIX::UnsupportedMessageType) override {
    if (trace_all_) emit("APP " + describe(message.toString()));
    if (echo_) {
      FIX::Message reply(message);
      reply.getHeader().removeField(FIX::FIELD::PossDupFlag);
      reply.getHeader().removeField(FIX::FIELD::OrigSendingTime);
      FIX::Session::sendToTarget(reply, id);
      return;
    }
    if (expected_.empty()) return;
    FIX::ClOrdID clordid;
    message.getFieldIfSet(clordid);
    if (clordid.getValue() != expected_.front()) {
      emit("BAD echo " + clordid.getValue() + " where " + expected_.front() + " was expected");
      bad_ = true;
    }
    expected_.pop_front();
    if (expected_.empty()) emit("DONE " + std::to_string(batch_));
  }

  FIX::Session* session() { return FIX::Session::lookupSession(id_); }
  bool bad() const { return bad_; }

  // Runs one command line; false on `quit`.
  bool command(const std::string& line) {
    std::istringstream in(line);
    std::string verb;
    in >> verb;
    FIX::Session* s = session();
    if (verb == "quit") return false;
    if (!s) {
      emit("ERROR no session");
    } else if (verb == "order") {
      std::string id;
      in >> id;
      const bool ok = send_order(id);
      emit(std::string(ok ? "SENT " : "ERROR not sent ") + id + " " +
           std::to_string(s->getExpectedSenderNum() - 1));
    } else if (verb == "orders") {
      int n = 0;
      std::string prefix;
      in >> n >> prefix;
      batch_ = n;
      for (int i = 0; i < n; ++i) expected_.push_back(prefix + std::to_string(i));
      for (int i = 0; i < n; ++i) send_order(prefix + std::to_string(i));
    } else if (verb == "logon") {
      s->logon();
    } else if (verb == "logout") {
      std::string text;
      std::getline(in >> std::ws, text);
      s->logout(text);
    } else if (verb == "reset") {
      FIX::Message logon;
      logon.getHeader().setField(FIX::MsgType("A"));
      logon.setField(FIX::EncryptMethod(0));
      logon.setField(FIX::HeartBtInt(heartbeat_));
      if (begin_ == "FIXT.1.1")
        logon.setField(FIX::DefaultApplVerID(s->getSenderDefaultApplVerID()));
      logon.setField(FIX::ResetSeqNumFlag(true));
      FIX::Session::sendToTarget(logon, id_);
    } else if (verb == "seq") {
      emit("SEQ " + std::to_string(s->getExpectedSenderNum()) + " " +
           std::to_string(s->getExpectedTargetNum()));
    } else {
      emit("ERROR unknown command: " + line);
    }
    return true;
  }
  void set_heartbeat(int seconds) { heartbeat_ = seconds; }

 private:
  // A NewOrderSingle valid in this version's dictionary: FIX 4.0 requires OrderQty, and
  // TransactTime exists only from FIX 4.2 on (required there).
  bool send_order(const std::string& clordid) {
    FIX::Message order;
    order.getHeader().setField(FIX::MsgType("D"));
    order.setField(FIX::ClOrdID(clordid));
    order.setField(FIX::HandlInst('1'));
    order.setField(FIX::Symbol("IBM"));
    order.setField(FIX::Side(FIX::Side_BUY));
    if (begin_ != "FIX.4.0" && begin_ != "FIX.4.1") order.setField(FIX::TransactTime());
    order.setField(FIX::OrderQty(100));
    order.setField(FIX::OrdType(FIX::OrdType_MARKET));
    return FIX::Session::sendToTarget(order, id_);
  }

  FIX::SessionID id_;
  std::string begin_;
  bool echo_, manual_, trace_all_;
  int heartbeat_ = 30;
  std::deque<std::string> expected_;  // echoes of the `orders` batch still to come, in order
  int batch_ = 0;
  bool bad_ = false;
};

std::string settings_text(const Options& o, bool acceptor, int port) {
  const std::string dir = o.get("dir"), begin = o.get("begin", "FIX.4.4");
  std::ostringstream cfg;
  cfg << "[DEFAULT]\nConnectionType=" << o.get("role") << "\nStartTime=00:00:00\n"
      << "EndTime=00:00:00\nFileStorePath=" << dir << "/store\nFileLogPath=" << dir << "/log\n"
      << "UseDataDictionary=Y\nHeartBtInt=" << o.get("heartbeat", "30") << "\n"
      << "ResetOnLogon=" << o.get("reset_on_logon", "N")
      << "\nSocketNodelay=Y\n"
      // Every idle poll may connect: reconnects are the test's (logon=manual) or immediate.
      << "ReconnectInterval=0\n";
  if (begin == "FIXT.1.1")
    cfg << "TransportDataDictionary=" << o.get("transport_dict")
        << "\nAppDataDictionary=" << o.get("app_dict")
        << "\nDefaultApplVerID=" << o.get("appl_ver_id", "9") << "\n";
  else
    cfg << "DataDictionary=" << o.get("dict") << "\n";
  if (acceptor)
    cfg << "SocketAcceptPort=" << port << "\n";
  else
    cfg << "SocketConnectHost=127.0.0.1\nSocketConnectPort=" << port << "\n";
  cfg << "[SESSION]\nBeginString=" << begin << "\nSenderCompID=" << o.get("sender", "QF")
      << "\nTargetCompID=" << o.get("target", "FG") << "\n";
  return cfg.str();
}

// A port nothing listens on now (bound to any address, as QuickFIX binds).
int unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), len);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// QuickFIX and everything it needs, for one port.
struct Engine {
  std::unique_ptr<FIX::SessionSettings> settings;
  std::unique_ptr<FIX::FileStoreFactory> store;
  std::unique_ptr<TraceLogFactory> log;
  std::unique_ptr<FIX::SocketAcceptor> acceptor;
  std::unique_ptr<FIX::SocketInitiator> initiator;

  Engine(const Options& o, bool acceptor_role, int port, Peer& app, Trace trace, bool* activity) {
    std::istringstream in(settings_text(o, acceptor_role, port));
    settings.reset(new FIX::SessionSettings(in));
    store.reset(new FIX::FileStoreFactory(*settings));
    log.reset(new TraceLogFactory(*settings, trace, activity));
    if (acceptor_role)
      acceptor.reset(new FIX::SocketAcceptor(app, *store, *settings, *log));
    else
      initiator.reset(new FIX::SocketInitiator(app, *store, *settings, *log));
  }
  // One round of QuickFIX's socket loop without waiting (the first also binds or connects).
  void poll() {
    if (acceptor)
      acceptor->poll(0.0);
    else
      initiator->poll(0.0);
  }
  void stop() {
    if (acceptor) acceptor->stop(true);
    if (initiator) initiator->stop(true);
  }
};

// Runs commands from the complete lines in `pending`; false once told to quit.
bool run_commands(std::string& pending, Peer& peer) {
  for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
    std::string line = pending.substr(0, nl);
    pending.erase(0, nl + 1);
    if (!line.empty() && !peer.command(line)) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto eq = arg.find('=');
    if (eq == std::string::npos) {
      std::cerr << "quickfix_peer: expected KEY=VALUE, got " << arg << "\n";
      return 2;
    }
    o.values[arg.substr(0, eq)] = arg.substr(eq + 1);
  }
  const bool acceptor = o.get("role") == "acceptor";
  if (!acceptor && o.get("role") != "initiator") {
    std::cerr << "quickfix_peer: role=acceptor or role=initiator\n";
    return 2;
  }
  const std::string trace_name = o.get("trace", "none");
  const Trace trace = trace_name == "all"     ? Trace::kAll
                      : trace_name == "admin" ? Trace::kAdmin
                                              : Trace::kNone;
  const FIX::SessionID id(o.get("begin", "FIX.4.4"), o.get("sender", "QF"), o.get("target", "FG"));
  try {
    Peer peer(o, id);
    peer.set_heartbeat(std::stoi(o.get("heartbeat", "30")));
    bool activity = false;  // QuickFIX read or wrote a message in the last poll
    std::unique_ptr<Engine> engine;
    int port = std::stoi(o.get("port", "0"));
    if (acceptor && port == 0) {
      // QuickFIX's SocketAcceptor binds the port its settings name and cannot say where a
      // port-0 bind landed, so the peer picks a port nothing holds and lets QuickFIX bind it.
      // Someone may take the port in between; then QuickFIX's bind or listen fails (Linux
      // refuses a port another socket listens on or holds without SO_REUSEADDR) and the peer
      // tries another. The port is reported only once QuickFIX listens on it: a test never
      // connects to a port someone else took.
      for (int attempt = 1;; ++attempt) {
        port = unused_port();
        engine.reset(new Engine(o, true, port, peer, trace, &activity));
        try {
          engine->poll();
          break;
        } catch (const FIX::RuntimeError& e) {
          if (attempt == 20) throw;
        }
      }
    } else {
      engine.reset(new Engine(o, acceptor, port, peer, trace, &activity));
      if (!acceptor && o.get("logon") == "manual") peer.session()->logout();
      engine->poll();
    }
    emit(acceptor ? "READY " + std::to_string(port) : std::string("READY"));

    // QuickFIX runs in poll mode on this one thread, between commands: a command never races
    // QuickFIX's own socket thread, and what it starts (a Logout after logout, a connect after
    // logon) happens at the next poll, not at QuickFIX's one-second timer. The wait for stdin is
    // the loop's tick: none while QuickFIX has traffic, 1 ms otherwise.
    std::string pending;
    for (bool running = true; running;) {
      pollfd in{0, POLLIN, 0};
      if (::poll(&in, 1, activity ? 0 : 1) > 0) {
        char buf[4096];
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n <= 0) break;
        pending.append(buf, static_cast<size_t>(n));
        running = run_commands(pending, peer);
      }
      activity = false;
      engine->poll();
    }
    engine->stop();
    return peer.bad() ? 1 : 0;
  } catch (const std::exception& e) {
    emit(std::string("ERROR ") + e.what());
    std::cerr << "quickfix_peer: " << e.what() << std::endl;
    return 1;
  }
}
