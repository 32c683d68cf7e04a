// The Store interface: what a session needs to survive a crash. Next sender/target sequence
// numbers, creation time, and every sent application message by sequence number.
// Implementations: MemoryStore (session/memory_store.h), file, SQLite, PostgreSQL (store/).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/base/latency_histogram.h"
#include "fixgate/base/result.h"
#include "fixgate/session/types.h"

namespace fixgate::session {

// One atomic unit of persistence. A session commits, together: the messages it sent (their
// bytes, for resend), its next sender sequence number, and the inbound watermark (the next
// target sequence number after every message up to it has been handled).
struct StoreBatch {
  struct Sent {
    SeqNum seq;
    std::string_view bytes;  // into the batch's own buffer; empty for admin messages
  };
  std::vector<Sent> sent;
  std::optional<SeqNum> next_sender;
  std::optional<SeqNum> next_target;

  StoreBatch() = default;
  // A copy's views point into its own buffer.
  StoreBatch(const StoreBatch& other) { *this = other; }
  StoreBatch& operator=(const StoreBatch& other) {
    if (this == &other) return *this;
    clear();
    for (const Sent& m : other.sent) add_sent(m.seq, m.bytes);
    next_sender = other.next_sender;
    next_target = other.next_target;
    return *this;
  }

  // Adds sent message `seq`, copying `bytes` into the batch's buffer. The buffer and `sent`
  // keep their capacity across clear(), so a session's steady traffic allocates nothing here.
  void add_sent(SeqNum seq, std::string_view bytes) {
    const char* old = data_.data();
    const size_t at = data_.size();
    data_.append(bytes);
    if (data_.data() != old)  // moved: point the earlier views at the new buffer
      for (Sent& m : sent)
        if (!m.bytes.empty())
          m.bytes = std::string_view(data_.data() + (m.bytes.data() - old), m.bytes.size());
    sent.push_back({seq, bytes.empty() ? std::string_view() : std::string_view(data_).substr(at)});
  }
  bool empty() const { return sent.empty() && !next_sender && !next_target; }
  void clear() {
    sent.clear();
    data_.clear();
    next_sender.reset();
    next_target.reset();
  }

 private:
  std::string data_;
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
  // A store that syncs files itself (FileStore) times each data sync here, whichever thread runs
  // it; nullptr for the others (a database's own syncs are inside its commit). Lives as long as
  // the store; any thread may read it.
  virtual const LatencyHistogram* sync_latency() const { return nullptr; }
};

}  // namespace fixgate::session
