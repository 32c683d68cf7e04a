// The default all_metadata(): one metadata() lookup per listed name.
#include "fixgate/ordering/key_extractor.h"

namespace fixgate::ordering {

std::map<std::string, std::string> KeyExtractor::all_metadata() const {
  std::map<std::string, std::string> out;
  for (std::string& name : metadata_keys()) {
    if (auto value = metadata(name)) out.emplace(std::move(name), std::move(*value));
  }
  return out;
}

}  // namespace fixgate::ordering
