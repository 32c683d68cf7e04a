// Test support: an LpControl over an in-memory table of LPs that records every call it gets (reads
// too), and can be told to answer every change with a given outcome or to throw. Status events,
// audit records and message logs are what the test adds; reads can be told to fail. Thread-safe.
#pragma once

#include <algorithm>
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
      if (c.op != "list" && c.op != "find" && c.op != "status_events" && c.op != "audit_log" &&
          c.op != "message_log")
        out.push_back(c);
    return out;
  }
  // A status change of `provider` (kept in the order added; status_events sorts newest first).
  void add_event(const std::string& provider, gateway::LpStatusEvent e) {
    std::lock_guard lock(mutex_);
    events_[provider].push_back(std::move(e));
  }
  void add_audit(gateway::AuditRecord r) {
    std::lock_guard lock(mutex_);
    audit_.push_back(std::move(r));
  }
  void set_message_log(const std::string& provider, gateway::LpMessageLog log) {
    std::lock_guard lock(mutex_);
    logs_[provider] = std::move(log);
  }
  // Every database read (status_events, audit_log) fails with `message` ("" : back to normal).
  void fail_reads_with(std::string message) {
    std::lock_guard lock(mutex_);
    read_failure_ = std::move(message);
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

  Result<std::vector<gateway::LpStatusEvent>> status_events(
      std::string_view provider, size_t limit,
      std::optional<gateway::SystemTime> since) const override {
    std::lock_guard lock(mutex_);
    calls_.push_back({"status_events", std::string(provider), "", ""});
    if (!read_failure_.empty()) return Status::error(read_failure_);
    std::vector<gateway::LpStatusEvent> all;
    if (auto it = events_.find(std::string(provider)); it != events_.end()) all = it->second;
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.at > b.at; });
    std::vector<gateway::LpStatusEvent> out;
    bool before_taken = false;
    for (const auto& e : all) {
      if (out.size() >= limit) break;
      if (since && e.at < *since) {
        if (before_taken) break;
        before_taken = true;
      }
      out.push_back(e);
    }
    return out;
  }
  Result<std::vector<gateway::AuditRecord>> audit_log(size_t limit) const override {
    std::lock_guard lock(mutex_);
    calls_.push_back({"audit_log", "", "", ""});
    if (!read_failure_.empty()) return Status::error(read_failure_);
    std::vector<gateway::AuditRecord> out(audit_.rbegin(), audit_.rend());
    if (out.size() > limit) out.resize(limit);
    return out;
  }
  std::optional<gateway::LpMessageLog> message_log(std::string_view provider) const override {
    std::lock_guard lock(mutex_);
    calls_.push_back({"message_log", std::string(provider), "", ""});
    if (!lps_.count(std::string(provider))) return std::nullopt;
    auto it = logs_.find(std::string(provider));
    return it == logs_.end() ? gateway::LpMessageLog{} : it->second;
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
  std::map<std::string, std::vector<gateway::LpStatusEvent>> events_;
  std::vector<gateway::AuditRecord> audit_;
  std::map<std::string, gateway::LpMessageLog> logs_;
  std::string read_failure_;
  gateway::AdminOutcome forced_;
  bool throw_ = false;
};

}  // namespace fixgate::testing
