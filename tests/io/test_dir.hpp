// The directory where the io tests write their files (set by mpi_test_main.cpp's --tmpdir).
#pragma once

#include <string>

namespace trim::io::testing {

const std::string& TestDir();

}  // namespace trim::io::testing
