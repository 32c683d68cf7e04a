// Time zones (TZif and POSIX TZ rules) and session windows. Calendar arithmetic on days since
// 1970-01-01 (a Thursday) via codec::Date's civil-date conversions.
#include "fixgate/session/schedule.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "fixgate/codec/values.h"

namespace fixgate::session {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kNanos = 1'000'000'000;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int weekday_of(int64_t day) { return static_cast<int>(((day % 7) + 11) % 7); }  // 0 = Sunday
int64_t days_from_civil(int year, int month, int day) {
  return codec::Date{static_cast<uint16_t>(year), static_cast<uint8_t>(month),
                     static_cast<uint8_t>(day)}
      .days_since_epoch();
}

constexpr std::array<std::string_view, 7> kDayNames = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};

std::string hhmmss(int64_t s) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(s / 3600),
                static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
  return buf;
}

// Reads POSIX TZ syntax left to right.
struct PosixReader {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  bool name() {  // "EST" or "<+0530>"
    if (eat('<')) {
      size_t end = s.find('>', i);
      if (end == std::string_view::npos) return false;
      i = end + 1;
      return true;
    }
    size_t start = i;
    while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) ++i;
    return i - start >= 3;
  }
  std::optional<int64_t> number() {
    if (!std::isdigit(static_cast<unsigned char>(peek()))) return std::nullopt;
    int64_t v = 0;
    while (std::isdigit(static_cast<unsigned char>(peek())) && v < 1'000'000)
      v = v * 10 + (s[i++] - '0');
    return v;
  }
  std::optional<int64_t> hms() {  // [+-]h[:mm[:ss]] in seconds
    int sign = eat('-') ? -1 : (eat('+'), 1);
    auto h = number();
    if (!h || *h > 167) return std::nullopt;
    int64_t v = *h * 3600;
    for (int64_t unit : {60, 1}) {
      if (!eat(':')) break;
      auto n = number();
      if (!n || *n > 59) return std::nullopt;
      v += *n * unit;
    }
    return sign * v;
  }
};

}  // namespace

// ---- POSIX TZ rules -----------------------------------------------------------------------

struct TimeZone::Rule {
  struct When {
    char kind = 'M';  // 'J': Julian day 1-365 without Feb 29; 'N': day 0-365; 'M': month.week.day
    int a = 0, b = 0, c = 0;
    int64_t time = 7200;  // local seconds after midnight
  };
  int32_t std_offset = 0;  // seconds east of UTC
  bool has_dst = false;
  int32_t dst_offset = 0;
  When start, end;

  // Local day (days since the epoch) on which `w` falls in `year`.
  static int64_t day_of(const When& w, int year) {
    const int64_t jan1 = days_from_civil(year, 1, 1);
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (w.kind == 'J') return jan1 + w.a - 1 + (leap && w.a >= 60);
    if (w.kind == 'N') return jan1 + w.a;
    const int64_t first = days_from_civil(year, w.a, 1);
    const int64_t next_month =
        w.a == 12 ? days_from_civil(year + 1, 1, 1) : days_from_civil(year, w.a + 1, 1);
    int64_t day = first + (w.c - weekday_of(first) + 7) % 7 + (w.b - 1) * 7;
    while (day >= next_month) day -= 7;  // week 5 = the last such weekday
    return day;
  }

  int32_t offset_at(int64_t utc) const {
    if (!has_dst) return std_offset;
    const int year = codec::Date::from_days_since_epoch(floor_div(utc + std_offset, kDay)).year;
    // The change to DST happens in standard time; the change back, in DST.
    const int64_t on = day_of(start, year) * kDay + start.time - std_offset;
    const int64_t off = day_of(end, year) * kDay + end.time - dst_offset;
    const bool dst = on < off ? (utc >= on && utc < off) : !(utc >= off && utc < on);
    return dst ? dst_offset : std_offset;
  }

