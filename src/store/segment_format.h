// The FileStore's on-disk record format (internal). A segment file is a sequence of records,
// little-endian:
//   u32 length | u8 type | u32 crc32(payload) | u32 crc32(the 9 bytes before) | payload[length]
// The header's own CRC lets recovery test any offset for "a record starts here" cheaply. The
// first record of every segment is a Header; every other record is one Commit (a whole
// StoreBatch), so one commit is one contiguous append.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/session/store.h"

namespace fixgate::store::detail {

// CRC-32 (IEEE 802.3, the zlib one), table-driven. `crc` chains calls.
uint32_t crc32(std::string_view data, uint32_t crc = 0);

enum class RecordType : uint8_t { kHeader = 1, kCommit = 2 };
inline constexpr size_t kRecordOverhead = 13;  // length, type, payload crc, header crc
inline constexpr uint32_t kMaxRecordPayload = 1u << 30;

struct SegmentHeader {
  uint64_t generation = 0;
  uint32_t segment = 0;
  int64_t creation_time_ns = 0;
};

// A decoded commit. Message offsets are relative to the start of the record.
struct CommitRecord {
  struct Message {
    uint64_t seq;
    uint32_t offset;
    uint32_t length;
  };
  std::optional<uint64_t> next_sender;
  std::optional<uint64_t> next_target;
  // The segment's first synced_to bytes had been fsynced when this record was written: damage
  // there is corruption, not a torn tail. 0 claims nothing.
  uint64_t synced_to = 0;
  // Older records say only "every byte before me was synced" (a flag, no offset).
  bool synced_before = false;
  std::vector<Message> messages;
};

std::string encode_header(const SegmentHeader& h);
inline constexpr size_t kHeaderRecordBytes = kRecordOverhead + 32;

// Writes the commit record for `batch` into `out`, and the offset in it of each stored message
// (in batch order) into `offsets` (both cleared first; buffers reused). Admin entries (empty
// bytes) are not written: next_sender carries their sequence numbers. Returns false when there
// is nothing to persist.
bool encode_commit(const session::StoreBatch& batch, uint64_t synced_to, std::string& out,
                   std::vector<uint32_t>& offsets);

// Decoders take the payload (after the type byte); nullopt when malformed.
std::optional<SegmentHeader> decode_header(std::string_view payload);
std::optional<CommitRecord> decode_commit(std::string_view payload);

struct ScannedRecord {
  uint64_t offset;  // of the record in the segment
  RecordType type;
  std::string_view payload;
};

// The result of reading a segment front to back.
struct SegmentScan {
  std::vector<ScannedRecord> records;  // every intact record before the first damage
  uint64_t valid_end = 0;              // offset just past the last intact record
  // Why the record at valid_end is bad; empty if none. Zeros from valid_end to the end are not
  // damage: the writer allocates its file ahead.
  std::string damage;
  // After the damage, somewhere later: an intact record, and one claiming that the damaged
  // bytes had been synced before it was written.
  bool later_intact = false;
  bool later_synced = false;
};
SegmentScan scan_segment(std::string_view data);

}  // namespace fixgate::store::detail
