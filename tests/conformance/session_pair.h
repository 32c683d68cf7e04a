// SessionPair: an initiator and an acceptor session, each with its MemoryStore, joined by
// in-memory pipes on one virtual clock. Hooks drop, duplicate or corrupt the frames one side
// writes, and the connection can be cut at any point. Nothing sleeps: drive() moves bytes until
// both sides are quiet and jumps the clock to the next deadline while a side is still busy.
//
// Each side plays a simple application that sends NewOrderSingles with a unique ClOrdID and
// records every message it receives, so tests can check that the other side saw each message
// exactly once, in order.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"
#include "fixgate/session/memory_store.h"
#include "fixgate/session/session.h"
#include "session_harness.h"

namespace fixgate::session::testing {

// One frame as a session wrote it (before any fault).
struct WireFrame {
  uint64_t seq = 0;
  std::string type;
  bool poss_dup = false;
  std::string clordid;  // application messages
};

// One application message as a session delivered it.
struct Delivered {
  uint64_t seq = 0;
  bool poss_dup = false;
  std::string clordid;
};

// An application message a side sent: the number it got and its ClOrdID.
struct SentApp {
  uint64_t seq = 0;
  std::string clordid;
};

enum class Fault : uint8_t { kNone, kDrop, kDuplicate, kCorrupt };

struct Endpoint {
  Endpoint(std::string name, SessionConfig config)
      : name(std::move(name)), session(std::move(config), store) {}

  std::string name;
  MemoryStore store;
  Session session;
  std::vector<WireFrame> written;   // everything this side wrote, in order
  std::vector<SentApp> sent;        // application messages accepted by send()
  std::vector<Delivered> received;  // application messages delivered to this side
  std::vector<SessionEvent> events;
  std::vector<Fault> faults;   // applied to this side's next frames, in order
  std::string closing_reason;  // set when the session asked to disconnect
  bool wants_close = false;
  uint64_t max_target_seen = 0;
};

inline SessionConfig pair_config(Role role) {
  SessionConfig c;
  c.id.begin_string = "FIX.4.4";
  c.id.sender_comp_id = role == Role::kInitiator ? "BUY" : "SELL";
  c.id.target_comp_id = role == Role::kInitiator ? "SELL" : "BUY";
  c.role = role;
  c.heartbeat_interval = std::chrono::seconds(30);
  return c;
}

class SessionPair {
 public:
  SessionPair(SessionConfig initiator = pair_config(Role::kInitiator),
              SessionConfig acceptor = pair_config(Role::kAcceptor))
      : init_("initiator", std::move(initiator)), acc_("acceptor", std::move(acceptor)) {
    now.mono = std::chrono::seconds(1000);
    now.utc = kStartUtc;
  }

  Endpoint& initiator() { return init_; }
  Endpoint& acceptor() { return acc_; }
  Endpoint& other(const Endpoint& e) { return &e == &init_ ? acc_ : init_; }
  bool connected() const { return connected_; }
  uint64_t connections() const { return connections_; }

  // A new connection: the acceptor is ready, then the initiator sends its Logon.
  void connect() {
    if (connected_) return;
    connected_ = true;
    ++connections_;
    init_.wants_close = acc_.wants_close = false;
    acc_.session.on_connected(now);
    pump(acc_);
    init_.session.on_connected(now);
    pump(init_);
  }

  // The network drops the connection: bytes not yet delivered are lost, both sides are told.
  void disconnect() {
    if (!connected_) return;
    connected_ = false;
    collect(init_);
    collect(acc_);
    init_.session.on_disconnected(now);
    pump(init_);
    acc_.session.on_disconnected(now);
    pump(acc_);
    init_.wants_close = acc_.wants_close = false;
  }

  // Sends an application message from `from`; records it when the session took it.
  Status send(Endpoint& from, const std::string& clordid) {
    const uint64_t seq = from.session.next_sender_seq().value;
    std::string body = "11=" + clordid +
                       "\x01"
                       "55=IBM\x01"
                       "54=1\x01";
    Status s = from.session.send("D", body, now);
    if (s.is_ok()) from.sent.push_back({seq, clordid});
    pump(from);
    return s;
  }

  // Calls into one session directly (logout, request_resend …), then collects its events.
  void call(Endpoint& e, const std::function<void(Session&)>& fn) {
    fn(e.session);
    pump(e);
  }

  // Moves bytes both ways until nothing moves; closes the connection when a side asks to.
  // The clock does not move.
  void settle() {
    for (int guard = 0; guard < 100000; ++guard) {
      bool moved = false;
      pump(init_);
      pump(acc_);
      if (connected_) {
        moved |= transfer(init_, acc_);
        moved |= transfer(acc_, init_);
        if (init_.wants_close || acc_.wants_close) {
          // The side that asked has written what it had (a Logout); the peer read it above.
          disconnect();
          moved = true;
        }
      }
      if (!moved) return;
    }
    ADD_FAILURE() << "settle() did not converge";
  }

