#include "segment_format.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace fixgate::store::detail {
namespace {

constexpr uint64_t kMagic = 0x3147534554474946ull;  // "FIXGTSG1"
constexpr uint32_t kFormatVersion = 1;
// kSyncedBefore is only read: records now carry the synced offset itself (kSyncedTo). A
// fixgate from before kSyncedTo refuses records that carry it: a store cannot be downgraded.
constexpr uint8_t kHasSender = 1, kHasTarget = 2, kSyncedBefore = 4, kSyncedTo = 8;

// CRC-32 (IEEE, reflected) by slicing-by-8: table k holds the CRC of a byte followed by k zero
// bytes, so eight bytes are folded per step from independent lookups. About 5x the byte-wise
// loop; the checksum is the same, so stores written by either read alike.
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;
constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i)
    for (size_t k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  return t;
}
constexpr CrcTables kCrc = make_crc_tables();

void put32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
uint32_t get32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
uint64_t get64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Reads fixed-size fields front to back; any overrun makes ok() false.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == s_.size(); }
  size_t pos() const { return pos_; }
  uint8_t u8() { return take(1) ? static_cast<uint8_t>(s_[pos_ - 1]) : 0; }
  uint32_t u32() { return take(4) ? get32(s_.data() + pos_ - 4) : 0; }
  uint64_t u64() { return take(8) ? get64(s_.data() + pos_ - 8) : 0; }
  bool skip(size_t n) { return take(n); }

 private:
  bool take(size_t n) {
    if (!ok_ || s_.size() - pos_ < n) return ok_ = false;
    pos_ += n;
    return true;
  }
  std::string_view s_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Fills in length and CRCs of the record that starts at `start` in `out` (type already set).
void seal(std::string& out, size_t start) {
  auto put_at = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) out[start + at + i] = static_cast<char>(v >> (8 * i));
  };
  put_at(0, static_cast<uint32_t>(out.size() - start - kRecordOverhead));
  put_at(5, crc32(std::string_view(out).substr(start + kRecordOverhead)));
  put_at(9, crc32(std::string_view(out).substr(start, 9)));
}

// Starts a record of `type` in `out` (cleared); seal() completes it.
void begin_record(std::string& out, RecordType type) {
  out.assign(kRecordOverhead, '\0');
  out[4] = static_cast<char>(type);
}

// The record at `data[pos]` when it is intact: header CRC, sane length and type, payload CRC.
std::optional<ScannedRecord> intact_at(std::string_view data, uint64_t pos, std::string* why) {
  auto fail = [&](std::string w) -> std::optional<ScannedRecord> {
    if (why) *why = std::move(w);
    return std::nullopt;
  };
  size_t left = data.size() - pos;
  if (left < kRecordOverhead) return fail("incomplete record header");
  if (crc32(data.substr(pos, 9)) != get32(data.data() + pos + 9))
    return fail("record header checksum mismatch");
  uint32_t length = get32(data.data() + pos);
  uint8_t type = static_cast<uint8_t>(data[pos + 4]);
  if (type != static_cast<uint8_t>(RecordType::kHeader) &&
      type != static_cast<uint8_t>(RecordType::kCommit))
    return fail("unknown record type " + std::to_string(type));
  if (length > kMaxRecordPayload || left - kRecordOverhead < length)
    return fail("record of " + std::to_string(length) + " bytes runs past the end");
  std::string_view payload = data.substr(pos + kRecordOverhead, length);
  if (crc32(payload) != get32(data.data() + pos + 5)) return fail("payload checksum mismatch");
  return ScannedRecord{pos, static_cast<RecordType>(type), payload};
}

}  // namespace

