// The validator's fast value checks (one-character verdicts precomputed by the loader, numbers
// checked 16 bytes at a time) give exactly the verdict of the full check they stand in for.
#include "value_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dict_test_util.h"
#include "fixgate/codec/tags.h"

namespace fixgate::dict {
namespace {

using R = codec::SessionRejectReason;

std::vector<std::string> samples() {
  std::vector<std::string> out = {"0",
                                  "7",
                                  "-",
                                  ".",
                                  "-.",
                                  "-0",
                                  "-7",
                                  "1.",
                                  ".5",
                                  "1.5",
                                  "1..5",
                                  "1.5.",
                                  "--1",
                                  "1-",
                                  "+1",
                                  " 1",
                                  "1 ",
                                  "a",
                                  "1e5",
                                  "Y",
                                  "N",
                                  "00",
                                  "1500",
                                  "-415.25",
                                  "415.25",
                                  "\x80"
                                  "1",
                                  "1\x80",
                                  "9999999999999999",
                                  "99999999999999999",
                                  "0.000000000000001",
                                  "1:",
                                  "/",
                                  "12:30:00",
                                  "20261122",
                                  "20261122-14:30:00",
                                  "20261122-14:30:00.123",
                                  "20261122-14:30:00.123456",
                                  "20261122-14:30:00.123456789",
                                  "20261122-14:30:00.12",
                                  "20261122-14:30:00.1234",
                                  "20261122 14:30:00.123",
                                  "20261122-14-30:00.123",
                                  "20261122-14:30-00.123",
                                  "20261122-14:30:00-123",
                                  "20261122-14:30:0a.123",
                                  "2026112x-14:30:00.123",
                                  "20261122-14:30:00.12x",
                                  "20240229-14:30:00.123",
                                  "20250229-14:30:00.123",
                                  "21000229-14:30:00",
                                  "20000229-14:30:00",
                                  "20261131-14:30:00",
                                  "20261100-14:30:00",
                                  "20261301-14:30:00",
                                  "20260001-14:30:00",
                                  "20261231-23:59:59.999",
                                  "20261231-23:59:60",
                                  "20261231-23:58:60",
                                  "20261231-24:00:00",
                                  "20261231-23:60:00",
                                  "20261231-23:59:61",
                                  "20261122-14:30:00.123\x80"};
  for (unsigned c = 0; c < 256; ++c) out.emplace_back(1, static_cast<char>(c));
  return out;
}

bool quick_as(const FieldDef& def, std::string_view v, const char* readable_end) {
  using F = FieldDef::FastFormat;
  switch (def.fast_format()) {
    case F::kNone:
      return detail::quick_value_ok_as<F::kNone>(def, v, readable_end);
    case F::kUint:
      return detail::quick_value_ok_as<F::kUint>(def, v, readable_end);
    case F::kInt:
      return detail::quick_value_ok_as<F::kInt>(def, v, readable_end);
    case F::kFloat:
      return detail::quick_value_ok_as<F::kFloat>(def, v, readable_end);
    case F::kUtcTimeOnly:
      return detail::quick_value_ok_as<F::kUtcTimeOnly>(def, v, readable_end);
    case F::kUtcTimestamp:
      return detail::quick_value_ok_as<F::kUtcTimestamp>(def, v, readable_end);
  }
  return false;
}

TEST(ValueCheckTest, FastVerdictsEqualTheFullCheckForEveryFieldOfTheDictionary) {
  auto dict = testing::standard("FIX44.xml");
  ASSERT_TRUE(dict);
  size_t numbers = 0;
  for (Tag tag = 1; tag < 10000; ++tag) {
    const FieldDef* def = dict->field(tag);
    if (!def) continue;
    const std::string soh(32, '\x01');  // an empty value never passes the validator's loops
    if (def->needs_value_check()) {
      ASSERT_FALSE(quick_as(*def, {soh.data(), 0}, soh.data() + 32)) << "tag " << tag;
    }
    if (def->fast_format() != FieldDef::FastFormat::kNone) ++numbers;
    for (const std::string& s : samples()) {
      // With and without 32 readable bytes after the value's start: both paths.
      std::string padded = s + std::string(32, '\x01');
      R full_reason = R::kOther, fast_reason = R::kOther, tight_reason = R::kOther;
      const bool full = !def->needs_value_check() || detail::full_value_check(*def, s, full_reason);
      const bool fast = detail::value_check(*def, std::string_view(padded.data(), s.size()),
                                            fast_reason, padded.data() + padded.size());
      const bool tight = detail::value_check(*def, s, tight_reason, s.data() + s.size());
      ASSERT_EQ(fast, full) << "tag " << tag << " value '" << s << "'";
      // The quick test may say "not sure", never "valid" for an invalid value.
      const bool quick = detail::quick_value_ok(*def, std::string_view(padded.data(), s.size()),
                                                padded.data() + padded.size());
      ASSERT_TRUE(!quick || full) << "tag " << tag << " value '" << s << "'";
      // The same with the format known at compile time, as the validator's loops use it.
      if (def->needs_value_check()) {
        const std::string_view v(padded.data(), s.size());
        const bool as = quick_as(*def, v, padded.data() + padded.size());
        ASSERT_TRUE(!as || (full && !s.empty())) << "tag " << tag << " value '" << s << "'";
      }
      ASSERT_EQ(tight, full) << "tag " << tag << " value '" << s << "'";
      if (!full) {
        EXPECT_EQ(fast_reason, full_reason) << "tag " << tag << " value '" << s << "'";
        EXPECT_EQ(tight_reason, full_reason) << "tag " << tag << " value '" << s << "'";
      }
    }
  }
  EXPECT_GT(numbers, 100u);  // prices, quantities, lengths, sequence numbers, times …
}

}  // namespace
}  // namespace fixgate::dict
