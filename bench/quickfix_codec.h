// The QuickFIX/C++ half of codec_bench, behind a plain interface: QuickFIX 1.15's headers need
// -std=c++14 (dynamic exception specifications), so they never meet our C++20 code.
#pragma once

#include <memory>
#include <string>

namespace fixgate_bench {

class QuickFixCodec {
 public:
  explicit QuickFixCodec(const std::string& dictionary_path);
  ~QuickFixCodec();
  // Builds message `index` of kMessages from its values and serialises it into `out`.
  void encode(int index, std::string& out);
  // Parses `wire` (length and checksum checked) into a reused message; returns field count.
  size_t parse(const std::string& wire);
  // parse() plus DataDictionary::validate; returns false if QuickFIX rejects it.
  bool parse_validate(const std::string& wire);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgate_bench
