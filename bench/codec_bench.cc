// codec_bench: parse, parse+validate and encode of three FIX 4.4 messages, for fixgate and for
// QuickFIX/C++ in the same binary and run, then the fixgate/QuickFIX ratio per operation.
//   build/bench/codec_bench [--benchmark_min_time=0.5] [--dict third_party/dict/FIX44.xml]
//   With --benchmark_repetitions=N the ratio table uses the median of the N runs.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "bench_messages.h"
#include "fixgate/codec/encoder.h"
#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"
#include "fixgate/dict/validator.h"
#include "quickfix_codec.h"

namespace {

using fixgate_bench::kHeader;
using fixgate_bench::kMessages;
namespace codec = fixgate::codec;
namespace dict = fixgate::dict;

constexpr int kMessageCount = sizeof kMessages / sizeof kMessages[0];

// The field values as an application holds them: with their lengths (std::string, string_view),
// not as C strings to measure first. The QuickFIX half holds std::strings likewise.
struct Values {
  std::vector<std::pair<fixgate::Tag, std::string_view>> header;
  std::vector<std::pair<fixgate::Tag, std::string_view>> body[kMessageCount];
};

const Values& values() {
  static const Values v = [] {
    Values out;
    for (const auto& f : kHeader)
      out.header.emplace_back(static_cast<fixgate::Tag>(f.tag), f.value);
    for (int m = 0; m < kMessageCount; ++m)
      for (size_t i = 0; i < kMessages[m].body_size; ++i)
        out.body[m].emplace_back(static_cast<fixgate::Tag>(kMessages[m].body[i].tag),
                                 kMessages[m].body[i].value);
    return out;
  }();
  return v;
}

std::string_view encode_fixgate(codec::Encoder& e, int index) {
  const Values& v = values();
  e.begin("FIX.4.4", kMessages[index].msg_type);
  for (const auto& [tag, value] : v.header) e.field(tag, value);
  for (const auto& [tag, value] : v.body[index]) e.field(tag, value);
  return e.finish();
}

struct Fixture {
  dict::Dictionary::Ptr dictionary;
  std::unique_ptr<fixgate_bench::QuickFixCodec> quickfix;
  std::vector<std::string> wire;  // each message as fixgate encodes it
};
Fixture* g_fixture = nullptr;

void BM_Parse_fixgate(benchmark::State& state, int index) {
  const std::string& wire = g_fixture->wire[static_cast<size_t>(index)];
  codec::Message msg;
  for (auto _ : state) {
    codec::Frame f = codec::next_frame(wire);  // BodyLength and CheckSum verified
    auto r = msg.parse(f.bytes);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(msg.size());
  }
}

void BM_ParseValidate_fixgate(benchmark::State& state, int index) {
  const std::string& wire = g_fixture->wire[static_cast<size_t>(index)];
  codec::Message msg;
  dict::Validator validator(g_fixture->dictionary);
  for (auto _ : state) {
    codec::Frame f = codec::next_frame(wire);
    auto r = msg.parse(f.bytes);
    auto err = validator.validate(msg);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(err);
  }
}

void BM_Encode_fixgate(benchmark::State& state, int index) {
  codec::Encoder e;
  for (auto _ : state) benchmark::DoNotOptimize(encode_fixgate(e, index).data());
}

void BM_Parse_quickfix(benchmark::State& state, int index) {
  const std::string& wire = g_fixture->wire[static_cast<size_t>(index)];
  for (auto _ : state) benchmark::DoNotOptimize(g_fixture->quickfix->parse(wire));
}

void BM_ParseValidate_quickfix(benchmark::State& state, int index) {
  const std::string& wire = g_fixture->wire[static_cast<size_t>(index)];
  for (auto _ : state) benchmark::DoNotOptimize(g_fixture->quickfix->parse_validate(wire));
}

void BM_Encode_quickfix(benchmark::State& state, int index) {
  std::string out;
  for (auto _ : state) {
    g_fixture->quickfix->encode(index, out);
    benchmark::DoNotOptimize(out.data());
  }
}

// Collects ns/op per benchmark name while printing the usual console output.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    // CPU time, not wall time: on a shared machine, time spent descheduled is neither engine's.
    // One repetition: its time. Several (--benchmark_repetitions): their median, which this
    // noisy shared machine needs; the single runs are then ignored.
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median")
        median_ns_[r.run_name.str()] = r.GetAdjustedCPUTime();
      else if (r.run_type == Run::RT_Iteration)
        ns_[r.benchmark_name()] = r.GetAdjustedCPUTime();
    }
  }
  void print_ratios() const {
    if (!median_ns_.empty()) std::printf("\nMedians of the repetitions:\n");
    std::printf("\n| operation | message | fixgate ns | QuickFIX ns | QuickFIX/fixgate |\n");
    std::printf("|---|---|---:|---:|---:|\n");
    for (const char* op : {"Parse", "ParseValidate", "Encode"}) {
      for (const auto& m : kMessages) {
        std::string base = std::string("BM_") + op + "_" + m.name;
        const auto& ns = median_ns_.empty() ? ns_ : median_ns_;
        auto f = ns.find(base + "/fixgate");
        auto q = ns.find(base + "/quickfix");
        if (f == ns.end() || q == ns.end()) continue;
        std::printf("| %s | %s | %.0f | %.0f | %.1fx |\n", op, m.name, f->second, q->second,
                    q->second / f->second);
      }
    }
  }

 private:
  std::map<std::string, double> ns_;
  std::map<std::string, double> median_ns_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string dict_path = std::string(FIXGATE_DICT_DIR) + "/FIX44.xml";
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--dict") == 0 && i + 1 < argc) {
      dict_path = argv[++i];
      continue;
    }
    args.push_back(argv[i]);
  }
  int args_count = static_cast<int>(args.size());
  benchmark::Initialize(&args_count, args.data());

  auto loaded = dict::Dictionary::load_file(dict_path);
  if (!loaded) {
    std::fprintf(stderr, "codec_bench: %s\n", loaded.error().c_str());
    return 2;
  }
  Fixture fixture{*loaded, std::make_unique<fixgate_bench::QuickFixCodec>(dict_path), {}};
  g_fixture = &fixture;
  codec::Encoder e;
  dict::Validator validator(fixture.dictionary);
  for (int i = 0; i < kMessageCount; ++i) {
    fixture.wire.emplace_back(encode_fixgate(e, i));
    // Both engines must accept every message, or the comparison means nothing.
    codec::Message msg;
    if (!msg.parse(fixture.wire.back()).ok() || validator.validate(msg) ||
        !fixture.quickfix->parse_validate(fixture.wire.back())) {
      std::fprintf(stderr, "codec_bench: %s is not valid for both engines\n", kMessages[i].name);
      return 1;
    }
  }

  for (int i = 0; i < kMessageCount; ++i) {
    std::string n = kMessages[i].name;
    benchmark::RegisterBenchmark(("BM_Parse_" + n + "/fixgate").c_str(), BM_Parse_fixgate, i);
    benchmark::RegisterBenchmark(("BM_Parse_" + n + "/quickfix").c_str(), BM_Parse_quickfix, i);
  }
  for (int i = 0; i < kMessageCount; ++i) {
    std::string n = kMessages[i].name;
    benchmark::RegisterBenchmark(("BM_ParseValidate_" + n + "/fixgate").c_str(),
                                 BM_ParseValidate_fixgate, i);
    benchmark::RegisterBenchmark(("BM_ParseValidate_" + n + "/quickfix").c_str(),
                                 BM_ParseValidate_quickfix, i);
  }
  for (int i = 0; i < kMessageCount; ++i) {
    std::string n = kMessages[i].name;
    benchmark::RegisterBenchmark(("BM_Encode_" + n + "/fixgate").c_str(), BM_Encode_fixgate, i);
    benchmark::RegisterBenchmark(("BM_Encode_" + n + "/quickfix").c_str(), BM_Encode_quickfix, i);
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
