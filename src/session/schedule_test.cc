#include "fixgate/session/schedule.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fixgate/codec/values.h"

namespace fixgate::session {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

int64_t utc_seconds(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return codec::Date{static_cast<uint16_t>(y), static_cast<uint8_t>(mo), static_cast<uint8_t>(d)}
                 .days_since_epoch() *
             86400 +
         h * 3600 + mi * 60 + s;
}
Duration utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return seconds(utc_seconds(y, mo, d, h, mi, s));
}
seconds tod(std::string_view s) { return *parse_time_of_day(s); }

TimeZone zone_file(const std::string& name) {
  std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto z = TimeZone::from_tzif(name, bytes.str());
  EXPECT_TRUE(z) << z.error();
  return *z;
}

TEST(TimeZone, TzifNewYorkChangesAtTheRightInstants) {
  TimeZone ny = zone_file("America/New_York");
  EXPECT_EQ(ny.offset_at(utc_seconds(2026, 1, 15)), -hours(5));
  EXPECT_EQ(ny.offset_at(utc_seconds(2026, 7, 15)), -hours(4));
  // 2026: DST from 8 March 07:00 UTC to 1 November 06:00 UTC.
  EXPECT_EQ(ny.offset_at(utc_seconds(2026, 3, 8, 6, 59, 59)), -hours(5));
  EXPECT_EQ(ny.offset_at(utc_seconds(2026, 3, 8, 7)), -hours(4));
  EXPECT_EQ(ny.offset_at(utc_seconds(2026, 11, 1, 5, 59, 59)), -hours(4));
  EXPECT_EQ(ny.offset_at(utc_seconds(2026, 11, 1, 6)), -hours(5));
  // Past the file's last transition the footer's POSIX rule decides.
  EXPECT_EQ(ny.offset_at(utc_seconds(2051, 7, 1)), -hours(4));
  EXPECT_EQ(ny.offset_at(utc_seconds(2051, 12, 1)), -hours(5));
}

TEST(TimeZone, TzifWithoutDaylightSaving) {
  EXPECT_EQ(zone_file("Asia/Kolkata").offset_at(utc_seconds(2026, 6, 1)), seconds(19800));
  EXPECT_EQ(zone_file("UTC").offset_at(utc_seconds(2026, 6, 1)), seconds(0));
}

