// `fixgate bench`: a load generator for any FIX acceptor. Logs on as an initiator (one
// engine::SessionManager, MemoryStore, ResetSeqNumFlag=Y by default), sends NewOrderSingles and
// counts the application messages that come back as their replies (an echo, an ExecutionReport:
// any application message counts).
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

#include "fixgate/base/result.h"

namespace fixgate::cli {

enum class BenchMode {
  kThroughput,  // send n orders back to back; the clock runs from the first send to the last reply
  kLatency,     // send one order, wait for its replies, repeat n times; each round trip timed
};

struct BenchOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string sender_comp_id, target_comp_id;
  std::string begin_string = "FIX.4.4";
  BenchMode mode = BenchMode::kThroughput;
  uint64_t n = 10000;
  uint64_t warmup = 1000;          // untimed round trips first
  uint32_t replies_per_order = 1;  // application messages the acceptor sends per order
  bool reset_on_logon = true;      // ResetSeqNumFlag=Y: no stale sequence numbers to match
  std::chrono::milliseconds timeout{10000};  // for the logon, and for each awaited reply
};

// "HOST:PORT", PORT in 1..65535.
Result<std::pair<std::string, uint16_t>> parse_host_port(std::string_view text);

// Runs the benchmark and prints one line to `out`:
//   throughput: N round trips in S s = R msg/s
//   latency_us: p50 A p99 B p99.9 C max D (n=N)
// Returns the exit code: 0, or 1 with the reason on `err` (no logon, replies missing).
int bench(const BenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace fixgate::cli
