// Session schedules: when a session may be logged on, in the local time of a time zone.
// Pure calendar logic over UTC nanoseconds: no clock, no files. The engine loads time zones from
// the system tz database (engine/time_zone.h) and hands them here.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/session/types.h"

namespace fixgate::session {

// A time zone: UTC offset as a function of the instant. Built from TZif bytes (RFC 8536, what
// /usr/share/zoneinfo holds) including the POSIX TZ rule for instants past the last transition,
// from a POSIX TZ string, or a fixed offset.
class TimeZone {
 public:
  static TimeZone utc();
  static TimeZone fixed(std::string name, std::chrono::seconds offset);
  static Result<TimeZone> from_tzif(std::string name, std::string_view bytes);
  // "EST5EDT,M3.2.0,M11.1.0", "CET-1CEST,M3.5.0,M10.5.0/3", "<+0530>-5:30", "UTC0".
  static Result<TimeZone> from_posix(std::string_view rule);

  // Local time = UTC + offset_at(UTC).
  std::chrono::seconds offset_at(int64_t utc_seconds) const;
  // The UTC instant of local wall time `local_seconds`. A time skipped by a forward change
  // (02:30 on a spring-forward night) maps to the same offset after the change (03:30); a time
  // that occurs twice maps to the first occurrence.
  int64_t to_utc(int64_t local_seconds) const;
  const std::string& name() const { return name_; }

 private:
  struct Rule;  // a POSIX TZ rule
  std::string name_;
  std::vector<int64_t> transitions_;  // UTC seconds, ascending
  std::vector<int32_t> offsets_;      // offsets_[i] applies from transitions_[i]
  int32_t initial_offset_ = 0;        // before the first transition (or always, if none)
  std::shared_ptr<const Rule> rule_;  // after the last transition, when present
};

// When a session runs. Daily: a window opens every day at `start_time` and closes at `end_time`
// (the next day if end <= start; end == start means a 24-hour session with its reset at
// start_time), optionally only on `weekdays`. Weekly: one window from `start_day` start_time to
// `end_day` end_time. A window includes its start and excludes its end. QuickFIX's StartTime,
// EndTime, StartDay, EndDay, TimeZone (and QuickFIX/J's Weekdays).
class Schedule {
 public:
  struct Window {
    Duration start;  // UTC nanoseconds since the epoch
    Duration end;
  };

  // Times of day are seconds since local midnight (0 ≤ t < 86400). Weekdays: 0 = Sunday … 6.
  static Result<Schedule> daily(std::chrono::seconds start_time, std::chrono::seconds end_time,
                                TimeZone zone, std::vector<int> weekdays = {});
  static Result<Schedule> weekly(int start_day, std::chrono::seconds start_time, int end_day,
                                 std::chrono::seconds end_time, TimeZone zone);

  // The window containing `utc`, or nullopt outside every window.
  std::optional<Window> window_at(Duration utc) const;
  // The first window that starts after `utc`.
  Window next_window(Duration utc) const;
  const TimeZone& zone() const { return zone_; }
  // "daily 08:00:00-17:00:00 America/New_York", for logs.
  std::string describe() const;

 private:
  Schedule(TimeZone zone) : zone_(std::move(zone)) {}
  // The window that opens on local day `day` (days since 1970-01-01), if one does.
  std::optional<Window> window_opening_on(int64_t day) const;

  TimeZone zone_;
  int64_t start_time_ = 0, end_time_ = 0;  // seconds since local midnight
  int start_day_ = -1, end_day_ = -1;      // weekly when ≥ 0
  uint8_t weekday_mask_ = 0x7f;            // daily: bit d set = a window opens on weekday d
};

// Parses "HH:MM:SS" (QuickFIX StartTime/EndTime) into seconds since midnight.
std::optional<std::chrono::seconds> parse_time_of_day(std::string_view s);
// Parses a day name as QuickFIX does: "Sunday", "sun", "Su" … (case-insensitive, any prefix of
// two letters or more). 0 = Sunday … 6 = Saturday.
std::optional<int> parse_weekday(std::string_view s);

}  // namespace fixgate::session
