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
    Stored entry{m.seq.value, data_.size(), m.bytes.size()};
    data_.append(m.bytes);
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
    visit(SeqNum(it->seq), std::string_view(data_).substr(it->offset, it->length));
  return Status::ok();
}

Status MemoryStore::reset(Duration now_utc) {
  index_.clear();
  data_.clear();
  next_sender_ = SeqNum(1);
  next_target_ = SeqNum(1);
  creation_time_ = now_utc;
  return Status::ok();
}

}  // namespace fixgate::session
