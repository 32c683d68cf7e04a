// The in-memory Store: nothing survives the process. The reference implementation of the
// interface, and the store the protocol tests run against.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "fixgate/session/store.h"

namespace fixgate::session {

class MemoryStore : public Store {
 public:
  SeqNum next_sender_seq() const override { return next_sender_; }
  SeqNum next_target_seq() const override { return next_target_; }
  Duration creation_time() const override { return creation_time_; }
  Status commit(const StoreBatch& batch) override;
  Status read(SeqNum begin, SeqNum end,
              const std::function<void(SeqNum, std::string_view)>& visit) const override;
  Status reset(Duration now_utc) override;

  // Test hook in the spirit of leveldb's SpecialEnv: the next commit fails.
  bool fail_next_commit = false;
  size_t commits = 0;

 private:
  SeqNum next_sender_{1};
  SeqNum next_target_{1};
  Duration creation_time_{0};
  // Sent messages end to end in chunks, indexed by sequence number (ascending): one allocation
  // per chunk instead of a map node and a string per message. Chunks are never reallocated:
  // one growing buffer copied everything stored at each doubling, a pause of milliseconds in
  // the sending thread once the store held tens of megabytes.
  struct Stored {
    uint64_t seq;
    size_t chunk, offset, length;
  };
  // The index, ascending by seq, in pages that are never reallocated either.
  static constexpr size_t kPage = 1024;
  std::vector<std::unique_ptr<Stored[]>> pages_;
  size_t count_ = 0;
  Stored& entry(size_t i) { return pages_[i / kPage][i % kPage]; }
  const Stored& entry(size_t i) const { return pages_[i / kPage][i % kPage]; }
  size_t lower_bound(uint64_t seq) const;  // the first entry with seq >= `seq`
  void insert(size_t at, const Stored& s);
  std::deque<std::string> chunks_;  // each filled up to its capacity, never beyond
};

}  // namespace fixgate::session
