// Memos of one design's mappings (docs/model.md, "Performance"). A network repeats layer shapes
// (ResNet-50's bottleneck blocks), and the walk maps the same nest under the same residency
// again, so within one design most mappings are repeats even when no two designs share one.
// A memo is keyed by the 64-bit patterns of everything its computation reads, so a hit returns
// exactly what the computation would; it is direct-mapped (a collision only costs the
// recomputation). A scoped memo, whose key leaves out what a design fixes, forgets everything
// when a design's walk starts or ends (DesignScope), which bounds its reuse to one design; a
// memo whose key is complete keeps its entries across designs. One per thread; internal to the
// model module.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace trim::model::detail {

/// The design scope of this thread; 0 is never a scope.
inline thread_local std::uint64_t t_design_scope = 1;
/// Whether a design's walk is running on this thread (DesignScope).
inline thread_local bool t_in_design = false;

/// One design's walk: every memo of this thread forgets what it held before and, when the walk
/// ends, what the walk put in. Memos whose keys leave out what is fixed for a design (its
/// energies, clock, options) serve only while a walk runs.
class DesignScope {
 public:
  DesignScope() {
    ++t_design_scope;
    t_in_design = true;
  }
  ~DesignScope() {
    ++t_design_scope;
    t_in_design = false;
  }
  DesignScope(const DesignScope&) = delete;
  DesignScope& operator=(const DesignScope&) = delete;
};

/// Keys of kKeyWords words, of which the first kHashWords are hashed (the rest, fields that
/// rarely change within a design, are compared only). kScoped = false: the key holds everything
/// the value depends on, design fields included, so entries stay valid across designs and the
/// memo forgets nothing at a scope's start or end (only a collision replaces an entry).
template <typename Value, std::size_t kKeyWords, std::size_t kHashWords = kKeyWords,
          bool kScoped = true>
class ScopedMemo {
 public:
  static constexpr int kSlotBits = 9;
  static constexpr std::size_t kSlots = std::size_t{1} << kSlotBits;
  using Key = std::array<std::uint64_t, kKeyWords>;

  static Key KeyOf(const std::array<double, kKeyWords>& v) {
    Key k;
    for (std::size_t i = 0; i < kKeyWords; ++i) k[i] = std::bit_cast<std::uint64_t>(v[i]);
    return k;
  }

  /// The slot of `key`: `*hit` says whether it holds the value of `key` in this scope;
  /// otherwise the slot is claimed for `key` and the caller stores the value in it.
  Value* Find(const Key& key, bool* hit) {
    if (slots_.empty()) slots_.resize(kSlots);
    // A bit of a product depends on the bits at and below it in the factors, so the top bits
    // depend on every bit of every word (integral doubles differ in their high bits).
    std::uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (std::size_t i = 0; i < kHashWords; ++i) h = (h ^ key[i]) * 0xff51afd7ed558ccdULL;
    Slot& s = slots_[h >> (64 - kSlotBits)];
    *hit = (!kScoped || s.scope == t_design_scope) && s.hash == h && Same(s.key, key);
    if (!*hit) {
      s.scope = t_design_scope;
      s.hash = h;
      s.key = key;
    }
    return &s.value;
  }

 private:
  /// Word by word (a library memcmp call costs more than the few words of most keys).
  static bool Same(const Key& a, const Key& b) {
    std::uint64_t diff = 0;
    for (std::size_t i = 0; i < kKeyWords; ++i) diff |= a[i] ^ b[i];
    return diff == 0;
  }
  struct Slot {
    std::uint64_t scope = 0;
    std::uint64_t hash = 0;
    Key key{};
    Value value{};
  };
  std::vector<Slot> slots_;  ///< allocated on first use
};

}  // namespace trim::model::detail
