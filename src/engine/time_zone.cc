// Reads TZif files; session::TimeZone does the parsing.
#include "fixgate/engine/time_zone.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace fixgate::engine {
namespace {

Result<session::TimeZone> read_zone(std::string name, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error("time zone '" + name + "': no such zone (" + path + ")");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return session::TimeZone::from_tzif(std::move(name), bytes.str());
}

}  // namespace

Result<session::TimeZone> load_time_zone(std::string_view name) {
  if (name == "UTC" || name == "GMT" || name == "Etc/UTC" || name == "Z")
    return session::TimeZone::utc();
  // A zone name is a relative path of letters, digits and "_-+/"; nothing may climb out of the
  // database with "..".
  bool ok = !name.empty() && name.front() != '/' && name.find("..") == std::string_view::npos;
  for (char c : name)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
                c == '+');
  if (!ok) return Status::error("time zone '" + std::string(name) + "': not a zone name");
  const char* dir = std::getenv("TZDIR");
  return read_zone(std::string(name), std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" +
                                          std::string(name));
}

Result<session::TimeZone> local_time_zone() { return read_zone("localtime", "/etc/localtime"); }

}  // namespace fixgate::engine
