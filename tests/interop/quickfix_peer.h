// The tests' side of quickfix_peer (quickfix_peer.cc): the FIX versions both engines run, a
// QuickFIX peer process driven by commands whose event lines a test awaits, and the matching
// fixgate session configuration.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "../support/process.h"
#include "../support/text_log.h"
#include "fixgate/codec/message.h"
#include "fixgate/dict/dictionary.h"
#include "fixgate/engine/engine.h"

namespace fixgate::testing {

struct FixVersion {
  std::string_view name;              // for test names: FIX40 … FIXT11
  std::string_view begin_string;      // FIX.4.0 … FIXT.1.1
  std::string_view dict;              // its dictionary in FIXGATE_DICT_DIR (FIXT.1.1: transport)
  std::string_view app_dict = {};     // FIXT.1.1: the application dictionary
  std::string_view appl_ver_id = {};  // FIXT.1.1: DefaultApplVerID (9 = FIX.5.0SP2)
  bool fixt() const { return !app_dict.empty(); }
};

// For gtest's messages about a parameterised test.
inline void PrintTo(const FixVersion& v, std::ostream* os) { *os << v.begin_string; }

inline constexpr FixVersion kFix40{"FIX40", "FIX.4.0", "FIX40.xml"};
inline constexpr FixVersion kFix41{"FIX41", "FIX.4.1", "FIX41.xml"};
inline constexpr FixVersion kFix42{"FIX42", "FIX.4.2", "FIX42.xml"};
inline constexpr FixVersion kFix43{"FIX43", "FIX.4.3", "FIX43.xml"};
inline constexpr FixVersion kFix44{"FIX44", "FIX.4.4", "FIX44.xml"};
inline constexpr FixVersion kFixt11{"FIXT11", "FIXT.1.1", "FIXT11.xml", "FIX50SP2.xml", "9"};
inline constexpr FixVersion kAllVersions[] = {kFix40, kFix41, kFix42, kFix43, kFix44, kFixt11};

inline std::string dict_path(std::string_view file) {
  return std::string(FIXGATE_DICT_DIR) + "/" + std::string(file);
}

// A dictionary loaded once per test program (FIX 5.0 SP2's takes a while to parse).
inline dict::Dictionary::Ptr dictionary(std::string_view file) {
  static std::mutex mu;
  static std::map<std::string, dict::Dictionary::Ptr, std::less<>> loaded;
  std::lock_guard lock(mu);
  auto found = loaded.find(file);
  if (found != loaded.end()) return found->second;
  auto d = dict::Dictionary::load_file(dict_path(file));
  EXPECT_TRUE(d) << file << ": " << d.error();
  return loaded.emplace(std::string(file), d ? *d : nullptr).first->second;
}

// fixgate's side of a session with a QuickFIX peer: CompIDs FG (us) and QF, `version`'s
// dictionaries validating every message. An initiator connects to `port` and reconnects only
// when the test starts it again.
inline engine::SessionOptions fixgate_config(const FixVersion& v, session::Role role,
                                            uint16_t port = 0, std::string_view target = "QF") {
  engine::SessionOptions c;
  c.session.id = {std::string(v.begin_string), "FG", std::string(target)};
  c.session.role = role;
  c.session.data_dictionary = dictionary(v.dict);
  if (v.fixt()) {
    c.session.app_dictionary = dictionary(v.app_dict);
    c.session.default_appl_ver_id = std::string(v.appl_ver_id);
  }
  if (role == session::Role::kInitiator) {
    c.connect = {{"127.0.0.1", port}};
    c.reconnect.initial = std::chrono::minutes(1);
  } else {
    c.accept = {"127.0.0.1", 0};
  }
  return c;
}

// The ClOrdID of a message fixgate received ("" when it has none or does not parse).
inline std::string clordid_of(std::string_view bytes) {
  codec::Message m;
  if (!m.parse(bytes).ok()) return "";
  return std::string(m.get(tag::ClOrdID).value_or(""));
}

// fixgate's session events as lines in the peer's manner: "STATUS Active", "DISCONNECT <why>",
// and "IN 35=A 34=1 141=Y 58=<text>" for each admin message received.
inline std::function<void(const session::SessionEvent&)> event_lines(TextLog& log) {
  return [&log](const session::SessionEvent& e) {
    using Type = session::SessionEvent::Type;
    if (e.type == Type::kStatus) log.add("STATUS " + std::string(session::to_string(e.status)));
    if (e.type == Type::kDisconnect) log.add("DISCONNECT " + e.text);
    if (e.type != Type::kAdminMessage) return;
    codec::Message m;
    if (!m.parse(e.bytes).ok()) return;
    std::string line = "IN 35=" + std::string(m.msg_type()) +
                       " 34=" + std::string(m.get(tag::MsgSeqNum).value_or(""));
    if (auto reset = m.get(tag::ResetSeqNumFlag)) line += " 141=" + std::string(*reset);
    if (auto text = m.get(tag::Text)) line += " 58=" + std::string(*text);
    log.add(line);
  };
}

struct PeerOptions {
  bool acceptor = true;
  FixVersion version = kFix44;
  uint16_t port = 0;  // an initiator's counterparty
  std::string sender = "QF", target = "FG";
  bool reset_on_logon = false;
  bool echo = false;
  std::string trace = "all";  // none | admin | all
  bool manual_logon = false;  // an initiator logs on only when told `logon`
};

// The value of TAG in an event line ("IN 35=A 34=1 141=Y"), or "" when absent. Text (58) is
// last and runs to the end of the line.
inline std::string field(std::string_view line, std::string_view tag) {
  const std::string key = " " + std::string(tag) + "=";
  auto at = line.find(key);
  if (at == std::string_view::npos) return "";
  at += key.size();
  auto end = tag == "58" ? std::string_view::npos : line.find(' ', at);
  return std::string(line.substr(at, end == std::string_view::npos ? end : end - at));
}

class QuickFixPeer {
 public:
  explicit QuickFixPeer(const PeerOptions& o) : dir_("qf-peer"), child_(arguments(o, dir_.path)) {
    std::string ready = await([](std::string_view l) { return l.starts_with("READY"); });
    EXPECT_FALSE(ready.empty()) << "quickfix_peer did not start: " << history();
    if (o.acceptor && ready.size() > 6) port_ = static_cast<uint16_t>(std::stoi(ready.substr(6)));
  }
  ~QuickFixPeer() {
    if (!finished_) finish();
  }
  QuickFixPeer(const QuickFixPeer&) = delete;
  QuickFixPeer& operator=(const QuickFixPeer&) = delete;

