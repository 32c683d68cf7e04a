// Every version fixgate speaks, each with its own standard dictionary (third_party/dict): what
// a Logon, a Reject, a BusinessMessageReject, a ResendRequest and a reset look like there. Not
// every rule exists in every version: FIX 4.0 and 4.1 Rejects carry only RefSeqNum and Text (the
// reason goes in Text), they have no BusinessMessageReject (a session Reject instead), FIX 4.0
// has no ResetSeqNumFlag, FIX 4.2 defines SessionRejectReason up to 11, and FIXT.1.1 names the
// application version (DefaultApplVerID, ApplVerID) by its code.
#include "session_harness.h"

namespace fixgate::session::testing {
namespace {

struct Version {
  std::string begin_string;
  std::string dictionary;       // the one dictionary of FIX 4.x; the transport one of FIXT.1.1
  std::string application;      // FIXT.1.1's application dictionary
  bool reject_has_reason;       // RefTagID, RefMsgType, SessionRejectReason (FIX 4.2 on)
  bool reasons_past_11;         // SessionRejectReason 12 and above (FIX 4.3 on)
  bool business_reject;         // BusinessMessageReject (FIX 4.2 on)
  bool reset_flag;              // ResetSeqNumFlag (FIX 4.1 on)
  std::string resend_infinity;  // EndSeqNo meaning "all": 999999 before FIX 4.2, then 0
};

const Version kVersions[] = {
    {"FIX.4.0", "FIX40.xml", "", false, false, false, false, "999999"},
    {"FIX.4.1", "FIX41.xml", "", false, false, false, true, "999999"},
    {"FIX.4.2", "FIX42.xml", "", true, false, true, true, "0"},
    {"FIX.4.3", "FIX43.xml", "", true, true, true, true, "0"},
    {"FIX.4.4", "FIX44.xml", "", true, true, true, true, "0"},
    {"FIXT.1.1", "FIXT11.xml", "FIX50SP2.xml", true, true, true, true, "0"},
};

std::string version_name(const ::testing::TestParamInfo<Version>& info) {
  std::string s = info.param.begin_string;
  std::erase(s, '.');
  return s;
}

dict::Dictionary::Ptr load(const std::string& file) {
  static std::map<std::string, dict::Dictionary::Ptr> cache;
  auto& d = cache[file];
  if (!d) {
    auto loaded = dict::Dictionary::load_file(std::string(FIXGATE_DICT_DIR) + "/" + file);
    EXPECT_TRUE(loaded) << loaded.error();
    if (loaded) d = *loaded;
  }
  return d;
}

class Versions : public ::testing::TestWithParam<Version> {
 protected:
  const Version& v() const { return GetParam(); }
  bool fixt() const { return !v().application.empty(); }

  SessionConfig config(Role role = Role::kAcceptor) const {
    SessionConfig c = default_config(role);
    c.id.begin_string = v().begin_string;
    c.data_dictionary = load(v().dictionary);
    if (fixt()) {
      c.app_dictionary = load(v().application);
      c.default_appl_ver_id = "FIX.5.0SP2";  // settings may name the version: sent as its code
    }
    return c;
  }

  std::unique_ptr<SessionUnderTest> logged_on(SessionConfig c) {
    auto t = std::make_unique<SessionUnderTest>(std::move(c));
    t->peer.begin_string = v().begin_string;
    Fields extra;
    if (fixt()) extra.push_back({tag::DefaultApplVerID, "9"});
    if (t->session.config().role == Role::kInitiator) {
      t->initiator_logon(1, extra);
    } else {
      t->logon(1, extra);
    }
    return t;
  }

