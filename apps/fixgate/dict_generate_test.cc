// `fixgate dict generate` against the QuickFIX-format dictionaries jspurefix ships (FIX42.xml,
// FIX44.xml, FIX50SP2.xml with transport and application in one file): the same fields, enums,
// messages, required flags and group layouts, or a difference listed below with its reason.
#include "dict_generate.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <span>

#include "dict_compare.h"
#include "dict_generate_test_util.h"

namespace fixgate::cli {
namespace {

// QuickFIX names tag 327 HaltReasonChar (FIX 4.x) and HaltReasonInt (FIX 5.0): its C++ field
// classes serve every version at once and the type changed. The repository keeps the FIX name.
constexpr Known kHaltReasonChar{"^field 327 named HaltReason here, HaltReasonChar there$",
                                "QuickFIX renames 327 per type; the repository keeps HaltReason"};

constexpr Known kFix42Known[] = {
    kHaltReasonChar,
    {"^field 156 SettlCurrFxRateCalc: enum [MD] only there$",
     "the repository's FIX 4.2 lists no values for 156; the 4.2 specification (and QuickFIX) has "
     "M multiply and D divide"},
    {"^field 347 MessageEncoding: enum (Shift_JIS only here|SHIFT_JIS only there)$",
     "the repository spells the charset as IANA does, Shift_JIS; QuickFIX's file upper-cases it"},
};

constexpr Known kFix44Known[] = {kHaltReasonChar};

// jspurefix's FIX50SP2.xml is FIX 5.0 SP2 with the later Extension Packs applied (163 messages
// against the SP2 base's 116, hundreds more fields, values and members). The EPs add; so what
// the generator writes must be there, while what is only there is the EPs' work. The EPs also
// changed some of the SP2 base, listed one by one.
constexpr Known kFix50Sp2Known[] = {
    {" only there$", "added by an Extension Pack after the SP2 base"},
    {"^field 327 named HaltReason here, HaltReasonInt there$",
     "QuickFIX renames 327 per type; the repository keeps HaltReason"},
    {"^field 1008 named SideTrdSubTyp here, SideTrdSubType there$",
     "the SP2 base spells it SideTrdSubTyp (so does QuickFIX/C++ 1.15.1); an EP corrected it"},
    {"^message b: named MassQuoteAcknowledgement here, MassQuoteAck there$",
     "QuickFIX/C++ 1.15.1 and the SP2 base say MassQuoteAcknowledgement; an EP shortened it"},
    {"^message BN: named ExecutionAcknowledgement here, ExecutionAck there$",
     "QuickFIX/C++ 1.15.1 and the SP2 base say ExecutionAcknowledgement; an EP shortened it"},
    {"^field (213 XmlData|1283 DerivativeSecurityXML): type DATA here, XMLDATA there$",
     "the SP2 base types XML payloads as data; both are length-prefixed data fields to a parser"},
    {"^field (587 LegSettlType|1193 SettlMethod|1317 DerivativeSettlMethod): type CHAR here, "
     "STRING there$",
     "EPs widened these from char to String"},
    {"^field (674 LegAllocAcctIDSource|877 UnderlyingCPProgram): type STRING here, INT there$",
     "EPs changed these to int"},
    {"^field 1009 SideLastQty: type INT here, QTY there$", "an EP changed it to Qty"},
    {"^field 1294 DerivativeInstrumentPartyIDSource: type STRING here, CHAR there$",
     "an EP changed it to char (as PartyIDSource)"},
    {"^field 1299 DerivativeExerciseStyle: type CHAR here, INT there$",
     "an EP changed it to int (as ExerciseStyle)"},
    {"^field 1308 ExecInstValue: type CHAR here, MULTIPLECHARVALUE there$",
     "an EP changed it to MultipleCharValue (as ExecInst)"},
    {"^field (1492 ComplexEventStartDate|1493 ComplexEventEndDate): type UTCTIMESTAMP here, "
     "UTCDATEONLY there$",
     "an EP changed these to UTCDateOnly"},
    {"^field (1035 DeskOrderHandlingInst|1395 MarketUpdateAction): enum [^ ]+ only here$",
     "jspurefix's file lists no values for these (the EPs moved them to external code sets); "
     "the SP2 base lists them"},
    {"^message (B|C|E|N|R|V|W|X|i|i/NoQuoteSets|l|m|s|t|u|AE|AG|AH|AK|AK/NoCapacities|AM|BD|BM|BJ|"
     "BS): [0-9]+ [A-Za-z]+ required Y here, N there$",
     "required in the SP2 base (QuickFIX/C++ 1.15.1 also requires TradeCaptureReport's LastQty "
     "and LastPx); EPs made them optional"},
    {"^message (r|BZ)/NoAffectedOrders: (delimiter 41 here, 1824 there|41 OrigClOrdID only here)$",
     "an EP replaced OrigClOrdID by AffectedOrigClOrdID (1824) as the group's first field"},
};

// The FIXT.1.1 transport dictionary, from the SP2 repository, against the header, trailer and
// session messages of jspurefix's FIX50SP2.xml, which are FIX 4.4's.
constexpr Known kFixt11Known[] = {
    {"^field 8 BeginString: enum FIX(T\\.1\\.1|\\.4\\.2|\\.4\\.4) only there$",
     "the repository lists no BeginString values (and FIXT.1.1 carries FIX.5.0 and later too)"},
    {"^field 35 MsgType: enum [A-Z]+ only there$", "message types added by Extension Packs"},
    {"^field 1128 ApplVerID: enum 10 only there$", "ApplVerID 10 came with a later EP"},
    {"^field 1409 SessionStatus: enum (9|10) only there$", "values added by Extension Packs"},
    {"^field 213 XmlData: type DATA here, XMLDATA there$",
     "the SP2 base types XmlData as data; both are length-prefixed data fields to a parser"},
    {"^header: (1128 ApplVerID|1156 ApplExtID|1129 CstmApplVerID) only here$",
     "FIXT.1.1's StandardHeader carries the application version (QuickFIX's FIXT11.xml has "
     "ApplVerID and CstmApplVerID too); jspurefix's combined file keeps FIX 4.4's header"},
    {"^message (3|5|A/NoMsgTypes): [0-9]+ [A-Za-z]+ only here$",
     "optional fields FIX 5.0 SP2 added to Reject, Logout and Logon's NoMsgTypes; jspurefix's "
     "file keeps FIX 4.4's session messages"},
    {"^message A: 1137 DefaultApplVerID required Y here, N there$",
     "FIXT.1.1 requires DefaultApplVerID on Logon (QuickFIX's FIXT11.xml too)"},
};

// Generates `version`, loads it and jspurefix's `file`, and compares them within `scope`.
void expect_matches(std::string_view version, const std::string& file, const CompareScope& scope,
                    std::span<const Known> known) {
  auto ours = generated(version);
  auto theirs = quickfix(file);
  ASSERT_TRUE(ours && theirs);
  expect_only_known(compare_dictionaries(*ours, *theirs, scope), known);
}

TEST(DictGenerateTest, Fix42MatchesQuickFixFormatFileButForKnownDifferences) {
  expect_matches("FIX.4.2", "FIX42.xml", {}, kFix42Known);
}

TEST(DictGenerateTest, Fix44MatchesQuickFixFormatFileButForKnownDifferences) {
  expect_matches("FIX.4.4", "FIX44.xml", {}, kFix44Known);
}

TEST(DictGenerateTest, Fix50Sp2ApplicationMatchesQuickFixFormatFileButForKnownDifferences) {
  expect_matches("FIX.5.0SP2", "FIX50SP2.xml", {.header_trailer = false, .admin_messages = false},
                 kFix50Sp2Known);
}

TEST(DictGenerateTest, Fixt11MatchesTransportPartOfFix50Sp2ButForKnownDifferences) {
  expect_matches("FIXT.1.1", "FIX50SP2.xml", {.only_our_fields = true, .app_messages = false},
                 kFixt11Known);
}

// What setup.sh puts in third_party/dict: the generated set and jspurefix's files.
TEST(DictGenerateTest, EveryDictionarySetupInstallsLoads) {
  for (const char* name :
       {"FIX40", "FIX41", "FIX42", "FIX43", "FIX44", "FIX50", "FIX50SP1", "FIX50SP2", "FIXT11"}) {
    auto d = dict::Dictionary::load_file(std::string(FIXGATE_DICT_DIR) + "/" + name + ".xml");
    EXPECT_TRUE(d) << d.error() << " (run scripts/setup.sh)";
  }
}

// Every version the generator knows loads with fixgate's own loader and has the shape of its
// QuickFIX counterpart.
TEST(DictGenerateTest, EveryVersionLoadsWithItsBeginString) {
  const std::pair<std::string_view, const char*> kExpected[] = {
      {"FIX.4.0", "FIX.4.0"},       {"FIX.4.1", "FIX.4.1"},   {"FIX.4.2", "FIX.4.2"},
      {"FIX.4.4", "FIX.4.4"},       {"FIX.5.0", "FIX.5.0"},   {"FIX.5.0SP1", "FIX.5.0SP1"},
      {"FIX.5.0SP2", "FIX.5.0SP2"}, {"FIXT.1.1", "FIXT.1.1"},
  };
  ASSERT_EQ(generator_versions().size(), std::size(kExpected));
  for (auto [version, begin_string] : kExpected) {
    SCOPED_TRACE(std::string(version));
    auto d = generated(version);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->begin_string(), begin_string);
    EXPECT_GT(d->field_count(), 50u);
    if (d->is_fixt()) continue;
    const dict::MessageDef* order = d->message("D");
    ASSERT_NE(order, nullptr);
    EXPECT_EQ(order->name, "NewOrderSingle");  // the repository's FIX 4.0-4.2 say OrderSingle
    ASSERT_NE(order->body.find(11), nullptr);
    EXPECT_TRUE(order->body.find(11)->required);  // ClOrdID
  }
}

TEST(DictGenerateTest, Fix40AndFix41TypeTextFieldsAsChar) {
  for (auto version : {"FIX.4.0", "FIX.4.1"}) {
    auto d = generated(version);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->field(8)->type_name, "CHAR") << version;   // BeginString
    EXPECT_EQ(d->field(52)->type_name, "TIME") << version;  // SendingTime
    EXPECT_EQ(d->field(10)->type_name, "CHAR") << version;  // CheckSum
  }
  // Group layouts as QuickFIX/C++'s generated FIX40::Allocation and FIX41::News have them.
  auto fix40 = generated("FIX.4.0");
  ASSERT_TRUE(fix40);
  const dict::Member* allocs = fix40->message("J")->body.find(78);  // NoAllocs
  ASSERT_TRUE(allocs && allocs->group);
  EXPECT_EQ(allocs->group->delimiter(), 79);  // AllocAccount
  EXPECT_EQ(allocs->group->members().size(), 10u);
  EXPECT_EQ(fix40->message("A")->body.find(141), nullptr) << "FIX 4.0 has no ResetSeqNumFlag";
  auto fix41 = generated("FIX.4.1");
  ASSERT_TRUE(fix41);
  const dict::Member* lines = fix41->message("B")->body.find(33);  // LinesOfText
  ASSERT_TRUE(lines && lines->group);
  EXPECT_EQ(lines->group->delimiter(), 58);  // Text
  EXPECT_NE(fix41->message("A")->body.find(141), nullptr);
}