  static std::optional<When> parse_when(PosixReader& r) {
    When w;
    if (r.eat('M')) {
      auto m = r.number();
      if (!m || !r.eat('.')) return std::nullopt;
      auto wk = r.number();
      if (!wk || !r.eat('.')) return std::nullopt;
      auto d = r.number();
      if (!d || *m < 1 || *m > 12 || *wk < 1 || *wk > 5 || *d > 6) return std::nullopt;
      w = When{'M', static_cast<int>(*m), static_cast<int>(*wk), static_cast<int>(*d)};
    } else if (r.eat('J')) {
      auto n = r.number();
      if (!n || *n < 1 || *n > 365) return std::nullopt;
      w = When{'J', static_cast<int>(*n)};
    } else {
      auto n = r.number();
      if (!n || *n > 365) return std::nullopt;
      w = When{'N', static_cast<int>(*n)};
    }
    if (r.eat('/')) {
      auto t = r.hms();
      if (!t) return std::nullopt;
      w.time = *t;
    }
    return w;
  }

  static std::optional<Rule> parse(std::string_view text) {
    PosixReader r{text};
    Rule rule;
    if (!r.name()) return std::nullopt;
    auto std_off = r.hms();
    if (!std_off) return std::nullopt;
    rule.std_offset = static_cast<int32_t>(-*std_off);  // POSIX counts hours west of UTC
    if (r.done()) return rule;
    if (!r.name()) return std::nullopt;
    rule.has_dst = true;
    rule.dst_offset = rule.std_offset + 3600;
    if (r.peek() != ',' && !r.done()) {
      auto dst_off = r.hms();
      if (!dst_off) return std::nullopt;
      rule.dst_offset = static_cast<int32_t>(-*dst_off);
    }
    if (r.done()) {  // no rule given: POSIX leaves it to the implementation; the US rule
      rule.start = When{'M', 3, 2, 0};
      rule.end = When{'M', 11, 1, 0};
      return rule;
    }
    if (!r.eat(',')) return std::nullopt;
    auto start = parse_when(r);
    if (!start || !r.eat(',')) return std::nullopt;
    auto end = parse_when(r);
    if (!end || !r.done()) return std::nullopt;
    rule.start = *start;
    rule.end = *end;
    return rule;
  }
};

// ---- TimeZone ---------------------------------------------------------------------------

TimeZone TimeZone::utc() { return fixed("UTC", std::chrono::seconds(0)); }

TimeZone TimeZone::fixed(std::string name, std::chrono::seconds offset) {
  TimeZone z;
  z.name_ = std::move(name);
  z.initial_offset_ = static_cast<int32_t>(offset.count());
  return z;
}

Result<TimeZone> TimeZone::from_posix(std::string_view text) {
  auto rule = Rule::parse(text);
  if (!rule) return Status::error("time zone: invalid POSIX TZ rule '" + std::string(text) + "'");
  TimeZone z;
  z.name_ = std::string(text);
  z.initial_offset_ = rule->std_offset;
  z.rule_ = std::make_shared<const Rule>(*rule);
  return z;
}

