// The one place in `dict` that touches the file system: loading a dictionary at start-up.
#include <fstream>
#include <sstream>

#include "fixgate/dict/dictionary.h"

namespace fixgate::dict {

Result<Dictionary::Ptr> Dictionary::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error(path + ": cannot open dictionary file");
  std::stringstream ss;
  ss << in.rdbuf();
  return load_string(ss.str(), path);
}

}  // namespace fixgate::dict
