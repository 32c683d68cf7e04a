// builder_bench: what building a NewOrderSingle with codec::MessageBuilder costs against today's
// pre-encoded body, end to end of a send (issue 16's target: at most 10% more).
//   Encode/*:  the body, then the whole message as the session writes it (begin, the header
//              fields the session adds, the body, BodyLength and CheckSum).
//   Session/*: session::Session::send of that body on a logged-on session (MemoryStore, message
//              copies off so that the store does not grow without bound through the run).
//   Send/*:    SessionManager::send / send, what an application calls: a FIX 4.4 client
//              and an acceptor in this process over loopback TCP (MemoryStores; the acceptor's
//              handler takes each order). CPU time is the sending thread's alone.
// Each has three bodies: `preencoded` (one constant string, today's send), `builder`
// (typed set() calls, what an application now writes) and `concatenated` (a std::string
// appended field by field per message, what the README did to put a ClOrdID in).
//   build/bench/builder_bench --benchmark_repetitions=10 --benchmark_min_time=0.2
// prints the usual table, then medians, spreads (min..max of the repetitions) and the ratios.
// --iterations=N runs each benchmark exactly N iterations (once), for instruction counts that
// do not depend on the clock: under callgrind, the difference between N and 2N is N iterations'.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/message.h"
#include "fixgate/codec/message_builder.h"
#include "fixgate/engine/session_manager.h"
#include "fixgate/session/memory_store.h"
#include "fixgate/session/session.h"

