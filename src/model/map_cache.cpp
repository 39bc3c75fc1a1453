#include "map_cache.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace trim::model::detail {
namespace {

std::uint64_t Bits(double d) { return std::bit_cast<std::uint64_t>(d); }

std::uint64_t Mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 32);
}

}  // namespace

MapCache::MapCache(std::size_t capacity) {
  const std::size_t n = std::bit_ceil(std::max<std::size_t>(capacity, 64));
  table_.resize(n);
  mask_ = n - 1;
}

void MapCache::Clear() {
  for (Entry& e : table_) e.hash = 0;
  used_ = 0;
}

const LayerMap& MapCache::Get(int slot, const LoopNest& nest, Dataflow df, const HwView& hw,
                              const Residency& res) {
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
  std::size_t i = h & mask_;
  while (table_[i].hash != 0) {
    if (table_[i].hash == h && table_[i].key == key) {
      ++hits;
      return table_[i].map;
    }
    i = (i + 1) & mask_;
  }
  ++misses;
  if (used_ * 2 >= table_.size()) {
    Clear();
    i = h & mask_;
  }
  Entry& e = table_[i];
  e.hash = h;
  e.key = key;
  e.map = MapLayer(nest, df, hw, res);
  ++used_;
  return e.map;
}

}  // namespace trim::model::detail