TEST(DictGenerateTest, Fix50ApplicationDictionariesLeaveTheSessionLayerToFixt) {
  for (auto version : {"FIX.5.0", "FIX.5.0SP1", "FIX.5.0SP2"}) {
    SCOPED_TRACE(version);
    auto d = generated(version);
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->header().members().empty());
    EXPECT_TRUE(d->trailer().members().empty());
    for (const auto& m : d->messages()) EXPECT_FALSE(m->admin) << m->name;
    EXPECT_EQ(d->message("A"), nullptr);
    EXPECT_NE(d->message("8"), nullptr);
  }
}

TEST(DictGenerateTest, Fixt11HoldsTheSessionLayerOnly) {
  auto d = generated("FIXT.1.1");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->is_fixt());
  std::string types;
  for (const auto& m : d->messages()) {
    EXPECT_TRUE(m->admin) << m->name;
    types += m->msg_type;
  }
  EXPECT_EQ(types, "012345A");  // QuickFIX's FIXT11.xml: the seven, without XMLnonFIX
  EXPECT_NE(d->header().find(1128), nullptr);  // ApplVerID
  const dict::Member* hops = d->header().find(627);
  ASSERT_TRUE(hops && hops->group);
  EXPECT_EQ(hops->group->delimiter(), 628);  // HopCompID
  EXPECT_TRUE(d->trailer().find(10)->required);
  EXPECT_EQ(d->field(55), nullptr) << "application fields stay out of the transport dictionary";
}

