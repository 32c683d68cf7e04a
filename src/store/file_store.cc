#include "fixgate/store/file_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

#include "background_sync.h"
#include "posix_io.h"
#include "segment_format.h"

namespace fixgate::store {

namespace fs = std::filesystem;
using detail::Fd;
using session::Duration;
using session::SeqNum;

namespace {

// Segment files of one generation, by number.
using Generation = std::map<uint32_t, std::string>;

// "seg-<generation>-<segment>.log", both zero-padded decimals.
bool parse_segment_name(const std::string& name, uint64_t& gen, uint32_t& seg) {
  unsigned long long g = 0;
  unsigned s = 0;
  int used = 0;
  if (std::sscanf(name.c_str(), "seg-%llu-%u.log%n", &g, &s, &used) != 2) return false;
  if (static_cast<size_t>(used) != name.size() || s == 0) return false;
  gen = g;
  seg = s;
  return true;
}

Status corruption(const std::string& path, uint64_t offset, const std::string& what) {
  return Status::error("file store: corruption in " + path + " at offset " +
                       std::to_string(offset) + ": " + what);
}

Duration system_now() {
  return std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch());
}

}  // namespace

struct FileStore::Loaded {
  std::vector<uint64_t> sizes;
  std::vector<IndexEntry> index;
  SeqNum next_sender{1};
  SeqNum next_target{1};
  Duration creation_time{0};
};

Result<FsyncPolicy> parse_fsync_policy(std::string_view text) {
  if (text == "always") return FsyncPolicy::kAlways;
  if (text == "batch") return FsyncPolicy::kBatch;
  if (text == "never") return FsyncPolicy::kNever;
  return Status::error("fsync policy '" + std::string(text) + "': expected always, batch or never");
}

std::string_view to_string(FsyncPolicy policy) {
  switch (policy) {
    case FsyncPolicy::kAlways:
      return "always";
    case FsyncPolicy::kBatch:
      return "batch";
    case FsyncPolicy::kNever:
      return "never";
  }
  return "?";
}

FileStore::FileStore(std::string dir, FileStoreOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {
  if (options_.fsync == FsyncPolicy::kBatch)
    background_ = std::make_shared<detail::BackgroundSync>(sync_latency_);
}

FileStore::~FileStore() {
  if (options_.fsync != FsyncPolicy::kNever && broken_.empty()) (void)flush();
  close_live();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Result<std::unique_ptr<FileStore>> FileStore::open(std::string dir, FileStoreOptions options) {
  std::unique_ptr<FileStore> store(new FileStore(std::move(dir), std::move(options)));
  const std::string& d = store->dir_;
  std::error_code ec;
  if (fs::create_directories(d, ec)) {
    fs::path parent = fs::absolute(d).parent_path();
    if (Status s = detail::sync_directory(parent.string()); !s) return s;
  } else if (ec) {
    return Status::error("file store: cannot create directory " + d + ": " + ec.message());
  }
  std::string lock = d + "/LOCK";
  store->lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (store->lock_fd_ < 0) return detail::io_error("open", lock, errno);
  if (::flock(store->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      return Status::error("file store: " + d + " is in use by another FileStore (" + lock + ")");
    return detail::io_error("flock", lock, errno);
  }
  if (Status s = store->load(); !s) return s;
  return store;
}

std::string FileStore::segment_path(uint64_t generation, uint32_t segment) const {
  char name[64];
  std::snprintf(name, sizeof name, "/seg-%08" PRIu64 "-%08" PRIu32 ".log", generation, segment);
  return dir_ + name;
}

Duration FileStore::now_mono() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch());
}

void FileStore::index_put(const IndexEntry& e) {
  if (index_.empty() || index_.back().seq < e.seq) {
    index_.push_back(e);
    return;
  }
  auto it = std::lower_bound(index_.begin(), index_.end(), e.seq,
                             [](const IndexEntry& a, uint64_t s) { return a.seq < s; });
  if (it != index_.end() && it->seq == e.seq)
    *it = e;  // a later commit of the same sequence number wins, as in MemoryStore
  else
    index_.insert(it, e);
}

FileStoreStats FileStore::stats() const {
  FileStoreStats s = stats_;
  if (background_) s.data_syncs += background_->syncs();
  s.segments = sizes_.size();
  s.bytes = 0;
  for (uint64_t n : sizes_) s.bytes += n;
  return s;
}

Status FileStore::fail(Status s) {
  broken_ = s.message();
  return s;
}

// ---- open and recovery ---------------------------------------------------------------------

namespace {

// The segment files in `dir`, by generation.
Result<std::map<uint64_t, Generation>> list_segments(const std::string& dir) {
  std::map<uint64_t, Generation> gens;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    uint64_t g = 0;
    uint32_t s = 0;
    if (parse_segment_name(entry.path().filename().string(), g, s))
      gens[g][s] = entry.path().string();
  }
  if (ec) return Status::error("file store: cannot list " + dir + ": " + ec.message());
  return gens;
}

// Whether the file starts with an intact segment header (reads only that much).
Result<bool> has_header(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return detail::io_error("open", path, errno);
  std::string head(detail::kHeaderRecordBytes, '\0');
  ssize_t n = ::pread(fd.get(), head.data(), head.size(), 0);
  if (n < 0) return detail::io_error("read", path, errno);
  head.resize(static_cast<size_t>(n));
  detail::SegmentScan scan = detail::scan_segment(head);
  return !scan.records.empty() && scan.records[0].type == detail::RecordType::kHeader &&
         detail::decode_header(scan.records[0].payload).has_value();
}

}  // namespace