  uint16_t port() const { return port_; }
  void send(std::string_view command) { child_.write_line(command); }

  // The next event line `match` accepts, or "" after `timeout`; every line read is kept.
  std::string await(const std::function<bool(std::string_view)>& match,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "";
      std::string line = child_.read_line(left);
      if (line.empty()) continue;
      lines_.push_back(line);
      if (match(line)) return line;
    }
  }
  // The next line that starts with `prefix`.
  std::string await(std::string_view prefix,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return await([prefix](std::string_view l) { return l.starts_with(prefix); }, timeout);
  }
  // The peer's (next sender, next target) sequence numbers.
  std::pair<uint64_t, uint64_t> seq() {
    send("seq");
    std::string line = await("SEQ ");
    EXPECT_FALSE(line.empty()) << history();
    uint64_t sender = 0, target = 0;
    std::sscanf(line.c_str(), "SEQ %lu %lu", &sender, &target);
    return {sender, target};
  }
  // Every line read so far, from `from` on.
  std::vector<std::string> lines(size_t from = 0) const {
    return {lines_.begin() + static_cast<std::ptrdiff_t>(std::min(from, lines_.size())),
            lines_.end()};
  }
  size_t mark() const { return lines_.size(); }
  // The lines read so far, for a failure message.
  std::string history(size_t from = 0) const {
    std::string out;
    for (const auto& l : lines(from)) out += "\n  " + l;
    return out;
  }
  // Tells the peer to quit; its exit code (0: every `orders` echo came back right).
  int finish() {
    finished_ = true;
    send("quit");
    child_.close_stdin();
    return child_.wait(std::chrono::seconds(10));
  }

 private:
  static std::vector<std::string> arguments(const PeerOptions& o, const std::string& dir) {
    const FixVersion& v = o.version;
    std::vector<std::string> a = {FIXGATE_QUICKFIX_PEER,
                                  std::string("role=") + (o.acceptor ? "acceptor" : "initiator"),
                                  "dir=" + dir,
                                  "port=" + std::to_string(o.port),
                                  "begin=" + std::string(v.begin_string),
                                  "sender=" + o.sender,
                                  "target=" + o.target,
                                  std::string("reset_on_logon=") + (o.reset_on_logon ? "Y" : "N"),
                                  std::string("echo=") + (o.echo ? "Y" : "N"),
                                  "trace=" + o.trace,
                                  std::string("logon=") + (o.manual_logon ? "manual" : "auto")};
    if (v.fixt()) {
      a.push_back("transport_dict=" + dict_path(v.dict));
      a.push_back("app_dict=" + dict_path(v.app_dict));
      a.push_back("appl_ver_id=" + std::string(v.appl_ver_id));
    } else {
      a.push_back("dict=" + dict_path(v.dict));
    }
    return a;
  }

  TempDir dir_;
  Child child_;
  uint16_t port_ = 0;
  std::vector<std::string> lines_;
  bool finished_ = false;
};

}  // namespace fixgate::testing
