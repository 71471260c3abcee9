// profile.json: reading and writing DeviceProfile (schema
// "greenroute.profile", version 1, documented field by field in
// docs/profile.md).
//
// Reading validates everything: JSON syntax, the schema id and version, that
// every required field is present with the right type, that no unknown field
// is present (a typo must not silently fall back to a default), and every
// range and cross-field rule (validate_profile). Errors name the file and the
// JSON path of the bad field:
//   "profile.json: latency_model.coefficients.per_step_ms: must be >= 0 (is -1)"
// Codes: kNotFound / kIoError for the file, kUnsupported for another schema
// version, kCorrupt for anything wrong inside it.
//
// Writing is deterministic (fixed key order, pretty-printed, shortest
// round-trip numbers) and atomic (a temporary file renamed over the target).
// Writing refuses a profile validate_profile rejects.
//
// Thread contract: pure functions; thread-safe (save_profile to the same path
// from two threads is a race on the file, as with any writer).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "greenroute/core/status.h"
#include "greenroute/profile/profile.h"

namespace greenroute::profile {

// The profile as a JSON document, keys in schema order. Does not validate.
nlohmann::ordered_json profile_to_json(const DeviceProfile& profile);

// Validates, then renders (2-space indent, trailing newline).
core::Result<std::string> profile_to_text(const DeviceProfile& profile);

// Parses and validates a JSON document. `name` prefixes every message.
core::Result<DeviceProfile> profile_from_json(const nlohmann::json& doc, std::string_view name);

// Parses and validates text; `name` (usually the file name) prefixes messages.
core::Result<DeviceProfile> parse_profile(std::string_view text, std::string_view name);

// Reads and parses a file; messages are prefixed with `path` as given.
core::Result<DeviceProfile> load_profile(const std::string& path);

// Validates and writes atomically (temporary file beside `path`, renamed).
core::Status save_profile(const DeviceProfile& profile, const std::string& path);

}  // namespace greenroute::profile