// The live generation is the newest whose first segment has an intact header. A newer one
// without it is a reset (or the creation) that crashed before its header was synced: it is
// discarded, and the generation before it stays live. 0 when there is none.
Result<uint64_t> FileStore::pick_live(const SegmentFiles& gens) {
  uint64_t newest = gens.empty() ? 0 : gens.rbegin()->first;
  for (auto it = gens.rbegin(); it != gens.rend(); ++it) {
    const auto& [gen, segs] = *it;
    auto first = segs.find(1);
    Result<bool> intact = first == segs.end() ? Result<bool>(false) : has_header(first->second);
    if (!intact) return intact.status();
    if (*intact) return gen;
    if (segs.size() > 1 || gen != newest) {
      std::string path = first == segs.end() ? segment_path(gen, 1) : first->second;
      return corruption(path, 0, "no intact segment header, yet the generation has data");
    }
    recovery_note_ += "discarded unfinished generation " + std::to_string(gen) + "; ";
  }
  return uint64_t{0};
}

Status FileStore::load() {
  close_live();
  recovery_note_.clear();
  Result<std::map<uint64_t, Generation>> gens = list_segments(dir_);
  if (!gens) return gens.status();
  Result<uint64_t> live = pick_live(*gens);
  if (!live) return live.status();

  bool removed = false;
  std::error_code ec;
  for (const auto& [gen, segs] : *gens) {
    if (gen == *live) continue;  // older ones: a reset that finished; newer: one that did not
    for (const auto& [num, path] : segs) removed |= fs::remove(path, ec);
  }
  if (removed) {
    ++stats_.directory_syncs;
    if (Status s = detail::sync_directory(dir_); !s) return s;
  }
  if (*live == 0) {
    Duration created = options_.creation_time ? *options_.creation_time : system_now();
    return create_generation(gens->empty() ? 1 : gens->rbegin()->first + 1, created);
  }

  Loaded loaded;
  const Generation& segs = (*gens)[*live];
  uint32_t count = segs.rbegin()->first;
  for (uint32_t n = 1; n <= count; ++n) {
    auto it = segs.find(n);
    if (it == segs.end()) return corruption(segment_path(*live, n), 0, "segment file is missing");
    if (Status s = load_segment(*live, n, it->second, n == count, loaded); !s) return s;
  }
  generation_ = *live;
  adopt(std::move(loaded));
  return open_live();
}