namespace {

using namespace fixgate;
using codec::Decimal;
using codec::UtcTimestamp;

constexpr int64_t kTransactTime = 1'795'357'800'123'000'000;  // 2026-11-22 14:30:00.123

// bench_messages.h's NewOrderSingle body, as an application keeps it pre-encoded.
constexpr std::string_view kBody =
    "11=ORD-20261122-000001\x01"
    "1=ACC-778899\x01"
    "21=1\x01"
    "55=MSFT\x01"
    "207=XNAS\x01"
    "54=1\x01"
    "60=20261122-14:30:00.123\x01"
    "38=1500\x01"
    "40=2\x01"
    "44=415.25\x01"
    "59=0\x01"
    "15=USD\x01"
    "100=XNAS\x01"
    "528=A\x01"
    "58=bench order\x01";

// The same body, field by field with its type.
std::string_view build(codec::MessageBuilder& b) {
  b.reset(msg_type::NewOrderSingle)
      .set(tag::ClOrdID, "ORD-20261122-000001")
      .set(tag::Account, "ACC-778899")
      .set(tag::HandlInst, '1')
      .set(tag::Symbol, "MSFT")
      .set(tag::SecurityExchange, "XNAS")
      .set(tag::Side, '1')
      .set(tag::TransactTime, UtcTimestamp{kTransactTime, codec::TimePrecision::kMillis})
      .set(tag::OrderQty, 1500)
      .set(tag::OrdType, '2')
      .set(tag::Price, Decimal(41525, 2))
      .set(tag::TimeInForce, '0')
      .set(tag::Currency, "USD")
      .set(tag::ExDestination, "XNAS")
      .set(tag::OrderCapacity, 'A')
      .set(tag::Text, "bench order");
  return b.body();
}

// The same body as a std::string made per message (capacity kept between messages).
std::string_view concatenate(std::string& s) {
  s.assign("11=")
      .append("ORD-20261122-000001")
      .append(
          "\x01"
          "1=")
      .append("ACC-778899");
  s.append(
       "\x01"
       "21=1\x01"
       "55=")
      .append("MSFT")
      .append(
          "\x01"
          "207=")
      .append("XNAS");
  s.append(
       "\x01"
       "54=1\x01"
       "60=20261122-14:30:00.123\x01"
       "38=")
      .append(std::to_string(1500));
  s.append(
       "\x01"
       "40=2\x01"
       "44=")
      .append("415.25")
      .append(
          "\x01"
          "59=0\x01"
          "15=USD\x01");
  s.append(
       "100=XNAS\x01"
       "528=A\x01"
       "58=")
      .append("bench order")
      .append("\x01");
  return s;
}

// The session's own encoding of an application message (session_outbound.cc: start + raw).
std::string_view encode_whole(codec::Encoder& enc, uint64_t seq, int64_t now_nanos,
                              std::string_view body) {
  return enc.begin("FIX.4.4", msg_type::NewOrderSingle)
      .field(tag::SenderCompID, "CLIENT01")
      .field(tag::TargetCompID, "BROKER01")
      .field(tag::MsgSeqNum, seq)
      .field(tag::SendingTime, UtcTimestamp{now_nanos, codec::TimePrecision::kMillis})
      .raw(body)
      .finish();
}

enum class Body { kPreencoded, kBuilder, kConcatenated };

// What each iteration builds the body with; the builder and the string are reused.
struct BodySource {
  Body kind;
  codec::MessageBuilder builder;
  std::string text;
  std::string_view next() {
    switch (kind) {
      case Body::kPreencoded:
        return kBody;
      case Body::kBuilder:
        return build(builder);
      case Body::kConcatenated:
        return concatenate(text);
    }
    return {};
  }
};

void BM_Encode(benchmark::State& state, Body kind) {
  BodySource source{kind, {}, {}};
  codec::Encoder enc;
  uint64_t seq = 1;
  for (auto _ : state) {
    std::string_view body = source.next();
    benchmark::DoNotOptimize(encode_whole(enc, seq++, kTransactTime, body).data());
  }
}

// A logged-on FIX 4.4 acceptor: the counterparty's Logon fed in, the answer drained.
struct LoggedOn {
  session::MemoryStore store;
  session::Session session;
  int64_t now_nanos = kTransactTime;
  static session::SessionConfig config() {
    session::SessionConfig c;
    c.id = {"FIX.4.4", "BROKER01", "CLIENT01"};
    c.role = session::Role::kAcceptor;
    c.persist_messages = false;
    return c;
  }
  LoggedOn() : session(config(), store) {
    session.on_connected(now());
    codec::Encoder enc;
    std::string_view logon = enc.begin("FIX.4.4", msg_type::Logon)
                                 .field(tag::SenderCompID, "CLIENT01")
                                 .field(tag::TargetCompID, "BROKER01")
                                 .field(tag::MsgSeqNum, 1)
                                 .field(tag::SendingTime, "20261122-14:30:00.000")
                                 .field(tag::EncryptMethod, 0)
                                 .field(tag::HeartBtInt, 30)
                                 .finish();
    session.on_bytes(logon, now());
    drain();
  }
  session::Now now() const {
    return {session::Duration(now_nanos - kTransactTime), session::Duration(now_nanos)};
  }
  void drain() {
    session.consume_output(session.pending_output().size());
    session::SessionEvent e;
    while (session.poll_event(e)) {
    }
  }
};

void BM_Session(benchmark::State& state, Body kind) {
  BodySource source{kind, {}, {}};
  LoggedOn s;
  if (!s.session.is_logged_on()) {
    state.SkipWithError("the session did not log on");
    return;
  }
  for (auto _ : state) {
    s.now_nanos += 1000;
    Status sent = s.session.send(msg_type::NewOrderSingle, source.next(), s.now());
    benchmark::DoNotOptimize(sent);
    s.drain();
  }
}

// Two sessions over loopback: the client sends, the acceptor's handler takes every order.
struct LoopbackPair {
  engine::SessionManager broker, client;
  std::atomic<uint64_t> received{0};
  bool start() {
    engine::SessionOptions b;
    b.session.id = {"FIX.4.4", "BROKER01", "CLIENT01"};
    b.session.role = session::Role::kAcceptor;
    b.accept = {"127.0.0.1", 0};
    if (!broker.initialize_session(b).is_ok()) return false;
    broker->on(msg_type::NewOrderSingle, [this](const codec::Message&) { ++received; });
    if (!broker.start_session().is_ok()) return false;
    engine::SessionOptions c;
    c.session.id = {"FIX.4.4", "CLIENT01", "BROKER01"};
    c.session.role = session::Role::kInitiator;
    c.connect = {{"127.0.0.1", broker->local_port()}};
    // No high-water mark: the send itself is measured, however far it runs ahead of the wire
    // (with the default mark, millions of back-to-back sends meet back-pressure).
    c.outbound_high_water = 0;
    return client.initialize_session(c).is_ok() && client.start_session().is_ok() &&
           client->wait_for_status(session::SessionStatus::kActive, std::chrono::seconds(5));
  }
};

void BM_Send(benchmark::State& state, Body kind) {
  BodySource source{kind, {}, {}};
  LoopbackPair p;
  if (!p.start()) {
    state.SkipWithError("the sessions did not log on");
    return;
  }
  uint64_t sent = 0;
  for (auto _ : state) {
    Status s = kind == Body::kBuilder ? (source.next(), p.client->send(source.builder))
                                      : p.client->send(msg_type::NewOrderSingle, source.next());
    sent += s.is_ok();
  }
  // Every order arrives before the next benchmark starts (and none is left queued).
  while (p.received.load() < sent) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (sent != static_cast<uint64_t>(state.iterations())) state.SkipWithError("a send failed");
}

// Prints medians, spreads and ratios to the pre-encoded body after the usual output.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs)
      if (!r.error_occurred && r.run_type == Run::RT_Iteration)
        ns_[r.run_name.function_name].push_back(r.GetAdjustedCPUTime());  // no /iterations:N
  }
  void print() const {
    std::printf("\n| benchmark | median ns | min ns | max ns | runs | vs preencoded |\n");
    std::printf("|---|---:|---:|---:|---:|---:|\n");
    for (const auto& [name, all] : ns_) {
      const double m = median(all);
      const std::string group = name.substr(0, name.find('/'));
      auto base = ns_.find(group + "/preencoded");
      const double ratio = base == ns_.end() ? 0 : m / median(base->second);
      std::printf("| %s | %.1f | %.1f | %.1f | %zu | %.3f |\n", name.c_str(), m,
                  *std::min_element(all.begin(), all.end()),
                  *std::max_element(all.begin(), all.end()), all.size(), ratio);
    }
  }

 private:
  static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
  std::map<std::string, std::vector<double>> ns_;
};

}  // namespace

