// A bounded cache of layer mappings (docs/model.md, "Performance"). The key is everything
// MapLayer reads: the nest (its slot in the Plan: layer, phase, part), the dataflow, the
// residency, and the mapping fields of the view the walk hands to the tiling (MapFields).
// Keys compare bit for bit, so a hit returns exactly what MapLayer would compute. When half
// full the table is emptied (bounded memory; a miss only costs the recomputation).
// Not thread-safe; one per Evaluator. Internal to the model module.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "hw_view.hpp"
#include "layer_cost.hpp"
#include "tiling.hpp"

namespace trim::model::detail {

class MapCache {
 public:
  /// `capacity` slots (rounded up to a power of two, at least 64).
  explicit MapCache(std::size_t capacity = std::size_t{1} << 15);

  /// MapLayer(nest, df, hw, res), from the cache when the same key was seen.
  const LayerMap& Get(int slot, const LoopNest& nest, Dataflow df, const HwView& hw,
                      const Residency& res);
  void Clear();

  std::uint64_t hits = 0, misses = 0;

 private:
  static constexpr std::size_t kKeyWords = kNumMapFields + 9;
  using Key = std::array<std::uint64_t, kKeyWords>;
  struct Entry {
    std::uint64_t hash = 0;  ///< 0 = empty
    Key key{};
    LayerMap map;
  };
  std::vector<Entry> table_;
  std::size_t used_ = 0;
  std::size_t mask_ = 0;
};

}  // namespace trim::model::detail
