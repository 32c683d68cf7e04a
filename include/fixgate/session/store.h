// The Store interface: what a session needs to survive a crash. Next sender/target sequence
// numbers, creation time, and every sent application message by sequence number.
// Implementations: MemoryStore (session/memory_store.h), file, SQLite, PostgreSQL (store/).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/session/types.h"

namespace fixgate::session {

// One atomic unit of persistence. A session commits, together: the messages it sent (their
// bytes, for resend), its next sender sequence number, and the inbound watermark (the next
// target sequence number after every message up to it has been handled).
struct StoreBatch {
  struct Sent {
    SeqNum seq;
    std::string bytes;  // empty for admin messages: only the sequence number advances
  };
  std::vector<Sent> sent;
  std::optional<SeqNum> next_sender;
  std::optional<SeqNum> next_target;

  bool empty() const { return sent.empty() && !next_sender && !next_target; }
  void clear() {
    sent.clear();
    next_sender.reset();
    next_target.reset();
  }
};

class Store {
 public:
  virtual ~Store() = default;

  // State as of the last successful commit (or reset).
  virtual SeqNum next_sender_seq() const = 0;
  virtual SeqNum next_target_seq() const = 0;
  virtual Duration creation_time() const = 0;  // UTC, nanoseconds since the epoch

  // Applies the whole batch or nothing; durable when it returns ok (per the store's fsync policy).
  virtual Status commit(const StoreBatch& batch) = 0;
  // Calls `visit` for each stored message with begin <= seq <= end, in order. Sequence numbers
  // with no stored message (admin messages, never stored) are simply absent.
  virtual Status read(SeqNum begin, SeqNum end,
                      const std::function<void(SeqNum, std::string_view)>& visit) const = 0;
  // Forgets every message; both sequence numbers back to 1; creation time = `now_utc`.
  virtual Status reset(Duration now_utc) = 0;
  // Reloads state from durable storage (another process may have written it).
  virtual Status refresh() { return Status::ok(); }
  // A store that defers durability (FileStore's batch fsync) says by when, on the monotonic
  // clock, flush() should run if no further commit does it; the engine's timer calls it.
  virtual std::optional<Duration> flush_deadline() const { return std::nullopt; }
  virtual Status flush() { return Status::ok(); }
};

}  // namespace fixgate::session
