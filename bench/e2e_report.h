// bench/e2e's figures and how they are printed: one row per pair and store, per condition, as a
// console table and as a markdown table for the README.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace fixgate_bench {

struct Latency {
  double p50 = 0, p99 = 0, p999 = 0, max = 0;  // µs
  size_t n = 0;
};

// Nearest-rank percentiles of round trips given in nanoseconds.
Latency summarize(std::vector<int64_t> ns);

struct Figures {
  std::string pair, store;
  std::string pending;   // why the row has no figures (not measurable yet), else empty
  std::string error;     // the run failed
  size_t msg_bytes = 0;  // an echo on the wire, header and trailer included
  double round_trips_per_s = 0;
  std::vector<int64_t> rtt_ns;  // every timed round trip
  Latency rtt;                  // summarize(rtt_ns)
  bool ok() const { return pending.empty() && error.empty(); }
};

// One row from its repetitions: the median throughput, and RTT percentiles over every round trip
// of every repetition. A failed or pending repetition makes the row failed or pending.
Figures combine(std::vector<Figures> runs);

// The headline ratios of one condition: fixgate against QuickFIX and against the raw TCP floor.
std::vector<std::string> ratio_lines(const std::vector<Figures>& rows);

void print_condition(const std::vector<Figures>& rows, int repeat);

// (condition name, rows) per condition run.
using Conditions = std::vector<std::pair<std::string, std::vector<Figures>>>;
void print_markdown(const Conditions& runs, int repeat, uint64_t pipelined, uint64_t round_trips);

}  // namespace fixgate_bench
