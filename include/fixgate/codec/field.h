// The FIX vocabulary shared by every layer: tag numbers, the SOH delimiter, and a field as a
// (tag, value) pair whose value is a view over someone else's buffer.
#pragma once

#include <cstdint>
#include <string_view>

namespace fixgate {

// A FIX tag number. Valid tags are 1..kMaxTag; 0 means "no tag".
using Tag = uint32_t;

namespace codec {

inline constexpr char kSoh = '\x01';
inline constexpr Tag kMaxTag = 999'999'999;  // nine digits: what any FIX engine writes
inline constexpr Tag kUserMinTag = 5000;      // user-defined fields start here

// One tag=value pair; `value` points into the buffer the message was parsed from.
struct Field {
  Tag tag = 0;
  std::string_view value;
};

}  // namespace codec
}  // namespace fixgate
