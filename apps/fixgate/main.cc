// fixgate: the command-line tool. Subcommands: decode.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "decode.h"

int main(int argc, char** argv) {
  CLI::App app{"fixgate: FIX tools"};
  app.require_subcommand(1);

  auto* decode = app.add_subcommand("decode", "Print FIX messages with field and enum names");
  std::string input = "-";
  std::string dict_path;
  fixgate::cli::DecodeOptions opt;
  decode->add_option("file", input, "Input file, or - for stdin")->capture_default_str();
  decode->add_option("-d,--dict", dict_path, "QuickFIX-format XML dictionary");
  decode->add_flag("--json", opt.json, "One JSON object per message (JSON Lines)");
  decode->add_flag("-c,--compact", opt.compact, "One line per message");
  decode->add_flag("--validate", opt.validate, "Report the session reject reason, if any");

  CLI11_PARSE(app, argc, argv);

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