  // settle(), then while a side is still busy (logging in or out, filling a gap), jump the
  // clock to the next deadline. Stops when both are idle (Active or Disconnected) or after
  // `limit` of virtual time.
  void drive(Duration limit = std::chrono::minutes(10)) {
    const Duration end = now.mono + limit;
    for (;;) {
      settle();
      if (idle()) return;
      auto next = next_deadline();
      if (!next || *next > end) return;
      jump_to(*next);
    }
  }

  // Lets `d` of virtual time pass, firing every deadline on the way in order, with the
  // network delivering in between.
  void run_for(Duration d) {
    const Duration end = now.mono + d;
    settle();
    for (;;) {
      auto next = next_deadline();
      if (!next || *next > end) break;
      jump_to(*next);
      settle();
    }
    advance_clock(end - now.mono);
  }

  // The clock jumps by `d` at once (a suspended machine, a stalled process): timers that fell
  // due meanwhile fire late, all at the new time.
  void jump(Duration d) {
    advance_clock(d);
    fire_due();
    settle();
  }

  bool idle() const { return side_idle(init_) && side_idle(acc_); }

  Now now;

 private:
  static bool side_idle(const Endpoint& e) {
    SessionStatus s = e.session.status();
    return e.session.pending_output().empty() &&
           (s == SessionStatus::kActive || s == SessionStatus::kDisconnected);
  }

  std::optional<Duration> next_deadline() const {
    auto a = init_.session.poll_timeout(), b = acc_.session.poll_timeout();
    if (!a) return b;
    if (!b) return a;
    return std::min(*a, *b);
  }

  void advance_clock(Duration d) {
    if (d <= Duration(0)) return;
    now.mono += d;
    now.utc += d;
  }

  void jump_to(Duration deadline) {
    advance_clock(deadline - now.mono);
    fire_due();
  }

  void fire_due() {
    for (Endpoint* e : {&init_, &acc_}) {
      auto d = e->session.poll_timeout();
      if (d && *d <= now.mono) {
        e->session.on_timeout(now);
        pump(*e);
      }
    }
  }

  // Drains a session's events into its endpoint: the application handles each message at once.
  void pump(Endpoint& e) {
    while (auto ev = e.session.poll_event()) {
      if (ev->type == SessionEvent::Type::kAppMessage) {
        codec::Message m;
        std::string clordid;
        if (m.parse(ev->bytes).ok()) clordid = std::string(m.get(tag::ClOrdID).value_or(""));
        e.received.push_back({ev->seq.value, ev->poss_dup, std::move(clordid)});
        e.session.handled(ev->seq, now);
      }
      if (ev->type == SessionEvent::Type::kDisconnect) {
        e.wants_close = true;
        e.closing_reason = ev->text;
      }
      e.events.push_back(std::move(*ev));
    }
    e.max_target_seen = std::max(e.max_target_seen, e.session.next_target_seq().value);
  }

  // Takes what `from` wrote, records each frame, and returns the bytes after faults.
  std::string collect(Endpoint& from) {
    std::string_view out = from.session.pending_output();
    std::string wire;
    size_t pos = 0;
    while (pos < out.size()) {
      codec::Frame f = codec::next_frame(out.substr(pos));
      if (f.status != codec::FrameStatus::kMessage) {
        ADD_FAILURE() << from.name << " wrote a bad frame";
        break;
      }
      codec::Message m;
      WireFrame w;
      if (m.parse(f.bytes).ok()) {
        w.seq = m.seq_num().value_or(0);
        w.type = std::string(m.msg_type());
        w.poss_dup = m.poss_dup();
        w.clordid = std::string(m.get(tag::ClOrdID).value_or(""));
      }
      from.written.push_back(w);
      apply_fault(from, f.bytes, wire);
      pos += f.consumed();
    }
    from.session.consume_output(out.size());
    return wire;
  }

  void apply_fault(Endpoint& from, std::string_view frame, std::string& wire) {
    Fault fault = Fault::kNone;
    if (!from.faults.empty()) {
      fault = from.faults.front();
      from.faults.erase(from.faults.begin());
    }
    switch (fault) {
      case Fault::kNone:
        wire.append(frame);
        break;
      case Fault::kDrop:
        break;
      case Fault::kDuplicate:
        wire.append(frame).append(frame);
        break;
      case Fault::kCorrupt: {
        std::string bad(frame);
        size_t at = corrupt_at_ % bad.size();
        corrupt_at_ = corrupt_at_ * 6364136223846793005ull + 1442695040888963407ull;
        bad[at] = static_cast<char>(bad[at] ^ 0x20);
        wire.append(bad);
        break;
      }
    }
  }

