// How an initiator waits between connection attempts.
#pragma once

#include <chrono>
#include <cstdint>

namespace fixgate::transport {

// Initiator reconnects: delay = min(max, initial * multiplier^attempt), ± jitter.
struct ReconnectPolicy {
  std::chrono::milliseconds initial{1000};  // QuickFIX ReconnectInterval
  std::chrono::milliseconds max{30000};
  double multiplier = 2.0;
  double jitter = 0.2;  // fraction of the delay, uniformly ±
};

// An initiator's connection attempts so far (SessionHandle::connect_stats()).
struct ConnectStats {
  uint64_t attempts = 0;  // connections tried (a resolve failure is one too)
  uint64_t failures = 0;  // of them: not resolved, refused, timed out, TLS handshake failed
  // The wait before the latest scheduled attempt (ReconnectPolicy, jitter included); 0 after a
  // logon (the backoff starts again) and before the first reconnect.
  std::chrono::milliseconds backoff{0};
};

}  // namespace fixgate::transport
