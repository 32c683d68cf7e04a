// Keyed dispatcher cost: messages per second through KeyedDispatcher with 1, 100 and 100,000
// keys and 1..4 workers, against a plain single-threaded loop running the same handler (the
// floor for the one-key case); plus the hand-off latency of an idle dispatcher. `rounds` sets
// the handler's work: 32 (~17 ns) shows the dispatcher's own cost, where the single producer is
// the bottleneck; 2048 (~2 µs) makes the workers the bottleneck, to show scaling with workers.
//   build/bench/ordering_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "fixgate/ordering/keyed_dispatcher.h"

namespace fixgate::ordering {
namespace {

constexpr size_t kBatch = 100'000;  // messages per benchmark iteration

struct Msg {
  uint64_t seq = 0;
  std::chrono::steady_clock::time_point submitted;  // set on every 64th message only
};

// A fixed amount of handler work: `rounds` dependent multiply-adds.
inline uint64_t work(const Msg& m, int64_t rounds) {
  uint64_t x = m.seq | 1;
  for (int64_t i = 0; i < rounds; ++i) x = x * 6364136223846793005ull + 1442695040888963407ull;
  return x;
}

std::vector<SessionKey> make_keys(size_t n) {
  std::vector<SessionKey> keys;
  keys.reserve(n);
  for (size_t i = 0; i < n; ++i)
    keys.push_back(SessionKey::make("ord-" + std::to_string(i)).value());
  return keys;
}

// Arrival order: a random key per message (seeded), the same for every run.
std::vector<uint32_t> make_order(size_t keys) {
  std::mt19937 rng(42);
  std::vector<uint32_t> order(kBatch);
  for (auto& k : order) k = static_cast<uint32_t>(rng() % keys);
  return order;
}

void BM_PlainLoop(benchmark::State& state) {
  const int64_t rounds = state.range(0);
  uint64_t sink = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < kBatch; ++i) sink += work(Msg{i, {}}, rounds);
    benchmark::DoNotOptimize(sink);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_PlainLoop)->ArgName("rounds")->Arg(32)->Arg(2048)->Unit(benchmark::kMillisecond);

void BM_Dispatch(benchmark::State& state) {
  const size_t n_keys = static_cast<size_t>(state.range(0));
  const size_t workers = static_cast<size_t>(state.range(1));
  const int64_t rounds = state.range(2);
  auto keys = make_keys(n_keys);
  auto order = make_order(n_keys);
  std::atomic<uint64_t> sink{0};
  std::atomic<uint64_t> sojourn_ns{0};
  std::atomic<uint64_t> sampled{0};
  DispatcherOptions o;
  o.workers = workers;
  o.capacity = 8192;
  o.idle_timeout = std::chrono::hours(1);  // keys stay tracked: measure steady state
  o.monitor_interval = Duration::zero();
  KeyedDispatcher<Msg> d(o, [&](std::string_view, Msg& m) {
    uint64_t r = work(m, rounds);
    if ((m.seq & 63) == 0) {
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now() - m.submitted);
      sojourn_ns.fetch_add(static_cast<uint64_t>(ns.count()), std::memory_order_relaxed);
      sampled.fetch_add(1, std::memory_order_relaxed);
    }
    if (r == 0) sink.fetch_add(1, std::memory_order_relaxed);  // practically never: keeps work
  });
  uint64_t seq = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < kBatch; ++i, ++seq) {
      Msg m{seq, {}};
      if ((seq & 63) == 0) m.submitted = std::chrono::steady_clock::now();
      if (d.submit(keys[order[i]], std::move(m)) != SubmitResult::kAccepted) {
        state.SkipWithError("submit refused");
        return;
      }
    }
    d.wait_idle();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
  if (sampled.load() > 0) {
    // Submit to handler start, including time queued behind up to `capacity` messages.
    state.counters["sojourn_us"] = static_cast<double>(sojourn_ns.load()) / sampled.load() / 1e3;
  }
}
BENCHMARK(BM_Dispatch)
    ->ArgNames({"keys", "workers", "rounds"})
    ->ArgsProduct({{1, 100, 100'000}, {1, 2, 4}, {32}})
    ->ArgsProduct({{100, 100'000}, {1, 2}, {2048}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One message at a time through an idle dispatcher: submit, then spin until the handler ran.
// With idle_spin the worker is still watching when the next message comes (if it has a core of
// its own); with idle_spin_us:0 it sleeps between messages and each one pays the wake-up.
void BM_HandoffLatency(benchmark::State& state) {
  std::atomic<uint64_t> done{0};
  DispatcherOptions o;
  o.workers = static_cast<size_t>(state.range(0));
  o.idle_spin = std::chrono::microseconds(state.range(1));
  o.monitor_interval = Duration::zero();
  KeyedDispatcher<Msg> d(
      o, [&](std::string_view, Msg& m) { done.store(m.seq + 1, std::memory_order_release); });
  auto key = SessionKey::make("ord-1").value();
  uint64_t seq = 0;
  for (auto _ : state) {
    if (d.submit(key, Msg{seq, {}}) != SubmitResult::kAccepted) state.SkipWithError("refused");
    ++seq;
    while (done.load(std::memory_order_acquire) != seq) {
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HandoffLatency)
    ->ArgNames({"workers", "idle_spin_us"})
    ->ArgsProduct({{1, 2}, {20, 0}})
    ->UseRealTime();

}  // namespace
}  // namespace fixgate::ordering

BENCHMARK_MAIN();
