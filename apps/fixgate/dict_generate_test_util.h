// Shared by the generator's tests: generating a version into a file and loading it, and the
// allow-list of known differences against a reference.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <span>
#include <string>
#include <vector>

#include "dict_generate.h"
#include "fixgate/dict/dictionary.h"

namespace fixgate::cli {

inline const std::string kData =
    std::string(FIXGATE_SOURCE_DIR) + "/third_party/jspurefix/node_modules/jspurefix/data";
inline const std::string kRepo = kData + "/fix_repo";

// Generates `version` into a file, as setup.sh does, and loads that file.
inline dict::Dictionary::Ptr generated(std::string_view version) {
  auto xml = generate_dictionary(kRepo, version);
  EXPECT_TRUE(xml) << xml.error();
  if (!xml) return nullptr;
  const std::string path = testing::TempDir() + "/generated-" + std::string(version) + ".xml";
  std::ofstream(path) << *xml;
  auto d = dict::Dictionary::load_file(path);
  EXPECT_TRUE(d) << d.error();
  return d ? *d : nullptr;
}

inline dict::Dictionary::Ptr quickfix(const std::string& file) {
  auto d = dict::Dictionary::load_file(kData + "/" + file);
  EXPECT_TRUE(d) << d.error();
  return d ? *d : nullptr;
}

// A known difference: a regular expression over compare_dictionaries()'s lines ("here" is the
// generated dictionary, "there" the reference), and why it is not a fault of the generator.
struct Known {
  const char* pattern;
  const char* reason;
};

// Every difference must be known, and every known difference must still occur (a stale entry
// would hide the next real one).
inline void expect_only_known(const std::vector<std::string>& diffs, std::span<const Known> known) {
  std::vector<std::regex> res;
  for (const Known& k : known) res.emplace_back(k.pattern);
  std::vector<size_t> used(known.size());
  for (const std::string& d : diffs) {
    size_t i = 0;
    while (i < res.size() && !std::regex_search(d, res[i])) ++i;
    if (i < res.size()) ++used[i];
    EXPECT_LT(i, res.size()) << "unexpected difference: " << d;
  }
  for (size_t i = 0; i < known.size(); ++i)
    EXPECT_GT(used[i], 0u) << "known difference no longer seen: " << known[i].pattern;
}

}  // namespace fixgate::cli
