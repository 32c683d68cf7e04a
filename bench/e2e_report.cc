#include "e2e_report.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace fixgate_bench {
namespace {

const char* const kRaw = "raw TCP ping-pong";
const char* const kFixgate = "fixgate <-> fixgate";
const char* const kQuickFix = "QuickFIX <-> QuickFIX";
const char* const kFixgateSpin = "fixgate <-> fixgate (both busy-poll)";
const char* const kRawSpin = "raw TCP, both ends spinning";

const Figures* find(const std::vector<Figures>& rows, std::string_view pair,
                    std::string_view store) {
  for (const auto& r : rows)
    if (r.pair == pair && r.store == store && r.ok()) return &r;
  return nullptr;
}

std::string ratio(double a, double b) {
  if (b <= 0) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fx", a / b);
  return buf;
}

}  // namespace

Latency summarize(std::vector<int64_t> ns) {
  Latency l;
  if (ns.empty()) return l;
  std::sort(ns.begin(), ns.end());
  auto at = [&](double p) {
    size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(ns.size())));
    return static_cast<double>(ns[std::clamp<size_t>(rank, 1, ns.size()) - 1]) / 1000.0;
  };
  l.p50 = at(0.50);
  l.p99 = at(0.99);
  l.p999 = at(0.999);
  l.max = static_cast<double>(ns.back()) / 1000.0;
  l.n = ns.size();
  return l;
}

Figures combine(std::vector<Figures> runs) {
  for (auto& r : runs)
    if (!r.ok()) return std::move(r);
  Figures f = std::move(runs.front());
  std::vector<double> throughput;
  for (size_t i = 0; i < runs.size(); ++i) {
    throughput.push_back(i == 0 ? f.round_trips_per_s : runs[i].round_trips_per_s);
    if (i > 0) f.rtt_ns.insert(f.rtt_ns.end(), runs[i].rtt_ns.begin(), runs[i].rtt_ns.end());
  }
  std::sort(throughput.begin(), throughput.end());
  f.round_trips_per_s = throughput[throughput.size() / 2];
  f.rtt = summarize(f.rtt_ns);
  return f;
}

std::vector<std::string> ratio_lines(const std::vector<Figures>& rows) {
  std::vector<std::string> lines;
  const Figures* raw = find(rows, kRaw, "-");
  const Figures* fg = find(rows, kFixgate, "memory");
  const Figures* qf_mem = find(rows, kQuickFix, "MemoryStore");
  const Figures* qf_file = find(rows, kQuickFix, "FileStore");
  if (!fg) return lines;
  if (qf_mem)
    lines.push_back("fixgate (memory) / QuickFIX (MemoryStore): throughput " +
                    ratio(fg->round_trips_per_s, qf_mem->round_trips_per_s) + ", RTT p50 " +
                    ratio(fg->rtt.p50, qf_mem->rtt.p50) + ", p99 " +
                    ratio(fg->rtt.p99, qf_mem->rtt.p99));
  // QuickFIX's FileStore flushes but never fsyncs: fixgate's batch and never modes compare.
  for (const char* mode : {"file, fsync batch", "file, fsync never"}) {
    const Figures* fg_file = find(rows, kFixgate, mode);
    if (qf_file && fg_file && fg_file->ok())
      lines.push_back(std::string("fixgate (") + mode + ") / QuickFIX (FileStore): throughput " +
                      ratio(fg_file->round_trips_per_s, qf_file->round_trips_per_s));
  }
  auto rtt_ratio = [](const std::string& what, const Figures& a, const Figures& b) {
    return what + ": p50 " + ratio(a.rtt.p50, b.rtt.p50) + ", p99 " + ratio(a.rtt.p99, b.rtt.p99) +
           ", p99.9 " + ratio(a.rtt.p999, b.rtt.p999);
  };
  if (raw) lines.push_back(rtt_ratio("fixgate RTT / raw TCP floor", *fg, *raw));
  // The lowest-latency configuration, against the floor and against raw TCP spinning the same
  // way (like for like: neither end ever sleeps, so no wake-up is paid by either).
  const Figures* spin = find(rows, kFixgateSpin, "memory");
  const Figures* raw_spin = find(rows, kRawSpin, "-");
  if (spin && raw)
    lines.push_back(rtt_ratio("fixgate (both busy-poll) RTT / raw TCP floor", *spin, *raw) +
                    " (issue 4 targets, warm: p50 <= 1.20x, p99 <= 2.00x)");
  if (spin && raw_spin)
    lines.push_back(
        rtt_ratio("fixgate (both busy-poll) RTT / raw TCP, both ends spinning", *spin, *raw_spin));
  return lines;
}

