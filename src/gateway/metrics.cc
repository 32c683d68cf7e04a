#include "metrics.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <optional>
#include <tuple>

namespace fixgate::gateway {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using session::SessionStats;

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

// One LP's value of a per-LP family; nullopt: no sample for this LP.
using LpValue = std::function<std::optional<double>(const LpView&, SystemTime now)>;

struct PerLp {
  const char* name;
  const char* help;
  MetricType type;
  LpValue value;
};

// A counter of the running session's SessionStats: no sample while no session runs.
PerLp counter(const char* name, const char* help, uint64_t SessionStats::*member) {
  return {name, help, MetricType::Counter,
          [member](const LpView& v, SystemTime) -> std::optional<double> {
            if (!v.stats) return std::nullopt;
            return static_cast<double>((*v.stats).*member);
          }};
}

// Seconds from `t` to now (never negative); no sample when `t` is unknown.
std::optional<double> age(const std::optional<SystemTime>& t, SystemTime now) {
  if (!t) return std::nullopt;
  return std::max(0.0, seconds(now - *t));
}

std::vector<PerLp> per_lp_families() {
  const auto gauge = [](const char* name, const char* help, LpValue value) {
    return PerLp{name, help, MetricType::Gauge, std::move(value)};
  };
  return {
      gauge("fixgate_lp_status", "The LP's status column: 0 inactive, 1 active, 2 error.",
            [](const LpView& v, SystemTime) { return static_cast<double>(v.status); }),
      gauge("fixgate_lp_enabled", "1 when the LP's row is enabled, 0 when disabled (kill switch).",
            [](const LpView& v, SystemTime) { return v.enabled ? 1.0 : 0.0; }),
      {"fixgate_lp_status_transitions_total",
       "Status changes of the LP so far (its stored transition number).", MetricType::Counter,
       [](const LpView& v, SystemTime) { return static_cast<double>(v.transitions); }},
      gauge("fixgate_lp_reconnect_in_seconds",
            "Seconds until the next connection attempt while waiting to reconnect, else 0.",
            [](const LpView& v, SystemTime now) {
              return v.next_reconnect_at ? std::max(0.0, seconds(*v.next_reconnect_at - now)) : 0.0;
            }),
      gauge("fixgate_session_heartbeat_interval_seconds", "HeartBtInt of the LP's session.",
            [](const LpView& v, SystemTime) -> std::optional<double> {
              if (v.heartbeat_interval.count() <= 0) return std::nullopt;
              return static_cast<double>(v.heartbeat_interval.count());
            }),
      gauge("fixgate_session_next_sender_seq", "MsgSeqNum of the next message sent to the LP.",
            [](const LpView& v, SystemTime) { return static_cast<double>(v.next_sender_seq); }),
      gauge("fixgate_session_next_target_seq", "MsgSeqNum expected next from the LP.",
            [](const LpView& v, SystemTime) { return static_cast<double>(v.next_target_seq); }),
      gauge("fixgate_session_seconds_since_last_received",
            "Seconds since the last bytes received from the LP.",
            [](const LpView& v, SystemTime now) { return age(v.last_received_at, now); }),
      gauge("fixgate_session_seconds_since_last_sent",
            "Seconds since the last message sent to the LP.",
            [](const LpView& v, SystemTime now) { return age(v.last_sent_at, now); }),
      gauge("fixgate_session_current_gap",
            "Inbound messages missing now: asked for with a ResendRequest, not yet arrived.",
            [](const LpView& v, SystemTime) -> std::optional<double> {
              if (!v.stats) return std::nullopt;
              return static_cast<double>(v.stats->current_gap);
            }),
      counter("fixgate_session_heartbeats_received_total", "Heartbeats received from the LP.",
              &SessionStats::heartbeats_received),
      counter("fixgate_session_heartbeats_sent_total", "Heartbeats sent to the LP.",
              &SessionStats::heartbeats_sent),
      counter("fixgate_session_test_requests_received_total", "TestRequests received from the LP.",
              &SessionStats::test_requests_received),
      counter("fixgate_session_test_requests_sent_total", "TestRequests sent to the LP.",
              &SessionStats::test_requests_sent),
      counter("fixgate_session_resend_requests_received_total",
              "ResendRequests received from the LP.", &SessionStats::resend_requests_received),
      counter("fixgate_session_resend_requests_sent_total", "ResendRequests sent to the LP.",
              &SessionStats::resend_requests_sent),
      counter("fixgate_session_sequence_resets_received_total",
              "SequenceResets (gap fills and resets) received from the LP.",
              &SessionStats::sequence_resets_received),
      counter("fixgate_session_gap_fills_received_total",
              "SequenceResets with GapFillFlag=Y received from the LP.",
              &SessionStats::gap_fills_received),
      counter("fixgate_session_gap_fills_sent_total",
              "SequenceResets with GapFillFlag=Y sent to the LP (in answer to its ResendRequests).",
              &SessionStats::gap_fills_sent),
      counter("fixgate_session_logons_total", "Logon exchanges completed with the LP.",
              &SessionStats::logons),
      counter("fixgate_session_logouts_total", "Logouts exchanged with the LP.",
              &SessionStats::logouts),
      counter("fixgate_session_errors_total",
              "Session errors (protocol failures that ended a connection).", &SessionStats::errors),
      counter("fixgate_session_garbled_total", "Garbled input from the LP, dropped.",
              &SessionStats::garbled),
      {"fixgate_lp_connect_attempts_total",
       "Connections to the LP tried so far by its running engine (an initiator).",
       MetricType::Counter,
       [](const LpView& v, SystemTime) -> std::optional<double> {
         if (!v.stats) return std::nullopt;
         return static_cast<double>(v.connect_attempts);
       }},
      {"fixgate_lp_connect_failures_total",
       "Of those, the attempts that failed (not resolved, refused, timed out, TLS).",
       MetricType::Counter,
       [](const LpView& v, SystemTime) -> std::optional<double> {
         if (!v.stats) return std::nullopt;
         return static_cast<double>(v.connect_failures);
       }},
      gauge("fixgate_lp_reconnect_backoff_seconds",
            "The wait before the latest scheduled reconnect (0 once logged on).",
            [](const LpView& v, SystemTime) -> std::optional<double> {
              if (!v.stats) return std::nullopt;
              return seconds(v.reconnect_backoff);
            }),
      gauge("fixgate_session_receive_queue_depth",
            "Inbound messages waiting for the application now.",
            [](const LpView& v, SystemTime) -> std::optional<double> {
              if (!v.stats) return std::nullopt;
              return static_cast<double>(v.receive_queue_depth);
            }),
      gauge("fixgate_session_reading_paused",
            "1 while reading from the LP is paused because the receive queue is full.",
            [](const LpView& v, SystemTime) -> std::optional<double> {
              if (!v.stats) return std::nullopt;
              return v.reading_paused ? 1.0 : 0.0;
            }),
      {"fixgate_lp_loop_cpu_seconds_total",
       "CPU time of the LP's event loop thread; its rate is the loop's busy ratio.",
       MetricType::Counter,
       [](const LpView& v, SystemTime) -> std::optional<double> {
         if (!v.loop_cpu_time) return std::nullopt;
         return seconds(*v.loop_cpu_time);
       }},
  };
}

ClientMetric sample(const LpView& v, double value, MetricType type) {
  ClientMetric m;
  m.label = {{"provider", v.provider}, {"session_id", v.session_id}};
  if (type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  return m;
}

MetricFamily family(const char* name, const char* help, MetricType type) {
  MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

ClientMetric gauge_sample(double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  return m;
}

ClientMetric counter_sample(double value) {
  ClientMetric m;
  m.counter.value = value;
  return m;
}

// SessionRejectReason (373) slots as label values (session::reject_reason_slot).
constexpr std::array<const char*, session::kRejectReasonSlots> kRejectReasonNames{
    "invalid_tag_number",
    "required_tag_missing",
    "tag_not_defined_for_message_type",
    "undefined_tag",
    "tag_specified_without_value",
    "value_is_incorrect",
    "incorrect_data_format",
    "decryption_problem",
    "signature_problem",
    "compid_problem",
    "sending_time_accuracy_problem",
    "invalid_msg_type",
    "xml_validation_error",
    "tag_appears_more_than_once",
    "tag_specified_out_of_required_order",
    "repeating_group_fields_out_of_order",
    "incorrect_num_in_group_count",
    "non_data_value_includes_field_delimiter",
    "other",
};

// One per-LP family whose samples carry one more label: `add(v, label value, value)` per series.
struct Labelled {
  const char* name;
  const char* help;
  const char* label;
  std::function<void(const LpView&, const std::function<void(const std::string&, uint64_t)>& add)>
      series;
};

std::vector<Labelled> labelled_families() {
  // admin = all - app; each counter of SessionStats counts both.
  const auto by_class = [](uint64_t SessionStats::*all, uint64_t SessionStats::*app) {
    return [all, app](const LpView& v, const auto& add) {
      add("admin", (*v.stats).*all - (*v.stats).*app);
      add("app", (*v.stats).*app);
    };
  };
  // Session Rejects by reason (the reasons seen so far), and BusinessMessageRejects.
  const auto rejects = [](uint64_t SessionStats::*all,
                          std::array<uint64_t, session::kRejectReasonSlots> SessionStats::*slots) {
    return [all, slots](const LpView& v, const auto& add) {
      uint64_t session_rejects = 0;
      for (size_t i = 0; i < session::kRejectReasonSlots; ++i) {
        const uint64_t n = ((*v.stats).*slots)[i];
        session_rejects += n;
        if (n > 0) add(kRejectReasonNames[i], n);
      }
      add("business", (*v.stats).*all - session_rejects);
    };
  };
  return {
      {"fixgate_session_messages_received_total",
       "Messages received from the LP, by class: admin (session level) or app.", "class",
       by_class(&SessionStats::messages_received, &SessionStats::app_messages_received)},
      {"fixgate_session_messages_sent_total",
       "Messages sent to the LP, by class: admin (session level) or app.", "class",
       by_class(&SessionStats::messages_sent, &SessionStats::app_messages_sent)},
      {"fixgate_session_bytes_received_total",
       "Bytes received from the LP, by class (admin includes garbled input).", "class",
       by_class(&SessionStats::bytes_received, &SessionStats::app_bytes_received)},
      {"fixgate_session_bytes_sent_total", "Bytes sent to the LP, by class.", "class",
       by_class(&SessionStats::bytes_sent, &SessionStats::app_bytes_sent)},
      {"fixgate_session_rejects_received_total",
       "Rejects received from the LP: Session Rejects by SessionRejectReason (each reason once "
       "seen), and BusinessMessageRejects as reason=\"business\".",
       "reason", rejects(&SessionStats::rejects_received, &SessionStats::session_rejects_received)},
      {"fixgate_session_rejects_sent_total",
       "Rejects sent to the LP: Session Rejects by SessionRejectReason (each reason once seen), "
       "and "
       "BusinessMessageRejects as reason=\"business\".",
       "reason", rejects(&SessionStats::rejects_sent, &SessionStats::session_rejects_sent)},
      {"fixgate_session_disconnects_total",
       "Connections to the LP that ended, by cause (logout, schedule, timeout, logon_refused, "
       "protocol, store, connection_lost).",
       "cause",
       [](const LpView& v, const auto& add) {
         for (size_t i = 0; i < session::kDisconnectCauses; ++i)
           add(std::string(session::to_string(static_cast<session::DisconnectCause>(i))),
               v.stats->disconnects[i]);
       }},
  };
}

// A LatencyHistogram snapshot as a Prometheus histogram: cumulative buckets in seconds, the last
// one +Inf.
ClientMetric histogram_sample(const LpView& v, const LatencyHistogram::Snapshot& s) {
  ClientMetric m = sample(v, 0, MetricType::Histogram);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
    cumulative += s.counts[i];
    const double bound = i < LatencyHistogram::kBoundsNs.size()
                             ? static_cast<double>(LatencyHistogram::kBoundsNs[i]) / 1e9
                             : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back({cumulative, bound});
  }
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = seconds(s.sum);
  return m;
}

// Every state an LP's `state` can read; the current one 1, the others 0 (one series each, so a
// state's series never vanishes).
MetricFamily state_family(const std::vector<LpView>& views) {
  MetricFamily f = family("fixgate_lp_state",
                          "1 for the LP's current state (the engine's session status, or stopped "
                          "or disabled while no session runs), 0 for the others.",
                          MetricType::Gauge);
  std::vector<std::string> states = {"stopped", "disabled"};
  for (int s = 0; s <= static_cast<int>(session::SessionStatus::kError); ++s) {
    std::string name(session::to_string(static_cast<session::SessionStatus>(s)));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    states.push_back(std::move(name));
  }
  for (const LpView& v : views) {
    const bool known = std::find(states.begin(), states.end(), v.state) != states.end();
    for (const std::string& s : states) {
      ClientMetric m = sample(v, s == v.state ? 1 : 0, MetricType::Gauge);
      m.label.push_back({"state", s});
      f.metric.push_back(std::move(m));
    }
    if (!known && !v.state.empty()) {
      ClientMetric m = sample(v, 1, MetricType::Gauge);
      m.label.push_back({"state", v.state});
      f.metric.push_back(std::move(m));
    }
  }
  return f;
}

void add_nats(const NatsPublisher::Stats& s, std::vector<MetricFamily>& out) {
  auto gauge = [&](const char* name, const char* help, double value) {
    out.push_back(family(name, help, MetricType::Gauge));
    out.back().metric.push_back(gauge_sample(value));
  };
  auto counter = [&](const char* name, const char* help, uint64_t value) {
    out.push_back(family(name, help, MetricType::Counter));
    out.back().metric.push_back(counter_sample(static_cast<double>(value)));
  };
  gauge("fixgate_nats_connected", "1 while connected to NATS.", s.connected ? 1 : 0);
  counter("fixgate_nats_published_total", "Events and KV values acknowledged by NATS.",
          s.published);
  gauge("fixgate_nats_buffered", "Events and KV values waiting to be published (in flight too).",
        static_cast<double>(s.buffered));
  counter("fixgate_nats_dropped_total", "Events and KV values dropped: the buffer was full.",
          s.dropped);
  counter("fixgate_nats_rejected_total",
          "Events and KV values refused for good (bad subject or key, refused by the server).",
          s.rejected);
  counter("fixgate_nats_failed_attempts_total",
          "Sends that failed and were retried (NATS down, no acknowledgement in time).",
          s.failed_attempts);
  out.push_back(family("fixgate_nats_publish_latency_seconds",
                       "From publish to NATS's acknowledgement, time in the buffer included.",
                       MetricType::Summary));
  ClientMetric latency;
  latency.summary.sample_count = s.published;
  latency.summary.sample_sum = seconds(s.total_latency);
  out.back().metric.push_back(std::move(latency));
  gauge("fixgate_nats_last_publish_latency_seconds",
        "The latest acknowledged publish's latency, time in the buffer included.",
        seconds(s.last_latency));
}

}  // namespace

GatewayMetrics::GatewayMetrics(const LpControl& lps, const NatsPublisher* nats, Clock clock)
    : lps_(lps), nats_(nats), clock_(std::move(clock)) {}

std::vector<MetricFamily> GatewayMetrics::Collect() const {
  const std::vector<LpView> views = lps_.list();
  const SystemTime now = clock_();
  std::vector<MetricFamily> out;

  MetricFamily by_status =
      family("fixgate_lps", "LPs in the sessions table, by status.", MetricType::Gauge);
  for (LpStatus s : {LpStatus::kInactive, LpStatus::kActive, LpStatus::kError}) {
    const auto n =
        std::count_if(views.begin(), views.end(), [s](const LpView& v) { return v.status == s; });
    by_status.metric.push_back(
        gauge_sample(static_cast<double>(n), {{"status", std::string(to_string(s))}}));
  }
  out.push_back(std::move(by_status));
  if (MetricFamily states = state_family(views); !states.metric.empty())
    out.push_back(std::move(states));

  static const std::vector<PerLp> kPerLp = per_lp_families();
  for (const PerLp& d : kPerLp) {
    MetricFamily f = family(d.name, d.help, d.type);
    for (const LpView& v : views)
      if (auto value = d.value(v, now)) f.metric.push_back(sample(v, *value, d.type));
    if (!f.metric.empty()) out.push_back(std::move(f));
  }
  static const std::vector<Labelled> kLabelled = labelled_families();
  for (const Labelled& d : kLabelled) {
    MetricFamily f = family(d.name, d.help, MetricType::Counter);
    for (const LpView& v : views) {
      if (!v.stats) continue;
      d.series(v, [&](const std::string& value, uint64_t n) {
        ClientMetric m = sample(v, static_cast<double>(n), MetricType::Counter);
        m.label.push_back({d.label, value});
        f.metric.push_back(std::move(m));
      });
    }
    if (!f.metric.empty()) out.push_back(std::move(f));
  }
  const std::tuple<const char*, const char*, std::optional<LatencyHistogram::Snapshot> LpView::*>
      histograms[] = {
          {"fixgate_store_commit_seconds",
           "Store commits of the LP's session: one per inbound batch or send, a FileStore's "
           "fdatasync included with FsyncPolicy=always.",
           &LpView::commit_latency},
          {"fixgate_store_sync_seconds",
           "fdatasync of the LP's file store after commits (FileStore only; in the background "
           "with FsyncPolicy=batch).",
           &LpView::sync_latency},
      };
  for (const auto& [name, help, member] : histograms) {
    MetricFamily f = family(name, help, MetricType::Histogram);
    for (const LpView& v : views)
      if (const auto& snapshot = v.*member) f.metric.push_back(histogram_sample(v, *snapshot));
    if (!f.metric.empty()) out.push_back(std::move(f));
  }
  if (nats_) add_nats(nats_->stats(), out);
  return out;
}

std::string GatewayMetrics::text() const {
  return prometheus::TextSerializer().Serialize(Collect());
}

}  // namespace fixgate::gateway
