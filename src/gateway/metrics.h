// The gateway's Prometheus metrics (internal to the gateway; docs/gateway.md lists them): read at
// scrape time from what the gateway already keeps, never updated on a message path. Each LP's
// status and its running session's counters come from LpControl::list() (the session's own
// SessionStats), the NATS figures from NatsPublisher::stats(). prometheus-cpp's core only:
// a Collectable and its TextSerializer; the admin server serves the text (no Exposer).
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <string>
#include <vector>

#include "fixgate/gateway/lp_control.h"
#include "fixgate/gateway/nats_publisher.h"

namespace fixgate::gateway {

class GatewayMetrics final : public prometheus::Collectable {
 public:
  using Clock = std::function<SystemTime()>;
  // `nats` may be null (no NatsUrl): no fixgate_nats_* then. Both must outlive this object.
  // `clock` gives "now" for the ages and countdowns (tests pass a fixed one).
  GatewayMetrics(
      const LpControl& lps, const NatsPublisher* nats,
      Clock clock = [] { return std::chrono::system_clock::now(); });

  // Every family, in the order of docs/gateway.md; families without a sample are left out.
  // Thread-safe: it only reads LpControl (thread-safe) and NatsPublisher::stats() (atomics).
  std::vector<prometheus::MetricFamily> Collect() const override;
  // Collect() in Prometheus text format 0.0.4.
  std::string text() const;

 private:
  const LpControl& lps_;
  const NatsPublisher* nats_;
  Clock clock_;
};

}  // namespace fixgate::gateway