TEST(DictGenerateTest, RefusesFix43BecauseTheRepositoryFieldsAreFix42s) {
  auto xml = generate_dictionary(kRepo, "FIX.4.3");
  ASSERT_FALSE(xml);
  EXPECT_NE(xml.error().find("copy of FIX 4.2's"), std::string::npos) << xml.error();
  EXPECT_NE(xml.error().find("FIX43.xml"), std::string::npos) << xml.error();
}

TEST(DictGenerateTest, NamesTheKnownVersionsAndTheMissingFolder) {
  auto unknown = generate_dictionary(kRepo, "FIX.4.5");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("FIX.4.0, FIX.4.1"), std::string::npos) << unknown.error();
  auto missing = generate_dictionary("/nonexistent", "FIX.4.4");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("/nonexistent/FIX.4.4: no Fields.xml"), std::string::npos)
      << missing.error();
}

std::pair<int, std::string> run(const std::string& args) {
  std::string cmd = std::string(FIXGATE_CLI_PATH) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, ""};
  std::string output;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(DictGenerateTest, CommandLineWritesTheDictionaryToStdout) {
  auto [rc, xml] = run("dict generate --repo " + kRepo + " --version FIX.4.1");
  EXPECT_EQ(rc, 0) << xml;
  auto d = dict::Dictionary::load_string(xml);
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ((*d)->begin_string(), "FIX.4.1");
  auto [rc43, text] = run("dict generate --repo " + kRepo + " --version FIX.4.3");
  EXPECT_EQ(rc43, 2);
  EXPECT_NE(text.find("fixgate dict generate: FIX.4.3: refused"), std::string::npos) << text;
}

}  // namespace
}  // namespace fixgate::cli
