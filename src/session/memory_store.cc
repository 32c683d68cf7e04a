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
    if (index_.empty() || entry.seq > index_.back().seq) {
      index_.push_back(entry);
      continue;
    }
    // Sent again under a number already stored (a rewrite after a rollback): the new bytes win.
    auto at = std::lower_bound(index_.begin(), index_.end(), entry.seq,
                               [](const Stored& s, uint64_t seq) { return s.seq < seq; });
    if (at != index_.end() && at->seq == entry.seq) {
      *at = entry;
    } else {
      index_.insert(at, entry);
    }
  }
  if (batch.next_sender) next_sender_ = *batch.next_sender;
  if (batch.next_target) next_target_ = *batch.next_target;
  ++commits;
  return Status::ok();
}

Status MemoryStore::read(SeqNum begin, SeqNum end,
                         const std::function<void(SeqNum, std::string_view)>& visit) const {
  auto it = std::lower_bound(index_.begin(), index_.end(), begin.value,
                             [](const Stored& s, uint64_t seq) { return s.seq < seq; });
  for (; it != index_.end() && it->seq <= end.value; ++it)
    visit(SeqNum(it->seq), std::string_view(chunks_[it->chunk]).substr(it->offset, it->length));
  return Status::ok();
}

Status MemoryStore::reset(Duration now_utc) {
  index_.clear();
  chunks_.clear();
  next_sender_ = SeqNum(1);
  next_target_ = SeqNum(1);
  creation_time_ = now_utc;
  return Status::ok();
}

}  // namespace fixgate::session
