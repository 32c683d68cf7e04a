// KeyedDispatcher behaviour, one rule per test: ordering, concurrency, capacity policies, retry
// and dead letters, stalls, idle expiry, snapshots and drain policies. A ManualClock stands in
// for time; gates and rendezvous (test_sync.h) stand in for sleeps.
#include "fixgate/ordering/keyed_dispatcher.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_sync.h"

namespace fixgate::ordering {
namespace {

using testing::eventually;
using testing::Gate;
using testing::Rendezvous;
using namespace std::chrono_literals;

SessionKey key(std::string_view k) { return SessionKey::make(k).value(); }

DispatcherOptions options(size_t workers, std::shared_ptr<ManualClock> clock = nullptr) {
  DispatcherOptions o;
  o.workers = workers;
  o.capacity = 1024;
  o.monitor_interval = Duration::zero();  // tests call check_stalls / expire_idle themselves
  o.retry.initial_backoff = 1us;
  o.retry.max_backoff = 10us;
  if (clock) o.clock = clock;
  return o;
}

// Records what ran, in order, from any worker.
struct Log {
  std::mutex mu;
  std::vector<std::string> entries;
  void add(std::string_view key, const std::string& msg) {
    std::lock_guard lk(mu);
    entries.push_back(std::string(key) + ":" + msg);
  }
  std::vector<std::string> get() {
    std::lock_guard lk(mu);
    return entries;
  }
};

TEST(KeyedDispatcherTest, RunsOneKeysMessagesInArrivalOrder) {
  Log log;
  KeyedDispatcher<std::string> d(options(4),
                                 [&](std::string_view k, std::string& m) { log.add(k, m); });
  std::vector<std::string> expected;
  for (int i = 0; i < 500; ++i) {
    ASSERT_EQ(d.submit(key("A"), std::to_string(i)), SubmitResult::kAccepted);
    expected.push_back(testing::numbered("A:", i));
  }
  d.wait_idle();
  EXPECT_EQ(log.get(), expected);
  EXPECT_EQ(d.stats().processed, 500u);
}

TEST(KeyedDispatcherTest, RunsDifferentKeysConcurrently) {
  constexpr size_t kWorkers = 4;
  Rendezvous all(kWorkers);
  std::atomic<int> met{0};
  KeyedDispatcher<int> d(options(kWorkers), [&](std::string_view, int&) {
    if (all.arrive()) ++met;
  });
  for (size_t i = 0; i < kWorkers; ++i)
    ASSERT_EQ(d.submit(key(testing::numbered("K", i)), 0), SubmitResult::kAccepted);
  d.wait_idle();
  EXPECT_EQ(met.load(), int{kWorkers});  // all four handlers were running at the same time
}

TEST(KeyedDispatcherTest, RunsKeylessMessagesOnAnyFreeWorker) {
  constexpr size_t kWorkers = 3;
  Rendezvous all(kWorkers);
  std::atomic<int> met{0};
  KeyedDispatcher<int> d(options(kWorkers), [&](std::string_view k, int&) {
    EXPECT_TRUE(k.empty());
    if (all.arrive()) ++met;
  });
  for (size_t i = 0; i < kWorkers; ++i)
    ASSERT_EQ(d.submit(std::nullopt, 0), SubmitResult::kAccepted);
  d.wait_idle();
  EXPECT_EQ(met.load(), int{kWorkers});
}

TEST(KeyedDispatcherTest, NeverRunsOneKeyOnTwoWorkersWhileOthersWait) {
  // Two keys, two workers: B's handler can meet A's first, but A's second message must wait
  // until A's first has finished even though a worker is free.
  Gate release_a1;
  Gate a1_started;
  Log log;
  KeyedDispatcher<std::string> d(options(2), [&](std::string_view k, std::string& m) {
    if (m == "a1") {
      a1_started.open();
      ASSERT_TRUE(release_a1.wait());
    }
    log.add(k, m);
  });
  ASSERT_EQ(d.submit(key("A"), "a1"), SubmitResult::kAccepted);
  ASSERT_TRUE(a1_started.wait());
  ASSERT_EQ(d.submit(key("A"), "a2"), SubmitResult::kAccepted);
  ASSERT_EQ(d.submit(key("B"), "b1"), SubmitResult::kAccepted);
  ASSERT_TRUE(eventually([&] { return d.stats().processed == 1; }));  // b1 ran; a2 did not
  EXPECT_EQ(log.get(), std::vector<std::string>{"B:b1"});
  release_a1.open();
  d.wait_idle();
  EXPECT_EQ(log.get(), (std::vector<std::string>{"B:b1", "A:a1", "A:a2"}));
}

// One worker held by a gate; capacity 2 behind it.
struct Held {
  Gate started;
  Gate release;
  Log log;
  KeyedDispatcher<std::string> d;
  explicit Held(DispatcherOptions o)
      : d(std::move(o), [this](std::string_view k, std::string& m) {
          if (m == "first") {
            started.open();
            EXPECT_TRUE(release.wait());
          }
          log.add(k, m);
        }) {
    EXPECT_EQ(d.submit(key("A"), "first"), SubmitResult::kAccepted);
    EXPECT_TRUE(started.wait());
  }
  ~Held() { release.open(); }
};

DispatcherOptions held_options(FullPolicy policy) {
  DispatcherOptions o = options(1);
  o.capacity = 2;
  o.when_full = policy;
  return o;
}

TEST(KeyedDispatcherTest, RefusesWhenFullAndLeavesTheMessageWithTheCaller) {
  Held h(held_options(FullPolicy::kRefuse));
  ASSERT_EQ(h.d.submit(key("A"), "2"), SubmitResult::kAccepted);
  ASSERT_EQ(h.d.submit(std::nullopt, "3"), SubmitResult::kAccepted);
  std::string refused = "4";
  EXPECT_EQ(h.d.submit(key("B"), std::move(refused)), SubmitResult::kFull);
  EXPECT_EQ(refused, "4");  // not moved from
  EXPECT_EQ(h.d.stats().refused, 1u);
  EXPECT_EQ(h.d.stats().queued, 2u);
  h.release.open();
  h.d.wait_idle();
  // The keyless message overtakes A:2, which had to wait for A:first to finish.
  EXPECT_EQ(h.log.get(), (std::vector<std::string>{"A:first", ":3", "A:2"}));
}

TEST(KeyedDispatcherTest, TrySubmitNeverBlocksEvenUnderBlockPolicy) {
  Held h(held_options(FullPolicy::kBlock));
  ASSERT_EQ(h.d.submit(key("A"), "2"), SubmitResult::kAccepted);
  ASSERT_EQ(h.d.submit(key("A"), "3"), SubmitResult::kAccepted);
  EXPECT_EQ(h.d.try_submit(key("A"), "4"), SubmitResult::kFull);
}

TEST(KeyedDispatcherTest, BlocksTheProducerWhenFullUntilThereIsRoom) {
  Held h(held_options(FullPolicy::kBlock));
  ASSERT_EQ(h.d.submit(key("A"), "2"), SubmitResult::kAccepted);
  ASSERT_EQ(h.d.submit(key("A"), "3"), SubmitResult::kAccepted);
  auto blocked = std::async(std::launch::async, [&] { return h.d.submit(key("A"), "4"); });
  ASSERT_TRUE(eventually([&] { return h.d.stats().waiting_producers == 1; }));
  EXPECT_EQ(blocked.wait_for(0s), std::future_status::timeout);
  EXPECT_EQ(h.d.stats().queued, 2u);  // never above capacity
  h.release.open();
  EXPECT_EQ(blocked.get(), SubmitResult::kAccepted);
  h.d.wait_idle();
  EXPECT_EQ(h.log.get(), (std::vector<std::string>{"A:first", "A:2", "A:3", "A:4"}));
}

TEST(KeyedDispatcherTest, BlockedProducerWakesWithStoppedOnShutdown) {
  Held h(held_options(FullPolicy::kBlock));
  ASSERT_EQ(h.d.submit(key("A"), "2"), SubmitResult::kAccepted);
  ASSERT_EQ(h.d.submit(key("A"), "3"), SubmitResult::kAccepted);
  auto blocked = std::async(std::launch::async, [&] { return h.d.submit(key("A"), "4"); });
  ASSERT_TRUE(eventually([&] { return h.d.stats().waiting_producers == 1; }));
  auto back = h.d.stop(DrainPolicy::kHandBack);
  EXPECT_EQ(blocked.get(), SubmitResult::kStopped);
  EXPECT_EQ(back.size(), 2u);
  EXPECT_EQ(h.d.submit(key("A"), "5"), SubmitResult::kStopped);
  h.release.open();
  h.d.join();
}

TEST(KeyedDispatcherTest, RetriesAThrowingHandlerThenSucceeds) {
  std::atomic<int> calls{0};
  bool dead = false;
  KeyedDispatcher<int> d(
      options(2),
      [&](std::string_view, int&) {
        if (++calls <= 2) throw std::runtime_error("transient");
      },
      [&](DeadLetter<int>&&) { dead = true; });
  ASSERT_EQ(d.submit(key("A"), 1), SubmitResult::kAccepted);
  d.wait_idle();
  EXPECT_EQ(calls.load(), 3);
  EXPECT_FALSE(dead);
  EXPECT_EQ(d.stats().retries, 2u);
  EXPECT_EQ(d.stats().failed, 0u);
  EXPECT_EQ(d.key_stats("A")->processed, 1u);
}

TEST(KeyedDispatcherTest, DeadLettersAfterRetriesAndContinuesWithTheKeysNextMessage) {
  Log log;
  std::mutex mu;
  std::vector<DeadLetter<std::string>> dead;
  DispatcherOptions o = options(3);
  o.retry.max_retries = 2;
  KeyedDispatcher<std::string> d(
      o,
      [&](std::string_view k, std::string& m) {
        if (m == "poison") throw std::runtime_error("cannot handle " + m);
        log.add(k, m);
      },
      [&](DeadLetter<std::string>&& letter) {
        std::lock_guard lk(mu);
        dead.push_back(std::move(letter));
      });
  for (const char* m : {"1", "poison", "3"})
    ASSERT_EQ(d.submit(key("K"), m), SubmitResult::kAccepted);
  d.wait_idle();
  EXPECT_EQ(log.get(), (std::vector<std::string>{"K:1", "K:3"}));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].key, "K");
  EXPECT_EQ(dead[0].message, "poison");
  EXPECT_EQ(dead[0].attempts, 3u);
  try {
    std::rethrow_exception(dead[0].error);
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "cannot handle poison");
  }
  DispatcherStats s = d.stats();
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.retries, 2u);
  EXPECT_EQ(s.processed, 3u);
  EXPECT_EQ(d.key_stats("K")->failed, 1u);
  EXPECT_EQ(d.key_stats("K")->processed, 3u);
}

