#include "fixgate/session/memory_store.h"

namespace fixgate::session {

Status MemoryStore::commit(const StoreBatch& batch) {
  if (fail_next_commit) {
    fail_next_commit = false;
    return Status::error("memory store: commit failed (injected)");
  }
  for (const auto& m : batch.sent)
    if (!m.bytes.empty()) messages_[m.seq.value] = m.bytes;
  if (batch.next_sender) next_sender_ = *batch.next_sender;
  if (batch.next_target) next_target_ = *batch.next_target;
  ++commits;
  return Status::ok();
}

Status MemoryStore::read(SeqNum begin, SeqNum end,
                         const std::function<void(SeqNum, std::string_view)>& visit) const {
  for (auto it = messages_.lower_bound(begin.value);
       it != messages_.end() && it->first <= end.value; ++it)
    visit(SeqNum(it->first), it->second);
  return Status::ok();
}

Status MemoryStore::reset(Duration now_utc) {
  messages_.clear();
  next_sender_ = SeqNum(1);
  next_target_ = SeqNum(1);
  creation_time_ = now_utc;
  return Status::ok();
}

}  // namespace fixgate::session
