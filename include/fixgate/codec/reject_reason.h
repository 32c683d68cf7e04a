// SessionRejectReason (373) and BusinessRejectReason (380) values, with their spec texts.
#pragma once

#include <cstdint>
#include <string_view>

namespace fixgate::codec {

enum class SessionRejectReason : uint8_t {
  kInvalidTagNumber = 0,
  kRequiredTagMissing = 1,
  kTagNotDefinedForMessageType = 2,
  kUndefinedTag = 3,
  kTagSpecifiedWithoutValue = 4,
  kValueIsIncorrect = 5,
  kIncorrectDataFormat = 6,
  kDecryptionProblem = 7,
  kSignatureProblem = 8,
  kCompIdProblem = 9,
  kSendingTimeAccuracyProblem = 10,
  kInvalidMsgType = 11,
  kXmlValidationError = 12,
  kTagAppearsMoreThanOnce = 13,
  kTagSpecifiedOutOfRequiredOrder = 14,
  kRepeatingGroupFieldsOutOfOrder = 15,
  kIncorrectNumInGroupCount = 16,
  kNonDataValueIncludesFieldDelimiter = 17,
  kOther = 99,
};

enum class BusinessRejectReason : uint8_t {
  kOther = 0,
  kUnknownId = 1,
  kUnknownSecurity = 2,
  kUnsupportedMessageType = 3,
  kApplicationNotAvailable = 4,
  kConditionallyRequiredFieldMissing = 5,
  kNotAuthorized = 6,
  kDeliverToFirmNotAvailable = 7,
};

// The FIX specification's name for the reason, e.g. "Required tag missing".
std::string_view to_string(SessionRejectReason r);
std::string_view to_string(BusinessRejectReason r);

}  // namespace fixgate::codec