TEST(KeyedDispatcherTest, CountsDeadLettersWithoutCallbackAndCallbackFailures) {
  DispatcherOptions o = options(1);
  o.retry.max_retries = 0;
  KeyedDispatcher<int> dropped(o, [](std::string_view, int&) { throw 42; });
  ASSERT_EQ(dropped.submit(std::nullopt, 1), SubmitResult::kAccepted);
  dropped.wait_idle();
  EXPECT_EQ(dropped.stats().failed, 1u);

  KeyedDispatcher<int> failing(
      o, [](std::string_view, int&) { throw 42; },
      [](DeadLetter<int>&&) { throw std::runtime_error("dead-letter store down"); });
  ASSERT_EQ(failing.submit(key("A"), 1), SubmitResult::kAccepted);
  ASSERT_EQ(failing.submit(key("A"), 2), SubmitResult::kAccepted);
  failing.wait_idle();
  EXPECT_EQ(failing.stats().failed, 2u);
  EXPECT_EQ(failing.stats().dead_letter_errors, 2u);
}

TEST(KeyedDispatcherTest, ReportsAStalledHandlerOnce) {
  auto clock = std::make_shared<ManualClock>(1h);
  DispatcherOptions o = options(2, clock);
  o.stall_threshold = 5s;
  Gate started;
  Gate release;
  std::vector<StallReport> reports;  // written by check_stalls on this thread
  KeyedDispatcher<int> d(
      o,
      [&](std::string_view, int&) {
        started.open();
        EXPECT_TRUE(release.wait());
      },
      {}, [&](const StallReport& r) { reports.push_back(r); });
  TimePoint t0 = clock->now();
  ASSERT_EQ(d.submit(key("slow"), 1), SubmitResult::kAccepted);
  ASSERT_TRUE(started.wait());
  EXPECT_EQ(d.key_stats("slow")->running_since, t0);
  EXPECT_EQ(d.check_stalls(t0 + 4s), 0u);
  EXPECT_EQ(d.check_stalls(t0 + 5s), 1u);
  EXPECT_EQ(d.check_stalls(t0 + 60s), 0u);  // once per run
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].key, "slow");
  EXPECT_EQ(reports[0].started, t0);
  EXPECT_EQ(reports[0].running_for, 5s);
  EXPECT_EQ(d.stats().stalls, 1u);
  release.open();
  d.wait_idle();
  EXPECT_EQ(d.key_stats("slow")->running_since, std::nullopt);
}

