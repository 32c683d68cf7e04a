// Admin tokens: the token file, bearer headers, constant-time comparison.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "admin_internal.h"
#include "text.h"

namespace fixgate::gateway {
namespace {

constexpr size_t kMaxTokenFileBytes = 1 << 20;
constexpr size_t kMinTokenBytes = 16;
constexpr size_t kMaxTokenBytes = 512;
constexpr size_t kMaxNameBytes = 64;

bool valid_token_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The whole file, read through one descriptor whose mode was checked (no race between the check
// and the read).
Result<std::string> read_private_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Status::error(path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return Status::error(path + ": " + std::strerror(e));
  }
  std::string failure;
  if (!S_ISREG(st.st_mode)) {
    failure = path + ": not a regular file";
  } else if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    failure = path + ": mode " + mode +
              " lets group or others read or write the tokens; it must be 0600 or stricter "
              "(chmod 600 " +
              path + ")";
  } else if (static_cast<size_t>(st.st_size) > kMaxTokenFileBytes) {
    failure = path + ": larger than 1 MiB; not a token file";
  }
  std::string text;
  while (failure.empty()) {
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) failure = path + ": " + std::strerror(errno);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxTokenFileBytes) failure = path + ": larger than 1 MiB; not a token file";
  }
  ::close(fd);
  if (!failure.empty()) return Status::error(std::move(failure));
  return text;
}

// "" or why `line` (trimmed, not a comment) is no `name:token`.
std::string parse_token_line(std::string_view line, AdminToken& out) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return "expected name:token";
  std::string_view name = trim(line.substr(0, colon));
  std::string_view token = trim(line.substr(colon + 1));
  if (!valid_token_name(name)) return "the name must be 1 to 64 of [A-Za-z0-9_.@-]";
  if (token.size() < kMinTokenBytes || token.size() > kMaxTokenBytes)
    return "the token must be 16 to 512 characters";
  if (!admin::valid_token68(token))
    return "the token may hold only [A-Za-z0-9._~+/-] and trailing '=' (a Bearer token)";
  out.name = name;
  out.token = token;
  return "";
}

}  // namespace

Result<std::vector<AdminToken>> read_admin_tokens(const std::string& path) {
  auto text = read_private_file(path);
  if (!text) return text.status();
  std::vector<AdminToken> tokens;
  std::set<std::string> names, secrets;
  std::string_view rest = *text;
  for (int number = 1; !rest.empty(); ++number) {
    size_t nl = rest.find('\n');
    std::string_view line = trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = path + ":" + std::to_string(number) + ": ";
    AdminToken token;
    if (std::string why = parse_token_line(line, token); !why.empty())
      return Status::error(where + why);
    if (!names.insert(token.name).second)
      return Status::error(where + "the name '" + token.name + "' is used twice");
    if (!secrets.insert(token.token).second)
      return Status::error(where + "the same token as an earlier line");
    tokens.push_back(std::move(token));
  }
  if (tokens.empty()) return Status::error(path + ": no name:token line");
  return tokens;
}

namespace admin {

bool valid_token68(std::string_view token) {
  size_t end = token.size();
  while (end > 0 && token[end - 1] == '=') --end;
  if (end == 0) return false;
  for (size_t i = 0; i < end; ++i) {
    char c = token[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

Bearer parse_bearer(std::string_view header, bool present) {
  if (!present) return {};
  constexpr std::string_view kScheme = "bearer";
  Bearer malformed{Bearer::Kind::kMalformed, {}};
  if (header.size() <= kScheme.size()) return malformed;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return malformed;
  std::string_view rest = header.substr(kScheme.size());
  if (rest.front() != ' ') return malformed;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.size() > kMaxTokenBytes || !valid_token68(rest)) return malformed;
  return {Bearer::Kind::kToken, rest};
}

bool tokens_equal(std::string_view given, std::string_view stored) {
  if (stored.empty()) return false;
  // Walks the client's bytes only; the stored token is read cyclically, so neither its length nor
  // the position of a difference changes the time taken.
  unsigned diff = given.size() == stored.size() ? 0u : 1u;
  for (size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i]) ^
            static_cast<unsigned char>(stored[i % stored.size()]);
  return diff == 0;
}

std::optional<std::string> token_owner(const std::vector<AdminToken>& tokens,
                                       std::string_view given) {
  std::optional<std::string> owner;
  for (const auto& t : tokens)
    if (tokens_equal(given, t.token) && !owner) owner = t.name;
  return owner;
}

}  // namespace admin
}  // namespace fixgate::gateway
