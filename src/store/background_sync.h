// fdatasync off the committing thread (internal): a FileStore in kBatch mode asks for its live
// segment to be synced and goes on appending; one process-wide thread runs the syncs, so that
// a thousand sessions cost one thread, not a thousand.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "fixgate/base/latency_histogram.h"
#include "fixgate/base/result.h"

namespace fixgate::store::detail {

// Where a sync of a segment reached: everything before `end` in segment `segment` of
// generation `generation` is durable.
struct SyncPoint {
  uint64_t generation = 0;
  uint32_t segment = 0;
  uint64_t end = 0;
  bool operator==(const SyncPoint&) const = default;
};

// One store's background syncs. Shared with the sync thread, which may still hold it for a
// moment after the store is gone.
class BackgroundSync : public std::enable_shared_from_this<BackgroundSync> {
 public:
  // Each completed sync is timed into `latency`.
  explicit BackgroundSync(std::shared_ptr<LatencyHistogram> latency)
      : latency_(std::move(latency)) {}
  ~BackgroundSync();
  // Starts syncing `fd` (duplicated: the store may close or replace its own) up to `point`.
  // False when a sync is still running: the caller asks again later.
  // `inject_error`: an errno the sync reports instead of syncing (tests, FileFaults).
  bool request(int fd, const std::string& path, SyncPoint point, int inject_error = 0);
  // Waits for a running sync to finish.
  void wait();
  // The last completed sync, and the first failure (which stays: nothing is certain after it).
  std::optional<SyncPoint> completed() const;
  Status error() const;
  uint64_t syncs() const;  // completed

 private:
  friend class SyncThread;
  void run();  // on the sync thread

  mutable std::mutex mu_;
  std::condition_variable done_;
  int fd_ = -1;                                     // our duplicate of the segment being synced
  std::pair<uint64_t, uint32_t> fd_segment_{0, 0};  // its generation and number
  std::string path_;
  bool in_flight_ = false;
  SyncPoint requested_;
  int inject_error_ = 0;
  std::optional<SyncPoint> completed_;
  std::string error_;
  uint64_t syncs_ = 0;
  const std::shared_ptr<LatencyHistogram> latency_;
};

}  // namespace fixgate::store::detail