TEST(KeyedDispatcherTest, MonitorThreadReportsStallsOnItsOwn) {
  auto clock = std::make_shared<ManualClock>(1h);
  DispatcherOptions o = options(1, clock);
  o.stall_threshold = 5s;
  o.monitor_interval = 1ms;  // pacing only: the reported time comes from the manual clock
  Gate started;
  Gate release;
  std::promise<StallReport> reported;
  KeyedDispatcher<int> d(
      o,
      [&](std::string_view, int&) {
        started.open();
        EXPECT_TRUE(release.wait());
      },
      {}, [&](const StallReport& r) { reported.set_value(r); });
  ASSERT_EQ(d.submit(std::nullopt, 1), SubmitResult::kAccepted);
  ASSERT_TRUE(started.wait());
  clock->advance(6s);
  auto report = reported.get_future();
  ASSERT_EQ(report.wait_for(testing::kDeadline), std::future_status::ready);
  EXPECT_EQ(report.get().key, "");
  release.open();
}

TEST(KeyedDispatcherTest, ExpiresIdleKeysAfterTheTimeout) {
  auto clock = std::make_shared<ManualClock>(1h);
  DispatcherOptions o = options(2, clock);
  o.idle_timeout = 10s;
  KeyedDispatcher<int> d(o, [](std::string_view, int&) {});
  ASSERT_EQ(d.submit(key("A"), 1), SubmitResult::kAccepted);
  ASSERT_EQ(d.submit(key("B"), 1), SubmitResult::kAccepted);
  d.wait_idle();
  clock->advance(5s);
  ASSERT_EQ(d.submit(key("C"), 1), SubmitResult::kAccepted);
  d.wait_idle();
  EXPECT_EQ(d.stats().tracked_keys, 3u);
  EXPECT_EQ(d.expire_idle(clock->now()), 0u);
  clock->advance(6s);
  EXPECT_EQ(d.expire_idle(clock->now()), 2u);
  EXPECT_EQ(d.key_stats("A"), std::nullopt);
  EXPECT_EQ(d.key_stats("B"), std::nullopt);
  ASSERT_NE(d.key_stats("C"), std::nullopt);
  EXPECT_EQ(d.stats().tracked_keys, 1u);
  EXPECT_EQ(d.stats().expired_keys, 2u);
  // An expired key comes back as a new key on its next message.
  ASSERT_EQ(d.submit(key("A"), 2), SubmitResult::kAccepted);
  d.wait_idle();
  EXPECT_EQ(d.key_stats("A")->processed, 1u);
}

