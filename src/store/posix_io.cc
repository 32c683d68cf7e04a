#include "posix_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fixgate::store::detail {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) reset(o.release());
  return *this;
}

int Fd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

std::string errno_text(int err) { return std::strerror(err); }

Status io_error(std::string_view what, const std::string& path, int err) {
  return Status::error("file store: " + std::string(what) + " " + path + ": " + errno_text(err));
}

Status write_all(int fd, std::string_view data, const std::string& path, FileFaults* faults,
                 size_t* written) {
  *written = 0;
  size_t limit = data.size();
  int injected = 0;
  if (faults && faults->fail_after_bytes) {
    limit = std::min(limit, *faults->fail_after_bytes);
    injected = faults->error;
    faults->fail_after_bytes.reset();
  }
  while (*written < limit) {
    ssize_t n = ::write(fd, data.data() + *written, limit - *written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("write", path, errno);
    }
    *written += static_cast<size_t>(n);
  }
  if (limit < data.size()) return io_error("write", path, injected ? injected : EIO);
  return Status::ok();
}

Status pread_all(int fd, char* buf, size_t n, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return io_error("read", path, errno);
    if (r == 0)
      return Status::error("file store: " + path + ": offset " + std::to_string(offset) +
                           ": file ends before the indexed message (truncated behind our back?)");
    done += static_cast<size_t>(r);
  }
  return Status::ok();
}

Result<std::string> read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return io_error("open", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return io_error("stat", path, errno);
  std::string data(static_cast<size_t>(st.st_size), '\0');
  if (Status s = pread_all(fd.get(), data.data(), data.size(), 0, path); !s) return s;
  return data;
}

Status sync_data(int fd, const std::string& path) {
  if (::fdatasync(fd) != 0) return io_error("fdatasync", path, errno);
  return Status::ok();
}

Status sync_directory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return io_error("open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return io_error("fsync directory", dir, errno);
  return Status::ok();
}

}  // namespace fixgate::store::detail
