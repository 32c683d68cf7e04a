// fixgate: the command-line tool. Subcommands: decode, bench, dict generate.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "bench.h"
#include "decode.h"
#include "dict_generate.h"

int main(int argc, char** argv) {
  CLI::App app{"fixgate: FIX tools"};
  app.set_version_flag("--version", "fixgate " FIXGATE_VERSION);
  app.require_subcommand(1);

  auto* decode = app.add_subcommand(
      "decode",
      "Print FIX messages (raw or QuickFIX/fixgated message logs) with field and enum names");
  std::string input = "-";
  std::string dict_path;
  fixgate::cli::DecodeOptions opt;
  decode->add_option("file", input, "Input file, or - for stdin")->capture_default_str();
  decode->add_option("-d,--dict", dict_path, "QuickFIX-format XML dictionary");
  decode->add_flag("--json", opt.json, "One JSON object per message (JSON Lines)");
  decode->add_flag("-c,--compact", opt.compact, "One line per message");
  decode->add_flag("--validate", opt.validate, "Report the session reject reason, if any");

  auto* bench = app.add_subcommand(
      "bench", "Load-test a FIX acceptor with NewOrderSingles: throughput or round-trip latency");
  std::string connect;
  std::string mode = "throughput";
  fixgate::cli::BenchOptions bench_opt;
  int64_t timeout_ms = bench_opt.timeout.count();
  bool no_reset = false;
  bench->add_option("--connect", connect, "HOST:PORT of the acceptor")->required();
  bench->add_option("--sender", bench_opt.sender_comp_id, "Our SenderCompID")->required();
  bench->add_option("--target", bench_opt.target_comp_id, "The acceptor's CompID")->required();
  bench->add_option("--mode", mode, "throughput: n orders back to back; latency: n ping-pongs")
      ->check(CLI::IsMember({"throughput", "latency"}))
      ->capture_default_str();
  bench->add_option("-n", bench_opt.n, "Orders (round trips) measured")->capture_default_str();
  bench->add_option("--warmup", bench_opt.warmup, "Untimed round trips first")
      ->capture_default_str();
  bench
      ->add_option("--replies", bench_opt.replies_per_order,
                   "Application messages the acceptor sends back per order")
      ->capture_default_str();
  bench->add_option("--begin-string", bench_opt.begin_string)->capture_default_str();
  bench->add_option("--timeout-ms", timeout_ms, "For the logon and for each awaited reply")
      ->capture_default_str();
  bench->add_flag("--no-reset", no_reset, "Log on without ResetSeqNumFlag=Y");

  auto* dict = app.add_subcommand("dict", "FIX dictionaries");
  dict->require_subcommand(1);
  auto* generate = dict->add_subcommand(
      "generate", "Convert the FIX Repository into a QuickFIX-format dictionary on stdout");
  std::string repo_dir, version;
  generate->add_option("--repo", repo_dir, "Folder holding FIX.4.0 … FIX.5.0SP2")->required();
  generate->add_option("--version", version, "FIX.4.0 … FIX.5.0SP2, or FIXT.1.1")->required();

  CLI11_PARSE(app, argc, argv);

  if (generate->parsed()) {
    auto xml = fixgate::cli::generate_dictionary(repo_dir, version);
    if (!xml) {
      std::cerr << "fixgate dict generate: " << xml.error() << '\n';
      return 2;
    }
    std::cout << *xml;
    return std::cout.flush() ? 0 : 1;
  }

  if (bench->parsed()) {
    auto endpoint = fixgate::cli::parse_host_port(connect);
    if (!endpoint) {
      std::cerr << "fixgate bench: --connect: " << endpoint.error() << '\n';
      return 2;
    }
    bench_opt.host = endpoint->first;
    bench_opt.port = endpoint->second;
    bench_opt.mode = mode == "latency" ? fixgate::cli::BenchMode::kLatency
                                       : fixgate::cli::BenchMode::kThroughput;
    bench_opt.timeout = std::chrono::milliseconds(timeout_ms);
    bench_opt.reset_on_logon = !no_reset;
    return fixgate::cli::bench(bench_opt, std::cout, std::cerr);
  }

  if (decode->parsed()) {
    if (!dict_path.empty()) {
      auto d = fixgate::dict::Dictionary::load_file(dict_path);
      if (!d) {
        std::cerr << "fixgate decode: " << d.error() << '\n';
        return 2;
      }
      opt.dictionary = *d;
    }
    std::string text;
    if (input == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else {
      std::ifstream in(input, std::ios::binary);
      if (!in) {
        std::cerr << "fixgate decode: cannot open " << input << '\n';
        return 2;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    return fixgate::cli::decode(text, opt, std::cout, std::cerr);
  }
  return 0;
}