TEST(TimeZone, PosixRulesMatchTheTzDatabase) {
  auto ny = TimeZone::from_posix("EST5EDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(ny) << ny.error();
  TimeZone file = zone_file("America/New_York");
  for (int64_t t = utc_seconds(2026, 1, 1); t < utc_seconds(2028, 1, 1); t += 3600 * 7)
    ASSERT_EQ(ny->offset_at(t), file.offset_at(t)) << t;
  // Southern hemisphere: DST spans the new year; the change back is at 03:00 local DST.
  auto syd = TimeZone::from_posix("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(syd) << syd.error();
  EXPECT_EQ(syd->offset_at(utc_seconds(2026, 1, 10)), hours(11));
  EXPECT_EQ(syd->offset_at(utc_seconds(2026, 7, 10)), hours(10));
  EXPECT_EQ(syd->offset_at(utc_seconds(2026, 4, 4, 15, 59, 59)), hours(11));  // 02:59:59 AEDT
  EXPECT_EQ(syd->offset_at(utc_seconds(2026, 4, 4, 16)), hours(10));
  auto india = TimeZone::from_posix("<+0530>-5:30");
  ASSERT_TRUE(india) << india.error();
  EXPECT_EQ(india->offset_at(0), seconds(19800));
  auto julian = TimeZone::from_posix("XST3XDT,J60/0,300");
  ASSERT_TRUE(julian) << julian.error();
  EXPECT_EQ(julian->offset_at(utc_seconds(2028, 3, 1, 3)), -hours(2));  // J60 is 1 March
  EXPECT_EQ(julian->offset_at(utc_seconds(2028, 2, 29, 3)), -hours(3));
}

TEST(TimeZone, BadInputIsRefusedWithAReason) {
  for (std::string_view bad : {"", "E5", "EST", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0",
                               "EST5EDT,M3.2.0,M11.1.0x", "<+05", "EST200"}) {
    auto z = TimeZone::from_posix(bad);
    EXPECT_FALSE(z) << bad;
  }
  EXPECT_FALSE(TimeZone::from_tzif("x", "not a tz file"));
  std::ifstream in("/usr/share/zoneinfo/Europe/London", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string full = bytes.str();
  auto truncated = TimeZone::from_tzif("Europe/London", std::string_view(full).substr(0, 300));
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.error().find("Europe/London"), std::string::npos) << truncated.error();
  // Every prefix is either refused or a valid zone; none crashes (ASan watches).
  for (size_t n = 0; n < full.size(); n += 7) (void)TimeZone::from_tzif("p", full.substr(0, n));
}

TEST(TimeZone, LocalToUtcAcrossChanges) {
  TimeZone ny = zone_file("America/New_York");
  EXPECT_EQ(ny.to_utc(utc_seconds(2026, 6, 1, 9)), utc_seconds(2026, 6, 1, 13));
  EXPECT_EQ(ny.to_utc(utc_seconds(2026, 12, 1, 9)), utc_seconds(2026, 12, 1, 14));
  // 02:30 does not exist on 8 March 2026: it maps to 03:30 EDT.
  EXPECT_EQ(ny.to_utc(utc_seconds(2026, 3, 8, 2, 30)), utc_seconds(2026, 3, 8, 7, 30));
  // 01:30 happens twice on 1 November 2026: the first (EDT) is taken.
  EXPECT_EQ(ny.to_utc(utc_seconds(2026, 11, 1, 1, 30)), utc_seconds(2026, 11, 1, 5, 30));
}

TEST(Schedule, DailyWindowIncludesStartExcludesEnd) {
  auto s = Schedule::daily(tod("08:00:00"), tod("17:00:00"), TimeZone::utc());
  ASSERT_TRUE(s) << s.error();
  EXPECT_FALSE(s->window_at(utc(2026, 11, 23, 7, 59, 59)));
  auto w = s->window_at(utc(2026, 11, 23, 8));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->start, utc(2026, 11, 23, 8));
  EXPECT_EQ(w->end, utc(2026, 11, 23, 17));
  EXPECT_TRUE(s->window_at(utc(2026, 11, 23, 16, 59, 59)));
  EXPECT_FALSE(s->window_at(utc(2026, 11, 23, 17)));
  EXPECT_EQ(s->next_window(utc(2026, 11, 23, 17)).start, utc(2026, 11, 24, 8));
  EXPECT_EQ(s->next_window(utc(2026, 11, 23, 7)).start, utc(2026, 11, 23, 8));
  EXPECT_EQ(s->next_window(utc(2026, 11, 23, 8)).start, utc(2026, 11, 24, 8));
}

TEST(Schedule, OvernightAndAroundTheClock) {
  auto night = Schedule::daily(tod("22:00:00"), tod("06:00:00"), TimeZone::utc());
  ASSERT_TRUE(night);
  EXPECT_EQ(night->window_at(utc(2026, 11, 23, 23))->start, utc(2026, 11, 23, 22));
  EXPECT_EQ(night->window_at(utc(2026, 11, 23, 5))->start, utc(2026, 11, 22, 22));
  EXPECT_EQ(night->window_at(utc(2026, 11, 23, 5))->end, utc(2026, 11, 23, 6));
  EXPECT_FALSE(night->window_at(utc(2026, 11, 23, 12)));
  // Start == end: always in session, a new period (and daily reset) at the start time.
  auto always = Schedule::daily(tod("05:00:00"), tod("05:00:00"), TimeZone::utc());
  ASSERT_TRUE(always);
  EXPECT_EQ(always->window_at(utc(2026, 11, 23, 4, 59, 59))->start, utc(2026, 11, 22, 5));
  EXPECT_EQ(always->window_at(utc(2026, 11, 23, 5))->start, utc(2026, 11, 23, 5));
}

TEST(Schedule, WeeklyForexWeekInNewYork) {
  auto fx = Schedule::weekly(0, tod("17:00:00"), 5, tod("17:00:00"), zone_file("America/New_York"));
  ASSERT_TRUE(fx) << fx.error();
  EXPECT_EQ(fx->describe(), "weekly Sunday 17:00:00 - Friday 17:00:00 America/New_York");
  // Saturday 28 November 2026 is outside; the week opens Sunday 29th 17:00 EST = 22:00 UTC.
  EXPECT_FALSE(fx->window_at(utc(2026, 11, 28, 12)));
  EXPECT_EQ(fx->next_window(utc(2026, 11, 28, 12)).start, utc(2026, 11, 29, 22));
  auto w = fx->window_at(utc(2026, 11, 25, 12));  // Wednesday
  ASSERT_TRUE(w);
  EXPECT_EQ(w->start, utc(2026, 11, 22, 22));
  EXPECT_EQ(w->end, utc(2026, 11, 27, 22));
  // In summer the same local times are an hour earlier in UTC.
  EXPECT_EQ(fx->window_at(utc(2026, 7, 1, 12))->start, utc(2026, 6, 28, 21));
  // A whole week: start and end on the same day and time.
  auto week = Schedule::weekly(1, tod("00:00:00"), 1, tod("00:00:00"), TimeZone::utc());
  ASSERT_TRUE(week);
  EXPECT_EQ(week->window_at(utc(2026, 11, 22, 23))->start, utc(2026, 11, 16));  // Sunday
  EXPECT_EQ(week->window_at(utc(2026, 11, 23))->start, utc(2026, 11, 23));      // Monday
}

TEST(Schedule, DailyOnWeekdaysOnly) {
  auto s = Schedule::daily(tod("07:00:00"), tod("19:00:00"), TimeZone::utc(), {1, 2, 3, 4, 5});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->describe(), "daily 07:00:00 - 19:00:00 on Mon Tue Wed Thu Fri UTC");
  EXPECT_FALSE(s->window_at(utc(2026, 11, 28, 12)));                             // Saturday
  EXPECT_EQ(s->next_window(utc(2026, 11, 27, 20)).start, utc(2026, 11, 30, 7));  // Monday
  EXPECT_TRUE(s->window_at(utc(2026, 11, 27, 12)));                              // Friday
}

