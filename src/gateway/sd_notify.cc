#include "sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace fixgate::gateway {

Status sd_notify(std::string_view state) {
  const char* name = std::getenv("NOTIFY_SOCKET");
  if (name == nullptr || name[0] == '\0') return Status::ok();
  const std::string path(name);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path)
    return Status::error("NOTIFY_SOCKET: the name is too long: " + path);
  std::memcpy(address.sun_path, path.data(), path.size());
  // An abstract socket's name starts with a NUL byte where the environment has '@'; its length
  // is exactly the name's, with no terminating NUL.
  if (path[0] == '@') address.sun_path[0] = '\0';
  const auto length =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (path[0] != '@'));
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::error(std::string("NOTIFY_SOCKET: socket: ") + std::strerror(errno));
  const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&address), length);
  const int error = errno;
  ::close(fd);
  if (sent < 0) return Status::error("NOTIFY_SOCKET " + path + ": " + std::strerror(error));
  return Status::ok();
}

}  // namespace fixgate::gateway
