// Small POSIX file helpers for the stores (internal): every error names the file.
#pragma once

#include <string>
#include <string_view>

#include "fixgate/base/result.h"
#include "fixgate/store/file_store.h"

namespace fixgate::store::detail {

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

std::string errno_text(int err);
Status io_error(std::string_view what, const std::string& path, int err);

// Writes all of `data`, retrying short writes. `faults` may cut it short (tests). On failure
// `*written` tells how many bytes made it.
Status write_all(int fd, std::string_view data, const std::string& path, FileFaults* faults,
                 size_t* written);
Status pread_all(int fd, char* buf, size_t n, uint64_t offset, const std::string& path);
Result<std::string> read_file(const std::string& path);
Status sync_data(int fd, const std::string& path);
Status sync_directory(const std::string& dir);

}  // namespace fixgate::store::detail