uint32_t crc32(std::string_view data, uint32_t crc) {
  crc = ~crc;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  for (; n >= 8; n -= 8, p += 8) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    if constexpr (std::endian::native == std::endian::big) {
      lo = __builtin_bswap32(lo);
      hi = __builtin_bswap32(hi);
    }
    lo ^= crc;
    crc = kCrc[7][lo & 0xFF] ^ kCrc[6][(lo >> 8) & 0xFF] ^ kCrc[5][(lo >> 16) & 0xFF] ^
          kCrc[4][lo >> 24] ^ kCrc[3][hi & 0xFF] ^ kCrc[2][(hi >> 8) & 0xFF] ^
          kCrc[1][(hi >> 16) & 0xFF] ^ kCrc[0][hi >> 24];
  }
  for (; n > 0; --n, ++p) crc = kCrc[0][(crc ^ *p) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::string encode_header(const SegmentHeader& h) {
  std::string out;
  begin_record(out, RecordType::kHeader);
  put64(out, kMagic);
  put32(out, kFormatVersion);
  put64(out, h.generation);
  put32(out, h.segment);
  put64(out, static_cast<uint64_t>(h.creation_time_ns));
  seal(out, 0);
  return out;
}

std::optional<SegmentHeader> decode_header(std::string_view payload) {
  Reader r(payload);
  uint64_t magic = r.u64();
  uint32_t version = r.u32();
  SegmentHeader h;
  h.generation = r.u64();
  h.segment = r.u32();
  h.creation_time_ns = static_cast<int64_t>(r.u64());
  if (!r.ok() || !r.done() || magic != kMagic || version != kFormatVersion) return std::nullopt;
  return h;
}

bool encode_commit(const session::StoreBatch& batch, uint64_t synced_to, std::string& out,
                   std::vector<uint32_t>& offsets) {
  offsets.clear();
  begin_record(out, RecordType::kCommit);
  uint8_t flags = (batch.next_sender ? kHasSender : 0) | (batch.next_target ? kHasTarget : 0) |
                  (synced_to > 0 ? kSyncedTo : 0);
  out.push_back(static_cast<char>(flags));
  if (batch.next_sender) put64(out, batch.next_sender->value);
  if (batch.next_target) put64(out, batch.next_target->value);
  if (synced_to > 0) put64(out, synced_to);
  size_t count_at = out.size();
  put32(out, 0);
  uint32_t count = 0;
  for (const auto& m : batch.sent) {
    if (m.bytes.empty()) continue;
    put64(out, m.seq.value);
    put32(out, static_cast<uint32_t>(m.bytes.size()));
    offsets.push_back(static_cast<uint32_t>(out.size()));
    out.append(m.bytes);
    ++count;
  }
  if (count == 0 && !batch.next_sender && !batch.next_target) return false;
  for (int i = 0; i < 4; ++i) out[count_at + i] = static_cast<char>(count >> (8 * i));
  seal(out, 0);
  return true;
}

std::optional<CommitRecord> decode_commit(std::string_view payload) {
  Reader r(payload);
  CommitRecord c;
  uint8_t flags = r.u8();
  if (flags & ~(kHasSender | kHasTarget | kSyncedBefore | kSyncedTo)) return std::nullopt;
  if (flags & kHasSender) c.next_sender = r.u64();
  if (flags & kHasTarget) c.next_target = r.u64();
  if (flags & kSyncedTo) c.synced_to = r.u64();
  c.synced_before = flags & kSyncedBefore;
  uint32_t count = r.u32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    CommitRecord::Message m;
    m.seq = r.u64();
    m.length = r.u32();
    m.offset = static_cast<uint32_t>(kRecordOverhead + r.pos());
    r.skip(m.length);
    c.messages.push_back(m);
  }
  if (!r.ok() || !r.done()) return std::nullopt;
  return c;
}

SegmentScan scan_segment(std::string_view data) {
  SegmentScan scan;
  uint64_t pos = 0;
  while (pos < data.size()) {
    auto rec = intact_at(data, pos, &scan.damage);
    if (!rec) break;
    scan.records.push_back(*rec);
    pos += kRecordOverhead + rec->payload.size();
  }
  scan.valid_end = pos;
  // Zeros to the end are the file allocated ahead of the writer (or, after an OS crash without
  // fsync, extended before its data landed): the end of the records, not damage.
  const std::string_view rest = data.substr(pos);
  const bool zeros = std::all_of(rest.begin(), rest.end(), [](char c) { return c == 0; });
  if (scan.damage.empty() || zeros) {
    scan.damage.clear();
    return scan;
  }
  // Is anything intact written after the damage? Then it is not simply a torn last append.
  for (uint64_t p = pos + 1; p + kRecordOverhead <= data.size() && !scan.later_synced; ++p) {
    auto rec = intact_at(data, p, nullptr);
    if (!rec) continue;
    scan.later_intact = true;
    if (rec->type == RecordType::kCommit) {
      auto c = decode_commit(rec->payload);
      // The damage starts at `pos`: a claim reaching past it says those bytes were synced.
      scan.later_synced = c && (c->synced_before || c->synced_to > pos);
    }
  }
  return scan;
}

}  // namespace fixgate::store::detail
