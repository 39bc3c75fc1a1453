// JSON text helpers shared by trim-eval's JSON output and the C interface.
#pragma once

#include <string>
#include <string_view>

namespace trim {

/// `s` as a quoted JSON string: quotes and backslashes escaped, control characters as \uXXXX.
std::string JsonString(std::string_view s);

}  // namespace trim