TEST(KeyedDispatcherTest, NeverExpiresAKeyWithWorkRunningOrQueued) {
  auto clock = std::make_shared<ManualClock>(1h);
  DispatcherOptions o = options(1, clock);
  o.idle_timeout = 1s;
  Gate started;
  Gate release;
  KeyedDispatcher<int> d(o, [&](std::string_view, int&) {
    started.open();
    EXPECT_TRUE(release.wait());
  });
  ASSERT_EQ(d.submit(key("A"), 1), SubmitResult::kAccepted);
  ASSERT_EQ(d.submit(key("A"), 2), SubmitResult::kAccepted);
  ASSERT_TRUE(started.wait());
  clock->advance(1h);
  EXPECT_EQ(d.expire_idle(clock->now()), 0u);
  release.open();
  d.wait_idle();
  EXPECT_EQ(d.key_stats("A")->processed, 2u);
}

TEST(KeyedDispatcherTest, BoundsIdleKeysByCountForgettingTheLeastRecentFirst) {
  DispatcherOptions o = options(1);
  o.max_idle_keys = 3;
  KeyedDispatcher<int> d(o, [](std::string_view, int&) {});
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(d.submit(key(testing::numbered("K", i)), int{i}), SubmitResult::kAccepted);
  d.wait_idle();
  EXPECT_EQ(d.stats().tracked_keys, 3u);
  EXPECT_EQ(d.stats().expired_keys, 7u);
  for (const char* k : {"K7", "K8", "K9"}) EXPECT_NE(d.key_stats(k), std::nullopt) << k;
  EXPECT_EQ(d.key_stats("K6"), std::nullopt);
}

