// A bounded cache of layer mappings (docs/model.md, "Performance"). The key is everything
// MapLayer reads: the nest (its slot in the Plan: layer, phase, part), the dataflow, the
// residency, and the mapping fields of the view the walk hands to the tiling (MapFields).
// The model options (systolic_fill, pass_overhead, overlap = "double_buffer", which tiles half
// the buffer) are not in the key: the cache belongs to one Evaluator, whose options are fixed.
// Under "double_buffer" MapFields carries the bandwidths, by which a layer picks its schedule.
// Keys compare bit for bit, so a hit returns exactly what MapLayer would compute. The table
// starts empty and doubles as it fills, up to `capacity` slots; when half full at that size it
// is emptied (bounded memory; a miss only costs the recomputation).
// The cache watches its hit rate: after a window of lookups with almost no hits (a sweep where
// every design maps anew) it steps aside for the next windows, mapping straight away without
// building keys or storing entries, and then measures again. Bypassing never changes a result.
// The Evaluator hands the cache only walks of designs whose mapping fields an earlier walk had
// (evaluate.cpp, FirstSight): the first walk of any design cannot hit.
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
  /// At most `capacity` slots (rounded up to a power of two, at least 64); none allocated yet.
  explicit MapCache(std::size_t capacity = std::size_t{1} << 15);

  /// MapLayer(nest, df, hw, res), from the cache when the same key was seen. The reference
  /// stays valid until the next call.
  const LayerMap& Get(int slot, const LoopNest& nest, Dataflow df, const HwView& hw,
                      const Residency& res);
  /// Empties the table and starts measuring the hit rate afresh.
  void Clear();
  /// Starts measuring the hit rate afresh (a new workload may reuse mappings differently).
  void Remeasure();

  /// Lookups per measuring window. A window with fewer than kWindow / kMinHitShare hits turns
  /// the cache off for 1 window, the next such window for 2, then 4, ... up to kMaxOffWindows
  /// (so a cold sweep pays for the cache in about 1 window in 65, and a sweep whose hits
  /// start late loses at most a window of them); a window with hits resets the backoff.
  static constexpr std::uint64_t kWindow = 4096;
  static constexpr std::uint64_t kMinHitShare = 32;
  static constexpr std::uint64_t kMaxOffWindows = 64;

  std::uint64_t hits = 0, misses = 0;
  std::uint64_t bypassed = 0;  ///< mappings computed while the cache stood aside

  /// Slots allocated now (grows with use).
  [[nodiscard]] std::size_t slots() const { return table_.size(); }

 private:
  static constexpr std::size_t kKeyWords = kNumMapFields + 9;
  static constexpr std::size_t kFirstSlots = 256;
  using Key = std::array<std::uint64_t, kKeyWords>;
  struct Entry {
    std::uint64_t hash = 0;  ///< 0 = empty
    Key key{};
    LayerMap map;
  };
  /// Room for one more entry: allocate, double, or (at capacity) empty the table.
  void MakeRoom();
  /// Counts a lookup of the current window; `hit` says whether it hit.
  void Measure(bool hit);

  std::vector<Entry> table_;
  std::size_t used_ = 0;
  std::size_t mask_ = 0;
  std::size_t capacity_;
  std::uint64_t window_lookups_ = 0, window_hits_ = 0;
  std::uint64_t off_left_ = 0;     ///< lookups still to bypass
  std::uint64_t off_windows_ = 1;  ///< windows the next bypass lasts
  LayerMap scratch_;               ///< a mapping computed outside the MAC memo
};

}  // namespace trim::model::detail
