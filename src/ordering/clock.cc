// The real monotonic clock behind Clock::steady().
#include "fixgate/ordering/clock.h"

namespace fixgate::ordering {
namespace {

class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

std::shared_ptr<const Clock> Clock::steady() {
  static const auto clock = std::make_shared<const SteadyClock>();
  return clock;
}

}  // namespace fixgate::ordering
