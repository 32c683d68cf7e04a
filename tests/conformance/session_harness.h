// Test harness for the sans-I/O session: a session under test, a scripted counterparty that
// writes any message it likes (sequence numbers, PossDup, bad fields), and a virtual clock.
// Nothing sleeps: time moves when a test says so.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"
#include "fixgate/dict/dictionary.h"
#include "fixgate/session/memory_store.h"
#include "fixgate/session/session.h"

namespace fixgate::session::testing {

using namespace std::chrono_literals;
using Fields = std::vector<std::pair<Tag, std::string>>;

// 2026-11-22 12:00:00 UTC.
inline constexpr Duration kStartUtc = std::chrono::seconds(1795348800);

// One parsed message the session wrote.
struct Sent {
  std::string bytes;
  std::string type;
  uint64_t seq = 0;
  std::string get(Tag t) const {
    codec::Message m;
    if (!m.parse(bytes).ok()) return "<unparsable>";
    return std::string(m.get(t).value_or(""));
  }
  bool has(Tag t) const {
    codec::Message m;
    return m.parse(bytes).ok() && m.has(t);
  }
};

// How the counterparty bends a message's header.
struct Options {
  bool poss_dup = false;
  std::optional<std::string> orig_sending_time = {};
  std::optional<std::string> sending_time = {};  // default: the clock's now
  std::optional<std::string> begin_string = {};
  std::optional<std::string> sender = {};
  std::optional<std::string> target = {};
  bool omit_seq = false;
  bool poss_resend = false;
  Fields header = {};  // more header fields (OnBehalfOfCompID …), after SendingTime
  // Header fields after MsgType (35) to leave out, or to write with an empty value ("56=").
  std::vector<Tag> omit = {};
  std::vector<Tag> empty = {};
  std::string raw = {};  // written after the body as it is ("-5=X\x01"): fields no Tag can hold
};

// The counterparty's message factory: full control over every header field.
struct Counterparty {
  std::string begin_string = "FIX.4.4";
  std::string sender = "THEM";  // their SenderCompID = our TargetCompID
  std::string target = "US";

  std::string make(std::string_view type, uint64_t seq, const Fields& body, Duration now_utc,
                   const Options& o = Options()) const {
    codec::Encoder e;
    e.begin(o.begin_string.value_or(begin_string), type);
    auto listed = [](const std::vector<Tag>& tags, Tag t) {
      return std::find(tags.begin(), tags.end(), t) != tags.end();
    };
    auto put = [&](Tag t, std::string_view v) {
      if (!listed(o.omit, t)) e.field(t, listed(o.empty, t) ? std::string_view() : v);
    };
    put(tag::SenderCompID, o.sender.value_or(sender));
    put(tag::TargetCompID, o.target.value_or(target));
    const std::string seq_text = std::to_string(seq);
    if (!o.omit_seq) put(tag::MsgSeqNum, seq_text);
    if (o.poss_dup) put(tag::PossDupFlag, "Y");
    std::string st = o.sending_time.value_or(
        codec::UtcTimestamp{now_utc.count(), codec::TimePrecision::kMillis}.to_string());
    put(tag::SendingTime, st);
    if (o.orig_sending_time) put(tag::OrigSendingTime, *o.orig_sending_time);
    if (o.poss_resend) put(tag::PossResend, "Y");
    for (const auto& [t, v] : o.header) put(t, v);
    for (const auto& [t, v] : body) e.field(t, std::string_view(v));
    if (!o.raw.empty()) e.raw(o.raw);
    return std::string(e.finish());
  }
};

// The FIX 4.4 dictionary (QuickFIX format), loaded once.
inline dict::Dictionary::Ptr fix44_dictionary() {
#ifdef FIXGATE_DICT_DIR
  static const dict::Dictionary::Ptr kDict = [] {
    auto d = dict::Dictionary::load_file(std::string(FIXGATE_DICT_DIR) + "/FIX44.xml");
    return d ? *d : dict::Dictionary::Ptr();
  }();
  return kDict;
#else
  return nullptr;
#endif
}

inline SessionConfig default_config(Role role = Role::kAcceptor) {
  SessionConfig c;
  c.id.begin_string = "FIX.4.4";
  c.id.sender_comp_id = "US";
  c.id.target_comp_id = "THEM";
  c.role = role;
  c.heartbeat_interval = 30s;
  return c;
}

class SessionUnderTest {
 public:
  explicit SessionUnderTest(SessionConfig config = default_config(), SessionHooks hooks = {})
      : session(std::move(config), store, std::move(hooks)) {
    now.utc = kStartUtc;
    now.mono = 1000s;
  }

