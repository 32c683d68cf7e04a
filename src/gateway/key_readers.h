// How the key table reads values (internal header): readers for keys that set one member, as
// templates over the member, and the readers of keys whose values need more than a type.
#pragma once

#include <chrono>
#include <string>
#include <type_traits>

#include "fixgate/gateway/setting_keys.h"
#include "fixgate/gateway/settings.h"

namespace fixgate::gateway::readers {

using S = SessionSetup;

// The member a key sets, for any target constness: FIXGATE_MEMBER(manager.tcp_nodelay).
#define FIXGATE_MEMBER(path) \
  [](auto& t) -> auto& { return t.path; }

template <typename T, auto Get>
constexpr KeyReader<T> flag() {
  return {[](const Setting& s, T& t) -> Status {
            auto v = read_bool(s);
            if (!v) return v.status();
            Get(t) = *v;
            return Status::ok();
          },
          [](const T& t) -> std::string { return Get(t) ? "Y" : "N"; }};
}

template <typename T, auto Get, long long kMin, long long kMax>
constexpr KeyReader<T> whole() {
  return {[](const Setting& s, T& t) -> Status {
            auto v = read_int(s, kMin, kMax);
            if (!v) return v.status();
            Get(t) = static_cast<std::remove_cvref_t<decltype(Get(t))>>(*v);
            return Status::ok();
          },
          [](const T& t) -> std::string { return std::to_string(Get(t)); }};
}

// A duration written as a whole number of `Unit`s.
template <typename T, typename Unit, auto Get, long long kMin, long long kMax>
constexpr KeyReader<T> duration() {
  return {[](const Setting& s, T& t) -> Status {
            auto v = read_int(s, kMin, kMax);
            if (!v) return v.status();
            Get(t) = Unit(*v);
            return Status::ok();
          },
          [](const T& t) -> std::string {
            return std::to_string(std::chrono::duration_cast<Unit>(Get(t)).count());
          }};
}

template <typename T, auto Get>
constexpr KeyReader<T> text() {
  return {[](const Setting& s, T& t) -> Status {
            Get(t) = s.value;
            return Status::ok();
          },
          [](const T& t) -> std::string { return Get(t); }};
}

Status read_connection_type(const Setting& s, S& t);
Status read_begin_string(const Setting& s, S& t);
// The ApplVerID code ("9") or its name ("FIX.5.0SP2"), as QuickFIX takes it; kept as the code,
// which is what goes on the wire.
Status read_appl_ver_id(const Setting& s, S& t);
Status read_precision(const Setting& s, S& t);
std::string show_precision(const S& t);
Status read_verify_level(const Setting& s, S& t);
std::string show_verify_level(const S& t);
// QuickFIX's Apache-style list ("all -SSLv2", "+TLSv1_2 +TLSv1_3"; TLSv1.3 also accepted).
Status read_ssl_protocol(const Setting& s, S& t);
Status read_store_type(const Setting& s, S& t);
Status read_fsync(const Setting& s, S& t);
std::string show_fsync(const S& t);
Status read_app(const Setting& s, S& t);
Status read_allowed_comp_ids(const Setting& s, S& t);
// QuickFIX/J's MINA transport may be TCP or VM_PIPE (in-process); fixgate's is TCP.
Status read_tcp_only(const Setting& s, S&);
std::string show_reconnect_interval(const S& t);
std::string show_multiplier(const S&);
std::string show_jitter(const S&);

}  // namespace fixgate::gateway::readers
