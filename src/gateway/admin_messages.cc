// The status page's message viewer: the newest messages of an LP's message log, decoded with
// field and enum names as `fixgate decode` names them, filtered, paged back by byte offset.
// Each answer reads at most kMaxLogBytesPerRead bytes of the file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "admin_internal.h"
#include "fixgate/codec/message.h"
#include "fixgate/engine/file_log.h"

namespace fixgate::gateway::admin {
namespace {

using json = nlohmann::json;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The dictionary that names `tag` for `msg`: the application's for a FIXT.1.1 application
// message, else the session's, else the standard one of its BeginString.
const dict::FieldDef* field_def(const LpMessageLog& log, const dict::Dictionary* standard,
                                Tag tag) {
  for (const dict::Dictionary* d : {log.app_dictionary.get(), log.dictionary.get(), standard})
    if (d)
      if (const dict::FieldDef* f = d->field(tag)) return f;
  return nullptr;
}

std::string message_name(const LpMessageLog& log, const dict::Dictionary* standard,
                         std::string_view type) {
  for (const dict::Dictionary* d : {log.app_dictionary.get(), log.dictionary.get(), standard})
    if (d)
      if (const dict::MessageDef* m = d->message(type)) return m->name;
  return "";
}

bool matches(const json& m, const MessageQuery& q, std::string_view raw) {
  const std::string type = m["msg_type"].get<std::string>();
  if (!q.type.empty() && type != q.type) return false;
  if (q.type.empty() && !q.heartbeats && type == "0") return false;
  if (q.text.empty()) return true;
  const std::string needle = lower(q.text);
  if (lower(raw).find(needle) != std::string::npos) return true;
  if (lower(m["msg_name"].get<std::string>()).find(needle) != std::string::npos) return true;
  for (const json& f : m["fields"]) {
    for (const char* key : {"name", "enum_name"})
      if (f[key].is_string() && lower(f[key].get<std::string>()).find(needle) != std::string::npos)
        return true;
  }
  return false;
}

// Bytes [from, to) of the file.
Result<std::string> read_range(int fd, uint64_t from, uint64_t to) {
  std::string out(to - from, '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(from + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::error(std::strerror(errno));
    if (n == 0) break;  // truncated meanwhile (rotation)
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

json decode_log_line(std::string_view line, uint64_t offset, const LpMessageLog& log) {
  std::string_view stamp;
  line.remove_prefix(engine::log_line_prefix(line, stamp));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  codec::Message msg;
  if (line.empty() || !msg.parse(line).ok() || msg.msg_type().empty()) return nullptr;
  const dict::Dictionary* standard = dict::Dictionary::builtin(msg.begin_string()).get();
  json m;
  m["offset"] = offset;
  m["time"] = std::string(stamp);
  const std::string_view sender = msg.sender_comp_id();
  if (!log.our_comp_id.empty() && !sender.empty())
    m["direction"] = sender == log.our_comp_id ? "out" : "in";
  else
    m["direction"] = nullptr;
  m["msg_type"] = std::string(msg.msg_type());
  m["msg_name"] = message_name(log, standard, msg.msg_type());
  if (auto seq = msg.seq_num())
    m["seq"] = *seq;
  else
    m["seq"] = nullptr;
  json fields = json::array();
  for (const codec::Field& f : msg) {
    json jf{
        {"tag", f.tag}, {"value", std::string(f.value)}, {"name", nullptr}, {"enum_name", nullptr}};
    if (const dict::FieldDef* fd = field_def(log, standard, f.tag)) {
      jf["name"] = fd->name;
      if (auto desc = fd->enum_description(f.value); !desc.empty())
        jf["enum_name"] = std::string(desc);
    }
    fields.push_back(std::move(jf));
  }
  m["fields"] = std::move(fields);
  return m;
}

Result<json> read_messages(const LpMessageLog& log, const MessageQuery& q) {
  json out{{"messages", json::array()},
           {"next_before", nullptr},
           {"file_size", 0},
           {"log", !log.path.empty()}};
  if (log.path.empty()) return out;  // no FileLogPath: nothing logged
  Fd file{::open(log.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
  if (file.fd < 0) {
    if (errno == ENOENT) return out;  // not written yet
    return Status::error(log.path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(file.fd, &st) != 0 || !S_ISREG(st.st_mode))
    return Status::error(log.path + ": not a regular file");
  const auto size = static_cast<uint64_t>(st.st_size);
  out["file_size"] = size;
  const uint64_t end = std::min(q.before.value_or(size), size);
  const uint64_t start = end > kMaxLogBytesPerRead ? end - kMaxLogBytesPerRead : 0;
  auto bytes = read_range(file.fd, start, end);
  if (!bytes) return bytes.status();
  std::string_view text(*bytes);
  // Whole lines only: the first one is cut unless the window starts the file; the last one is
  // still being written unless it ends with '\n'.
  size_t first = 0;
  if (start > 0) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {  // one line longer than a window: skipped
      out["next_before"] = start;
      return out;
    }
    first = nl + 1;
  }
  size_t last_end = text.rfind('\n');
  if (last_end == std::string_view::npos || last_end < first) {
    if (start > 0) out["next_before"] = start + first;
    return out;
  }
  json& messages = out["messages"];
  size_t line_end = last_end;  // at a '\n'
  for (;;) {
    size_t line_start = first;
    if (line_end > first) {
      const size_t nl = text.rfind('\n', line_end - 1);
      if (nl != std::string_view::npos && nl >= first) line_start = nl + 1;
    }
    std::string_view line = text.substr(line_start, line_end - line_start);
    json m = decode_log_line(line, start + line_start, log);
    if (!m.is_null() && matches(m, q, line)) messages.push_back(std::move(m));
    if (messages.size() >= q.limit) {
      if (start + line_start > 0) out["next_before"] = start + line_start;
      return out;
    }
    if (line_start == first) break;
    line_end = line_start - 1;
  }
  if (start > 0) out["next_before"] = start + first;
  return out;
}

}  // namespace fixgate::gateway::admin
