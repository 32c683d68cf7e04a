// Property tests with fixed seeds: random interleavings of many keys from several producer
// threads never break per-key order nor run one key on two workers; different keys do overlap
// when workers are free. Run under TSan too (scripts/tsan.sh): the per-key logs below are
// written without locks, so any missing happens-before between one key's handlers is a race.
#include <gtest/gtest.h>

#include <atomic>
#include <charconv>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fixgate/ordering/keyed_dispatcher.h"
#include "test_sync.h"

namespace fixgate::ordering {
namespace {

struct Msg {
  int producer = 0;
  int seq = 0;  // per producer and key
  int spin = 0;
};

size_t index_of(std::string_view key) {  // "k17" -> 17
  size_t i = 0;
  std::from_chars(key.data() + 1, key.data() + key.size(), i);
  return i;
}

struct PerKey {
  std::atomic<bool> running{false};
  std::vector<Msg> seen;  // unguarded on purpose: the dispatcher serialises one key's handlers
};

void spin(int n) {
  volatile int sink = 0;
  for (int i = 0; i < n; ++i) sink = sink + i;
}

struct Params {
  uint32_t seed;
  int producers;
  int keys;
  int messages;  // per producer
  size_t workers;
  size_t capacity;
  FullPolicy policy;
};

class InterleavingTest : public ::testing::TestWithParam<Params> {};

TEST_P(InterleavingTest, PreservesPerKeyOrderAndNeverOverlapsAKey) {
  const Params p = GetParam();
  std::vector<PerKey> per_key(p.keys);
  std::atomic<int> overlaps{0};
  std::atomic<int> keyless{0};
  DispatcherOptions o;
  o.workers = p.workers;
  o.capacity = p.capacity;
  o.when_full = p.policy;
  o.monitor_interval = Duration::zero();
  KeyedDispatcher<Msg> d(o, [&](std::string_view key, Msg& m) {
    if (key.empty()) {
      ++keyless;
      spin(m.spin);
      return;
    }
    PerKey& k = per_key[index_of(key)];
    if (k.running.exchange(true)) ++overlaps;
    spin(m.spin);
    k.seen.push_back(m);
    k.running.store(false);
  });

  std::vector<SessionKey> keys;
  for (int i = 0; i < p.keys; ++i)
    keys.push_back(SessionKey::make(testing::numbered("k", i)).value());
  std::atomic<int> refused{0};
  std::atomic<int> submitted_keyless{0};
  std::vector<std::vector<int>> sent(p.producers, std::vector<int>(p.keys, 0));
  std::vector<std::thread> producers;
  for (int pr = 0; pr < p.producers; ++pr) {
    producers.emplace_back([&, pr] {
      std::mt19937 rng(p.seed * 1000 + pr);
      for (int i = 0; i < p.messages; ++i) {
        Msg m{pr, 0, static_cast<int>(rng() % 200)};
        if (rng() % 10 == 0) {
          while (d.submit(std::nullopt, Msg(m)) == SubmitResult::kFull) ++refused;
          ++submitted_keyless;
          continue;
        }
        int k = static_cast<int>(rng() % p.keys);
        m.seq = sent[pr][k];
        // Under kRefuse the producer retries: refusals must not reorder what was accepted.
        while (d.submit(keys[k], Msg(m)) == SubmitResult::kFull) {
          ++refused;
          std::this_thread::yield();
        }
        ++sent[pr][k];
      }
    });
  }
  for (auto& t : producers) t.join();
  d.wait_idle();

  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(keyless.load(), submitted_keyless.load());
  for (int k = 0; k < p.keys; ++k) {
    std::vector<int> next(p.producers, 0);
    for (const Msg& m : per_key[k].seen) {
      ASSERT_EQ(m.seq, next[m.producer]) << "key k" << k << " producer " << m.producer;
      ++next[m.producer];
    }
    for (int pr = 0; pr < p.producers; ++pr) EXPECT_EQ(next[pr], sent[pr][k]);
  }
  DispatcherStats s = d.stats();
  EXPECT_EQ(s.processed, static_cast<uint64_t>(p.producers) * p.messages);
  EXPECT_EQ(s.refused, static_cast<uint64_t>(refused.load()));
  EXPECT_EQ(s.queued, 0u);
  EXPECT_EQ(s.active_keys, 0u);
  if (p.policy == FullPolicy::kBlock) {
    EXPECT_EQ(s.refused, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Seeds, InterleavingTest,
    ::testing::Values(Params{1, 4, 64, 3000, 4, 1024, FullPolicy::kBlock},
                      Params{2, 4, 8, 3000, 3, 16, FullPolicy::kBlock},  // constant backpressure
                      Params{3, 3, 1000, 2000, 4, 64, FullPolicy::kBlock},
                      Params{4, 4, 16, 2000, 4, 8, FullPolicy::kRefuse},
                      Params{5, 6, 3, 2000, 2, 32, FullPolicy::kBlock},  // few hot keys
                      Params{6, 2, 50, 3000, 1, 256, FullPolicy::kBlock}));

// A single producer defines one arrival order: each key must see exactly its subsequence.
void check_arrival_order_per_key(Duration idle_spin) {
  constexpr int kKeys = 200;
  std::vector<PerKey> per_key(kKeys);
  DispatcherOptions o;
  o.workers = 4;
  o.capacity = 128;
  o.monitor_interval = Duration::zero();
  o.idle_spin = idle_spin;
  KeyedDispatcher<Msg> d(
      o, [&](std::string_view key, Msg& m) { per_key[index_of(key)].seen.push_back(m); });
  std::mt19937 rng(99);
  std::vector<std::vector<int>> expected(kKeys);
  for (int i = 0; i < 20000; ++i) {
    int k = static_cast<int>(rng() % kKeys);
    expected[k].push_back(i);
    ASSERT_EQ(d.submit(SessionKey::make(testing::numbered("k", k)).value(), Msg{0, i, 0}),
              SubmitResult::kAccepted);
  }
  d.wait_idle();
  for (int k = 0; k < kKeys; ++k) {
    std::vector<int> got;
    for (const Msg& m : per_key[k].seen) got.push_back(m.seq);
    ASSERT_EQ(got, expected[k]) << "key k" << k;
  }
}

// With workers that watch for work before sleeping, and with workers that sleep at once.
TEST(OrderPropertyTest, SingleProducerSeesExactArrivalOrderPerKey) {
  for (Duration idle_spin : {Duration(std::chrono::microseconds(20)), Duration::zero()}) {
    SCOPED_TRACE(testing::numbered("idle_spin us ", static_cast<size_t>(idle_spin.count() / 1000)));
    check_arrival_order_per_key(idle_spin);
  }
}

// Property: a hand-back drain racing busy workers neither loses nor duplicates a message: each
// accepted message is handled or handed back, once, and per key the handled ones come first.
TEST(DrainPropertyTest, HandBackWhileWorkersRunGivesEachMessageExactlyOnce) {
  constexpr int kKeys = 8;
  constexpr int kMessages = 400;
  std::mt19937 rng(5);
  for (int round = 0; round < 100; ++round) {
    std::vector<PerKey> per_key(kKeys);
    DispatcherOptions o;
    o.workers = 3;
    o.capacity = 64;
    o.monitor_interval = Duration::zero();
    KeyedDispatcher<Msg> d(o, [&](std::string_view key, Msg& m) {
      spin(m.spin);
      per_key[index_of(key)].seen.push_back(m);
    });
    std::vector<std::vector<int>> accepted(kKeys);
    int stop_after = static_cast<int>(rng() % kMessages);
    for (int i = 0; i < stop_after; ++i) {
      int k = static_cast<int>(rng() % kKeys);
      if (d.submit(SessionKey::make(testing::numbered("k", k)).value(),
                   Msg{0, i, static_cast<int>(rng() % 200)}) == SubmitResult::kAccepted)
        accepted[k].push_back(i);
    }
    std::vector<Pending<Msg>> back = d.stop(DrainPolicy::kHandBack);
    d.join();
    std::vector<std::vector<int>> got(kKeys);
    for (int k = 0; k < kKeys; ++k) {
      for (const Msg& m : per_key[k].seen) got[k].push_back(m.seq);
    }
    for (const Pending<Msg>& p : back) {
      ASSERT_TRUE(p.key.has_value());
      got[index_of(p.key->view())].push_back(p.message.seq);
    }
    for (int k = 0; k < kKeys; ++k)
      ASSERT_EQ(got[k], accepted[k]) << "round " << round << " k" << k;
  }
}

// Property: with as many keys as workers, every round of every key runs at the same time as
// the same round of all other keys — observed concurrency equals the worker count, each round.
TEST(ConcurrencyTest, KeysOverlapInTimeWhenWorkersAreFree) {
  for (size_t workers : {2u, 4u}) {
    constexpr int kRounds = 20;
    testing::Rendezvous round(workers);
    std::atomic<int> met{0};
    std::atomic<int> now_running{0};
    std::atomic<int> max_running{0};
    KeyedDispatcher<int> d(
        [&] {
          DispatcherOptions o;
          o.workers = workers;
          o.monitor_interval = Duration::zero();
          return o;
        }(),
        [&](std::string_view, int&) {
          int r = ++now_running;
          int m = max_running.load();
          while (r > m && !max_running.compare_exchange_weak(m, r)) {
          }
          if (round.arrive()) ++met;
          --now_running;
        });
    for (int r = 0; r < kRounds; ++r)
      for (size_t k = 0; k < workers; ++k)
        ASSERT_EQ(d.submit(SessionKey::make(testing::numbered("k", k)).value(), int{r}),
                  SubmitResult::kAccepted);
    d.wait_idle();
    EXPECT_EQ(met.load(), static_cast<int>(workers) * kRounds) << workers << " workers";
    EXPECT_EQ(max_running.load(), static_cast<int>(workers));
    EXPECT_GT(max_running.load(), 1);
  }
}

}  // namespace
}  // namespace fixgate::ordering