  void connect() {
    session.on_connected(now);
    pump();
  }
  // The counterparty sends `bytes` (one or more messages).
  void receive(std::string_view bytes) {
    session.on_bytes(bytes, now);
    pump();
  }
  void receive(std::string_view type, uint64_t seq, const Fields& body = {},
               const Options& o = Options()) {
    receive(peer.make(type, seq, body, now.utc, o));
  }
  // Logs on as the counterparty (acceptor under test) and forgets the Logon reply.
  void logon(uint64_t seq = 1, Fields extra = {}) {
    connect();
    Fields f{{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}};
    f.insert(f.end(), extra.begin(), extra.end());
    receive("A", seq, f);
  }
  // Initiator under test: connects (our Logon goes out) and receives the counterparty's reply.
  void initiator_logon(uint64_t seq = 1, Fields extra = {}) {
    connect();
    Fields f{{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}};
    f.insert(f.end(), extra.begin(), extra.end());
    receive("A", seq, f);
  }
  // Logged on in the role the config gives, the Logon exchange taken: 2 is next both ways.
  void log_on_either_role() {
    if (session.config().role == Role::kInitiator) {
      initiator_logon();
    } else {
      logon();
    }
    take();
  }
  // The transport dropped (or the counterparty closed) the connection.
  void drop_connection() {
    session.on_disconnected(now);
    pump();
    wire.clear();
  }
  // Moves the clock, firing every timer that falls due on the way, in order.
  void advance(Duration d) {
    Duration target = now.mono + d;
    for (;;) {
      auto next = session.poll_timeout();
      if (!next || *next > target) break;
      Duration step = std::max(*next - now.mono, Duration(0));
      now.mono += step;
      now.utc += step;
      session.on_timeout(now);
      pump();
    }
    Duration rest = target - now.mono;
    now.mono += rest;
    now.utc += rest;
  }
  void pump() {
    std::string_view out = session.pending_output();
    wire.append(out);
    session.consume_output(out.size());
    for (;;) {
      codec::Frame f = codec::next_frame(wire);
      if (f.status != codec::FrameStatus::kMessage) break;
      codec::Message m;
      EXPECT_TRUE(m.parse(f.bytes).ok());
      Sent s{std::string(f.bytes), std::string(m.msg_type()), m.seq_num().value_or(0)};
      sent.push_back(std::move(s));
      wire.erase(0, f.consumed());
    }
    while (auto e = session.poll_event()) {
      if (e->type == SessionEvent::Type::kAppMessage && auto_handle) session.handled(e->seq, now);
      if (e->type == SessionEvent::Type::kDisconnect) disconnected = true;
      events.push_back(std::move(*e));
    }
  }

  // Messages written since the last call.
  std::vector<Sent> take() {
    std::vector<Sent> out;
    out.swap(sent);
    return out;
  }
  std::vector<SessionEvent> app_messages() const {
    std::vector<SessionEvent> out;
    for (const auto& e : events)
      if (e.type == SessionEvent::Type::kAppMessage) out.push_back(e);
    return out;
  }
  bool has_event(SessionEvent::Type t, std::string_view text_part = {}) const {
    for (const auto& e : events)
      if (e.type == t && e.text.find(text_part) != std::string::npos) return true;
    return false;
  }

  MemoryStore store;
  Session session;
  Counterparty peer;
  Now now;
  std::string wire;
  std::vector<Sent> sent;
  std::vector<SessionEvent> events;
  bool disconnected = false;
  bool auto_handle = true;
};

}  // namespace fixgate::session::testing