int main(int argc, char** argv) {
  // Our own flag, taken out before the library reads the rest.
  benchmark::IterationCount fixed_iterations = 0;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--iterations="))
      fixed_iterations = std::stoll(std::string(arg.substr(arg.find('=') + 1)));
    else
      argv[kept++] = argv[i];
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  // The comparison means something only if every path writes the very same bytes.
  codec::MessageBuilder b;
  std::string text;
  if (build(b) != kBody || concatenate(text) != kBody || !b.ok()) {
    std::fprintf(stderr, "builder_bench: the bodies differ\n");
    return 1;
  }
  const std::pair<const char*, Body> bodies[] = {{"preencoded", Body::kPreencoded},
                                                 {"builder", Body::kBuilder},
                                                 {"concatenated", Body::kConcatenated}};
  std::vector<benchmark::internal::Benchmark*> all;
  for (const auto& [name, kind] : bodies)
    all.push_back(
        benchmark::RegisterBenchmark((std::string("Encode/") + name).c_str(), BM_Encode, kind));
  for (const auto& [name, kind] : bodies)
    all.push_back(
        benchmark::RegisterBenchmark((std::string("Session/") + name).c_str(), BM_Session, kind));
  for (const auto& [name, kind] : bodies)
    all.push_back(
        benchmark::RegisterBenchmark((std::string("Send/") + name).c_str(), BM_Send, kind));
  if (fixed_iterations > 0)
    for (benchmark::internal::Benchmark* bench : all) bench->Iterations(fixed_iterations);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print();
  benchmark::Shutdown();
  return 0;
}