  // A NewOrderSingle valid under the version's dictionary.
  Fields order(std::string id = "ORD-1") const {
    Fields f{{tag::ClOrdID, std::move(id)},
             {tag::HandlInst, "1"},
             {tag::Symbol, "IBM"},
             {tag::Side, "1"}};
    if (v().reject_has_reason) f.push_back({tag::TransactTime, "20261122-12:00:00.000"});
    f.push_back({tag::OrderQty, "100"});
    f.push_back({tag::OrdType, "1"});
    return f;
  }
};

// Rule 1 and 2 of the issue: a Logon under the version's own dictionary is accepted (FIX 4.0 and
// 4.1 type BeginString as CHAR, which is a string there) and answered in that version; FIXT.1.1
// answers with DefaultApplVerID as the code.
TEST_P(Versions, LogonIsAnsweredAndAnOrderDelivered) {
  for (Role role : {Role::kAcceptor, Role::kInitiator}) {
    SCOPED_TRACE(role == Role::kAcceptor ? "acceptor" : "initiator");
    auto t = logged_on(config(role));
    auto out = t->take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].type, "A");
    EXPECT_EQ(out[0].get(tag::BeginString), v().begin_string);
    EXPECT_EQ(out[0].get(tag::DefaultApplVerID), fixt() ? "9" : "");
    EXPECT_FALSE(out[0].has(tag::ResetSeqNumFlag));
    EXPECT_EQ(t->session.status(), SessionStatus::kActive) << t->session.last_error();
    t->receive("D", 2, order());
    ASSERT_EQ(t->app_messages().size(), 1u);
    EXPECT_TRUE(t->take().empty());
  }
}

TEST_P(Versions, RejectCarriesWhatTheVersionDefines) {
  auto t = logged_on(config());
  t->take();
  Fields bad = order();
  std::erase_if(bad, [](const auto& f) { return f.first == tag::Side; });
  t->receive("D", 2, bad);
  auto out = t->take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].get(tag::RefSeqNum), "2");
  EXPECT_EQ(out[0].get(tag::Text), "Required tag missing, field=54");
  EXPECT_EQ(out[0].has(tag::SessionRejectReason), v().reject_has_reason);
  EXPECT_EQ(out[0].has(tag::RefTagID), v().reject_has_reason);
  EXPECT_EQ(out[0].has(tag::RefMsgType), v().reject_has_reason);
  if (v().reject_has_reason) {
    EXPECT_EQ(out[0].get(tag::SessionRejectReason), "1");
    EXPECT_EQ(out[0].get(tag::RefTagID), "54");
  }
  EXPECT_EQ(t->session.next_target_seq(), SeqNum(3));
}

// Reason 13 (tag appears more than once) is past what FIX 4.2 defines: its Reject says which
// tag, but no reason number a 4.2 counterparty could not read.
TEST_P(Versions, RejectReasonsPastElevenOnlyFromFix43) {
  auto t = logged_on(config());
  t->take();
  Fields twice = order();
  twice.push_back({tag::Symbol, "MSFT"});
  t->receive("D", 2, twice);
  auto out = t->take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "3");
  EXPECT_EQ(out[0].has(tag::SessionRejectReason), v().reasons_past_11);
  if (v().reasons_past_11) {
    EXPECT_EQ(out[0].get(tag::SessionRejectReason), "13");
  }
  EXPECT_NE(out[0].get(tag::Text).find("Tag appears more than once"), std::string::npos);
}

TEST_P(Versions, UnsupportedMessageTypeGetsWhatTheVersionHas) {
  SessionConfig c = config();
  c.supported_message_types = {"D"};
  auto t = logged_on(c);
  t->take();
  t->receive("C", 2, {{tag::EmailThreadID, "T1"}, {tag::EmailType, "0"}, {tag::Subject, "hi"}});
  auto out = t->take();
  ASSERT_EQ(out.size(), 1u);
  if (v().business_reject) {
    EXPECT_EQ(out[0].type, "j");
    EXPECT_EQ(out[0].get(tag::BusinessRejectReason), "3");
    EXPECT_EQ(out[0].get(tag::RefMsgType), "C");
  } else {
    EXPECT_EQ(out[0].type, "3");
    EXPECT_NE(out[0].get(tag::Text).find("Unsupported Message Type"), std::string::npos);
    EXPECT_FALSE(out[0].has(tag::SessionRejectReason));
  }
  EXPECT_EQ(out[0].get(tag::RefSeqNum), "2");
  EXPECT_TRUE(t->app_messages().empty());
}