Status FileStore::load_segment(uint64_t gen, uint32_t num, const std::string& path, bool last,
                               Loaded& loaded) {
  Result<std::string> data = detail::read_file(path);
  if (!data) return data.status();
  detail::SegmentScan scan = detail::scan_segment(*data);
  std::optional<detail::SegmentHeader> header;
  if (!scan.records.empty() && scan.records[0].type == detail::RecordType::kHeader)
    header = detail::decode_header(scan.records[0].payload);
  if (!header && last && num > 1 && !scan.later_synced) {
    // A rotation that crashed before its first append finished: nothing in it was committed.
    std::error_code ec;
    fs::remove(path, ec);
    if (ec) return Status::error("file store: cannot remove " + path + ": " + ec.message());
    recovery_note_ += "removed torn segment " + path + "; ";
    return Status::ok();
  }
  if (!header) return corruption(path, 0, "no intact segment header");
  if (header->generation != gen || header->segment != num)
    return corruption(path, 0,
                      "header names generation " + std::to_string(header->generation) +
                          " segment " + std::to_string(header->segment));
  if (num == 1) loaded.creation_time = Duration(header->creation_time_ns);

  for (size_t i = 1; i < scan.records.size(); ++i) {
    const auto& rec = scan.records[i];
    auto commit =
        rec.type == detail::RecordType::kCommit ? detail::decode_commit(rec.payload) : std::nullopt;
    if (!commit) return corruption(path, rec.offset, "malformed record behind an intact checksum");
    for (const auto& m : commit->messages)
      loaded.index.push_back({m.seq, num, m.length, rec.offset + m.offset});
    if (commit->next_sender) loaded.next_sender = SeqNum(*commit->next_sender);
    if (commit->next_target) loaded.next_target = SeqNum(*commit->next_target);
  }

  if (!scan.damage.empty()) {
    std::string what = scan.damage + " (" + std::to_string(data->size() - scan.valid_end) +
                       " bytes to the end of the file)";
    if (!last) return corruption(path, scan.valid_end, what + "; not the last segment");
    if (scan.later_synced)
      return corruption(path, scan.valid_end,
                        what + "; records written after it was synced follow: not a torn tail");
    // A torn tail: the last append of a crashed writer (or, without fsync, the unsynced end).
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) return detail::io_error("open", path, errno);
    if (::ftruncate(fd.get(), static_cast<off_t>(scan.valid_end)) != 0)
      return detail::io_error("truncate", path, errno);
    if (Status s = detail::sync_data(fd.get(), path); !s) return s;
    recovery_note_ += "truncated torn tail of " + path + " at offset " +
                      std::to_string(scan.valid_end) + ": " + what + "; ";
  }
  loaded.sizes.push_back(scan.valid_end);
  return Status::ok();
}

void FileStore::adopt(Loaded&& loaded) {
  sizes_ = std::move(loaded.sizes);
  segment_ = static_cast<uint32_t>(sizes_.size());
  segment_size_ = sizes_.back();
  index_.clear();
  for (const auto& e : loaded.index) index_put(e);
  next_sender_ = loaded.next_sender;
  next_target_ = loaded.next_target;
  creation_time_ = loaded.creation_time;
}

// Opens the live segment for appends and, unless the policy is kNever, syncs what open() found
// so that the next record may honestly claim it synced.
Status FileStore::open_live() {
  live_path_ = segment_path(generation_, segment_);
  fd_ = ::open(live_path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) return detail::io_error("open", live_path_, errno);
  struct stat st;
  if (::fstat(fd_, &st) != 0) return detail::io_error("stat", live_path_, errno);
  allocated_ = static_cast<uint64_t>(st.st_size);
  if (Status s = map_live(); !s) return s;
  dirty_ = options_.fsync == FsyncPolicy::kNever;
  if (!dirty_) {
    if (Status s = detail::sync_data(fd_, live_path_); !s) return s;
  }
  last_sync_ = now_mono();
  broken_.clear();
  return Status::ok();
}