Result<TimeZone> TimeZone::from_tzif(std::string name, std::string_view bytes) {
  auto fail = [&](std::string why) {
    return Status::error("time zone " + name + ": not a valid TZif file (" + why + ")");
  };
  size_t pos = 0;
  auto need = [&](size_t n) { return bytes.size() - pos >= n; };
  auto be = [&](int width) {  // big-endian signed integer of 4 or 8 bytes
    uint64_t v = 0;
    for (int k = 0; k < width; ++k) v = (v << 8) | static_cast<uint8_t>(bytes[pos++]);
    return width == 4 ? static_cast<int64_t>(static_cast<int32_t>(v)) : static_cast<int64_t>(v);
  };
  struct Counts {
    int64_t isut, isstd, leap, time, type, chars;
  };
  auto header = [&]() -> std::optional<Counts> {
    if (!need(44) || bytes.substr(pos, 4) != "TZif") return std::nullopt;
    pos += 20;
    Counts c{be(4), be(4), be(4), be(4), be(4), be(4)};
    if (c.isut < 0 || c.isstd < 0 || c.leap < 0 || c.time < 0 || c.type < 1 || c.chars < 0 ||
        c.time > 100000 || c.type > 256 || c.leap > 100000)
      return std::nullopt;
    return c;
  };
  auto block_size = [](const Counts& c, int width) {
    return static_cast<size_t>(c.time * width + c.time + c.type * 6 + c.chars +
                               c.leap * (width + 4) + c.isstd + c.isut);
  };

  auto c = header();
  if (!c) return fail("bad header");
  const char version = bytes[4];
  int width = 4;
  if (version >= '2') {  // skip the 32-bit block: the 64-bit one follows
    if (!need(block_size(*c, 4))) return fail("truncated");
    pos += block_size(*c, 4);
    c = header();
    if (!c) return fail("bad second header");
    width = 8;
  }
  if (!need(block_size(*c, width))) return fail("truncated");
  TimeZone z;
  z.name_ = std::move(name);
  z.transitions_.resize(static_cast<size_t>(c->time));
  for (auto& t : z.transitions_) t = be(width);
  std::vector<uint8_t> index(static_cast<size_t>(c->time));
  for (auto& i : index) i = static_cast<uint8_t>(bytes[pos++]);
  std::vector<int32_t> type_offsets(static_cast<size_t>(c->type));
  for (auto& off : type_offsets) {
    off = static_cast<int32_t>(be(4));
    pos += 2;  // isdst, desigidx
  }
  for (uint8_t i : index)
    if (i >= type_offsets.size()) return fail("transition type out of range");
  if (!std::is_sorted(z.transitions_.begin(), z.transitions_.end()))
    return fail("transitions out of order");
  for (uint8_t i : index) z.offsets_.push_back(type_offsets[i]);
  z.initial_offset_ = type_offsets[0];
  pos += block_size(*c, width) - static_cast<size_t>(c->time * width + c->time + c->type * 6);
  if (width == 8 && need(2) && bytes[pos] == '\n') {  // footer: the rule after the last change
    size_t end = bytes.find('\n', pos + 1);
    if (end == std::string_view::npos) return fail("unterminated footer");
    std::string_view footer = bytes.substr(pos + 1, end - pos - 1);
    if (!footer.empty()) {
      auto rule = Rule::parse(footer);
      if (!rule) return fail("bad footer rule '" + std::string(footer) + "'");
      z.rule_ = std::make_shared<const Rule>(*rule);
    }
  }
  return z;
}

std::chrono::seconds TimeZone::offset_at(int64_t utc) const {
  if (rule_ && (transitions_.empty() || utc >= transitions_.back()))
    return std::chrono::seconds(rule_->offset_at(utc));
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc);
  if (it == transitions_.begin()) return std::chrono::seconds(initial_offset_);
  return std::chrono::seconds(offsets_[static_cast<size_t>(it - transitions_.begin() - 1)]);
}

int64_t TimeZone::to_utc(int64_t local) const {
  // Guess with the offset at `local` read as UTC, then correct once with the offset there; if
  // the two disagree, `local` lies in a forward change's gap and takes the earlier offset.
  int64_t u = local - offset_at(local).count();
  const int64_t o = offset_at(u).count();
  u = local - o;
  if (offset_at(u).count() != o) u = local - offset_at(u).count();
  return u;
}

// ---- Schedule ---------------------------------------------------------------------------

Result<Schedule> Schedule::daily(std::chrono::seconds start, std::chrono::seconds end,
                                 TimeZone zone, std::vector<int> weekdays) {
  if (start.count() < 0 || start.count() >= kDay || end.count() < 0 || end.count() >= kDay)
    return Status::error("schedule: a time of day must be within 00:00:00-23:59:59");
  Schedule s(std::move(zone));
  s.start_time_ = start.count();
  s.end_time_ = end.count();
  if (!weekdays.empty()) {
    s.weekday_mask_ = 0;
    for (int d : weekdays) {
      if (d < 0 || d > 6) return Status::error("schedule: a weekday must be 0 (Sunday) to 6");
      s.weekday_mask_ |= static_cast<uint8_t>(1u << d);
    }
  }
  return s;
}

