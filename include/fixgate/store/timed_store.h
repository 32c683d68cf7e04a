// TimedStore: a session::Store that forwards every call to another store, shared, and times each
// commit into a LatencyHistogram (the gateway's fixgate_store_commit_seconds). The gateway keeps
// an LP's store open across the LP's sessions, so the engine gets this instead of the store.
// A timed commit costs two clock reads and two relaxed atomic adds; no lock, no allocation
// (bench/e2e's "(metrics)" row measures it against the same run without).
#pragma once

#include <chrono>
#include <memory>
#include <utility>

#include "fixgate/base/latency_histogram.h"
#include "fixgate/session/store.h"

namespace fixgate::store {

class TimedStore final : public session::Store {
 public:
  // `commits` is shared so that it outlives whichever of the engine and its reader ends last.
  TimedStore(std::shared_ptr<session::Store> store, std::shared_ptr<LatencyHistogram> commits)
      : s_(std::move(store)), commits_(std::move(commits)) {}

  session::SeqNum next_sender_seq() const override { return s_->next_sender_seq(); }
  session::SeqNum next_target_seq() const override { return s_->next_target_seq(); }
  session::Duration creation_time() const override { return s_->creation_time(); }
  Status commit(const session::StoreBatch& batch) override {
    const auto started = std::chrono::steady_clock::now();
    Status s = s_->commit(batch);
    commits_->observe(std::chrono::steady_clock::now() - started);
    return s;
  }
  Status read(session::SeqNum begin, session::SeqNum end,
              const std::function<void(session::SeqNum, std::string_view)>& visit) const override {
    return s_->read(begin, end, visit);
  }
  Status reset(session::Duration now_utc) override { return s_->reset(now_utc); }
  Status refresh() override { return s_->refresh(); }
  std::optional<session::Duration> flush_deadline() const override { return s_->flush_deadline(); }
  Status flush() override { return s_->flush(); }
  const LatencyHistogram* sync_latency() const override { return s_->sync_latency(); }

 private:
  std::shared_ptr<session::Store> s_;
  std::shared_ptr<LatencyHistogram> commits_;
};

}  // namespace fixgate::store
