// FileStore: a Store in a directory of append-only segment files; one commit is one record
// appended with one write(), so a crash leaves either the whole commit or a torn tail that
// open() detects by length and CRC and truncates. Single writer per directory (flock); like
// every Store, an object belongs to one session's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/session/store.h"

namespace fixgate::store {

// When commit() forces the data to stable storage. A process crash (kill -9) never loses a
// returned commit in any mode: write() has put it in the page cache. The modes differ only for
// an operating system crash or power loss:
//  kAlways  every returned commit survives (fdatasync before commit returns; the directory is
//           fsynced too when a commit creates a segment file).
//  kBatch   commit returns after write(); when batch_interval has passed since the last sync it
//           asks for one on a background thread (shared by every store in the process) and goes
//           on without waiting for the disk, and flush() syncs on demand. An OS crash loses at most
//           the commits made since the last sync, always from the end: the store reopens at an
//           earlier commit, never a mix. The caller (the engine's timer) calls flush() to bound
//           that window when traffic stops.
//  kNever   no fsync; the kernel writes back when it likes. An OS crash may lose any amount of
//           recent history (damage in the last segment is then taken for a torn tail), and an
//           earlier segment may come back damaged (open then fails, naming it).
// In every mode reset() syncs the new generation before it deletes the old one, and rotation
// (except in kNever) syncs the finished segment before the next one is created.
enum class FsyncPolicy { kAlways, kBatch, kNever };

// "always" | "batch" | "never" (configuration files).
Result<FsyncPolicy> parse_fsync_policy(std::string_view text);
std::string_view to_string(FsyncPolicy policy);

// Test-only fault injection, in the spirit of leveldb's SpecialEnv: the next segment write
// stops after `fail_after_bytes` bytes and fails with `error` (ENOSPC: a full disk).
struct FileFaults {
  std::optional<size_t> fail_after_bytes;
  int error = 0;
  int background_sync_error = 0;  // kBatch: the next background sync fails with this errno
};

// How a FileStore syncs, rotates, and dates a store it creates.
struct FileStoreOptions {
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  std::chrono::microseconds batch_interval{1000};  // kBatch: sync at most this often
  uint64_t segment_bytes = 64ull << 20;            // rotate to a new segment beyond this size
  // Creation time of a store created by open(); the system clock when unset.
  std::optional<session::Duration> creation_time;
  // Monotonic clock for kBatch (tests pass a fake one); steady_clock when empty.
  std::function<session::Duration()> clock;
  FileFaults* faults = nullptr;
};

// Counters, for tests and metrics.
struct FileStoreStats {
  uint64_t commits = 0;
  uint64_t data_syncs = 0;       // fdatasync of a segment after commits
  uint64_t directory_syncs = 0;  // fsync of the directory after creating or deleting files
  uint64_t segments = 0;         // segment files of the live generation
  uint64_t bytes = 0;            // bytes in those segments
};

namespace detail {
class BackgroundSync;
}

class FileStore final : public session::Store {
 public:
  // Opens (creating when missing) the store in directory `dir`. A torn tail is truncated (see
  // recovery_note()); any other damage is an error naming the file and the offset.
  static Result<std::unique_ptr<FileStore>> open(std::string dir, FileStoreOptions options = {});
  ~FileStore() override;  // flushes per policy (kBatch syncs what is pending)

  FileStore(const FileStore&) = delete;
  FileStore& operator=(const FileStore&) = delete;

  session::SeqNum next_sender_seq() const override { return next_sender_; }
  session::SeqNum next_target_seq() const override { return next_target_; }
  session::Duration creation_time() const override { return creation_time_; }
  Status commit(const session::StoreBatch& batch) override;
  Status read(session::SeqNum begin, session::SeqNum end,
              const std::function<void(session::SeqNum, std::string_view)>& visit) const override;
  // Starts a new generation: its first segment is written and synced (in every fsync mode)
  // before the old generation's files are deleted, so a crash at any point of reset() reopens
  // either the old state (reset did not happen) or the new one, never a resurrection.
  Status reset(session::Duration now_utc) override;
  // Rescans the directory (state as on disk).
  Status refresh() override;

