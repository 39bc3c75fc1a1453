// SHA-256 (FIPS 180-4) of a byte string, as 64 lower-case hex digits. Used to identify the
// job a results file belongs to. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace trim {

std::string Sha256Hex(std::string_view data);

}  // namespace trim
