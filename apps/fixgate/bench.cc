#include "bench.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <ostream>
#include <thread>
#include <vector>

#include "fixgate/codec/values.h"
#include "fixgate/engine/session_manager.h"

namespace fixgate::cli {
namespace {

using Clock = std::chrono::steady_clock;

// The body of order i: a limit order with a fixed-width ClOrdID, so every order has one size.
class OrderBody {
 public:
  OrderBody() {
    // ClOrdIDs unique across runs (an acceptor may remember them), TransactTime = start time.
    run_ = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
    codec::UtcTimestamp now{std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count(),
                            codec::TimePrecision::kMillis};
    transact_time_ = now.to_string();
  }
  std::string_view operator()(uint64_t i) {
    char id[24];
    std::snprintf(id, sizeof id, "%010" PRIu64, i);
    body_.assign("11=LOAD-")
        .append(run_)
        .append("-")
        .append(id)
        .append(
            "\x01"
            "21=1\x01"
            "55=IBM\x01"
            "54=1\x01"
            "60=")
        .append(transact_time_)
        .append(
            "\x01"
            "38=100\x01"
            "40=2\x01"
            "44=12.50\x01");
    return body_;
  }

 private:
  std::string run_, transact_time_, body_;
};

// Nearest-rank percentile of sorted nanoseconds, in microseconds.
double percentile_us(const std::vector<int64_t>& sorted, double p) {
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return static_cast<double>(sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1]) / 1000.0;
}

class Runner {
 public:
  Runner(const BenchOptions& o, std::ostream& err) : o_(o), err_(err) {}

  bool connect() {
    engine::SessionOptions c;
    c.session.id = {.begin_string = o_.begin_string,
                    .sender_comp_id = o_.sender_comp_id,
                    .target_comp_id = o_.target_comp_id};
    c.session.role = session::Role::kInitiator;
    c.session.reset_on_logon = o_.reset_on_logon;
    c.connect = {{o_.host, o_.port}};
    c.reconnect.initial = std::chrono::milliseconds(200);
    if (Status s = client_.initialize_session(c); !s) return fail(s.message());
    if (Status s = client_.start_session(); !s) return fail(s.message());
    if (!client_->wait_for_status(session::SessionStatus::kActive, o_.timeout))
      return fail("no logon to " + o_.host + ":" + std::to_string(o_.port) + " within " +
                  std::to_string(o_.timeout.count()) + " ms");
    return true;
  }

  // One order, then its replies.
  bool round_trip() { return send() && receive(o_.replies_per_order); }

  // Held back while the session's unwritten bytes are at its high-water mark (the peer reads
  // slower than orders are made): tried again until it goes.
  bool send() {
    const std::string_view body = body_(sent_++);
    engine::SendResult s;
    while ((s = client_->send("D", body)).code() == engine::SendCode::kBackPressured)
      std::this_thread::yield();
    if (!s) return fail(s.message());
    return true;
  }

  bool receive(uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) {
      auto reply = client_->receive(o_.timeout);
      if (!reply)
        return fail("no reply within " + std::to_string(o_.timeout.count()) + " ms (" +
                    std::to_string(received_) + " received, " + std::to_string(sent_.load()) +
                    " sent)");
      if (reply->msg_type == "j") ++business_rejects_;
      ++received_;
    }
    return true;
  }

  // Orders back to back from this thread while a second thread takes the replies, so that no
  // queue grows without bound however large n is.
  bool throughput(double& seconds) {
    const uint64_t replies = o_.n * o_.replies_per_order;
    std::atomic<bool> ok{true};
    auto t0 = Clock::now();
    std::thread receiver([&] { ok = receive(replies); });
    for (uint64_t i = 0; i < o_.n && ok; ++i)
      if (!send()) ok = false;
    receiver.join();
    seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return ok;
  }

  void logoff() {
    if (business_rejects_ > 0)
      err_ << "fixgate bench: " << business_rejects_
           << " of the replies were BusinessMessageRejects (35=j)\n";
    (void)client_->logout().wait(std::chrono::milliseconds(2000));
  }

 private:
  bool fail(const std::string& why) {
    std::lock_guard lock(err_mu_);  // the sender and the receiver thread may both fail
    err_ << "fixgate bench: " << why << '\n';
    return false;
  }

  const BenchOptions& o_;
  std::ostream& err_;
  engine::SessionManager client_;
  std::mutex err_mu_;
  OrderBody body_;
  std::atomic<uint64_t> sent_{0};                 // read by the receiver thread's error message
  uint64_t received_ = 0, business_rejects_ = 0;  // the receiving thread's
};

}  // namespace

Result<std::pair<std::string, uint16_t>> parse_host_port(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return Status::error("expected HOST:PORT, got '" + std::string(text) + "'");
  std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
    return Status::error("bad port '" + std::string(port) + "' in '" + std::string(text) + "'");
  return std::pair<std::string, uint16_t>(std::string(text.substr(0, colon)),
                                          static_cast<uint16_t>(value));
}

int bench(const BenchOptions& o, std::ostream& out, std::ostream& err) {
  if (o.n == 0 || o.replies_per_order == 0) {
    err << "fixgate bench: -n and --replies must be at least 1\n";
    return 1;
  }
  Runner r(o, err);
  if (!r.connect()) return 1;
  for (uint64_t i = 0; i < o.warmup; ++i)
    if (!r.round_trip()) return 1;

  char line[160];
  if (o.mode == BenchMode::kThroughput) {
    double s = 0;
    if (!r.throughput(s)) return 1;
    std::snprintf(line, sizeof line, "throughput: %" PRIu64 " round trips in %.3f s = %.0f msg/s",
                  o.n, s, static_cast<double>(o.n) / s);
  } else {
    std::vector<int64_t> ns;
    ns.reserve(o.n);
    for (uint64_t i = 0; i < o.n; ++i) {
      auto t0 = Clock::now();
      if (!r.round_trip()) return 1;
      ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
    }
    std::sort(ns.begin(), ns.end());
    std::snprintf(line, sizeof line,
                  "latency_us: p50 %.1f p99 %.1f p99.9 %.1f max %.1f (n=%" PRIu64 ")",
                  percentile_us(ns, 0.50), percentile_us(ns, 0.99), percentile_us(ns, 0.999),
                  static_cast<double>(ns.back()) / 1000.0, o.n);
  }
  r.logoff();
  out << line << '\n';
  return 0;
}

}  // namespace fixgate::cli