  // Syncs any commit not yet synced (kBatch, kNever); a no-op when nothing is pending.
  Status flush() override;
  // When a kBatch sync is pending: the monotonic time by which flush() should be called, which
  // moves on with every commit (while commits flow, the background syncs keep up).
  std::optional<session::Duration> flush_deadline() const override;
  // kBatch: waits for a background sync in progress to finish (tests; flush() also waits).
  void wait_for_background_sync();

  FileStoreStats stats() const;
  // Every fdatasync of a segment after commits (on the committing thread, or the background
  // sync thread in kBatch), timed.
  const LatencyHistogram* sync_latency() const override { return sync_latency_.get(); }
  // What open() repaired ("truncated torn tail at …"), empty when nothing.
  const std::string& recovery_note() const { return recovery_note_; }
  const std::string& directory() const { return dir_; }

 private:
  struct IndexEntry {
    uint64_t seq;
    uint32_t segment;  // segment number within the generation
    uint32_t length;
    uint64_t offset;  // of the message bytes in the segment file
  };
  struct Loaded;

  FileStore(std::string dir, FileStoreOptions options);
  Status load();
  // Segment paths by generation, then by segment number.
  using SegmentFiles = std::map<uint64_t, std::map<uint32_t, std::string>>;
  Result<uint64_t> pick_live(const SegmentFiles& files);
  Status load_segment(uint64_t generation, uint32_t number, const std::string& path, bool last,
                      Loaded& loaded);
  Status create_generation(uint64_t generation, session::Duration creation_time);
  void adopt(Loaded&& loaded);
  Status open_live();
  Status append(bool rotate, uint64_t& at);
  // Maps fd_ (allocated_ bytes long) with room for a whole segment, and for `at_least` bytes.
  Status map_live(uint64_t at_least = 0);
  void close_live();             // unmaps and closes the live segment
  Status reserve(uint64_t end);  // allocates (and maps) the live segment up to `end`
  Status fail(Status s);
  session::Duration now_mono() const;
  std::string segment_path(uint64_t generation, uint32_t segment) const;
  void index_put(const IndexEntry& e);

  std::string dir_;
  FileStoreOptions options_;
  int lock_fd_ = -1;
  int fd_ = -1;            // the live segment, opened for reading and writing
  std::string live_path_;  // and its path
  // The live segment mapped shared: a commit is a copy into the page cache, with no system call
  // (a kill -9 loses nothing once it is there). The file is allocated ahead in chunks; past the
  // last record it is zeros, which reading takes for the end.
  char* map_ = nullptr;
  uint64_t map_len_ = 0;    // bytes mapped (may run past the end of the file)
  uint64_t allocated_ = 0;  // bytes of the file (allocated; segment_size_ of them in use)
  uint64_t generation_ = 0;
  uint32_t segment_ = 0;           // number of the live segment
  uint64_t segment_size_ = 0;      // bytes in the live segment
  std::vector<uint64_t> sizes_;    // bytes per segment of the live generation (index = number-1)
  std::vector<IndexEntry> index_;  // sorted by seq
  session::SeqNum next_sender_{1};
  session::SeqNum next_target_{1};
  session::Duration creation_time_{0};
  bool dirty_ = false;               // written but not synced
  bool dir_dirty_ = false;           // a segment file created but the directory not synced
  std::string record_;               // the commit being appended (reused)
  std::vector<uint32_t> offsets_;    // of record_'s messages within it
  session::Duration last_sync_{0};   // monotonic: the last sync (or background request)
  session::Duration last_write_{0};  // monotonic: the last commit
  // kBatch: the syncs made off the committing thread; null in the other modes.
  std::shared_ptr<detail::BackgroundSync> background_;
  // How much of the live segment is known synced: what the next record may claim.
  uint64_t synced_end() const;
  bool synced_by_background() const;  // dirty_, but a background sync reached the end since
  std::string broken_;                // set after an error that leaves the files in doubt
  std::string recovery_note_;
  FileStoreStats stats_;
  // Shared with the background sync, which may outlive the store for a moment.
  std::shared_ptr<LatencyHistogram> sync_latency_ = std::make_shared<LatencyHistogram>();
};

}  // namespace fixgate::store