TEST(KeyedDispatcherTest, SnapshotsActiveKeysWithQueuedCountsAndRunningStart) {
  auto clock = std::make_shared<ManualClock>(1h);
  Gate started;
  Gate release;
  KeyedDispatcher<std::string> d(options(1, clock), [&](std::string_view, std::string& m) {
    if (m != "a1") return;
    started.open();
    EXPECT_TRUE(release.wait());
  });
  ASSERT_EQ(d.submit(key("A"), "a1"), SubmitResult::kAccepted);
  ASSERT_TRUE(started.wait());
  clock->advance(2s);
  for (const char* m : {"a2", "a3"}) ASSERT_EQ(d.submit(key("A"), m), SubmitResult::kAccepted);
  ASSERT_EQ(d.submit(key("B"), "b1"), SubmitResult::kAccepted);
  ASSERT_EQ(d.submit(std::nullopt, "x"), SubmitResult::kAccepted);

  DispatcherStats s = d.stats();
  EXPECT_EQ(s.active_keys, 2u);
  EXPECT_EQ(s.queued, 4u);
  EXPECT_EQ(s.running, 1u);
  EXPECT_EQ(s.submitted, 5u);
  auto active = d.active_keys();
  ASSERT_EQ(active.size(), 2u);
  std::sort(active.begin(), active.end(),
            [](const KeyStats& x, const KeyStats& y) { return x.key < y.key; });
  EXPECT_EQ(active[0].key, "A");
  EXPECT_EQ(active[0].queued, 2u);
  EXPECT_EQ(active[0].running_since, clock->now() - 2s);
  EXPECT_EQ(active[0].last_activity, clock->now());
  EXPECT_EQ(active[1].key, "B");
  EXPECT_EQ(active[1].queued, 1u);
  EXPECT_EQ(active[1].running_since, std::nullopt);
  EXPECT_EQ(d.active_keys(1).size(), 1u);
  release.open();
  d.wait_idle();
  EXPECT_TRUE(d.active_keys().empty());
  EXPECT_EQ(d.stats().active_keys, 0u);
  EXPECT_EQ(d.stats().tracked_keys, 2u);  // idle, not yet expired
}

TEST(KeyedDispatcherTest, FinishQueuedDrainRunsEverythingThenRefusesMore) {
  Held h(held_options(FullPolicy::kBlock));
  ASSERT_EQ(h.d.submit(key("A"), "2"), SubmitResult::kAccepted);
  ASSERT_EQ(h.d.submit(key("B"), "3"), SubmitResult::kAccepted);
  EXPECT_TRUE(h.d.stop(DrainPolicy::kFinishQueued).empty());
  EXPECT_EQ(h.d.submit(key("C"), "4"), SubmitResult::kStopped);
  EXPECT_FALSE(h.d.stats().accepting);
  h.release.open();
  h.d.join();
  auto log = h.log.get();
  std::sort(log.begin(), log.end());
  EXPECT_EQ(log, (std::vector<std::string>{"A:2", "A:first", "B:3"}));
}