  bool transfer(Endpoint& from, Endpoint& to) {
    if (from.session.pending_output().empty()) return false;
    std::string wire = collect(from);
    if (!wire.empty()) {
      if (split_reads_) {
        // Deliver in two reads split at a varying point, as a socket might.
        size_t cut = split_at_++ % wire.size();
        to.session.on_bytes(std::string_view(wire).substr(0, cut), now);
        pump(to);
        to.session.on_bytes(std::string_view(wire).substr(cut), now);
      } else {
        to.session.on_bytes(wire, now);
      }
      pump(to);
    }
    return true;
  }

 public:
  bool split_reads_ = false;

 private:
  Endpoint init_;
  Endpoint acc_;
  bool connected_ = false;
  uint64_t connections_ = 0;
  uint64_t corrupt_at_ = 12345;
  size_t split_at_ = 7;
};

// ---- invariants --------------------------------------------------------------------------------
// Incremental: each checker remembers how far it has looked, so the simulator can check after
// every step in time proportional to what is new.

// `to` saw what `from` sent, exactly once and in order. Deliveries are deduplicated by sequence
// number: a repeated number must be flagged PossDup and carry the same ClOrdID; numbers never go
// backwards. What is left must be a prefix of what `from` sent, or all of it when `complete`.
class DeliveryCheck {
 public:
  ::testing::AssertionResult operator()(const Endpoint& from, const Endpoint& to, bool complete) {
    for (; seen_ < to.received.size(); ++seen_) {
      const Delivered& d = to.received[seen_];
      if (!got_.empty() && d.seq <= got_.back().seq) {
        auto it = std::lower_bound(got_.begin(), got_.end(), d.seq,
                                   [](const Delivered& x, uint64_t seq) { return x.seq < seq; });
        if (it == got_.end() || it->seq != d.seq)
          return ::testing::AssertionFailure()
                 << to.name << " delivered seq " << d.seq << " after " << got_.back().seq;
        if (!d.poss_dup)
          return ::testing::AssertionFailure()
                 << to.name << " delivered seq " << d.seq << " twice, the second without PossDup";
        if (it->clordid != d.clordid)
          return ::testing::AssertionFailure() << to.name << " seq " << d.seq << " changed content";
        continue;
      }
      const size_t i = got_.size();
      if (i >= from.sent.size())
        return ::testing::AssertionFailure()
               << to.name << " delivered seq " << d.seq << " " << d.clordid << ", more than the "
               << from.sent.size() << " messages " << from.name << " sent";
      if (d.seq != from.sent[i].seq || d.clordid != from.sent[i].clordid)
        return ::testing::AssertionFailure()
               << to.name << " delivery #" << i << " is seq " << d.seq << " " << d.clordid << ", "
               << from.name << " sent seq " << from.sent[i].seq << " " << from.sent[i].clordid;
      got_.push_back(d);
    }
    if (complete && got_.size() != from.sent.size())
      return ::testing::AssertionFailure()
             << to.name << " delivered " << got_.size() << " of the " << from.sent.size()
             << " messages " << from.name << " sent; first missing: seq "
             << from.sent[got_.size()].seq << " " << from.sent[got_.size()].clordid;
    return ::testing::AssertionSuccess();
  }

 private:
  size_t seen_ = 0;
  std::vector<Delivered> got_;  // deduplicated, in sequence order
};

// `e` never reused or skipped a sequence number: every first transmission (not PossDup) has the
// number after the previous one, and every PossDup resend repeats an earlier message with the
// same content. (SequenceReset-Reset and sequence resets are outside what this checks.)
class NumberingCheck {
 public:
  ::testing::AssertionResult operator()(const Endpoint& e) {
    for (; seen_ < e.written.size(); ++seen_) {
      const WireFrame& w = e.written[seen_];
      if (w.poss_dup) {
        if (w.seq > last_)
          return ::testing::AssertionFailure()
                 << e.name << " resent seq " << w.seq << " it never sent (last " << last_ << ")";
        if (w.type == "D") {
          auto it = originals_.find(w.seq);
          if (it == originals_.end() || it->second != w.clordid)
            return ::testing::AssertionFailure()
                   << e.name << " resent seq " << w.seq << " with different content";
        }
        continue;
      }
      if (w.seq != last_ + 1)
        return ::testing::AssertionFailure()
               << e.name << " wrote seq " << w.seq << " (" << w.type << ") after " << last_;
      last_ = w.seq;
      if (w.type == "D") originals_[w.seq] = w.clordid;
    }
    return ::testing::AssertionSuccess();
  }

 private:
  size_t seen_ = 0;
  uint64_t last_ = 0;
  std::map<uint64_t, std::string> originals_;  // seq -> ClOrdID of application messages
};

inline ::testing::AssertionResult delivered_in_order(const Endpoint& from, const Endpoint& to,
                                                     bool complete) {
  return DeliveryCheck()(from, to, complete);
}

inline ::testing::AssertionResult numbers_never_reused_or_skipped(const Endpoint& e) {
  return NumberingCheck()(e);
}

}  // namespace fixgate::session::testing
