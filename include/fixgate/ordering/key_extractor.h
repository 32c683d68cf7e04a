// KeyExtractor: what a key strategy may ask of a message — named metadata, nothing else — so
// FIX messages and any user type (an e-commerce event, an IoT reading) are ordered alike.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fixgate::ordering {

// Read-only metadata by name. Implementations must be safe to read from several threads at once
// (strategies are shared) and give the same answer for the same message every time.
class KeyExtractor {
 public:
  virtual ~KeyExtractor() = default;

  // The value of metadata `name`, or nullopt when the message has none.
  virtual std::optional<std::string> metadata(std::string_view name) const = 0;
  // Every name for which metadata() has a value, in a stable order.
  virtual std::vector<std::string> metadata_keys() const = 0;
  // All metadata as name -> value; by default built from metadata_keys() and metadata().
  virtual std::map<std::string, std::string> all_metadata() const;
};

}  // namespace fixgate::ordering