TEST(KeyedDispatcherTest, HandBackDrainReturnsQueuedMessagesInArrivalOrder) {
  DispatcherOptions o = held_options(FullPolicy::kBlock);
  o.capacity = 16;
  Held h(o);
  ASSERT_EQ(h.d.submit(key("B"), "b1"), SubmitResult::kAccepted);
  ASSERT_EQ(h.d.submit(key("A"), "a2"), SubmitResult::kAccepted);
  ASSERT_EQ(h.d.submit(std::nullopt, "x"), SubmitResult::kAccepted);
  ASSERT_EQ(h.d.submit(key("B"), "b2"), SubmitResult::kAccepted);
  auto back = h.d.stop(DrainPolicy::kHandBack);
  h.release.open();
  h.d.join();
  ASSERT_EQ(back.size(), 4u);
  std::vector<std::string> got;
  for (auto& p : back) got.push_back((p.key ? p.key->str() : "") + ":" + p.message);
  EXPECT_EQ(got, (std::vector<std::string>{"B:b1", "A:a2", ":x", "B:b2"}));
  EXPECT_EQ(h.log.get(), std::vector<std::string>{"A:first"});
  DispatcherStats s = h.d.stats();
  EXPECT_EQ(s.queued, 0u);
  EXPECT_EQ(s.processed, 1u);
  EXPECT_EQ(s.active_keys, 0u);
}

TEST(KeyedDispatcherTest, DestructorFinishesQueuedMessagesAndShutdownIsIdempotent) {
  std::atomic<int> ran{0};
  {
    KeyedDispatcher<int> d(options(2), [&](std::string_view, int&) { ++ran; });
    for (int i = 0; i < 100; ++i)
      ASSERT_EQ(d.submit(key(testing::numbered("K", i % 7)), int{i}), SubmitResult::kAccepted);
  }
  EXPECT_EQ(ran.load(), 100);
  KeyedDispatcher<int> d(options(1), [](std::string_view, int&) {});
  EXPECT_TRUE(d.shutdown(DrainPolicy::kHandBack).empty());
  EXPECT_TRUE(d.shutdown(DrainPolicy::kFinishQueued).empty());
}

TEST(DispatcherOptionsTest, ValidationSaysWhatIsWrong) {
  EXPECT_TRUE(DispatcherOptions().validate().is_ok());
  DispatcherOptions o;
  o.workers = 0;
  EXPECT_NE(o.validate().message().find("workers"), std::string::npos);
  o = DispatcherOptions();
  o.capacity = 0;
  EXPECT_NE(o.validate().message().find("capacity"), std::string::npos);
  o = DispatcherOptions();
  o.clock = nullptr;
  EXPECT_NE(o.validate().message().find("clock"), std::string::npos);
  o = DispatcherOptions();
  o.idle_timeout = -1s;
  EXPECT_NE(o.validate().message().find("negative"), std::string::npos);
  o = DispatcherOptions();
  o.idle_spin = -1us;
  EXPECT_NE(o.validate().message().find("negative"), std::string::npos);
}

TEST(KeyedDispatcherTest, CreateRefusesOptionsThatCannotWork) {
  DispatcherOptions o = options(0);
  auto d = KeyedDispatcher<int>::create(o, [](std::string_view, int&) {});
  ASSERT_FALSE(d.is_ok());
  EXPECT_NE(d.error().find("workers"), std::string::npos);
  auto ok = KeyedDispatcher<int>::create(options(1), [](std::string_view, int&) {});
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ((*ok)->submit(std::nullopt, 1), SubmitResult::kAccepted);
}

TEST(RetryPolicyTest, BackoffGrowsGeometricallyUpToTheCap) {
  RetryPolicy r;
  r.initial_backoff = 1ms;
  r.multiplier = 2;
  r.max_backoff = 5ms;
  EXPECT_EQ(r.backoff(0), 1ms);
  EXPECT_EQ(r.backoff(1), 2ms);
  EXPECT_EQ(r.backoff(2), 4ms);
  EXPECT_EQ(r.backoff(3), 5ms);
  EXPECT_EQ(r.backoff(60), 5ms);
}

TEST(SubmitResultTest, HasReadableNames) {
  EXPECT_EQ(to_string(SubmitResult::kAccepted), "accepted");
  EXPECT_EQ(to_string(SubmitResult::kFull), "refused: queue full");
  EXPECT_EQ(to_string(SubmitResult::kStopped), "refused: dispatcher stopped");
}

}  // namespace
}  // namespace fixgate::ordering
