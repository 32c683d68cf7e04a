#include "fixgate/session/memory_store.h"

#include <algorithm>

namespace fixgate::session {

Status MemoryStore::commit(const StoreBatch& batch) {
  if (fail_next_commit) {
    fail_next_commit = false;
    return Status::error("memory store: commit failed (injected)");
  }
  for (const auto& m : batch.sent) {
    if (m.bytes.empty()) continue;
    if (chunks_.empty() || chunks_.back().capacity() - chunks_.back().size() < m.bytes.size()) {
      // Chunks double from 4 KiB to 1 MiB: an idle session stays small, a busy one allocates
      // rarely. A bigger message gets a chunk of its own size.
      constexpr size_t kFirst = 4096, kMax = 1 << 20;
      const size_t grown = chunks_.empty() ? kFirst : std::min(kMax, 2 * chunks_.back().capacity());
      chunks_.emplace_back().reserve(std::max(grown, m.bytes.size()));
    }
    std::string& chunk = chunks_.back();
    Stored entry{m.seq.value, chunks_.size() - 1, chunk.size(), m.bytes.size()};
    chunk.append(m.bytes);
    if (count_ == 0 || entry.seq > this->entry(count_ - 1).seq) {
      insert(count_, entry);
      continue;
    }
    // Sent again under a number already stored (a rewrite after a rollback): the new bytes win.
    const size_t at = lower_bound(entry.seq);
    if (at < count_ && this->entry(at).seq == entry.seq) {
      this->entry(at) = entry;
    } else {
      insert(at, entry);
    }
  }
  if (batch.next_sender) next_sender_ = *batch.next_sender;
  if (batch.next_target) next_target_ = *batch.next_target;
  ++commits;
  return Status::ok();
}

Status MemoryStore::read(SeqNum begin, SeqNum end,
                         const std::function<void(SeqNum, std::string_view)>& visit) const {
  for (size_t i = lower_bound(begin.value); i < count_ && entry(i).seq <= end.value; ++i) {
    const Stored& s = entry(i);
    visit(SeqNum(s.seq), std::string_view(chunks_[s.chunk]).substr(s.offset, s.length));
  }
  return Status::ok();
}

size_t MemoryStore::lower_bound(uint64_t seq) const {
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (entry(mid).seq < seq) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

void MemoryStore::insert(size_t at, const Stored& s) {
  if (count_ == pages_.size() * kPage) pages_.push_back(std::make_unique<Stored[]>(kPage));
  for (size_t i = count_; i > at; --i) entry(i) = entry(i - 1);  // a rewrite only: rare
  entry(at) = s;
  ++count_;
}

Status MemoryStore::reset(Duration now_utc) {
  pages_.clear();
  count_ = 0;
  chunks_.clear();
  next_sender_ = SeqNum(1);
  next_target_ = SeqNum(1);
  creation_time_ = now_utc;
  return Status::ok();
}

}  // namespace fixgate::session
