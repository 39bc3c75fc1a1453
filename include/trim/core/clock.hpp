// Wall-clock time stamps for provenance attributes and lock-file owner lines.
#pragma once

#include <string>

namespace trim {

/// The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" (ISO 8601, seconds).
std::string UtcNow();

}  // namespace trim
