// `fixgate sessions import` and `export`: the sessions of a QuickFIX settings file as LP rows, and
// back. A session's keys (its own over [DEFAULT]) go to the columns that hold them; every other key
// goes into the row's `extra`, so nothing a file says is lost.
#pragma once

#include <string>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/gateway/sessions_db.h"
#include "fixgate/gateway/settings.h"

namespace fixgate::gateway {

// One row per [SESSION], enabled, named by its Provider= key (default: provider_from(its
// TargetCompID)); each row checked as fixgated would check it. Fails with every problem: a bad
// or repeated provider name, an acceptor template, a row that does not build.
Result<std::vector<LpRow>> rows_from_settings(const Settings& settings);

// The rows as a settings file: one [SESSION] each, Provider= first, a disabled row marked by a
// comment (a settings file cannot disable a session).
std::string settings_from_rows(const std::vector<LpRow>& rows);

}  // namespace fixgate::gateway
