// Shared test helpers for the stores: temporary directories, state snapshots, a deterministic
// workload whose position can be read back from a store, and the SIGKILL crash test driver.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "fixgate/base/result.h"
#include "fixgate/session/memory_store.h"
#include "fixgate/session/store.h"

namespace fixgate::store::testing {

using session::Duration;
using session::SeqNum;
using session::Store;
using session::StoreBatch;

inline constexpr Duration kCreated{1'700'000'000'123'456'789};

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Everything a store promises to keep.
struct StoreState {
  uint64_t next_sender = 0;
  uint64_t next_target = 0;
  int64_t creation_time = 0;
  std::map<uint64_t, std::string> messages;
  friend bool operator==(const StoreState&, const StoreState&) = default;
};
void PrintTo(const StoreState& s, std::ostream* os);
StoreState snapshot(const Store& store);

// A batch: (seq, bytes) pairs (empty bytes = admin) and the optional sequence numbers.
StoreBatch make_batch(std::initializer_list<std::pair<uint64_t, std::string>> sent,
                      std::optional<uint64_t> next_sender, std::optional<uint64_t> next_target);

// File helpers for damaging stores on purpose.
std::string read_all(const std::string& path);
void write_all(const std::string& path, const std::string& data);

// A deterministic sequence of operations. Operation c >= 1 is either a reset (creation time
// becomes c ns) or a commit that advances next_target by one and sends 0-3 messages (some
// admin); so a store's position c is creation_time + next_target - 1 when it was created at
// time 0, and a killed writer can resume from whatever state it finds.
struct Workload {
  static Status apply(Store& store, uint64_t op);
  static uint64_t position(const Store& store);
  static std::string body(uint64_t seq, uint64_t op);
};

using Opener = std::function<Result<std::unique_ptr<Store>>()>;

struct CrashStats {
  int kills = 0;
  uint64_t final_position = 0;
  int found_in_flight = 0;  // reopened state included the commit in progress at the kill
};

// Forks a child that opens the store (created at time 0) and applies Workload operations in a
// loop, reporting each returned one through a pipe; SIGKILLs it at a random point (fixed
// seed); reopens and checks the state is exactly the one after the last reported operation or
// the one after it. Repeats `kills` times on the same store. Uses gtest assertions.
CrashStats run_crash_test(const Opener& open, int kills, uint32_t seed);

}  // namespace fixgate::store::testing
