// Key strategies: which ordered flow a message belongs to. Every strategy is thread-safe and
// deterministic (same message, same key); nullopt means the message needs no ordering.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/ordering/clock.h"
#include "fixgate/ordering/key_extractor.h"
#include "fixgate/ordering/session_key.h"

namespace fixgate::ordering {

// The interface user strategies implement too. key_for() is called concurrently from many
// threads: implementations keep no mutable state (or guard it).
class KeyStrategy {
 public:
  virtual ~KeyStrategy() = default;
  virtual std::optional<SessionKey> key_for(const KeyExtractor& message) const = 0;
};

using StrategyPtr = std::shared_ptr<const KeyStrategy>;

// `prefix-value` (or `value` with no prefix) of one field; none if the field is missing or empty.
class SingleField final : public KeyStrategy {
 public:
  // Errors: an empty field name, or a prefix that is not a valid SessionKey.
  static Result<StrategyPtr> make(std::string field, std::string prefix = {});
  std::optional<SessionKey> key_for(const KeyExtractor& message) const override;

 private:
  SingleField(std::string field, std::string prefix)
      : field_(std::move(field)), prefix_(std::move(prefix)) {}
  std::string field_;
  std::string prefix_;
};

// The values of several fields joined by `separator`; none if any field is missing or empty.
class Composite final : public KeyStrategy {
 public:
  // Errors: no fields, an empty field name, or a separator that is not a valid SessionKey.
  static Result<StrategyPtr> make(std::vector<std::string> fields, std::string separator = "|");
  std::optional<SessionKey> key_for(const KeyExtractor& message) const override;

 private:
  Composite(std::vector<std::string> fields, std::string separator)
      : fields_(std::move(fields)), separator_(std::move(separator)) {}
  std::vector<std::string> fields_;
  std::string separator_;
};

// Never a key: every message may run on any worker, concurrently with any other.
class NoOrdering final : public KeyStrategy {
 public:
  static StrategyPtr make() { return std::make_shared<NoOrdering>(); }
  std::optional<SessionKey> key_for(const KeyExtractor&) const override { return std::nullopt; }
};

// The first strategy that gives a key, tried in order; none if none does.
class Fallback final : public KeyStrategy {
 public:
  // Errors: an empty list or a null strategy.
  static Result<StrategyPtr> make(std::vector<StrategyPtr> strategies);
  std::optional<SessionKey> key_for(const KeyExtractor& message) const override;

 private:
  explicit Fallback(std::vector<StrategyPtr> strategies) : strategies_(std::move(strategies)) {}
  std::vector<StrategyPtr> strategies_;
};

// `base-p<n>` with n = clock time / period, so one hot key becomes a new flow every period.
// Ordering holds within a period only: the last message of period n may run concurrently with
// the first of period n+1. Deterministic for a given message and clock reading.
class TimePartitioned final : public KeyStrategy {
 public:
  // Errors: a null base or clock, or a period that is not positive.
  static Result<StrategyPtr> make(StrategyPtr base, Duration period,
                                  std::shared_ptr<const Clock> clock = Clock::steady());
  std::optional<SessionKey> key_for(const KeyExtractor& message) const override;

 private:
  TimePartitioned(StrategyPtr base, Duration period, std::shared_ptr<const Clock> clock)
      : base_(std::move(base)), period_(period), clock_(std::move(clock)) {}
  StrategyPtr base_;
  Duration period_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace fixgate::ordering