Status FileStore::create_generation(uint64_t generation, Duration creation_time) {
  std::string path = segment_path(generation, 1);
  std::string header = detail::encode_header({generation, 1, creation_time.count()});
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644));
  if (!fd.valid()) return detail::io_error("create", path, errno);
  size_t written = 0;
  Status s = detail::write_all(fd.get(), header, path, options_.faults, &written);
  // Synced in every fsync mode: once this header is durable the old generation is dead.
  if (s) s = detail::sync_data(fd.get(), path);
  if (s) s = detail::sync_directory(dir_);
  if (!s) {
    std::error_code ec;
    fs::remove(path, ec);  // a torn header is discarded on open anyway
    return s;
  }
  ++stats_.data_syncs;
  ++stats_.directory_syncs;
  fd.reset();

  uint64_t old = generation_;
  generation_ = generation;
  Loaded fresh;
  fresh.sizes = {header.size()};
  fresh.creation_time = creation_time;
  close_live();
  adopt(std::move(fresh));
  if (Status o = open_live(); !o) return fail(o);
  // The old generation is unreachable now; removing it is tidying, retried by the next open.
  std::error_code ec;
  bool removed = false;
  for (uint32_t n = 1; old != 0; ++n) {
    if (!fs::remove(segment_path(old, n), ec)) break;
    removed = true;
  }
  if (removed && detail::sync_directory(dir_)) ++stats_.directory_syncs;
  return Status::ok();
}

}  // namespace fixgate::store

// ---- commits ---------------------------------------------------------------------------------

