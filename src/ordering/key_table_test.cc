// The dispatcher's flat key table and idle ring: random operations checked against the
// standard containers, including the backward-shift erase across the array's wrap-around.
#include "key_table.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "test_sync.h"

namespace fixgate::ordering::detail {
namespace {

struct State {
  std::string key;
  size_t hash = 0;
  bool live = true;
  uint64_t stamp = 0;
};

State* make_state(const std::string& key, size_t hash) { return new State{key, hash, true, 0}; }

// Few distinct hashes, so probe runs are long and erase must shift entries back; keys starting
// with 'w' hash to the last slots, so their runs wrap around the end of the array.
size_t clustered_hash(const std::string& key) {
  if (key[0] == 'w') return ~size_t{0} - key.size() % 2;
  return std::hash<std::string>()(key) % 64 * 0x9e3779b97f4a7c15ull;
}

TEST(KeyTableTest, MatchesAnUnorderedMapUnderRandomInsertsAndErases) {
  std::mt19937 rng(7);
  KeyTable<State> table;
  std::unordered_map<std::string, State*> model;
  for (int step = 0; step < 200'000; ++step) {
    std::string key = testing::numbered(rng() % 8 == 0 ? "w" : "k", rng() % 5000);
    size_t hash = clustered_hash(key);
    State* found = table.find(key, hash);
    auto it = model.find(key);
    ASSERT_EQ(found, it == model.end() ? nullptr : it->second) << key;
    if (it == model.end()) {
      State* s = make_state(key, hash);
      table.insert(s);
      model.emplace(key, s);
    } else if (rng() % 2 == 0) {
      table.erase(it->second);
      model.erase(it);
    }
    ASSERT_EQ(table.size(), model.size());
  }
  for (auto& [key, s] : model) ASSERT_EQ(table.find(key, s->hash), s);
  // Erasing everything shrinks the array and leaves nothing behind.
  for (auto& [key, s] : model) table.erase(s);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.find("k1", clustered_hash("k1")), nullptr);
}

TEST(KeyTableTest, VisitsEveryStateUntilTheVisitorStops) {
  KeyTable<State> table;
  for (int i = 0; i < 100; ++i) {
    std::string key = testing::numbered("k", static_cast<size_t>(i));
    table.insert(make_state(key, std::hash<std::string>()(key)));
  }
  int seen = 0;
  table.for_each([&](const State&) { return ++seen < 1000; });
  EXPECT_EQ(seen, 100);
  seen = 0;
  table.for_each([&](const State&) { return ++seen < 10; });
  EXPECT_EQ(seen, 10);
}

TEST(IdleRingTest, KeepsOrderThroughGrowthWrapAndCompaction) {
  std::vector<State> states(1000);
  IdleRing<State> ring;
  std::deque<IdleRing<State>::Entry> model;
  std::mt19937 rng(3);
  uint64_t stamp = 0;
  auto live = [](const IdleRing<State>::Entry& e) { return e.state->live; };
  for (int step = 0; step < 100'000; ++step) {
    switch (rng() % 4) {
      case 0:
      case 1: {
        State& s = states[rng() % states.size()];
        s.live = true;
        IdleRing<State>::Entry e{&s, ++stamp};
        ring.push_back(e);
        model.push_back(e);
        break;
      }
      case 2:
        if (!model.empty()) {
          ring.pop_front();
          model.pop_front();
        }
        break;
      default:
        if (step % 97 == 0) {
          for (State& s : states) s.live = rng() % 2 == 0;
          ring.compact(live);
          std::erase_if(model, [&](const auto& e) { return !live(e); });
        }
    }
    ASSERT_EQ(ring.size(), model.size());
    if (!model.empty()) {
      ASSERT_EQ(ring.front().state, model.front().state);
      ASSERT_EQ(ring.front().stamp, model.front().stamp);
    }
  }
}

}  // namespace
}  // namespace fixgate::ordering::detail
