// Private to the dispatcher: a shard's table of key states and its idle ring. Both are flat
// arrays, so a lookup or an idle transition touches the key's own state and one array line,
// not a chain of nodes or a neighbour's state (the cost of 100,000 keys is cache misses).
#pragma once

#include <algorithm>
#include <bit>
#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fixgate::ordering::detail {

// Owns the states it holds. Open addressing, linear probing, load at most 1/2; erase shifts
// back, so there are no tombstones. The array shrinks when keys expire.
template <typename State>  // State has `std::string key` and `size_t hash`
class KeyTable {
 public:
  KeyTable() = default;
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;
  ~KeyTable() {
    for (const Slot& s : slots_) delete s.state;
  }

  size_t size() const { return size_; }

  State* find(std::string_view key, size_t hash) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = hash & mask();; i = (i + 1) & mask()) {
      const Slot& s = slots_[i];
      if (!s.state) return nullptr;
      if (s.hash == hash && s.state->key == key) return s.state;
    }
  }

  // Takes ownership of `state`, whose key is not in the table.
  void insert(State* state) {
    if ((size_ + 1) * 2 > slots_.size()) resize(std::max<size_t>(16, slots_.size() * 2));
    place(state);
    ++size_;
  }

  // Removes and destroys `state`, which is in the table.
  void erase(State* state) {
    size_t i = state->hash & mask();
    while (slots_[i].state != state) i = (i + 1) & mask();
    // Shift back the run after i: an entry may move to i unless its home lies in (i, j].
    for (size_t j = (i + 1) & mask(); slots_[j].state; j = (j + 1) & mask()) {
      size_t home = slots_[j].hash & mask();
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i] = Slot{};
    --size_;
    delete state;
    if (slots_.size() > 16 && size_ * 8 < slots_.size())
      resize(std::max<size_t>(16, slots_.size() / 4));
  }

  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.state && !f(*s.state)) return;
    }
  }

 private:
  struct Slot {
    size_t hash = 0;
    State* state = nullptr;
  };

  size_t mask() const { return slots_.size() - 1; }

  void place(State* state) {
    size_t i = state->hash & mask();
    while (slots_[i].state) i = (i + 1) & mask();
    slots_[i] = Slot{state->hash, state};
  }

  void resize(size_t n) {
    assert(std::has_single_bit(n) && n >= size_ * 2);
    std::vector<Slot> old(n);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.state) place(s.state);
    }
  }

  std::vector<Slot> slots_;  // size 0 or a power of two
  size_t size_ = 0;
};

// Keys in the order they went idle. A key that becomes active again is not removed (that
// would touch its neighbours): its entry goes stale, told apart by the stamp, and is dropped
// when it reaches the front or when stale entries outnumber live ones.
template <typename State>
class IdleRing {
 public:
  struct Entry {
    State* state = nullptr;
    uint64_t stamp = 0;
    // When it went idle: whether the front has expired is known without touching its state.
    std::chrono::steady_clock::time_point since{};
  };

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Entry& front() const { return buf_[head_]; }

  void push_back(Entry e) {
    if (size_ == buf_.size())
      rebuild(std::max<size_t>(16, buf_.size() * 2), [](const Entry&) { return true; });
    buf_[(head_ + size_) & (buf_.size() - 1)] = e;
    ++size_;
  }

  void pop_front() {
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
  }

  // Keeps, in order, the entries `live` accepts, in an array sized for them.
  template <typename Live>
  void compact(Live&& live) {
    size_t kept = 0;
    for (size_t i = 0; i < size_; ++i) kept += live(at(i)) ? 1 : 0;
    rebuild(std::max<size_t>(16, std::bit_ceil(kept * 2)), live);
  }

 private:
  const Entry& at(size_t i) const { return buf_[(head_ + i) & (buf_.size() - 1)]; }

  template <typename Live>
  void rebuild(size_t n, Live&& live) {
    std::vector<Entry> next(n);
    size_t kept = 0;
    for (size_t i = 0; i < size_; ++i) {
      if (live(at(i))) next[kept++] = at(i);
    }
    buf_.swap(next);
    head_ = 0;
    size_ = kept;
  }

  std::vector<Entry> buf_;  // size 0 or a power of two
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace fixgate::ordering::detail