namespace fixgate::store {

Status FileStore::commit(const session::StoreBatch& batch) {
  if (!broken_.empty())
    return Status::error("file store " + dir_ + ": unusable after an earlier error, reopen it (" +
                         broken_ + ")");
  // A background sync that failed leaves the outcome of the commits before it unknown.
  if (background_)
    if (Status e = background_->error(); !e) return fail(e);
  const uint64_t synced_to = synced_end();  // one look at the background sync per commit
  if (synced_to == segment_size_) dirty_ = false;
  if (!detail::encode_commit(batch, synced_to, record_, offsets_)) return Status::ok();
  if (record_.size() - detail::kRecordOverhead > detail::kMaxRecordPayload)
    return Status::error("file store " + dir_ + ": commit of " + std::to_string(record_.size()) +
                         " bytes exceeds the record limit");
  bool rotate = segment_size_ > detail::kHeaderRecordBytes &&
                segment_size_ + record_.size() > options_.segment_bytes;
  // In a new segment nothing is synced yet, not even its header: claim nothing.
  if (rotate) detail::encode_commit(batch, 0, record_, offsets_);
  uint64_t at = 0;
  if (Status s = append(rotate, at); !s) return s;

  dirty_ = true;
  Status synced = Status::ok();
  if (options_.fsync == FsyncPolicy::kAlways) {
    synced = flush();
  } else if (background_) {
    const Duration now = now_mono();
    last_write_ = now;
    // Asked of the sync thread, not waited for; while one is still running the next commit asks.
    if (now - last_sync_ >= options_.batch_interval) {
      int injected = 0;
      if (options_.faults) std::swap(injected, options_.faults->background_sync_error);
      if (background_->request(fd_, live_path_, {generation_, segment_, segment_size_}, injected))
        last_sync_ = now;
    }
  }
  // A failed sync leaves the outcome unknown until reopened (see flush): report the commit as
  // failed and keep the state from before it.
  if (!synced) return synced;

  size_t i = 0;
  for (const auto& m : batch.sent)
    if (!m.bytes.empty())
      index_put({m.seq.value, segment_, static_cast<uint32_t>(m.bytes.size()), at + offsets_[i++]});
  if (batch.next_sender) next_sender_ = *batch.next_sender;
  if (batch.next_target) next_target_ = *batch.next_target;
  ++stats_.commits;
  return Status::ok();
}

// Appends record_ as one write: to the live segment, or to a new one that starts with its
// header. `at` receives the record's offset. On failure the files are as before the call.
Status FileStore::append(bool rotate, uint64_t& at) {
  size_t written = 0;
  if (!rotate) {
    auto not_stored = [&](const Status& s) {
      return Status::error(s.message() + " (offset " + std::to_string(segment_size_) +
                           "; the commit was not stored)");
    };
    // A full disk shows here, when the file is extended: before a byte of the record is copied.
    if (Status s = reserve(segment_size_ + record_.size()); !s) return not_stored(s);
    char* to = map_ + segment_size_;
    if (FileFaults* f = options_.faults; f && f->fail_after_bytes) {
      // Injected: a partial copy, then the error; the copied part is zeroed again (a torn
      // record must not stay where the next one goes).
      const size_t part = std::min(record_.size(), *f->fail_after_bytes);
      std::memcpy(to, record_.data(), part);
      std::memset(to, 0, part);
      const int err = f->error ? f->error : EIO;
      f->fail_after_bytes.reset();
      return not_stored(detail::io_error("write", live_path_, err));
    }
    std::memcpy(to, record_.data(), record_.size());
    at = segment_size_;
    segment_size_ += record_.size();
    sizes_.back() = segment_size_;
    return Status::ok();
  }
  // The finished segment must be durable before a newer one can exist, or an OS crash could
  // leave a hole in the middle of the history (kNever accepts that risk).
  if (options_.fsync != FsyncPolicy::kNever && dirty_) {
    if (Status s = flush(); !s) return s;
  }
  uint32_t next = segment_ + 1;
  std::string path = segment_path(generation_, next);
  std::string data = detail::encode_header({generation_, next, creation_time_.count()});
  at = data.size();
  data += record_;
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return detail::io_error("create", path, errno);
  if (Status s = detail::write_all(fd.get(), data, path, options_.faults, &written); !s) {
    std::error_code ec;
    fs::remove(path, ec);
    return Status::error(s.message() + " (new segment; the commit was not stored)");
  }
  // The finished segment gives back what it allocated ahead (its zeros would read as the end
  // anyway); failing that only wastes the space.
  (void)::ftruncate(fd_, static_cast<off_t>(segment_size_));
  close_live();
  fd_ = fd.release();
  live_path_ = path;
  segment_ = next;
  segment_size_ = data.size();
  sizes_.push_back(segment_size_);
  dir_dirty_ = true;
  allocated_ = data.size();
  if (Status s = map_live(); !s) return fail(s);
  return Status::ok();
}

namespace {

// The live segment's allocation step: 256 KiB (or a small segment's size, in tests). Small
// enough that a thousand idle sessions hold 256 MB ahead, large enough that at 60 MB/s of
// commits the file is extended a few hundred times a second.
uint64_t allocation_chunk(uint64_t segment_bytes) {
  const uint64_t page = 4096;
  return std::clamp<uint64_t>((segment_bytes + page - 1) / page * page, page, 256 << 10);
}

}  // namespace

Status FileStore::map_live(uint64_t at_least) {
  // Room for a whole segment (and more when one record is bigger), so that the mapping moves
  // only for such a record. Mapping past the end of the file costs address space, not memory.
  const uint64_t page = 4096;
  const uint64_t want = std::max({options_.segment_bytes, allocated_, segment_size_, at_least});
  map_len_ = (want + allocation_chunk(options_.segment_bytes) + page - 1) / page * page;
  void* m = ::mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (m == MAP_FAILED) {
    map_ = nullptr;
    map_len_ = 0;
    return detail::io_error("mmap", live_path_, errno);
  }
  map_ = static_cast<char*>(m);
  return Status::ok();
}

void FileStore::close_live() {
  if (map_) ::munmap(map_, map_len_);
  map_ = nullptr;
  map_len_ = 0;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status FileStore::reserve(uint64_t end) {
  if (end <= allocated_ && end <= map_len_) return Status::ok();
  if (end > map_len_) {  // a record bigger than a segment: map more
    ::munmap(map_, map_len_);
    map_ = nullptr;
    if (Status s = map_live(end); !s) return fail(s);
  }
  if (end > allocated_) {
    const uint64_t chunk = allocation_chunk(options_.segment_bytes);
    const uint64_t grown = std::min((end + chunk - 1) / chunk * chunk, map_len_);
    // Real blocks, not a hole: a full disk fails here, cleanly, instead of as a SIGBUS when a
    // later copy touches a page the filesystem cannot back.
    if (int err = ::posix_fallocate(fd_, static_cast<off_t>(allocated_),
                                    static_cast<off_t>(grown - allocated_));
        err != 0)
      return detail::io_error("allocate", live_path_, err);
    allocated_ = grown;
  }
  return Status::ok();
}

uint64_t FileStore::synced_end() const {
  if (!dirty_) return segment_size_;
  if (!background_) return 0;
  // Under steady load a background sync rarely ends exactly where the next record starts, but
  // what it did cover is still worth claiming: damage there is then reported, not truncated.
  const std::optional<detail::SyncPoint> done = background_->completed();
  return done && done->generation == generation_ && done->segment == segment_ ? done->end : 0;
}

bool FileStore::synced_by_background() const { return dirty_ && synced_end() == segment_size_; }

void FileStore::wait_for_background_sync() {
  if (background_) background_->wait();
}

Status FileStore::flush() {
  if (!broken_.empty()) return Status::error("file store " + dir_ + ": " + broken_);
  if (background_) {
    background_->wait();
    if (Status e = background_->error(); !e) return fail(e);
    if (synced_by_background()) dirty_ = false;
  }
  if (dirty_) {
    // After a failed fsync the kernel may have dropped the dirty pages: nothing is certain
    // any more, so the store refuses further commits until reopened.
    const auto started = std::chrono::steady_clock::now();
    if (Status s = detail::sync_data(fd_, live_path_); !s) return fail(s);
    sync_latency_->observe(std::chrono::steady_clock::now() - started);
    ++stats_.data_syncs;
    dirty_ = false;
  }
  if (dir_dirty_) {
    if (Status s = detail::sync_directory(dir_); !s) return fail(s);
    ++stats_.directory_syncs;
    dir_dirty_ = false;
  }
  last_sync_ = now_mono();
  return Status::ok();
}

std::optional<Duration> FileStore::flush_deadline() const {
  if (options_.fsync != FsyncPolicy::kBatch) return std::nullopt;
  if ((!dirty_ || synced_by_background()) && !dir_dirty_) return std::nullopt;
  // An interval after the last commit: while commits flow, their background syncs keep the
  // window bounded, and the caller's flush() only comes once traffic stops.
  return std::max(last_sync_, last_write_) +
         std::chrono::duration_cast<Duration>(options_.batch_interval);
}

Status FileStore::read(SeqNum begin, SeqNum end,
                       const std::function<void(SeqNum, std::string_view)>& visit) const {
  auto it = std::lower_bound(index_.begin(), index_.end(), begin.value,
                             [](const IndexEntry& a, uint64_t s) { return a.seq < s; });
  Fd fd;
  uint32_t open_segment = 0;
  std::string path, buf;
  for (; it != index_.end() && it->seq <= end.value; ++it) {
    if (it->segment != open_segment) {
      path = segment_path(generation_, it->segment);
      fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd.valid()) return detail::io_error("open", path, errno);
      open_segment = it->segment;
    }
    buf.resize(it->length);
    if (Status s = detail::pread_all(fd.get(), buf.data(), it->length, it->offset, path); !s)
      return s;
    visit(SeqNum(it->seq), buf);
  }
  return Status::ok();
}

Status FileStore::reset(Duration now_utc) {
  if (!broken_.empty()) return Status::error("file store " + dir_ + ": " + broken_);
  return create_generation(generation_ + 1, now_utc);
}

Status FileStore::refresh() {
  close_live();
  dirty_ = dir_dirty_ = false;
  Status s = load();
  if (!s) broken_ = s.message();
  return s;
}

}  // namespace fixgate::store
