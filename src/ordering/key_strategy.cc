// The built-in key strategies and the validation of their configuration.
#include "fixgate/ordering/key_strategy.h"

#include <cassert>

namespace fixgate::ordering {
namespace {

// A field's value, treating an empty value like a missing one: an empty key names no flow.
std::optional<std::string> non_empty(const KeyExtractor& message, const std::string& field) {
  std::optional<std::string> v = message.metadata(field);
  if (v && v->empty()) return std::nullopt;
  return v;
}

Status check_part(std::string_view what, std::string_view text) {
  Status s = SessionKey::validate(text);
  if (!s.is_ok()) return Status::error(std::string(what) + ": " + s.message());
  return s;
}

}  // namespace

Result<StrategyPtr> SingleField::make(std::string field, std::string prefix) {
  if (field.empty()) return Status::error("SingleField: empty field name");
  if (!prefix.empty()) {
    Status s = check_part("SingleField prefix", prefix);
    if (!s.is_ok()) return s;
  }
  return StrategyPtr(new SingleField(std::move(field), std::move(prefix)));
}

std::optional<SessionKey> SingleField::key_for(const KeyExtractor& message) const {
  std::optional<std::string> value = non_empty(message, field_);
  if (!value) return std::nullopt;
  if (prefix_.empty()) return SessionKey::encode(*value);
  return SessionKey::encode(prefix_ + "-" + *value);
}

Result<StrategyPtr> Composite::make(std::vector<std::string> fields, std::string separator) {
  if (fields.empty()) return Status::error("Composite: no fields");
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].empty()) {
      return Status::error("Composite: field " + std::to_string(i) + " has an empty name");
    }
  }
  Status s = check_part("Composite separator", separator);
  if (!s.is_ok()) return s;
  return StrategyPtr(new Composite(std::move(fields), std::move(separator)));
}

std::optional<SessionKey> Composite::key_for(const KeyExtractor& message) const {
  std::string joined;
  for (size_t i = 0; i < fields_.size(); ++i) {
    std::optional<std::string> value = non_empty(message, fields_[i]);
    if (!value) return std::nullopt;
    if (i > 0) joined += separator_;
    joined += *value;
  }
  return SessionKey::encode(joined);
}

Result<StrategyPtr> Fallback::make(std::vector<StrategyPtr> strategies) {
  if (strategies.empty()) return Status::error("Fallback: no strategies");
  for (size_t i = 0; i < strategies.size(); ++i) {
    if (!strategies[i]) {
      return Status::error("Fallback: strategy " + std::to_string(i) + " is null");
    }
  }
  return StrategyPtr(new Fallback(std::move(strategies)));
}

std::optional<SessionKey> Fallback::key_for(const KeyExtractor& message) const {
  for (const StrategyPtr& s : strategies_) {
    if (auto key = s->key_for(message)) return key;
  }
  return std::nullopt;
}

Result<StrategyPtr> TimePartitioned::make(StrategyPtr base, Duration period,
                                          std::shared_ptr<const Clock> clock) {
  if (!base) return Status::error("TimePartitioned: null base strategy");
  if (!clock) return Status::error("TimePartitioned: null clock");
  if (period <= Duration::zero()) return Status::error("TimePartitioned: period must be positive");
  return StrategyPtr(new TimePartitioned(std::move(base), period, std::move(clock)));
}

std::optional<SessionKey> TimePartitioned::key_for(const KeyExtractor& message) const {
  std::optional<SessionKey> base = base_->key_for(message);
  if (!base) return std::nullopt;
  auto since_epoch = clock_->now().time_since_epoch();
  // Floor division: a clock before its epoch still maps each instant to exactly one period.
  auto n = since_epoch / period_;
  if (since_epoch % period_ < Duration::zero()) --n;
  return SessionKey::encode(std::move(*base).release() + "-p" + std::to_string(n));
}

}  // namespace fixgate::ordering
