#include "map_cache.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

namespace trim::model::detail {
namespace {

std::uint64_t Bits(double d) { return std::bit_cast<std::uint64_t>(d); }

std::uint64_t Mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 32);
}

}  // namespace

MapCache::MapCache(std::size_t capacity)
    : capacity_(std::bit_ceil(std::max<std::size_t>(capacity, 64))) {}

void MapCache::Clear() {
  for (Entry& e : table_) e.hash = 0;
  used_ = 0;
  Remeasure();
}

void MapCache::Remeasure() {
  window_lookups_ = 0;
  window_hits_ = 0;
  off_left_ = 0;
  off_windows_ = 1;
}

void MapCache::MakeRoom() {
  if (table_.empty()) {
    table_.resize(std::min(kFirstSlots, capacity_));
    mask_ = table_.size() - 1;
    return;
  }
  if (used_ * 2 < table_.size()) return;
  if (table_.size() >= capacity_) {
    for (Entry& e : table_) e.hash = 0;
    used_ = 0;
    return;
  }
  std::vector<Entry> old(table_.size() * 2);
  std::swap(old, table_);
  mask_ = table_.size() - 1;
  for (Entry& e : old) {
    if (e.hash == 0) continue;
    std::size_t i = e.hash & mask_;
    while (table_[i].hash != 0) i = (i + 1) & mask_;
    table_[i] = std::move(e);
  }
}

void MapCache::Measure(bool hit) {
  ++window_lookups_;
  if (hit) ++window_hits_;
  if (window_lookups_ < kWindow) return;
  if (window_hits_ * kMinHitShare < kWindow) {
    off_left_ = off_windows_ * kWindow;
    off_windows_ = std::min(2 * off_windows_, kMaxOffWindows);
  } else {
    off_windows_ = 1;
  }
  window_lookups_ = 0;
  window_hits_ = 0;
}

const LayerMap& MapCache::Get(int slot, const LoopNest& nest, Dataflow df, const HwView& hw,
                              const Residency& res) {
  if (off_left_ > 0) {
    --off_left_;
    ++bypassed;
    return MapLayerRef(nest, df, hw, res, &scratch_);
  }
  Key key{};
  double fields[kNumMapFields];
  MapFields(hw, fields);
  for (std::size_t i = 0; i < kNumMapFields; ++i) key[i] = Bits(fields[i]);
  std::size_t k = kNumMapFields;
  key[k++] = static_cast<std::uint64_t>(slot);
  key[k++] = static_cast<std::uint64_t>(df);
  key[k++] = res.input_on_chip ? 1 : 0;
  key[k++] = res.weight_on_chip ? 1 : 0;
  key[k++] = res.keep_output ? 1 : 0;
  key[k++] = Bits(res.resident_in_bits);
  key[k++] = Bits(res.resident_out_bits);
  key[k++] = res.vec_rd_on_chip;
  key[k++] = res.vec_wr_kept;
  std::uint64_t h = 0x243f6a8885a308d3ULL;
  for (std::uint64_t w : key) h = Mix(h, w);
  h |= 1;  // never 0 (the empty marker)
  if (!table_.empty()) {
    for (std::size_t i = h & mask_; table_[i].hash != 0; i = (i + 1) & mask_) {
      if (table_[i].hash == h && table_[i].key == key) {
        ++hits;
        Measure(true);
        return table_[i].map;
      }
    }
  }
  ++misses;
  Measure(false);
  MakeRoom();
  std::size_t i = h & mask_;
  while (table_[i].hash != 0) i = (i + 1) & mask_;
  Entry& e = table_[i];
  e.hash = h;
  e.key = key;
  e.map = MapLayerRef(nest, df, hw, res, &scratch_);
  ++used_;
  return e.map;
}

}  // namespace trim::model::detail
