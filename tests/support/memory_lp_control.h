// Test support: an LpControl over an in-memory table of LPs that records every call it gets (reads
// too), and can be told to answer every change with a given outcome or to throw. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixgate/gateway/lp_control.h"

namespace fixgate::testing {

class MemoryLpControl : public gateway::LpControl {
 public:
  using Code = gateway::AdminOutcome::Code;
  struct Call {
    std::string op;  // "list", "find", "disable", …, "set_sequences", "kill_all"
    std::string provider;
    std::string actor;
    std::string reason;
    uint64_t next_sender = 0, next_target = 0;
    bool force = false;
  };

  void add(gateway::LpView view) {
    std::lock_guard lock(mutex_);
    lps_[view.provider] = std::move(view);
  }
  // Every change from now on answers `code` with `message` (kOk: back to normal behaviour).
  void answer_changes_with(Code code, std::string message) {
    std::lock_guard lock(mutex_);
    forced_ = {code, std::move(message)};
  }
  void throw_on_changes(bool on) {
    std::lock_guard lock(mutex_);
    throw_ = on;
  }
  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<Call> changes() const {  // calls() without the reads
    std::vector<Call> out;
    for (auto& c : calls())
      if (c.op != "list" && c.op != "find") out.push_back(c);
    return out;
  }
  gateway::LpView get(const std::string& provider) const {
    std::lock_guard lock(mutex_);
    return lps_.at(provider);
  }

  std::vector<gateway::LpView> list() const override {
    std::lock_guard lock(mutex_);
    calls_.push_back({"list", "", "", ""});
    std::vector<gateway::LpView> out;
    for (const auto& [name, view] : lps_) out.push_back(view);
    return out;
  }
  std::optional<gateway::LpView> find(std::string_view provider) const override {
    std::lock_guard lock(mutex_);
    calls_.push_back({"find", std::string(provider), "", ""});
    auto it = lps_.find(std::string(provider));
    if (it == lps_.end()) return std::nullopt;
    return it->second;
  }

  gateway::AdminOutcome disable(std::string_view p, const gateway::AdminRequest& r) override {
    return change("disable", p, r, [&](gateway::LpView& v) {
      v.enabled = false;
      v.status = gateway::LpStatus::kInactive;
      v.state = "disabled";
      v.status_reason = r.reason;
    });
  }
  gateway::AdminOutcome enable(std::string_view p, const gateway::AdminRequest& r) override {
    return change("enable", p, r, [&](gateway::LpView& v) {
      v.enabled = true;
      v.state = "connecting";
      v.status_reason = "";
    });
  }
  gateway::AdminOutcome kill_all(const gateway::AdminRequest& r) override {
    std::lock_guard lock(mutex_);
    calls_.push_back({"kill_all", "*", r.actor, r.reason});
    if (auto early = forced_or_throw()) return *early;
    for (auto& [name, v] : lps_) {
      v.enabled = false;
      v.status = gateway::LpStatus::kInactive;
    }
    return gateway::AdminOutcome::done(std::to_string(lps_.size()) + " LPs disabled");
  }
  gateway::AdminOutcome logon(std::string_view p, const gateway::AdminRequest& r) override {
    return change("logon", p, r, [](gateway::LpView&) {});
  }
  gateway::AdminOutcome logout(std::string_view p, const gateway::AdminRequest& r) override {
    return change("logout", p, r, [](gateway::LpView&) {});
  }
  gateway::AdminOutcome disconnect(std::string_view p, const gateway::AdminRequest& r) override {
    return change("disconnect", p, r, [](gateway::LpView&) {});
  }
  gateway::AdminOutcome test_request(std::string_view p, const gateway::AdminRequest& r) override {
    return change("test_request", p, r, [](gateway::LpView&) {});
  }
  gateway::AdminOutcome reset_sequences(std::string_view p,
                                        const gateway::AdminRequest& r) override {
    return change("reset_sequences", p, r, [](gateway::LpView& v) {
      v.next_sender_seq = 1;
      v.next_target_seq = 1;
    });
  }
  gateway::AdminOutcome set_sequences(std::string_view p, uint64_t next_sender,
                                      uint64_t next_target, bool force,
                                      const gateway::AdminRequest& r) override {
    std::lock_guard lock(mutex_);
    calls_.push_back(
        {"set_sequences", std::string(p), r.actor, r.reason, next_sender, next_target, force});
    if (auto early = forced_or_throw()) return *early;
    auto it = lps_.find(std::string(p));
    if (it == lps_.end()) return {Code::kNotFound, "no LP named " + std::string(p)};
    if (it->second.status == gateway::LpStatus::kActive && !force)
      return {Code::kConflict, "logged on: log out first, or force"};
    if (next_sender) it->second.next_sender_seq = next_sender;
    if (next_target) it->second.next_target_seq = next_target;
    return gateway::AdminOutcome::done("sequences set");
  }

 private:
  std::optional<gateway::AdminOutcome> forced_or_throw() {
    if (throw_) throw std::runtime_error("the control blew up");
    if (forced_.code != Code::kOk) return forced_;
    return std::nullopt;
  }
  template <typename F>
  gateway::AdminOutcome change(const char* op, std::string_view p, const gateway::AdminRequest& r,
                               F apply) {
    std::lock_guard lock(mutex_);
    calls_.push_back({op, std::string(p), r.actor, r.reason});
    if (auto early = forced_or_throw()) return *early;
    auto it = lps_.find(std::string(p));
    if (it == lps_.end()) return {Code::kNotFound, "no LP named " + std::string(p)};
    apply(it->second);
    return gateway::AdminOutcome::done(std::string(op) + " " + std::string(p) + ": done");
  }

  mutable std::mutex mutex_;
  std::map<std::string, gateway::LpView> lps_;
  mutable std::vector<Call> calls_;
  gateway::AdminOutcome forced_;
  bool throw_ = false;
};

}  // namespace fixgate::testing
