// How an initiator waits between connection attempts.
#pragma once

#include <chrono>

namespace fixgate::transport {

// Initiator reconnects: delay = min(max, initial * multiplier^attempt), ± jitter.
struct ReconnectPolicy {
  std::chrono::milliseconds initial{1000};  // QuickFIX ReconnectInterval
  std::chrono::milliseconds max{30000};
  double multiplier = 2.0;
  double jitter = 0.2;  // fraction of the delay, uniformly ±
};

}  // namespace fixgate::transport
