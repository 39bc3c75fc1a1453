// Module-private: the per-row checksum of the results file (/checksum, docs/output-format.md).
//
// checksum(row) folds the row index and the stored bits of every column, in the order of the
// /checksum "columns" attribute, through h <- (h xor x) * M + k + 1 (M odd), then h xor (h >> 32).
// Each step is a bijection of h and of x, so any change confined to one column of a row
// (any number of flipped bits or bytes in one value) always changes the checksum; changes in
// several columns go unnoticed with probability 2^-64. The function depends only on the rows'
// values, not on how or in what pieces they were written.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "trim/io/results_file.hpp"

namespace trim::io {

/// Checksums of rows r: data[k] holds r.size() values of column k with dtype dtypes[k].
std::vector<std::uint64_t> RowChecksums(IndexRange r, std::span<const Dtype> dtypes,
                                        std::span<const void* const> data);

}  // namespace trim::io
