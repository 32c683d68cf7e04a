#include "fixgate/codec/reject_reason.h"

namespace fixgate::codec {

std::string_view to_string(SessionRejectReason r) {
  using R = SessionRejectReason;
  switch (r) {
    case R::kInvalidTagNumber: return "Invalid tag number";
    case R::kRequiredTagMissing: return "Required tag missing";
    case R::kTagNotDefinedForMessageType: return "Tag not defined for this message type";
    case R::kUndefinedTag: return "Undefined Tag";
    case R::kTagSpecifiedWithoutValue: return "Tag specified without a value";
    case R::kValueIsIncorrect: return "Value is incorrect (out of range) for this tag";
    case R::kIncorrectDataFormat: return "Incorrect data format for value";
    case R::kDecryptionProblem: return "Decryption problem";
    case R::kSignatureProblem: return "Signature problem";
    case R::kCompIdProblem: return "CompID problem";
    case R::kSendingTimeAccuracyProblem: return "SendingTime accuracy problem";
    case R::kInvalidMsgType: return "Invalid MsgType";
    case R::kXmlValidationError: return "XML Validation error";
    case R::kTagAppearsMoreThanOnce: return "Tag appears more than once";
    case R::kTagSpecifiedOutOfRequiredOrder: return "Tag specified out of required order";
    case R::kRepeatingGroupFieldsOutOfOrder: return "Repeating group fields out of order";
    case R::kIncorrectNumInGroupCount: return "Incorrect NumInGroup count for repeating group";
    case R::kNonDataValueIncludesFieldDelimiter:
      return "Non-data value includes field delimiter (SOH character)";
    case R::kOther: return "Other";
  }
  return "Other";
}

std::string_view to_string(BusinessRejectReason r) {
  using R = BusinessRejectReason;
  switch (r) {
    case R::kOther: return "Other";
    case R::kUnknownId: return "Unknown ID";
    case R::kUnknownSecurity: return "Unknown Security";
    case R::kUnsupportedMessageType: return "Unsupported Message Type";
    case R::kApplicationNotAvailable: return "Application not available";
    case R::kConditionallyRequiredFieldMissing: return "Conditionally required field missing";
    case R::kNotAuthorized: return "Not authorized";
    case R::kDeliverToFirmNotAvailable: return "DeliverToFirm not available at this time";
  }
  return "Other";
}

}  // namespace fixgate::codec
