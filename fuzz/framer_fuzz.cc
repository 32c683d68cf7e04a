// libFuzzer target: the streaming framer. Feeds the input through FrameReader in chunks whose
// sizes come from the input itself and checks the framer's invariants on every frame.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fixgate/codec/checksum.h"
#include "fixgate/codec/field.h"
#include "fixgate/codec/framer.h"

using namespace fixgate::codec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t chunk = 1 + data[0] % 64;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  FramerOptions opt;
  opt.max_message_size = 4096;
  FrameReader reader(opt);
  size_t fed = 0, out = 0;
  while (fed < in.size()) {
    size_t n = std::min(chunk, in.size() - fed);
    reader.append(in.substr(fed, n));
    fed += n;
    for (;;) {
      Frame f = reader.next();
      out += f.discarded;
      if (f.status == FrameStatus::kNeedMore) break;
      out += f.bytes.size();
      if (f.bytes.empty()) abort();  // progress: a frame always consumes bytes
      if (f.status == FrameStatus::kMessage) {
        // A message starts with 8=FIX, ends with 10=nnn<SOH>, and its checksum holds.
        if (f.bytes.substr(0, 5) != "8=FIX" || f.bytes.back() != kSoh) abort();
        std::string_view body = f.bytes.substr(0, f.bytes.size() - 7);
        uint8_t sum = checksum(body);
        char digits[3];
        write_checksum_digits(sum, digits);
        if (f.bytes.substr(f.bytes.size() - 4, 3) != std::string_view(digits, 3)) abort();
      }
    }
  }
  // Every byte is accounted for: consumed as frames/garbage or still buffered.
  if (out + reader.buffered() != in.size()) abort();
  return 0;
}
