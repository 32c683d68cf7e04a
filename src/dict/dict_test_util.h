// Shared by the dict tests: the standard dictionaries, loaded once per test binary.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "fixgate/dict/dictionary.h"

namespace fixgate::dict::testing {

// "FIX44.xml" and the others fetched by scripts/setup.sh (FIXGATE_DICT_DIR); null on failure.
inline Dictionary::Ptr standard(const std::string& file) {
  static std::map<std::string, Dictionary::Ptr> cache;
  Dictionary::Ptr& d = cache[file];
  if (!d) {
    auto loaded = Dictionary::load_file(std::string(FIXGATE_DICT_DIR) + "/" + file);
    if (!loaded) {
      ADD_FAILURE() << loaded.error();
      return nullptr;
    }
    d = *loaded;
  }
  return d;
}

}  // namespace fixgate::dict::testing