void print_condition(const std::vector<Figures>& rows, int repeat) {
  std::printf(
      "-- %d run(s) each: median round trips/s; RTT percentiles over all round trips\n"
      "%-38s %-19s %5s %13s %9s %9s %9s %9s\n",
      repeat, "pair", "store", "bytes", "round trips/s", "p50 us", "p99 us", "p99.9 us", "max us");
  for (const auto& r : rows) {
    if (!r.ok()) {
      std::printf("%-38s %-19s %s\n", r.pair.c_str(), r.store.c_str(),
                  (r.pending.empty() ? "FAILED: " + r.error : "pending: " + r.pending).c_str());
      continue;
    }
    std::printf("%-38s %-19s %5zu %13.0f %9.1f %9.1f %9.1f %9.1f\n", r.pair.c_str(),
                r.store.c_str(), r.msg_bytes, r.round_trips_per_s, r.rtt.p50, r.rtt.p99, r.rtt.p999,
                r.rtt.max);
  }
  for (const auto& line : ratio_lines(rows)) std::printf("%s\n", line.c_str());
}

void print_markdown(const Conditions& runs, int repeat, uint64_t pipelined, uint64_t round_trips) {
  if (runs.empty()) return;
  // One row per pair and store; each cell holds the conditions' values as "idle / warm".
  std::string names;
  for (const auto& [condition, rows] : runs) names += (names.empty() ? "" : " / ") + condition;
  std::printf(
      "\nEnd-to-end over loopback, FIX 4.4 NewOrderSingle echoes, both ends in one process "
      "(`bench/e2e`: %d run(s) of %" PRIu64 " pipelined and %" PRIu64
      " ping-pong round trips per row and condition; round trips/s is the median run, RTT "
      "percentiles are over all round trips). Each cell: %s.\n\n"
      "| pair | store | round trips/s | RTT p50 µs | RTT p99 µs | RTT p99.9 µs | p50 / raw TCP "
      "|\n|---|---|--:|--:|--:|--:|--:|\n",
      repeat, pipelined, round_trips, names.c_str());
  const std::vector<Figures>& first = runs.front().second;
  for (size_t i = 0; i < first.size(); ++i) {
    std::string cells[5];
    bool pending = false;
    for (const auto& [condition, rows] : runs) {
      if (i >= rows.size()) continue;
      const Figures& r = rows[i];
      const Figures* raw = find(rows, kRaw, "-");
      char v[5][32];
      if (r.ok()) {
        std::snprintf(v[0], sizeof v[0], "%.0f", r.round_trips_per_s);
        std::snprintf(v[1], sizeof v[1], "%.1f", r.rtt.p50);
        std::snprintf(v[2], sizeof v[2], "%.1f", r.rtt.p99);
        std::snprintf(v[3], sizeof v[3], "%.1f", r.rtt.p999);
        std::snprintf(v[4], sizeof v[4], "%s", raw ? ratio(r.rtt.p50, raw->rtt.p50).c_str() : "");
      } else {
        pending = !r.pending.empty();
        for (auto& cell : v) std::snprintf(cell, sizeof cell, "%s", pending ? "" : "failed");
      }
      for (int k = 0; k < 5; ++k) cells[k] += (cells[k].empty() ? "" : " / ") + std::string(v[k]);
    }
    if (pending) {
      std::printf("| %s | %s | pending: %s | | | | |\n", first[i].pair.c_str(),
                  first[i].store.c_str(), first[i].pending.c_str());
      continue;
    }
    std::printf("| %s | %s | %s | %s | %s | %s | %s |\n", first[i].pair.c_str(),
                first[i].store.c_str(), cells[0].c_str(), cells[1].c_str(), cells[2].c_str(),
                cells[3].c_str(), cells[4].c_str());
  }
  std::printf("\n");
  for (const auto& [condition, rows] : runs)
    for (const auto& line : ratio_lines(rows))
      std::printf("- %s: %s\n", condition.c_str(), line.c_str());
}

}  // namespace fixgate_bench