Result<Schedule> Schedule::weekly(int start_day, std::chrono::seconds start_time, int end_day,
                                  std::chrono::seconds end_time, TimeZone zone) {
  auto s = daily(start_time, end_time, std::move(zone));
  if (!s) return s;
  if (start_day < 0 || start_day > 6 || end_day < 0 || end_day > 6)
    return Status::error("schedule: a weekday must be 0 (Sunday) to 6");
  s->start_day_ = start_day;
  s->end_day_ = end_day;
  return s;
}

std::optional<Schedule::Window> Schedule::window_opening_on(int64_t day) const {
  const int wd = weekday_of(day);
  int64_t days_long;  // the end's local day minus the start's
  if (start_day_ >= 0) {
    if (wd != start_day_) return std::nullopt;
    days_long = (end_day_ - start_day_ + 7) % 7;
    if (days_long == 0 && end_time_ <= start_time_) days_long = 7;
  } else {
    if (!(weekday_mask_ & (1u << wd))) return std::nullopt;
    days_long = end_time_ > start_time_ ? 0 : 1;
  }
  const int64_t start = zone_.to_utc(day * kDay + start_time_);
  const int64_t end = zone_.to_utc((day + days_long) * kDay + end_time_);
  return Window{Duration(start * kNanos), Duration(std::max(start, end) * kNanos)};
}

std::optional<Schedule::Window> Schedule::window_at(Duration utc) const {
  const int64_t sec = floor_div(utc.count(), kNanos);
  const int64_t today = floor_div(sec + zone_.offset_at(sec).count(), kDay);
  // A window lasts at most a week, so it opened within the last eight local days.
  for (int64_t back = 0; back <= 8; ++back) {
    auto w = window_opening_on(today - back);
    if (w && w->start <= utc && utc < w->end) return w;
  }
  return std::nullopt;
}

Schedule::Window Schedule::next_window(Duration utc) const {
  const int64_t sec = floor_div(utc.count(), kNanos);
  const int64_t today = floor_div(sec + zone_.offset_at(sec).count(), kDay);
  for (int64_t ahead = 0;; ++ahead) {  // some window opens every week
    auto w = window_opening_on(today + ahead);
    if (w && w->start > utc) return *w;
  }
}

std::string Schedule::describe() const {
  std::string s;
  if (start_day_ >= 0) {
    s = "weekly " + std::string(kDayNames[static_cast<size_t>(start_day_)]) + " " +
        hhmmss(start_time_) + " - " + std::string(kDayNames[static_cast<size_t>(end_day_)]) + " " +
        hhmmss(end_time_);
  } else {
    s = "daily " + hhmmss(start_time_) + " - " + hhmmss(end_time_);
    if (weekday_mask_ != 0x7f) {
      s += " on";
      for (size_t d = 0; d < 7; ++d)
        if (weekday_mask_ & (1u << d)) s.append(" ").append(kDayNames[d].substr(0, 3));
    }
  }
  return s + " " + zone_.name();
}

std::optional<std::chrono::seconds> parse_time_of_day(std::string_view s) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  int v[3];
  for (int k = 0; k < 3; ++k) {
    char a = s[static_cast<size_t>(k * 3)], b = s[static_cast<size_t>(k * 3 + 1)];
    if (!std::isdigit(static_cast<unsigned char>(a)) ||
        !std::isdigit(static_cast<unsigned char>(b)))
      return std::nullopt;
    v[k] = (a - '0') * 10 + (b - '0');
  }
  if (v[0] > 23 || v[1] > 59 || v[2] > 59) return std::nullopt;
  return std::chrono::seconds(v[0] * 3600 + v[1] * 60 + v[2]);
}

std::optional<int> parse_weekday(std::string_view s) {
  if (s.size() < 2) return std::nullopt;
  for (size_t d = 0; d < kDayNames.size(); ++d) {
    std::string_view name = kDayNames[d];
    if (s.size() > name.size()) continue;
    bool match = true;
    for (size_t k = 0; k < s.size() && match; ++k)
      match = std::tolower(static_cast<unsigned char>(s[k])) ==
              std::tolower(static_cast<unsigned char>(name[k]));
    if (match) return static_cast<int>(d);
  }
  return std::nullopt;
}

}  // namespace fixgate::session