TEST_P(Versions, NoApplicationGetsWhatTheVersionHas) {
  SessionConfig c = config();
  c.application_available = false;
  auto t = logged_on(c);
  t->take();
  t->receive("D", 2, order());
  auto out = t->take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, v().business_reject ? "j" : "3");
  if (v().business_reject) {
    EXPECT_EQ(out[0].get(tag::BusinessRejectReason), "4");
  }
  EXPECT_NE(out[0].get(tag::Text).find("Application not available"), std::string::npos);
}

TEST_P(Versions, ResendRequestAsksForEverythingTheVersionsWay) {
  auto t = logged_on(config());
  t->take();
  t->receive("0", 4);
  auto out = t->take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "2");
  EXPECT_EQ(out[0].get(tag::BeginSeqNo), "2");
  EXPECT_EQ(out[0].get(tag::EndSeqNo), v().resend_infinity);
}

TEST_P(Versions, ResetOnLogonAsksForTheResetWhereTheVersionCan) {
  SessionConfig c = config(Role::kInitiator);
  c.reset_on_logon = true;
  SessionUnderTest t(c);
  t.connect();
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].get(tag::ResetSeqNumFlag), v().reset_flag ? "Y" : "");
}

TEST_P(Versions, ResetDuringTheSessionWhereTheVersionCan) {
  auto t = logged_on(config());
  t->take();
  EXPECT_EQ(t->session.reset_sequence_numbers(t->now).is_ok(), v().reset_flag);
  t->pump();
  auto out = t->take();
  if (!v().reset_flag) {
    EXPECT_TRUE(out.empty());
    return;
  }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "A");
  EXPECT_EQ(out[0].seq, 1u);
  EXPECT_EQ(out[0].get(tag::ResetSeqNumFlag), "Y");
  Fields answer{{tag::EncryptMethod, "0"}, {tag::HeartBtInt, "30"}, {tag::ResetSeqNumFlag, "Y"}};
  if (fixt()) answer.push_back({tag::DefaultApplVerID, "9"});
  t->receive("A", 1, answer);
  EXPECT_TRUE(t->take().empty());
  t->receive("D", 2, order());
  EXPECT_EQ(t->app_messages().size(), 1u);
  EXPECT_TRUE(t->take().empty());
}

INSTANTIATE_TEST_SUITE_P(AllVersions, Versions, ::testing::ValuesIn(kVersions), version_name);

// FIXT.1.1: ApplVerID on the wire is the code; a counterparty writing the version's name in
// DefaultApplVerID (1137) or ApplVerID (1128) is understood.
TEST(FixtApplVerID, NamesAreReadAsTheirCodes) {
  SessionConfig c = default_config();
  c.id.begin_string = "FIXT.1.1";
  c.data_dictionary = load("FIXT11.xml");
  c.app_dictionary = load("FIX50SP2.xml");
  c.default_appl_ver_id = "9";
  SessionUnderTest t(c);
  t.peer.begin_string = "FIXT.1.1";
  t.logon(1, {{tag::DefaultApplVerID, "FIX.5.0SP2"}});
  auto out = t.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(tag::DefaultApplVerID), "9");
  EXPECT_EQ(t.session.counterparty_default_appl_ver_id(), "9");
  const Fields order{{tag::ClOrdID, "A"},    {tag::Symbol, "IBM"},
                     {tag::Side, "1"},       {tag::TransactTime, "20261122-12:00:00.000"},
                     {tag::OrderQty, "100"}, {tag::OrdType, "1"}};
  t.receive("D", 2, order, {.header = {{tag::ApplVerID, "FIX.5.0SP2"}}});
  t.receive("D", 3, order, {.header = {{tag::ApplVerID, "9"}}});
  t.receive("D", 4, order);
  EXPECT_TRUE(t.take().empty());
  EXPECT_EQ(t.app_messages().size(), 3u);
}

}  // namespace
}  // namespace fixgate::session::testing