TEST(Schedule, DaylightSavingMovesTheUtcWindow) {
  auto s = Schedule::daily(tod("08:00:00"), tod("17:00:00"), zone_file("America/New_York"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->window_at(utc(2026, 3, 6, 14))->start, utc(2026, 3, 6, 13));
  EXPECT_EQ(s->window_at(utc(2026, 3, 9, 14))->start, utc(2026, 3, 9, 12));
}

TEST(Schedule, BadValuesAreRefused) {
  EXPECT_FALSE(Schedule::daily(seconds(-1), seconds(0), TimeZone::utc()));
  EXPECT_FALSE(Schedule::daily(seconds(0), seconds(86400), TimeZone::utc()));
  EXPECT_FALSE(Schedule::daily(seconds(0), seconds(10), TimeZone::utc(), {7}));
  EXPECT_FALSE(Schedule::weekly(7, seconds(0), 1, seconds(0), TimeZone::utc()));
}

TEST(Schedule, ParsesQuickFixValues) {
  EXPECT_EQ(parse_time_of_day("00:00:00"), seconds(0));
  EXPECT_EQ(parse_time_of_day("23:59:59"), seconds(86399));
  for (std::string_view bad : {"24:00:00", "8:00:00", "08:60:00", "08:00", "08-00-00", "ab:cd:ef"})
    EXPECT_FALSE(parse_time_of_day(bad)) << bad;
  EXPECT_EQ(parse_weekday("Sunday"), 0);
  EXPECT_EQ(parse_weekday("mon"), 1);
  EXPECT_EQ(parse_weekday("TU"), 2);
  EXPECT_EQ(parse_weekday("th"), 4);
  EXPECT_EQ(parse_weekday("Sa"), 6);
  for (std::string_view bad : {"", "S", "T", "Sundays", "Funday"})
    EXPECT_FALSE(parse_weekday(bad)) << bad;
}

}  // namespace
}  // namespace fixgate::session
